"""Word's automatic numbering -> the labels Word draws before list paragraphs ("3.", "b)", "iv."), which
are not in the text: a quiz's question numbers and option letters are often only there."""
from __future__ import annotations

import re

from pipeline.formats.docx.namespaces import W


def num_pr(num) -> tuple[str, int] | None:
    ident = num.find(W + "numId")
    level = num.find(W + "ilvl")
    if ident is None:
        return None
    return ident.get(W + "val"), int(level.get(W + "val")) if level is not None else 0


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    out = ""
    for value, digits in _ROMAN:
        while n >= value:
            out, n = out + digits, n - value
    return out


def _letters(n: int) -> str:
    return chr(96 + (n - 1) % 26 + 1) * ((n - 1) // 26 + 1)


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class Numbering:
    """Word's automatic numbers, counted as Word counts them: per abstract list, levels below the one
    that advances start again, a list instance with a start override starts again at its first use."""

    def __init__(self, word) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstract id -> level -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # num id -> (abstract id, level -> start override)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        try:
            root = word.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        for ab in root.iterchildren(W + "abstractNum"):
            lv = {}
            for lvl in ab.iterchildren(W + "lvl"):
                start = lvl.find(W + "start")
                fmt = lvl.find(W + "numFmt")
                text = lvl.find(W + "lvlText")
                lv[int(lvl.get(W + "ilvl", "0"))] = (
                    int(start.get(W + "val")) if start is not None else 1,
                    fmt.get(W + "val") if fmt is not None else "decimal",
                    text.get(W + "val") if text is not None else "%1.")
            self.levels[ab.get(W + "abstractNumId")] = lv
        for num in root.iterchildren(W + "num"):
            ab = num.find(W + "abstractNumId")
            overrides = {}
            for o in num.iterchildren(W + "lvlOverride"):
                so = o.find(W + "startOverride")
                if so is not None:
                    overrides[int(o.get(W + "ilvl", "0"))] = int(so.get(W + "val"))
            if ab is not None:
                self.nums[num.get(W + "numId")] = (ab.get(W + "val"), overrides)

    def label(self, num_id: str, level: int) -> str:
        """The next label of list `num_id` at `level`: "3.", "b)", "-" for a bullet; "" for none."""
        if num_id not in self.nums or num_id == "0":
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
                for deeper in [k for k in counters if k > lv]:
                    del counters[deeper]
        start, fmt, text = levels.get(level, (1, "decimal", f"%{level + 1}."))
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def value(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            s, f, _ = levels.get(k, (1, "decimal", ""))
            return _format(counters.get(k, s), f)

        label = re.sub(r"%(\d)", value, text).strip()
        return label if label else ""
