"""An exam version -> the layout of its answer sheet: where every marker, code and box sits, in millimetres.

The one description of a sheet: the template draws it and the scan reader looks where it says, so neither
ever parses the other's output. Pure: the same version gives the same layout."""
from __future__ import annotations

import hashlib
import json
import math
import string
from dataclasses import asdict, dataclass, field
from functools import cached_property

from pipeline.select.versions import ExamItem, ExamVersion, format_points
from pipeline.render.rubric import rubric

PAGE_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
MARKER = 8.0  # side of a corner marker (a solid square)
MARKER_INSET = 10.0  # from the page's edge to the marker's outer edge
QR = 24.0  # side of the page code, quiet zone included
BOX = 5.0  # side of a box
PITCH = 7.5  # from one box to the next in a row
ROW = 9.0  # from one row to the next
ID_DIGITS = 8  # columns of the student-id grid
ID_PITCH = 6.0
SCORE_STEPS_PER_LINE = 10  # boxes in one line of a row (fits a column); more continue on the next line
CODE_PREFIX = "SHEET1"  # first word of every page code, so a stray QR code on the desk is not taken for one


@dataclass(frozen=True)
class Box:
    """One box a student (or the grader) marks. `group` names what it answers: "id3" (the fourth digit of
    the student id) or "q12" (question 12); `value` what marking it says: "7", "B" or "1.5" points."""
    page: int  # 1-based page of the sheet
    x: float  # left edge, mm from the page's left edge
    y: float  # top edge, mm from the page's top edge
    group: str
    value: str
    size: float = BOX


@dataclass(frozen=True)
class SheetQuestion:
    """What the sheet asks for a question and how its marks score: a row of option boxes (`choice`, `multi`)
    or a row of score boxes the grader fills (`score`)."""
    number: int
    qid: str
    kind: str  # "choice" (one answer), "multi" (all that apply) or "score" (written: the grader's boxes)
    points: float
    letters: tuple[str, ...] = ()  # printed option letters
    correct: tuple[str, ...] = ()  # the key's letters
    options: tuple[int, ...] = ()  # options[k]: index in the document's options of the k-th printed one
    texts: tuple[str, ...] = ()  # the printed options' text, shortened, for the item analysis
    steps: tuple[str, ...] = ()  # a score row's values, "0" to the points


@dataclass(frozen=True)
class SheetLayout:
    exam: str
    version: str
    title: str
    paper: str
    width: float
    height: float
    pages: int
    multi: str  # rule for multi-answer questions: "all-or-nothing" or "partial"
    penalty: float  # with "partial": the share of a correct box's points each wrong box marked takes off
    questions: tuple[SheetQuestion, ...]
    boxes: tuple[Box, ...]
    markers: tuple[tuple[float, float], ...] = field(default=())  # centres: top-left, top-right, bottom-right, bottom-left

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def code(self, page: int) -> str:
        return page_code(self.exam, self.version, page)

    def qr_box(self) -> tuple[float, float]:
        """Top-left corner of the page code."""
        return (MARKER_INSET + MARKER + 4.0, MARKER_INSET)

    @cached_property
    def fingerprint(self) -> str:
        """Changes with anything a reading depends on: boxes, questions, key."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "SheetLayout":
        raw = json.loads(text)
        raw["questions"] = tuple(SheetQuestion(**{k: tuple(v) if isinstance(v, list) else v for k, v in q.items()})
                                 for q in raw["questions"])
        raw["boxes"] = tuple(Box(**b) for b in raw["boxes"])
        raw["markers"] = tuple(tuple(m) for m in raw["markers"])
        return cls(**raw)


def page_code(exam: str, version: str, page: int) -> str:
    return f"{CODE_PREFIX} {exam} {version} {page}"


def parse_code(text: str) -> tuple[str, str, int] | None:
    """(exam, version, page) of a page code, or None for anything else."""
    words = text.split()
    if len(words) != 4 or words[0] != CODE_PREFIX or not words[3].isdigit():
        return None
    return words[1], words[2], int(words[3])


def score_steps(item: ExamItem) -> tuple[str, ...]:
    """A written question's score boxes: 0 to its points in whole points, in halves where its points or its
    rubric's criteria are not whole."""
    r = rubric(item.question, item.points)
    halves = not float(item.points).is_integer() or bool(r and any(not float(c.points).is_integer()
                                                                   for c in r.criteria))
    step = 0.5 if halves else 1.0
    count = int(math.floor(item.points / step + 1e-9))
    return tuple(format_points(k * step) for k in range(count + 1))


def sheet_questions(version: ExamVersion) -> tuple[SheetQuestion, ...]:
    out = []
    for item in version.items:
        q = item.question
        if item.choices:
            letters = tuple(string.ascii_uppercase[k] for k in range(len(item.choices)))
            out.append(SheetQuestion(
                number=item.number, qid=q.id, kind="multi" if q.kind == "multi_choice" else "choice",
                points=item.points, letters=letters, correct=item.correct_letters, options=tuple(item.order),
                texts=tuple(_short(c.text) for c in item.choices)))
        else:
            out.append(SheetQuestion(number=item.number, qid=q.id, kind="score", points=item.points,
                                     steps=score_steps(item)))
    return tuple(out)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _lines(q: SheetQuestion) -> int:
    if q.kind == "score":
        return max(1, math.ceil(len(q.steps) / SCORE_STEPS_PER_LINE))
    return max(1, math.ceil(len(q.letters) / SCORE_STEPS_PER_LINE))


def layout(version: ExamVersion) -> SheetLayout:
    """Where everything goes: an id grid and a name box at the top of every page (any page alone says whose
    it is), then the question rows in two columns, page after page."""
    width, height = PAGE_MM[version.exam.paper]
    questions = sheet_questions(version)
    top = MARKER_INSET + QR + 4.0  # below the page code
    grid_top = top + 8.0  # digit columns start under their write-in boxes
    rows_top = grid_top + 10 * ID_PITCH + 6.0
    bottom = height - MARKER_INSET - MARKER - 4.0
    left = MARKER_INSET + 6.0
    column_x = (left, width / 2 + 2.0)
    boxes: list[Box] = []
    page, column, y = 1, 0, rows_top

    def id_boxes(p: int) -> None:
        for d in range(ID_DIGITS):
            for digit in range(10):
                boxes.append(Box(page=p, x=left + 12.0 + d * ID_PITCH, y=grid_top + digit * ID_PITCH,
                                 group=f"id{d}", value=str(digit), size=4.5))

    id_boxes(1)
    for q in questions:
        lines = _lines(q)
        if y + lines * ROW > bottom:
            column += 1
            y = rows_top
            if column == 2:
                page, column = page + 1, 0
                id_boxes(page)
        values = q.steps if q.kind == "score" else q.letters
        for k, value in enumerate(values):
            line, pos = divmod(k, SCORE_STEPS_PER_LINE)
            boxes.append(Box(page=page, x=column_x[column] + 12.0 + pos * PITCH, y=y + line * ROW,
                             group=f"q{q.number}", value=value))
        y += lines * ROW + (2.0 if lines > 1 else 0.0)
    c = MARKER_INSET + MARKER / 2
    markers = ((c, c), (width - c, c), (width - c, height - c), (c, height - c))
    exam = version.exam
    return SheetLayout(exam=exam.name, version=version.letter, title=exam.title, paper=exam.paper, width=width,
                       height=height, pages=page, multi=exam.multi, penalty=exam.penalty, questions=questions,
                       boxes=tuple(boxes), markers=markers)


__all__ = ["Box", "SheetLayout", "SheetQuestion", "PAGE_MM", "layout", "page_code",
           "parse_code", "score_steps"]
