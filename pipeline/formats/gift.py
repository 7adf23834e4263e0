"""Moodle GIFT -> questions, by its grammar: `::title::`, `[format]`, the text, then an answer set in braces:
`{=right ~wrong}` (one choice), `{~%50%a ~%50%b ~%-100%c}` (weights: several choices), `{=a =b}` (short
answers), `{T}` / `{F}`, `{#3.14:0.01}`, `{#1..5}` and `{#=%100%3:0 =%50%3:1}` (numbers), `{=a -> b}`
(matching), `{}` (an essay); `#feedback` after an answer and `####feedback` for the whole question; text after
the braces (a missing word); `$CATEGORY:` lines; `//` comments; escapes `\\~ \\= \\# \\{ \\} \\:`.
Questions are separated by blank lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Choice, Cue, Diagnostic, Document, Skipped
from pipeline.files.normalize import decode, split_lines
from pipeline.formats.items import Item, document

_ESCAPED = re.compile(r"\\([~=#{}:])")
_SPECIAL = "~=#{}"
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_TITLE = re.compile(r"^\s*::((?:\\.|[^:\\]|:(?!:))*)::", re.S)
_TF = re.compile(r"^(TRUE|FALSE|T|F)(?=\s*(?:#|$))")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMERIC = re.compile(rf"^\s*({_NUMBER})\s*(?::\s*({_NUMBER})|\.\.\s*({_NUMBER}))?\s*$")
_TAG = re.compile(r"<[^>]+>")
_ANSWER_SET = re.compile(rb"\{\s*(?:[=~#}]|(?:TRUE|FALSE|T|F)\s*[#}])")


def looks_like_gift(data: bytes, path: str) -> bool:
    """A `.gift` file, or a text whose every question has a GIFT answer set (`{=...}`, `{~...}`, `{T}`, `{#...}`)."""
    if path.lower().endswith(".gift"):
        return True
    if not _ANSWER_SET.search(data, 0, 65536):  # cheap: most texts have no GIFT answer set near their start
        return False
    text, _ = decode(data, path)
    if text is None:
        return False
    try:
        parsed = parse(split_lines(text))
    except ValueError:
        return False
    blocks = [b for b in parsed.blocks if not b.category]
    return bool(blocks) and all(b.kind != "description" and b.kind != "essay" for b in blocks) and not parsed.errors


@dataclass
class Answer:
    text: str
    weight: float | None  # `%50%`; None when not given
    correct: bool  # `=`, or a positive weight
    feedback: str
    line: int


@dataclass
class Block:
    start: int
    end: int
    kind: str = ""  # choice, short, truefalse, numeric, matching, essay, description
    title: str = ""
    stem: str = ""
    answers: list[Answer] = field(default_factory=list)
    truth: bool | None = None
    feedback: str = ""  # the question's general feedback
    tf_feedback: tuple[str, str] = ("", "")
    category: str = ""
    embedded: bool = False


@dataclass
class Parsed:
    blocks: list[Block]
    errors: list[tuple[int, str]]
    skipped: list[Skipped]


def unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text).replace("\\n", "\n")


def _split(text: str, sep: str) -> list[str]:
    """Split at every unescaped `sep`."""
    out, cur, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if text.startswith(sep, i):
            out.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(text[i])
        i += 1
    out.append("".join(cur))
    return out


def _find(text: str, chars: str, start: int = 0) -> int:
    """Index of the first unescaped character of `chars` from `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _clean(text: str) -> str:
    text = unescape(text)
    if "<" in text:
        text = _TAG.sub("", text)
    return " ".join(text.split())


def parse(lines: list[str]) -> Parsed:
    """Lines of a GIFT file -> its blocks (questions and categories), with errors at their lines."""
    blocks: list[Block] = []
    errors: list[tuple[int, str]] = []
    skipped: list[Skipped] = []
    chunk: list[tuple[int, str]] = []
    depth = 0

    def flush() -> None:
        if chunk:
            block = _block(chunk, errors)
            if block is not None:
                blocks.append(block)
                if block.kind == "description":
                    skipped.append(Skipped(block.start, block.end, "a GIFT description: text, not a question"))
            chunk.clear()

    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        if depth == 0 and stripped.startswith("//"):
            skipped.append(Skipped(no, no, "a GIFT comment"))
            continue
        if depth == 0 and stripped.startswith("$CATEGORY:"):
            flush()
            blocks.append(Block(no, no, "category", category=unescape(stripped[len("$CATEGORY:"):]).strip()))
            continue
        if not stripped and depth == 0:
            flush()
            continue
        chunk.append((no, line))
        i = 0
        while (i := _find(line, "{}", i)) >= 0:
            depth = max(0, depth + (1 if line[i] == "{" else -1))
            i += 1
    flush()
    return Parsed(blocks, errors, skipped)


def _block(chunk: list[tuple[int, str]], errors: list[tuple[int, str]]) -> Block | None:
    start, end = chunk[0][0], chunk[-1][0]
    text = "\n".join(line for _, line in chunk)
    offsets = []  # character offset of each line's start, to find an answer's line
    pos = 0
    for no, line in chunk:
        offsets.append((pos, no))
        pos += len(line) + 1

    def line_at(offset: int) -> int:
        return max((no for at, no in offsets if at <= offset), default=start)

    block = Block(start, end)
    body = text
    cut = 0
    if m := _TITLE.match(body):
        block.title = _clean(m.group(1))
        cut = m.end()
    if m := _FORMAT.match(body[cut:]):
        cut += m.end()
    opening = _find(body, "{", cut)
    if opening < 0:
        block.kind, block.stem = "description", _clean(body[cut:])
        return block if block.stem else None
    closing = _find(body, "}", opening + 1)
    if closing < 0:
        errors.append((line_at(opening), "an answer set opens with `{` and never closes"))
        return None
    before, inside, after = body[cut:opening], body[opening + 1:closing], body[closing + 1:]
    if _find(after, "{") >= 0:
        errors.append((line_at(closing), "a second answer set in one question; only one is read"))
    block.embedded = bool(after.strip())
    if m := _FORMAT.match(before):
        before = before[m.end():]
    block.stem = (_clean(before) + " _____ " + _clean(after)).strip() if block.embedded else _clean(before)
    _answers(block, inside, opening + 1, line_at, errors)
    return block


def _answers(block: Block, inside: str, base: int, line_at, errors: list[tuple[int, str]]) -> None:
    parts = _split(inside, "####")
    content = parts[0]
    if len(parts) > 1:
        block.feedback = _clean("####".join(parts[1:]))
    stripped = content.strip()
    if not stripped:
        block.kind = "essay"
        return
    if m := _TF.match(stripped):
        block.kind = "truefalse"
        block.truth = m.group(1).upper().startswith("T")
        fb = _split(stripped[m.end():], "#")[1:]
        block.tf_feedback = (_clean(fb[0]) if fb else "", _clean(fb[1]) if len(fb) > 1 else "")
        return
    numeric = stripped.startswith("#")
    if numeric:
        content = content[content.index("#") + 1:]
        base += inside.index("#") + 1
    # Answers start at each unescaped `=` or `~` (in a numeric set `~` is not used); a lone value has neither.
    marks = []
    i = 0
    while (i := _find(content, "=~", i)) >= 0:
        marks.append(i)
        i += 1
    if numeric and not marks:
        block.kind = "numeric"
        value, _, fb = content.partition("#")
        block.answers.append(Answer(value.strip(), None, True, _clean(fb), line_at(base)))
        if not _NUMERIC.match(value):
            errors.append((line_at(base), f"`{value.strip()}` is not a number, `number:tolerance` or `low..high`"))
        return
    if not marks:
        errors.append((line_at(base), "an answer set with no `=` or `~` answer"))
        block.kind = "description"
        return
    for k, at in enumerate(marks):
        piece = content[at:marks[k + 1] if k + 1 < len(marks) else len(content)]
        sign, rest = piece[0], piece[1:].lstrip()
        weight = None
        if m := _WEIGHT.match(rest):
            weight = float(m.group(1))
            rest = rest[m.end():]
        fields = _split(rest, "#")
        correct = weight > 0 if weight is not None else sign == "="
        block.answers.append(Answer(fields[0].strip(), weight, correct, _clean("#".join(fields[1:])),
                                    line_at(base + at)))
    if numeric:
        block.kind = "numeric"
    elif all(a.text and "->" in a.text for a in block.answers):
        block.kind = "matching"
    elif any(content[at] == "~" for at in marks):
        block.kind = "choice"
    else:
        block.kind = "short"


def read_gift(data: bytes, path: str, slug: str) -> Document:
    text, diags = decode(data, path)
    if text is None:
        return Document(path, slug, "", slug, diagnostics=tuple(diags))
    lines = split_lines(text)
    parsed = parse(lines)
    diags += [Diagnostic(path, no, "error", "gift-syntax", message) for no, message in parsed.errors]
    items: list[Item] = []
    section = ""
    for b in parsed.blocks:
        if b.kind == "category":
            section = b.category.split("/")[-1].strip()
            continue
        item = _item(b, path, section)
        if item is not None:
            items.append(item)
    skipped = list(parsed.skipped) + [Skipped(b.start, b.end, "a GIFT category") for b in parsed.blocks
                                      if b.kind == "category"]
    return document(items, path, slug, "GIFT", slug, lines=tuple(lines), skipped=sorted(skipped, key=lambda s: s.line_start),
                    diagnostics=diags, looked_for="GIFT questions (text followed by an answer set in braces)")


def _item(b: Block, path: str, section: str) -> Item | None:
    if b.kind == "description":
        return None
    cues = [Cue("start", "gift-title" if b.title else "gift-question", b.start)]
    it = Item("open", b.stem, b.start, b.end, section=section, explanation=b.feedback, cues=cues)
    if b.kind in ("choice", "truefalse"):
        if b.kind == "truefalse":
            it.choices = [Choice("True", bool(b.truth), b.end), Choice("False", not b.truth, b.end)]
            right = b.tf_feedback[1]  # `{T#feedback to a wrong answer#feedback to the right one}`
            it.explanation = "\n\n".join(t for t in (right, b.feedback) if t)
            cues.append(Cue("options", "gift-true-false", b.end))
        else:
            it.choices = [Choice(_clean(a.text), a.correct, a.line) for a in b.answers]
            cues.append(Cue("options", "gift-answers", b.answers[0].line))
            weighted = any(a.weight is not None for a in b.answers)
            why = [a.feedback for a in b.answers if a.correct and a.feedback]
            it.explanation = "\n\n".join(why + ([b.feedback] if b.feedback else []))
            if weighted and sum(a.correct for a in b.answers) > 1:
                it.kind = "multi_choice"
                cues += [Cue("correct", "gift-weight", a.line) for a in b.answers if a.correct]
                return it
            cues += [Cue("correct", "gift-weight" if weighted else "gift-equals", a.line)
                     for a in b.answers if a.correct]
        it.kind = "single_choice" if sum(c.correct for c in it.choices) <= 1 else "multi_choice"
        return it
    if b.kind in ("short", "numeric"):
        accepted = [a for a in b.answers if a.correct]
        it.answer = " or ".join(_numeric(a.text) if b.kind == "numeric" else _clean(a.text) for a in accepted)
        why = [a.feedback for a in accepted if a.feedback]
        it.explanation = "\n\n".join(why + ([b.feedback] if b.feedback else []))
        cues.append(Cue("answer", "gift-number" if b.kind == "numeric" else "gift-short-answer",
                        accepted[0].line if accepted else b.start))
    elif b.kind == "matching":
        pairs = [tuple(_clean(s) for s in _split(a.text, "->")[:2]) for a in b.answers]
        it.answer = "\n".join(f"- {left} → {right}" for left, right in pairs)
        cues.append(Cue("answer", "gift-matching", b.answers[0].line))
    return it


def _numeric(text: str) -> str:
    """`3.14:0.01` -> `3.14 ± 0.01`, `1..5` -> `from 1 to 5`, `3:0` -> `3`."""
    m = _NUMERIC.match(unescape(text))
    if not m:
        return _clean(text)
    value, tolerance, high = m.groups()
    if high is not None:
        return f"from {value} to {high}"
    if tolerance is not None and float(tolerance) != 0:
        return f"{value} ± {tolerance}"
    return value
