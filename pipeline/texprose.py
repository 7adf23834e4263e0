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
from dataclasses import dataclass

from .text import _parser, has_unbalanced_dollar, markdown_it_html

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
    "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
_GREEK_CHARS = dict(zip(
    "αβγδεζηθικλμνξπρσςτυφχψωϵϑϕϱϖΓΔΘΛΞΠΣΥΦΨΩ",
    ["\\" + n for n in (
        "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma varsigma "
        "tau upsilon varphi chi psi omega epsilon vartheta phi varrho varpi "
        "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()]))
_UNICODE_PREFIX = {"∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod"}
_UNICODE_BINOPS = {"×": r"\times", "·": r"\cdot", "≈": r"\approx", "≤": r"\le", "≥": r"\ge", "≠": r"\neq",
                   "←": r"\leftarrow", "→": r"\rightarrow", "∈": r"\in", "⊙": r"\odot", "∝": r"\propto"}
_UNICODE_TEX = {**_GREEK_CHARS, **_UNICODE_PREFIX, **_UNICODE_BINOPS, "∞": r"\infty", "−": "-"}

_BINOP_CMDS = set(
    "cdot times div pm mp leftarrow rightarrow Leftarrow Rightarrow leftrightarrow to gets mapsto approx sim "
    "simeq equiv cong neq ne le leq ge geq ll gg in notin subset subseteq supset cup cap mid odot otimes "
    "oplus circ propto".split())
_PREFIX_CMDS = set("sum prod int oint partial nabla log ln exp sin cos tan tanh sinh cosh max min argmax "
                   "argmin lim det".split())
_FUNC_CMDS = _PREFIX_CMDS | set(_GREEK_NAMES)  # may take a parenthesised argument: \sigma(z), \log(p)
_ARG_COUNT = {"frac": 2, "dfrac": 2, "tfrac": 2, "binom": 2, "sqrt": 1,
              **{a: 1 for a in ("hat tilde bar vec dot ddot overline underline widehat widetilde mathbf "
                                "mathrm mathcal mathbb mathit boldsymbol bm text operatorname").split()}}
_SYMBOL_CMDS = set("infty ell ldots cdots vdots ddots dots forall exists emptyset top prime".split())
_MATH_CMDS = set(_GREEK_NAMES) | _BINOP_CMDS | _PREFIX_CMDS | set(_ARG_COUNT) | _SYMBOL_CMDS
_SCRIPT_CMDS = set(_GREEK_NAMES) | {"top", "prime", "ast", "star", "dagger", "infty", "ell"}

_MASK = "\x00"  # stands for protected text (code, math, URLs...) while scanning; never part of a fragment

# Inline text markdown-it does not show as written, or where TeX must not be looked for.
_PROTECTED = re.compile(
    r"(?P<code>(`+)[\s\S]*?(?<!`)\2(?!`))"                              # code span
    r"|\$\$[\s\S]+?\$\$"                                                # $$...$$
    r"|\$(?:[^$\\]|\\[\s\S])+?\$"                                       # $...$
    r"|!\[[^\]\n]*\]\([^)\n]*\)"                                        # image
    r"|(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)"        # link target
    r"|(?<=\])\[[^\]\n]*\]"                                             # reference label
    r"|^[ ]{0,3}\[[^\]\n]+\]:[^\n]*"                                    # link reference definition
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>"    # autolinks
    r"|(?:https?|ftp)://[^\s<>]*|www\.[^\s<>]*"                         # bare URLs
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # entities
    r"|\\[!-/:-@\[-`{-~]",                                              # backslash escapes
    re.M)
_PROTECTED_BLOCKS = {"fence", "code_block", "math_block", "math_block_label", "html_block"}

_MAYBE_MATH = re.compile(r"[_^\\" + "".join(_GREEK_CHARS) + "".join(_UNICODE_PREFIX) + "]")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_WORD = re.compile(r"[A-Za-z0-9_^]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_BARE_RUN = re.compile(r"-?[A-Za-z0-9]+")
_SUB_RUN = re.compile(r"[A-Za-z]{1,2}\d{0,3}|\d{1,3}")
_SUP_RUN = re.compile(r"[A-Za-z]|-?\d{1,3}")
_SIMPLE = re.compile(r"(?:[A-Za-z](?![A-Za-z])|\d+|\\[A-Za-z]+|[" + "".join(_GREEK_CHARS) + r"]|[-+−*/,]| )+")
_GLUED_OP = re.compile(r"[-+−*/=]|[" + "".join(_UNICODE_BINOPS) + "]")
_SPACED_OP = re.compile(r"[ \t]+([=+/]|[" + "".join(_UNICODE_BINOPS) + r"]|\\[A-Za-z]+)[ \t]+")
_LETTER = re.compile(r"[A-Za-z0-9_\\" + "".join(_GREEK_CHARS) + "]")


@dataclass(frozen=True)
class _Term:
    start: int
    end: int
    tex: str
    strong: bool  # math for sure on its own; a lone letter or number is not
    number: bool = False


@dataclass(frozen=True)
class _Ambiguous:
    start: int
    end: int


@dataclass(frozen=True)
class _Skip:
    end: int  # not math: go on scanning from here


def mark_math(markdown: str) -> tuple[str, list[str]]:
    """The text with each bare TeX fragment it is sure of wrapped in `$...$` (Unicode math written as TeX),
    and the fragments that look like math but may not be, each once, in order."""
    if not _MAYBE_MATH.search(markdown):
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
        found = _expression(work, i)
        if found is None:
            i += 1
        elif isinstance(found, _Skip):
            i = max(found.end, i + 1)
        elif isinstance(found, _Ambiguous):
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
    """The text with code, math, link targets and the like replaced by _MASK, character for character."""
    chars = list(text)
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    line_starts.append(len(text))
    for tok in _parser().parse(text):
        if tok.type in _PROTECTED_BLOCKS and tok.map:
            first, last = tok.map
            for k in range(line_starts[first], line_starts[min(last, len(line_starts) - 1)]):
                if chars[k] not in "\r\n":
                    chars[k] = _MASK
    masked = "".join(chars)
    return _PROTECTED.sub(lambda m: re.sub(r"[^\r\n]", _MASK, m.group()), masked)


def _starts_word(w: str, i: int) -> bool:
    c = w[i]
    if not (c.isascii() and (c.isalnum() or c == "\\")) and c not in _GREEK_CHARS and c not in _UNICODE_PREFIX:
        return False
    return i == 0 or not _LETTER.match(w, i - 1)


def _touches_code(w: str, start: int, end: int) -> bool:
    """`self.x_t`, `x_t.shape`, `x_t[0]`, `data/x_t`, or no space between it and code, math or a dollar."""
    before, after, after2 = w[start - 1:start], w[end:end + 1], w[end + 1:end + 2]
    if before in (".", "/", "@", "#", "$", _MASK) or after in ("[", "$", _MASK):
        return True
    return after in (".", "/", "@") and bool(after2) and (after2.isalnum() or after2 == "_")


def _expression(w: str, i: int) -> _Term | _Ambiguous | _Skip | None:
    """Terms joined by operators from position i, as one fragment, if any of them is math for sure."""
    first = _term(w, i)
    if not isinstance(first, _Term):
        return first
    pieces, strong, last, end = [first.tex], first.strong, first, first.end
    while True:
        joined = _operator(w, end)
        if joined is None:
            break
        op, spaced, at = joined
        nxt = _term(w, at)
        if not isinstance(nxt, _Term):
            break
        if op == "*":  # `a*x_t*b` may be emphasis: Markdown's reading, not ours, decides
            return _Ambiguous(i, _expression_end(w, nxt.end))
        math_op = op.startswith("\\") or op in _UNICODE_BINOPS
        if spaced and not math_op and not (
                (last.strong or last.number) and (nxt.strong or nxt.number) and (last.strong or nxt.strong)):
            break
        strong = strong or nxt.strong or op.startswith("\\")  # raw TeX between terms: math for sure
        op = _UNICODE_TEX.get(op, op)
        pieces += [f" {op} " if spaced or op.startswith("\\") else op, nxt.tex]
        last, end = nxt, nxt.end
    if not strong:
        return _Skip(first.end)
    return _Term(i, end, re.sub(" +", " ", "".join(pieces)).strip(), True)


def _expression_end(w: str, j: int) -> int:
    """Where a run of terms glued by operators ends (the extent of an ambiguous one)."""
    while (op := _GLUED_OP.match(w, j)) and isinstance(nxt := _term(w, op.end()), _Term):
        j = nxt.end
    return j


def _operator(w: str, j: int) -> tuple[str, bool, int] | None:
    """The operator at j joining two terms, as (operator, spaced, where the next term starts)."""
    m = _GLUED_OP.match(w, j)
    if m:
        return m.group(), False, m.end()
    if w.startswith("\\", j):
        cmd = _COMMAND.match(w, j)
        if cmd and cmd.group(1) in _BINOP_CMDS:  # `x\cdot y`
            after = cmd.end() + 1 if w.startswith(" ", cmd.end()) else cmd.end()
            return cmd.group(), False, after
        return "", False, j  # `\alpha\beta`: the next command is the next term
    m = _SPACED_OP.match(w, j)
    if not m or (m.group(1).startswith("\\") and m.group(1)[1:] not in _BINOP_CMDS):
        return None
    return m.group(1), True, m.end()


def _term(w: str, i: int) -> _Term | _Ambiguous | _Skip | None:
    c = w[i:i + 1]
    if not c:
        return None
    if c == "\\":
        return _command(w, i)
    if c in _UNICODE_PREFIX:
        scripted = _scripts(w, i + 1, i)
        if not isinstance(scripted, tuple):
            return scripted
        return _prefixed(w, i, scripted[0], _UNICODE_PREFIX[c] + scripted[1], strong=bool(scripted[1]))
    if c.isascii() and c.isdigit():
        return _number(w, i)
    if c in _GREEK_CHARS or (c.isascii() and c.isalpha()):
        return _lettered(w, i)
    return None


def _command(w: str, i: int) -> _Term | _Ambiguous | _Skip | None:
    m = _COMMAND.match(w, i)
    if not m:
        return None
    name = m.group(1)
    if name not in _MATH_CMDS:
        return _Skip(m.end())
    j, tex = m.end(), m.group()
    for _ in range(_ARG_COUNT.get(name, 0)):
        close = _balanced(w, j, "{", "}", 60)
        if close is None:
            return _Ambiguous(i, j)
        tex += _to_tex(w[j:close])
        j = close
    scripted = _scripts(w, j, i)
    if not isinstance(scripted, tuple):
        return scripted
    j, scripts = scripted
    tex += scripts
    if name in _FUNC_CMDS and w.startswith("(", j):
        close = _balanced(w, j, "(", ")", 100)
        if close is not None:
            return _Term(i, close, tex + _to_tex(w[j:close]), True)
    if name in _PREFIX_CMDS:
        return _prefixed(w, i, j, tex, strong=True)
    return _Term(i, j, tex, True)


def _prefixed(w: str, i: int, j: int, tex: str, strong: bool) -> _Term:
    """`\\partial`, `∂`, `\\sum_{t}`, `\\log` and the operand that follows, glued or after one space.

    Alone, `\\sum` is raw TeX and so math for sure, while `∑` reads well as it is."""
    k = j + 1 if w.startswith(" ", j) else j
    operand = _term(w, k) if not w.startswith(" ", k) else None
    if isinstance(operand, _Term) and not operand.number:
        return _Term(i, operand.end, f"{tex} {operand.tex}", True)
    return _Term(i, j, tex, strong)


def _number(w: str, i: int) -> _Term | _Ambiguous | _Skip | None:
    m = _NUMBER.match(w, i)
    j = m.end()
    nxt = w[j:j + 1]
    if nxt == "_" or (nxt.isascii() and nxt.isalpha()):  # 10_000, 3rd, 1e-3: not math
        return _Skip(_word_end(w, i))
    if nxt == "^":
        scripted = _script(w, j)
        if scripted is None:
            return _Term(i, j, m.group(), False, number=True)
        if isinstance(scripted, _Ambiguous) or not w.startswith("{", j + 1):
            return _Ambiguous(i, scripted.end if isinstance(scripted, _Ambiguous) else scripted[0])
        return _Term(i, scripted[0], m.group() + scripted[1], True)
    return _Term(i, j, m.group(), False, number=True)


def _lettered(w: str, i: int) -> _Term | _Ambiguous | _Skip | None:
    if w[i] in _GREEK_CHARS:
        if w[i + 1:i + 2] in _GREEK_CHARS or w[i + 1:i + 2].isalpha():
            return _Skip(i + 1)  # part of a word
        j, base = i + 1, _GREEK_CHARS[w[i]]
    else:
        ident = _IDENT.match(w, i)
        j, base = ident.end(), ident.group()
        if len(base) > 1:
            return _identifier(w, i, j)
    scripted = _scripts(w, j, i)
    if not isinstance(scripted, tuple):
        return scripted
    end, scripts = scripted
    if w[end:end + 1].isalnum() or w[end:end + 1] == "_":  # `x_{t}h`: glued to a word
        return _Ambiguous(i, _word_end(w, end)) if scripts else _Skip(end)
    return _Term(i, end, base + scripts, bool(scripts))


def _identifier(w: str, i: int, j: int) -> _Ambiguous | _Skip | None:
    """A multi-letter name: `max_len` may be math, `keep_prob`, `W_hh_init` and `file_name.py` are code."""
    if w[j:j + 1] not in ("_", "^"):
        return _Skip(j)
    end = _word_end(w, i)
    segments = re.split(r"[_^]", w[i:end])
    if len(segments) != 2 or not all(1 <= len(s) <= 3 for s in segments):
        return _Skip(end)
    after, after2 = w[end:end + 1], w[end + 1:end + 2]
    if after in ("(", "[") or (after == "." and after2.isalnum()):  # max_len(...), ab_c.py
        return _Skip(end)
    return _Ambiguous(i, end)


def _word_end(w: str, i: int) -> int:
    m = _WORD.match(w, i)
    return m.end() if m else i + 1


def _scripts(w: str, j: int, start: int) -> tuple[int, str] | _Ambiguous | _Skip:
    """At most one subscript and one superscript from position j; a second of a kind means code (`x_t_1`)."""
    seen, tex = "", ""
    while w[j:j + 1] in ("_", "^") and w[j] not in seen:
        scripted = _script(w, j)
        if scripted is None:
            if seen:
                break
            return _Skip(j + 1)  # `x_ ` or `__init__`: no script there
        if isinstance(scripted, _Ambiguous):
            return _Ambiguous(start, scripted.end)
        seen += w[j]
        j, script = scripted
        tex += script
    if w[j:j + 1] in ("_", "^") and seen:
        return _Skip(_word_end(w, j))
    return j, tex


def _script(w: str, j: int) -> tuple[int, str] | _Ambiguous | None:
    """One `_...` or `^...` at j, as (end, TeX)."""
    mark, k = w[j], j + 1
    c = w[k:k + 1]
    if c == "{":
        close = _balanced(w, k, "{", "}", 40)
        return None if close is None else (close, mark + _to_tex(w[k:close]))
    if c in ("(", "<"):
        closer = ")" if c == "(" else ">"
        m = _SIMPLE.match(w, k + 1)
        if m and w.startswith(closer, m.end()) and len(m.group()) <= 16 and any(ch.isalnum() for ch in m.group()):
            return m.end() + 1, f"{mark}{{{c}{_to_tex(m.group())}{closer}}}"
        close = w.find(closer, k, k + 40)
        if c == "(" and close > 0 and "\n" not in w[k:close]:  # `x_(see above)`
            return _Ambiguous(j, close + 1)
        return None
    if c == "\\":
        m = _COMMAND.match(w, k)
        if m and m.group(1) in _SCRIPT_CMDS:
            return m.end(), mark + m.group()
        return None
    if c in _GREEK_CHARS:
        return k + 1, mark + _GREEK_CHARS[c]
    m = _BARE_RUN.match(w, k)
    if not m or (c == "-" and mark == "_"):
        return None
    run = m.group()
    if not (_SUB_RUN if mark == "_" else _SUP_RUN).fullmatch(run):
        return _Ambiguous(j, m.end())
    return m.end(), mark + (run if len(run) == 1 else "{" + run + "}")


def _balanced(w: str, k: int, opener: str, closer: str, limit: int) -> int | None:
    """The index after the bracket that closes the one at k, if within `limit` characters on one line."""
    if not w.startswith(opener, k):
        return None
    depth = 0
    for p in range(k, min(len(w), k + limit)):
        ch = w[p]
        if ch in ("\n", "\r", "$", "`", _MASK):
            return None
        depth += (ch == opener) - (ch == closer)
        if depth == 0:
            return p + 1
    return None


def _to_tex(s: str) -> str:
    out = []
    for k, ch in enumerate(s):
        cmd = _UNICODE_TEX.get(ch, ch)
        out.append(cmd)
        nxt = s[k + 1:k + 2]
        if cmd.startswith("\\") and nxt.isascii() and nxt.isalpha():
            out.append(" ")
    return "".join(out)


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
