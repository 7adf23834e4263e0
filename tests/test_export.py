"""The project's own Markdown layout: a document exported and read back holds the same questions (stems, options,
correct marks, answers), for the seeds and for generated banks."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import load_document, seed_paths
from pipeline.model import Choice, Document, Question, SourceSpan
from pipeline.readers import read_bytes
from pipeline.render.markdown import document_markdown


def same(markdown: str) -> str:
    """Markdown up to the backslash escapes the export adds (`A\\. ...` reads and renders as `A. ...`)."""
    return re.sub(r"\\([.:()])", r"\1", markdown)


def facts(q: Question) -> dict:
    """What must survive the round trip. A choice question's answer is its marks; text its source gave as an
    answer is kept as its explanation."""
    why = [t.strip() for t in ((q.answer, q.explanation) if q.choices else (q.explanation,)) if t.strip()]
    return {"stem": same(q.stem), "kind": q.kind, "options": [same(c.text) for c in q.choices],
            "correct": [c.correct for c in q.choices], "answer": "" if q.choices else same(q.answer),
            "explanation": same("\n\n".join(why)), "context": same(q.context), "section": q.section}


def round_trip(doc: Document) -> Document:
    text = document_markdown(doc)
    back = read_bytes(text.encode("utf-8"), "export.md")
    errors = [str(d) for d in back.diagnostics if d.severity == "error"]
    assert not errors, errors
    return back


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.stem)
def test_a_seed_exported_reads_back_the_same(path: Path) -> None:
    doc = load_document(path, compute=False)
    back = round_trip(doc)
    assert [facts(q) for q in back.questions] == [facts(q) for q in doc.questions]
    assert back.title == doc.title


def test_the_export_command_writes_one_file_per_document(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "pipeline", "export", "seeds/rnn-quiz.md", "seeds/coursera-rnn.md",
                          "--markdown", "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "coursera-rnn.md").read_text(encoding="utf-8")
    assert "### Question 7" in text and "\nA. 1\nB. 100\nC. 300\nD. 10000\n\nAnswer: B\n" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coursera-rnn.md", "rnn-quiz.md"]


# ---- generated banks -----------------------------------------------------------------------------------

WORDS = st.sampled_from(["gate", "state", "the", "RNN", "LSTM", "$h_t$", "$W_{xh}$", "**cell**", "*unit*", "`x`",
                         "gradient", "Answer", "A.", "Q3:", "(a)", "time", "step", "1.", "Source:", "and"])


def sentence(end: str) -> st.SearchStrategy[str]:
    return st.lists(WORDS, min_size=3, max_size=12).map(lambda ws: (" ".join(ws)).capitalize() + end)


@st.composite
def question(draw: st.DrawFn, n: int) -> Question:
    stem = draw(st.lists(sentence("?"), min_size=1, max_size=2)).__iter__()
    stem_text = "\n\n".join(stem)
    kind = draw(st.sampled_from(["open", "single_choice", "multi_choice"]))
    choices: tuple[Choice, ...] = ()
    answer = ""
    if kind == "open":
        answer = "\n\n".join(draw(st.lists(sentence("."), min_size=0, max_size=2)))
    else:
        texts = draw(st.lists(sentence(""), min_size=2, max_size=5, unique=True))
        marks = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
        if sum(marks) == 0:
            marks[0] = True
        if kind == "single_choice":
            marks = [i == marks.index(True) for i in range(len(marks))]
        kind = "multi_choice" if sum(marks) > 1 else "single_choice"
        choices = tuple(Choice(t, m) for t, m in zip(texts, marks))
    explanation = draw(st.sampled_from(["", "Because the gate is a sigmoid."]))
    return Question(f"gen/q{n:02d}", "gen", str(n), kind, stem_text, SourceSpan("gen.md", 1, 1), choices=choices,
                    answer=answer, explanation=explanation)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(*[question(i + 1) for i in range(k)])))
def test_a_generated_bank_exported_reads_back_the_same(questions: tuple[Question, ...]) -> None:
    doc = Document("gen.md", "gen", "", "Generated bank", questions)
    back = round_trip(doc)
    want = [facts(q) for q in questions]
    got = [facts(q) for q in back.questions]
    for w in want:  # the reader records a wrapped stem as one paragraph per blank line, as generated
        w["section"] = ""
    assert got == want


def test_the_readme_example_of_the_layout_reads_as_described() -> None:
    readme = Path("README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The project's own layout"):]
    example = section[section.index("```markdown") + len("```markdown\n"):]
    example = example[:example.index("```")]
    doc = read_bytes(example.encode("utf-8"), "example.md")
    first, second = doc.questions
    assert doc.title == "Sequence Models Quiz" and first.section == "Gated cells"
    assert [c.text for c in first.choices if c.correct] == ["The forget gate"]
    assert first.explanation.startswith("The forget gate scales")
    assert second.context.startswith("A vanilla RNN has input size 20") and second.answer == "20362"
    assert not [d for d in doc.diagnostics if d.severity != "info"]
