"""The bank -> Anki packages: notes, their identities (the lock) and the packages under build/decks.

`write` is the decks row of the build's outputs; `build_decks` is the same for any documents and folders."""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from pipeline.files.atomic import atomic_write_text
from pipeline.files.source import read_source
from pipeline.model import Bank, Diagnostic, Document
from pipeline.render import TEMPLATES
from pipeline.select import identity



def write(bank: Bank, out: Path) -> list[Diagnostic]:
    """The good documents' decks, each with the practice questions the compute stage made for it."""
    docs = [replace(doc, questions=doc.questions + bank.practice.get(doc.path, ())) for doc in bank.good]
    return build_decks(docs, out / "decks", bank.seeds / "identity.lock", record=out / "identity.lock",
                       complete=bank.complete, tree=bank.seeds / "decks.toml")


def build_decks(docs: Sequence[Document], out_dir: Path, lock_path: Path, templates_dir: Path = TEMPLATES,
                *, record: Path | None = None, complete: bool = True, now: int | None = None,
                tree: Path | None = None) -> list[Diagnostic]:
    """Notes -> identities (the lock) -> packages in out_dir; the lock is rewritten once they are in place.
    A document's practice questions are among its questions (`compute.practice`), and go to its Practice deck.

    `record` keeps a copy of the lock the last build wrote, from which a deleted lock is recovered.
    `complete=False` says documents of the bank were left out (they had errors): all.apkg keeps them.
    `now` stands in for the clock when an edit needs a new modification time. `tree` holds the deck tree's
    settings (the parent deck's name); without it the parent deck is named for no subject."""
    from pipeline.select.decktree import DeckTree, load_deck_tree
    from pipeline.render.anki.decks import write_decks
    from pipeline.render.anki.notes import deck_notes
    from pipeline.render.anki.notetypes import load_note_types

    try:
        note_types = load_note_types(templates_dir)
    except OSError as exc:
        shown = templates_dir.relative_to(Path.cwd()) if templates_dir.is_relative_to(Path.cwd()) else templates_dir
        return [Diagnostic(shown.as_posix(), 0, "error", "anki-template-missing",
                           f"cannot read the card templates: {exc.strerror or exc} ({Path(exc.filename or '').name})")]
    settings, diags = load_deck_tree(tree) if tree is not None else (DeckTree(), [])
    if settings is None:  # decks written under another parent would reach learners as a second deck tree
        return diags
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
