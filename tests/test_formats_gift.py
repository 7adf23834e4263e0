"""Moodle GIFT and Aiken files read question by question; the GIFT parser agrees with the reference grammar
(`gift-pegjs` from npm, run with node) on every fixture."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.build import load_document
from pipeline.formats import read_document_bytes
from pipeline.formats.gift import parse
from pipeline.files.normalize import split_lines

FIXTURES = {
    "choices": """// questions on gated cells
$CATEGORY: $course$/Sequence models/Gated cells

::Forget gate:: Which gate of an LSTM scales the previous cell state? {
  =The forget gate#It multiplies the old cell state.
  ~The input gate#It scales the candidate.
  ~The output gate
  ####The forget gate decides what is kept.
}

::GRU gates::How many gates does a GRU have? {~One =Two ~Three}
""",
    "true-false": """::Cell state::A GRU keeps a separate cell state. {F#A GRU has only a hidden state.#Right\\: no cell state.}

LSTMs were introduced in 1997.{TRUE}

A vanilla RNN has gates.{FALSE}
""",
    "weights": """::Saturating::Which activations saturate? {
  ~%50%Sigmoid#Yes, at both ends.
  ~%50%tanh
  ~%-100%ReLU#No, it does not saturate for positive inputs.
}
""",
    "numbers": """::Pi::What is pi to two decimals? {#3.14:0.01}

::Hidden::Name a hidden size between 64 and 256. {#64..256}

::Graded::How many gates has an LSTM? {#
  =4:0#Right.
  =%50%3:0#The candidate is not a gate.
}

What is 2\\+2? {#4}
""",
    "short-and-essay": """::Acronym::What does BPTT stand for? {=backpropagation through time =back-propagation through time}

::Essay::Explain the vanishing gradient problem. {}

The {=forget ~output ~input} gate decides what the cell state keeps.
""",
    "escapes": """::Escapes\\: all of them::Which symbols need a backslash \\{in GIFT\\}? {
  =\\~, \\=, \\#, \\{, \\} and \\:#Those six.
  ~Only \\=
}

::Matching::Match each cell with its gates. {
  =LSTM -> three gates
  =GRU -> two gates
  =Vanilla RNN -> no gates
}
""",
}


def _doc(name: str, text: str):
    return read_document_bytes(text.encode("utf-8"), f"seeds/{name}.gift")


def _marks(q) -> list[tuple[str, bool]]:
    return [(c.text, c.correct) for c in q.choices]


def test_choices_feedback_and_categories() -> None:
    doc = _doc("choices", FIXTURES["choices"])
    first, second = doc.questions
    assert first.kind == "single_choice" and first.stem == "Which gate of an LSTM scales the previous cell state?"
    assert _marks(first) == [("The forget gate", True), ("The input gate", False), ("The output gate", False)]
    assert first.explanation == "It multiplies the old cell state.\n\nThe forget gate decides what is kept."
    assert first.section == "Gated cells"
    assert _marks(second) == [("One", False), ("Two", True), ("Three", False)]
    assert [c.line for c in first.choices] == [5, 6, 7] and first.source.line_start == 4
    assert {s.reason for s in doc.skipped} == {"a GIFT comment", "a GIFT category"}
    assert doc.dialect == "GIFT" and not [d for d in doc.diagnostics if d.severity == "error"]


def test_true_false_keeps_the_feedback_to_the_right_answer() -> None:
    doc = _doc("tf", FIXTURES["true-false"])
    assert [_marks(q) for q in doc.questions] == [[("True", False), ("False", True)],
                                                  [("True", True), ("False", False)],
                                                  [("True", False), ("False", True)]]
    assert doc.questions[0].explanation == "Right: no cell state."


def test_weights_make_a_question_with_several_correct_options() -> None:
    (q,) = _doc("weights", FIXTURES["weights"]).questions
    assert q.kind == "multi_choice"
    assert _marks(q) == [("Sigmoid", True), ("tanh", True), ("ReLU", False)]


def test_numbers_ranges_and_tolerances_become_answers() -> None:
    doc = _doc("numbers", FIXTURES["numbers"])
    assert [q.answer for q in doc.questions] == ["3.14 ± 0.01", "from 64 to 256", "4 or 3", "4"]
    assert doc.questions[3].stem == "What is 2\\+2?"  # `\+` is no GIFT escape: kept as written


def test_short_answers_essays_and_missing_words() -> None:
    short, essay, missing = _doc("short", FIXTURES["short-and-essay"]).questions
    assert short.kind == "open" and short.answer == "backpropagation through time or back-propagation through time"
    assert essay.kind == "open" and essay.answer == "" and not essay.answered
    assert missing.stem == "The _____ gate decides what the cell state keeps."
    assert _marks(missing) == [("forget", True), ("output", False), ("input", False)]


def test_escapes_and_matching() -> None:
    escapes, matching = _doc("escapes", FIXTURES["escapes"]).questions
    assert escapes.stem == "Which symbols need a backslash {in GIFT}?"
    assert _marks(escapes) == [("~, =, #, {, } and :", True), ("Only =", False)]
    assert matching.answer == "- LSTM → three gates\n- GRU → two gates\n- Vanilla RNN → no gates"


def test_an_unclosed_answer_set_is_an_error_at_its_line() -> None:
    doc = _doc("broken", "::A::Fine? {=yes ~no}\n\n::B::Broken? {=yes ~no\n")
    assert [q.stem for q in doc.questions] == ["Fine?"]
    (err,) = [d for d in doc.diagnostics if d.code == "gift-syntax"]
    assert err.line == 3 and err.severity == "error"


def test_a_gift_text_is_found_by_its_content_whatever_its_name() -> None:
    doc = read_document_bytes(FIXTURES["choices"].encode(), "seeds/gates.txt")
    assert doc.dialect == "GIFT" and len(doc.questions) == 2


AIKEN = """Which gate of an LSTM scales the previous cell state?
A. The input gate
B. The forget gate
C. The output gate
ANSWER: B

How many gates does a GRU have?
A) One
B) Two
ANSWER: B
"""


def test_aiken_is_read_by_its_grammar(tmp_path: Path) -> None:
    path = tmp_path / "gates.txt"
    path.write_text(AIKEN, encoding="utf-8")
    doc = load_document(path)
    assert doc.dialect == "Aiken"
    assert [q.stem for q in doc.questions] == ["Which gate of an LSTM scales the previous cell state?",
                                              "How many gates does a GRU have?"]
    assert [_marks(q) for q in doc.questions] == [
        [("The input gate", False), ("The forget gate", True), ("The output gate", False)],
        [("One", False), ("Two", True)]]
    assert doc.questions[1].source.line_start == 7 and doc.questions[1].source.line_end == 10


def test_text_that_breaks_the_aiken_grammar_goes_to_the_markdown_reader() -> None:
    text = AIKEN.replace("ANSWER: B\n\nHow", "Answer: B\n\nHow")
    doc = read_document_bytes(text.encode(), "seeds/loose.txt")
    assert doc.dialect != "Aiken"
    assert [[c.correct for c in q.choices] for q in doc.questions] == [[False, True, False], [False, True]]


# --- the reference grammar -------------------------------------------------------------------------------

_KINDS = {"choice": "MC", "truefalse": "TF", "short": "Short", "numeric": "Numerical", "matching": "Matching",
          "essay": "Essay", "description": "Description", "category": "Category"}


def _gift_pegjs() -> Path:
    """gift-pegjs installed with npm into a folder kept between runs; skip when node or npm are missing."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed for the reference GIFT parser")
    folder = Path(os.environ.get("GIFT_PEGJS_PREFIX", Path(tempfile.gettempdir()) / "rnn-decks-gift-pegjs"))
    module = folder / "node_modules" / "gift-pegjs"
    if not module.is_dir():
        try:
            subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "gift-pegjs@1"],
                           check=True, capture_output=True, timeout=180)
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"gift-pegjs could not be installed: {exc}")
    return folder


def _reference(folder: Path, texts: list[str]) -> list:
    script = ("const p=require('gift-pegjs');let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>"
              "{console.log(JSON.stringify(JSON.parse(s).map(t=>{try{return p.parse(t)}catch(e){return null}})))})")
    out = subprocess.run(["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True,
                         cwd=folder, check=True, timeout=60, env={**os.environ, "NODE_PATH": str(folder / "node_modules")})
    return json.loads(out.stdout)


def _ours(text: str) -> list[dict]:
    out = []
    for b in parse(split_lines(text)).blocks:
        entry = {"type": _KINDS[b.kind], "title": b.title or None}
        if b.kind == "category":
            entry = {"type": "Category", "title": b.category}
        elif b.kind == "truefalse":
            entry["isTrue"] = b.truth
        elif b.kind == "numeric" and len(b.answers) == 1 and b.answers[0].weight is None:
            entry["number"] = b.answers[0].text
        elif b.kind in ("choice", "short", "numeric", "matching"):
            entry["choices"] = [(" ".join(a.text.split()), a.correct, a.weight) for a in b.answers]
        if b.kind != "category":
            entry["stem"] = " ".join(b.stem.split())
        out.append(entry)
    return out


def _theirs(parsed: list) -> list[dict]:
    from pipeline.formats.gift import unescape

    out = []
    for q in parsed:
        entry = {"type": q["type"], "title": q.get("title")}
        if q["type"] == "Category":
            out.append(entry)
            continue
        entry["stem"] = " ".join(q["stem"]["text"].split())
        if q["type"] == "TF":
            entry["isTrue"] = q["isTrue"]
        elif q["type"] == "Numerical" and isinstance(q["choices"], dict):
            c = q["choices"]
            entry["number"] = (f"{c['numberLow']}..{c['numberHigh']}" if c["type"] == "high-low"
                               else f"{c['number']}:{c['range']}" if c.get("range") is not None else f"{c['number']}")
        elif q["type"] == "Matching":
            entry["choices"] = [(f"{m['subquestion']['text']} -> {m['subanswer']}", True, None) for m in q["matchPairs"]]
        elif "choices" in q:
            entry["choices"] = []
            for c in q["choices"]:
                text = c["text"]
                if isinstance(text, dict) and "format" in text:
                    text = text["text"]
                elif isinstance(text, dict):  # a numeric answer
                    text = (f"{text['numberLow']}..{text['numberHigh']}" if text["type"] == "high-low"
                            else f"{text['number']}:{text['range']}")
                weight = c.get("weight")
                entry["choices"].append((" ".join(str(text).split()), bool(c["isCorrect"]) or (weight or 0) > 0,
                                         float(weight) if weight is not None else None))
        out.append(entry)
    return out


def _same_numbers(ours: list[dict]) -> list[dict]:
    """Numbers written as GIFT writes them (`3.14:0.01`) compared as the reference parser gives them."""
    def norm(text: str) -> str:
        import re

        def num(m: re.Match) -> str:
            value = float(m.group(0))
            return str(int(value)) if value == int(value) else str(value)
        return re.sub(r"-?\d+(?:\.\d+)?", num, text)

    for entry in ours:
        if entry["type"] == "Numerical":
            if "number" in entry:
                entry["number"] = norm(entry["number"])
            if "choices" in entry:
                entry["choices"] = [(norm(t), c, w) for t, c, w in entry["choices"]]
    return ours


def test_the_parser_matches_the_reference_grammar_on_every_fixture() -> None:
    from pipeline.formats.gift import unescape

    folder = _gift_pegjs()
    names = list(FIXTURES)
    parsed = _reference(folder, [FIXTURES[n] for n in names])
    for name, reference in zip(names, parsed):
        assert reference is not None, f"gift-pegjs rejects the fixture {name}"
        theirs = _theirs(reference)
        ours = _same_numbers(_ours(FIXTURES[name]))
        for entry in ours:  # the reference keeps the question text escaped-free already; so do we
            if "stem" in entry:
                entry["stem"] = unescape(entry["stem"]) if "\\" in entry["stem"] else entry["stem"]
            if "choices" in entry:
                entry["choices"] = [(unescape(t), c, w) for t, c, w in entry["choices"]]
        for entry in theirs:
            if "number" in entry:
                entry["number"] = _same_numbers([{"type": "Numerical", "number": entry["number"]}])[0]["number"]
            if entry["type"] == "Numerical" and "choices" in entry:
                entry["choices"] = _same_numbers([{"type": "Numerical", "choices": entry["choices"]}])[0]["choices"]
        assert ours == theirs, name
