"""Numeric variants of the seed questions: their own sizes in their own text, answers and wrong options
recomputed here from the printed sizes with sympy, the same variants for the same seed."""
from __future__ import annotations

import re

import pytest

from pipeline.compute import vary
from pipeline.model import Vary

from tests.closed_forms import N_H, N_X, N_Y, RNN_WITH_OUTPUT, T
from tests.closed_forms import PARAMETER_MISTAKES as MISTAKES


@pytest.fixture(scope="module")
def exercise(questions):
    return questions["rnn-exercises/task1-q1"].with_(vary=(Vary("n_h", (64, 128, 256)), Vary("n_x", (), 10, 50)))


def printed_sizes(context: str) -> dict:
    found = dict(re.findall(r"(Hidden|Output|Input) (?:Layer|Vector) Size[^:]*: (\d+)", context))
    return {N_H: int(found["Hidden"]), N_Y: int(found["Output"]), N_X: int(found["Input"]), T: 5}


def test_each_variant_prints_its_sizes_and_its_right_answer(exercise) -> None:
    for v in vary.variants(exercise, "2025/choice/task1-q1", 4):
        q = v.question
        at = printed_sizes(q.context)
        assert (at[N_H], at[N_X]) == (dict(v.sizes)["n_h"], dict(v.sizes)["n_x"])
        right = [c.text for c in q.choices if c.correct]
        assert right == [str(RNN_WITH_OUTPUT.subs(at))] and q.kind == "single_choice"
        assert q.computed[0].value == right[0]
        # the document's worked answer is about its own sizes: it is not printed with these
        assert q.answer == "" and q.explanation == "" and "20362" not in "".join(c.text for c in q.choices)


def test_every_wrong_option_is_the_value_its_mistake_gives(exercise) -> None:
    for v in vary.variants(exercise, "2025/choice/task1-q1", 4):
        at = printed_sizes(v.question.context)
        for choice, mistake in zip(v.question.choices[1:], v.mistakes[1:]):
            assert choice.text == str(MISTAKES[mistake].subs(at)), mistake
        assert v.mistakes[0] == "" and len(set(c.text for c in v.question.choices)) == 4


def test_the_same_seed_gives_the_same_variants_and_versions_differ(exercise) -> None:
    a = vary.variants(exercise, "2025/choice/task1-q1", 2)
    assert a == vary.variants(exercise, "2025/choice/task1-q1", 2)
    assert a[0].sizes != a[1].sizes
    assert a != vary.variants(exercise, "another seed", 2)
    assert all(dict(v.sizes) != {"n_h": 128, "n_x": 20, "n_y": 10} for v in a)  # never the document's own


def test_a_gate_variant_marks_the_hidden_size(questions) -> None:
    q = questions["coursera-rnn/q07"].with_(vary=(Vary("n_h", (64, 128, 256, 512)),))
    for v in vary.variants(q, "s", 3):
        n_h = int(re.search(r"(\d+)-dimensional activations", v.question.stem).group(1))
        assert [c.text for c in v.question.choices if c.correct] == [str(n_h)]


def test_sizes_stated_only_in_the_answer_cannot_vary(questions) -> None:
    q = questions["rnn-interview/q04"].with_(vary=(Vary("units", (16, 64)),))
    with pytest.raises(ValueError, match="only in its answer"):
        vary.variants(q, "s", 2)


def test_a_question_without_ranges_does_not_vary(questions) -> None:
    with pytest.raises(ValueError, match="no sizes to vary"):
        vary.variants(questions["rnn-exercises/task1-q1"].with_(vary=()), "s", 2)


def test_versions_never_share_an_answer_nor_give_the_documents_own(questions) -> None:
    q = questions["coursera-rnn/q07"]
    answers = [v.question.computed[0].value for v in vary.variants(q, "s", 5)]
    assert len(set(answers)) == 5 and "100" not in answers
    # varying only the vocabulary cannot change a gate's dimension: no variant is better than a false one
    with pytest.raises(ValueError, match="different from each other and from the document's 100"):
        vary.variants(q.with_(vary=(Vary("n_x", (), 5000, 20000),)), "s", 2)


def test_a_size_stated_twice_changes_everywhere_or_not_at_all(exercise) -> None:
    twice = exercise.with_(stem=exercise.stem + "\n\nRemember: hidden size: 128.")
    for v in vary.variants(twice, "s", 3):
        n_h = dict(v.sizes)["n_h"]
        assert f"Hidden Layer Size: {n_h}" in v.question.context and f"hidden size: {n_h}." in v.question.stem
    clash = exercise.with_(stem=exercise.stem + "\n\nRemember: hidden size: 64.")
    with pytest.raises(ValueError, match="states n_h more than once, with different values"):
        vary.variants(clash, "s", 2)
