"""Grades -> the files a teacher reads: build/grades/<exam>.csv (scores), <exam>-items.csv (item analysis),
<exam>-review.html and <exam>-review.toml (the boxes to look at, and a file to write the decisions in),
and <exam>/<student>.pdf (the student's sheet with the correct boxes and their marks circled)."""
from __future__ import annotations

import base64
import csv
import html
import io
import time
from pathlib import Path

import cv2
import numpy as np

from pipeline.select.versions import format_points
from pipeline.files.atomic import read_or_none, write_changed
from pipeline.grading.kept import Page, Result, png, save_kept
from pipeline.grading.scan import PX_PER_MM
from pipeline.grading.score import Grade, item_analysis
from pipeline.model import Diagnostic
from pipeline.render.exam.sheet import key_marks
from pipeline.render.exam.sheet_layout import SheetLayout

CROP_MARGIN = 4.0  # mm around a doubtful box in the review list


def write_outputs(result: Result, layouts: dict[str, SheetLayout], out: Path, images: dict[str, np.ndarray]
                  ) -> list[Diagnostic]:
    out = Path(out)
    folder = out / result.exam
    files: dict[Path, bytes] = {}
    files |= {folder / "pages" / f"{digest}.png": png(image) for digest, image in images.items()}
    files |= save_kept(out, result.exam, result.pages)
    files[out / f"{result.exam}.csv"] = scores_csv(result, layouts).encode("utf-8")
    files[out / f"{result.exam}-items.csv"] = items_csv(result, layouts).encode("utf-8")

    def page_image(p: Page) -> np.ndarray | None:
        if p.digest in images:
            return images[p.digest]
        data = read_or_none(folder / "pages" / f"{p.digest}.png")
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE) if data else None

    review_html, review_toml = review(result, layouts, page_image)
    files[out / f"{result.exam}-review.html"] = review_html.encode("utf-8")
    files[out / f"{result.exam}-review.toml"] = review_toml.encode("utf-8")
    for g in result.grades:
        own = [p for p in result.pages if p.who == g.student and p.version == g.version]
        pictures = [(p, page_image(p)) for p in own]
        data = annotated_pdf(g, layouts[g.version], [(p, im) for p, im in pictures if im is not None])
        if data:
            files[folder / f"{_safe(g.student)}.pdf"] = data
    try:
        write_changed(files)
    except OSError as exc:
        return [Diagnostic(Path(exc.filename or out).as_posix(), 0, "error", "write-failed",
                           f"cannot write the grades of exam '{result.exam}' ({exc.strerror or exc})")]
    return []


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "unknown"


def _number(value: float | None) -> str:
    return "review" if value is None else format_points(value)


def scores_csv(result: Result, layouts: dict[str, SheetLayout]) -> str:
    count = max((len(layout.questions) for layout in layouts.values()), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "version", "total", "max"]
                    + [c for n in range(1, count + 1) for c in (f"q{n}", f"q{n}_points")])
    for g in result.grades:
        row = [g.student, g.version, _number(g.total), format_points(g.max_points)]
        for s in g.questions:
            row += [s.answer, _number(s.points)]
        writer.writerow(row)
    return buffer.getvalue()


def items_csv(result: Result, layouts: dict[str, SheetLayout]) -> str:
    by_version = {v: layout for v, layout in layouts.items()}
    rows = item_analysis(by_version, result.grades, result.marks)
    numbers = {v: {q.qid: q.number for q in layout.questions} for v, layout in layouts.items()}
    letters = {v: {q.qid: q for q in layout.questions} for v, layout in layouts.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    versions = sorted(layouts)
    writer.writerow(["question", *[f"number_{v}" for v in versions], "option", *[f"letter_{v}" for v in versions],
                     "correct", "chosen", "share", "students"])
    for r in rows:
        printed = []
        for v in versions:
            q = letters[v].get(r.qid)
            printed.append(q.letters[q.options.index(r.option)] if q and r.option >= 0 else "")
        share = f"{r.chosen / r.students:.2f}" if r.students else ""
        writer.writerow([r.qid, *[numbers[v].get(r.qid, "") for v in versions], r.text, *printed,
                         "yes" if r.correct else "", r.chosen, share, r.students])
    return buffer.getvalue()


def review(result: Result, layouts: dict[str, SheetLayout], page_image) -> tuple[str, str]:  # noqa: ANN001
    """The open review items as an HTML page with a crop of each doubtful box, and a TOML file listing them
    as decisions to fill in and pass to --resolve."""
    items = []
    toml = ["# Decisions for `python -m pipeline grade ... --resolve THIS-FILE`: fill in `marked` (the letters",
            "# meant, \"A+C\" for two, \"\" for none; for a written question its points) and uncomment.", ""]
    for g in result.grades:
        layout = layouts[g.version]
        own = {p.sheet_page: p for p in result.pages if p.who == g.student and p.version == g.version}
        for s in g.questions:
            if s.points is not None:
                continue
            group = f"q{s.question}"
            boxes = [b for b in layout.boxes if b.group == group]
            crop = ""
            page = own.get(boxes[0].page) if boxes else None
            image = page_image(page) if page else None
            if image is not None and boxes:
                crop = _crop(image, boxes)
            first = page.file + f" page {page.page}" if page else "not scanned"
            picture = f'<img src="data:image/png;base64,{crop}" alt="the boxes">' if crop else ""
            items.append(f"<tr><td>{html.escape(g.student)}</td><td>{g.version}</td><td>{s.question}</td>"
                         f"<td>{html.escape(s.review)}</td><td>{html.escape(first)}</td>"
                         f"<td>{picture}</td></tr>")
            toml += ["# " + f"{g.student}, version {g.version}, question {s.question}: {s.review}",
                     "# [[decision]]", f"# student = \"{g.student}\"", f"# question = {s.question}",
                     "# marked = \"\"", ""]
    for p in result.pages:
        if p.student is None:
            items.append(f"<tr><td>?</td><td>{p.version}</td><td></td><td>student id unreadable: whose page is "
                         f"{p.digest[:8]}?</td><td>{html.escape(p.file)} page {p.page}</td><td></td></tr>")
            toml += [f"# {p.file} page {p.page}: the student id cannot be read", "# [[decision]]",
                     "# student = \"\"", f"# page = \"{p.digest[:8]}\"", ""]
    body = "\n".join(items) or "<tr><td colspan=6>Nothing to review: every grade is final.</td></tr>"
    page = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Review: {result.exam}</title>"
            "<style>body{font-family:sans-serif}td,th{border:1px solid #999;padding:4px}"
            "table{border-collapse:collapse}</style></head><body>"
            f"<h1>Review: {html.escape(result.exam)}</h1><p>{len(items)} item(s). A grade is final when its "
            "review items are resolved (see the .toml beside this page).</p><table><tr><th>student</th>"
            "<th>version</th><th>question</th><th>why</th><th>scan</th><th>boxes</th></tr>"
            f"{body}</table></body></html>\n")
    return page, "\n".join(toml) + "\n"


def _crop(image: np.ndarray, boxes) -> str:  # noqa: ANN001
    s = PX_PER_MM
    x0 = min(b.x for b in boxes) - CROP_MARGIN - 12.0
    y0 = min(b.y for b in boxes) - CROP_MARGIN
    x1 = max(b.x + b.size for b in boxes) + CROP_MARGIN
    y1 = max(b.y + b.size for b in boxes) + CROP_MARGIN
    crop = image[max(0, int(y0 * s)):int(y1 * s), max(0, int(x0 * s)):int(x1 * s)]
    return base64.b64encode(png(crop)).decode("ascii") if crop.size else ""


def annotated_pdf(g: Grade, layout: SheetLayout, pages: list[tuple[Page, np.ndarray]]) -> bytes:
    """The student's scanned sheet: correct boxes outlined green, the student's marks circled (blue; orange
    while doubtful), each question's points beside it and the total at the top."""
    from PIL import Image

    s = PX_PER_MM
    correct = key_marks(layout)
    scored = {f"q{q.question}": q for q in g.questions}
    out = []
    for p, image in sorted(pages, key=lambda pi: pi[0].sheet_page):
        canvas = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        for i, b in enumerate(layout.boxes):
            if b.page != p.sheet_page:
                continue
            x, y, w = int(b.x * s), int(b.y * s), int(b.size * s)
            if b.value in correct.get(b.group, ()):
                cv2.rectangle(canvas, (x - 4, y - 4), (x + w + 4, y + w + 4), (40, 160, 40), 3)
            state = p.states.get(i)
            if state:
                colour = (200, 90, 0) if state == "filled" else (0, 140, 255)
                cv2.circle(canvas, (x + w // 2, y + w // 2), int(w * 0.95), colour, 3)
        ends: dict[str, tuple[float, float]] = {}  # each question's last box: its points go after it
        for b in layout.boxes:
            if b.page == p.sheet_page and b.group in scored:
                ends[b.group] = (b.x + b.size, b.y)
        for group, (x_end, y_top) in ends.items():
            cv2.putText(canvas, _number(scored[group].points), (int((x_end + 4) * s), int((y_top + 4) * s)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 200), 2, cv2.LINE_AA)
        total = f"{g.student}  version {g.version}  total {_number(g.total)} / {format_points(g.max_points)}"
        cv2.putText(canvas, total, (int(40 * s), int((layout.height - 12) * s)), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                    (0, 0, 200), 2, cv2.LINE_AA)
        out.append(Image.fromarray(cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB)))
    if not out:
        return b""
    buffer = io.BytesIO()
    # a fixed date: the same grade gives the same file, which a second batch then leaves untouched
    fixed = time.gmtime(946684800)  # 2000-01-01
    out[0].save(buffer, "PDF", resolution=PX_PER_MM * 25.4, save_all=True, append_images=out[1:],
                title=f"{layout.title}: {g.student}", creationDate=fixed, modDate=fixed)
    return buffer.getvalue()


__all__ = ["annotated_pdf", "items_csv", "review", "scores_csv", "write_outputs"]
