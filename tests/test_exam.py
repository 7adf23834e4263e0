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

from exam_fixtures import bank
from pipeline.exams import exam_versions, load_definitions, select_questions
from pipeline.model import Choice, Computed, Question, SourceSpan
from pipeline.render import exam as exam_mod
from pipeline.render.exam import exam_html, html_to_pdf, key_html, version_html, write_exams

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
    definitions = base / "exams.toml"
    definitions.write_text(DEFINITIONS, encoding="utf-8")
    out = base / "out"
    diags = write_exams(bank(), definitions, out, base / "cache", TEMPLATES, workers=2)
    versions, _ = exam_versions(bank(), definitions)
    return {"base": base, "definitions": definitions, "out": out, "diags": diags,
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
        for html in (exam_html(version, built["base"] / "cache", TEMPLATES),
                     key_html(version, built["base"] / "cache", TEMPLATES)):
            _, warnings = html_to_pdf(html)
            assert warnings == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_same_definitions_and_seed_give_identical_bytes(built: dict, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert write_exams(bank(), built["definitions"], again, tmp_path / "cache", TEMPLATES, workers=1) == []
    for pdf in built["out"].glob("*.pdf"):
        assert (again / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def test_exam_html_is_self_contained(built: dict) -> None:
    html = version_html(bank(), built["definitions"], "choice", "B", None, TEMPLATES)
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
    from pipeline.exams import ExamDefinition, shuffle_version
    definition = ExamDefinition(name="t", title="T", course="", date="", instructions="", paper="A4",
                                versions=1, seed="1", points=1.0)
    return shuffle_version(definition, [(q, 1.0) for q in questions], "A")


# --- definitions -----------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exams.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_shipped_definitions_are_valid() -> None:
    definitions, diags = load_definitions(ROOT / "seeds" / "exams.toml", "seeds/exams.toml")
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


def test_bad_definitions_name_file_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD)
    versions, diags = exam_versions(bank(), path, "seeds/exams.toml")
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


def test_unknown_question_id_names_its_line(tmp_path: Path) -> None:
    text = BAD.replace('paper = "A5"\n', "").replace('colour = "blue"\n', "")
    path = _write(tmp_path, text)
    versions, diags = exam_versions(bank(), path, "seeds/exams.toml")
    unknown = [d for d in diags if d.code == "exam-unknown-question"]
    assert len(unknown) == 1 and unknown[0].line == _line_of(text, "q99")
    assert "coursera-rnn/q99" in unknown[0].message and "key 'id'" in unknown[0].message
    assert "choice" not in {v.exam.name for v in versions}


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[exam]]\nname = "x"\nseed = \n')
    definitions, diags = load_definitions(path)
    assert definitions == [] and diags[0].code == "exam-syntax" and diags[0].line == 3


def test_random_draw_is_reproducible_and_the_same_in_every_version(tmp_path: Path) -> None:
    text = '[[exam]]\nname = "w"\nversions = 3\nseed = 5\n[[exam.draw]]\nkind = "open"\ncount = 2\n'
    path = _write(tmp_path, text)
    first, _ = exam_versions(bank(), path)
    second, _ = exam_versions(bank(), path)
    ids = [sorted(i.question.id for i in v.items) for v in first]
    assert ids[0] == ids[1] == ids[2]
    assert [[i.question.id for i in v.items] for v in first] == [[i.question.id for i in v.items] for v in second]
    definitions, _ = load_definitions(path)
    picks = {tuple(q.id for q, _ in select_questions(replace(definitions[0], seed=str(seed)), bank())[0])
             for seed in range(12)}
    assert len(picks) > 1  # the seed really chooses


# --- failure leaves the last good output -----------------------------------------------------------------


def test_failed_render_leaves_previous_pdfs_intact(built: dict, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    shutil.copytree(built["out"], out)
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    real = exam_mod.html_to_pdf

    def flaky(html: str):
        if "Version B" in html and "Answer Key" in html:
            raise RuntimeError("disk on fire")
        return real(html)

    monkeypatch.setattr(exam_mod, "html_to_pdf", flaky)
    changed = built["definitions"].read_text(encoding="utf-8").replace('title = "RNN Choice Test"',
                                                                       'title = "RNN Choice Test, resit"')
    definitions = _write(tmp_path, changed)
    diags = write_exams(bank(), definitions, out, tmp_path / "cache", TEMPLATES, workers=1)
    failed = [d for d in diags if d.code == "exam-render-failed"]
    assert len(failed) == 1 and "choice" in failed[0].message and "disk on fire" in failed[0].message
    assert failed[0].line == _line_of(changed, "[[exam]]")
    for name in ("choice-A.pdf", "choice-A-key.pdf", "choice-B.pdf", "choice-B-key.pdf"):
        assert (out / name).read_bytes() == before[name], name  # version A rendered but was not half-swapped in
    assert not list(out.glob(".*.tmp"))


def test_draw_rules_by_document_section_tag_id_and_points(tmp_path: Path) -> None:
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
    path = _write(tmp_path, text)
    definitions, diags = load_definitions(path)
    assert diags == []
    selected, diags = select_questions(definitions[0], bank())
    assert diags == []
    points = {q.id: p for q, p in selected}
    assert points["coursera-rnn/q07"] == 3  # the rule's own points win
    assert points["coursera-rnn/q01"] == 1  # tag "notation"
    assert points["rnn-exercises/task1-q1"] == 1  # section "Task 1", matched case-insensitively
    assert points["rnn-quiz/q02"] == points["rnn-quiz/q05"] == 4  # points_by_kind for open questions
    # the random rule draws from what earlier rules left: two of q02, q04, q08
    rest = set(points) - {"coursera-rnn/q07", "coursera-rnn/q01", "rnn-exercises/task1-q1", "rnn-quiz/q02",
                          "rnn-quiz/q05"}
    assert len(rest) == 2 and rest <= {"coursera-rnn/q02", "coursera-rnn/q04", "coursera-rnn/q08"}


# --- the rendered-PDF cache --------------------------------------------------------------------------------


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = exam_mod.html_to_pdf

    def counted(html: str):
        rendered.append(re.search(r"<title>(.*?)</title>", html).group(1))
        return real(html)

    monkeypatch.setattr(exam_mod, "html_to_pdf", counted)
    return rendered


def test_pdf_cache_gives_a_page_rendered_before_without_rendering_it(built: dict, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "pdf"
    first = tmp_path / "first"
    assert write_exams(bank(), built["definitions"], first, tmp_path / "math", TEMPLATES, workers=1,
                       pdf_cache=cache) == []
    assert len(list(cache.glob("*.pdf"))) == 6
    rendered = _counting(monkeypatch)
    second = tmp_path / "second"  # e.g. build/exams deleted, or a second checkout sharing the cache
    assert write_exams(bank(), built["definitions"], second, tmp_path / "math", TEMPLATES, workers=1,
                       pdf_cache=cache) == []
    assert rendered == []
    for pdf in first.glob("*.pdf"):
        assert (second / pdf.name).read_bytes() == pdf.read_bytes() == (built["out"] / pdf.name).read_bytes()


def test_pdf_cache_renders_exactly_the_pages_that_changed(built: dict, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "pdf"
    out = tmp_path / "out"
    write_exams(bank(), built["definitions"], out, tmp_path / "math", TEMPLATES, workers=1, pdf_cache=cache)
    changed = _write(tmp_path, built["definitions"].read_text(encoding="utf-8").replace(
        'title = "RNN Choice Test"', 'title = "RNN Choice Test, resit"'))
    rendered = _counting(monkeypatch)
    shutil.rmtree(out)
    assert write_exams(bank(), changed, out, tmp_path / "math", TEMPLATES, workers=1, pdf_cache=cache) == []
    assert sorted(rendered) == ["RNN Choice Test, resit (Version A)", "RNN Choice Test, resit (Version A): Answer Key",
                                "RNN Choice Test, resit (Version B)", "RNN Choice Test, resit (Version B): Answer Key"]
    assert "RNN Choice Test, resit" in _pdf_text(out / "choice-A.pdf")
    # Back to the first title: every page was rendered before, so nothing is rendered.
    rendered.clear()
    shutil.rmtree(out)
    write_exams(bank(), built["definitions"], out, tmp_path / "math", TEMPLATES, workers=1, pdf_cache=cache)
    assert rendered == []
    assert (out / "choice-A.pdf").read_bytes() == (built["out"] / "choice-A.pdf").read_bytes()


def test_damaged_pdf_cache_entry_is_rendered_again(built: dict, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "pdf"
    write_exams(bank(), built["definitions"], tmp_path / "a", tmp_path / "math", TEMPLATES, workers=1,
                pdf_cache=cache)
    for entry in cache.glob("*.pdf"):
        entry.write_bytes(entry.read_bytes()[:1000])  # cut short, e.g. by a full disk
    rendered = _counting(monkeypatch)
    assert write_exams(bank(), built["definitions"], tmp_path / "b", tmp_path / "math", TEMPLATES, workers=1,
                       pdf_cache=cache) == []
    assert len(rendered) == 6
    assert (tmp_path / "b" / "choice-A.pdf").read_bytes() == (built["out"] / "choice-A.pdf").read_bytes()


def test_render_workers_share_the_typesetting_and_get_every_formula_right(tmp_path: Path) -> None:
    from pipeline.render import mathsvg

    formulas = exam_mod._formulas(list(exam_versions(bank(), _write(tmp_path, DEFINITIONS))[0]))
    assert len(formulas) > 20
    with exam_mod.RenderWorkers(2, tmp_path / "math") as workers:
        workers.typeset(formulas, tmp_path / "math")
        assert sorted(p.name for p in (tmp_path / "math" / "fonts").glob("*.ttf")) == sorted(
            p.name for p in mathsvg.math_font_files(tmp_path / "math" / "fonts").values())
    entries = {p.stem for p in (tmp_path / "math").rglob("*.json")}
    assert entries == {mathsvg.cache_key(latex, display, exam_mod.MATH_SIZE_PT) for latex, display in formulas}
    for latex, display in formulas[::7]:  # what the workers wrote is what this process would typeset
        key = mathsvg.cache_key(latex, display, exam_mod.MATH_SIZE_PT)
        written = mathsvg._read_cache(next((tmp_path / "math").rglob(f"{key}.json")))
        assert written == mathsvg._render(latex, display, exam_mod.MATH_SIZE_PT, key)
