"""Answer sheets and grading: sheets rendered by the real driver, filled in as students do, distorted as
scanners do, read back and scored."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scans import STYLES, distort, expected_points, fill, rendered, student_styles
from exam_fixtures import versions_of
from pipeline.select.definitions import parse_definitions
from pipeline.grading.batch import load_layouts
from pipeline.grading.scan import Problem, read_page
from pipeline.grading.score import Marks, points_for, score_question
from pipeline.render.exam.papers import write_exams
from pipeline.render.exam.sheet_layout import PAGE_MM, SheetQuestion, layout, score_steps

ROOT = Path(__file__).resolve().parent.parent

DEFINITION = """
[[exam]]
name = "graded"
title = "Sheet test"
date = "2025-01-02"
versions = 2
seed = 7
sheet = true
multi = "partial"
penalty = 0.5
points = 1
points_by_kind = { multi_choice = 2, numeric = 2, open = 2.5 }

[[exam.draw]]
kind = ["single_choice", "multi_choice", "numeric", "open"]
answered = true
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(folder of PDFs and layouts, versions by letter, layouts by (exam, letter))."""
    out = tmp_path_factory.mktemp("exams")
    versions = versions_of(DEFINITION)
    diags = write_exams(versions, out, workers=1)
    assert not [d for d in diags if d.severity == "error"], diags
    return out, {v.letter: v for v in versions}, load_layouts(out)


def test_definitions_read_sheet_multi_and_penalty_and_report_bad_values():
    text = DEFINITION.replace('multi = "partial"', 'multi = "most"')
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    assert definitions == []
    assert [str(d) for d in diags] == [
        "seeds/exams.toml:9: error[exam-bad-value]: key 'multi': must be one of 'all-or-nothing', 'partial', "
        "not 'most'"]
    definitions, diags = parse_definitions(DEFINITION, "x.toml")
    assert diags == [] and definitions[0].sheet and definitions[0].multi == "partial"
    assert definitions[0].penalty == 0.5
    plain, _ = parse_definitions(DEFINITION.replace("sheet = true\n", ""), "x.toml")
    assert not plain[0].sheet and plain[0].multi == "partial"


def test_each_version_prints_a_sheet_after_its_paper_alone_and_filled_in_its_key(built):
    out, versions, layouts = built
    for letter in versions:
        assert (out / f"graded-{letter}-sheet.pdf").exists() and (out / f"graded-{letter}-sheet.json").exists()
        sheet = rendered(str(out / f"graded-{letter}-sheet.pdf"), 1, 60)
        import pypdfium2

        paper = pypdfium2.PdfDocument(str(out / f"graded-{letter}.pdf"))
        last = paper[len(paper) - 1].render(scale=60 / 72, grayscale=True).to_numpy()
        assert np.array_equal(last if last.ndim == 2 else last[:, :, 0], sheet)


def test_the_layout_gives_each_question_its_row_with_the_versions_letters(built):
    _, versions, layouts = built
    for letter, version in versions.items():
        sheet = layouts[("graded", letter)]
        assert [q.number for q in sheet.questions] == [item.number for item in version.items]
        for item, q in zip(version.items, sheet.questions):
            values = [b.value for b in sheet.boxes if b.group == f"q{q.number}"]
            if item.choices:
                assert values == list("ABCDEFGH"[:len(item.choices)])
                assert q.correct == item.correct_letters
            else:
                assert values == list(score_steps(item)) and values[0] == "0"
                assert float(values[-1]) == item.points
        width, height = PAGE_MM[sheet.paper]
        boxes = sheet.boxes
        for i, a in enumerate(boxes):
            assert 18 < a.x and a.x + a.size < width - 18 and 30 < a.y and a.y + a.size < height - 18
            for b in boxes[i + 1:]:
                if a.page == b.page:
                    assert a.x + a.size <= b.x or b.x + b.size <= a.x or a.y + a.size <= b.y or b.y + b.size <= a.y
    open_item = next(item for item in versions["A"].items if item.question.kind == "open")
    assert score_steps(open_item) == ("0", "0.5", "1", "1.5", "2", "2.5")  # 2.5 points: halves
    assert layout(versions["A"]) == layouts[("graded", "A")]  # the JSON beside the PDF is the layout


def test_the_keys_last_page_reads_as_every_answer_right(built):
    out, versions, layouts = built
    import pypdfium2

    for letter in versions:
        key = pypdfium2.PdfDocument(str(out / f"graded-{letter}-key.pdf"))
        image = np.squeeze(key[len(key) - 1].render(scale=200 / 72, grayscale=True).to_numpy())
        reading = read_page(image, layouts, "key.pdf", len(key))
        assert not isinstance(reading, Problem), reading
        sheet = layouts[("graded", letter)]
        for q in sheet.questions:
            filled, doubtful = reading.marks(sheet, f"q{q.number}")
            assert doubtful == []
            assert filled == (list(q.correct) if q.kind != "score" else [q.steps[-1]])
            assert score_question(q, Marks(tuple(filled)), sheet.multi, sheet.penalty).points == q.points


def test_partial_and_all_or_nothing_rules():
    q = SheetQuestion(number=1, qid="x", kind="multi", points=2, letters=tuple("ABCD"), correct=("A", "C"))
    assert points_for(q, ["A", "C"], "partial", 0.5) == 2
    assert points_for(q, ["A"], "partial", 0.5) == 1
    assert points_for(q, ["A", "B"], "partial", 0.5) == 0.5  # 1 for A, half of that off for B
    assert points_for(q, ["B", "D"], "partial", 0.5) == 0  # never below nothing
    assert points_for(q, ["A"], "all-or-nothing", 0.5) == 0
    single = SheetQuestion(number=2, qid="y", kind="choice", points=1, letters=tuple("ABC"), correct=("B",))
    assert points_for(single, ["B"], "partial", 0.5) == 1 and points_for(single, ["B", "C"], "partial", 0.5) == 0
    written = SheetQuestion(number=3, qid="z", kind="score", points=2.5, steps=("0", "0.5", "1", "1.5", "2", "2.5"))
    assert score_question(written, Marks(("1.5",)), "partial", 0.5).points == 1.5
    assert score_question(written, Marks(()), "partial", 0.5).points is None  # not graded yet: review
    assert score_question(written, Marks(("1", "2")), "partial", 0.5).points is None


def test_distorted_scans_read_every_box_and_score_as_drawn(built):
    """Pages at 150 to 300 dpi, every fill style, rotated, scaled, tilted, blurred, noisy, JPEG at quality
    50, some upside down: every code read, every box right, the scores those of the marks drawn."""
    out, versions, layouts = built
    rng = random.Random(2024)
    boxes = wrong = 0
    styles_seen = set()
    for k in range(8):
        letter = "AB"[k % 2]
        sheet = layouts[("graded", letter)]
        student = f"{rng.randrange(10**5, 10**8)}"
        styles = student_styles(sheet, 1, student, rng)
        dpi = (150, 200, 300)[k % 3]
        image = distort(fill(str(out / f"graded-{letter}-sheet.pdf"), sheet, 1, styles, dpi, rng), rng,
                        upside_down=k % 4 == 1)
        reading = read_page(image, layouts, "scan.pdf", k + 1)
        assert not isinstance(reading, Problem), reading
        assert (reading.exam, reading.version, reading.sheet_page) == ("graded", letter, 1)
        for i, box in reading.boxes.items():
            style = styles.get(i, "blank")
            styles_seen.add(style)
            boxes += 1
            wrong += box.state != STYLES[style]
        assert reading.student(sheet) == student
        for q in sheet.questions:
            group = f"q{q.number}"
            drawn = {sheet.boxes[i].value: s for i, s in styles.items() if sheet.boxes[i].group == group}
            filled, doubtful = reading.marks(sheet, group)
            got = score_question(q, Marks(tuple(filled), tuple(doubtful)), sheet.multi, sheet.penalty).points
            assert got == pytest.approx(expected_points(q, drawn, sheet.multi, sheet.penalty)) if got is not None \
                else expected_points(q, drawn, sheet.multi, sheet.penalty) is None
    assert styles_seen == set(STYLES)
    assert boxes >= 300 and wrong == 0


def test_a_page_that_is_no_sheet_is_reported(built):
    _, _, layouts = built
    blank = np.full((2339, 1654), 250, np.uint8)
    problem = read_page(blank, layouts, "scan.pdf", 4)
    assert isinstance(problem, Problem) and problem.code == "grade-unreadable" and problem.page == 4


def _scan_pdf(path: Path, images: list[np.ndarray]) -> None:
    from PIL import Image

    pages = [Image.fromarray(im) for im in images]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=200)


def _grade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "grade", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_grade_command_batches_review_and_resolve(built, tmp_path):
    out, versions, layouts = built
    rng = random.Random(5)
    students = {"1001": "A", "1002": "B", "1003": "A"}
    drawn = {}
    images = []
    for student, letter in students.items():
        sheet = layouts[("graded", letter)]
        styles = student_styles(sheet, 1, student, rng, mix=("solid", "tick", "cross"))
        if student == "1003":  # one crossed-out box: that question waits for the teacher
            q = next(q for q in sheet.questions if q.kind == "choice")
            index = next(i for i, b in enumerate(sheet.boxes) if b.group == f"q{q.number}")
            styles = {i: s for i, s in styles.items() if sheet.boxes[i].group != f"q{q.number}"}
            styles[index] = "crossed-out"
            review_q = q.number
        drawn[student] = styles
        images.append(distort(fill(str(out / f"graded-{letter}-sheet.pdf"), sheet, 1, styles, 200, rng), rng,
                              upside_down=student == "1002"))
    _scan_pdf(tmp_path / "batch1.pdf", [images[1], images[0]])
    (tmp_path / "phone.jpg").write_bytes(cv2.imencode(".jpg", images[2])[1].tobytes())
    (tmp_path / "notes.txt").write_text("not a scan")
    grades = tmp_path / "grades"
    run = _grade(str(tmp_path / "batch1.pdf"), str(tmp_path / "notes.txt"), "--out", str(grades),
                 "--sheets", str(out))
    assert run.returncode == 1  # the text file is reported, by file
    assert f"{(tmp_path / 'notes.txt').as_posix()}: error[grade-unreadable]: page 1: neither a PDF" in run.stderr
    csv_text = (grades / "graded.csv").read_text()
    rows = {line.split(",")[0]: line.split(",") for line in csv_text.splitlines()[1:]}
    assert set(rows) == {"1001", "1002"}
    for student in ("1001", "1002"):
        sheet = layouts[("graded", students[student])]
        total = 0.0
        final = True
        for q in sheet.questions:
            group = f"q{q.number}"
            marks = {sheet.boxes[i].value: s for i, s in drawn[student].items() if sheet.boxes[i].group == group}
            points = expected_points(q, marks, sheet.multi, sheet.penalty)
            final = final and points is not None
            total += points or 0
        assert rows[student][1] == students[student]
        assert rows[student][2] == (f"{total:g}" if final else "review")
        assert rows[student][3] == f"{sheet.max_points:g}"
    header = csv_text.splitlines()[0].split(",")
    assert header[:6] == ["student", "version", "total", "max", "q1", "q1_points"]
    assert (grades / "graded" / "1001.pdf").read_bytes().startswith(b"%PDF")
    assert "question,number_A,number_B,option" in (grades / "graded-items.csv").read_text()
    first = {p: p.read_bytes() for p in grades.rglob("*") if p.is_file()}

    # the same scans again: nothing changes
    run = _grade(str(tmp_path / "batch1.pdf"), "--out", str(grades), "--sheets", str(out))
    assert run.returncode == 0, run.stderr
    assert {p: p.read_bytes() for p in grades.rglob("*") if p.is_file()} == first

    # a second batch adds a student; the graded ones stay as they were
    run = _grade(str(tmp_path / "phone.jpg"), "--out", str(grades), "--sheets", str(out))
    assert run.returncode == 0, run.stderr
    lines = (grades / "graded.csv").read_text().splitlines()
    assert [line for line in lines if not line.startswith("1003")] == csv_text.splitlines()
    row = next(line for line in lines if line.startswith("1003")).split(",")
    assert row[2] == "review" and row[4 + 2 * (review_q - 1)] == "?"
    assert "1003" in (grades / "graded-review.html").read_text()
    assert f"question = {review_q}" in (grades / "graded-review.toml").read_text()

    # a rescan of a graded student's page is reported and left out
    again = distort(fill(str(out / "graded-A-sheet.pdf"), layouts[("graded", "A")], 1, drawn["1001"], 150, rng), rng)
    (tmp_path / "rescan.png").write_bytes(cv2.imencode(".png", again)[1].tobytes())
    before = (grades / "graded.csv").read_text()
    run = _grade(str(tmp_path / "rescan.png"), "--out", str(grades), "--sheets", str(out))
    assert "warning[grade-duplicate]: page 1: student 1001's sheet page 1 was already read" in run.stderr
    assert (grades / "graded.csv").read_text() == before

    # the teacher's decision closes the review item
    sheet = layouts[("graded", "A")]
    q = next(q for q in sheet.questions if q.number == review_q)
    decisions = tmp_path / "decisions.toml"
    decisions.write_text(f'[[decision]]\nstudent = "1003"\nquestion = {review_q}\nmarked = "{q.correct[0]}"\n')
    run = _grade(str(tmp_path / "phone.jpg"), "--out", str(grades), "--sheets", str(out), "--resolve",
                 str(decisions))
    assert run.returncode == 0, run.stderr
    row = next(line for line in (grades / "graded.csv").read_text().splitlines() if line.startswith("1003"))
    cells = row.split(",")
    assert cells[4 + 2 * (review_q - 1)] == q.correct[0] and cells[5 + 2 * (review_q - 1)] == f"{q.points:g}"


@pytest.fixture(scope="module")
def long_sheet(tmp_path_factory):
    """A 60-question version, whose sheet takes two pages: (folder with its sheet PDF and layout, layout)."""
    import dataclasses

    from exam_fixtures import bank
    from pipeline.render.exam.pdf import html_to_pdf
    from pipeline.render.exam.sheet import sheet_html

    single = next(q for q in bank() if q.kind == "single_choice")
    questions = [dataclasses.replace(single, id=f"{single.id}-{k}") for k in range(60)]
    (version,) = versions_of(DEFINITION.replace("versions = 2", "versions = 1").replace('name = "graded"',
                                                                                        'name = "long"'), questions)
    sheet = layout(version)
    out = tmp_path_factory.mktemp("long")
    (out / "long-A-sheet.pdf").write_bytes(html_to_pdf(sheet_html(sheet))[0])
    (out / "long-A-sheet.json").write_text(sheet.to_json())
    return out, sheet


def test_a_long_sheet_takes_pages_each_with_its_code_and_id_grid(long_sheet):
    out, sheet = long_sheet
    assert sheet.pages == 2
    for page in (1, 2):
        assert sum(1 for b in sheet.boxes if b.page == page and b.group.startswith("id")) == 80
    numbers = {b.page: set() for b in sheet.boxes}
    for b in sheet.boxes:
        if b.group.startswith("q"):
            numbers[b.page].add(int(b.group[1:]))
    assert numbers[1] | numbers[2] == set(range(1, 61)) and max(numbers[1]) < min(numbers[2])
    reading = read_page(rendered(str(out / "long-A-sheet.pdf"), 2, 150), load_layouts(out), "s.pdf", 1)
    assert (reading.exam, reading.version, reading.sheet_page) == ("long", "A", 2)


def test_a_missing_page_keeps_its_questions_in_review(long_sheet, tmp_path):
    out, sheet = long_sheet
    rng = random.Random(11)
    styles = student_styles(sheet, 2, "4242", rng, mix=("solid",))
    image = distort(fill(str(out / "long-A-sheet.pdf"), sheet, 2, styles, 200, rng), rng)
    (tmp_path / "page2.png").write_bytes(cv2.imencode(".png", image)[1].tobytes())
    run = _grade(str(tmp_path / "page2.png"), "--out", str(tmp_path / "g"), "--sheets", str(out))
    assert "warning[grade-missing-page]: student 4242 (version A): sheet page 1 of 2 was not scanned" in run.stderr
    row = (tmp_path / "g" / "long.csv").read_text().splitlines()[1].split(",")
    first_on_page_2 = min(int(b.group[1:]) for b in sheet.boxes if b.page == 2 and b.group.startswith("q"))
    assert row[2] == "review"
    assert row[4:6] == ["?", "review"]  # question 1 sits on the page not scanned
    drawn = {sheet.boxes[i].value for i in styles if sheet.boxes[i].group == f"q{first_on_page_2}"}
    assert row[4 + 2 * (first_on_page_2 - 1)] == "+".join(sorted(drawn))


def test_a_code_no_layout_holds_is_reported(built):
    out, _, layouts = built
    only_a = {key: value for key, value in layouts.items() if key[1] == "A"}
    problem = read_page(rendered(str(out / "graded-B-sheet.pdf"), 1, 150), only_a, "scan.pdf", 2)
    assert isinstance(problem, Problem) and problem.code == "grade-unknown-code"
    assert "exam 'graded' version B page 1" in problem.message


def test_a_bad_decision_is_reported_with_its_line(tmp_path):
    from pipeline.grading.batch import read_decisions

    path = tmp_path / "d.toml"
    path.write_text('[[decision]]\nstudent = "1"\nquestion = 2\nmarked = "B"\n\n[[decision]]\nstudent = "2"\n')
    decisions, diags = read_decisions(path)
    assert [(d.student, d.question, d.marked) for d in decisions] == [("1", 2, "B")]
    assert [(d.line, d.code) for d in diags] == [(6, "grade-resolve-bad")]


def test_grades_kept_from_earlier_batches_are_never_lost(built, tmp_path):
    from pipeline.grading.batch import grade_scans

    out, _, layouts = built
    rng = random.Random(3)
    sheet = layouts[("graded", "A")]
    image = distort(fill(str(out / "graded-A-sheet.pdf"), sheet, 1, student_styles(sheet, 1, "77", rng), 200, rng), rng)
    scan = tmp_path / "scan.png"
    scan.write_bytes(cv2.imencode(".png", image)[1].tobytes())
    grades = tmp_path / "grades"
    results, diags = grade_scans([scan], grades, out)
    assert [g.student for g in results[0].grades] == ["77"] and not diags
    kept = grades / "graded-pages.json"
    kept.write_text(kept.read_text()[:-20])  # a truncated file
    broken = kept.read_bytes()
    results, diags = grade_scans([scan], grades, out)
    assert results == [] and [d.code for d in diags] == ["grade-state-unreadable", "grade-state-unreadable"]
    assert kept.read_bytes() == broken  # left for the teacher to restore, not replaced by an empty batch
