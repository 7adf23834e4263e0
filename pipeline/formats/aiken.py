"""Moodle's Aiken format -> choice questions. Each question is its text on one line, options `A.` or `A)` on
the lines after it, and `ANSWER: B` last; blank lines between questions are allowed. A text is Aiken only when
every question follows the grammar: anything looser is read by the Markdown reader."""
from __future__ import annotations

import re

from pipeline.model import Choice, Cue, Diagnostic, Document
from pipeline.files.normalize import decode, split_lines
from pipeline.formats.items import Item, document

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def _blocks(lines: list[str]) -> tuple[list[tuple[int, str, list[tuple[int, str, str]], int, str]], list[int]]:
    """(stem line, stem, options (line, letter, text), answer line, answer letter) for each question, and
    the lines that break the grammar."""
    found = []
    bad: list[int] = []
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        stem_no, stem = i + 1, lines[i].strip()
        i += 1
        options = []
        while i < n and (m := _OPTION.match(lines[i].strip())):
            options.append((i + 1, m.group(1), m.group(2)))
            i += 1
        if i < n and options and (m := _ANSWER.match(lines[i].strip())):
            found.append((stem_no, stem, options, i + 1, m.group(1)))
            i += 1
        else:
            bad.append(i + 1 if i < n else stem_no)
            while i < n and lines[i].strip():
                i += 1
    return found, bad


def looks_like_aiken(data: bytes) -> bool:
    if b"ANSWER:" not in data:
        return False
    text, _ = decode(data, "")
    if text is None:
        return False
    found, bad = _blocks(split_lines(text))
    return bool(found) and not bad


def read_aiken(data: bytes, path: str, slug: str) -> Document:
    text, diags = decode(data, path)
    if text is None:
        return Document(path, slug, "", slug, diagnostics=tuple(diags))
    lines = split_lines(text)
    found, bad = _blocks(lines)
    diags += [Diagnostic(path, no, "error", "aiken-syntax", "not Aiken: a question is one line, then options "
                         "`A.` or `A)`, then `ANSWER: A`") for no in bad]
    items = []
    for stem_no, stem, options, answer_no, letter in found:
        letters = [o[1] for o in options]
        choices = [Choice(t, lt == letter, no) for no, lt, t in options]
        item = Item("single_choice", stem, stem_no, answer_no, choices=choices,
                    cues=[Cue("start", "aiken-question", stem_no), Cue("options", "aiken-letters", options[0][0]),
                          Cue("correct", "aiken-answer", answer_no)])
        if letter not in letters:
            item.diagnostics.append(Diagnostic(path, answer_no, "warning", "answer-unmatched",
                                               f"`ANSWER: {letter}` names no option of the question"))
        items.append(item)
    return document(items, path, slug, "Aiken", slug, lines=tuple(lines), diagnostics=diags,
                    looked_for="Aiken questions (a line, options `A.`, `ANSWER: A`)")
