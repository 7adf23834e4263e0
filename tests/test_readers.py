"""The reader on whole documents: facts about fixture documents in the layouts of the five seeds (their
questions, options and source lines are stated in `fixtures/layouts/documents`), and facts about the seeds."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import load_document
from pipeline.model import Document, Question
from pipeline.readers import read_bytes, slug_of

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "layouts" / "documents"


def read_fixture(md: Path) -> Document:
    return read_bytes(md.read_bytes(), md.name)


# ---- facts about the variants, stated directly ------------------------------------------------------

def fixture(layout: str, name: str) -> Document:
    """A whole document in the layout of one seed (its questions are checked in `test_layouts`)."""
    return read_fixture(DOCUMENTS / f"{layout}-{name}.md")


def correct_letters(q: Question) -> str:
    return "".join(chr(65 + i) for i, c in enumerate(q.choices) if c.correct)


def test_letter_answer_with_two_letters_makes_multi_choice() -> None:
    q = fixture("bullet-quiz", "q-labels").questions[1]
    assert q.kind == "multi_choice"
    assert correct_letters(q) == "BD"
    assert [c.text for c in q.choices][1] == "Gradient clipping"  # the `B.` label is gone


def test_indented_lettered_options_are_options() -> None:
    doc = fixture("bullet-quiz", "numbered-lettered")
    first, second = doc.questions[:2]
    assert first.stem == "Which of these are sequence problems? (Select all that apply)"
    assert [c.text for c in first.choices] == ["Machine translation", "Image classification", "Speech recognition",
                                               "Spam filtering of a single fixed-size feature vector"]
    assert correct_letters(first) == "AC" and first.kind == "multi_choice"
    # A letters-only answer becomes the marks; the prose after it is the explanation, not a second answer.
    assert first.answer == "" and first.explanation == "Translation and speech both map sequences."
    assert second.kind == "single_choice" and correct_letters(second) == "B"


def test_crlf_document_reads_like_lf() -> None:
    crlf = (DOCUMENTS / "bullet-quiz-crlf.md").read_bytes()
    assert b"\r\n" in crlf
    a = read_bytes(crlf, "crlf.md")
    b = read_bytes(crlf.replace(b"\r\n", b"\n"), "crlf.md")
    assert a.questions == b.questions and a.questions
    assert correct_letters(a.questions[1]) == "AC"
    assert not any("\r" in q.stem + q.answer + "".join(c.text for c in q.choices) for q in a.questions)


def test_prose_answer_names_options_including_one_word_ones() -> None:
    lstm, fight, neither = fixture("bullet-quiz", "prose-answers").questions
    assert correct_letters(lstm) == "A" and lstm.kind == "single_choice"
    assert correct_letters(fight) == "AC" and fight.kind == "multi_choice"
    # An answer that names no option leaves all unmarked, and says so, instead of guessing.
    assert correct_letters(neither) == ""
    assert [(d.code, d.line) for d in neither.diagnostics] == [("choice-unmarked", 17)]


def test_checkbox_options_under_question_headings() -> None:
    doc = fixture("bullet-quiz", "question-headings")
    q = doc.questions[0]
    assert q.source.line_start == 3  # the `### Question 1` line itself belongs to the question
    assert [(c.text, c.correct) for c in q.choices] == [("LSTM", True), ("Elman RNN", False), ("GRU", True)]
    assert q.kind == "multi_choice"


def test_bold_question_labels_with_bold_answer() -> None:
    doc = fixture("bullet-quiz", "bold-labels")
    assert [q.id for q in doc.questions] == ["bullet-quiz-bold-labels/q01", "bullet-quiz-bold-labels/q02", "bullet-quiz-bold-labels/q03"]
    assert doc.questions[0].answer == "(batch, time steps, features)."
    assert correct_letters(doc.questions[1]) == "B"


def test_interview_variants_split_question_answer_and_source() -> None:
    bold = fixture("interview", "bold-labels")
    assert [q.stem for q in bold.questions] == ["What is a recurrent neural network?",
                                                "Why do plain RNNs struggle with long sequences?"]
    assert bold.questions[1].attribution == "Source: en.wikipedia.org"
    assert "2. exploding gradients make training unstable." in bold.questions[1].answer
    headed = fixture("interview", "question-headings")
    assert headed.questions[0].answer == "It scales the previous cell state, deciding what to keep."
    last = headed.questions[-1]
    assert last.answer == "" and [d.code for d in last.diagnostics] == ["answer-missing"]


def test_exercise_report_without_contents_finds_sections_and_tasks() -> None:
    doc = fixture("exercise-report", "no-toc")
    assert [q.id for q in doc.questions] == ["exercise-report-no-toc/task1-q1", "exercise-report-no-toc/task1-q2",
                                              "exercise-report-no-toc/gru-q1"]
    first = doc.questions[0]
    assert "Hidden Layer Size: 64" in first.context  # the task's set-up travels with its first question
    assert first.answer.endswith("$8 * 64 = 512$.")
    assert doc.questions[2].section == "GRU"


def test_exercise_report_bare_question_label_takes_the_next_line_as_stem() -> None:
    q = fixture("exercise-report", "bare-labels").questions[0]
    assert q.stem == "Why are the weights shared across time steps?"
    assert q.answer == "So that the model handles sentences of any length with one set of parameters."


def test_question_list_with_question_headings() -> None:
    doc = fixture("question-list", "question-headings")
    assert doc.dialect == "numbered headings"
    assert [q.stem for q in doc.questions] == ["Why does the LSTM cell state help gradients flow?",
                                               "What is the role of the output gate?",
                                               "How does the GRU merge the LSTM's gates?"]
    assert doc.questions[2].notes[0].startswith("**Worked example**")
    # Unnumbered headings right above questions are sections, not part of the title and not commentary.
    assert doc.title == "Study Questions: Gated RNNs"
    assert [q.section for q in doc.questions] == ["LSTM", "LSTM", "GRU"]
    assert [(d.line, d.severity, d.code) for d in doc.diagnostics] == [(23, "warning", "question-empty")]


def test_question_list_heading_depths_do_not_matter() -> None:
    doc = fixture("question-list", "depths")
    assert [q.number for q in doc.questions] == ["10.1.1", "10.2 (opening question)", "10.2.1", "10.3.1"]
    assert doc.questions[3].section == "Bidirectional RNNs"
    assert any(s.line_start == 25 and "commentary" in s.reason for s in doc.skipped)


def test_quiz_export_check_nested_under_the_right_option() -> None:
    doc = fixture("quiz-export", "nested-feedback")
    assert [correct_letters(q) for q in doc.questions] == ["B", "B", "AC"]
    assert [q.kind for q in doc.questions] == ["single_choice", "single_choice", "multi_choice"]
    assert doc.questions[0].choices[1].text == "Sentiment classification"  # no ○ left in the text
    assert doc.questions[0].explanation == "The whole review maps to one label."
    assert doc.questions[1].explanation == "Clipping caps the norm of the gradient."


def test_quiz_export_filled_radio_marks_the_answer() -> None:
    doc = fixture("quiz-export", "radio")
    assert [(c.text, c.correct) for c in doc.questions[0].choices] == [("1", False), ("2", False), ("3", True),
                                                                       ("4", False)]
    assert correct_letters(doc.questions[1]) == "B"


def test_quiz_export_tab_indented_options_with_crlf() -> None:
    doc = fixture("quiz-export", "tabbed-crlf")
    nan, gate, output = doc.questions
    assert [c.text for c in nan.choices] == ["Vanishing gradient problem.", "Exploding gradient problem.",
                                             "Dead ReLU units."]
    # The last option of a run is still an option when no `✓` line follows it.
    assert [c.text for c in output.choices] == ["GRU", "LSTM", "Elman RNN"] and output.explanation == ""
    # A trailing ✓ that follows no option marks nothing: the reader must say so rather than guess.
    assert [d.code for d in nan.diagnostics] == ["choice-unmarked"]
    assert correct_letters(gate) == "B" and gate.choices[1].text == "64"


# ---- the seeds -----------------------------------------------------------------------------------

SEED_COUNTS = {"rnn-quiz": 10, "coursera-rnn": 10, "rnn-interview": 18, "rnn-exercises": 9, "dl-book-ch10": 38}
SEED_LAYOUTS = {"rnn-quiz": "list items", "coursera-rnn": "list items", "rnn-interview": "question labels",
                "rnn-exercises": "question labels", "dl-book-ch10": "numbered headings"}


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    return {name: load_document(SEEDS / f"{name}.md") for name in SEED_COUNTS}


def test_seed_question_counts_and_layouts(seeds: dict[str, Document]) -> None:
    assert {name: len(doc.questions) for name, doc in seeds.items()} == SEED_COUNTS
    assert {name: doc.dialect for name, doc in seeds.items()} == SEED_LAYOUTS


def test_rnn_quiz_first_question_answer_in_prose(seeds: dict[str, Document]) -> None:
    q = seeds["rnn-quiz"].questions[0]
    assert q.kind == "multi_choice"
    # The prose answer names sentiment and the business cycle; the overlay adds audio transcription, which the
    # source wrongly says has no term dependence.
    assert [c.correct for c in q.choices] == [True, False, True, True]
    assert q.choices[3].text.startswith("Predicting changes in the business cycle")


def test_dl_book_worked_example_is_a_note_of_10_10_3(seeds: dict[str, Document]) -> None:
    doc = seeds["dl-book-ch10"]
    owner = [q for q in doc.questions if any("Example of how an LSTM can use counters" in n for n in q.notes)]
    assert [q.number for q in owner] == ["10.10.3"]
    assert "aaaaabbbbbccccc" in owner[0].notes[0]
    assert not any("counters" in q.stem and "context sensitive language" in q.stem for q in doc.questions)


def test_dl_book_commentary_is_skipped(seeds: dict[str, Document]) -> None:
    doc = seeds["dl-book-ch10"]
    lines = (SEEDS / "dl-book-ch10.md").read_text(encoding="utf-8").split("\n")
    heading = lines.index("## Comments on vector-memory cells") + 1
    commentary = [s for s in doc.skipped if s.line_start <= heading <= s.line_end]
    assert commentary and "commentary" in commentary[0].reason
    assert not any("Hochreiter" in q.stem for q in doc.questions)
    assert all(q.source.line_end < heading for q in doc.questions)


def test_dl_book_unnumbered_opening_of_10_2_is_its_own_question(seeds: dict[str, Document]) -> None:
    doc = seeds["dl-book-ch10"]
    (q,) = [q for q in doc.questions if "hyperbolic tangent units" in q.stem]
    assert q.number == "10.2 (opening question)"
    assert q.stem.startswith("The authors assume hyperbolic tangent units, not ReLU")
    assert q.section == "Questions for Recurrent Neural Networks"
    following = doc.questions[doc.questions.index(q) + 1]
    assert following.number == "10.2.1" and "hyperbolic" not in following.stem


def test_exercise_report_table_of_contents_is_skipped(seeds: dict[str, Document]) -> None:
    doc = seeds["rnn-exercises"]
    toc = {no for s in doc.skipped if s.reason == "table of contents" for no in range(s.line_start, s.line_end + 1)}
    assert {3, 5, 17} <= toc  # `Contents`, its first entry and its last entry
    assert all(q.source.line_start > 17 for q in doc.questions)
    # The overlay asks for one count where the source asked for two equal ones (5 and 10 steps).
    assert doc.questions[0].stem == "Calculate the number of parameters required to unroll this vanilla RNN for 5 " \
                                    "time steps."


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_nothing_is_lost(name: str, seeds: dict[str, Document]) -> None:
    """Every non-blank line of a seed is in exactly one question or one deliberately skipped range."""
    doc = seeds[name]
    text = (SEEDS / f"{name}.md").read_bytes().decode("utf-8")
    lines = text.replace("\r\n", "\n").split("\n")
    owners: dict[int, list[str]] = {}
    for q in doc.questions:
        for no in range(q.source.line_start, q.source.line_end + 1):
            owners.setdefault(no, []).append(q.id)
    for s in doc.skipped:
        for no in range(s.line_start, s.line_end + 1):
            owners.setdefault(no, []).append(f"skipped: {s.reason}")
    nonblank = [no for no, line in enumerate(lines, 1) if line.strip(" \t\u00a0\u200b")]
    lost = [no for no in nonblank if no not in owners]
    doubled = {no: owners[no] for no in nonblank if len(owners.get(no, [])) > 1}
    assert lost == [] and doubled == {}
    assert max(owners) <= len(lines)


def test_document_slug_is_safe_for_tags_and_ids() -> None:
    assert {slug_of(str(p)) for p in SEEDS.glob("*.md")} == {
        "coursera-rnn", "dl-book-ch10", "rnn-exercises", "rnn-interview", "rnn-quiz"}
    assert slug_of("seeds/my quiz.md") == "my-quiz"
    assert slug_of("seeds/Week 3\t quiz\u00a0(final).markdown") == "Week-3-quiz-(final)"
    doc = read_bytes((SEEDS / "rnn-quiz.md").read_bytes(), "seeds/my quiz.md")
    assert doc.slug == "my-quiz" and doc.questions
    for q in doc.questions:
        assert q.id.startswith("my-quiz/") and q.document == "my-quiz"
        assert not any(ch.isspace() for ch in q.id)
