"""A computed value as the learner and the teacher read it: Markdown pieces with $math$, one wording.

The deck's fields and the exam key lay the pieces out in their own way and typeset the math with their own
renderer (MathJax on cards, SVG on paper), so that the two never drift apart in what they say.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Callable

from pipeline.model import Computed


@dataclass(frozen=True)
class Part:
    """One row of a breakdown."""
    label: str  # what it counts, e.g. "$W_{xh}$: input-to-hidden weights"
    expression: str  # how, e.g. "$20 \\times 128$"; empty when there is nothing to show
    count: str  # e.g. "2560"


@dataclass(frozen=True)
class Presented:
    quantity: str  # what was computed, e.g. "dimension of $\\Gamma_u$ (update gate)"
    headline: str  # the answer in words where the value alone does not give it (a shape's dimensions,
    # "3 dimensions: batch size, time steps, ..."), shown first and then `example`; else empty
    example: str  # with a headline: the value as its worked example, "With the document's sizes: [5, 10, 2]."
    value: str  # the result, e.g. "20362" or "$\\alpha^{3}$"
    breakdown: tuple[Part, ...]  # parts that add up to the value
    check: str  # one sentence comparing the value with the document's; empty when the document says nothing
    agrees: bool | None  # what `check` says: True, False, or None for no check
    convention: str  # e.g. "one bias vector per layer"; empty when none applies
    note: str  # anything else the reader should be told
    method: str  # one sentence on how the value was computed; empty when unknown


_EVERY_STEP = "time steps"


def present(c: Computed) -> Presented:
    """The pieces of a computed value, each Markdown that may hold $math$."""
    if c.agrees is False:
        where = f" (line {c.line})" if c.line else ""
        check = (f"The document states {c.document_value or ''}{where}, which differs from the computed "
                 f"value {c.value}.")
    elif c.agrees:
        check = f"Agrees with the document's value {c.document_value or c.value}."
    else:
        check = ""
    headline = f"{len(c.axes)} dimensions: {', '.join(c.axes)}" if c.axes else ""
    if c.asks == "output-shape" and _EVERY_STEP in c.axes:
        # A layer that returns only its last step drops the time axis: its practice cards ask for that too.
        headline += (f" (a layer that returns every time step; one that returns only the last step gives "
                     f"{len(c.axes) - 1}: {', '.join(a for a in c.axes if a != _EVERY_STEP)})")
    return Presented(
        quantity=c.quantity,
        headline=headline,
        example=f"With the document's sizes: {c.value}." if c.axes else "",
        value=c.value,
        breakdown=tuple(Part(b.label, f"${b.expression}$" if b.expression.strip() else "", str(b.value))
                        for b in c.breakdown),
        check=check,
        agrees=c.agrees if check else None,
        convention=c.convention.strip(),
        note=c.note.strip(),
        method=f"Computed by {c.method.strip()}." if c.method.strip() else "",
    )


def rendered(p: Presented, to_html: Callable[[str], str]) -> Presented:
    """The same pieces with every text passed through `to_html` (one line of Markdown -> HTML)."""
    texts = {f.name: to_html(getattr(p, f.name)) if getattr(p, f.name) else ""
             for f in fields(p) if isinstance(getattr(p, f.name), str)}
    parts = tuple(Part(to_html(b.label), to_html(b.expression) if b.expression else "", b.count)
                  for b in p.breakdown)
    return replace(p, breakdown=parts, **texts)
