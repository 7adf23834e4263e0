"""The five documents' decks, built by the real driver and imported with the official Anki backend."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from project import copy_project
from pipeline.select.identity import parse_lock
from pipeline.markup import mathjax, to_html
from tests.ankiimport import import_package, notes_by_guid, open_collection

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's inputs, so edits and rebuilds never touch the real seeds or lock."""
    root = tmp_path_factory.mktemp("project")
    copy_project(root)
    # Every card is looked at here, the unanswered ones too: this copy asks for them (the shipped one does not).
    settings = root / "seeds/decks.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "unanswered = true\n", encoding="utf-8")
    return root


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "build", "--decks"], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def collection(project, tmp_path_factory):
    run = build(project)
    assert run.returncode == 0, run.stderr
    col = open_collection(tmp_path_factory.mktemp("anki"))
    log = import_package(col, project / "build/decks/all.apkg")
    yield col, log
    col.close()


def card_of(col, stem_part: str):
    note_ids = [nid for nid in col.find_notes("") if stem_part in " ".join(col.get_note(nid).fields)]
    assert len(note_ids) == 1, f"{len(note_ids)} notes contain {stem_part!r}"
    return col.get_note(note_ids[0]).cards()[0]


def test_every_question_is_one_note_with_one_card(collection):
    col, log = collection
    # 85 questions, and 3 practice notes for each of the 3 questions the reference model computes from
    assert log.new == 85 + 9
    assert col.note_count() == 94 and col.card_count() == 94


def test_each_document_is_a_subdeck_and_unanswered_questions_are_kept_out_of_the_studied_tree(collection):
    col, _ = collection
    names = set(col.decks.all_names())
    for title in ("RNN Quiz", "Sequence Models Quiz", "Interview Questions", "RNN Exercises",
                  "Deep Learning Book, Chapter 10"):
        assert f"Recurrent Neural Networks::{title}" in names
    unanswered = col.find_cards("tag:unanswered")
    assert len(unanswered) == 37  # 38 questions, one answered by a computation (10.9.1)
    assert set(col.find_cards('"deck:Unanswered questions::Deep Learning Book, Chapter 10"')) == set(unanswered)
    studied = col.find_cards('"deck:Recurrent Neural Networks"')  # the parent and every deck under it
    assert len(studied) == 85 - 37 + 9 and not set(studied) & set(unanswered)  # with 9 practice notes
    assert col.find_cards('"deck:Recurrent Neural Networks::Deep Learning Book, Chapter 10"') == \
        col.find_cards('"deck:Recurrent Neural Networks::Deep Learning Book, Chapter 10" -tag:unanswered')


def test_an_unanswered_card_points_to_the_book_section_to_read(collection):
    col, _ = collection
    for cid in col.find_cards("tag:unanswered"):
        back = _shown(col.get_card(cid).answer())
        assert "The source gives no answer to this question. Read Deep Learning Book, Chapter 10, section 10." \
            in back, back
    back = _shown(card_of(col, "Under what independence assumptions").answer())
    assert "Read Deep Learning Book, Chapter 10, section 10.2 Recurrent Neural Networks to answer it." in back
    assert back.endswith("Deep Learning Book, Chapter 10, section 10.2 Recurrent Neural Networks, question 10.2.2")


def test_numeric_card_shows_the_computed_total_and_breakdown(collection):
    col, _ = collection
    card = card_of(col, "Calculate the number of parameters")
    answer = card.answer()
    assert "20362" in answer and "2560" in answer and "16384" in answer
    assert "hidden-to-hidden" in answer and "-&gt;" not in answer


def test_numeric_headlines_answer_the_question_asked(collection):
    col, _ = collection
    shapes = _shown(card_of(col, "How many dimensions must the inputs").answer())
    assert "Input shape: 3 dimensions: batch size, time steps, features per time step" in shapes
    assert "Output shape: 3 dimensions: batch size, time steps, number of units" in shapes
    assert shapes.index("3 dimensions") < shapes.index("[5, 10, 2]")  # the shapes are the worked example
    total = _shown(card_of(col, "Calculate the number of parameters").answer())
    assert "Parameter total: 20362" in total and "for 5 time steps as for 10" in total


def test_choice_card_marks_the_correct_option(collection):
    col, _ = collection
    card = card_of(col, "10000 word vocabulary")
    question, answer = card.question(), card.answer()
    assert "\\(\\Gamma_u\\)" in question and "\\rm M" not in question
    correct = re.findall(r'<li class="correct">.*?</li>', answer, flags=re.S)
    assert len(correct) == 1 and ">100<" in correct[0]


def _shown(html_text: str) -> str:
    """What a reader sees of a piece of HTML: its text, tags removed and entities read."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", html_text)).split())


def test_every_choice_card_says_why_its_answer_is_right(collection):
    col, _ = collection
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    choice = [n for n in notes if "Options" in n.keys()]
    assert len(choice) == 11
    for note in choice:
        back = note.cards()[0].answer()
        (shown,) = re.findall(r'<div class="explanation">(.*?)</div>\n', back, flags=re.S)
        assert len(_shown(shown)) > 40, _shown(note["Stem"])
    many_to_one = card_of(col, "many-to-one RNN architecture").answer()
    assert "Speech recognition outputs a sequence, a transcript, so it is many-to-many" in _shown(many_to_one)


def test_no_card_names_the_pipelines_internals(collection):
    col, _ = collection
    internals = ("seeds/", "fixes.toml", ".md", "NumPy", "reference model", "reference RNN", "overlay", "sympy")
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        for name, value in note.items():
            assert not [w for w in internals if w.lower() in value.lower()], (name, value)
        card = note.cards()[0]
        assert not [w for w in internals if w in card.question() + card.answer()], _shown(note["Stem"])
    for deck in col.decks.all_names_and_ids():
        description = col.decks.get(deck.id).get("desc", "")
        assert "seeds/" not in description and ".md" not in description, (deck.name, description)


def test_note_types_are_named_for_what_they_hold(collection):
    col, _ = collection
    names = {n.name for n in col.models.all_names_and_ids()}
    assert {"Choice question", "Open question", "Numeric question"} <= names
    assert not [n for n in names if "RNN" in n]


def test_no_dollar_math_or_unescaped_angle_bracket_reaches_a_field(collection):
    col, _ = collection
    for nid in col.find_notes(""):
        for field in col.get_note(nid).fields:
            assert "$" not in field
            for m in re.finditer(r"<", field):
                assert re.match(r"</?[a-z][a-z0-9]*[\s>/]", field[m.start():m.start() + 16]), field[m.start():][:40]


def _visible(markdown: str) -> str:
    """A field's text as the card shows it, for comparison with card.question()/answer()."""
    return to_html(markdown, mathjax, inline=True)


def test_every_card_shows_its_stem_options_and_answer(project, collection, bank):
    col, _ = collection
    lock, _ = parse_lock((project / "seeds/identity.lock").read_text(encoding="utf-8"), "identity.lock")
    guids = {e.id: e.guid for e in lock.notes}
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        assert note.guid not in notes, "two notes share a GUID"
        notes[note.guid] = note
    for doc in bank:
        for q in doc.questions:
            card = notes[guids[q.id]].cards()[0]
            front, back = card.question(), card.answer()
            first_paragraph = q.stem.split("\n\n")[0]
            assert _visible(first_paragraph)[:60] in front, q.id
            for c in q.choices:
                assert _visible(c.text) in front, (q.id, c.text)
            marked = re.findall(r'<li class="correct">', back)
            assert len(marked) == sum(c.correct for c in q.choices), q.id
            if q.answer:
                assert _visible(q.answer.split("\n\n")[0])[:60] in back, q.id
            if not q.answered:
                assert "unanswered" in back.lower() or "no answer" in back.lower(), q.id
            assert f"{q.source.file}" in back or doc.title in back, q.id


def test_unchanged_rebuild_reimports_as_nothing_new(project, collection):
    col, _ = collection
    before = (project / "build/decks/all.apkg").read_bytes()
    assert build(project).returncode == 0
    assert (project / "build/decks/all.apkg").read_bytes() == before
    log = import_package(col, project / "build/decks/all.apkg")
    assert (log.new, log.updated) == (0, 0)


def test_editing_one_answer_updates_exactly_that_note(project, collection):
    col, _ = collection
    seed = project / "seeds/rnn-interview.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace(
        "Use a smaller learning rate.", "Use a smaller learning rate, or warm it up."), encoding="utf-8")
    card = card_of(col, "difficulties")
    assert build(project).returncode == 0
    log = import_package(col, project / "build/decks/all.apkg")
    assert (log.new, log.updated) == (0, 1)
    assert "warm it up" in col.get_card(card.id).answer()


def test_committed_identity_lock_matches_the_bank(bank, tmp_path):
    """A build from a clean checkout must not rewrite seeds/identity.lock: commit it after every change."""
    from pipeline.build import practice_for
    from pipeline.render.anki import build_decks

    lock = tmp_path / "identity.lock"
    shutil.copy(ROOT / "seeds/identity.lock", lock)
    drills, _ = practice_for(bank)
    docs = [replace(doc, questions=doc.questions + drills.get(doc.path, ())) for doc in bank]
    diags = build_decks(docs, tmp_path / "decks", lock, ROOT / "templates")
    assert not [d for d in diags if d.severity == "error"]
    assert lock.read_text(encoding="utf-8") == (ROOT / "seeds/identity.lock").read_text(encoding="utf-8"), \
        "seeds/identity.lock is out of date: run `make decks` and commit it"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU Make")
def test_a_deleted_lock_is_rebuilt_from_the_last_build_and_said(tmp_path):
    """`make decks` after deleting seeds/identity.lock: Make rebuilds, the build recovers every identity from
    its copy under build/ and says so, so an edited question updates its note instead of duplicating it."""
    copy_project(tmp_path, code=True)

    def make() -> subprocess.CompletedProcess:
        return subprocess.run(["make", "-o", ".venv/.installed", "decks"], cwd=tmp_path, capture_output=True,
                              text=True)

    assert make().returncode == 0
    committed = (tmp_path / "seeds/identity.lock").read_text(encoding="utf-8")
    col = open_collection(tmp_path / "anki")
    try:
        assert import_package(col, tmp_path / "build/decks/all.apkg").new == 57  # 48 answered questions, 9 practice
        (tmp_path / "seeds/identity.lock").unlink()
        seed = tmp_path / "seeds/rnn-interview.md"  # a reworded stem: a new GUID if nothing remembered the old
        seed.write_text(seed.read_text(encoding="utf-8").replace(
            "How can you handle them?", "How can you deal with them?"), encoding="utf-8")
        run = make()
        assert run.returncode == 0 and "Nothing to be done" not in run.stdout
        assert "seeds/identity.lock: warning[identity-lock-missing]: seeds/identity.lock is missing; the " \
               "identities of the last deck build were recovered from build/identity.lock" in run.stderr
        log = import_package(col, tmp_path / "build/decks/all.apkg")
        assert (log.new, log.updated) == (0, 1)  # one note updated in place, none duplicated, none touched
    finally:
        col.close()
    before = {e.guid: e for e in parse_lock(committed, "before")[0].notes}
    after = {e.guid: e for e in parse_lock((tmp_path / "seeds/identity.lock").read_text(encoding="utf-8"),
                                           "after")[0].notes}
    assert set(after) == set(before)
    (edited,) = [g for g in after if after[g] != before[g]]
    assert after[edited].mtime > before[edited].mtime and after[edited].id == before[edited].id
    assert "Nothing to be done" in make().stdout


def test_a_lock_lost_with_no_copy_left_is_a_warning(bank, tmp_path):
    from pipeline.render.anki import build_decks

    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "all.apkg").write_bytes(b"an earlier build's package")  # decks were built here before
    diags = build_decks(bank, tmp_path / "decks", tmp_path / "identity.lock", ROOT / "templates",
                        record=tmp_path / "copy.lock")
    assert [str(d) for d in diags if d.severity != "info"] == [
        f"{tmp_path.as_posix()}/identity.lock: warning[identity-lock-missing]: {tmp_path.as_posix()}/identity.lock "
        "is missing and no earlier deck build left a copy: every note gets a new GUID, and learners who imported "
        "earlier decks get duplicates; restore the lock from version control if it was committed"]
    assert (tmp_path / "identity.lock").read_text() == (tmp_path / "copy.lock").read_text()


def test_a_question_inserted_at_the_top_is_one_new_note_and_every_moved_note_updates_in_place(tmp_path):
    """The cards after the insertion show a new source line: each must reach the learner, in place."""
    root = tmp_path / "project"
    copy_project(root)
    assert build(root).returncode == 0
    col = open_collection(tmp_path / "anki")
    try:
        assert import_package(col, root / "build/decks/all.apkg").new == 57  # 48 answered questions, 9 practice
        for cid in col.find_cards(""):  # a learner who has studied every card once
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
        before = notes_by_guid(col)

        seed = root / "seeds/rnn-interview.md"
        text = re.sub(r"^Q(\d+):", lambda m: f"Q{int(m[1]) + 1}:", seed.read_text(encoding="utf-8"), flags=re.M)
        seed.write_text(text.replace("RNN Theoretical Questions\n\n", "RNN Theoretical Questions\n\nQ1: What does "
                                     "the hidden state of an RNN hold?\n\nAnswer\n\nA summary of the inputs seen so "
                                     "far, updated at every time step.\n\n", 1), encoding="utf-8")
        assert build(root).returncode == 0
        written = _notes_in(root / "build/decks/all.apkg", tmp_path / "fresh")
        log = import_package(col, root / "build/decks/all.apkg")
        after = notes_by_guid(col)
    finally:
        col.close()
    assert log.new == 1 and log.conflicting == 0
    (added,) = set(after) - set(before)
    assert "hidden state of an RNN" in after[added]["fields"]["Stem"]
    moved = {g for g in before if written[g]["fields"] != before[g]["fields"]}
    assert len(moved) >= 17  # every later question of the document now sits lower in its file
    assert set(log.updated_guids) == moved
    for guid, note in before.items():
        assert after[guid]["fields"] == written[guid]["fields"], guid  # the learner sees what the build wrote
        assert (after[guid]["id"], after[guid]["cards"]) == (note["id"], note["cards"])
    assert col_revlog_counts(tmp_path / "anki") == {cid: 1 for n in before.values() for cid in n["cards"]}


def _notes_in(package: Path, folder: Path) -> dict[str, dict]:
    """The notes of a package as Anki reads them, imported into a collection of their own."""
    col = open_collection(folder)
    try:
        import_package(col, package)
        return notes_by_guid(col)
    finally:
        col.close()


def col_revlog_counts(folder: Path) -> dict[int, int]:
    """Reviews per card in a collection: the learner's history."""
    col = open_collection(folder)
    try:
        return dict(col.db.all("select cid, count() from revlog group by cid"))
    finally:
        col.close()


def test_a_display_formulas_line_break_is_kept_and_it_scrolls_on_a_phone(collection):
    # dl-book-ch10 10.2.6: `$$P(\mathbb{Y}) = ... = \\ P(...) \prod ...$$`, one line break outside any environment.
    col, _ = collection
    card = card_of(col, "arbitrary elments of a sequence")
    question = html.unescape(card.question())
    (formula,) = re.findall(r"\\\[(.*?)\\\]", question, flags=re.S)
    assert formula.startswith(r"\begin{aligned}&P(\mathbb{Y})") and formula.endswith(r"\end{aligned}")
    first, second = formula.split(r"\\")
    assert first.rstrip().endswith("=") and second.lstrip().startswith(r"&P(\boldsymbol{y}^{(t)}")
    css = card.note_type()["css"]
    assert re.search(r'mjx-container\[display="true"\][^}]*overflow-x: auto', css)


def test_the_shipped_decks_hold_no_unanswered_question(tmp_path):
    """Learners import what they can check: the 37 book questions the source leaves open stay out unless
    seeds/decks.toml asks for them (`unanswered = true`); their identities stay in the lock for that day."""
    for name in ("seeds", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    assert build(tmp_path).returncode == 0
    col = open_collection(tmp_path / "anki")
    try:
        assert import_package(col, tmp_path / "build/decks/all.apkg").new == 85 - 37 + 9
        assert col.find_cards("tag:unanswered") == [] and "Unanswered questions" not in col.decks.all_names()
    finally:
        col.close()
    lock = (tmp_path / "seeds/identity.lock").read_text(encoding="utf-8")
    assert 'id = "dl-book-ch10/10.2.2"' in lock or "dl-book-ch10/10.2.2" in lock
