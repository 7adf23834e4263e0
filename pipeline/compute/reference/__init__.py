"""The NumPy reference model (cells, unrolling, parameter counting), its sympy closed forms, and the verified
numeric variants built on both; pure."""
from pipeline.compute.reference.cells import (CELLS, CONVENTIONS, GRU, LSTM, RNN, ArrayCount, Dense, Forward, Layer,
                                              RecurrentCell, from_pytorch, make_cell)
from pipeline.compute.reference.closed_forms import cell_parameters, dense_parameters, evaluate
from pipeline.compute.reference.unroll import Step, distinct_arrays, distinct_count, distinct_ids, unroll
from pipeline.compute.reference.variants import (Disagreement, Distractor, GateQuestion, Network, ShapeQuestion,
                                                 Variant, Verified, draw, draw_gates, draw_shapes, gate_dimension,
                                                 gate_mistakes, mistakes, output_shape, parameter_count, shape_mistakes)

__all__ = [
    "CELLS", "CONVENTIONS", "GRU", "LSTM", "RNN", "ArrayCount", "Dense", "Forward", "Layer", "RecurrentCell",
    "from_pytorch", "make_cell", "cell_parameters", "dense_parameters", "evaluate", "Step",
    "distinct_arrays", "distinct_count", "distinct_ids", "unroll",
    "Disagreement", "Distractor", "GateQuestion", "Network", "ShapeQuestion", "Variant", "Verified", "draw",
    "draw_gates", "draw_shapes", "gate_dimension", "gate_mistakes", "mistakes", "output_shape", "parameter_count",
    "shape_mistakes",
]
