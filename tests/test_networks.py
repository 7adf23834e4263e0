"""Size questions in any phrasing: one fixture document per family (prose, lists, tables, PyTorch code, Keras code,
choice options), each with wrong stated answers among right ones. Every expected value is computed here, by real
PyTorch modules where the question is PyTorch's (or names no framework) and by Keras' own formula otherwise, never
by the pipeline's engine; and the engine itself is checked against PyTorch and the NumPy cells."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.build import load_document
from pipeline.model import Binding, NetLayer, Question, SourceSpan
from pipeline.compute.recompute import recompute
from pipeline.compute.reference import counts, make_cell

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sizes"
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def keras(kind: str, d: int, h: int, biases: int = 1, dirs: int = 1) -> int:
    """Keras' count, gates·(d·h + h² + b·h), b = 2 for a GRU with reset_after=True (its default)."""
    return dirs * GATES[kind] * (d * h + h * h + biases * h)


def dense(d: int, n: int) -> int:
    return d * n + n


def torch_count(*modules) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def questions(name: str) -> list[Question]:
    return list(load_document(FIXTURES / name).questions)


def check(name: str, expected: dict[int, tuple[object, bool]]) -> None:
    """expected: question index -> (the right value, whether the document's stated answer is right)."""
    qs = questions(name)
    assert len(qs) == len(expected)
    for i, (value, right) in expected.items():
        q = qs[i]
        got = [c.value for c in q.computed]
        shown = value if isinstance(value, int) else "[" + ", ".join("None" if v is None else str(v)
                                                                     for v in value) + "]"
        assert got == [str(shown)], (name, i, q.stem[:60], got, value)
        false = [d for d in q.diagnostics if d.code == "claim-false"]
        if right:
            assert false == [], (name, i, [d.message for d in false])
        else:
            (d,) = false
            assert str(shown) in d.message and d.line >= q.source.line_start, (name, i, d.message)


def test_prose_questions() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    check("prose.md", {
        0: (keras("rnn", 20, 128) + dense(128, 10), False),  # the README's example, stated 20352
        1: (torch_count(nn.GRU(12, 40)), True),
        2: (keras("rnn", 5000, 64), True),
        3: (keras("lstm", 16, 24), True),
        4: (keras("lstm", 50, 25), False),  # stated × 100 time steps
        5: (torch_count(nn.LSTM(10, 20, num_layers=2)), False),
        6: (64, False),  # a gate is as long as the hidden state, not [h, x]
    })


def test_key_value_lists() -> None:
    check("lists.md", {
        0: (keras("gru", 6, 9, biases=2), False),  # reset_after=True missed
        1: (keras("lstm", 3, 5) + dense(5, 2), True),
        2: (keras("rnn", 300, 2048), True),
    })


def test_a_table_of_networks_above_the_questions() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    check("tables.md", {
        0: (torch_count(nn.GRU(8, 16)), True),
        1: (keras("lstm", 20, 10) + dense(10, 3), False),  # the dense head left out
        2: (torch_count(nn.RNN(4, 6, num_layers=3)), False),
        3: (torch_count(nn.GRU(5, 7, bidirectional=True)), True),
        4: (14, False),  # bidirectional: 2 × 7 features
    })


def test_pytorch_code() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    h_n = nn.LSTM(8, 16, num_layers=2, bidirectional=True)(torch.zeros(5, 4, 8))[1][0].shape
    check("pytorch.md", {
        0: (torch_count(nn.LSTM(input_size=20, hidden_size=30)), True),
        1: (torch_count(nn.RNN(5, 7, num_layers=3, bias=False)), False),
        2: (torch_count(nn.GRU(16, 8, bidirectional=True)), False),
        3: (tuple(nn.LSTM(12, 24).weight_hh_l0.shape), True),
        4: (tuple(nn.GRU(10, 20, batch_first=True)(torch.zeros(3, 7, 10))[0].shape), False),
        5: (tuple(h_n), True),
        6: (torch_count(nn.Embedding(2000, 64), nn.GRU(64, 32), nn.Linear(32, 5)), False),
    })


def test_keras_code() -> None:
    check("keras.md", {
        0: (keras("lstm", 8, 32) + dense(32, 4), True),  # printed with a separator: 5,380
        1: (keras("gru", 5, 16, biases=1), True),  # reset_after=False
        2: (300 * 16 + keras("rnn", 16, 8, dirs=2) + dense(16, 1), False),  # the Dense head sees 2 × 8
        3: ((6, 25, 10), True),
        4: (keras("gru", 9, 4, biases=2), False),
    })


def test_choice_options() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    qs = questions("choices.md")
    check("choices.md", {
        0: (torch_count(nn.GRU(6, 10)), True),
        1: (20 * 20, False),
        2: ((None, 64), True),
        3: (torch_count(nn.LSTM(4, 4)), False),
    })
    (wrong,) = [d for d in qs[3].diagnostics if d.code == "claim-false"]
    assert wrong.line == next(c.line for c in qs[3].choices if c.correct)
    assert "144" in wrong.message and "one bias vector per gate instead of PyTorch's two" in wrong.message


def test_every_computed_question_carries_its_network_as_data() -> None:
    (q,) = [q for q in questions("pytorch.md") if "Embedding" in q.stem]
    b = q.computed[0].binding
    assert [(l.kind, l.inputs, l.units, l.biases) for l in b.layers] == [
        ("embedding", 2000, 64, 1), ("gru", 64, 32, 2), ("dense", 32, 5, 1)]
    assert b.framework == "pytorch" and b.asks == "parameters" and b.lines


def one(stem: str, answer: str = "") -> Question:
    q = Question(id="t/q1", document="t", number="1", kind="open", stem=stem, answer=answer,
                 source=SourceSpan("t.md", 1, 3))
    (out,), _ = recompute([q])
    return out


def test_no_framework_named_accepts_either_convention_with_a_note() -> None:
    torch = pytest.importorskip("torch")
    both = torch_count(torch.nn.LSTM(30, 10))  # PyTorch's two bias vectors
    q = one("How many parameters does an LSTM with 30 inputs and 10 hidden units have?", f"Answer: {both}")
    (c,) = q.computed
    assert c.value == str(keras("lstm", 30, 10)) and c.agrees
    assert "PyTorch" in c.note and str(both) in c.note
    assert [d for d in q.diagnostics if d.code == "claim-false"] == []


def test_a_size_question_that_cannot_be_bound_says_what_is_missing() -> None:
    q = one("How many parameters does an LSTM with 64 hidden units have?", "Answer: 1000")
    assert q.computed == ()
    (info,) = [d for d in q.diagnostics if d.code == "size-unbound"]
    assert info.severity == "info" and "input size" in info.message and "sizes = {" in info.message


def test_a_question_about_parameters_that_asks_no_number_is_left_alone() -> None:
    q = one("Why does an LSTM with 64 hidden units and 32 inputs not need more parameters for longer inputs?")
    assert q.computed == () and q.diagnostics == ()


# --- the engine against PyTorch and the NumPy reference cells -------------------------------------------------

CONFIGS = list(itertools.product(("rnn", "lstm", "gru"), (1, 3), (2, 5), (1, 2), (False, True), (True, False)))


@pytest.mark.parametrize("kind,d,h,layers,bidirectional,bias", CONFIGS)
def test_counts_and_shapes_match_pytorch(kind, d, h, layers, bidirectional, bias) -> None:
    torch = pytest.importorskip("torch")
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        d, h, num_layers=layers, bidirectional=bidirectional, bias=bias)
    dirs = 2 if bidirectional else 1
    stack = tuple(NetLayer(kind, d if k == 0 else h * dirs, h, dirs, 2 if bias else 0) for k in range(layers))
    b = Binding(layers=stack, asks="parameters", framework="pytorch", batch=3, steps=4)
    assert counts.value(b) == torch_count(module)
    held = dict(module.named_parameters())
    for k, layer in enumerate(stack):
        for name, shape in counts.weight_shapes(layer):
            base, _, rest = name.partition("_reverse")
            assert tuple(held[f"{base}_l{k}" + ("_reverse" if "_reverse" in name else "")].shape) == shape
    out, state = module(torch.zeros(4, 3, d))
    h_n = state[0] if kind == "lstm" else state
    assert counts.value(replace_asks(b, "output-shape")) == tuple(out.shape)
    assert counts.value(replace_asks(b, "state-shape")) == tuple(h_n.shape)


def replace_asks(b: Binding, asks: str) -> Binding:
    from dataclasses import replace
    return replace(b, asks=asks)


@pytest.mark.parametrize("kind,biases", [(k, b) for k in ("rnn", "lstm", "gru") for b in (1, 2)])
def test_counts_match_the_numpy_cells(kind, biases) -> None:
    for d, h in ((3, 4), (7, 2), (1, 9)):
        cell = make_cell(kind, d, h, {1: "single", 2: "double"}[biases], seed=None)
        assert counts.layer_count(NetLayer(kind, d, h, 1, biases)) == cell.parameter_count()


def test_keras_kernel_is_the_transpose_of_pytorch_weight_ih() -> None:
    layer = NetLayer("lstm", 50, 40, 2, 1)
    keras_side = Binding(layers=(layer,), asks="weight-shape", framework="keras", detail="input")
    torch_side = Binding(layers=(layer,), asks="weight-shape", framework="pytorch", detail="input")
    assert counts.value(keras_side) == (50, 160) and counts.value(torch_side) == (160, 50)


def test_make_check_lists_the_network_each_question_was_read_as() -> None:
    from pipeline.__main__ import report
    text = "\n".join(report(load_document(FIXTURES / "keras.md")))
    assert ("network keras/q03: Embedding 300→16, bidirectional RNN 16→8 (one bias vector per gate), Dense 16→1; "
            "Keras convention; asks the parameter count; read from lines") in text
    assert "likely mistake: fed the next layer h features instead of the bidirectional layer's 2h" in text


@pytest.mark.parametrize("text,value", [
    ("Total params: 175,601", 175601), ("4 × (300·64 + 64·64) = 93184", 93184), ("12800 (6400 per layer)", 12800),
    ("360. The 365 days do not matter.", 360), ("so the total is 5504.", 5504), ("b. 20×20", 400),
    ("For n = 10, m = 32: 4·(320 + 1024 + 32) = 5504.", 5504), ("2 · 10,000 · 200 = 4,000,000", 4000000),
    ("Each gate has 10·20 + 20·20 + 20 = 620 parameters, so the LSTM has 2480.", 2480),
    ("\n- W: 400\n- U: 1600\n- b: 40\n\nTotal: 2040 parameters", 2040),
    ("Total params: 175,601 (685.94 KB)", 175601), ("about 1.2 million", None),
    ("4(nm + n² + n)", None), ("It does not change with the sequence length.", None),
])
def test_stated_answers_as_documents_write_them(text, value) -> None:
    from pipeline.compute.statement import parse_value
    assert parse_value(text, False) == value


@pytest.mark.parametrize("text,value", [("(None, 40, 9)", (None, 40, 9)), ("64 × 96", (64, 96)),
                                        ("$32 \\times 512$", (32, 512)), ("[5, 1000, 2]", (5, 1000, 2))])
def test_stated_shapes(text, value) -> None:
    from pipeline.compute.statement import parse_value
    assert parse_value(text, True) == value


def phrasings():
    """(stem, the right value by PyTorch or Keras' formula, given lazily: torch is imported in the test)."""
    return [
        ("An LSTM layer has 256 units and its input at each step is a 4096-dimensional vector. How many "
         "parameters does it have?", lambda nn: keras("lstm", 4096, 256)),
        ("```python\nmodel = Sequential()\nmodel.add(LSTM(50, input_shape=(10, 1)))\nmodel.add(Dense(1))\n```\n"
         "How many parameters does the model have?", lambda nn: keras("lstm", 1, 50) + dense(50, 1)),
        ("Consider a GRU with hidden size h = 16 and input size d = 8. How many parameters does it have in "
         "PyTorch?", lambda nn: torch_count(nn.GRU(8, 16))),
        ("```python\nrnn = nn.LSTM(input_size=12, hidden_size=20, bidirectional=True, batch_first=True)\n"
         "x = torch.randn(6, 9, 12)\nout, (h, c) = rnn(x)\n```\nWhat is the shape of `out`?", lambda nn: (6, 9, 40)),
        ("An RNN has an embedding dimension of 300 as input and a hidden dimension of 100. How many parameters does "
         "the recurrent layer have?", lambda nn: keras("rnn", 300, 100)),
        ("A Keras SimpleRNN with 4 units is applied to input of shape (20, 1). How many parameters?",
         lambda nn: keras("rnn", 1, 4)),
        ("An LSTM with 2^7 hidden units and 2^5 input features: how many parameters does it have, with one bias "
         "per gate?", lambda nn: keras("lstm", 32, 128)),
        ("What's the output shape of a bidirectional LSTM layer with 32 units?", lambda nn: (None, 64)),
    ]


@pytest.mark.parametrize("k", range(8))
def test_more_phrasings(k) -> None:
    torch = pytest.importorskip("torch")
    stem, right = phrasings()[k]
    value = right(torch.nn)
    q = one(stem)
    expected = str(value) if isinstance(value, int) else "[" + ", ".join(
        "None" if v is None else str(v) for v in value) + "]"
    assert [c.value for c in q.computed] == [expected]
    wrong = one(stem, "Answer: 7" if isinstance(value, int) else "Answer: (7, 7)")
    assert [d.code for d in wrong.diagnostics if d.severity == "error"] == ["claim-false"]


def test_an_overlay_pins_the_sizes_a_question_leaves_out(tmp_path) -> None:
    doc = tmp_path / "pinned.md"
    doc.write_text("# Pinned\n\n### Question 1\n\nHow many parameters does the LSTM of figure 3 have, with its "
                   "3-unit dense head?\n\nAnswer: 1000\n", encoding="utf-8")
    before = load_document(doc).questions[0]
    assert before.computed == () and [d.code for d in before.diagnostics if d.code == "size-unbound"]
    (tmp_path / "pinned.fixes.toml").write_text(
        '[[fix]]\nquestion = "figure 3"\nwhy = "the sizes are in the figure"\nsizes = { n_x = 20, n_h = 10, n_y = 3 }\n',
        encoding="utf-8")
    q = load_document(doc).questions[0]
    assert q.sizes == (("n_h", 10), ("n_x", 20), ("n_y", 3))
    right = keras("lstm", 20, 10) + dense(10, 3)
    assert [c.value for c in q.computed] == [str(right)]
    (wrong,) = [d for d in q.diagnostics if d.code == "claim-false"]
    assert "1000" in wrong.message and str(right) in wrong.message


def test_an_overlay_size_of_the_wrong_type_is_an_error_at_its_line(tmp_path) -> None:
    doc = tmp_path / "pinned.md"
    doc.write_text("# Pinned\n\n### Question 1\n\nHow many parameters does the LSTM have?\n\nAnswer: 1000\n", encoding="utf-8")
    (tmp_path / "pinned.fixes.toml").write_text(
        '[[fix]]\nquestion = "the LSTM"\nwhy = "w"\nsizes = { n_h = 12.5 }\n', encoding="utf-8")
    diags = [d for d in load_document(doc).diagnostics if d.code == "fix-invalid"]
    assert diags and "whole size" in diags[0].message and diags[0].line == 4


def test_practice_notes_follow_a_bound_question() -> None:
    from pipeline.compute import practice
    (q,) = [q for q in questions("keras.md") if "reset_after=False" in q.stem]
    made = practice.practice_questions(q, 3)
    assert len(made) == 3
    for p in made:
        (c,) = p.computed
        assert "the closed form agrees" in c.method and c.value != q.computed[0].value
