"""A document -> the same document with practice questions after its own: for each question the reference model
computes (a parameter count, a gate's dimension, an output shape), `count` new questions with their own sizes,
cell and bias convention, each answer computed by the model and checked against the closed form.

Practice question k of a question depends only on that question's words and k, so the same settings give
the same notes, renumbering changes none, and a larger count adds notes without changing the others. The sizes come from the ranges the
question's overlay declares (`vary`), else from ranges typical of the field.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from pipeline.compute import vary
from pipeline.model import Diagnostic, Document, Question, stage_failed
from pipeline.compute.reference.variants import (GateQuestion, Network, ShapeQuestion, Variant, draw, draw_gates,
                                                 draw_shapes)
from pipeline.compute.reference.verified import A_CELL
from pipeline.curate.tags import tags_for

DEFAULT_COUNT = 3
TAG = "practice"
# Cell and bias convention of practice question k, in turn: the first three already hold both conventions.
NETWORKS = (("rnn", "single"), ("lstm", "double"), ("gru", "single"), ("rnn", "double"), ("lstm", "single"),
            ("gru", "double"))
GATES = (("lstm", "f"), ("gru", "r"), ("lstm", "o"), ("gru", "u"), ("lstm", "u"))
SHAPES = (("lstm", True), ("gru", False), ("rnn", True), ("lstm", False), ("gru", True), ("rnn", False))
DEFAULT_RANGES = {
    Network: {"n_x": (8, 64), "n_h": [16, 32, 64, 100, 128, 256]},
    GateQuestion: {"n_h": [32, 64, 100, 128, 256, 512]},
    ShapeQuestion: {"batch": [8, 16, 32, 64], "steps": (5, 50), "features": (1, 64), "units": [16, 32, 64, 128]},
}
BIASES = {"single": "one bias vector per gate (the textbook and Keras convention)",
          "double": "two bias vectors per gate, $b_{ih}$ and $b_{hh}$ (the PyTorch and cuDNN convention)"}
# Keras's GRU has two bias vectors per gate by default (reset_after=True): its single form is not its default.
GRU_BIASES = {"single": "one bias vector per gate (the textbook convention; Keras with `reset_after=False`)",
              "double": "two bias vectors per gate, $b_{ih}$ and $b_{hh}$ (PyTorch, cuDNN and Keras's default)"}
_ID = re.compile(r"/practice-\d+$")
_GATE_WORDS = {"u": ("update", "u"), "f": ("forget", "f"), "o": ("output", "o"), "r": ("relevance", "r")}


def is_practice(q: Question) -> bool:
    """Whether q is a practice question made here (a document's own question may be tagged "practice" too)."""
    return TAG in q.tags and bool(_ID.search(q.id))


def for_documents(docs: Sequence[Document], count: int = DEFAULT_COUNT
                  ) -> tuple[dict[str, tuple[Question, ...]], list[Diagnostic]]:
    """Each document's practice questions, by its path (`model.Bank.practice`), and what making them said. A
    fault on one document gives it none, with a `practice-failed` error, and the others still get theirs."""
    made: dict[str, tuple[Question, ...]] = {}
    diags: list[Diagnostic] = []
    for doc in docs:
        try:
            questions, found = practice_of(doc, count)
        except Exception as exc:  # noqa: BLE001 - one document's fault must not cost the others their notes
            diags.append(stage_failed(doc.path, "practice", exc))
            continue
        made[doc.path] = questions
        diags += found
    return made, diags


def with_practice(doc: Document, count: int = DEFAULT_COUNT) -> tuple[Document, list[Diagnostic]]:
    """doc with its practice questions after its own (unchanged for count 0), and what making them said."""
    extra, diags = practice_of(doc, count)
    return (replace(doc, questions=doc.questions + extra) if extra else doc), diags


def practice_of(doc: Document, count: int = DEFAULT_COUNT) -> tuple[tuple[Question, ...], list[Diagnostic]]:
    """`count` practice questions for each question of doc it can vary, and a warning for each question that
    gets fewer than asked."""
    extra: list[Question] = []
    diags = []
    for q in doc.questions:
        made = practice_questions(q, count)
        extra += made
        if vary.over_limit(q):
            diags.append(Diagnostic(q.source.file, q.source.line_start, "warning", "practice-short",
                                    f"{vary.over_limit(q)}: no practice notes are made from its ranges"))
        elif vary.subject(q) is not None and len(made) < count:
            diags.append(Diagnostic(q.source.file, q.source.line_start, "warning", "practice-short",
                                    f"{q.id}: {len(made)} practice notes of the {count} asked for: its ranges give "
                                    f"no more that differ from the others (widen its `vary` ranges)"))
    return tuple(extra), diags


def practice_questions(q: Question, count: int) -> list[Question]:
    """Up to `count` practice questions on what q computes, no two alike; none when the model computes nothing
    from q's sizes."""
    found = vary.subject(q)
    if found is None or count <= 0 or vary.over_limit(q):
        return []
    base = found.subject
    ranges = {**DEFAULT_RANGES[type(base)], **vary.ranges(q.vary)}
    out, drawn = [], [base]
    # Seeded by the question's words, not its label: renumbering a document must not give new numbers. Note k
    # depends on the notes before it only, so a larger count adds notes and changes none.
    words = " ".join(q.stem.split())
    for k in range(count):
        variant = _variant(base, ranges, f"{q.document}:{words}:practice:{k + 1}", k, drawn)
        if variant is not None:
            drawn.append(variant.network)
            out.append(_question(q, k + 1, variant))
    return out


def _variant(base: Network | GateQuestion | ShapeQuestion, ranges: dict, seed: str, k: int,
             taken: list) -> Variant | None:
    if isinstance(base, Network):
        cell, bias = NETWORKS[k % len(NETWORKS)]
        subject, drawing = replace(base, cell=cell, bias=bias), draw
    elif isinstance(base, GateQuestion):
        cell, gate = GATES[k % len(GATES)]
        subject, drawing = replace(base, cell=cell, gate=gate), draw_gates
    else:
        cell, every_step = SHAPES[k % len(SHAPES)]
        subject, drawing = replace(base, cell=cell, return_sequences=every_step), draw_shapes
    for wrong in (3, 2, 1):  # as many named mistakes as this kind of question has
        try:
            return drawing(subject, ranges, seed, 1, wrong, exclude=taken)[0]
        except ValueError:
            continue
    return None


def _question(q: Question, k: int, v: Variant) -> Question:
    computed = v.answer.computed()
    if isinstance(v.network, GateQuestion):
        word, letter = _GATE_WORDS[v.network.gate]
        computed = replace(computed, quantity=f"dimension of $\\Gamma_{letter}$ ({word} gate)")
    # A mistake about time steps cannot be made on a question that names none.
    mistakes = "; ".join(f"{d.value if isinstance(d.value, int) else list(d.value)} if you {d.mistake}"
                         for d in v.options if "per time step" not in d.mistake)
    practice = Question(
        id=f"{q.id}/practice-{k}", document=q.document, number=f"{q.number}, practice {k}", kind="numeric",
        stem=_stem(v.network), source=q.source, section=q.section,
        computed=(computed,), tags=(TAG,),
        notes=(f"Common wrong answers: {mistakes}.",) if mistakes else ())
    return practice.with_(tags=tags_for(practice))


def _stem(s: Network | GateQuestion | ShapeQuestion) -> str:
    if isinstance(s, Network):
        sized = (f"input size $n_x = {s.n_x}$ and hidden size $n_h = {s.n_h}$" if s.n_y is None else
                 f"input size $n_x = {s.n_x}$, hidden size $n_h = {s.n_h}$ and a dense output layer of size "
                 f"$n_y = {s.n_y}$")
        biases = (GRU_BIASES if s.cell == "gru" else BIASES)[s.bias]
        return f"How many trainable parameters does {A_CELL[s.cell]} layer hold with {sized}, counting {biases}?"
    if isinstance(s, GateQuestion):
        word, letter = _GATE_WORDS[s.gate]
        return (f"{_capital(A_CELL[s.cell])} reads inputs of size $n_x = {s.n_x}$ and has hidden size "
                f"$n_h = {s.n_h}$. What is the dimension of its {word} gate $\\Gamma_{letter}$ at each time step?")
    returns = "the output of every time step" if s.return_sequences else "only the last time step's output"
    return (f"{_capital(A_CELL[s.cell])} layer with {s.units} units reads a batch of {s.batch} sequences of "
            f"{s.steps} time steps, with {s.features} features per time step, and returns {returns}. "
            f"What is the shape of its output?")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = ["DEFAULT_COUNT", "TAG", "for_documents", "is_practice", "practice_of", "practice_questions", "with_practice"]
