"""An overlay file (`seeds/<document>.fixes.toml`) -> its fixes, each checked for keys and types with the line
to report a problem at; curation.py applies them. The format:

    [document]
    title = "RNN Quiz"                      # optional: the document's title in decks and exams

    [layout]                                # optional: parts of the layout the reader got wrong
    questions = "numbered items"            # what starts a question: headings, labels, bold labels, numbered items
    options = "lettered lines"              # which lists are options: list, task list, lettered lines, ...
    correct = "emphasis"                    # what marks a correct option (see the README's layout vocabulary)

    [[fix]]
    question = "refers to the j"            # text the stem contains
    why = "the export's radio markers contradict its own explanation"
    correct = [1]                           # option numbers (1-based) that are correct, at least one
    kind = "multi_choice"                   # optional: override the kind
    choices = ["$x^{(i)<j>}$", "..."]       # optional: replace every option's text (same count)
    answer = "..."                          # optional: supply or replace the reference answer
    explanation = "..."                     # optional: supply or replace the explanation, for learners
    note = "..."                            # optional: a note shown to the learner
    rubric = ["...", "..."]                 # optional: a written answer's grading criteria, points shared evenly
    [[fix.figure]]                          # optional, repeatable: supply a figure the document lacks
    diagram = "many-to-many Tx=4"           # a diagram description (see pipeline/diagrams/), or
    file = "q02.svg"                        # an SVG or PNG file beside the overlay, inside the project, or
    equation = "y = W x + b"                # a displayed equation the text introduces but lacks (TeX)
    fills = 1                               # the question's missing figure it supplies (1 = its first);
    where = "answer"                        # or, without `fills`, the text it goes with: stem or answer
    caption = "..."                         # optional: a caption under the figure
    [[fix.replace]]                         # optional, repeatable: targeted text repair
    field = "stem"                          # stem, answer, explanation, context or "option 2"
    find = "\\Gamma_{\\rm M}"               # text the field contains (not empty)
    with = "\\Gamma_u"                      # what replaces it (empty deletes it)
"""
from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.files import assets, tomlfile
from pipeline.diagrams import diagram
from pipeline.model import FIGURE_PLACES, Diagnostic, KINDS, Vary
from pipeline.files.source import read_source

FIX_KEYS = {"question", "why", "correct", "kind", "choices", "answer", "note", "replace", "explanation", "vary",
            "figure", "rubric", "sizes"}
MAX_PINNED = 10**9  # the largest size `sizes` may pin, as for a size a document states
FIGURE_KEYS = {"diagram", "file", "equation", "fills", "where", "caption"}
FIGURE_FILE_TYPES = ("image/svg+xml", "image/png")
# Sizes an overlay may let vary, by what the reference model calls them.
VARY_SIZES = {"n_x": "input size", "n_h": "hidden size", "n_y": "output size", "batch": "batch size",
              "steps": "time steps", "features": "input features per step", "units": "units of the layer"}
REPLACE_KEYS = {"field", "find", "with"}
DOCUMENT_KEYS = {"title"}
LAYOUT_KEYS = {"correct", "options", "questions"}  # the parts of a document's layout an overlay can pin (`make check` prints them)
RESOLVED_BY_CORRECT = {"choice-unmarked", "choice-ambiguous", "answer-by-name", "answer-unmatched"}
_FIELD = re.compile(r"stem|answer|explanation|context|option [1-9][0-9]*")
_TABLE = re.compile(r"\s*\[\[?([^\[\]#]+)\]\]?\s*(?:#.*)?")  # [document], [[fix]], [[ fix.replace ]] # note
_KEY = re.compile(r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*[=.]")  # question = ..., "why" = ..., document.title = ...

@dataclass(frozen=True)
class Overlay:
    path: str
    title: str | None
    fixes: tuple[tuple[int, dict[str, Any]], ...]  # (line of the [[fix]] header, the fix)
    diagnostics: tuple[Diagnostic, ...]
    layout: tuple[tuple[str, str, int], ...] = ()  # [layout] pins: (part, value, line of its key)

    @property
    def pins(self) -> tuple[tuple[str, str, int, str], ...]:
        """The [layout] pins as the reader takes them: (part, value, line, the overlay's path)."""
        return tuple((part, value, line, self.path) for part, value, line in self.layout)

    @property
    def figure_files(self) -> tuple[str, ...]:
        """The image files its fixes supply (`[[fix.figure]] file = ...`), relative to the overlay's folder."""
        return tuple(f["file"] for _, fix in self.fixes for f in fix.get("figure", ())
                     if isinstance(f, dict) and isinstance(f.get("file"), str))


def overlay_path(document_path: str) -> Path:
    p = Path(document_path)
    return p.with_name(p.name.rsplit(".", 1)[0] + ".fixes.toml")


def load_overlay(path: Path, shown: str | None = None) -> Overlay | None:
    """Parse an overlay file; None when there is none. Errors become diagnostics at the line of the offending
    key (else of its table), never exceptions; an invalid fix is left out, the others still apply."""
    shown = shown or str(path)
    if not os.path.lexists(path):
        return None
    raw, problems = read_source(path, shown)
    if raw is None:
        return Overlay(shown, None, (), tuple(problems))
    return parse_overlay(raw, shown, Path(path).parent)


def parse_overlay(raw: bytes, shown: str, folder: Path) -> Overlay:
    """The bytes of an overlay (named `shown` in diagnostics; its figure files are found in `folder`) -> its
    checked fixes."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Overlay(shown, None, (), (Diagnostic(shown, line, "error", "fix-invalid",
                                                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); TOML is UTF-8"),))
    try:
        data = tomlfile.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        return Overlay(shown, None, (), (Diagnostic(shown, line, "error", "fix-invalid", f"not valid TOML: {exc}"),))
    where = _Lines(text)
    diags: list[Diagnostic] = []

    def invalid(line: int, message: str) -> None:
        diags.append(Diagnostic(shown, line, "error", "fix-invalid", message))

    for key in data:
        if key not in ("fix", "document", "layout"):
            invalid(where.first(key), f"unknown table or key `{key}` (an overlay has [document], [layout] and "
                                      "[[fix]] tables)")
    pins = []
    layout = data.get("layout", {})
    if not isinstance(layout, dict):
        invalid(where.first("layout"), "`layout` must be a [layout] table, e.g. [layout] correct = \"emphasis\"")
    else:
        for part, value in layout.items():
            line = where.table_key("layout", part)
            if part not in LAYOUT_KEYS:
                invalid(line, f"unknown key `{part}` in [layout] (known: {', '.join(sorted(LAYOUT_KEYS))})")
            elif not _is_text(value):
                invalid(line, f"`{part}` must be a layout part as text, e.g. \"emphasis\", not {_shown(value)}")
            else:
                pins.append((part, value.strip(), line))
    title = None
    document = data.get("document", {})
    if not isinstance(document, dict):
        invalid(where.first("document"), "`document` must be a [document] table, e.g. [document] title = \"...\"")
    elif problem := _check_document(document):
        message, key = problem
        invalid(where.document(key), message)
    else:
        title = document.get("title")
    fixes = []
    found = data.get("fix", [])
    if not isinstance(found, list):
        invalid(where.first("fix"), "`fix` must be [[fix]] tables, one per fix")
        found = []
    for n, fix in enumerate(found):
        if problem := _check_fix(fix) or _check_figures(fix, folder):
            message, key_path = problem
            invalid(where.fix(n, *key_path), message)
        else:
            fixes.append((where.fix(n), fix))
    return Overlay(shown, title, tuple(fixes), tuple(diags), tuple(pins))


def _check_document(document: dict[str, Any]) -> tuple[str, str | None] | None:
    """The first problem of the [document] table, and the key it is at."""
    unknown = sorted(set(document) - DOCUMENT_KEYS)
    if unknown:
        return f"unknown key `{unknown[0]}` in [document] (known: {', '.join(sorted(DOCUMENT_KEYS))})", unknown[0]
    if "title" in document and not _is_text(document["title"]):
        return f"`title` must be the document's title as text, not {_shown(document['title'])}", "title"
    return None


def _check_fix(fix: Any) -> tuple[str, tuple[str | int, ...]] | None:
    """The first problem of a fix, and where it is: a key, or ("replace", index, key)."""
    if not isinstance(fix, dict):
        return f"each fix must be a [[fix]] table, not {_shown(fix)}", ()
    unknown = sorted(set(fix) - FIX_KEYS)
    if unknown:
        return f"unknown key `{unknown[0]}` (known: {', '.join(sorted(FIX_KEYS))})", (unknown[0],)
    if not _is_text(fix.get("question")):
        return "a fix needs `question`: text that the question's stem contains", ("question",)
    if not _is_text(fix.get("why")):
        return "a fix needs `why`: the reason for the correction", ("why",)
    if "kind" in fix and (not isinstance(fix["kind"], str) or fix["kind"] not in KINDS):
        return f"`kind` must be one of {', '.join(KINDS)}, not {_shown(fix['kind'])}", ("kind",)
    correct = fix.get("correct", [1])
    # bool is an int in Python: `true` must not read as option 1. An empty list would silently unmark every
    # option, leaving a choice question nobody can answer.
    if not (isinstance(correct, list) and correct and all(type(k) is int and k >= 1 for k in correct)):
        return (f"`correct` must list the correct options' numbers, counted from 1, e.g. [1, 3], "
                f"not {_shown(correct)}"), ("correct",)
    choices = fix.get("choices", ["-"])
    if not (isinstance(choices, list) and choices and all(_is_text(c) for c in choices)):
        return f"`choices` must be a list of the options' texts, e.g. [\"LSTM\", \"GRU\"], not {_shown(choices)}", \
            ("choices",)
    for key in ("answer", "explanation"):
        if key in fix and not isinstance(fix[key], str):
            return f"`{key}` must be text, not {_shown(fix[key])}", (key,)
    rubric = fix.get("rubric", ["-"])
    if not (isinstance(rubric, list) and rubric and all(_is_text(c) for c in rubric)):
        return (f"`rubric` must list what a grader looks for, one criterion a line, e.g. [\"names the cell "
                f"state\"], not {_shown(rubric)}"), ("rubric",)
    if "note" in fix and not _is_text(fix["note"]):
        return f"`note` must be text, not {_shown(fix['note'])}", ("note",)
    if "vary" in fix:
        problem = _check_vary(fix["vary"])
        if problem:
            return problem, ("vary",)
    if "sizes" in fix:
        problem = _check_sizes(fix["sizes"])
        if problem:
            return problem, ("sizes",)
    replace = fix.get("replace", [])
    if not (isinstance(replace, list) and all(isinstance(r, dict) for r in replace)):
        return f"`replace` must be [[fix.replace]] tables of `field`, `find` and `with`, not {_shown(replace)}", \
            ("replace",)
    for k, rep in enumerate(replace):
        odd = sorted(set(rep) - REPLACE_KEYS)
        if odd or set(rep) != REPLACE_KEYS:
            return "each [[fix.replace]] needs exactly `field`, `find` and `with`", ("replace", k, *odd[:1])
        if not isinstance(rep["field"], str) or not _FIELD.fullmatch(rep["field"]):
            return (f"`field` must be stem, answer, explanation, context or \"option N\" (N from 1), "
                    f"not {_shown(rep['field'])}"), ("replace", k, "field")
        if not isinstance(rep["find"], str) or not rep["find"]:
            return f"`find` must be the text to replace, not {_shown(rep['find'])}", ("replace", k, "find")
        if not isinstance(rep["with"], str):
            return f"`with` must be text (empty to delete), not {_shown(rep['with'])}", ("replace", k, "with")
    return None


def _check_figures(fix: dict[str, Any], folder: Path) -> tuple[str, tuple[str | int, ...]] | None:
    """The first problem of a fix's [[fix.figure]] entries, and where it is: ("figure", index, key). A file
    is checked here, where its line is known, and turned into the project path the renderers read."""
    figures = fix.get("figure", [])
    if isinstance(figures, dict):
        figures = fix["figure"] = [figures]  # `figure = { ... }`: one figure
    if not (isinstance(figures, list) and all(isinstance(f, dict) for f in figures)):
        return f"`figure` must be [[fix.figure]] tables, not {_shown(figures)}", ("figure",)
    for k, fig in enumerate(figures):
        odd = sorted(set(fig) - FIGURE_KEYS)
        if odd:
            return f"unknown key `{odd[0]}` in [[fix.figure]] (known: {', '.join(sorted(FIGURE_KEYS))})", \
                ("figure", k, odd[0])
        if sum(key in fig for key in ("diagram", "file", "equation")) != 1:
            return ("each [[fix.figure]] needs one of `diagram` (a description), `file` (an image) or `equation` "
                    "(a displayed formula)"), ("figure", k)
        if "equation" in fig:
            if not _is_text(fig["equation"]) or "$" in fig["equation"]:
                return (f"`equation` must be the formula's TeX without dollars, not {_shown(fig['equation'])}",
                        ("figure", k, "equation"))
            continue
        if "fills" in fig and not (type(fig["fills"]) is int and fig["fills"] >= 1):
            return (f"`fills` must be the number of the question's missing figure, counted from 1, "
                    f"not {_shown(fig['fills'])}"), ("figure", k, "fills")
        if "where" in fig and fig["where"] not in FIGURE_PLACES or "where" not in fig and "fills" not in fig:
            return (f"`where` must be stem or answer (the text the figure goes with), "
                    f"not {_shown(fig.get('where'))}"), ("figure", k, "where")
        if "caption" in fig and not _is_text(fig["caption"]):
            return f"`caption` must be text, not {_shown(fig['caption'])}", ("figure", k, "caption")
        if "diagram" in fig:
            if not isinstance(fig["diagram"], str):
                return f"`diagram` must be a description such as \"many-to-one Tx=4\", not {_shown(fig['diagram'])}", \
                    ("figure", k, "diagram")
            try:
                diagram(fig["diagram"])
            except ValueError as exc:
                return str(exc), ("figure", k, "diagram")
        else:
            found, problem = _figure_file(fig["file"], folder)
            if problem:
                return problem, ("figure", k, "file")
            fig["file"] = found
    return None


def _figure_file(name: Any, folder: Path) -> tuple[str, str | None]:
    """A figure file named beside the overlay -> its path relative to the project, or why it is refused."""
    if not _is_text(name) or "\0" in name:
        return "", f"`file` must name an image beside the overlay, e.g. \"q02.svg\", not {_shown(name)}"
    root = Path.cwd().resolve()
    try:
        path = (folder / name).resolve()
    except (OSError, RuntimeError, ValueError):
        return "", f"`file` {_shown(name)} cannot be resolved to a file"
    if not path.is_relative_to(root):
        return "", f"`file` {_shown(name)} is outside the project; a figure must be a file of the project"
    if assets.image_type(path) not in FIGURE_FILE_TYPES:
        return "", f"`file` {_shown(name)} must be an SVG or PNG image (.svg or .png)"
    if not path.exists():
        return "", f"`file` {_shown(name)} does not exist (looked for {path.relative_to(root).as_posix()})"
    data, problems = read_source(path, name, limit=assets.MAX_BYTES)
    if data is None:
        return "", f"`file` {_shown(name)}: {problems[0].message}"
    problem = assets.svg_problem(data) if assets.image_type(path) == "image/svg+xml" else None
    if problem:
        return "", f"`file` {_shown(name)} is refused: {problem}"
    return path.relative_to(root).as_posix(), None


def _check_vary(vary: Any) -> str | None:
    """`vary = { n_h = [64, 128, 256], n_x = { from = 10, to = 50 } }`: values to choose from, or a range."""
    if not isinstance(vary, dict) or not vary:
        return f"`vary` must be a table of sizes, e.g. {{ n_h = [64, 128] }}, not {_shown(vary)}"
    for name, spec in vary.items():
        if name not in VARY_SIZES:
            return f"`vary` can change {', '.join(sorted(VARY_SIZES))}; `{name}` is none of them"
        whole = lambda v: type(v) is int and v >= 1  # noqa: E731 - bool is an int: `true` is no size
        if isinstance(spec, list):
            if len(spec) < 2 or not all(whole(v) for v in spec):
                return f"`vary.{name}` must list two or more sizes of at least 1, not {_shown(spec)}"
        elif isinstance(spec, dict):
            if set(spec) != {"from", "to"} or not (whole(spec["from"]) and whole(spec["to"])) \
                    or spec["from"] >= spec["to"]:
                return f"`vary.{name}` must be a range {{ from = 10, to = 50 }} with from < to, not {_shown(spec)}"
        else:
            return f"`vary.{name}` must be a list of sizes or a {{ from, to }} range, not {_shown(spec)}"
    return None


def _check_sizes(sizes: Any) -> str | None:
    """`sizes = { n_x = 20, n_h = 128 }`: sizes a question's text leaves out, pinned for its recomputation."""
    if not isinstance(sizes, dict) or not sizes:
        return f"`sizes` must be a table of sizes, e.g. {{ n_x = 20, n_h = 128 }}, not {_shown(sizes)}"
    for name, value in sizes.items():
        if name not in VARY_SIZES:
            return f"`sizes` can pin {', '.join(sorted(VARY_SIZES))}; `{name}` is none of them"
        if type(value) is not int or not 1 <= value <= MAX_PINNED:
            return f"`sizes.{name}` must be a whole size from 1 to {MAX_PINNED:,}, not {_shown(value)}"
    return None


def vary_of(spec: dict[str, Any]) -> tuple[Vary, ...]:
    """A checked `vary` table as the model holds it."""
    return tuple(Vary(name, tuple(v)) if isinstance(v, list) else Vary(name, (), v["from"], v["to"])
                 for name, v in sorted(spec.items()))


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _shown(value: Any) -> str:
    """A value as TOML writes it, near enough for a message."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


class _Lines:
    """Where the tables and keys of an overlay's text are. tomllib gives values, not lines; a message should
    name the line of the key it is about."""

    def __init__(self, text: str) -> None:
        # (table name, header line, first line of each key); the top level first.
        self.tables: list[tuple[str, int, dict[str, int]]] = [("", 1, {})]
        quoted = tomlfile.string_lines(text)  # a `[[fix]]` inside a """ string is text, not a table
        for n, line in enumerate(text.split("\n"), 1):  # TOML ends lines with LF (CRLF ends in LF too)
            if n in quoted:
                continue
            if m := _TABLE.fullmatch(line):
                self.tables.append((re.sub(r"[\s\"']", "", m.group(1)), n, {}))
            elif m := _KEY.match(line):
                self.tables[-1][2].setdefault(m.group(1), n)

    def first(self, name: str) -> int:
        """The line of a top-level key or table `name`; else 1."""
        headers = [line for table, line, _ in self.tables if table == name]
        return headers[0] if headers else self.tables[0][2].get(name, 1)

    def table_key(self, table_name: str, key: str) -> int:
        """The line of `key` in the table `table_name` (else the table's header line)."""
        for table, line, keys in self.tables:
            if table == table_name:
                return keys.get(key, line)
        return self.first(table_name)

    def document(self, key: str | None) -> int:
        for table, line, keys in self.tables:
            if table == "document":
                return keys.get(key, line) if key else line
        return self.first("document")

    def fix(self, n: int, key: str | int | None = None, index: str | int | None = None, subkey: str | int | None = None,
            ) -> int:
        """The line of the n-th [[fix]], of its `key`, or of `subkey` in its index-th [[fix.replace]] or
        [[fix.figure]]."""
        starts = [i for i, (table, _, _) in enumerate(self.tables) if table == "fix"]
        if n >= len(starts):
            return self.first("fix")  # inline tables: `fix = [...]`
        _, line, keys = self.tables[starts[n]]
        if key in ("replace", "figure") and isinstance(index, int):
            end = starts[n + 1] if n + 1 < len(starts) else len(self.tables)
            replaces = [t for t in self.tables[starts[n] + 1:end] if t[0] == f"fix.{key}"]
            if index < len(replaces):
                _, rline, rkeys = replaces[index]
                return rkeys.get(str(subkey), rline) if subkey is not None else rline
        return keys.get(str(key), line) if key is not None else line
