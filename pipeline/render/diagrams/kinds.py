"""Each kind of diagram drawn on a canvas: the cells, arrows and labels of one network, and the sentence
that describes it for screen readers and captions."""
from __future__ import annotations

from pipeline.render.diagrams.canvas import _CELL_H, _CELL_TOP, _CELL_W, _FONT, _IN_BASE, _IN_TAIL, _OUT_BASE, _OUT_TIP, _Canvas, _Column, _row, _Runs, _step, _var

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
