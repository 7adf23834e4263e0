"""TOML text -> a dict, within bounds. `tomllib` recurses once per level of nesting, so a value nested a few
hundred deep ends in a RecursionError that no caller expects; the depth is measured first, in one pass, and a
document nested deeper than MAX_DEPTH is refused as a TOMLDecodeError at its line like any other bad TOML."""
from __future__ import annotations

import tomllib
from typing import Any

# Project files nest a handful of levels ([[fix]] -> figure -> table); 50 is far beyond any honest file.
MAX_DEPTH = 50


def loads(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)`, but a TOMLDecodeError naming the line for nesting deeper than MAX_DEPTH."""
    deepest = _too_deep(text)
    if deepest is not None:
        raise tomllib.TOMLDecodeError(f"arrays or inline tables nested more than {MAX_DEPTH} deep "
                                      f"(at line {deepest}, column 1)")
    try:
        return tomllib.loads(text)
    except RecursionError:  # only reachable with a lowered recursion limit; still an answer, not a traceback
        raise tomllib.TOMLDecodeError("nested too deep to read (at line 1, column 1)") from None


def string_lines(text: str) -> frozenset[int]:
    """The lines (1-based) that begin inside a multi-line string: a `[[fix]]` there is text, not a table."""
    return _scan(text)[1]


def _too_deep(text: str) -> int | None:
    """The line where `[`/`{` nesting inside values first exceeds MAX_DEPTH, or None."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[int | None, frozenset[int]]:
    """One pass over the text: the line where nesting first exceeds MAX_DEPTH (or None), and the lines that
    begin inside a multi-line string. Strings and comments are skipped, so brackets inside them do not count."""
    depth = 0
    line = 1
    inside: set[int] = set()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if c == '"' and text[j] == "\\":
                    j += 1
                elif text[j] == "\n" and len(quote) == 1:
                    break  # an unclosed one-line string: tomllib reports it
                j += 1
            newlines = text.count("\n", i, j)
            inside.update(range(line + 1, line + newlines + 1))
            line += newlines
            i = j + len(quote)
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, frozenset(inside)
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None, frozenset(inside)
