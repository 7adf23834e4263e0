"""A question's place in its document: the line that holds a piece of its text, and a diagnostic there."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.model import Computed, Diagnostic, Question


@dataclass
class Where:
    """Finds the document line holding a piece of a question's text."""

    question: Question
    lines: Sequence[str] | None

    def line_of(self, snippet: str) -> int:
        first = next((ln for ln in snippet.split("\n") if ln.strip()), "")
        key = searchable(first)
        start = self.question.source.line_start
        if not key or not self.lines:
            return start
        end = min(self.question.source.line_end, len(self.lines))
        # The question's own span first: the same sentence may recur elsewhere in the document.
        for lo, hi in ((start, end), (1, len(self.lines))):
            for n in range(max(lo, 1), hi + 1):
                if key in searchable(self.lines[n - 1]):
                    return n
        return start


def searchable(text: str) -> str:
    # Math markup an overlay added (`$W_{hh}$` for `W_{hh}`) must not hide the line it came from.
    return re.sub(r"[\s✓$]+", "", text)


def flag(q: Question, line: int, severity: str, code: str, message: str) -> Diagnostic:
    """A diagnostic about question q at a line of its document."""
    return Diagnostic(file=q.source.file, line=line, severity=severity, code=code, message=message)


Result = tuple[Question, list[Computed], list[Diagnostic]]  # what a recogniser returns
