"""Where questions state their sizes, and variants that write their own numbers in those places."""
from __future__ import annotations

from pipeline.compute import sizes


def test_the_exercise_states_its_three_sizes_in_its_set_up(questions) -> None:
    q = questions["rnn-exercises/task1-q1"]
    found = sizes.find_all(q, sizes.PARAMETER_SIZES)
    assert {name: (s.value, s.field) for name, s in found.items()} == {
        "n_h": (128, "context"), "n_x": (20, "context"), "n_y": (10, "context")}
    assert q.context[found["n_h"].start:found["n_h"].end] == "128"


def test_a_variant_writes_its_sizes_where_the_document_stated_them(questions) -> None:
    q = questions["rnn-exercises/task1-q1"]
    found = sizes.find_all(q, sizes.PARAMETER_SIZES)
    variant = sizes.substitute(q, found, {"n_h": 64, "n_x": 300})
    assert "Hidden Layer Size: 64" in variant.context and "Input Vector Size at each Time Step: 300" in variant.context
    assert "Output Layer Size: 10" in variant.context  # not varied
    again = sizes.find_all(variant, sizes.PARAMETER_SIZES)
    assert {name: s.value for name, s in again.items()} == {"n_h": 64, "n_x": 300, "n_y": 10}


def test_the_gate_question_states_hidden_size_and_vocabulary(questions) -> None:
    q = questions["coursera-rnn/q07"]
    found = sizes.find_all(q, sizes.GATE_SIZES, ("context", "stem"))
    assert {name: s.value for name, s in found.items()} == {"n_h": 100, "n_x": 10000}
    variant = sizes.substitute(q, found, {"n_h": 256})
    assert "256-dimensional activations" in variant.stem and "10000 word vocabulary" in variant.stem
