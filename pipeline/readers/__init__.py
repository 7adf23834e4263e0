"""The readers table: one module per source dialect, chosen by detection, never by file name."""
from __future__ import annotations

from pathlib import Path

from ..model import Diagnostic, Document, Question
from ..normalize import decode, split_lines
from ..source import read_source
from ..text import has_unbalanced_dollar
from . import bullet_quiz, exercise_report, interview, question_list, quiz_export
from .common import coverage, to_lines

# Order matters only for ties: the most specific dialects first.
READERS = {
    quiz_export.NAME: quiz_export,
    interview.NAME: interview,
    exercise_report.NAME: exercise_report,
    bullet_quiz.NAME: bullet_quiz,
    question_list.NAME: question_list,
}


def detect(lines: list[str]) -> str | None:
    """The dialect whose signature features the text shows most, or None."""
    scores = {name: module.score(lines) for name, module in READERS.items()}
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] > 0 else None


def slug_of(path: str) -> str:
    """The document's slug: its file name without the extension, whitespace as `-` (Anki tags and question
    ids may hold no space), e.g. `seeds/my quiz.md` -> `my-quiz`."""
    name = Path(path).name
    stem = next((name[: -len(s)] for s in (".md", ".txt", ".markdown") if name.endswith(s)), Path(path).stem)
    return "-".join(stem.split()) or "document"


def read_bytes(data: bytes, path: str, slug: str | None = None) -> Document:
    """Bytes of one document -> Document. Never raises on bad input: problems become diagnostics."""
    slug = slug or slug_of(path)
    text, diags = decode(data, path)
    if text is None:
        return Document(path, slug, "", slug, diagnostics=tuple(diags))
    raw = split_lines(text)
    dialect = detect(raw)
    if dialect is None:
        diags.append(Diagnostic(path, 1, "error", "unknown-dialect",
                                "the document is in no known dialect (quiz export, interview Q&A, exercise report, "
                                "bullet quiz, question list)"))
        return Document(path, slug, "", slug, diagnostics=tuple(diags), lines=tuple(raw))
    try:
        questions, skipped, reader_diags, title = READERS[dialect].read(raw, path, slug)
    except Exception as exc:  # a reader bug must not stop the other documents
        diags.append(Diagnostic(path, 1, "error", "reader-failed", f"the {dialect} reader failed: {exc!r}"))
        return Document(path, slug, dialect, slug, diagnostics=tuple(diags), lines=tuple(raw))
    diags += reader_diags
    questions = _unique_ids(questions, path, diags)
    questions = [_check_text(q) for q in questions]
    if not questions:
        diags.append(Diagnostic(path, 1, "error", "no-questions", f"read as {dialect}, but no question was found"))
    diags += coverage(to_lines(raw), questions, skipped, path)
    return Document(path, slug, dialect, title or slug, tuple(questions), tuple(skipped), tuple(diags), tuple(raw))


def read_path(path: str | Path, display_path: str | None = None) -> Document:
    shown = display_path or str(path)
    data, diags = read_source(path, shown)
    if data is None:
        return Document(shown, slug_of(shown), "", slug_of(shown), diagnostics=tuple(diags))
    return read_bytes(data, shown)


def _unique_ids(questions: list[Question], path: str, diags: list[Diagnostic]) -> list[Question]:
    seen: dict[str, int] = {}
    out = []
    for q in questions:
        if q.id in seen:
            seen[q.id] += 1
            diags.append(Diagnostic(path, q.source.line_start, "warning", "duplicate-number",
                                    f"question number {q.number} appears again; read as {q.id}-{seen[q.id]}"))
            q = q.with_(id=f"{q.id}-{seen[q.id]}")
        else:
            seen[q.id] = 1
        out.append(q)
    return out


def _check_text(q: Question) -> Question:
    """Report math that would reach the learner as raw `$`, and empty stems."""
    extra: list[Diagnostic] = []
    fields = [("stem", q.stem), ("answer", q.answer), ("explanation", q.explanation)]
    fields += [(f"option {chr(65 + i)}", c.text) for i, c in enumerate(q.choices)]
    for name, text in fields:
        if text and has_unbalanced_dollar(text):
            extra.append(Diagnostic(q.source.file, q.source.line_start, "error", "math-unbalanced",
                                    f"the {name} has a `$` that opens no formula"))
    if not q.stem.strip():
        extra.append(Diagnostic(q.source.file, q.source.line_start, "error", "question-empty",
                                "the question has no text"))
    return q.with_(diagnostics=q.diagnostics + tuple(extra)) if extra else q
