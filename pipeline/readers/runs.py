"""Option-like runs in a document's lines: list items at one indent, table rows, or the lines of one paragraph,
each item with its features, and which features set some but not all of a run's items apart."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.readers.features import features_of


@dataclass(frozen=True)
class Item:
    line: int  # 1-based line of its first line
    end: int  # 1-based line of its last line
    text: str  # what it says, without its list marker
    cells: tuple[str, ...] = ()  # a table row's cells
    features: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Run:
    kind: str  # "list", "table" or "lines"
    start: int  # first line of the run (a table's header row)
    items: tuple[Item, ...]

    @property
    def end(self) -> int:
        return self.items[-1].end


def set_apart(run: Run) -> dict[str, list[bool]]:
    """Feature -> which items carry it, for the features that some but not all items of the run carry."""
    n = len(run.items)
    out: dict[str, list[bool]] = {}
    for key in set().union(*(it.features for it in run.items)):
        has = [key in it.features for it in run.items]
        if 0 < sum(has) < n:
            out[key] = has
    return out


_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,2}[.)])\s+(.*)$")
_TABLE = re.compile(r"^\s*\|(.*?)\|?\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def runs_in(raw: list[str], first: int, last: int) -> list[Run]:
    """The option-like runs of lines first..last (1-based, inclusive): list items at one indent, table rows,
    and paragraphs of two or more short lines. Code and blockquotes hold none."""
    runs: list[Run] = []
    i = first - 1
    end = min(last, len(raw))
    fence = False
    while i < end:
        line = raw[i]
        if _FENCE.match(line):
            fence = not fence
            i += 1
            continue
        if fence or not line.strip() or line.lstrip().startswith((">", "#", "<details", "</details")):
            i += 1
            continue
        if _TABLE.match(line) and "|" in line.strip()[1:]:
            i = _table(raw, i, end, runs)
        elif _ITEM.match(line):
            i = _list(raw, i, end, runs)
        else:
            i = _lines(raw, i, end, runs)
    return runs


def _table(raw: list[str], i: int, end: int, runs: list[Run]) -> int:
    start = i
    rows: list[tuple[int, str]] = []
    while i < end and _TABLE.match(raw[i]):
        rows.append((i, raw[i]))
        i += 1
    if len(rows) >= 2 and _SEPARATOR.match(rows[1][1]):
        rows = rows[2:]  # the header row and its separator
    items = []
    for k, row in rows:
        if _SEPARATOR.match(row):
            continue
        cells = [c.strip() for c in _TABLE.match(row).group(1).split("|")]
        items.append(Item(k + 1, k + 1, row.strip(), tuple(cells), features_of(row.strip(), cells)))
    if items:
        runs.append(Run("table", start + 1, tuple(items)))
    return i


def _list(raw: list[str], i: int, end: int, runs: list[Run]) -> int:
    indent = len(_ITEM.match(raw[i]).group(1))
    family = _family(_ITEM.match(raw[i]).group(2))
    start = i
    items: list[Item] = []
    while i < end:
        m = _ITEM.match(raw[i])
        if m and len(m.group(1)) == indent and _family(m.group(2)) == family:
            text = m.group(3).strip()
            j = i + 1
            extra: list[str] = []
            while j < end:  # its continuation: deeper lines, lazy lines, a displayed formula after a blank line
                nxt = raw[j]
                if not nxt.strip():
                    k = j + 1
                    if k < end and raw[k].strip().startswith("$$"):
                        j = k
                        continue
                    break
                sub = _ITEM.match(nxt)
                if (sub and len(sub.group(1)) <= indent) or _TABLE.match(nxt) or nxt.lstrip().startswith((">", "#")):
                    break
                if sub:  # a nested list belongs to the item, not to the run
                    j += 1
                    continue
                extra.append(nxt.strip())
                j += 1
            items.append(Item(i + 1, j, text, (), features_of(text, (), m.group(2))))
            i = j
            k = i
            while k < end and not raw[k].strip():
                k += 1
            nm = _ITEM.match(raw[k]) if k < end else None
            if nm and len(nm.group(1)) == indent and _family(nm.group(2)) == family:
                i = k
                continue
            break
        break
    runs.append(Run("list", start + 1, tuple(items)))
    return max(i, start + 1)


def _family(marker: str) -> str:
    """A list's marker family: a bullet, or `.`/`)` after a number. CommonMark starts a new list when the bullet
    character changes; a run keeps them together, since some documents mark the right options with a bullet of
    their own (`* right` among `- wrong`)."""
    return "bullet" if marker in "-*+" else marker[-1]


def _lines(raw: list[str], i: int, end: int, runs: list[Run]) -> int:
    start = i
    while i < end and raw[i].strip() and not _ITEM.match(raw[i]) and not _TABLE.match(raw[i]) \
            and not raw[i].lstrip().startswith((">", "#", "```", "~~~", "<details")):
        i += 1
    lines = raw[start:i]
    if len(lines) >= 2 and all(len(ln) <= 200 for ln in lines):
        runs.append(Run("lines", start + 1, tuple(Item(start + k + 1, start + k + 1, ln.strip(), (),
                                                       features_of(ln.strip())) for k, ln in enumerate(lines))))
    return max(i, start + 1)


def item_of(line: int, text: str) -> Item:
    """One source line as an item: without its list marker, a table row with its cells."""
    text = text.strip()
    m = _ITEM.match(text)
    marker = m.group(2) if m else ""
    text = m.group(3).strip() if m else text
    cells = [s.strip() for s in _TABLE.match(text).group(1).split("|")] if _TABLE.match(text) else []
    return Item(line, line, text, tuple(cells), features_of(text, cells, marker))


def item_or_row(line: str) -> bool:
    return bool(_ITEM.match(line) or _TABLE.match(line))


def unlisted(line: str) -> str:
    """A line without its list marker."""
    return _ITEM.sub(r"\3", line)

