"""The parent deck comes from seeds/decks.toml: a deck on another subject is named for it, a bad file is said."""
from __future__ import annotations

from pathlib import Path

import anki_fixtures as fx
from ankiimport import import_package, open_collection
from pipeline.render.anki import build_decks
from pipeline.select.decktree import DeckTree, parse_deck_tree

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NOW = 1_700_000_000


def test_the_seeds_name_their_subject():
    tree, diags = parse_deck_tree((ROOT / "seeds/decks.toml").read_text(encoding="utf-8"), "seeds/decks.toml")
    assert diags == [] and tree is not None
    assert tree.name == "Recurrent Neural Networks"


def test_another_subject_gets_its_own_parent_deck_and_unanswered_questions_stay_apart(tmp_path):
    settings = tmp_path / "decks.toml"
    settings.write_text('[deck]\nname = "Courses :: Sequence   Models"\ndescription = "Quizzes."\nunanswered = true\n',
                        encoding="utf-8")
    diags = build_decks(fx.practised(fx.bank()), tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW,
                        tree=settings)
    assert [d for d in diags if d.severity == "error"] == []
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "decks" / "all.apkg")
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert "Courses::Sequence Models::RNN interview questions" in names
        assert "Unanswered questions::Deep Learning book, chapter 10" in names
        assert not [n for n in names if n.startswith("Recurrent Neural Networks")]
        parent = col.decks.by_name("Courses::Sequence Models")
        assert parent["desc"] == "Quizzes."
        # 10 questions, 2 unanswered, and 3 practice notes for the numeric question
        assert len(col.find_cards('"deck:Courses::Sequence Models"')) == 8 + 3
    finally:
        col.close()


def test_without_settings_the_parent_deck_is_named_for_no_subject(tmp_path):
    assert parse_deck_tree("", "decks.toml") == (DeckTree(), [])
    diags = build_decks(fx.bank(), tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW,
                        tree=tmp_path / "missing.toml")
    assert [d for d in diags if d.severity == "error"] == []
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "decks" / "all.apkg")
        assert "Study questions::RNN interview questions" in {d.name for d in col.decks.all_names_and_ids()}
    finally:
        col.close()


def test_a_bad_settings_file_is_reported_at_its_line_and_the_decks_are_kept(tmp_path):
    def problems(text: str) -> list[str]:
        tree, diags = parse_deck_tree(text, "seeds/decks.toml")
        assert tree is None
        return [str(d) for d in diags]

    assert problems('[deck]\nname = "A"\ntitle = "B"\n') == [
        "seeds/decks.toml:3: error[deck-settings-invalid]: unknown key `title` in [deck] (known: description, name, practice, unanswered)"]
    assert problems('# the parent deck\n[deck]\nname = 3\n') == [
        "seeds/decks.toml:3: error[deck-settings-invalid]: `name` must be the parent deck's name as text, not 3"]
    assert problems('[deck]\nname = "A::"\n') == [
        "seeds/decks.toml:2: error[deck-settings-invalid]: `name` must be the parent deck's name as text, not \"A::\""]
    assert problems('[decks]\nname = "A"\n') == [
        "seeds/decks.toml:1: error[deck-settings-invalid]: unknown table or key `decks` (the file has a [deck] table)"]
    (message,) = problems('[deck]\nname = "A\n')
    assert message.startswith("seeds/decks.toml:2: error[deck-settings-invalid]: not valid TOML")

    settings = tmp_path / "decks.toml"
    settings.write_text('[deck]\nname = "Sequence Models"\n', encoding="utf-8")
    build_decks(fx.bank(), tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW, tree=settings)
    before = {p.name: p.read_bytes() for p in (tmp_path / "decks").iterdir()}
    settings.write_text('[deck]\nname = ""\n', encoding="utf-8")
    diags = build_decks(fx.edit(fx.bank(), "rnn-interview/q1", answer="Changed."), tmp_path / "decks",
                        tmp_path / "identity.lock", TEMPLATES, now=NOW + 60, tree=settings)
    assert [d.code for d in diags if d.severity == "error"] == ["deck-settings-invalid"]
    assert {p.name: p.read_bytes() for p in (tmp_path / "decks").iterdir()} == before


def test_unanswered_questions_are_packed_only_when_the_settings_ask(tmp_path):
    assert DeckTree().unanswered is False
    assert parse_deck_tree("[deck]\nunanswered = true\n", "decks.toml")[0].unanswered is True
    _, diags = parse_deck_tree('[deck]\nunanswered = "yes"\n', "decks.toml")
    assert [str(d) for d in diags] == ['decks.toml:2: error[deck-settings-invalid]: `unanswered` must be true or '
                                       'false, not "yes"']
    settings = tmp_path / "decks.toml"
    settings.write_text('[deck]\nname = "Courses"\n', encoding="utf-8")
    build_decks(fx.practised(fx.bank()), tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW, tree=settings)
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "decks" / "all.apkg")
        assert col.find_cards("tag:unanswered") == []
        assert not [n for n in col.decks.all_names() if n.startswith("Unanswered")]
        assert len(col.find_cards('"deck:Courses"')) == 8 + 3  # the answered questions and their practice
    finally:
        col.close()
