"""The NumPy reference model (cells, unrolling, parameter counting) and its sympy closed forms; pure."""
from .cells import (CELLS, CONVENTIONS, GRU, LSTM, RNN, ArrayCount, Dense, Forward, Layer, RecurrentCell,
                    from_pytorch, make_cell)
from .closed_forms import cell_parameters, dense_parameters, evaluate
from .unroll import Step, distinct_arrays, distinct_count, distinct_ids, unroll

__all__ = [
    "CELLS", "CONVENTIONS", "GRU", "LSTM", "RNN", "ArrayCount", "Dense", "Forward", "Layer", "RecurrentCell",
    "from_pytorch", "make_cell", "cell_parameters", "dense_parameters", "evaluate", "Step",
    "distinct_arrays", "distinct_count", "distinct_ids", "unroll",
]
