"""Exam papers and keys read back from the PDFs: the right questions, letters, math and metadata."""
from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_fixtures import bank, versions_of
from pipeline.cache import Store
from pipeline.definitions import ExamDefinition
from pipeline.exams import shuffle_version
from pipeline.model import Choice, Computed, Question, SourceSpan
from pipeline.render import exam as exam_mod
from pipeline.render.exam import exam_html, key_html, write_exams
from pipeline.render.pdf import html_to_pdf

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

DEFINITIONS = """\
# a small choice exam in two versions and a one-version written exam
[[exam]]
name = "choice"
title = "RNN Choice Test"
course = "Sequence Models"
date = "2025-06-16"
paper = "A4"
versions = 2
seed = 11
instructions = "Fill in **one** circle; tick every box where asked to *select all that apply*."
points_by_kind = { multi_choice = 2, numeric = 3 }

[[exam.draw]]
kind = ["single_choice", "multi_choice", "numeric"]

[[exam]]
name = "written"
title = "RNN Written Exam"
course = "Sequence Models"
date = "2025-06-23"
paper = "Letter"
seed = 11
points = 5

[[exam.draw]]
kind = "open"
"""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=None)
def _pdf_text_cached(path: Path, mtime_ns: int) -> str:
    return _norm(" ".join(page.extract_text() for page in PdfReader(path).pages))


def _pdf_text(path: Path) -> str:
    return _pdf_text_cached(path, path.stat().st_mtime_ns)


def _fragment(markdown: str, words: int = 7) -> str:
    """The plain words a question opens with, before any math or emphasis."""
    plain = re.split(r"[$*]", markdown, maxsplit=1)[0]
    return _norm(" ".join(_norm(plain).split(" ")[:words]))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("exams")
    out = base / "out"
    versions = versions_of(DEFINITIONS)
    diags = write_exams(versions, out, store=Store(base / "cache"), templates_dir=TEMPLATES, workers=2)
    return {"base": base, "store": Store(base / "cache"), "out": out, "diags": diags,
            "versions": {v.slug: v for v in versions}}


def test_writes_every_version_and_key(built: dict) -> None:
    names = sorted(p.name for p in built["out"].glob("*.pdf"))
    assert names == ["choice-A-key.pdf", "choice-A.pdf", "choice-B-key.pdf", "choice-B.pdf",
                     "written-A-key.pdf", "written-A.pdf"]
    assert built["diags"] == []  # no definition problems, no unrenderable math, no WeasyPrint warnings


def test_every_selected_stem_is_printed(built: dict) -> None:
    for slug, version in built["versions"].items():
        text = _pdf_text(built["out"] / f"{slug}.pdf")
        key = _pdf_text(built["out"] / f"{slug}-key.pdf")
        for item in version.items:
            assert _fragment(item.question.stem) in text, (slug, item.question.id)
            assert _fragment(item.question.stem) in key, (slug, item.question.id)
    choice_ids = {i.question.id for i in built["versions"]["choice-A"].items}
    assert choice_ids == {q.id for q in bank() if q.kind != "open"}


def test_no_raw_tex_reaches_the_page(built: dict) -> None:
    for pdf in built["out"].glob("*.pdf"):
        text = _pdf_text(pdf)
        assert "$" not in text, pdf.name
        for tex in ("\\frac", "\\Gamma", "\\tilde", "\\mathbb", "\\boldsymbol", "^{", "_{"):
            assert tex not in text, (pdf.name, tex)
        assert not re.search(r"\\[A-Za-z]+", text), pdf.name


def test_versions_hold_the_same_questions_in_a_different_order(built: dict) -> None:
    orders = {}
    for letter in "AB":
        version = built["versions"][f"choice-{letter}"]
        text = _pdf_text(built["out"] / f"choice-{letter}.pdf")
        positions = {item.question.id: text.index(_fragment(item.question.stem)) for item in version.items}
        orders[letter] = sorted(positions, key=positions.get)
        # the printed order is the version's own numbering
        assert orders[letter] == [item.question.id for item in version.items]
    assert sorted(orders["A"]) == sorted(orders["B"])
    assert orders["A"] != orders["B"]
    options = {letter: [tuple(c.text for c in i.choices)
                        for i in sorted(built["versions"][f"choice-{letter}"].items, key=lambda i: i.question.id)]
               for letter in "AB"}
    assert options["A"] != options["B"]


def _key_grid(text: str) -> dict[int, str]:
    grid = text.split("points in total", 1)[1]
    return {int(n): a.replace(" ", "") for n, a in
            re.findall(r"(\d+)\. ([A-H](?:, [A-H])*|\d+|written|none given)(?= \d+\. | \d+ points?)", grid)}


def test_key_letters_are_the_shuffled_positions_of_the_correct_options(built: dict) -> None:
    checked_on_paper = 0
    for letter in "AB":
        version = built["versions"][f"choice-{letter}"]
        paper = _pdf_text(built["out"] / f"choice-{letter}.pdf")
        grid = _key_grid(_pdf_text(built["out"] / f"choice-{letter}-key.pdf"))
        assert len(grid) == len(version.items)
        for item in version.items:
            q = item.question
            if q.kind == "numeric":
                assert grid[item.number] == "20362"
                continue
            expected = sorted("ABCDEFGH"[k] for k, c in enumerate(item.choices) if c.correct)
            # independent of the model: the letter printed beside each correct option on the paper
            printed = []
            for choice in q.choices:
                if choice.correct and "$" not in choice.text:
                    m = re.search(re.escape(_norm(choice.text)) + r" ?([A-H])\b", paper)
                    assert m, (letter, q.id, choice.text)
                    printed.append(m.group(1))
            if len(printed) == len(expected):
                assert sorted(printed) == expected, (letter, q.id)
                checked_on_paper += 1
            assert grid[item.number] == ",".join(expected), (letter, q.id)
            original = sorted("ABCDEFGH"[item.order.index(i)] for i, c in enumerate(q.choices) if c.correct)
            assert original == expected
    assert checked_on_paper == 4  # q03 and q07 in each version; the other correct options are math images


def test_key_shows_answers_breakdown_source_and_unanswered(built: dict) -> None:
    key = _pdf_text(built["out"] / "choice-A-key.pdf")
    for figure in ("20362", "2560", "16384", "1280"):
        assert figure in key
    assert "Agrees with the document's value 20362" in key
    assert "seeds/rnn-exercises.md:28" in key and "seeds/coursera-rnn.md:8" in key
    assert "It is appropriate when every input should be matched to an output." in key
    written = _pdf_text(built["out"] / "written-A-key.pdf")
    assert "Unanswered: the source document gives no answer" in written
    assert "regularization penalizes high values" in written


def test_paper_layout_facts(built: dict) -> None:
    reader = PdfReader(built["out"] / "choice-B.pdf")
    assert reader.metadata.title == "RNN Choice Test (Version B)"
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        text = _norm(page.extract_text())
        assert f"Page {i} of {n}" in text
        assert "RNN Choice Test · Version B" in text
    text = _pdf_text(built["out"] / "choice-B.pdf")
    assert "Name" in text and "Student ID" in text
    assert "Select all that apply." in text
    assert "Figure not available" in text and "the RNN architecture referred to" in text
    total = sum(i.points for i in built["versions"]["choice-B"].items)
    assert f"{len(built['versions']['choice-B'].items)} questions · {total:g} points in total" in text
    written = _pdf_text(built["out"] / "written-A.pdf")
    assert "Figure 1: Traditional RNN architecture (figure not included in the source)" in written
    letter = PdfReader(built["out"] / "written-A.pdf").pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    a4 = reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_open_answer_space_follows_the_reference_answer_length() -> None:
    by_id = {q.id: q for q in bank()}
    short = exam_mod.answer_lines(by_id["rnn-quiz/q02"])
    long = exam_mod.answer_lines(by_id["rnn-interview/q04"])
    unanswered = exam_mod.answer_lines(by_id["dl-book-ch10/10.2.1"])
    assert 3 <= short < long
    assert unanswered == 6
    assert exam_mod.answer_lines(by_id["coursera-rnn/q01"]) == 0


def test_weasyprint_logs_no_warnings(built: dict, caplog: pytest.LogCaptureFixture) -> None:
    version = built["versions"]["choice-A"]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        for html in (exam_html(version, built["store"], TEMPLATES), key_html(version, built["store"], TEMPLATES)):
            _, warnings = html_to_pdf(html)
            assert warnings == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_same_definitions_and_seed_give_identical_bytes(built: dict, tmp_path: Path) -> None:
    again = tmp_path / "again"  # an empty cache: every formula typeset and every page rendered again
    assert write_exams(versions_of(DEFINITIONS), again, store=Store(tmp_path / "cache"), templates_dir=TEMPLATES,
                       workers=2) == []
    for pdf in built["out"].glob("*.pdf"):
        assert (again / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def test_exam_html_is_self_contained(built: dict) -> None:
    html = exam_html(built["versions"]["choice-B"], None, TEMPLATES)
    assert "<style>" in html and "@page" in html and 'size: A4' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<link" not in html and "http" not in html.split("<body>")[1].split("data:")[0]


def test_text_angle_brackets_stay_text() -> None:
    q = Question(id="coursera-rnn/q01", document="coursera-rnn", number="1", kind="single_choice",
                 stem="Which refers to the word?", source=SourceSpan("seeds/coursera-rnn.md", 8, 16),
                 choices=(Choice("(i)<j>", False), Choice("x(j)<i>", True)))
    version = _single_version([q])
    html = exam_html(version, None, TEMPLATES)
    assert "(i)&lt;j&gt;" in html and "<j>" not in html
    pdf, warnings = html_to_pdf(html)
    assert warnings == []


def test_key_reports_a_disagreeing_document_value() -> None:
    q = [q for q in bank() if q.kind == "numeric"][0]
    wrong = q.with_(computed=(Computed(quantity="parameter total", value="20362", method="reference",
                                       document_value="20352", agrees=False, line=52),))
    html = key_html(_single_version([wrong]), None, TEMPLATES)
    assert "The document states 20352 (line 52), which differs from the computed value 20362." in html


def _single_version(questions: list[Question]):
    definition = ExamDefinition(name="t", title="T", course="", date="", instructions="", paper="A4",
                                versions=1, seed="1", points=1.0)
    return shuffle_version(definition, [(q, 1.0) for q in questions], "A")
