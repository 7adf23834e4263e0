"""Versions a student cannot copy from a neighbour: every choice item's options rearranged in each version,
with other correct letters wherever the options allow, over the shipped exams and over generated banks."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.synthetic import synthetic_bank
from exam_fixtures import documents
from pipeline.select.definitions import read_definitions
from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import ExamVersion, select_versions
from pipeline.model import Choice, Question, SourceSpan

ROOT = Path(__file__).resolve().parent.parent


def _by_question(versions: list[ExamVersion]) -> dict[str, list]:
    """Question id -> its item in each version, in version order."""
    items: dict[str, list] = {}
    for version in versions:
        for item in version.items:
            items.setdefault(item.question.id, []).append(item)
    return items


def _arrangements_possible(q: Question) -> tuple[int, int]:
    """(option orders, sets of correct letters) that q's options allow, "None of the above" kept last."""
    free = [c for c in q.choices if not c.text.lower().startswith(("none of the above", "all of the above"))]
    right = sum(c.correct for c in free)
    return math.factorial(len(free)), math.comb(len(free), right)


def assert_versions_differ(versions: list[ExamVersion]) -> int:
    """Every choice item of three or more options: a different order in each version (as many as there are
    orders), and as many different sets of correct letters as the versions and the options allow. Returns
    the number of items checked."""
    checked = 0
    for qid, items in _by_question(versions).items():
        q = items[0].question
        if len(q.choices) < 3:
            continue
        orders, letter_sets = _arrangements_possible(q)
        printed = [tuple(c.text for c in item.choices) for item in items]
        letters = [item.correct_letters for item in items]
        assert len(set(printed)) == min(len(items), orders), (qid, printed)
        assert len(set(letters)) == min(len(items), letter_sets), (qid, letters)
        for item in items:  # the key follows the printed order
            assert [c.correct for c in item.choices] == [q.choices[i].correct for i in item.order]
        checked += 1
    return checked


def test_the_shipped_choice_exam(bank) -> None:
    definitions, diags = read_definitions(ROOT / "seeds/exams.toml")
    versions, drawn = select_versions(bank, definitions)
    assert diags + drawn == []
    choice = [v for v in versions if v.exam.name == "choice"]
    assert [v.letter for v in choice] == ["A", "B"]
    assert assert_versions_differ(choice) == 12  # every choice item, and the numeric one its variants turn into one


@pytest.mark.parametrize("count", [2, 3, 5, 8, 26])
def test_generated_banks(count: int) -> None:
    bank = synthetic_bank(300, seed=count)
    text = (f'[[exam]]\nname = "big"\nversions = {count}\nseed = {count}\n'
            '[[exam.draw]]\nkind = ["single_choice", "multi_choice"]\ncount = 60\n')
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    versions, drawn = select_versions(bank, definitions)
    assert diags + drawn == [] and len(versions) == count
    assert assert_versions_differ(versions) == 60


def _question(texts: list[str], correct: set[int], qid: str = "pinned/q1") -> Question:
    return Question(id=qid, document="pinned", number="1", kind="single_choice", stem="Which one?",
                    source=SourceSpan("seeds/pinned.md", 1, 6),
                    choices=tuple(Choice(t, k in correct, k + 2) for k, t in enumerate(texts)))


def _versions(questions: list[Question], count: int, shuffle_choices: bool = True) -> list[ExamVersion]:
    text = (f'[[exam]]\nname = "p"\nversions = {count}\nseed = 7\n'
            f'shuffle_choices = {str(shuffle_choices).lower()}\n[[exam.draw]]\ndocument = "pinned"\n')
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    versions, drawn = select_versions(documents(questions), definitions)
    assert diags + drawn == []
    return versions


def test_none_of_the_above_stays_last_and_the_rest_still_moves() -> None:
    right_is_pinned = _question(["Red", "Green", "Blue", "None of the above"], {3}, "pinned/q1")
    right_is_free = _question(["Red", "Green", "Blue", "None of the above"], {1}, "pinned/q2")
    versions = _versions([right_is_pinned, right_is_free], 3)
    items = _by_question(versions)
    for item in items["pinned/q1"] + items["pinned/q2"]:
        assert item.choices[-1].text == "None of the above"
    # the pinned correct option is D everywhere; its neighbours still move, and so does a free correct one
    assert {item.correct_letters for item in items["pinned/q1"]} == {("D",)}
    assert assert_versions_differ(versions) == 2


def test_same_seed_same_versions_and_the_seed_chooses() -> None:
    bank = synthetic_bank(60, seed=3)

    def orders(seed: int) -> list:
        text = (f'[[exam]]\nname = "e"\nversions = 3\nseed = {seed}\n'
                '[[exam.draw]]\nkind = ["single_choice", "multi_choice"]\n')
        versions, _ = select_versions(bank, parse_definitions(text, "x")[0])
        return [[(item.question.id, item.order) for item in v.items] for v in versions]

    assert orders(1) == orders(1)
    assert orders(1) != orders(2)


def test_options_keep_their_order_when_asked() -> None:
    q = _question(["Red", "Green", "Blue", "Black"], {0})
    versions = _versions([q], 2, shuffle_choices=False)
    assert [item.order for v in versions for item in v.items] == [(0, 1, 2, 3), (0, 1, 2, 3)]
