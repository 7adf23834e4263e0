"""Numeric variants of a question: new sizes drawn deterministically, each with a verified answer and wrong options
from real mistakes; a variant that would make a degenerate question is drawn again."""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, replace
from typing import Callable, Collection, Mapping, Sequence, TypeVar

from pipeline.compute.reference.mistakes import Distractor, gate_mistakes, mistakes, shape_mistakes
from pipeline.compute.reference.verified import (Disagreement, GateQuestion, Network, ShapeQuestion, Verified,
                                                 gate_dimension, output_shape, parameter_count)

__all__ = [
    "Disagreement", "Distractor", "GateQuestion", "Network", "ShapeQuestion", "Variant", "Verified", "draw",
    "draw_gates", "draw_shapes", "gate_dimension", "gate_mistakes", "mistakes", "output_shape", "parameter_count",
    "shape_mistakes",
]

Subject = TypeVar("Subject", Network, GateQuestion, ShapeQuestion)
Ranges = Mapping[str, Sequence[int] | tuple[int, int]]
MAX_SIZE = 10**9  # the largest size a variant may take, as for a size a document states (sizes.MAX_SIZE)
TRIES_PER_VARIANT = 200  # draws spent per wanted variant before giving up on a large space


@dataclass(frozen=True)
class Variant:
    network: Network | GateQuestion | ShapeQuestion  # the sizes this variant asks about
    answer: Verified  # its answer, computed by the model and by the closed form
    options: list[Distractor]  # its wrong options, each from a named mistake, all distinct from the answer

    @property
    def values(self) -> list:
        """The answer then the wrong options, as numbers (or shapes)."""
        return [self.answer.value] + [d.value for d in self.options]


def _seeded(seed: str) -> random.Random:
    # A hash of the seed, not Python's hash(): the same on every run and every machine.
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def _pools(base: Subject, ranges: Ranges) -> dict[str, Sequence[int]]:
    """Each varied size's allowed values, in the order the sizes are declared (not the mapping's order)."""
    for name in ranges:
        if name not in base.SIZES:
            raise ValueError(f"cannot vary {name!r}: the sizes are {', '.join(base.SIZES)}")
        if getattr(base, name) is None:
            raise ValueError(f"cannot vary {name!r}: the question has none")
    pools = {}
    for name in (n for n in base.SIZES if n in ranges):
        allowed = ranges[name]
        top = max(allowed) if allowed else 0
        if top > MAX_SIZE:
            raise ValueError(f"the sizes of {name!r} go up to {top}, over the limit of {MAX_SIZE:,}")
        if isinstance(allowed, tuple) and len(allowed) == 2:
            lo, hi = allowed
            if lo > hi:
                raise ValueError(f"the range of {name!r} is empty: ({lo}, {hi})")
            pools[name] = range(lo, hi + 1)
        else:
            pools[name] = sorted(set(allowed))
            if not pools[name]:
                raise ValueError(f"no values given for {name!r}")
    return pools


def _draw(base: Subject, ranges: Ranges, seed: str, count: int, distractors: int,
          solve: Callable[[Subject], tuple[Verified, list[Distractor]]], exclude: Collection[Subject]
          ) -> list[Variant]:
    pools = _pools(base, ranges)
    fixed = [n for n in base.SIZES if n not in pools and getattr(base, n) is not None and getattr(base, n) <= 0]
    if fixed:
        raise ValueError(f"the sizes {', '.join(fixed)} are not varied and are not positive")
    kinds = len(solve(replace(base, **{name: 1 for name in pools}))[1])  # how many mistakes, whatever the sizes
    if distractors > kinds:
        raise ValueError(f"{distractors} wrong options asked for, but this question has {kinds} kinds of mistake")
    space = math.prod(len(p) for p in pools.values())
    rng, seen, out = _seeded(seed), set(), []
    for _ in range(TRIES_PER_VARIANT * count):
        if len(out) == count or len(seen) == space:
            break
        candidate = replace(base, **{name: rng.choice(pool) for name, pool in pools.items()})
        if candidate in seen:
            continue
        seen.add(candidate)
        if candidate in exclude or any(getattr(candidate, n) <= 0 for n in pools):
            continue
        # The same mistakes in every variant, so that no version of an exam is easier than another; a variant
        # where one of them gives the answer or another option is degenerate, not patched with the next one.
        answer, every = solve(candidate)
        options = every[:distractors]
        values = [answer.value] + [d.value for d in options]
        if len(options) == distractors and len(set(values)) == len(values):
            out.append(Variant(candidate, answer, options))
    if len(out) < count:
        varied = ", ".join(f"{n} in {_shown(p)}" for n, p in pools.items()) or "no size varied"
        raise ValueError(f"the ranges ({varied}) gave {len(out)} good distinct variants, not {count}: a good "
                         f"variant has positive sizes and {distractors} wrong options, distinct from each other "
                         "and from the answer")
    return out


def _shown(pool: Sequence[int]) -> str:
    return f"{pool.start}..{pool.stop - 1}" if isinstance(pool, range) else str(list(pool))


def draw(base: Network, ranges: Ranges, seed: str, count: int, distractors: int = 3, steps: int = 5,
         exclude: Collection[Network] = ()) -> list[Variant]:
    """count parameter-count variants of base, sizes from ranges ({"n_h": [64, 128], "n_x": (10, 50)}: a list
    of values or an inclusive range), each with the first `distractors` mistakes as wrong options (the same
    mistakes in every variant).

    The same seed gives the same variants; no two are equal, and none is in exclude (e.g. the document's own).
    steps is the unrolled length T the per-time-step mistakes assume.
    """
    if steps < 2:
        raise ValueError(f"the per-time-step mistakes need at least 2 steps, not {steps}")
    return _draw(base, ranges, seed, count, distractors, lambda n: (parameter_count(n), mistakes(n, steps, False)),
                 exclude)


def draw_gates(base: GateQuestion, ranges: Ranges, seed: str, count: int, distractors: int = 3,
               exclude: Collection[GateQuestion] = ()) -> list[Variant]:
    """Gate-dimension variants, n_x and n_h varied as in draw."""
    return _draw(base, ranges, seed, count, distractors,
                 lambda q: (gate_dimension(q.cell, q.n_x, q.n_h, q.gate), gate_mistakes(q, False)), exclude)


def draw_shapes(base: ShapeQuestion, ranges: Ranges, seed: str, count: int, distractors: int = 3,
                exclude: Collection[ShapeQuestion] = ()) -> list[Variant]:
    """Output-shape variants, batch, steps, features and units varied as in draw."""
    return _draw(base, ranges, seed, count, distractors,
                 lambda q: (output_shape(q.cell, q.batch, q.steps, q.features, q.units, q.return_sequences),
                            shape_mistakes(q, False)), exclude)
