"""recompute: questions built from the seeds' own paragraphs get reference-model values and honest diagnostics."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import Choice, Question, SourceSpan
from pipeline.compute.claims import plain_claims
from pipeline.compute.recompute import recompute
from pipeline.compute.wording import describe
from tests.timeouts import alarm  # the old pattern took about 24 s on a line of 20,000 `((`

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_lines(name: str, *edits: tuple[str, str]) -> list[str]:
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    for old, new in edits:
        # An edit that matched nothing would leave the test checking the unedited document.
        assert any(old in line for line in lines), f"{old!r} is not in {name}"
        lines = [line.replace(old, new) for line in lines]
    return lines


def span(lines: list[str], first: int, last: int) -> str:
    return "\n".join(lines[first - 1:last]).strip()


def line_with(lines: list[str], text: str) -> int:
    (n,) = [i for i, line in enumerate(lines, 1) if text in line]
    return n


def run(q: Question, lines: list[str]) -> Question:
    (out,), extra = recompute([q], {q.source.file: lines})
    assert extra == []
    return out


def codes(q: Question, code: str) -> list[int]:
    return [d.line for d in q.diagnostics if d.code == code]


# --- rnn-exercises.md, Task 1 Question 1 -------------------------------------------------------

EXERCISES = "seeds/rnn-exercises.md"


def exercise(lines: list[str]) -> Question:
    return Question(
        id="rnn-exercises/task1-q1", document="rnn-exercises", number="1", kind="numeric",
        context=span(lines, 23, 27), stem=span(lines, 29, 32).removeprefix("Question 1: "),
        answer=span(lines, 34, 47), source=SourceSpan(EXERCISES, 23, 47))


def test_exercise_total_is_20362_with_the_breakdown_under_correct_labels():
    lines = seed_lines("rnn-exercises.md")
    q = run(exercise(lines), lines)
    (c,) = q.computed
    assert c.value == "20362" == c.document_value and c.agrees is True
    assert c.line == line_with(lines, "The total parameters")
    assert "one bias vector per gate" in c.convention
    assert "unrolled 5 and 10 steps" in c.method
    parts = {b.label.split(":")[0]: (b.label, b.expression, b.value) for b in c.breakdown}
    assert {name: value for name, (_, _, value) in parts.items()} == {
        "$W_{xh}$": 20 * 128, "$W_{hh}$": 128 * 128, "$W_{hy}$": 128 * 10, "$b_{h}$": 128, "$b_{y}$": 10}
    assert "input-to-hidden" in parts["$W_{xh}$"][0] and parts["$W_{xh}$"][1] == r"20 \times 128"
    assert "hidden-to-hidden" in parts["$W_{hh}$"][0]
    assert "hidden-to-output" in parts["$W_{hy}$"][0]
    assert codes(q, "claim-false") == []
    assert describe(c).startswith("parameter total, the same for 5 and 10 time steps = 20362 (document: 20362, "
                                  "agrees) [an RNN with a dense output layer")


def test_swapped_descriptions_of_w_hh_and_w_hy_are_reported_and_corrected_for_the_learner():
    lines = seed_lines("rnn-exercises.md")
    q = run(exercise(lines), lines)
    warnings = {d.line: d.message for d in q.diagnostics if d.code == "label-mismatch"}
    assert set(warnings) == {line_with(lines, "(W_{hh})"), line_with(lines, "(W_{hy})")}
    assert "W_hh" in warnings[line_with(lines, "(W_{hh})")] and "W_hy" in warnings[line_with(lines, "(W_{hy})")]
    assert all(d.severity == "warning" for d in q.diagnostics)
    answer = q.answer.split("\n")
    w_hh, w_hy = (answer[line_with(answer, name) - 1] for name in ("W_{hh}", "W_{hy}"))
    assert "between the hidden layer and itself at the next time step (W_{hh})" in w_hh
    assert "between the hidden layer and the output layer (W_{hy})" in w_hy
    assert "between the input and the hidden layer (W_{xh})" in q.answer  # the right one is left alone
    # The learner reads the corrected answer; what the source said is the maintainer's (the warnings above).
    assert "described as" not in q.computed[0].note and "corrected" not in q.computed[0].note


def test_editing_the_hidden_size_changes_the_total_and_flags_the_stale_document_total():
    lines = seed_lines("rnn-exercises.md", ("Hidden Layer Size: 128", "Hidden Layer Size: 64"))
    q = run(exercise(lines), lines)
    (c,) = q.computed
    assert c.value == str(64 * (20 + 64 + 1) + 10 * (64 + 1)) == "6090"
    assert c.document_value == "20362" and c.agrees is False
    assert line_with(lines, "The total parameters") in codes(q, "claim-false")
    # The per-array counts the document wrote for 128 units are stale too.
    assert line_with(lines, "$20 * 128 = 2560$") in codes(q, "claim-false")
    assert {b.label.split(":")[0]: b.value for b in c.breakdown}["$W_{hh}$"] == 64 * 64


def test_a_false_arithmetic_claim_is_an_error_on_its_line():
    lines = seed_lines("rnn-exercises.md", ("$128 * 10 = 1280$", "$128 * 10 = 1281$"))
    q = run(exercise(lines), lines)
    errors = [d for d in q.diagnostics if d.code == "claim-false"]
    # Two faults on one line: the sum itself, and the W_hy count it states.
    assert {d.line for d in errors} == {line_with(lines, "128 * 10 = 1281")}
    (sum_error,) = [d for d in errors if "does not hold" in d.message]
    assert "1280" in sum_error.message and any("W_hy" in d.message for d in errors)
    assert str(sum_error).startswith(f"{EXERCISES}:{sum_error.line}: error[claim-false]:")


def test_without_the_document_lines_messages_point_at_the_question():
    lines = seed_lines("rnn-exercises.md")
    (q,), _ = recompute([exercise(lines)])
    assert codes(q, "label-mismatch") == [23, 23]


def test_a_question_that_does_not_ask_for_a_count_gets_none():
    lines = seed_lines("rnn-exercises.md")
    q2 = exercise(lines).with_(id="rnn-exercises/task1-q2", kind="open", stem=span(lines, 49, 49),
                               answer=span(lines, 51, 51), source=SourceSpan(EXERCISES, 49, 51))
    out = run(q2, lines)
    assert out.computed == () and out.diagnostics == ()


# --- coursera-rnn.md question 7 -------------------------------------------------------------------

COURSERA = "seeds/coursera-rnn.md"


def gate_question(lines: list[str], gamma: str = r"\Gamma_u") -> Question:
    options = [line.strip().lstrip("O○ ").replace("<ul><li>", "").replace("</li></ul>", "")
               for line in lines[83:87]]
    return Question(
        id="coursera-rnn/q07", document="coursera-rnn", number="7", kind="single_choice",
        stem=lines[82].split("\t", 1)[1].replace(r"\Gamma_{\rm M}", gamma),
        choices=tuple(Choice(text, "<li>" in lines[83 + i], 84 + i) for i, text in enumerate(options)),
        explanation=r"Correct, $\Gamma_u$ is a vector of dimension equal to the number of hidden units.",
        source=SourceSpan(COURSERA, 83, 88))


@pytest.mark.parametrize("gamma", [r"\Gamma_u", r"\Gamma_{\rm M}"])
def test_the_lstm_update_gate_has_the_hidden_size_so_100_is_correct(gamma):
    lines = seed_lines("coursera-rnn.md")
    q = run(gate_question(lines, gamma), lines)
    assert [c.text for c in q.choices] == ["1", "100", "300", "10000"]
    assert [c.text for c in q.choices if c.correct] == ["100"]
    (c,) = q.computed
    assert c.value == "100" and c.agrees is True and "$\\Gamma_u$" in c.quantity
    assert "forward pass" in c.method and "10000" in c.method
    assert q.diagnostics == ()


def test_a_larger_hidden_size_moves_the_correct_option():
    lines = seed_lines("coursera-rnn.md", ("100-dimensional", "200-dimensional"), ("○ 300", "○ 200"))
    q = run(gate_question(lines), lines)
    assert [c.text for c in q.choices if c.correct] == ["200"]
    (d,) = q.diagnostics
    assert (d.code, d.severity, d.line) == ("choice-recomputed", "warning", line_with(lines, "○ 200"))
    assert "'100'" in d.message and "'200'" in d.message


def test_no_option_matching_the_computed_dimension_is_an_error():
    lines = seed_lines("coursera-rnn.md", ("100-dimensional", "50-dimensional"))
    q = run(gate_question(lines), lines)
    assert [(d.code, d.severity, d.line) for d in q.diagnostics] == [("choice-no-match", "error", 83)]
    assert q.computed[0].value == "50"


# --- rnn-interview.md Q4 ----------------------------------------------------------------------------

INTERVIEW = "seeds/rnn-interview.md"


def shape_question(lines: list[str]) -> Question:
    return Question(id="rnn-interview/q4", document="rnn-interview", number="Q4", kind="open",
                    stem=lines[40].removeprefix("Q4: "), answer=span(lines, 45, 53),
                    attribution="Source: www.amazon.com", source=SourceSpan(INTERVIEW, 41, 55))


def shapes(q: Question) -> dict[str, tuple[str, bool | None, int]]:
    return {c.quantity: (c.value, c.agrees, c.line) for c in q.computed}


def test_input_and_output_shapes_come_from_a_forward_pass_and_agree():
    lines = seed_lines("rnn-interview.md")
    q = run(shape_question(lines), lines)
    assert shapes(q) == {"input shape": ("[5, 10, 2]", True, line_with(lines, "the shape will be")),
                         "output shape": ("[5, 10, 32]", True, line_with(lines, "32 neurons"))}
    assert [c.axes for c in q.computed] == [("batch size", "time steps", "features per time step"),
                                            ("batch size", "time steps", "number of units")]
    assert q.diagnostics == ()


def test_the_output_shape_follows_the_number_of_neurons():
    lines = seed_lines("rnn-interview.md", ("32 neurons", "64 neurons"))
    q = run(shape_question(lines), lines)
    assert shapes(q)["output shape"][:2] == ("[5, 10, 64]", False)
    assert [(d.code, d.line) for d in q.diagnostics] == [("claim-false", line_with(lines, "64 neurons"))]
    fixed = seed_lines("rnn-interview.md", ("32 neurons", "64 neurons"), ("[5, 10, 32]", "[5, 10, 64]"))
    assert run(shape_question(fixed), fixed).diagnostics == ()


# --- arithmetic in general, and the leaky unit ------------------------------------------------------

def test_arithmetic_claims_in_answers_and_explanations():
    lines = ["Worked sums:", "$0.1 \\times 3 = 0.3$ and $(2 + 3) × 4 = 20$", "$10 / 3 = 3.33$",
             "so 2 x 5 = 11 here", "", "$7 \\cdot 6 = 42 = 41$", "$a_{t} = 3$"]
    q = Question(id="x/1", document="x", number="1", kind="open", stem="Sums?", answer="\n".join(lines[1:4]),
                 explanation="\n".join(lines[5:]), source=SourceSpan("notes.md", 1, 7))
    (out,), _ = recompute([q], {"notes.md": lines})
    assert [(d.code, d.line) for d in out.diagnostics] == [("claim-false", 4), ("claim-false", 6)]
    assert "42" in out.diagnostics[1].message and "41" in out.diagnostics[1].message


def test_leaky_unit_derivative_is_alpha_to_the_number_of_steps():
    lines = seed_lines("dl-book-ch10.md")
    n = line_with(lines, "Consider the leaky unit")
    q = Question(id="dl-book-ch10/10.9.1", document="dl-book-ch10", number="10.9.1", kind="open",
                 stem=lines[n - 1], source=SourceSpan("seeds/dl-book-ch10.md", n - 2, n))
    (c,) = run(q, lines).computed
    assert c.value == r"$\alpha^{3}$" and "symbolically" in c.method and c.line == n
    two = seed_lines("dl-book-ch10.md", (r"\boldsymbol{u}^{(t-3)}", r"\boldsymbol{u}^{(t-2)}"))
    assert run(q.with_(stem=two[n - 1]), two).computed[0].value == r"$\alpha^{2}$"


# --- the claim pattern on hostile lines ---------------------------------------------------------------

# The plain-text claim pattern as it was, before it was made linear: the reference for which claims it finds.
QUADRATIC_CLAIM = re.compile(r"(?<![\w^{}.])[(\d][\d\s.*×·x+\-/()]*(?:=[\d\s.*×·x+\-/()]*\d)+")




@given(st.text(alphabet="0123456789 .*×·x+-/()=a^{}_$\n", max_size=40))
@settings(max_examples=3000, deadline=None)
def test_plain_claims_are_the_ones_the_old_pattern_found(text: str) -> None:
    assert plain_claims(text) == QUADRATIC_CLAIM.findall(text)


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
@pytest.mark.parametrize("line, claims", [
    ("((" * 10_000, []),
    ("((" * 10_000 + " so 1 + 1 = 3", ["1 + 1 = 3"]),
    ("1 " * 10_000 + "= (", []),
    ("1=(" * 10_000, ["1=(" * 9_999 + "1"]),
    ("1 = " + "( " * 10_000, []),
    ("x1 " * 10_000, []),
    ("2 = " + "( " * 10_000 + "2", ["2 = " + "( " * 10_000 + "2"]),
], ids=["parens", "parens-then-claim", "digits-then-equals", "chained",
    "equals-without-digit", "words", "long-right-side"])
def test_a_pathological_line_is_read_in_linear_time(line: str, claims: list[str]) -> None:
    with alarm(5):
        assert plain_claims(line) == claims
        q = Question(id="x/1", document="x", number="1", kind="open", stem="Why?", answer=line,
                     source=SourceSpan("notes.md", 1, 1))
        (out,), _ = recompute([q], {"notes.md": [line]})
    assert [d.code for d in out.diagnostics] == (["claim-false"] if claims == ["1 + 1 = 3"] else [])
