"""A question's text -> the recurrent network it describes and what it asks about it (a model.Binding), however it
is written: sizes in prose ("128 hidden units", "a 64-dimensional hidden state"), `key: value` lists, tables,
PyTorch `nn.LSTM(...)` or Keras `Sequential([...])` code; and the answer the document states, as a number or
a shape. Pure: text in, data out; every regular expression is linear in the text."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from pipeline.model import Binding, NetLayer, Question
from pipeline.compute.sizes import MAX_SIZE, NUM, number

RECURRENT = ("rnn", "lstm", "gru")
MAX_LAYERS = 64  # num_layers beyond this is not a network a question asks about
MAX_CALL = 600  # characters of one framework call's arguments that are read
MAX_CALLS = 100  # framework calls read per question: a quiz's model has a handful of layers
Value = int | tuple[int | None, ...]

# --- numbers --------------------------------------------------------------------------------------------------

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "single": 1, "double": 2}


def _int(text: str | None) -> int | None:
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


def _first(patterns: Sequence[str], text: str) -> int | None:
    for pattern in patterns:
        m = re.search(pattern, text, re.I)
        if m and _int(m.group(1)) is not None:
            return _int(m.group(1))
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


def _arg(call: Call, index: int, *names: str) -> str | None:
    for n in names:
        if n in call.keywords:
            return call.keywords[n]
    return call.positional[index] if index < len(call.positional) else None


def _truth(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    return text.strip() in ("True", "true", "1")


def _tuple(text: str | None) -> tuple[int | None, ...] | None:
    if not text:
        return None
    m = re.fullmatch(r"\(?\s*\(?([^()]*)\)?\s*\)?", text.strip())
    if not m:
        return None
    items = [i.strip() for i in m.group(1).split(",") if i.strip()]
    out = tuple(None if i == "None" else _int(i) for i in items)
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


def _torch(text: str, cs: list[Call], read: Read) -> None:
    for c in cs:
        if c.name in TORCH_KIND:
            d, h = _int(_arg(c, 0, "input_size")), _int(_arg(c, 1, "hidden_size"))
            n = _int(_arg(c, 2, "num_layers")) or 1
            if d is None or h is None or n > MAX_LAYERS:
                continue
            dirs = 2 if _truth(_arg(c, 6, "bidirectional"), False) else 1
            biases = 2 if _truth(_arg(c, 3, "bias"), True) else 0
            read.batch_first = read.batch_first or _truth(_arg(c, 4, "batch_first"), False)
            for k in range(n):
                read.layers.append(NetLayer(TORCH_KIND[c.name], d if k == 0 else h * dirs, h, dirs, biases))
        elif c.name == "nn.Linear":
            d, h = _int(_arg(c, 0, "in_features")), _int(_arg(c, 1, "out_features"))
            if d and h:
                read.layers.append(NetLayer("dense", d, h, 1, 1 if _truth(_arg(c, 2, "bias"), True) else 0))
        elif c.name == "nn.Embedding":
            v, e = _int(_arg(c, 0, "num_embeddings")), _int(_arg(c, 1, "embedding_dim"))
            if v and e:
                read.layers.append(NetLayer("embedding", v, e))
    if read.layers:
        read.framework = "pytorch"


def _keras(text: str, cs: list[Call], read: Read, fallback_inputs: int | None) -> None:
    width: int | None = None  # features reaching the next layer
    said = re.search(r"(?:inputs?|tensor|batch)\w* (?:of )?shape\s*[(\[]([^()\[\]]*)[)\]]", text)
    if said and _tuple(said.group(1)) and len(_tuple(said.group(1))) == 3:
        read.batch, read.steps, fallback_inputs = _tuple(said.group(1))
    wrapped = [c for c in cs if c.name == "Bidirectional"]
    for c in cs:
        shape = _tuple(c.keywords.get("input_shape")) or _tuple(c.keywords.get("batch_input_shape"))
        if c.name in ("Input", "InputLayer"):
            shape = _tuple(_arg(c, 0, "shape", "input_shape"))
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
            width = _int(c.keywords["input_dim"])
        if c.keywords.get("input_length"):
            read.steps = read.steps or _int(c.keywords["input_length"])
        if c.name in KERAS_KIND:
            units = _int(_arg(c, 0, "units"))
            if units is None:
                continue
            inputs = width or (fallback_inputs if not read.layers else None)
            if inputs is None:
                continue
            kind = KERAS_KIND[c.name]
            biases = 0 if not _truth(c.keywords.get("use_bias"), True) else \
                (2 if kind == "gru" and _truth(c.keywords.get("reset_after"), True) else 1)
            dirs = 2 if any(w.start < c.start < w.end for w in wrapped) else 1
            read.layers.append(NetLayer(kind, inputs, units, dirs, biases))
            width = units * dirs
            read.every_step = _truth(c.keywords.get("return_sequences"), False)
        elif c.name == "Dense":
            units = _int(_arg(c, 0, "units"))
            if units and width:
                read.layers.append(NetLayer("dense", width, units, 1, 1 if _truth(c.keywords.get("use_bias"), True)
                                            else 0))
                width = units
        elif c.name == "Embedding":
            v, e = _int(_arg(c, 0, "input_dim")), _int(_arg(c, 1, "output_dim"))
            if v and e:
                read.layers.append(NetLayer("embedding", v, e))
                width = e
    if read.layers:
        read.framework = "keras"
    built = re.search(r"\.build\(\s*\(([^()]*)\)\s*\)", text)
    if built and not read.layers:
        shape = _tuple(built.group(1))
        if shape and shape[-1]:
            for c in cs:
                if c.name in KERAS_KIND and _int(_arg(c, 0, "units")):
                    kind = KERAS_KIND[c.name]
                    biases = 2 if kind == "gru" and _truth(c.keywords.get("reset_after"), True) else 1
                    read.layers.append(NetLayer(kind, shape[-1], _int(_arg(c, 0, "units")), 1, biases))
                    read.framework = "keras"
                    break


# --- prose ------------------------------------------------------------------------------------------------------

N = NUM.replace("(\\d{1,3}", "(2\\s*\\*\\*\\s*\\d{1,2}|2\\^\\{?\\d{1,2}\\}?|\\d{1,3}", 1)  # also 2**7, 2^7
N = N.replace("(?:\\.\\d+)?(?![\\d])", "(?!\\d|\\.\\d)")  # a decimal is no size: never read as its integer part
assert N != NUM and "(?!\\d|\\.\\d)" in N
_SAYS = r"(?:\s*(?:of|is|=|:|equal to|at)\s*|\s+)"  # between a size's name and its number
HIDDEN = (
    rf"{N}[- ](?:hidden|memory) (?:units|neurons|nodes|cells|dimensions)",
    rf"hidden(?: layer| state)?(?: size| dimension| units?| dim)\b[^:=\d\n]{{0,40}}[:=]\s*{N}",
    rf"hidden(?: layer| state)?(?: size| dimension| units?| dim)\b{_SAYS}{N}",
    rf"hidden_size\s*=\s*{N}",
    rf"hidden (?:state|layer|vector) (?:of|with) (?:size |dimension )?{N}",
    rf"{N}[- ]dimensional (?:hidden|activations|state)",
    rf"{N}[- ](?:unit|neuron|cell)s?\b(?! of the)(?![- ](?:dense|output|linear|softmax|head|classifier))",
    rf"\bunits\s*[:=]\s*{N}",
    rf"{N} (?:LSTM|GRU|RNN|recurrent) (?:units|cells|neurons)",
)
INPUTS = (
    rf"input(?: vector)?(?: size| dimension| dim| features?| length)\b[^:=\d\n]{{0,40}}[:=]\s*{N}",
    rf"input(?: vector)?(?: size| dimension| dim| features?| length)\b{_SAYS}{N}",
    rf"input_size\s*=\s*{N}",
    rf"{N}[- ](?:input|inputs) ?(?:features|dimensions|units|size|variables)?\b",
    rf"{N}[- ]dimensional (?:inputs?|input vectors?|word vectors?|word embeddings?|embeddings?|vectors?|features?"
    rf"(?: vectors?)?)",
    rf"vocabulary (?:of|size)(?: of)?\s*{N}",
    rf"{N}[- ](?:word|token) vocabulary",
    rf"{N} (?:features|values|channels|sensors)(?: per (?:time )?step| each)?",
    rf"vector of length {N}",
    rf"\breads {N}",
    rf"embedding (?:size|dimension) (?:of )?{N}",
)
OUTPUT = (
    rf"(?:dense|linear|fully[- ]connected|softmax) (?:output|head|layer)(?: layer)?(?: of| with)?(?: size)?\s*{N}",
    rf"output (?:layer )?(?:size|dimension)(?: of| is)?\s*[:=]?\s*{N}",
    rf"output layer (?:of|with) {N}",
    rf"{N} output (?:units|classes|neurons)",
    rf"(?:over|into) {N} classes",
)
LAYERS = (rf"\b(one|two|three|four|\d)[- ]layer", rf"num_layers\s*=\s*(\d+)", rf"(\d+|two|three) (?:stacked )?layers",
          rf"stacks? (two|three|\d) ")
STEPS = (rf"{N} time[- ]steps", rf"sequences? of length {N}", rf"length[- ]{N} sequences", rf"{N}[- ]token",
         rf"{N}[- ]step sequences", rf"windows of {N}")
BATCH = (rf"batch (?:size )?of {N}", rf"batch size\s*[:=]?\s*(?:of )?{N}", rf"batches? of {N}",
         rf"{N} (?:sequences|samples|examples|time series)\b")


def _kind(text: str) -> str | None:
    for kind, pattern in (("lstm", r"\bLSTM"), ("gru", r"\bGRU"), ("rnn", r"\b(?:RNN|SimpleRNN|recurrent|Elman)")):
        if re.search(pattern, text):
            return kind
    return None


def bias_rule(text: str) -> int | None:
    """Bias vectors per gate the text asks for, when it says."""
    if re.search(r"without (?:any )?bias|no bias(?:es)?\b|bias\s*=\s*False|use_bias\s*=\s*False|ignor\w* (?:the )?bias",
                 text, re.I):
        return 0
    if re.search(r"two bias(?:es| vectors)|both bias|b_ih and b_hh|b_\{?ih\}? and b_\{?hh\}?", text, re.I):
        return 2
    if re.search(r"\b(?:one|a single|single) bias", text, re.I):
        return 1
    return None


def prose_biases(layer: NetLayer, framework: str, rule: int | None, text: str) -> int:
    """Bias vectors of a layer described in words: what the text says, else its framework's, else Keras'
    defaults (one per gate, two for a GRU with reset_after=True)."""
    if rule is not None:
        return rule if layer.kind in RECURRENT or rule == 0 else layer.biases
    if layer.kind not in RECURRENT:
        return layer.biases
    if framework in ("pytorch", "textbook"):
        return {"pytorch": 2, "textbook": 1}[framework]
    return 2 if layer.kind == "gru" and not re.search(r"reset_after\s*=\s*False", text) else 1


def framework_of(text: str) -> str:
    if re.search(r"pytorch|\btorch\b|\bnn\.(?:RNN|LSTM|GRU|Linear|Embedding)\b|weight_ih|h_n\b|cuDNN", text, re.I):
        return "pytorch"
    if re.search(r"keras|tensorflow|\btf\.|SimpleRNN|Sequential|model\.summary|Param #|count_params"
                 r"|return_sequences|reset_after", text, re.I):
        return "keras"
    if re.search(r"textbook|one bias (?:vector )?per gate", text, re.I):
        return "textbook"
    return ""


def _symbols(text: str) -> dict[str, int]:
    """Sizes given as letters, then values: "n input features and m units ... n = 10, m = 32"."""
    roles: dict[str, int] = {}
    values = {m.group(1): _int(m.group(2)) for m in re.finditer(rf"\b([a-zA-Z])\s*=\s*{N}", text)}
    for m in re.finditer(r"\b([a-zA-Z])\s+(input features|inputs|input size|features|hidden units|units|"
                         r"hidden size|outputs|output units)\b", text):
        letter, role = m.group(1), m.group(2)
        if letter in values and values[letter]:
            name = "output" if "output" in role else "hidden" if ("unit" in role or "hidden" in role) else "input"
            roles.setdefault(name, values[letter])
    return roles


def _prose(text: str, read: Read, needs_inputs: bool = True, pins: dict[str, int] | None = None) -> str | None:
    """Layers from sizes stated in words; the reason when a size is missing. An output or state shape needs no
    input size: the layer is read with inputs 0 (not stated), which no count accepts."""
    kind = _kind(text)
    if kind is None:
        return "it names no recurrent cell (RNN, LSTM or GRU)"
    symbols = _symbols(text)
    pins = pins or {}
    hidden = pins.get("n_h") or pins.get("units") or symbols.get("hidden") or _first(HIDDEN, text)
    inputs = pins.get("n_x") or pins.get("features") or symbols.get("input") or _first(INPUTS, text)
    if inputs is None and hidden is not None:  # "an LSTM with 100 inputs and 100 hidden units" style: N ... N
        inputs = _first((rf"{N}\s+inputs?\b",), text)
    if inputs is None:  # "applied to input of shape (20, 1)": the features are the last axis
        shaped = re.search(r"(?:input|tensor|batch|sequence)\w*\s+(?:of\s+)?shape\s*=?\s*[(\[]([^()\[\]]*)[)\]]",
                           text, re.I)
        dims = _tuple(shaped.group(1)) if shaped else None
        inputs = dims[-1] if dims else None
    if inputs is None and not needs_inputs:
        inputs = 0
    missing = [w for w, v in (("input size", inputs), ("hidden size", hidden)) if v is None]
    if missing:
        return f"it states no {' and no '.join(missing)}"
    layers = _first(LAYERS, text) or 1
    if layers > MAX_LAYERS:
        return f"it states {layers} layers, over the limit of {MAX_LAYERS}"
    dirs = 2 if re.search(r"bidirectional", text, re.I) and not re.search(
        r"\b(?:not|no|without|un)\w*\W+(?:\w+\W+){0,3}bidirectional", text, re.I) else 1
    if re.search(r"\bunidirectional", text, re.I):
        dirs = 1
    for k in range(layers):
        read.layers.append(NetLayer(kind, inputs if k == 0 else hidden * dirs, hidden, dirs, 1))
    vocab = re.search(r"vocabulary|one-hot", text, re.I)
    out = pins.get("n_y") or symbols.get("output") or _first(OUTPUT, text)
    if out is None and vocab and re.search(r"softmax (?:output|over the vocabulary)|output (?:over|for) (?:the|each) "
                                           r"(?:word|vocabulary)|language model", text, re.I):
        out = inputs  # a language model predicts the next word of the same vocabulary
    if out is not None and (re.search(r"dense|output layer|linear|softmax|head|classif|output of size|output "
                                      r"size", text, re.I) or "n_y" in pins):
        read.layers.append(NetLayer("dense", hidden * dirs, out, 1, 1))
    return None


# --- tables -----------------------------------------------------------------------------------------------------

_ROW = re.compile(r"^\s*\|(.+)\|\s*$")


def _cells(line: str) -> list[str] | None:
    m = _ROW.match(line)
    return [c.strip() for c in m.group(1).split("|")] if m else None


def _table_above(lines: Sequence[str], before: int) -> list[dict[str, str]]:
    """The rows of the nearest table above a line, as {column: cell} (at most 200 lines up, 500 rows)."""
    end = None
    for i in range(before - 2, max(-1, before - 202), -1):
        if _cells(lines[i]) is not None:
            end = i
            break
    if end is None:
        return []
    start = end
    while start > 0 and end - start < 500 and _cells(lines[start - 1]) is not None:
        start -= 1
    rows = [_cells(lines[i]) for i in range(start, end + 1)]
    head, body = rows[0], [r for r in rows[1:] if not all(re.fullmatch(r":?-+:?", c) for c in r)]
    return [dict(zip(head, r)) | {"__line__": str(start + 2 + k)} for k, r in enumerate(body)]


def _column(row: dict[str, str], *words: str) -> str | None:
    for key, cell in row.items():
        if any(w in key.lower() for w in words):
            return cell
    return None


def row_text(row: dict[str, str]) -> str:
    """A table row about a network -> the same facts as a sentence the prose reader reads."""
    cell = _column(row, "cell", "type", "kind", "architecture") or ""
    framework = _column(row, "framework", "library") or ""
    inputs = _column(row, "input")
    hidden = _column(row, "hidden", "units")
    layers = _column(row, "layers", "stack")
    bidi = _column(row, "bidirectional", "direction")
    head = _column(row, "dense", "head", "output")
    parts = [f"{cell} {framework}."]
    if inputs:
        parts.append(f"input size {inputs}.")
    if hidden:
        parts.append(f"hidden size {hidden}.")
    if layers and _int(layers):
        parts.append(f"{layers}-layer.")
    if bidi and bidi.strip().lower() in ("yes", "true", "y", "✓", "x"):
        parts.append("bidirectional.")
    out = _int(re.sub(r"\s*units?$", "", head or "")) if head else None
    if out:
        parts.append(f"dense output layer of size {out}.")
    return " ".join(parts)


# --- the question -----------------------------------------------------------------------------------------------

KEY = re.compile(r"\s*\*?\s*\b(?:Key|Answer|Ans)\s*[:.]\s*(?P<key>[^\n]*?)\s*\*?\s*$", re.I)


def own_stem(q: Question) -> tuple[str, str | None]:
    """The stem without a key written at its end (`*Key: 4264*`), and that key."""
    m = KEY.search(q.stem)
    return (q.stem[:m.start()], m.group("key")) if m else (q.stem, None)


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


def _which_layer(stem: str, layers: Sequence[NetLayer]) -> int:
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


def _detail(asked: str, stem: str) -> str:
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


def bind(q: Question, lines: Sequence[str] | None, line_of: Callable[[str], int]
         ) -> tuple[Binding | None, str | None]:
    """The question's network and what it asks; or (None, why) for a size question that cannot be bound, or
    (None, None) for a question that asks no size."""
    stem, _ = own_stem(q)
    asked = asks(stem)
    if asked is None:
        return None, None
    setup = f"{q.context}\n{stem}"
    # A table of networks above the question, when it names one of them ("network B").
    named = re.search(r"\b(?:network|net|model|row)\s+([A-Z0-9]\w{0,3})\b", stem)
    table_line = 0
    if named and lines:
        for row in _table_above(lines, q.source.line_start):
            if any(c.strip("`* ") == named.group(1) for c in list(row.values())[:1]):
                setup = f"{setup}\n{row_text(row)}"
                table_line = int(row["__line__"])
                break
    if lines and not re.search(r"\d", re.sub(r"\d+\s*(?:time steps|steps|days)", "", setup.replace(stem, ""))) \
            and len(re.findall(r"\d+", stem)) < 2:
        # The sizes may stand above the question, in set-up lines the reader did not attach to it.
        setup = f"{_preamble(lines, q.source.line_start)}\n{setup}"
    read = Read([])
    cs = calls(setup)
    pins = dict(q.sizes)  # what an overlay pins wins over the text
    coded = False
    framework = framework_of(setup) or framework_of(q.section)
    if any(c.name in TORCH_KIND or c.name in ("nn.Linear", "nn.Embedding") for c in cs):
        _torch(setup, cs, read)
    elif any(c.name in KERAS_KIND for c in cs):
        _keras(setup, cs, read, pins.get("n_x") or pins.get("features") or _first(INPUTS, setup))
    coded = bool(read.layers)
    why = None
    if not read.layers:
        if asked == "difference":
            return _difference(q, stem, setup, framework, line_of)
        why = _prose(setup + ("\n" + q.section if _kind(setup) is None else ""), read,
                     needs_inputs=asked not in ("output-shape", "state-shape", "dimension")
                     or _detail(asked, stem) == "concatenated", pins=pins)
        if read.layers:
            read.framework = framework
    if not read.layers:
        # Said only of a question that asks for a number and states some: not of an essay about LSTMs.
        mentions = _kind(setup) is not None and re.search(N, stem) is not None
        return None, (f"it asks for the {ASKED_WORDS[asked]} of a recurrent network but {why}" if mentions
                      else None)
    layers = read.layers
    if coded:  # code: the biases are the framework's (bias=, reset_after=), unless the text drops them all
        fw = read.framework
        if bias_rule(setup) == 0:
            layers = [replace(l, biases=0) for l in layers]
    else:
        fw = framework
        layers = [replace(l, biases=prose_biases(l, fw, bias_rule(setup), setup)) for l in layers]
    shape_in = re.search(r"shape\s*(?:of\s*)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)|(?:zeros|ones|randn|rand|empty)\(\s*\(?\s*(\d+)\s*,\s*(\d+)"
                         r"\s*,\s*(\d+)\s*\)?", setup)
    batch, steps = read.batch, read.steps
    if shape_in:
        dims = [int(g) for g in shape_in.groups() if g is not None]
        if fw == "pytorch" and not read.batch_first:
            steps, batch = dims[0], dims[1]
        else:
            batch, steps = dims[0], dims[1]
    batch = pins.get("batch") or batch or _first(BATCH, setup)
    steps = pins.get("steps") or steps or _first(STEPS, setup)
    lines_read = tuple(sorted({line_of(s) for s in _sources(q, setup, cs)} | ({table_line} - {0})))
    every = read.every_step if read.every_step is not None else fw == "pytorch"
    binding = Binding(
        layers=tuple(layers), asks=asked, framework=fw, layer=_which_layer(stem, layers), detail=_detail(asked, stem),
        batch=batch, steps=steps, batch_first=read.batch_first, every_step=every, lines=lines_read)
    return binding, None


def _preamble(lines: Sequence[str], start: int) -> str:
    """The lines just above a question, up to a heading, a previous answer or 30 lines."""
    out: list[str] = []
    for i in range(start - 2, max(-1, start - 32), -1):
        line = lines[i]
        if re.match(r"\s*(?:#|\*\*\s*(?:answer|key)|(?:answer|key|ans)\s*[:.])", line, re.I) or KEY.search(line):
            break
        out.append(line)
    return "\n".join(reversed(out))


def _sources(q: Question, setup: str, cs: list[Call]) -> list[str]:
    out = [setup[c.start:c.end] for c in cs[:8]]  # the first layers' lines are enough to point at
    return out or [q.stem[:80]]


def _difference(q: Question, stem: str, setup: str, framework: str, line_of) -> tuple[Binding | None, str | None]:
    m = re.search(r"(LSTM|GRU|RNN)\b.*?\bthan (?:an? |the )?(LSTM|GRU|RNN)\b", stem)
    inputs, hidden = _first(INPUTS, setup), _first(HIDDEN, setup)
    if inputs is None:
        inputs = _first((rf"{N}\s+inputs?\b",), setup)
    if not m or inputs is None or hidden is None:
        return None, "it asks for a difference of counts but its two networks or their sizes are not stated"
    biases = {"pytorch": 2, "textbook": 1}.get(framework, 1)
    rule = bias_rule(setup)
    biases = rule if rule is not None else biases

    def net(kind: str) -> tuple[NetLayer, ...]:
        return (NetLayer(kind.lower(), inputs, hidden, 1, biases),)
    return Binding(layers=net(m.group(1)), other=net(m.group(2)), asks="difference", framework=framework,
                   lines=(line_of(q.stem[:80]),)), None


# --- what the document states -----------------------------------------------------------------------------------

_SHAPE_TEXT = re.compile(r"[(\[]\s*((?:None|\d[\d,]*|\?)(?:\s*,\s*(?:None|\d[\d,]*|\?))+)\s*,?\s*[)\]]"
                         r"|(\d+)\s*(?:×|x|\\times|by)\s*(\d+)")


WHOLE = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?!\d|\.\d)"  # a whole number, never a decimal's integer part


def _arithmetic(text: str) -> int | None:
    """A stated value written as arithmetic of numbers only, evaluated by the project's safe grammar."""
    from pipeline.compute import expression
    from pipeline.compute.claims import normalise_math

    body = normalise_math(re.sub(r"\s*(?:parameters|params|weights)?\s*[.]?\s*$", "", text.strip()))
    if not re.fullmatch(r"[\d\s+\-*/()^]+", body) or not re.search(r"\d\s*[*+^]\s*[\d(]", body):
        return None
    try:
        value = expression.parse(body)
    except expression.Unreadable:
        return None
    return int(value) if value.is_Integer and 0 <= value <= 10 ** 15 else None


def parse_value(text: str, shape: bool) -> Value | None:
    """A stated answer -> a number or a shape: "Total params: 175,601" -> 175601; "(None, 40, 9)" -> (None,
    40, 9); "64 × 96" -> (64, 96); "4 × (300·64 + 64·64) = 93184" -> 93184."""
    text = re.sub(r"\$|\\,|\*\*|`", "", text).strip()
    if shape:
        m = _SHAPE_TEXT.search(text)
        if not m:
            return None
        if m.group(1):
            return tuple(None if p.strip() in ("None", "?") else number(p.strip().replace(",", ""))
                         for p in m.group(1).split(","))
        return (number(m.group(2)), number(m.group(3)))
    totals = [ln for ln in text.split("\n")[:40] if re.search(r"\b(?:total|in all|altogether|overall)\b", ln, re.I)
              and re.search(r"\d", ln)]
    if totals and "\n" in text.strip():  # a worked answer over several lines: its total line
        text = totals[-1]
    first = re.sub(r"^\s*[A-Da-d][.)]\s+", "", text.split("\n")[0])
    product = _arithmetic(first)
    if product is not None:  # an option or key written as a product: "20×20", "4 · (8 + 16 + 1) · 16"
        return product
    if re.match(rf"\s*{NUM}(?!\s*[×x·*^+\-/=]|\(|\w|,\d)", first):  # "12800 (6400 per layer)", "360. The..."
        tail = first
    elif "=" in first:  # a worked answer: its last result, or what it concludes after it
        tail = first.rsplit("=", 1)[1]
        concluded = re.search(rf"\b(?:so|hence|thus|total(?:ling)?|in all|altogether|gives?|giving)\b\D{{0,30}}?{NUM}",
                              tail, re.I)
        if concluded:
            return number(concluded.group(1))
    else:
        tail = re.split(r"[.;](?:\s|$)", first)[0]
        formula = re.search(r"[a-zA-Z]\s*[+*/·×^²]|[+*/·×^]\s*[a-zA-Z]|\d\(", tail)
        tail = re.sub(r"\([^()]*\)", " ", tail)  # "(685.94 KB)" is an aside
        if formula or re.search(r"\b(?:million|billion|k)\b",
                                                                                  tail, re.I):
            return None  # a formula in letters, or a rounded count, states no exact number
        found = re.findall(WHOLE, tail)
        return number(found[-1]) if found else None
    found = re.search(NUM, tail)
    return number(found.group(1)) if found and "." not in found.group(0) else None


def stated(q: Question, shape: bool) -> tuple[Value, str, int] | None:
    """The answer the document states: (value, its text, its line), from the answer, a key written after the
    stem, or the option marked correct."""
    if q.choices:
        marked = [c for c in q.choices if c.correct]
        if len(marked) == 1:
            v = parse_value(marked[0].text, shape)
            if v is not None:
                return v, marked[0].text, marked[0].line
        return None
    _, key = own_stem(q)
    for text in (q.answer, key or ""):
        text = re.sub(r"^\s*(?:\*\*)?(?:answer|key|ans|a)\s*[:.](?:\*\*)?\s*", "", text or "", flags=re.I)
        if text.strip():
            v = parse_value(text, shape)
            if v is not None:
                return v, text.split("\n")[0], 0
    return None
