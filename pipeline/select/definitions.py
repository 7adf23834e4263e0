"""Exam definitions (the text of seeds/exams.toml) -> checked ExamDefinitions, each problem at its file:line."""
from __future__ import annotations

import math
import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.files import tomlfile
from pipeline.files.source import read_source
from pipeline.model import KINDS, Diagnostic
from pipeline.files.normalize import BIDI, controls_removed

PAPER_SIZES = ("A4", "Letter")
MAX_NAME = 64  # characters of an exam's name, which names its files
MAX_TITLE = 300  # characters of a title, course, date or time line: a title page, not a page of text
MAX_INSTRUCTIONS = 5000
MAX_POINTS = 1000  # per question; more is a typo, and nan or inf would print as "nan points"

_EXAM_KEYS = {
    "name", "title", "course", "date", "time", "instructions", "paper", "versions", "seed", "points",
    "points_by_kind", "shuffle_questions", "shuffle_choices", "draw", "sheet", "multi", "penalty",
}
MULTI_RULES = ("all-or-nothing", "partial")
_DRAW_KEYS = {"document", "section", "kind", "tag", "id", "answered", "count", "points", "vary", "options"}
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class Draw:
    """One rule picking questions: every criterion given must hold; a list means any of its values."""
    line: int  # line of the rule's table in the definitions file
    documents: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # case-insensitive substrings of Question.section
    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    answered: bool | None = None  # only questions with (True) or without (False) a reference answer
    count: int | None = None  # draw this many at random from the rule's pool; None takes the whole pool
    points: float | None = None  # points for each question of this rule, overriding the exam's
    vary: bool = False  # each version gets its own sizes in the questions whose overlay declares ranges
    options: int = 3  # a varied question's wrong options, from named mistakes; 0 keeps it a written answer
    key_lines: tuple[tuple[str, int], ...] = ()  # (key, line) for the rule's keys, for diagnostics

    def line_of(self, key: str) -> int:
        return dict(self.key_lines).get(key, self.line)


@dataclass(frozen=True)
class ExamDefinition:
    name: str  # file-name slug, e.g. "choice"
    title: str
    course: str
    date: str  # printed as given; an ISO date also becomes the PDF's creation date
    instructions: str  # Markdown
    paper: str  # "A4" or "Letter"
    versions: int  # number of versions, lettered A, B, ...
    seed: str  # with the exam name and version letter, fixes every random choice
    points: float  # default points per question
    points_by_kind: dict[str, float] = field(default_factory=dict)
    draws: tuple[Draw, ...] = ()
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    file: str = ""  # definitions file, for diagnostics
    line: int = 0  # line of the exam's [[exam]] header
    instructions_line: int = 0  # line of the `instructions` key (else the header's)
    time: str = ""  # time allowed, printed under the title as given, e.g. "45 minutes"; empty prints nothing
    sheet: bool = False  # print an answer sheet after each version's paper (and alone, and filled in the key)
    multi: str = "all-or-nothing"  # how a multi-answer question scores on the sheet: or "partial"
    penalty: float = 1.0  # with "partial": the share of a correct box's points each wrong box marked costs

    @property
    def letters(self) -> list[str]:
        return [version_letter(i) for i in range(self.versions)]


def version_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


# --- reading definitions ---------------------------------------------------------------------------------


class _Lines:
    """Where each key of each [[exam]] / [[exam.draw]] table sits, since tomllib keeps no positions."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*(?:\.[^=]*)?=""")

    def __init__(self, text: str):
        self.headers: dict[tuple[int, str, int], int] = {}  # (exam, table, draw) -> line
        self.keys: dict[tuple[int, str, int, str], int] = {}  # (exam, table, draw, key) -> first line
        exam, draw, table = -1, -1, ""
        in_string: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_string:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = self._HEADER.match(line)
            if header and not line.lstrip().startswith('["') and "=" not in line.split("#")[0]:
                path = header.group(2).replace(" ", "").replace('"', "").replace("'", "")
                if header.group(1) == "[[" and path == "exam":
                    exam, draw, table = exam + 1, -1, "exam"
                elif header.group(1) == "[[" and path == "exam.draw":
                    draw, table = draw + 1, "draw"
                elif path.startswith("exam."):
                    table = path[len("exam."):]
                else:
                    table = path
                self.headers.setdefault((exam, table, draw if table == "draw" else -1), lineno)
                continue
            key = self._KEY.match(line)
            if key:
                name = key.group(1) or key.group(2) or key.group(3)
                self.keys.setdefault((exam, table, draw if table == "draw" else -1, name), lineno)
                rest = line.split("=", 1)[1]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote

    def line(self, exam: int, key: str | None = None, table: str = "exam", draw: int = -1) -> int:
        """The key's line; else its table's header line; else the exam's header; else 0."""
        if key is not None and (exam, table, draw, key) in self.keys:
            return self.keys[(exam, table, draw, key)]
        if table != "exam" and key is not None and (exam, "exam", -1, table) in self.keys:
            return self.keys[(exam, "exam", -1, table)]  # e.g. draw = [{...}] written inline
        for probe in ((exam, table, draw), (exam, "exam", -1)):
            if probe in self.headers:
                return self.headers[probe]
        return 0


def parse_definitions(text: str, where: str) -> tuple[list[ExamDefinition], list[Diagnostic]]:
    """Read and check exam definitions; a bad exam is reported (file, line, key) and left out.

    `where` names the file in diagnostics, e.g. "seeds/exams.toml"."""
    try:
        data = tomlfile.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        return [], [Diagnostic(where, int(m.group(1)) if m else 0, "error", "exam-syntax",
                               f"not valid TOML: {exc}")]
    lines = _Lines(text)
    diags: list[Diagnostic] = []
    for key in sorted(set(data) - {"exam"}):
        diags.append(Diagnostic(where, lines.keys.get((-1, "", -1, key), lines.line(-1, key)), "error",
                                "exam-unknown-key", f"unknown top-level key '{key}' (expected [[exam]] tables)"))
    exams = data.get("exam", [])
    if not isinstance(exams, list):
        return [], diags + [Diagnostic(where, lines.line(-1, "exam"), "error", "exam-bad-value",
                                       "'exam' must be an array of tables ([[exam]])")]
    if not exams and not diags:
        # An empty file is more likely a mistake (a failed save, the wrong file) than a wish for no exams.
        return [], [Diagnostic(where, 0, "error", "exam-none",
                               "defines no exam ([[exam]] tables), so no exam is built")]
    definitions: list[ExamDefinition] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(exams):
        definition, problems = _parse_exam(raw, index, where, lines)
        if definition is not None and definition.name in seen:
            problems.append(Diagnostic(where, lines.line(index, "name"), "error", "exam-bad-value",
                                       f"key 'name': exam name '{definition.name}' is already used "
                                       f"at line {seen[definition.name]}"))
        diags.extend(problems)
        if definition is not None and not any(p.severity == "error" for p in problems):
            seen[definition.name] = lines.line(index, "name")
            definitions.append(definition)
    return definitions, diags


def _parse_exam(raw: Any, index: int, where: str, lines: _Lines
                ) -> tuple[ExamDefinition | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []

    def bad(key: str, message: str, table: str = "exam", draw: int = -1, code: str = "exam-bad-value") -> None:
        diags.append(Diagnostic(where, lines.line(index, key, table, draw), "error", code,
                                f"key '{key}': {message}"))

    if not isinstance(raw, dict):
        diags.append(Diagnostic(where, lines.line(index), "error", "exam-bad-value", "[[exam]] must be a table"))
        return None, diags
    for key in sorted(set(raw) - _EXAM_KEYS):
        bad(key, f"unknown key in [[exam]] (known: {', '.join(sorted(_EXAM_KEYS))})", code="exam-unknown-key")

    def text_value(key: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if value is None:
            bad(key, "is required")
            return ""
        if not isinstance(value, str):
            if key == "date" and hasattr(value, "isoformat"):
                return value.isoformat()  # a bare TOML date
            bad(key, f"must be a string, not {type(value).__name__}")
            return ""
        limit = {"name": MAX_NAME, "instructions": MAX_INSTRUCTIONS}.get(key, MAX_TITLE)
        if len(value) > limit:
            bad(key, f"{len(value):,} characters, more than the {limit:,} it may have")
            return ""
        clean = BIDI.sub("", value) if key == "instructions" else controls_removed(value)
        if clean != value:
            diags.append(Diagnostic(where, lines.line(index, key), "warning", "exam-control-characters",
                                    f"key '{key}': control or text-direction characters removed"))
        return clean

    name = text_value("name")
    if name and not _NAME.fullmatch(name):
        bad("name", f"'{name}' must be a lower-case file-name slug (letters, digits, '-', '_')")
    title = text_value("title", name)
    course = text_value("course", "")
    date = text_value("date", "")
    time = raw.get("time", "")
    if isinstance(time, int) and not isinstance(time, bool) and 0 < time <= 24 * 60:
        time = f"{time} minutes"  # `time = 45` reads as minutes, the unit exams are timed in
    elif not isinstance(time, str):
        bad("time", f"must be a string such as \"45 minutes\" or a whole number of minutes, not {time!r}")
        time = ""
    instructions = text_value("instructions", "")
    paper = raw.get("paper", "A4")
    if not isinstance(paper, str) or paper.lower() not in {p.lower() for p in PAPER_SIZES}:
        bad("paper", f"paper size {paper!r} is not one of {', '.join(PAPER_SIZES)}")
        paper = "A4"
    else:
        paper = next(p for p in PAPER_SIZES if p.lower() == paper.lower())
    versions = raw.get("versions", 1)
    if not isinstance(versions, int) or isinstance(versions, bool) or not 1 <= versions <= 26:
        bad("versions", f"must be a whole number from 1 to 26, not {versions!r}")
        versions = 1
    seed = raw.get("seed", 0)
    if not isinstance(seed, (int, str)) or isinstance(seed, bool):
        bad("seed", f"must be a number or a string, not {seed!r}")
        seed = 0
    points = _points(raw.get("points", 1), lambda m: bad("points", m))
    by_kind: dict[str, float] = {}
    table = raw.get("points_by_kind", {})
    if not isinstance(table, dict):
        bad("points_by_kind", "must be a table such as {open = 5, numeric = 2}")
    else:
        for kind, value in table.items():
            if kind not in KINDS:
                bad(kind, f"unknown question kind (known: {', '.join(KINDS)})", table="points_by_kind")
            by_kind[kind] = _points(value, lambda m, k=kind: bad(k, m, table="points_by_kind"))
    flags = {}
    for key in ("shuffle_questions", "shuffle_choices"):
        flags[key] = raw.get(key, True)
        if not isinstance(flags[key], bool):
            bad(key, "must be true or false")
            flags[key] = True
    sheet = raw.get("sheet", False)
    if not isinstance(sheet, bool):
        bad("sheet", "must be true or false")
        sheet = False
    multi = raw.get("multi", "all-or-nothing")
    if multi not in MULTI_RULES:
        bad("multi", f"must be one of {', '.join(repr(m) for m in MULTI_RULES)}, not {multi!r}")
        multi = "all-or-nothing"
    penalty = raw.get("penalty", 1.0)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 0 <= penalty <= 1:
        bad("penalty", f"must be a number from 0 to 1 (share of a correct box's points), not {penalty!r}")
        penalty = 1.0
    draws: list[Draw] = []
    raw_draws = raw.get("draw", [])
    if not isinstance(raw_draws, list) or not raw_draws:
        bad("draw", "needs at least one [[exam.draw]] table saying which questions to draw")
        raw_draws = []
    for d_index, raw_draw in enumerate(raw_draws):
        draw = _parse_draw(raw_draw, d_index, lambda key, message, d=d_index, code="exam-bad-value":
                           bad(key, message, "draw", d, code), lines.line(index, None, "draw", d_index))
        if draw is not None:
            draw = replace(draw, key_lines=tuple(
                (key, lines.line(index, key, "draw", d_index)) for key in sorted(_DRAW_KEYS)))
        if draw is not None:
            draws.append(draw)
    definition = ExamDefinition(
        name=name, title=title, course=course, date=date, instructions=instructions, paper=paper,
        versions=versions, seed=str(seed), points=points, points_by_kind=by_kind, draws=tuple(draws),
        shuffle_questions=flags["shuffle_questions"], shuffle_choices=flags["shuffle_choices"],
        file=where, line=lines.line(index), instructions_line=lines.line(index, "instructions"), time=time.strip(),
        sheet=sheet, multi=multi, penalty=float(penalty))
    return definition, diags


def _points(value: Any, bad: Any) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not 0 <= value <= MAX_POINTS):
        bad(f"points must be a number from 0 to {MAX_POINTS}, not {value!r}")
        return 1.0
    return float(value)


def _parse_draw(raw: Any, d_index: int, bad: Any, line: int) -> Draw | None:
    if not isinstance(raw, dict):
        bad("draw", f"draw rule {d_index + 1} must be a table")
        return None
    for key in sorted(set(raw) - _DRAW_KEYS):
        bad(key, f"unknown key in [[exam.draw]] (known: {', '.join(sorted(_DRAW_KEYS))})", code="exam-unknown-key")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        bad(key, "must be a string or a list of strings")
        return ()

    kinds = strings("kind")
    for kind in kinds:
        if kind not in KINDS:
            bad("kind", f"unknown question kind '{kind}' (known: {', '.join(KINDS)})")
    answered = raw.get("answered")
    if answered is not None and not isinstance(answered, bool):
        bad("answered", "must be true or false")
        answered = None
    count = raw.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        bad("count", f"must be a whole number of at least 1, not {count!r}")
        count = None
    vary = raw.get("vary", False)
    if not isinstance(vary, bool):
        bad("vary", f"must be true or false, not {vary!r}")
        vary = False
    options = raw.get("options", 3)
    if isinstance(options, bool) or not isinstance(options, int) or not 0 <= options <= 3:
        bad("options", f"must be a whole number from 0 to 3 (wrong options of a varied question), not {options!r}")
        options = 3
    points = None
    if "points" in raw:
        points = _points(raw["points"], lambda m: bad("points", m))
    return Draw(line=line, documents=strings("document"), sections=strings("section"), kinds=kinds,
                tags=strings("tag"), ids=strings("id"), answered=answered, count=count, points=points,
                vary=vary, options=options)




def read_definitions(path: Path) -> tuple[list[ExamDefinition], list[Diagnostic]]:
    """The exam definitions in `path`, checked (see definitions.parse_definitions)."""
    where = path.as_posix()
    raw, problems = read_source(path, where)  # a folder, a FIFO or a device is refused, never read
    if raw is None:
        return [], [replace(d, code="exam-unreadable", message=f"cannot read exam definitions: {d.message}")
                    for d in problems]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Diagnostic(where, raw[: exc.start].count(b"\n") + 1, "error", "exam-unreadable",
                               "cannot read exam definitions: not valid UTF-8; TOML is UTF-8")]
    return parse_definitions(text, where)


__all__ = ["PAPER_SIZES", "MAX_POINTS", "Draw", "ExamDefinition", "version_letter", "parse_definitions", "read_definitions"]
