"""Diagnostics: each problem a reader, the normalizer or an overlay can report, with its severity, file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.curate import curation
from pipeline.build import load_document
from pipeline.model import Diagnostic, Document, Question, Skipped, SourceSpan, all_diagnostics
import pipeline.readers
from pipeline.readers import read_bytes, read_path
from pipeline.readers.text import TextLine as Line, coverage

QUIZ = """# Quiz

1. What does RNN stand for?

Answer: Recurrent neural network.

2. Which cell has a memory cell separate from its output?
  - LSTM
  - Elman RNN

Answer: The LSTM.

3. Why clip gradients?

Answer: To stop them exploding.
"""


def read(data: bytes | str, path: str = "quiz.md") -> Document:
    """read_bytes, failing the test (rather than erroring) if bad input makes it raise."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        return read_bytes(raw, path)
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"read_bytes raised {exc!r} on bad input")


def only(diags: list[Diagnostic] | tuple[Diagnostic, ...] | Document, code: str) -> Diagnostic:
    found = [d for d in (all_diagnostics(diags) if isinstance(diags, Document) else diags) if d.code == code]
    assert len(found) == 1, [str(d) for d in found]
    return found[0]


def check(d: Diagnostic, severity: str, file: str, line: int) -> None:
    assert (d.severity, d.file, d.line) == (severity, file, line)
    where = f"{file}:{line}" if line else file
    assert str(d) == f"{where}: {severity}[{d.code}]: {d.message}"
    assert d.message and "\n" not in d.message


def test_the_base_document_is_clean() -> None:
    doc = read(QUIZ)
    assert len(doc.questions) == 3
    assert [d.code for d in all_diagnostics(doc)] == []


# ---- bytes and encodings ------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \n\n\t\r\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(data: bytes) -> None:
    doc = read(data)
    d = only(doc, "empty-file")
    check(d, "error", "quiz.md", 0)
    assert str(d) == "quiz.md: error[empty-file]: the file is empty"
    assert doc.questions == ()


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 20],
                         ids=["nul-bytes", "control-characters"])
def test_binary_file(data: bytes) -> None:
    doc = read(data, "image.md")
    check(only(doc, "binary-file"), "error", "image.md", 0)
    assert doc.questions == ()


def test_encoding_fallback_names_the_line_and_still_reads() -> None:
    data = QUIZ.encode("utf-8").replace(b"What does RNN stand for?", b"What does \x93RNN\x94 stand for?")
    doc = read(data)
    d = only(doc, "encoding-fallback")
    check(d, "warning", "quiz.md", 3)
    assert "0x93" in d.message and "Windows-1252" in d.message
    assert doc.questions[0].stem == "What does “RNN” stand for?"
    assert len(doc.questions) == 3 and not any(x.severity == "error" for x in all_diagnostics(doc))


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_encoding_fallback_line_with_any_line_ending(newline: bytes) -> None:
    data = QUIZ.encode("utf-8").replace(b"The LSTM.", b"The LSTM \x96 with gates.").replace(b"\n", newline)
    doc = read(data)
    check(only(doc, "encoding-fallback"), "warning", "quiz.md", 11)
    assert doc.questions[1].answer == "The LSTM – with gates."


CURLY_QUIZ = QUIZ.replace("What does RNN stand for?", "What does “RNN” stand for?").replace(
    "To stop them exploding.", "To stop them exploding – or vanishing.")


def test_a_stray_byte_in_utf8_keeps_the_rest_utf8() -> None:
    data = CURLY_QUIZ.encode("utf-8").replace(b"The LSTM.", b"The LSTM\x92s cell.")
    doc = read(data)
    assert doc.questions[0].stem == "What does “RNN” stand for?"
    assert doc.questions[2].answer == "To stop them exploding – or vanishing."
    assert doc.questions[1].answer == "The LSTM’s cell."  # the byte read as the Windows-1252 character it is
    d = only(doc, "encoding-stray-bytes")
    check(d, "warning", "quiz.md", 11)
    assert "0x92" in d.message and "’" in d.message
    assert "encoding-fallback" not in [x.code for x in all_diagnostics(doc)]
    assert len(doc.questions) == 3 and not any(x.severity == "error" for x in all_diagnostics(doc))


def test_one_warning_per_line_with_stray_bytes() -> None:
    data = (CURLY_QUIZ.encode("utf-8").replace(b"The LSTM.", b"The \x93LSTM\x94.")
            .replace(b"Why clip", b"Why\xa0clip"))
    doc = read(data)
    found = [d for d in all_diagnostics(doc) if d.code == "encoding-stray-bytes"]
    assert [(d.line, d.severity) for d in found] == [(11, "warning"), (13, "warning")]
    assert "0x93" in found[0].message and "0x94" in found[0].message
    assert doc.questions[1].answer == "The “LSTM”."
    assert doc.questions[2].stem == "Why clip gradients?"  # NBSP, read as a plain space like any other NBSP
    assert doc.questions[0].stem == "What does “RNN” stand for?"


def test_a_stray_byte_windows_1252_lacks_becomes_a_replacement_character() -> None:
    data = CURLY_QUIZ.encode("utf-8").replace(b"The LSTM.", b"The LSTM\x81.")
    doc = read(data)
    assert doc.questions[1].answer == "The LSTM\ufffd."
    d = only(doc, "encoding-stray-bytes")
    check(d, "warning", "quiz.md", 11)
    assert "0x81" in d.message


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_stray_byte_line_with_any_line_ending_and_a_bom(newline: bytes) -> None:
    # Only the byte-order mark says UTF-8 here: the rest is ASCII.
    data = b"\xef\xbb\xbf" + QUIZ.encode("utf-8").replace(b"The LSTM.", b"The LSTM \x96 with gates.")
    doc = read(data.replace(b"\n", newline))
    check(only(doc, "encoding-stray-bytes"), "warning", "quiz.md", 11)
    assert doc.questions[1].answer == "The LSTM – with gates."
    assert doc.title == "Quiz"  # the byte-order mark is not read as Windows-1252 `ï»¿`


def test_a_truncated_character_is_a_stray_byte() -> None:
    data = CURLY_QUIZ.encode("utf-8").replace("“RNN”".encode("utf-8"), "“RNN”".encode("utf-8")[:-1])
    doc = read(data)
    d = only(doc, "encoding-stray-bytes")
    check(d, "warning", "quiz.md", 3)
    assert "0xe2 0x80" in d.message
    assert doc.questions[0].stem.startswith("What does “RNN")


def test_unreadable_path(tmp_path: Path) -> None:
    missing = tmp_path / "gone.md"
    doc = read_path(missing)
    check(only(doc, "unreadable"), "error", str(missing), 0)


# ---- whole documents -----------------------------------------------------------------------------

def test_a_document_with_no_question_says_what_was_looked_for() -> None:
    doc = read("Some notes about recurrent networks.\n\nThey have a hidden state.\n", "notes.md")
    d = only(doc, "no-questions")
    check(d, "error", "notes.md", 1)
    assert "numbered headings" in d.message and "`Q3:`" in d.message
    assert doc.dialect == "" and doc.questions == ()


def test_no_questions() -> None:
    doc = read("Task 1\n\nSome set-up.\n\nTask 2\n\nMore set-up.\n", "report.md")
    d = only(doc, "no-questions")
    check(d, "error", "report.md", 1)
    # The set-up text is accounted for, not silently dropped.
    assert [(s.line_start, s.reason) for s in doc.skipped if "set-up" in s.reason] == [(3, "task set-up with no question"),
                                                                                      (7, "task set-up with no question")]


def test_reader_failure_becomes_a_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(pipeline.readers, "read_lines", broken)
    doc = read(QUIZ)
    d = only(doc, "reader-failed")
    check(d, "error", "quiz.md", 1)
    assert "IndexError" in d.message


def test_skipped_preamble() -> None:
    doc = read(QUIZ.replace("# Quiz\n", "# Quiz\n\nTake your time.\n"))
    d = only(doc, "skipped-preamble")
    check(d, "info", "quiz.md", 3)
    assert any(s.line_start == 3 and s.line_end == 3 for s in doc.skipped)


def test_duplicate_number() -> None:
    doc = read(QUIZ.replace("1. What", "Q1: What").replace("2. Which cell", "Q1: Which cell"))
    d = only(doc, "duplicate-number")
    check(d, "warning", "quiz.md", 7)
    assert [q.id for q in doc.questions] == ["quiz/q01", "quiz/q01-2", "quiz/q03"]


def test_unanswered_question_does_not_swallow_the_next() -> None:
    doc = read(QUIZ.replace("\nAnswer: Recurrent neural network.\n", ""))
    assert [q.stem for q in doc.questions] == ["What does RNN stand for?",
                                               "Which cell has a memory cell separate from its output?",
                                               "Why clip gradients?"]
    assert [c.correct for c in doc.questions[1].choices] == [True, False]


# ---- questions -----------------------------------------------------------------------------------

def test_math_unbalanced() -> None:
    doc = read(QUIZ.replace("What does RNN stand for?", "Is $h_t the hidden state of an RNN?"))
    d = only(doc, "math-unbalanced")
    check(d, "error", "quiz.md", 3)
    assert "stem" in d.message


def test_a_dollar_before_a_number_is_money_not_math() -> None:
    doc = read(QUIZ.replace("What does RNN stand for?", "Is a GPU worth $5 per hour for an RNN?"))
    assert not [d for d in all_diagnostics(doc) if d.code == "math-unbalanced"]
    assert doc.questions[0].stem == "Is a GPU worth \\$5 per hour for an RNN?"  # escaped: shown as $5


def test_math_unbalanced_in_an_option() -> None:
    doc = read(QUIZ.replace("  - Elman RNN", "  - Elman RNN with $h_t"))
    d = only(doc, "math-unbalanced")
    check(d, "error", "quiz.md", 7)
    assert "option B" in d.message


def test_choice_unmarked_in_a_bullet_quiz() -> None:
    doc = read(QUIZ.replace("Answer: The LSTM.", "Answer: Neither; both are feed-forward."))
    d = only(doc, "choice-unmarked")
    check(d, "error", "quiz.md", 7)
    assert not any(c.correct for c in doc.questions[1].choices)


EXPORT = """# Sequence Models

1. Which cell has gates?
  - ○ Elman RNN
  - ○ Perceptron
  - ● LSTM
  - ○ Hopfield network

✓ Correct

2. Which problem does clipping address?
  - ○ Vanishing gradients
  - ○ Exploding gradients
    - ✓ Correct
  - ○ Overfitting
"""


def test_choice_unmarked_in_a_quiz_export() -> None:
    doc = read(EXPORT.replace("  - ● LSTM", "  - ○ LSTM"), "export.md")
    d = only(doc, "choice-unmarked")
    check(d, "error", "export.md", 3)


def test_choice_ambiguous_marker_and_check_disagree() -> None:
    text = EXPORT.replace("  - ○ Vanishing gradients", "  - ● Vanishing gradients")
    doc = read(text, "export.md")
    d = only(doc, "choice-ambiguous")
    check(d, "warning", "export.md", 11)
    assert "option A" in d.message and "option B" in d.message
    assert [c.correct for c in doc.questions[1].choices] == [True, False, False]  # the marker wins, and it is said


def test_choice_ambiguous_unreadable_marker() -> None:
    text = EXPORT.replace("  - ● LSTM", "  - . LSTM")
    doc = read(text, "export.md")
    d = only(doc, "choice-ambiguous")
    check(d, "warning", "export.md", 3)
    assert "unreadable marker" in d.message


def test_choice_missing() -> None:
    text = EXPORT.replace("  - ○ Vanishing gradients\n  - ○ Exploding gradients\n    - ✓ Correct\n  - ○ Overfitting\n",
                          "\n✓ Correct Clipping caps the gradient norm.\n")
    doc = read(text, "export.md")
    d = only(doc, "choice-missing")
    check(d, "warning", "export.md", 11)
    assert doc.questions[1].kind == "open"


@pytest.mark.parametrize("line, pointer", [
    ("Figure 3: An unrolled RNN", "Figure 3"),
    ("The network is shown below.", "shown below"),
])
def test_figure_missing(line: str, pointer: str) -> None:
    doc = read(QUIZ.replace("2. Which cell has a memory cell separate from its output?",
                            f"2. Which cell has a memory cell separate from its output?\n{line}"))
    d = only(doc, "figure-missing")
    check(d, "warning", "quiz.md", 8)
    assert pointer in d.message
    assert len(doc.questions[1].figures) == 1


def test_figure_missing_for_a_dropped_equation() -> None:
    doc = read("Q1: What is the update?\n\nAnswer\n\nThe state is computed as:\n\nwhere h is the state.\n\n"
               "Q2: Why?\n\nAnswer\n\nBecause.\n", "interview.md")
    d = only(doc, "figure-missing")
    check(d, "warning", "interview.md", 5)
    assert "equation" in d.message


def test_question_empty_in_a_bullet_quiz() -> None:
    doc = read(QUIZ.replace("2. Which cell has a memory cell separate from its output?", "Q2:"))
    d = only(doc, "question-empty")
    check(d, "error", "quiz.md", 7)


def test_question_empty_heading_in_a_question_list() -> None:
    doc = read("# Questions\n\n## 1.1\n\nWhat is unfolding?\n\n## 1.2\n\n## 1.3\n\nWhy share weights?\n", "list.md")
    d = only(doc, "question-empty")
    check(d, "warning", "list.md", 7)
    assert [q.number for q in doc.questions] == ["1.1", "1.3"]


@pytest.mark.parametrize("text, path, line", [
    (QUIZ.replace("\nAnswer: Recurrent neural network.\n", ""), "quiz.md", 3),
    ("Q1: What is an RNN?\n\nAnswer\n\nA network with a state.\n\nQ2: Why gates?\n\nAnswer\n", "interview.md", 7),
    ("Task 1\n\nQuestion 1: Why share weights?\n\nQuestion 2: Why clip?\n\nTo cap the norm.\n", "report.md", 3),
    ("## 1.1\n\nWhat is unfolding?\n\n## 1.2\n\nWhy share weights?\n", "list.md", 1),
], ids=["bullet-quiz", "interview", "exercise-report", "question-list"])
def test_answer_missing(text: str, path: str, line: int) -> None:
    doc = read(text, path)
    first = [d for d in all_diagnostics(doc) if d.code == "answer-missing"][0]
    check(first, "info", path, line)


def test_line_lost_and_line_overlap() -> None:
    raw = ["Q1: What?", "", "stray text", "", "Q2: Why?", "Because."]
    q1 = Question("d/q01", "d", "1", "open", "What?", SourceSpan("d.md", 1, 1))
    q2 = Question("d/q02", "d", "2", "open", "Why?", SourceSpan("d.md", 5, 6))
    diags = coverage([Line(i + 1, t) for i, t in enumerate(raw)], [q1, q2], [Skipped(6, 6, "footer")], "d.md")
    lost = only(diags, "line-lost")
    check(lost, "error", "d.md", 3)
    assert "stray text" in lost.message
    overlap = only(diags, "line-overlap")
    check(overlap, "error", "d.md", 6)
    assert "d/q02" in overlap.message and "footer" in overlap.message


# Inputs that once left a line in no span, or in two: each is now accounted for exactly once.
ONCE_LOST = {
    "task-set-up-without-question": "Task 1\n\nSome set-up.\n\nTask 2\n\nMore set-up.\n",
    "bare-question-heading": "### Question 1\nWhich cells gate?\n- [x] LSTM\n- [ ] RNN\n\nAnswer: LSTM.\n\n"
                             "### Question 2\nWhy?\n\nAnswer: Because.\n",
    "example-under-empty-question": "## 1.1\n\n## Example of it\n\nSome text.\n\n## 1.2\n\nWhy?\n",
    "feedback-between-split-questions": "Question 1: Why?\n  - ○ Radio\n$$x^{<t>}$$\n    - ✓ Correct\n- [x] Checked\n\n"
                                        "#### LATEST SUBMISSION GRADE\n\n- Image classification\n\n- [x] Checked\n",
    "options-after-a-stray-paragraph": "Q2: What?\nshown below\n    - ✓ Correct\nContents\n✓ Correct Yes!\n\n"
                                       "Contents\n  - ● Filled\n**Answer**\n. dot\n- Second\n\tTabbed option\n",
}


@pytest.mark.parametrize("text", ONCE_LOST.values(), ids=ONCE_LOST.keys())
def test_no_line_lost_or_doubled(text: str) -> None:
    doc = read(text)
    assert doc.dialect
    owners: dict[int, int] = {}
    for start, end in [(q.source.line_start, q.source.line_end) for q in doc.questions] + \
                      [(x.line_start, x.line_end) for x in doc.skipped]:
        for no in range(start, end + 1):
            owners[no] = owners.get(no, 0) + 1
    counts = {no: owners.get(no, 0) for no, line in enumerate(text.split("\n"), 1) if line.strip()}
    assert set(counts.values()) == {1}, counts
    assert not {"line-lost", "line-overlap"} & {d.code for d in all_diagnostics(doc)}


BAD_INPUTS = {
    "nul-bytes": b"\x00" * 10,
    "latin-1": "Q1: Pourquoi?\n\nAnswer\n\nParce que \u00e7a marche.\n\nQ2: Non?\n\nAnswer\n\nSi.\n".encode("latin-1"),
    "only-headings": b"# A\n## B\n### C\n",
    "only-answers": b"Answer: A\nAnswer: B\nAnswer: C\n",
    "unclosed-math": b"Q1: Is $x\n\nAnswer\n\n$$y\n\nQ2: z$\n\nAnswer\n",
    "long-line": b"1. " + b"word " * 20000 + b"\n\nAnswer: x\n\n2. y\n\nAnswer: z\n",
    "options-without-question": b"  - \xe2\x97\x8b a\n  - \xe2\x97\x8f b\n\xe2\x9c\x93 Correct\n\xe2\x9c\x93 Correct\n",
    "letters-out-of-range": b"Q1: Which?\nA. x\nB. y\n\nAnswer: F\n\nQ2: Why?\n\nAnswer: G, H\n",
    "utf-16": "Q1: Why?\n\nAnswer: Because.\n".encode("utf-16"),
}


@pytest.mark.parametrize("data", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_never_raises(data: bytes) -> None:
    doc = read(data, "bad.md")
    for d in all_diagnostics(doc):
        assert d.severity in ("error", "warning", "info") and d.file == "bad.md"
    assert doc.questions or any(d.severity == "error" for d in all_diagnostics(doc))


# ---- curation overlays -----------------------------------------------------------------------------

CHOICE_EXPORT = EXPORT.replace("  - ● LSTM", "  - ○ LSTM")  # question 1 marks no option


def curate(tmp_path: Path, overlay: str, text: str = CHOICE_EXPORT) -> Document:
    (tmp_path / "export.md").write_text(text, encoding="utf-8")
    (tmp_path / "export.fixes.toml").write_text(overlay, encoding="utf-8")
    doc = read(text, "export.md")
    try:
        return curation.apply(doc, curation.load_overlay(tmp_path / "export.fixes.toml", "export.fixes.toml"))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"curation raised {exc!r} on a bad overlay")


def test_fix_applied(tmp_path: Path) -> None:
    doc = curate(tmp_path, '[[fix]]\nquestion = "which cell has gates"\nwhy = "The export lost the filled radio."\n'
                           "correct = [3]\n")
    d = only(doc, "fix-applied")
    check(d, "info", "export.md", 3)
    assert d.message == "export.fixes.toml:1: The export lost the filled radio."
    assert [c.correct for c in doc.questions[0].choices] == [False, False, True, False]


def test_fix_stale_question_text(tmp_path: Path) -> None:
    doc = curate(tmp_path, '# header comment\n\n[[fix]]\nquestion = "Which gate resets the state"\nwhy = "x"\ncorrect = [1]\n')
    d = only(doc, "fix-stale")
    check(d, "error", "export.fixes.toml", 3)
    assert "Which gate resets the state" in d.message


def test_fix_stale_replace_find(tmp_path: Path) -> None:
    doc = curate(tmp_path, '[[fix]]\nquestion = "clipping address"\nwhy = "typo"\n'
                           '[[fix.replace]]\nfield = "stem"\nfind = "adress"\nwith = "address"\n')
    d = only(doc, "fix-stale")
    check(d, "error", "export.fixes.toml", 1)
    assert "export/q02" in d.message and "adress" in d.message
    assert doc.questions[1].stem == "Which problem does clipping address?"


def test_fix_stale_option_count(tmp_path: Path) -> None:
    doc = curate(tmp_path, '[[fix]]\nquestion = "clipping address"\nwhy = "markers"\ncorrect = [5]\n')
    check(only(doc, "fix-stale"), "error", "export.fixes.toml", 1)


@pytest.mark.parametrize("overlay, line, words", [
    ('[[fix]]\nquestion = "which cell has gates"\ncorrect = [3]\n', 1, "why"),
    ('[[fix]]\nquestion = "x"\nwhy = "y"\n\n[[fix]]\nquestion = "which cell has gates"\nwhy = "z"\ncorect = [3]\n',
     8, "corect"),
    ('[[fix]]\nquestion = "which cell has gates"\nwhy = "y"\nkind = "essay"\n', 4, "kind"),
    ('[[fix]]\nquestion = "which cell has gates"\nwhy = "y"\ncorrect = "C"\n', 4, "correct"),
    ('[[fix]]\nquestion = "which cell has gates"\nwhy = "y"\n[[fix.replace]]\nfield = "stem"\nfind = "a"\n', 4, "with"),
    ("\n\n[[fix]]\nquestion = \"which cell\nwhy = \"y\"\n", 4, "TOML"),
    ('[fixes]\nquestion = "x"\n', 1, "fixes"),
], ids=["missing-why", "unknown-key", "bad-kind", "bad-correct", "replace-keys", "bad-toml", "unknown-table"])
def test_fix_invalid(tmp_path: Path, overlay: str, line: int, words: str) -> None:
    doc = curate(tmp_path, overlay)
    d = only(doc, "fix-invalid")
    check(d, "error", "export.fixes.toml", line)
    assert words in d.message


FIX = '[[fix]]\nquestion = "which cell has gates"\nwhy = "The export lost the filled radio."\n'  # lines 1-3
REPLACE = '[[fix.replace]]\nfield = "stem"\nfind = "gates"\nwith = "gate units"\n'  # lines 4-7 after FIX


@pytest.mark.parametrize("overlay, line, words", [
    (FIX + REPLACE.replace('find = "gates"', "find = 5"), 6, "`find`"),
    (FIX + REPLACE.replace('with = "gate units"', "with = 5"), 7, "`with`"),
    (FIX + REPLACE.replace('field = "stem"', "field = 5"), 5, "`field`"),
    (FIX + REPLACE.replace('field = "stem"', 'field = "option 0"'), 5, "`field`"),
    (FIX + REPLACE.replace('find = "gates"', 'find = ""'), 6, "`find`"),
    (FIX + REPLACE.replace('with = "gate units"\n', ""), 4, "`with`"),
    (FIX + "replace = 5\n", 4, "`replace`"),
    (FIX + 'replace = [1]\n', 4, "`replace`"),
    (FIX + 'replace = {field = "stem", find = "gates", with = "gate units"}\n', 4, "`replace`"),
    (FIX + 'replace = [{field = "stem", find = 5, with = "x"}]\n', 4, "`find`"),
    (FIX + "answer = 5\n", 4, "`answer`"),
    (FIX + 'explanation = ["x"]\n', 4, "`explanation`"),
    (FIX + "note = 5\n", 4, "`note`"),
    (FIX + 'note = "  "\n', 4, "`note`"),
    (FIX + 'choices = "abcd"\n', 4, "`choices`"),
    (FIX + "choices = [1, 2, 3, 4]\n", 4, "`choices`"),
    (FIX + "choices = []\n", 4, "`choices`"),
    (FIX + "correct = [true]\n", 4, "`correct`"),
    (FIX + "correct = []\n", 4, "`correct`"),
    (FIX + "correct = [0]\n", 4, "`correct`"),
    (FIX + "kind = 5\n", 4, "`kind`"),
    (FIX.replace('question = "which cell has gates"', "question = 5"), 2, "`question`"),
    (FIX.replace('why = "The export lost the filled radio."', "why = 5"), 3, "`why`"),
    ('document = "x"\n\n' + FIX, 1, "[document]"),
    ('[document]\ntitle = "Quiz"\ntitel = "Quiz"\n\n' + FIX, 3, "`titel`"),
    ("[document]\ntitle = 5\n\n" + FIX, 2, "`title`"),
    ('# comment\nfix = 5\n', 2, "[[fix]]"),
    ('fix = ["x"]\n', 1, "[[fix]]"),
    ('[fix]\nquestion = "which cell"\nwhy = "y"\n', 1, "[[fix]]"),
    ('title = "Quiz"\n\n' + FIX, 1, "`title`"),
    (FIX + 'answer = ""\n\n[[ fix ]]  # the second\nquestion = "clipping"\nwhy = "y"\nanswer = 5\n', 9, "`answer`"),
    (FIX + REPLACE + REPLACE.replace('find = "gates"', "find = 5"), 10, "`find`"),
    (FIX + "vary = 5\n", 4, "`vary`"),
    (FIX + "vary = { n_q = [1, 2] }\n", 4, "`n_q`"),
    (FIX + "vary = { n_h = [64] }\n", 4, "`vary.n_h`"),
    (FIX + "vary = { n_h = [0, 64] }\n", 4, "`vary.n_h`"),
    (FIX + "vary = { n_h = [true, 64] }\n", 4, "`vary.n_h`"),
    (FIX + "vary = { n_x = { from = 50, to = 10 } }\n", 4, "`vary.n_x`"),
    (FIX + "vary = { n_x = { from = 10 } }\n", 4, "`vary.n_x`"),
], ids=["find-int", "with-int", "field-int", "field-option-0", "find-empty", "replace-missing-key", "replace-int",
        "replace-list-of-int", "replace-one-table", "inline-replace-find-int", "answer-int", "explanation-list",
        "note-int", "note-blank", "choices-string", "choices-ints", "choices-empty", "correct-bool", "correct-empty",
        "correct-zero", "kind-int", "question-int", "why-int", "document-string", "document-unknown-key",
        "title-int", "fix-int", "fix-strings", "fix-single-table", "unknown-top-level-key", "second-fix",
        "second-replace", "vary-int", "vary-unknown-size", "vary-one-value", "vary-zero", "vary-bool",
        "vary-range-backwards", "vary-range-half"])
def test_fix_invalid_value(tmp_path: Path, overlay: str, line: int, words: str) -> None:
    doc = curate(tmp_path, overlay)
    d = only(doc, "fix-invalid")
    check(d, "error", "export.fixes.toml", line)
    assert words in d.message
    # Nothing invalid reaches the questions or the title: they are as the document gives them.
    base = read(CHOICE_EXPORT, "export.md")
    assert [q.with_(diagnostics=()) for q in doc.questions] == [q.with_(diagnostics=()) for q in base.questions]
    assert doc.title == base.title == "Sequence Models"


def test_a_valid_fix_next_to_an_invalid_one_still_applies(tmp_path: Path) -> None:
    doc = curate(tmp_path, FIX + "correct = [3]\n\n" + FIX.replace("which cell has gates", "clipping") + "note = 5\n")
    check(only(doc, "fix-invalid"), "error", "export.fixes.toml", 9)
    assert [c.correct for c in doc.questions[0].choices] == [False, False, True, False]


def test_overlay_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "export.fixes.toml").write_bytes((FIX + 'note = "caf\xe9"\n').encode("cp1252"))
    overlay = curation.load_overlay(tmp_path / "export.fixes.toml", "export.fixes.toml")
    assert overlay is not None and overlay.fixes == ()
    d = only(overlay.diagnostics, "fix-invalid")
    check(d, "error", "export.fixes.toml", 4)
    assert "UTF-8" in d.message


def test_overlay_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "export.fixes.toml").write_bytes(b"\xef\xbb\xbf" + (FIX + "correct = [3]\n").encode("utf-8"))
    overlay = curation.load_overlay(tmp_path / "export.fixes.toml", "export.fixes.toml")
    assert overlay is not None and overlay.diagnostics == () and len(overlay.fixes) == 1


def test_fix_invalid_replace_field(tmp_path: Path) -> None:
    doc = curate(tmp_path, '[[fix]]\nquestion = "which cell has gates"\nwhy = "y"\n'
                           '[[fix.replace]]\nfield = "title"\nfind = "a"\nwith = "b"\n')
    d = only(doc, "fix-invalid")
    check(d, "error", "export.fixes.toml", 5)
    assert "title" in d.message


def test_fix_ambiguous(tmp_path: Path) -> None:
    doc = curate(tmp_path, '[[fix]]\nquestion = "which"\nwhy = "y"\ncorrect = [1]\n')
    d = only(doc, "fix-ambiguous")
    check(d, "error", "export.fixes.toml", 1)
    assert "export/q01" in d.message and "export/q02" in d.message
    assert not any(x.code == "fix-applied" for x in all_diagnostics(doc))


def test_overlay_diagnostics_through_the_driver(tmp_path: Path) -> None:
    (tmp_path / "export.md").write_text(CHOICE_EXPORT, encoding="utf-8")
    (tmp_path / "export.fixes.toml").write_text('[[fix]]\nquestion = "no such question"\nwhy = "y"\n',
                                                encoding="utf-8")
    try:
        doc = load_document(tmp_path / "export.md", compute=False)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"load_document raised {exc!r}")
    check(only(doc, "fix-stale"), "error", str(tmp_path / "export.fixes.toml"), 1)
    check(only(doc, "choice-unmarked"), "error", str(tmp_path / "export.md"), 3)
