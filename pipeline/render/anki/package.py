"""Decks of notes -> .apkg bytes, written by genanki; every timestamp comes from the identity lock."""
from __future__ import annotations

import itertools
import json
import sqlite3
import zipfile
from io import BytesIO
from typing import Mapping, NamedTuple, Sequence

import genanki

from pipeline.render.anki.notetypes import NoteType

# The earliest date a zip entry can hold: a package's bytes never depend on the clock.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class PlacedNote(NamedTuple):
    """A note with what identity and its place in the bank decided."""
    note_type: str  # key of the note types
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    guid: str
    mtime: int
    note_id: int  # Anki reads it as the note's creation time in ms; its card gets note_id + 1
    due: int  # position among new cards
    suspended: bool = False
    media: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes) of the files its fields show


class DeckSpec(NamedTuple):
    deck_id: int
    name: str
    description: str
    notes: tuple[PlacedNote, ...]


class _StampedModel(genanki.Model):
    """A note type whose modification time comes from the lock instead of the build's clock."""

    def __init__(self, note_type: NoteType, mtime: int) -> None:
        spec = note_type.spec
        super().__init__(spec.model_id, spec.name, fields=[{"name": f} for f in spec.fields],
                         templates=[{"name": spec.template, "qfmt": note_type.front, "afmt": note_type.back}],
                         css=note_type.css)
        self.mtime = mtime

    def to_json(self, timestamp: float, deck_id: int) -> dict:
        return super().to_json(self.mtime, deck_id)


class _StampedNote(genanki.Note):
    """A note whose id and modification time (its card's too) come from identity instead of the clock."""

    def __init__(self, placed: PlacedNote, model: genanki.Model) -> None:
        super().__init__(model=model, fields=list(placed.fields), tags=placed.tags, guid=placed.guid,
                         due=placed.due)
        self.note_id, self.mtime = placed.note_id, placed.mtime
        for card in self.cards:
            card.suspend = placed.suspended

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen) -> None:  # noqa: ANN001
        super().write_to_db(cursor, self.mtime, deck_id, itertools.count(self.note_id))

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Left out: every `<` of a text is escaped and the only tags are the renderer's own (a test runs
        genanki's check on fields made of any text), and the search cost a third of writing a note, twice."""


def package_bytes(decks: Sequence[DeckSpec], note_types: Mapping[str, NoteType],
                  notetype_mtimes: Mapping[str, int]) -> bytes:
    """The .apkg of these decks: genanki's collection, zipped with fixed dates so that equal input gives
    equal bytes."""
    models = {key: _StampedModel(t, notetype_mtimes[t.spec.name]) for key, t in note_types.items()}
    genanki_decks = []
    media: dict[str, bytes] = {}
    for spec in decks:
        deck = genanki.Deck(spec.deck_id, spec.name, description=spec.description)
        for placed in spec.notes:
            deck.add_note(_StampedNote(placed, models[placed.note_type]))
            media.update(placed.media)
        genanki_decks.append(deck)
    return _zip(collection_bytes(genanki_decks), media)


def collection_bytes(decks: Sequence[genanki.Deck]) -> bytes:
    """The Anki collection genanki writes for these decks, as SQLite bytes (in memory: no temporary file)."""
    conn = sqlite3.connect(":memory:")
    try:
        # The id generator and timestamp are genanki's defaults for what the notes and models do not stamp
        # themselves: nothing here does.
        genanki.Package(list(decks)).write_to_db(conn.cursor(), 0, itertools.count(1))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _zip(collection: bytes, media: Mapping[str, bytes]) -> bytes:
    """The package: the collection, and the media files as Anki numbers them (entry "0" is the first file,
    named in the "media" map), in name order so that equal input gives equal bytes."""
    names = sorted(media)
    index = json.dumps({str(k): name for k, name in enumerate(names)}, ensure_ascii=False).encode("utf-8")
    entries = [("collection.anki2", collection), ("media", index)] + [(str(k), media[n]) for k, n in enumerate(names)]
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, _ZIP_DATE)
            entry.external_attr = 0o644 << 16  # -rw-r--r--
            # The fastest level: a 20 MB collection deflates in a tenth of the time of the default, a
            # third larger.
            z.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()
