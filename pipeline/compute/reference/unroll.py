"""Unrolling layers over time steps, and counting the distinct arrays the unrolled steps use."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pipeline.compute.reference.cells import ArrayCount, Layer


@dataclass(frozen=True)
class Step:
    t: int  # time step, 1-based
    layer: Layer  # the layer computing at this step
    equation: str  # what it computes, LaTeX
    arrays: tuple[tuple[str, np.ndarray], ...]  # the arrays this step reads, by name


def unroll(layers: Layer | Sequence[Layer], steps: int) -> list[Step]:
    """The computation list of `steps` time steps: every step reads the layers' own arrays."""
    layers = [layers] if isinstance(layers, Layer) else list(layers)
    return [Step(t, layer, layer.equation, tuple(layer.params.items()))
            for t in range(1, steps + 1) for layer in layers]


def distinct_arrays(steps: Sequence[Step]) -> list[ArrayCount]:
    """One entry per distinct array object used anywhere in the steps, in order of first use."""
    seen: dict[int, ArrayCount] = {}
    for step in steps:
        for name, array in step.arrays:
            # Identity, not equality: two arrays that merely hold equal numbers are two sets of parameters.
            if id(array) not in seen:
                seen[id(array)] = ArrayCount(name, step.layer.descriptions[name], array.shape, int(array.size))
    return list(seen.values())


def distinct_ids(steps: Sequence[Step]) -> set[int]:
    return {id(array) for step in steps for _, array in step.arrays}


def distinct_count(steps: Sequence[Step]) -> int:
    """Number of parameters an unrolled computation holds: distinct arrays only."""
    return sum(a.count for a in distinct_arrays(steps))
