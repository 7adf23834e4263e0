"""Marks read from a student's sheet -> points per question and in total, by the version's key and the
exam's rule for multi-answer questions; and the item analysis over all students. Pure."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

from pipeline.render.exam.sheet_layout import SheetLayout, SheetQuestion


@dataclass(frozen=True)
class Marks:
    """What a student's boxes for one question hold."""
    filled: tuple[str, ...] = ()
    doubtful: tuple[str, ...] = ()
    missing: bool = False  # the page with the question's boxes was not scanned
    resolved: bool = False  # the teacher decided what `filled` is (`--resolve`): nothing is doubtful


@dataclass(frozen=True)
class Scored:
    question: int
    answer: str  # "A+C", "" for none, "?" while in review; for a written question the points marked
    points: float | None  # None while in review
    review: str = ""  # why the question waits for the teacher, e.g. "box C doubtful"


@dataclass(frozen=True)
class Grade:
    student: str
    version: str
    questions: tuple[Scored, ...]
    max_points: float

    @property
    def final(self) -> bool:
        return all(s.points is not None for s in self.questions)

    @property
    def total(self) -> float | None:
        return sum(s.points for s in self.questions) if self.final else None  # type: ignore[misc]


def points_for(q: SheetQuestion, filled: Sequence[str], multi: str, penalty: float) -> float:
    """The points the marked letters earn: a single-answer question all or nothing; a multi-answer one all
    or nothing, or ("partial") each correct box its share and each wrong box `penalty` times that share
    off, never below nothing."""
    marked, correct = set(filled), set(q.correct)
    if q.kind == "choice" or multi == "all-or-nothing" or not correct:
        return q.points if marked == correct else 0.0
    share = q.points / len(correct)
    earned = share * len(marked & correct) - penalty * share * len(marked - correct)
    return max(0.0, round(earned, 6))


def score_question(q: SheetQuestion, marks: Marks, multi: str, penalty: float) -> Scored:
    if marks.missing:
        return Scored(q.number, "?", None, "its sheet page was not scanned")
    if marks.doubtful and not marks.resolved:
        return Scored(q.number, "?", None, f"box{'es' if len(marks.doubtful) > 1 else ''} "
                                           f"{', '.join(marks.doubtful)} doubtful")
    if q.kind == "score":
        if len(marks.filled) != 1:
            why = "no score box marked" if not marks.filled else f"score boxes {', '.join(marks.filled)} all marked"
            return Scored(q.number, "?", None, why)
        return Scored(q.number, marks.filled[0], float(marks.filled[0]))
    answer = "+".join(sorted(marks.filled))
    return Scored(q.number, answer, points_for(q, marks.filled, multi, penalty))


def grade(layout: SheetLayout, student: str, marks: Mapping[int, Marks]) -> Grade:
    """The student's grade: each question of the layout scored from its marks (none read: none marked)."""
    scored = tuple(score_question(q, marks.get(q.number, Marks()), layout.multi, layout.penalty)
                   for q in layout.questions)
    return Grade(student=student, version=layout.version, questions=scored, max_points=layout.max_points)


@dataclass(frozen=True)
class ItemRow:
    """How often one option of one question was chosen, over every version (options in the document's order)."""
    qid: str
    option: int  # index in the document's options; -1 for "no answer", -2 for "two or more" on single choice
    text: str
    correct: bool
    chosen: int
    students: int  # who answered the question on a read sheet (in review or not)


def item_analysis(layouts: Mapping[str, SheetLayout], grades: Sequence[Grade],
                  marks: Mapping[tuple[str, int], Marks]) -> list[ItemRow]:
    """Per question (by its id, whatever its number and letters on each version) and option: how many
    students marked it; a teacher reads it to spot a bad question (a wrong option most students chose, a
    right one nobody did). `marks` is keyed by (student, number)."""
    chosen: dict[str, Counter] = {}
    seen: Counter = Counter()
    info: dict[str, tuple[SheetQuestion, ...]] = {}
    for g in grades:
        layout = layouts[g.version]
        for q in layout.questions:
            if q.kind == "score":
                continue
            m = marks.get((g.student, q.number), Marks())
            if m.missing:
                continue
            seen[q.qid] += 1
            counts = chosen.setdefault(q.qid, Counter())
            info.setdefault(q.qid, (q,))
            for letter in m.filled:
                counts[q.options[q.letters.index(letter)]] += 1
            if not m.filled and not m.doubtful:
                counts[-1] += 1
            if q.kind == "choice" and len(m.filled) > 1:
                counts[-2] += 1
    rows = []
    for qid in sorted(chosen, key=lambda i: min(q.number for layout in layouts.values() for q in layout.questions
                                                 if q.qid == i)):
        q = info[qid][0]
        texts = {q.options[k]: q.texts[k] for k in range(len(q.letters))}
        correct = {q.options[q.letters.index(letter)] for letter in q.correct}
        for option in sorted(texts):
            rows.append(ItemRow(qid, option, texts[option], option in correct, chosen[qid][option], seen[qid]))
        rows.append(ItemRow(qid, -1, "(no answer)", False, chosen[qid][-1], seen[qid]))
        if q.kind == "choice":
            rows.append(ItemRow(qid, -2, "(two or more marked)", False, chosen[qid][-2], seen[qid]))
    return rows


__all__ = ["Grade", "ItemRow", "Marks", "Scored", "grade", "item_analysis", "points_for", "score_question"]
