"""Word files written with python-docx for the tests: automatic numbering (`w:numPr` lists of our own, restarted
with a start override), run formatting, equations (OMML) and images."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.shared import RGBColor

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"


def new_document() -> docx.Document:
    return docx.Document()


def numbering(doc: docx.Document, *levels: tuple[str, str]) -> str:
    """A new list definition with the given levels, (numFmt, lvlText) each, e.g. ("decimal", "%1."),
    ("lowerLetter", "%2)"); returns the id of a list that uses it."""
    root = doc.part.numbering_part.element
    abstract = max([int(a.get(f"{{{W_NS}}}abstractNumId")) for a in root.findall(f"{{{W_NS}}}abstractNum")] + [0]) + 1
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                   f'</w:lvl>' for i, (fmt, text) in enumerate(levels))
    el = parse_xml(f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract}">{lvls}</w:abstractNum>')
    first_num = root.find(f"{{{W_NS}}}num")
    if first_num is not None:
        first_num.addprevious(el)
    else:
        root.append(el)
    return _num(doc, abstract, "")


def restarted(doc: docx.Document, num_id: str, start: int = 1) -> str:
    """A second list on the same definition that starts again at `start` (Word's "Restart at 1")."""
    root = doc.part.numbering_part.element
    for num in root.findall(f"{{{W_NS}}}num"):
        if num.get(f"{{{W_NS}}}numId") == num_id:
            abstract = int(num.find(f"{{{W_NS}}}abstractNumId").get(f"{{{W_NS}}}val"))
            return _num(doc, abstract, f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>')
    raise KeyError(num_id)


def continued(doc: docx.Document, num_id: str) -> str:
    """Another list on the same definition without an override: Word continues the numbers."""
    root = doc.part.numbering_part.element
    for num in root.findall(f"{{{W_NS}}}num"):
        if num.get(f"{{{W_NS}}}numId") == num_id:
            return _num(doc, int(num.find(f"{{{W_NS}}}abstractNumId").get(f"{{{W_NS}}}val")), "")
    raise KeyError(num_id)


def _num(doc: docx.Document, abstract: int, override: str) -> str:
    root = doc.part.numbering_part.element
    ident = max([int(n.get(f"{{{W_NS}}}numId")) for n in root.findall(f"{{{W_NS}}}num")] + [0]) + 1
    root.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="{ident}"><w:abstractNumId w:val="{abstract}"/>'
                          f'{override}</w:num>'))
    return str(ident)


def item(doc: docx.Document, text: str, num_id: str, level: int = 0, **formatting):
    """A list paragraph of list `num_id` at `level`, its text one run with the given formatting."""
    p = paragraph(doc, text, **formatting)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def paragraph(doc: docx.Document, text: str, *, bold: bool = False, underline: bool = False,
              highlight: bool = False, colour: str = "", label: str = ""):
    """A paragraph: an optional plain `label` run, then the text in one run with the given formatting."""
    p = doc.add_paragraph()
    if label:
        p.add_run(label)
    run = p.add_run(text)
    run.bold = bold or None
    run.underline = underline or None
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return p


def equation(p, omml: str) -> None:
    """Append an equation (the inside of `m:oMath`) to paragraph p."""
    p._p.append(parse_xml(f'<m:oMath xmlns:m="{M_NS}">{omml}</m:oMath>'))


def math_run(text: str) -> str:
    return f"<m:r><m:t>{text}</m:t></m:r>"


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def save(doc: docx.Document, path: Path) -> Path:
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(buf.getvalue())
    return path
