"""Questions kept as data in a page's YAML front matter: each entry's text, options and answer, read only when
the page's text holds no question; the YAML is data, and a hostile one cannot make the reader run long."""
from __future__ import annotations

from pathlib import Path

from pipeline.formats import read_document, read_document_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frontmatter"


def correct(q) -> list[str]:  # noqa: ANN001
    return [c.text for c in q.choices if c.correct]


def test_each_entry_is_a_question_with_its_options_and_answer() -> None:
    doc = read_document(FIXTURES / "vocabulary.md")
    blank, colours, capital, planet = doc.questions
    assert blank.stem == "Water freezes at zero degrees __________."
    assert [c.text for c in blank.choices] == ["Celsius", "Fahrenheit", "Kelvin"] and correct(blank) == ["Celsius"]
    assert colours.kind == "multi_choice" and correct(colours) == ["red", "blue"]
    assert capital.kind == "open" and capital.answer == "Lima"
    assert correct(planet) == ["Jupiter"] and planet.explanation.startswith("Jupiter is more than")
    assert doc.title == "Vocabulary review"
    assert blank.source.line_start == 4  # the entry's own line in the file


def test_front_matter_of_a_page_with_questions_in_its_text_is_skipped_metadata() -> None:
    text = "---\ntitle: Rivers\nquestions:\n  - text: not this one\n---\n\n1. Which river flows through Cairo?\n\n" \
           "   Answer: the Nile\n\n2. Which river flows through Vienna?\n\n   Answer: the Danube\n"
    doc = read_document_bytes(text.encode(), "rivers.md")
    assert [q.stem for q in doc.questions] == ["Which river flows through Cairo?", "Which river flows through Vienna?"]
    assert any(s.reason == "front matter" and s.line_start == 1 for s in doc.skipped)


def test_aliases_that_multiply_are_walked_within_a_bound() -> None:
    bomb = ["---", 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for k in range(1, 10):
        bomb.append(f"{'abcdefghij'[k]}: &{'abcdefghij'[k]} [" + ", ".join([f"*{'abcdefghij'[k - 1]}"] * 9) + "]")
    bomb += ["questions: [*j, *j]", "---", "No question here."]
    doc = read_document_bytes("\n".join(bomb).encode(), "bomb.md")
    assert not doc.questions and any(d.code == "no-questions" for d in doc.diagnostics)
