"""Sizes as documents write them (1,024; 10,000), sizes that cannot be read (12.5; 5,000 digits), and work bounded
by what is asked, never by the sizes in the text: no allocation or loop over a hidden size or a sequence length."""
from __future__ import annotations

import resource

import pytest

from pipeline.compute import practice, vary
from pipeline.model import Choice, Question, SourceSpan, Vary
from pipeline.compute.recompute import recompute
from tests.timeouts import alarm

FILE = "notes/limits.md"


def question(stem: str, answer: str = "", context: str = "", choices=(), kind: str = "open") -> Question:
    return Question(id="limits/q1", document="limits", number="1", kind=kind, stem=stem, answer=answer,
                    context=context, choices=tuple(choices), source=SourceSpan(FILE, 1, 12))


def run(q: Question) -> Question:
    (out,), _ = recompute([q])
    return out


def errors(q: Question, code: str = "claim-false") -> list[str]:
    return [d.message for d in q.diagnostics if d.code == code]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


RNN_SETUP = ("Take an Elman network with these sizes:\n\n- Hidden Layer Size: {h}\n- Output Layer Size: 4\n"
             "- Input Vector Size at each Time Step: 6")
RNN_STEM = "Calculate the number of parameters this vanilla RNN needs."


def rnn_total(h: int) -> int:
    return 6 * h + h * h + h + 4 * h + 4


def test_a_hidden_size_with_a_thousands_separator_is_read_whole() -> None:
    q = run(question(RNN_STEM, f"So the total is = {rnn_total(2048)}", RNN_SETUP.format(h="2,048")))
    assert [c.value for c in q.computed] == [str(rnn_total(2048))]
    assert errors(q) == []  # the document's right total is not called false


def test_a_wrong_total_with_a_separated_size_names_the_right_one() -> None:
    q = run(question(RNN_STEM, "So the total is = 4242", RNN_SETUP.format(h="2,048")))
    assert any(str(rnn_total(2048)) in m for m in errors(q))


def test_a_decimal_size_is_a_warning_and_not_computed() -> None:
    q = run(question(RNN_STEM, "So the total is = 100", RNN_SETUP.format(h="12.5")))
    assert q.computed == ()
    (warning,) = errors(q, "size-refused")
    assert "12.5" in warning and "whole number" in warning


def test_a_size_of_5000_digits_is_refused_naming_the_limit() -> None:
    with alarm(10):
        q = run(question(RNN_STEM, "So the total is = 100", RNN_SETUP.format(h="7" * 5000)))
    assert q.computed == ()
    (warning,) = errors(q, "size-refused")
    assert "limit of 1,000,000,000" in warning and "5000 digits" in warning


def test_a_huge_hidden_size_is_counted_by_its_shapes_without_allocating() -> None:
    before = rss_mb()
    with alarm(10):
        q = run(question(RNN_STEM, "So the total is = 20362", RNN_SETUP.format(h="300000")))
    assert [c.value for c in q.computed] == [str(rnn_total(300000))]
    assert any(str(rnn_total(300000)) in m for m in errors(q))
    assert rss_mb() - before < 200  # a 300,000 x 300,000 weight would be 670 GiB


def test_a_comma_separated_sequence_length_gives_the_output_shape() -> None:
    q = run(question("Seven time series of 2,500 time steps each, with 3 values per time step, go through an "
                     "RNN layer of 16 units. What are the shapes?",
                     "The input shape is [7, 2500, 3] and the output shape is [7, 2500, 16].",
                     ).with_(stem="A batch holds 7 time series of 2,500 time steps each, with 3 values per time "
                                  "step, fed to an RNN layer of 16 units. What shapes?"))
    assert {c.quantity: c.value for c in q.computed} == {"input shape": "[7, 2500, 3]",
                                                         "output shape": "[7, 2500, 16]"}
    assert errors(q) == []


def test_a_hundred_million_time_steps_are_never_looped_over() -> None:
    with alarm(10):
        q = run(question("A batch holds 2 time series of 300000000 time steps each, with 3 values per time step, "
                         "fed to an RNN layer of 8 units. What shapes?",
                         "The input shape is [2, 300000000, 3] and the output shape is [2, 300000000, 9]."))
    assert {c.quantity: c.value for c in q.computed}["output shape"] == "[2, 300000000, 8]"
    assert any("[2, 300000000, 8]" in m for m in errors(q))


def test_unrolling_for_a_billion_steps_counts_the_shared_arrays_once() -> None:
    with alarm(10):
        q = run(question("Calculate the number of parameters needed to unroll this vanilla RNN for 900000000 "
                         "time steps.", "total = 7", RNN_SETUP.format(h="16")))
    assert [c.value for c in q.computed] == [str(rnn_total(16))]


def test_thousands_of_step_counts_are_answered_at_once() -> None:
    stem = ("Calculate the number of parameters of this vanilla RNN unrolled for "
            + ", ".join(f"{n}-time steps" for n in range(2, 4002)) + ".")
    with alarm(10):
        q = run(question(stem, "", RNN_SETUP.format(h="16")))
    (c,) = q.computed
    assert c.value == str(rnn_total(16)) and "the same for" in c.quantity and len(c.quantity) < 200


def test_a_large_vocabulary_gate_question_takes_no_memory() -> None:
    before = rss_mb()
    with alarm(10):
        q = run(question("You have a 2,000,000 word vocabulary and an LSTM with 3000-dimensional activations. "
                         "What is the dimension of $\\Gamma_f$ at each time step?", kind="single_choice",
                         choices=[Choice("3000", True, 3), Choice("2000000", False, 4)]))
    assert [c.value for c in q.computed] == ["3000"]
    assert rss_mb() - before < 200


def test_repeated_shapes_in_a_long_answer_take_linear_time() -> None:
    answer = "input shape [5, 10, 2] " * 40000  # about 1 MB
    with alarm(10):
        q = run(question("A batch holds 5 time series of 10 time steps each, with 2 values per time step, fed to "
                         "an RNN layer of 32 units. What shape?", answer))
    assert {c.quantity: c.value for c in q.computed}["input shape"] == "[5, 10, 2]"


def test_varied_huge_sizes_give_notes_without_allocating() -> None:
    q = run(question(RNN_STEM, f"So the total is = {rnn_total(64)}", RNN_SETUP.format(h="64")))
    q = q.with_(vary=(Vary("n_h", (400000, 500000, 600000, 700000)),))
    before = rss_mb()
    with alarm(20):
        made = practice.practice_questions(q, 3)
        drawn = vary.variants(q, "exam:A", 2)
    assert len(made) == 3 and len(drawn) == 2
    assert {v.sizes for v in drawn} <= {(("n_h", h), ("n_x", 6), ("n_y", 4)) for h in (400000, 500000, 600000,
                                                                                         700000)}
    assert rss_mb() - before < 200


def test_a_vary_range_over_the_limit_is_refused_naming_it() -> None:
    q = run(question(RNN_STEM, f"So the total is = {rnn_total(64)}", RNN_SETUP.format(h="64")))
    q = q.with_(vary=(Vary("n_h", (), 10, 9223372036854775807),))
    with alarm(10), pytest.raises(ValueError, match="over the limit of 1,000,000,000"):
        vary.variants(q, "exam:A", 2)


def test_practice_from_a_range_over_the_limit_is_a_warning_naming_it() -> None:
    from pipeline.model import Document
    q = run(question(RNN_STEM, f"So the total is = {rnn_total(64)}", RNN_SETUP.format(h="64")))
    q = q.with_(vary=(Vary("n_h", (), 10, 9223372036854775807),))
    with alarm(10):
        doc, diags = practice.with_practice(Document(FILE, "limits", "md", "Limits", (q,)), 3)
    assert len(doc.questions) == 1
    assert [d.code for d in diags] == ["practice-short"] and "limit of 1,000,000,000" in diags[0].message


@pytest.mark.parametrize("stem", [
    "How many parameters does it have? " + "nn.LSTM(" * 12000,
    "How many parameters? LSTM(" + "(" * 50000,
    "How many parameters does it have? " + "nn.LSTM(3, 4), " * 6000,
    "How many parameters does an LSTM have? " + "hidden size " * 20000,
    "What is the shape of the output of nn.LSTM(3, 4)? " + "(1, 2, 3) " * 10000,
    "Hidden Layer Size " * 20000 + "How many parameters does this RNN have? Input Vector Size: 3",
])
def test_hostile_size_text_takes_linear_time_and_no_traceback(stem) -> None:
    with alarm(10):
        q = run(question(stem, "Answer: " + "= 5 " * 20000))
    assert [d for d in q.diagnostics if "failed" in d.message] == []
