"""A `[layout]` pin in a document's overlay fixes a part of the layout the reader got wrong: here a document
with one question whose correct option is set apart only by backticks, too little for the reader to learn the
mark on its own."""
from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.build import load_document

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pinned" / "backtick-once.md"
PROMPTS = FIXTURE.with_name("prompts-under-parts.md")


def _copy(tmp_path: Path, overlay: str | None, fixture: Path = FIXTURE) -> Path:
    """The fixture copied to tmp_path, with `overlay` as its overlay when given."""
    doc = tmp_path / fixture.name
    shutil.copy(fixture, doc)
    if overlay is not None:
        doc.with_suffix(".fixes.toml").write_text(overlay, encoding="utf-8")
    return doc


def read(path: Path):  # noqa: ANN201 - the document as the build reads it: its overlay's pins applied
    return load_document(path, compute=False)


def _codes(doc) -> set[str]:  # noqa: ANN001
    return {d.code for d in doc.diagnostics} | {d.code for q in doc.questions for d in q.diagnostics}


def test_unpinned_the_single_mark_is_not_learned(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, None))
    assert not any(c.correct for c in doc.questions[0].choices)
    assert {"choice-unmarked", "options-unread"} & _codes(doc)


def test_a_pin_names_the_mark_and_the_option_is_marked(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\ncorrect = "emphasis"\n'))
    q = doc.questions[0]
    assert [c.text for c in q.choices] == ["Gold", "Iron", "Platinum"]
    assert [c.correct for c in q.choices] == [False, True, False]
    assert "choice-unmarked" not in _codes(doc)


def test_a_pin_that_explains_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '# pins\n[layout]\ncorrect = "symbol-before ✅"\n'))
    unused = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert len(unused) == 1 and unused[0].severity == "error"
    assert unused[0].file.endswith("backtick-once.fixes.toml") and unused[0].line == 3


def test_a_pin_naming_no_known_mark_is_an_error(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\ncorrect = "sparkles"\n'))
    unused = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert unused and "emphasis" in unused[0].message and unused[0].line == 2


def test_unpinned_prompts_under_part_headings_are_read_as_listed_questions(tmp_path: Path) -> None:
    # each numbered prompt holds its answer: a list of questions under a part heading, pinned or not
    doc = read(_copy(tmp_path, None, PROMPTS))
    assert [(q.stem, q.answer) for q in doc.questions][:2] == [("Peru", "Lima"), ("Kenya", "Nairobi")]
    assert len(doc.questions) == 6 and "no-questions" not in _codes(doc)


def test_a_questions_pin_reads_each_numbered_item_as_a_question(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\nquestions = "numbered items"\n', PROMPTS))
    assert [(q.stem, q.answer) for q in doc.questions] == [
        ("Peru", "Lima"), ("Kenya", "Nairobi"), ("Norway", "Oslo"),
        ("Chile", "Santiago"), ("Ghana", "Accra"), ("Nepal", "Kathmandu")]
    assert "layout-pin-unused" not in _codes(doc)


def test_a_questions_pin_that_starts_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '# pinned\n[layout]\nquestions = "bold labels"\n', PROMPTS))
    found = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert [(Path(d.file).name, d.line) for d in found] == [("prompts-under-parts.fixes.toml", 3)]


def test_an_unknown_question_start_is_an_error_that_names_the_known_ones(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\nquestions = "chapters"\n', PROMPTS))
    (found,) = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert found.line == 2 and "headings" in found.message and "numbered items" in found.message


CHECKLIST = FIXTURE.with_name("checklist-over-options.md")


def test_unpinned_a_checklist_in_the_stem_is_taken_for_the_options(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, None, CHECKLIST))
    assert len(doc.questions) == 4  # each checklist read as a question's options, its real options as another's


def test_an_options_pin_takes_only_that_kind_of_options(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\noptions = "lettered lines"\n', CHECKLIST))
    bread, tea = doc.questions
    assert [c.text for c in bread.choices] == ["bake the loaf", "knead the dough", "slice the loaf"]
    assert [c.correct for c in bread.choices] == [False, True, False]
    assert [c.correct for c in tea.choices] == [True, False, False]
    assert "- [x] mix the flour and water" in bread.stem  # the checklist stays the stem's text
    assert "layout-pin-unused" not in _codes(doc)


def test_an_options_pin_that_no_question_has_is_an_error_at_its_line(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '# pins\n\n[layout]\noptions = "radio buttons"\n', CHECKLIST))
    found = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert [(Path(d.file).name, d.line, d.severity) for d in found] == [("checklist-over-options.fixes.toml", 4, "error")]


def test_an_unknown_options_kind_is_an_error_that_names_the_known_ones(tmp_path: Path) -> None:
    doc = read(_copy(tmp_path, '[layout]\noptions = "bubbles"\n', CHECKLIST))
    (found,) = [d for d in doc.diagnostics if d.code == "layout-pin-unused"]
    assert "lettered lines" in found.message and "task list" in found.message and found.line == 2
