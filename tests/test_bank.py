"""The five source documents as one bank: counts, the golden questions.json, the CLI, edits that propagate."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.build import load_document
from pipeline.render.questions import questions_json
from pipeline.model import all_diagnostics

GOLDEN = Path("tests/golden/questions.json")


def test_five_documents_hold_85_questions(bank):
    counts = {doc.slug: len(doc.questions) for doc in bank}
    assert counts == {"coursera-rnn": 10, "dl-book-ch10": 38, "rnn-exercises": 9, "rnn-interview": 18, "rnn-quiz": 10}


def test_no_errors_after_curation(bank):
    errors = [str(d) for doc in bank for d in all_diagnostics(doc) if d.severity == "error"]
    assert errors == []


def test_questions_json_matches_golden(bank):
    """The whole bank, field by field. Regenerate with UPDATE_GOLDEN=1 after a reviewed change."""
    text = questions_json(bank)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert json.loads(text) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_choice_answers_agree_with_the_documents(questions):
    def correct(qid):
        return [c.text for c in questions[qid].choices if c.correct]

    # The source's answer leaves out audio transcription; speech-to-text is a sequence task (the overlay says why).
    assert correct("rnn-quiz/q01") == ["Sentiment Classification for Text",
                                       "Audio transcription, i.e. take an audio file and convert it to text",
                                       "Predicting changes in the business cycle (i.e. boom or bust phases)"]
    assert "no term dependence" not in questions["rnn-quiz/q01"].answer
    speech = [c for c in questions["coursera-rnn/q03"].choices if c.text.startswith("Speech recognition")]
    assert speech and not speech[0].correct  # many-to-many, not many-to-one: the two keys agree
    assert correct("coursera-rnn/q01") == ["$x^{(i)<j>}$"]
    assert correct("coursera-rnn/q02") == ["$T_x = T_y$"]
    assert questions["coursera-rnn/q03"].kind == "multi_choice"
    assert len(correct("coursera-rnn/q03")) == 2
    assert correct("coursera-rnn/q04")[0].endswith("y^{< t-1>})$")
    assert correct("coursera-rnn/q06") == ["Exploding gradient problem."]
    assert correct("coursera-rnn/q07") == ["100"]
    assert correct("coursera-rnn/q08")[0].startswith("Betty's model") and "\\approx 0" in correct("coursera-rnn/q08")[0]
    assert correct("coursera-rnn/q09") == ["$\\Gamma_u$ and $1-\\Gamma_u$"]
    assert correct("coursera-rnn/q10")[0].startswith("Unidirectional RNN")


def test_learners_see_no_export_debris(bank):
    debris = ["\\bigcirc", "\\bigcap", "igorup", "✓", "Correc", "<ul>", "<li>", "<sup>", "Yes!", "\\rm M", "c^{}"]
    for doc in bank:
        for q in doc.questions:
            texts = [q.stem, q.explanation, q.answer] + [c.text for c in q.choices]
            for text in texts:
                for bad in debris:
                    assert bad not in text, f"{q.id}: {bad!r} in {text[:80]!r}"
            for c in q.choices:
                assert not c.text.startswith(("O ", "○", "()", "(a)", ". ")), f"{q.id}: marker left in {c.text!r}"


def test_broken_line_wraps_are_rejoined(questions):
    assert "without using the bidirectional architecture." in questions["rnn-quiz/q04"].stem
    assert "gradient clipping – i.e. setting a maximum threshold" in questions["rnn-quiz/q09"].answer


def test_missing_figures_are_kept_as_notes(questions):
    # The caption stays with the figure the overlay supplies in its place, in the stem that names it.
    (figure,) = questions["rnn-quiz/q02"].figures
    assert "Figure 1: Traditional RNN architecture" in figure.note
    # A language model fed its own outputs, in the stem's (t) notation: the answer is P(y(t) | y(1), ..., y(t-1)).
    assert (figure.where, figure.line, figure.diagram) == ("stem", 18, "language-model T=4 (t)")
    missing = [d for d in questions["coursera-rnn/q02"].diagnostics if d.code == "figure-missing"]
    assert [(d.line, d.severity) for d in missing] == [(18, "info")]  # reported, and supplied
    # The equation the interview's answer introduces is supplied as an equation, not left as a note beside a
    # "missing figure" notice.
    equation = questions["rnn-interview/q15"].figures[-1]
    assert (equation.where, equation.supplied) == ("answer", True) and equation.equation.startswith("y_{(t)} =")
    assert not questions["rnn-interview/q15"].notes


def test_parse_json_cli_prints_the_model():
    out = subprocess.run([sys.executable, "-m", "pipeline", "parse", "seeds/rnn-interview.md", "--json"],
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    assert len(data) == 18
    q4 = next(q for q in data if q["id"] == "rnn-interview/q04")
    assert set(q4) >= {"id", "kind", "stem", "choices", "answer", "explanation", "source", "tags", "diagnostics"}
    assert q4["source"] == {"file": "seeds/rnn-interview.md", "line_start": 41, "line_end": 55}
    assert q4["attribution"] == "Source: www.amazon.com"


def test_check_cli_summarises_every_document():
    run = subprocess.run([sys.executable, "-m", "pipeline", "check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 documents, 85 questions: 0 errors" in run.stdout
    assert "seeds/rnn-exercises.md:5-17: table of contents" in run.stdout
    assert "computed rnn-exercises/task1-q1: parameter total = 20362" in run.stdout


def test_editing_a_size_in_a_document_changes_the_computed_answer(tmp_path):
    doc = tmp_path / "rnn-exercises.md"
    text = Path("seeds/rnn-exercises.md").read_text(encoding="utf-8")
    doc.write_text(text.replace("Hidden Layer Size: 128", "Hidden Layer Size: 64"), encoding="utf-8")
    shutil.copy("seeds/rnn-exercises.fixes.toml", tmp_path / "rnn-exercises.fixes.toml")
    q = next(q for q in load_document(doc).questions if q.id == "rnn-exercises/task1-q1")
    total = next(c for c in q.computed if c.quantity.startswith("parameter total"))
    assert total.value == str(64 * (20 + 64 + 1) + 10 * (64 + 1))
    assert total.document_value == "20362" and total.agrees is False


def test_a_broken_document_does_not_stop_the_others(tmp_path):
    bad = tmp_path / "broken.md"
    bad.write_bytes(b"\x00\x01binary")
    run = subprocess.run([sys.executable, "-m", "pipeline", "check", str(bad), "seeds/rnn-quiz.md"],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{bad}: error[binary-file]" in run.stdout
    assert "seeds/rnn-quiz.md [list items]" in run.stdout and "Traceback" not in run.stdout + run.stderr
