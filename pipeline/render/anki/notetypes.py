"""The three Anki note types (choice, open and numeric questions): their fixed schema and their templates.

They are named for what they hold, not for a subject: the same note types serve a deck on any topic."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.select.identity import content_hash
from pipeline.model import Question

CHOICE_FIELDS = ("Stem", "Context", "Figures", "Instruction", "Options", "Key", "Explanation", "Notes",
                 "Source", "Status")
QA_FIELDS = ("Stem", "Context", "Figures", "Answer", "Explanation", "Notes", "Source", "Status")
NUMERIC_FIELDS = ("Stem", "Context", "Figures", "Value", "Breakdown", "Check", "Answer", "Explanation",
                  "Notes", "Source", "Status")
CSS_FILE = "anki.css"


@dataclass(frozen=True)
class NoteTypeSpec:
    key: str  # "choice", "qa" or "numeric"
    model_id: int  # constant: changing it orphans every imported note
    name: str  # shown in Anki's note type list; a rename keeps the id, so Anki updates the type in place
    fields: tuple[str, ...]  # fixed: a change makes Anki copy the type as "<name>+"
    template: str  # card template name, part of the schema like the fields
    front: str  # template file under templates_dir
    back: str


# Ids are sha256("rnn-decks/notetype/<key>/v1") folded into [2**30, 2**31), written out so that they
# never move. A schema change (fields or template names) needs a new version and so a new id.
NOTE_TYPES: dict[str, NoteTypeSpec] = {
    "choice": NoteTypeSpec("choice", 1666784670, "Choice question", CHOICE_FIELDS, "Choose",
                           "anki_choice_front.html", "anki_choice_back.html"),
    "qa": NoteTypeSpec("qa", 1503053973, "Open question", QA_FIELDS, "Recall",
                       "anki_qa_front.html", "anki_qa_back.html"),
    "numeric": NoteTypeSpec("numeric", 2072906517, "Numeric question", NUMERIC_FIELDS, "Compute",
                            "anki_numeric_front.html", "anki_numeric_back.html"),
}


@dataclass(frozen=True)
class NoteType:
    """A note type as Anki stores it: the fixed schema of its spec and the card templates as read."""
    spec: NoteTypeSpec
    front: str  # the card's question side (Anki's qfmt)
    back: str  # its answer side (afmt)
    css: str

    def as_dict(self) -> dict:
        """The form whose hash the lock keeps: a change to any part gives the type a new modification time."""
        return {"id": self.spec.model_id, "name": self.spec.name, "fields": list(self.spec.fields),
                "templates": [{"name": self.spec.template, "qfmt": self.front, "afmt": self.back}],
                "css": self.css}

    @property
    def content(self) -> str:
        return content_hash(self.as_dict())


def note_type_key(question: Question) -> str:
    """Which of NOTE_TYPES a question uses."""
    if question.kind in ("single_choice", "multi_choice"):
        return "choice"
    if question.kind == "numeric" or question.computed:
        return "numeric"
    return "qa"


def load_note_types(templates_dir: Path) -> dict[str, NoteType]:
    """Each note type with its templates and CSS as read from templates_dir (OSError if one is missing)."""
    css = (templates_dir / CSS_FILE).read_text(encoding="utf-8")
    return {key: NoteType(spec, (templates_dir / spec.front).read_text(encoding="utf-8"),
                          (templates_dir / spec.back).read_text(encoding="utf-8"), css)
            for key, spec in NOTE_TYPES.items()}


def schema_of(note_type: NoteType) -> dict:
    """What Anki compares to decide whether an imported note type is the same one or a new `Name+`."""
    return {"id": note_type.spec.model_id, "fields": list(note_type.spec.fields),
            "templates": [note_type.spec.template]}
