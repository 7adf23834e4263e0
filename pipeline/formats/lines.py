"""A document converted to the Markdown reader's lines -> Document, with positions of the original file.

A converter gives each line of Markdown the position it came from (a Word paragraph's number, a web page's
source line), and the cues it saw that Markdown cannot hold (a highlighted option). The Markdown reader's
layout analysis reads the lines; every line number of its result is then put back to the original position,
so diagnostics, cues and `make check` point into the file the author keeps."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from pipeline.model import Cue, Diagnostic, Document, Figure, Question, Skipped, SourceSpan
from pipeline.readers import Pins, collector_paused, document_from_lines  # the Markdown reader's own steps


@dataclass(frozen=True)
class Converted:
    """What a converter makes of a file: Markdown lines, each with the position it came from."""
    lines: list[tuple[str, int]]  # (Markdown text, 1-based position in the original file)
    positions: int  # how many positions the file has (its paragraphs, its source lines)
    marks: Mapping[int, str] = field(default_factory=dict)  # position -> a correct-mark cue the converter saw
    skipped: tuple[Skipped, ...] = ()  # positions left out before conversion (scripts, navigation), with why
    diagnostics: tuple[Diagnostic, ...] = ()
    figures: Mapping[int, list[str]] = field(default_factory=dict)  # position -> images embedded there (`file`s)


def read_converted(conv: Converted, path: str, slug: str, dialect: str, pins: Pins = ()) -> Document:
    """Read the lines with the Markdown reader, then report everything at its original position."""
    raw = [text for text, _ in conv.lines]
    where = [pos for _, pos in conv.lines]
    with collector_paused():
        doc = document_from_lines(raw, path, slug, list(conv.diagnostics), pins)

    def at(line: int) -> int:
        return where[line - 1] if 0 < line <= len(where) else line

    questions = tuple(_with_images(_question_at(q, at, conv.marks), conv.figures) for q in doc.questions)
    skipped = [Skipped(at(s.line_start), at(s.line_end), s.reason) for s in doc.skipped] + list(conv.skipped)
    texts: list[list[str]] = [[] for _ in range(conv.positions)]
    for text, pos in conv.lines:
        if 0 < pos <= conv.positions and text.strip():
            texts[pos - 1].append(text.strip())
    family = doc.dialect
    return replace(doc, dialect=f"{dialect}, {family}" if family else "", questions=questions,
                   skipped=tuple(sorted(skipped, key=lambda s: s.line_start)),
                   diagnostics=tuple(_diag_at(d, at, path) for d in doc.diagnostics),
                   lines=tuple(" ".join(t) for t in texts))


def _diag_at(d: Diagnostic, at, path: str) -> Diagnostic:
    return replace(d, line=at(d.line)) if d.file == path and d.line else d


def _question_at(q: Question, at, marks: Mapping[int, str]) -> Question:
    path = q.source.file
    choices = tuple(replace(c, line=at(c.line)) for c in q.choices)
    cues = [replace(c, line=at(c.line)) for c in q.cues]
    cues += [Cue("correct", marks[c.line], c.line) for c in choices if c.correct and c.line in marks]
    return q.with_(
        source=SourceSpan(path, at(q.source.line_start), at(q.source.line_end)), choices=choices, cues=tuple(cues),
        figures=tuple(replace(f, line=at(f.line)) for f in q.figures),
        computed=tuple(replace(c, line=at(c.line)) for c in q.computed),
        diagnostics=tuple(_diag_at(d, at, path) for d in q.diagnostics))


def _with_images(q: Question, images: Mapping[int, list[str]]) -> Question:
    """Images embedded in the question's positions are its figures: with the answer once its answer began."""
    if not images:
        return q
    answer_at = min((c.line for c in q.cues if c.role == "answer"), default=None)
    found = [Figure("answer" if answer_at is not None and pos >= answer_at else "stem", "", pos, file=ref)
             for pos in range(q.source.line_start, q.source.line_end + 1) for ref in images.get(pos, [])]
    return q.with_(figures=q.figures + tuple(found)) if found else q


def numbered(items: Sequence[str]) -> list[tuple[str, int]]:
    """Paragraph texts -> lines with a blank line between paragraphs, each at its paragraph's number."""
    out: list[tuple[str, int]] = []
    for no, text in enumerate(items, 1):
        out += [(line, no) for line in text.split("\n")] + [("", no)]
    return out
