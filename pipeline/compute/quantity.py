"""A question's stem -> the quantity it asks for: a parameter count (of the network, of one layer, or the
difference of two networks'), a weight matrix's size or shape, an output or state shape, or a dimension; which
layer it means, and which weight or dimension. Pure; every regular expression is linear in the text."""
from __future__ import annotations

import re
from typing import Sequence

from pipeline.compute.code import RECURRENT
from pipeline.model import NetLayer

ASKS_COUNT = re.compile(r"\b(?:how many (?:\w+ ){0,3}(?:parameters|weights)|number of (?:\w+ ){0,2}(?:parameters|"
                        r"weights)|parameter count|param #|count_params|params\b|parameters (?:does|do|are|in)|"
                        r"count (?:the |all )?(?:\w+ )?(?:parameters|weights))",
                        re.I)
ASKS_SHAPE = re.compile(r"\bshape\b|\.shape\b|output_shape", re.I)
ASKS_DIMENSION = re.compile(r"\b(?:what is the (?:\w+ ){0,3}(?:dimension|size|length)|dimension of|how long is|"
                            r"feature size|how many (?:features|values|numbers|dimensions))\b", re.I)
ASKED_WORDS = {"parameters": "parameter count", "difference": "difference of two parameter counts",
               "weight-count": "size of a weight matrix", "weight-shape": "shape of a weight",
               "output-shape": "output shape", "state-shape": "state shape", "dimension": "dimension"}
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}


# A question that asks whether, why or how (not how many) asks for no number.
NOT_A_NUMBER = re.compile(r"(?:^|[,;:]\s*)\W*(?:do|does|did|is|are|can|could|would|will|should|why|explain|describe|discuss|"
                          r"how (?:can|do|does|would|could|is|are)|in what way|what happens)\b", re.I)


def asks(stem: str) -> str | None:
    """What the stem asks for (a key of ASKED_WORDS), or None for a question that asks no size."""
    asking = re.split(r"(?<=[.!:?])\s+(?=[A-Z(])", stem.strip())
    asking = next((s for s in reversed(asking) if "?" in s), asking[-1])
    if NOT_A_NUMBER.search(asking):
        return None
    if ASKS_COUNT.search(stem):
        if re.search(r"how many more|difference", stem, re.I):
            return "difference"
        if re.search(r"(?:in|of) the (?:\w+ ){0,3}(?:weight )?matri(?:x|ces)|\bW_\{?hh|\bW_\{?xh|\bW_\{?ih", stem,
                     re.I):
            return "weight-count"
        return "parameters"
    if ASKS_SHAPE.search(stem):
        if re.search(r"\bh_n\b|\bc_n\b|hidden state|final state|\bstate\b", stem, re.I):
            return "state-shape"
        if re.search(r"weight|kernel|W_\{?[a-z]|matrix", stem, re.I):
            return "weight-shape"
        return "output-shape"
    if ASKS_DIMENSION.search(stem):
        return "dimension"
    return None


def which_layer(stem: str, layers: Sequence[NetLayer]) -> int:
    """The layer a question asks about, from its question sentence; -1 for the whole network."""
    asking = re.split(r"(?<=[.!:])\s+(?=[A-Z(])", stem.strip())[-1]  # the sentence that asks
    m = re.search(r"\b(first|second|third|fourth|last)\s+(?:(LSTM|GRU|RNN|SimpleRNN|recurrent|Dense|Embedding)\s+)?"
                  r"layer", asking, re.I)
    if m:
        kind = (m.group(2) or "").lower()
        kind = {"simplernn": "rnn", "recurrent": ""}.get(kind, kind)
        if kind or re.search(r"recurrent", m.group(0), re.I):
            pick = [i for i, layer in enumerate(layers) if (layer.kind == kind if kind else layer.kind in RECURRENT)]
        else:
            pick = list(range(len(layers)))
        k = ORDINALS[m.group(1).lower()]
        if pick and -len(pick) <= k < len(pick):
            return pick[k]
    if re.search(r"\b(?:network|model|in total|total|altogether|including)\b", asking, re.I):
        return -1
    if re.search(r"`?Bidirectional`? layer", asking):
        return next((i for i, layer in enumerate(layers) if layer.directions == 2), -1)
    for kind, pattern in (("embedding", r"embedding layer"), ("dense", r"(?:dense|output|linear) layer")):
        if re.search(pattern, asking, re.I):
            return next((i for i, layer in enumerate(layers) if layer.kind == kind), -1)
    if re.search(r"\b(?:LSTM|GRU|RNN|recurrent|SimpleRNN)\b`?(?:\(\w*\))?`? layer", asking) and \
            any(l.kind not in RECURRENT for l in layers):
        return next(i for i, layer in enumerate(layers) if layer.kind in RECURRENT)
    return -1


def detail(asked: str, stem: str) -> str:
    """Which weight or which dimension the stem means, for the quantities that have several."""
    if asked in ("weight-count", "weight-shape"):
        if re.search(r"\[\s*h_\{?t-1\}?\s*,\s*x_\{?t\}?\s*\]|colah", stem, re.I):
            return "gate-stacked"
        recurrent = re.search(r"recurrent|hidden[- ]to[- ]hidden|W_\{?hh|weight_hh|recurrent_kernel", stem, re.I)
        gate = re.search(r"\bW_\{?(?:f|i|o|c|z|r)\}?\b|of the (?:forget|input|output|update|reset) gate", stem)
        return ("gate-" if gate else "") + ("recurrent" if recurrent else "input")
    if asked == "dimension":
        if re.search(r"\[\s*h_\{?t-1\}?\s*,\s*x_\{?t\}?\s*\]|concatenat", stem, re.I):
            return "concatenated"
        if re.search(r"output|features? (?:size|of)", stem, re.I):
            return "features"
        if re.search(r"dimension of (?:the |each |its )?(?:input|x)", stem, re.I):
            return "input"
        return "hidden"
    return ""
