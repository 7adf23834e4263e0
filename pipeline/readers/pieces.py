"""What one pass over a question's region finds, and what the whole document tells each question."""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import Cue
from pipeline.readers.blocks import Line
from pipeline.readers.noise import Key


@dataclass
class Option:
    line: Line
    text: str  # the option as written, without its list marker
    extra: list[Line] = field(default_factory=list)  # wrapped continuation lines
    feedback: list[Line] = field(default_factory=list)  # `✓ Correct` / `Incorrect` written under the option
    selected: bool = False  # set apart by the layout itself (the quiz page's highlighted choice)
    explained: list[Line] = field(default_factory=list)  # text after the option's verdict that explains it


@dataclass
class Parts:
    """What one pass over a region found, before the correct marks are decided."""
    stem: list[Line] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    options_cue: str = ""
    answer: list[Line] = field(default_factory=list)
    answer_line: Line | None = None  # the labelled answer line, when there is one
    explanation: list[Line] = field(default_factory=list)
    feedback: list[Line] = field(default_factory=list)  # `✓ Correct ...` lines not under one option
    after: list[list[Line]] = field(default_factory=list)  # paragraphs after the options, before any answer
    attribution: str = ""
    used: list[int] = field(default_factory=list)  # line numbers that belong to the question
    cues: list[Cue] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # noise inside the question
    marked_choices: bool = False  # the document marks some options somewhere (so an unmarked list is options too)
    context: list[Line] = field(default_factory=list)  # a `Context:` paragraph before the stem
    partial: tuple[int, str] | None = None  # a quiz page's `0.5 / 1 point`: the marks it shows may be incomplete
    read: list[tuple[str, str]] = field(default_factory=list)  # each option as read (text, mark): marks.read_options
    prose_answers: bool = False  # some question of the document is stated on its label's line
    options_pin: frozenset[str] = frozenset()  # the option cues an overlay's `[layout] options` allows (empty: any)


@dataclass(frozen=True)
class Context:
    """What the whole document says that a question needs."""
    path: str
    slug: str
    family: str
    key: Key  # the answer-key section's entries
    marked_choices: bool  # some question of the document marks its options
    prose_answers: bool = False  # some question is stated on its label's line (so prose under it answers it)
    options_pin: frozenset[str] = frozenset()  # the option cues an overlay's `[layout] options` allows (empty: any)
