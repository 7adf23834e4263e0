"""The question forms the reference model answers directly: a parameter total with its list of arrays, a gate's
dimension, a batch's input and output shapes, a leaky unit's derivative. Each recogniser takes a question and
where it sits and returns it with what it computed and what the document got wrong; one whose form does not
apply returns the question unchanged and nothing else."""
from __future__ import annotations

import re
from typing import Callable, Sequence

import sympy as sp

from pipeline.compute import expression, sizes, statement
from pipeline.compute.position import Result, Where, flag
from pipeline.compute.reference import Network, make_cell, parameter_count
from pipeline.compute.reference.cells import convention_of
from pipeline.compute.reference.verified import A_CELL, CELL_NAMES, gate_dimension, output_shape
from pipeline.model import Choice, Computed, Diagnostic, Question

UNROLLED = 3  # steps unrolled to find the arrays a count holds: any longer unrolling reads the same ones


def _size(q: Question, table: dict[str, tuple[str, ...]], name: str, fields: Sequence[str] = sizes.FIELDS[:3]
          ) -> int | None:
    spot = sizes.find(q, table[name], name, fields)
    return spot.value if spot else None


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


# --- parameter totals ----------------------------------------------------------------------------

_ARRAY_ITEM = re.compile(r"^\s*[-*+]\s*(?P<body>.*?)\(\s*\$?\s*(?P<letter>[Wb])_\{?(?P<sub>[a-z]+)\}?\s*\$?\s*\)"
                         r"\s*:?.*$")
_BETWEEN = re.compile(r"between (?P<a>.+?) and (?P<b>.+)$", re.I)


def _endpoint(phrase: str) -> str | None:
    phrase = phrase.lower()
    for end in ("input", "output", "hidden"):
        if end in phrase:
            return end
    return "itself" if "itself" in phrase else None


def _described_role(body: str) -> tuple[tuple[str, str], re.Match] | None:
    m = _BETWEEN.search(body.rstrip())
    if not m:
        return None
    a, b = _endpoint(m.group("a")), _endpoint(m.group("b"))
    if a is None or b is None:
        return None
    return (a, a if b == "itself" else b), m


def _math_name(name: str) -> str:
    """An array's name as the learner reads it: `W_xh` -> `$W_{xh}$`."""
    letter, _, sub = name.partition("_")
    return f"${letter}_{{{sub}}}$" if sub else f"${letter}$"


def _role_phrase(role: tuple[str, str]) -> str:
    def end(e: str) -> str:
        return "the input" if e == "input" else f"the {e} layer"
    if role[0] == role[1]:
        return f"{end(role[0])} and itself at the next time step"
    return f"{end(role[0])} and {end(role[1])}"


def _parameter_total(q: Question, where: Where) -> Result:
    asks = re.search(r"\b(calculate|compute|how many|determine|find|what is)\b[^?.]*\bparameters\b", q.stem, re.I)
    n_h, n_x = _size(q, sizes.PARAMETER_SIZES, "n_h"), _size(q, sizes.PARAMETER_SIZES, "n_x")
    if not asks or n_h is None or n_x is None:
        return q, [], []
    n_y = _size(q, sizes.PARAMETER_SIZES, "n_y")
    setup = f"{q.context}\n{q.stem}"
    kind, bias = sizes.cell_kind(setup), sizes.bias_convention(setup)
    net = Network(kind, n_x, n_h, n_y, bias)
    stated = {sizes.number(n) for n in re.findall(rf"{sizes.NUM}[- ]time[- ]steps?", q.stem, re.I)}
    horizons = sorted(T for T in stated if T) or [1]
    # Every step reads the same arrays, so unrolling UNROLLED steps shows every distinct array: the count is the
    # same for any longer unrolling, and the work is bounded whatever lengths (and however many) the text states.
    totals = {T: parameter_count(net, min(T, UNROLLED)).value for T in horizons[:UNROLLED]}
    counted = parameter_count(net, min(horizons[0], UNROLLED))
    parts = counted.arrays
    roles = {name: role for layer in net.layers() for name, role in layer.roles.items()}
    total = totals[horizons[0]]
    diags: list[Diagnostic] = []
    notes: list[str] = []

    # The document's list of arrays: check each description against the array's role, and each count.
    counts = {p.name: p.count for p in parts}
    answer_lines = q.answer.split("\n")
    item: tuple[str, int] | None = None  # (array name, line) of the list item being read
    for i, text in enumerate(list(answer_lines)):
        m = _ARRAY_ITEM.match(text)
        if m:
            name = f"{m.group('letter')}_{m.group('sub')}"
            item = (name, where.line_of(text)) if name in counts else None
            described = _described_role(m.group("body"))
            if item and described and name in roles and sorted(described[0]) != sorted(roles[name]):
                old, new = described[1].group(0), f"between {_role_phrase(roles[name])}"
                start = m.start("body") + described[1].start()
                answer_lines[i] = text[:start] + new + text[start + len(old):]
                diags.append(flag(q, item[1], "warning", "label-mismatch",
                                   f"{name} is described as '{old}' but it holds the {roles[name][0]} -> "
                                   f"{roles[name][1]} weights; the answer now reads '{new}'"))
        elif not text.strip() or not re.match(r"\s+\S|\s*[-*+]\s", text):
            item = None  # a blank line or a paragraph ends the item; indented or list lines continue it
        claimed = re.findall(r"(?:=|:)\s*\$?\s*(\d+)\s*\$?\s*$", text)
        if item and claimed and int(claimed[-1]) != counts[item[0]]:
            diags.append(flag(q, where.line_of(text), "error", "claim-false",
                               f"the document counts {claimed[-1]} parameters in {item[0]}; "
                               f"the reference model holds {counts[item[0]]}"))

    doc_total, doc_line = None, where.line_of(q.stem)
    for text in (q.answer + "\n" + q.explanation).split("\n"):
        m = re.search(r"\btotal\b.*=\s*\$?\s*(\d+)[^=]*$", text, re.I)
        if m:
            doc_total, doc_line = m.group(1), where.line_of(text)
    if doc_total is None:  # no worked total: the answer the document states, if it states one
        said = statement.stated(q, False)
        if said is not None and isinstance(said[0], int):
            doc_total, doc_line = str(said[0]), where.line_of(said[1])
    agrees = None if doc_total is None else int(doc_total) == total
    if agrees is False:
        diags.append(flag(q, doc_line, "error", "claim-false",
                           f"the document's parameter total is {doc_total}; the reference model holds {total}"))
    shown = horizons if len(horizons) <= 3 else horizons[:2] + ["...", horizons[-1]]
    steps = " and ".join(str(T) for T in shown)
    quantity = "parameter total"
    if len(set(totals.values())) > 1:  # cannot happen with shared arrays, but say so if it ever does
        notes.append("Totals differ by unrolled length: "
                     + ", ".join(f"{T} steps: {v}" for T, v in totals.items()) + ".")
    elif len(horizons) > 1:  # the question asks for each length: the answer is one number for all of them
        quantity = f"parameter total, the same for {steps} time steps"
        notes.insert(0, "Every time step reuses the same weight arrays, so the total does not depend on how "
                        "many steps the RNN is unrolled for.")

    computed = Computed(
        quantity=quantity,
        asks="parameters",
        value=str(total),
        method=A_CELL[kind] + (" with a dense output layer" if n_y else "")
               + f", unrolled {steps} step{'s' if horizons != [1] else ''}, each distinct weight array counted once",
        convention=convention_of(kind, bias),
        breakdown=counted.breakdown,
        document_value=doc_total,
        agrees=agrees,
        line=doc_line,
        note=" ".join(notes),
    )
    return q.with_(answer="\n".join(answer_lines)), [computed], diags


# --- gate dimensions -----------------------------------------------------------------------------

def _gate_dimension(q: Question, where: Where) -> Result:
    if not re.search(r"\bdimension\b", q.stem, re.I) or not sizes.GAMMA.search(q.stem):
        return q, [], []
    text = "\n".join([q.context, q.stem])
    kind = sizes.cell_kind(text)
    n_h = _size(q, sizes.GATE_SIZES, "n_h", ("context", "stem"))
    n_x = _size(q, sizes.GATE_SIZES, "n_x", ("context", "stem"))
    if kind == "rnn" or n_h is None:
        return q, [], []
    cell = make_cell(kind, 1, 1, seed=None)
    # The stem's symbol may be garbled (a scanned \Gamma_{\rm M}); then the feedback's symbol names the gate.
    gate = sizes.gate_of(q, cell.BLOCKS)
    if gate is None:
        return q, [], []
    dim = gate_dimension(kind, n_x or 1, n_h, gate).value  # a forward pass on a scaled-down copy
    line = where.line_of(q.stem[:80])
    diags: list[Diagnostic] = []
    marked = [c for c in q.choices if c.correct]
    picks = [c for c in q.choices if _numbers(c.text) == [dim]]
    choices = q.choices
    if q.choices and not picks:
        diags.append(flag(q, line, "error", "choice-no-match",
                           f"no option equals the computed dimension of Γ_{gate}, {dim}"))
    elif picks:
        choices = tuple(Choice(c.text, c in picks, c.line) for c in q.choices)
        if marked and marked != picks:
            diags.append(flag(q, picks[0].line or line, "warning", "choice-recomputed",
                               f"the document marks {', '.join(repr(c.text) for c in marked)}; the reference "
                               f"{CELL_NAMES[kind]} gives {dim}, so {', '.join(repr(c.text) for c in picks)} "
                               "is marked instead"))
    source = f"one-hot {n_x}-word input" if n_x else "a 1-feature input"
    computed = Computed(
        quantity=f"dimension of $\\Gamma_{gate}$ ({sizes.GATE_NAMES[gate]} gate)",
        asks="dimension",
        value=str(dim),
        method=f"{A_CELL[kind]} forward pass on a {source}, hidden size {n_h}, the gate's shape read off the pass",
        document_value=", ".join(c.text for c in marked) if marked else None,
        agrees=(marked == picks) if marked else None,
        line=line,
    )
    return q.with_(choices=choices), [computed], diags


# --- tensor shapes -------------------------------------------------------------------------------

_SHAPE = re.compile(r"\[\s*\d+(?:\s*,\s*\d+)+\s*\]")


def _tensor_shapes(q: Question, where: Where) -> Result:
    text = "\n".join([q.context, q.stem, q.answer, q.explanation])
    batch, steps, features = (_size(q, sizes.SHAPE_SIZES, name, sizes.FIELDS)
                              for name in ("batch", "steps", "features"))
    claims: dict[str, tuple[str, int]] = {}
    for line in (q.answer + "\n" + q.explanation).split("\n"):
        said = line.lower().find("output")  # a shape after the word "output" is the output shape
        for m in _SHAPE.finditer(line):
            which = "output shape" if 0 <= said < m.start() else "input shape"
            if which not in claims:  # the first claim of each kind only: a line is looked up once, not per match
                claims[which] = (m.group(0), where.line_of(line))
        if len(claims) == 2:
            break
    if None in (batch, steps, features) or not claims:
        return q, [], []
    units = _size(q, sizes.SHAPE_SIZES, "units", sizes.FIELDS)
    kind = sizes.cell_kind(text)
    shapes = {"input shape": [batch, steps, features]}
    axes = {"input shape": ("batch size", "time steps", "features per time step"),
            "output shape": ("batch size", "time steps", "number of units")}  # the model's [batch, time, ...]
    if units:
        shapes["output shape"] = list(output_shape(kind, batch, steps, features, units).value)
    computed, diags = [], []
    for quantity, shape in shapes.items():
        claim, line = claims.get(quantity, (None, where.line_of(q.stem)))
        value = "[" + ", ".join(map(str, shape)) + "]"
        doc = None if claim is None else "[" + ", ".join(re.findall(r"\d+", claim)) + "]"
        if doc is not None and doc != value:
            diags.append(flag(q, line, "error", "claim-false",
                               f"the document gives the {quantity} as {doc}; the reference model gives {value}"))
        computed.append(Computed(
            quantity=quantity, asks=quantity.replace(" ", "-"), value=value,
            method=f"{A_CELL[kind]} forward pass on a [{batch}, {steps}, {features}] batch"
                   + (f", {units} units" if quantity == "output shape" else ""),
            document_value=doc, agrees=None if doc is None else doc == value, line=line, axes=axes[quantity],
            note="The output keeps the input's batch and time dimensions; only the last one changes, from the "
                 "features to the layer's units." if quantity == "output shape" else ""))
    return q, computed, diags


# --- leaky-unit derivative -----------------------------------------------------------------------

def _latex_recurrence(rhs: str) -> sp.Expr | None:
    """e.g. `\\alpha \\boldsymbol{u}^{(t-1)} + (1-\\alpha)\\boldsymbol{v}^{(t)}` -> alpha*u_1 + (1-alpha)*v_0."""
    s = re.sub(r"\\(?:boldsymbol|mathbf|bm)\{(\w)\}", r"\1", rhs)
    s = re.sub(r"(\w)\^\{\(t(?:-(\d+))?\)\}", lambda m: f" {m.group(1)}_{m.group(2) or 0} ", s)
    s = re.sub(r"\\(alpha|beta|gamma|lambda)", r" \1 ", s).replace(r"\left", "").replace(r"\right", "")
    if re.search(r"[\\{}^]", s):
        return None
    try:
        return expression.parse(s)
    except expression.Unreadable:
        return None


MAX_UNROLL = 12  # steps a recurrence that is not linear in u^(t-1) is unrolled symbolically, at most


def _leaky_derivative(q: Question, where: Where) -> Result:
    text = f"{q.context}\n{q.stem}"
    rec = re.search(r"u\}?\^\{\(t\)\}\s*(?:\\leftarrow|=)\s*([^$]+)\$", text)
    wrt = re.search(r"derivative.*with respect to\s*\$[^$]*u\}?\^\{\(t-(\d+)\)\}", text, re.I | re.S)
    if not re.search(r"leaky unit", text, re.I) or not rec or not wrt:
        return q, [], []
    f = _latex_recurrence(rec.group(1))
    k = int(wrt.group(1))
    if f is None or sp.Symbol("u_1") not in f.free_symbols:
        return q, [], []

    def shifted(by: int) -> sp.Expr:
        return f.subs({s: sp.Symbol(f"{s.name[0]}_{int(s.name[2:]) + by}") for s in f.free_symbols
                       if re.fullmatch(r"[uv]_\d+", s.name)}, simultaneous=True)

    step = sp.diff(f, sp.Symbol("u_1"))
    if not any(re.fullmatch(r"[uv]_\d+", s.name) for s in step.free_symbols) and f.has(sp.Symbol("u_1")):
        # A recurrence linear in u^(t-1) with a constant factor: the chain multiplies by it at every step, so
        # the derivative over k steps is the factor to the k (no unrolling, whatever k the text states).
        derivative = sp.factor(step ** k)
    elif k <= MAX_UNROLL:
        u_t = f
        for j in range(1, k):
            u_t = u_t.subs(sp.Symbol(f"u_{j}"), shifted(j))
        derivative = sp.factor(sp.diff(u_t, sp.Symbol(f"u_{k}")))
    else:
        return q, [], []
    computed = Computed(
        quantity=f"$\\partial u^{{(t)}} / \\partial u^{{(t-{k})}}$",
        asks="derivative",
        value=f"${sp.latex(derivative)}$",
        method=f"unrolling the recurrence {k} steps and differentiating it symbolically",
        line=where.line_of(q.stem[:60]),
        note="Computed, not stated in the document: the chain through the leaky path multiplies by the same "
             "factor at every step, with no weight matrix or activation derivative in it.",
    )
    return q, [computed], []


RECOGNISERS: tuple[Callable[[Question, Where], Result], ...] = (
    _parameter_total, _gate_dimension, _tensor_shapes, _leaky_derivative,
)
