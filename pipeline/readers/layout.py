"""Annotated lines -> question regions: where each question starts and ends, what the document puts
around them (title, sections, set-ups, tables of contents, answer keys, noise), and which cue decided it.

Question starts are found from labels real documents use (numbered headings, `**Q3.**`, `Question 3:`,
top-level list items, one question per line). The family of labels that forms the best numbered sequence
is the document's; labels of other families inside its questions are content (the `1)` list in an answer).
A label followed by deeper labels (`(a)` under `1`, `i.` under `(a)`, `10.2.1` under `10.2`, `Question 1`
under `Task 1`) is a container: its title names a section and its set-up becomes the first part's context.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Cue
from pipeline.readers import cues
from pipeline.readers.blocks import Line
from pipeline.readers.cues import GROUP, LETTER, NUMBER, ROMAN
from pipeline.readers.noise import Key, answer_key, mark_noise
from pipeline.readers.shapes import answered_headings, asking_headings, listed_questions, one_per_line, with_cards
from pipeline.readers.region import Container, Region
from pipeline.readers.start import Start, deeper, is_card
from pipeline.readers.starts import candidates, choose, sequence_score


@dataclass
class Layout:
    regions: list[Region]
    skipped: dict[int, str]  # line number -> why it is deliberately in no question
    title: str
    family: str  # the label family that marks questions, "" when none was found
    key: Key  # the answer-key section's entries
    key_lines: list[int]  # lines of the answer-key section
    empty: list[int] = field(default_factory=list)  # lines of question labels with no question text


# ---- noise, tables of contents and answer keys ------------------------------------------------------------


_EXAMPLE = re.compile(r"^(?:worked\s+)?example\b", re.I)


_COMMENTARY = re.compile(r"^(?:comments?|notes?|remarks?|discussion|further reading|references)\b", re.I)


def analyse(lines: list[Line], pinned: str | None = None) -> Layout:
    """The document's regions, one per question. `pinned`: the label family an overlay says starts questions."""
    noise = mark_noise(lines)
    key, key_lines = answer_key(lines, noise)
    excluded = set(noise) | set(key_lines)
    family, starts = choose(lines, candidates(lines, excluded), pinned)
    if pinned is None and family != "heading":
        # Headings that ask explain the document better than a weaker numbered family (a list in an answer)
        asking = asking_headings(lines, excluded)
        if asking and (not starts or (len(asking) > len(starts) and sequence_score(asking) > sequence_score(starts))):
            family, starts = "heading", asking
        answered = answered_headings(lines, excluded) if family != "heading" else []
        if len(answered) > len(starts):
            family, starts = "heading", answered
    if not starts and pinned is None:
        starts = one_per_line(lines, excluded)
        family = "line" if starts else ""
    if pinned is None and family not in ("label", ""):
        starts = with_cards(lines, starts, excluded)
    if pinned is None and family in ("heading", "label"):
        listed = listed_questions(lines, starts, excluded)
        starts = sorted(starts + listed, key=lambda s: s.i) if listed else starts
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
        self.setup: list[Line] = []  # text under a section heading before its lettered parts: their set-up
        self.setup_used = False
        self.containers: list[Container] = []  # labels with sub-parts around the current start, outermost first
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
            restarts = follows is not None and follows.lab.label == "1" and past_one is not None and past_one < i
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
            while depth and not deeper(self.containers[depth - 1].start, s):
                depth -= 1
            self._close(depth)
            if nxt is not None and deeper(s, nxt) and not self._above_between(s, nxt):
                self._container(s, nxt)
            else:
                end = self._region_end(s.i, s)
                self._question(s, end)
                self._between(end, nxt.i if nxt else len(self.lines))
            k += 1
        self._close(0)

    def _above_between(self, s: Start, nxt: Start) -> bool:
        """A heading above a numbered heading's level between it and the next label (`### 10.`, `## Part II`,
        `### a.`): the label belongs to the new section, not under the question."""
        return s.family == "heading" and any(
            ln.block == "heading" and 0 < ln.level < s.level and j not in self.start_at
            for j, ln in enumerate(self.lines[s.i + 1:nxt.i], start=s.i + 1))

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
                    self.setup, self.setup_used = [], False
            elif mode == "example":
                self.regions[-1].notes[-1].append(line)
            elif mode == "section" and b < len(self.lines) and (self.start_at[b].rank > NUMBER
                                                                 or self.start_at[b].lab.cue == "listed-question"):
                self.setup.append(line)  # `## Part II` / set-up / `### a. ...`: the parts' shared set-up
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
            self.containers.append(Container(s, title, []))
            return
        if not own:
            self.skipped[line.no] = "task heading" if s.rank == GROUP else \
                "section heading" if title else "heading of a part with sub-parts"
        self.containers.append(Container(s, title, own + setup))

    def _question(self, s: Start, end: int) -> None:
        region_lines = self.lines[s.i:end]
        while len(region_lines) > 1 and region_lines[-1].blank:
            region_lines.pop()
        first = next((ln for ln in region_lines[1:] if not ln.blank), None)
        if self._titles_cards(s, end):
            # `## 3. Case study` over a set-up and `**Q:**` cards: a section whose set-up is the cards' context
            self.section = s.lab.text
            self.skipped[region_lines[0].no] = "section heading"
            self.setup, self.setup_used = [ln for ln in region_lines[1:] if not ln.blank], False
            return
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
        titled = s.family == "heading" and s.lab.text and cues.is_title(s.lab.text) and s.rank == NUMBER \
            and ("." in s.lab.label or not self._siblings_ask()) and s.lab.cue != "answered-heading"
        if titled and first is not None and (cues.OPTIONS_INTRO.match(first.body) or first.opens_item and first.item
                                             is not None and first.item.ordered and not cues.asks_plainly(first.body)):
            titled = False  # `### 2) Comments in code` over its options: the heading states the question
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
        bare = all(ln.blank or ln.block == "hr" or (ln.block == "heading" and not ln.body.strip("#*_ "))
                   for ln in region_lines[1:])  # nothing under it but rules and empty headings
        if bare:
            for ln in region_lines[1:]:
                if ln.block == "heading":
                    self.skipped[ln.no] = "empty heading"
        if bare and not s.lab.text and s.family != "heading":
            self.skipped[region_lines[0].no] = "question label with no text"
            self.empty.append(region_lines[0].no)
            return
        if bare and (not s.lab.text or cues.is_title(s.lab.text)) and s.family == "heading":
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
        else:
            if self.setup and (s.rank > NUMBER or s.lab.cue == "listed-question" or is_card(s)):
                region.context = self.setup if not self.setup_used else [_text_line(ln, ln.body) for ln in self.setup]
                region.context_owned = not self.setup_used
                self.setup_used = True
        self.regions.append(region)

    def _titles_cards(self, s: Start, end: int) -> bool:
        """Whether a numbered heading that names a subject (`## 3. Case study`) stands right over unnumbered
        `Q:` cards, with only set-up text between."""
        nxt = self.start_at.get(end)
        return nxt is not None and is_card(nxt) and s.family == "heading" and bool(s.lab.text) \
            and cues.is_title(s.lab.text) and not cues.asks(s.lab.text)

    def _siblings_ask(self) -> bool:
        """Whether most numbered headings state a question on their line: then one that does not is a statement
        to judge or a blank to fill (`## 2. A major scale has seven notes`), not a section's title."""
        if not hasattr(self, "_asking"):
            said = [s.lab.text for s in self.starts if s.family == "heading" and s.lab.text and s.rank == NUMBER]
            self._asking = len(said) >= 3 and sum(1 for t in said if cues.asks(t)) * 2 > len(said)
        return self._asking

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


def _text_line(line: Line, text: str) -> Line:
    return Line(line.no, text, "paragraph", True, text)


def _slug(text: str) -> str:
    """`Part 2: Lists` -> `part-2-lists`; a name in another script keeps its letters (`리스트-인덱싱`)."""
    ascii_slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return ascii_slug or re.sub(r"[\W_]+", "-", text.lower()).strip("-")
