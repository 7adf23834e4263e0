"""Any Markdown or text document -> Document, in two steps: the text is parsed into blocks with line spans
(`blocks`), then one layout analysis finds the questions, options, correct marks and answers from the cues
real documents use (`layout`, `parts`, `marks`). Nothing depends on the file's name."""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.model import Cue, Diagnostic, Document, Question, Skipped
from pipeline.files.normalize import decode, split_lines
from pipeline.files.source import read_source
from pipeline.markup import has_unbalanced_dollar
from pipeline.readers import (containers, convention, debris, features, layout, marks, parts, pieces, plausibility,
                              question, summary)
from pipeline.readers.blocks import annotate
from pipeline.readers.cues import NUMBER, Label
from pipeline.readers.region import Region
from pipeline.readers.start import Start
from pipeline.readers.text import coverage, skip_runs
from pipeline.readers.text import TextLine

FAMILY_NAMES = {"heading": "numbered headings", "label": "question labels", "item": "list items",
                "line": "one question per line"}


def slug_of(path: str) -> str:
    """The document's slug: its file name without the extension, whitespace as `-` (Anki tags and question
    ids may hold no space), e.g. `seeds/my quiz.md` -> `my-quiz`."""
    name = Path(path).name
    stem = next((name[: -len(s)] for s in (".md", ".txt", ".markdown") if name.endswith(s)), Path(path).stem)
    return "-".join(stem.split()) or "document"


Pins = tuple[tuple[str, str, int, str], ...]  # an overlay's [layout] pins: (part, value, line, overlay path)


def read_bytes(data: bytes, path: str, slug: str | None = None, pins: Pins = ()) -> Document:
    """Bytes of one document -> Document. Never raises on bad input: problems become diagnostics. `pins` are
    the parts of the layout an overlay fixes (`[layout]` in `<document>.fixes.toml`)."""
    slug = slug or slug_of(path)
    text, diags = decode(data, path)
    if text is None:
        return Document(path, slug, "", slug, diagnostics=tuple(diags))
    with collector_paused():
        return document_from_lines(split_lines(text), path, slug, diags, pins)


def document_from_lines(raw: list[str], path: str, slug: str, diags: list[Diagnostic], pins: Pins = ()
                        ) -> Document:
    try:
        text = debris.clean(raw)
        starts_pin = _questions_pin(pins, diags)
        options_pin = _options_pin(pins, diags)
        questions, skipped, found_diags, title, family, blank = read_lines(
            text, path, slug, starts_pin[0] if starts_pin else None, options_pin[0] if options_pin else frozenset())
        if not questions and not starts_pin:
            questions, skipped, found_diags, title, family, blank, text = _read_code(
                text, path, slug, diags, (questions, skipped, found_diags, title, family, blank),
                options_pin[0] if options_pin else frozenset())
        if starts_pin and not questions:
            value, line, where = starts_pin[1:]
            diags.append(Diagnostic(where, line, "error", "layout-pin-unused",
                                    f"the pinned question starts “{value}” start no question in {path}"))
        if options_pin and not any(c.role == "options" and c.name in options_pin[0] for q in questions for c in q.cues):
            value, line, where = options_pin[1:]
            diags.append(Diagnostic(where, line, "error", "layout-pin-unused",
                                    f"the pinned options “{value}” are the options of no question in {path}"))
        pin = _correct_pin(pins, diags)
        questions, mark = convention.apply(questions, text, path, pin)
        if pin is not None and mark is None:
            _, value, line, where = next(p for p in pins if p[0] == "correct")
            diags.append(Diagnostic(where, line, "error", "layout-pin-unused",
                                    f"the pinned correct mark “{value}” sets no option apart in {path}"))
        questions = plausibility.check(questions, text, path)
        diags += found_diags
        questions = unique_ids(questions, path, diags)
        questions = [checked_text(q) for q in questions]
    except Exception as exc:  # a reader bug must not stop the other documents
        diags.append(Diagnostic(path, 1, "error", "reader-failed", f"the reader failed: {exc!r}"))
        return Document(path, slug, "", slug, diagnostics=tuple(diags), lines=tuple(raw))
    if not questions:
        diags.append(Diagnostic(path, 1, "error", "no-questions",
                                "no question found: looked for numbered headings (`## 3`, `### Question 3`), labels "
                                "(`**Q3.**`, `Q3:`, `Question 3:`), numbered or bulleted list items with options or "
                                "answers, and lines that each ask something"))
    else:
        diags += coverage([TextLine(i + 1, "" if i + 1 in blank else t) for i, t in enumerate(text)], questions,
                          skipped, path)
    return Document(path, slug, FAMILY_NAMES.get(family, ""), title or slug, tuple(questions), tuple(skipped),
                    tuple(diags), tuple(raw))


def _read_code(text: list[str], path: str, slug: str, diags: list[Diagnostic], read: tuple,
               options_pin: frozenset[str]) -> tuple:
    """A document with no question outside code, read again with its code blocks' text as Markdown: some
    authors keep a whole quiz in a ```` ```text ```` block to keep its line breaks. The first reading stands
    when the code holds no question either."""
    opened, first = containers.open_code(text)
    if not first:
        return (*read, text)
    again = read_lines(opened, path, slug, None, options_pin)
    if sum(1 for q in again[0] if q.choices or q.answer) * 2 <= len(again[0]):
        return (*read, text)  # no question, or lines of code that ask with nothing to answer them
    diags.append(Diagnostic(path, first, "info", "questions-in-code",
                            "the text outside code blocks holds no question: the questions are read from the text "
                            "of the code blocks"))
    fences = skip_runs([i + 1 for i, (a, b) in enumerate(zip(text, opened)) if a.strip() and not b.strip()], "code fence")
    questions, skipped, *rest = again
    return (questions, sorted(skipped + fences, key=lambda r: r.line_start), *rest, opened)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading allocates millions of short-lived objects and makes no reference cycles worth collecting; left
    on, Python's cyclic collector spends a fifth of a large document's reading walking them (a 5.4 MB quiz of
    20,000 questions: 6.6 s with it, 5.4 s without). It runs again as soon as reading ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def read_lines(raw: list[str], path: str, slug: str, pinned: str | None = None,
               options_pin: frozenset[str] = frozenset()
               ) -> tuple[list[Question], list[Skipped], list[Diagnostic], str, str, set[int]]:
    """Lines -> questions, skipped ranges, diagnostics, title, the label family, and the blank lines (a `>`
    alone is blank inside a blockquote). `pinned`: the label family an overlay says starts the questions;
    `options_pin`: the only option cues to take (empty: any)."""
    lines = annotate(containers.unwrap(raw))
    found = layout.analyse(lines, pinned)
    stated = any(r.start.lab.text for r in found.regions if r.start.family in ("heading", "label") and not r.opening)
    ctx = pieces.Context(path, slug, found.family, found.key, found.key.names_options() or marks.marks_options(lines),
                         stated,
                         options_pin)
    questions: list[Question] = []
    owned: set[int] = set()
    queue = list(found.regions)
    while queue:
        region = queue.pop(0)
        p = parts.segment(region, ctx)
        rest = getattr(p, "rest", [])
        if rest:
            queue.insert(0, _split(region, p, rest))
        q, used = question.question(region, p, ctx)
        owned.update(range(q.source.line_start, q.source.line_end + 1))
        inside = [Cue("skip", reason, no) for no, reason in p.skipped]
        questions.append(q.with_(cues=q.cues + tuple(inside)) if inside else q)
    if len(questions) > len(found.regions) and not any(r.start.lab.label for r in found.regions):
        questions = _counted(questions, slug)  # a split added questions to a count the document never wrote
    diags = _key_diagnostics(found, questions, path)
    diags += [Diagnostic(path, no, "warning", "question-empty", "a question label with no question text; left out")
              for no in found.empty]
    skipped = found.skipped
    for no in list(skipped):
        if no in owned:  # noise inside a question is the question's (its cues say so)
            del skipped[no]
    runs: list[Skipped] = []
    for reason in dict.fromkeys(skipped.values()):
        runs += skip_runs([no for no, r in skipped.items() if r == reason], reason)
    diags += [Diagnostic(path, s.line_start, "info", "skipped-preamble", "text before the first question is not "
                         "part of any question") for s in runs if s.reason == "text before the first question"]
    blank = {ln.no for ln in lines if ln.blank}
    return questions, sorted(runs, key=lambda s: s.line_start), diags, found.title, found.family, blank


def _counted(questions: list[Question], slug: str) -> list[Question]:
    """Questions the document does not number, numbered again in order (`q01`, `q02`, ...)."""
    out = []
    for k, q in enumerate(questions, start=1):
        plain = q.number.isdigit() and q.id == f"{slug}/q{int(q.number):02d}"
        out.append(q.with_(number=str(k), id=f"{slug}/q{k:02d}") if plain else q)
    return out


def _split(region: Region, p: pieces.Parts, rest: list) -> Region:
    """A second set of options after the first one's explanation: the export lost the next question's number.
    The paragraphs just above the new options are its stem (the first one stays the explanation when there are
    more)."""
    after = [para for para in p.after if any(not ln.blank for ln in para)]
    moved = after[1:] if len(after) >= 2 else after
    p.after = after[:1] if len(after) >= 2 else []
    lines = [ln for para in moved for ln in para] + rest
    first = next(ln for ln in lines if not ln.blank)
    moved_nos = {ln.no for para in moved for ln in para}
    p.used = [no for no in p.used if no not in moved_nos]
    later = [ln for ln in p.feedback if ln.no > first.no]
    p.feedback = [ln for ln in p.feedback if ln.no < first.no]
    p.used = [no for no in p.used if no not in {ln.no for ln in later}]
    number = str(int(region.number) + 1) if region.number.isdigit() else ""
    start = Start(-1, region.start.family, Label(NUMBER, number, first.body, "options-after-an-explanation"))
    body = [ln for ln in lines if ln.no >= first.no]
    body = sorted(body + later, key=lambda ln: ln.no)
    return Region(start, body, number or region.number + "+", f"q{int(number):02d}" if number else region.key + "-b",
                  region.section, cues=[Cue("start", "options-after-an-explanation", first.no)])


def _key_diagnostics(found: layout.Layout, questions: list[Question], path: str) -> list[Diagnostic]:
    """An answer key whose numbers disagree with the questions'."""
    if not found.key:
        return []
    stray = found.key.strays({q.number for q in questions}, {q.section for q in questions})
    if not stray:
        return []
    return [Diagnostic(path, found.key_lines[0], "warning", "answer-key-mismatch",
                       f"the answer key lists {', '.join(stray)}, which the document does not have")]


# `[layout] questions = "..."`: the words `make check` prints for a document's question starts -> label family.
QUESTION_STARTS = {"headings": "heading", "labels": "label", "bold labels": "label", "numbered items": "item"}


def _pinned(pins: Pins, diags: list[Diagnostic], part: str, vocabulary: dict, kind: str):  # noqa: ANN205
    """(what the vocabulary maps the pin's words to, value, line, overlay) of a `[layout] <part>` pin; an unknown
    value is an error at its line that names the known words."""
    for name, value, line, where in pins:
        if name == part:
            found = vocabulary.get(" ".join(value.lower().split()))
            if found is None:
                diags.append(Diagnostic(where, line, "error", "layout-pin-unused",
                                        f"“{value}” is no {kind} the reader knows (known: {', '.join(vocabulary)})"))
                return None
            return found, value, line, where
    return None


def _questions_pin(pins: Pins, diags: list[Diagnostic]) -> tuple[str, str, int, str] | None:
    """(family, value, line, overlay) of a `[layout] questions` pin."""
    return _pinned(pins, diags, "questions", QUESTION_STARTS, "question start")


def _options_pin(pins: Pins, diags: list[Diagnostic]) -> tuple[frozenset[str], str, int, str] | None:
    """(the option cues, value, line, overlay) of a `[layout] options` pin, in the words `make check` prints."""
    kinds = {word: frozenset(cue for cue, w in summary.OPTIONS.items() if w == word and cue in PINNABLE_OPTIONS)
             for word in summary.OPTIONS.values() if word}
    return _pinned(pins, diags, "options", {w: c for w, c in kinds.items() if c}, "kind of options")


# The option cues a question's own pass finds (options.options_at), which a pin can choose among.
PINNABLE_OPTIONS = frozenset({"list-items", "task-list", "lettered-lines", "options-on-one-line", "options-in-stem-line",
                              "radio-lines", "true-false", "indented-lines", "quiz-page-lines", "quiz-page-verdicts"})


def _correct_pin(pins: Pins, diags: list[Diagnostic]) -> tuple[str, str] | None:
    for part, value, line, where in pins:
        if part == "correct":
            key = convention.pinned_key(value)
            if key is None:
                names = ", ".join(f.name for f in features.FEATURES)
                diags.append(Diagnostic(where, line, "error", "layout-pin-unused",
                                        f"“{value}” is no correct mark the reader knows (known: {names})"))
            return key
    return None


def read_path(path: str | Path, display_path: str | None = None, pins: Pins = ()) -> Document:
    shown = display_path or str(path)
    data, diags = read_source(path, shown)
    if data is None:
        return Document(shown, slug_of(shown), "", slug_of(shown), diagnostics=tuple(diags))
    return read_bytes(data, shown, pins=pins)


def unique_ids(questions: list[Question], path: str, diags: list[Diagnostic]) -> list[Question]:
    seen: dict[str, int] = {}
    out = []
    for q in questions:
        if q.id in seen:
            seen[q.id] += 1
            diags.append(Diagnostic(path, q.source.line_start, "warning", "duplicate-number",
                                    f"question number {q.number} appears again; read as {q.id}-{seen[q.id]}"))
            q = q.with_(id=f"{q.id}-{seen[q.id]}")
        else:
            seen[q.id] = 1
        out.append(q)
    return out


_CURRENCY = re.compile(r"(?<![\\$\w])\$(?=\d)")


def _currency(text: str) -> str:
    """`$4.50` is money, not the start of a formula: escape such dollars where they leave one unmatched."""
    if "$" not in text or not has_unbalanced_dollar(text):
        return text
    escaped = _CURRENCY.sub(r"\\$", text)
    return escaped if not has_unbalanced_dollar(escaped) else text


def checked_text(q: Question) -> Question:
    """Report math that would reach the learner as raw `$`, and empty stems. A dollar before a number that
    matches no other is money and is escaped."""
    q = q.with_(stem=_currency(q.stem), answer=_currency(q.answer), explanation=_currency(q.explanation),
                choices=tuple(c.__class__(_currency(c.text), c.correct, c.line) for c in q.choices))
    extra: list[Diagnostic] = []
    fields = [("stem", q.stem), ("answer", q.answer), ("explanation", q.explanation)]
    fields += [(f"option {chr(65 + i)}", c.text) for i, c in enumerate(q.choices)]
    for name, text in fields:
        if text and has_unbalanced_dollar(text):
            extra.append(Diagnostic(q.source.file, q.source.line_start, "error", "math-unbalanced",
                                    f"the {name} has a `$` that opens no formula"))
    if not q.stem.strip():
        extra.append(Diagnostic(q.source.file, q.source.line_start, "error", "question-empty",
                                "the question has no text"))
    return q.with_(diagnostics=q.diagnostics + tuple(extra)) if extra else q
