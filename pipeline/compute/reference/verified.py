"""Answers computed twice, by the NumPy reference model and by a sympy closed form, and used only if they agree."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import sympy as sp

from pipeline.model import BreakdownItem, Computed

from pipeline.compute.reference.cells import (CELLS, CONVENTIONS, ArrayCount, Dense, Layer, convention_of,
                                              make_cell)
from pipeline.compute.reference.closed_forms import cell_parameters, dense_parameters, evaluate, n_h as N_H
from pipeline.compute.reference.unroll import distinct_arrays, unroll

CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
A_CELL = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}  # as the key and the cards say it
BATCH, STEPS = sp.symbols("B T", positive=True, integer=True)

Value = int | tuple[int, ...]


class Disagreement(RuntimeError):
    """The NumPy model and the sympy closed form give different answers: a bug, never a question."""


@dataclass(frozen=True)
class Verified:
    quantity: str  # what was computed, e.g. "parameter total"
    value: Value  # the answer, e.g. 20362 or (5, 10, 32)
    model: Value  # what the NumPy reference model gives
    closed_form: Value  # what the sympy closed form gives at the same sizes
    formula: str  # the closed form, LaTeX, e.g. "n_{h} \left(n_{h} + n_{x} + 1\right)"
    method: str  # how the model computed it, for the key
    convention: str = ""  # the bias convention, when one applies
    breakdown: tuple[BreakdownItem, ...] = ()  # per-array parts that add up to value (counts only)
    arrays: tuple[ArrayCount, ...] = ()  # the distinct arrays counted, by name (counts only)
    asks: str = ""  # what it is, as data (model.Computed.asks): "parameters", "dimension", "output-shape"

    @property
    def agrees(self) -> bool:
        return self.model == self.closed_form

    @property
    def text(self) -> str:
        """As the learner reads it: "20362" or "[5, 10, 32]"."""
        return str(self.value) if isinstance(self.value, int) else "[" + ", ".join(map(str, self.value)) + "]"

    def computed(self) -> Computed:
        return Computed(quantity=self.quantity, asks=self.asks, value=self.text, convention=self.convention,
                        method=f"{self.method}; the closed form agrees",
                        breakdown=self.breakdown)


def _verified(quantity: str, model: Value, closed: Value, formula: sp.Expr | str, **rest) -> Verified:
    if model != closed:
        raise Disagreement(f"{quantity}: the NumPy model gives {model}, the closed form {formula} gives {closed}")
    latex = formula if isinstance(formula, str) else sp.latex(formula)
    return Verified(quantity, model, model, closed, latex, **rest)


@dataclass(frozen=True)
class Network:
    """What a parameter-count question describes."""

    SIZES: ClassVar[tuple[str, ...]] = ("n_x", "n_h", "n_y")
    cell: str  # "rnn", "lstm" or "gru"
    n_x: int  # input size
    n_h: int  # hidden size
    n_y: int | None = None  # dense output size, None for no output layer
    bias: str = "single"  # "single" (one bias per gate, Keras) or "double" (two, PyTorch/cuDNN)

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, not {self.cell!r}")
        if self.bias not in CONVENTIONS:
            raise ValueError(f"bias convention must be one of {sorted(CONVENTIONS)}, not {self.bias!r}")

    def layers(self) -> list[Layer]:
        # Shapes only (arrays that take no memory): a count reads the shapes, whatever the sizes.
        cell = make_cell(self.cell, self.n_x, self.n_h, self.bias, seed=None)
        return [cell] + ([] if self.n_y is None else [Dense(self.n_h, self.n_y, seed=None)])

    def closed_form(self) -> sp.Expr:
        return cell_parameters(self.cell, self.bias) + (0 if self.n_y is None else dense_parameters())

    def describe(self) -> str:
        out = "" if self.n_y is None else f", dense output {self.n_y}"
        return f"{CELL_NAMES[self.cell]}, input {self.n_x}, hidden {self.n_h}{out}, {convention_of(self.cell, self.bias)}"


def math_label(name: str, description: str) -> str:
    """W_xh, "input -> hidden weights" -> "$W_{xh}$: input-to-hidden weights": gate symbols in math, and the
    arrow in words: a raw `->` on a card reads as code."""
    letter, sub = name.split("_", 1)
    description = re.sub(r"\b(\w+) -> (\w+) weights", r"\1-to-\2 weights", description)  # input-to-hidden
    description = in_math(description.replace(" -> ", " to "))  # input to update gate $\Gamma_u$
    return f"${letter}_{{{sub}}}$: {description}"


def in_math(text: str) -> str:
    """A block's name with its symbol in math: "update gate Γ_u" -> "update gate $\\Gamma_u$"."""
    return re.sub(r"Γ_(\w)", r"$\\Gamma_\1$", text).replace("c̃", r"$\tilde c$")


# Pure, and a forward pass over a 10000-word one-hot input is costly: each answer is computed once per process.
@lru_cache(maxsize=1024)
def parameter_count(net: Network, steps: int = 1) -> Verified:
    """The parameters the network holds: the distinct arrays of `steps` unrolled steps, checked against sympy.
    Every step reads the same arrays, so any `steps` gives the same count; a question that states its unrolled
    length is counted at that length (at most a few steps: a longer unrolling reads no other array)."""
    parts = tuple(distinct_arrays(unroll(net.layers(), steps)))
    sizes = {k: v for k, v in (("n_x", net.n_x), ("n_h", net.n_h), ("n_y", net.n_y)) if v is not None}
    form = net.closed_form()
    dense = "" if net.n_y is None else " with a dense output layer"
    return _verified(
        "parameter total", sum(p.count for p in parts), evaluate(form, **sizes), form, asks="parameters",
        method=f"{A_CELL[net.cell]}{dense}, each distinct weight array counted once",
        convention=convention_of(net.cell, net.bias),
        breakdown=tuple(BreakdownItem(math_label(p.name, p.description), r" \times ".join(map(str, p.shape)),
                                      p.count) for p in parts),
        arrays=parts)


@dataclass(frozen=True)
class GateQuestion:
    """What a gate-dimension question describes: the length of one gate's vector at one time step."""

    SIZES: ClassVar[tuple[str, ...]] = ("n_x", "n_h")
    cell: str  # "lstm" or "gru"
    n_x: int  # input size (a vocabulary's size for one-hot words)
    n_h: int  # hidden size
    gate: str  # a block of the cell: "u", "f", "o", "r" or "c" (the candidate)


# Forward passes run on a scaled-down copy whose sizes are all different, so that each axis of what the pass gives
# names the size it stands for; the answer is that shape with the question's own sizes put back. The work is the
# same for a 100,000-word vocabulary or 100,000,000 time steps as for 10.
SCALED = {"batch": 2, "steps": 3, "features": 4, "units": 5}


def read_back(shape: tuple[int, ...], real: dict[str, int]) -> tuple[int, ...]:
    """A scaled-down pass's shape -> the same shape at the real sizes: each axis by the scaled size it holds."""
    by_size = {SCALED[name]: value for name, value in real.items()}
    if any(n not in by_size for n in shape):
        raise Disagreement(f"the forward pass gave the shape {list(shape)}, with an axis that is no size")
    return tuple(by_size[n] for n in shape)


@lru_cache(maxsize=1024)
def gate_dimension(cell: str, n_x: int, n_h: int, gate: str) -> Verified:
    """The gate's length, read off a forward pass and checked against the closed form n_h."""
    if cell not in ("lstm", "gru"):
        raise ValueError(f"only an LSTM or a GRU has gates, not {cell!r}")
    model = make_cell(cell, SCALED["features"], SCALED["units"], seed=None)  # the gate's shape is all that is read
    if gate not in model.BLOCKS:
        raise ValueError(f"an {CELL_NAMES[cell]} has no gate {gate!r}; its blocks are {', '.join(model.BLOCKS)}")
    seen = model.forward(np.zeros((1, 1, SCALED["features"])), return_gates=True).gates[
        "c_tilde" if gate == "c" else gate]
    if seen.shape[:2] != (1, 1):
        raise Disagreement(f"the forward pass gave gate {gate} the shape {list(seen.shape)}")
    length = read_back(seen.shape[-1:], {"units": n_h, "features": n_x})[0]
    return _verified(
        f"dimension of {in_math(model.BLOCK_NAMES[gate])}", length, evaluate(N_H, n_h=n_h), N_H, asks="dimension",
        method=f"{A_CELL[cell]} forward pass on a {n_x}-feature input, hidden size {n_h}, the gate's shape "
               "read off the pass")


@dataclass(frozen=True)
class ShapeQuestion:
    """What an output-shape question describes: a recurrent layer over a batch of sequences."""

    SIZES: ClassVar[tuple[str, ...]] = ("batch", "steps", "features", "units")
    cell: str  # "rnn", "lstm" or "gru"
    batch: int  # sequences in the batch
    steps: int  # time steps per sequence
    features: int  # values per time step
    units: int  # the layer's hidden size
    return_sequences: bool = True  # every step's output, or the last one only


@lru_cache(maxsize=1024)
def output_shape(cell: str, batch: int, steps: int, features: int, units: int,
                 return_sequences: bool = True) -> Verified:
    """The layer's output shape from a forward pass, checked against [B, T, n_h] (or [B, n_h], last step only)."""
    small = SCALED
    run = make_cell(cell, small["features"], small["units"], seed=None).forward(
        np.zeros((small["batch"], small["steps"], small["features"])))
    model = read_back((run.outputs if return_sequences else run.state).shape,
                      {"batch": batch, "steps": steps, "features": features, "units": units})
    form = (BATCH, STEPS, N_H) if return_sequences else (BATCH, N_H)
    closed = tuple(int(s.subs({BATCH: batch, STEPS: steps, N_H: units})) for s in form)
    which = "every step's output" if return_sequences else "the last step's output"
    return _verified(
        "output shape", model, closed, "[" + ", ".join(sp.latex(s) for s in form) + "]", asks="output-shape",
        method=f"{A_CELL[cell]} forward pass on a [{batch}, {steps}, {features}] batch, "
               f"{units} units, {which}")
