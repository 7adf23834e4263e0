"""The one driver: read -> curate -> compute each document (`load_bank`), then write each output of the
table `OUTPUTS`. Diagnostics are collected along the way and judged by the caller."""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.compute import practice
from pipeline.curate import curation
from pipeline.curate.overlay import Overlay, overlay_path, parse_overlay
from pipeline.curate.tags import tags_for
from pipeline.files import cache
from pipeline.files.source import read_source
from pipeline.formats import document_slug, read_document_bytes, seed_files
from pipeline.model import (Bank, Diagnostic, Document, Question, all_diagnostics, document_from_json,
                            document_to_json, has_errors, stage_failed)
from pipeline.readers import slug_of
from pipeline.select.decktree import load_deck_tree

SEEDS = Path("seeds")
BUILD = Path("build")
# Notes the build says as it runs (the others are for `make check`): what a first build in a new folder did.
BUILD_NOTES = ("identity-lock-created", "exams-undefined")


@dataclass(frozen=True)
class Output:
    """One thing a build writes. `module` has `write(bank: Bank, out: Path) -> list[Diagnostic]`; `name` is
    its switch (`python -m pipeline build --NAME`, `make NAME`). A plain build writes the `default` outputs;
    an `always` output is written by every build."""
    name: str
    module: str
    help: str
    default: bool = True
    always: bool = False


# The flow: read -> curate -> compute (load_bank), then each output in this order. A new output is a module
# with `write` and a row here; the command line and the Makefile find it by its name.
OUTPUTS = (
    Output("questions", "pipeline.render.questions", "build/questions.json: every question of the bank",
           always=True),
    Output("decks", "pipeline.render.anki", "Anki packages in build/decks (and the identity lock)"),
    Output("exams", "pipeline.render.exam", "exam papers, keys and answer sheets in build/exams"),
    Output("markdown", "pipeline.render.markdown",
           "each document in the project's Markdown layout in build/markdown", default=False),
)


def build(paths: Sequence[Path], out: Path = BUILD, *, seeds_dir: Path = SEEDS,
          outputs: Iterable[str] | None = None) -> list[Diagnostic]:
    """Write the outputs named (None: the default ones) under `out` from the documents at `paths`;
    `seeds_dir` holds the identity lock, the deck tree and the exam definitions. Documents with errors keep
    their previous outputs; the rest still build."""
    chosen = {o.name for o in OUTPUTS if o.default} if outputs is None else set(outputs)
    unknown = chosen - {o.name for o in OUTPUTS}
    if unknown:
        raise ValueError(f"no output named {', '.join(sorted(unknown))}; outputs: "
                         + ", ".join(o.name for o in OUTPUTS))
    store = cache.Store(out / "cache")
    docs = tuple(load_bank(paths, store))  # each document from the cache if unchanged
    drills, diags = practice_for(docs, seeds_dir)
    bank = Bank(docs, seeds_dir, store, drills)
    diags = [d for doc in docs for d in all_diagnostics(doc)] + diags
    for row in OUTPUTS:
        if row.always or row.name in chosen:
            diags += importlib.import_module(row.module).write(bank, out)
    return diags


def practice_for(docs: Sequence[Document], seeds_dir: Path = SEEDS
                 ) -> tuple[dict[str, tuple[Question, ...]], list[Diagnostic]]:
    """The compute stage's practice questions for the documents without errors, as many per question as the deck
    tree asks (`practice` in decks.toml; the decks report a deck tree that is not valid)."""
    tree, _ = load_deck_tree(seeds_dir / "decks.toml")
    return practice.for_documents([d for d in docs if not has_errors(d)],
                                  tree.practice if tree else practice.DEFAULT_COUNT)


def seed_paths(seeds: Path = SEEDS) -> list[Path]:
    """Every document in the folder, of any format the project reads (see `formats.seed_files`)."""
    return seed_files(seeds)[0]


def seed_skips(seeds: Path = SEEDS) -> list[Diagnostic]:
    """A `file-skipped` warning for each file of the folder that is neither a document nor a project input."""
    return seed_files(seeds)[1]


@dataclass(frozen=True)
class Inputs:
    """What one document's build reads, each read once: the document's bytes (None when it cannot be read,
    with why), its overlay parsed (None when it has none) and the overlay's bytes, and the bytes of each
    figure file the overlay supplies. The cache key is made from these, and on a miss the stages use them."""
    source: bytes | None
    problems: tuple[Diagnostic, ...]
    overlay: Overlay | None
    fixes: bytes
    figures: tuple[bytes, ...]


def read_inputs(path: str | Path) -> Inputs:
    shown = str(path)
    source, problems = read_source(path, shown)  # never blocks on a named pipe; problems are reported
    where = overlay_path(shown)
    fixes, overlay = b"<none>", None
    if os.path.lexists(where):
        raw, found = read_source(where)
        fixes = raw if raw is not None else b"<unreadable>"
        overlay = parse_overlay(raw, where.as_posix(), where.parent) if raw is not None else \
            Overlay(where.as_posix(), None, (), tuple(found))
    figures: list[bytes] = []
    for name in overlay.figure_files if overlay else ():
        file = where.parent / name
        figures += [name.encode("utf-8"), (read_source(file)[0] if file.is_file() else b"<none>") or b"<unreadable>"]
    return Inputs(source, tuple(problems), overlay, fixes, tuple(figures))


def load_document(path: str | Path, *, curate: bool = True, compute: bool = True,
                  inputs: Inputs | None = None) -> Document:
    """One source document through every pure stage, from `inputs` when they were read already. Never
    raises: a fault inside a stage is an error for this document (`reader-failed`, `curation-failed`,
    `recompute-failed`, `rubric-failed`, `tags-failed`), which keeps its previous outputs while the other
    documents still build."""
    shown = str(path)
    try:
        inputs = inputs or read_inputs(path)
        overlay = inputs.overlay if curate else None
        if inputs.source is None:
            doc = Document(shown, document_slug(shown), "", document_slug(shown), diagnostics=inputs.problems)
        else:
            doc = read_document_bytes(inputs.source, shown, pins=overlay.pins if overlay else ())
    except Exception as exc:  # noqa: BLE001 - a bug met by one document must not stop the others
        return Document(shown, slug_of(shown), "", slug_of(shown), diagnostics=(stage_failed(shown, "reader", exc),))
    stages = [("curation", lambda d: curation.apply(d, overlay))] if curate and doc.dialect else []
    stages += [("recompute", _recompute)] if compute and doc.questions else []
    stages += [("rubric", _rubrics_checked)] if curate and doc.dialect else []
    for stage, step in stages + [("tags", _tag)]:
        try:
            doc = step(doc)
        except Exception as exc:  # noqa: BLE001 - as above; the document is kept as the last stage left it
            return replace(doc, diagnostics=doc.diagnostics + (stage_failed(doc.path, stage, exc),))
    return doc


def _recompute(doc: Document) -> Document:
    from pipeline.compute.recompute import recompute  # NumPy and sympy load only when a document has questions

    questions, extra = recompute(list(doc.questions), lines={doc.path: doc.lines})
    return replace(doc, questions=tuple(questions), diagnostics=doc.diagnostics + tuple(extra))


def _rubrics_checked(doc: Document) -> Document:
    from pipeline.render.rubric import rubrics_checked  # markdown-it loads only for documents that are curated

    return rubrics_checked(doc)


def _tag(doc: Document) -> Document:
    return replace(doc, questions=tuple(q.with_(tags=tags_for(q)) for q in doc.questions))


def load_bank(paths: Iterable[str | Path], store: cache.Store | None = None) -> list[Document]:
    """Every document through every stage; with a store, a document whose inputs did not change is read
    back from it instead, which skips reading, curation and recomputation (NumPy, sympy) alike."""
    if store is None:
        return [load_document(p) for p in paths]
    with store.exclusive("docs"):
        return [cached_document(p, store) for p in paths]


def document_key(path: str | Path, inputs: Inputs | None = None) -> str | None:
    """Everything `load_document` reads: the document, its overlay and the figures it supplies, the code and
    the libraries that shape its questions. None when they cannot be read (the document is then not cached)."""
    try:
        inputs = inputs or read_inputs(path)
        code = cache.code_fingerprint(exclude=("render/anki", "render/exam", "select", "grading"))
        libraries = cache.versions("numpy", "sympy", "markdown-it-py", "mdit-py-plugins", "python-docx",
                                   "beautifulsoup4")
    except Exception:  # noqa: BLE001 - unreadable input or package metadata: build without the cache
        return None
    if inputs.source is None or inputs.fixes == b"<unreadable>":
        return None  # not a regular file, or too large: load_document reports it
    return cache.key("document", code, libraries, str(path), inputs.source, inputs.fixes, *inputs.figures)


def _signature(path: str | Path) -> tuple[tuple[int, int] | None, ...]:
    """When and how large the document and its overlay were last written: a save changes it."""
    def one(p: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(p)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size
    return one(Path(path)), one(overlay_path(str(path)))


def cached_document(path: str | Path, store: cache.Store) -> Document:
    """`load_document(path)`, reused from the store when the document, its overlay and the code are the
    ones it was made from; a missing, damaged or stale entry is simply made again."""
    before = _signature(path)
    inputs = read_inputs(path)
    key = document_key(path, inputs)
    if key is None:
        return load_document(path, inputs=inputs)
    # never file a text saved while it was read under the other's key
    return store.get_or_make("docs", key, lambda: load_document(path, inputs=inputs),
                             dump=lambda doc: document_to_json(doc).encode("utf-8"),
                             load=lambda data: _stored_document(data, path),
                             keep=lambda doc: _signature(path) == before)


def _stored_document(data: bytes, path: str | Path) -> Document | None:
    """The document filed for `path`, or None when the entry is damaged or another file's."""
    try:
        doc = document_from_json(data)
    except (ValueError, TypeError, KeyError):
        return None
    return doc if doc.path == str(path) else None
