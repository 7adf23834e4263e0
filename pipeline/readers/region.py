"""One question's lines, with what the layout around it says about it."""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import Cue
from pipeline.readers.blocks import Line
from pipeline.readers.start import Start


@dataclass
class Region:
    """One question's lines, with what the layout around it says about it."""
    start: Start
    lines: list[Line]  # from the start line to the last line of the question, blank lines included
    number: str  # the question's label as shown, e.g. "3", "10.2.1", "Task 1, Question 2", "1(a)ii"
    key: str  # id suffix, unique in the document, e.g. "q03", "10.2.1", "task1-q2"
    section: str = ""
    context: list[Line] = field(default_factory=list)  # a container's set-up, printed before the stem
    notes: list[list[Line]] = field(default_factory=list)  # worked examples attached after the question
    opening: bool = False  # a question standing under a container's title, with no label of its own
    context_owned: bool = True  # the context lines are this question's (not a copy of an earlier part's)
    cues: list[Cue] = field(default_factory=list)


@dataclass
class Container:
    """A container around the questions being read."""
    start: Start
    title: str  # the section it names, if its label carries a title
    context: list[Line]  # its own question text and set-up, given to its first part (and later parts' copies)
    used: bool = False
