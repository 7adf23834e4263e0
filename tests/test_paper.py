"""The shipped papers as an examiner reads them: instructions that match what the paper holds, one request
per question, no repeated hint, no source typo, a title that keeps its last words together."""
from __future__ import annotations

import re

from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import select_versions
from pipeline.render.exam.page import exam_html, key_html, paper_instructions

TEMPLATES = "templates"


def _text(page: str) -> str:
    page = re.sub(r"<(style|svg)\b.*?</\1>", "", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_instructions_speak_only_of_what_the_paper_holds(versions) -> None:
    choice, written = paper_instructions(versions["choice-A"]), paper_instructions(versions["written-A"])
    # Every numeric question of the choice exam is asked with options: there is no answer box to speak of.
    assert all(i.choices for i in versions["choice-A"].items)
    assert "circle" in choice and "select all that apply" in choice
    assert "numeric" not in choice.lower() and "space given" not in choice
    assert "written question" in written and "circle" not in written and "box" not in written
    assert "No notes, books or electronic devices" in choice  # the exam's own rules follow


def test_a_numeric_answer_box_is_announced_when_the_paper_has_one(bank) -> None:
    definitions, _ = parse_definitions('[[exam]]\nname = "n"\ntitle = "Sizes"\n[[exam.draw]]\nkind = "numeric"\n'
                                       'vary = true\noptions = 0\n', "t.toml")
    (version, *_), _ = select_versions(bank, definitions)
    said = paper_instructions(version)
    assert "answer box" in said and "circle" not in said and "select all" not in said


def test_each_question_asks_for_what_its_options_can_give(versions) -> None:
    (item,) = [i for i in versions["choice-A"].items if i.question.id == "rnn-exercises/task1-q1"]
    # One value is offered, so one count is asked (the source asked for 5 and for 10 steps, the same number).
    assert "10-time steps" not in item.question.stem and item.question.stem.endswith("for 5 time steps.")
    assert sum(c.correct for c in item.choices) == 1


def test_select_all_that_apply_is_said_once(versions) -> None:
    page = exam_html(versions["choice-A"], None, TEMPLATES)
    for section in re.findall(r'<section class="question kind-multi_choice".*?</section>', page, flags=re.S):
        assert len(re.findall(r"(?i)(?:select|check) all that apply", _text(section))) == 1, _text(section)[:120]


def test_no_source_typo_reaches_a_paper_or_key(versions) -> None:
    for slug, version in versions.items():
        for page in (exam_html(version, None, TEMPLATES), key_html(version, None, TEMPLATES)):
            text = _text(page)
            for typo in (" the the ", "dependant", "Here're", " . i.e.", "i. e."):
                assert typo not in text, (slug, typo)


def test_the_title_keeps_its_last_words_on_one_line(versions) -> None:
    page = exam_html(versions["choice-A"], None, TEMPLATES)
    assert 'Recurrent Neural Networks: <span style="white-space: nowrap">Multiple-Choice Test</span></h1>' in page
