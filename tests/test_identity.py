"""Stable GUIDs and modification times across edits, insertions and reorderings."""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import anki_fixtures as fx
from ankiimport import import_package, notes_by_guid, open_collection
from project import read_lock
from pipeline.render.anki import build_decks
from pipeline.select.identity import (Lock, LockEntry, NotetypeEntry, assign, derive_guid, fingerprint, format_lock,
                                      parse_lock)
from pipeline.model import Document, Question, SourceSpan

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NOW = 1_700_000_000


class Run:
    """What assign() gave, with its question identities at hand."""

    def __init__(self, result) -> None:  # noqa: ANN001
        self.identities = dict(result.identities.notes)
        self.diagnostics = list(result.diagnostics)
        self.lock_text = format_lock(result.lock)


def run(docs, lock: Path, now: int = NOW) -> Run:
    """assign() against the lock file, then record the new lock there, as the build does."""
    result = Run(assign(docs, read_lock(lock), now=now))
    lock.write_text(result.lock_text, encoding="utf-8")
    return result


def coursera_with(questions) -> list[Document]:
    return [replace(fx.coursera(), questions=tuple(questions))]


def test_every_question_gets_its_own_guid(tmp_path):
    result = run(fx.bank(), tmp_path / "identity.lock")
    all_ids = [q.id for d in fx.bank() for q in d.questions]
    assert sorted(result.identities) == sorted(all_ids)
    assert len({i.guid for i in result.identities.values()}) == len(all_ids)


def test_guids_are_deterministic_without_a_lock(tmp_path):
    a = assign(fx.bank(), Lock(), now=NOW).identities.notes
    b = assign(fx.bank(), Lock(), now=NOW + 99).identities.notes
    assert {k: v.guid for k, v in a.items()} == {k: v.guid for k, v in b.items()}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["What is an RNN?", "What is an  RNN?", "What is a GRU?", "Why tanh?", ""]),
                min_size=1, max_size=12))
def test_identical_stems_never_share_a_guid(tmp_path_factory, stems):
    lock = tmp_path_factory.mktemp("lock") / "identity.lock"
    qs = [Question(id=f"coursera-rnn/q{i:02d}", document="coursera-rnn", number=str(i), kind="open", stem=s,
                   source=SourceSpan(fx.COURSERA, i, i)) for i, s in enumerate(stems, 1)]
    first = run(coursera_with(qs), lock).identities
    assert len({i.guid for i in first.values()}) == len(qs)
    # Rebuilding from the lock keeps every GUID, duplicates included.
    assert run(coursera_with(qs), lock, now=NOW + 1).identities == first


def test_unchanged_rebuild_keeps_mtimes_and_lock_text(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock)
    text = lock.read_text()
    second = run(fx.bank(), lock, now=NOW + 3600)
    assert second.identities == first.identities
    assert second.lock_text == text
    assert second.diagnostics == []


def test_changed_content_gets_a_newer_mtime_only_for_that_question(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    edited = fx.edit(fx.bank(), "coursera-rnn/q01", explanation="Rows first, then columns.")
    # A clock behind the recorded mtime still moves forward, so Anki's "if newer" accepts the edit.
    second = run(edited, lock, now=NOW - 500).identities
    assert second["coursera-rnn/q01"] == (first["coursera-rnn/q01"].guid, NOW + 1)
    assert {k: v for k, v in second.items() if k != "coursera-rnn/q01"} == \
        {k: v for k, v in first.items() if k != "coursera-rnn/q01"}
    third = run(fx.edit(edited, "coursera-rnn/q01", explanation="Again."), lock, now=NOW + 900).identities
    assert third["coursera-rnn/q01"].mtime == NOW + 900


def test_answer_and_choice_changes_keep_the_guid(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    fixed = tuple(replace(c, correct=not c.correct) for c in fx.INDEX_CHOICES)
    second = run(fx.edit(fx.bank(), "coursera-rnn/q01", choices=fixed), lock).identities
    assert second["coursera-rnn/q01"].guid == first["coursera-rnn/q01"].guid


def test_typo_fix_in_a_stem_keeps_the_guid(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    typo = fx.PARAMS_STEM.replace("parameters", "paramters")
    run(fx.edit(fx.bank(), "rnn-exercises/task-1/q1", stem=typo), lock)
    fixed = run(fx.bank(), lock).identities
    assert fixed["rnn-exercises/task-1/q1"].guid == first["rnn-exercises/task-1/q1"].guid
    assert fixed["rnn-exercises/task-1/q1"].mtime > first["rnn-exercises/task-1/q1"].mtime


def test_reordered_and_relabelled_questions_keep_their_guids(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    by_stem = {q.stem: first[q.id] for q in fx.coursera().questions}
    reordered = fx.relabel(replace(fx.coursera(), questions=fx.coursera().questions[::-1]))
    result = run([reordered], lock)
    assert {q.stem: result.identities[q.id] for q in reordered.questions} == by_stem
    assert {d.code for d in result.diagnostics} == {"identity-rematched"}


_WORDS = ("gate state cell input output hidden weight bias step sequence gradient loss layer unit memory "
          "forget update reset vector matrix softmax token batch length vanish explode clip train").split()


def _large_document(n: int) -> Document:
    """n questions of twelve words drawn from thirty, as the questions of one long quiz share their words."""
    rng = random.Random(7)
    qs = tuple(Question(id=f"coursera-rnn/q{i:03d}", document="coursera-rnn", number=str(i), kind="open",
                        stem=" ".join(rng.choice(_WORDS) for _ in range(12)) + "?", source=SourceSpan(fx.COURSERA, i, i))
               for i in range(1, n + 1))
    return replace(fx.coursera(), questions=qs)


def _typo(stem: str) -> str:
    """The stem with two letters of its third word swapped."""
    words = stem.split(" ")
    words[2] = words[2][1] + words[2][0] + words[2][2:]
    return " ".join(words)


def test_every_stem_of_a_large_document_edited_and_renumbered_keeps_every_guid(tmp_path):
    # Each stem near-identical to its old one but the label of every question moved: each is matched by
    # its stem alone, among hundreds of entries that share most of its words.
    lock = tmp_path / "identity.lock"
    doc = _large_document(400)
    first = run([doc], lock).identities
    edited = replace(doc, questions=tuple(q.with_(id=f"coursera-rnn/q{i + 1:03d}", stem=_typo(q.stem))
                                          for i, q in enumerate(doc.questions, 1)))
    result = run([edited], lock, now=NOW + 60)
    assert [result.identities[q.id].guid for q in edited.questions] == [first[q.id].guid for q in doc.questions]
    assert {d.code for d in result.diagnostics} == {"identity-rematched"}


def test_a_question_reworded_beyond_recognition_among_many_gets_a_new_guid(tmp_path):
    lock = tmp_path / "identity.lock"
    doc = _large_document(400)
    first = run([doc], lock).identities
    questions = list(doc.questions)
    questions[200] = questions[200].with_(id="coursera-rnn/new", stem="Why do gradients vanish in long sequences?")
    result = run([replace(doc, questions=tuple(questions))], lock, now=NOW + 60).identities
    assert result["coursera-rnn/new"].guid not in {i.guid for i in first.values()}
    assert sum(result[q.id] == first[q.id] for q in questions if q.id in first) == 399


def test_a_different_question_under_an_old_label_gets_a_new_guid(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    swapped = fx.edit(fx.bank(), "coursera-rnn/q04", stem="What is the dimension of $\\Gamma_u$ at each time step?")
    result = run(swapped, lock)
    assert result.identities["coursera-rnn/q04"].guid != first["coursera-rnn/q04"].guid
    assert any(d.code == "identity-retired" for d in result.diagnostics)


def test_a_removed_question_that_returns_gets_its_guid_back(tmp_path):
    lock = tmp_path / "identity.lock"
    first = run(fx.bank(), lock).identities
    without = [replace(d, questions=d.questions[1:]) if d.slug == "coursera-rnn" else d for d in fx.bank()]
    result = run(without, lock)
    assert [d.code for d in result.diagnostics] == ["identity-retired"]
    back = run(fx.bank(), lock, now=NOW + 10).identities
    assert back["coursera-rnn/q01"].guid == first["coursera-rnn/q01"].guid


def test_lock_is_sorted_toml_with_one_entry_per_question(tmp_path):
    lock = tmp_path / "identity.lock"
    run(fx.bank(), lock)
    data = tomllib.loads(lock.read_text())
    notes = data["note"]
    assert len(notes) == 10
    assert set(notes[0]) == {"id", "document", "guid", "mtime", "content", "stem"}
    keys = [(n["document"], n["id"]) for n in notes]
    assert keys == sorted(keys)
    assert notes[0]["stem"] == fingerprint(fx.INDEX_STEM)
    assert fingerprint("Which of the  *following* refers to $x^{<t>}$?") == "which of the following refers to x t"


def _toml_entries(text: str) -> tuple[list[tuple], list[tuple]]:
    data = tomllib.loads(text)
    return ([(n["id"], n["document"], n["guid"], n["mtime"], n["content"], n["stem"]) for n in data["note"]],
            [(t["name"], t["content"], t["mtime"]) for t in data.get("notetype", [])])


def test_the_lock_reads_back_as_written_and_as_edited_by_hand(tmp_path):
    lock = tmp_path / "identity.lock"
    build_decks(fx.practised(fx.bank()), tmp_path / "decks", lock, TEMPLATES, now=NOW)
    written = lock.read_text()
    entries = read_lock(lock)
    assert len(entries.notes) == 10 + 3 and len(entries.notetypes) == 3  # 3 practice notes of the numeric one
    assert format_lock(entries) == written  # reading and writing again changes nothing

    blocks = written.split("\n\n")
    edits = {  # what a person or another tool might leave: the same entries, or the one edited
        "reordered": "\n\n".join([blocks[0], *reversed(blocks[1:])]) + "\n",
        "commented": written.replace("[[note]]", "[[note]] # kept by hand", 1),
        "literal string": written.replace('id = "coursera-rnn/q01"', "id = 'coursera-rnn/q01'", 1),
        "spaced": written.replace("mtime = ", "mtime =  ", 1),
        "no final newline": written.rstrip("\n"),
    }
    for name, text in edits.items():
        assert text != written, name
        lock.write_text(text, encoding="utf-8")
        assert format_lock(read_lock(lock)) == written, name
    lock.write_text(written.replace('stem = "', 'stem = "say \\"hi\\" ', 1), encoding="utf-8")
    assert read_lock(lock).notes[0].stem.startswith('say "hi" ')


def test_a_lock_that_is_not_toml_or_lacks_a_key_is_reported_not_guessed():
    for text in ("version = 1\n[[note]\n", 'version = 1\n[[note]]\nid = "a"\n', "version = 2\n"):
        lock, diags = parse_lock(text, "seeds/identity.lock")
        assert lock is None
        assert [d.code for d in diags] == ["identity-lock-unreadable"], text
        assert "error[identity-lock-unreadable]: cannot read the identity lock seeds/identity.lock" in str(diags[0])
    assert parse_lock("version = 1\n[[note]\n", "seeds/identity.lock")[1][0].line == 2  # at the broken line
    assert parse_lock('version = 1\n\n[[note]]\nid = "a"\n', "seeds/identity.lock")[1][0].line == 3  # its entry


_LOCK_TEXT = st.text(st.sampled_from(list('aZ09 -/"\\\n\t\x00\x1f\x7f\u00e9\u2028#[]=\'')), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LOCK_TEXT, st.sampled_from(["doc-a", "doc-b", 'odd "doc"']), _LOCK_TEXT,
                          st.integers(0, 2**40), _LOCK_TEXT, _LOCK_TEXT), max_size=8),
       st.booleans())
def test_any_lock_reads_back_as_toml_and_in_natural_order(rows, plain):
    # Strings are written plain when nothing in them needs escaping, escaped otherwise; either way TOML must
    # read back exactly the entries, sorted by document and then by id with numbers as numbers.
    if plain:
        rows = [tuple(v.translate({ord(c): "x" for c in '"\\\n\t\x00\x1f\x7f\u2028'}) if isinstance(v, str) else v
                      for v in row) for row in rows]
    entries = tuple(LockEntry(*row) for row in rows)
    data = tomllib.loads(format_lock(Lock(entries, (NotetypeEntry('RNN "Choice"', "c1", 5),))))
    back = [(n["id"], n["document"], n["guid"], n["mtime"], n["content"], n["stem"]) for n in data.get("note", [])]
    assert sorted(back) == sorted(rows)
    order = [(d, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", i)]) for i, d, *_ in back]
    assert all(_comparable(a) <= _comparable(b) for a, b in zip(order, order[1:]))
    assert data["notetype"] == [{"name": 'RNN "Choice"', "content": "c1", "mtime": 5}]


def _comparable(key: tuple) -> tuple:
    doc, parts = key
    return doc, [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts]


def test_documents_missing_from_a_build_keep_their_entries(tmp_path):
    lock = tmp_path / "identity.lock"
    run(fx.bank(), lock)
    run([fx.coursera()], lock)
    assert len(read_lock(lock).notes) == 10


def test_duplicate_question_ids_are_reported(tmp_path):
    doc = fx.coursera()
    twice = replace(doc, questions=doc.questions + (doc.questions[0].with_(stem="Another stem entirely."),))
    result = assign([twice], Lock(), now=NOW)
    assert [d.code for d in result.diagnostics] == ["identity-duplicate-id"]
    assert len(result.identities.notes) == 4


def test_unreadable_lock_stops_the_deck_build(tmp_path):
    lock = tmp_path / "identity.lock"
    lock.write_text("version = 1\n[[note]\n", encoding="utf-8")
    diags = build_decks(fx.bank(), tmp_path / "decks", lock, TEMPLATES, now=NOW)
    assert [d.code for d in diags] == ["identity-lock-unreadable"]
    assert not (tmp_path / "decks").exists()
    assert lock.read_text() == "version = 1\n[[note]\n"


def test_derived_guids_are_short_and_plain():
    guid = derive_guid("coursera-rnn", fingerprint(fx.INDEX_STEM))
    assert len(guid) == 11 and guid.isalnum()
    assert derive_guid("coursera-rnn", fingerprint(fx.INDEX_STEM), 1) != guid


# The same guarantees, seen from a learner's collection.

def build(tmp_path: Path, docs, out: str, now: int = NOW) -> Path:
    target = tmp_path / out
    diags = build_decks(docs, target, tmp_path / "identity.lock", TEMPLATES, now=now)
    assert [d for d in diags if d.severity == "error"] == []
    return target / "all.apkg"


def test_inserting_a_question_adds_one_note_and_updates_just_the_ones_that_moved(tmp_path):
    v1 = build(tmp_path, fx.bank(), "v1")
    new = Question(id="coursera-rnn/q02", document="coursera-rnn", number="2", kind="single_choice",
                   stem="You are training an RNN, and find that your weights and activations are all taking on "
                        "the value of NaN (\"Not a Number\"). Which of these is the most likely cause of this "
                        "problem?",
                   source=SourceSpan(fx.COURSERA, 15, 19), section="Recurrent Neural Networks",
                   choices=(fx.Choice("Vanishing gradient problem.", False, 16),
                            fx.Choice("Exploding gradient problem.", True, 17)))
    # The reader renumbers: old q02..q04 become q03..q05, and their line numbers shift.
    docs = fx.bank()
    coursera = docs[0]
    first, *later = coursera.questions
    shifted = tuple(q.with_(source=replace(q.source, line_start=q.source.line_start + 8)) for q in later)
    inserted = fx.relabel(replace(coursera, questions=(first, fx.tagged(new), *shifted)))
    v2 = build(tmp_path, [inserted, *docs[1:]], "v2", now=NOW + 60)
    moved = {e.guid for e in read_lock(tmp_path / "identity.lock").notes if e.mtime == NOW + 60} - {
        e.guid for e in read_lock(tmp_path / "identity.lock").notes if "nan" in e.stem}
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, v1)
        before = notes_by_guid(col)
        log = import_package(col, v2)
        after = notes_by_guid(col)
    finally:
        col.close()
    assert (log.new, log.updated, log.conflicting) == (1, 3, 0)
    assert set(after) - set(before) == set(log.new_guids)
    assert set(log.updated_guids) == moved  # the three below the insertion now show their new number
    for guid in moved:
        assert (after[guid]["id"], after[guid]["cards"]) == (before[guid]["id"], before[guid]["cards"])
        assert after[guid]["fields"]["Source"] != before[guid]["fields"]["Source"]
    assert {g: after[g] for g in before if g not in moved} == {g: n for g, n in before.items() if g not in moved}


def test_typo_fix_updates_the_same_note(tmp_path):
    typo = fx.edit(fx.bank(), "coursera-rnn/q03", stem=fx.MANY_TO_ONE_STEM.replace("architecture", "architecure"))
    v1 = build(tmp_path, typo, "v1")
    v2 = build(tmp_path, fx.bank(), "v2", now=NOW + 60)
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, v1)
        before = notes_by_guid(col)
        log = import_package(col, v2)
        assert (log.new, log.updated) == (0, 1)
        (guid,) = log.updated_guids
        assert before[guid]["id"] == notes_by_guid(col)[guid]["id"]
        assert "many-to-one RNN architecture?" in notes_by_guid(col)[guid]["fields"]["Stem"]
    finally:
        col.close()


def test_reordering_adds_nothing_and_updates_only_the_renumbered_notes_in_place(tmp_path):
    v1 = build(tmp_path, fx.bank(), "v1")
    docs = fx.bank()
    docs[0] = fx.relabel(replace(docs[0], questions=docs[0].questions[::-1]))
    v2 = build(tmp_path, docs[::-1], "v2", now=NOW + 60)
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, v1)
        before = notes_by_guid(col)
        log = import_package(col, v2)
        after = notes_by_guid(col)
    finally:
        col.close()
    # The reversed quiz's four questions now carry other numbers, which their cards show ("question 4" became
    # "question 1"); the documents' order in the bank changes nothing.
    renumbered = {g for g, n in before.items() if n["fields"]["Source"].startswith("Coursera")}
    assert (log.new, log.updated, log.conflicting) == (0, 4, 0) and set(log.updated_guids) == renumbered
    assert {g: (n["id"], n["cards"]) for g, n in after.items()} == {g: (n["id"], n["cards"]) for g, n in before.items()}
    assert {g: n for g, n in after.items() if g not in renumbered} == \
        {g: n for g, n in before.items() if g not in renumbered}
