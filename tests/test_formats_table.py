"""A question bank kept as a table, one question per row: options by column, the answer by letter, number or
text, headers in more than one language. Read only when the Markdown reader finds no question."""
from __future__ import annotations

from pathlib import Path

from pipeline.build import load_document
from pipeline.formats import read_document
from pipeline.readers import read_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tables"


def correct(q) -> list[str]:  # noqa: ANN001
    return [c.text for c in q.choices if c.correct]


def test_each_row_is_a_question_with_its_options_and_answer() -> None:
    doc = read_document(FIXTURES / "letters.md")
    q1, q2, q3, q4, q5 = doc.questions
    assert q1.stem == "Which gas makes up most of the air?"
    assert [c.text for c in q1.choices] == ["Oxygen", "Nitrogen", "Argon", "Carbon dioxide"]
    assert correct(q1) == ["Nitrogen"] and q1.explanation == "About 78% of dry air is nitrogen."
    assert q2.kind == "multi_choice" and correct(q2) == ["Neon", "Argon"]
    assert correct(q3) == ["Na"]  # the answer given as the option's text
    assert q4.kind == "open" and q4.answer == "Negative" and not q4.choices
    assert doc.title == "Chemistry check"


def test_an_answer_that_names_no_option_is_said_and_marks_nothing() -> None:
    q5 = read_document(FIXTURES / "letters.md").questions[4]
    assert not correct(q5)
    assert {d.code for d in q5.diagnostics} >= {"answer-unmatched", "choice-unmarked"}
    assert "E" in q5.explanation  # the source's answer is kept, not lost


def test_headers_in_spanish_and_numbered_options() -> None:
    doc = read_document(FIXTURES / "spanish.md")
    assert [q.stem for q in doc.questions] == ["¿Cuál es la capital de Perú?", "¿Qué océano baña Portugal?"]
    assert [correct(q) for q in doc.questions] == [["Lima"], ["Atlántico"]]


def test_the_build_reads_a_table_document_and_the_plain_reader_does_not() -> None:
    doc = load_document(FIXTURES / "spanish.md", compute=False)
    assert len(doc.questions) == 2 and not any(d.severity == "error" for q in doc.questions for d in q.diagnostics)
    assert not read_bytes((FIXTURES / "spanish.md").read_bytes(), "spanish.md").questions


def test_a_table_inside_a_document_with_questions_stays_the_questions_text() -> None:
    text = ("## Question 1\n\nWhich row is right?\n\n| Question | A | B | Answer |\n| --- | --- | --- | --- |\n"
            "| x | y | z | A |\n\nAnswer: the first\n")
    doc = read_document_bytes_md(text)
    assert [q.stem.split("\n")[0] for q in doc.questions] == ["Which row is right?"]


def read_document_bytes_md(text: str):  # noqa: ANN201
    from pipeline.formats import read_document_bytes

    return read_document_bytes(text.encode("utf-8"), "quiz.md")


def test_question_and_answer_columns_in_vietnamese_make_open_cards() -> None:
    doc = read_document(FIXTURES / "vietnamese-cards.md")
    assert [(q.kind, q.stem, q.answer) for q in doc.questions] == [
        ("open", "Thủ đô của Việt Nam là gì?", "Hà Nội"), ("open", "Sông nào dài nhất Việt Nam?", "Sông Đồng Nai")]
