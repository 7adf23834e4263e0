"""Figures: an overlay supplies those a document lacks; cards and papers show each with the text that refers
to it, and a question whose own figure is missing is suspended on cards and left off student papers."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.files import assets
from pipeline.curate import curation
from pipeline.build import load_document
from pipeline.render.anki import build_decks
from pipeline.files.cache import Store
from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import select_versions
from pipeline.model import Document, all_diagnostics
from pipeline.readers import read_bytes
from pipeline.render.exam.papers import write_exams

from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from ankiimport import IF_NEWER, import_package, open_collection

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DECKS = ROOT / "seeds" / "decks.toml"
SEEDS = ("seeds/coursera-rnn.md", "seeds/rnn-interview.md", "seeds/rnn-quiz.md")
NOW = 1_700_000_000

# One question points at a figure in its stem, the other refers to one in its answer.
QUIZ = """# Quiz

1. Consider this RNN:

Which architecture is it?

Answer: A many-to-many RNN.

2. Why clip gradients?

Answer: To stop them exploding, as shown below.
"""
FIX = '[[fix]]\nquestion = "Which architecture is it"\nwhy = "The export lost the figure."\n'  # lines 1-3


def curate(folder: Path, overlay: str, text: str = QUIZ) -> Document:
    (folder / "quiz.md").write_text(text, encoding="utf-8")
    (folder / "quiz.fixes.toml").write_text(overlay, encoding="utf-8")
    doc = read_bytes(text.encode("utf-8"), "quiz.md")
    return curation.apply(doc, curation.load_overlay(folder / "quiz.fixes.toml", "quiz.fixes.toml"))


def problems(doc: Document, code: str) -> list[str]:
    return [f"{d.file}:{d.line}: {d.message}" for d in all_diagnostics(doc) if d.code == code]


# --- the overlay --------------------------------------------------------------------------------------


def test_a_reader_records_where_each_missing_figure_belongs(tmp_path: Path) -> None:
    doc = read_bytes(QUIZ.encode("utf-8"), "quiz.md")
    stem, answer = doc.questions[0].figures, doc.questions[1].figures
    assert [(f.where, f.line, f.supplied) for f in stem] == [("stem", 3, False)]
    assert [(f.where, f.line, f.supplied) for f in answer] == [("answer", 11, False)]
    assert "Consider this RNN" in stem[0].note
    assert doc.questions[0].stem_figure_missing and not doc.questions[1].stem_figure_missing


def test_an_overlay_supplies_a_diagram_for_the_missing_figure(tmp_path: Path) -> None:
    doc = curate(tmp_path, FIX + '[[fix.figure]]\nfills = 1\ndiagram = "many-to-many Tx=3"\n')
    (figure,) = doc.questions[0].figures
    assert (figure.where, figure.line, figure.diagram) == ("stem", 3, "many-to-many Tx=3")
    assert not doc.questions[0].stem_figure_missing
    # The warning is kept as a note of what was supplied where; nothing else is reported.
    assert problems(doc, "figure-missing") == [
        "quiz.md:3: the document lacks this figure; quiz.fixes.toml:1 supplies it",
        "quiz.md:11: the text points at a figure (“shown below”) that the document does not contain"]
    assert [d.severity for d in all_diagnostics(doc) if d.code == "figure-missing"] == ["info", "warning"]


def test_an_overlay_adds_a_figure_to_the_answer_and_an_image_file_from_its_folder(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch
                                                                                   ) -> None:
    monkeypatch.chdir(tmp_path)  # the project: figure files must lie inside it
    (tmp_path / "clip.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>')
    fix = ('[[fix]]\nquestion = "Why clip gradients"\nwhy = "Its figure."\n'
           '[[fix.figure]]\nwhere = "answer"\ndiagram = "one-to-one"\n'
           '[[fix.figure]]\nfills = 1\nfile = "clip.svg"\ncaption = "Clipped gradients."\n')
    doc = curate(tmp_path, fix)
    figures = doc.questions[1].figures
    # The overlay's figures in its order: the added diagram, then the file that fills the note.
    assert [(f.where, f.diagram, f.file, f.caption) for f in figures] == [
        ("answer", "one-to-one", "", ""), ("answer", "", "clip.svg", "Clipped gradients.")]
    assert problems(doc, "fix-invalid") == [] and problems(doc, "fix-stale") == []


def test_a_redrawn_figure_file_is_read_again_not_taken_from_the_cache(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.build import document_key

    monkeypatch.chdir(tmp_path)
    (tmp_path / "clip.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>')
    curate(tmp_path, '[[fix]]\nquestion = "Why clip gradients"\nwhy = "Its figure."\n'
                     '[[fix.figure]]\nfills = 1\nfile = "clip.svg"\n')
    before = document_key(tmp_path / "quiz.md")
    (tmp_path / "clip.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"/>')
    assert before is not None and document_key(tmp_path / "quiz.md") != before


@pytest.mark.parametrize("entry, line, words", [
    ('diagram = "many-to-many Tx=9"\nfills = 1\n', 5, "out of range"),
    ('diagram = "three-to-two"\nfills = 1\n', 5, "unknown kind"),
    ('diagram = 4\nfills = 1\n', 5, "`diagram` must be a description"),
    ('fills = 1\n', 4, "one of `diagram`"),
    ('diagram = "one-to-one"\nfile = "a.svg"\n', 4, "one of `diagram`"),
    ('diagram = "one-to-one"\nfills = 0\n', 6, "`fills`"),
    ('diagram = "one-to-one"\nfills = true\n', 6, "`fills`"),
    ('diagram = "one-to-one"\n', 4, "`where`"),
    ('diagram = "one-to-one"\nwhere = "side"\n', 6, "`where`"),
    ('diagram = "one-to-one"\nwhere = "stem"\nsize = 3\n', 7, "unknown key `size`"),
    ('diagram = "one-to-one"\nwhere = "stem"\ncaption = 3\n', 7, "`caption`"),
    ('file = "../outside.svg"\nfills = 1\n', 5, "outside the project"),
    ('file = "/etc/hostname.svg"\nfills = 1\n', 5, "outside the project"),
    ('file = "gone.svg"\nfills = 1\n', 5, "does not exist"),
    ('file = "notes.txt"\nfills = 1\n', 5, "SVG or PNG"),
    ('file = "big.png"\nfills = 1\n', 5, "more than"),
    ('file = "folder.svg"\nfills = 1\n', 5, "not a regular file"),
], ids=["diagram-too-long", "diagram-unknown", "diagram-int", "no-figure", "both", "fills-zero", "fills-bool",
        "no-where", "where-side", "unknown-key", "caption-int", "file-outside", "file-absolute", "file-missing",
        "file-not-image", "file-too-large", "file-folder"])
def test_a_bad_figure_entry_is_fix_invalid_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       entry: str, line: int, words: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    (tmp_path / "outside.svg").write_text("<svg/>")
    (project / "notes.txt").write_text("a figure")
    (project / "big.png").write_bytes(b"\x89PNG" + bytes(64))
    (project / "folder.svg").mkdir()
    monkeypatch.setattr(assets, "MAX_BYTES", 32)
    doc = curate(project, FIX + "[[fix.figure]]\n" + entry)
    assert [p.split(": ", 1)[0] for p in problems(doc, "fix-invalid")] == [f"quiz.fixes.toml:{line}"]
    assert words in problems(doc, "fix-invalid")[0]
    # The fix is left out whole: the question still lacks its figure, and says so.
    assert doc.questions[0].stem_figure_missing and problems(doc, "fix-applied") == []


def test_a_figure_that_fills_no_missing_figure_is_stale(tmp_path: Path) -> None:
    doc = curate(tmp_path, FIX + '[[fix.figure]]\nfills = 2\ndiagram = "one-to-one"\n')
    assert problems(doc, "fix-stale") == ["quiz.fixes.toml:1: quiz/q01 has 1 missing figures; `fills = 2` does not fit"]
    assert doc.questions[0].stem_figure_missing


# --- cards --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_collection(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The three documents whose figures their overlays supply, built and imported with the real anki."""
    base = tmp_path_factory.mktemp("figures")
    docs = [load_document(p) for p in SEEDS]
    diags = build_decks(docs, base / "decks", base / "identity.lock", TEMPLATES, now=NOW, tree=DECKS)
    assert [d for d in diags if d.severity == "error"] == []
    col = open_collection(base / "col")
    import_package(col, base / "decks" / "all.apkg")
    yield col
    col.close()


def _images(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def test_the_coursera_q02_card_shows_its_diagram_from_the_package_media(seed_collection) -> None:
    col = seed_collection
    media = Path(col.media.dir())
    (nid,) = col.find_notes('"Stem:*Consider this RNN*"')
    card = col.get_note(nid).cards()[0]
    front = card.question()
    (src,) = _images(front)
    data = (media / src).read_bytes()
    assert data.startswith(b"<?xml") and b"<svg" in data
    assert src.startswith("many-to-many-tx4-") and src.endswith(".svg")
    # The diagram stands after the question it belongs to, with no notice that a figure is missing.
    assert front.index("Consider this RNN") < front.index(src) and "Missing figure" not in front
    assert card.queue == 0 and "figure-missing" not in col.get_note(nid).tags


def test_the_interview_q07_figures_are_on_the_back_only(seed_collection) -> None:
    col = seed_collection
    media = Path(col.media.dir())
    (nid,) = col.find_notes('"Stem:*What types of Recurrent Neural Networks*"')
    card = col.get_note(nid).cards()[0]
    front, back = card.question(), card.answer()
    assert _images(front) == []
    shown = _images(back[back.index('id="answer"'):])
    assert [re.sub(r"-[0-9a-f]{10}\.svg$", "", s) for s in shown] == [
        "one-to-one", "one-to-many-ty3", "many-to-one-tx3", "many-to-many-tx2-ty3"]
    assert all((media / s).read_bytes().startswith(b"<?xml") for s in shown)
    # Each figure follows the answer text it illustrates.
    assert back.index("Music generation") < back.index(shown[0])
    assert "Many to many: two inputs produce three outputs." in back and "Missing figure" not in back


def test_an_equation_the_answer_lacks_is_shown_as_an_equation(seed_collection) -> None:
    col = seed_collection
    (nid,) = col.find_notes('"Stem:*calculate the output*"')
    card = col.get_note(nid).cards()[0]
    front, back = card.question(), card.answer()
    assert "Missing figure" not in front and _images(front) == []
    answer = back[back.index('id="answer"'):]
    assert len(_images(answer)) == 2 and "not included" not in answer and "Figure not available" not in answer
    # The overlay's equation stands where the source introduces it, typeset by MathJax, after the figures.
    assert r"\[y_{(t)} = \phi\left(W_x^\top x_{(t)}" in answer
    assert answer.index(_images(answer)[1]) < answer.index(r"\[y_{(t)}")
    assert card.queue == 0  # the question itself is whole: it is studied


def test_a_card_whose_stem_figure_is_missing_is_tagged_and_suspended(tmp_path: Path) -> None:
    # The coursera quiz without its overlay: three questions point at figures nobody supplied.
    doc = load_document("seeds/coursera-rnn.md", curate=False)
    lacking = {q.id for q in doc.questions if q.stem_figure_missing}
    assert lacking == {"coursera-rnn/q02", "coursera-rnn/q04", "coursera-rnn/q05"}
    diags = build_decks([doc], tmp_path / "decks", tmp_path / "identity.lock", TEMPLATES, now=NOW, tree=DECKS)
    assert [d for d in diags if d.severity == "error"] == []
    col = open_collection(tmp_path / "col")
    try:
        import_package(col, tmp_path / "decks" / "coursera-rnn.apkg")
        tagged = set(col.find_notes("tag:figure-missing"))
        assert len(tagged) == 3
        for nid in tagged:
            card = col.get_note(nid).cards()[0]
            front = card.question()
            assert "Figure not available:" in front and front.index("Figure not available:") > front.index('class="stem"')
            # The desktop's import (no scheduling) makes every card new: their own deck keeps them out of study.
            assert col.decks.name(card.did).startswith("Questions missing a figure::")
        studied = col.find_cards('"deck:Recurrent Neural Networks"')
        assert studied and not set(studied) & {c for nid in tagged for c in col.card_ids_of_note(nid)}
    finally:
        col.close()
    # Imported with its scheduling, the package's own state shows: exactly those cards are suspended.
    col = open_collection(tmp_path / "col-scheduled")
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(tmp_path / "decks" / "coursera-rnn.apkg"),
            options=ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER, with_scheduling=True)))
        assert set(col.find_cards("is:suspended")) == set(col.find_cards("tag:figure-missing")) != set()
    finally:
        col.close()


def test_make_check_names_the_questions_whose_cards_wait_for_a_figure() -> None:
    doc = load_document("seeds/coursera-rnn.md", curate=False)
    warned = [str(d) for d in all_diagnostics(doc) if d.code == "figure-missing" and d.severity == "warning"]
    assert [w.split(":")[1] for w in warned] == ["18", "50", "65"]
    assert all("its cards are suspended and student papers leave it out" in w for w in warned)


# --- papers -------------------------------------------------------------------------------------------

EXAM = """\
[[exam]]
name = "figures"
title = "Figures"
date = "2025-06-16"
seed = 3
points = 2

[[exam.draw]]
id = ["coursera-rnn/q02", "coursera-rnn/q03", "rnn-interview/q07"]
"""


def without_figures(doc: Document) -> Document:
    """The document as if its overlay supplied no figure."""
    return replace(doc, questions=tuple(q.with_(figures=tuple(replace(f, diagram="", file="") for f in q.figures))
                                        for q in doc.questions))


def test_no_student_paper_holds_a_question_whose_stem_figure_is_missing() -> None:
    bank = [without_figures(load_document("seeds/coursera-rnn.md")), load_document("seeds/rnn-interview.md")]
    definitions, problems_found = parse_definitions(EXAM, "seeds/exams.toml")
    assert problems_found == []
    versions, diags = select_versions(bank, definitions)
    assert [item.question.id for v in versions for item in v.items] and all(
        item.question.id != "coursera-rnn/q02" for v in versions for item in v.items)
    (left_out,) = [d for d in diags if d.code == "exam-figure-missing"]
    assert (left_out.file, left_out.line, left_out.severity) == ("seeds/exams.toml", 1, "warning")
    assert "coursera-rnn/q02" in left_out.message and "seeds/coursera-rnn.md:18" in left_out.message


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("figure-papers")
    bank = [load_document("seeds/coursera-rnn.md"), load_document("seeds/rnn-interview.md")]
    definitions, _ = parse_definitions(EXAM, "seeds/exams.toml")
    versions, diags = select_versions(bank, definitions)
    assert [d for d in diags if d.severity != "info"] == []
    diags = write_exams(versions, base, store=Store(base / "cache"), templates_dir=TEMPLATES, workers=1)
    assert [d for d in diags if d.severity != "info"] == []
    return base


def _text(pdf: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(pdf).pages))


def test_a_supplied_diagram_is_drawn_on_the_paper_and_answer_figures_only_in_the_key(papers: Path) -> None:
    paper, key = _text(papers / "figures-A.pdf"), _text(papers / "figures-A-key.pdf")
    # The q02 diagram's labels, read back as text: four inputs and four outputs.
    for label in ("x <1>", "x <4>", "ŷ <1>", "ŷ <4>"):
        assert label in paper and label in key
    assert "Figure not available" not in paper and "Figure not available" not in key
    # The RNN types drawn for the interview's answer: in the key, not on the student's paper.
    for caption in ("One to one: a single input, a single output.", "Many to many: two inputs produce three outputs."):
        assert caption in key and caption not in paper
    assert "not included in the document" not in paper


def test_an_image_file_becomes_media_and_a_vanished_one_suspends_the_card(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
    (tmp_path / "rnn.svg").write_text(svg)
    doc = curate(tmp_path, FIX + '[[fix.figure]]\nfills = 1\nfile = "rnn.svg"\n')

    def front(build: str) -> tuple[str, Path, list[str], str]:
        diags = build_decks([doc], tmp_path / build, tmp_path / f"{build}.lock", TEMPLATES, now=NOW, tree=DECKS)
        assert [d for d in diags if d.severity == "error"] == []
        col = open_collection(tmp_path / f"{build}-col")
        import_package(col, tmp_path / build / "quiz.apkg")
        (nid,) = col.find_notes('"Stem:*Which architecture*"')
        card = col.get_note(nid).cards()[0]
        shown = card.question(), Path(col.media.dir()), col.get_note(nid).tags, col.decks.name(card.did)
        col.close()
        return shown

    html, media, tags, deck = front("with-file")
    (src,) = _images(html)
    assert "figure-missing" not in tags and not deck.startswith("Questions missing a figure")
    assert re.fullmatch(r"rnn-[0-9a-f]{10}\.svg", src) and (media / src).read_text() == svg
    # The file is gone when the decks are built: the card says the figure is missing and waits.
    (tmp_path / "rnn.svg").unlink()
    html, _, tags, deck = front("without-file")
    assert _images(html) == [] and "Figure not available:" in html
    assert "figure-missing" in tags and deck.startswith("Questions missing a figure::")
