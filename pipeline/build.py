"""The one driver: read -> curate -> recompute -> render, with diagnostics collected and judged at the end."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from . import curation
from .fsutil import atomic_write_text
from .model import Diagnostic, Document, Question, all_diagnostics
from .normalize import split_lines
from .readers import read_path
from .tags import tags_for

SEEDS = Path("seeds")
BUILD = Path("build")


def seed_paths(seeds: Path = SEEDS) -> list[Path]:
    return sorted(p for p in seeds.glob("*.md"))


def load_document(path: str | Path, *, curate: bool = True, compute: bool = True) -> Document:
    """One source document through every pure stage. Never raises on bad input."""
    doc = read_path(path)
    if curate and doc.dialect:
        doc = curation.apply(doc, curation.load_overlay(curation.overlay_path(doc.path)))
    if compute and doc.questions:
        doc = _recompute(doc)
    return replace(doc, questions=tuple(q.with_(tags=tags_for(q)) for q in doc.questions))


def _recompute(doc: Document) -> Document:
    from .recompute import recompute  # NumPy and sympy load only when a document has questions

    try:
        # Split exactly as the readers do (str.splitlines also breaks at U+2028, form feeds...).
        lines = split_lines(Path(doc.path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        lines = []
    questions, extra = recompute(list(doc.questions), lines={doc.path: lines})
    return replace(doc, questions=tuple(questions), diagnostics=doc.diagnostics + tuple(extra))


def load_bank(paths: Iterable[str | Path]) -> list[Document]:
    return [load_document(p) for p in paths]


def has_errors(doc: Document) -> bool:
    return any(d.severity == "error" for d in all_diagnostics(doc))


def questions_json(docs: Sequence[Document]) -> str:
    bank = [q.to_json() for doc in docs for q in doc.questions]
    return json.dumps(bank, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def good_questions(docs: Sequence[Document]) -> list[Question]:
    return [q for doc in docs if not has_errors(doc) for q in doc.questions]


def build(paths: Sequence[Path], out: Path = BUILD, *, decks: bool = True, exams: bool = True) -> list[Diagnostic]:
    """Write every output. Documents with errors keep their previous outputs; the rest still build."""
    docs = load_bank(paths)
    diags = [d for doc in docs for d in all_diagnostics(doc)]
    good = [doc for doc in docs if not has_errors(doc)]
    if len(good) == len(docs):
        atomic_write_text(out / "questions.json", questions_json(docs))
    if decks:
        from .render.anki import write_decks

        diags += write_decks(good, out / "decks", SEEDS / "identity.lock", complete=len(good) == len(docs))
    if exams:
        from .render.exam import write_exams

        diags += write_exams(good_questions(docs), SEEDS / "exams.toml", out / "exams", out / "cache" / "math")
    return diags
