"""sympy closed forms for parameter counts of recurrent cells and the dense output layer."""
from __future__ import annotations

import sympy as sp

n_x, n_h, n_y = sp.symbols("n_x n_h n_y", positive=True, integer=True)

BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}  # weight blocks per cell: the LSTM's 4 are Γ_u, Γ_f, Γ_o and c̃
BIASES = {"single": 1, "double": 2}  # bias vectors per block


def cell_parameters(kind: str, bias: str = "single") -> sp.Expr:
    """e.g. LSTM, single bias: 4 n_h (n_x + n_h + 1)."""
    return BLOCKS[kind] * n_h * (n_x + n_h + BIASES[bias])


def dense_parameters() -> sp.Expr:
    """Dense output layer on the hidden state: n_y (n_h + 1)."""
    return n_y * (n_h + 1)


def evaluate(expr: sp.Expr, **sizes: int) -> int:
    """The closed form at the given sizes, e.g. evaluate(expr, n_x=20, n_h=128)."""
    symbols = {"n_x": n_x, "n_h": n_h, "n_y": n_y}
    return int(expr.subs({symbols[k]: v for k, v in sizes.items()}))
