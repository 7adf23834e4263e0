"""Options typeset alike: no correct option a student can pick by its look, on the seeds, on exam variants and
on a document written to give its answer away."""
from __future__ import annotations

from pathlib import Path

from pipeline.build import load_document
from pipeline.select.versions import select_versions
from pipeline.select.definitions import parse_definitions
from pipeline.model import Choice, all_diagnostics
from pipeline.curate.typography import alike, giveaways

QUIZ = """# Gates

## Question 1

Which gate of an LSTM scales the previous cell state?

A. The input gate $i_t$ .
B. The forget gate $f_t$.
C. The output gate $o_t$ .

Answer: B

Explanation: The forget gate multiplies $c_{t-1}$.

## Question 2

Which of these is what a language model estimates at step $t$?

A. $P(y_t \\mid y_{t+1})$
B. $P(y_t | y_1, \\ldots, y_{t-1})$
C. $P(y_1)$

Answer: B

Explanation: Each word given the words before it.

## Question 3

Which cell has no separate memory cell?

A. The LSTM, with its cell state
B. The **GRU**, which merges it into its hidden state
C. The LSTM with peepholes

Answer: B

Explanation: The GRU keeps one state.
"""


def test_every_choice_question_of_the_seeds_gives_nothing_away(bank) -> None:
    checked = 0
    for doc in bank:
        for q in doc.questions:
            if q.choices:
                assert giveaways(q.choices) == [], q.id
                checked += 1
    assert checked == 11
    assert not [d for doc in bank for d in all_diagnostics(doc) if d.code == "giveaway"]


def test_the_options_the_issue_names_now_read_alike(questions) -> None:
    q05 = [c.text for c in questions["coursera-rnn/q05"].choices]
    assert all("$ ." not in t and "$. (ii)" in t for t in q05)
    q08 = [c.text for c in questions["coursera-rnn/q08"].choices]
    assert all("$)," in t and "$ )" not in t for t in q08)
    q04 = [c.text for c in questions["coursera-rnn/q04"].choices if "y^{< 1>}" in c.text]
    assert len(q04) == 2 and all("\\mid" in t and " | " not in t for t in q04)
    q10 = [c.text for c in questions["coursera-rnn/q10"].choices]
    assert all(t.endswith(".") for t in q10)


def test_every_exam_variant_gives_nothing_away(bank) -> None:
    definitions, diags = parse_definitions("""
[[exam]]
name = "v"
title = "Variants"
versions = 6
seed = 7
[[exam.draw]]
kind = ["single_choice", "multi_choice", "numeric"]
vary = true
""", "t.toml")
    assert diags == []
    found, drawn = select_versions(bank, definitions)
    items = [i for v in found for i in v.items if i.question.choices]
    assert len(items) == 6 * 12
    for i in items:
        assert giveaways(i.question.choices) == [], (i.question.id, [c.text for c in i.question.choices])


def test_a_document_whose_options_differ_only_in_typography_is_mended_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "gates.md"
    path.write_text(QUIZ, encoding="utf-8")
    doc = load_document(path, compute=False)
    q1, q2, q3 = doc.questions
    # The same repairs reach every option: the space before the full stop goes from all of them.
    assert [c.text for c in q1.choices] == ["The input gate $i_t$.", "The forget gate $f_t$.",
                                            "The output gate $o_t$."]
    # One option writes \mid: the tight bar of the correct one becomes \mid too.
    assert "\\mid" in q2.choices[1].text and "|" not in q2.choices[1].text
    assert giveaways(q1.choices) == giveaways(q2.choices) == []
    # Markup on the correct option alone cannot be mended by rule: the build is refused at the question.
    errors = [str(d) for d in all_diagnostics(doc) if d.code == "giveaway"]
    assert len(errors) == 1 and errors[0].startswith(f"{path}:{q3.source.line_start}: error[giveaway]: ")
    assert "markup" in errors[0]


def test_alike_leaves_absolute_values_code_and_short_options_alone() -> None:
    texts = ["$|x| \\mid y$", "$|x|$ and `a , b`", "100", "10000"]
    assert alike(texts) == texts
    # A lone full stop on the correct option is a giveaway the check sees when nothing mends it.
    choices = [Choice("Exploding gradients.", True), Choice("Vanishing gradients", False),
               Choice("Dead ReLUs", False)]
    assert giveaways(choices) and "closing punctuation" in giveaways(choices)[0]


def test_a_figure_that_contradicts_its_question_is_reported(tmp_path: Path) -> None:
    from pipeline.curate.curation import figures_checked

    doc = tmp_path / "lm.md"
    doc.write_text("# LM\n\n## Question 1\n\nConsider this RNN:\n\nWhat does it estimate at step $t$?\n\n"
                   "Answer: $P(y^{(t)} \\mid y^{(1)}, \\dots, y^{(t-1)})$\n", encoding="utf-8")
    overlay = tmp_path / "lm.fixes.toml"
    for description, expected in (("many-to-many Tx=4", 2), ("language-model T=4", 1), ("language-model T=4 (t)", 0)):
        overlay.write_text(f'[[fix]]\nquestion = "Consider this RNN"\nwhy = "figure"\n[[fix.figure]]\nfills = 1\n'
                           f'diagram = "{description}"\n', encoding="utf-8")
        (q,) = load_document(doc, compute=False).questions
        found = [d for d in q.diagnostics if d.code == "figure-disagrees"]
        assert len(found) == expected, (description, found)
        assert all(d.severity == "warning" and d.line == q.source.line_start for d in found)
        assert figures_checked(q.with_(diagnostics=())).diagnostics == tuple(found)


def test_no_seed_figure_contradicts_its_question(bank) -> None:
    assert [str(d) for doc in bank for d in all_diagnostics(doc) if d.code == "figure-disagrees"] == []


def test_stars_inside_words_and_formulas_are_stars() -> None:
    from pipeline.markup import to_html
    from pipeline.curate.typography import literal_stars

    text, doubtful = literal_stars("The weights are (4*hidden, input) and (4*hidden, hidden); a*b*c is a product.")
    html = to_html(text)
    assert "<em>" not in html and html.count("4*hidden") == 2 and "a*b*c" in html and doubtful == []
    # Emphasis around words stays emphasis; math and code are left to TeX and to the code.
    text, doubtful = literal_stars("It is *really* the $a*b$ term, not `x*y`.")
    assert "<em>really</em>" in to_html(text) and "$a*b$" in text and "`x*y`" in text and doubtful == []
    # A pairing that reads like a formula is kept, with a warning.
    assert literal_stars("so *x + y* grows")[1] == ["*x + y*"]


def test_a_doubtful_pairing_is_a_warning_at_its_question(tmp_path: Path) -> None:
    path = tmp_path / "stars.md"
    path.write_text("# Stars\n\n## Question 1\n\nWhat does *W x + b* compute?\n\nAnswer: An affine map.\n",
                    encoding="utf-8")
    (q,) = load_document(path, compute=False).questions
    (d,) = [d for d in q.diagnostics if d.code == "emphasis-doubtful"]
    assert d.severity == "warning" and d.line == q.source.line_start and "*W x + b*" in d.message


def test_an_equation_number_sits_at_the_right_of_its_equation(questions) -> None:
    from pipeline.render.anki.fields import note_fields
    from pipeline.markup import to_html

    stems = {qid: questions[qid].stem for qid in ("dl-book-ch10/10.2.1", "dl-book-ch10/10.2.2", "dl-book-ch10/10.2.3")}
    for qid, number in (("dl-book-ch10/10.2.1", "10.1"), ("dl-book-ch10/10.2.1", "10.2"),
                        ("dl-book-ch10/10.2.2", "10.3"), ("dl-book-ch10/10.2.3", "10.4")):
        assert f"$$ ({number})" in stems[qid], qid  # written $$...$$ (10.1) and $$(10.4)$$ alike
        html = to_html(stems[qid])
        assert f'<span class="eqno">({number})</span></div>' in html
        assert f"<p>({number})</p>" not in html and f"\\[({number})\\]" not in html
