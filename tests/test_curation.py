"""Curation overlays: fixes find their question by text, survive renumbering, resolve what they fix, report staleness."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.curate import curation
from pipeline.build import load_document
from pipeline.model import Document, Question, Vary, all_diagnostics
from pipeline.readers import read_bytes

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

NEW_QUESTION = """6.\tWhich of these cells has an output gate?
\tGRU
\tLSTM
\tElman RNN
"""


def question(doc: Document, text: str) -> Question:
    (q,) = [q for q in doc.questions if text in q.stem]
    return q


def codes(doc: Document, severity: str | None = None) -> list[str]:
    return [d.code for d in all_diagnostics(doc) if severity is None or d.severity == severity]


def copy_seed(tmp_path: Path, name: str) -> Path:
    shutil.copy(SEEDS / f"{name}.fixes.toml", tmp_path / f"{name}.fixes.toml")
    target = tmp_path / f"{name}.md"
    shutil.copy(SEEDS / f"{name}.md", target)
    return target


def renumbered_coursera(tmp_path: Path) -> Path:
    """The quiz with a new question 6 inserted and the later questions renumbered 7..11."""
    path = copy_seed(tmp_path, "coursera-rnn")
    lines = path.read_text(encoding="utf-8").split("\n")

    def bump(line: str) -> str:
        return re.sub(r"^(- )?(\d+)\.(\s)", lambda m: f"{m.group(1) or ''}{int(m.group(2)) + 1}.{m.group(3)}", line)

    at = next(i for i, line in enumerate(lines) if line.startswith("6.\t"))
    lines = lines[:at] + NEW_QUESTION.rstrip("\n").split("\n") + [bump(line) for line in lines[at:]]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def coursera() -> Document:
    return load_document(SEEDS / "coursera-rnn.md", compute=False)


def test_fix_survives_renumbering(tmp_path: Path, coursera: Document) -> None:
    path = renumbered_coursera(tmp_path)
    assert "7.\tYou are training an RNN" in path.read_text(encoding="utf-8")
    doc = load_document(path, compute=False)
    assert len(doc.questions) == len(coursera.questions) + 1
    nan = question(doc, "taking on the value of NaN")
    assert nan.id == "coursera-rnn/q07"  # was q06: the id moved, the fix did not care
    assert [c.text for c in nan.choices if c.correct] == ["Exploding gradient problem."]
    assert any(d.code == "fix-applied" for d in nan.diagnostics)
    # Every fix of the overlay still applies, each to the same question as before.
    applied = sorted(d.message for d in all_diagnostics(doc) if d.code == "fix-applied")
    assert applied == sorted(d.message.replace(str(SEEDS), str(tmp_path))
                             for d in all_diagnostics(coursera) if d.code == "fix-applied")
    assert [c.text for c in question(doc, "has an output gate").choices] == ["GRU", "LSTM", "Elman RNN"]
    assert "fix-stale" not in codes(doc) and codes(doc, "error") == ["choice-unmarked"]  # only the new question


def test_stale_fix_is_reported_and_the_others_still_apply(tmp_path: Path) -> None:
    path = copy_seed(tmp_path, "coursera-rnn")
    overlay = tmp_path / "coursera-rnn.fixes.toml"
    lines = overlay.read_text(encoding="utf-8").split("\n")
    at = lines.index('question = "taking on the value of NaN"')
    assert lines[at - 1] == "[[fix]]"
    lines[at] = 'question = "taking on the value of infinity"'
    overlay.write_text("\n".join(lines), encoding="utf-8")
    doc = load_document(path, compute=False)
    (stale,) = [d for d in all_diagnostics(doc) if d.code == "fix-stale"]
    assert (stale.severity, stale.file, stale.line) == ("error", str(overlay), at)  # the fix's [[fix]] line
    assert "taking on the value of infinity" in stale.message
    nan = question(doc, "taking on the value of NaN")
    assert not any(c.correct for c in nan.choices)
    assert ("choice-unmarked", "error") in [(d.code, d.severity) for d in nan.diagnostics]
    # The fix after the stale one still applied.
    assert "\\Gamma_u" in question(doc, "10000 word vocabulary").stem


def test_correct_resolves_choice_unmarked_into_an_info(tmp_path: Path) -> None:
    text = "1. Which cell has gates?\n  - ○ Elman RNN\n  - ○ LSTM\n  - ○ Perceptron\n\n✓ Correct\n\n" \
           "2. Which helps against exploding gradients?\n  - ○ Clipping\n  - ● Pruning\n  - ○ Dropout\n\n✓ Correct\n\n" \
           "Pruning it is.\n"
    overlay = tmp_path / "gates.fixes.toml"
    overlay.write_text('[[fix]]\nquestion = "Which cell has gates"\nwhy = "The export lost the filled radio."\n'
                       "correct = [2]\n", encoding="utf-8")
    doc = read_bytes(text.encode("utf-8"), "gates.md")
    (before,) = [d for d in doc.questions[0].diagnostics if d.code == "choice-unmarked"]
    assert before.severity == "error"
    fixed = curation.apply(doc, curation.load_overlay(overlay, "gates.fixes.toml"))
    q = fixed.questions[0]
    (after,) = [d for d in q.diagnostics if d.code == "choice-unmarked"]
    assert (after.severity, after.line) == ("info", before.line)
    assert "resolved by gates.fixes.toml:1" in after.message and "lost the filled radio" in after.message
    assert [c.correct for c in q.choices] == [False, True, False] and q.kind == "single_choice"
    assert fixed.questions[1] == doc.questions[1]  # a fix touches only its own question
    assert "error" not in [d.severity for d in all_diagnostics(fixed)]


def test_overlay_without_correct_leaves_an_unmarked_question_an_error(tmp_path: Path) -> None:
    text = "1. Which cell has gates?\n  - ○ Elman RNN\n  - ○ LSTM\n  - ○ Perceptron\n\n✓ Correct\n\n" \
           "2. Which one?\n  - ○ A\n  - ● B\n  - ○ C\n\n✓ Correct\n"
    overlay = tmp_path / "gates.fixes.toml"
    overlay.write_text('[[fix]]\nquestion = "Which cell has gates"\nwhy = "Capitalisation."\nnote = "Gates!"\n',
                       encoding="utf-8")
    fixed = curation.apply(read_bytes(text.encode("utf-8"), "gates.md"),
                           curation.load_overlay(overlay, "gates.fixes.toml"))
    q = fixed.questions[0]
    assert [(d.code, d.severity) for d in q.diagnostics] == [
        ("choice-unmarked", "error"), ("fix-applied", "info"), ("explanation-missing", "info")]
    assert q.notes == ("Gates!",)


def test_a_choice_question_that_says_not_why_is_noted_until_its_fix_explains_it(tmp_path: Path) -> None:
    text = "1. Which cell has an output gate?\n  - ○ GRU\n  - ● LSTM\n\n✓ Correct\n\n" \
           "2. Which one clips?\n  - ● Clipping\n  - ○ Dropout\n\n✓ Correct\n\nClipping caps the gradient's norm.\n"
    doc = read_bytes(text.encode("utf-8"), "gates.md")
    (missing,) = [d for d in all_diagnostics(curation.apply(doc, None)) if d.code == "explanation-missing"]
    assert str(missing) == ("gates.md:1: info[explanation-missing]: gates/q01 says which option is right but not "
                            "why; give its fix in gates.fixes.toml an `explanation` written for learners")
    overlay = tmp_path / "gates.fixes.toml"
    overlay.write_text('[[fix]]\nquestion = "output gate"\nwhy = "No feedback in the export."\n'
                       'explanation = "Only the LSTM has an output gate, $\\\\Gamma_o$."\n', encoding="utf-8")
    fixed = curation.apply(doc, curation.load_overlay(overlay, "gates.fixes.toml"))
    assert "explanation-missing" not in codes(fixed)
    assert fixed.questions[0].explanation == "Only the LSTM has an output gate, $\\Gamma_o$."


# ---- the real overlays ---------------------------------------------------------------------------

def test_coursera_index_question_has_option_one_correct(coursera: Document) -> None:
    q = question(coursera, "refers to the")
    assert "$j^{th}$ word in the $i^{th}$ training example" in q.stem
    assert q.choices[0].text == "$x^{(i)<j>}$"
    assert [c.correct for c in q.choices] == [True, False, False, False]
    assert q.kind == "single_choice"
    assert [d.severity for d in q.diagnostics if d.code == "choice-ambiguous"] == ["info"]


def test_coursera_many_to_one_has_options_two_and_four(coursera: Document) -> None:
    q = question(coursera, "many-to-one")
    assert q.kind == "multi_choice"
    assert [c.correct for c in q.choices] == [False, True, False, True]
    assert q.choices[1].text.startswith("Sentiment classification")
    assert q.choices[3].text.startswith("Gender recognition from speech")


def test_coursera_nan_question_blames_exploding_gradients(coursera: Document) -> None:
    q = question(coursera, "taking on the value of NaN")
    assert [c.text for c in q.choices if c.correct] == ["Exploding gradient problem."]
    assert q.kind == "single_choice"


def test_real_overlays_apply_without_stale_or_invalid_fixes() -> None:
    for name in ("coursera-rnn", "dl-book-ch10", "rnn-exercises", "rnn-interview"):
        doc = load_document(SEEDS / f"{name}.md", compute=False)
        bad = [str(d) for d in all_diagnostics(doc) if d.code.startswith("fix-") and d.code != "fix-applied"]
        assert bad == [], name
        overlay = curation.load_overlay(curation.overlay_path(str(SEEDS / f"{name}.md")))
        assert overlay is not None
        assert sum(d.code == "fix-applied" for d in all_diagnostics(doc)) == len(overlay.fixes), name


def test_an_overlay_lets_sizes_vary(tmp_path: Path) -> None:
    """`vary` names the sizes exam versions and practice notes may change: a list of values or a range."""
    (tmp_path / "rnn-exercises.md").write_bytes(Path("seeds/rnn-exercises.md").read_bytes())
    (tmp_path / "rnn-exercises.fixes.toml").write_text(
        '[[fix]]\nquestion = "Calculate the number of parameters"\nwhy = "Each version gets its own sizes."\n'
        'vary = { n_h = [64, 128, 256], n_x = { from = 10, to = 50 } }\n', encoding="utf-8")
    doc = load_document(tmp_path / "rnn-exercises.md", compute=False)
    (q,) = [q for q in doc.questions if q.id == "rnn-exercises/task1-q1"]
    assert q.vary == (Vary("n_h", (64, 128, 256)), Vary("n_x", (), 10, 50))
    assert not [d for d in doc.diagnostics if d.severity == "error"]


def test_every_choice_question_of_the_seeds_says_why_its_answer_is_right(bank) -> None:
    choice = [q for doc in bank for q in doc.questions if q.kind in ("single_choice", "multi_choice")]
    assert len(choice) == 11
    assert [q.id for q in choice if "explanation-missing" in [d.code for d in q.diagnostics]] == []
    assert all(q.explanation.strip() or q.answer.strip() for q in choice)
