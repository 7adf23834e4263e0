"""Formula text from a document (`20 * 128 + 128`, `alpha u_1 + (1 - alpha) v_0`) -> a sympy expression.

A small grammar of numbers, names, `+ - * / ^ **`, brackets and implicit multiplication. It builds the
expression from its tokens and nothing else: a name is only ever a symbol, never looked up or called, so no
text can run code (sympy's `parse_expr` evaluates its input as Python). Work is bounded by the text: at most
`MAX_TOKENS` tokens, `MAX_DEPTH` nested brackets, numbers of at most `MAX_DIGITS` digits, and a power whose
result would exceed `MAX_DIGITS` digits is not formed. Whatever is beyond a bound is `Unreadable`, so a
caller reports the formula as unchecked instead of evaluating it.
"""
from __future__ import annotations

import math
import re

import sympy as sp

MAX_TOKENS = 400
MAX_DEPTH = 40
MAX_DIGITS = 200


class Unreadable(ValueError):
    """The text is not a formula of the grammar, or is beyond one of its bounds."""


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?)|(\*\*|[-+*/^()]))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise Unreadable(f"unexpected {text[pos:pos + 10].strip()!r}")
        number, name, op = m.groups()
        if number is not None:
            if len(number.replace(".", "")) > MAX_DIGITS:
                raise Unreadable(f"a number of more than {MAX_DIGITS} digits")
            out.append(("num", number))
        elif name is not None:
            out.append(("name", name))
        else:
            out.append(("op", "**" if op == "^" else op))
        if len(out) > MAX_TOKENS:
            raise Unreadable(f"more than {MAX_TOKENS} tokens")
        pos = m.end()
    return out


def _digits(value: sp.Expr) -> float:
    """About how many decimal digits a number's integer part and denominator need together."""
    if value.is_Rational:
        p, q = abs(int(value.p)), int(value.q)
        return (math.log10(p) if p else 0) + math.log10(q)
    return 0.0


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.at, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise Unreadable("the formula ends too early")
        self.at += 1
        return token

    def sum(self) -> sp.Expr:
        value = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            sign = self.take()[1]
            right = self.product()
            value = value + right if sign == "+" else value - right
            self.check(value)
        return value

    def product(self) -> sp.Expr:
        value = self.unary()
        while True:
            token = self.peek()
            if token in (("op", "*"), ("op", "/")):
                self.take()
                right = self.unary()
                if token[1] == "/":
                    if right == 0:
                        raise Unreadable("a division by zero")
                    value = value / right
                else:
                    value = value * right
            elif token is not None and (token[0] in ("num", "name") or token == ("op", "(")):
                value = value * self.unary()  # implicit multiplication: `2 alpha`, `alpha u_1`, `2(3)`
            else:
                return value
            self.check(value)

    def unary(self) -> sp.Expr:
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = self.take()[1]
            value = self.unary()
            return -value if sign == "-" else value
        return self.power()

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.peek() != ("op", "**"):
            return base
        self.take()
        exponent = self.unary()  # right-associative: 2 ** 3 ** 2 = 2 ** 9
        if base.is_number and exponent.is_number:
            if not exponent.is_Rational:
                raise Unreadable("an exponent that is not a number")
            size = _digits(base) * abs(float(exponent))
            if abs(exponent) > 10 * MAX_DIGITS or size > MAX_DIGITS:
                raise Unreadable(f"a power of more than {MAX_DIGITS} digits")
            if base == 0 and exponent < 0:
                raise Unreadable("a division by zero")
        elif exponent.is_number and abs(exponent) > 10 * MAX_DIGITS:
            raise Unreadable("an exponent too large to expand")
        return self.check(sp.Pow(base, exponent))

    def atom(self) -> sp.Expr:
        kind, text = self.take()
        if kind == "num":
            return sp.Rational(text) if "." in text else sp.Integer(text)
        if kind == "name":
            return sp.Symbol(text)
        if text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise Unreadable(f"brackets nested more than {MAX_DEPTH} deep")
            value = self.sum()
            if self.take() != ("op", ")"):
                raise Unreadable("an unclosed bracket")
            self.depth -= 1
            return value
        raise Unreadable(f"unexpected {text!r}")

    @staticmethod
    def check(value: sp.Expr) -> sp.Expr:
        if value.is_number and _digits(value) > MAX_DIGITS:
            raise Unreadable(f"a value of more than {MAX_DIGITS} digits")
        return value


def parse(text: str) -> sp.Expr:
    """The expression `text` writes; `Unreadable` if it is not one of the grammar or is beyond its bounds."""
    tokens = _tokens(text)
    if not tokens:
        raise Unreadable("an empty formula")
    parser = _Parser(tokens)
    value = parser.sum()
    if parser.peek() is not None:
        raise Unreadable(f"unexpected {parser.peek()[1]!r}")
    return value
