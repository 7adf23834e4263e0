"""Practice notes: each question the reference model computes from gets fresh numbers in a Practice subdeck.
Every practice answer is recomputed here, with sympy, from the sizes its card prints."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from project import copy_project
from pipeline.compute import practice
from pipeline.select.decktree import parse_deck_tree
from tests.closed_forms import N_H, N_X, N_Y, parameters
from tests.ankiimport import import_package, notes_by_guid, open_collection

ROOT = Path(__file__).resolve().parent.parent
def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "build", "--decks"], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    copy_project(root)
    run = build(root)
    assert run.returncode == 0, run.stderr
    return root


@pytest.fixture(scope="module")
def drills(project, tmp_path_factory) -> list[dict]:
    col = open_collection(tmp_path_factory.mktemp("anki"))
    try:
        assert import_package(col, project / "build/decks/all.apkg").new == col.note_count()  # nothing twice
        found = []
        for cid in col.find_cards('"deck:*::Practice"'):
            card = col.get_card(cid)
            note = card.note()
            found.append({"deck": col.decks.name(card.did), "fields": dict(note.items()), "tags": note.tags})
        return found
    finally:
        col.close()


def plain(html_text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html_text)
    return " ".join(re.sub(r"\\\(|\\\)|\\,|\{|\}", " ", text).split())


def test_each_computed_question_has_three_practice_notes_in_its_documents_practice_subdeck(drills) -> None:
    decks = sorted(d["deck"] for d in drills)
    assert decks == sorted([f"Recurrent Neural Networks::{title}::Practice"
                            for title in ("RNN Exercises", "Sequence Models Quiz", "Interview Questions")
                            for _ in range(3)])
    assert all("practice" in d["tags"] for d in drills)


def test_parameter_counts_cover_rnn_lstm_and_gru_under_both_bias_conventions_and_are_right(drills) -> None:
    seen = set()
    for d in drills:
        stem = plain(d["fields"]["Stem"])
        m = re.search(r"does an? (RNN|LSTM|GRU) layer hold", stem)
        if not m:
            continue
        at = {N_X: int(re.search(r"n_x = (\d+)", stem)[1]), N_H: int(re.search(r"n_h = (\d+)", stem)[1]),
              N_Y: int(re.search(r"n_y = (\d+)", stem)[1])}
        biases = 2 if "two bias vectors per gate" in stem else 1
        assert biases == 2 or "one bias vector per gate" in stem
        assert plain(d["fields"]["Value"]).split()[-1] == str(parameters(m[1], biases, True).subs(at)), stem
        seen.add((m[1], biases))
    assert {cell for cell, _ in seen} == {"RNN", "LSTM", "GRU"} and {b for _, b in seen} == {1, 2}


def test_gate_and_shape_practice_answers_follow_the_printed_sizes(drills) -> None:
    kinds = set()
    for d in drills:
        stem, value = plain(d["fields"]["Stem"]), plain(d["fields"]["Value"])
        if gate := re.search(r"n_h = (\d+) \. What is the dimension of its (\w+) gate", stem):
            assert value.split()[-1] == gate[1]
            kinds.add("gate")
        elif shape := re.search(r"with (\d+) units reads a batch of (\d+) sequences of (\d+) time steps", stem):
            units, batch, steps = shape.groups()
            every = "returns the output of every time step" in stem
            assert (f"[{batch}, {steps}, {units}]" if every else f"[{batch}, {units}]") in value, (stem, value)
            kinds.add("shape")
    assert kinds == {"gate", "shape"}


def test_a_practice_card_names_the_mistakes_behind_common_wrong_answers(drills) -> None:
    card = next(d for d in drills if "does an RNN layer hold" in plain(d["fields"]["Stem"]))
    stem, notes = plain(card["fields"]["Stem"]), plain(card["fields"]["Notes"])
    at = {s: int(re.search(rf"{s} = (\d+)", stem)[1]) for s in (N_X, N_H, N_Y)}
    biases = 2 if "two bias vectors" in stem else 1
    wrong = dict((m, int(v)) for v, m in re.findall(r"(\d+) if you ([^;.]+)", notes))
    assert wrong["forgot the biases"] == parameters("RNN", 0, True).subs(at) - at[N_Y]  # no output bias either
    other = "used two bias vectors per gate (PyTorch/cuDNN) instead of one" if biases == 1 else \
        "used one bias vector per gate (Keras) instead of two (PyTorch/cuDNN)"
    assert wrong[other] == parameters("RNN", 3 - biases, True).subs(at)


def test_rebuilding_changes_nothing_and_a_larger_count_only_adds_notes(project, tmp_path) -> None:
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, project / "build/decks/all.apkg")
        before = notes_by_guid(col)
        assert build(project).returncode == 0
        again = import_package(col, project / "build/decks/all.apkg")
        assert (again.new, again.updated) == (0, 0) and col.note_count() == 57  # 48 answered, 9 practice

        settings = project / "seeds/decks.toml"
        text = settings.read_text(encoding="utf-8")
        assert "practice = 3\n" in text
        settings.write_text(text.replace("practice = 3\n", "practice = 5\n"), encoding="utf-8")
        assert build(project).returncode == 0
        more = import_package(col, project / "build/decks/all.apkg")
        assert (more.new, more.updated) == (6, 0)  # 2 more for each of the 3 questions, the others untouched
        assert col.note_count() == 63 and len(col.find_cards('"deck:*::Practice"')) == 15
        after = notes_by_guid(col)
        assert all(after[g]["fields"] == n["fields"] for g, n in before.items())

        settings.write_text(text.replace("practice = 3\n", "practice = 1\n"), encoding="utf-8")
        assert build(project).returncode == 0
        fewer = import_package(col, project / "build/decks/all.apkg")
        assert (fewer.new, fewer.updated) == (0, 0) and col.note_count() == 63  # retired, nothing duplicated
        kept = notes_by_guid(col)
        assert all(kept[g]["fields"] == n["fields"] for g, n in after.items())
    finally:
        col.close()


def test_practice_numbers_do_not_change_when_the_document_is_renumbered(questions) -> None:
    q = questions["rnn-interview/q04"]
    moved = q.with_(id="rnn-interview/q05", number="5")
    assert [p.stem for p in practice.practice_questions(q, 3)] == [p.stem for p in practice.practice_questions(moved, 3)]
    assert [p.id for p in practice.practice_questions(moved, 2)] == ["rnn-interview/q05/practice-1",
                                                                     "rnn-interview/q05/practice-2"]


def test_a_practice_count_that_is_not_a_small_whole_number_is_an_error_at_its_line() -> None:
    for bad in ("-1", "2.5", '"3"', "21"):
        settings, diags = parse_deck_tree(f'[deck]\nname = "X"\npractice = {bad}\n', "seeds/decks.toml")
        assert settings is None and [(d.code, d.line) for d in diags] == [("deck-settings-invalid", 3)], bad
    assert parse_deck_tree('[deck]\nname = "X"\npractice = 0\n', "seeds/decks.toml")[0].practice == 0


def test_make_check_lists_varied_questions_their_ranges_checks_and_practice_notes() -> None:
    run = subprocess.run([sys.executable, "-m", "pipeline", "check", "seeds/rnn-exercises.md"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    (varied,) = [line for line in run.stdout.splitlines() if line.strip().startswith("varied ")]
    assert "rnn-exercises/task1-q1: varies n_h in [32, 64, 128, 256], n_x from 10 to 50" in varied
    assert varied.count("the model's forward pass gives") == 3 and "the closed form" in varied
    drills = [line for line in run.stdout.splitlines() if line.strip().startswith("practice ")]
    assert [line.split(":")[0].split()[-1] for line in drills] == [
        f"rnn-exercises/task1-q1/practice-{k}" for k in (1, 2, 3)]
    assert all("the closed form agrees" in line for line in drills)


def test_many_practice_notes_are_all_different_or_the_shortfall_is_said(bank) -> None:
    (doc,) = [d for d in bank if d.slug == "coursera-rnn"]
    drilled, diags = practice.with_practice(doc, 12)
    stems = [q.stem for q in drilled.questions if practice.is_practice(q)]
    assert len(stems) == len(set(stems)) and len(stems) <= 12
    assert bool(diags) == (len(stems) < 12)
    assert all(d.code == "practice-short" and d.line == 83 for d in diags)


def test_only_the_notes_made_here_are_practice_notes(questions) -> None:
    own = questions["dl-book-ch10/10.1.1"].with_(section="Practice", tags=("practice",))
    assert not practice.is_practice(own)  # an unanswered question in a section called Practice stays unanswered
    assert all(practice.is_practice(p) for p in practice.practice_questions(questions["rnn-exercises/task1-q1"], 2))


def test_make_check_and_the_decks_show_the_same_practice_notes_at_the_deck_trees_count(tmp_path) -> None:
    """Practice notes are made once, by the compute stage: `check` lists the ones the decks hold, as many
    per question as decks.toml asks for."""
    root = tmp_path / "project"
    copy_project(root)
    tree = root / "seeds/decks.toml"
    assert "practice = 3" in tree.read_text(encoding="utf-8")
    tree.write_text(tree.read_text(encoding="utf-8").replace("practice = 3", "practice = 2"), encoding="utf-8")
    assert build(root).returncode == 0
    run = subprocess.run([sys.executable, "-m", "pipeline", "check"], cwd=root, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    listed = re.findall(r"^\s+practice \S+: .*? (\d+|\[[\d, ]+\]) \(", run.stdout, re.M)
    assert len(listed) == 3 * 2
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, root / "build/decks/all.apkg")
        held = [plain(col.get_card(c).note()["Value"]) for c in col.find_cards('"deck:*::Practice"')]
    finally:
        col.close()
    assert len(held) == 6 and sorted(v.split(": ")[-1] for v in held) == sorted(listed)
