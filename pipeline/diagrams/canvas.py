"""Drawing a diagram: the sizes, the labels in the documents' notation, and a canvas that lays out cells,
arrows and labels in rows and writes them as one SVG document in currentColor."""
from __future__ import annotations

from dataclasses import dataclass, field

import drawsvg as draw

# Sizes in user units, which are CSS pixels at the figure's natural width.
FONT = 22  # labels
_SCRIPT = 15  # their super- and subscripts
_NOTE = 14  # words such as "encoder" and "softmax"
_RAISE = 8  # baseline shift of a superscript
_DROP = 5  # baseline shift of a subscript
_GAP = 6  # space between a script and the text after it
_STROKE = 1.6
_HEAD_LENGTH = 9
_HEAD_HALF_WIDTH = 4
_MARGIN = 6
MAX_STEPS = 6
MAX_LAYERS = 4
# At 640 units a figure fits a printed page's text width at its natural size, and on a phone (about 340 px
# of text width) its labels still come out at 12 px.
MAX_WIDTH = 640

# One unrolled row: cells and the rows of labels above and below them.
CELL_W, CELL_H = 40, 40
OUT_BASE = 30  # baseline of the output labels
OUT_TIP = 40  # where arrows into an output label end
CELL_TOP = 80
IN_BASE = 180  # baseline of the input labels
IN_TAIL = 158  # where arrows out of an input label start
_STEP = 100  # distance between the centres of neighbouring cells

# Rough advance widths in ems, only to size the viewBox round the labels; unknown characters count 0.6.
# The angle brackets are as wide as DejaVu Serif's, the widest of the usual serif faces.
_ADVANCE = {" ": 0.3, "(": 0.4, ")": 0.4, "[": 0.4, "]": 0.4, "-": 0.4, "<": 0.84, ">": 0.84,
            "=": 0.84, "i": 0.3, "t": 0.35, "l": 0.3}


# A label is a list of runs: (text, style), style one of "var" (italic letter), "sup", "sub", "text".
Runs = tuple[tuple[str, str], ...]


def var_label(letter: str, sup: str = "", sub: str = "") -> Runs:
    runs = [(letter, "var")]
    if sup:
        runs.append((sup, "sup"))
    if sub:
        runs.append((sub, "sub"))
    return tuple(runs)


def step_label(letter: str, t: int | str) -> Runs:
    """x<1>, ŷ<t>: the documents' time-step superscript."""
    return var_label(letter, sup=f"<{t}>")


def _width(text: str, size: float) -> float:
    return sum(_ADVANCE.get(ch, 0.6) for ch in text) * size


def _runs_width(runs: Runs) -> float:
    return sum(_width(text, FONT if style in ("var", "text") else _SCRIPT) for text, style in runs)


@dataclass
class Canvas:
    """The elements of one figure and the box round everything drawn, which becomes the viewBox."""
    elements: list = field(default_factory=list)
    box: list[float] = field(default_factory=lambda: [float("inf"), float("inf"), float("-inf"), float("-inf")])

    def _cover(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.box = [min(self.box[0], x0), min(self.box[1], y0), max(self.box[2], x1), max(self.box[3], y1)]

    def cell(self, cx: float, cy: float, shaded: bool = False, w: float = CELL_W, h: float = CELL_H) -> None:
        # A faint fill in currentColor marks a second network and stays visible in night mode.
        fill = {"fill": "currentColor", "fill_opacity": 0.12} if shaded else {"fill": "none"}
        self.elements.append(draw.Rectangle(cx - w / 2, cy - h / 2, w, h, rx=6, stroke="currentColor",
                                            stroke_width=_STROKE, class_="diagram-cell", **fill))
        self._cover(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def arrow(self, *points: tuple[float, float], dashed: bool = False) -> None:
        """A polyline whose last segment ends in an arrowhead with its tip on the last point."""
        (x0, y0), (x1, y1) = points[-2], points[-1]
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        # The line stops inside the head, so its square end never shows past the narrowing tip.
        stop = (x1 - ux * _HEAD_LENGTH * 0.6, y1 - uy * _HEAD_LENGTH * 0.6)
        coords = [c for point in (*points[:-1], stop) for c in point]
        style = {"stroke_dasharray": "5 4"} if dashed else {}
        self.elements.append(draw.Lines(*coords, close=False, fill="none", stroke="currentColor",
                                        stroke_width=_STROKE, stroke_linejoin="round", **style))
        bx, by = x1 - ux * _HEAD_LENGTH, y1 - uy * _HEAD_LENGTH
        px, py = -uy * _HEAD_HALF_WIDTH, ux * _HEAD_HALF_WIDTH
        self.elements.append(draw.Lines(x1, y1, bx + px, by + py, bx - px, by - py, close=True,
                                        fill="currentColor", stroke="none"))
        for x, y in points:
            self._cover(x - _HEAD_HALF_WIDTH, y - _HEAD_HALF_WIDTH, x + _HEAD_HALF_WIDTH, y + _HEAD_HALF_WIDTH)

    def line(self, *points: tuple[float, float]) -> None:
        coords = [c for point in points for c in point]
        self.elements.append(draw.Lines(*coords, close=False, fill="none", stroke="currentColor",
                                        stroke_width=_STROKE, stroke_linejoin="round"))
        for x, y in points:
            self._cover(x, y, x, y)

    def dot(self, x: float, y: float) -> None:
        """A junction where one value goes two ways."""
        self.elements.append(draw.Circle(x, y, 3, fill="currentColor", stroke="none"))
        self._cover(x - 3, y - 3, x + 3, y + 3)

    def label(self, x: float, y: float, runs: Runs, role: str, anchor: str = "middle") -> float:
        """Text with its baseline at y, centred on x (or starting at x); returns where it starts."""
        width = _runs_width(runs) + sum(_GAP for (_, a), (_, b) in zip(runs, runs[1:])
                                        if b == "text" and a in ("sup", "sub"))
        start = x - width / 2 if anchor == "middle" else x
        text = draw.Text([], FONT, x, y, text_anchor=anchor, fill="currentColor", class_=f"diagram-{role}")
        shift, previous = 0, ""
        for content, style in runs:
            target = {"sup": -_RAISE, "sub": _DROP}.get(style, 0)
            attrs = {}
            if style == "text" and previous in ("sup", "sub"):
                # Space after a script as an offset: renderers strip a tspan's leading space, some even a
                # no-break one.
                attrs["dx"] = _GAP
            if target != shift:
                attrs["dy"] = target - shift
                shift = target
            if style in ("sup", "sub"):
                attrs["font_size"] = _SCRIPT
            if style == "var":
                attrs["font_style"] = "italic"
            text.append(draw.TSpan(content, **attrs))
            previous = style
        self.elements.append(text)
        raised = any(style == "sup" for _, style in runs)
        lowered = any(style == "sub" for _, style in runs)
        top = y - max(0.78 * FONT, _RAISE + 0.75 * _SCRIPT if raised else 0)
        bottom = y + max(0.25 * FONT, _DROP + 0.25 * _SCRIPT if lowered else 0)
        self._cover(start, top, start + width, bottom)
        return start

    def note(self, x: float, y: float, text: str, anchor: str = "middle") -> None:
        """A word of explanation, smaller than the labels."""
        self.elements.append(draw.Text(text, _NOTE, x, y, text_anchor=anchor, fill="currentColor",
                                       class_="diagram-note"))
        width = _width(text, _NOTE)
        start = {"middle": x - width / 2, "end": x - width}.get(anchor, x)
        self._cover(start, y - 0.75 * _NOTE, start + width, y + 0.25 * _NOTE)

    def over_arrow(self, x: float, y: float, leftward: bool) -> None:
        """The small arrow over a forward (a→) or backward (a←) activation's letter: drawn, because
        renderers that place glyphs one by one, WeasyPrint among them, cannot stack a combining arrow."""
        x0, x1 = x, x + 0.5 * FONT
        tip, tail = (x0, x1) if leftward else (x1, x0)
        self.elements.append(draw.Line(tail, y, tip, y, stroke="currentColor", stroke_width=1.1,
                                       class_="diagram-accent"))
        hook = 3 if leftward else -3
        self.elements.append(draw.Lines(tip + hook, y - 2.5, tip, y, tip + hook, y + 2.5, close=False, fill="none",
                                        stroke="currentColor", stroke_width=1.1, class_="diagram-accent"))

    def svg(self, alt: str) -> tuple[str, float]:
        x0, y0, x1, y1 = (round(v, 1) for v in (self.box[0] - _MARGIN, self.box[1] - _MARGIN,
                                                 self.box[2] + _MARGIN, self.box[3] + _MARGIN))
        drawing = draw.Drawing(round(x1 - x0, 1), round(y1 - y0, 1), origin=(x0, y0))
        # No width or height: the embedding page sizes the figure from the viewBox's proportions.
        drawing.svg_args.update(width=None, height=None, role="img", **{"font-family": "serif"})
        drawing.append_title(alt)
        for element in self.elements:
            drawing.append(element)
        return drawing.as_svg(), round(x1 - x0, 1)


# --- the kinds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    input: Runs | None = None
    output: Runs | None = None
    shaded: bool = False


def draw_row(canvas: Canvas, columns: list[Column], step: float = _STEP, initial: Runs | None = None,
         keep_clear: float = 0) -> list[float]:
    """One unrolled recurrent layer: a cell per column, its input below, its output above, and activations
    a<1>, a<2>... passed left to right; `initial` labels an arrow into the first cell. Returns the centres
    of the columns. An activation's label is centred on the part of its arrow past `keep_clear`, measured
    from the cell the arrow leaves, so a line crossing the arrow there misses it."""
    cy = CELL_TOP + CELL_H / 2
    centres = [i * step for i in range(len(columns))]
    if initial is not None:
        start = -(step - CELL_W) - CELL_W / 2
        canvas.arrow((start, cy), (-CELL_W / 2, cy))
        canvas.label((start - CELL_W / 2) / 2, cy - 7, initial, "activation")
    for i, (cx, column) in enumerate(zip(centres, columns)):
        canvas.cell(cx, cy, shaded=column.shaded)
        if column.input is not None:
            canvas.label(cx, IN_BASE, column.input, "input")
            canvas.arrow((cx, IN_TAIL), (cx, cy + CELL_H / 2))
        if column.output is not None:
            canvas.label(cx, OUT_BASE, column.output, "output")
            canvas.arrow((cx, cy - CELL_H / 2), (cx, OUT_TIP))
        if i + 1 < len(columns):
            left, right = cx + CELL_W / 2, centres[i + 1] - CELL_W / 2
            canvas.arrow((left, cy), (right, cy))
            canvas.label((left + keep_clear + right) / 2, cy - 7, step_label("a", i + 1), "activation")
    return centres
