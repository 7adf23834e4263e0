"""`python -m pipeline grade`: scans in, grades out, batch after batch.

Every page read is kept in build/grades/<exam>-pages.json (with the page, mapped onto its layout, as a
PNG): a second batch adds its pages to those, a page already read (the same pixels) is not read again,
and a second scan of a graded student's page is reported and left out, so graded students never change
but by the teacher's decisions (`--resolve`). The CSV, item analysis, review list and annotated sheets
are then made from all the pages kept, the same every time for the same pages and decisions."""
from __future__ import annotations

import json
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from pipeline.grading.kept import Page, Result
from pipeline.grading.scan import PageReading, Problem, read_file
from pipeline.grading.report import write_outputs
from pipeline.grading.score import Marks, grade
from pipeline.model import Diagnostic
from pipeline.render.exam.sheet_layout import SheetLayout


@dataclass
class Decision:
    """A teacher's decision from the --resolve file."""
    student: str
    question: int | None = None  # the question decided (with `marked`)
    marked: str | None = None  # "B", "A+C", "" for none; or a written question's points, "1.5"
    page: str | None = None  # a page's digest (as the review list shows): this page is `student`'s
    line: int = 0
    file: str = ""


def load_layouts(folder: Path, exam: str | None = None) -> dict[tuple[str, str], SheetLayout]:
    layouts = {}
    for path in sorted(Path(folder).glob("*-sheet.json")):
        try:
            layout = SheetLayout.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if exam is None or layout.exam == exam:
            layouts[(layout.exam, layout.version)] = layout
    return layouts


def read_decisions(path: Path) -> tuple[list[Decision], list[Diagnostic]]:
    where = path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        return [], [Diagnostic(where, 0, "error", "grade-resolve-bad", f"cannot read it ({exc.strerror or exc})")]
    except tomllib.TOMLDecodeError as exc:
        return [], [Diagnostic(where, 0, "error", "grade-resolve-bad", f"not valid TOML: {exc}")]
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[decision]]"]
    decisions, diags = [], []
    raw = data.get("decision", [])
    if not isinstance(raw, list):
        raw = []
    for k, d in enumerate(raw):
        line = lines[k] if k < len(lines) else 0
        ok = isinstance(d, dict) and isinstance(d.get("student"), str) and (
            (isinstance(d.get("question"), int) and isinstance(d.get("marked"), (str, int, float))
             and not isinstance(d.get("marked"), bool)) or isinstance(d.get("page"), str))
        if not ok:
            diags.append(Diagnostic(where, line, "error", "grade-resolve-bad",
                                    "a [[decision]] needs student and either question and marked (\"B\", \"A+C\", "
                                    "\"\" for none, or a written question's points) or page (a page's code from "
                                    "the review list)"))
            continue
        marked = d.get("marked")
        decisions.append(Decision(student=d["student"], question=d.get("question"), line=line, page=d.get("page"),
                                  file=where,
                                  marked=None if marked is None else str(marked)))
    return decisions, diags


def _page_record(reading: PageReading, layout: SheetLayout) -> Page:
    return Page(file=reading.file, page=reading.page, exam=reading.exam, version=reading.version,
                sheet_page=reading.sheet_page, digest=reading.digest, student=reading.student(layout),
                states={i: b.state for i, b in reading.boxes.items() if b.state != "empty"},
                layout=layout.fingerprint)


def grade_scans(scans: Sequence[Path], out: Path, sheets: Path, exam: str | None = None,
                resolve: Path | None = None, workers: int = 2) -> tuple[list[Result], list[Diagnostic]]:
    """Read the scans (on `workers` processes), add their pages to those kept in `out`, and write every
    exam's outputs there."""

    diags: list[Diagnostic] = []
    layouts = load_layouts(sheets)
    if not layouts:
        return [], [Diagnostic(Path(sheets).as_posix(), 0, "error", "grade-no-sheets",
                               "holds no answer sheet layouts (*-sheet.json): build the exams first, with "
                               "`sheet = true` in exams.toml")]
    if exam is not None and not any(e == exam for e, _ in layouts):
        return [], [Diagnostic(Path(sheets).as_posix(), 0, "error", "grade-no-sheets",
                               f"holds no answer sheet of exam '{exam}'")]
    decisions: list[Decision] = []
    if resolve is not None:
        decisions, found = read_decisions(resolve)
        diags += found
    kept: dict[str, list[Page]] = {}
    for name in sorted({e for e, _ in layouts}):
        pages, problem = _load_kept(out, name, layouts)
        if problem is not None:
            diags.append(problem)  # that exam is not graded: its kept pages must not be overwritten
        else:
            kept[name] = pages
    known = {p.digest for pages in kept.values() for p in pages}
    images: dict[str, np.ndarray] = {}
    touched: set[str] = set()
    for path, readings in zip(scans, _read_all(scans, layouts, workers)):
        where = Path(path).as_posix()
        for reading in readings:
            page = reading.page
            if isinstance(reading, Problem):
                diags.append(Diagnostic(where, 0, "error", reading.code, f"page {reading.page}: {reading.message}"))
                continue
            if exam is not None and reading.exam != exam:
                diags.append(Diagnostic(where, 0, "warning", "grade-other-exam",
                                        f"page {page}: a sheet of exam '{reading.exam}', not graded with --exam {exam}"))
                continue
            if reading.exam not in kept:
                diags.append(Diagnostic(where, 0, "error", "grade-state-unreadable",
                                        f"page {page}: exam '{reading.exam}' is not graded (see above)"))
                continue
            if reading.digest in known:
                continue  # read in an earlier batch (or twice in this one): nothing changes
            layout = layouts[(reading.exam, reading.version)]
            record = _page_record(reading, layout)
            same = [p for p in kept[reading.exam] if p.student and p.student == record.student
                    and p.sheet_page == record.sheet_page]
            if same:
                diags.append(Diagnostic(where, 0, "warning", "grade-duplicate",
                                        f"page {page}: student {record.student}'s sheet page {record.sheet_page} "
                                        f"was already read from {same[0].file} page {same[0].page}; this scan is "
                                        f"left out (the first one counts)"))
                continue
            if record.student is None:
                diags.append(Diagnostic(where, 0, "warning", "grade-no-student",
                                        f"page {page}: the student id cannot be read; the page waits in the review "
                                        f"list as {record.who}"))
            kept[reading.exam].append(record)
            known.add(record.digest)
            images[record.digest] = reading.image
            touched.add(reading.exam)
    results = []
    for name, pages in kept.items():
        if exam is not None and name != exam:
            continue
        if not pages:
            continue
        version_layouts = {v: l for (e, v), l in layouts.items() if e == name}
        result, found = _grade_exam(name, pages, version_layouts, [d for d in decisions])
        result.new_pages = sum(1 for p in pages if p.digest in images)
        diags += found
        diags += write_outputs(result, version_layouts, out, images)
        results.append(result)
    return results, diags


def _read_all(scans: Sequence[Path], layouts: dict[tuple[str, str], SheetLayout], workers: int
              ) -> list[list[PageReading | Problem]]:
    """Each file's pages read, in page order; a PDF's pages shared among `workers` processes."""
    jobs = [(Path(path), k) for path in scans
            for k in range(workers if Path(path).suffix.lower() == ".pdf" else 1)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(read_file, [p for p, _ in jobs], [layouts] * len(jobs),
                                  [(k, workers if p.suffix.lower() == ".pdf" else 1) for p, k in jobs]))
    else:
        parts = [read_file(p, layouts, (k, workers if p.suffix.lower() == ".pdf" else 1)) for p, k in jobs]
    out = []
    for path in scans:
        readings = [r for (p, _), part in zip(jobs, parts) if p == Path(path) for r in part]
        out.append(sorted(readings, key=lambda r: r.page))
    return out


def _load_kept(out: Path, exam: str, layouts: dict[tuple[str, str], SheetLayout]
               ) -> tuple[list[Page], Diagnostic | None]:
    """The pages earlier batches read; a file that cannot be read, or pages read against another layout
    than the one built now (the exam was changed and built again), stop that exam's grading rather than
    lose or misread what was graded."""
    path = Path(out) / f"{exam}-pages.json"
    if not path.exists():
        return [], None
    try:
        pages = [Page.from_json(p) for p in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return [], Diagnostic(path.as_posix(), 0, "error", "grade-state-unreadable",
                              f"the pages graded before cannot be read ({type(exc).__name__}); exam '{exam}' "
                              f"is not graded until it is restored or removed")
    for p in pages:
        layout = layouts.get((p.exam, p.version))
        if layout is None or p.layout != layout.fingerprint:
            return [], Diagnostic(path.as_posix(), 0, "error", "grade-state-unreadable",
                                  f"{p.file} page {p.page} was read against another layout of exam '{exam}' "
                                  f"version {p.version} than the one built now; grade into another --out "
                                  f"folder, or build the exam as it was")
    return pages, None


def _grade_exam(name: str, pages: list[Page], layouts: dict[str, SheetLayout], decisions: Iterable[Decision]
                ) -> tuple[Result, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    owners = {d.page: d.student for d in decisions if d.page}
    for p in pages:
        for digest, student in owners.items():
            if p.student is None and p.digest.startswith(digest):
                p.student = student
    pages.sort(key=lambda p: (p.who, p.version, p.sheet_page, p.digest))
    by_student: dict[str, list[Page]] = {}
    for p in pages:
        by_student.setdefault(p.who, []).append(p)
    decided = {(d.student, d.question): d for d in decisions if d.question is not None}
    result = Result(exam=name, pages=pages)
    for student, own in by_student.items():
        versions = sorted({p.version for p in own})
        if len(versions) > 1:
            diags.append(Diagnostic(own[0].file, 0, "error", "grade-mixed-versions",
                                    f"student {student} has sheets of versions {', '.join(versions)}; graded as "
                                    f"version {versions[0]}, correct the id on the other sheet"))
        layout = layouts[versions[0]]
        have = {p.sheet_page: p for p in own if p.version == versions[0]}
        for missing in sorted(set(range(1, layout.pages + 1)) - set(have)):
            diags.append(Diagnostic(own[0].file, 0, "warning", "grade-missing-page",
                                    f"student {student} (version {versions[0]}): sheet page {missing} of "
                                    f"{layout.pages} was not scanned"))
        marks: dict[int, Marks] = {}
        for q in layout.questions:
            group = f"q{q.number}"
            indices = [i for i, b in enumerate(layout.boxes) if b.group == group]
            page = layout.boxes[indices[0]].page if indices else 1
            if page not in have:
                marks[q.number] = Marks(missing=True)
                continue
            states = have[page].states
            filled = tuple(layout.boxes[i].value for i in indices if states.get(i) == "filled")
            doubtful = tuple(layout.boxes[i].value for i in indices if states.get(i) == "doubtful")
            marks[q.number] = Marks(filled=filled, doubtful=doubtful)
            d = decided.get((student, q.number))
            if d is not None:
                chosen = tuple(v for v in d.marked.replace(",", "+").split("+") if v.strip()) if d.marked else ()
                chosen = tuple(v.strip().upper() if q.kind != "score" else _points_text(v) for v in chosen)
                values = q.steps if q.kind == "score" else q.letters
                if any(v not in values for v in chosen):
                    diags.append(Diagnostic(d.file, d.line, "error", "grade-resolve-bad",
                                            f"student {student} question {q.number}: '{d.marked}' is not among "
                                            f"its boxes ({', '.join(values)})"))
                else:
                    marks[q.number] = Marks(filled=tuple(v for v in values if v in chosen), resolved=True)
        for number, m in marks.items():
            result.marks[(student, number)] = m
        result.grades.append(grade(layout, student, marks))
    return result, diags


def _points_text(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value.strip()
    return str(int(number)) if number.is_integer() else f"{number:g}"


__all__ = ["Decision", "grade_scans", "load_layouts", "read_decisions"]
