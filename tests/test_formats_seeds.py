"""Every supported file dropped into seeds/ becomes cards and exam questions with no overlay; a file of
another kind is named as skipped with the reason; the Makefile rebuilds when any document changes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from docx_fixtures import item, new_document, numbering, save
from project import copy_project
from pipeline.__main__ import main
from pipeline.build import seed_paths, seed_skips
from test_formats_gift import AIKEN, FIXTURES
from test_formats_html import STATIC

ROOT = Path(__file__).resolve().parent.parent

PLAIN = """Sequence models, plain notes

1. What does an RNN share across time steps?
Answer: its weights.

2. What does the decoder of a seq2seq model start from?
Answer: the encoder's last hidden state.
"""


def _word(path: Path) -> Path:
    d = new_document()
    d.add_heading("Word quiz", 0)
    qs = numbering(d, ("decimal", "%1."), ("lowerLetter", "%2)"))
    item(d, "Which gate of a GRU decides how much of the past to keep?", qs)
    for i, t in enumerate(["The update gate", "The output gate"]):
        item(d, t, qs, 1, highlight=i == 0)
    item(d, "Which gate of a GRU is applied before the candidate?", qs)
    for i, t in enumerate(["The forget gate", "The reset gate"]):
        item(d, t, qs, 1, highlight=i == 1)
    return save(d, path)


def _anki(path: Path, tmp: Path) -> Path:
    collection = pytest.importorskip("anki.collection")
    col = collection.Collection(str(tmp / "collection.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = "What does a many-to-one RNN output?"
    note["Back"] = "One value after the last step."
    col.add_note(note, col.decks.id("My deck"))
    col.export_anki_package(out_path=str(path), options=collection.ExportAnkiPackageOptions(
        with_scheduling=False, with_media=False, legacy=False), limit=None)
    col.close()
    return path


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    _word(folder / "word-quiz.docx")
    (folder / "saved-page.html").write_text(STATIC, encoding="utf-8")
    (folder / "moodle.gift").write_text(FIXTURES["choices"], encoding="utf-8")
    (folder / "aiken.txt").write_text(AIKEN, encoding="utf-8")
    (folder / "plain.txt").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "anki").mkdir()
    _anki(folder / "deck.apkg", tmp_path / "anki")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4 not a study document")
    (folder / "quiz.fixes.toml").write_text("", encoding="utf-8")  # an overlay: a project input, not skipped
    (folder / "exams.toml").write_text("""[[exam]]
name = "mixed"
title = "Every format"
versions = 1
seed = 1
shuffle_questions = false

[[exam.draw]]
answered = true
""", encoding="utf-8")
    return folder


def test_every_supported_file_is_a_document_and_the_others_are_named(seeds: Path) -> None:
    assert [p.name for p in seed_paths(seeds)] == ["aiken.txt", "deck.apkg", "moodle.gift", "plain.txt",
                                                    "saved-page.html", "word-quiz.docx"]
    (skip,) = seed_skips(seeds)
    assert skip.file.endswith("seeds/slides.pdf") and skip.code == "file-skipped" and "`.pdf`" in skip.message


def test_check_reports_every_format_and_the_skipped_file(seeds: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(seeds.parent)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "seeds/slides.pdf: warning[file-skipped]" in out
    for line in ("seeds/word-quiz.docx [Word, list items] “Word quiz”: 2 questions",
                 "seeds/saved-page.html [web page, list items]", "seeds/moodle.gift [GIFT]",
                 "seeds/aiken.txt [Aiken]", "seeds/plain.txt [list items]", "seeds/deck.apkg [Anki package]"):
        assert line in out, line
    assert "6 documents, 11 questions: 0 errors" in out


@pytest.mark.slow
def test_every_format_becomes_cards_and_exam_questions(seeds: Path, monkeypatch, capsys) -> None:
    from tests.ankiimport import import_package, open_collection

    (seeds.parent / "templates").symlink_to(ROOT / "templates")
    monkeypatch.chdir(seeds.parent)
    assert main(["build", "--seeds", "seeds", "--out", "build"]) == 0
    assert "slides.pdf: warning[file-skipped]" in capsys.readouterr().err
    bank = json.loads((seeds.parent / "build" / "questions.json").read_text(encoding="utf-8"))
    assert sorted({q["document"] for q in bank}) == ["aiken", "deck", "moodle", "plain", "saved-page", "word-quiz"]
    col = open_collection(seeds.parent / "col")
    import_package(col, seeds.parent / "build" / "decks" / "word-quiz.apkg")
    fronts = [col.get_note(n)["Stem"] for n in col.find_notes("")]
    assert any("how much of the past to keep" in f for f in fronts)
    col.close()
    key = PdfReader(seeds.parent / "build" / "exams" / "mixed-A-key.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in key.pages)
    for stem in ("how much of the past to keep", "hidden state between time steps", "previous cell state",
                 "many-to-one RNN output", "share across time steps"):
        assert stem in text, stem


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU Make")
def test_the_makefile_rebuilds_when_a_word_file_changes(tmp_path: Path) -> None:
    copy_project(tmp_path, code=True)
    _word(tmp_path / "seeds" / "word quiz.docx")
    (tmp_path / "build").mkdir()
    later = time.time() + 10
    for stamp in (".decks.stamp", ".exams.stamp"):
        (tmp_path / "build" / stamp).touch()
        os.utime(tmp_path / "build" / stamp, (later, later))

    def plan() -> set[str]:
        out = subprocess.run(["make", "-n", "-o", ".venv/.installed", "decks", "exams"], cwd=tmp_path,
                             capture_output=True, text=True, check=True).stdout
        return {line.split("pipeline build", 1)[1].strip() for line in out.splitlines() if "pipeline build" in line}

    assert plan() == set()
    even_later = time.time() + 20
    os.utime(tmp_path / "seeds" / "word quiz.docx", (even_later, even_later))
    assert plan() == {"--decks", "--exams"}
