"""NumPy reference cells: Elman RNN, LSTM, GRU and a dense output layer over [batch, time, features]."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

CONVENTIONS = {
    "single": "one bias vector per gate (textbook/Keras convention)",
    "double": "two bias vectors per gate, $b_{ih}$ and $b_{hh}$ (PyTorch/cuDNN convention)",
}

# Every array a recurrent cell holds connects two ends; the names follow the documents (W_xh, W_hh, b_h).
INPUT, HIDDEN, OUTPUT = "input", "hidden", "output"


@dataclass(frozen=True)
class ArrayCount:
    name: str  # e.g. "W_xh"
    description: str  # e.g. "input -> hidden weights"
    shape: tuple[int, ...]  # shape of the array the model holds
    count: int  # number of scalars in it


@dataclass
class Forward:
    outputs: np.ndarray  # [batch, time, features] of the layer's output at every step
    state: np.ndarray  # final hidden state a^{<T>}, [batch, n_h]
    cell: np.ndarray | None = None  # final memory cell c^{<T>} (LSTM only)
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # gate -> [batch, time, n_h], when asked


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class Layer:
    """A layer holding named arrays; subclasses define the step equation."""

    kind = "layer"
    equation = ""  # one time step, LaTeX

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.descriptions: dict[str, str] = {}
        self.roles: dict[str, tuple[str, str]] = {}  # weight name -> (from, to)

    def _add(self, name: str, shape: tuple[int, ...], description: str, rng: np.random.Generator,
             role: tuple[str, str] | None = None) -> None:
        self.params[name] = rng.normal(scale=0.1, size=shape)
        self.descriptions[name] = description
        if role:
            self.roles[name] = role

    def breakdown(self) -> list[ArrayCount]:
        return [ArrayCount(n, self.descriptions[n], a.shape, int(a.size)) for n, a in self.params.items()]

    def parameter_count(self) -> int:
        return sum(int(a.size) for a in self.params.values())


class _Zeros:
    """Stands in for a random generator where only the shapes of the weights matter: each array is a read-only
    view of one zero, so a 100,000 x 100,000 weight takes no memory (its shape and size are all that is read)."""

    @staticmethod
    def normal(scale: float, size: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(np.zeros(1), size)


_ZEROS = _Zeros()


class Dense(Layer):
    """Output layer y = a W_hy + b_y, applied at every time step."""

    kind = "dense"
    equation = r"\hat y^{<t>} = a^{<t>} W_{hy} + b_y"

    def __init__(self, n_h: int, n_y: int, seed: int = 0) -> None:
        super().__init__()
        rng = np.random.default_rng(seed) if seed is not None else _ZEROS
        self.n_h, self.n_y = n_h, n_y
        self._add("W_hy", (n_h, n_y), "hidden -> output weights", rng, (HIDDEN, OUTPUT))
        self._add("b_y", (n_y,), "output-layer bias", rng)

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a @ self.params["W_hy"] + self.params["b_y"]


class RecurrentCell(Layer):
    """Shared machinery: per block g, weights W_xg [n_x, n_h] and W_hg [n_h, n_h] plus one or two biases.

    Row-vector convention (x W, not W x) so W_xh has the shape the documents write, n_x x n_h.
    BLOCKS lists the blocks in PyTorch's stacking order so weights can be copied from torch.
    """

    BLOCKS: tuple[str, ...] = ()
    BLOCK_NAMES: dict[str, str] = {}

    def __init__(self, n_x: int, n_h: int, bias: str = "single", seed: int | None = 0) -> None:
        super().__init__()
        if bias not in CONVENTIONS:
            raise ValueError(f"bias convention must be one of {sorted(CONVENTIONS)}, not {bias!r}")
        rng = np.random.default_rng(seed) if seed is not None else _ZEROS
        self.n_x, self.n_h, self.bias = n_x, n_h, bias
        for g in self.BLOCKS:
            what = self.BLOCK_NAMES[g]
            self._add(f"W_x{g}", (n_x, n_h), f"input -> {what} weights", rng, (INPUT, HIDDEN))
            self._add(f"W_h{g}", (n_h, n_h), f"hidden -> {what} weights (previous step to next)", rng,
                      (HIDDEN, HIDDEN))
            if bias == "single":
                self._add(f"b_{g}", (n_h,), f"{what} bias", rng)
            else:
                self._add(f"b_x{g}", (n_h,), f"{what} bias, input side ($b_{{ih}}$)", rng)
                self._add(f"b_h{g}", (n_h,), f"{what} bias, hidden side ($b_{{hh}}$)", rng)

    @property
    def convention(self) -> str:
        return convention_of(self.kind, self.bias)

    def _parts(self, g: str, x_t: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Input-side and hidden-side pre-activations of block g, each with its own bias."""
        p = self.params
        if self.bias == "single":
            return x_t @ p[f"W_x{g}"] + p[f"b_{g}"], a @ p[f"W_h{g}"]
        return x_t @ p[f"W_x{g}"] + p[f"b_x{g}"], a @ p[f"W_h{g}"] + p[f"b_h{g}"]

    def _pre(self, g: str, x_t: np.ndarray, a: np.ndarray) -> np.ndarray:
        xs, hs = self._parts(g, x_t, a)
        return xs + hs

    def _zeros(self, x: np.ndarray) -> np.ndarray:
        return np.zeros((x.shape[0], self.n_h), dtype=x.dtype)

    def _check(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 3 or x.shape[2] != self.n_x:
            raise ValueError(f"{self.kind} expects input [batch, time, {self.n_x}], got {list(x.shape)}")
        return x


class RNN(RecurrentCell):
    """Elman RNN: a^{<t>} = tanh(x^{<t>} W_xh + a^{<t-1>} W_hh + b_h)."""

    kind = "rnn"
    equation = r"a^{<t>} = \tanh(x^{<t>} W_{xh} + a^{<t-1>} W_{hh} + b_h)"
    BLOCKS = ("h",)
    BLOCK_NAMES = {"h": "hidden"}

    def forward(self, x: np.ndarray, a0: np.ndarray | None = None) -> Forward:
        x = self._check(x)
        a = self._zeros(x) if a0 is None else a0
        outs = []
        for t in range(x.shape[1]):
            a = np.tanh(self._pre("h", x[:, t], a))
            outs.append(a)
        return Forward(np.stack(outs, axis=1), a)


class LSTM(RecurrentCell):
    """LSTM with update (input) gate Γ_u, forget gate Γ_f, output gate Γ_o and candidate c̃."""

    kind = "lstm"
    equation = (r"c^{<t>} = \Gamma_f * c^{<t-1>} + \Gamma_u * \tilde c^{<t>},\ "
                r"a^{<t>} = \Gamma_o * \tanh c^{<t>}")
    BLOCKS = ("u", "f", "c", "o")  # PyTorch's i, f, g, o
    BLOCK_NAMES = {"u": "update gate Γ_u", "f": "forget gate Γ_f", "c": "candidate c̃", "o": "output gate Γ_o"}

    def forward(self, x: np.ndarray, a0: np.ndarray | None = None, c0: np.ndarray | None = None,
                return_gates: bool = False) -> Forward:
        x = self._check(x)
        a = self._zeros(x) if a0 is None else a0
        c = self._zeros(x) if c0 is None else c0
        outs, seen = [], {k: [] for k in ("u", "f", "o", "c_tilde")}
        for t in range(x.shape[1]):
            x_t = x[:, t]
            u, f, o = (sigmoid(self._pre(g, x_t, a)) for g in ("u", "f", "o"))
            c_tilde = np.tanh(self._pre("c", x_t, a))
            c = f * c + u * c_tilde
            a = o * np.tanh(c)
            outs.append(a)
            for k, v in (("u", u), ("f", f), ("o", o), ("c_tilde", c_tilde)):
                seen[k].append(v)
        gates = {k: np.stack(v, axis=1) for k, v in seen.items()} if return_gates else {}
        return Forward(np.stack(outs, axis=1), a, c, gates)


# Keras's GRU has two bias vectors per gate by default (reset_after=True): "textbook/Keras" is not its single form.
GRU_CONVENTIONS = {
    "single": "one bias vector per gate (textbook convention; Keras with reset_after=False)",
    "double": "two bias vectors per gate, $b_{ih}$ and $b_{hh}$ (PyTorch/cuDNN convention, Keras's default)",
}


def convention_of(kind: str, bias: str) -> str:
    """How a cell of `kind` ("rnn", "lstm", "gru") counts its biases under `bias`, in words."""
    return (GRU_CONVENTIONS if kind == "gru" else CONVENTIONS)[bias]


class GRU(RecurrentCell):
    """GRU with relevance (reset) gate Γ_r, update gate Γ_u and candidate c̃; a^{<t>} = c^{<t>}.

    The two conventions are also two published forms of the candidate:
    - "single" is the Coursera / Keras reset_after=False form, the gate applied before the product:
      c̃ = tanh(x W_xc + (Γ_r * a) W_hc + b_c).
    - "double" is PyTorch / cuDNN, the gate applied after it, to the hidden-side bias too:
      c̃ = tanh(x W_xc + b_xc + Γ_r * (a W_hc + b_hc)).
    Γ_u weighs the candidate as in Coursera (a = Γ_u * c̃ + (1 - Γ_u) * a_prev); PyTorch's z weighs
    the old state instead, so z = 1 - Γ_u and from_pytorch negates z's weights (σ(-s) = 1 - σ(s)).
    """

    kind = "gru"
    equation = r"c^{<t>} = \Gamma_u * \tilde c^{<t>} + (1 - \Gamma_u) * c^{<t-1>}"
    BLOCKS = ("r", "u", "c")  # PyTorch's r, z, n
    BLOCK_NAMES = {"r": "relevance gate Γ_r", "u": "update gate Γ_u", "c": "candidate c̃"}

    def forward(self, x: np.ndarray, a0: np.ndarray | None = None, return_gates: bool = False) -> Forward:
        x = self._check(x)
        a = self._zeros(x) if a0 is None else a0
        outs, seen = [], {k: [] for k in ("r", "u", "c_tilde")}
        p = self.params
        for t in range(x.shape[1]):
            x_t = x[:, t]
            r = sigmoid(self._pre("r", x_t, a))
            u = sigmoid(self._pre("u", x_t, a))
            if self.bias == "single":
                c_tilde = np.tanh(x_t @ p["W_xc"] + (r * a) @ p["W_hc"] + p["b_c"])
            else:
                xs, hs = self._parts("c", x_t, a)
                c_tilde = np.tanh(xs + r * hs)
            a = u * c_tilde + (1.0 - u) * a
            outs.append(a)
            for k, v in (("r", r), ("u", u), ("c_tilde", c_tilde)):
                seen[k].append(v)
        gates = {k: np.stack(v, axis=1) for k, v in seen.items()} if return_gates else {}
        return Forward(np.stack(outs, axis=1), a, None, gates)


CELLS: dict[str, type[RecurrentCell]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def make_cell(kind: str, n_x: int, n_h: int, bias: str = "single", seed: int | None = 0) -> RecurrentCell:
    """A cell of the given kind ("rnn", "lstm", "gru"); with seed None its weights are zeros, for reading
    shapes off a forward pass without drawing millions of random numbers (a 10000-word input)."""
    return CELLS[kind](n_x, n_h, bias=bias, seed=seed)


def from_pytorch(kind: str, state: Mapping[str, np.ndarray]) -> RecurrentCell:
    """A double-bias cell holding the weights of a one-layer torch nn.RNN/LSTM/GRU.

    state maps PyTorch's names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0) to NumPy arrays,
    so this module never needs torch itself.
    """
    cls = CELLS[kind]
    w_ih, w_hh = (np.asarray(state[k], dtype=np.float64) for k in ("weight_ih_l0", "weight_hh_l0"))
    b_ih, b_hh = (np.asarray(state[k], dtype=np.float64) for k in ("bias_ih_l0", "bias_hh_l0"))
    n_h, n_x = w_ih.shape[0] // len(cls.BLOCKS), w_ih.shape[1]
    cell = cls(n_x, n_h, bias="double")
    for i, g in enumerate(cls.BLOCKS):
        rows = slice(i * n_h, (i + 1) * n_h)
        sign = -1.0 if (kind == "gru" and g == "u") else 1.0
        # Assign in place: the arrays' identity is what unrolling and counting rely on.
        cell.params[f"W_x{g}"][...] = sign * w_ih[rows].T
        cell.params[f"W_h{g}"][...] = sign * w_hh[rows].T
        cell.params[f"b_x{g}"][...] = sign * b_ih[rows]
        cell.params[f"b_h{g}"][...] = sign * b_hh[rows]
    return cell
