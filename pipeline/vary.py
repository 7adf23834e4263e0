"""A question -> its numeric variants: new sizes drawn in the ranges its overlay declares, written where the
document states them, each answer computed by the NumPy reference model and checked against the sympy closed
form, and its wrong options the values that common mistakes give."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union

from . import sizes
from .model import Choice, Question, Vary
from .reference import make_cell
from .reference.variants import GateQuestion, Network, ShapeQuestion, Variant, draw, draw_gates, draw_shapes

Subject = Union[Network, GateQuestion, ShapeQuestion]


@dataclass(frozen=True)
class Varied:
    question: Question  # the question with its own sizes, its computed answer and, when asked for, its options
    sizes: tuple[tuple[str, int], ...]  # this variant's sizes, e.g. (("n_h", 64), ("n_x", 30))
    mistakes: tuple[str, ...]  # per option: the mistake that gives it; "" for the correct one
    check: str  # how the answer was checked, for `make check`


def subject(q: Question) -> tuple[Subject, dict[str, sizes.Spot]] | None:
    """What a question computes from the sizes its text states (a parameter count, a gate's dimension, an output
    shape), and where those sizes stand; None for a question with no such computation."""
    quantities = {c.quantity.split(" (")[0].split(",")[0] for c in q.computed}
    setup = f"{q.context}\n{q.stem}"
    if "parameter total" in quantities:
        spots = sizes.find_all(q, sizes.PARAMETER_SIZES)
        if {"n_x", "n_h"} <= set(spots):
            n_y = spots["n_y"].value if "n_y" in spots else None
            return Network(sizes.cell_kind(setup), spots["n_x"].value, spots["n_h"].value, n_y,
                           sizes.bias_convention(setup)), spots
    if any(x.startswith("dimension of") for x in quantities):
        spots = sizes.find_all(q, sizes.GATE_SIZES, ("context", "stem"))
        cell = sizes.cell_kind(setup)
        gate = sizes.gate_of(q, make_cell(cell, 1, 1).BLOCKS) if cell != "rnn" else None
        if gate and "n_h" in spots:
            n_x = spots["n_x"].value if "n_x" in spots else 1
            return GateQuestion(cell, n_x, spots["n_h"].value, gate), spots
    if "output shape" in quantities:
        spots = sizes.find_all(q, sizes.SHAPE_SIZES, sizes.FIELDS)
        if {"batch", "steps", "features", "units"} <= set(spots):
            return ShapeQuestion(sizes.cell_kind(setup), *(spots[n].value for n in ShapeQuestion.SIZES)), spots
    return None


def ranges(vary: tuple[Vary, ...]) -> dict[str, list[int] | tuple[int, int]]:
    return {v.size: list(v.values) if v.values else (v.low, v.high) for v in vary}


def variants(q: Question, seed: str, count: int, options: int = 3) -> list[Varied]:
    """count variants of q, the same for the same seed. With options > 0 each is a single-choice question whose
    wrong options are `options` common mistakes. Raises ValueError when q declares no sizes to vary, computes
    nothing from them, or its ranges cannot give count good variants."""
    found = subject(q)
    if not q.vary or found is None:
        raise ValueError(f"{q.id} has no sizes to vary" if not q.vary else
                         f"{q.id} states no size the reference model computes from")
    base, spots = found
    missing = [v.size for v in q.vary if v.size not in spots]
    if missing:
        raise ValueError(f"{q.id} varies {', '.join(missing)}, which its text does not state")
    hidden = [v.size for v in q.vary if spots[v.size].field not in ("context", "stem")]
    if hidden:
        raise ValueError(f"{q.id} states {', '.join(hidden)} only in its answer: a variant could not show its sizes")
    draws = {Network: draw, GateQuestion: draw_gates, ShapeQuestion: draw_shapes}[type(base)]
    drawn = draws(base, ranges(q.vary), seed, count, max(options, 1), exclude=[base])
    return [_varied(q, spots, v, options) for v in drawn]


def _varied(q: Question, spots: dict[str, sizes.Spot], v: Variant, options: int) -> Varied:
    chosen = {name: getattr(v.network, name) for name in spots if getattr(v.network, name, None) is not None}
    text = sizes.substitute(q, spots, chosen)
    # Named as the document's own computation is (the question's wording); valued for this variant.
    own = q.computed[0]
    computed = replace(v.answer.computed(), quantity=own.quantity, axes=own.axes)
    # The document's own worked answer is about its own sizes: this variant's answer is the computed one.
    changes = dict(answer="", explanation="", computed=(computed,), notes=())
    mistakes: tuple[str, ...] = ()
    if options:
        wrong = v.options[:options]
        choices = (Choice(computed.value, True),) + tuple(Choice(_shown(d.value), False) for d in wrong)
        changes.update(kind="single_choice", choices=choices)
        mistakes = ("",) + tuple(d.mistake for d in wrong)
    check = (f"the model's forward pass gives {_shown(v.answer.model)} and the closed form "
             f"${v.answer.formula}$ gives {_shown(v.answer.closed_form)}")
    return Varied(text.with_(**changes), tuple(sorted(chosen.items())), mistakes, check)


def _shown(value: object) -> str:
    return str(value) if isinstance(value, int) else "[" + ", ".join(map(str, value)) + "]"  # type: ignore[arg-type]


def summary(q: Question, count: int = 3) -> str:
    """What `make check` says about a question that declares sizes to vary: the ranges, and sample variants with
    the two computations that agreed on each; or why it cannot vary."""
    declared = ", ".join(f"{v.size} in {list(v.values)}" if v.values else f"{v.size} from {v.low} to {v.high}"
                         for v in q.vary)
    try:
        drawn = variants(q, f"check:{q.id}", count)
    except ValueError as err:
        return f"varies {declared}, but cannot: {err}"
    samples = "; ".join(", ".join(f"{n}={value}" for n, value in v.sizes) + f": {v.check}" for v in drawn)
    return f"varies {declared}; {count} sample variants, each answer computed twice: {samples}"
