"""What sets an option apart, feature by feature: one function and one row each in `FEATURES` (a symbol before
the item, a note after it, emphasis around it, an HTML tag on it, a short mark in one table column, a bullet of
its own among the list's other bullets).
`features_of` gives an item's features as `name=value` keys; values that mark a wrong or unchosen option
(`NEGATIVE`) are never one."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_LEAD = re.compile(r"^(\[[ xX✓✔]\]|:[a-z0-9_+\-]+:|[^\w\s(\[<*_`'\"$\\|.,:;!?#>\-+=/{}()\[\]&%@~^]{1,3})(?=\s|$)")  # no code brackets
_TRAIL = re.compile(r"(?:\s|^)(?:[(\[]\s*([^()\[\]\n]{1,24}?)\s*[)\]]|(:[a-z0-9_+\-]+:|[^\w\s)\].,;:!?'\"`*${}]{1,3}))"
                    r"\s*$")
_LABEL = re.compile(r"^(?:\(?[A-Ha-h1-9][.)]|\([A-Ha-h1-9]\))\s+")
_WRAP = re.compile(r"^(\*\*|__|`|\*|_)(?!\1)(.+?)(?<!\s)\1$")
_STAR_AFTER = re.compile(r"\s(\*{1,3})$")
_TAG = re.compile(r"<(font|b|strong|mark|span|em|u|i)\b([^>]*)>", re.I)


def _lead(text: str, cells: list[str], marker: str) -> str | None:
    if text[:1].isalnum() and text[1:2] not in (".", ")"):
        return None  # most items start with a word: no symbol before them
    bare = _LABEL.sub("", text)
    m = _LEAD.match(bare)
    return m.group(1).lower() if m and bare[m.end():].strip() else None  # a mark with nothing it marks is none


def _trail(text: str, cells: list[str], marker: str) -> str | None:
    star = _STAR_AFTER.search(text)
    if star and _LABEL.sub("", text[:star.start()]).strip() and text[:star.start()].count("*") % 2 == 0:
        return star.group(1)  # `Mercury *`: a star after a space closes no emphasis, it marks
    end = text.rstrip("*_` ")[-1:]
    if not end or end.isalnum() or end in ".,;!?'\"$":
        return None  # most items end with a word or a full stop
    m = _TRAIL.search(text.rstrip("*_` "))
    if not m or not _LABEL.sub("", text[:m.start()]).strip():
        return None  # a mark with nothing it marks is none
    value = (m.group(1) or m.group(2) or "").strip().lower()
    return value if value and not value.isdigit() else None


def _wrap(text: str, cells: list[str], marker: str) -> str | None:
    if not cells and text[-1:] not in ("*", "_", "`"):
        return None
    for s in [text] + cells:
        m = _WRAP.match(_LABEL.sub("", s.strip()))
        if m:
            return m.group(1)
    return None


def _tag(text: str, cells: list[str], marker: str) -> str | None:
    if "<" not in text:
        return None
    m = _TAG.search(text)
    return (m.group(1).lower() + re.sub(r"\s+", " ", m.group(2).lower().replace("'", '"'))).strip() if m else None


def _cell(text: str, cells: list[str], marker: str) -> str | None:
    if not cells:
        return None
    marks = [f"{k}:{c.strip()}" for k, c in enumerate(cells) if 0 < len(c.strip()) <= 2 and not c.strip().isalnum()]
    return marks[0] if marks else None


def _bullet(text: str, cells: list[str], marker: str) -> str | None:
    return marker if marker in ("-", "*", "+") else None


@dataclass(frozen=True)
class Feature:
    name: str  # the cue's name, as in `make check`
    says: str  # what it is, for a person
    find: Callable[[str, list[str], str], str | None]  # item text, table cells, bullet -> its value, or None


# Strongest first: when two features set apart the same number of runs, the earlier row wins.
FEATURES: tuple[Feature, ...] = (
    Feature("symbol-before", "a symbol before the option", _lead),
    Feature("note-after", "a note after the option", _trail),
    Feature("emphasis", "emphasis around the option", _wrap),
    Feature("html-tag", "an HTML tag on the option", _tag),
    Feature("table-column", "a mark in a table column", _cell),
    Feature("bullet", "a list marker of its own on the option", _bullet),  # `* right` among `- wrong`
)

# Values that mark a wrong option or an unchosen one: never the document's correct mark.
NEGATIVE = frozenset({"[ ]", "❌", "✗", "✘", "✖", "❎", ":x:", ":heavy_multiplication_x:",
                      ":negative_squared_cross_mark:", "(incorrect)", "incorrect", "wrong", "(wrong)"})


def features_of(text: str, cells: list[str] | tuple[str, ...] = (), marker: str = "") -> frozenset[str]:
    """An item's features as `name=value` keys; `marker`: the bullet it is listed with, if any."""
    found = set()
    for f in FEATURES:
        value = f.find(text, list(cells), marker)
        if value is not None and value not in NEGATIVE:
            found.add(f"{f.name}={value}")
    return frozenset(found)


def strip(text: str, key: str) -> str:
    """text without the mark a feature key (`name=value`) names."""
    name, _, value = key.partition("=")
    s = text.strip()
    if name == "symbol-before":
        s = re.sub(rf"^((?:\(?[A-Ha-h1-9][.)]\s+)?){re.escape(value)}\s*", r"\1", s, flags=re.I)
    elif name == "note-after":
        s = re.sub(rf"\s*[(\[]?\s*{re.escape(value)}\s*[)\]]?\s*$", "", s, flags=re.I)
    elif name == "emphasis":
        m = _WRAP.match(s)
        s = m.group(2) if m else s.replace(value * (2 if value in "*_" and len(value) == 1 else 1), "", 2)
    elif name == "html-tag":
        s = re.sub(r"</?(?:font|b|strong|mark|span|em|u|i)\b[^>]*>", "", s, flags=re.I)
    return s.strip()


def unlabelled(text: str) -> str:
    """text without an option label before it (`a)`, `B.`, `(3)`)."""
    return _LABEL.sub("", text)
