"""Parameter counts and the values common mistakes give, written out with sympy independently of the reference
model's code, for tests that recompute printed numbers from printed sizes."""
from __future__ import annotations

import sympy as sp

N_X, N_H, N_Y, T = sp.symbols("n_x n_h n_y T", positive=True, integer=True)
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def parameters(cell: str = "RNN", biases: int = 1, dense: bool = True) -> sp.Expr:
    """Per gate block, input and recurrent weights and `biases` bias vectors; then the dense output layer."""
    return GATES[cell] * (N_H * (N_X + N_H) + biases * N_H) + (N_Y * (N_H + 1) if dense else 0)


RNN_WITH_OUTPUT = parameters()
PARAMETER_MISTAKES = {
    "forgot the biases": N_H * (N_X + N_H) + N_Y * N_H,
    "counted the recurrent weights once per time step (T = 5)": RNN_WITH_OUTPUT + (T - 1) * N_H * N_H,
    "used two bias vectors per gate (PyTorch/cuDNN) instead of one": RNN_WITH_OUTPUT + N_H,
}
GATE_MISTAKES = {
    "counted all the cell's gates together, as in the fused weight matrix": 4 * N_H,
    "gave the input size, not the hidden size": N_X,
    "took the length of the stacked input [a, x]": N_H + N_X,
}
