"""The one driver: read -> curate -> recompute -> select/assign -> render. `build` is the whole flow; the
functions below it read the inputs and write the outputs the stages take and give. Diagnostics are collected
along the way and judged by the caller."""
from __future__ import annotations

import json
import os
import tomllib
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.files import cache, tomlfile
from pipeline.curate import curation
from pipeline.select import identity
from pipeline.select.definitions import ExamDefinition, parse_definitions
from pipeline.select.versions import select_versions
from pipeline.files.atomic import atomic_write_text
from pipeline.model import Diagnostic, Document, all_diagnostics, document_from_json, document_to_json
from pipeline.formats import read_document, seed_files
from pipeline.readers import slug_of
from pipeline.files.source import read_source
from pipeline.curate.tags import tags_for

SEEDS = Path("seeds")
BUILD = Path("build")
# Notes the build says as it runs (the others are for `make check`): what a first build in a new folder did.
BUILD_NOTES = ("identity-lock-created", "exams-undefined")


def build(paths: Sequence[Path], out: Path = BUILD, *, seeds_dir: Path = SEEDS,
          decks: bool = True, exams: bool = True) -> list[Diagnostic]:
    """Write every output under `out` from the documents at `paths`; `seeds_dir` holds the identity lock
    and the exam definitions. Documents with errors keep their previous outputs; the rest still build."""
    store = cache.Store(out / "cache")
    bank = load_bank(paths, store)  # read -> curate -> recompute, each document from the cache if unchanged
    diags = [d for doc in bank for d in all_diagnostics(doc)]
    good = [doc for doc in bank if not has_errors(doc)]
    if len(good) == len(bank):
        diags += _write(out / "questions.json", questions_json(bank))
    if decks:
        diags += build_decks(good, out / "decks", seeds_dir / "identity.lock", record=out / "identity.lock",
                             complete=len(good) == len(bank), tree=seeds_dir / "decks.toml")
    if exams:
        from pipeline.render.exam.papers import write_exams

        defined = seeds_dir / "exams.toml"
        if not os.path.lexists(defined):  # a new folder: no exams until it defines some
            diags.append(Diagnostic(defined.as_posix(), 0, "info", "exams-undefined",
                                    f"no {defined.as_posix()}: no exams are built; write one to get papers and "
                                    "keys (see the README's Exams section)"))
        else:
            definitions, found = read_definitions(defined)
            try:
                versions, drawn = select_versions(bank, definitions)
            except Exception as exc:  # noqa: BLE001 - reported against the definitions; the decks are written
                versions, drawn = [], [stage_failed(defined.as_posix(), "exam-selection", exc)]
            diags += found + drawn + write_exams(versions, out / "exams", store=store)
    return diags


def seed_paths(seeds: Path = SEEDS) -> list[Path]:
    """Every document in the folder, of any format the project reads (see `formats.seed_files`)."""
    return seed_files(seeds)[0]


def seed_skips(seeds: Path = SEEDS) -> list[Diagnostic]:
    """A `file-skipped` warning for each file of the folder that is neither a document nor a project input."""
    return seed_files(seeds)[1]


def load_document(path: str | Path, *, curate: bool = True, compute: bool = True) -> Document:
    """One source document through every pure stage. Never raises: a fault inside a stage is an error for
    this document (`reader-failed`, `curation-failed`, `recompute-failed`, `rubric-failed`, `tags-failed`), which keeps its
    previous outputs while the other documents still build."""
    try:
        doc = read_document(path)
    except Exception as exc:  # noqa: BLE001 - a bug met by one document must not stop the others
        shown = str(path)
        return Document(shown, slug_of(shown), "", slug_of(shown), diagnostics=(stage_failed(shown, "reader", exc),))
    stages = [("curation", _curate)] if curate and doc.dialect else []
    stages += [("recompute", _recompute)] if compute and doc.questions else []
    stages += [("rubric", curation.rubrics_checked)] if curate and doc.dialect else []
    for stage, step in stages + [("tags", _tag)]:
        try:
            doc = step(doc)
        except Exception as exc:  # noqa: BLE001 - as above; the document is kept as the last stage left it
            return replace(doc, diagnostics=doc.diagnostics + (stage_failed(doc.path, stage, exc),))
    return doc


def stage_failed(path: str, stage: str, exc: BaseException, line: int = 1) -> Diagnostic:
    """The error that stands for a fault inside a stage: what failed, where, and that nothing was written."""
    cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(path, line, "error", f"{stage}-failed",
                      f"the {stage} stage failed on this document ({cause[:300]}); its previous outputs are kept "
                      "and the other documents still build; please report it with the document")


def _curate(doc: Document) -> Document:
    return curation.apply(doc, curation.load_overlay(curation.overlay_path(doc.path)))


def _recompute(doc: Document) -> Document:
    from pipeline.compute.recompute import recompute  # NumPy and sympy load only when a document has questions

    questions, extra = recompute(list(doc.questions), lines={doc.path: doc.lines})
    return replace(doc, questions=tuple(questions), diagnostics=doc.diagnostics + tuple(extra))


def _tag(doc: Document) -> Document:
    return replace(doc, questions=tuple(q.with_(tags=tags_for(q)) for q in doc.questions))


def load_bank(paths: Iterable[str | Path], store: cache.Store | None = None) -> list[Document]:
    """Every document through every stage; with a store, a document whose inputs did not change is read
    back from it instead, which skips reading, curation and recomputation (NumPy, sympy) alike."""
    if store is None:
        return [load_document(p) for p in paths]
    with store.exclusive("docs"):
        return [cached_document(p, store) for p in paths]


def document_key(path: str | Path) -> str | None:
    """Everything `load_document` reads: the document, its overlay, the code and the libraries that shape
    its questions. None when they cannot be read (the document is then simply not cached)."""
    try:
        source, _ = read_source(path)  # never blocks on a named pipe; problems are reported by load_document
        overlay = curation.overlay_path(str(path))
        fixes = read_source(overlay)[0] if overlay.exists() else b"<none>"
        code = cache.code_fingerprint(exclude=("render", "select", "grading"))
        libraries = cache.versions("numpy", "sympy", "markdown-it-py", "mdit-py-plugins", "python-docx",
                                   "beautifulsoup4")
        figures = _figure_files(overlay, fixes) if fixes else []
    except Exception:  # noqa: BLE001 - unreadable input or package metadata: build without the cache
        return None
    if source is None or fixes is None:
        return None  # not a regular file, or too large: read_path reports it
    return cache.key("document", code, libraries, str(path), source, fixes, *figures)


def _figure_files(overlay: Path, fixes: bytes) -> list[bytes]:
    """The name and bytes of each figure file the overlay supplies: a redrawn figure must be read again."""
    try:
        entries = tomlfile.loads(fixes.decode("utf-8")).get("fix", [])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return []  # the overlay's own problems are reported when it is read
    tables = [fix.get("figure") for fix in entries if isinstance(fix, dict)]
    names = [f.get("file") for t in tables for f in ([t] if isinstance(t, dict) else t if isinstance(t, list) else [])
             if isinstance(f, dict)]
    out = []
    for name in names:
        if isinstance(name, str):
            found, _ = read_source(overlay.parent / name) if (overlay.parent / name).is_file() else (b"<none>", [])
            out += [name.encode("utf-8"), found or b"<unreadable>"]
    return out


def cached_document(path: str | Path, store: cache.Store) -> Document:
    """`load_document(path)`, reused from the store when the document, its overlay and the code are the
    ones it was made from; a missing, damaged or stale entry is simply made again."""
    key = document_key(path)
    if key is None:
        return load_document(path)
    try:
        doc = document_from_json(store.get("docs", key) or b"")
        if doc.path == str(path):
            return doc
    except (ValueError, TypeError, KeyError):
        pass
    doc = load_document(path)
    if document_key(path) == key:  # never file a text saved while it was read under the other's key
        store.put("docs", key, document_to_json(doc).encode("utf-8"))
    return doc


def has_errors(doc: Document) -> bool:
    return any(d.severity == "error" for d in all_diagnostics(doc))


def questions_json(docs: Sequence[Document]) -> str:
    bank = [q.to_json() for doc in docs for q in doc.questions]
    return json.dumps(bank, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_definitions(path: Path) -> tuple[list[ExamDefinition], list[Diagnostic]]:
    """The exam definitions in `path`, checked (see definitions.parse_definitions)."""
    where = path.as_posix()
    raw, problems = read_source(path, where)  # a folder, a FIFO or a device is refused, never read
    if raw is None:
        return [], [replace(d, code="exam-unreadable", message=f"cannot read exam definitions: {d.message}")
                    for d in problems]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Diagnostic(where, raw[: exc.start].count(b"\n") + 1, "error", "exam-unreadable",
                               "cannot read exam definitions: not valid UTF-8; TOML is UTF-8")]
    return parse_definitions(text, where)


def build_decks(docs: Sequence[Document], out_dir: Path, lock_path: Path, templates_dir: Path = Path("templates"),
                *, record: Path | None = None, complete: bool = True, now: int | None = None,
                tree: Path | None = None) -> list[Diagnostic]:
    """Notes -> identities (the lock) -> packages in out_dir; the lock is rewritten once they are in place.

    `record` keeps a copy of the lock the last build wrote, from which a deleted lock is recovered.
    `complete=False` says documents of the bank were left out (they had errors): all.apkg keeps them.
    `now` stands in for the clock when an edit needs a new modification time. `tree` holds the deck tree's
    settings (the parent deck's name); without it the parent deck is named for no subject."""
    from pipeline.select.decktree import DeckTree, load_deck_tree
    from pipeline.compute.practice import with_practice
    from pipeline.render.anki.decks import write_decks
    from pipeline.render.anki.notes import deck_notes
    from pipeline.render.anki.notetypes import load_note_types

    try:
        note_types = load_note_types(templates_dir)
    except OSError as exc:
        return [Diagnostic(templates_dir.as_posix(), 0, "error", "anki-template-missing",
                           f"cannot read the card templates: {exc}")]
    settings, diags = load_deck_tree(tree) if tree is not None else (DeckTree(), [])
    if settings is None:  # decks written under another parent would reach learners as a second deck tree
        return diags
    drilled = [_practised(doc, settings.practice, with_practice) for doc in docs]
    docs = [doc for doc, _ in drilled if doc is not None]
    complete = complete and len(docs) == len(drilled)
    diags += [d for _, found in drilled for d in found]
    bank, found = deck_notes(docs, note_types, complete=complete)
    diags += found
    lock, lock_diags = _identity_lock(lock_path, record, first=not any(Path(out_dir).glob("*.apkg")))
    diags += lock_diags
    if lock is None:  # without the lock every note would get a new GUID and reach learners as a duplicate
        return diags
    assigned = identity.assign(bank.documents, lock, contents=bank.contents, notetypes=bank.notetype_contents,
                               now=int(time.time()) if now is None else now)
    diags += assigned.diagnostics
    written = write_decks(bank, assigned.identities, out_dir, settings)
    diags += written
    if not any(d.severity == "error" for d in written):
        text = identity.format_lock(assigned.lock)
        for path in (lock_path, record) if record is not None else (lock_path,):
            try:
                if read_source(path, limit=identity.MAX_LOCK_BYTES)[0] != text.encode("utf-8"):
                    atomic_write_text(path, text)
            except OSError as exc:
                diags.append(Diagnostic(path.as_posix(), 0, "error", "anki-write-failed",
                                        f"could not write the identity lock: {exc}"))
    return diags


def _practised(doc: Document, count: int, with_practice) -> tuple[Document | None, list[Diagnostic]]:
    """The document with its practice questions; a fault making them leaves the document out of the decks
    (with a `practice-failed` error) rather than stopping every document's decks."""
    try:
        return with_practice(doc, count)
    except Exception as exc:  # noqa: BLE001 - one document's fault must not cost the others their decks
        return None, [stage_failed(doc.path, "practice", exc)]


def _identity_lock(lock_path: Path, record: Path | None, first: bool = False
                   ) -> tuple[identity.Lock | None, list[Diagnostic]]:
    """The lock's entries; from `record` when the lock is missing, said with a warning. None when unreadable.
    `first`: no deck was ever built here, so a missing lock is one to create, not one that was lost."""
    where = lock_path.as_posix()
    found = lock_path if lock_path.exists() else record if record is not None and record.exists() else None
    if found is None and first:
        return identity.Lock(), [Diagnostic(where, 0, "info", "identity-lock-created",
                                            f"first deck build: {where} is created with every note's identity; "
                                            "commit it with the documents, so that later builds update these "
                                            "notes in Anki instead of adding them again")]
    if found is None:
        return identity.Lock(), [Diagnostic(where, 0, "warning", "identity-lock-missing",
                                   f"{where} is missing and no earlier deck build left a copy: every note gets "
                                   "a new GUID, and learners who imported earlier decks get duplicates; restore "
                                   "the lock from version control if it was committed")]
    raw, problems = read_source(found, found.as_posix(), limit=identity.MAX_LOCK_BYTES)
    try:
        if raw is None:
            raise ValueError(problems[0].message)
        lock, diags = identity.parse_lock(raw.decode("utf-8"), found.as_posix())
    except (ValueError, UnicodeDecodeError) as exc:  # UnicodeDecodeError is a ValueError
        return None, [Diagnostic(found.as_posix(), 0, "error", "identity-lock-unreadable",
                                 f"cannot read the identity lock {found.as_posix()} ({exc}); fix or restore it "
                                 "from version control")]
    if found != lock_path and lock is not None:
        diags.insert(0, Diagnostic(where, 0, "warning", "identity-lock-missing",
                                   f"{where} is missing; the identities of the last deck build were recovered "
                                   f"from {found.as_posix()} and the lock is written again: commit it"))
    return lock, diags


def _write(path: Path, text: str) -> list[Diagnostic]:
    """Write `path` unless it already holds `text`; a failure is a `write-failed` error, the old file kept."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return []
    except OSError:
        pass
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        return [Diagnostic(path.as_posix(), 0, "error", "write-failed",
                           f"cannot write it ({exc.strerror or exc}); the previous file is kept")]
    return []
