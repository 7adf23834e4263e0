"""A line where a question may start: its index, the family of its label and the label."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.readers.cues import NUMBER, Label


@dataclass
class Start:
    i: int  # index of the start's line
    family: str  # "heading", "label", "item" or "line"
    lab: Label
    level: int = 0  # heading level (headings only)
    marked_below: bool = False  # a list item holding its options (nested ones, one marked; lettered lines answered)

    @property
    def rank(self) -> int:
        return self.lab.rank


def deeper(parent: Start, child: Start) -> bool:
    """Whether `child` is a sub-part of `parent`."""
    if child.rank > parent.rank:
        return True
    a, b = parent.lab.label, child.lab.label
    return parent.rank == child.rank == NUMBER and bool(a) and b.startswith(a + ".")


def is_card(s: Start) -> bool:
    """An unnumbered `Q:` label: a card."""
    return s.family == "label" and not s.lab.label and s.lab.cue in ("bold-label", "question-label")
