"""A Word file's styles -> what a paragraph or run inherits from them: heading levels, the numbering a
paragraph style carries (along `basedOn`), and the emphasis kinds of a run that could mark an option."""
from __future__ import annotations

import re

from pipeline.formats.docx.namespaces import W
from pipeline.formats.docx.numbering import num_pr


class Styles:
    """Paragraph styles: heading levels and numbering they carry, along `basedOn`."""

    def __init__(self, word) -> None:
        self.by_id: dict[str, object] = {}
        try:
            for s in word.styles.element.iterchildren(W + "style"):
                self.by_id[s.get(W + "styleId")] = s
        except (AttributeError, KeyError):
            pass

    def chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            s = self.by_id[style_id]
            yield s
            based = s.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def heading(self, style_id: str | None) -> int:
        for s in self.chain(style_id):
            name = s.find(W + "name")
            value = (name.get(W + "val") if name is not None else "").lower()
            if value == "title":
                return 1
            if m := re.fullmatch(r"heading (\d)", value):
                return min(6, int(m.group(1)) + 1)  # the document's title is the one `#`
        return 0

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for s in self.chain(style_id):
            num = s.find(f"{W}pPr/{W}numPr")
            if num is not None:
                found = num_pr(num)
                if found:
                    return found
        return None


RUN_KINDS = ((W + "b", "bold"), (W + "u", "underline"), (W + "highlight", "highlight"), (W + "color", "colour"))


def run_kinds(rpr, styles: "Styles | None" = None) -> frozenset[str]:
    """Emphasis kinds of a run: its own properties, and those of its character style (`Strong`)."""
    if rpr is None:
        return frozenset()
    kinds = set()
    style = rpr.find(W + "rStyle")
    if style is not None and styles is not None:
        for s in styles.chain(style.get(W + "val")):
            kinds |= run_kinds(s.find(W + "rPr"))
    for tag, kind in RUN_KINDS:
        el = rpr.find(tag)
        if el is None:
            continue
        val = (el.get(W + "val") or "").lower()
        if kind == "bold" and val in ("0", "false", "off"):
            continue
        if kind == "underline" and val == "none":
            continue
        if kind == "colour" and val in ("auto", "000000", ""):
            continue
        if kind == "highlight" and val == "none":
            continue
        kinds.add(kind)
    shade = rpr.find(W + "shd")
    if shade is not None and (shade.get(W + "fill") or "auto").lower() not in ("auto", "ffffff", "000000"):
        kinds.add("highlight")
    return frozenset(kinds)
