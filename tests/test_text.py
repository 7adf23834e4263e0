"""Markdown + math -> HTML: escaping that keeps x^{<t>} intact, and the fast path that must equal markdown-it."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.markup import markdown_it_html, mathjax, to_html


def test_angle_brackets_in_math_and_text_are_escaped_not_tags():
    html = to_html("(i)<j> and $x^{<t>}$", mathjax, inline=True)
    assert html == "(i)&lt;j&gt; and \\(x^{&lt;t&gt;}\\)"


def test_markdown_becomes_html():
    assert to_html("**bold** and *it*", mathjax) == "<p><strong>bold</strong> and <em>it</em></p>"
    assert "<li>" in to_html("- one\n- two")


def test_fast_path_equals_markdown_it_on_every_field_of_the_bank(bank):
    texts = {t for doc in bank for q in doc.questions
             for t in (q.stem, q.answer, q.explanation, q.context, *q.notes, *(c.text for c in q.choices))}
    for text in texts:
        for inline in (False, True):
            assert to_html(text, mathjax, inline=inline) == markdown_it_html(text, mathjax, inline=inline), text


ALPHABET = st.sampled_from(list("ab xy$\\_*`[]()<>&\"'#-+=.!|~0123 \n\t^{}")
                           + ["$x$", "1. ", "  ", "$$", "\n\n", "$$x y$$", "\n\n$$a_t$$\n\n"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(ALPHABET, max_size=24).map("".join), st.booleans())
def test_fast_path_equals_markdown_it_on_random_text(text, inline):
    assert to_html(text, mathjax, inline=inline) == markdown_it_html(text, mathjax, inline=inline)


def test_fast_path_takes_paragraphs_with_displayed_formulas_and_equals_markdown_it():
    from bench.synthetic import synthetic_bank
    from pipeline.markup import _simple_html

    text = "Given $x^{<t>}$:\n\n$$a^{<t>} = g(W_{aa} a^{<t-1>} + b_a)$$\n\nUse the equation above."
    assert _simple_html(text, mathjax, False) is not None  # no markdown-it parse for this shape
    assert to_html(text, mathjax) == markdown_it_html(text, mathjax)
    assert to_html(text, mathjax).count('<div class="math-display">') == 1
    # Every field of a synthetic bank of every question kind, with inline and displayed math.
    for doc in synthetic_bank(400):
        for q in doc.questions:
            for field in (q.stem, q.answer, q.explanation, q.context, *q.notes, *(c.text for c in q.choices)):
                for inline in (False, True):
                    assert to_html(field, mathjax, inline=inline) == markdown_it_html(field, mathjax, inline=inline)
