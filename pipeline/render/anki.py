"""Documents -> Anki packages (genanki): one .apkg per document and all.apkg, stable across rebuilds."""
from __future__ import annotations

import gc
import hashlib
import html
import itertools
import multiprocessing
import os
import queue
import re
import signal
import sqlite3
import struct
import sys
import threading
import zipfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping, NamedTuple, Sequence

import genanki
from isal import isal_zlib

from pipeline.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.identity import Identity, assign, content_hash, format_lock, read_lock
from pipeline.identity import prepare as prepare_identities
from pipeline.model import Computed, Diagnostic, Document, Question
from pipeline.tags import tags_for
from pipeline.text import mathjax, to_html

PARENT_DECK = "Recurrent Neural Networks"
UNANSWERED_DECK = "Unanswered"
ALL_PACKAGE = "all.apkg"
# 1980-01-01 00:00:00 in MS-DOS form, the earliest date a zip entry can carry; never the clock
_ZIP_DATE, _ZIP_TIME = (0 << 9) | (1 << 5) | 1, 0

CHOICE_FIELDS = ("Stem", "Context", "Figures", "Instruction", "Options", "Key", "Explanation", "Notes",
                 "Source", "Status")
QA_FIELDS = ("Stem", "Context", "Figures", "Answer", "Explanation", "Notes", "Source", "Status")
NUMERIC_FIELDS = ("Stem", "Context", "Figures", "Value", "Breakdown", "Check", "Answer", "Explanation",
                  "Notes", "Source", "Status")
# Where a question sits in its file moves whenever lines are inserted above it; that alone is not an
# edit worth pushing to every learner, so this field is left out of the note's content hash.
_LOCATION_FIELD = "Source"


@dataclass(frozen=True)
class NoteTypeSpec:
    key: str  # "choice", "qa" or "numeric"
    model_id: int  # constant: changing it orphans every imported note
    name: str  # shown in Anki's note type list
    fields: tuple[str, ...]  # fixed: a change makes Anki copy the type as "<name>+"
    template: str  # card template name, part of the schema like the fields
    front: str  # template file under templates_dir
    back: str


# Ids are sha256("rnn-decks/notetype/<key>/v1") folded into [2**30, 2**31), written out so that they
# never move. A schema change (fields or template names) needs a new version and so a new id.
NOTE_TYPES: dict[str, NoteTypeSpec] = {
    "choice": NoteTypeSpec("choice", 1666784670, "RNN Choice", CHOICE_FIELDS, "Choose",
                           "anki_choice_front.html", "anki_choice_back.html"),
    "qa": NoteTypeSpec("qa", 1503053973, "RNN Question", QA_FIELDS, "Recall",
                       "anki_qa_front.html", "anki_qa_back.html"),
    "numeric": NoteTypeSpec("numeric", 2072906517, "RNN Numeric", NUMERIC_FIELDS, "Compute",
                            "anki_numeric_front.html", "anki_numeric_back.html"),
}
CSS_FILE = "anki.css"


def note_type_key(question: Question) -> str:
    """Which of NOTE_TYPES a question uses."""
    if question.kind in ("single_choice", "multi_choice"):
        return "choice"
    if question.kind == "numeric" or question.computed:
        return "numeric"
    return "qa"


def deck_name(document: Document, unanswered: bool = False) -> str:
    """`Recurrent Neural Networks::<title>`, with `::Unanswered` for questions the source leaves open."""
    title = " ".join(document.title.replace("::", ":").split()) or document.slug
    name = f"{PARENT_DECK}::{title}"
    return f"{name}::{UNANSWERED_DECK}" if unanswered else name


def deck_id(name: str) -> int:
    """A deck id that follows from the deck's name, so rebuilding never creates a second deck."""
    return int.from_bytes(hashlib.sha256(f"rnn-decks/deck/{name}".encode("utf-8")).digest()[:4], "big") \
        % (1 << 30) + (1 << 30)


def note_tags(question: Question) -> list[str]:
    return list(tags_for(question))


def note_fields(question: Question, document: Document) -> dict[str, str]:
    """The note's fields as HTML, keyed by field name, in the order of the question's note type."""
    q = question
    key = note_type_key(q)
    answered = q.answered
    stem = to_html(q.stem, mathjax)
    context = to_html(q.context, mathjax) if q.context.strip() else ""
    figures = "".join(
        f'<p class="figure-note"><span class="label">Missing figure:</span> {to_html(f, mathjax, inline=True)}</p>'
        for f in q.figures if f.strip()) if q.figures else ""
    notes = _notes_html(q) if q.notes or q.attribution else ""
    source = f"{_escape(document.title)}: {_escape(q.source.file)}, line {q.source.line_start}"
    status = "" if answered else "The source gives no answer to this question."
    if key == "choice":
        options, revealed = _options_html(q, answered)
        return {"Stem": stem, "Context": context, "Figures": figures, "Instruction": _instruction(q),
                "Options": options, "Key": revealed, "Explanation": _join_md(q.answer, q.explanation),
                "Notes": notes, "Source": source, "Status": status}
    answer = to_html(q.answer, mathjax) if q.answer.strip() else ""
    explanation = to_html(q.explanation, mathjax) if q.explanation.strip() else ""
    if key == "numeric":
        return {"Stem": stem, "Context": context, "Figures": figures,
                "Value": "".join(_value_html(c) for c in q.computed),
                "Breakdown": "".join(_breakdown_html(c) for c in q.computed if c.breakdown),
                "Check": "".join(_check_html(c) for c in q.computed),
                "Answer": answer, "Explanation": explanation, "Notes": notes, "Source": source, "Status": status}
    return {"Stem": stem, "Context": context, "Figures": figures, "Answer": answer, "Explanation": explanation,
            "Notes": notes, "Source": source, "Status": status}


_escape = lru_cache(maxsize=1024)(html.escape)  # titles and file names, the same for a whole document


def _join_md(*parts: str) -> str:
    return "\n".join(to_html(p, mathjax) for p in parts if p.strip())


def _notes_html(q: Question) -> str:
    out = [f'<div class="note">{to_html(n, mathjax)}</div>' for n in q.notes if n.strip()]
    if q.attribution.strip():
        out.append(f'<p class="attribution">{to_html(q.attribution, mathjax, inline=True)}</p>')
    return "".join(out)


def _letter(i: int) -> str:
    if i < 26:
        return chr(65 + i)
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


_ALL_THAT_APPLY = re.compile(r"all that apply", re.I)


def _instruction(q: Question) -> str:
    if q.kind == "single_choice":
        return "Choose one."
    n = sum(c.correct for c in q.choices)
    if n == 0 or _ALL_THAT_APPLY.search(q.stem):
        return "Select all that apply."
    return f"Choose {n}."


def _options_html(q: Question, answered: bool) -> tuple[str, str]:
    """The options as the front shows them, and as the back does: marked right or wrong once answered."""
    plain, marked = [], []
    for i, c in enumerate(q.choices):
        opening = f'<span class="letter">{_letter(i)}</span><span class="text">{to_html(c.text, mathjax, inline=True)}</span>'
        plain.append(f"<li>{opening}</li>")
        if answered:
            marked.append(f'<li class="correct">{opening}<span class="mark">&#10003; correct</span></li>'
                          if c.correct else f'<li class="wrong">{opening}</li>')
    options = f'<ol class="options">{"".join(plain)}</ol>'
    return options, f'<ol class="options">{"".join(marked)}</ol>' if answered else options


def _md(text: str) -> str:
    """A computed value may hold math (`$\\alpha^{3}$`): one line of Markdown, MathJax delimiters."""
    return to_html(text, mathjax, inline=True)


def _value_html(c: Computed) -> str:
    return (f'<p><span class="quantity">{html.escape(c.quantity)}:</span> '
            f'<span class="number">{_md(c.value)}</span></p>')


def _breakdown_html(c: Computed) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(b.label)}</td><td>{mathjax(b.expression, False)}</td>'
        f'<td class="num">{b.value}</td></tr>'
        for b in c.breakdown)
    return (f'<table class="breakdown"><tr><th>Part</th><th>Computation</th><th class="num">Count</th></tr>'
            f'{rows}<tr class="total"><td>Total</td><td></td><td class="num">{_md(c.value)}</td></tr>'
            f'</table>')


def _check_html(c: Computed) -> str:
    out = []
    if c.agrees is False:
        out.append(f'<p class="disagree">The document gives {_md(c.document_value or "")}; '
                   f'the reference model gives {_md(c.value)}.</p>')
    elif c.agrees:
        out.append(f'<p class="agree">Agrees with the document ({_md(c.document_value or c.value)}).</p>')
    if c.convention.strip():
        out.append(f'<p class="convention">Convention: {to_html(c.convention, mathjax, inline=True)}</p>')
    if c.note.strip():
        out.append(f'<p class="note">{to_html(c.note, mathjax, inline=True)}</p>')
    if c.method.strip():
        out.append(f'<p class="method">Computed by {html.escape(c.method)}.</p>')
    return "".join(out)


def load_note_types(templates_dir: Path) -> dict[str, dict]:
    """Each note type's fields, template and CSS, as read from templates_dir."""
    css = (templates_dir / CSS_FILE).read_text(encoding="utf-8")
    return {
        key: {
            "id": spec.model_id,
            "name": spec.name,
            "fields": list(spec.fields),
            "templates": [{
                "name": spec.template,
                "qfmt": (templates_dir / spec.front).read_text(encoding="utf-8"),
                "afmt": (templates_dir / spec.back).read_text(encoding="utf-8"),
            }],
            "css": css,
        }
        for key, spec in NOTE_TYPES.items()
    }


def schema_of(note_type: dict) -> dict:
    """What Anki compares to decide whether an imported note type is the same one or a new `Name+`."""
    return {"id": note_type["id"], "fields": list(note_type["fields"]),
            "templates": [t["name"] for t in note_type["templates"]]}


class _StampedModel(genanki.Model):
    """A model whose modification time comes from the lock file instead of the build's clock."""

    def __init__(self, mtime: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mtime = mtime

    def to_json(self, timestamp: float, deck_id: int) -> dict:
        return super().to_json(self.mtime, deck_id)


def _build_models(types: dict[str, dict], mtimes: dict[str, int]) -> dict[str, genanki.Model]:
    return {
        key: _StampedModel(
            mtimes[t["name"]], model_id=t["id"], name=t["name"],
            fields=[{"name": f} for f in t["fields"]],
            templates=[dict(tmpl) for tmpl in t["templates"]], css=t["css"])
        for key, t in types.items()
    }


class _NoteRow(NamedTuple):
    """A note as its collection stores it, but for what identity decides (GUID, mtime, note id, position)."""
    model_id: int
    tags: str  # genanki's form: " tag1 tag2 "
    fields: str  # the field values in the note type's order, joined by \x1f
    sort_field: str  # the first field
    ords: tuple[int, ...]  # the card templates that give the note a card, by genanki's rule


def _note_row(model: dict, fields: dict[str, str], tags: list[str]) -> _NoteRow:
    """The note's row. genanki would also search every field for an invalid HTML tag and warn; fields hold
    only the renderer's own tags, with every `<` of the text escaped (tests check this), so that search,
    a sixth of the time of rendering a note, is left out."""
    values = [fields[name] for name in model["fields"]]
    if any(" " in t for t in tags):
        genanki.Note(tags=tags)  # genanki refuses the note: a tag with a space would read as two in Anki
    ords = tuple(template for template, any_or_all, needed in _card_rules(model)
                 if (any if any_or_all == "any" else all)(values[i] for i in needed))
    return _NoteRow(model["id"], f" {' '.join(tags)} ", "\x1f".join(values), values[0], ords)


def _card_rules(model: dict) -> list:
    """genanki's rule for which templates give a note a card: [template, "all" | "any", required fields]."""
    return _card_rules_for(tuple(model["fields"]), tuple(t["qfmt"] for t in model["templates"]))


@lru_cache(maxsize=64)
def _card_rules_for(fields: tuple[str, ...], fronts: tuple[str, ...]) -> list:
    return genanki.Model(0, "", fields=[{"name": f} for f in fields],
                         templates=[{"name": str(i), "qfmt": q, "afmt": ""} for i, q in enumerate(fronts)])._req


_NOTES_SQL = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
_CARDS_SQL = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def _new_collection() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    # Notes take a few KB each: 16 KiB pages split a quarter as often as the default 4 KiB, and the file is
    # a sixth smaller. Anki reads any page size.
    conn.execute("PRAGMA page_size = 16384")
    return conn


def collection_bytes(decks: Sequence[tuple[genanki.Deck, Sequence[tuple[_NoteRow, "_NoteSpec"]]]]) -> bytes:
    """The Anki collection genanki writes for these decks and notes, as SQLite bytes. Each deck comes with
    the note types of its notes added; every timestamp comes from the notes and models, none from the clock.

    genanki writes the collection, its decks and note types; the notes and cards are the rows genanki's
    Note.write_to_db inserts, with the note's own id and mtime, inserted in one statement per table.
    """
    # Built in memory and serialized: no temporary file, no journal, no fsync.
    conn = _new_collection()
    try:
        genanki.Package([deck for deck, _ in decks]).write_to_db(conn.cursor(), 0, itertools.count(1))
        # The indexes are made again once the rows are in, in one pass each instead of row by row.
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                               ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        notes, cards = [], []
        for deck, placed in decks:
            did = deck.deck_id
            for row, spec in placed:
                nid, mod = spec.note_id, spec.mtime
                notes.append((nid, spec.guid, row.model_id, mod, -1, row.tags, row.fields, row.sort_field,
                              0, 0, ""))
                # card ids follow the note's, as genanki's id generator gives them
                cards.extend((nid + 1 + k, nid, did, ord_, mod, -1, 0, 0, spec.due, 0, 0, 0, 0, 0, 0, 0, 0, "")
                             for k, ord_ in enumerate(row.ords))
        conn.executemany(_NOTES_SQL, notes)
        conn.executemany(_CARDS_SQL, cards)
        for _, sql in indexes:
            conn.execute(sql)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def zip_package(collection: bytes) -> bytes:
    """An .apkg: a zip of the collection and an empty media list, with fixed dates so that equal input gives
    equal bytes.

    Deflated by ISA-L (isal), which compresses a 25 MB collection in about 0.03 s, four to five times faster
    than zlib's fastest level and slightly smaller. zipfile has no way to take data already deflated, so the
    archive's headers are written here (plain zip: the collection stays far below zip64's 4 GiB)."""
    out = bytearray()
    central = bytearray()
    for name, payload in (("collection.anki2", collection), ("media", b"{}")):
        deflated = isal_zlib.compress(payload, 2, -15)  # level 2 is ISA-L's default; -15: a raw deflate stream
        if len(payload) >= 0xFFFFFFFF or len(out) + len(deflated) >= 0xFFFFFFFF:
            raise ValueError("package too large for a zip without zip64")
        encoded = name.encode("ascii")
        common = struct.pack("<HHHHHIIIH", 20, 0, zipfile.ZIP_DEFLATED, _ZIP_TIME, _ZIP_DATE,
                             isal_zlib.crc32(payload), len(deflated), len(payload), len(encoded))
        central += struct.pack("<IBB", 0x02014B50, 20, 3) + common + struct.pack(
            "<HHHHII", 0, 0, 0, 0, 0o100644 << 16, len(out)) + encoded  # made on Unix, -rw-r--r--
        out += struct.pack("<I", 0x04034B50) + common + struct.pack("<H", 0) + encoded + deflated
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(out), 0)
    return bytes(out)


@dataclass
class _Part:
    """Consecutive questions of one document, rendered: what the identity step needs, and their notes."""
    kept: list[tuple[int, str]]  # (position in the document, note type key) of each question that gets a note
    contents: list[str]  # per kept question: hash of its note type, fields (but where it sits) and tags
    notes: list[_NoteRow] | None  # per kept question; None where they stayed in the other process
    diagnostics: list[Diagnostic]


@dataclass
class _Rendered:
    document: Document
    questions: list[tuple[Question, str]]  # the questions that get notes, with their note type key
    contents: list[str]  # per question: hash of its note type, fields (but where it sits) and tags
    notes: list[_NoteRow] | None  # per question; None when some are held by the helper


_CODE_SPAN = re.compile(r"<code[^>]*>.*?</code>", re.S)


def _render_part(doc: Document, start: int, stop: int, types: dict[str, dict]) -> _Part:
    """Questions start..stop-1 of the document."""
    part = _Part([], [], [], [])
    for j in range(start, stop):
        q = doc.questions[j]
        if not q.stem.strip():
            part.diagnostics.append(Diagnostic(
                q.source.file, q.source.line_start, "error", "anki-empty-stem",
                f"{q.id} has no stem; Anki would skip the note, so it is left out"))
            continue
        fields = note_fields(q, doc)
        for name, value in fields.items():
            if "$" in value and "$" in _CODE_SPAN.sub("", value):
                part.diagnostics.append(Diagnostic(
                    q.source.file, q.source.line_start, "warning", "anki-stray-dollar",
                    f"{q.id}: field {name} still contains a `$` after math rendering"))
        key, tags = note_type_key(q), note_tags(q)
        part.kept.append((j, key))
        part.contents.append(_note_content(types[key]["id"], fields, tags))
        part.notes.append(_note_row(types[key], fields, tags))
    return part


def _assemble(doc: Document, parts: Sequence[_Part]) -> tuple[_Rendered, list[Diagnostic]]:
    """The document from its parts, given in document order."""
    diags = [d for p in parts for d in p.diagnostics]
    kept = [k for p in parts for k in p.kept]
    if not kept:
        diags.append(Diagnostic(doc.path, 0, "warning", "anki-no-questions",
                                "no questions to put in the deck; its package is empty"))
    notes = None if any(p.notes is None for p in parts) else [n for p in parts for n in p.notes]
    return _Rendered(doc, [(doc.questions[j], key) for j, key in kept], [c for p in parts for c in p.contents],
                     notes), diags


def _render_document(doc: Document, types: dict[str, dict]) -> tuple[_Rendered, list[Diagnostic]]:
    return _assemble(doc, [_render_part(doc, 0, len(doc.questions), types)])


def _note_content(model_id: int, fields: dict[str, str], tags: list[str]) -> str:
    shown = {k: v for k, v in fields.items() if k != _LOCATION_FIELD}
    return content_hash({"model": model_id, "fields": shown, "tags": tags})


def _render_failed(doc: Document, exc: BaseException | str) -> Diagnostic:
    why = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return Diagnostic(doc.path, 0, "error", "anki-render-failed", f"could not build the deck ({why})")


class _NoteSpec(NamedTuple):
    guid: str
    mtime: int
    note_id: int
    due: int


def _note_specs(rendered: Sequence[_Rendered], identities: dict[str, Identity]) -> dict[str, _NoteSpec]:
    """GUID, mtime, note id and position of every note, decided for the whole bank at once."""
    specs: dict[str, _NoteSpec] = {}
    used_ids: set[int] = set()
    next_free: dict[int, int] = {}  # a first build gives every note the same time: probe on, not from the start
    for due, (q, _) in enumerate((item for r in rendered for item in r.questions), start=1):
        ident = identities.get(q.id)
        if ident is None or q.id in specs:  # a repeated id, reported by identity; one note per GUID
            continue
        # Anki reads a note id as its creation time in ms; the 2-step leaves room for the card's id.
        base = ident.mtime * 1000
        note_id = next_free.get(base, base)
        while note_id in used_ids or note_id + 1 in used_ids:
            note_id += 2
        used_ids.update((note_id, note_id + 1))
        next_free[base] = note_id + 2
        specs[q.id] = _NoteSpec(ident.guid, ident.mtime, note_id, due)
    return specs


def _document_decks(r: _Rendered, models: dict[str, genanki.Model],
                    specs: Mapping[str, _NoteSpec]) -> list[tuple[genanki.Deck, list[int]]]:
    """The document's deck and, if it has unanswered questions, its Unanswered subdeck, each with the note
    types of its notes added and its notes as positions in r.questions."""
    main_name = deck_name(r.document)
    main = genanki.Deck(deck_id(main_name), main_name, description=f"From {html.escape(r.document.path)}.")
    open_name = deck_name(r.document, unanswered=True)
    unanswered = genanki.Deck(
        deck_id(open_name), open_name,
        description="Questions the source leaves unanswered. Leave this deck out to study only "
                    "cards you can check.")
    placed: dict[int, list[int]] = {main.deck_id: [], unanswered.deck_id: []}
    seen: set[str] = set()
    for i, (q, key) in enumerate(r.questions):
        if q.id in specs and q.id not in seen:  # a repeated id maps to the first question's note
            seen.add(q.id)
            deck = main if q.answered else unanswered
            deck.add_model(models[key])
            placed[deck.deck_id].append(i)
    decks = [(main, placed[main.deck_id])]
    if placed[unanswered.deck_id]:
        decks.append((unanswered, placed[unanswered.deck_id]))
    return decks


def _document_collection(r: _Rendered, models: dict[str, genanki.Model],
                         specs: Mapping[str, _NoteSpec]) -> bytes:
    """The document's collection: the parent deck, its decks and their notes."""
    assert r.notes is not None
    decks = [(deck, [(r.notes[i], specs[r.questions[i][0].id]) for i in placed])
             for deck, placed in _document_decks(r, models, specs)]
    return collection_bytes([(_parent_deck(), []), *decks])


def _parent_deck() -> genanki.Deck:
    return genanki.Deck(deck_id(PARENT_DECK), PARENT_DECK,
                        description="Questions on recurrent neural networks, one subdeck per study document.")


# --- both cores ------------------------------------------------------------------------------------------

# Below this many questions a second process costs more than it saves (the five seeds have 85).
PARALLEL_MIN_QUESTIONS = 1_500


class _Chunk(NamedTuple):
    doc: int  # index of the document
    start: int  # its questions start..stop-1
    stop: int


def _split_for_two(documents: Sequence[Document]) -> tuple[list[_Chunk], list[_Chunk]]:
    """The bank's questions in two consecutive halves, for this process and for a helper; at most one
    document is split between them. The helper writes every document it has a part of; this process writes
    the others, which come first, and then builds all.apkg."""
    half = sum(len(d.questions) for d in documents) // 2
    mine: list[_Chunk] = []
    theirs: list[_Chunk] = []
    seen = 0
    for i, doc in enumerate(documents):
        n = len(doc.questions)
        cut = min(max(half - seen, 0), n)
        if cut or not n:
            mine.append(_Chunk(i, 0, cut))
        if cut < n:
            theirs.append(_Chunk(i, cut, n))
        seen += n
    return mine, theirs


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _helper_main(conn, documents: list[Document], chunks: list[_Chunk], types: dict[str, dict]) -> None:  # noqa: ANN001
    """The helper process's work; any failure just closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the helper
    try:
        _helper_work(conn, documents, chunks, types)
    except Exception:  # noqa: BLE001 - the parent sees the pipe close and does this share itself
        pass
    finally:
        conn.close()


def _helper_work(conn, documents: list[Document], chunks: list[_Chunk], types: dict[str, dict]) -> None:  # noqa: ANN001
    """Render these parts of documents and report what the identity step needs. Then wait for each note's
    GUID, mtime and id, for the parts this process did not render of the documents it writes, and for the
    lock's entries; write those documents' collections and packages, and the lock's text, and send them."""
    parts: dict[int, _Part] = {}
    report: list[_Part | str] = []
    for c in chunks:
        try:
            part = _render_part(documents[c.doc], c.start, c.stop, types)
        except Exception as exc:  # as in one process: the document fails, the others go on
            report.append(_failure(exc))
            continue
        parts[c.doc] = part
        report.append(_Part(part.kept, part.contents, None, part.diagnostics))
    conn.send(report)
    job = conn.recv()
    if job is None:
        return
    mtimes, specs, todo, earlier, lock = job
    models = _build_models(types, mtimes)
    specs = {qid: _NoteSpec(*spec) for qid, spec in specs.items()}
    # Each document is sent as soon as it is written, by a thread, so that the transfer overlaps the next one
    # (a pipe holds 64 KiB: the parent reads once it has written its own documents).
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(conn, outbox), daemon=True)
    sender.start()
    for i in todo:
        try:
            r, _ = _assemble(documents[i], [*earlier.get(i, ()), parts[i]])
            collection = _document_collection(r, models, specs)
            outbox.put((i, (collection, zip_package(collection))))
        except Exception as exc:
            outbox.put((i, _failure(exc)))
    outbox.put((None, format_lock(*lock)))  # last: the lock's text
    outbox.put(_DONE)
    sender.join()


_DONE = object()


def _send_all(conn, outbox: queue.SimpleQueue) -> None:  # noqa: ANN001
    while (message := outbox.get()) is not _DONE:
        try:
            conn.send(message)
        except OSError:  # the parent has gone or stopped listening
            return


class _Helper:
    """A forked process that builds some of the documents while this one builds the others.

    Any failure of the process itself (it died, the pipe broke) makes `receive` return None, and the
    caller does that share of the work itself: a helper can make a build faster, never break it."""

    def __init__(self, documents: Sequence[Document], chunks: list[_Chunk], types: dict[str, dict]) -> None:
        ctx = multiprocessing.get_context("fork")
        sys.stdout.flush()  # or the child could write out what this process has buffered a second time
        sys.stderr.flush()
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_helper_main, args=(child, list(documents), chunks, types), daemon=True)
        self._proc.start()
        child.close()

    def send(self, message: object) -> bool:
        try:
            self._conn.send(message)
            return True
        except OSError:
            return False

    def ready(self) -> bool:
        """True once the helper has sent something (or has gone)."""
        try:
            return self._conn.poll()
        except (EOFError, OSError):
            return True

    def receive(self) -> object | None:
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            return None

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()


def _start_helper(documents: Sequence[Document], types: dict[str, dict],
                  ) -> tuple[_Helper | None, list[_Chunk], list[_Chunk]]:
    """A helper and its share, with this process's share; or no helper, and every document here."""
    alone = [_Chunk(i, 0, len(doc.questions)) for i, doc in enumerate(documents)]
    if (sum(len(d.questions) for d in documents) < PARALLEL_MIN_QUESTIONS
            or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods()):
        return None, alone, []
    mine, theirs = _split_for_two(documents)
    try:
        return _Helper(documents, theirs, types), mine, theirs
    except OSError:  # no process to be had: one process does it all
        return None, alone, []


class _Combined:
    """all.apkg's collection: genanki's decks and note types, then every note and card copied from the
    documents' collections as they are added (in document order, so that the bytes never depend on which
    process wrote which document)."""

    def __init__(self, decks: Sequence[genanki.Deck]) -> None:
        self._conn = _new_collection()
        genanki.Package(list(decks)).write_to_db(self._conn.cursor(), 0, itertools.count(1))
        self._conn.commit()

    def add(self, part: bytes) -> None:
        self._conn.execute("ATTACH DATABASE ':memory:' AS part")
        self._conn.deserialize(part, name="part")
        self._conn.execute("INSERT INTO notes SELECT * FROM part.notes")
        self._conn.execute("INSERT INTO cards SELECT * FROM part.cards")
        self._conn.commit()
        self._conn.execute("DETACH DATABASE part")

    def finish(self) -> bytes:
        try:
            return self._conn.serialize()
        finally:
            self._conn.close()


def write_decks(
    documents: Sequence[Document],
    out_dir: Path,
    lock_path: Path,
    templates_dir: Path = Path("templates"),
    *,
    now: float | None = None,
    complete: bool = True,
) -> list[Diagnostic]:
    """Write out_dir/<slug>.apkg per document and out_dir/all.apkg, then update the identity lock.

    `complete=False` says some documents of the bank were left out (they had errors): all.apkg then keeps
    its previous contents rather than lose their decks.

    Every package is built in memory before any is written, and each is renamed into place, so a failure
    leaves the previous packages as they were. `now` stands in for the clock when an edit needs a new
    modification time. A large bank is built on two cores: a forked helper takes half the questions.
    """
    out_dir, lock_path, templates_dir = Path(out_dir), Path(lock_path), Path(templates_dir)
    try:
        types = load_note_types(templates_dir)
    except OSError as exc:
        return [Diagnostic(templates_dir.as_posix(), 0, "error", "anki-template-missing",
                           f"cannot read the card templates: {exc}")]
    # The bank lives through the whole build: frozen, it is left out of every garbage collection (a full
    # one walks all of it, several times in a large build) and the helper shares its memory pages.
    gc.freeze()
    try:
        helper, mine, theirs = _start_helper(documents, types)
        try:
            return _write_decks(documents, out_dir, lock_path, types, helper, mine, theirs, now, complete)
        finally:
            if helper is not None:
                helper.close()
    finally:
        gc.unfreeze()


def _write_decks(documents: Sequence[Document], out_dir: Path, lock_path: Path, types: dict[str, dict],
                 helper: _Helper | None, mine: list[_Chunk], theirs: list[_Chunk], now: float | None,
                 complete: bool) -> list[Diagnostic]:
    # 1. Fields, tags and content hashes: here for this process's share, meanwhile in the helper for its.
    def render_here(c: _Chunk) -> _Part | str:
        try:
            return _render_part(documents[c.doc], c.start, c.stop, types)
        except Exception as exc:  # one bad document must not cost the others their decks
            return _failure(exc)

    got: dict[_Chunk, _Part | str] = {c: render_here(c) for c in mine}
    lock = None
    if helper is not None:  # while the helper finishes its half
        lock = read_lock(lock_path)
        prepare_identities(documents, stop=helper.ready)
    report = helper.receive() if helper is not None else None
    remote: set[int] = set()  # documents the helper writes
    if report is None:  # no helper, or it failed: its share is rendered here
        got.update((c, render_here(c)) for c in theirs)
    else:
        got.update(zip(theirs, report))
        remote = {c.doc for c in theirs}

    by_doc: dict[int, list[_Chunk]] = {}
    for c in sorted(got):
        by_doc.setdefault(c.doc, []).append(c)
    slots: list[tuple[_Rendered | None, list[Diagnostic]]] = []
    for i, doc in enumerate(documents):
        parts = [got[c] for c in by_doc[i]]
        failed_parts = [p for p in parts if isinstance(p, str)]
        slots.append((None, [_render_failed(doc, failed_parts[0])]) if failed_parts else _assemble(doc, parts))

    diags: list[Diagnostic] = [d for _, doc_diags in slots for d in doc_diags]
    rendered = [r for r, _ in slots if r is not None]
    failed = len(rendered) < len(documents)

    # 2. Identities, for the whole bank at once.
    contents: dict[str, str] = {}
    for r in rendered:
        for (q, _), content in zip(r.questions, r.contents):
            contents.setdefault(q.id, content)
    kept = [replace(r.document, questions=tuple(q for q, _ in r.questions)) for r in rendered]
    result = assign(kept, lock_path, content_of=lambda q: contents[q.id],
                    notetypes={t["name"]: content_hash(t) for t in types.values()}, now=now, lock=lock)
    diags.extend(result.diagnostics)
    if any(d.code == "identity-lock-unreadable" for d in result.diagnostics):
        # Without the lock every note would get a new GUID and reach learners as a duplicate.
        return diags
    models = _build_models(types, result.notetype_mtimes)
    specs = _note_specs(rendered, result.identities)

    # 3. Each document's collection and package, the helper writing those it has a part of.
    written: dict[int, tuple[bytes, bytes] | str] = {}  # document index -> (collection, package) or error
    todo = [i for i in sorted(remote) if slots[i][0] is not None]
    if todo:
        # Plain tuples: they cross the pipe several times faster than named ones.
        theirs_specs = {q.id: tuple(specs[q.id]) for i in todo for q, _ in slots[i][0].questions if q.id in specs}
        earlier = {i: [got[c] for c in by_doc[i] if c in mine] for i in todo}
        lock_rows = ([tuple(e) for e in result.entries], [tuple(t) for t in result.notetypes])
        if not helper.send((result.notetype_mtimes, theirs_specs, todo, {i: p for i, p in earlier.items() if p},
                            lock_rows)):
            todo = []

    def write_here(i: int) -> None:
        r = slots[i][0]
        try:
            if r.notes is None:  # some of it was rendered by a helper that then failed: rendered again here
                r.notes = _render_document(r.document, types)[0].notes
            collection = _document_collection(r, models, specs)
            written[i] = (collection, zip_package(collection))
        except Exception as exc:  # as above: report, keep this document's previous package
            written[i] = _failure(exc)

    # all.apkg is only replaced when every document made it in, so it never loses a deck; it is built as
    # the documents' collections come, in document order.
    combined: _Combined | None = None
    added = 0

    def combine() -> None:
        nonlocal combined, added, failed
        try:
            if combined is None:
                combined = _Combined([_parent_deck(), *(deck for r in rendered
                                                        for deck, _ in _document_decks(r, models, specs))])
            while added < len(documents) and isinstance(written.get(added), tuple):
                combined.add(written[added][0])
                added += 1
        except Exception as exc:
            failed = True
            diags.append(Diagnostic((out_dir / ALL_PACKAGE).as_posix(), 0, "error", "anki-render-failed",
                                    f"could not build the combined package ({_failure(exc)})"))

    wanted = not failed and complete
    for i, (r, _) in enumerate(slots):
        if r is not None and i not in todo:
            write_here(i)
    helper_alive = bool(todo)
    if todo:  # the helper's documents as they come (then it formats the lock's text)
        if wanted:
            combine()
        while any(i not in written for i in todo):
            message = helper.receive()
            if message is None:
                helper_alive = False
                break
            i, payload = message
            written[i] = payload
            if wanted:
                combine()
    for i, (r, _) in enumerate(slots):
        if r is not None and i not in written:
            write_here(i)

    packages: dict[str, bytes] = {}
    for i, (r, _) in enumerate(slots):
        if r is None:
            continue
        w = written[i]
        if isinstance(w, str):
            failed = True
            diags.append(_render_failed(r.document, w))
            continue
        packages[f"{r.document.slug}.apkg"] = w[1]
    if not failed and complete:
        combine()
        if not failed:
            try:
                packages[ALL_PACKAGE] = zip_package(combined.finish())
            except Exception as exc:
                failed = True
                diags.append(Diagnostic((out_dir / ALL_PACKAGE).as_posix(), 0, "error", "anki-render-failed",
                                        f"could not build the combined package ({_failure(exc)})"))

    for name, data in packages.items():
        target = out_dir / name
        try:
            if not (target.exists() and target.read_bytes() == data):
                atomic_write_bytes(target, data)
        except OSError as exc:
            failed = True
            diags.append(Diagnostic(target.as_posix(), 0, "error", "anki-write-failed",
                                    f"could not write the package: {exc}"))
    if not failed:
        message = helper.receive() if helper_alive else None
        lock_text = message[1] if message is not None else result.lock_text
        try:
            if not (lock_path.exists() and lock_path.read_text(encoding="utf-8") == lock_text):
                atomic_write_text(lock_path, lock_text)
        except OSError as exc:
            diags.append(Diagnostic(lock_path.as_posix(), 0, "error", "anki-write-failed",
                                    f"could not write the identity lock: {exc}"))
    return diags


__all__ = [
    "PARENT_DECK", "UNANSWERED_DECK", "ALL_PACKAGE", "NOTE_TYPES", "NoteTypeSpec", "CHOICE_FIELDS", "QA_FIELDS",
    "NUMERIC_FIELDS", "note_type_key", "deck_name", "deck_id", "note_tags", "note_fields",
    "load_note_types", "schema_of", "collection_bytes", "zip_package", "write_decks",
]
