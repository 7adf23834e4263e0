"""One fragment of bare TeX read from a position in masked prose: a term (letter with scripts, command with
its arguments, number), joined with its neighbours by operators; or the reason it is not math, or not surely."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.curate.texprose.vocabulary import (ARG_COUNT, BARE_RUN, BINOP_CMDS, COMMAND, FUNC_CMDS, GLUED_OP,
                                                 GREEK_CHARS, IDENT, MASK, MATH_CMDS, NUMBER, PREFIX_CMDS, SCRIPT_CMDS,
                                                 SIMPLE, SPACED_OP, SUB_RUN, SUP_RUN, UNICODE_BINOPS, UNICODE_PREFIX,
                                                 UNICODE_TEX, WORD, to_tex)


@dataclass(frozen=True)
class _Term:
    start: int
    end: int
    tex: str
    strong: bool  # math for sure on its own; a lone letter or number is not
    number: bool = False


@dataclass(frozen=True)
class Ambiguous:
    start: int
    end: int


@dataclass(frozen=True)
class Skip:
    end: int  # not math: go on scanning from here


def expression(w: str, i: int) -> _Term | Ambiguous | Skip | None:
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
            return Ambiguous(i, _expression_end(w, nxt.end))
        math_op = op.startswith("\\") or op in UNICODE_BINOPS
        if spaced and not math_op and not (
                (last.strong or last.number) and (nxt.strong or nxt.number) and (last.strong or nxt.strong)):
            break
        strong = strong or nxt.strong or op.startswith("\\")  # raw TeX between terms: math for sure
        op = UNICODE_TEX.get(op, op)
        pieces += [f" {op} " if spaced or op.startswith("\\") else op, nxt.tex]
        last, end = nxt, nxt.end
    if not strong:
        return Skip(first.end)
    return _Term(i, end, re.sub(" +", " ", "".join(pieces)).strip(), True)


def _expression_end(w: str, j: int) -> int:
    """Where a run of terms glued by operators ends (the extent of an ambiguous one)."""
    while (op := GLUED_OP.match(w, j)) and isinstance(nxt := _term(w, op.end()), _Term):
        j = nxt.end
    return j


def _operator(w: str, j: int) -> tuple[str, bool, int] | None:
    """The operator at j joining two terms, as (operator, spaced, where the next term starts)."""
    m = GLUED_OP.match(w, j)
    if m:
        return m.group(), False, m.end()
    if w.startswith("\\", j):
        cmd = COMMAND.match(w, j)
        if cmd and cmd.group(1) in BINOP_CMDS:  # `x\cdot y`
            after = cmd.end() + 1 if w.startswith(" ", cmd.end()) else cmd.end()
            return cmd.group(), False, after
        return "", False, j  # `\alpha\beta`: the next command is the next term
    m = SPACED_OP.match(w, j)
    if not m or (m.group(1).startswith("\\") and m.group(1)[1:] not in BINOP_CMDS):
        return None
    return m.group(1), True, m.end()


def _term(w: str, i: int) -> _Term | Ambiguous | Skip | None:
    c = w[i:i + 1]
    if not c:
        return None
    if c == "\\":
        return _command(w, i)
    if c in UNICODE_PREFIX:
        scripted = _scripts(w, i + 1, i)
        if not isinstance(scripted, tuple):
            return scripted
        return _prefixed(w, i, scripted[0], UNICODE_PREFIX[c] + scripted[1], strong=bool(scripted[1]))
    if c.isascii() and c.isdigit():
        return _number(w, i)
    if c in GREEK_CHARS or (c.isascii() and c.isalpha()):
        return _lettered(w, i)
    return None


def _command(w: str, i: int) -> _Term | Ambiguous | Skip | None:
    m = COMMAND.match(w, i)
    if not m:
        return None
    name = m.group(1)
    if name not in MATH_CMDS:
        return Skip(m.end())
    j, tex = m.end(), m.group()
    for _ in range(ARG_COUNT.get(name, 0)):
        close = _balanced(w, j, "{", "}", 60)
        if close is None:
            return Ambiguous(i, j)
        tex += to_tex(w[j:close])
        j = close
    scripted = _scripts(w, j, i)
    if not isinstance(scripted, tuple):
        return scripted
    j, scripts = scripted
    tex += scripts
    if name in FUNC_CMDS and w.startswith("(", j):
        close = _balanced(w, j, "(", ")", 100)
        if close is not None:
            return _Term(i, close, tex + to_tex(w[j:close]), True)
    if name in PREFIX_CMDS:
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


def _number(w: str, i: int) -> _Term | Ambiguous | Skip | None:
    m = NUMBER.match(w, i)
    j = m.end()
    nxt = w[j:j + 1]
    if nxt == "_" or (nxt.isascii() and nxt.isalpha()):  # 10_000, 3rd, 1e-3: not math
        return Skip(_word_end(w, i))
    if nxt == "^":
        scripted = _script(w, j)
        if scripted is None:
            return _Term(i, j, m.group(), False, number=True)
        if isinstance(scripted, Ambiguous) or not w.startswith("{", j + 1):
            return Ambiguous(i, scripted.end if isinstance(scripted, Ambiguous) else scripted[0])
        return _Term(i, scripted[0], m.group() + scripted[1], True)
    return _Term(i, j, m.group(), False, number=True)


def _lettered(w: str, i: int) -> _Term | Ambiguous | Skip | None:
    if w[i] in GREEK_CHARS:
        if w[i + 1:i + 2] in GREEK_CHARS or w[i + 1:i + 2].isalpha():
            return Skip(i + 1)  # part of a word
        j, base = i + 1, GREEK_CHARS[w[i]]
    else:
        ident = IDENT.match(w, i)
        j, base = ident.end(), ident.group()
        if len(base) > 1:
            return _identifier(w, i, j)
    scripted = _scripts(w, j, i)
    if not isinstance(scripted, tuple):
        return scripted
    end, scripts = scripted
    if w[end:end + 1].isalnum() or w[end:end + 1] == "_":  # `x_{t}h`: glued to a word
        return Ambiguous(i, _word_end(w, end)) if scripts else Skip(end)
    return _Term(i, end, base + scripts, bool(scripts))


def _identifier(w: str, i: int, j: int) -> Ambiguous | Skip | None:
    """A multi-letter name: `max_len` may be math, `keep_prob`, `W_hh_init` and `file_name.py` are code."""
    if w[j:j + 1] not in ("_", "^"):
        return Skip(j)
    end = _word_end(w, i)
    segments = re.split(r"[_^]", w[i:end])
    if len(segments) != 2 or not all(1 <= len(s) <= 3 for s in segments):
        return Skip(end)
    after, after2 = w[end:end + 1], w[end + 1:end + 2]
    if after in ("(", "[") or (after == "." and after2.isalnum()):  # max_len(...), ab_c.py
        return Skip(end)
    return Ambiguous(i, end)


def _word_end(w: str, i: int) -> int:
    m = WORD.match(w, i)
    return m.end() if m else i + 1


def _scripts(w: str, j: int, start: int) -> tuple[int, str] | Ambiguous | Skip:
    """At most one subscript and one superscript from position j; a second of a kind means code (`x_t_1`)."""
    seen, tex = "", ""
    while w[j:j + 1] in ("_", "^") and w[j] not in seen:
        scripted = _script(w, j)
        if scripted is None:
            if seen:
                break
            return Skip(j + 1)  # `x_ ` or `__init__`: no script there
        if isinstance(scripted, Ambiguous):
            return Ambiguous(start, scripted.end)
        seen += w[j]
        j, script = scripted
        tex += script
    if w[j:j + 1] in ("_", "^") and seen:
        return Skip(_word_end(w, j))
    return j, tex


def _script(w: str, j: int) -> tuple[int, str] | Ambiguous | None:
    """One `_...` or `^...` at j, as (end, TeX)."""
    mark, k = w[j], j + 1
    c = w[k:k + 1]
    if c == "{":
        close = _balanced(w, k, "{", "}", 40)
        return None if close is None else (close, mark + to_tex(w[k:close]))
    if c in ("(", "<"):
        closer = ")" if c == "(" else ">"
        m = SIMPLE.match(w, k + 1)
        if m and w.startswith(closer, m.end()) and len(m.group()) <= 16 and any(ch.isalnum() for ch in m.group()):
            return m.end() + 1, f"{mark}{{{c}{to_tex(m.group())}{closer}}}"
        close = w.find(closer, k, k + 40)
        if c == "(" and close > 0 and "\n" not in w[k:close]:  # `x_(see above)`
            return Ambiguous(j, close + 1)
        return None
    if c == "\\":
        m = COMMAND.match(w, k)
        if m and m.group(1) in SCRIPT_CMDS:
            return m.end(), mark + m.group()
        return None
    if c in GREEK_CHARS:
        return k + 1, mark + GREEK_CHARS[c]
    m = BARE_RUN.match(w, k)
    if not m or (c == "-" and mark == "_"):
        return None
    run = m.group()
    if not (SUB_RUN if mark == "_" else SUP_RUN).fullmatch(run):
        return Ambiguous(j, m.end())
    return m.end(), mark + (run if len(run) == 1 else "{" + run + "}")


def _balanced(w: str, k: int, opener: str, closer: str, limit: int) -> int | None:
    """The index after the bracket that closes the one at k, if within `limit` characters on one line."""
    if not w.startswith(opener, k):
        return None
    depth = 0
    for p in range(k, min(len(w), k + limit)):
        ch = w[p]
        if ch in ("\n", "\r", "$", "`", MASK):
            return None
        depth += (ch == opener) - (ch == closer)
        if depth == 0:
            return p + 1
    return None
