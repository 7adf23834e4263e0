"""LaTeX -> SVG (ziamath), cached in memory and in the build cache, as <img> elements that sit on the text
baseline. Glyphs are written as text in the derived math fonts (see mathfont.py for why)."""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import warnings
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import ziamath
from ziamath.tex import tex2mml

from pipeline.files import cache
from pipeline.model import Diagnostic
from pipeline.render.exam import mathfont
from pipeline.markup import linking_command, math_spans, plain_math

# Part of each formula's key, whose start prefixes the ids inside its SVG; the cache adds the code itself.
_FORMAT = 5
_FONT = "STIXTwoMath-Regular (ziamath default)"
# Pixels of padding ziamath adds round the ink; small, so inline formulas do not push their neighbours away.
_MARGIN = 0.5
_SVG_NS = "http://www.w3.org/2000/svg"
# latex2mathml passes an unknown command through as text, e.g. <mi>\foo</mi>; that is a failure, not a glyph.
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")
# Real formulas nest groups two or three deep; each level roughly doubles the typesetter's time.
MAX_DEPTH = 6
MAX_LENGTH = 2000


@dataclass(frozen=True)
class MathImage:
    svg: str  # SVG document without ids, glyphs as <text> in FAMILY/SCRIPT_FAMILY (see mathfont.font_css); 1pt units
    width: float  # pt
    height: float  # pt
    descent: float  # pt of the image below the text baseline


def cache_key(latex: str, display: bool, size_pt: float) -> str:
    """Hash of everything that changes the drawing: formula, mode, size, ziamath/ziafont/fontTools, font."""
    parts = [_FORMAT, latex, bool(display), round(float(size_pt), 4), mathfont.toolchain(), _FONT]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def render_math(latex: str, display: bool, size_pt: float = 11,
                store: cache.Store | None = None) -> MathImage | None:
    """The formula as an SVG image, or None when it cannot be typeset (see `math_error`)."""
    image, _ = try_render(latex, display, size_pt, store)
    return image


def math_error(latex: str, display: bool, size_pt: float = 11, store: cache.Store | None = None) -> str | None:
    """Why the formula cannot be typeset, or None when it can."""
    image, error = try_render(latex, display, size_pt, store)
    return None if image else error


def try_render(latex: str, display: bool, size_pt: float = 11,
               store: cache.Store | None = None) -> tuple[MathImage | None, str]:
    """(image, "") on success, (None, reason) when the formula cannot be typeset."""
    hit = _typeset(latex, bool(display), float(size_pt), store or cache.NOWHERE)
    return (hit, "") if isinstance(hit, MathImage) else (None, hit)


@lru_cache(maxsize=4096)  # a build typesets each formula of its papers once; far above any exam's formulas
def _typeset(latex: str, display: bool, size_pt: float, store: cache.Store) -> MathImage | str:
    """The image, or why there is none: from this process's memory, the store, or ziamath."""
    key = cache_key(latex, display, size_pt)
    entry = cache.key("formula", key, cache.code_fingerprint("render/exam/mathsvg.py", "render/exam/mathfont.py"))
    return store.get_or_make("math", entry, lambda: _render(latex, display, size_pt, key), dump=_to_json,
                             load=_from_json)


def math_html(latex: str, display: bool, size_pt: float = 11, store: cache.Store | None = None) -> str:
    """An <img> holding the typeset formula on the baseline; display formulas centred in a block.

    Falls back to the formula's source in monospace when it cannot be typeset.
    """
    image = render_math(latex, display, size_pt, store)
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
    """A `(latex, display) -> html` callback for pipeline.markup.to_html bound to one size and cache."""

    def __init__(self, size_pt: float = 11, store: cache.Store | None = None):
        self.size_pt = size_pt
        self.store = store

    def __call__(self, latex: str, display: bool) -> str:
        return math_html(latex, display, self.size_pt, self.store)


@lru_cache(maxsize=16)
def math_renderer(size_pt: float = 11, store: cache.Store | None = None) -> MathHtml:
    """The same callback object for the same settings, so text.py keeps reusing one parser."""
    return MathHtml(size_pt, store)


def unrenderable(markdown: str, file: str, line: int, size_pt: float = 11,
                 store: cache.Store | None = None) -> list[Diagnostic]:
    """A `math-unrenderable` warning for each formula of a text that will print as source instead."""
    found = []
    for latex, display in math_spans(markdown):
        error = math_error(latex, display, size_pt, store)
        if error:
            found.append(Diagnostic(file, line, "warning", "math-unrenderable",
                                    f"formula ${latex}$ cannot be typeset ({error}); printed as source"))
    return found


def _to_json(value: MathImage | str) -> bytes:
    if isinstance(value, MathImage):
        data = {"svg": value.svg, "width": value.width, "height": value.height, "descent": value.descent}
    else:
        data = {"error": value}
    return json.dumps(data, sort_keys=True).encode("utf-8")


def _from_json(payload: bytes) -> MathImage | str | None:
    try:
        data = json.loads(payload)
        if "error" in data:
            return str(data["error"])
        return MathImage(str(data["svg"]), float(data["width"]), float(data["height"]), float(data["descent"]))
    except (ValueError, TypeError, KeyError):
        return None


@contextmanager
def _plain_paths() -> Iterator[None]:
    """SVG 1.1 output: every glyph a <path>, no <symbol>/<use> whose ids would clash across formulas."""
    before = ziamath.config.svg2
    ziamath.config.svg2 = False
    try:
        yield
    finally:
        ziamath.config.svg2 = before


def _check_source(latex: str) -> str:
    """Problems latex2mathml would silently draw as text instead of reporting, and formulas beyond what the
    typesetter lays out in bounded time (its work grows exponentially with nesting)."""
    if len(latex) > MAX_LENGTH:
        return f"{len(latex):,} characters, more than the {MAX_LENGTH:,} a formula may have"
    linking = linking_command(latex)
    if linking:
        return f"{linking} links or loads content, which a page never does"
    depth = 0
    for i, ch in enumerate(latex):
        if ch in "{}" and i and latex[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "unbalanced braces: '}' without '{'"
        if depth > MAX_DEPTH:
            return f"groups nested more than {MAX_DEPTH} deep, beyond what is typeset in bounded time"
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
        with _plain_paths(), mathfont.glyphs_as_text(as_text), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            math = ziamath.Math(mathml, size=size_pt, margin=_MARGIN)
            problem = _check_mathml(mathml, math.font)
            if problem:
                return problem
            root = mathfont.merge_text(math.svgxml())
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


__all__ = ["MathImage", "MathHtml", "cache_key", "render_math", "math_error", "try_render", "math_html",
           "math_renderer", "unrenderable"]
