"""Markdown with $...$ / $$...$$ math -> HTML, shared by every renderer.

Raw HTML in the source is never passed through: markdown-it runs with html disabled, so text such as
"(i)<j>" or "x^{<t>}" arrives escaped instead of being read as a tag. Math is handed, unescaped, to a
callback chosen by the renderer (MathJax delimiters for Anki, inline SVG for PDFs).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

# (latex, display) -> HTML to insert
MathRenderer = Callable[[str, bool], str]


def lines_kept(latex: str) -> str:
    """The formula with `\\\\` line breaks outside any environment put in `aligned`, each line flush left:
    MathJax breaks a line only inside an environment, and would otherwise run the lines into one that is
    clipped on a phone; flush left, the start of every line is in view before the reader scrolls."""
    if "\\\\" not in latex or "\\begin{" in latex or "&" in latex:
        return latex
    lines = " \\\\ ".join("&" + line.strip() for line in latex.split("\\\\"))
    return f"\\begin{{aligned}}{lines}\\end{{aligned}}"


# MathJax commands that link, load an extension or a font, or set styles (which can fetch a URL): a card or a
# page never follows content to the network, so a formula holding one is shown as its source instead.
LINKING = ("href", "url", "require", "style", "class", "cssId", "data", "unicode", "mmlToken", "html", "include",
           "input")
_LINKING = re.compile(r"\\(" + "|".join(LINKING) + r")(?![A-Za-z])|url\s*\(", re.I)


def linking_command(latex: str) -> str | None:
    """The first command of the formula that links or loads content (`\\href`, `url(`), or None."""
    m = _LINKING.search(latex)
    return m.group(0) if m else None


def disarm_linking(html_text: str) -> str:
    """HTML whose text can no longer reach MathJax as a linking command: a zero-width space after the
    backslash makes `\\href` an unknown symbol, for any such command that arrived outside a formula."""
    if "\\" not in html_text and "url" not in html_text.lower():
        return html_text
    return _LINKING.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], html_text)


def mathjax(latex: str, display: bool) -> str:
    """Anki's MathJax delimiters, HTML-escaped so that `<` in `x^{<t>}` survives as text. A formula with a
    linking command is shown as its source, outside MathJax's reach (see `linking_command`)."""
    if linking_command(latex):
        return plain_math(disarm_linking(latex), display)
    latex = lines_kept(latex)
    body = f"\\[{latex}\\]" if display else f"\\({latex}\\)"
    # html.escape(body, quote=False), spelled out: this runs for every formula of every note
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_math(latex: str, display: bool) -> str:
    """Math kept as readable source in monospace (the fallback when a formula cannot be typeset)."""
    return f'<code class="math-source">{html.escape(latex, quote=False)}</code>'


def parser() -> MarkdownIt:
    return _parser_for(mathjax)


def _math_rule(render: MathRenderer, display: bool):
    def rule(tokens, idx, options, env):  # noqa: ANN001 - markdown-it renderer signature
        return render(tokens[idx].content.strip(), display)
    return rule


def _block_math_rule(render: MathRenderer):
    def rule(tokens, idx, options, env):  # noqa: ANN001
        formula = render(tokens[idx].content.strip(), True)
        label = tokens[idx].info.strip()
        if label:  # `$$...$$ (10.1)`: the equation number at the right of its formula, on every renderer
            return (f'<div class="math-display numbered"><span class="formula">{formula}</span>'
                    f'<span class="eqno">({html.escape(label)})</span></div>\n')
        return f'<div class="math-display">{formula}</div>\n'
    return rule


def markdown_it_html(markdown: str, math: MathRenderer = mathjax, *, inline: bool = False) -> str:
    """The same conversion always through markdown-it (the reference the fast path is tested against)."""
    out = _parser_for(math).render(markdown).strip()
    if inline:
        m = re.fullmatch(r"<p>(.*)</p>", out, flags=re.S)
        if m and "<p>" not in m.group(1):
            out = m.group(1)
    return out


@lru_cache(maxsize=32)
def _parser_for(math: MathRenderer) -> MarkdownIt:
    """One parser per math renderer, so renderers never mutate a shared one."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": False, "typographer": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.renderer.rules.update({
        "math_inline": _math_rule(math, False),
        "math_inline_double": _math_rule(math, True),
        "math_block": _block_math_rule(math),
        "math_block_label": _block_math_rule(math),
    })
    return md


# Anything that could make a one-line text more than a paragraph of plain words and $...$ formulas:
# emphasis, code, links, escapes, entities, raw `<`, line breaks, and block markers at the start.
_MARKDOWN_CHARS = re.compile(r"[*_`\[\]\\&<>!|~\n\r\t]")
_BLOCK_START = re.compile(r"\s*(?:[-+>#=]|\d+[.)])| {4}")
_FORMULA = re.compile(r"\$([^$]+)\$")


_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than the plain space


def _plain_html(text: str, math: MathRenderer) -> str | None:
    """The HTML markdown-it would give for plain words with inline formulas, or None if it is more."""
    if "$" not in text:
        if _OTHER_SPACE.search(text) or _MARKDOWN_CHARS.search(text) or _BLOCK_START.match(text):
            return None
        text = text.strip(" ")
        return text.replace('"', "&quot;") if '"' in text else text
    if text.count("$") % 2 or "$$" in text or _OTHER_SPACE.search(text):
        return None
    parts = _FORMULA.split(text)
    outside = "x".join(parts[0::2])
    if _MARKDOWN_CHARS.search(outside) or _BLOCK_START.match(outside):
        return None
    formulas = parts[1::2]
    if any(f.endswith("\\") or f.isspace() for f in formulas):
        return None
    parts[0] = parts[0].lstrip(" ")
    parts[-1] = parts[-1].rstrip(" ")
    parts[1::2] = [math(f.strip(), False) for f in formulas]
    if '"' in outside:  # `&` is ruled out above; a quote is the one character left to escape
        for i in range(0, len(parts), 2):
            parts[i] = parts[i].replace('"', "&quot;")
    return "".join(parts)


_DISPLAY_FORMULA = re.compile(r"\$\$([^$\n]+)\$\$")


def _simple_html(text: str, math: MathRenderer, inline: bool) -> str | None:
    """markdown-it's HTML for paragraphs of plain words and $...$ formulas, or of one $$...$$ formula each,
    separated by blank lines; None for anything else."""
    if "\n" not in text:
        plain = _plain_html(text, math)
        if plain is not None:
            return plain if inline or not plain else f"<p>{plain}</p>"
    out = []
    for paragraph in text.split("\n\n"):
        if "\n" in paragraph or "\r" in paragraph or not paragraph.strip():
            return None
        display = _DISPLAY_FORMULA.fullmatch(paragraph)
        if display:
            latex = display.group(1)
            if latex.endswith("\\") or not latex.strip() or _OTHER_SPACE.search(latex):
                return None
            out.append(f'<div class="math-display">{math(latex.strip(), True)}</div>')
            continue
        plain = _plain_html(paragraph, math)
        if not plain:
            return None
        out.append(f"<p>{plain}</p>")
    return "\n".join(out)


@lru_cache(maxsize=65536)
def to_html(markdown: str, math: MathRenderer = mathjax, *, inline: bool = False) -> str:
    """Render Markdown to HTML; `inline=True` drops the wrapping <p> of a one-paragraph text."""
    simple = _simple_html(markdown, math, inline)
    if simple is not None:
        # Most fields are a sentence or a few, some with a displayed formula; parsing them with
        # markdown-it was most of a deck build's time.
        return simple
    return markdown_it_html(markdown, math, inline=inline)


def math_spans(markdown: str) -> list[tuple[str, bool]]:
    """Every formula in a Markdown text as (latex, display), in order."""
    found: list[tuple[str, bool]] = []
    for tok in parser().parse(markdown):
        if tok.type in ("math_block", "math_block_label"):
            found.append((tok.content.strip(), True))
        for child in tok.children or ():
            if child.type in ("math_inline", "math_inline_double"):
                found.append((child.content.strip(), child.type == "math_inline_double"))
    return found


_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")
_ESCAPED_DOLLAR = re.compile(r"\\\$")


def has_unbalanced_dollar(text: str) -> bool:
    """True when a `$` is left over once all math spans are matched (unescaped, outside code)."""
    if "$" not in text:
        return False
    plain = _ESCAPED_DOLLAR.sub("", _CODE_SPAN.sub("", text))
    if "$$" not in plain and plain.count("$") % 2 == 0:
        return False  # pairs of single dollars: every one closes a formula (spaces and digits are allowed in them)
    for tok in _dollar_parser().parse(text):
        for child in tok.children or ():
            if child.type == "text" and "$" in child.content:  # an escaped `\$` is a text_special token
                return True
    return False


@lru_cache(maxsize=1)
def _dollar_parser() -> MarkdownIt:
    """The renderers' parser without the step that joins escaped characters back into the text around them."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": False, "typographer": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.disable("text_join")
    return md
