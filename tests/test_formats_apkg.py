"""Anki packages read as documents: a package this project wrote reads back to the same questions, and a deck
of basic and cloze notes made with the official `anki` package reads to the right questions."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import build, load_document
from pipeline.formats import read_document

anki_collection = pytest.importorskip("anki.collection")

BANK = """# Gated cells

## Gates

### Question 1

Which gate of an LSTM decides what the cell state forgets?

A. The input gate
B. The forget gate
C. The output gate

Answer: B

Explanation: The forget gate scales $c^{\\langle t-1 \\rangle}$ by values between 0 and 1.

### Question 2

Which of these cells have gates?

A. LSTM
B. Vanilla RNN
C. GRU

Answer: A, C

### Question 3

What does BPTT stand for?

Answer: Backpropagation through time, the gradient of an unrolled network.
"""


def _same(doc) -> list[tuple]:
    return [(q.kind, q.stem, tuple((c.text, c.correct) for c in q.choices), q.answer if not q.choices else "")
            for q in doc.questions]


def test_a_package_this_project_wrote_reads_back_to_the_same_questions(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    source = seeds / "gated.md"
    source.write_text(BANK, encoding="utf-8")
    diags = build([source], tmp_path / "build", seeds_dir=seeds, outputs=["decks"])
    assert not [d for d in diags if d.severity == "error"]
    package = tmp_path / "build" / "decks" / "gated.apkg"
    back = load_document(package)
    original = load_document(source)
    assert back.dialect == "Anki package" and back.title == "Gated cells"
    assert _same(back) == _same(original)
    assert back.questions[0].explanation == original.questions[0].explanation


def _deck(tmp_path: Path) -> anki_collection.Collection:
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    deck = col.decks.id("Sequence models::Gates")
    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"] = "What does <b>BPTT</b> stand for?"
    basic["Back"] = "Backpropagation through time<br><img src=\"unrolled.png\">"
    basic.tags = ["acronyms"]
    col.add_note(basic, deck)
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "A GRU has {{c1::two}} gates and an LSTM has {{c2::three::how many?}}."
    cloze["Back Extra"] = "Count the sigmoid layers."
    col.add_note(cloze, deck)
    maths = col.new_note(col.models.by_name("Basic"))
    maths["Front"] = "What is the range of \\(\\tanh(x)\\)?"
    maths["Back"] = "\\((-1, 1)\\)"
    col.add_note(maths, deck)
    return col


def test_basic_and_cloze_notes_become_questions(tmp_path: Path) -> None:
    col = _deck(tmp_path)
    package = tmp_path / "gates.apkg"
    col.export_anki_package(out_path=str(package), options=anki_collection.ExportAnkiPackageOptions(
        with_scheduling=False, with_media=True, legacy=False), limit=None)
    col.close()
    doc = read_document(package)
    basic, cloze, maths = doc.questions
    assert doc.title == "Gates"
    assert (basic.kind, basic.stem, basic.answer) == ("open", "What does **BPTT** stand for?",
                                                      "Backpropagation through time")
    assert basic.tags == ("acronyms",) and basic.section == "Gates"
    assert [(f.where, f.supplied) for f in basic.figures] == [("answer", False)]
    assert cloze.stem == "A GRU has _____ gates and an LSTM has [how many?]."
    assert cloze.answer == "two; three" and cloze.explanation == "Count the sigmoid layers."
    assert (maths.stem, maths.answer) == ("What is the range of $\\tanh(x)$?", "$(-1, 1)$")
    assert [q.source.line_start for q in doc.questions] == [1, 2, 3]


def test_a_collection_package_reads_like_a_deck(tmp_path: Path) -> None:
    col = _deck(tmp_path)
    package = tmp_path / "everything.colpkg"
    col.export_collection_package(str(package), include_media=True, legacy=False)
    doc = read_document(package)
    assert [q.stem.split(" ")[0] for q in doc.questions] == ["What", "A", "What"]


def test_a_damaged_package_is_an_error(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "broken.apkg"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("collection.anki2", b"not a database")
    doc = read_document(bad)
    assert not doc.questions and [d.code for d in doc.diagnostics] == ["unreadable"]
