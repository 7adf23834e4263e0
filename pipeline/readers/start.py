"""A line where a question may start: its index, the family of its label and the label."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.readers.cues import Label


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
