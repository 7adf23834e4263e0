"""A document that keeps its questions as data in its YAML front matter (a static site's quiz page) -> questions.

    ---
    questions:
      - text: The American ____ gave the colonists independence from Britain.
        choice:                      # or choices, options, alternatives; items as text or as {option: ...}
          - option: annex
          - option: revolution
        answer:                      # or correct, solution: an option's text, letter or number, or a list
          - option: revolution
    ---

Read only when the Markdown reader finds no question in the text. The front matter is composed by PyYAML into
its node tree, which holds data only (nothing is constructed from tags) and each node's line; the walk visits
a bounded number of nodes, so aliases that point at each other cannot make it run long."""
from __future__ import annotations

import re

from pipeline.files.normalize import decode, split_lines
from pipeline.formats.items import Item, document
from pipeline.model import Choice, Cue, Diagnostic, Document

QUESTION = ("question", "text", "prompt", "stem", "q", "pregunta", "frage", "question_text")
OPTIONS = ("choices", "choice", "options", "alternatives", "opciones", "optionen", "answers")
ANSWER = ("answer", "correct", "correct_answer", "solution", "key", "respuesta", "antwort", "a")
EXPLANATION = ("explanation", "why", "feedback", "rationale", "explicacion", "erklarung")
TEXT = ("option", "text", "value", "label", "choice", "answer", "title")
MAX_BYTES = 2**20  # far above a front matter of a few hundred questions
MAX_NODES = 200_000
_LETTERS = re.compile(r"^[A-H](?:\s*[,&/;]\s*[A-H])*$")
_NUMBERS = re.compile(r"^[1-9](?:\s*[,&/;]\s*[1-9])*$")


def read_front_matter(data: bytes, path: str, slug: str) -> Document | None:
    """The questions listed in the document's front matter, or None when it has none."""
    text, diags = decode(data, path)
    if text is None or not text.startswith("---"):
        return None
    lines = split_lines(text)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None
    block = "\n".join(lines[1:end])
    if len(block.encode("utf-8")) > MAX_BYTES:
        return None
    import yaml  # PyYAML; loaded only for a document with front matter and no question in its text

    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    budget = [MAX_NODES]
    found = _question_list(root, budget, 0)
    if not found:
        return None
    items = [it for node in found if (it := _item(node, path, budget)) is not None]
    title = _scalar(_get(root, ("title",)), budget) if root is not None else ""
    return document(items, path, slug, "front matter", title, lines=tuple(lines), diagnostics=diags,
                    looked_for="a list of questions in the front matter")


def _spend(budget: list[int]) -> bool:
    budget[0] -= 1
    return budget[0] > 0


def _pairs(node, budget: list[int]) -> list[tuple[str, object]]:  # noqa: ANN001 - a yaml node
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    out = []
    for key, value in node.value:
        if not _spend(budget):
            break
        if isinstance(key, yaml.ScalarNode):
            out.append((str(key.value).strip().lower(), value))
    return out


def _get(node, names: tuple[str, ...], budget: list[int] | None = None):  # noqa: ANN001, ANN202
    pairs = dict(_pairs(node, budget if budget is not None else [MAX_NODES]))
    return next((pairs[n] for n in names if n in pairs), None)


def _question_list(node, budget: list[int], depth: int) -> list:  # noqa: ANN001
    """The first list of mappings with a question's text, at most three levels down."""
    import yaml

    if node is None or depth > 3 or not _spend(budget):
        return []
    if isinstance(node, yaml.SequenceNode):
        entries = [n for n in node.value if isinstance(n, yaml.MappingNode)]
        asking = [n for n in entries if _get(n, QUESTION, budget) is not None]
        if asking and len(asking) * 2 >= len(node.value):
            return asking
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [value for _, value in node.value]
    else:
        return []
    for child in children:
        found = _question_list(child, budget, depth + 1)
        if found:
            return found
    return []


def _scalar(node, budget: list[int]) -> str:  # noqa: ANN001
    """A node's text: a scalar, the text field of a mapping (`{option: annex}`), or a list of those joined."""
    import yaml

    if node is None or not _spend(budget):
        return ""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value).strip()
    if isinstance(node, yaml.MappingNode):
        return _scalar(_get(node, TEXT, budget), budget)
    if isinstance(node, yaml.SequenceNode):
        return "\n".join(t for t in (_scalar(n, budget) for n in node.value[:50]) if t)
    return ""


def _values(node, budget: list[int]) -> list[str]:  # noqa: ANN001
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return [t for t in (_scalar(n, budget) for n in node.value[:50]) if t]
    said = _scalar(node, budget)
    return [said] if said else []


def _item(node, path: str, budget: list[int]) -> Item | None:  # noqa: ANN001
    import yaml

    start, end = node.start_mark.line + 2, node.end_mark.line + 1  # the front matter opens on line 2
    stem = _scalar(_get(node, QUESTION, budget), budget)
    if not stem:
        return None
    options_node = _get(node, OPTIONS, budget)
    answers = _values(_get(node, ANSWER, budget), budget)
    explanation = _scalar(_get(node, EXPLANATION, budget), budget)
    item = Item("open", stem, start, max(start, end), explanation=explanation,
                cues=[Cue("start", "front-matter-entry", start)])
    if not isinstance(options_node, yaml.SequenceNode):
        item.answer = "\n".join(answers)
        return item
    texts = [_scalar(n, budget) for n in options_node.value[:26]]
    flagged = {k for k, n in enumerate(options_node.value[:26])
               if _scalar(_get(n, ("correct", "is_correct", "right"), budget), budget).lower() in ("true", "yes", "1")}
    picks = flagged | _picks(answers, texts)
    item.kind = "multi_choice" if len(picks) > 1 else "single_choice"
    item.choices = [Choice(t, k in picks, options_node.value[k].start_mark.line + 2) for k, t in enumerate(texts)]
    item.cues.append(Cue("options", "front-matter-list", start))
    if picks:
        item.cues.append(Cue("correct", "front-matter-answer", start))
    elif answers:
        item.diagnostics.append(Diagnostic(path, start, "warning", "answer-unmatched",
                                           f"the answer “{', '.join(answers)}” names no option of the question"))
        item.explanation = "\n\n".join(t for t in (", ".join(answers), explanation) if t)
    return item


def _picks(answers: list[str], texts: list[str]) -> set[int]:
    """The options the answers name: by their own text (every option with that text), else by letter or number."""
    plain = [" ".join(t.lower().split()) for t in texts]
    picks: set[int] = set()
    for said in answers:
        s = " ".join(said.lower().split())
        named = {k for k, t in enumerate(plain) if t and t == s}
        if not named and _LETTERS.match(said.strip()):
            named = {ord(c) - 65 for c in re.findall(r"[A-H]", said.upper())}
        elif not named and _NUMBERS.match(said.strip()):
            named = {int(d) - 1 for d in re.findall(r"[1-9]", said)}
        picks |= {k for k in named if k < len(texts)}
    return picks
