"""Diagrams of recurrent networks drawn from a one-line description, as standalone SVG documents.

A description is a kind followed by its sizes as NAME=N, in any order (case does not matter, spaces
round "=" are allowed):

    one-to-one
    one-to-many Ty=N
    many-to-one Tx=N
    many-to-many Tx=N [Ty=N]        Ty left out or equal to Tx: an output at every step; Ty different:
                                    the encoder reads every input, then the decoder emits every output
    encoder-decoder Tx=N Ty=N       the same, the decoder's cells shaded as a second network
    language-model T=N              inputs x<1> = 0, then y<1> ... y<T-1>; outputs ŷ<t> from a softmax
    sampling T=N                    each sampled ŷ<t> fed back as the next step's input
    bidirectional Tx=N              forward and backward activations, each output read from both
    recurrent-neuron                one neuron whose output is fed back to it
    recurrent-neuron unrolled T=N   the same neuron unrolled over the steps t-N+1 ... t
    deep-rnn L=N T=N                L recurrent layers stacked, unrolled over T steps

Every step count is 1 to 6 and L is 1 to 4, and the whole figure at most 640 units wide (an
encoder-decoder of 3 + 3 steps, sampling over 4): a wider figure shrinks its labels below reading size at
phone width. Labels follow the documents' notation (x<t>, a<t>, ŷ<t>, a[l]<t>; x(t), y(t) for the neuron)
and are <text> with their scripts in <tspan>s, so the figure stays searchable and needs no font of its own.

Time runs left to right, data flows bottom to top. Every stroke and glyph is drawn in currentColor with no
background, so an inline figure takes the colour of the text round it (night mode included); an <img>
draws in the SVG's own initial colour, black. The SVG has a viewBox and no width or height: whoever embeds
it sets the size, and `Diagram.width` is the width at which its labels are about the size of body text.
Arrowheads are drawn as triangles, not markers, so the document holds no ids that could clash with others
inlined on the same page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import drawsvg as draw

# Sizes in user units, which are CSS pixels at the figure's natural width.
_FONT = 22  # labels
_SCRIPT = 15  # their super- and subscripts
_NOTE = 14  # words such as "encoder" and "softmax"
_RAISE = 8  # baseline shift of a superscript
_DROP = 5  # baseline shift of a subscript
_GAP = 6  # space between a script and the text after it
_STROKE = 1.6
_HEAD_LENGTH = 9
_HEAD_HALF_WIDTH = 4
_MARGIN = 6
_MAX_STEPS = 6
_MAX_LAYERS = 4
# At 640 units a figure fits a printed page's text width at its natural size, and on a phone (about 340 px
# of text width) its labels still come out at 12 px.
_MAX_WIDTH = 640

# One unrolled row: cells and the rows of labels above and below them.
_CELL_W, _CELL_H = 40, 40
_OUT_BASE = 30  # baseline of the output labels
_OUT_TIP = 40  # where arrows into an output label end
_CELL_TOP = 80
_IN_BASE = 180  # baseline of the input labels
_IN_TAIL = 158  # where arrows out of an input label start
_STEP = 100  # distance between the centres of neighbouring cells

# Rough advance widths in ems, only to size the viewBox round the labels; unknown characters count 0.6.
# The angle brackets are as wide as DejaVu Serif's, the widest of the usual serif faces.
_ADVANCE = {" ": 0.3, "(": 0.4, ")": 0.4, "[": 0.4, "]": 0.4, "-": 0.4, "<": 0.84, ">": 0.84,
            "=": 0.84, "i": 0.3, "t": 0.35, "l": 0.3}


@dataclass(frozen=True)
class Diagram:
    svg: str  # a complete standalone SVG document; the same description always gives the same bytes
    alt: str  # one sentence describing the figure, for screen readers and the caption
    name: str  # a file-name-safe slug, the same for descriptions that draw the same figure
    width: float  # natural width in CSS pixels: shown wider, the labels grow past the size of body text


# A label is a list of runs: (text, style), style one of "var" (italic letter), "sup", "sub", "text".
_Runs = tuple[tuple[str, str], ...]


def _var(letter: str, sup: str = "", sub: str = "") -> _Runs:
    runs = [(letter, "var")]
    if sup:
        runs.append((sup, "sup"))
    if sub:
        runs.append((sub, "sub"))
    return tuple(runs)


def _step(letter: str, t: int | str) -> _Runs:
    """x<1>, ŷ<t>: the documents' time-step superscript."""
    return _var(letter, sup=f"<{t}>")


def _width(text: str, size: float) -> float:
    return sum(_ADVANCE.get(ch, 0.6) for ch in text) * size


def _runs_width(runs: _Runs) -> float:
    return sum(_width(text, _FONT if style in ("var", "text") else _SCRIPT) for text, style in runs)


@dataclass
class _Canvas:
    """The elements of one figure and the box round everything drawn, which becomes the viewBox."""
    elements: list = field(default_factory=list)
    box: list[float] = field(default_factory=lambda: [float("inf"), float("inf"), float("-inf"), float("-inf")])

    def _cover(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.box = [min(self.box[0], x0), min(self.box[1], y0), max(self.box[2], x1), max(self.box[3], y1)]

    def cell(self, cx: float, cy: float, shaded: bool = False, w: float = _CELL_W, h: float = _CELL_H) -> None:
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

    def label(self, x: float, y: float, runs: _Runs, role: str, anchor: str = "middle") -> float:
        """Text with its baseline at y, centred on x (or starting at x); returns where it starts."""
        width = _runs_width(runs) + sum(_GAP for (_, a), (_, b) in zip(runs, runs[1:])
                                        if b == "text" and a in ("sup", "sub"))
        start = x - width / 2 if anchor == "middle" else x
        text = draw.Text([], _FONT, x, y, text_anchor=anchor, fill="currentColor", class_=f"diagram-{role}")
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
        top = y - max(0.78 * _FONT, _RAISE + 0.75 * _SCRIPT if raised else 0)
        bottom = y + max(0.25 * _FONT, _DROP + 0.25 * _SCRIPT if lowered else 0)
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
        x0, x1 = x, x + 0.5 * _FONT
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
class _Column:
    input: _Runs | None = None
    output: _Runs | None = None
    shaded: bool = False


def _row(canvas: _Canvas, columns: list[_Column], step: float = _STEP, initial: _Runs | None = None,
         keep_clear: float = 0) -> list[float]:
    """One unrolled recurrent layer: a cell per column, its input below, its output above, and activations
    a<1>, a<2>... passed left to right; `initial` labels an arrow into the first cell. Returns the centres
    of the columns. An activation's label is centred on the part of its arrow past `keep_clear`, measured
    from the cell the arrow leaves, so a line crossing the arrow there misses it."""
    cy = _CELL_TOP + _CELL_H / 2
    centres = [i * step for i in range(len(columns))]
    if initial is not None:
        start = -(step - _CELL_W) - _CELL_W / 2
        canvas.arrow((start, cy), (-_CELL_W / 2, cy))
        canvas.label((start - _CELL_W / 2) / 2, cy - 7, initial, "activation")
    for i, (cx, column) in enumerate(zip(centres, columns)):
        canvas.cell(cx, cy, shaded=column.shaded)
        if column.input is not None:
            canvas.label(cx, _IN_BASE, column.input, "input")
            canvas.arrow((cx, _IN_TAIL), (cx, cy + _CELL_H / 2))
        if column.output is not None:
            canvas.label(cx, _OUT_BASE, column.output, "output")
            canvas.arrow((cx, cy - _CELL_H / 2), (cx, _OUT_TIP))
        if i + 1 < len(columns):
            left, right = cx + _CELL_W / 2, centres[i + 1] - _CELL_W / 2
            canvas.arrow((left, cy), (right, cy))
            canvas.label((left + keep_clear + right) / 2, cy - 7, _step("a", i + 1), "activation")
    return centres


def _span(letter: str, last: int) -> str:
    """x<1> to x<4>, or x<1> alone."""
    return f"{letter}<1>" if last == 1 else f"{letter}<1> to {letter}<{last}>"


def _steps(n: int) -> str:
    return "1 time step" if n == 1 else f"{n} time steps"


def _one_to_one(canvas: _Canvas) -> str:
    _row(canvas, [_Column(_var("x"), _var("ŷ"))])
    return "A one-to-one network: a single input x enters one cell, which gives a single output ŷ."


def _one_to_many(canvas: _Canvas, ty: int) -> str:
    columns = [_Column(_var("x") if t == 1 else None, _step("ŷ", t)) for t in range(1, ty + 1)]
    _row(canvas, columns, initial=_step("a", 0))
    return (f"A one-to-many RNN unrolled over {_steps(ty)}: one input x enters the first cell, activations pass "
            f"from cell to cell starting from a<0>, and every cell gives an output, {_span('ŷ', ty)}.")


def _many_to_one(canvas: _Canvas, tx: int) -> str:
    columns = [_Column(_step("x", t), _var("ŷ") if t == tx else None) for t in range(1, tx + 1)]
    _row(canvas, columns, initial=_step("a", 0))
    return (f"A many-to-one RNN unrolled over {_steps(tx)}: the inputs {_span('x', tx)} enter one cell each, "
            f"activations pass from cell to cell starting from a<0>, and only the last cell gives an output ŷ.")


def _many_to_many(canvas: _Canvas, tx: int) -> str:
    columns = [_Column(_step("x", t), _step("ŷ", t)) for t in range(1, tx + 1)]
    _row(canvas, columns, initial=_step("a", 0))
    return (f"A many-to-many RNN with as many outputs as inputs, unrolled over {_steps(tx)}: at each step t the "
            f"input x<t> enters a cell, which passes its activation to the next and gives the output ŷ<t>.")


def _bracket(canvas: _Canvas, x0: float, x1: float, y: float, below: bool, word: str) -> None:
    """A thin bracket over (or under) a group of cells, with the group's name beyond it."""
    tick = 6 if below else -6
    canvas.line((x0, y - tick), (x0, y), (x1, y), (x1, y - tick))
    canvas.note((x0 + x1) / 2, y + 17 if below else y - 7, word)


def _encoder_decoder_row(canvas: _Canvas, tx: int, ty: int, shaded: bool) -> None:
    columns = ([_Column(_step("x", t)) for t in range(1, tx + 1)]
               + [_Column(None, _step("ŷ", t), shaded=shaded) for t in range(1, ty + 1)])
    centres = _row(canvas, columns, initial=_step("a", 0))
    half = _CELL_W / 2
    _bracket(canvas, centres[0] - half, centres[tx - 1] + half, _CELL_TOP - 22, False, "encoder")
    _bracket(canvas, centres[tx] - half, centres[-1] + half, _CELL_TOP + _CELL_H + 22, True, "decoder")


def _many_to_many_unequal(canvas: _Canvas, tx: int, ty: int) -> str:
    _encoder_decoder_row(canvas, tx, ty, shaded=False)
    return (f"A many-to-many RNN with {tx} inputs and {ty} outputs: the encoder's cells read {_span('x', tx)} "
            f"without giving outputs, then the decoder's cells carry on the activation and emit {_span('ŷ', ty)}.")


def _encoder_decoder(canvas: _Canvas, tx: int, ty: int) -> str:
    _encoder_decoder_row(canvas, tx, ty, shaded=True)
    return (f"An encoder-decoder RNN: the encoder reads {_span('x', tx)} into its activations, its last "
            f"activation a<{tx}> starts the decoder, a second network (shaded), which emits {_span('ŷ', ty)}.")


def _zero_input() -> _Runs:
    return (("x", "var"), ("<1>", "sup"), ("= 0", "text"))


def _language_model(canvas: _Canvas, t_len: int) -> str:
    columns = [_Column(_zero_input() if t == 1 else _step("y", t - 1), _step("ŷ", t)) for t in range(1, t_len + 1)]
    centres = _row(canvas, columns, initial=_step("a", 0))
    for cx in centres:
        canvas.note(cx - 6, (_OUT_TIP + _CELL_TOP) / 2 + 4, "softmax", anchor="end")
    return (f"An RNN language model unrolled over {_steps(t_len)}: the first input x<1> is the zero vector, "
            f"each later input y<t-1> is the true word before step t, and each step t outputs ŷ<t>, a softmax "
            f"over the vocabulary predicting its word.")


def _sampling(canvas: _Canvas, t_len: int) -> str:
    # Each sampled word comes down the gap after its step, left of the activation's label and right of the
    # widest input label, x<1> = 0, then runs along the input row to the next step's input.
    step, drop = 140, 56
    columns = [_Column(_zero_input() if t == 1 else _step("ŷ", t - 1), _step("ŷ", t)) for t in range(1, t_len + 1)]
    centres = _row(canvas, columns, step=step, initial=_step("a", 0), keep_clear=drop - _CELL_W / 2)
    for i, cx in enumerate(centres):
        canvas.note(cx - 6, (_OUT_TIP + _CELL_TOP) / 2 + 4, "softmax", anchor="end")
        if i + 1 < len(centres):
            out_mid, in_mid = _OUT_BASE - 7, _IN_BASE - 7
            canvas.arrow((cx + 30, out_mid), (cx + drop, out_mid), (cx + drop, in_mid),
                         (centres[i + 1] - 30, in_mid), dashed=True)
    return (f"Sampling from an RNN language model over {_steps(t_len)}: the first input x<1> is the zero "
            f"vector, each step t samples a word ŷ<t> from its softmax output, and that sampled word is fed "
            f"back as the input of step t+1.")


def _bidirectional(canvas: _Canvas, tx: int) -> str:
    # The forward cell of a step sits below and left of its backward cell, so all four arrows of the step run
    # straight: into and out of the forward cell 10 left of the centre, of the backward cell 10 right.
    step, w, h, route = 124, 44, 36, 10
    back_cy, fore_cy = 84 + h / 2, 150 + h / 2
    in_base = 252
    for i in range(tx):
        t, cx = i + 1, i * step
        fx, bx = cx - w / 2, cx + w / 2
        canvas.cell(fx, fore_cy, w=w, h=h)
        canvas.cell(bx, back_cy, w=w, h=h, shaded=True)
        canvas.label(cx, in_base, _step("x", t), "input")
        canvas.label(cx, _OUT_BASE, _step("ŷ", t), "output")
        canvas.arrow((cx - route, in_base - 22), (cx - route, fore_cy + h / 2))
        canvas.arrow((cx + route, in_base - 22), (cx + route, back_cy + h / 2))
        canvas.arrow((cx - route, fore_cy - h / 2), (cx - route, _OUT_TIP))
        canvas.arrow((cx + route, back_cy - h / 2), (cx + route, _OUT_TIP))
        if i + 1 < tx:
            # Labels centred between the arrow's ends and the line that crosses it.
            right = fx + step - w / 2
            canvas.arrow((cx, fore_cy), (right, fore_cy))
            start = canvas.label((cx + route + right) / 2, fore_cy - 7, _step("a", t), "activation")
            canvas.over_arrow(start + 2, fore_cy - 7 - 0.74 * _FONT, leftward=False)
            left = cx + w
            canvas.arrow((cx + step, back_cy), (left, back_cy))
            start = canvas.label((left + cx + step - route) / 2, back_cy - 7, _step("a", t + 1), "activation")
            canvas.over_arrow(start + 2, back_cy - 7 - 0.74 * _FONT, leftward=True)
    return (f"A bidirectional RNN unrolled over {_steps(tx)}: the inputs {_span('x', tx)} each enter a forward cell, "
            f"whose activations pass left to right, and a backward cell (shaded), whose activations pass right "
            f"to left; each output ŷ<t> is computed from both.")


def _neuron_label(letter: str, offset: int) -> _Runs:
    return _var(letter, sub="(t)" if offset == 0 else f"(t-{offset})")


def _recurrent_neuron(canvas: _Canvas) -> str:
    cy = _CELL_TOP + _CELL_H / 2
    canvas.cell(0, cy)
    canvas.label(0, _IN_BASE, _neuron_label("x", 0), "input")
    canvas.arrow((0, _IN_TAIL), (0, cy + _CELL_H / 2))
    canvas.label(0, _OUT_BASE, _neuron_label("y", 0), "output")
    canvas.arrow((0, cy - _CELL_H / 2), (0, _OUT_TIP))
    canvas.dot(0, 60)
    canvas.arrow((0, 60), (-60, 60), (-60, cy), (-_CELL_W / 2, cy))
    return ("A recurrent neuron: it receives the input x(t) and gives the output y(t), which is also fed back "
            "into the neuron as an input for the next time step.")


def _recurrent_neuron_unrolled(canvas: _Canvas, t_len: int) -> str:
    step, cy = 120, _CELL_TOP + _CELL_H / 2
    offsets = list(range(t_len - 1, -1, -1))
    canvas.arrow((-step + _CELL_W / 2 + 8, cy), (-_CELL_W / 2, cy))
    canvas.label((-step + 8) / 2, cy - 12, _neuron_label("y", t_len), "activation")
    for i, offset in enumerate(offsets):
        cx = i * step
        canvas.cell(cx, cy)
        canvas.label(cx, _IN_BASE, _neuron_label("x", offset), "input")
        canvas.arrow((cx, _IN_TAIL), (cx, cy + _CELL_H / 2))
        canvas.label(cx, _OUT_BASE, _neuron_label("y", offset), "output")
        canvas.arrow((cx, cy - _CELL_H / 2), (cx, _OUT_TIP))
        if i + 1 < t_len:
            # The output of this step, taken from its output arrow, is an input of the next.
            canvas.dot(cx, 60)
            canvas.arrow((cx, 60), (cx + step / 2, 60), (cx + step / 2, cy), (cx + step - _CELL_W / 2, cy))
    first = offsets[0]
    steps = "t" if t_len == 1 else f"t-{first} to t"
    return (f"A recurrent neuron unrolled over {_steps(t_len)}, {steps}: at each step it receives the input "
            f"x at that step and its own output y from the step before, and gives the output y at that step.")


def _deep_rnn(canvas: _Canvas, layers: int, t_len: int) -> str:
    step, pitch, h = 140, 90, 36
    out_base = 30
    top_cy = out_base + 50 + h / 2
    bottom_cy = top_cy + (layers - 1) * pitch
    in_base = bottom_cy + h / 2 + 60
    for layer in range(1, layers + 1):
        cy = bottom_cy - (layer - 1) * pitch
        start = -step + _CELL_W / 2
        canvas.arrow((start, cy), (-_CELL_W / 2, cy))
        canvas.label((start - _CELL_W / 2) / 2, cy - 7, _var("a", sup=f"[{layer}]<0>"), "activation")
        for i in range(t_len):
            t, cx = i + 1, i * step
            canvas.cell(cx, cy, h=h)
            below = in_base - 22 if layer == 1 else cy + pitch - h / 2
            canvas.arrow((cx, below), (cx, cy + h / 2))
            if i + 1 < t_len:
                canvas.arrow((cx + _CELL_W / 2, cy), (cx + step - _CELL_W / 2, cy))
                canvas.label(cx + step / 2, cy - 7, _var("a", sup=f"[{layer}]<{t}>"), "activation")
    for i in range(t_len):
        t, cx = i + 1, i * step
        canvas.label(cx, in_base, _step("x", t), "input")
        canvas.label(cx, out_base, _step("ŷ", t), "output")
        canvas.arrow((cx, top_cy - h / 2), (cx, out_base + 10))
    return (f"A deep RNN of {layers} stacked recurrent layers unrolled over {_steps(t_len)}: the input x<t> "
            f"enters layer 1, the activation a[l]<t> of each layer passes right to the same layer's next step "
            f"and up to the layer above, and the top layer gives the output ŷ<t>.")


# --- the description -----------------------------------------------------------------------------------------

# kind -> (required sizes, optional sizes)
_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "one-to-one": ((), ()),
    "one-to-many": (("Ty",), ()),
    "many-to-one": (("Tx",), ()),
    "many-to-many": (("Tx",), ("Ty",)),
    "encoder-decoder": (("Tx", "Ty"), ()),
    "language-model": (("T",), ()),
    "sampling": (("T",), ()),
    "bidirectional": (("Tx",), ()),
    "recurrent-neuron": ((), ()),
    "recurrent-neuron unrolled": (("T",), ()),
    "deep-rnn": (("L", "T"), ()),
}
_SIZE_NAMES = {name.lower(): name for name in ("Tx", "Ty", "T", "L")}
_SIZE = re.compile(r"^([A-Za-z]+)=(.*)$")


def _parse(description: str) -> tuple[str, dict[str, int]]:
    words = re.sub(r"\s*=\s*", "=", description.strip()).split()
    if not words:
        raise ValueError("empty diagram description: expected a kind such as 'many-to-one Tx=4'")
    kind = words[0].lower()
    rest = words[1:]
    if kind == "recurrent-neuron" and any(word.lower() == "unrolled" for word in rest):
        kind = "recurrent-neuron unrolled"
        rest = [word for word in rest if word.lower() != "unrolled"]
    if kind not in _KINDS:
        known = ", ".join(k for k in _KINDS if " " not in k)
        raise ValueError(f"diagram {description!r}: unknown kind {words[0]!r}; known kinds: {known}")
    required, optional = _KINDS[kind]
    expected = " ".join([f"{n}=N" for n in required] + [f"[{n}=N]" for n in optional])
    usage = f"'{kind} {expected}'" if expected else f"'{kind}' with no sizes"
    sizes: dict[str, int] = {}
    for word in rest:
        match = _SIZE.match(word)
        name = _SIZE_NAMES.get(match.group(1).lower()) if match else None
        if name is None or name not in required + optional:
            raise ValueError(f"diagram {description!r}: unexpected {word!r}; write {usage}")
        if name in sizes:
            raise ValueError(f"diagram {description!r}: {name} is given twice")
        value = match.group(2)
        if not value.isdigit():
            raise ValueError(f"diagram {description!r}: {name} must be a whole number, not {value!r}")
        limit = _MAX_LAYERS if name == "L" else _MAX_STEPS
        if not 1 <= int(value) <= limit:
            raise ValueError(f"diagram {description!r}: {name}={value} is out of range: 1 to {limit}, "
                             f"so the labels stay readable at phone width")
        sizes[name] = int(value)
    missing = [name for name in required if name not in sizes]
    if missing:
        raise ValueError(f"diagram {description!r}: {' and '.join(missing)} missing; write {usage}")
    if kind == "many-to-many" and sizes.get("Ty", sizes["Tx"]) == sizes["Tx"]:
        sizes.pop("Ty", None)  # equal lengths draw the same figure as Ty left out
    return kind, sizes


def diagram(description: str) -> Diagram:
    """The figure a one-line description names (grammar in the module's docstring).

    Raises ValueError, saying what was expected, for a description it cannot draw."""
    kind, sizes = _parse(description)
    canvas = _Canvas()
    if kind == "one-to-one":
        alt = _one_to_one(canvas)
    elif kind == "one-to-many":
        alt = _one_to_many(canvas, sizes["Ty"])
    elif kind == "many-to-one":
        alt = _many_to_one(canvas, sizes["Tx"])
    elif kind == "many-to-many" and "Ty" in sizes:
        alt = _many_to_many_unequal(canvas, sizes["Tx"], sizes["Ty"])
    elif kind == "many-to-many":
        alt = _many_to_many(canvas, sizes["Tx"])
    elif kind == "encoder-decoder":
        alt = _encoder_decoder(canvas, sizes["Tx"], sizes["Ty"])
    elif kind == "language-model":
        alt = _language_model(canvas, sizes["T"])
    elif kind == "sampling":
        alt = _sampling(canvas, sizes["T"])
    elif kind == "bidirectional":
        alt = _bidirectional(canvas, sizes["Tx"])
    elif kind == "recurrent-neuron":
        alt = _recurrent_neuron(canvas)
    elif kind == "recurrent-neuron unrolled":
        alt = _recurrent_neuron_unrolled(canvas, sizes["T"])
    else:
        alt = _deep_rnn(canvas, sizes["L"], sizes["T"])
    required, optional = _KINDS[kind]
    order = [n for n in required + optional if n in sizes]
    name = "-".join([kind.replace(" ", "-")] + [f"{n.lower()}{sizes[n]}" for n in order])
    svg, width = canvas.svg(alt)
    if width > _MAX_WIDTH:
        raise ValueError(f"diagram {description!r} is too wide to read on a phone ({width:g} units, at most "
                         f"{_MAX_WIDTH}): draw fewer steps")
    return Diagram(svg=svg, alt=alt, name=name, width=width)
