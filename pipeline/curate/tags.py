"""A question's tags: document, section, kind and markers, the same in questions.json, decks and exam draws."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.model import Question


@lru_cache(maxsize=4096)  # sections repeat: one slug per heading, not per question
def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def tags_for(question: Question) -> tuple[str, ...]:
    """Document slug, section, kind, `computed` / `unanswered`, then the question's own tags; no repeats."""
    tags = [question.document, slugify(question.section), question.kind]
    if question.computed:
        tags.append("computed")
    if not question.answered:
        tags.append("unanswered")
    tags.extend("_".join(t.split()) for t in question.tags)
    return tuple(dict.fromkeys(t for t in tags if t))
