"""Questions of a format that says what each part is (GIFT, Aiken, Anki notes) -> Document, checked as the
Markdown reader checks its own: ids unique, math balanced, a choice question with a correct option."""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import Choice, Cue, Diagnostic, Document, Figure, Question, Skipped, SourceSpan
from pipeline.readers import checked_text, unique_ids  # the Markdown reader's own checks of a finished question


@dataclass
class Item:
    """One question as a format states it; `start`/`end` are its positions in the file (lines, or notes)."""
    kind: str
    stem: str
    start: int
    end: int
    choices: list[Choice] = field(default_factory=list)
    answer: str = ""
    explanation: str = ""
    section: str = ""
    context: str = ""
    tags: tuple[str, ...] = ()
    cues: list[Cue] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def document(items: list[Item], path: str, slug: str, dialect: str, title: str, *, lines: tuple[str, ...],
             skipped: list[Skipped] | None = None, diagnostics: list[Diagnostic] | None = None,
             looked_for: str = "") -> Document:
    diags = list(diagnostics or [])
    questions = []
    for n, it in enumerate(items, 1):
        extra = list(it.diagnostics)
        if it.kind in ("single_choice", "multi_choice") and not any(c.correct for c in it.choices):
            extra.append(Diagnostic(path, it.start, "error", "choice-unmarked", "no option is marked correct"))
        questions.append(Question(
            id=f"{slug}/q{n:02d}", document=slug, number=str(n), kind=it.kind, stem=it.stem.strip(),
            source=SourceSpan(path, it.start, it.end), choices=tuple(it.choices), answer=it.answer.strip(),
            explanation=it.explanation.strip(), context=it.context.strip(), section=it.section, tags=it.tags, figures=tuple(it.figures),
            diagnostics=tuple(extra), cues=tuple(it.cues)))
    questions = [checked_text(q) for q in unique_ids(questions, path, diags)]
    if not questions:
        diags.append(Diagnostic(path, 1, "error", "no-questions", f"no question found: looked for {looked_for}"))
    return Document(path, slug, dialect, title or slug, tuple(questions), tuple(skipped or ()), tuple(diags), lines)
