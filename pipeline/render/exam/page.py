"""One exam version -> the HTML of its paper and of its key (Jinja2 templates): each item's context, its figures,
its answer space and rubric, the grading table and the instructions. `papers` turns the pages into PDFs."""
from __future__ import annotations

import base64
import math
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.compute import sizes
from pipeline.files.assets import IMAGE, image_type, project_file, svg_problem
from pipeline.files.cache import Store
from pipeline.files.source import read_source
from pipeline.markup import to_html
from pipeline.model import Question
from pipeline.render import TEMPLATES
from pipeline.render.exam.mathfont import font_css
from pipeline.render.exam.mathsvg import math_renderer
from pipeline.render.figures import placed
from pipeline.render.present import present, rendered
from pipeline.render.rubric import rubric
from pipeline.select.versions import ExamItem, ExamVersion, format_points

MATH_SIZE_PT = 11.0  # STIX Two Math at 11pt matches the x-height of 10pt DejaVu Serif body text
_GRID_COLUMNS = 5
# Answer space follows points, so that questions worth the same get the same room whatever their reference
# answer's length (which would tell the student how much is expected): 3 ruled lines a point, at least 3 and
# at most what fits on a page beside the question.
LINES_PER_POINT = 3
MIN_LINES, MAX_LINES = 3, 24
_GRADING_COLUMNS = 14  # questions per row of the grading table, which fit the width of the page
_FOOTER_TITLE = 60  # characters of the title in the footer, which shares its line with the page number
_LONG_TITLE, _VERY_LONG_TITLE = 60, 120  # characters beyond which the heading is set smaller
_PAPER_MM_PER_PX = 0.185  # a diagram on paper at 70% of its screen size (0.2646 mm a CSS pixel): labels stay
# at body size, and a question with a figure leaves no half-empty page before it
_ALL_THAT_APPLY = re.compile(r"\b(?:select|check|tick|mark|choose)\s+all\s+that\s+apply", re.I)



@lru_cache(maxsize=8)
def _environment(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def _css_string(text: str) -> Markup:
    """`text` as a quoted CSS string inside <style>: quotes and backslashes escaped for CSS, and `<` too,
    so that no `</style>` in a title can end the style sheet and open markup of its own."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "<":
            out.append("\\00003c")
        elif ch < " " or ch == "\x7f":
            out.append(" ")  # a line break or another control character, which would end the string
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def _md(markdown: str, store: Store | None, base: Path, *, inline: bool = False) -> Markup:
    """Markdown with typeset math; text.to_html escapes any stray `<` so it cannot open a tag. `base` is
    the folder of the file the text comes from, against which its images are found."""
    out = to_html(markdown, math_renderer(MATH_SIZE_PT, store), inline=inline)
    if "<img src=" in out:
        out = IMAGE.sub(lambda m: _image(m.group(1), m.group(2), base), out)
    return Markup(out)


def _image(src: str, alt: str, base: Path) -> str:
    """A figure of the project embedded in the page; anything else printed as its description (and
    reported by `_image_diagnostics`), so that rendering reads no other file and no URL."""
    path = project_file(src, base)
    kind = path and image_type(path)
    if path is None or kind is None:
        return f'<span class="image-refused">[image: {alt}]</span>'
    raw, _ = read_source(path)  # a regular file of bounded size, never a pipe or a device
    if raw is None or kind == "image/svg+xml" and svg_problem(raw):
        return f'<span class="image-refused">[image: {alt}]</span>'
    data = base64.b64encode(raw).decode("ascii")
    return f'<img src="data:{kind};base64,{data}" alt="{alt}">'


def answer_lines(item: ExamItem) -> int:
    """Ruled lines for a written answer, or for a numeric item's working (graded part by part)."""
    if item.question.choices:
        return 0  # answered on its options
    return max(MIN_LINES, min(MAX_LINES, math.ceil(LINES_PER_POINT * item.points)))


def paper_instructions(version: ExamVersion) -> str:
    """The paper's instructions, Markdown: what to do with each kind of item the paper holds, and nothing about
    a kind it does not hold, then the exam's own `instructions` (its rules: notes, devices, style)."""
    kinds = {("written" if not i.choices and not i.question.computed else "numeric")
             if not i.choices else i.question.kind for i in version.items}
    said = []
    if "single_choice" in kinds:
        said.append("For a single-choice question fill in the one circle of the best answer.")
    if "multi_choice" in kinds:
        said.append("For a question that asks you to select all that apply, tick every correct box.")
    if "numeric" in kinds:
        said.append("Write a numeric answer in its answer box, with your working in the lines above it.")
    if "written" in kinds:
        said.append("Answer a written question in the lines below it.")
    own = version.exam.instructions.strip()
    return " ".join(said) + ("\n\n" + own if own else "")


def _kept_together(title: str) -> Markup:
    """The title with its last two words kept on one line: no word alone on the last line."""
    words = title.split()
    if len(words) < 3:
        return Markup.escape(title)
    # Not only the space: a hyphen is a break too ("Multiple-" / "Choice Test").
    return Markup("{} <span style=\"white-space: nowrap\">{}</span>").format(" ".join(words[:-2]), " ".join(words[-2:]))


def _pdf_date(date: str) -> str:
    """The exam's own date as PDF creation date, so no wall-clock time gets into the file."""
    return date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()) else ""


def _common(version: ExamVersion, templates_dir: Path, kind: str) -> dict[str, Any]:
    exam = version.exam
    css = (Path(templates_dir) / "print.css").read_text(encoding="utf-8")
    # The formulas' glyphs are text in the derived math fonts (see mathfont.py).
    css = font_css() + css
    title = exam.title if len(exam.title) <= _FOOTER_TITLE else exam.title[:_FOOTER_TITLE - 1].rstrip() + "\u2026"
    footer = f"{title} \u00b7 Version {version.letter}" + (" \u00b7 Answer key" if kind == "key" else "")
    return {
        "exam": exam,
        "title": _kept_together(exam.title),
        "title_size": ("" if len(exam.title) <= _LONG_TITLE else "long" if len(exam.title) <= _VERY_LONG_TITLE
                       else "very-long"),
        "letter": version.letter,
        "css": Markup(css),
        "page_size": "A4" if exam.paper == "A4" else "letter",
        "footer": footer,
        "pdf_date": _pdf_date(exam.date),
        "total_points": format_points(version.total_points),
    }


def _item_context(item: ExamItem, store: Store | None, key: bool) -> dict[str, Any]:
    q = item.question
    base = Path(q.source.file).parent
    ctx: dict[str, Any] = {
        "number": item.number,
        "kind": q.kind,
        "points": format_points(item.points),
        "context": _md(q.context, store, base) if q.context.strip() else "",
        "stem": _md(q.stem, store, base),
        "figures": _figures(q, "stem", store, base),
        "choices": [
            {"letter": string.ascii_uppercase[k], "html": _md(c.text, store, base, inline=True), "correct": c.correct,
             "mistake": item.mistakes[k] if item.mistakes else ""}
            for k, c in enumerate(item.choices)
        ],
        "lines": answer_lines(item),
        # The paper says "Select all that apply." unless the stem already asks it in its own words.
        "hint": "Select all that apply." if q.kind == "multi_choice" and not _ALL_THAT_APPLY.search(q.stem) else "",
    }
    if key:
        ctx.update({
            "qid": q.id,
            "source": f"{q.source.file}:{q.source.line_start}",
            "answered": q.answered,
            "correct_letters": ", ".join(item.correct_letters),
            "answer": _md(q.answer, store, base) if q.answer.strip() else "",
            "answer_figures": _figures(q, "answer", store, base),
            "explanation": _md(q.explanation, store, base) if q.explanation.strip() else "",
            "notes": [_md(n, store, base) for n in q.notes],
            "attribution": q.attribution,
            "computed": [rendered(present(c), lambda text: _md(text, store, base, inline=True)) for c in q.computed],
            "rubric": _rubric_context(item, store, base),
            "sizes": _md(sizes.describe(item.sizes), store, base, inline=True) if item.sizes else "",
        })
    return ctx


def _figures(q: Question, where: str, store: Store | None, base: Path) -> list[dict[str, Any]]:
    """The figures of the question's stem or answer: a supplied one embedded (`image`), any other as the
    document's note on it (`note`)."""
    out = []
    for f, p in placed(q, where):
        caption = _md(f.caption, store, base, inline=True) if f.caption.strip() else ""
        if f.equation:
            out.append({"image": _md(f"$${f.equation}$$", store, base), "note": "", "caption": caption})
            continue
        if p is None:
            out.append({"image": "", "caption": "", "note": _md(f.note, store, base, inline=True)})
            continue
        data = base64.b64encode(p.data).decode("ascii")
        style = f"width: {p.width * _PAPER_MM_PER_PX:.1f}mm; max-width: 100%" if p.width else p.style
        image = Markup('<img src="data:{};base64,{}" alt="{}" style="{}">').format(p.kind, data, p.alt, style)
        out.append({"image": image, "note": "",
                    "caption": _md(f.caption, store, base, inline=True) if f.caption.strip() else ""})
    return out


def _rubric_context(item: ExamItem, store: Store | None, base: Path) -> dict[str, Any] | None:
    r = rubric(item.question, item.points)
    if r is None:
        return None
    return {
        "from_answer": r.from_answer,
        "lead": _md(r.lead, store, base) if r.lead else "",
        "criteria": [{"text": _md(c.text, store, base, inline=not r.from_answer),
                      "expression": _md(c.expression, store, base, inline=True) if c.expression else "",
                      "result": c.result, "points": format_points(c.points)} for c in r.criteria],
        "total_result": r.total_result,
    }


def _grading_rows(version: ExamVersion) -> list[list[dict[str, str]]]:
    """The grading table's columns (question number and points), in rows of even length that fit the
    page; the total closes the last row."""
    cells = [{"number": str(item.number), "points": format_points(item.points), "total": False}
             for item in version.items]
    size = math.ceil(len(cells) / max(1, math.ceil(len(cells) / _GRADING_COLUMNS))) or 1  # rows of even length
    rows = [cells[i:i + size] for i in range(0, len(cells), size)] or [[]]
    rows[-1] = rows[-1] + [{"number": "Total", "points": format_points(version.total_points), "total": True}]
    return rows


def _grid_answer(item: ExamItem, store: Store | None) -> str:
    q = item.question
    if q.choices:
        return ", ".join(item.correct_letters) or "none given"
    if q.computed:
        return _md(present(q.computed[0]).value, store, Path(q.source.file).parent, inline=True)
    if not q.answered:
        return "none given"
    return "written"


def exam_html(version: ExamVersion, store: Store | None = None, templates_dir: Path = TEMPLATES) -> str:
    """The complete, self-contained HTML of one version's exam paper (CSS inline, math as data URIs)."""
    exam = version.exam
    ctx = _common(version, templates_dir, "exam")
    ctx["instructions"] = _md(paper_instructions(version), store, Path(exam.file).parent)
    ctx["items"] = [_item_context(item, store, key=False) for item in version.items]
    ctx["grading"] = _grading_rows(version)
    return _environment(str(templates_dir)).get_template("exam.html.j2").render(**ctx)


def key_html(version: ExamVersion, store: Store | None = None, templates_dir: Path = TEMPLATES) -> str:
    """The complete, self-contained HTML of one version's answer key."""
    ctx = _common(version, templates_dir, "key")
    ctx["items"] = [_item_context(item, store, key=True) for item in version.items]
    cells = [{"number": item.number, "answer": _grid_answer(item, store)} for item in version.items]
    if all(c["answer"] == "written" for c in cells):
        cells = []  # an all-written exam has nothing to look up at a glance
    while len(cells) % _GRID_COLUMNS:
        cells.append(None)
    ctx["grid"] = [cells[i:i + _GRID_COLUMNS] for i in range(0, len(cells), _GRID_COLUMNS)]
    return _environment(str(templates_dir)).get_template("key.html.j2").render(**ctx)


__all__ = ["MATH_SIZE_PT", "answer_lines", "exam_html", "key_html", "paper_instructions"]
