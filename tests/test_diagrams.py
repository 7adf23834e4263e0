"""Generated figures: each kind draws the cells and labels its description asks for, the same bytes every
time, with labels that neither overlap nor miss their arrows, as text a printed PDF keeps searchable."""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

import pypdf
import pytest
import weasyprint
from fontTools.ttLib import TTFont

from pipeline.diagrams import diagram

NS = {"svg": "http://www.w3.org/2000/svg"}


def _steps(letter: str, n: int, first: int = 1) -> list[str]:
    return [f"{letter}<{t}>" for t in range(first, first + n)]


# description -> (cells, input labels, output labels, activation labels), as the documents write them.
EXPECTED = {
    "one-to-one": (1, ["x"], ["ŷ"], []),
    "one-to-many Ty=3": (3, ["x"], _steps("ŷ", 3), _steps("a", 3, first=0)),
    "many-to-one Tx=4": (4, _steps("x", 4), ["ŷ"], _steps("a", 4, first=0)),
    "many-to-many Tx=4": (4, _steps("x", 4), _steps("ŷ", 4), _steps("a", 4, first=0)),
    "many-to-many Tx=2 Ty=3": (5, _steps("x", 2), _steps("ŷ", 3), _steps("a", 5, first=0)),
    "encoder-decoder Tx=3 Ty=3": (6, _steps("x", 3), _steps("ŷ", 3), _steps("a", 6, first=0)),
    "language-model T=4": (4, ["x<1>= 0"] + _steps("y", 3), _steps("ŷ", 4), _steps("a", 4, first=0)),
    "sampling T=4": (4, ["x<1>= 0"] + _steps("ŷ", 3), _steps("ŷ", 4), _steps("a", 4, first=0)),
    # Forward activations a<1>..a<3> pass right, backward ones a<4>..a<2> pass left.
    "bidirectional Tx=4": (8, _steps("x", 4), _steps("ŷ", 4), [s for t in range(1, 4)
                                                               for s in (f"a<{t}>", f"a<{t + 1}>")]),
    "recurrent-neuron": (1, ["x(t)"], ["y(t)"], []),
    "recurrent-neuron unrolled T=3": (3, ["x(t-2)", "x(t-1)", "x(t)"], ["y(t-2)", "y(t-1)", "y(t)"], ["y(t-3)"]),
    "deep-rnn L=2 T=3": (6, _steps("x", 3), _steps("ŷ", 3),
                         [f"a[{layer}]<{t}>" for layer in (1, 2) for t in range(3)]),
}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def _labels(root: ET.Element, role: str) -> list[str]:
    return ["".join(text.itertext()) for text in root.iterfind(f".//svg:text[@class='diagram-{role}']", NS)]


@pytest.mark.parametrize("description", EXPECTED)
def test_each_kind_draws_its_cells_and_labels(description: str) -> None:
    cells, inputs, outputs, activations = EXPECTED[description]
    root = _parse(diagram(description).svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//svg:rect[@class='diagram-cell']", NS)) == cells
    assert _labels(root, "input") == inputs
    assert _labels(root, "output") == outputs
    assert sorted(_labels(root, "activation")) == sorted(activations)


@pytest.mark.parametrize("description", EXPECTED)
def test_the_figure_scales_to_its_container_in_any_colour_scheme(description: str) -> None:
    figure = diagram(description)
    root = _parse(figure.svg)
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == figure.width and width > 0 and height > 0
    # No fixed size: the page that embeds it decides, so it fits a phone and a printed page alike.
    assert root.get("width") is None and root.get("height") is None
    # Everything in currentColor, nothing painted behind: the figure follows the text's colour in night mode.
    for element in root.iter():
        for attribute in ("stroke", "fill"):
            assert element.get(attribute) in (None, "none", "currentColor"), (element.tag, element.attrib)
        if element.tag.endswith("rect"):
            assert (float(element.get("width")), float(element.get("height"))) != (width, height)
    assert root.get("font-family") == "serif"
    assert root.find("svg:title", NS).text == figure.alt


@pytest.mark.parametrize("description", EXPECTED)
def test_same_description_same_bytes(description: str) -> None:
    first, second = diagram(description), diagram(description)
    assert first.svg == second.svg and first.alt == second.alt and first.name == second.name
    # Spacing and case are the writer's; the figure is the same.
    respelled = diagram(re.sub("=", " = ", description.upper()))
    assert respelled == first


def test_names_are_file_safe_and_tell_figures_apart() -> None:
    figures = [diagram(description) for description in EXPECTED]
    names = [figure.name for figure in figures]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names), names
    assert len(set(names)) == len(names)
    assert len({figure.svg for figure in figures}) == len(figures)
    assert diagram("many-to-one Tx=4").name == "many-to-one-tx4"
    assert diagram("deep-rnn T=3 L=2").name == diagram("deep-rnn L=2 T=3").name == "deep-rnn-l2-t3"
    # Equal lengths are the equal-length figure, however they are written.
    assert diagram("many-to-many Tx=3 Ty=3") == diagram("many-to-many Tx=3")
    assert diagram("many-to-many Tx=3 Ty=2").name != diagram("many-to-many Tx=2 Ty=3").name


@pytest.mark.parametrize("description", EXPECTED)
def test_alt_is_one_sentence_naming_the_figure(description: str) -> None:
    alt = diagram(description).alt
    assert alt[0].isupper() and alt.endswith(".") and ". " not in alt
    kind = description.split()[0].replace("-", " ").replace("rnn", "RNN")
    assert kind.split()[0].lower() in alt.lower()


def test_labels_put_time_steps_in_superscripts() -> None:
    root = _parse(diagram("many-to-many Tx=2").svg)
    text = root.find(".//svg:text[@class='diagram-input']", NS)
    letter, step = text.findall("svg:tspan", NS)
    assert (letter.text, letter.get("font-style")) == ("x", "italic")
    assert step.text == "<1>" and float(step.get("dy")) < 0 and float(step.get("font-size")) < float(
        text.get("font-size"))
    neuron = _parse(diagram("recurrent-neuron").svg).find(".//svg:text[@class='diagram-input']", NS)
    assert float(neuron.findall("svg:tspan", NS)[1].get("dy")) > 0  # x(t) as the book writes it, subscript


@pytest.mark.parametrize("description,message", [
    ("", "empty diagram description"),
    ("   ", "empty diagram description"),
    ("many-to-few Tx=3", "unknown kind 'many-to-few'; known kinds: one-to-one, one-to-many"),
    ("many-to-one", "Tx missing; write 'many-to-one Tx=N'"),
    ("encoder-decoder Tx=3", "Ty missing"),
    ("deep-rnn", "L and T missing"),
    ("many-to-one Tx=four", "Tx must be a whole number, not 'four'"),
    ("many-to-one Tx=-2", "Tx must be a whole number"),
    ("many-to-one Tx=0", "Tx=0 is out of range: 1 to 6"),
    ("many-to-one Tx=7", "Tx=7 is out of range: 1 to 6"),
    ("deep-rnn L=5 T=2", "L=5 is out of range: 1 to 4"),
    ("many-to-one Tx=3 Tx=4", "Tx is given twice"),
    ("many-to-one Ty=3", "unexpected 'Ty=3'; write 'many-to-one Tx=N'"),
    ("one-to-one Tx=3", "unexpected 'Tx=3'; write 'one-to-one' with no sizes"),
    ("many-to-many Tx=2 Ty", "unexpected 'Ty'"),
    ("bidirectional unrolled Tx=3", "unexpected 'unrolled'"),
    ("encoder-decoder Tx=6 Ty=6", "too wide to read on a phone"),
    ("sampling T=6", "too wide to read on a phone"),
])
def test_bad_description_says_what_to_write(description: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        diagram(description)
    assert message in str(error.value)
    assert repr(description) in str(error.value) or not description.strip()


# --- geometry: nothing overlaps, every arrow reaches something ------------------------------------------------

@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def holds(self, x: float, y: float, slack: float = 0.0) -> bool:
        return self.x0 - slack <= x <= self.x1 + slack and self.y0 - slack <= y <= self.y1 + slack


@lru_cache(maxsize=None)
def _font(italic: bool):
    """The serif face the renderer would pick, to measure labels as they are drawn."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is needed to find the serif face")
    path = subprocess.run(["fc-match", "-f", "%{file}", "serif:italic" if italic else "serif"],
                          capture_output=True, text=True, check=True).stdout
    return TTFont(path)


def _ink(content: str, size: float, italic: bool) -> tuple[float, float, float]:
    """Advance, top and bottom (above the baseline positive) of a run of text."""
    font = _font(italic)
    scale = size / font["head"].unitsPerEm
    cmap, glyf, hmtx = font.getBestCmap(), font["glyf"], font["hmtx"]
    advance, top, bottom = 0.0, 0.0, 0.0
    for char in content:
        glyph = cmap[ord(char)]
        advance += hmtx[glyph][0] * scale
        outline = glyf[glyph]
        if outline.numberOfContours:
            top, bottom = max(top, outline.yMax * scale), min(bottom, outline.yMin * scale)
    return advance, top, bottom


def _text_box(text: ET.Element) -> Box:
    size = float(text.get("font-size"))
    runs, shift = [], 0.0
    for span in text.findall("svg:tspan", NS) or [text]:
        shift += float(span.get("dy", 0))
        advance, top, bottom = _ink(span.text, float(span.get("font-size", size)), span.get("font-style") == "italic")
        runs.append((advance + float(span.get("dx", 0)), shift - top, shift - bottom))
    width = sum(advance for advance, _, _ in runs)
    x, y = float(text.get("x")), float(text.get("y"))
    start = {"middle": x - width / 2, "end": x - width}.get(text.get("text-anchor"), x)
    return Box(start, y + min(r[1] for r in runs), start + width, y + max(r[2] for r in runs))


def _points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2]))


def _segment_box(a: tuple[float, float], b: tuple[float, float]) -> Box:
    return Box(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def _figure(description: str) -> tuple[list[Box], list[Box], list[list[tuple[float, float]]], list[tuple]]:
    root = _parse(diagram(description).svg)
    texts = [_text_box(text) for text in root.iterfind(".//svg:text", NS)]
    cells = [Box(float(r.get("x")), float(r.get("y")), float(r.get("x")) + float(r.get("width")),
                 float(r.get("y")) + float(r.get("height"))) for r in root.iterfind(".//svg:rect", NS)]
    lines, tips = [], []
    for path in root.iterfind(".//svg:path", NS):
        if path.get("class") == "diagram-accent":
            continue  # the arrow over a bidirectional activation's letter, part of its label
        points = _points(path.get("d"))
        if path.get("fill") == "currentColor" and path.get("d").endswith("Z"):
            tips.append(points[0])  # an arrowhead: a triangle drawn from its tip
        else:
            lines.append(points)
    return texts, cells, lines, tips


@pytest.mark.parametrize("description", EXPECTED)
def test_labels_overlap_nothing(description: str) -> None:
    texts, cells, lines, _ = _figure(description)
    # A little air round each label: touching ink reads as one mark.
    texts = [Box(box.x0 - 1.5, box.y0 - 1.5, box.x1 + 1.5, box.y1 + 1.5) for box in texts]
    for i, box in enumerate(texts):
        for other in texts[i + 1:]:
            assert not box.overlaps(other), (box, other)
        for cell in cells:
            assert not box.overlaps(cell), (box, cell)
        for points in lines:
            for a, b in zip(points, points[1:]):
                assert not box.overlaps(_segment_box(a, b)), (box, a, b)


@pytest.mark.parametrize("description", EXPECTED)
def test_every_arrow_reaches_a_cell_or_a_label(description: str) -> None:
    texts, cells, _, tips = _figure(description)
    assert tips
    for x, y in tips:
        on_cell = any(cell.holds(x, y) and not Box(cell.x0 + 0.5, cell.y0 + 0.5, cell.x1 - 0.5, cell.y1 - 0.5)
                      .holds(x, y) for cell in cells)
        at_label = any(box.holds(x, y, slack=8) for box in texts)
        assert on_cell or at_label, (x, y)
    for cell in cells:
        assert any(cell.holds(x, y) for x, y in tips), f"no arrow into the cell at {cell}"


# --- the printed figure -----------------------------------------------------------------------------------------

def test_printed_labels_stay_text() -> None:
    """Every label of every kind comes back out of the PDF as text, so a printed exam's figure is searchable."""
    pages = []
    for description in EXPECTED:
        figure = diagram(description)
        data = base64.b64encode(figure.svg.encode("utf-8")).decode("ascii")
        pages.append(f'<section><img style="width: {figure.width}px; max-width: 100%" alt="{figure.alt}" '
                     f'src="data:image/svg+xml;base64,{data}"></section>')
    html = ("<html><head><meta charset='utf-8'><style>section { break-after: page }</style></head><body>"
            + "".join(pages) + "</body></html>")
    reader = pypdf.PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf()))
    assert len(reader.pages) == len(EXPECTED)
    for page, (description, (_, inputs, outputs, activations)) in zip(reader.pages, EXPECTED.items()):
        text = re.sub(r"\s", "", page.extract_text())
        for label in inputs + outputs + activations:
            assert re.sub(r"\s", "", label) in text, (description, label)
