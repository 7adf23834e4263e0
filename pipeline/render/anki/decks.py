"""Deck notes and their identities -> one .apkg per document and all.apkg, rewritten only where they change.

The stages before this one decide everything (fields and tags in render/notes.py, GUIDs and modification
times in identity.py); here the notes are placed in decks, given note ids and positions, written by genanki
(render/package.py) and renamed into place.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Sequence

from pipeline.select.decktree import FIGURE_DECK, UNANSWERED_DECK, DeckTree
from pipeline.files.atomic import atomic_write_bytes, settle
from pipeline.select.identity import Identities
from pipeline.model import Diagnostic, Document
from pipeline.render.anki.notes import DeckBank, DocumentNotes, render_failed
from pipeline.render.anki.package import DeckSpec, PlacedNote, package_bytes

PRACTICE_DECK = "Practice"
ALL_PACKAGE = "all.apkg"
# Below this many notes a second process costs more than it saves (the five seeds have 85).
PARALLEL_MIN_NOTES = 2_000


def deck_name(document: Document, tree: DeckTree, unanswered: bool = False, figure_missing: bool = False) -> str:
    """`<parent>::<title>`, e.g. `Recurrent Neural Networks::RNN Quiz`; `Unanswered questions::<title>` for
    questions the source leaves open, `Questions missing a figure::<title>` for those it cannot show."""
    title = " ".join(document.title.replace("::", ":").split()) or document.slug
    parent = FIGURE_DECK if figure_missing else UNANSWERED_DECK if unanswered else tree.name
    return f"{parent}::{title}"


def deck_id(name: str) -> int:
    """A deck id that follows from the deck's name, so rebuilding never creates a second deck."""
    return int.from_bytes(hashlib.sha256(f"rnn-decks/deck/{name}".encode("utf-8")).digest()[:4], "big") \
        % (1 << 30) + (1 << 30)


def parent_deck(tree: DeckTree) -> DeckSpec:
    return DeckSpec(deck_id(tree.name), tree.name, tree.description, ())


def unanswered_deck() -> DeckSpec:
    return DeckSpec(deck_id(UNANSWERED_DECK), UNANSWERED_DECK,
                    "Questions their sources leave unanswered, kept out of the decks you study. Where the source "
                    "has numbered sections, each card names the one to read.", ())


def figure_deck() -> DeckSpec:
    return DeckSpec(deck_id(FIGURE_DECK), FIGURE_DECK,
                    "Questions that show a figure their source lacks, suspended and kept out of the decks you study: "
                    "without the figure they cannot be answered.", ())


def _parents(decks: Sequence[DeckSpec], tree: DeckTree) -> list[DeckSpec]:
    """The top-level decks these decks sit under, in the order of the tree."""
    return [parent_deck(tree)] + [parent for parent in (unanswered_deck(), figure_deck())
                                  if any(d.name.startswith(f"{parent.name}::") for d in decks)]


def write_decks(bank: DeckBank, identities: Identities, out_dir: Path, tree: DeckTree = DeckTree()
                ) -> list[Diagnostic]:
    """Write out_dir/<slug>.apkg for each document of the bank and, when the bank is complete, all.apkg,
    each document's deck under the parent deck `tree` names.

    Every package is built before any is written, and each is renamed into place, so a failure leaves the
    previous packages as they were; all.apkg is only replaced when every document made it in, so it never
    loses a deck. A large bank is built on two cores, a whole package at a time.
    """
    out_dir = Path(out_dir)
    settle(out_dir)  # temporary files a killed build left behind are removed
    placed = place_notes(bank.decks, identities, tree)
    jobs = {f"{doc.document.slug}.apkg": [*_parents(decks, tree), *decks]
            for doc, decks in zip(bank.decks, placed)}
    if bank.complete:
        every = [deck for decks in placed for deck in decks]
        jobs[ALL_PACKAGE] = [*_parents(every, tree), *every]
    built = _build_packages(jobs, bank, identities)

    combined = built.pop(ALL_PACKAGE, None)
    diags = [render_failed(doc.document, built[f"{doc.document.slug}.apkg"]) for doc in bank.decks
             if isinstance(built[f"{doc.document.slug}.apkg"], str)]
    if isinstance(combined, str) and not diags:
        diags.append(Diagnostic((out_dir / ALL_PACKAGE).as_posix(), 0, "error", "anki-render-failed",
                                f"could not build the combined package ({combined})"))
    elif isinstance(combined, bytes) and not diags:  # else it would lack what a failed document's package holds
        built[ALL_PACKAGE] = combined
    for name, data in built.items():
        if isinstance(data, bytes):
            diags.extend(_write(out_dir / name, data))
    return diags


def place_notes(decks: Sequence[DocumentNotes], identities: Identities, tree: DeckTree = DeckTree()
                ) -> list[list[DeckSpec]]:
    """Each document's deck and, if it has unanswered questions or questions missing a figure, its decks
    under Unanswered questions and Questions missing a figure, with their notes.

    A note's id is its modification time in ms, moved on past the ids already taken in the whole bank;
    its position is its place in the bank. A question without an identity (a repeated id) gets no note.
    """
    used: set[int] = set()
    next_free: dict[int, int] = {}  # a first build gives every note the same time: probe on from the last
    seen: set[str] = set()
    due = 0
    out = []
    for doc in decks:
        main: list[PlacedNote] = []
        unanswered: list[PlacedNote] = []
        practice: list[PlacedNote] = []
        lacking: list[PlacedNote] = []
        for note in doc.notes:
            due += 1
            ident = identities.notes.get(note.question_id)
            if ident is None or note.question_id in seen:
                continue
            seen.add(note.question_id)
            if not (note.answered or note.suspended or tree.unanswered):
                continue  # a card with no answer to check reaches learners only when decks.toml asks for it
            base = ident.mtime * 1000
            note_id = next_free.get(base, base)
            while note_id in used or note_id + 1 in used:  # the 2-step leaves room for the card's id
                note_id += 2
            used.update((note_id, note_id + 1))
            next_free[base] = note_id + 2
            box = lacking if note.suspended else practice if note.practice else main if note.answered else unanswered
            box.append(PlacedNote(note.note_type, note.fields, note.tags, ident.guid, ident.mtime, note_id, due,
                                  note.suspended, note.media))
        out.append(_document_decks(doc.document, tree, main, unanswered, lacking, practice))
    return out


def _document_decks(document: Document, tree: DeckTree, main: list[PlacedNote],
                    unanswered: list[PlacedNote], lacking: list[PlacedNote], practice: list[PlacedNote]
                    ) -> list[DeckSpec]:
    name, elsewhere = deck_name(document, tree), deck_name(document, tree, unanswered=True)
    said = f"The questions this document leaves unanswered are in the deck “{UNANSWERED_DECK}”." if unanswered \
        else ""
    decks = [DeckSpec(deck_id(name), name, said, tuple(main))]
    if practice:
        drill = f"{name}::{PRACTICE_DECK}"
        decks.append(DeckSpec(deck_id(drill), drill, "The document's numeric questions again, each with its own "
                              "sizes and its answer computed by the reference model.", tuple(practice)))
    if unanswered:
        decks.append(DeckSpec(deck_id(elsewhere), elsewhere, "Questions the source leaves unanswered, to think "
                              "through or to look up.", tuple(unanswered)))
    if lacking:
        name = deck_name(document, tree, figure_missing=True)
        decks.append(DeckSpec(deck_id(name), name, "Questions that show a figure the source lacks, kept aside: "
                              "without the figure they cannot be answered.", tuple(lacking)))
    return decks


def _build_packages(jobs: dict[str, list[DeckSpec]], bank: DeckBank,
                    identities: Identities) -> dict[str, bytes | str]:
    """Package name -> its bytes, or why it could not be built; in the order of `jobs`."""
    # The largest job first (all.apkg holds every note), so that the other process takes the rest meanwhile.
    names = sorted(jobs, key=lambda name: -sum(len(deck.notes) for deck in jobs[name]))
    work = [(jobs[name], dict(bank.note_types), dict(identities.notetypes)) for name in names]
    built: dict[str, bytes | str] | None = None
    if sum(len(d.notes) for d in bank.decks) >= PARALLEL_MIN_NOTES and (os.cpu_count() or 1) >= 2:
        try:
            with ProcessPoolExecutor(2) as pool:
                futures = [pool.submit(_package_or_failure, *w) for w in work]
                built = dict(zip(names, [f.result() for f in futures]))
        except (OSError, BrokenProcessPool):  # no second process to be had: this one does it all
            built = None
    if built is None:
        built = dict(zip(names, [_package_or_failure(*w) for w in work]))
    return {name: built[name] for name in jobs}


def _package_or_failure(*args: object) -> bytes | str:
    try:
        return package_bytes(*args)
    except Exception as exc:  # noqa: BLE001 - reported per package; the others are still written
        return f"{type(exc).__name__}: {exc}"


def _write(target: Path, data: bytes) -> list[Diagnostic]:
    try:
        if not (target.exists() and target.read_bytes() == data):
            atomic_write_bytes(target, data)
    except OSError as exc:
        return [Diagnostic(target.as_posix(), 0, "error", "anki-write-failed", f"could not write the package: {exc}")]
    return []
