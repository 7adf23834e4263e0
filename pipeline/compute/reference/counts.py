"""A bound network (model.Binding) -> what its question asks: parameter counts from the weight shapes each layer
holds (checked against the sympy closed form), weight, state and output shapes, and dimensions. Closed forms only:
the work is the same for 10 units or 10,000,000, and nothing is allocated."""
from __future__ import annotations

import math
from dataclasses import replace

import sympy as sp

from pipeline.model import Binding, NetLayer

from pipeline.compute.reference.closed_forms import BLOCKS
from pipeline.compute.reference.verified import Disagreement

RECURRENT = ("rnn", "lstm", "gru")
NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "dense": "Dense", "embedding": "Embedding"}
_D, _H, _B, _G, _K = sp.symbols("d h b g k", positive=True, integer=True)  # inputs, units, biases, gates, dirs
RECURRENT_FORM = _K * _G * _H * (_D + _H + _B)
Shape = tuple[int | None, ...]


def weight_shapes(layer: NetLayer) -> list[tuple[str, tuple[int, ...]]]:
    """The arrays a layer holds, PyTorch's names and orientation (a Keras kernel is the transpose)."""
    if layer.kind == "embedding":
        return [("weight", (layer.inputs, layer.units))]
    if layer.kind == "dense":
        return [("weight", (layer.units, layer.inputs))] + ([("bias", (layer.units,))] if layer.biases else [])
    rows = BLOCKS[layer.kind] * layer.units
    out = []
    for direction in range(layer.directions):
        tail = "_reverse" if direction else ""
        out += [(f"weight_ih{tail}", (rows, layer.inputs)), (f"weight_hh{tail}", (rows, layer.units))]
        out += [(f"bias_ih{tail}", (rows,)), (f"bias_hh{tail}", (rows,))][:layer.biases]
    return out


def layer_count(layer: NetLayer) -> int:
    """The layer's parameters: the sum of its arrays' sizes, checked against the closed form."""
    held = sum(math.prod(shape) for _, shape in weight_shapes(layer))
    if layer.kind in RECURRENT:
        form = int(RECURRENT_FORM.subs({_K: layer.directions, _G: BLOCKS[layer.kind], _H: layer.units,
                                        _D: layer.inputs, _B: layer.biases}))
    elif layer.kind == "dense":
        form = layer.units * (layer.inputs + (1 if layer.biases else 0))
    else:
        form = layer.inputs * layer.units
    if held != form:
        raise Disagreement(f"{NAMES[layer.kind]}: the weight shapes hold {held}, the closed form gives {form}")
    return held


def formula(layer: NetLayer) -> str:
    """The layer's count as a person writes it: "4 × (300·64 + 64·64 + 64)"."""
    if layer.kind in RECURRENT:
        d, h = layer.inputs, layer.units
        inner = " + ".join([f"{d}·{h}", f"{h}·{h}"] + [str(h)] * layer.biases)
        gates = BLOCKS[layer.kind]
        lead = (f"2 × " if layer.directions == 2 else "") + (f"{gates} × " if gates > 1 else "")
        return f"{lead}({inner})" if lead else inner
    if layer.kind == "dense":
        return f"{layer.inputs}·{layer.units}" + (f" + {layer.units}" if layer.biases else "")
    return f"{layer.inputs}·{layer.units}"


def output_width(layer: NetLayer) -> int:
    return layer.units * (layer.directions if layer.kind in RECURRENT else 1)


def recurrent_layers(b: Binding) -> list[int]:
    return [i for i, layer in enumerate(b.layers) if layer.kind in RECURRENT]


def asked_layer(b: Binding) -> NetLayer:
    """The layer a question asks about: its own, else the first recurrent one."""
    if 0 <= b.layer < len(b.layers):
        return b.layers[b.layer]
    return b.layers[(recurrent_layers(b) or [0])[0]]


def value(b: Binding) -> int | Shape:
    """What the bound question asks for, computed; ValueError when it needs a size the question does not state
    (an input size of 0 stands for one not stated)."""
    if b.asks in ("parameters", "difference", "weight-count", "weight-shape") and any(
            l.inputs == 0 for l in b.layers + b.other):
        raise ValueError("no input size is stated")
    if b.asks == "parameters":
        layers = b.layers if b.layer < 0 else (b.layers[b.layer],)
        return sum(layer_count(layer) for layer in layers)
    if b.asks == "difference":
        return sum(map(layer_count, b.layers)) - sum(map(layer_count, b.other))
    layer = asked_layer(b)
    if b.asks == "weight-count":
        return math.prod(weight_shape(b, layer))
    if b.asks == "weight-shape":
        return weight_shape(b, layer)
    if b.asks == "dimension":
        if b.detail == "input" and not layer.inputs:
            raise ValueError("no input size is stated")
        return {"concatenated": layer.units + layer.inputs, "features": output_width(layer),
                "input": layer.inputs}.get(b.detail, layer.units)
    if b.asks == "state-shape":
        stack = sum(b.layers[i].directions for i in recurrent_layers(b))
        return (stack, b.batch, layer.units) if b.framework == "pytorch" else (b.batch, layer.units)
    if b.asks == "output-shape":
        return output_shape(b)
    raise ValueError(f"nothing computes {b.asks!r}")


def weight_shape(b: Binding, layer: NetLayer) -> tuple[int, ...]:
    """One weight of a layer: PyTorch's `weight_ih_l0` (gates·h, d), a Keras kernel (d, gates·h), one gate's
    matrix (h, d), or Colah's W_f acting on [h_{t-1}, x_t] (h, h + d)."""
    h, d, gates = layer.units, layer.inputs, BLOCKS.get(layer.kind, 1)
    if b.detail == "gate-stacked":
        return (h, h + d)
    side = h if b.detail in ("recurrent", "gate-recurrent") else d
    if b.detail.startswith("gate-"):
        return (h, side)
    rows = gates * h
    return (side, rows) if b.framework == "keras" else (rows, side)


def output_shape(b: Binding) -> Shape:
    """The network's output: PyTorch's `output` of its recurrent stack, Keras' model output."""
    last = b.layers[-1] if b.framework != "pytorch" else b.layers[recurrent_layers(b)[-1]]
    width = output_width(last)
    if b.framework == "pytorch":
        return (b.batch, b.steps, width) if b.batch_first else (b.steps, b.batch, width)
    # Keras: a sequence stays a sequence until a recurrent layer returns its last step only.
    sequence = True
    for layer in b.layers:
        if layer.kind in RECURRENT:
            sequence = b.every_step if layer is b.layers[recurrent_layers(b)[-1]] else True
    return (b.batch, b.steps, width) if sequence else (b.batch, width)


# --- mistakes ---------------------------------------------------------------------------------------------------

def _each(b: Binding, change) -> Binding:
    return replace(b, layers=tuple(change(layer) for layer in b.layers))


def mistakes(b: Binding) -> list[tuple[str, int | Shape]]:
    """(what the student did, the value it gives), for the named mistakes that apply to this question."""
    out: list[tuple[str, Binding | int | Shape]] = []
    rec = [b.layers[i] for i in recurrent_layers(b)]
    if b.asks in ("parameters", "difference"):
        out.append(("forgot the biases", _each(b, lambda l: replace(l, biases=0))))
        if any(l.biases == 2 for l in rec):
            gru_default = b.framework == "keras" and any(l.kind == "gru" for l in rec)
            out.append(("missed Keras' GRU default reset_after=True, which stores two bias vectors per gate"
                        if gru_default else "counted one bias vector per gate instead of PyTorch's two",
                        _each(b, lambda l: replace(l, biases=1) if l.kind in RECURRENT else l)))
        if any(l.biases == 1 for l in rec):
            out.append(("counted two bias vectors per gate (PyTorch) instead of one",
                        _each(b, lambda l: replace(l, biases=2) if l.kind in RECURRENT else l)))
        if any(l.kind == "lstm" for l in rec):
            three = [replace(l, kind="gru") if l.kind == "lstm" else l for l in b.layers]
            out.append(("counted three gates for the LSTM instead of four", replace(b, layers=tuple(three))))
        if any(l.kind == "dense" for l in b.layers) and b.layer < 0:
            out.append(("left out the Dense output layer",
                        replace(b, layers=tuple(l for l in b.layers if l.kind != "dense"))))
        if any(l.kind == "embedding" for l in b.layers) and b.layer < 0:
            out.append(("left out the Embedding layer",
                        replace(b, layers=tuple(l for l in b.layers if l.kind != "embedding"))))
        if any(l.directions == 2 for l in rec):
            out.append(("missed that a bidirectional layer holds two sets of weights",
                        _each(b, lambda l: replace(l, directions=1))))
            fed = [replace(l, inputs=l.inputs // 2) if i and b.layers[i - 1].directions == 2 else l
                   for i, l in enumerate(b.layers)]
            out.append(("fed the next layer h features instead of the bidirectional layer's 2h",
                        replace(b, layers=tuple(fed))))
        if len(rec) > 1:
            first = rec[0].inputs
            same = [replace(l, inputs=first) if l.kind in RECURRENT else l for l in b.layers]
            out.append(("gave every stacked layer the network's input size, not the layer below's output",
                        replace(b, layers=tuple(same))))
            if b.layer < 0:
                out.append(("counted the first layer only", replace(b, layers=(rec[0],))))
        if b.steps:
            out.append((f"multiplied the count by the {b.steps} time steps (weights are shared across time)",
                        value(b) * b.steps))
        swapped = _each(b, lambda l: replace(l, inputs=l.units, units=l.inputs) if l.kind in RECURRENT else l)
        out.append(("swapped the input and hidden sizes", swapped))
    elif b.asks in ("output-shape", "state-shape", "weight-shape"):
        shape = value(b)
        if len(shape) == 2:
            out.append(("transposed the matrix", shape[::-1]))
        if len(shape) == 3:
            out.append(("swapped the batch and time axes (batch_first)", (shape[1], shape[0], shape[2])))
        if b.asks == "output-shape":
            out.append(("took every step's output instead of the last (return_sequences)"
                        if not b.every_step else "took the last step's output only (return_sequences=True "
                                                 "returns every step)", output_shape(replace(b, every_step=not b.every_step))))
        if any(l.directions == 2 for l in rec):
            out.append(("missed the bidirectional doubling", value(_each(b, lambda l: replace(l, directions=1)))))
    found = []
    for what, alt in out:
        try:
            v = value(alt) if isinstance(alt, Binding) else alt
        except (ValueError, IndexError):
            continue
        found.append((what, v))
    return found
