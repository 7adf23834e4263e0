"""What the pipeline writes for maintainers only, never for learners: the phrases of its reports.

A learner never saw the source's mistakes, so "W_hh was described as ... corrected to ..." means nothing on
a card; "Agrees with the document's value" and "Checked twice: ..." are the pipeline's own checks; a "Missing
figure" box above the note that supplies the equation is an editing notice. They go to `make check` (the
diagnostics and the variant summaries), and the tests look for every phrase below in every card field and
every page of the keys and papers.
"""
from __future__ import annotations

PHRASES = (
    "was described as",
    "corrected to",
    "Agrees with the document's value",
    "Checked twice",
    "Missing figure",
    "missing from the source",
    "not included in the document",
    "the overlay",
    "fixes.toml",
)


def found(text: str) -> list[str]:
    """The maintainer phrases `text` holds (case ignored)."""
    low = text.lower()
    return [p for p in PHRASES if p.lower() in low]


__all__ = ["PHRASES", "found"]
