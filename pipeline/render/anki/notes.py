"""Documents -> the notes their decks will hold: fields, tags and a hash of both, before any identity."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from pipeline.model import Diagnostic, Document, Question
from pipeline.compute.practice import is_practice
from pipeline.render.anki.fields import note_fields, note_media, refused_content
from pipeline.render.figures import picture
from pipeline.render.anki.notetypes import NoteType, note_type_key
from pipeline.render.sections import numbered_headings

FIGURE_MISSING_TAG = "figure-missing"
_CODE_SPAN = re.compile(r"<code[^>]*>.*?</code>", re.S)


@dataclass(frozen=True)
class DeckNote:
    question_id: str
    note_type: str  # a key of note_types: "choice", "qa" or "numeric"
    fields: tuple[str, ...]  # HTML, in the note type's field order
    tags: tuple[str, ...]
    answered: bool  # False: the note goes to the document's deck under Unanswered questions
    practice: bool  # True: the note goes to the document's Practice subdeck
    content: str  # hash of the note type, every field and the tags: anything the note writes that changes
    # (even only the source line it shows) must give it a newer modification time, or Anki keeps the old note
    suspended: bool = False  # its card waits, suspended: the question shows a figure nobody supplied
    media: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes) of the figures its fields show


@dataclass(frozen=True)
class DocumentNotes:
    document: Document  # its questions are those that got a note, in document order
    notes: tuple[DeckNote, ...]  # one per question of `document`


@dataclass(frozen=True)
class DeckBank:
    """Every note of the decks to write, and the note types they use."""
    decks: tuple[DocumentNotes, ...]
    note_types: Mapping[str, NoteType]
    complete: bool  # every document of the bank is here: all.apkg may be replaced

    @property
    def documents(self) -> list[Document]:
        """The documents as their decks hold them, for the identity stage."""
        return [d.document for d in self.decks]

    @property
    def contents(self) -> dict[str, str]:
        """Question id -> its note's content hash (the first question's, where an id repeats)."""
        out: dict[str, str] = {}
        for d in self.decks:
            for n in d.notes:
                out.setdefault(n.question_id, n.content)
        return out

    @property
    def notetype_contents(self) -> dict[str, str]:
        return {t.spec.name: t.content for t in self.note_types.values()}


def deck_notes(documents: Sequence[Document], note_types: Mapping[str, NoteType], *,
               complete: bool = True) -> tuple[DeckBank, list[Diagnostic]]:
    """Each document's notes. A document that fails is reported and left out; `complete=False` says the
    caller already left some out."""
    decks: list[DocumentNotes] = []
    diags: list[Diagnostic] = []
    for doc in documents:
        try:
            notes, doc_diags = document_notes(doc, note_types)
        except Exception as exc:  # noqa: BLE001 - one bad document must not cost the others their decks
            diags.append(render_failed(doc, exc))
            complete = False
            continue
        decks.append(notes)
        diags.extend(doc_diags)
    return DeckBank(tuple(decks), note_types, complete), diags


def document_notes(doc: Document, note_types: Mapping[str, NoteType]) -> tuple[DocumentNotes, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    kept: list[Question] = []
    notes: list[DeckNote] = []
    headings = numbered_headings(doc)
    for q in doc.questions:
        if not q.stem.strip():
            diags.append(Diagnostic(q.source.file, q.source.line_start, "error", "anki-empty-stem",
                                    f"{q.id} has no stem; Anki would skip the note, so it is left out"))
            continue
        fields = note_fields(q, doc, headings)
        diags.extend(refused_content(q))
        diags.extend(Diagnostic(q.source.file, q.source.line_start, "warning", "anki-stray-dollar",
                                f"{q.id}: field {name} still contains a `$` after math rendering")
                     for name, value in fields.items() if "$" in value and "$" in _CODE_SPAN.sub("", value))
        key = note_type_key(q)
        # Missing: not supplied, or its file gone since the overlay was read. The tag says why the card is
        # suspended, and changes the note's content when the figure comes.
        lacking = any(f.where == "stem" and not f.equation and picture(f) is None for f in q.figures)
        tags = q.tags + (FIGURE_MISSING_TAG,) if lacking else q.tags
        content = note_content(note_types[key].spec.model_id, tuple(fields.values()), tags)
        kept.append(q)
        notes.append(DeckNote(q.id, key, tuple(fields.values()), tags, q.answered, is_practice(q), content,
                              suspended=lacking, media=note_media(q)))
    if not kept:
        diags.append(Diagnostic(doc.path, 0, "warning", "anki-no-questions",
                                "no questions to put in the deck; its package is empty"))
    return DocumentNotes(replace(doc, questions=tuple(kept)), tuple(notes)), diags


def note_content(model_id: int, fields: Sequence[str], tags: Sequence[str]) -> str:
    """Short hash of everything a note writes. Anki itself separates fields with \\x1f, so no field holds it."""
    text = "\x1f".join([str(model_id), *fields, " ".join(tags)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def render_failed(doc: Document, exc: BaseException | str) -> Diagnostic:
    why = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return Diagnostic(doc.path, 0, "error", "anki-render-failed", f"could not build the deck ({why})")
