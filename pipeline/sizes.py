"""Where a question states its sizes: the numbers the reference model reads (hidden size, input size,
batch...), each with its place in the text, so that recomputation reads them and a variant can put its own
numbers in their place."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from .model import Question

FIELDS = ("context", "stem", "answer", "explanation")


@dataclass(frozen=True)
class Spot:
    name: str  # the size's name in the reference model: "n_h", "n_x", "n_y", "batch", "steps", ...
    value: int
    field: str  # the question field it stands in: "context", "stem", "answer" or "explanation"
    start: int  # where its digits are in that field
    end: int


# Each size, the sentences documents state it in (group 1 holds the number), looked for field by field.
PARAMETER_SIZES: dict[str, tuple[str, ...]] = {
    "n_h": (r"hidden(?: layer)? size[^:=\d\n]*[:=]\s*(\d+)", r"(\d+) hidden units", r"hidden size of (\d+)"),
    "n_x": (r"input(?: vector)? size[^:=\d\n]*[:=]\s*(\d+)", r"input size of (\d+)"),
    "n_y": (r"output(?: layer)? size[^:=\d\n]*[:=]\s*(\d+)", r"output size of (\d+)"),
}
GATE_SIZES: dict[str, tuple[str, ...]] = {
    "n_h": (r"(\d+)[- ]dimensional (?:activations|hidden)", r"(\d+) hidden units", r"hidden size of (\d+)"),
    "n_x": (r"(\d[\d,]*)[- ]word vocabulary", r"(\d+)[- ]dimensional (?:inputs?|word vectors|embeddings)"),
}
SHAPE_SIZES: dict[str, tuple[str, ...]] = {
    "batch": (r"(\d+) (?:time series|sequences|samples|examples)\b",),
    "steps": (r"(\d+) time steps",),
    "features": (r"(\d+) (?:values|features|inputs) per time step",),
    "units": (r"(\d+) (?:neurons|units|hidden units)\b",),
}

# How a teacher or learner reads each size's name.
NAMES = {"n_h": "hidden size", "n_x": "input size", "n_y": "output size", "batch": "batch size",
         "steps": "time steps", "features": "features per time step", "units": "units"}


def describe(chosen: Sequence[tuple[str, int]]) -> str:
    """Sizes as Markdown for a key or a card: "hidden size $n_h = 64$, input size $n_x = 31$"."""
    return ", ".join(f"{NAMES.get(n, n)} ${n} = {v}$" if "_" in n else f"{NAMES.get(n, n)} {v}" for n, v in chosen)


def cell_kind(text: str) -> str:
    """The recurrent cell a text describes: "lstm", "gru" or (by default) "rnn"."""
    if re.search(r"\bLSTM", text):
        return "lstm"
    if re.search(r"\bGRU", text):
        return "gru"
    return "rnn"


def bias_convention(text: str) -> str:
    """Two biases per gate when the text is about PyTorch or cuDNN, one (Keras, textbooks) otherwise."""
    return "double" if re.search(r"pytorch|cudnn", text, re.I) else "single"


GAMMA = re.compile(r"(?:\\Gamma|Γ)_\{?\s*(?:\\rm\s*|\\mathrm\{)?(?P<g>[A-Za-z])\}?")
GATE_NAMES = {"u": "update", "f": "forget", "o": "output", "r": "relevance"}


def gate_of(q: Question, blocks: Sequence[str]) -> str | None:
    """The gate a question asks about, by its symbol (`\\Gamma_u`): the stem's, or where a scan garbled it
    (`\\Gamma_{\\rm M}`), the one its feedback names."""
    return next((m.group("g").lower() for t in (q.stem, q.explanation, q.answer) for m in GAMMA.finditer(t)
                 if m.group("g").lower() in GATE_NAMES and m.group("g").lower() in blocks), None)


def find(q: Question, patterns: Sequence[str], name: str, fields: Sequence[str] = FIELDS[:3]) -> Spot | None:
    """The first place any pattern finds the size, searching the fields in order (set-up before answer)."""
    for field in fields:
        text = getattr(q, field)
        for pattern in patterns:
            m = re.search(pattern, text, re.I)
            if m:
                return Spot(name, int(m.group(1).replace(",", "")), field, m.start(1), m.end(1))
    return None


def find_all(q: Question, table: Mapping[str, Sequence[str]], fields: Sequence[str] = FIELDS[:3]
             ) -> dict[str, Spot]:
    """Every size of the table the question states."""
    found = {name: find(q, patterns, name, fields) for name, patterns in table.items()}
    return {name: spot for name, spot in found.items() if spot is not None}


def find_every(q: Question, patterns: Sequence[str], name: str, fields: Sequence[str]) -> list[Spot]:
    """Every place any pattern finds the size in the fields: a variant must change them all, or its text
    would state two sizes."""
    found: dict[tuple[str, int], Spot] = {}
    for field in fields:
        text = getattr(q, field)
        for pattern in patterns:
            for m in re.finditer(pattern, text, re.I):
                found.setdefault((field, m.start(1)), Spot(name, int(m.group(1).replace(",", "")), field,
                                                           m.start(1), m.end(1)))
    return list(found.values())


def substitute(q: Question, spots: Mapping[str, Spot] | Sequence[Spot], values: Mapping[str, int]) -> Question:
    """The question with each named size written as its new value, at every place given."""
    places = list(spots.values()) if isinstance(spots, Mapping) else list(spots)
    changes: dict[str, str] = {}
    for field in FIELDS:
        text = getattr(q, field)
        here = sorted((s for s in places if s.field == field and s.name in values),
                      key=lambda s: s.start, reverse=True)  # from the end, so earlier places do not move
        for s in here:
            text = text[:s.start] + str(values[s.name]) + text[s.end:]
        if here:
            changes[field] = text
    return q.with_(**changes) if changes else q
