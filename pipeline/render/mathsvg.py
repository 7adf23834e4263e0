"""LaTeX -> SVG (ziamath), cached on disk and in memory, as <img> elements that sit on the text baseline.

ziamath lays the formula out; each glyph it places is written as an SVG <text> element in the math font
rather than as its outline. WeasyPrint then draws a glyph as one text operator instead of parsing and
emitting some forty path points, which makes a formula-heavy page render about twice as fast and keeps
the PDF small. The glyph must be exactly the one ziamath chose, so the font is used through two derived
copies (see `math_font_css`): "RNN Math", the font with every glyph that has no character of its own
(size variants, script alternates) also reachable at U+F0000 + glyph id, and "RNN Math Script", whose
characters map to their script-size ("ssty") alternates, so sub- and superscripts keep real characters in
the PDF's text layer. Anything else (assembled stretchy glyphs, glyphs from another font) stays a path.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import ziamath
from ziafont.glyph import CompoundGlyph, SimpleGlyph, fmt
from ziamath.tex import tex2mml

from pipeline.fsutil import atomic_write_bytes
from pipeline.model import Diagnostic
from pipeline.text import math_spans, plain_math

# Bump when the SVG post-processing below changes, so old cache entries are ignored.
_FORMAT = 5
_FONT = "STIXTwoMath-Regular (ziamath default)"
_FONT_FILE = Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf"
# Bump when the derived fonts change; their file names carry it with the source font's hash.
_FONT_FORMAT = 1
FAMILY = "RNN Math"
SCRIPT_FAMILY = "RNN Math Script"
_PUA = 0xF0000  # Supplementary Private Use Area-A: room for 65,534 glyph ids
# Pixels of padding ziamath adds round the ink; small, so inline formulas do not push their neighbours away.
_MARGIN = 0.5
_SVG_NS = "http://www.w3.org/2000/svg"
# latex2mathml passes an unknown command through as text, e.g. <mi>\foo</mi>; that is a failure, not a glyph.
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")


@dataclass(frozen=True)
class MathImage:
    svg: str  # SVG document without ids, glyphs as <text> in FAMILY/SCRIPT_FAMILY (see math_font_css); 1pt units
    width: float  # pt
    height: float  # pt
    descent: float  # pt of the image below the text baseline


_memory: dict[str, MathImage | str] = {}


@lru_cache(maxsize=1)
def _toolchain() -> str:
    """Versions of what lays formulas out and maps their glyphs to characters of the derived fonts."""
    from importlib.metadata import version

    return f"ziamath={ziamath.__version__};ziafont={version('ziafont')};fonttools={version('fonttools')}"


def cache_key(latex: str, display: bool, size_pt: float) -> str:
    """Hash of everything that changes the drawing: formula, mode, size, ziamath/ziafont/fontTools, font."""
    parts = [_FORMAT, latex, bool(display), round(float(size_pt), 4), _toolchain(), _FONT]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def render_math(latex: str, display: bool, size_pt: float = 11,
                cache_dir: Path | None = None) -> MathImage | None:
    """The formula as an SVG image, or None when it cannot be typeset (see `math_error`)."""
    image, _ = try_render(latex, display, size_pt, cache_dir)
    return image


def math_error(latex: str, display: bool, size_pt: float = 11, cache_dir: Path | None = None) -> str | None:
    """Why the formula cannot be typeset, or None when it can."""
    image, error = try_render(latex, display, size_pt, cache_dir)
    return None if image else error


def try_render(latex: str, display: bool, size_pt: float = 11,
               cache_dir: Path | None = None) -> tuple[MathImage | None, str]:
    """(image, "") on success, (None, reason) when the formula cannot be typeset."""
    key = cache_key(latex, display, size_pt)
    hit = _memory.get(key)
    path = Path(cache_dir) / f"{key[:2]}" / f"{key}.json" if cache_dir is not None else None
    if path is not None:
        # Afterwards the formula is in the disk cache too, even when this process had it in memory:
        # other processes (the exam renderers, the next build) read it from there.
        if hit is None:
            hit = _read_cache(path)
        elif not path.exists():
            _write_cache(path, hit)
    if hit is None:
        hit = _render(latex, display, size_pt, key)
        if path is not None:
            _write_cache(path, hit)
    _memory[key] = hit
    return (hit, "") if isinstance(hit, MathImage) else (None, hit)


def math_html(latex: str, display: bool, size_pt: float = 11, cache_dir: Path | None = None) -> str:
    """An <img> holding the typeset formula on the baseline; display formulas centred in a block.

    Falls back to the formula's source in monospace when it cannot be typeset.
    """
    image = render_math(latex, display, size_pt, cache_dir)
    if image is None:
        return plain_math(latex, display)
    data = base64.b64encode(image.svg.encode("utf-8")).decode("ascii")
    # The alt text keeps the source for screen readers; PDF text extraction never sees it.
    img = (f'<img class="math" alt="{html.escape(latex)}" src="data:image/svg+xml;base64,{data}" '
           f'style="width:{image.width:.3f}pt;height:{image.height:.3f}pt;'
           f'vertical-align:-{image.descent:.3f}pt">')
    if display:
        return f'<span class="math-block">{img}</span>'
    return img


class MathHtml:
    """A `(latex, display) -> html` callback for pipeline.text.to_html bound to one size and cache."""

    def __init__(self, size_pt: float = 11, cache_dir: Path | None = None):
        self.size_pt = size_pt
        self.cache_dir = cache_dir

    def __call__(self, latex: str, display: bool) -> str:
        return math_html(latex, display, self.size_pt, self.cache_dir)


@lru_cache(maxsize=16)
def math_renderer(size_pt: float = 11, cache_dir: Path | None = None) -> MathHtml:
    """The same callback object for the same settings, so text.py keeps reusing one parser."""
    return MathHtml(size_pt, cache_dir)


def unrenderable(markdown: str, file: str, line: int, size_pt: float = 11,
                 cache_dir: Path | None = None) -> list[Diagnostic]:
    """A `math-unrenderable` warning for each formula of a text that will print as source instead."""
    found = []
    for latex, display in math_spans(markdown):
        error = math_error(latex, display, size_pt, cache_dir)
        if error:
            found.append(Diagnostic(file, line, "warning", "math-unrenderable",
                                    f"formula ${latex}$ cannot be typeset ({error}); printed as source"))
    return found


def _read_cache(path: Path) -> MathImage | str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if "error" in data:
        return str(data["error"])
    try:
        return MathImage(data["svg"], float(data["width"]), float(data["height"]), float(data["descent"]))
    except (KeyError, TypeError, ValueError):
        return None


def _write_cache(path: Path, value: MathImage | str) -> None:
    if isinstance(value, MathImage):
        data = {"svg": value.svg, "width": value.width, "height": value.height, "descent": value.descent}
    else:
        data = {"error": value}
    try:
        atomic_write_bytes(path, json.dumps(data, sort_keys=True).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written only costs time


@contextmanager
def _plain_paths() -> Iterator[None]:
    """SVG 1.1 output: every glyph a <path>, no <symbol>/<use> whose ids would clash across formulas."""
    before = ziamath.config.svg2
    ziamath.config.svg2 = False
    try:
        yield
    finally:
        ziamath.config.svg2 = before


# --- glyphs as text -------------------------------------------------------------------------------------


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
def _glyphs_as_text(enabled: bool = True) -> Iterator[None]:
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


def _merge_text(root: ET.Element) -> ET.Element:
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
    """Names the derived fonts after everything they are made from: the source font, the code deriving
    them and the versions that read its cmap and GSUB (they decide which character reaches which glyph)."""
    parts = _FONT_FILE.read_bytes() + f"/{_FONT_FORMAT}/{_toolchain()}".encode()
    return hashlib.sha256(parts).hexdigest()[:16]


_scratch: tempfile.TemporaryDirectory | None = None


def math_font_files(font_dir: Path | None = None) -> dict[str, Path]:
    """The two derived math fonts on disk, by family: written once per digest, older ones removed.

    Without a `font_dir` they go to a temporary folder that lasts as long as the process."""
    global _scratch
    if font_dir is None:
        if _scratch is None:
            _scratch = tempfile.TemporaryDirectory(prefix="rnn-decks-fonts-")
        font_dir = Path(_scratch.name)
    font_dir = Path(font_dir)
    digest = _font_digest()
    files = {}
    for family, script in ((FAMILY, False), (SCRIPT_FAMILY, True)):
        stem = family.replace(" ", "")
        path = font_dir / f"{stem}-{digest}.ttf"
        if not path.exists():
            atomic_write_bytes(path, _derive_font(script))
            for old in font_dir.glob(f"{stem}-*.ttf"):
                if old != path:
                    old.unlink(missing_ok=True)
        files[family] = path
    return files


def math_font_css(font_dir: Path | None = None) -> str:
    """@font-face rules a page needs for its formulas to draw (put them in the page's stylesheet)."""
    return "".join(f'@font-face {{ font-family: "{family}"; src: url("{path.resolve().as_uri()}"); }}\n'
                   for family, path in math_font_files(font_dir).items())


def _check_source(latex: str) -> str:
    """Problems latex2mathml would silently draw as text instead of reporting."""
    depth = 0
    for i, ch in enumerate(latex):
        if ch in "{}" and i and latex[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "unbalanced braces: '}' without '{'"
    if depth:
        return "unbalanced braces: '{' never closed"
    if not latex.strip():
        return "empty formula"
    return ""


def _fix_accents(root: ET.Element) -> ET.Element:
    """latex2mathml sets \\tilde as a full-size '~' over its base; TeX draws a small accent."""
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "mover" and len(el) == 2:
            accent = el[1]
            if accent.tag.rsplit("}", 1)[-1] == "mo" and (accent.text or "").strip() == "~":
                accent.text = "\u02dc"
                accent.attrib.pop("stretchy", None)
                el.attrib["accent"] = "true"
    return root


def _check_mathml(root: ET.Element, font: object) -> str:
    for el in root.iter():
        text = el.text or ""
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("mi", "mo", "mn", "mtext", "ms"):
            m = _UNKNOWN_COMMAND.search(text)
            if m:
                return f"unknown command {m.group(0)}"
            for ch in text:
                if not ch.isspace() and font.glyphindex(ch) == 0:  # type: ignore[attr-defined]
                    return f"no glyph for {ch!r} in the math font"
    return ""


def _render(latex: str, display: bool, size_pt: float, key: str, as_text: bool = True) -> MathImage | str:
    problem = _check_source(latex)
    if problem:
        return problem
    try:
        mathml = _fix_accents(ET.fromstring(tex2mml(latex, inline=not display)))
        with _plain_paths(), _glyphs_as_text(as_text), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            math = ziamath.Math(mathml, size=size_pt, margin=_MARGIN)
            problem = _check_mathml(mathml, math.font)
            if problem:
                return problem
            root = _merge_text(math.svgxml())
            bbox = math.node.bbox
    except Exception as exc:  # noqa: BLE001 - any converter failure means "print the source instead"
        return f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    width = float(root.attrib["width"])
    height = float(root.attrib["height"])
    descent = max(0.0, -bbox.ymin + _MARGIN)
    _unique_ids(root, "m" + key[:10])
    root.attrib["width"] = f"{width:.3f}pt"
    root.attrib["height"] = f"{height:.3f}pt"
    root.attrib.pop("xmlns:xlink", None)
    ET.register_namespace("", _SVG_NS)
    svg = ET.tostring(root, encoding="unicode")
    return MathImage(svg=svg, width=round(width, 3), height=round(height, 3), descent=round(descent, 3))


def _unique_ids(root: ET.Element, prefix: str) -> None:
    """Prefix any id ziamath still emits (e.g. arrowhead markers) and every reference to it."""
    ids = {el.attrib["id"] for el in root.iter() if "id" in el.attrib}
    if not ids:
        return
    for el in root.iter():
        if "id" in el.attrib:
            el.attrib["id"] = f"{prefix}-{el.attrib['id']}"
        for name, value in list(el.attrib.items()):
            for old in ids:
                value = value.replace(f"#{old}", f"#{prefix}-{old}")
            el.attrib[name] = value


__all__ = ["FAMILY", "SCRIPT_FAMILY", "math_font_css", "math_font_files", "MathImage", "MathHtml", "cache_key", "render_math", "math_error", "try_render", "math_html",
           "math_renderer", "unrenderable"]
