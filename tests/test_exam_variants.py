"""Exam versions with their own numbers: the shipped choice exam varies the parameter-count and gate questions;
every number its keys print is recomputed here from the sizes printed beside it, with sympy."""
from __future__ import annotations

import re
from dataclasses import replace
import unicodedata

import pytest
from pypdf import PdfReader

from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import select_versions
from pipeline.model import Vary
from tests.closed_forms import GATE_MISTAKES, N_H, N_X, N_Y, PARAMETER_MISTAKES, RNN_WITH_OUTPUT, T

PARAMETERS = RNN_WITH_OUTPUT
OPTION = re.compile(r"^(\d+)(?: — (.+?)| \(correct\))([A-D])$", re.M)


@pytest.fixture(scope="module")
def keys(built_exams) -> dict[str, str]:
    folder, _ = built_exams
    return {p.stem: unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in PdfReader(p).pages))
            for p in sorted(folder.glob("choice-*.pdf"))}


def item(version, qid: str):
    (found,) = [i for i in version.items if i.question.id == qid]
    return found


def options_after(text: str, anchor: str) -> list[tuple[int, str, str]]:
    """The first four options printed after `anchor`: (value, mistake or "correct", letter)."""
    found = OPTION.findall(text[text.index(anchor):])[:4]
    return [(int(v), m or "correct", letter) for v, m, letter in found]


def test_versions_a_and_b_give_the_varied_questions_their_own_sizes_and_answers(versions) -> None:
    for qid in ("rnn-exercises/task1-q1", "coursera-rnn/q07"):
        a, b = item(versions["choice-A"], qid), item(versions["choice-B"], qid)
        assert a.sizes != b.sizes
        assert [c.text for c in a.choices if c.correct] != [c.text for c in b.choices if c.correct]
        assert a.question.computed[0].value != b.question.computed[0].value
        document = {"rnn-exercises/task1-q1": "20362", "coursera-rnn/q07": "100"}[qid]
        assert document not in (a.question.computed[0].value, b.question.computed[0].value)


@pytest.mark.parametrize("letter", ["A", "B"])
def test_the_parameter_key_is_right_for_the_sizes_its_paper_prints(keys, letter) -> None:
    paper, key = keys[f"choice-{letter}"], keys[f"choice-{letter}-key"]
    printed = {N_H: r"Hidden Layer Size: (\d+)", N_Y: r"Output Layer Size: (\d+)",
               N_X: r"Input Vector Size at each Time Step: (\d+)"}
    at = {s: int(re.search(p, paper).group(1)) for s, p in printed.items()}
    assert at == {s: int(re.search(p, key).group(1)) for s, p in printed.items()}  # the key is about this paper
    assert (at[N_H], at[N_X]) != (128, 20)  # not the document's own sizes
    at[T] = 5
    options = options_after(key, "Input Vector Size at each Time Step")
    assert [m for _, m, _ in options if m != "correct"] and len(options) == 4
    for value, mistake, _ in options:
        assert value == (PARAMETERS if mistake == "correct" else PARAMETER_MISTAKES[mistake]).subs(at), mistake
    answer = int(PARAMETERS.subs(at))
    (letter_of_answer,) = [lt for v, m, lt in options if m == "correct"]
    assert re.search(rf"Correct: {letter_of_answer}\b", key, re.I)
    # the worked breakdown prints each array's shape and count, and its total, for this version's sizes
    rows = {int(a) * (int(b) if b else 1): int(c)
            for a, b, c in re.findall(r"(\d+)(?: × (\d+))? (\d+)$", key[key.index("Input Vector Size"):], re.M)[:5]}
    assert list(rows) == list(rows.values()) and f"Total {answer}" in key
    # the student's paper shows the options but not the mistakes behind them
    assert "forgot the biases" not in paper and "(correct)" not in paper


@pytest.mark.parametrize("letter", ["A", "B"])
def test_the_gate_key_is_right_for_the_hidden_size_its_paper_prints(keys, letter) -> None:
    paper, key = keys[f"choice-{letter}"], keys[f"choice-{letter}-key"]
    at = {N_H: int(re.search(r"LSTM with (\d+)-dimensional activations", paper).group(1)), N_X: 10000}
    assert at[N_H] != 100 and f"LSTM with {at[N_H]}-dimensional activations" in key
    options = options_after(key, f"LSTM with {at[N_H]}-dimensional")
    for value, mistake, _ in options:
        assert value == (N_H if mistake == "correct" else GATE_MISTAKES[mistake]).subs(at), mistake


def _select(text: str, bank):
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    found, drawn = select_versions(bank, definitions)
    return found, diags + drawn


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(bank) -> None:
    text = '[[exam]]\nname = "v"\nversions = 3\nseed = {}\n[[exam.draw]]\nid = "rnn-exercises/task1-q1"\nvary = true\n'
    first, diags = _select(text.format(1), bank)
    again, _ = _select(text.format(1), bank)
    other, _ = _select(text.format(2), bank)
    sizes = [v.items[0].sizes for v in first]
    assert diags == [] and len(set(sizes)) == 3
    assert sizes == [v.items[0].sizes for v in again] != [v.items[0].sizes for v in other]


def test_a_vary_rule_over_questions_that_cannot_vary_says_so(bank) -> None:
    text = '[[exam]]\nname = "v"\nversions = 2\n[[exam.draw]]\nid = "rnn-quiz/q02"\nvary = true\n'
    found, diags = _select(text, bank)
    assert [(d.code, d.line, d.severity) for d in diags] == [("exam-vary-none", 6, "warning")]
    assert found and not found[0].items[0].sizes  # printed as the document states it
    _, diags = _select(text.replace("vary = true", 'vary = "yes"'), bank)
    assert [(d.code, d.line) for d in diags if d.severity == "error"] == [("exam-bad-value", 6)]


def test_more_versions_than_different_answers_use_the_variants_in_turn(bank) -> None:
    text = ('[[exam]]\nname = "v"\nversions = 7\nseed = 1\n[[exam.draw]]\nid = "coursera-rnn/q07"\nvary = true\n')
    found, diags = _select(text, bank)
    answers = [v.items[0].question.computed[0].value for v in found]
    assert [(d.code, d.line) for d in diags] == [("exam-vary-reused", 7)]  # 5 hidden sizes for 7 versions
    assert len(set(answers)) == 5 and all(a != b for a, b in zip(answers, answers[1:])) and "100" not in answers


def test_a_question_that_cannot_vary_keeps_its_numbers_and_says_why(bank) -> None:
    definitions, _ = parse_definitions('[[exam]]\nname = "v"\nversions = 2\n[[exam.draw]]\n'
                                       'id = "coursera-rnn/q07"\nvary = true\n', "seeds/exams.toml")
    vocabulary_only = (Vary("n_x", (), 5000, 20000),)  # a gate's dimension does not depend on it
    only_vocabulary = [replace(doc, questions=tuple(q.with_(vary=vocabulary_only) if q.id == "coursera-rnn/q07"
                                                    else q for q in doc.questions)) for doc in bank]
    found, diags = select_versions(only_vocabulary, definitions)
    assert [(d.code, d.line) for d in diags] == [("exam-vary-failed", 6)]
    assert "do not give 2 variants with answers different" in diags[0].message
    assert [v.items[0].question.computed[0].value for v in found] == ["100", "100"] and not found[0].items[0].sizes


def test_options_0_keeps_a_varied_numeric_question_a_written_answer(bank) -> None:
    text = ('[[exam]]\nname = "w"\nversions = 2\nseed = 3\n[[exam.draw]]\nid = ["rnn-exercises/task1-q1", '
            '"coursera-rnn/q07"]\nvary = true\noptions = 0\n')
    found, diags = _select(text, bank)
    assert diags == []
    for version in found:
        numeric, gate = sorted(version.items, key=lambda i: i.question.id)[::-1]
        assert numeric.question.kind == "numeric" and numeric.question.choices == () and numeric.sizes
        assert numeric.question.computed[0].value != "20362"
        assert gate.question.kind == "single_choice" and len(gate.question.choices) == 4  # a choice stays one
    _, diags = _select(text.replace("options = 0", "options = 5"), bank)
    assert [(d.code, d.line) for d in diags if d.severity == "error"] == [("exam-bad-value", 8)]
