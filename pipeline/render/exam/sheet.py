"""A sheet layout -> the HTML of its answer sheet (Jinja2; WeasyPrint makes the PDF), empty or filled in as
the key: every box where the layout puts it."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
import segno

from pipeline.render import TEMPLATES
from pipeline.render.exam.sheet_layout import ID_DIGITS, MARKER, MARKER_INSET, QR, SheetLayout

QR_MODULES_BORDER = 2  # quiet zone of the page code, in modules, inside its QR-millimetre square


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def key_marks(sheet: SheetLayout) -> dict[str, set[str]]:
    """The boxes a student who got everything right fills: each question's correct letters, and full points
    on each written question's score row."""
    marks: dict[str, set[str]] = {}
    for q in sheet.questions:
        marks[f"q{q.number}"] = set(q.correct) if q.kind != "score" else {q.steps[-1]}
    return marks


def sheet_html(sheet: SheetLayout, filled: dict[str, set[str]] | None = None, *, date: str = "",
               templates_dir: Path = TEMPLATES) -> str:
    filled = filled or {}
    width, height = sheet.width, sheet.height
    pages = []
    for number in range(1, sheet.pages + 1):
        boxes = [b for b in sheet.boxes if b.page == number]
        qr_x, qr_y = sheet.qr_box()
        code = segno.make(sheet.code(number), error="m", micro=False)
        # scale is irrelevant (the image is sized in mm); the data URI is the same for the same code
        qr = code.svg_data_uri(scale=1, border=QR_MODULES_BORDER)
        ids = [b for b in boxes if b.group.startswith("id")]
        id_x = min(b.x for b in ids)
        id_top = min(b.y for b in ids)
        digits = [{"x": id_x - 5.5, "y": b.y + 0.8, "text": b.value} for b in ids if b.group == "id0"]
        writes = [{"x": id_x + d * (ids[10].x - ids[0].x), "y": id_top - 7.0} for d in range(ID_DIGITS)]
        name_x = id_x + ID_DIGITS * (ids[10].x - ids[0].x) + 8.0
        labels, numbers, notes = [], [], []
        kinds = {f"q{q.number}": q.kind for q in sheet.questions}
        rows: dict[str, list] = {}
        for b in boxes:
            if not b.group.startswith("q"):
                continue
            labels.append({"x": b.x - 1.0, "y": b.y - 3.0, "w": b.size + 2.0, "text": b.value})
            if b.group not in rows:
                numbers.append({"x": b.x - 12.0, "y": b.y, "text": f"{b.group[1:]}."})
            rows.setdefault(b.group, []).append(b)
        for group, row in rows.items():
            note = {"multi": "all that apply", "score": "grader"}.get(kinds.get(group, ""))
            first = [b for b in row if b.y == row[0].y]
            if note and len(first) <= 7:  # room beside the row's first line
                notes.append({"x": first[-1].x + first[-1].size + 3.0, "y": first[-1].y + 1.2, "text": note})
        m = MARKER_INSET
        pages.append({
            "number": number,
            "markers": [{"x": m, "y": m}, {"x": width - m - MARKER, "y": m}, {"x": m, "y": height - m - MARKER},
                        {"x": width - m - MARKER, "y": height - m - MARKER}],
            "qr": qr, "qr_x": qr_x, "qr_y": qr_y,
            "head_x": qr_x + QR + 4.0, "head_w": width - (qr_x + QR + 4.0) - m - MARKER - 4.0,
            "id_x": id_x - 6.0, "id_caption_y": id_top - 11.5, "digits": digits, "writes": writes,
            "name_x": name_x, "name_y": id_top - 7.0, "name_w": width - name_x - m - 6.0, "name_h": 22.0,
            "labels": labels, "numbers": numbers, "notes": notes,
            "boxes": [{"x": b.x, "y": b.y, "size": b.size, "filled": b.value in filled.get(b.group, ())}
                      for b in boxes],
        })
    env = _environment(str(templates_dir))
    return env.get_template("sheet.html.j2").render(
        title=sheet.title, version=sheet.version, width=width, height=height, marker=MARKER, qr=QR, pages=pages,
        pdf_date=date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()) else "")


__all__ = ["key_marks", "sheet_html"]
