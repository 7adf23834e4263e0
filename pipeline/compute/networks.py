"""A question's text -> the recurrent network it describes and what it asks about it (a model.Binding), however it
is written: sizes in prose ("128 hidden units", "a 64-dimensional hidden state"), `key: value` lists, tables,
PyTorch `nn.LSTM(...)` or Keras `Sequential([...])` code (read by `compute.code`), with the quantity the stem
asks for (`compute.quantity`); what the document states is read by `compute.statement`. Pure: text in, data
out; every regular expression is linear in the text."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Sequence

from pipeline.compute.code import (KERAS_KIND, MAX_LAYERS, RECURRENT, TORCH_KIND, Call, Read, calls, first_size,
                                   read_keras, read_torch, shape_tuple, size_number)
from pipeline.compute.quantity import ASKED_WORDS, asks, detail, which_layer
from pipeline.model import Binding, NetLayer, Question
from pipeline.compute.sizes import NUM

Value = int | tuple[int | None, ...]

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
    values = {m.group(1): size_number(m.group(2)) for m in re.finditer(rf"\b([a-zA-Z])\s*=\s*{N}", text)}
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
    hidden = pins.get("n_h") or pins.get("units") or symbols.get("hidden") or first_size(HIDDEN, text)
    inputs = pins.get("n_x") or pins.get("features") or symbols.get("input") or first_size(INPUTS, text)
    if inputs is None and hidden is not None:  # "an LSTM with 100 inputs and 100 hidden units" style: N ... N
        inputs = first_size((rf"{N}\s+inputs?\b",), text)
    if inputs is None:  # "applied to input of shape (20, 1)": the features are the last axis
        shaped = re.search(r"(?:input|tensor|batch|sequence)\w*\s+(?:of\s+)?shape\s*=?\s*[(\[]([^()\[\]]*)[)\]]",
                           text, re.I)
        dims = shape_tuple(shaped.group(1)) if shaped else None
        inputs = dims[-1] if dims else None
    if inputs is None and not needs_inputs:
        inputs = 0
    missing = [w for w, v in (("input size", inputs), ("hidden size", hidden)) if v is None]
    if missing:
        return f"it states no {' and no '.join(missing)}"
    layers = first_size(LAYERS, text) or 1
    if layers > MAX_LAYERS:
        return f"it states {layers} layers, over the limit of {MAX_LAYERS}"
    dirs = 2 if re.search(r"bidirectional", text, re.I) and not re.search(
        r"\b(?:not|no|without|un)\w*\W+(?:\w+\W+){0,3}bidirectional", text, re.I) else 1
    if re.search(r"\bunidirectional", text, re.I):
        dirs = 1
    for k in range(layers):
        read.layers.append(NetLayer(kind, inputs if k == 0 else hidden * dirs, hidden, dirs, 1))
    vocab = re.search(r"vocabulary|one-hot", text, re.I)
    out = pins.get("n_y") or symbols.get("output") or first_size(OUTPUT, text)
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
    if layers and size_number(layers):
        parts.append(f"{layers}-layer.")
    if bidi and bidi.strip().lower() in ("yes", "true", "y", "✓", "x"):
        parts.append("bidirectional.")
    out = size_number(re.sub(r"\s*units?$", "", head or "")) if head else None
    if out:
        parts.append(f"dense output layer of size {out}.")
    return " ".join(parts)


# --- the question -----------------------------------------------------------------------------------------------

KEY = re.compile(r"\s*\*?\s*\b(?:Key|Answer|Ans)\s*[:.]\s*(?P<key>[^\n]*?)\s*\*?\s*$", re.I)


def own_stem(q: Question) -> tuple[str, str | None]:
    """The stem without a key written at its end (`*Key: 4264*`), and that key."""
    m = KEY.search(q.stem)
    return (q.stem[:m.start()], m.group("key")) if m else (q.stem, None)


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
        read_torch(setup, cs, read)
    elif any(c.name in KERAS_KIND for c in cs):
        read_keras(setup, cs, read, pins.get("n_x") or pins.get("features") or first_size(INPUTS, setup))
    coded = bool(read.layers)
    why = None
    if not read.layers:
        if asked == "difference":
            return _difference(q, stem, setup, framework, line_of)
        why = _prose(setup + ("\n" + q.section if _kind(setup) is None else ""), read,
                     needs_inputs=asked not in ("output-shape", "state-shape", "dimension")
                     or detail(asked, stem) == "concatenated", pins=pins)
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
    batch = pins.get("batch") or batch or first_size(BATCH, setup)
    steps = pins.get("steps") or steps or first_size(STEPS, setup)
    lines_read = tuple(sorted({line_of(s) for s in _sources(q, setup, cs)} | ({table_line} - {0})))
    every = read.every_step if read.every_step is not None else fw == "pytorch"
    binding = Binding(
        layers=tuple(layers), asks=asked, framework=fw, layer=which_layer(stem, layers), detail=detail(asked, stem),
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
    inputs, hidden = first_size(INPUTS, setup), first_size(HIDDEN, setup)
    if inputs is None:
        inputs = first_size((rf"{N}\s+inputs?\b",), setup)
    if not m or inputs is None or hidden is None:
        return None, "it asks for a difference of counts but its two networks or their sizes are not stated"
    biases = {"pytorch": 2, "textbook": 1}.get(framework, 1)
    rule = bias_rule(setup)
    biases = rule if rule is not None else biases

    def net(kind: str) -> tuple[NetLayer, ...]:
        return (NetLayer(kind.lower(), inputs, hidden, 1, biases),)
    return Binding(layers=net(m.group(1)), other=net(m.group(2)), asks="difference", framework=framework,
                   lines=(line_of(q.stem[:80]),)), None
