"""The reference model checked three ways: sympy closed forms, PyTorch, and shapes read off forward passes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.compute.reference import (CONVENTIONS, GRU, LSTM, RNN, Dense, cell_parameters, dense_parameters,
                                        distinct_arrays, distinct_count, distinct_ids, evaluate, from_pytorch,
                                        make_cell, unroll)

sizes = st.integers(min_value=1, max_value=24)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["rnn", "lstm", "gru"]), bias=st.sampled_from(["single", "double"]),
       n_x=sizes, n_h=sizes, n_y=sizes)
def test_closed_forms_equal_the_arrays_the_model_holds(kind, bias, n_x, n_h, n_y):
    cell = make_cell(kind, n_x, n_h, bias)
    head = Dense(n_h, n_y)
    assert cell.parameter_count() == evaluate(cell_parameters(kind, bias), n_x=n_x, n_h=n_h)
    assert head.parameter_count() == evaluate(dense_parameters(), n_h=n_h, n_y=n_y)
    assert sum(a.count for a in cell.breakdown()) == cell.parameter_count()
    assert all(a.count == int(np.prod(a.shape)) for a in cell.breakdown())


def test_closed_forms_read_as_the_textbook_formulas():
    from pipeline.compute.reference.closed_forms import n_h, n_x, n_y
    assert cell_parameters("rnn") == n_h * (n_x + n_h + 1)
    assert cell_parameters("lstm") == 4 * n_h * (n_x + n_h + 1)
    assert cell_parameters("gru", "double") == 3 * n_h * (n_x + n_h + 2)
    assert dense_parameters() == n_y * (n_h + 1)


def test_double_convention_adds_one_bias_vector_per_block():
    for kind, blocks in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        single, double = make_cell(kind, 7, 5, "single"), make_cell(kind, 7, 5, "double")
        assert double.parameter_count() - single.parameter_count() == blocks * 5
        assert "one bias vector" in single.convention and "PyTorch" in double.convention
        # Keras's GRU defaults to two bias vectors (reset_after=True): its single form says so, the others are
        # the textbook and Keras form.
        assert ("reset_after=False" in single.convention) == (kind == "gru")
        assert (single.convention == CONVENTIONS["single"]) == (kind != "gru")


def test_rnn_breakdown_names_each_array_by_its_role():
    parts = {a.name: a for a in RNN(20, 128).breakdown()}
    assert parts["W_xh"].shape == (20, 128) and parts["W_xh"].description.startswith("input -> hidden")
    assert parts["W_hh"].shape == (128, 128) and parts["W_hh"].description.startswith("hidden -> hidden")
    assert parts["b_h"].count == 128


def test_unrolling_5_and_10_steps_reuses_the_same_arrays():
    layers = [RNN(20, 128), Dense(128, 10)]
    five, ten = unroll(layers, 5), unroll(layers, 10)
    assert len(ten) == 2 * len(five)  # twice the computation ...
    assert distinct_ids(five) == distinct_ids(ten)  # ... over the same arrays
    assert distinct_count(five) == distinct_count(ten) == sum(layer.parameter_count() for layer in layers)
    assert [a.name for a in distinct_arrays(ten)] == ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]


def test_distinct_counting_goes_by_identity_not_by_shape():
    # Two cells of the same shape are two sets of parameters, even though their names coincide.
    first, second = RNN(3, 4), RNN(3, 4)
    assert distinct_count(unroll([first, second], 3)) == 2 * first.parameter_count()


def test_gate_shapes_are_read_off_a_forward_pass():
    one_hot = np.zeros((1, 1, 10000))
    one_hot[0, 0, 42] = 1.0
    lstm = LSTM(10000, 100).forward(one_hot, return_gates=True)
    assert {g: v.shape for g, v in lstm.gates.items()} == {g: (1, 1, 100) for g in ("u", "f", "o", "c_tilde")}
    assert lstm.state.shape == lstm.cell.shape == (1, 100)
    gru = GRU(6, 3).forward(np.ones((2, 4, 6)), return_gates=True)
    assert gru.gates["r"].shape == gru.gates["u"].shape == (2, 4, 3)


def test_lstm_gates_are_probabilities_and_the_candidate_is_in_tanh_range():
    out = LSTM(5, 8, seed=3).forward(np.random.default_rng(1).normal(size=(2, 6, 5)) * 10, return_gates=True)
    for g in ("u", "f", "o"):
        assert np.all((out.gates[g] > 0) & (out.gates[g] < 1))
    assert np.all(np.abs(out.gates["c_tilde"]) <= 1)


def test_wrong_input_width_is_refused_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"\[batch, time, 3\]"):
        RNN(3, 4).forward(np.zeros((2, 5, 4)))


# --- against PyTorch ----------------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed; the cross-check against "
                                               "nn.RNN/LSTM/GRU needs it")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_forward_pass_equals_pytorch(kind):
    torch = _torch()
    torch.manual_seed(7)
    n_x, n_h, batch, steps = 5, 6, 3, 8
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        n_x, n_h, batch_first=True).double()
    with torch.no_grad():
        for p in module.parameters():  # wider than the default init, so the nonlinearities are exercised
            p.uniform_(-1.0, 1.0)
    x = torch.randn(batch, steps, n_x, dtype=torch.float64)
    h0 = torch.randn(1, batch, n_h, dtype=torch.float64)
    c0 = torch.randn(1, batch, n_h, dtype=torch.float64)
    with torch.no_grad():
        out, state = module(x, (h0, c0) if kind == "lstm" else h0)
    cell = from_pytorch(kind, {k: v.numpy() for k, v in module.state_dict().items()})
    if kind == "lstm":
        ours = cell.forward(x.numpy(), h0[0].numpy(), c0[0].numpy())
        assert np.max(np.abs(ours.cell - state[1][0].numpy())) < 1e-9
        state = state[0]
    else:
        ours = cell.forward(x.numpy(), h0[0].numpy())
    assert ours.outputs.shape == tuple(out.shape)
    assert np.max(np.abs(ours.outputs - out.numpy())) < 1e-9
    assert np.max(np.abs(ours.state - state[0].numpy())) < 1e-9


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_double_bias_totals_equal_pytorch_parameter_counts(kind):
    torch = _torch()
    for n_x, n_h in ((20, 128), (10000, 100), (3, 1)):
        module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](n_x, n_h)
        torch_total = sum(p.numel() for p in module.parameters())
        assert make_cell(kind, n_x, n_h, "double").parameter_count() == torch_total
        assert evaluate(cell_parameters(kind, "double"), n_x=n_x, n_h=n_h) == torch_total


def test_dense_output_equals_pytorch_linear():
    torch = _torch()
    linear = torch.nn.Linear(6, 4).double()
    head = Dense(6, 4)
    head.params["W_hy"][...] = linear.weight.detach().numpy().T
    head.params["b_y"][...] = linear.bias.detach().numpy()
    a = torch.randn(2, 3, 6, dtype=torch.float64)
    with torch.no_grad():
        expected = linear(a).numpy()
    assert np.max(np.abs(head.forward(a.numpy()) - expected)) < 1e-9
    assert head.parameter_count() == sum(p.numel() for p in linear.parameters())


def test_reference_and_recompute_load_without_torch():
    import pathlib
    import subprocess
    import sys

    import pipeline
    code = "import sys, pipeline.compute.reference, pipeline.compute.recompute; print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=pathlib.Path(pipeline.__file__).parent.parent)
    assert run.stdout.strip() == "False"
