"""Anki packages, checked by importing them with the official Anki backend."""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import sqlite3
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anki_fixtures as fx
from ankiimport import import_package, note_type_names, notes_by_guid, open_collection
from project import read_lock
from pipeline.render.anki import build_decks
from pipeline.select.decktree import load_deck_tree
from pipeline.render.anki import decks as render
from pipeline.render.anki.decks import deck_name
from pipeline.render.anki.fields import note_fields
from pipeline.render.anki.notes import document_notes
from pipeline.render.anki.notetypes import NOTE_TYPES, load_note_types, note_type_key, schema_of
from pipeline.markup import to_html

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# The shipped parent deck, without practice notes: these tests count the bank's own notes.
DECK_TREE = Path(__file__).resolve().parent / "fixtures" / "decks-no-practice.toml"
TREE = load_deck_tree(DECK_TREE)[0]
NOW = 1_700_000_000
# Tags our fields may contain; any other `<` is text that escaped escaping.
OUR_TAGS = r"</?(?:p|ol|ul|li|span|div|table|tr|td|th|em|strong|code|pre|br|hr|a|blockquote|h[1-6]|figure|figcaption|img|details|summary)\b"


def build(tmp_path: Path, docs, out: str = "decks", now: int = NOW, templates: Path = TEMPLATES,
          lock: Path | None = None) -> Path:
    target = tmp_path / out
    diags = build_decks(docs, target, lock or tmp_path / "identity.lock", templates, now=now, tree=DECK_TREE)
    assert [d for d in diags if d.severity == "error"] == []
    return target


def guids(lock: Path) -> dict[str, str]:
    return {e.id: e.guid for e in read_lock(lock).notes}


def questions():
    return [(d, q) for d in fx.bank() for q in d.questions]


@pytest.fixture
def imported(tmp_path):
    """The bank built once and imported into a fresh collection."""
    out = build(tmp_path, fx.bank())
    col = open_collection(tmp_path / "col")
    log = import_package(col, out / "all.apkg")
    yield col, out, log, guids(tmp_path / "identity.lock")
    col.close()


def test_note_and_card_counts_equal_the_bank(imported):
    col, out, log, _ = imported
    assert (log.new, log.updated, log.conflicting) == (10, 0, 0)
    assert col.note_count() == 10
    assert col.card_count() == 10
    assert sorted(p.name for p in out.iterdir()) == [
        "all.apkg", "coursera-rnn.apkg", "dl-book-ch10.apkg", "rnn-exercises.apkg", "rnn-interview.apkg"]


def test_each_document_package_holds_its_own_questions(tmp_path):
    out = build(tmp_path, fx.bank())
    col = open_collection(tmp_path / "col")
    try:
        assert import_package(col, out / "coursera-rnn.apkg").new == 4
        assert import_package(col, out / "rnn-exercises.apkg").new == 2
        # The combined package repeats the same notes: nothing new, nothing changed.
        log = import_package(col, out / "all.apkg")
        assert (log.new, log.updated, log.duplicate) == (4, 0, 6)
    finally:
        col.close()


def test_cards_sit_in_document_subdecks_and_unanswered_ones_apart(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    for doc, q in questions():
        card = col.get_card(notes[ids[q.id]]["cards"][0])
        expected = deck_name(doc, TREE, unanswered=not q.answered)
        assert col.decks.name(card.did) == expected
    assert col.decks.name(col.get_card(notes[ids["dl-book-ch10/10.1.1"]]["cards"][0]).did) == \
        "Unanswered questions::Deep Learning book, chapter 10"
    studied = col.find_cards('"deck:Recurrent Neural Networks"')  # the deck and every deck under it
    assert len(studied) == 8 and not col.find_cards('"deck:Recurrent Neural Networks" tag:unanswered')


def test_choice_cards_letter_the_options_and_mark_the_correct_ones(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    for _, q in questions():
        if not q.choices:
            continue
        card = col.get_card(notes[ids[q.id]]["cards"][0])
        front, back = card.question(), card.answer()
        assert to_html(q.stem) in front
        for letter, choice in zip("ABCD", q.choices):
            option = to_html(choice.text, inline=True)
            assert f'<span class="letter">{letter}</span><span class="text">{option}</span>' in front
            marked = f'<li class="correct"><span class="letter">{letter}</span><span class="text">{option}</span>'
            assert (marked in back) == choice.correct, (q.id, letter)
        assert "class=\"correct\"" not in front


def test_the_indexing_question_keeps_its_superscripts_for_mathjax(imported):
    col, _, _, ids = imported
    card = col.get_card(notes_by_guid(col)[ids["coursera-rnn/q01"]]["cards"][0])
    # The correct option, x^{(i)<j>}, reaches MathJax as text; the browser unescapes &lt; before MathJax reads it.
    assert r'<li class="correct"><span class="letter">A</span><span class="text">\(x^{(i)&lt;j&gt;}\)</span>' \
        in card.answer()
    assert r"\(x^{&lt;j&gt;(i)}\)" in card.question()
    assert "Choose one." in card.question()


def test_multi_choice_says_how_many_to_pick(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    check_all = col.get_card(notes[ids["coursera-rnn/q03"]]["cards"][0]).question()
    two = col.get_card(notes[ids["rnn-interview/q2"]]["cards"][0]).question()
    assert "Select all that apply." in check_all
    assert "Choose 2." in two


def test_numeric_card_shows_20362_with_its_breakdown(imported):
    col, _, _, ids = imported
    note = notes_by_guid(col)[ids["rnn-exercises/task-1/q1"]]
    back = col.get_card(note["cards"][0]).answer()
    assert '<span class="number">20362</span>' in back
    for part in ("2560", "16384", "1280", "128", "10"):
        assert f'<td class="num">{part}</td>' in back
    assert r"\(128 \times 128\)" in back
    assert r"<td>\(W_{hh}\): hidden -&gt; hidden weights</td>" in back  # the label's math typeset too
    assert "Agrees with the document's value" not in back  # the maintainer's check, not the learner's
    assert back.index('<details class="how">') < back.index('<td class="num">2560</td>')  # folded
    assert "Convention: one bias vector per layer" in back
    assert "computed" in note["tags"]
    # The shared set-up comes before the stem on both sides.
    front = col.get_card(note["cards"][0]).question()
    assert front.index("Hidden Layer Size: 128") < front.index("Calculate the number of parameters")


def test_numeric_card_says_where_the_document_differs():
    doc = fx.exercises()
    wrong = fx.PARAMS_COMPUTED.__class__(**{**fx.PARAMS_COMPUTED.__dict__, "document_value": "20352", "agrees": False})
    q = doc.questions[0].with_(computed=(wrong,))
    fields = note_fields(q, doc)
    assert '<p class="disagree">The document states 20352 (line 47), which differs from the computed value ' \
        '20362.</p>' in fields["Check"]
    assert "Agrees" not in fields["Check"]


def test_open_and_unanswered_cards(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    open_back = col.get_card(notes[ids["rnn-interview/q1"]]["cards"][0]).answer()
    assert to_html(fx.CNN_ANSWER) in open_back
    assert "Source: stats.stackexchange.com" in open_back
    assert '<div class="source">RNN interview questions, question 1</div>' in open_back
    note = notes[ids["dl-book-ch10/10.1.1"]]
    back = col.get_card(note["cards"][0]).answer()
    assert ('<div class="unanswered">The source gives no answer to this question. Read Deep Learning book, '
            'chapter 10, section 10.1 Unfolding Computational Graphs to answer it.</div>') in back
    assert "seeds/" not in back and "line 9" not in back
    assert "unanswered" in note["tags"]


def test_a_question_points_to_its_numbered_section_by_number_and_title():
    from pipeline.model import Document, Question, SourceSpan
    from pipeline.render.sections import numbered_headings, section_pointer

    lines = ("# Study questions", "## 4.1 Questions for Gated Cells", "## 4.1.1", "Why gates?", "## Extras",
             "## 4.1.2", "Why not?", "## 5 Attention", "## 5.1.1", "What attends?")

    def pointer(section: str, line: int) -> str:
        q = Question(id="x/1", document="x", number="1", kind="open", stem="?", source=SourceSpan("x.md", line, line),
                     section=section)
        return section_pointer(q, numbered_headings(Document("x.md", "x", "book", "X", lines=lines)))

    assert pointer("Questions for Gated Cells", 3) == "section 4.1 Gated Cells"
    assert pointer("Questions for Gated Cells", 2) == "section 4.1 Gated Cells"  # a question on the heading
    assert pointer("Extras", 6) == ""  # a heading without a number names no section to read
    assert pointer("", 9) == ""
    assert pointer("10.2 Questions for Recurrent Neural Networks", 9) == "section 10.2 Recurrent Neural Networks"
    assert pointer("Gated Cells", 3) == ""  # not that heading's title: no guessing


def test_figures_notes_and_source_are_shown(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    front = col.get_card(notes[ids["coursera-rnn/q02"]]["cards"][0]).question()
    # The overlay supplied the figure: the card shows the diagram, not the notice that it is missing.
    assert '<img src="many-to-many-tx4-' in front and "Missing figure:" not in front
    back = col.get_card(notes[ids["rnn-exercises/task-1/q2"]]["cards"][0]).answer()
    assert "Parameter sharing is also what lets an RNN handle inputs of varying length." in back
    assert '<div class="source">RNN and LSTM exercises, task-1/q2</div>' in back


def test_tags_name_document_section_kind_and_markers(imported):
    col, _, _, ids = imported
    notes = notes_by_guid(col)
    assert sorted(notes[ids["coursera-rnn/q03"]]["tags"]) == [
        "architectures", "coursera-rnn", "multi_choice", "recurrent-neural-networks"]
    assert sorted(notes[ids["dl-book-ch10/10.2.2"]]["tags"]) == [
        "10-2-questions-for-recurrent-neural-networks", "dl-book-ch10", "open", "unanswered"]


def test_no_dollar_math_and_no_stray_angle_bracket_reaches_a_field(imported):
    col, _, _, _ = imported
    fields = [(name, value) for n in notes_by_guid(col).values() for name, value in n["fields"].items()]
    assert fields
    for name, value in fields:
        assert "$" not in value, (name, value)
        for m in re.finditer("<", value):
            assert re.match(OUR_TAGS, value[m.start():]), (name, value[m.start():m.start() + 40])
    assert any(r"\(x^{&lt;j&gt;(i)}\)" in v for _, v in fields)


def test_unchanged_rebuild_is_byte_identical_and_reimport_changes_nothing(tmp_path, monkeypatch):
    first = build(tmp_path, fx.bank(), "first")
    lock_text = (tmp_path / "identity.lock").read_text()
    # A later clock must not leak into anything when nothing changed (genanki and zipfile both read it).
    monkeypatch.setattr(time, "time", lambda: NOW + 86_400.0)
    second = build(tmp_path, fx.bank(), "second", now=NOW + 5000)
    monkeypatch.undo()
    for package in first.iterdir():
        assert package.read_bytes() == (second / package.name).read_bytes(), package.name
        with zipfile.ZipFile(package) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert (tmp_path / "identity.lock").read_text() == lock_text
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, first / "all.apkg")
        before = notes_by_guid(col)
        log = import_package(col, second / "all.apkg")
        assert (log.new, log.updated, log.conflicting, log.duplicate) == (0, 0, 0, 10)
        assert notes_by_guid(col) == before
    finally:
        col.close()


def test_edited_answer_updates_that_note_in_place_and_keeps_its_reviews(tmp_path):
    bank = fx.bank()
    build(tmp_path, bank, "v1")
    ids = guids(tmp_path / "identity.lock")
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "v1" / "all.apkg")
        before = notes_by_guid(col)
        target = before[ids["rnn-interview/q1"]]
        card = col.get_card(target["cards"][0])
        card.start_timer()
        col.sched.answerCard(card, 3)
        assert col.db.scalar("select count() from revlog where cid = ?", card.id) == 1

        edited = fx.edit(bank, "rnn-interview/q1", answer=fx.CNN_ANSWER + "\n\nRNNs suit ordered data.")
        build(tmp_path, edited, "v2", now=NOW + 60)
        assert guids(tmp_path / "identity.lock") == ids
        log = import_package(col, tmp_path / "v2" / "all.apkg")
        assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
        assert log.updated_guids == (ids["rnn-interview/q1"],)

        after = notes_by_guid(col)
        note = after[ids["rnn-interview/q1"]]
        assert "RNNs suit ordered data." in note["fields"]["Answer"]
        assert (note["id"], note["cards"]) == (target["id"], target["cards"])
        assert note["mod"] == NOW + 60
        assert col.db.scalar("select count() from revlog where cid = ?", card.id) == 1
        assert col.get_card(card.id).reps == 1
        assert {g: n for g, n in after.items() if g != ids["rnn-interview/q1"]} == \
            {g: n for g, n in before.items() if g != ids["rnn-interview/q1"]}
    finally:
        col.close()


def test_edit_within_the_same_second_still_reaches_the_collection(tmp_path):
    bank = fx.bank()
    build(tmp_path, bank, "v1")
    build(tmp_path, fx.edit(bank, "coursera-rnn/q04", explanation="Edited."), "v2")  # same clock
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "v1" / "all.apkg")
        assert import_package(col, tmp_path / "v2" / "all.apkg").updated == 1
    finally:
        col.close()


def test_failed_write_leaves_previous_packages_intact(tmp_path, monkeypatch):
    out = build(tmp_path, fx.bank())
    lock = tmp_path / "identity.lock"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    lock_before = lock.read_text()

    def refuse(src, dst):  # noqa: ANN001
        raise OSError("disk full")

    monkeypatch.setattr("pipeline.files.atomic.os.replace", refuse)
    diags = build_decks(fx.edit(fx.bank(), "coursera-rnn/q01", explanation="Changed."), out, lock, TEMPLATES,
                        now=NOW + 10)
    assert any(d.code == "anki-write-failed" and d.severity == "error" for d in diags)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files left either
    assert lock.read_text() == lock_before


def test_failed_document_keeps_its_package_and_all_apkg(tmp_path, monkeypatch):
    out = build(tmp_path, fx.bank())
    lock = tmp_path / "identity.lock"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = render.package_bytes

    def flaky(decks, *args):  # noqa: ANN001, ANN002
        if any("Coursera" in d.name for d in decks):
            raise ValueError("boom")
        return real(decks, *args)

    monkeypatch.setattr(render, "package_bytes", flaky)
    edited = fx.edit(fx.edit(fx.bank(), "coursera-rnn/q01", explanation="Changed."),
                     "rnn-interview/q1", explanation="Changed too.")
    diags = build_decks(edited, out, lock, TEMPLATES, now=NOW + 10)
    assert [d.code for d in diags if d.severity == "error"] == ["anki-render-failed"]
    assert any(str(d).startswith("seeds/coursera-rnn.md: error[anki-render-failed]") for d in diags)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after["coursera-rnn.apkg"] == before["coursera-rnn.apkg"]
    assert after["all.apkg"] == before["all.apkg"]
    assert after["rnn-interview.apkg"] != before["rnn-interview.apkg"]


# What Anki compares when it meets a note type it already has. If this changes, learners who import the
# next build get a copy named "<name>+" and their notes stop updating. Changing it is allowed only together
# with a new note type id (bump the version in the id's name in pipeline/render/notetypes.py).
EXPECTED_SCHEMAS = {
    "choice": {"id": 1666784670, "templates": ["Choose"],
               "fields": ["Stem", "Context", "Figures", "Instruction", "Options", "Key", "Explanation", "Notes",
                          "Source", "Status"]},
    "qa": {"id": 1503053973, "templates": ["Recall"],
           "fields": ["Stem", "Context", "Figures", "Answer", "Explanation", "Notes", "Source", "Status"]},
    "numeric": {"id": 2072906517, "templates": ["Compute"],
                "fields": ["Stem", "Context", "Figures", "Value", "Breakdown", "Check", "Answer", "Explanation",
                           "Notes", "Source", "Status"]},
}


def test_note_type_schemas_match_the_committed_expectation():
    types = load_note_types(TEMPLATES)
    for key, expected in EXPECTED_SCHEMAS.items():
        actual = schema_of(types[key])
        assert actual == expected, (
            f"note type {key!r} changed its fields or template names: Anki would fork it as "
            f"'{types[key].spec.name}+'. Bumping this expectation requires a new note-type id.")


def test_note_type_ids_are_the_hash_of_their_versioned_names():
    for key, spec in NOTE_TYPES.items():
        digest = hashlib.sha256(f"rnn-decks/notetype/{key}/v1".encode()).digest()
        assert spec.model_id == int.from_bytes(digest[:4], "big") % (1 << 30) + (1 << 30), key
    assert len({s.model_id for s in NOTE_TYPES.values()}) == len(NOTE_TYPES)


def test_template_change_updates_the_note_type_in_place(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    build(tmp_path, fx.bank(), "v1", templates=templates)
    with open(templates / "anki.css", "a", encoding="utf-8") as fh:
        fh.write("\n.study .stem { letter-spacing: 0.01em; }\n")
    build(tmp_path, fx.bank(), "v2", templates=templates, now=NOW + 30)
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "v1" / "all.apkg")
        log = import_package(col, tmp_path / "v2" / "all.apkg")
        assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
        names = note_type_names(col)
        assert {"Choice question", "Open question", "Numeric question"} <= set(names)
        assert not [n for n in names if n.endswith("+")]
        choice = col.models.by_name("Choice question")
        assert "letter-spacing: 0.01em" in choice["css"]
        assert choice["mod"] == NOW + 30
    finally:
        col.close()


def test_note_types_are_named_for_what_they_hold():
    assert {key: spec.name for key, spec in NOTE_TYPES.items()} == {
        "choice": "Choice question", "qa": "Open question", "numeric": "Numeric question"}


def test_renamed_note_types_update_in_place_and_keep_every_review(tmp_path, monkeypatch):
    """Decks built while the note types were named "RNN Choice", ... and then under their new names: the same
    ids, so Anki renames its note types and keeps the notes attached, with no "Choice question+" copies."""
    from dataclasses import replace

    from pipeline.render.anki import notetypes

    old = {"choice": "RNN Choice", "qa": "RNN Question", "numeric": "RNN Numeric"}
    for key, name in old.items():
        monkeypatch.setitem(notetypes.NOTE_TYPES, key, replace(notetypes.NOTE_TYPES[key], name=name))
    build(tmp_path, fx.bank(), "v1")
    monkeypatch.undo()
    build(tmp_path, fx.bank(), "v2", now=NOW + 60)
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "v1" / "all.apkg")
        assert set(old.values()) <= set(note_type_names(col))
        for cid in col.find_cards(""):  # a learner who has studied every card once
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
        before = notes_by_guid(col)
        ids = {m["name"]: m["id"] for m in col.models.all()}
        log = import_package(col, tmp_path / "v2" / "all.apkg")
        after = notes_by_guid(col)
        names = note_type_names(col)
        # The notes' fields did not change: nothing added or updated (Anki's log counts them as duplicates of
        # themselves), and the collection still holds the ten notes.
        assert (log.new, log.updated, log.conflicting) == (0, 0, 0) and col.note_count() == 10
        assert {"Choice question", "Open question", "Numeric question"} <= set(names)
        assert not set(old.values()) & set(names) and not [n for n in names if n.endswith("+")]
        assert len(names) == len(ids)  # renamed, not added
        assert {col.models.by_name(new)["id"] for new in ("Choice question", "Open question", "Numeric question")} \
            == {ids[name] for name in old.values()}
        assert {g: (n["id"], n["cards"], n["fields"]) for g, n in after.items()} == \
            {g: (n["id"], n["cards"], n["fields"]) for g, n in before.items()}
        assert {n["notetype"] for n in after.values()} == {"Choice question", "Open question", "Numeric question"}
        assert col.db.scalar("select count() from revlog") == col.card_count() == 10
        assert all(col.get_card(cid).reps == 1 for cid in col.find_cards(""))
    finally:
        col.close()


def test_stray_dollar_is_reported():
    doc = fx.book()
    q = doc.questions[0].with_(stem="What does a $5 budget buy?")
    _, diags = document_notes(doc.__class__(**{**doc.__dict__, "questions": (q,)}), load_note_types(TEMPLATES))
    assert [d.code for d in diags] == ["anki-stray-dollar"]


def test_a_repeated_question_id_never_yields_two_notes_with_one_guid(tmp_path):
    doc = fx.coursera()
    twice = doc.__class__(**{**doc.__dict__, "questions": doc.questions + (
        doc.questions[0].with_(stem="Which of these is the most likely cause of NaN weights?"),)})
    out = tmp_path / "decks"
    diags = build_decks([twice], out, tmp_path / "identity.lock", TEMPLATES, now=NOW)
    assert [d.code for d in diags if d.severity == "error"] == ["identity-duplicate-id"]
    col = open_collection(tmp_path / "col")
    try:
        assert import_package(col, out / "all.apkg").new == 4
        assert len(notes_by_guid(col)) == col.note_count() == 4
    finally:
        col.close()


class _GenankiNote(genanki.Note):
    """genanki's own note, with the id, card id and mtime the build gave it."""

    def __init__(self, note_id: int, mtime: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.note_id, self.mtime = note_id, mtime

    def write_to_db(self, cursor, timestamp: float, deck_id: int, id_gen) -> None:  # noqa: ANN001
        super().write_to_db(cursor, self.mtime, deck_id, itertools.count(self.note_id))


class _GenankiModel(genanki.Model):
    def __init__(self, mtime: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mtime = mtime

    def to_json(self, timestamp: float, deck_id: int) -> dict:
        return super().to_json(self.mtime, deck_id)


def _tables(package: Path | bytes) -> dict[str, list]:
    db = package if isinstance(package, bytes) else zipfile.ZipFile(package).read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    try:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        return {"schema": schema, **{t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                                     for t in ("col", "notes", "cards", "graves", "revlog")}}
    finally:
        conn.close()


def test_packages_hold_exactly_what_genanki_writes_for_the_same_notes(tmp_path):
    # Every package must hold exactly the rows, decks and note types that plain genanki writes when given,
    # straight from the questions, the same notes: their fields, tags, decks and note types, and the GUID,
    # mtime, id and position that identity gave them.
    bank = fx.bank()
    out = build(tmp_path, bank)
    lock = read_lock(tmp_path / "identity.lock")
    identity = {e.id: e for e in lock.notes}
    type_mtimes = {t.name: t.mtime for t in lock.notetypes}
    models = {key: _GenankiModel(type_mtimes[t.spec.name], model_id=t.spec.model_id, name=t.spec.name,
                                 fields=[{"name": f} for f in t.spec.fields], css=t.css,
                                 templates=[{"name": t.spec.template, "qfmt": t.front, "afmt": t.back}])
              for key, t in load_note_types(TEMPLATES).items()}
    note_ids = {guid: nid for nid, guid, *_ in _tables(out / "all.apkg")["notes"]}
    parent = genanki.Deck(render.deck_id("Recurrent Neural Networks"), "Recurrent Neural Networks",
                          description="Questions on recurrent neural networks, one subdeck per study document.")
    apart = genanki.Deck(render.deck_id("Unanswered questions"), "Unanswered questions", description=(
        "Questions their sources leave unanswered, kept out of the decks you study. Where the source has numbered "
        "sections, each card names the one to read."))
    every = [parent, apart]
    due = 0
    for doc in bank:
        main = deck_name(doc, TREE)  # always there, even when every question is unanswered
        open_ = any(not q.answered for q in doc.questions)
        decks = {main: genanki.Deck(render.deck_id(main), main, description=(
            "The questions this document leaves unanswered are in the deck “Unanswered questions”." if open_ else ""))}
        for q in doc.questions:
            due += 1
            name = deck_name(doc, TREE, unanswered=not q.answered)
            if name not in decks:
                decks[name] = genanki.Deck(render.deck_id(name), name, description=(
                    "Questions the source leaves unanswered, to think through or to look up."))
            model = models[note_type_key(q)]
            fields = note_fields(q, doc)
            e = identity[q.id]
            decks[name].add_note(_GenankiNote(note_ids[e.guid], e.mtime, model=model, guid=e.guid, due=due,
                                              fields=[fields[f["name"]] for f in model.fields], tags=q.tags))
        ordered = list(decks.values())
        every.extend(ordered)
        parents = [parent, apart] if open_ else [parent]
        assert _tables(out / f"{doc.slug}.apkg") == _tables(_genanki_collection([*parents, *ordered])), doc.slug
    merged = _tables(out / "all.apkg")
    assert len(merged["notes"]) == len(merged["cards"]) == 10
    assert len({nid for nid, *_ in merged["notes"]} | {cid for cid, *_ in merged["cards"]}) == 20
    assert merged == _tables(_genanki_collection(every))


def _genanki_collection(decks: list) -> bytes:
    conn = sqlite3.connect(":memory:")
    try:
        genanki.Package(decks).write_to_db(conn.cursor(), 0, itertools.count(1))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


_MARKUP = st.lists(st.sampled_from(list("ab <>&$/!-*_`[]()#|\\\"'=\n") + [
    "<p>", "</div>", "<!--", "<![CDATA[", "$x^{<t>}$", "$$a<b$$", "&lt;", "<1>", "<b c", "\n\n", "- ", "1. "]),
    max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(stem=_MARKUP, answer=_MARKUP, choice=_MARKUP, note=_MARKUP)
def test_fields_hold_only_our_tags_whatever_the_text(stem, answer, choice, note):
    # Every `<` of a text is escaped and the only tags are the renderer's own, so genanki finds no invalid
    # HTML tag to warn about either.
    doc = fx.coursera()
    for q in (doc.questions[0].with_(stem=stem or "x", notes=(note,), explanation=answer,
                                     choices=tuple(c.__class__(choice, c.correct, c.line) for c in doc.questions[0].choices)),
              doc.questions[0].with_(kind="open", choices=(), stem=stem or "x", answer=answer, context=note)):
        for name, value in note_fields(q, doc).items():
            assert not genanki.Note._find_invalid_html_tags_in_field(value), (name, value)
            for m in re.finditer("<", value):
                assert re.match(OUR_TAGS, value[m.start():]), (name, value[m.start():m.start() + 40])


def test_a_package_is_a_zip_that_any_reader_checks_and_reads(tmp_path):
    out = build(tmp_path, fx.bank())
    for package in sorted(out.iterdir()):
        with zipfile.ZipFile(package) as z:
            assert z.testzip() is None  # every entry's CRC checks out
            media = json.loads(z.read("media"))
            assert [(i.filename, i.date_time, i.compress_type) for i in z.infolist()] == [
                ("collection.anki2", (1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED),
                ("media", (1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)] + [
                (str(k), (1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED) for k in range(len(media))]
            # Only the coursera deck (and all of them) holds a figure: its media map names it.
            assert [n.startswith("many-to-many-tx4-") for n in media.values()] == \
                ([True] if package.name in ("coursera-rnn.apkg", "all.apkg") else [])
            assert z.read("collection.anki2").startswith(b"SQLite format 3\x00")
            assert z.getinfo("collection.anki2").compress_size < z.getinfo("collection.anki2").file_size / 4


def test_fields_come_in_the_order_of_their_note_type():
    for doc in fx.bank():
        for q in doc.questions:
            assert tuple(note_fields(q, doc)) == NOTE_TYPES[note_type_key(q)].fields, q.id


def test_a_tag_anki_would_split_fails_its_document_not_the_others(tmp_path):
    # genanki refuses a tag with a space (Anki would read two tags); the build reports the document.
    docs = fx.edit(fx.bank(), "rnn-interview/q1", tags=("two words",))
    diags = build_decks(docs, tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW, tree=DECK_TREE)
    assert [str(d) for d in diags if d.severity == "error"] == [
        "seeds/rnn-interview.md: error[anki-render-failed]: could not build the deck "
        "(ValueError: Tag \"two words\" contains a space; this is not allowed!)"]
    assert sorted(p.name for p in (tmp_path / "decks").iterdir()) == [
        "coursera-rnn.apkg", "dl-book-ch10.apkg", "rnn-exercises.apkg"]


# --- two processes ---------------------------------------------------------------------------------------

def _packages(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _big_bank() -> list:
    """The bank with every question repeated twenty times, so that it passes the two-process threshold."""
    return [d.__class__(**{**d.__dict__, "questions": tuple(
        q.with_(id=f"{q.id}-{k}", stem=f"{q.stem} (variant {k})") for k in range(20) for q in d.questions)})
        for d in fx.bank()]


def test_two_processes_write_exactly_what_one_writes(tmp_path, monkeypatch):
    started: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, workers: int) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(render, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(render, "PARALLEL_MIN_NOTES", 10**9)
    build(tmp_path, _big_bank(), "one")
    assert started == []
    monkeypatch.setattr(render, "PARALLEL_MIN_NOTES", 0)
    (tmp_path / "identity.lock").unlink()
    build(tmp_path, _big_bank(), "two")
    assert started == [2]
    assert _packages(tmp_path / "one") == _packages(tmp_path / "two")
    col = open_collection(tmp_path / "col")
    try:
        assert import_package(col, tmp_path / "two" / "all.apkg").new == 200
    finally:
        col.close()


def test_without_a_second_process_the_build_does_it_all_itself(tmp_path, monkeypatch):
    build(tmp_path, _big_bank(), "one")

    def refuse(workers: int):  # noqa: ANN202
        raise OSError("no processes left")

    monkeypatch.setattr(render, "PARALLEL_MIN_NOTES", 0)
    monkeypatch.setattr(render, "ProcessPoolExecutor", refuse)
    build(tmp_path, _big_bank(), "alone")
    assert _packages(tmp_path / "one") == _packages(tmp_path / "alone")
