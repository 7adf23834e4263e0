"""Annotated lines -> question regions: where each question starts and ends, what the document puts
around them (title, sections, set-ups, tables of contents, answer keys, noise), and which cue decided it.

Question starts are found from labels real documents use (numbered headings, `**Q3.**`, `Question 3:`,
top-level list items, one question per line). The family of labels that forms the best numbered sequence
is the document's; labels of other families inside its questions are content (the `1)` list in an answer).
A label followed by deeper labels (`(a)` under `1`, `i.` under `(a)`, `10.2.1` under `10.2`, `Question 1`
under `Task 1`) is a container: its title names a section and its set-up becomes the first part's context.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..model import Cue
from . import cues
from .blocks import Line
from .cues import GROUP, LETTER, NUMBER, ROMAN, Label

FAMILY_ORDER = ("heading", "label", "item", "line")
_RULE = re.compile(r"[-*_=]{3,}")
_NUMBERED = re.compile(r"^(\d+)[.)]\s+(\S.*)$")


@dataclass
class Start:
    i: int  # index of the start's line
    family: str  # "heading", "label", "item" or "line"
    lab: Label
    level: int = 0  # heading level (headings only)

    @property
    def rank(self) -> int:
        return self.lab.rank


@dataclass
class Region:
    """One question's lines, with what the layout around it says about it."""
    start: Start
    lines: list[Line]  # from the start line to the last line of the question, blank lines included
    number: str  # the question's label as shown, e.g. "3", "10.2.1", "Task 1, Question 2", "1(a)ii"
    key: str  # id suffix, unique in the document, e.g. "q03", "10.2.1", "task1-q2"
    section: str = ""
    context: list[Line] = field(default_factory=list)  # a container's set-up, printed before the stem
    notes: list[list[Line]] = field(default_factory=list)  # worked examples attached after the question
    opening: bool = False  # a question standing under a container's title, with no label of its own
    context_owned: bool = True  # the context lines are this question's (not a copy of an earlier part's)
    cues: list[Cue] = field(default_factory=list)


@dataclass
class Layout:
    regions: list[Region]
    skipped: dict[int, str]  # line number -> why it is deliberately in no question
    title: str
    family: str  # the label family that marks questions, "" when none was found
    key: dict[str, tuple[str, int]]  # answer-key section: question label -> (answer, line)
    key_lines: list[int]  # lines of the answer-key section
    empty: list[int] = field(default_factory=list)  # lines of question labels with no question text


# ---- noise, tables of contents and answer keys ------------------------------------------------------------

def mark_noise(lines: list[Line]) -> dict[int, str]:
    """Line index -> reason, for lines that are never part of a question."""
    noise: dict[int, str] = {}
    for i, line in enumerate(lines):
        if line.blank:
            continue
        if line.block == "hr" or _RULE.fullmatch(line.body):
            noise[i] = "horizontal rule"
        elif line.block != "code" and (reason := cues.noise_reason(line.body)):
            noise[i] = reason
    noise.update(_contents(lines))
    noise.update(_footer(lines))
    return noise


def _footer(lines: list[Line]) -> dict[int, str]:
    """A few short lines after the document's last horizontal rule, with no question or answer in them
    (`*Liked this post? ... Good luck!*`)."""
    rules = [i for i, ln in enumerate(lines) if ln.block == "hr" or _RULE.fullmatch(ln.body)]
    if not rules:
        return {}
    tail = [i for i in range(rules[-1] + 1, len(lines)) if not lines[i].blank]
    if not tail or len(tail) > 3 or any(cues.label(lines[i].body, lines[i].block == "heading")
                                        or cues.answer_text(lines[i].body) is not None or lines[i].item
                                        or lines[i].block != "paragraph" for i in tail):
        return {}
    return {i: "page footer" for i in tail}


def _contents(lines: list[Line]) -> dict[int, str]:
    """A table of contents: a `Contents` title followed by entries ending in page numbers, or a run of lines
    that are only links (`* [Q1: What is ...](#q1)`), three or more, or two whose texts stand again further on."""
    found: dict[int, str] = {}
    for i, line in enumerate(lines):
        if not line.blank and cues.CONTENTS_TITLE.match(line.body.strip("#*: ")):
            found[i] = "table of contents"
            for j in range(i + 1, len(lines)):
                if lines[j].blank:
                    continue
                if not cues.PAGE_NUMBER_ENTRY.match(lines[j].body) and not cues.LINK_ONLY.match(lines[j].body):
                    break
                found[j] = "table of contents"
            break
    runs: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if line.blank:
            continue
        if cues.LINK_ONLY.match(line.body) and line.block == "paragraph":
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    later = " ".join(ln.body.lower() for ln in lines if not cues.LINK_ONLY.match(ln.body))
    for run in runs:
        texts = [cues.LINK_ONLY.match(lines[i].body).group(1).lower() for i in run]  # type: ignore[union-attr]
        if len(run) >= 3 or (len(run) == 2 and all(t.strip() and t.strip() in later for t in texts)):
            found.update({i: "table of contents" for i in run})
    return found


def answer_key(lines: list[Line], noise: dict[int, str]) -> tuple[dict[str, tuple[str, int]], list[int]]:
    """An answer-key section after the questions (`## Answers`, `## Answer key`): label -> (answer, line)."""
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.blank or i in noise:
            continue
        title = line.body.strip("#*: ").strip()
        if not (line.block == "heading" or line.body.startswith("**") or line.opens) or not cues.KEY_TITLE.match(title):
            continue
        entries: dict[str, tuple[str, int]] = {}
        used = [i]
        for j in range(i + 1, len(lines)):
            if lines[j].blank:
                continue
            entry = _key_entry(lines[j])
            if entry is None:
                if lines[j].block == "table" and re.fullmatch(r"[|:\-\s]+", lines[j].text):
                    used.append(j)
                    continue
                if lines[j].block == "table":
                    used.append(j)  # a header row
                    continue
                break
            entries[entry[0]] = (entry[1], lines[j].no)
            used.append(j)
        if entries:
            return entries, used
    return {}, []


_KEY_ENTRY = re.compile(r"^(?:Q(?:uestion)?\s*)?(\d+(?:\s*\(?[a-z]\)?(?![a-z]))?(?:\s*\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)\)?)?)"
                        r"\s*\**\s*(?:[.:)\-–=]|\s)\s*(.+)$", re.I)


def _key_entry(line: Line) -> tuple[str, str] | None:
    if line.block == "table":
        cells = [c.strip() for c in line.text.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"(?:Q(?:uestion)?\s*)?\d+\.?", cells[0], re.I):
            return re.sub(r"\D", "", cells[0]), cells[1]
        return None
    text = line.body if not line.opens_item or not line.item or not line.item.ordered else \
        f"{line.item.number}. {line.body}"
    m = _KEY_ENTRY.match(re.sub(r"^\*\*|^__", "", text.strip()))
    if not m:
        return None
    # `2c`, `2(c)`, `1 (c) (i)` -> `2(c)`, `1(c)(i)`, as questions with parts are numbered
    parts = re.findall(r"\d+|[a-z]+", m.group(1).lower())
    return parts[0] + "".join(f"({p})" for p in parts[1:]), m.group(2).strip().strip("*").strip()


# ---- question starts --------------------------------------------------------------------------------------

def candidates(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Every line that could open a question, with the family of its label."""
    found: list[Start] = []
    for i, line in enumerate(lines):
        if line.blank or i in excluded or line.block in ("code", "table", "math", "html"):
            continue
        if line.block == "heading":
            lab = cues.label(line.body, heading=True)
            if lab:
                found.append(Start(i, "heading", lab, line.level))
            continue
        if line.opens_item and line.item and line.item.depth == 1:
            found.append(Start(i, "item", _item_label(line)))
            continue
        if line.item and not line.opens_item and line.indent == 0 and (m := _NUMBERED.match(line.body)):
            # `2. text` cannot interrupt a paragraph in Markdown: it stays a continuation line, yet opens an item.
            found.append(Start(i, "item", Label(NUMBER, m.group(1), m.group(2), "ordered-item")))
            continue
        if line.block == "paragraph" and not (line.item and line.depth > 1):
            lab = cues.label(line.body, heading=False)
            if lab and (line.opens or lab.cue in ("question-label", "bold-label", "export-number", "group-label")):
                found.append(Start(i, "label", lab))
            elif not line.item and line.indent == 0 and (m := _NUMBERED.match(line.body)) \
                    and not line.opens:
                found.append(Start(i, "item", Label(NUMBER, m.group(1), m.group(2), "ordered-item")))
    return found


def _item_label(line: Line) -> Label:
    inner = cues.label(line.body, heading=False)
    if inner and inner.rank == NUMBER and inner.cue != "part-label":
        return Label(NUMBER, inner.label, inner.text, "labelled-item")
    m = _NUMBERED.match(line.body)
    if m:  # `- 10. You have...`: a number the export kept inside a bullet
        return Label(NUMBER, m.group(1), m.group(2), "labelled-item")
    assert line.item is not None
    if line.item.ordered:
        return Label(NUMBER, str(line.item.number), line.body, "ordered-item")
    return Label(NUMBER, "", line.body, "bullet-item")


def _bullet_is_question(lines: list[Line], start: Start) -> bool:
    """A bullet opens a question when options are nested under it, or it asks something and an answer label
    follows it before the next bullet."""
    line = lines[start.i]
    if start.lab.label or start.lab.cue == "labelled-item":
        return True
    item = line.item
    assert item is not None
    nested = [ln for ln in lines[start.i + 1:item.end] if ln.opens_item and ln.depth == item.depth + 1
              and not cues.FEEDBACK_WORD.match(ln.body) and not cues.CHECK_LEAD.match(ln.body)]
    if len(nested) >= 2:
        return True
    if not cues.asks(line.body):
        return False
    if cues.asks_plainly(line.body) and not nested and _sibling_asks(lines, start.i):
        return True  # a list of questions with no answers: `- Why do vanilla RNNs ...?`
    for ln in lines[start.i + 1:]:
        if (ln.opens_item and ln.depth == 1) or ln.block == "heading":
            return False
        if not ln.blank and cues.answer_text(ln.body) is not None:
            return True
    return False


_STRONG = ("question-label", "question-heading", "bold-label", "export-number", "labelled-item")


def _sibling_asks(lines: list[Line], i: int) -> bool:
    """Whether the bullet next to this one (before or after it, at the same depth) also asks."""
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(lines) and (lines[j].blank or not lines[j].opens_item or lines[j].depth > 1):
            if lines[j].block == "heading":
                break
            j += step
        if 0 <= j < len(lines) and lines[j].opens_item and lines[j].depth == 1:
            return cues.asks_plainly(lines[j].body)
    return False


def choose(lines: list[Line], cands: list[Start]) -> tuple[str, list[Start]]:
    """The label family whose numbered labels make the best sequence, with its starts, the labels of another
    family that continue its count (`Q2:` between `1.` and `3.`), and the sub-parts under them."""
    tops = [c for c in cands if c.rank <= NUMBER]
    parts = [c for c in cands if c.rank > NUMBER]
    best, best_score, best_starts = "", 0.0, []
    for family in FAMILY_ORDER[:3]:
        starts = _family(lines, tops, family)
        score = _sequence_score(starts)
        if score > 0 and (not best or score > best_score + 0.5):  # ties go to the earlier, more explicit family
            best, best_score, best_starts = family, score, starts
    strong = any(s.lab.cue in _STRONG for s in best_starts)
    if not best_starts or (best_score < 1.5 and not strong and not (best != "item" and best_score >= 1)):
        # A document of parts only (`(a) ...`, `(b) ...` with no numbered question above them)
        alone = _parts_under(parts)
        return (alone[0].family, alone) if alone else ("", [])
    for other in FAMILY_ORDER[:3]:
        if other != best:
            best_starts = _merge(best_starts, _family(lines, tops, other))
    return best, _with_parts(best_starts, parts)


def _with_parts(chosen: list[Start], parts: list[Start]) -> list[Start]:
    """The sub-parts under each numbered question, in any family (`## 1. ...` over `(a) ...` paragraphs)."""
    at = [c.i for c in parts]
    extra: list[Start] = []
    for k, s in enumerate(chosen):
        if s.rank > NUMBER or not parts:
            continue
        end = chosen[k + 1].i if k + 1 < len(chosen) else at[-1] + 1
        extra += _parts_under(parts[bisect.bisect_right(at, s.i):bisect.bisect_left(at, end)])
    return sorted(chosen + extra, key=lambda s: s.i)


def _parts_under(inside: list[Start]) -> list[Start]:
    """Lettered parts a, b, c... (letters rising, from a) and under each its numerals i, ii, iii; a part is kept
    when it asks something, has no text (`(e) (12 points)`), or has parts of its own. `a) Machine translation`
    lines, which ask nothing, are options, not parts."""
    letters = [c for c in inside if c.rank == LETTER]
    if len(letters) < 2 or letters[0].lab.label != "a" or \
            any(x.lab.label >= y.lab.label for x, y in zip(letters, letters[1:])):
        return _numerals(inside)
    kept: list[Start] = []
    for j, c in enumerate(letters):
        end = letters[j + 1].i if j + 1 < len(letters) else inside[-1].i + 1
        kids = _numerals([x for x in inside if c.i < x.i < end])
        if kids or not c.lab.text or cues.asks_plainly(c.lab.text):
            kept += [c] + kids
    return kept if sum(1 for c in kept if c.rank == LETTER) >= 2 else []


def _numerals(inside: list[Start]) -> list[Start]:
    romans = [c for c in inside if c.rank == ROMAN]
    labels = [c.lab.label for c in romans]
    if len(romans) >= 2 and labels == list(cues.ROMANS[:len(romans)]) and \
            any(not c.lab.text or cues.asks_plainly(c.lab.text) for c in romans):
        return romans
    return []


def _family(lines: list[Line], cands: list[Start], family: str) -> list[Start]:
    starts = [c for c in cands if c.family == family]
    if family == "item":
        starts = [s for s in starts if s.lab.label or _bullet_is_question(lines, s)]
        starts = _in_sequence(lines, starts)
    return starts


def _merge(chosen: list[Start], others: list[Start]) -> list[Start]:
    """Labels of the other family whose number is exactly the next one of the chosen count, and that ask
    something or carry an explicit question label."""
    merged = list(chosen)
    for o in others:
        if not o.lab.label.isdigit() or not (cues.asks(o.lab.text) or o.lab.cue in _STRONG):
            continue
        k = bisect.bisect_left([s.i for s in merged], o.i) if len(merged) < 64 else \
            bisect.bisect_left(merged, o.i, key=lambda s: s.i)
        before, after = merged[k - 1] if k else None, merged[k] if k < len(merged) else None
        last = int(before.lab.label) if before is not None and before.lab.label.isdigit() else 0
        prev = max(last, k)
        nxt = int(after.lab.label) if after is not None and after.lab.label.isdigit() else None
        if int(o.lab.label) == prev + 1 and (nxt is None or nxt > int(o.lab.label)):
            merged.insert(k, o)
    return merged


def _sequence_score(starts: list[Start]) -> float:
    """How much a family's labels look like a document's questions: numbers that count up (or restart at 1)
    and texts that ask something. A list inside an answer counts up too, but rarely asks."""
    score, prev = 0.0, 0
    for s in starts:
        lab = s.lab
        weight = 1.0 if (not lab.text or cues.asks(lab.text) or s.family == "heading") else 0.4
        if lab.rank != NUMBER or not lab.label or "." in lab.label:
            score += weight if lab.rank != NUMBER or lab.label else 0.8 * weight
            continue
        n = int(lab.label)
        score += weight * (1 if n in (prev + 1, 1) else (0.5 if prev < n <= prev + 3 else 0.2))
        prev = n
    return score


def _in_sequence(lines: list[Line], starts: list[Start]) -> list[Start]:
    """Numbered items that continue the count (or restart it after a heading); numbered lists inside an answer
    do not."""
    kept: list[Start] = []
    expected = 1
    for s in starts:
        if not s.lab.label:
            kept.append(s)
            expected += 1
            continue
        n = int(s.lab.label.split(".")[0])
        heading_between = kept and any(ln.block == "heading" for ln in lines[kept[-1].i + 1:s.i])
        if expected <= n <= expected + 3 or (n == 1 and (heading_between or not kept)):
            kept.append(s)
            expected = n + 1
    return kept


def one_per_line(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Questions written one per line with no numbering: a run of lines that each ask something."""
    starts: list[Start] = []
    for i, line in enumerate(lines):
        if line.blank or i in excluded or line.block not in ("paragraph",) or line.item:
            continue
        if cues.asks(line.body) and len(line.body.split()) >= 3:
            starts.append(Start(i, "line", Label(NUMBER, "", line.body, "question-per-line")))
    return starts if len(starts) >= 2 else []


# ---- the whole layout -------------------------------------------------------------------------------------

_EXAMPLE = re.compile(r"^(?:worked\s+)?example\b", re.I)
_COMMENTARY = re.compile(r"^(?:comments?|notes?|remarks?|discussion|further reading|references)\b", re.I)


def analyse(lines: list[Line]) -> Layout:
    noise = mark_noise(lines)
    key, key_lines = answer_key(lines, noise)
    excluded = set(noise) | set(key_lines)
    family, starts = choose(lines, candidates(lines, excluded))
    if not starts:
        starts = one_per_line(lines, excluded)
        family = "line" if starts else ""
    skipped: dict[int, str] = {lines[i].no: reason for i, reason in noise.items()}
    skipped.update({lines[i].no: "answer key" for i in key_lines})
    if not starts:
        title = next((ln.body.strip("*# ") for ln in lines if not ln.blank and ln.no not in skipped), "")
        return Layout([], skipped, title, "", key, [lines[i].no for i in key_lines])
    enders = {i for i, reason in noise.items() if reason in ("page footer", "table of contents")} | set(key_lines[:1])
    builder = _Builder(lines, starts, family, excluded | set(key_lines[:1]), enders)
    builder.run()
    skipped.update(builder.skipped)
    return Layout(builder.regions, skipped, builder.title, family, key, [lines[i].no for i in key_lines],
                  builder.empty)


class _Builder:
    """Walks the document once, start by start, keeping the current section and containers."""

    def __init__(self, lines: list[Line], starts: list[Start], family: str, stops: set[int], enders: set[int]) -> None:
        self.lines, self.starts, self.family, self.stops = lines, starts, family, stops
        self.enders = enders  # lines that end whatever question runs into them: a footer, an answer key
        self.regions: list[Region] = []
        self.skipped: dict[int, str] = {}
        self.empty: list[int] = []  # lines of labels that carry no question text
        self.title = ""
        self.section = ""
        self.containers: list[_Open] = []  # labels with sub-parts around the current start, outermost first
        self.start_at = {s.i: s for s in starts}
        self.section_lines = self._section_lines()
        self.number_lines = self._number_lines()

    # -- what ends a question ----------------------------------------------------------------------------

    def _section_lines(self) -> set[int]:
        """Bare lines that title a section (`LSTM` standing alone before its questions)."""
        toc = self._toc_nos()
        listed = {re.sub(r"\s+\d{1,4}$", "", ln.body).strip() for ln in self.lines if ln.no in toc}
        # the first start numbered past 1: a `1` after it restarts the count
        past_one = next((s.i for s in self.starts if s.lab.label not in ("", "1") and s.rank == NUMBER), None)
        found = set()
        for i, line in enumerate(self.lines):
            if line.blank or line.block != "paragraph" or i in self.start_at or i in self.stops or line.item:
                continue
            alone = (i == 0 or self.lines[i - 1].blank) and (i + 1 >= len(self.lines) or self.lines[i + 1].blank)
            if not alone or not cues.is_title(line.body) or len(line.body.split()) > 6:
                continue
            nxt = next((j for j in range(i + 1, len(self.lines)) if not self.lines[j].blank), None)
            follows = self.start_at.get(nxt) if nxt is not None else None
            restarts = follows is not None and follows.lab.label == "1" and any(
                s.lab.label not in ("", "1") and s.lab.rank == NUMBER for s in self.starts if s.i < i)
            if line.body in listed or (follows is not None and (follows.rank == GROUP or restarts)):
                found.add(i)
        return found

    def _number_lines(self) -> set[int]:
        """`2.` alone on the line above `Question 2`: a copied quiz page's numbering, part of no question."""
        found = set()
        for s in self.starts:
            j = s.i - 1
            while j >= 0 and self.lines[j].blank:
                j -= 1
            if j >= 0 and s.lab.label and j not in self.start_at and \
                    self.lines[j].text.strip().rstrip(".") == s.lab.label:
                found.add(j)
                self.skipped[self.lines[j].no] = "question number"
        return found

    def _toc_nos(self) -> set[int]:
        return {ln.no for i, ln in enumerate(self.lines) if i in self.stops and not ln.blank}

    def _ends_question(self, j: int, start: Start) -> bool:
        """Whether line j, inside what follows `start`, ends that question."""
        line = self.lines[j]
        if j in self.start_at or j in self.section_lines or j in self.number_lines or j in self.enders or \
                (j in self.stops and line.block == "heading"):
            return True
        if line.block != "heading" or j in self.stops:
            return False
        if _EXAMPLE.match(line.body.strip("*# ")) or _COMMENTARY.match(line.body.strip("*# ")):
            return True  # a worked example or a comment after the question: see `_between`
        if self.family == "heading":
            return line.level <= start.level or not line.level
        # Under a list-item or label question a heading ends it, unless options or formulas follow it there:
        # then it labels part of the question (`## GRU` above the GRU's equations).
        nxt = next((k for k in range(j + 1, len(self.lines)) if k in self.start_at or k in self.section_lines),
                   len(self.lines))
        rest = self.lines[j + 1:nxt]
        items = sum(1 for ln in rest if ln.opens_item)
        return not (items >= 2 or any(ln.block == "math" for ln in rest))

    def _region_end(self, i: int, start: Start) -> int:
        j = i + 1
        while j < len(self.lines) and not self._ends_question(j, start):
            j += 1
        return j

    # -- the walk ----------------------------------------------------------------------------------------------

    def run(self) -> None:
        first = self.starts[0].i
        self._preamble(0, first)
        k = 0
        while k < len(self.starts):
            s = self.starts[k]
            nxt = self.starts[k + 1] if k + 1 < len(self.starts) else None
            if k and self._section_between(self.starts[k - 1].i, s.i):
                self._close(0)
            depth = len(self.containers)
            while depth and not _deeper(self.containers[depth - 1].start, s):
                depth -= 1
            self._close(depth)
            if nxt is not None and _deeper(s, nxt):
                self._container(s, nxt)
            else:
                end = self._region_end(s.i, s)
                self._question(s, end)
                self._between(end, nxt.i if nxt else len(self.lines))
            k += 1
        self._close(0)

    def _close(self, depth: int) -> None:
        """Leave the containers past `depth`; a set-up no question took is skipped, not lost."""
        for c in self.containers[depth:]:
            if not c.used:
                for ln in c.context:
                    if not ln.blank and ln.no not in self.skipped:
                        self.skipped[ln.no] = "set-up of parts with no question"
        del self.containers[depth:]

    def _section_between(self, a: int, b: int) -> bool:
        return any(self.skipped.get(self.lines[j].no) == "section heading" for j in range(a + 1, b))

    def _preamble(self, a: int, b: int) -> None:
        for j in range(a, b):
            line = self.lines[j]
            if line.blank or line.no in self.skipped or j in self.stops:
                continue
            if not self.title and j not in self.section_lines and (line.block == "heading" or cues.is_title(line.body)):
                self.title = line.body.strip("*# ").strip()
                self.skipped[line.no] = "document title"
                if line.block == "heading" and line.level >= 2:
                    self.section = self.title
            elif line.block == "heading" or j in self.section_lines:
                self.section = line.body.strip("*# ").strip()
                self.skipped[line.no] = "section heading"
            else:
                self.skipped[line.no] = "text before the first question"

    def _between(self, a: int, b: int) -> None:
        """Lines after a question that belong to none: sections, commentary, worked examples."""
        j = a
        mode = "outside"
        while j < b:
            line = self.lines[j]
            if line.blank or j in self.stops or line.no in self.skipped:
                j += 1
                continue
            text = line.body.strip("*# ").strip()
            if line.block == "heading" or j in self.section_lines:
                if _EXAMPLE.match(text) and self.regions and mode in ("outside", "example"):
                    mode = "example"
                    self.regions[-1].notes.append([line])
                elif _COMMENTARY.match(text):
                    mode = "commentary"
                    self.skipped[line.no] = f"commentary section “{text}” (no question)"
                else:
                    mode = "section"
                    self.section = text
                    self.skipped[line.no] = "section heading"
            elif mode == "example":
                self.regions[-1].notes[-1].append(line)
            else:
                self.skipped[line.no] = "commentary (no question)" if mode == "commentary" else \
                    "text outside any question"
            j += 1

    def _container(self, s: Start, child: Start) -> None:
        """A label with sub-parts: its title names their section, its text and set-up are their context."""
        line = self.lines[s.i]
        title = s.lab.text if s.lab.text and cues.is_title(s.lab.text) else ""
        setup = [ln for ln in self.lines[s.i + 1:child.i] if not ln.blank and ln.no not in self.skipped]
        own = [] if title or not s.lab.text else [_text_line(line, s.lab.text)]
        if title and s.family == "heading" and s.rank == NUMBER and "." in s.lab.label:
            self.section = title  # `## 10.2 Questions for RNNs`: a numbered section of the whole document
        if setup and s.rank == NUMBER and s.lab.label and not own and any("?" in ln.body for ln in setup):
            # Text right under a section's numbered title that asks something: the section's opening question.
            self.regions.append(Region(s, self.lines[s.i:child.i], f"{s.lab.label} (opening question)",
                                       f"{s.lab.label}-opening", title or self.section, opening=True,
                                       cues=[Cue("start", "text under a numbered title", setup[0].no)]))
            self.containers.append(_Open(s, title, []))
            return
        if not own:
            self.skipped[line.no] = "task heading" if s.rank == GROUP else \
                "section heading" if title else "heading of a part with sub-parts"
        self.containers.append(_Open(s, title, own + setup))

    def _question(self, s: Start, end: int) -> None:
        region_lines = self.lines[s.i:end]
        while len(region_lines) > 1 and region_lines[-1].blank:
            region_lines.pop()
        first = next((ln for ln in region_lines[1:] if not ln.blank), None)
        if s.rank == GROUP and not s.lab.text and (first is None or not cues.asks(first.body)):
            for ln in region_lines:  # `Task 2` and a set-up that asks nothing
                if not ln.blank:
                    self.skipped[ln.no] = "task heading" if ln is region_lines[0] else "task set-up with no question"
            return
        if not s.lab.text and s.family in ("heading", "label") and first is not None \
                and cues.answer_text(first.body) is not None:
            # A part with an answer but no question text (`### (e) (12 points)`): nothing to ask a learner.
            for ln in region_lines:
                if not ln.blank:
                    self.skipped[ln.no] = "a part with no question text"
            self.empty.append(region_lines[0].no)
            return
        titled = s.family == "heading" and s.lab.text and cues.is_title(s.lab.text) and s.rank == NUMBER
        if titled and len(region_lines) > 1:
            # `## 10.2 Questions for RNNs` over a question of its own: the title names the section, the text
            # under it is the question.
            self.section = s.lab.text
            self.skipped[region_lines[0].no] = "section heading"
            depth = s.lab.label.count(".")
            deeper = "." in s.lab.label and any(o.lab.label.count(".") > depth for o in self.starts)
            shown, key = (f"{s.lab.label} (opening question)", f"{s.lab.label}-opening") if deeper else \
                self._numbering(s)
            self.regions.append(Region(s, region_lines, shown, key, self.section, opening=True,
                                       cues=[Cue("start", "text under a numbered title", region_lines[0].no)]))
            return
        if len(region_lines) == 1 and not s.lab.text and s.family != "heading":
            self.skipped[region_lines[0].no] = "question label with no text"
            self.empty.append(region_lines[0].no)
            return
        if len(region_lines) == 1 and (not s.lab.text or cues.is_title(s.lab.text)) and s.family == "heading":
            # A numbered title with nothing under it (`## 10.8 Echo State Networks`) names a section.
            self.skipped[region_lines[0].no] = "section heading" if s.lab.text else "question heading with no text"
            if s.lab.text:
                self.section = s.lab.text
            else:
                self.empty.append(region_lines[0].no)
            return
        number, key = self._numbering(s)
        section = next((c.title for c in reversed(self.containers) if c.title), self.section)
        region = Region(s, region_lines, number, key, section,
                        cues=[Cue("start", s.lab.cue, self.lines[s.i].no)])
        for c in reversed(self.containers):
            if c.context and not (c.used and c.start.rank == GROUP):
                region.context = c.context if not c.used else [_text_line(ln, ln.body) for ln in c.context]
                region.context_owned = not c.used
                c.used = True
                break
        self.regions.append(region)

    def _numbering(self, s: Start) -> tuple[str, str]:
        parents = [c.start for c in self.containers]
        lab = s.lab.label or str(len(self.regions) + 1)
        if s.lab.label and "." in s.lab.label:
            return lab, lab
        group = next((c for c in reversed(parents) if c.rank == GROUP), None)
        parts = [c for c in parents if c.rank in (NUMBER, LETTER, ROMAN)] + [s]
        if group is not None and s.rank == NUMBER:
            return f"Task {group.lab.label}, Question {lab}", f"task{group.lab.label}-q{lab}"
        if len(parts) > 1:
            shown = parts[0].lab.label + "".join(f"({p.lab.label})" for p in parts[1:])
            return shown, "q" + "-".join(p.lab.label for p in parts)
        if self._labels_repeat() and self.section:
            return f"{self.section} Question {lab}", f"{_slug(self.section)}-q{lab}"
        return lab, f"q{int(lab):02d}" if lab.isdigit() else f"q-{lab}"

    def _labels_repeat(self) -> bool:
        if not hasattr(self, "_repeat"):
            labels = [s.lab.label for s in self.starts if s.lab.label and s.rank == NUMBER]
            self._repeat = len(labels) != len(set(labels))
        return self._repeat


@dataclass
class _Open:
    """A container around the questions being read."""
    start: Start
    title: str  # the section it names, if its label carries a title
    context: list[Line]  # its own question text and set-up, given to its first part (and later parts' copies)
    used: bool = False


def _text_line(line: Line, text: str) -> Line:
    return Line(line.no, text, "paragraph", True, text)


def _deeper(parent: Start, child: Start) -> bool:
    """Whether `child` is a sub-part of `parent`."""
    if child.rank > parent.rank:
        return True
    a, b = parent.lab.label, child.lab.label
    return parent.rank == child.rank == NUMBER and bool(a) and b.startswith(a + ".")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
