"""A question -> its note's fields as HTML, math left to Anki's MathJax."""
from __future__ import annotations

import html
import re

from pipeline.model import Computed, Document, Question
from pipeline.render.notetypes import note_type_key
from pipeline.text import mathjax, to_html


def note_fields(question: Question, document: Document) -> dict[str, str]:
    """The note's fields as HTML, keyed by field name, in the order of the question's note type."""
    q = question
    common = {
        "Stem": _md(q.stem),
        "Context": _md(q.context),
        "Figures": "".join(f'<p class="figure-note"><span class="label">Missing figure:</span> {_md_line(f)}</p>'
                           for f in q.figures if f.strip()),
    }
    tail = {
        "Notes": _notes_html(q),
        "Source": f"{html.escape(document.title)}: {html.escape(q.source.file)}, line {q.source.line_start}",
        "Status": "" if q.answered else "The source gives no answer to this question.",
    }
    key = note_type_key(q)
    if key == "choice":
        options, revealed = _options_html(q)
        return {**common, "Instruction": _instruction(q), "Options": options, "Key": revealed,
                "Explanation": "\n".join(_md(p) for p in (q.answer, q.explanation) if p.strip()), **tail}
    if key == "numeric":
        return {**common, "Value": "".join(_value_html(c) for c in q.computed),
                "Breakdown": "".join(_breakdown_html(c) for c in q.computed if c.breakdown),
                "Check": "".join(_check_html(c) for c in q.computed),
                "Answer": _md(q.answer), "Explanation": _md(q.explanation), **tail}
    return {**common, "Answer": _md(q.answer), "Explanation": _md(q.explanation), **tail}


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


def _value_html(c: Computed) -> str:
    return (f'<p><span class="quantity">{html.escape(c.quantity)}:</span> '
            f'<span class="number">{_md_line(c.value)}</span></p>')


def _breakdown_html(c: Computed) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(b.label)}</td><td>{mathjax(b.expression, False)}</td>'
        f'<td class="num">{b.value}</td></tr>'
        for b in c.breakdown)
    return (f'<table class="breakdown"><tr><th>Part</th><th>Computation</th><th class="num">Count</th></tr>'
            f'{rows}<tr class="total"><td>Total</td><td></td><td class="num">{_md_line(c.value)}</td></tr>'
            f'</table>')


def _check_html(c: Computed) -> str:
    out = []
    if c.agrees is False:
        out.append(f'<p class="disagree">The document gives {_md_line(c.document_value or "")}; '
                   f'the reference model gives {_md_line(c.value)}.</p>')
    elif c.agrees:
        out.append(f'<p class="agree">Agrees with the document ({_md_line(c.document_value or c.value)}).</p>')
    if c.convention.strip():
        out.append(f'<p class="convention">Convention: {_md_line(c.convention)}</p>')
    if c.note.strip():
        out.append(f'<p class="note">{_md_line(c.note)}</p>')
    if c.method.strip():
        out.append(f'<p class="method">Computed by {html.escape(c.method)}.</p>')
    return "".join(out)
