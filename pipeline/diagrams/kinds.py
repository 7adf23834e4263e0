"""Each kind of diagram drawn on a canvas: the cells, arrows and labels of one network, and the sentence
that describes it for screen readers and captions."""
from __future__ import annotations

from pipeline.diagrams.canvas import (CELL_H, CELL_TOP, CELL_W, FONT, IN_BASE, IN_TAIL, OUT_BASE, OUT_TIP,
                                             Canvas, Column, draw_row, Runs, step_label, var_label)

def _span(letter: str, last: int) -> str:
    """x<1> to x<4>, or x<1> alone."""
    return f"{letter}<1>" if last == 1 else f"{letter}<1> to {letter}<{last}>"


def _steps(n: int) -> str:
    return "1 time step" if n == 1 else f"{n} time steps"


def draw_one_to_one(canvas: Canvas) -> str:
    draw_row(canvas, [Column(var_label("x"), var_label("ŷ"))])
    return "A one-to-one network: a single input x enters one cell, which gives a single output ŷ."


def draw_one_to_many(canvas: Canvas, ty: int) -> str:
    columns = [Column(var_label("x") if t == 1 else None, step_label("ŷ", t)) for t in range(1, ty + 1)]
    draw_row(canvas, columns, initial=step_label("a", 0))
    return (f"A one-to-many RNN unrolled over {_steps(ty)}: one input x enters the first cell, activations pass "
            f"from cell to cell starting from a<0>, and every cell gives an output, {_span('ŷ', ty)}.")


def draw_many_to_one(canvas: Canvas, tx: int) -> str:
    columns = [Column(step_label("x", t), var_label("ŷ") if t == tx else None) for t in range(1, tx + 1)]
    draw_row(canvas, columns, initial=step_label("a", 0))
    return (f"A many-to-one RNN unrolled over {_steps(tx)}: the inputs {_span('x', tx)} enter one cell each, "
            f"activations pass from cell to cell starting from a<0>, and only the last cell gives an output ŷ.")


def draw_many_to_many(canvas: Canvas, tx: int) -> str:
    columns = [Column(step_label("x", t), step_label("ŷ", t)) for t in range(1, tx + 1)]
    draw_row(canvas, columns, initial=step_label("a", 0))
    return (f"A many-to-many RNN with as many outputs as inputs, unrolled over {_steps(tx)}: at each step t the "
            f"input x<t> enters a cell, which passes its activation to the next and gives the output ŷ<t>.")


def _bracket(canvas: Canvas, x0: float, x1: float, y: float, below: bool, word: str) -> None:
    """A thin bracket over (or under) a group of cells, with the group's name beyond it."""
    tick = 6 if below else -6
    canvas.line((x0, y - tick), (x0, y), (x1, y), (x1, y - tick))
    canvas.note((x0 + x1) / 2, y + 17 if below else y - 7, word)


def _encoder_decoder_row(canvas: Canvas, tx: int, ty: int, shaded: bool) -> None:
    columns = ([Column(step_label("x", t)) for t in range(1, tx + 1)]
               + [Column(None, step_label("ŷ", t), shaded=shaded) for t in range(1, ty + 1)])
    centres = draw_row(canvas, columns, initial=step_label("a", 0))
    half = CELL_W / 2
    _bracket(canvas, centres[0] - half, centres[tx - 1] + half, CELL_TOP - 22, False, "encoder")
    _bracket(canvas, centres[tx] - half, centres[-1] + half, CELL_TOP + CELL_H + 22, True, "decoder")


def draw_many_to_many_unequal(canvas: Canvas, tx: int, ty: int) -> str:
    _encoder_decoder_row(canvas, tx, ty, shaded=False)
    return (f"A many-to-many RNN with {tx} inputs and {ty} outputs: the encoder's cells read {_span('x', tx)} "
            f"without giving outputs, then the decoder's cells carry on the activation and emit {_span('ŷ', ty)}.")


def draw_encoder_decoder(canvas: Canvas, tx: int, ty: int) -> str:
    _encoder_decoder_row(canvas, tx, ty, shaded=True)
    return (f"An encoder-decoder RNN: the encoder reads {_span('x', tx)} into its activations, its last "
            f"activation a<{tx}> starts the decoder, a second network (shaded), which emits {_span('ŷ', ty)}.")


def _zero_input() -> Runs:
    return (("x", "var"), ("<1>", "sup"), ("= 0", "text"))


def draw_language_model(canvas: Canvas, t_len: int) -> str:
    columns = [Column(_zero_input() if t == 1 else step_label("y", t - 1), step_label("ŷ", t)) for t in range(1, t_len + 1)]
    centres = draw_row(canvas, columns, initial=step_label("a", 0))
    for cx in centres:
        canvas.note(cx - 6, (OUT_TIP + CELL_TOP) / 2 + 4, "softmax", anchor="end")
    return (f"An RNN language model unrolled over {_steps(t_len)}: the first input x<1> is the zero vector, "
            f"each later input y<t-1> is the true word before step t, and each step t outputs ŷ<t>, a softmax "
            f"over the vocabulary predicting its word.")


def draw_sampling(canvas: Canvas, t_len: int) -> str:
    # Each sampled word comes down the gap after its step, left of the activation's label and right of the
    # widest input label, x<1> = 0, then runs along the input row to the next step's input.
    step, drop = 140, 56
    columns = [Column(_zero_input() if t == 1 else step_label("ŷ", t - 1), step_label("ŷ", t)) for t in range(1, t_len + 1)]
    centres = draw_row(canvas, columns, step=step, initial=step_label("a", 0), keep_clear=drop - CELL_W / 2)
    for i, cx in enumerate(centres):
        canvas.note(cx - 6, (OUT_TIP + CELL_TOP) / 2 + 4, "softmax", anchor="end")
        if i + 1 < len(centres):
            out_mid, in_mid = OUT_BASE - 7, IN_BASE - 7
            canvas.arrow((cx + 30, out_mid), (cx + drop, out_mid), (cx + drop, in_mid),
                         (centres[i + 1] - 30, in_mid), dashed=True)
    return (f"Sampling from an RNN language model over {_steps(t_len)}: the first input x<1> is the zero "
            f"vector, each step t samples a word ŷ<t> from its softmax output, and that sampled word is fed "
            f"back as the input of step t+1.")


def draw_bidirectional(canvas: Canvas, tx: int) -> str:
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
        canvas.label(cx, in_base, step_label("x", t), "input")
        canvas.label(cx, OUT_BASE, step_label("ŷ", t), "output")
        canvas.arrow((cx - route, in_base - 22), (cx - route, fore_cy + h / 2))
        canvas.arrow((cx + route, in_base - 22), (cx + route, back_cy + h / 2))
        canvas.arrow((cx - route, fore_cy - h / 2), (cx - route, OUT_TIP))
        canvas.arrow((cx + route, back_cy - h / 2), (cx + route, OUT_TIP))
        if i + 1 < tx:
            # Labels centred between the arrow's ends and the line that crosses it.
            right = fx + step - w / 2
            canvas.arrow((cx, fore_cy), (right, fore_cy))
            start = canvas.label((cx + route + right) / 2, fore_cy - 7, step_label("a", t), "activation")
            canvas.over_arrow(start + 2, fore_cy - 7 - 0.74 * FONT, leftward=False)
            left = cx + w
            canvas.arrow((cx + step, back_cy), (left, back_cy))
            start = canvas.label((left + cx + step - route) / 2, back_cy - 7, step_label("a", t + 1), "activation")
            canvas.over_arrow(start + 2, back_cy - 7 - 0.74 * FONT, leftward=True)
    return (f"A bidirectional RNN unrolled over {_steps(tx)}: the inputs {_span('x', tx)} each enter a forward cell, "
            f"whose activations pass left to right, and a backward cell (shaded), whose activations pass right "
            f"to left; each output ŷ<t> is computed from both.")


def _neuron_label(letter: str, offset: int) -> Runs:
    return var_label(letter, sub="(t)" if offset == 0 else f"(t-{offset})")


def draw_recurrent_neuron(canvas: Canvas) -> str:
    cy = CELL_TOP + CELL_H / 2
    canvas.cell(0, cy)
    canvas.label(0, IN_BASE, _neuron_label("x", 0), "input")
    canvas.arrow((0, IN_TAIL), (0, cy + CELL_H / 2))
    canvas.label(0, OUT_BASE, _neuron_label("y", 0), "output")
    canvas.arrow((0, cy - CELL_H / 2), (0, OUT_TIP))
    canvas.dot(0, 60)
    canvas.arrow((0, 60), (-60, 60), (-60, cy), (-CELL_W / 2, cy))
    return ("A recurrent neuron: it receives the input x(t) and gives the output y(t), which is also fed back "
            "into the neuron as an input for the next time step.")


def draw_recurrent_neuron_unrolled(canvas: Canvas, t_len: int) -> str:
    step, cy = 120, CELL_TOP + CELL_H / 2
    offsets = list(range(t_len - 1, -1, -1))
    canvas.arrow((-step + CELL_W / 2 + 8, cy), (-CELL_W / 2, cy))
    canvas.label((-step + 8) / 2, cy - 12, _neuron_label("y", t_len), "activation")
    for i, offset in enumerate(offsets):
        cx = i * step
        canvas.cell(cx, cy)
        canvas.label(cx, IN_BASE, _neuron_label("x", offset), "input")
        canvas.arrow((cx, IN_TAIL), (cx, cy + CELL_H / 2))
        canvas.label(cx, OUT_BASE, _neuron_label("y", offset), "output")
        canvas.arrow((cx, cy - CELL_H / 2), (cx, OUT_TIP))
        if i + 1 < t_len:
            # The output of this step, taken from its output arrow, is an input of the next.
            canvas.dot(cx, 60)
            canvas.arrow((cx, 60), (cx + step / 2, 60), (cx + step / 2, cy), (cx + step - CELL_W / 2, cy))
    first = offsets[0]
    steps = "t" if t_len == 1 else f"t-{first} to t"
    return (f"A recurrent neuron unrolled over {_steps(t_len)}, {steps}: at each step it receives the input "
            f"x at that step and its own output y from the step before, and gives the output y at that step.")


def draw_deep_rnn(canvas: Canvas, layers: int, t_len: int) -> str:
    step, pitch, h = 140, 90, 36
    out_base = 30
    top_cy = out_base + 50 + h / 2
    bottom_cy = top_cy + (layers - 1) * pitch
    in_base = bottom_cy + h / 2 + 60
    for layer in range(1, layers + 1):
        cy = bottom_cy - (layer - 1) * pitch
        start = -step + CELL_W / 2
        canvas.arrow((start, cy), (-CELL_W / 2, cy))
        canvas.label((start - CELL_W / 2) / 2, cy - 7, var_label("a", sup=f"[{layer}]<0>"), "activation")
        for i in range(t_len):
            t, cx = i + 1, i * step
            canvas.cell(cx, cy, h=h)
            below = in_base - 22 if layer == 1 else cy + pitch - h / 2
            canvas.arrow((cx, below), (cx, cy + h / 2))
            if i + 1 < t_len:
                canvas.arrow((cx + CELL_W / 2, cy), (cx + step - CELL_W / 2, cy))
                canvas.label(cx + step / 2, cy - 7, var_label("a", sup=f"[{layer}]<{t}>"), "activation")
    for i in range(t_len):
        t, cx = i + 1, i * step
        canvas.label(cx, in_base, step_label("x", t), "input")
        canvas.label(cx, out_base, step_label("ŷ", t), "output")
        canvas.arrow((cx, top_cy - h / 2), (cx, out_base + 10))
    return (f"A deep RNN of {layers} stacked recurrent layers unrolled over {_steps(t_len)}: the input x<t> "
            f"enters layer 1, the activation a[l]<t> of each layer passes right to the same layer's next step "
            f"and up to the layer above, and the top layer gives the output ŷ<t>.")
