"""Saved quiz pages, written here: a review page of a learning platform (Moodle's markup) and static quiz
pages that mark the right option with an attribute or a class, read question by question."""
from __future__ import annotations

from pathlib import Path

from pipeline.build import load_document
from pipeline.formats import read_document_bytes

REVIEW = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sequence models: Attempt review</title>
<script>var M = {cfg: {}};</script>
<style>.que { margin: 1em }</style></head>
<body>
<nav class="navbar"><a href="/">Home</a> <a href="/my">My courses</a></nav>
<div role="main">
<div id="q1" class="que multichoice deferredfeedback correct">
<div class="info"><h3 class="no">Question <span class="qno">1</span></h3><div class="state">Correct</div>
<div class="grade">Mark 1.00 out of 1.00</div></div>
<div class="content"><div class="formulation">
<div class="qtext"><p>Which gate of an LSTM scales the previous cell state?</p></div>
<div class="ablock"><div class="prompt">Select one:</div><div class="answer">
<div class="r0"><input type="radio" name="q1:1_answer" value="0" id="q1:1_answer0"><label for="q1:1_answer0"><span class="answernumber">a. </span>The input gate</label></div>
<div class="r1"><input type="radio" name="q1:1_answer" value="1" id="q1:1_answer1" checked="checked"><label for="q1:1_answer1"><span class="answernumber">b. </span>The forget gate</label></div>
<div class="r0"><input type="radio" name="q1:1_answer" value="2" id="q1:1_answer2"><label for="q1:1_answer2"><span class="answernumber">c. </span>The output gate</label></div>
</div></div></div>
<div class="outcome"><div class="feedback"><div class="generalfeedback"><p>The forget gate multiplies the old cell state.</p></div></div></div>
</div></div>
<div id="q2" class="que multichoice deferredfeedback incorrect">
<div class="info"><h3 class="no">Question <span class="qno">2</span></h3><div class="state">Incorrect</div></div>
<div class="content"><div class="formulation">
<div class="qtext"><p>How many gates does a GRU have?</p></div>
<div class="ablock"><div class="answer">
<div class="r0"><input type="radio" name="q2:1_answer" value="0" id="q2:1_answer0" checked="checked"><label for="q2:1_answer0"><span class="answernumber">a. </span>Three</label></div>
<div class="r1"><input type="radio" name="q2:1_answer" value="1" id="q2:1_answer1"><label for="q2:1_answer1"><span class="answernumber">b. </span>Two</label></div>
</div></div></div>
<div class="outcome"><div class="feedback"><div class="rightanswer">The correct answer is: Two</div></div></div>
</div></div>
<div id="q3" class="que multichoice deferredfeedback partiallycorrect">
<div class="info"><h3 class="no">Question <span class="qno">3</span></h3><div class="state">Partially correct</div></div>
<div class="content"><div class="formulation">
<div class="qtext"><p>Which of these are recurrent layers?</p></div>
<div class="ablock"><div class="answer">
<div class="r0"><input type="checkbox" name="q3:1_choice0" id="q3:1_choice0" checked="checked"><label for="q3:1_choice0">a. LSTM</label></div>
<div class="r1"><input type="checkbox" name="q3:1_choice1" id="q3:1_choice1"><label for="q3:1_choice1">b. Conv2D</label></div>
<div class="r0"><input type="checkbox" name="q3:1_choice2" id="q3:1_choice2"><label for="q3:1_choice2">c. GRU</label></div>
</div></div></div>
<div class="outcome"><div class="feedback"><div class="rightanswer">The correct answers are: LSTM, GRU</div></div></div>
</div></div>
</div>
<footer id="page-footer">You are logged in as A. Learner (Log out)</footer>
</body></html>
"""

STATIC = """<html><body>
<h1>Recurrent networks</h1>
<ol>
<li><p>Which network keeps a hidden state between time steps?</p>
<ul class="options">
<li><label><input type="radio" name="a1" value="a"> A convolutional network</label></li>
<li data-correct="true"><label><input type="radio" name="a1" value="b"> A recurrent network</label></li>
</ul></li>
<li><p>Which activation does the candidate of a GRU use?</p>
<ul class="options">
<li class="option correct"><label><input type="radio" name="a2"> tanh</label></li>
<li class="option"><label><input type="radio" name="a2"> ReLU</label></li>
</ul></li>
</ol>
<script>document.querySelectorAll("input").forEach(i => i.disabled = true)</script>
</body></html>
"""


def _line_of(page: str, text: str) -> int:
    """The 1-based source line of the page that holds `text`."""
    return next(no for no, line in enumerate(page.split("\n"), 1) if text in line)


def _marks(q) -> list[tuple[str, bool]]:
    return [(c.text, c.correct) for c in q.choices]


def test_a_review_page_reads_every_question_with_its_right_answer(tmp_path: Path) -> None:
    path = tmp_path / "attempt.html"
    path.write_text(REVIEW, encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "Sequence models: Attempt review"
    assert [q.stem for q in doc.questions] == ["Which gate of an LSTM scales the previous cell state?",
                                              "How many gates does a GRU have?",
                                              "Which of these are recurrent layers?"]
    first, second, third = doc.questions
    # graded correct: the checked option is right
    assert _marks(first) == [("The input gate", False), ("The forget gate", True), ("The output gate", False)]
    assert first.explanation == "The forget gate multiplies the old cell state."
    # graded wrong: the checked option is not the answer, the feedback names it
    assert _marks(second) == [("Three", False), ("Two", True)]
    assert _marks(third) == [("LSTM", True), ("Conv2D", False), ("GRU", True)]
    assert third.kind == "multi_choice"
    cues = [{c.name for c in q.cues if c.role == "correct"} for q in doc.questions]
    assert "html-checked-graded-correct" in cues[0] and "html-correct-answer-feedback" in cues[1]
    errors = [d for d in doc.diagnostics if d.severity == "error"] + [d for q in doc.questions for d in q.diagnostics
                                                                     if d.severity == "error"]
    assert not errors


def test_scripts_styles_and_navigation_are_skipped_with_a_reason(tmp_path: Path) -> None:
    doc = read_document_bytes(REVIEW.encode(), "seeds/attempt.html")
    reasons = {s.reason: (s.line_start, s.line_end) for s in doc.skipped}
    assert reasons["navigation"] == (_line_of(REVIEW, "<nav"),) * 2
    assert reasons["the page's header or footer"] == (_line_of(REVIEW, "<footer"),) * 2
    assert "the page's head" in reasons
    assert not any("var M" in q.stem or "Home" in q.stem for q in doc.questions)


def test_positions_are_the_page_source_lines() -> None:
    doc = read_document_bytes(REVIEW.encode(), "seeds/attempt.html")
    first = doc.questions[0]
    assert [c.line for c in first.choices] == [_line_of(REVIEW, f'id="q1:1_answer{k}"') for k in range(3)]
    assert first.source.line_start == _line_of(REVIEW, "Question <span class=\"qno\">1")


def test_static_pages_mark_the_answer_with_an_attribute_or_a_class() -> None:
    doc = read_document_bytes(STATIC.encode(), "seeds/static.htm")
    assert doc.title == "Recurrent networks"
    assert [_marks(q) for q in doc.questions] == [[("A convolutional network", False), ("A recurrent network", True)],
                                                  [("tanh", True), ("ReLU", False)]]
    cues = [{c.name for c in q.cues if c.role == "correct"} for q in doc.questions]
    assert "html-data-correct" in cues[0] and "html-class-correct" in cues[1]
    assert "a script" in {s.reason for s in doc.skipped}


def test_a_checked_option_without_grading_is_kept_with_a_warning() -> None:
    page = STATIC.replace(' data-correct="true"', "").replace(' class="option correct"', ' class="option"')
    page = page.replace('value="b">', 'value="b" checked>')
    doc = read_document_bytes(page.encode(), "seeds/chosen.html")
    first, second = doc.questions
    assert _marks(first) == [("A convolutional network", False), ("A recurrent network", True)]
    assert [d.code for d in doc.diagnostics if d.severity == "warning"] == ["answer-checked-only"]
    assert not any(c.correct for c in second.choices)


def test_a_page_is_found_by_its_content_whatever_its_name() -> None:
    doc = read_document_bytes(STATIC.encode(), "seeds/saved-page")
    assert doc.dialect.startswith("web page")


RESULTS = """<html><head><title>Quiz results</title></head><body>
<div class="question multiple_choice_question">
  <div class="question_text"><p>Which cell keeps a separate memory cell?</p></div>
  <div class="answers">
    <div class="answer wrong_answer selected_answer"><span class="answer_arrow">You Answered</span>
      <div class="answer_text">GRU</div></div>
    <div class="answer correct_answer"><span class="answer_arrow">Correct Answer</span>
      <div class="answer_text">LSTM</div></div>
    <div class="answer"><div class="answer_text">Vanilla RNN</div></div>
  </div>
</div>
<div class="question multiple_choice_question">
  <div class="question_text"><p>Which activation squashes values into (0, 1)?</p></div>
  <div class="answers">
    <div class="answer correct_answer selected_answer"><div class="answer_text">Sigmoid</div></div>
    <div class="answer"><div class="answer_text">tanh</div></div>
  </div>
</div>
</body></html>
"""


def test_a_results_page_without_inputs_marks_the_option_its_class_says_is_right() -> None:
    doc = read_document_bytes(RESULTS.encode(), "seeds/results.html")
    assert [_marks(q) for q in doc.questions] == [[("GRU", False), ("LSTM", True), ("Vanilla RNN", False)],
                                                  [("Sigmoid", True), ("tanh", False)]]


def test_the_right_answer_is_named_in_any_language() -> None:
    page = REVIEW.replace("The correct answer is: Two", "La respuesta correcta es: Two")
    page = page.replace("The correct answers are: LSTM, GRU", "Die richtigen Antworten sind: LSTM, GRU")
    doc = read_document_bytes(page.encode(), "seeds/attempt.html")
    assert [c.correct for c in doc.questions[1].choices] == [False, True]
    assert [c.correct for c in doc.questions[2].choices] == [True, False, True]


WRITTEN_AS_HTML = """# Capitals

<details>
  <summary>Question 1</summary>
  <p>What is the capital of Portugal?</p>
  <ul>
    <li><a href="#" onclick="pick(0)">Porto</a></li>
    <li><a href="#" onclick="pick(1)">Lisbon</a></li>
    <li><a href="#" onclick="pick(0)">Braga</a></li>
  </ul>
  <p id="a1" style="display: none;"><strong>Correct Answer:</strong> Lisbon</p>
</details>

<details>
  <summary>Question 2</summary>
  <p>What is the capital of Norway?</p>
  <ul>
    <li><a href="#" onclick="pick(1)">Oslo</a></li>
    <li><a href="#" onclick="pick(0)">Bergen</a></li>
  </ul>
  <p id="a2" style="display: none;"><strong>Correct Answer:</strong> Oslo</p>
</details>
"""


def test_a_markdown_file_written_as_html_is_read_as_a_page() -> None:
    """A `.md` file whose lines are nearly all tags is a page: its hidden answers mark the options."""
    doc = read_document_bytes(WRITTEN_AS_HTML.encode(), "seeds/capitals.md")
    assert doc.dialect.startswith("web page")
    assert [q.stem for q in doc.questions] == ["What is the capital of Portugal?", "What is the capital of Norway?"]
    assert [[c.text for c in q.choices if c.correct] for q in doc.questions] == [["Lisbon"], ["Oslo"]]
    assert [len(q.choices) for q in doc.questions] == [3, 2]


def test_a_markdown_file_with_a_few_tags_stays_markdown() -> None:
    text = "# Quiz\n\n<details><summary>Answer</summary>\n\n1. What is 2 + 2?\n\n   Answer: 4\n</details>\n"
    assert read_document_bytes(text.encode(), "seeds/quiz.md").dialect.startswith("web page") is False


def test_a_markdown_file_written_as_html_with_a_long_script_is_still_a_page() -> None:
    """The page's script is neither tags nor Markdown: its many lines do not make the file Markdown."""
    script = "<script>\n" + "".join(f"  const step{k} = {k};\n" for k in range(60)) + "</script>\n"
    doc = read_document_bytes((WRITTEN_AS_HTML + script).encode(), "seeds/capitals.md")
    assert doc.dialect.startswith("web page")
    assert [[c.text for c in q.choices if c.correct] for q in doc.questions] == [["Lisbon"], ["Oslo"]]
