"""A synthetic question bank of any size, in the mix of kinds and the kind of math the real documents have."""
from __future__ import annotations

import random

from pipeline.model import KINDS, BreakdownItem, Choice, Computed, Document, Question, SourceSpan

_SIZES = (16, 32, 64, 100, 128, 256, 512)
_INLINE = (
    "$x^{{<t>}}$", "$a^{{<t-1>}}$", "$\\Gamma_u$", "$\\Gamma_r$", "$\\tilde{{c}}^{{<t>}}$", "$W_{{aa}}$",
    "$\\hat{{y}}^{{<t>}}$", "$n_a = {n}$", "$T_x = {t}$", "$\\sigma(z)$", "$\\tanh$",
    "$W_{{ax}} \\in \\mathbb{{R}}^{{{n} \\times {m}}}$",
    "$\\mathbb{{P}}(y^{{<t>}} \\mid y^{{<1>}}, \\dots, y^{{<t-1>}})$",
    "$\\frac{{\\partial \\mathcal{{L}}}}{{\\partial W_{{ax}}}}$",
)
_DISPLAY = (
    "$$c^{{<t>}} = \\Gamma_u * \\tilde{{c}}^{{<t>}} + (1-\\Gamma_u) * c^{{<t-1>}}$$",
    "$$a^{{<t>}} = g(W_{{aa}} a^{{<t-1>}} + W_{{ax}} x^{{<t>}} + b_a)$$",
    "$$\\tilde{{c}}^{{<t>}} = \\tanh(W_c[\\Gamma_r * c^{{<t-1>}}, x^{{<t>}}] + b_c)$$",
    "$$\\Gamma_u = \\sigma(W_u[c^{{<t-1>}}, x^{{<t>}}] + b_u)$$",
    "$$h_t = \\tanh(W_{{hh}} h_{{t-1}} + W_{{xh}} x_t + b_h), \\quad t = 1, \\dots, {t}$$",
)
_SUBJECTS = ("a GRU", "an LSTM", "a vanilla RNN", "a bidirectional RNN", "a deep RNN", "a language model",
             "a sequence-to-sequence model", "an attention decoder")
_VERBS = ("What does", "Why does", "How does", "When does", "Which term of")
_TOPICS = ("the update gate", "the reset gate", "the memory cell", "the hidden state", "the softmax output",
           "gradient clipping", "teacher forcing", "beam search", "truncated backpropagation")
_SENTENCES = (
    "Recall that {m1} controls how much of the previous memory is kept.",
    "Assume {m1} is computed from {m2} at every time step, with {m3}.",
    "The sequence has {m3} steps and the model is trained with cross-entropy on {m2}.",
    "Consider the recurrence below, where {m1} is close to 0 for most steps.",
)


def _math(rng: random.Random, pool: tuple[str, ...]) -> str:
    return rng.choice(pool).format(n=rng.choice(_SIZES), m=rng.choice(_SIZES), t=rng.randint(5, 60))


def _sentence(rng: random.Random) -> str:
    m1, m2, m3 = (_math(rng, _INLINE) for _ in range(3))
    return rng.choice(_SENTENCES).format(m1=m1, m2=m2, m3=m3)


def synthetic_question(doc: str, i: int, kind: str, rng: random.Random) -> Question:
    stem = (f"{rng.choice(_VERBS)} {rng.choice(_TOPICS)} in {rng.choice(_SUBJECTS)} change when "
            f"{_math(rng, _INLINE)} grows (case {i})? {_sentence(rng)}")
    if rng.random() < 0.4:
        stem += f"\n\n{_math(rng, _DISPLAY)}\n\nUse the equation above."
    line = 1 + 6 * i
    common = dict(
        id=f"{doc}/q{i + 1:05d}", document=doc, number=str(i + 1), kind=kind, stem=stem,
        source=SourceSpan(f"seeds/{doc}.md", line, line + 5),
        section=f"Part {i // 40 + 1}: {rng.choice(_TOPICS)}",
        tags=("synthetic", f"topic-{i % 7}"), explanation=_sentence(rng) if rng.random() < 0.5 else "",
        notes=(f"Worked example: {_sentence(rng)}",) if rng.random() < 0.15 else (),
        context=_sentence(rng) if rng.random() < 0.2 else "",
    )
    if kind in ("single_choice", "multi_choice"):
        n = rng.randint(3, 5)
        if kind == "single_choice":
            right = {rng.randrange(n)}
        else:
            right = set(rng.sample(range(n), rng.randint(2, n - 1)))
        choices = tuple(Choice(f"It scales {_math(rng, _INLINE)} by {rng.choice(_TOPICS)} (option {k + 1})",
                               k in right, line + 1 + k) for k in range(n))
        return Question(**common, choices=choices)
    if kind == "open":
        answer = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) if rng.random() < 0.85 else ""
        return Question(**common, answer=answer)
    h, x, y = rng.choice(_SIZES), rng.choice(_SIZES), rng.choice(_SIZES)
    parts = (
        BreakdownItem("W_u: update gate weights", f"{h} \\times ({h} + {x})", h * (h + x)),
        BreakdownItem("W_r: reset gate weights", f"{h} \\times ({h} + {x})", h * (h + x)),
        BreakdownItem("W_c: candidate weights", f"{h} \\times ({h} + {x})", h * (h + x)),
        BreakdownItem("b_u, b_r, b_c: gate biases", f"3 \\times {h}", 3 * h),
        BreakdownItem("W_y, b_y: output layer", f"{y} \\times {h} + {y}", y * h + y),
    )
    total = sum(b.value for b in parts)
    claimed = total if rng.random() < 0.8 else total + h
    stem = (f"A GRU has $n_a = {h}$ hidden units, $n_x = {x}$ inputs and $n_y = {y}$ outputs "
            f"(case {i}). How many trainable parameters does it have?\n\n{_math(rng, _DISPLAY)}")
    computed = Computed(
        quantity="parameter total", value=str(total), method="reference GRU cell (NumPy)",
        convention="one bias per gate (Keras)", breakdown=parts, document_value=str(claimed),
        agrees=claimed == total, line=line + 2)
    return Question(**{**common, "stem": stem}, answer=f"{claimed} parameters.", computed=(computed,))


def synthetic_bank(n: int, documents: int = 5, seed: int = 1) -> list[Document]:
    """n questions over `documents` documents; kinds in roughly the mix of the real seeds."""
    rng = random.Random(seed)
    weights = {"single_choice": 40, "multi_choice": 20, "open": 25, "numeric": 15}
    assert set(weights) == set(KINDS)
    kinds = rng.choices(list(weights), weights=list(weights.values()), k=n)
    docs = []
    for d in range(documents):
        slug = f"synthetic-{d + 1}"
        idx = range(d, n, documents)
        qs = tuple(synthetic_question(slug, j, kinds[i], rng) for j, i in enumerate(idx))
        docs.append(Document(f"seeds/{slug}.md", slug, "bullet-quiz", f"Synthetic Bank {d + 1}", qs,
                             lines=("",) * (6 * len(qs) + 1)))
    return docs


def quiz_document(n: int, seed: int = 1) -> str:
    """A Markdown quiz of n questions, about 250 bytes each (20,000 make 5 MB), in the layouts real quiz
    documents mix: numbered headings, bold labels, lettered and bulleted options, answer lines and prose."""
    rng = random.Random(seed)
    out = ["# Synthetic quiz", ""]
    for i in range(1, n + 1):
        topic, subject = rng.choice(_TOPICS), rng.choice(_SUBJECTS)
        stem = f"{_sentence(rng)} {rng.choice(_VERBS)} {topic} in {subject} do when {_math(rng, _INLINE)} grows?"
        layout = i % 4
        if layout == 0:
            out += [f"### Question {i}", "", stem, "", "- It is kept", "- It is reset", "- It is doubled", "",
                    f"Answer: {'ABC'[i % 3]}", ""]
        elif layout == 1:
            out += [f"**{i}.** {stem}", "a) It is kept", "b) It is reset", "c) It is halved", "",
                    f"**Answer:** {'abc'[i % 3]}", ""]
        elif layout == 2:
            out += [f"**Q{i}.** {stem}", "", f"**A:** {_sentence(rng)}", ""]
        else:
            out += [f"### {i}. {stem}", "", _sentence(rng), ""]
    return "\n".join(out)
