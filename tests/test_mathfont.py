"""The derived math fonts: every glyph ziamath places is reachable as text, and a page draws exactly it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.files.cache import Store
from pipeline.render.exam import mathfont, mathsvg
from pipeline.render.exam.mathsvg import cache_key, render_math
from pipeline.render.exam.pdf import html_to_pdf
from pipeline.markup import math_spans, to_html

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.md"))


def _seed_formulas() -> list[tuple[str, str, bool]]:
    return [(path.name, latex, display) for path in SEEDS
            for latex, display in math_spans(path.read_text(encoding="utf-8"))]


def _fonts(store: Store | None = None) -> dict[str, bytes]:
    return {family: mathfont.font_data(name, store) for family, name in mathfont._file_names().items()}


def test_derived_fonts_reach_exactly_the_glyphs_ziamath_places() -> None:
    from fontTools.ttLib import TTFont

    fonts = _fonts()
    gm = mathfont._glyph_map()
    for family, table in ((mathfont.FAMILY, gm.base), (mathfont.SCRIPT_FAMILY, gm.script)):
        font = TTFont(io.BytesIO(fonts[family]), lazy=True)
        order, cmap = font.getGlyphOrder(), font.getBestCmap()
        wrong = [(gid, ch) for gid, ch in table.items() if cmap.get(ord(ch)) != order[gid]]
        assert not wrong, f"{family}: {len(wrong)} characters draw another glyph, e.g. {wrong[:3]}"
    assert len(gm.base) + len(gm.script) >= gm.glyph_count - 1  # every glyph but .notdef has a way in
    # The subscript u of \Gamma_u is ziamath's script alternate, drawn from the script font as a real 'u'.
    svg = render_math(r"\Gamma_u", False).svg
    assert 'font-family="RNN Math Script"' in svg and "\U0001d462" in svg  # MATHEMATICAL ITALIC SMALL U
    # Deriving twice gives the same bytes: builds on two machines embed the same font.
    mathfont._derive_font.cache_clear()
    assert mathfont._derive_font(True) == fonts[mathfont.SCRIPT_FAMILY]


def test_glyphs_drawn_as_text_look_like_their_outlines() -> None:
    """Every seed formula printed twice, glyphs as text and as outlines: the pages must match.

    Pages are rendered at 200 dpi and blurred a little, so anti-aliasing differences fade while a wrong
    glyph does not; drawing sub- and superscripts from the base font instead of the script font changes
    about 9% of the ink, the real difference is under 1%.
    """
    import base64

    import numpy as np
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    from pipeline.render.exam.pdf import html_to_pdf

    def page(as_text: bool) -> str:
        rows = []
        for _, latex, display in _seed_formulas():
            image = mathsvg._render(latex, display, 11, "test", as_text=as_text)
            if isinstance(image, str):
                continue
            assert ("<text" in image.svg) == as_text
            data = base64.b64encode(image.svg.encode("utf-8")).decode("ascii")
            rows.append(f'<div style="height:{image.height + 6:.3f}pt"><img src="data:image/svg+xml;base64,{data}" '
                        f'style="width:{image.width:.3f}pt;height:{image.height:.3f}pt"></div>')
        css = mathfont.font_css()
        return f"<html><head><style>{css}</style></head><body>{''.join(rows)}</body></html>"

    def pixels(as_text: bool) -> list[np.ndarray]:
        pdf, warnings = html_to_pdf(page(as_text))
        assert warnings == []
        doc = pdfium.PdfDocument(pdf)
        return [np.asarray(doc[i].render(scale=200 / 72).to_pil().convert("L").filter(ImageFilter.GaussianBlur(1.5)),
                           dtype=float) for i in range(len(doc))]

    outlines, text = pixels(False), pixels(True)
    assert len(outlines) == len(text) >= 3
    ink = sum(int((p < 200).sum()) for p in outlines)
    differing = sum(int((np.abs(a - b) > 30).sum()) for a, b in zip(outlines, text))
    assert differing < 0.03 * ink, f"{differing} of {ink} ink pixels differ"


def test_fonts_are_named_after_their_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    first = mathfont.font_css()
    key = cache_key("x", False, 11)
    monkeypatch.setattr(mathfont, "toolchain", lambda: "ziafont=another version")
    mathfont._font_digest.cache_clear()
    try:
        second = mathfont.font_css()
        assert cache_key("x", False, 11) != key  # formulas are typeset again too
    finally:
        mathfont._font_digest.cache_clear()
    assert second != first and second.count(mathfont.FONT_SCHEME) == 2
    assert mathfont.font_data("RNNMath-0000000000000000.ttf") is None  # no other name is served


def _page_text(store: Store) -> str:
    body = to_html("Let $x + y = 2$ hold.", mathsvg.math_renderer(11.0, store))
    pdf, warnings = html_to_pdf(f"<html><head><style>{mathfont.font_css()}</style></head><body>{body}</body></html>",
                                store.folder)
    assert warnings == []
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("damage", ["flipped", "truncated", "swapped"])
def test_a_damaged_font_entry_is_derived_again_and_no_letter_vanishes(tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path)
    good = _fonts(store)
    assert "\U0001d465" in _page_text(store) and "\U0001d466" in _page_text(store)  # italic x and y, as text
    entries = sorted((tmp_path / "fonts").iterdir())
    assert len(entries) == 2
    contents = [entry.read_bytes() for entry in entries]
    for i, entry in enumerate(entries):
        data = bytearray(contents[i])
        if damage == "flipped":  # a byte in the glyph outlines: the header and the font's own tables look right
            data[len(data) // 2] ^= 0x55
        elif damage == "truncated":
            del data[len(data) // 3:]
        else:
            data = bytearray(contents[1 - i])
        entry.write_bytes(bytes(data))
    mathfont._derive_font.cache_clear()
    assert _fonts(store) == good
    text = _page_text(store)
    assert "\U0001d465" in text and "\U0001d466" in text
