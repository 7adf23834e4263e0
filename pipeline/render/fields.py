"""A question -> its note's fields as HTML, math left to Anki's MathJax."""
from __future__ import annotations

import html
import re

from pipeline.model import Computed, Document, Question
from pipeline.render.figures import picture, placed
from pipeline.present import present, rendered
from pipeline.render.notetypes import note_type_key
from pipeline.render.sections import Headings, numbered_headings, question_label, section_pointer
from pipeline.text import mathjax, to_html


def note_fields(question: Question, document: Document, headings: Headings | None = None) -> dict[str, str]:
    """The note's fields as HTML, keyed by field name, in the order of the question's note type. `headings`
    are the document's numbered headings, when the caller has them for all its questions."""
    q = question
    common = {
        "Stem": _md(q.stem),
        "Context": _md(q.context),
        "Figures": figures_html(q, "stem"),
    }
    section = section_pointer(q, numbered_headings(document) if headings is None else headings)
    where = ", ".join(html.escape(p) for p in (document.title, section) if p)
    tail = {
        "Notes": _notes_html(q),
        "Source": f"{where}, {html.escape(question_label(q.number))}",
        "Status": "" if q.answered else "The source gives no answer to this question." + (
            f" Read {where} to answer it." if section else ""),
    }
    key = note_type_key(q)
    if key == "choice":
        options, revealed = _options_html(q)
        return {**common, "Instruction": _instruction(q), "Options": options, "Key": revealed,
                "Explanation": "\n".join(_md(p) for p in (q.answer, q.explanation) if p.strip())
                + figures_html(q, "answer"), **tail}
    if key == "numeric":
        parts = [computed_fields(c) for c in q.computed]
        value, breakdown, check = ("".join(p[i] for p in parts) for i in range(3))
        return {**common, "Value": value, "Breakdown": breakdown, "Check": check,
                "Answer": _md(q.answer) + figures_html(q, "answer"), "Explanation": _md(q.explanation), **tail}
    return {**common, "Answer": _md(q.answer) + figures_html(q, "answer"), "Explanation": _md(q.explanation), **tail}


def note_media(q: Question) -> tuple[tuple[str, bytes], ...]:
    """The media files the question's note shows, by name."""
    found = {p.name: p.data for p in map(picture, q.figures) if p is not None}
    return tuple(sorted(found.items()))


def figures_html(q: Question, where: str) -> str:
    """The figures of the question's stem or answer: each supplied one as an image, each other one as the
    notice that it is missing."""
    out = []
    for f, p in placed(q, where):
        if f.equation:
            caption = f"<figcaption>{_md_line(f.caption)}</figcaption>" if f.caption.strip() else ""
            out.append(f'<figure class="figure equation">{_md(f"$${f.equation}$$")}{caption}</figure>')
            continue
        if p is None:
            if f.note.strip():
                out.append(f'<p class="figure-note"><span class="label">Figure not available:</span> '
                           f'{_md_line(f.note)}</p>')
            continue
        caption = f"<figcaption>{_md_line(f.caption)}</figcaption>" if f.caption.strip() else ""
        out.append(f'<figure class="figure"><img src="{html.escape(p.name)}" alt="{html.escape(p.alt)}" '
                   f'style="{p.style}">{caption}</figure>')
    return f'<div class="figures">{"".join(out)}</div>' if out else ""


def _md(text: str) -> str:
    """Markdown as HTML; nothing for a blank text."""
    return to_html(text, mathjax) if text.strip() else ""


def _md_line(text: str) -> str:
    """One line of Markdown, without its paragraph."""
    return to_html(text, mathjax, inline=True)


def _notes_html(q: Question) -> str:
    out = [f'<div class="note">{_md(n)}</div>' for n in q.notes if n.strip()]
    if q.attribution.strip():
        out.append(f'<p class="attribution">{_md_line(q.attribution)}</p>')
    return "".join(out)


def _letter(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...: an option's letter."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


_ALL_THAT_APPLY = re.compile(r"all that apply", re.I)


def _instruction(q: Question) -> str:
    if q.kind == "single_choice":
        return "Choose one."
    n = sum(c.correct for c in q.choices)
    if n == 0 or _ALL_THAT_APPLY.search(q.stem):
        return "Select all that apply."
    return f"Choose {n}."


def _options_html(q: Question) -> tuple[str, str]:
    """The options as the front shows them, and as the back does: marked right or wrong once answered."""
    plain, marked = [], []
    for i, c in enumerate(q.choices):
        opening = f'<span class="letter">{_letter(i)}</span><span class="text">{_md_line(c.text)}</span>'
        plain.append(f"<li>{opening}</li>")
        marked.append(f'<li class="correct">{opening}<span class="mark">&#10003; correct</span></li>'
                      if c.correct else f'<li class="wrong">{opening}</li>')
    options = f'<ol class="options">{"".join(plain)}</ol>'
    return options, f'<ol class="options">{"".join(marked)}</ol>' if q.answered else options


def _capitalized(text: str) -> str:
    """`input shape` -> `Input shape`; a text that opens with math or a capital stays as it is."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def computed_fields(c: Computed) -> tuple[str, str, str]:
    """A computed value as the numeric note shows it: its parts of the Value, Breakdown and Check fields."""
    p = rendered(present(c), _md_line)
    quantity = _md_line(_capitalized(c.quantity))  # it opens the line here; the key writes "Computed ..."
    if p.headline:
        value = (f'<p><span class="quantity">{quantity}:</span> <span class="headline">{p.headline}</span></p>'
                 f'<p class="example">{p.example}</p>')
    else:
        value = f'<p><span class="quantity">{quantity}:</span> <span class="number">{p.value}</span></p>'
    table = ""
    if p.breakdown:
        rows = "".join(f'<tr><td>{b.label}</td><td>{b.expression}</td><td class="num">{b.count}</td></tr>'
                       for b in p.breakdown)
        table = (f'<table class="breakdown"><tr><th>Part</th><th>Computation</th><th class="num">Count</th>'
                 f'</tr>{rows}<tr class="total"><td>Total</td><td></td><td class="num">{p.value}</td></tr>'
                 f'</table>')
    # The working is folded behind a toggle: the back stays one phone screen, the value and the convention
    # first. That the document's own value agrees is the maintainer's business (`make check`); only a value
    # that differs from what the learner may have read in the document is said.
    method = f'<p class="method">{p.method}</p>' if p.method else ""
    breakdown = (f'<details class="how"><summary>How it is computed</summary>{table}{method}</details>'
                 if table or method else "")
    check = [f'<p class="disagree">{p.check}</p>' if p.agrees is False else "",
             f'<p class="convention">Convention: {p.convention}</p>' if p.convention else "",
             f'<p class="note">{p.note}</p>' if p.note else ""]
    return value, breakdown, "".join(check)
