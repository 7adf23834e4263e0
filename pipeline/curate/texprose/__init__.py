r"""TeX written without dollars in prose (`x_t`, `W_{xh}`, `\Gamma_u`, `∂u^(t)`), found and put in `$...$`.

Source documents often write math as plain text; a learner then reads `x_{t+1}` raw. `mark_math` wraps
each fragment it is sure of in `$...$` and returns the ones that only look like math, for a warning.

What counts as math (one fragment is a term, or terms joined by an operator, see below):
- a single letter (Latin, Greek, `\Gamma`, or an accented `\tilde{c}`) with a subscript and/or superscript:
  one character, `{...}`, `(t-1)` or `<t>`, or a bare run of one or two letters then digits (`W_xh`,
  `y_t0`; written `W_{xh}`, `y_{t0}`, as TeX would otherwise read `W_xh` as `W_x h`);
- a TeX command that exists only in math (`\frac{a}{b}`, `\sum_{i}`, `\partial`, `\sigma(z)`, `\cdot`),
  with its braced arguments, scripts, a parenthesised argument, or an operand after a space;
- `∂`, `∇`, `∑`, `∏` and a Greek letter with scripts, written as TeX (`∂u^(t)` -> `\partial u^{(t)}`);
- a number with a braced power (`2^{10}`).
Terms glued by `+ - * / =` (no spaces) or joined by a math-only operator (`\cdot`, `×`, `≤`, ...) form one
fragment; `=`, `+` and `/` with spaces join two terms when both are fragments or numbers. A lone letter or
number is never wrapped on its own.

Not math, left alone and not reported: identifiers with two or more underscores (`W_hh_init`), with a
segment of four or more characters (`keep_prob`, `return_sequences`), file names (`my_file.py`), number
literals (`10_000`), emphasis (`_italic_`), and everything inside code, math, link targets, URLs,
entities and backslash escapes (a writer who escaped `x\_t` asked for the literal text).

Ambiguous, reported and left alone: a short multi-letter base (`max_len`, `lr_t`), a single letter with a
long subscript (`h_prev`, `W_out`), a bare power of a number (`2^10`: calculator notation, possibly meant
as plain text), and a fragment touching code-looking text (`x_t.shape`, `self.x_t`, `x_t[0]`, a code span
or a dollar sign with no space between).

Every change is checked by rendering: the text outside the new formulas must render exactly as before and
the formulas already there must stay; a change that fails the check is reported instead of made.
"""
from __future__ import annotations

import re

from pipeline.markup import parser, has_unbalanced_dollar, markdown_it_html
from pipeline.curate.texprose.fragments import Ambiguous, expression, Skip
from pipeline.curate.texprose.vocabulary import (GREEK_CHARS, LETTER, MASK, MAYBE_MATH, PROTECTED, PROTECTED_BLOCKS,
                                                 UNICODE_PREFIX)


def mark_math(markdown: str) -> tuple[str, list[str]]:
    """The text with each bare TeX fragment it is sure of wrapped in `$...$` (Unicode math written as TeX),
    and the fragments that look like math but may not be, each once, in order."""
    if not MAYBE_MATH.search(markdown):
        return markdown, []
    text, ambiguous = markdown, []
    for _ in range(4):  # until a pass changes nothing, so that marking marked text changes nothing
        edits, found = _scan(text)
        marked, refused = _apply_checked(text, edits)
        ambiguous += found + refused
        if marked == text:
            break
        text = marked
    return text, list(dict.fromkeys(ambiguous))


def _scan(text: str) -> tuple[list[tuple[int, int, str]], list[str]]:
    """(start, end, tex) for each confident fragment, and the ambiguous fragments."""
    work = _masked(text)
    edits: list[tuple[int, int, str]] = []
    ambiguous: list[str] = []
    i, n = 0, len(work)
    while i < n:
        if not _starts_word(work, i):
            i += 1
            continue
        found = expression(work, i)
        if found is None:
            i += 1
        elif isinstance(found, Skip):
            i = max(found.end, i + 1)
        elif isinstance(found, Ambiguous):
            ambiguous.append(text[found.start:found.end])
            i = found.end
        elif _touches_code(work, found.start, found.end):
            ambiguous.append(text[found.start:found.end])
            i = found.end
        else:
            if edits and edits[-1][1] == found.start:  # `\frac{a}{b}x_t`: one formula, not `$..$$..$`
                start, _, tex = edits.pop()
                edits.append((start, found.end, f"{tex} {found.tex}"))
            else:
                edits.append((found.start, found.end, found.tex))
            i = found.end
    return edits, ambiguous


def _masked(text: str) -> str:
    """The text with code, math, link targets and the like replaced by MASK, character for character."""
    chars = list(text)
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    line_starts.append(len(text))
    for tok in parser().parse(text):
        if tok.type in PROTECTED_BLOCKS and tok.map:
            first, last = tok.map
            for k in range(line_starts[first], line_starts[min(last, len(line_starts) - 1)]):
                if chars[k] not in "\r\n":
                    chars[k] = MASK
    masked = "".join(chars)
    return PROTECTED.sub(lambda m: re.sub(r"[^\r\n]", MASK, m.group()), masked)


def _starts_word(w: str, i: int) -> bool:
    c = w[i]
    if not (c.isascii() and (c.isalnum() or c == "\\")) and c not in GREEK_CHARS and c not in UNICODE_PREFIX:
        return False
    return i == 0 or not LETTER.match(w, i - 1)


def _touches_code(w: str, start: int, end: int) -> bool:
    """`self.x_t`, `x_t.shape`, `x_t[0]`, `data/x_t`, or no space between it and code, math or a dollar."""
    before, after, after2 = w[start - 1:start], w[end:end + 1], w[end + 1:end + 2]
    if before in (".", "/", "@", "#", "$", MASK) or after in ("[", "$", MASK):
        return True
    return after in (".", "/", "@") and bool(after2) and (after2.isalnum() or after2 == "_")




# --- every change is checked by rendering -------------------------------------------------------------

_SLOT = "\x07"


def _slot(latex: str, display: bool) -> str:
    return _SLOT


_OPAQUE = "\ue000"  # a private-use character: to markdown, an ordinary word character


def _apply_checked(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, list[str]]:
    """The text with the edits that keep everything around them rendering as before; the others' fragments."""
    if not edits:
        return text, []
    done = _apply(text, edits)
    if _renders_same(text, done, edits):
        return done, []
    kept: list[tuple[int, int, str]] = []
    refused: list[str] = []
    for edit in edits:
        if _renders_same(text, _apply(text, kept + [edit]), kept + [edit]):
            kept.append(edit)
        else:
            refused.append(text[edit[0]:edit[1]])
    return _apply(text, kept), refused


def _apply(text: str, edits: list[tuple[int, int, str]], wrap: str = "$") -> str:
    out, pos = [], 0
    for start, end, tex in edits:
        out += [text[pos:start], wrap, tex, wrap]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _renders_same(before: str, after: str, edits: list[tuple[int, int, str]]) -> bool:
    """The new text renders as the old one would with each fragment an opaque word, and that word a formula.

    The fragments themselves may render differently: `\\tilde{C}_t and C_{t-1}` is emphasis from `_t` to
    `C_` as plain text, which is exactly what wrapping them mends."""
    if has_unbalanced_dollar(after) and not has_unbalanced_dollar(before):
        return False
    opaque = _apply(before, [(start, end, _OPAQUE) for start, end, _ in edits], wrap="")
    expected = markdown_it_html(opaque, _slot).replace(_OPAQUE, _SLOT)
    return markdown_it_html(after, _slot) == expected
