"""Where a question sits in its source, as a learner looks it up: its numbered section and its label."""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from pipeline.model import Document, Question

# A section heading's number, "10.2" or "3.", before its title.
_NUMBERED = re.compile(r"(\d+(?:\.\d+)+|\d+(?=\.))\.?\s+(\S.*)")
# "10.2 Questions for Recurrent Neural Networks" lists questions on the book's section "Recurrent Neural Networks".
_QUESTIONS_ON = re.compile(r"questions\s+(?:for|on|about)\s+", re.I)

Headings = Mapping[str, Sequence[tuple[int, str]]]  # title, lower-cased -> (line, number) of each numbered heading


def numbered_headings(document: Document) -> dict[str, list[tuple[int, str]]]:
    """The document's numbered headings by title, each with its line and number, in line order: one pass, so
    that a document of many questions is not scanned once per question."""
    out: dict[str, list[tuple[int, str]]] = {}
    for n, line in enumerate(document.lines, 1):
        if line.startswith("#") and (m := _NUMBERED.fullmatch(" ".join(line.strip("# \t").split()))):
            out.setdefault(m.group(2).lower(), []).append((n, m.group(1)))
    return out


def section_pointer(q: Question, headings: Headings) -> str:
    """The section of the source a question belongs to, by number and title, e.g. "section 10.2 Recurrent
    Neural Networks": where a learner reads up on it. Empty when its section has no number."""
    section = " ".join(q.section.split())
    if m := _NUMBERED.fullmatch(section):
        number, title = m.groups()
    else:  # the reader keeps the heading's title; its number is on the heading, at or above the question
        above = [number for line, number in headings.get(section.lower(), ()) if line <= q.source.line_start]
        if not section or not above:
            return ""
        number, title = above[-1], section
    return f"section {number} {_QUESTIONS_ON.sub('', title, count=1)}"


def question_label(number: str) -> str:
    """`4` -> `question 4`, `10.2.1` -> `question 10.2.1`; a label with its own words (`Task 1, Question 1`) as is."""
    return f"question {number}" if number[:1].isdigit() else number
