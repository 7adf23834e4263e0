"""Wrong answers from real mistakes, each computed by the reference model: the options of a choice question."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from pipeline.compute.reference.cells import HIDDEN, make_cell
from pipeline.compute.reference.unroll import unroll
from pipeline.compute.reference.verified import (GateQuestion, Network, ShapeQuestion, Value, output_shape,
                                                 parameter_count)

OTHER_BIAS = {"single": "double", "double": "single"}
BIAS_MISTAKES = {  # keyed by the convention the student used
    "double": "used two bias vectors per gate (PyTorch/cuDNN) instead of one",
    "single": "used one bias vector per gate (Keras) instead of two (PyTorch/cuDNN)",
}


@dataclass(frozen=True)
class Distractor:
    value: Value  # the wrong answer the mistake gives
    mistake: str  # what the student did, for the teacher: "forgot the biases"
    code: str  # a stable name for the mistake, e.g. "no-biases"


def _kept(answer: Value, found: Iterable[Distractor], distinct: bool) -> list[Distractor]:
    """Drops distractors equal to the answer or to an earlier one: two options must never coincide."""
    if not distinct:
        return list(found)
    seen, out = {answer}, []
    for d in found:
        if d.value not in seen:
            seen.add(d.value)
            out.append(d)
    return out


def mistakes(net: Network, steps: int = 5, distinct: bool = True) -> list[Distractor]:
    """The parameter totals that common mistakes give, most telling first; steps is the unrolled length T.

    With distinct=False every mistake is kept, even one that gives the answer or another mistake's value.
    """
    layers = net.layers()
    answer = parameter_count(net).value

    def recurrent(layer, name: str) -> bool:
        return layer.roles.get(name) == (HIDDEN, HIDDEN)

    held = [(layer, name, a) for layer in layers for name, a in layer.params.items()]
    biases = sum(a.size for _, name, a in held if name.startswith("b_"))
    unrolled = unroll(layers, steps)  # every step reads the same arrays; the mistakes count them again
    found = [
        Distractor(answer - biases, "forgot the biases", "no-biases"),
        Distractor(sum(a.size for layer, name, a in held if not recurrent(layer, name))
                   + sum(a.size for s in unrolled for name, a in s.arrays if recurrent(s.layer, name)),
                   f"counted the recurrent weights once per time step (T = {steps})", "recurrent-per-step"),
        Distractor(parameter_count(replace(net, bias=OTHER_BIAS[net.bias])).value,
                   BIAS_MISTAKES[OTHER_BIAS[net.bias]], "other-bias-convention"),
        Distractor(parameter_count(replace(net, n_x=net.n_h, n_h=net.n_x)).value,
                   "swapped the input and hidden sizes", "swapped-sizes"),
    ]
    if net.cell != "rnn":
        blocks = len(layers[0].BLOCKS)
        found.append(Distractor(parameter_count(replace(net, cell="rnn")).value,
                                f"counted one gate only, forgetting the ×{blocks}", "one-gate"))
    if net.n_y is not None:
        found.append(Distractor(parameter_count(replace(net, n_y=None)).value,
                                "left out the dense output layer", "no-output-layer"))
    found.append(Distractor(sum(a.size for s in unrolled for _, a in s.arrays),
                            f"counted every parameter once per time step (T = {steps})", "all-per-step"))
    return _kept(answer, [replace(d, value=int(d.value)) for d in found], distinct)


def gate_mistakes(q: GateQuestion, distinct: bool = True) -> list[Distractor]:
    """The gate lengths that common mistakes give, read off the cell's arrays; distinct as in mistakes."""
    p = make_cell(q.cell, q.n_x, q.n_h, seed=None).params  # shapes only
    w_x, w_h, g = p[f"W_x{q.gate}"], p[f"W_h{q.gate}"], q.gate
    found = [
        Distractor(w_x.shape[0], "gave the input size, not the hidden size", "input-size"),
        Distractor(w_x.shape[0] + w_h.shape[0], "took the length of the stacked input [a, x]", "stacked-input"),
        Distractor(sum(a.shape[1] for name, a in p.items() if name.startswith("W_x")),
                   "counted all the cell's gates together, as in the fused weight matrix", "all-gates"),
        Distractor(w_x.size + w_h.size + p[f"b_{g}"].size, "gave the gate's parameter count, not its length",
                   "gate-parameters"),
    ]
    return _kept(q.n_h, [replace(d, value=int(d.value)) for d in found], distinct)


def shape_mistakes(q: ShapeQuestion, distinct: bool = True) -> list[Distractor]:
    """The output shapes that common mistakes give, read off a forward pass; distinct as in mistakes."""
    x_shape = (q.batch, q.steps, q.features)
    every, last = (output_shape(q.cell, q.batch, q.steps, q.features, q.units, s).value for s in (True, False))
    answer, other = (every, last) if q.return_sequences else (last, every)
    found = [
        Distractor(other, "took only the last step's output (return_sequences off)" if q.return_sequences
                   else "gave every step's output (return_sequences on)", "return-sequences"),
        Distractor(answer[:-1] + x_shape[-1:], "kept the input's feature count instead of the units",
                   "input-features"),
        Distractor(answer[1:], "left out the batch axis", "no-batch"),
    ]
    if q.return_sequences:
        found.append(Distractor((every[1], every[0], every[2]),
                                "put time first (time-major, PyTorch's default layout)", "time-major"))
    return _kept(tuple(answer), [replace(d, value=tuple(int(n) for n in d.value)) for d in found], distinct)
