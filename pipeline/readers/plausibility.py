"""Plausibility checks on every question before it leaves the reader, each against the document's other
questions: silence is worse than doubt. One function and one row per check; each returns the warning's message
or None. A check never changes a question, it only says why a person should look at it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Callable

from pipeline.model import Diagnostic, Question
from pipeline.readers import cues


@dataclass(frozen=True)
class Siblings:
    """What the document's questions are like, for comparing one question with the rest."""
    questions: int
    choice: int  # how many are choice questions
    options: float  # the median option count of the choice questions (0 when there are none)
    asking: int  # how many stems read as a question or a task


def _is_choice(q: Question) -> bool:
    return bool(q.choices)


def _asks(stem: str) -> bool:
    s = stem.strip()
    return cues.asks(s) or cues.asks_plainly(s) or s.endswith((":", "：", "?", "？")) or "__" in s or "？" in s \
        or len(s.split()) > 15


_MARKUP = re.compile(r"\*\*|__|`|<[^>]+>|:[a-z0-9_+\-]+:|\[[ xX]\]")
_LABELS = re.compile(r"(?<![\w])(?:[A-Ha-h]|\d{1,2})(?![\w])")


def answer_only_marks(q: Question, s: Siblings) -> str | None:
    """An open question whose answer is made only of marks, symbols or option labels (`❌ ❌ ✅ ❌`, `B`)."""
    if q.choices or not q.answer.strip() or re.fullmatch(r"\s*-?\d+(?:[.,]\d+)?\s*", q.answer) \
            or re.search(r"`[^`\s][^`]*`", q.answer):
        return None  # a number is an answer (`9`), even one that could label an option; so is code (`<br>`)
    bare = _MARKUP.sub(" ", q.answer)
    if re.search(r"[^\W\d_]{2,}", _LABELS.sub(" ", bare)) or re.search(r"\d{3,}|\d+\.\d+", bare):
        return None
    return f"its answer (“{q.answer.strip()[:40]}”) is only marks or option labels: the options may not have been read"


def answer_list_then_pick(q: Question, s: Siblings) -> str | None:
    """An open question whose answer is a list of two or more items and then a line that is only a number or a
    letter (`1. a` / `1. A` / `A.2`): the list is likely its options and the last line the pick."""
    if q.choices:
        return None
    lines = [ln.strip() for ln in q.answer.splitlines() if ln.strip()]
    items = [ln for ln in lines[:-1] if _LIST_ITEM.match(ln)]
    if len(lines) < 3 or len(items) < 2 or not _PICK.fullmatch(lines[-1]):
        return None
    return (f"its answer is a list and then “{lines[-1]}”: the list may be its options and “{lines[-1]}” the "
            "option it picks")


_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,2}[.)])\s+\S")
_PICK = re.compile(r"(?:[^\w\s]{0,3}\s*)?[\w.]{0,3}?\s*[.:：]?\s*\(?(?:[A-Ha-h]|\d{1,2})\)?\.?")


_POINTER = re.compile(r"^\s*(?:\*\*|__)?\(?(?:[A-Ha-h]|\d{1,2})(?:\)|\.|\*\*|__)?(?:\s*$|\s+[-–—:]\s|\s*[,;]\s)")


def answer_points(q: Question, s: Siblings) -> str | None:
    """An open question whose answer names an option by its label (`4 - because...`, `B.`) while its text holds
    a list: the list was its options."""
    if q.choices or not _POINTER.match(q.answer):
        return None
    items = sum(1 for ln in q.stem.splitlines() if re.match(r"\s*(?:[-*+]|\d{1,2}[.)]|\(?[A-Ha-h][.)]|\|)\s*\S", ln))
    if items < 2:
        return None
    return f"its answer (“{q.answer.strip()[:20]}”) names an option by its label, but no options were read"


_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)]|[A-Ha-h][.)])\s+(\S.*?)\s*$")
_MARK_AFTER = re.compile(r"\s(\(?[^\w\s]{1,3}\)?|\((?:correct|right|true)\))$", re.I)
_MARK_BEFORE = re.compile(r"^(\(?[^\w\s(]{1,3}\)?)\s")


def answer_marked_list(q: Question, s: Siblings) -> str | None:
    """An open question whose answer is only a list of short items, some set apart by a mark the others lack
    (`- seven *`): the list is likely its options, the mark its correct one."""
    if q.choices:
        return None
    lines = [ln for ln in q.answer.splitlines() if ln.strip()]
    items = [m.group(1) for ln in lines if (m := _ITEM.match(ln))]
    if len(items) < 2 or len(items) != len(lines) or any(len(t.split()) > 12 for t in items):
        return None
    marks = [(m.group(1) if (m := _MARK_AFTER.search(t)) else None) or
             (m.group(1) if (m := _MARK_BEFORE.match(t)) else None) for t in items]
    marked = [m for m in marks if m]
    if not marked or len(marked) == len(items) or len(set(marked)) > 1:
        return None
    carry = "carries" if len(marked) == 1 else "carry"
    return (f"its answer is a list of {len(items)} short items and {len(marked)} of them {carry} “{marked[0]}”: "
            "they are likely its options, with the marked one correct, but were not read as options")


def option_count(q: Question, s: Siblings) -> str | None:
    """A choice question whose option count is far from its siblings'."""
    n = len(q.choices)
    if not n or s.choice < 4 or not s.options:
        return None
    if n * 2 <= s.options or n >= s.options * 2 + 1:
        return f"it has {n} option{'s' if n != 1 else ''} where the document's questions have {s.options:g}"
    return None


def options_missing(q: Question, s: Siblings) -> str | None:
    """An open question among choice questions, whose own text holds a list (the list may be its options), or
    that has no answer while nearly all of them are choice questions."""
    others = s.questions - 1
    if q.choices or others < 3:
        return None
    if not q.answer.strip() and s.choice * 10 >= others * 9:
        return "nearly all the document's other questions have options and this one has neither options nor an " \
               "answer: its options may have been missed"
    if s.choice * 10 < others * 6:
        return None
    text = "\n".join((q.stem, q.answer, q.explanation))
    items = sum(1 for ln in text.splitlines() if re.match(r"\s*(?:[-*+]|\d{1,2}[.)]|\(?[A-Ha-h][.)]|\|)\s*\S", ln))
    if items < 2:
        return None
    return "the document's other questions have options and this one's text holds a list: it may be its options"


def one_option(q: Question, s: Siblings) -> str | None:
    """A choice question with a single option (a checked box alone): the document gives the answer without the
    alternatives, so a printed paper would offer no choice."""
    if len(q.choices) != 1:
        return None
    return "it lists one option only, the marked one: the document leaves out the others"


def stem_like_option(q: Question, s: Siblings) -> str | None:
    """A short stem that does not ask, while the document's other stems ask: it may be an option."""
    if s.questions < 4 or _asks(q.stem) or (s.asking - 0) * 4 < (s.questions - 1) * 3:
        return None
    if q.choices or len(q.stem.split()) > 15:
        return None
    return "its text does not ask anything while the document's other questions do: it may be an option"


def stem_opens_like_option(q: Question, s: Siblings) -> str | None:
    """A stem that opens with a task box, or with an option letter followed by more lettered options
    (`[ ] a. ...`, `a) Frog b) Toad`): an option taken for the question, its real stem left out."""
    first = q.stem.strip().split("\n", 1)[0]
    m = cues.LETTERED_OPTION.match(first)
    lettered = m is not None and bool(_NEXT_LETTER.search(first[m.end(2) if m.group(2) else 0:]))
    if not (cues.TASK.match(first) or lettered):
        return None
    return "its text opens like an option (a box or a letter): the question's own text may have been missed"


_NEXT_LETTER = re.compile(r"\s\(?[B-Hb-h][.)]\s")  # `... b) Toad`: the next option on the same line


_MARKUP_STEM = re.compile(r"^\s*(?:<[A-Za-z][\w.-]*(?:\s|>|$)|[A-Za-z_][\w-]*\s*=\s*[\"'{]|:{3,})")


def stem_markup(q: Question, s: Siblings) -> str | None:
    """A stem that opens with a component or tag (`<Quiz question="...`, `question="...`): the document is written
    in a markup the reader does not know, and its options and answer were likely missed."""
    if not _MARKUP_STEM.match(q.stem):
        return None
    return "its text opens with markup (a tag or an attribute), not with the question: the document may hold its " \
           "questions in components the reader does not know, and their options and answers may be missed"


def letter_without_options(q: Question, s: Siblings) -> str | None:
    """`...是死循环？(C)`: a question that names its answer's letter while no options were read."""
    if q.choices or not any(cues.STEM_LETTER.search(line) for line in q.stem.splitlines()):
        return None
    return "its text names an answer letter but no options were read: its options may be in a layout not understood"


@dataclass(frozen=True)
class Check:
    code: str  # the diagnostic's code
    find: Callable[[Question, Siblings], str | None]


CHECKS: tuple[Check, ...] = (
    Check("answer-only-marks", answer_only_marks),
    Check("answer-points", answer_points),
    Check("answer-list-then-pick", answer_list_then_pick),
    Check("answer-marked-list", answer_marked_list),
    Check("option-count", option_count),
    Check("options-missing", options_missing),
    Check("one-option", one_option),
    Check("stem-like-option", stem_like_option),
    Check("stem-opens-like-option", stem_opens_like_option),
    Check("letter-without-options", letter_without_options),
    Check("stem-markup", stem_markup),
)


def siblings(questions: list[Question]) -> Siblings:
    counts = [len(q.choices) for q in questions if q.choices]
    return Siblings(len(questions), len(counts), float(median(counts)) if counts else 0.0,
                    sum(1 for q in questions if _asks(q.stem)))


def check(questions: list[Question], raw: list[str], path: str) -> list[Question]:
    """The questions, each with a warning for every check it fails."""
    s = siblings(questions)
    out = []
    for q in questions:
        found = []
        for c in CHECKS:
            own = s if c.code != "stem-like-option" else Siblings(s.questions, s.choice, s.options,
                                                                  s.asking - (1 if _asks(q.stem) else 0))
            message = c.find(q, own)
            if message:
                found.append(Diagnostic(path, q.source.line_start, "warning", c.code, message))
        out.append(q.with_(diagnostics=q.diagnostics + tuple(found)) if found else q)
    return out
