"""The shipped exam definitions over the five documents, built by the real driver and read back with pypdf."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_fixtures import emptiness, rubric_blocks
from pipeline.select.versions import format_points
from pipeline.render.rubric import rubric

ROOT = Path(__file__).resolve().parent.parent
TEX_LEFT = re.compile(r"\$|\\frac|\\Gamma|\\tilde|\\hat|\\boldsymbol|\\mathbb|\^\{|_\{")


@pytest.fixture(scope="module")
def built(built_exams) -> Path:
    folder, reported = built_exams
    assert "exam-" not in reported and "math-unrenderable" not in reported, reported
    return folder


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def words(markdown: str, n: int = 6) -> str:
    """The first words of a stem that are plain text (no math, no Markdown), as pypdf reads them back."""
    plain = re.split(r"\$", markdown.split("\n\n")[0])[0]
    plain = re.sub(r"[*_`#]", "", plain)
    return " ".join(plain.split()[:n])


def squash(text: str) -> str:
    # NFKC turns the PDF's ligatures (ﬁ) back into letters.
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).replace("\u2019", "'"))


def test_every_exam_and_key_is_written(built, versions):
    names = sorted(p.name for p in built.glob("*.pdf"))
    sheets = [f"{s}-sheet.pdf" for s, v in versions.items() if v.exam.sheet]
    assert names == sorted([f"{s}.pdf" for s in versions] + [f"{s}-key.pdf" for s in versions] + sheets)
    assert sheets == ["choice-A-sheet.pdf", "choice-B-sheet.pdf"]  # the shipped choice exam prints sheets
    assert {"choice-A", "choice-B", "written-A"} <= set(versions)


def test_every_drawn_question_is_on_the_paper_with_no_raw_tex(built, versions):
    for slug, version in versions.items():
        text = squash(pdf_text(built / f"{slug}.pdf"))
        for item in version.items:
            start = words(item.question.stem)
            if len(start.split()) >= 3:
                assert squash(start) in text, f"{slug}: {item.question.id} “{start}” not found"
        assert not TEX_LEFT.search(text), f"{slug}: TeX left: {TEX_LEFT.search(text).group(0)!r}"


def test_versions_hold_the_same_questions_in_another_order(versions):
    a = [i.question.id for i in versions["choice-A"].items]
    b = [i.question.id for i in versions["choice-B"].items]
    assert sorted(a) == sorted(b) and a != b


def test_key_grid_gives_the_shuffled_letters_of_the_correct_options(built, versions):
    for slug in ("choice-A", "choice-B"):
        version = versions[slug]
        key = squash(pdf_text(built / f"{slug}-key.pdf"))
        for item in version.items:
            if item.question.choices:
                letters = ", ".join(item.correct_letters)
                assert re.search(rf"\b{item.number}\.\s*{re.escape(letters)}\b", key), (slug, item.number, letters)
        (numeric,) = [i for i in version.items if i.question.id == "rnn-exercises/task1-q1"]
        value = numeric.question.computed[0].value  # this version's own sizes give their own total
        assert value != "20362" and f"Total {value}" in key and "20362" not in key


def test_the_papers_title_metadata_is_set(built):
    meta = PdfReader(built / "choice-A.pdf").metadata
    assert meta.title and "Multiple-Choice" in meta.title


def test_first_page_holds_the_grading_table_and_the_time_allowed(built, versions):
    for slug, version in versions.items():
        first = squash(PdfReader(built / f"{slug}.pdf").pages[0].extract_text())
        numbers = " ".join(str(i.number) for i in version.items)
        points = " ".join(format_points(i.points) for i in version.items)
        assert f"Question {numbers} Total" in first, slug
        assert f"Points {points} {format_points(version.total_points)}" in first, slug
        assert f"Time allowed: {version.exam.time}" in first and version.exam.time


def test_every_numeric_and_written_item_has_a_rubric_that_adds_up(built, versions):
    for slug, version in versions.items():
        blocks = rubric_blocks(pdf_text(built / f"{slug}-key.pdf"))
        graded = [i for i in version.items if not i.question.choices]
        assert all(rubric(i.question, i.points) for i in graded), slug
        assert [total for _, total in blocks] == [i.points for i in graded], slug
        for criteria, total in blocks:
            assert abs(sum(criteria) - total) < 1e-9, (slug, criteria)


def test_no_page_but_the_last_is_more_than_two_thirds_empty(built):
    for pdf in sorted(built.glob("*.pdf")):
        pages = emptiness(pdf)
        assert all(share <= 2 / 3 for share in pages[:-1]), (pdf.name, [round(s, 2) for s in pages])
