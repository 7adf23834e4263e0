"""Verified variants: every answer and every wrong option equals an independent sympy formula, and drawing is
deterministic and never yields a degenerate question."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.compute.reference import (Disagreement, GateQuestion, Network, ShapeQuestion, draw, draw_gates,
                                        draw_shapes, gate_dimension, gate_mistakes, mistakes, output_shape,
                                        parameter_count, shape_mistakes)

# The closed forms written out here, apart from the module's own: x input, h hidden, y output, T steps.
x, h, y, T = sp.symbols("x h y T", positive=True, integer=True)
BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
BIASES = {"single": 1, "double": 2}


def total(kind: str, bias: str, with_output: bool) -> sp.Expr:
    return BLOCKS[kind] * h * (x + h + BIASES[bias]) + (y * (h + 1) if with_output else 0)


def mistake_formulas(kind: str, bias: str, with_output: bool) -> dict[str, sp.Expr]:
    """What each named mistake computes, as a student would write it."""
    k, b, right = BLOCKS[kind], BIASES[bias], total(kind, bias, with_output)
    out = {
        "no-biases": k * h * (x + h) + (y * h if with_output else 0),
        "recurrent-per-step": right + (T - 1) * k * h * h,
        "other-bias-convention": total(kind, "double" if bias == "single" else "single", with_output),
        "swapped-sizes": right.subs({x: h, h: x}, simultaneous=True),
        "all-per-step": T * right,
    }
    if kind != "rnn":
        out["one-gate"] = total("rnn", bias, with_output)
    if with_output:
        out["no-output-layer"] = total(kind, bias, False)
    return out


def at(expr: sp.Expr, net: Network, steps: int = 5) -> int:
    return int(expr.subs({x: net.n_x, h: net.n_h, y: net.n_y or 0, T: steps}))


sizes = st.integers(min_value=1, max_value=40)
networks = st.builds(Network, cell=st.sampled_from(["rnn", "lstm", "gru"]), n_x=sizes, n_h=sizes,
                     n_y=st.none() | sizes, bias=st.sampled_from(["single", "double"]))


def test_the_seed_exercise_gives_20362_and_its_mistakes(questions):
    # seeds/rnn-exercises.md, Task 1: sizes as the document states them, one bias per gate.
    text = Path("seeds/rnn-exercises.md").read_text(encoding="utf-8")
    n_h, n_y, n_x = (int(re.search(rf"{what} Size[^:]*: (\d+)", text).group(1))
                     for what in ("Hidden Layer", "Output Layer", "Input Vector"))
    net = Network("rnn", n_x=n_x, n_h=n_h, n_y=n_y, bias="single")
    answer = parameter_count(net)
    assert answer.value == 20362 == at(total("rnn", "single", True), net)
    assert answer.agrees and answer.model == answer.closed_form == 20362
    # The same number the recompute stage attaches to the document's question.
    assert [c.value for c in questions["rnn-exercises/task1-q1"].computed] == [answer.text]
    assert [(b.label.split(":")[0], b.expression, b.value) for b in answer.breakdown] == [
        ("$W_{xh}$", r"20 \times 128", 2560), ("$W_{hh}$", r"128 \times 128", 16384), ("$b_{h}$", "128", 128),
        ("$W_{hy}$", r"128 \times 10", 1280), ("$b_{y}$", "10", 10)]
    found = {d.code: d for d in mistakes(net, steps=5)}
    expected = mistake_formulas("rnn", "single", True)
    assert set(found) == set(expected)
    assert {code: d.value for code, d in found.items()} == {code: at(f, net) for code, f in expected.items()}
    assert found["no-biases"].value == 20362 - 128 - 10 and found["no-biases"].mistake == "forgot the biases"
    assert "T = 5" in found["recurrent-per-step"].mistake


@settings(max_examples=80, deadline=None)
@given(net=networks)
def test_each_parameter_count_equals_sympy_and_its_breakdown(net):
    answer = parameter_count(net)
    assert answer.value == at(total(net.cell, net.bias, net.n_y is not None), net)
    assert sum(b.value for b in answer.breakdown) == answer.value
    for b in answer.breakdown:
        assert b.value == sp.prod([int(n) for n in b.expression.split(r" \times ")])
        assert re.match(r"\$[Wb]_\{[a-z]+\}\$: ", b.label)


@settings(max_examples=80, deadline=None)
@given(net=networks, steps=st.integers(min_value=2, max_value=12))
def test_each_distractor_equals_the_formula_of_its_mistake(net, steps):
    expected = mistake_formulas(net.cell, net.bias, net.n_y is not None)
    every = mistakes(net, steps, distinct=False)
    assert [d.code for d in every][:3] == ["no-biases", "recurrent-per-step", "other-bias-convention"]
    assert {d.code: d.value for d in every} == {code: at(f, net, steps) for code, f in expected.items()}
    kept = mistakes(net, steps)
    values = [d.value for d in kept]
    assert parameter_count(net).value not in values and len(set(values)) == len(values)
    assert kept == [d for d in every if d in kept]  # the distinct ones keep their order and their mistakes


def test_a_mistake_that_gives_the_answer_is_dropped():
    square = Network("lstm", n_x=16, n_h=16)  # swapping equal sizes changes nothing
    assert "swapped-sizes" in [d.code for d in mistakes(square, distinct=False)]
    assert "swapped-sizes" not in [d.code for d in mistakes(square)]


def test_gate_dimension_and_its_mistakes():
    for cell, gates in (("lstm", "ufoc"), ("gru", "ruc")):
        for gate in gates:
            q = GateQuestion(cell, n_x=10000, n_h=100, gate=gate)
            assert gate_dimension(cell, 10000, 100, gate).value == 100
            assert {d.code: d.value for d in gate_mistakes(q)} == {
                "input-size": 10000, "stacked-input": 10100, "all-gates": BLOCKS[cell] * 100,
                "gate-parameters": 100 * (10000 + 100 + 1)}
    with pytest.raises(ValueError, match="RNN|gates"):
        gate_dimension("rnn", 10, 5, "h")
    with pytest.raises(ValueError, match="no gate 'f'"):
        gate_dimension("gru", 10, 5, "f")


@pytest.mark.parametrize("return_sequences", [True, False])
def test_output_shape_and_its_mistakes(return_sequences):
    B, S, F, U = 5, 10, 3, 32
    answer = output_shape("lstm", B, S, F, U, return_sequences)
    assert answer.value == ((B, S, U) if return_sequences else (B, U))
    assert answer.text == ("[5, 10, 32]" if return_sequences else "[5, 32]")
    found = {d.code: d.value for d in shape_mistakes(ShapeQuestion("lstm", B, S, F, U, return_sequences))}
    assert found["return-sequences"] == ((B, U) if return_sequences else (B, S, U))
    assert found["input-features"] == ((B, S, F) if return_sequences else (B, F))
    assert found["no-batch"] == ((S, U) if return_sequences else (U,))
    assert found.get("time-major") == ((S, B, U) if return_sequences else None)


def test_a_closed_form_that_disagrees_stops_the_variant(monkeypatch):
    import pipeline.compute.reference.verified as verified
    from pipeline.compute.reference.closed_forms import n_h
    monkeypatch.setattr(verified, "cell_parameters", lambda kind, bias: BLOCKS[kind] * n_h * (n_h + 1))  # no n_x
    verified.parameter_count.cache_clear()  # answers computed before the closed form was broken
    with pytest.raises(Disagreement, match="closed form"):
        parameter_count(Network("rnn", 20, 128, 10))
    with pytest.raises(Disagreement):
        draw(Network("rnn", 20, 128, 10), {"n_h": [64, 128]}, "exam", 1)
    verified.parameter_count.cache_clear()  # nor may later tests see the broken ones


BASE = Network("rnn", n_x=20, n_h=128, n_y=10)
RANGES = {"n_h": [32, 64, 128, 256], "n_x": (8, 64)}


def summary(variants):
    return [(v.network, v.answer.value, [(d.code, d.value) for d in v.options]) for v in variants]


def test_the_same_seed_gives_the_same_variants_and_another_seed_others():
    first = draw(BASE, RANGES, "exam-2024/A", 6)
    assert summary(first) == summary(draw(BASE, RANGES, "exam-2024/A", 6))
    assert summary(first) == summary(draw(BASE, {"n_x": (8, 64), "n_h": [32, 64, 128, 256]}, "exam-2024/A", 6))
    assert [v.network for v in first] != [v.network for v in draw(BASE, RANGES, "exam-2024/B", 6)]


@settings(max_examples=60, deadline=None)
@given(seed=st.text(max_size=12), cell=st.sampled_from(["rnn", "lstm", "gru"]),
       bias=st.sampled_from(["single", "double"]), distractors=st.integers(min_value=1, max_value=5),
       count=st.integers(min_value=1, max_value=6))
def test_no_drawn_variant_is_degenerate(seed, cell, bias, distractors, count):
    base = Network(cell, n_x=8, n_h=16, n_y=2, bias=bias)  # in the ranges: excluded below
    ranges = {"n_x": [0, 4, 8, 16], "n_h": (0, 16), "n_y": [0, 1, 2]}  # zeros and equal sizes on purpose
    variants = draw(base, ranges, seed, count, distractors, exclude=[base])
    nets = [v.network for v in variants]
    assert len(nets) == count == len(set(nets)) and base not in nets
    codes = [d.code for d in variants[0].options]
    for v in variants:
        net = v.network
        assert net.n_x in ranges["n_x"] and 1 <= net.n_h <= 16 and net.n_y in (1, 2) and net.bias == bias
        assert v.answer.value == at(total(cell, bias, True), net)
        assert len(v.options) == distractors and [d.code for d in v.options] == codes
        assert len(set(v.values)) == len(v.values)  # no option equals the answer or another option
        formulas = mistake_formulas(cell, bias, True)
        assert all(d.value == at(formulas[d.code], net) for d in v.options)


def test_a_degenerate_variant_is_drawn_again():
    # With n_x = n_h the swapped-sizes option equals the answer: only n_x = 8 makes a good question.
    base = Network("rnn", n_x=8, n_h=16)
    for seed in ("a", "b", "c", "d", "e"):
        (only,) = draw(base, {"n_x": [16, 8]}, seed, 1, distractors=4)
        assert only.network.n_x == 8 and [d.code for d in only.options][-1] == "swapped-sizes"
    with pytest.raises(ValueError, match="gave 1 good distinct variants, not 2"):
        draw(base, {"n_x": [16, 8]}, "a", 2, distractors=4)


@pytest.mark.parametrize("ranges, count, message", [
    ({"n_h": [64, 128]}, 3, "gave 2 good distinct variants, not 3"),
    ({"n_h": [0]}, 1, "gave 0 good distinct variants"),
    ({"n_z": [1, 2]}, 1, "cannot vary 'n_z'"),
    ({"n_h": (9, 3)}, 1, "empty"),
])
def test_ranges_that_cannot_give_enough_variants_say_so(ranges, count, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        draw(BASE, ranges, "s", count)


def test_other_impossible_requests_say_so():
    with pytest.raises(ValueError, match="cannot vary 'n_y': the question has none"):
        draw(Network("rnn", 20, 128), {"n_y": [10]}, "s", 1)
    with pytest.raises(ValueError, match="kinds of mistake"):
        draw(Network("rnn", 20, 128), {"n_h": (1, 500)}, "s", 1, distractors=9)
    with pytest.raises(ValueError, match="at least 2 steps"):
        draw(BASE, RANGES, "s", 1, steps=1)


def test_gate_and_shape_variants_are_verified_and_differ():
    gates = draw_gates(GateQuestion("lstm", 10000, 100, "u"), {"n_h": [50, 100, 200], "n_x": (500, 5000)},
                       "practice", 3)
    assert len({v.network for v in gates}) == 3
    for v in gates:
        assert v.answer.value == v.network.n_h and [d.value for d in v.options] == [
            v.network.n_x, v.network.n_x + v.network.n_h, 4 * v.network.n_h]
    shapes = draw_shapes(ShapeQuestion("gru", 5, 10, 3, 32), {"batch": (2, 64), "units": [16, 32, 64]},
                         "practice", 3)
    assert len({v.network for v in shapes}) == 3
    for v in shapes:
        q = v.network
        assert v.answer.value == (q.batch, q.steps, q.units)
        assert len(set(v.values)) == 4
