"""Word (.docx) -> the Markdown reader's lines, one body paragraph (or table) per position.

python-docx opens the package (its parts, styles and numbering) and the paragraphs are read from its XML,
since what decides a quiz sits outside the text: automatic numbering (`w:numPr`, the numbers are not in the
text), run formatting that marks the correct option (bold, underline, highlight or a font colour on one
option where its siblings have none), equations (OMML, written out as TeX) and embedded images."""
from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from io import BytesIO

from pipeline.model import Diagnostic, Document
from pipeline.formats.lines import Converted, read_converted
from pipeline.readers import Pins
from pipeline.formats.docx.namespaces import A, M, R, V, W
from pipeline.formats.docx.numbering import Numbering, num_pr
from pipeline.formats.docx.omml import omml_tex
from pipeline.formats.docx.styles import Styles, run_kinds


# The text of an option labelled by hand: `A.`, `b)`, `(c)`.
_HAND_LABEL = re.compile(r"^\s*(\(?[A-Za-z]\)|[A-Za-z][.)]|\(?[ivxIVX]{1,4}[.)])\s+")
# Characters of symbol fonts (`w:sym`, Wingdings) that mean something in a quiz.
_SYMBOLS = {"F0FC": "✓", "F0FB": "✗"}  # Wingdings check mark and cross


def read_docx(data: bytes, path: str, slug: str, pins: Pins = ()) -> Document:
    import docx  # python-docx; loaded only when a Word file is read

    try:
        word = docx.Document(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a damaged package is the document's problem, not a bug
        return Document(path, slug, "", slug, diagnostics=(Diagnostic(
            path, 0, "error", "unreadable", f"not a Word document python-docx can open ({exc})"),))
    conv = convert(word)
    figures = {pos: [f"{path}#{member}" for member in members] for pos, members in conv.figures.items()}
    return read_converted(dataclasses.replace(conv, figures=figures), path, slug, "Word", pins)


@dataclass
class _Para:
    label: str  # the visible number or bullet Word draws before the text ("3.", "b)", "-"); "" for none
    level: int  # list level (0 outside lists)
    runs: list[tuple[str, frozenset[str]]]  # (Markdown text, emphasis kinds it carries)
    heading: int = 0  # heading level, 0 for body text
    display: bool = False  # a display equation on its own
    listed: bool = False  # a list paragraph (automatic number or bullet)
    images: list[str] = dataclasses.field(default_factory=list)  # package members of its embedded images
    num_id: str = ""  # the automatic list it belongs to

    def family(self) -> tuple:
        """Options of one question share a family: the same automatic list and level, or the same kind of
        hand-written label (`A.`, `a)`, `(i)`)."""
        if self.listed:
            return ("list", self.num_id, self.level)
        m = _HAND_LABEL.match(self.plain())
        label = m.group(1) if m else ""
        return ("hand", self.level, re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", label)))

    def plain(self) -> str:
        return "".join(t for t, _ in self.runs)

    def whole(self) -> frozenset[str]:
        """Emphasis kinds that cover every visible character of the text after a hand-written label."""
        text = self.plain()
        skip = len(m.group(0)) if (m := _HAND_LABEL.match(text)) else 0
        kinds: frozenset[str] | None = None
        seen = 0
        for t, k in self.runs:
            visible = t[max(0, skip - seen):] if seen < skip else t
            seen += len(t)
            if visible.strip():
                kinds = k if kinds is None else kinds & k
        return kinds or frozenset()

    def option_like(self) -> bool:
        return self.listed or bool(_HAND_LABEL.match(self.plain()))


def convert(word) -> Converted:
    styles = Styles(word)
    numbers = Numbering(word)
    blocks: list[tuple[int, _Para | list[list[str]]]] = []  # (position, paragraph or table rows)
    media = {}  # relationship id -> the image's member in the package
    for rid, rel in word.part.rels.items():
        if "image" in rel.reltype and not rel.is_external:
            media[rid] = str(rel.target_part.partname).lstrip("/")
    count = 0
    for el in _blocks(word.element.body):
        count += 1
        if el.tag == W + "p":
            blocks += [(count, part) for part in _lines(_paragraph(el, styles, numbers, media))]
        else:
            blocks.append((count, _table(el, styles, numbers)))
    marks = _mark_options([item for _, item in blocks])
    lines: list[tuple[str, int]] = []
    figures: dict[int, list[str]] = {}
    for k, (pos, item) in enumerate(blocks, 1):
        if isinstance(item, list):
            lines += [("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |", pos) for row in item[:1]]
            if item:
                lines.append(("|" + " --- |" * len(item[0]), pos))
            lines += [("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |", pos) for row in item[1:]]
            lines.append(("", pos))
            continue
        text = _text(item, k in marks)
        if item.images:
            figures.setdefault(pos, []).extend(item.images)
        if not text.strip():
            lines.append(("", pos))
            continue
        if item.heading:
            text = "#" * item.heading + " " + text.replace("\n", " ")
        elif item.label:
            indent = "   " * item.level if item.label in ("-",) or item.label[:1].isdigit() else ""
            text = f"{indent}{item.label} {text}"
        lines += [(ln, pos) for ln in text.split("\n")] + [("", pos)]
    by_position = {blocks[k - 1][0]: cue for k, cue in marks.items()}
    return Converted(lines, count, by_position, figures=figures)


def _lines(p: _Para) -> list[_Para]:
    """A paragraph of lines broken by hand (Shift+Enter: `w:br`) as one paragraph per line: a question typed
    with its options in one paragraph has its options apart, each with its own emphasis."""
    if p.heading or p.display or not any("\n" in t for t, _ in p.runs):
        return [p]
    parts: list[list[tuple[str, frozenset[str]]]] = [[]]
    for text, kinds in p.runs:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                parts.append([])
            if piece:
                parts[-1].append((piece, kinds))
    out = [dataclasses.replace(p, runs=runs, images=[]) if i else dataclasses.replace(p, runs=runs)
           for i, runs in enumerate(parts)]
    for later in out[1:]:
        later.label, later.listed = "", False  # the number belongs to the first line
    return out


def _blocks(parent):
    """The paragraphs and tables of the body in order, also those inside content controls (`w:sdt`),
    custom XML and tracked insertions."""
    for el in parent.iterchildren():
        if el.tag in (W + "p", W + "tbl"):
            yield el
        elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
            yield from _blocks(el)


def _text(p: _Para, marked: bool) -> str:
    """The paragraph as Markdown: bold runs as `**...**`; a marked option's text in bold, the mark the Markdown
    reader sees; bold over a whole option of a list whose options are all bold is the list's style, dropped."""
    if p.display:
        return p.plain()
    text = p.plain().strip()
    m = _HAND_LABEL.match(text)
    head, body = (text[: m.end()], text[m.end():].strip()) if m else ("", text)
    if marked:
        return f"{head}**{body}**"
    if "bold" in p.whole():
        return text if p.option_like() else f"{head}**{body}**"
    out = []
    for bold, group in itertools.groupby(p.runs, key=lambda r: "bold" in r[1]):
        t = "".join(x for x, _ in group)
        if bold and t.strip():
            lead, trail = t[: len(t) - len(t.lstrip())], t[len(t.rstrip()):]
            t = f"{lead}**{t.strip()}**{trail}"
        out.append(t)
    return "".join(out).strip()


def _mark_options(items: list) -> dict[int, str]:
    """Places (1-based, in `items`) of options that carry an emphasis their siblings lack: the mark of the
    correct option. Siblings are consecutive option paragraphs at one list level; one emphasis kind on all of them (or on
    most) is a style, not a mark."""
    marks: dict[int, str] = {}
    group: list[tuple[int, _Para]] = []

    def close() -> None:
        if len(group) >= 2:
            for kind in ("highlight", "colour", "underline", "bold"):
                having = [pos for pos, p in group if kind in p.whole()]
                if having and len(having) * 2 <= len(group):
                    marks.update((pos, f"word-{kind}") for pos in having if pos not in marks)
        group.clear()

    for pos, item in enumerate(items, 1):
        if isinstance(item, _Para) and not item.plain().strip():
            continue  # an empty paragraph between options
        if isinstance(item, _Para) and item.option_like() and not item.heading:
            if group and group[-1][1].family() != item.family():
                close()
            group.append((pos, item))
        else:
            close()
    close()
    return marks



def _paragraph(p, styles: Styles, numbers: Numbering, media: dict[str, str] | None = None) -> _Para:
    ppr = p.find(W + "pPr")
    style = ppr.find(W + "pStyle") if ppr is not None else None
    style_id = style.get(W + "val") if style is not None else None
    num = ppr.find(W + "numPr") if ppr is not None else None
    found = num_pr(num) if num is not None else None
    if found is None:
        found = styles.numbering(style_id)
        level = num.find(W + "ilvl") if num is not None else None
        if found and level is not None:  # the list from the style, the level from the paragraph
            found = (found[0], int(level.get(W + "val")))
    if found and found[0] == "0":  # `numId 0`: the paragraph's numbering is switched off
        found = None
    heading = styles.heading(style_id)
    label, level = "", 0
    if found and not heading:
        label = numbers.label(*found)
        level = found[1]
    runs: list[tuple[str, frozenset[str]]] = []
    images: list[str] = []
    shade = ppr.find(W + "shd") if ppr is not None else None
    shaded = shade is not None and (shade.get(W + "fill") or "auto").lower() not in ("auto", "ffffff", "000000")
    display = False
    for child in p.iter(W + "r", M + "oMath", M + "oMathPara", W + "drawing", W + "pict"):
        if _inside_math(child, p):
            continue
        if child.tag == M + "oMathPara":
            display = True
            runs.append(("$$" + " ".join(omml_tex(m) for m in child.iter(M + "oMath")) + "$$", frozenset()))
        elif child.tag == M + "oMath":
            runs.append(("$" + omml_tex(child) + "$", frozenset()))
        elif child.tag in (W + "drawing", W + "pict"):
            for blip in [*child.iter(A + "blip"), *child.iter(V + "imagedata")]:
                rid = blip.get(R + "embed") or blip.get(R + "id") or ""
                if media is not None and rid in media:
                    images.append(media[rid])
        else:
            kinds = run_kinds(child.find(W + "rPr"), styles) | ({"highlight"} if shaded else set())
            text = []
            for el in child.iterchildren(W + "t", W + "tab", W + "br", W + "cr", W + "sym"):
                if el.tag == W + "t":
                    text.append(el.text or "")
                elif el.tag == W + "sym":  # a symbol font's character: Wingdings' check mark is a mark
                    text.append(_SYMBOLS.get((el.get(W + "char") or "").upper(), ""))
                else:
                    text.append("\n" if el.tag == W + "br" else " ")
            joined = "".join(text)
            if joined:
                runs.append((_escape(joined), kinds))
    if display and any(t.strip() for t, _ in runs if not t.startswith("$$")):
        display = False  # an equation paragraph with prose around it stays a line of text
    return _Para(label, level, runs, heading, display, bool(found) and not heading, images,
                 found[0] if found else "")


def _inside_math(el, p) -> bool:
    """Runs of an equation belong to the equation, an equation of a paragraph of equations to the paragraph."""
    parent = el.getparent()
    while parent is not None and parent is not p:
        if parent.tag in (M + "oMath", M + "oMathPara"):
            return True
        parent = parent.getparent()
    return False


def _escape(text: str) -> str:
    return text.replace("\u00a0", " ")


def _table(tbl, styles: Styles, numbers: Numbering) -> list[list[str]]:
    rows = []
    for tr in tbl.iterchildren(W + "tr"):
        cells = []
        for tc in tr.iterchildren(W + "tc"):
            paras = [_paragraph(p, styles, numbers) for p in tc.iterchildren(W + "p")]
            cells.append(" ".join(_text(p, False).replace("\n", " ") for p in paras).strip())
        rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]
