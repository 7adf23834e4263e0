"""A question -> its numeric variants: new sizes drawn in the ranges its overlay declares, written where the
document states them, each answer computed by the NumPy reference model and checked against the sympy closed
form, and its wrong options the values that common mistakes give."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, NamedTuple, Sequence, Union

from pipeline.compute import sizes
from pipeline.model import Binding, Choice, Computed, Question, Vary
from pipeline.compute.reference import make_cell
from pipeline.compute.reference.variants import (MAX_SIZE, GateQuestion, Network, ShapeQuestion, Variant, draw,
                                                 draw_gates, draw_shapes)

Subject = Union[Network, GateQuestion, ShapeQuestion]


@dataclass(frozen=True)
class Varied:
    question: Question  # the question with its own sizes, its computed answer and, when asked for, its options
    sizes: tuple[tuple[str, int], ...]  # this variant's sizes, e.g. (("n_h", 64), ("n_x", 30))
    mistakes: tuple[str, ...]  # per option: the mistake that gives it; "" for the correct one
    check: str  # how the answer was checked, for `make check`


class Found(NamedTuple):
    subject: Subject  # what the question computes, with the document's sizes
    spots: dict[str, sizes.Spot]  # where each size is first stated
    computed: Computed  # the question's own computed value for it
    table: Mapping[str, Sequence[str]]  # the sentences its sizes are stated in
    fields: tuple[str, ...]  # the fields they are looked for in


def subject(q: Question) -> Found | None:
    """What a question computes from the sizes its text states (a parameter count, a gate's dimension, an output
    shape), and where those sizes stand; None for a question with no such computation."""
    setup = f"{q.context}\n{q.stem}"
    for c in q.computed:
        if c.binding is not None:  # read as data once, by networks.bind: never from the prose again
            found = from_binding(c.binding)
            if found is not None:
                return Found(found, {}, c, {}, ())
            continue
        if c.asks == "parameters":
            spots = sizes.find_all(q, sizes.PARAMETER_SIZES)
            if {"n_x", "n_h"} <= set(spots):
                n_y = spots["n_y"].value if "n_y" in spots else None
                return Found(Network(sizes.cell_kind(setup), spots["n_x"].value, spots["n_h"].value, n_y,
                                     sizes.bias_convention(setup)), spots, c, sizes.PARAMETER_SIZES, sizes.FIELDS[:3])
        elif c.asks == "dimension":
            spots = sizes.find_all(q, sizes.GATE_SIZES, ("context", "stem"))
            cell = sizes.cell_kind(setup)
            gate = sizes.gate_of(q, make_cell(cell, 1, 1).BLOCKS) if cell != "rnn" else None
            if gate and "n_h" in spots:
                n_x = spots["n_x"].value if "n_x" in spots else 1
                return Found(GateQuestion(cell, n_x, spots["n_h"].value, gate), spots, c, sizes.GATE_SIZES,
                             ("context", "stem"))
        elif c.asks == "output-shape":
            spots = sizes.find_all(q, sizes.SHAPE_SIZES, sizes.FIELDS)
            if {"batch", "steps", "features", "units"} <= set(spots):
                return Found(ShapeQuestion(sizes.cell_kind(setup), *(spots[n].value for n in ShapeQuestion.SIZES)),
                             spots, c, sizes.SHAPE_SIZES, sizes.FIELDS)
    return None


def from_binding(b: Binding) -> Subject | None:
    """The reference model's question for a bound network, when it is one the variants draw (one recurrent
    layer, one direction, an optional dense head; a gate's length; one layer's output shape); None otherwise."""
    layers = [layer for layer in b.layers if layer.kind != "embedding"] if b.asks != "parameters" else list(b.layers)
    rec = [layer for layer in layers if layer.kind in ("rnn", "lstm", "gru")]
    if len(rec) != 1 or rec[0].directions != 1 or rec[0].biases not in (1, 2) or not rec[0].inputs:
        return None
    cell, bias = rec[0], {1: "single", 2: "double"}[rec[0].biases]
    if b.asks == "parameters" and b.layer in (-1, layers.index(cell)):
        head = [layer for layer in layers if layer.kind == "dense"]
        if layers[0] is not cell or len(layers) > 2 or (head and (not head[0].biases or b.layer >= 0)):
            return None
        return Network(cell.kind, cell.inputs, cell.units, head[0].units if head else None, bias)
    if b.asks == "dimension" and b.detail == "hidden" and cell.kind in ("lstm", "gru"):
        return GateQuestion(cell.kind, cell.inputs, cell.units, "f" if cell.kind == "lstm" else "u")
    if b.asks == "output-shape" and b.batch and b.steps and len(layers) == 1 and b.framework != "pytorch":
        return ShapeQuestion(cell.kind, b.batch, b.steps, cell.inputs, cell.units, b.every_step)
    return None


def over_limit(q: Question) -> str | None:
    """Why q's `vary` ranges cannot be drawn from, when one goes over the size limit; None when none does."""
    for v in q.vary:
        top = max(v.values) if v.values else v.high
        if top > MAX_SIZE:
            return f"{q.id} varies {v.size} up to {top}, over the limit of {MAX_SIZE:,}"
    return None


def ranges(vary: tuple[Vary, ...]) -> dict[str, list[int] | tuple[int, int]]:
    return {v.size: list(v.values) if v.values else (v.low, v.high) for v in vary}


def variants(q: Question, seed: str, count: int, options: int = 3) -> list[Varied]:
    """count variants of q, the same for the same seed, each with its own answer (none the document's own). With
    options > 0 each is a single-choice question whose wrong options are `options` common mistakes; with 0 a
    numeric question stays one to answer in writing (a choice question keeps as many options as it had). Raises
    ValueError when q declares no sizes to vary, computes nothing from them, states one of them twice with
    different values, or its ranges cannot give count variants with different answers."""
    # A choice question is always asked with options, as many as it had unless told otherwise.
    options = options or (min(3, len(q.choices) - 1) if q.choices else 0)
    found = subject(q)
    if not q.vary or found is None:
        raise ValueError(f"{q.id} has no sizes to vary" if not q.vary else
                         f"{q.id} states no size the reference model computes from")
    problem = over_limit(q)
    if problem:
        raise ValueError(problem)
    missing = [v.size for v in q.vary if v.size not in found.spots]
    if missing:
        raise ValueError(f"{q.id} varies {', '.join(missing)}, which its text does not state")
    hidden = [v.size for v in q.vary if found.spots[v.size].field not in ("context", "stem")]
    if hidden:
        raise ValueError(f"{q.id} states {', '.join(hidden)} only in its answer: a variant could not show its sizes")
    places = []
    for v in q.vary:
        every = sizes.find_every(q, found.table[v.size], v.size, found.fields)
        if len({s.value for s in every}) > 1:
            raise ValueError(f"{q.id} states {v.size} more than once, with different values "
                             f"({', '.join(str(s.value) for s in every)}): a variant could not change it consistently")
        places += every
    fixed = [s for name, s in found.spots.items() if name not in {v.size for v in q.vary}]
    draws = {Network: draw, GateQuestion: draw_gates, ShapeQuestion: draw_shapes}[type(found.subject)]
    own = found.computed.value
    for pool in (3 * count, 2 * count, count):  # a few spare draws, for answers that repeat
        try:
            drawn = draws(found.subject, ranges(q.vary), seed, pool, max(options, 1), exclude=[found.subject])
        except ValueError:
            continue  # the ranges hold fewer variants than that
        chosen, answers = [], {own}
        for v in drawn:
            if v.answer.text not in answers:
                chosen.append(v)
                answers.add(v.answer.text)
        if len(chosen) >= count:
            return [_varied(q, found, places + fixed, v, options) for v in chosen[:count]]
        break
    raise ValueError(f"{q.id}: its ranges ({', '.join(v.size for v in q.vary)}) do not give {count} variants with "
                     f"answers different from each other and from the document's {own}")


def _varied(q: Question, found: Found, places: list[sizes.Spot], v: Variant, options: int) -> Varied:
    chosen = {name: getattr(v.network, name) for name in found.spots if getattr(v.network, name, None) is not None}
    text = sizes.substitute(q, places, chosen)
    # Named as the document's own computation is (the question's wording); valued for this variant.
    computed = replace(v.answer.computed(), quantity=found.computed.quantity, axes=found.computed.axes)
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
    for n in range(count, 0, -1):  # as many samples as the ranges allow, up to count
        try:
            drawn = variants(q, f"check:{q.id}", n)
            break
        except ValueError as err:
            problem = err
    else:
        return f"varies {declared}, but cannot: {problem}"
    samples = "; ".join(", ".join(f"{n}={value}" for n, value in v.sizes) + f": {v.check}" for v in drawn)
    return f"varies {declared}; {len(drawn)} sample variants, each answer computed twice: {samples}"
