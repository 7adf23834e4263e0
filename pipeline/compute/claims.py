"""Arithmetic a document states (`$20 * 128 = 2560$`, `128 x 10 = 1280`) -> checked with sympy."""
from __future__ import annotations

import re
from typing import Callable

import sympy as sp
from pipeline.compute import expression
from pipeline.model import Diagnostic, Question


_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
# A claim outside math: a run of digits, operators, spaces and brackets, then one or more `=` each followed by a
# run that ends in a digit. Every quantifier is possessive, so a failed attempt never backtracks; and an attempt
# that fails from a valid start takes the rest of its run along (the second branch), since any later start in
# the same run would reach the same `=` and fail the same way. Without both, a line of 20,000 `((` took 24 s.
_CLAIM_GLUE = r"\s.*×·x+\-/(),"  # what may stand between the digits of a claim
_PLAIN_CLAIM = re.compile(rf"(?<![\w^{{}}.])(?=[(\d])(?:([(\d][\d{_CLAIM_GLUE}]*+(?:=(?:[{_CLAIM_GLUE}]*+\d++)++)++)"
                          rf"|[\d{_CLAIM_GLUE}]++)")
_ARITHMETIC = re.compile(r"[\d.\s+\-*/()=]+")


def plain_claims(text: str) -> list[str]:
    """The arithmetic claims written in plain text, e.g. `2 x 5 = 10`; linear in the length of the text."""
    return [claim for claim in _PLAIN_CLAIM.findall(text) if claim]


def normalise_math(s: str) -> str:
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)  # thousands separators: 4,040,000
    s = re.sub(r"\\frac\{([^{}]+)\}\{([^{}]+)\}", r"((\1)/(\2))", s)
    for a, b in ((r"\times", "*"), (r"\cdot", "*"), ("×", "*"), ("·", "*"), (r"\div", "/"), ("÷", "/"),
                 ("−", "-"), (r"\left", ""), (r"\right", ""), (r"\,", ""), ("{", "("), ("}", ")")):
        s = s.replace(a, b)
    return re.sub(r"(?<=[\d)])\s*x\s*(?=[\d(])", "*", s)


def _decimals(side: str) -> int | None:
    m = re.fullmatch(r"\s*\d+\.(\d+)\s*", side)
    return len(m.group(1)) if m else None


def _number(value: sp.Rational) -> str:
    """A claim's value as a person writes it: the integer, or the decimal to 6 significant digits."""
    return str(int(value)) if value.is_Integer else sp.Float(value, 6).__format__("")


def arithmetic_claims(q: Question, line_of: Callable[[str], int]) -> list[Diagnostic]:
    """Every claim like `$20 * 128 = 2560$` in the answer and explanation, checked with sympy; a false one is a
    `claim-false` error at the line of the claim."""
    diags = []
    for text in (q.answer, q.explanation):
        segments = [m.group(1) or m.group(2) for m in _MATH.finditer(text)]
        segments += plain_claims(_MATH.sub(" ", text))
        for raw in segments:
            expr = normalise_math(raw)
            sides = expr.split("=")
            if (len(sides) < 2 or not _ARITHMETIC.fullmatch(expr) or not any(c in expr for c in "+-*/")
                    or any(not s.strip() for s in sides)):
                continue
            try:
                values = [expression.parse(s) for s in sides]
            except expression.Unreadable as exc:  # beyond the grammar or its bounds: never evaluated, and said
                shown = raw.strip() if len(raw.strip()) <= 60 else raw.strip()[:57] + "..."
                diags.append(Diagnostic(q.source.file, line_of(raw), "info", "claim-unchecked",
                                        f"'{shown}' is not checked: {exc}"))
                continue
            if not all(v.is_Rational for v in values):
                continue
            for (ls, lv), (rs, rv) in zip(zip(sides, values), zip(sides[1:], values[1:])):
                places = [d for d in (_decimals(ls), _decimals(rs)) if d is not None]
                # A written decimal is a rounding: allow half a unit in its last place.
                tolerance = sp.Rational(1, 2) / 10 ** min(places) if places else 0
                if abs(lv - rv) > tolerance:
                    diags.append(Diagnostic(q.source.file, line_of(raw), "error", "claim-false",
                                       f"'{raw.strip()}' does not hold: {ls.strip()} = {_number(lv)}, "
                                       f"not {rs.strip()}"))
                    break
    return diags
