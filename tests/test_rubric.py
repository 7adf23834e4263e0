"""Rubrics: partial credit from the computed breakdown, key points cut from the reference answer (never
written anew), shares that add up to the item's points."""
from __future__ import annotations

import re

import pytest

from pipeline.model import BreakdownItem, Computed, Question, SourceSpan
from pipeline.render.rubric import MIN_KEY_POINT, _blocks, gradeable, key_points, problems, rubric, shares


def _open(answer: str) -> Question:
    return Question(id="d/q1", document="d", number="1", kind="open", stem="Why?",
                    source=SourceSpan("seeds/d.md", 1, 3), answer=answer)


def _squash(markdown: str) -> str:
    """The answer's words without list markers or spacing, to compare with its key points run together."""
    return re.sub(r"\s+", "", re.sub(r"(?m)^\s*(?:[-+*]|\d+[.)])\s+", "", markdown))


@pytest.mark.parametrize("points, n", [(2, 5), (5, 3), (5, 4), (1, 3), (5, 7), (0.5, 1), (2.25, 4), (0.35, 3),
                                       (1000, 9), (3, 1)])
def test_shares_add_up_exactly_and_differ_by_at_most_one_step(points: float, n: int) -> None:
    split = shares(points, n)
    assert len(split) == n and round(sum(split) * 100) == round(points * 100)
    assert max(split) - min(split) <= 0.1 + 1e-9
    assert split == sorted(split, reverse=True)  # the extra tenths go to the first criteria


def test_even_shares_are_kept_and_others_are_tenths() -> None:
    assert shares(2, 5) == [0.4] * 5
    assert shares(5, 4) == [1.25] * 4
    assert shares(5, 3) == [1.7, 1.7, 1.6]


def test_the_numeric_rubric_gives_each_array_its_share(questions) -> None:
    q = questions["rnn-exercises/task1-q1"]
    r = rubric(q, 2.0)
    parts = q.computed[0].breakdown
    assert [c.result for c in r.criteria] == [str(b.value) for b in parts]
    assert [c.points for c in r.criteria] == [0.4] * len(parts)
    assert r.total_result == "20362" and not r.from_answer
    assert "W_{xh}" in r.criteria[0].text and "20 \\times 128" in r.criteria[0].expression


def test_more_parts_than_tenths_are_grouped() -> None:
    q = Question(id="d/q2", document="d", number="2", kind="numeric", stem="How many?",
                 source=SourceSpan("seeds/d.md", 1, 3),
                 computed=(Computed("total", "6", "m", breakdown=tuple(
                     BreakdownItem(f"part {k}", "1", 1) for k in range(6))),))
    r = rubric(q, 0.3)
    assert [c.points for c in r.criteria] == [0.1, 0.1, 0.1]
    assert [c.result for c in r.criteria] == ["1 + 1"] * 3


def test_every_written_seed_answer_becomes_its_own_key_points(bank) -> None:
    checked = 0
    for q in (q for doc in bank for q in doc.questions if q.kind == "open" and q.answer.strip()):
        generated = q.with_(rubric=(), figures=())  # what the generator makes of the answer alone
        for points in (1.0, 5.0, 10.0):
            r = rubric(generated, points)
            assert r.from_answer and r.criteria
            assert round(sum(c.points for c in r.criteria), 9) == points
            assert len(r.criteria) <= points / MIN_KEY_POINT
            assert all(c.points >= MIN_KEY_POINT for c in r.criteria)
            # Nothing added, nothing lost but storytelling and pointers to unprinted figures: the lead and the
            # key points are the answer's gradeable sentences, in order.
            kept = _squash(r.lead + "".join(c.text for c in r.criteria))
            if gradeable_all(q.answer):
                assert kept == _squash(q.answer), q.id
            assert all(gradeable(c.text) for c in r.criteria if "\n\n" not in c.text), q.id
        checked += 1
    assert checked >= 20


def test_sentences_become_key_points_and_a_closing_colon_leads() -> None:
    lead, points = key_points("There are two kinds:\n\n- The first, e.g. a GRU. It gates.\n- The second.", 10)
    assert lead == "There are two kinds:"
    assert points == ["The first, e.g. a GRU. It gates.", "The second."]  # a list item stays whole
    _, points = key_points("It is $0.5 x. Y$ wide. Then *it* grows! Does it? Yes.", 10)
    assert points == ["It is $0.5 x. Y$ wide.", "Then *it* grows!", "Does it?", "Yes."]
    _, points = key_points("One. Two. Three.\n\n$$x = 1$$\n\nFour. Five.", 2)  # too many sentences: paragraphs
    assert points == ["One. Two. Three.\n\n$$x = 1$$", "Four. Five."]
    _, points = key_points("A. B. C.\n\nD.\n\nE.", 1)
    assert points == ["A. B. C.\n\nD.\n\nE."]


def test_no_rubric_for_choice_items_unanswered_items_or_no_points(questions) -> None:
    assert rubric(questions["coursera-rnn/q07"], 1.0) is None
    assert rubric(_open(""), 5.0) is None
    assert rubric(_open("Because."), 0.0) is None


def gradeable_all(answer: str) -> bool:
    return all(gradeable(s) for b in _blocks(answer) for s in b.sentences)


def test_storytelling_and_unprinted_figures_are_no_criteria() -> None:
    q = _open("An RNN feeds its output back. Let's look at one neuron, as shown in the Figure 1. "
              "Now consider a layer of neurons. For example, a sentence is a sequence. Its weights are shared.")
    texts = [c.text for c in rubric(q, 5).criteria]
    assert texts == ["An RNN feeds its output back.", "Its weights are shared."]
    assert problems(q) and "Figure 1" in problems(q)[0]  # reported, to be given an overlay rubric


def test_an_overlay_rubric_replaces_the_generated_one(questions) -> None:
    q = questions["rnn-interview/q15"]
    r = rubric(q, 5)
    assert not r.from_answer and [c.points for c in r.criteria] == [1.25] * 4
    assert any("y_{(t)} = \\phi" in c.text for c in r.criteria)  # the equation is graded
    assert problems(q) == []


def _terms(markdown: str) -> list[str]:
    return [t.lower() for t in re.findall(r"\*\*(.+?)\*\*", markdown)]


def test_every_criterion_of_the_shipped_written_exam_names_a_term_value_or_equation(versions) -> None:
    """A grader can see each criterion on a paper: a term of the reference answer (bold), a value, or a
    formula of the answer or of the equation its overlay supplies; never a figure the paper does not print."""
    items = versions["written-A"].items
    assert len(items) == 8
    for item in items:
        q = item.question
        r = rubric(q, item.points)
        source = q.answer + " ".join(f.equation for f in q.figures)
        flat = re.sub(r"\s+", "", source)
        for c in r.criteria:
            terms = _terms(c.text)
            formulas = re.findall(r"\$([^$]+)\$", c.text)
            values = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", re.sub(r"\$[^$]*\$", "", c.text))
            assert terms or formulas or values, (q.id, c.text)
            for t in terms:
                assert t in source.lower(), (q.id, t)
            for f in formulas:
                assert re.sub(r"\s+", "", f) in flat, (q.id, f)
            assert gradeable(c.text), (q.id, c.text)
