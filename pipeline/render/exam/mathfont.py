"""The math font's glyphs as text: two fonts derived from STIX Two Math, and the hook that has ziamath
write each glyph it places as a character of one of them.

Why: ziamath draws a formula's glyphs as outlines, some forty path points each. WeasyPrint draws a glyph
of a font as one text operator instead, which makes a formula-heavy page render about twice as fast,
keeps the PDF small and leaves formulas searchable and copyable. The glyph must be exactly the one ziamath
chose, and many have no character of their own (size variants, script alternates), hence two derived
copies of the font: "RNN Math", the font with every such glyph also reachable at U+F0000 + glyph id, and
"RNN Math Script", whose characters map to their script-size ("ssty") alternates, so sub- and superscripts
keep real characters in the PDF's text layer. Anything else (assembled stretchy glyphs, glyphs from
another font) stays a path.

Pages name the fonts by URL (`font_css`); the PDF renderer's fetcher serves their bytes (`font_data`),
from the build cache, where each is checked before use: a damaged font would make letters vanish.
"""
from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import ziamath
from ziafont.glyph import CompoundGlyph, SimpleGlyph, fmt

from pipeline.files import cache

_FONT_FILE = Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf"
# Part of the derived fonts' names (and so of every page that uses them); bump when they change.
_FONT_FORMAT = 1
FAMILY = "RNN Math"
SCRIPT_FAMILY = "RNN Math Script"
FONT_SCHEME = "rnn-font:"  # URLs a page names the derived fonts by; only the PDF renderer's fetcher knows it
_PUA = 0xF0000  # Supplementary Private Use Area-A: room for 65,534 glyph ids


@lru_cache(maxsize=1)
def toolchain() -> str:
    """Versions of what lays formulas out and maps their glyphs to characters of the derived fonts."""
    from importlib.metadata import version

    return f"ziamath={ziamath.__version__};ziafont={version('ziafont')};fonttools={version('fonttools')}"


@dataclass(frozen=True)
class _GlyphMap:
    base: dict[int, str]  # glyph id -> character in FAMILY
    script: dict[int, str]  # script alternate's glyph id -> character in SCRIPT_FAMILY
    cmap: dict[int, int]  # the source font's codepoint -> glyph id
    glyph_count: int


@lru_cache(maxsize=1)
def _glyph_map() -> _GlyphMap:
    """How to reach each glyph of the math font as text, from the font's cmap and ziamath's own ssty lookup."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(_FONT_FILE), lazy=True)
    cmap = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
    count = len(font.getGlyphOrder())
    font.close()
    base: dict[int, str] = {}
    for cp, gid in sorted(cmap.items()):
        base.setdefault(gid, chr(cp))
    # ziamath substitutes script glyphs with its font's GSUB 'ssty' lookup (nodes.nodetools.subglyph).
    zfont = ziamath.Math("<math><mi>x</mi></math>").font
    script: dict[int, str] = {}
    if zfont.gsub:
        for cp, gid in sorted(cmap.items()):
            alternate = zfont.gsub.sub([gid], {"ssty": True})[0]
            if alternate != gid and alternate not in base:
                script.setdefault(alternate, chr(cp))
    for gid in range(1, count):  # glyph 0 is .notdef, never drawn on purpose
        if gid not in base and gid not in script:
            base[gid] = chr(_PUA + gid)
    return _GlyphMap(base, script, cmap, count)


def _text_for(glyph: SimpleGlyph) -> tuple[str, str] | None:
    """(character, family) that draws exactly this glyph, or None when it must stay a path."""
    if type(glyph) not in (SimpleGlyph, CompoundGlyph):
        return None  # e.g. ziamath's AssembledGlyph: several glyphs with offsets
    if Path(glyph.font.info.filename).name != _FONT_FILE.name:
        return None
    gm = _glyph_map()
    if glyph.index in gm.script:
        return gm.script[glyph.index], SCRIPT_FAMILY
    char = gm.base.get(glyph.index)
    return (char, FAMILY) if char and not char.isspace() else None


@contextmanager
def glyphs_as_text(enabled: bool = True) -> Iterator[None]:
    """While ziamath draws, place each glyph it can as <text x y font-size> on the glyph's baseline origin."""
    original = SimpleGlyph.place
    if not enabled:
        yield
        return

    def place(glyph: SimpleGlyph, x: float, y: float, point_size: float) -> ET.Element | None:
        found = _text_for(glyph)
        if found is None:
            return original(glyph, x, y, point_size)
        char, family = found
        el = ET.Element("text", {"x": fmt(x), "y": fmt(y), "font-family": family, "font-size": fmt(point_size)})
        el.text = char
        return el

    SimpleGlyph.place = place  # type: ignore[method-assign]
    try:
        yield
    finally:
        SimpleGlyph.place = original  # type: ignore[method-assign]


def merge_text(root: ET.Element) -> ET.Element:
    """One <text> per family and size, glyphs positioned by x/y lists: WeasyPrint sets up each <text> once.

    Only glyphs that follow one another are merged, so nothing moves across a shape drawn between them
    (a fraction bar, a radical, a background): the painting order stays ziamath's.
    """
    groups: dict[tuple[str, str, str], ET.Element] = {}
    for el in list(root):
        if el.tag != "text":
            groups.clear()
            continue
        key = (el.attrib["font-family"], el.attrib["font-size"], el.attrib.get("fill", ""))
        group = groups.get(key)
        if group is None:
            groups[key] = el
            continue
        group.attrib["x"] += " " + el.attrib["x"]
        group.attrib["y"] += " " + el.attrib["y"]
        group.text = (group.text or "") + (el.text or "")
        root.remove(el)
    return root


@lru_cache(maxsize=2)
def _derive_font(script: bool) -> bytes:
    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    gm = _glyph_map()
    # Same bytes on every machine and build; outlines untouched, so no bounding box needs recomputing.
    font = TTFont(str(_FONT_FILE), recalcTimestamp=False, recalcBBoxes=False)
    order = font.getGlyphOrder()
    if script:
        mapping = {ord(ch): gid for gid, ch in gm.script.items()}
    else:
        mapping = {ord(ch): gid for gid, ch in gm.base.items()}
        mapping.update(gm.cmap)  # every character keeps its own glyph
    names = {cp: order[gid] for cp, gid in mapping.items()}
    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = []
    for fmt_, platform, encoding, entries in (
            (4, 3, 1, {cp: n for cp, n in names.items() if cp <= 0xFFFF}), (12, 3, 10, names)):
        sub = CmapSubtable.newSubtable(fmt_)
        sub.platformID, sub.platEncID, sub.language, sub.cmap = platform, encoding, 0, entries
        cmap.tables.append(sub)
    font["cmap"] = cmap
    family = SCRIPT_FAMILY if script else FAMILY
    # A modified font does not carry the original's names (SIL OFL); copyright and licence records stay.
    for record in list(font["name"].names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            font["name"].removeNames(nameID=record.nameID)
    for name_id, value in ((1, family), (2, "Regular"), (3, f"{family.replace(' ', '')}-{_FONT_FORMAT}"),
                           (4, family), (6, family.replace(" ", ""))):
        font["name"].setName(value, name_id, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def _font_digest() -> str:
    """Names the derived fonts after what they are made from: the source font, the format of the code
    deriving them and the versions that read its cmap and GSUB (they decide which character reaches which
    glyph). The name is part of every page; the cache key of the font's bytes adds the code itself."""
    parts = _FONT_FILE.read_bytes() + f"/{_FONT_FORMAT}/{toolchain()}".encode()
    return hashlib.sha256(parts).hexdigest()[:16]


def _file_names() -> dict[str, str]:
    """File name of each derived font, by family: named after everything it is made from."""
    return {family: f"{family.replace(' ', '')}-{_font_digest()}.ttf" for family in (FAMILY, SCRIPT_FAMILY)}


def font_css() -> str:
    """@font-face rules a page needs for its formulas to draw (put them in the page's stylesheet)."""
    return "".join(f'@font-face {{ font-family: "{family}"; src: url("{FONT_SCHEME}{name}"); }}\n'
                   for family, name in _file_names().items())


def font_data(name: str, store: cache.Store | None = None) -> bytes | None:
    """The bytes of the derived font `font_css` calls `name`, or None for any other name.

    From the store when an entry there passes its checks; else derived (a few tenths of a second) and
    stored for the next build."""
    family = next((f for f, n in _file_names().items() if n == name), None)
    if family is None:
        return None
    entry = cache.key("font", name, cache.code_fingerprint("render/exam/mathfont.py"))
    return (store or cache.NOWHERE).get_or_make("fonts", entry, lambda: _derive_font(family == SCRIPT_FAMILY))


def load_fonts(store: cache.Store | None = None) -> None:
    """Both fonts into this process (from the store, or derived): a process forked afterwards has them."""
    for name in _file_names().values():
        font_data(name, store)


__all__ = ["FAMILY", "SCRIPT_FAMILY", "FONT_SCHEME", "toolchain", "font_css", "font_data", "load_fonts",
           "glyphs_as_text", "merge_text"]
