"""Math everywhere: bare TeX in the sources reaches the learner typeset, what only looks like math is reported
with its line, and every text the pipeline writes itself (labels, quantities, notes, headlines) is math-clean."""
from __future__ import annotations

from pathlib import Path

from pipeline.build import load_document
from pipeline.model import Question, SourceSpan, all_diagnostics
from pipeline.render.present import present
from pipeline.compute.reference import Network
from pipeline.compute.reference.verified import gate_dimension, output_shape, parameter_count
from pipeline.render.rubric import rubric
from pipeline.curate.texprose import mark_math

QUIZ = """# Sequence Models Quiz

## Gated cells

### Question 1

Context: The loop reads x_t and keeps max_len steps.

Which gate of an LSTM decides what the cell state forgets?

A. The input gate
B. The forget gate, f_t
C. The output gate

Answer: B

Explanation: The forget gate scales the previous cell state c_{t-1} by values between 0 and 1.
"""


def computed_texts(q: Question) -> list[tuple[str, str]]:
    """(where, text) for every text the pipeline computes for q: what a card or a key shows of it."""
    out = []
    for c in q.computed:
        p = present(c)
        out += [("quantity", p.quantity), ("headline", p.headline), ("example", p.example), ("check", p.check),
                ("convention", p.convention), ("note", p.note), ("method", p.method)]
        out += [("label", part.label) for part in p.breakdown] + [("axis", a) for a in c.axes]
    if q.kind in ("numeric", "open"):
        r = rubric(q, 5)
        if r is not None:
            out += [("rubric", r.lead)] + [("criterion", k.text) for k in r.criteria]
    out += [("note", n) for n in q.notes]
    return [(where, text) for where, text in out if text]


def test_bare_tex_in_every_field_is_typeset_and_the_doubtful_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "quiz.md"
    path.write_text(QUIZ, encoding="utf-8")
    doc = load_document(path, compute=False)
    (q,) = doc.questions
    assert "$x_t$" in q.context and "$f_t$" in q.choices[1].text and "$c_{t-1}$" in q.explanation
    assert "max_len" in q.context and "$max_len$" not in q.context  # a name, perhaps: left as written
    (bare,) = [d for d in all_diagnostics(doc) if d.code == "math-bare"]
    assert (bare.file, bare.line, bare.severity) == (str(path), 7, "warning")
    assert "max_len" in bare.message and "$" in bare.message and "backticks" in bare.message
    assert str(bare).startswith(f"{path}:7: warning[math-bare]:")


def test_an_overlays_text_wins_and_its_find_still_matches_the_source(tmp_path: Path) -> None:
    path = tmp_path / "quiz.md"
    path.write_text(QUIZ, encoding="utf-8")
    (tmp_path / "quiz.fixes.toml").write_text(
        '[[fix]]\nquestion = "decides what the cell state forgets"\nwhy = "names the gate"\n'
        '[[fix.replace]]\nfield = "option 2"\nfind = "f_t"\nwith = "`forget_t`"\n', encoding="utf-8")
    doc = load_document(path, compute=False)
    assert not [d for d in all_diagnostics(doc) if d.code == "fix-stale"]
    assert doc.questions[0].choices[1].text == "The forget gate, `forget_t`"


def test_the_interview_cards_text_is_typeset(questions) -> None:
    types = questions["rnn-interview/q07"].answer
    assert "$x_t$" in types and "$y_{t0}$" in types and "$x_{t+1}$" in types and " x_t " not in types
    assert "$W_x$ and $W_y$" in questions["rnn-interview/q15"].answer


def test_the_seed_fixes_that_only_added_dollars_are_gone_and_the_math_stays(bank, questions) -> None:
    fixes = Path("seeds/rnn-exercises.fixes.toml").read_text(encoding="utf-8")
    assert "($W_{xh}$)" not in fixes
    answer = questions["rnn-exercises/task1-q1"].answer
    for name in ("$W_{xh}$", "$W_{hh}$", "$W_{hy}$", "$b_h$", "$b_y$"):
        assert f"({name})" in answer
    assert not [d for doc in bank for d in all_diagnostics(doc) if d.code == "fix-stale"]


def test_no_seed_text_is_left_with_bare_math(bank) -> None:
    for doc in bank:
        for q in doc.questions:
            for text in (q.context, q.stem, q.answer, q.explanation, *q.notes, *(c.text for c in q.choices)):
                assert mark_math(text) == (text, []), q.id


def test_every_computed_text_is_written_in_math(bank) -> None:
    # The bank's own values, and what exam variants compute for every cell, gate and convention.
    reference = [parameter_count(Network(cell, n_x=3, n_h=4, n_y=n_y, bias=bias))
                 for cell in ("rnn", "lstm", "gru") for n_y in (None, 2) for bias in ("single", "double")]
    reference += [gate_dimension(cell, 3, 4, gate) for cell, gates in (("lstm", "ufoc"), ("gru", "ruc"))
                  for gate in gates]
    reference += [output_shape(cell, 2, 3, 4, 5, every) for cell in ("rnn", "lstm", "gru") for every in (True, False)]
    made = [q for doc in bank for q in doc.questions]
    made += [Question("x/1", "x", "1", "numeric", "", SourceSpan("x.md", 1, 1), computed=(v.computed(),))
             for v in reference]
    seen = 0
    for q in made:
        for where, text in computed_texts(q):
            seen += 1
            assert mark_math(text) == (text, []), (q.id, where, text)
            assert "->" not in text and "Γ" not in text and "∂" not in text, (q.id, where, text)
    assert seen > 300


def _pdf_text(html: str) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    from pipeline.render.exam.pdf import html_to_pdf

    pdf, _ = html_to_pdf(html)
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def _one_question_exam(q: Question):
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from exam_fixtures import versions_of

    definitions = f'[[exam]]\nname = "m"\ntitle = "M"\nversions = 1\nseed = 1\npoints = 5\n' \
                  f'[[exam.draw]]\nid = "{q.id}"\n'
    (version,) = versions_of(definitions, [q])
    return version


def test_the_paper_prints_both_lines_of_a_display_formula(questions) -> None:
    from pipeline.render.exam.page import exam_html

    q = questions["dl-book-ch10/10.2.6"]
    assert "= \\\\ P(" in q.stem
    lines = _pdf_text(exam_html(_one_question_exam(q))).splitlines()
    (at,) = [i for i, line in enumerate(lines) if "𝕐" in line]
    assert lines[at].rstrip().endswith("=")  # the first line ends at the break ...
    assert lines[at + 1].startswith("𝑃(𝒚")  # ... and the second starts on a line of its own


def test_the_keys_computed_heading_keeps_gamma_u_as_written(questions) -> None:
    import base64
    import re

    from pipeline.render.exam.page import key_html

    (q,) = [q for q in questions.values() if any("Gamma_u" in c.quantity for c in q.computed)]
    html = key_html(_one_question_exam(q))
    (label,) = re.findall(r'<p class="key-label">Computed dimension of (.*?)</p>', html, flags=re.S)
    (svg,) = re.findall(r'<img class="math" alt="\\Gamma_u" src="data:image/svg\+xml;base64,([^"]+)"', label)
    glyphs = re.findall(r"<text[^>]*>([^<]*)</text>", base64.b64decode(svg).decode("utf-8"))
    assert glyphs[:2] == ["Γ", "𝑢"]  # the symbol typeset, its subscript a lower-case italic u
    text = _pdf_text(html)
    (line,) = [line for line in text.splitlines() if line.lower().startswith("computed dimension of")]
    assert line.startswith("Computed dimension of") and "Γ_" not in line  # no upper-cased heading, no raw TeX
