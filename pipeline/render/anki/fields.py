"""A question -> its note's fields as HTML, math left to Anki's MathJax."""
from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from pipeline.files.assets import IMAGE, image_type, project_file, svg_problem
from pipeline.model import Computed, Diagnostic, Document, Question
from pipeline.render.figures import Picture, picture, placed
from pipeline.files.source import read_source
from pipeline.render.present import present, rendered
from pipeline.render.anki.notetypes import note_type_key
from pipeline.render.sections import Headings, numbered_headings, question_label, section_pointer
from pipeline.markup import disarm_linking, linking_command, math_spans, mathjax, to_html


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
    return {name: card_html(value, q) for name, value in _fields(q, common, tail).items()}


def _fields(q: Question, common: dict[str, str], tail: dict[str, str]) -> dict[str, str]:
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
    """The media files the question's note shows, by name: its figures and the project images its text
    shows inline."""
    found = {p.name: p.data for p in map(picture, q.figures) if p is not None}
    for text in _texts(q):
        if "](" in text:
            for m in IMAGE.finditer(to_html(text, mathjax)):
                image = _inline_picture(m.group(1), q)
                if image is not None:
                    found[image.name] = image.data
    return tuple(sorted(found.items()))


def refused_content(q: Question) -> list[Diagnostic]:
    """An `anki-image-refused` warning for each inline image a card shows as its description (a URL, a file
    outside the project, no image), an `anki-math-refused` warning for each formula that links or loads."""
    found: dict[tuple[str, str], Diagnostic] = {}
    for text in _texts(q):
        if "](" in text:
            for m in IMAGE.finditer(to_html(text, mathjax)):
                if _inline_picture(m.group(1), q) is None:
                    shown = m.group(1) if len(m.group(1)) <= 80 else m.group(1)[:77] + "..."
                    found.setdefault(("image", m.group(1)), Diagnostic(
                        q.source.file, q.source.line_start, "warning", "anki-image-refused",
                        f"{q.id}: image '{shown}' is not an image file of the project; the card shows its "
                        "description instead"))
        if "\\" in text or "url" in text.lower():
            for latex, _ in math_spans(text):
                command = linking_command(latex)
                if command:
                    found.setdefault(("math", latex), Diagnostic(
                        q.source.file, q.source.line_start, "warning", "anki-math-refused",
                        f"{q.id}: a formula uses {command}, which links or loads content; the card shows "
                        "the formula as source"))
    return list(found.values())


def card_html(value: str, q: Question) -> str:
    """A field's HTML as a card may show it: an inline image of the project as a media file of the note,
    any other as its description, and no command MathJax would follow to the network."""
    if "<img src=" in value:
        value = IMAGE.sub(lambda m: _card_image(m.group(1), m.group(2), q), value)
    return disarm_linking(value)


def _card_image(src: str, alt: str, q: Question) -> str:
    image = _inline_picture(src, q)
    if image is None:
        return f'<span class="image-refused">[image: {alt}]</span>'
    return f'<img src="{html.escape(image.name)}" alt="{alt}">'


def _inline_picture(src: str, q: Question) -> Picture | None:
    """The project image an inline `![...](src)` of the question names, as a media file; None for a URL,
    a path outside the project, or a file that is no image."""
    path = project_file(src, Path(q.source.file).parent)
    kind = image_type(path) if path is not None else None
    data = read_source(path)[0] if kind else None
    if path is None or kind is None or data is None or kind == "image/svg+xml" and svg_problem(data):
        return None
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "image"
    return Picture(f"{stem}-{hashlib.sha256(data).hexdigest()[:10]}{path.suffix.lower()}", data, kind, stem, 0)


def _texts(q: Question) -> list[str]:
    """Every text of the question a card shows."""
    return [q.stem, q.context, q.answer, q.explanation, q.attribution, *q.notes, *(c.text for c in q.choices),
            *(f.note for f in q.figures), *(f.caption for f in q.figures)]


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
