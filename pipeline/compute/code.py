"""Framework code in a question -> the layers it builds: PyTorch `nn.LSTM(...)`, `nn.Linear(...)` and Keras
`Sequential([...])`, `LSTM(64, return_sequences=True)`, each call's arguments read by position or keyword, and
the sizes written in them. Pure: text in, data out; every regular expression is linear in the text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.compute.sizes import MAX_SIZE, number
from pipeline.model import NetLayer

RECURRENT = ("rnn", "lstm", "gru")
MAX_LAYERS = 64  # num_layers beyond this is not a network a question asks about
MAX_CALL = 600  # characters of one framework call's arguments that are read
MAX_CALLS = 100  # framework calls read per question: a quiz's model has a handful of layers

# --- numbers --------------------------------------------------------------------------------------------------

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "single": 1, "double": 2}


def size_number(text: str | None) -> int | None:
    """A size as written (`128`, `two`, `2**7`, `2^{7}`) -> its value, None when it is no size."""
    if text is None:
        return None
    text = text.strip().lower()
    if text in _WORDS:
        return _WORDS[text]
    m = re.fullmatch(r"2\s*\*\*\s*(\d{1,2})|2\^\{?(\d{1,2})\}?", text)  # sizes as powers of two
    if m:
        return 2 ** int(m.group(1) or m.group(2))
    value = number(text)
    return value if value is not None and 0 < value <= MAX_SIZE else None


def first_size(patterns: Sequence[str], text: str) -> int | None:
    """The size captured by the first of the patterns that finds one."""
    for pattern in patterns:
        m = re.search(pattern, text, re.I)
        if m and size_number(m.group(1)) is not None:
            return size_number(m.group(1))
    return None


# --- framework code ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    name: str  # "nn.LSTM", "LSTM", "Dense", ...
    start: int
    end: int  # just after the closing parenthesis
    positional: tuple[str, ...]
    keywords: dict


_CALL = re.compile(r"(?<![\w.])(?P<nn>(?:torch\.)?nn\.)?(?:(?:tf\.)?keras\.)?(?:layers\.)?"
                   r"(?P<name>SimpleRNN|RNN|LSTM|GRU|Linear|Dense|Embedding|Bidirectional|TimeDistributed|Input"
                   r"|InputLayer)\s*\(")


def _closing(text: str, at: int) -> int:
    """The index after the parenthesis closing the one before `at`, or -1 (bounded by MAX_CALL)."""
    depth = 1
    for i in range(at, min(len(text), at + MAX_CALL)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _split(args: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for c in args:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def calls(text: str) -> list[Call]:
    out = []
    for k, m in enumerate(_CALL.finditer(text)):
        if k == MAX_CALLS:
            break
        end = _closing(text, m.end())
        if end < 0:
            continue
        positional, keywords = [], {}
        for arg in _split(text[m.end():end - 1]):
            k = re.match(r"(\w+)\s*=(?!=)\s*(.*)$", arg, re.S)
            if k:
                keywords[k.group(1)] = k.group(2).strip()
            else:
                positional.append(arg)
        name = ("nn." if m.group("nn") else "") + m.group("name")
        out.append(Call(name, m.start(), end, tuple(positional), keywords))
    return out


def argument(call: Call, index: int, *names: str) -> str | None:
    for n in names:
        if n in call.keywords:
            return call.keywords[n]
    return call.positional[index] if index < len(call.positional) else None


def truth(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    return text.strip() in ("True", "true", "1")


def shape_tuple(text: str | None) -> tuple[int | None, ...] | None:
    if not text:
        return None
    m = re.fullmatch(r"\(?\s*\(?([^()]*)\)?\s*\)?", text.strip())
    if not m:
        return None
    items = [i.strip() for i in m.group(1).split(",") if i.strip()]
    out = tuple(None if i == "None" else size_number(i) for i in items)
    return out if items else None


KERAS_KIND = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
TORCH_KIND = {"nn.RNN": "rnn", "nn.LSTM": "lstm", "nn.GRU": "gru"}


@dataclass
class Read:
    """What the text says about the network, as it is gathered."""
    layers: list[NetLayer]
    framework: str = ""
    batch: int | None = None
    steps: int | None = None
    batch_first: bool = False
    every_step: bool | None = None


def read_torch(text: str, cs: list[Call], read: Read) -> None:
    for c in cs:
        if c.name in TORCH_KIND:
            d, h = size_number(argument(c, 0, "input_size")), size_number(argument(c, 1, "hidden_size"))
            n = size_number(argument(c, 2, "num_layers")) or 1
            if d is None or h is None or n > MAX_LAYERS:
                continue
            dirs = 2 if truth(argument(c, 6, "bidirectional"), False) else 1
            biases = 2 if truth(argument(c, 3, "bias"), True) else 0
            read.batch_first = read.batch_first or truth(argument(c, 4, "batch_first"), False)
            for k in range(n):
                read.layers.append(NetLayer(TORCH_KIND[c.name], d if k == 0 else h * dirs, h, dirs, biases))
        elif c.name == "nn.Linear":
            d, h = size_number(argument(c, 0, "in_features")), size_number(argument(c, 1, "out_features"))
            if d and h:
                read.layers.append(NetLayer("dense", d, h, 1, 1 if truth(argument(c, 2, "bias"), True) else 0))
        elif c.name == "nn.Embedding":
            v, e = size_number(argument(c, 0, "num_embeddings")), size_number(argument(c, 1, "embedding_dim"))
            if v and e:
                read.layers.append(NetLayer("embedding", v, e))
    if read.layers:
        read.framework = "pytorch"


def read_keras(text: str, cs: list[Call], read: Read, fallback_inputs: int | None) -> None:
    width: int | None = None  # features reaching the next layer
    said = re.search(r"(?:inputs?|tensor|batch)\w* (?:of )?shape\s*[(\[]([^()\[\]]*)[)\]]", text)
    if said and shape_tuple(said.group(1)) and len(shape_tuple(said.group(1))) == 3:
        read.batch, read.steps, fallback_inputs = shape_tuple(said.group(1))
    wrapped = [c for c in cs if c.name == "Bidirectional"]
    for c in cs:
        shape = shape_tuple(c.keywords.get("input_shape")) or shape_tuple(c.keywords.get("batch_input_shape"))
        if c.name in ("Input", "InputLayer"):
            shape = shape_tuple(argument(c, 0, "shape", "input_shape"))
        if shape:
            if c.name == "InputLayer" or "batch_input_shape" in c.keywords:
                shape = shape[1:]
            if len(shape) >= 2:
                read.steps = read.steps or shape[-2]
            width = shape[-1] if shape[-1] is not None else width
            if len(shape) == 1 and c.name in ("Input", "InputLayer"):
                read.steps = read.steps or shape[0]  # token ids: (steps,)
                width = None
        if c.keywords.get("input_dim") and c.name != "Embedding":
            width = size_number(c.keywords["input_dim"])
        if c.keywords.get("input_length"):
            read.steps = read.steps or size_number(c.keywords["input_length"])
        if c.name in KERAS_KIND:
            units = size_number(argument(c, 0, "units"))
            if units is None:
                continue
            inputs = width or (fallback_inputs if not read.layers else None)
            if inputs is None:
                continue
            kind = KERAS_KIND[c.name]
            biases = 0 if not truth(c.keywords.get("use_bias"), True) else \
                (2 if kind == "gru" and truth(c.keywords.get("reset_after"), True) else 1)
            dirs = 2 if any(w.start < c.start < w.end for w in wrapped) else 1
            read.layers.append(NetLayer(kind, inputs, units, dirs, biases))
            width = units * dirs
            read.every_step = truth(c.keywords.get("return_sequences"), False)
        elif c.name == "Dense":
            units = size_number(argument(c, 0, "units"))
            if units and width:
                read.layers.append(NetLayer("dense", width, units, 1, 1 if truth(c.keywords.get("use_bias"), True)
                                            else 0))
                width = units
        elif c.name == "Embedding":
            v, e = size_number(argument(c, 0, "input_dim")), size_number(argument(c, 1, "output_dim"))
            if v and e:
                read.layers.append(NetLayer("embedding", v, e))
                width = e
    if read.layers:
        read.framework = "keras"
    built = re.search(r"\.build\(\s*\(([^()]*)\)\s*\)", text)
    if built and not read.layers:
        shape = shape_tuple(built.group(1))
        if shape and shape[-1]:
            for c in cs:
                if c.name in KERAS_KIND and size_number(argument(c, 0, "units")):
                    kind = KERAS_KIND[c.name]
                    biases = 2 if kind == "gru" and truth(c.keywords.get("reset_after"), True) else 1
                    read.layers.append(NetLayer(kind, shape[-1], size_number(argument(c, 0, "units")), 1, biases))
                    read.framework = "keras"
                    break
