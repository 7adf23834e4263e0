"""The one driver: read -> curate -> recompute -> render, with diagnostics collected and judged at the end."""
from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from . import curation, identity
from .fsutil import atomic_write_bytes, atomic_write_text
from .model import Diagnostic, Document, Question, all_diagnostics
from .readers import read_path
from .tags import tags_for

if TYPE_CHECKING:
    from .render.exam import RenderWorkers

SEEDS = Path("seeds")
BUILD = Path("build")


def seed_paths(seeds: Path = SEEDS) -> list[Path]:
    return sorted(p for p in seeds.glob("*.md"))


def load_document(path: str | Path, *, curate: bool = True, compute: bool = True) -> Document:
    """One source document through every pure stage. Never raises on bad input."""
    doc = read_path(path)
    if curate and doc.dialect:
        doc = curation.apply(doc, curation.load_overlay(curation.overlay_path(doc.path)))
    if compute and doc.questions:
        doc = _recompute(doc)
    return replace(doc, questions=tuple(q.with_(tags=tags_for(q)) for q in doc.questions))


def _recompute(doc: Document) -> Document:
    from .recompute import recompute  # NumPy and sympy load only when a document has questions

    questions, extra = recompute(list(doc.questions), lines={doc.path: doc.lines})
    return replace(doc, questions=tuple(questions), diagnostics=doc.diagnostics + tuple(extra))


def load_bank(paths: Iterable[str | Path], cache_dir: Path | None = None) -> list[Document]:
    """Every document through every stage; with `cache_dir`, a document whose inputs did not change is
    read back from the previous build instead (see `cached_document`)."""
    if cache_dir is None:
        return [load_document(p) for p in paths]
    paths = list(paths)
    with _cache_lock(Path(cache_dir)):
        # `make` runs the deck and the exam build side by side: the second to get here waits for the first
        # and reads what it made, instead of importing NumPy and sympy and doing the same work at once.
        loaded = [_load_cached(p, cache_dir) for p in paths]
        # Entries for older versions of these documents are of no more use.
        keep = {f"{key}.pickle" for _, key in loaded}
        for entry in Path(cache_dir).glob("*.pickle"):
            if entry.name not in keep:
                entry.unlink(missing_ok=True)
    return [doc for doc, _ in loaded]


@contextmanager
def _cache_lock(cache_dir: Path) -> Iterator[None]:
    """An exclusive lock on the document cache for as long as a build reads and fills it (POSIX)."""
    try:
        import fcntl

        cache_dir.mkdir(parents=True, exist_ok=True)
        handle = open(cache_dir / ".lock", "a")  # noqa: SIM115 - held across the yield
    except (ImportError, OSError):
        yield  # no locking here: the builds may both do the work, which is only slower
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass
        yield
    finally:
        handle.close()  # releases the lock


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Hash of the pipeline's own source and the versions that shape a document's questions."""
    from importlib.metadata import version

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("numpy", "sympy", "markdown-it-py", "mdit-py-plugins"):
        h.update(f"{dist}={version(dist)}\0".encode())
    h.update(f"python={sys.version_info[:2]}\0pickle={pickle.HIGHEST_PROTOCOL}".encode())
    return h.hexdigest()


def document_key(path: str | Path) -> str | None:
    """Everything `load_document` reads: the document, its overlay, the pipeline's code. None if unreadable."""
    try:
        source = Path(path).read_bytes()
        overlay = curation.overlay_path(str(path))
        fixes = overlay.read_bytes() if overlay.exists() else b"<none>"
        code = _code_fingerprint()
    except Exception:  # noqa: BLE001 - unreadable input or package metadata: build without the cache
        return None
    h = hashlib.sha256(code.encode())
    for part in (str(path).encode("utf-8"), source, fixes):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def cached_document(path: str | Path, cache_dir: Path) -> Document:
    """`load_document(path)`, reused from `cache_dir` when the document, its overlay and the code are the
    ones it was made from. Reading, curation and recomputation (NumPy, sympy) are most of a build's start-up;
    an unchanged document skips all three. A damaged or stale entry is simply made again."""
    return _load_cached(path, cache_dir)[0]


def _load_cached(path: str | Path, cache_dir: Path) -> tuple[Document, str | None]:
    """The document, and the cache key it was looked up under (None when its inputs are unreadable)."""
    key = document_key(path)
    if key is None:
        return load_document(path), None
    entry = Path(cache_dir) / f"{key}.pickle"
    try:
        doc = pickle.loads(entry.read_bytes())
        if isinstance(doc, Document) and doc.path == str(path):
            return doc, key
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: rebuild it
        pass
    doc = load_document(path)
    if document_key(path) != key:
        return doc, key  # the file was saved while it was being read: never file one text under the other's key
    try:
        atomic_write_bytes(entry, pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        pass
    return doc, key


def has_errors(doc: Document) -> bool:
    return any(d.severity == "error" for d in all_diagnostics(doc))


def questions_json(docs: Sequence[Document]) -> str:
    bank = [q.to_json() for doc in docs for q in doc.questions]
    return json.dumps(bank, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def good_questions(docs: Sequence[Document]) -> list[Question]:
    return [q for doc in docs if not has_errors(doc) for q in doc.questions]


def build_decks(docs: Sequence[Document], out_dir: Path, lock_path: Path, templates_dir: Path = Path("templates"),
                *, record: Path | None = None, complete: bool = True, now: int | None = None) -> list[Diagnostic]:
    """Notes -> identities (the lock) -> packages in out_dir; the lock is rewritten once they are in place.

    `record` keeps a copy of the lock the last build wrote, from which a deleted lock is recovered.
    `complete=False` says documents of the bank were left out (they had errors): all.apkg keeps them.
    `now` stands in for the clock when an edit needs a new modification time."""
    from .render.decks import write_decks
    from .render.notes import deck_notes
    from .render.notetypes import load_note_types

    try:
        note_types = load_note_types(templates_dir)
    except OSError as exc:
        return [Diagnostic(templates_dir.as_posix(), 0, "error", "anki-template-missing",
                           f"cannot read the card templates: {exc}")]
    bank, diags = deck_notes(docs, note_types, complete=complete)
    lock, lock_diags = _identity_lock(lock_path, record)
    diags += lock_diags
    if lock is None:  # without the lock every note would get a new GUID and reach learners as a duplicate
        return diags
    assigned = identity.assign(bank.documents, lock, contents=bank.contents, notetypes=bank.notetype_contents,
                               now=int(time.time()) if now is None else now)
    diags += assigned.diagnostics
    written = write_decks(bank, assigned.identities, out_dir)
    diags += written
    if not any(d.severity == "error" for d in written):
        text = identity.format_lock(assigned.lock)
        for path in (lock_path, record) if record is not None else (lock_path,):
            try:
                if not (path.exists() and path.read_text(encoding="utf-8") == text):
                    atomic_write_text(path, text)
            except (OSError, UnicodeDecodeError) as exc:
                diags.append(Diagnostic(path.as_posix(), 0, "error", "anki-write-failed",
                                        f"could not write the identity lock: {exc}"))
    return diags


def _identity_lock(lock_path: Path, record: Path | None) -> tuple[identity.Lock | None, list[Diagnostic]]:
    """The lock's entries; from `record` when the lock is missing, said with a warning. None when unreadable."""
    where = lock_path.as_posix()
    found = lock_path if lock_path.exists() else record if record is not None and record.exists() else None
    if found is None:
        return identity.Lock(), [Diagnostic(where, 0, "warning", "identity-lock-missing",
                                   f"{where} is missing and no earlier deck build left a copy: every note gets "
                                   "a new GUID, and learners who imported earlier decks get duplicates; restore "
                                   "the lock from version control if it was committed")]
    try:
        lock, diags = identity.parse_lock(found.read_text(encoding="utf-8"), found.as_posix())
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(found.as_posix(), 0, "error", "identity-lock-unreadable",
                                 f"cannot read the identity lock ({exc})")]
    if found != lock_path and lock is not None:
        diags.insert(0, Diagnostic(where, 0, "warning", "identity-lock-missing",
                                   f"{where} is missing; the identities of the last deck build were recovered "
                                   f"from {found.as_posix()} and the lock is written again: commit it"))
    return lock, diags


def build(paths: Sequence[Path], out: Path = BUILD, *, decks: bool = True, exams: bool = True) -> list[Diagnostic]:
    """Write every output. Documents with errors keep their previous outputs; the rest still build."""
    with ExitStack() as stack:
        workers = None
        if exams:
            from .render.exam import RenderWorkers, rendering_likely

            if rendering_likely(out / "exams", out / "cache" / "pdf"):
                # The exam renderers start now and get ready while the documents are read.
                workers = stack.enter_context(RenderWorkers(2, out / "cache" / "math"))
        return _build(paths, out, decks=decks, exams=exams, render_workers=workers)


def _build(paths: Sequence[Path], out: Path, *, decks: bool, exams: bool,
           render_workers: RenderWorkers | None = None) -> list[Diagnostic]:
    docs = load_bank(paths, out / "cache" / "docs")
    diags = [d for doc in docs for d in all_diagnostics(doc)]
    good = [doc for doc in docs if not has_errors(doc)]
    if len(good) == len(docs):
        atomic_write_text(out / "questions.json", questions_json(docs))
    if decks:
        diags += build_decks(good, out / "decks", SEEDS / "identity.lock", record=out / "identity.lock",
                             complete=len(good) == len(docs))
    if exams:
        from .render.exam import write_exams

        diags += write_exams(good_questions(docs), SEEDS / "exams.toml", out / "exams", out / "cache" / "math",
                             pdf_cache=out / "cache" / "pdf", render_workers=render_workers)
    return diags
