"""TeX written without dollars in prose: what is put in $...$, what is left alone, what is reported."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.markup import has_unbalanced_dollar, markdown_it_html, math_spans, mathjax, to_html
from pipeline.curate.texprose import mark_math

# Source text as the seed documents write it -> the same text with the math typeset.
SEED_EXAMPLES = [
    ("Here there is a single (x_t, y_t) pair.", "Here there is a single ($x_t$, $y_t$) pair."),
    ("multiple outputs, e.g., y_{t0} , y_{t1} , y_{t2} .", "multiple outputs, e.g., $y_{t0}$ , $y_{t1}$ , $y_{t2}$ ."),
    ("For example, x_t , x_{t+1} , x_{t+2} can produce", "For example, $x_t$ , $x_{t+1}$ , $x_{t+2}$ can produce"),
    ("call these weight matrices W_x and W_y respectively", "call these weight matrices $W_x$ and $W_y$ respectively"),
    ("- ✓ Parameters between the input and the hidden layer (W_{xh}):",
     "- ✓ Parameters between the input and the hidden layer ($W_{xh}$):"),
    ("Bias parameters for the hidden layer (b_h): 128", "Bias parameters for the hidden layer ($b_h$): 128"),
    ("where C_t is the new cell state, f_t is the output of the forget gate, C_{t-1} is the old cell state",
     "where $C_t$ is the new cell state, $f_t$ is the output of the forget gate, $C_{t-1}$ is the old cell state"),
    ("and \\tilde{C}_t is the candidate cell state", "and $\\tilde{C}_t$ is the candidate cell state"),
    ("i_t is the output of the input gate", "$i_t$ is the output of the input gate"),
    ("the cell state c_t", "the cell state $c_t$"),
    ("the dimension of \\Gamma_u at each step", "the dimension of $\\Gamma_u$ at each step"),
    ("it is \\frac{1}{T} of the sum", "it is $\\frac{1}{T}$ of the sum"),
    # the pipeline's own labels
    ("W_xh: input -> hidden weights", "$W_{xh}$: input -> hidden weights"),
    ("b_y: output-layer bias", "$b_y$: output-layer bias"),
    ("dimension of Γ_u (update gate)", "dimension of $\\Gamma_u$ (update gate)"),
    ("∂u^(t) / ∂u^(t-3)", "$\\partial u^{(t)} / \\partial u^{(t-3)}$"),
]

# More of what the recogniser reads as math, each on its own.
MATH = [
    ("h^{<t>}", "h^{<t>}"), ("x^<t>", "x^{<t>}"), ("a^(i)", "a^{(i)}"), ("x_(t-1)", "x_{(t-1)}"),
    ("h_{1}^{(t)}", "h_{1}^{(t)}"), ("x^2", "x^2"), ("x^10", "x^{10}"), ("y_t0", "y_{t0}"),
    ("\\hat{y}", "\\hat{y}"), ("\\bar{x}_t", "\\bar{x}_t"), ("\\sigma(W_x x_t + b)", "\\sigma(W_x x_t + b)"),
    ("\\sum_{i=1}^{n} x_i", "\\sum_{i=1}^{n} x_i"), ("\\partial L / \\partial W", "\\partial L / \\partial W"),
    ("\\tanh", "\\tanh"), ("\\cdot", "\\cdot"), ("W \\times H", "W \\times H"), ("u \\leftarrow v", "u \\leftarrow v"),
    ("1-Γ_u", "1-\\Gamma_u"), ("Γ_u = 1", "\\Gamma_u = 1"), ("x_t+b", "x_t+b"), ("α_t", "\\alpha_t"),
    ("σ^2", "\\sigma^2"), ("2^{10}", "2^{10}"), ("\\alpha\\beta", "\\alpha\\beta"),
]

# Never math: left as written and not reported.
NOT_MATH = [
    "return_sequences", "keep_prob", "my_file.py", "W_hh_init", "x_t_1", "__init__", "10_000", "e.g. this",
    "an n-gram model", "version 1.2.3", "C++ and C#", "costs $5", "🙂 done", "_italic_ and __bold__ and *x*",
    "a `x_t` code span", "the url https://a.b/c_d here", "[a link](https://x.y/a_b)", "<https://a.b/x_y>",
    "an entity &amp; and &alpha;", "an escaped x\\_t", "already $x_t$ and $$W_{xh}$$", "a lone x or α or ∑",
    "a Windows path C:\\new_dir", "\\unknown_command", "so-called a_b_c", "3rd place, 1e-3 and 2x_t",
    "![x_t](fig_a.png)", "[ref]: https://a.b/c_d",
]

# Might be math, might be code: left as written and reported.
AMBIGUOUS = [
    ("set max_len to 10", "max_len"), ("the lr_t schedule", "lr_t"), ("keep h_prev around", "h_prev"),
    ("W_out maps to the output", "W_out"), ("1024 is 2^10", "2^10"), ("call x_t.shape", "x_t"),
    ("use self.x_t here", "x_t"), ("index x_t[0]", "x_t"), ("see `x` x_t`y`", "x_t"),
    ("a*x_t*b", "a*x_t*b"), ("costs $5 and x_t then", "x_t"),
]


@pytest.mark.parametrize("source,marked", SEED_EXAMPLES)
def test_seed_math_written_without_dollars_is_typeset(source, marked):
    assert mark_math(source) == (marked, [])


@pytest.mark.parametrize("source,tex", MATH)
def test_each_form_of_bare_math_becomes_one_formula(source, tex):
    out, ambiguous = mark_math(f"so {source} here")
    assert (out, ambiguous) == (f"so ${tex}$ here", [])
    assert math_spans(out) == [(tex, False)]


@pytest.mark.parametrize("source", NOT_MATH)
def test_code_words_and_protected_text_are_left_alone(source):
    assert mark_math(source) == (source, [])


@pytest.mark.parametrize("source,fragment", AMBIGUOUS)
def test_ambiguous_fragments_are_reported_not_wrapped(source, fragment):
    assert mark_math(source) == (source, [fragment])


def test_code_blocks_and_display_math_are_left_alone():
    text = ("Fenced:\n\n```python\ny = W_xh @ x_t\n```\n\nIndented:\n\n    h_t = tanh(x_t)\n\n"
            "~~~\nb_h\n~~~\n\n$$\nh_t = W_x x_t\n$$\n\nand x_t after.")
    out, ambiguous = mark_math(text)
    assert out == text.replace("and x_t after", "and $x_t$ after")
    assert ambiguous == []


def test_text_in_a_list_and_in_emphasis_keeps_its_markdown():
    text = "- **One to one**: a single (x_t, y_t) pair\n- *weights W_x*\n\n| a | b |\n|---|---|\n| W_hy | 1 |"
    out, _ = mark_math(text)
    assert out == ("- **One to one**: a single ($x_t$, $y_t$) pair\n- *weights $W_x$*\n\n"
                   "| a | b |\n|---|---|\n| $W_{hy}$ | 1 |")
    html = to_html(out, mathjax)
    assert "<strong>One to one</strong>" in html and "<em>weights \\(W_x\\)</em>" in html
    assert "<td>\\(W_{hy}\\)</td>" in html


def test_emphasis_that_plain_underscores_made_is_mended():
    # As plain text, `_t and C_` is read as emphasis and the reader sees "\tilde{C}t and C{t-1}" half in italics.
    text = "and \\tilde{C}_t and C_{t-1} are"
    assert "<em>" in to_html(text, mathjax)
    out, _ = mark_math(text)
    assert to_html(out, mathjax) == "<p>and \\(\\tilde{C}_t\\) and \\(C_{t-1}\\) are</p>"


def test_a_link_text_is_prose_and_its_target_is_not():
    out, _ = mark_math("[the x_t input](https://a.b/x_t)")
    assert out == "[the $x_t$ input](https://a.b/x_t)"
    assert 'href="https://a.b/x_t"' in to_html(out, mathjax)


def test_every_formula_made_from_the_examples_typesets_for_the_papers():
    from pipeline.render.exam.mathsvg import math_error

    for source in [s for s, _ in SEED_EXAMPLES] + [f"so {s} here" for s, _ in MATH]:
        for latex, display in math_spans(mark_math(source)[0]):
            assert math_error(latex, display) is None, latex


def test_marking_twice_changes_nothing_more():
    for source, _ in SEED_EXAMPLES + MATH + AMBIGUOUS:
        once = mark_math(source)[0]
        assert mark_math(once)[0] == once
    for source in NOT_MATH:
        assert mark_math(mark_math(source)[0])[0] == source


@pytest.mark.parametrize("text", ["costs $5 and x_t", "x_t$ costs", "$x$ and $ y_t", "a \\$ b x_t $"])
def test_a_stray_dollar_never_pairs_with_a_new_one(text):
    out, _ = mark_math(text)
    assert has_unbalanced_dollar(out) == has_unbalanced_dollar(text)
    assert [s for s in math_spans(out) if s not in math_spans(text)] in ([], [("x_t", False)], [("y_t", False)])


def test_seed_cards_show_no_bare_subscripts_once_marked(questions):
    """The interview's RNN-types answer and the exercises' LSTM answer, as a card shows them."""
    for qid, formulas in [("rnn-interview/q07", ["x_t", "y_{t0}", "x_{t+1}"]), ("rnn-interview/q15", ["W_x", "W_y"])]:
        before = questions[qid].answer
        out, ambiguous = mark_math(before)
        assert ambiguous == []
        html = to_html(out, mathjax)
        for latex in formulas:
            assert f"\\({latex}\\)" in html
        outside = re.sub(r"\\\(.*?\\\)", "", html)
        assert not re.search(r"\b[A-Za-z]_[A-Za-z{]", outside), outside
        assert _only_wrapped(before, out)  # nothing else of the answer changed


def _only_wrapped(before: str, after: str) -> bool:
    """`after` is `before` with some spans put in $...$ (the TeX inside may be respelled)."""
    pieces = re.split(r"\$[^$]+\$", after)
    pattern = "(?:[^\n$]+?|\\$[^$]+\\$)".join(re.escape(p) for p in pieces)
    return re.fullmatch(pattern, before, flags=re.S) is not None


def test_fields_of_the_five_seeds_stay_valid_markdown(bank):
    for doc in bank:
        for q in doc.questions:
            for text in (q.stem, q.answer, q.explanation, *(c.text for c in q.choices)):
                out, _ = mark_math(text)
                assert _only_wrapped(text, out)
                assert mark_math(out)[0] == out
                assert not has_unbalanced_dollar(out) or has_unbalanced_dollar(text)


# --- random mixes -------------------------------------------------------------------------------------

FRAGMENTS = [("x_t", "x_t"), ("y_{t0}", "y_{t0}"), ("W_xh", "W_{xh}"), ("Γ_u", "\\Gamma_u"),
             ("\\tilde{c}_t", "\\tilde{c}_t"), ("\\frac{a}{b}", "\\frac{a}{b}"), ("u^(t)", "u^{(t)}"),
             ("h^{<t>}", "h^{<t>}"), ("\\Gamma_r", "\\Gamma_r"), ("b_h", "b_h"), ("\\alpha", "\\alpha")]
OTHERS = ["the", "RNN", "a", "x", "e.g.", "n-gram", "C++", "keep_prob", "return_sequences", "my_file.py",
          "W_hh_init", "10_000", "v1.2", "🙂", "`x_t`", "`a_b c`", "$x^{<t>}$", "$\\Gamma_u$", "*word*", "_word_",
          "__bold__", "https://a.b/c_d", "[see](https://x.y/a_b)", "&amp;", "(1)", "1024", "α"]
SEPARATORS = [" ", ", ", "; ", " and ", ". ", "\n"]


@st.composite
def prose(draw):
    """A text of known pieces, and what marking it must give."""
    n = draw(st.integers(1, 12))
    text, expected = [], []
    for k in range(n):
        if k:
            sep = draw(st.sampled_from(SEPARATORS))
            text.append(sep)
            expected.append(sep)
        if draw(st.booleans()):
            source, tex = draw(st.sampled_from(FRAGMENTS))
            text.append(source)
            expected.append(f"${tex}$")
        else:
            other = draw(st.sampled_from(OTHERS))
            text.append(other)
            expected.append(other)
    return "".join(text), "".join(expected)


@settings(max_examples=400, deadline=None)
@given(prose())
def test_random_prose_wraps_exactly_the_math_fragments(case):
    text, expected = case
    out, ambiguous = mark_math(text)
    assert (out, ambiguous) == (expected, [])
    assert mark_math(out)[0] == out


CHAOS = st.sampled_from(list("ab xyW$\\_*`[]()<>&#-+=./!|{}^ \n\t0123") + [
    "x_t", "W_{xh}", "Γ_u", "\\frac{a}{b}", "\\alpha", "∂", "^(t)", "_t", "$x$", "$$", "\n\n", "`", "```\n",
    "    ", "max_len", "2^10", "https://a.b/", "&amp;", "e.g.", "\\tilde{c}", "∂u^(t)", " = ", " / ", "×",
    " \\cdot ", "\\sigma(", "x_", "<t>", "_{", "α", "b_h"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(CHAOS, max_size=24).map("".join))
def test_random_text_keeps_its_dollars_its_formulas_and_its_words(text):
    out, _ = mark_math(text)
    assert mark_math(out)[0] == out
    if not has_unbalanced_dollar(text):
        assert not has_unbalanced_dollar(out)
    old, new = math_spans(text), math_spans(out)
    for span in old:
        assert span in new
    # Outside the formulas, the rendered words are those of the source, in order. Emphasis markers aside:
    # as plain text, a fragment's `_` can pair with another into emphasis, which wrapping it undoes.
    slot = "\x07"
    rendered_out = re.sub(r"<[^>]*>|[_*]", "", markdown_it_html(out, lambda latex, display: slot))
    rendered_in = re.sub(r"<[^>]*>|[_*]", "", markdown_it_html(text, lambda latex, display: slot))
    pattern = ".*?".join(re.escape(p) for p in rendered_out.split(slot))
    assert re.fullmatch(pattern, rendered_in, flags=re.S), (rendered_in, rendered_out)


def test_a_code_span_opens_only_on_a_whole_run_of_backticks():
    # "```" mid-line opens no code span, so the display formula after it is the formula it looks like
    text = "a```\n$$` \\cdot $$"
    assert mark_math(text) == (text, [])
