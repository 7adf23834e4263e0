"""Exam papers and keys read back from the PDFs: the right questions, letters, math and metadata."""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_fixtures import MARGIN_MM, bank, emptiness, page_images, rubric_blocks, versions_of
from pipeline.files.cache import Store
from pipeline.select.definitions import ExamDefinition, parse_definitions
from pipeline.select.versions import format_points, select_versions, shuffle_version
from pipeline.model import Choice, Computed, Question, SourceSpan
from pipeline.render.exam import page as exam_page
from pipeline.render.exam.page import exam_html, key_html
from pipeline.render.exam.papers import write_exams
from pipeline.render.exam.pdf import html_to_pdf
from pipeline.render.rubric import rubric

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

DEFINITIONS = """\
# a small choice exam in two versions and a one-version written exam
[[exam]]
name = "choice"
title = "RNN Choice Test"
course = "Sequence Models"
date = "2025-06-16"
time = "45 minutes"
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
time = 60
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


def _key_grid(text: str, version) -> dict[int, str]:
    """The grid at the top of the key: what stands between the totals and the first question."""
    grid = text.split("points in total", 1)[1].split(_fragment(version.items[0].question.stem), 1)[0]
    return {int(n): a.replace(" ", "") for n, a in
            re.findall(r"(\d+)\. ([A-H](?:, [A-H])*|\d+|written|none given)(?= \d+\. | *$)", grid)}


def test_key_letters_are_the_shuffled_positions_of_the_correct_options(built: dict) -> None:
    checked_on_paper = 0
    for letter in "AB":
        version = built["versions"][f"choice-{letter}"]
        paper = _pdf_text(built["out"] / f"choice-{letter}.pdf")
        grid = _key_grid(_pdf_text(built["out"] / f"choice-{letter}-key.pdf"), version)
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
    assert "Agrees with the document's value" not in key  # the maintainer's check, not the teacher's
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
    # The stem asks "(Check all that apply)." itself: the paper adds no second "Select all that apply."
    assert "Check all that apply" in text and "Select all that apply." not in text
    # The supplied diagram is drawn, its labels text; no notice stands in for it.
    assert "Figure not available" not in text and "ŷ <4>" in text
    total = sum(i.points for i in built["versions"]["choice-B"].items)
    assert f"{len(built['versions']['choice-B'].items)} questions · {total:g} points in total" in text
    written = _pdf_text(built["out"] / "written-A.pdf")
    assert "Figure 1: Traditional RNN architecture" not in written and "ŷ <4>" in written
    letter = PdfReader(built["out"] / "written-A.pdf").pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    a4 = reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def _rules_per_question(html: str) -> dict[int, int]:
    sections = re.findall(r'<section class="question[^"]*" id="q(\d+)">(.*?)</section>', html, re.S)
    return {int(n): body.count('class="rule"') for n, body in sections}


def test_answer_space_follows_points_not_the_reference_answer() -> None:
    by_id = {q.id: q for q in bank()}
    # Two written answers of very different length, and an unanswered question: the same points, the
    # same room; more points, more room.
    short, long, unanswered = by_id["rnn-quiz/q02"], by_id["rnn-interview/q04"], by_id["dl-book-ch10/10.2.1"]
    assert len(long.answer) > 3 * len(short.answer) and not unanswered.answer
    definition = ExamDefinition(name="t", title="T", course="", date="", instructions="", paper="A4",
                                versions=1, seed="1", points=1.0, shuffle_questions=False)
    pairs = [(short, 5.0), (long, 5.0), (unanswered, 5.0), (by_id["rnn-quiz/q05"], 2.0),
             (by_id["rnn-exercises/task1-q1"], 2.0), (by_id["coursera-rnn/q01"], 5.0), (by_id["rnn-quiz/q05"], 40.0)]
    lines = {}
    for q, pts in pairs:
        html = exam_html(shuffle_version(definition, [(q, pts)], "A"), None, TEMPLATES)
        lines[(q.id, pts)] = _rules_per_question(html)[1]
    assert lines[(short.id, 5.0)] == lines[(long.id, 5.0)] == lines[(unanswered.id, 5.0)] == 15  # 3 a point
    assert lines[("rnn-quiz/q05", 2.0)] == lines[("rnn-exercises/task1-q1", 2.0)] == 6  # numeric: working lines
    assert lines[("coursera-rnn/q01", 5.0)] == 0  # answered on its options
    assert lines[("rnn-quiz/q05", 40.0)] == exam_page.MAX_LINES  # what fits on a page beside the question


def test_first_page_holds_the_grading_table_and_the_time(built: dict) -> None:
    for slug, version in built["versions"].items():
        first = _norm(PdfReader(built["out"] / f"{slug}.pdf").pages[0].extract_text())
        numbers = " ".join(str(item.number) for item in version.items)
        points = " ".join(format_points(item.points) for item in version.items)
        assert f"Question {numbers} Total" in first, slug
        assert f"Points {points} {format_points(version.total_points)}" in first, slug
        assert "Score" in first
        assert ("Time allowed: 45 minutes" if slug.startswith("choice") else "Time allowed: 60 minutes") in first
        stem = _fragment(version.items[0].question.stem)
        assert first.index("Student ID") < first.index("Question 1") < first.index(stem)


def test_a_long_exams_grading_table_runs_over_even_rows() -> None:
    from bench.synthetic import synthetic_bank

    text = ('[[exam]]\nname = "long"\ntitle = "Long"\ntime = 75\nseed = 1\n'
            '[[exam.draw]]\nkind = ["single_choice", "multi_choice"]\ncount = 30\n')
    definitions, _ = parse_definitions(text, "seeds/exams.toml")
    version = select_versions(synthetic_bank(120, seed=2), definitions)[0][0]
    pdf, warnings = html_to_pdf(exam_html(version, None, TEMPLATES))
    first = _norm(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert warnings == [] and "Time allowed: 75 minutes" in first
    for start in (1, 11, 21):
        assert "Question " + " ".join(str(n) for n in range(start, start + 10)) in first
    assert "30 Total Points" in first and f"{format_points(version.total_points)} Score" in first


def test_key_rubrics_add_up_to_each_items_points(built: dict) -> None:
    seen = 0
    for slug, version in built["versions"].items():
        key = "\n".join(page.extract_text() for page in PdfReader(built["out"] / f"{slug}-key.pdf").pages)
        expected = [item.points for item in version.items if rubric(item.question, item.points)]
        blocks = rubric_blocks(key)
        assert [total for _, total in blocks] == expected, slug
        for criteria, total in blocks:
            assert criteria and abs(sum(criteria) - total) < 1e-9, (slug, criteria, total)
            seen += 1
    assert seen == 2 + 3  # the numeric item in each choice version; the written exam's three answered questions


def test_numeric_rubric_gives_each_part_of_the_breakdown_its_share(built: dict) -> None:
    key = _pdf_text(built["out"] / "choice-A-key.pdf")
    rubric_text = key.split(" Rubric ", 1)[1].split("Total", 1)[0]
    numeric = next(q for q in bank() if q.kind == "numeric")
    parts = numeric.computed[0].breakdown
    share = 3 / len(parts)  # the exam gives numeric items 3 points
    for part in parts:
        assert re.search(rf"\b{part.value} {share:g} pt\b", rubric_text), (part.value, rubric_text)
    assert re.search(r"Total 20362 3 points", key)


def test_written_rubric_is_the_reference_answer_itself(built: dict) -> None:
    key = _pdf_text(built["out"] / "written-A-key.pdf")
    q04 = next(q for q in bank() if q.id == "rnn-interview/q04")
    blocks = re.findall(r"Reference answer and rubric (.*?) Total 5 points", key)
    block = next(b for b in blocks if b.startswith("An RNN layer must have"))
    # Its three sentences, in order, word for word, each with its share of the 5 points, and nothing else.
    assert [float(x) for x in re.findall(r" (\d+(?:\.\d+)?) pt\b", block)] == [1.7, 1.7, 1.6]
    assert re.sub(r" \d+(?:\.\d+)? pt\b", "", block) == _norm(q04.answer.replace("*", ""))


def test_no_page_but_the_last_is_more_than_two_thirds_empty(built: dict) -> None:
    for pdf in sorted(built["out"].glob("*.pdf")):
        pages = emptiness(pdf)
        assert all(share <= 2 / 3 for share in pages[:-1]), (pdf.name, [round(s, 2) for s in pages])


def test_a_long_title_wraps_inside_the_page(tmp_path: Path) -> None:
    title = ("Recurrent Neural Networks, Long Short-Term Memory and Gated Recurrent Units: a Midterm Examination "
             "for the Course on Sequence Models with "
             "Backpropagation_Through_Time_and_Truncated_Gradients_Included_in_Full "
             "and Everything Else")
    q = next(q for q in bank() if q.id == "coursera-rnn/q07")
    definition = ExamDefinition(name="t", title=title, course="Sequence Models", date="", instructions="",
                                paper="A4", versions=1, seed="1", points=1.0, time="2 hours")
    version = shuffle_version(definition, [(q, 1.0)], "A")
    for name, page in (("paper", exam_html), ("key", key_html)):
        pdf, warnings = html_to_pdf(page(version, None, TEMPLATES))
        assert warnings == []
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        first = PdfReader(tmp_path / f"{name}.pdf").pages[0]
        text = _norm(first.extract_text())
        for word in title.split():  # every word printed, though the longest is cut across lines
            assert word in text.replace(" ", ""), (name, word)
        image = page_images(tmp_path / f"{name}.pdf", dpi=100)[0]
        mm = 100 / 25.4
        # No ink in either side margin (the title neither runs off the page nor under the version box).
        assert image[:, :round(MARGIN_MM["left"] * mm) - 2].min() > 200, name
        assert image[:, image.shape[1] - round(MARGIN_MM["right"] * mm) + 2:].min() > 200, name
        footer = text.split("Page 1 of")[0]
        assert "... · Version A" in footer  # the footer shortens the title (… read back as ...)


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
