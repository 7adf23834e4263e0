"""Where a question states its sizes: the numbers the reference model reads (hidden size, input size,
batch...), each with its place in the text, so that recomputation reads them and a variant can put its own
numbers in their place."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from pipeline.model import Question

FIELDS = ("context", "stem", "answer", "explanation")

# A size as documents write it: `128`, `1,024` or `10,000` (thousands separators in groups of three). A decimal
# (`12.5`) is matched whole so that it is never read as its integer part; `number` refuses it.
NUM = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])"
# Sizes beyond these are refused with a warning naming the limit: every count is a closed form, so the limit is
# not about cost but about text that cannot be a network (a 5,000-digit hidden size).
MAX_SIZE = 10**9
MAX_DIGITS = 12


def number(text: str) -> int | None:
    """A size written in a document -> its value; None for a decimal or a number over MAX_DIGITS digits."""
    digits = text.replace(",", "")
    if not digits.isdigit() or len(digits) > MAX_DIGITS:
        return None
    return int(digits)


def refusal(text: str) -> str | None:
    """Why a written size is not read, for a warning; None when it is read."""
    digits = text.replace(",", "")
    if "." in digits:
        return f"the size {text} is not a whole number; it is not computed"
    if len(digits) > MAX_DIGITS or int(digits) > MAX_SIZE:
        shown = digits if len(digits) <= 20 else f"{digits[:8]}... ({len(digits)} digits)"
        return f"the size {shown} is over the limit of {MAX_SIZE:,}; it is not computed"
    return None


@dataclass(frozen=True)
class Spot:
    name: str  # the size's name in the reference model: "n_h", "n_x", "n_y", "batch", "steps", ...
    value: int
    field: str  # the question field it stands in: "context", "stem", "answer" or "explanation"
    start: int  # where its digits are in that field
    end: int


# Each size, the sentences documents state it in (group 1 holds the number), looked for field by field.
PARAMETER_SIZES: dict[str, tuple[str, ...]] = {
    "n_h": (rf"hidden(?: layer)? size[^:=\d\n]{{0,60}}[:=]\s*{NUM}", rf"{NUM} hidden units", rf"hidden size of {NUM}"),
    "n_x": (rf"input(?: vector)? size[^:=\d\n]{{0,60}}[:=]\s*{NUM}", rf"input size of {NUM}"),
    "n_y": (rf"output(?: layer)? size[^:=\d\n]{{0,60}}[:=]\s*{NUM}", rf"output size of {NUM}"),
}
GATE_SIZES: dict[str, tuple[str, ...]] = {
    "n_h": (rf"{NUM}[- ]dimensional (?:activations|hidden)", rf"{NUM} hidden units", rf"hidden size of {NUM}"),
    "n_x": (rf"{NUM}[- ]word vocabulary", rf"{NUM}[- ]dimensional (?:inputs?|word vectors|embeddings)"),
}
SHAPE_SIZES: dict[str, tuple[str, ...]] = {
    "batch": (rf"{NUM} (?:time series|sequences|samples|examples)\b",),
    "steps": (rf"{NUM} time steps",),
    "features": (rf"{NUM} (?:values|features|inputs) per time step",),
    "units": (rf"{NUM} (?:neurons|units|hidden units)\b",),
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


def _spot(name: str, field: str, m: re.Match) -> Spot | None:
    written = m.group(0)[m.start(1) - m.start(0):]
    written = re.match(r"[\d,]+(?:\.\d+)?", written).group(0)
    value = number(written)
    if value is None or refusal(written):
        return None
    return Spot(name, value, field, m.start(1), m.end(1))


def find(q: Question, patterns: Sequence[str], name: str, fields: Sequence[str] = FIELDS[:3]) -> Spot | None:
    """The first place any pattern finds the size, searching the fields in order (set-up before answer); a size
    that is not a whole number or is over the limit is not read (`refused` says why)."""
    for field in fields:
        text = getattr(q, field)
        for pattern in patterns:
            m = re.search(pattern, text, re.I)
            if m:
                return _spot(name, field, m)
    return None


def refused(q: Question, tables: Sequence[Mapping[str, Sequence[str]]], fields: Sequence[str] = FIELDS[:3]
            ) -> list[tuple[str, str]]:
    """(field text, reason) for each size the tables find but do not read: a decimal or an over-limit size."""
    out = []
    for table in tables:
        for patterns in table.values():
            for field in fields:
                for pattern in patterns:
                    m = re.search(pattern, getattr(q, field), re.I)
                    if m:
                        written = re.match(r"[\d,]+(?:\.\d+)?", m.group(0)[m.start(1) - m.start(0):]).group(0)
                        why = refusal(written)
                        if why and (m.group(0), why) not in out:
                            out.append((m.group(0), why))
    return out


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
                spot = _spot(name, field, m)
                if spot is not None:
                    found.setdefault((field, m.start(1)), spot)
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
