"""TeX written without dollars in a question's learner-facing text, typeset; what only looks like math, reported.

Runs after the overlay is applied, so an overlay's `find` matches the source as written and its own text,
already in `$...$`, is left as it is."""
from __future__ import annotations

from dataclasses import replace

from pipeline.model import Choice, Diagnostic, Document, Question
from pipeline.curate.texprose import mark_math

_FIELDS = ("context", "stem", "answer", "explanation")


def marked(doc: Document) -> Document:
    """Document -> Document with bare TeX in every learner-facing field in `$...$`, and a `math-bare`
    warning for each fragment left alone."""
    return replace(doc, questions=tuple(_marked(q, doc.lines) for q in doc.questions))


def _marked(q: Question, lines: tuple[str, ...]) -> Question:
    changes: dict[str, object] = {}
    found: list[tuple[str, int]] = []  # (fragment, line)
    for name in _FIELDS:
        text, ambiguous = mark_math(getattr(q, name))
        if text != getattr(q, name):
            changes[name] = text
        found += [(a, _line_of(a, q, lines)) for a in ambiguous]
    choices = []
    for c in q.choices:
        text, ambiguous = mark_math(c.text)
        choices.append(Choice(text, c.correct, c.line))
        found += [(a, c.line or _line_of(a, q, lines)) for a in ambiguous]
    notes = []
    for note in q.notes:
        text, ambiguous = mark_math(note)
        notes.append(text)
        found += [(a, _line_of(a, q, lines)) for a in ambiguous]
    if not changes and not found and tuple(choices) == q.choices and tuple(notes) == q.notes:
        return q
    diags = tuple(Diagnostic(
        q.source.file, line, "warning", "math-bare",
        f"{q.id}: “{fragment}” looks like math but was not typeset; write it as `${fragment}$` if it is math, "
        f"or in backticks if it is code") for fragment, line in dict.fromkeys(found))
    return q.with_(choices=tuple(choices), notes=tuple(notes), diagnostics=q.diagnostics + diags, **changes)


def _line_of(fragment: str, q: Question, lines: tuple[str, ...]) -> int:
    """The source line of the question that holds the fragment; the question's first line if none does
    (the text came from an overlay)."""
    first, last = q.source.line_start, q.source.line_end
    for n in range(max(first, 1), min(last, len(lines)) + 1):
        if fragment in lines[n - 1]:
            return n
    return first
