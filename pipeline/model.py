"""The question model: plain frozen data shared by every stage (no I/O, no third-party imports)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

KINDS = ("single_choice", "multi_choice", "open", "numeric")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class SourceSpan:
    file: str  # path as given to the reader, e.g. "seeds/coursera-rnn.md"
    line_start: int  # first line of the question, 1-based
    line_end: int  # last line of the question, inclusive


MAX_MESSAGE = 4000  # characters of a diagnostic's message: a curator's longest note fits, a 2 MB data URI does not


@dataclass(frozen=True)
class Diagnostic:
    file: str  # document the message is about
    line: int  # 1-based line; 0 when the message concerns the whole file
    severity: str  # "error", "warning" or "info"
    code: str  # short kebab-case word, listed in the README
    message: str  # one sentence for a person

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:  # a quoted data URI or a whole line of a table: keep it readable
            object.__setattr__(self, "message", self.message[: MAX_MESSAGE - 1] + "…")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


@dataclass(frozen=True)
class Cue:
    role: str  # what the cue decided: "start", "options", "correct", "answer" or "skip"
    name: str  # which cue, a short kebab-case word, e.g. "numbered-heading", "answer-letters"
    line: int  # 1-based source line where the cue was seen

    def __str__(self) -> str:
        return f"{self.role}: {self.name} (line {self.line})"


@dataclass(frozen=True)
class Choice:
    text: str  # Markdown with $...$ math, markers and feedback words removed
    correct: bool  # whether the option is a correct answer
    line: int = 0  # source line of the option


@dataclass(frozen=True)
class BreakdownItem:
    label: str  # what this part counts, Markdown with $...$ math, e.g. "$W_{hh}$: hidden-to-hidden weights"
    expression: str  # how it is computed, in LaTeX, e.g. "128 \\times 128"
    value: int  # the computed count


@dataclass(frozen=True)
class NetLayer:
    """One layer of a network a question describes, as read from its text, code or table."""
    kind: str  # "rnn", "lstm", "gru", "dense" or "embedding"
    inputs: int  # features it reads at each step (for an embedding: the vocabulary size)
    units: int  # hidden size per direction, dense units, or embedding dimension
    directions: int = 1  # 2 for a bidirectional recurrent layer
    biases: int = 1  # bias vectors per gate: 0, 1 (Keras, textbooks) or 2 (PyTorch, Keras GRU reset_after)
    line: int = 0  # source line it was read from


@dataclass(frozen=True)
class Binding:
    """A question bound to a computation: the network it describes and what it asks about it, as data that
    recomputation, variants and practice notes read (never the prose parsed back)."""
    layers: tuple[NetLayer, ...]  # in the order data flows through them
    asks: str  # "parameters", "weight-count", "weight-shape", "output-shape", "state-shape", "dimension",
    #            "difference" (a count of this network minus that of `other`)
    framework: str = ""  # "pytorch", "keras", "textbook" or "" when the question names none
    layer: int = -1  # index of the layer asked about; -1 for the whole network
    detail: str = ""  # what within it: a weight ("input", "recurrent", "gate-stacked"), a dimension ("gate",
    #                   "concatenated", "features", "hidden"), a layout ("keras" kernel)
    batch: int | None = None  # batch size of an input, when the question gives one
    steps: int | None = None  # time steps of an input, when the question gives them
    batch_first: bool = False  # PyTorch's batch_first
    every_step: bool = True  # output of every step (return_sequences, PyTorch's output) or the last only
    other: tuple[NetLayer, ...] = ()  # for "difference": the network subtracted
    lines: tuple[int, ...] = ()  # the source lines the sizes were read from


@dataclass(frozen=True)
class Computed:
    quantity: str  # what was computed, Markdown with $...$ math, e.g. "parameter total" or "output shape"
    value: str  # the computed result as shown to the learner, e.g. "20362" or "[5, 10, 32]"
    method: str  # how: which reference-model computation produced it
    convention: str = ""  # e.g. "one bias per gate (Keras)"; empty when none applies
    breakdown: tuple[BreakdownItem, ...] = ()  # per-array parts that add up to value
    document_value: str | None = None  # what the document itself claims, if anything
    agrees: bool | None = None  # document_value == value; None when the document claims nothing
    line: int = 0  # source line of the document's claim (or of the sizes)
    note: str = ""  # anything else the learner should be told (e.g. a corrected label)
    axes: tuple[str, ...] = ()  # for a shape, what each dimension holds, in order, e.g. ("batch size", ...)
    binding: Binding | None = None  # the network and question it was computed from, when read as one
    asks: str = ""  # what was computed, as data: "parameters", "dimension", "output-shape", "input-shape" (the
    #                 Binding's words), "derivative"; the learner's wording is `quantity`


@dataclass(frozen=True)
class Vary:
    size: str  # which size may change between exam versions and practice notes: "n_x", "n_h", "n_y", ...
    values: tuple[int, ...] = ()  # the values it may take; empty when a range is given
    low: int = 0  # an inclusive range, when `values` is empty
    high: int = 0


FIGURE_PLACES = ("stem", "answer")


@dataclass(frozen=True)
class Figure:
    """A figure the question's text refers to: a note on it from the document and, once an overlay supplies
    it, the image (a project file) or the diagram (a description `diagrams.diagram` draws)."""
    where: str  # "stem" or "answer": the text that refers to it, so the figure is shown with that text
    note: str  # what the document says of it (caption or pointer); empty for a figure the overlay adds
    line: int = 0  # source line of the caption or pointer; 0 for a figure the overlay adds
    diagram: str = ""  # a diagram description, e.g. "many-to-many Tx=4", when the overlay supplies one
    file: str = ""  # a project file (path relative to the project), when the overlay supplies an image
    caption: str = ""  # the overlay's caption, shown under the supplied figure
    equation: str = ""  # a displayed equation (TeX, no dollars), when the overlay supplies the one it lacks

    @property
    def supplied(self) -> bool:
        return bool(self.diagram or self.file or self.equation)


@dataclass(frozen=True)
class Question:
    id: str  # readable stable id, "<document>/<label>", e.g. "coursera-rnn/q07"
    document: str  # document slug, e.g. "coursera-rnn"
    number: str  # the question's label in its document, e.g. "7", "Q4", "10.2.1"
    kind: str  # one of KINDS
    stem: str  # the question, Markdown with $...$ math
    source: SourceSpan  # where the question sits in its document
    choices: tuple[Choice, ...] = ()  # options, in document order (choice kinds only)
    answer: str = ""  # the reference answer, Markdown; empty when the document gives none
    explanation: str = ""  # why, Markdown; feedback text of the document
    context: str = ""  # shared set-up printed before the stem (e.g. a task's assumptions)
    section: str = ""  # the heading the question sits under
    attribution: str = ""  # e.g. "Source: stats.stackexchange.com"
    figures: tuple[Figure, ...] = ()  # figures the question refers to, supplied or not, in text order
    notes: tuple[str, ...] = ()  # editorial notes shown to the learner (worked examples, fixes)
    tags: tuple[str, ...] = ()  # Anki-style tags, no spaces
    computed: tuple[Computed, ...] = ()  # values recomputed by the reference model
    diagnostics: tuple[Diagnostic, ...] = ()  # messages about this question
    cues: tuple[Cue, ...] = ()  # the evidence that decided the question's boundaries, options and marks
    vary: tuple[Vary, ...] = ()  # sizes an overlay lets exam versions and practice notes change
    rubric: tuple[str, ...] = ()  # an overlay's grading criteria for a written answer (Markdown), in order
    sizes: tuple[tuple[str, int], ...] = ()  # sizes an overlay pins for recomputation, e.g. (("n_h", 128),)

    @property
    def stem_figure_missing(self) -> bool:
        """Whether the question itself shows a figure nobody supplied: without it, it cannot be answered."""
        return any(f.where == "stem" and not f.supplied for f in self.figures)

    @property
    def answered(self) -> bool:
        """Whether the document (or its overlay) gives an answer a learner can check against."""
        if self.kind in ("single_choice", "multi_choice"):
            return any(c.correct for c in self.choices)
        return bool(self.answer.strip()) or bool(self.computed)

    def with_(self, **changes: Any) -> "Question":
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"] = {
            "file": self.source.file,
            "line_start": self.source.line_start,
            "line_end": self.source.line_end,
        }
        data["choices"] = [{"text": c.text, "correct": c.correct, "line": c.line} for c in self.choices]
        data["diagnostics"] = [str(d) for d in self.diagnostics]
        data["cues"] = [str(c) for c in self.cues]
        data["answered"] = self.answered
        for c in data["computed"]:  # the bank's public form names a computation by its `quantity`
            del c["asks"]
        return data


@dataclass(frozen=True)
class Skipped:
    line_start: int  # first skipped line
    line_end: int  # last skipped line, inclusive
    reason: str  # why these lines are deliberately not part of any question


@dataclass(frozen=True)
class Document:
    path: str  # e.g. "seeds/rnn-quiz.md"
    slug: str  # e.g. "rnn-quiz"
    dialect: str  # name of the reader that read it
    title: str  # human title for decks and exams
    questions: tuple[Question, ...] = ()  # in document order
    skipped: tuple[Skipped, ...] = ()  # lines deliberately left out, with reasons
    diagnostics: tuple[Diagnostic, ...] = ()  # messages about the document as a whole
    lines: tuple[str, ...] = ()  # the normalized text, line i+1 of the file at index i

    @property
    def line_count(self) -> int:
        return len(self.lines)


def all_diagnostics(doc: Document) -> list[Diagnostic]:
    """Document-level and question-level diagnostics, in line order."""
    diags = list(doc.diagnostics)
    for q in doc.questions:
        diags.extend(q.diagnostics)
    return sorted(diags, key=lambda d: (d.line, d.code))


def has_errors(doc: Document) -> bool:
    return any(d.severity == "error" for d in all_diagnostics(doc))


def stage_failed(path: str, stage: str, exc: BaseException, line: int = 1) -> Diagnostic:
    """The error that stands for a fault inside a stage: what failed, where, and that nothing was written."""
    cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(path, line, "error", f"{stage}-failed",
                      f"the {stage} stage failed on this document ({cause[:300]}); its previous outputs are kept "
                      "and the other documents still build; please report it with the document")


@dataclass(frozen=True)
class Bank:
    """What every output writer is given: the documents of one build (read, curated, recomputed, each with
    its diagnostics), the folder of their project inputs (identity.lock, decks.toml, exams.toml) and the
    build's cache store, for writers that keep work between builds. `practice` holds, per document path, the
    practice questions the compute stage made for the decks (model.Question, each answer computed)."""
    documents: tuple[Document, ...]
    seeds: Path
    store: Any = None
    practice: Mapping[str, tuple[Question, ...]] = field(default_factory=dict)

    @property
    def good(self) -> tuple[Document, ...]:
        """The documents without errors: the ones whose outputs are written (the others keep theirs)."""
        return tuple(doc for doc in self.documents if not has_errors(doc))

    @property
    def complete(self) -> bool:
        return len(self.good) == len(self.documents)


def document_to_json(doc: Document) -> str:
    """The whole document as JSON, every field kept (`Question.to_json` is the bank's public form)."""
    return json.dumps(asdict(doc), ensure_ascii=False, separators=(",", ":"))


def document_from_json(text: str | bytes) -> Document:
    """The document `document_to_json` wrote. Raises (ValueError, TypeError, KeyError) on any other text."""
    return _from_data(Document, json.loads(text))


# Fields that hold model objects (or tuples of them), by name: every name means one class throughout.
_NESTED: dict[str, type] = {
    "source": SourceSpan, "choices": Choice, "computed": Computed, "breakdown": BreakdownItem,
    "diagnostics": Diagnostic, "cues": Cue, "questions": Question, "skipped": Skipped, "vary": Vary,
    "figures": Figure, "binding": Binding, "layers": NetLayer, "other": NetLayer,
}


def _from_data(cls: type, data: Any) -> Any:
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(cls)}:
        raise ValueError(f"not a {cls.__name__}: {str(data)[:80]}")
    values = {}
    for name, value in data.items():
        nested = _NESTED.get(name)
        if isinstance(value, list):
            value = tuple(_from_data(nested, v) if nested else tuple(v) if isinstance(v, list) else v
                          for v in value)
        elif nested is not None and value is not None:
            value = _from_data(nested, value)
        values[name] = value
    return cls(**values)


__all__ = [
    "KINDS", "SEVERITIES", "FIGURE_PLACES", "Figure", "NetLayer", "Binding", "SourceSpan", "Diagnostic", "Cue", "Vary", "Choice",
    "BreakdownItem", "Computed",
    "Question", "Skipped", "Document", "Bank", "all_diagnostics", "has_errors", "stage_failed", "document_to_json", "document_from_json",
]
