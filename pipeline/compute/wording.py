"""What the reference model computed, in words for a person: the quantity asked, a network and its convention,
and the one line `make check` prints for each computed value."""
from __future__ import annotations

from pipeline.compute.reference import counts
from pipeline.model import Computed

ASKED = {"parameters": "parameter count", "difference": "difference of parameter counts",
         "weight-count": "parameters in the weight matrix", "weight-shape": "weight shape",
         "output-shape": "output shape", "state-shape": "state shape", "dimension": "dimension"}
BIAS_WORDS = {0: "no biases", 1: "one bias vector per gate", 2: "two bias vectors per gate"}


def shown(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join("None" if v is None else str(v) for v in value) + "]"
    return str(value)


def network_words(layers) -> str:
    """e.g. "Embedding 5000→32, LSTM 32→48 (one bias vector per gate), Dense 48→1"."""
    out = []
    for layer in layers:
        name = ("bidirectional " if layer.directions == 2 else "") + counts.NAMES[layer.kind]
        bias = f" ({BIAS_WORDS[layer.biases]})" if layer.kind in counts.RECURRENT else \
            (" (no bias)" if layer.kind == "dense" and not layer.biases else "")
        out.append(f"{name} {layer.inputs or '?'}→{layer.units}{bias}")
    return ", ".join(out)


def convention_words(b) -> str:
    named = {"pytorch": "PyTorch", "keras": "Keras", "textbook": "the textbook's"}.get(b.framework)
    if named:
        return f"{named} convention"
    return "no framework named: Keras' defaults (one bias vector per gate; a GRU with reset_after=True, two)"


def describe_network(c: Computed) -> str | None:
    """What `make check` says a computed question was read as: its network, convention and source lines."""
    b = c.binding
    if b is None:
        return None
    what = ASKED[b.asks] + (f" of layer {b.layer + 1}" if b.layer >= 0 else "")
    extra = ", ".join(f"{n} {v}" for n, v in (("batch", b.batch), ("steps", b.steps)) if v) + \
        (", batch_first" if b.batch_first else "")
    lines = ", ".join(map(str, b.lines)) or "?"
    return (f"{network_words(b.layers)}" + (f" minus {network_words(b.other)}" if b.other else "")
            + f"; {convention_words(b)}; asks the {what}" + (f"; {extra}" if extra else "") + f"; read from line"
            + ("s " if len(b.lines) > 1 else " ") + lines)


def describe(c: Computed) -> str:
    """One line for a person, e.g. 'parameter total = 20362 (document: 20362, agrees) [an RNN ...]'."""
    doc = "" if c.document_value is None else \
        f" (document: {c.document_value}, {'agrees' if c.agrees else 'disagrees'})"
    how = "; ".join(p for p in (c.method, c.convention) if p)
    return f"{c.quantity} = {c.value}{doc} [{how}]"
