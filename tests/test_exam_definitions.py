"""Exam definitions and selection: every problem at its file:line, and exams drawn only from sound documents."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from exam_fixtures import bank, documents
from pipeline.select.definitions import read_definitions
from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import select_questions, select_versions
from pipeline.model import Diagnostic

ROOT = Path(__file__).resolve().parent.parent


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _draw(text: str, docs=None) -> tuple[list, list[Diagnostic]]:
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    versions, drawn = select_versions(documents() if docs is None else docs, definitions)
    return versions, diags + drawn


def test_shipped_definitions_are_valid() -> None:
    definitions, diags = read_definitions(Path("seeds/exams.toml"))
    assert diags == []
    by_name = {d.name: d for d in definitions}
    assert by_name["choice"].versions == 2
    assert set(by_name["choice"].draws[0].kinds) == {"single_choice", "multi_choice", "numeric"}
    written = by_name["written"].draws[0]
    assert written.kinds == ("open",) and written.answered is True and written.count == 8


BAD = """\
[[exam]]
name = "choice"
title = "T"
paper = "A5"
colour = "blue"
seed = 1

[[exam.draw]]
id = ["coursera-rnn/q01", "coursera-rnn/q99"]

[[exam]]
name = "written"
seed = 1

[[exam.draw]]
kind = "open"
answered = true
count = 9

[[exam]]
name = "fine"
seed = 1

[[exam.draw]]
document = "rnn-quiz"
"""


def test_bad_definitions_name_file_line_and_key() -> None:
    versions, diags = _draw(BAD)
    shown = {str(d) for d in diags}
    assert (f"seeds/exams.toml:{_line_of(BAD, 'A5')}: error[exam-bad-value]: key 'paper': paper size 'A5' "
            "is not one of A4, Letter") in shown
    assert any(s.startswith(f"seeds/exams.toml:{_line_of(BAD, 'colour')}: error[exam-unknown-key]: key 'colour'")
               for s in shown)
    assert any(s.startswith(f"seeds/exams.toml:{_line_of(BAD, 'count = 9')}: error[exam-pool-too-small]: "
                            "key 'count'") and "only 3" in s for s in shown)
    # the exam with a bad paper size is left out; the others are checked and drawn on their own
    assert {v.exam.name for v in versions} == {"fine"}
    assert all(q.question.document == "rnn-quiz" for v in versions for q in v.items)


def test_unknown_question_id_names_its_line() -> None:
    text = BAD.replace('paper = "A5"\n', "").replace('colour = "blue"\n', "")
    versions, diags = _draw(text)
    unknown = [d for d in diags if d.code == "exam-unknown-question"]
    assert len(unknown) == 1 and unknown[0].line == _line_of(text, "q99")
    assert "coursera-rnn/q99" in unknown[0].message and "key 'id'" in unknown[0].message
    assert "choice" not in {v.exam.name for v in versions}


def test_syntax_error_has_a_line() -> None:
    definitions, diags = parse_definitions('[[exam]]\nname = "x"\nseed = \n', "seeds/exams.toml")
    assert definitions == [] and diags[0].code == "exam-syntax" and diags[0].line == 3


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "1001", "-1", "true", '"5"'])
def test_points_must_be_a_sensible_number(value: str) -> None:
    text = f'[[exam]]\nname = "w"\nseed = 1\npoints = {value}\n[[exam.draw]]\nkind = "open"\n'
    versions, diags = _draw(text)
    assert versions == []
    (d,) = diags
    assert (d.file, d.line, d.severity, d.code) == ("seeds/exams.toml", 4, "error", "exam-bad-value")
    assert "key 'points'" in d.message and "from 0 to 1000" in d.message


@pytest.mark.parametrize("table", ["points_by_kind = { open = nan }", "[[exam.draw]]\nkind = \"open\"\npoints = inf"])
def test_points_of_a_kind_or_a_rule_must_be_sensible_too(table: str) -> None:
    text = f'[[exam]]\nname = "w"\nseed = 1\n{table}\n[[exam.draw]]\nkind = "open"\n'
    versions, diags = _draw(text)
    assert versions == [] and [d.code for d in diags] == ["exam-bad-value"]
    assert diags[0].line == _line_of(text, "nan" if "nan" in table else "inf")


@pytest.mark.parametrize("text", ["", "\n\n", "# every exam was removed\n"])
def test_a_file_without_exams_says_so(text: str) -> None:
    versions, diags = _draw(text)
    assert versions == []
    assert [str(d) for d in diags] == [
        "seeds/exams.toml: error[exam-none]: defines no exam ([[exam]] tables), so no exam is built"]


def test_a_definitions_file_that_is_not_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "exams.toml").mkdir()
    definitions, diags = read_definitions(tmp_path / "exams.toml")
    assert definitions == [] and [d.code for d in diags] == ["exam-unreadable"]
    missing, diags = read_definitions(tmp_path / "nothing.toml")
    assert missing == [] and [d.code for d in diags] == ["exam-unreadable"]


def test_random_draw_is_reproducible_and_the_same_in_every_version() -> None:
    text = '[[exam]]\nname = "w"\nversions = 3\nseed = 5\n[[exam.draw]]\nkind = "open"\ncount = 2\n'
    first, _ = _draw(text)
    second, _ = _draw(text)
    ids = [sorted(i.question.id for i in v.items) for v in first]
    assert ids[0] == ids[1] == ids[2]
    assert [[i.question.id for i in v.items] for v in first] == [[i.question.id for i in v.items] for v in second]
    definitions, _ = parse_definitions(text, "seeds/exams.toml")
    picks = {tuple(q.id for q, _, _ in select_questions(replace(definitions[0], seed=str(seed)), bank())[0])
             for seed in range(12)}
    assert len(picks) > 1  # the seed really chooses


def test_draw_rules_by_document_section_tag_id_and_points() -> None:
    text = """\
[[exam]]
name = "mixed"
seed = 3
points = 1
points_by_kind = { open = 4 }

[[exam.draw]]
id = "coursera-rnn/q07"
points = 3

[[exam.draw]]
tag = "notation"

[[exam.draw]]
section = "task 1"

[[exam.draw]]
document = "rnn-quiz"

[[exam.draw]]
document = ["coursera-rnn", "rnn-quiz"]
kind = "single_choice"
count = 2
"""
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    assert diags == []
    selected, diags = select_questions(definitions[0], bank())
    assert diags == []
    points = {q.id: p for q, p, _ in selected}
    assert points["coursera-rnn/q07"] == 3  # the rule's own points win
    assert points["coursera-rnn/q01"] == 1  # tag "notation"
    assert points["rnn-exercises/task1-q1"] == 1  # section "Task 1", matched case-insensitively
    assert points["rnn-quiz/q02"] == points["rnn-quiz/q05"] == 4  # points_by_kind for open questions
    # the random rule draws from what earlier rules left: two of q02, q04, q08
    rest = set(points) - {"coursera-rnn/q07", "coursera-rnn/q01", "rnn-exercises/task1-q1", "rnn-quiz/q02",
                          "rnn-quiz/q05"}
    assert len(rest) == 2 and rest <= {"coursera-rnn/q02", "coursera-rnn/q04", "coursera-rnn/q08"}


# --- an exam never drawn from a document with errors -----------------------------------------------------

TWO_EXAMS = """\
[[exam]]
name = "choice"
versions = 2
seed = 1

[[exam.draw]]
kind = ["single_choice", "multi_choice"]

[[exam]]
name = "quiz-only"
seed = 1

[[exam.draw]]
document = "rnn-quiz"
"""


def _with_error(docs, slug: str, keep_questions: bool = True):
    error = Diagnostic(f"seeds/{slug}.fixes.toml", 3, "error", "fix-stale", "the fix matches no question")
    return [replace(d, diagnostics=d.diagnostics + (error,), questions=d.questions if keep_questions else ())
            if d.slug == slug else d for d in docs]


@pytest.mark.parametrize("keep_questions", [True, False])
def test_an_exam_that_can_draw_from_a_failed_document_is_kept_as_it_was(keep_questions: bool) -> None:
    docs = _with_error(documents(), "coursera-rnn", keep_questions)
    versions, diags = _draw(TWO_EXAMS, docs)
    # Drawn without coursera-rnn the choice exam would shrink to its other choice question; it is not drawn.
    assert {v.slug for v in versions} == {"quiz-only-A"}
    kept = [d for d in diags if d.code == "exam-kept"]
    assert [(d.file, d.line, d.severity) for d in kept] == [("seeds/exams.toml", 1, "warning")]
    assert "exam 'choice'" in kept[0].message and "seeds/coursera-rnn.md" in kept[0].message
    assert "previous PDFs are kept" in kept[0].message


def test_an_exam_restricted_to_other_documents_still_builds() -> None:
    docs = _with_error(documents(), "dl-book-ch10")
    text = TWO_EXAMS.replace('kind = ["single_choice", "multi_choice"]',
                             'kind = ["single_choice", "multi_choice"]\ndocument = ["coursera-rnn", "rnn-quiz"]')
    versions, diags = _draw(text, docs)
    assert {v.slug for v in versions} == {"choice-A", "choice-B", "quiz-only-A"}
    assert diags == []
    by_id = _draw('[[exam]]\nname = "one"\nseed = 1\n[[exam.draw]]\nid = ["rnn-quiz/q02"]\n', docs)
    assert [v.slug for v in by_id[0]] == ["one-A"] and by_id[1] == []


# --- the time allowed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, printed", [
    ('"45 minutes"', "45 minutes"), ('" 1 hour 30 minutes "', "1 hour 30 minutes"), ("50", "50 minutes"), (None, "")])
def test_time_allowed_is_text_or_minutes(value: str | None, printed: str) -> None:
    line = "" if value is None else f"time = {value}\n"
    definitions, diags = parse_definitions(f'[[exam]]\nname = "w"\nseed = 1\n{line}[[exam.draw]]\nkind = "open"\n',
                                           "seeds/exams.toml")
    assert diags == [] and definitions[0].time == printed


@pytest.mark.parametrize("value", ["true", "0", "-5", "45.5", "[45]", "100000"])
def test_a_bad_time_allowed_names_its_line(value: str) -> None:
    text = f'[[exam]]\nname = "w"\nseed = 1\ntime = {value}\n[[exam.draw]]\nkind = "open"\n'
    versions, diags = _draw(text)
    assert versions == []
    assert [(d.line, d.code) for d in diags] == [(4, "exam-bad-value")]
    assert "key 'time'" in diags[0].message and "minutes" in diags[0].message


def test_shipped_exams_say_how_long_they_take() -> None:
    definitions, _ = read_definitions(Path("seeds/exams.toml"))
    assert all(d.time.endswith("minutes") for d in definitions)
