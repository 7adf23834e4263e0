"""A question -> the answer its document states, as a number or a shape: from the answer, a key written after
the stem, or the option marked correct ("Total params: 175,601", "(None, 40, 9)", "4 × (300·64 + 64·64) = 93184").
Pure; every regular expression is linear in the text."""
from __future__ import annotations

import re

from pipeline.compute.networks import Value, own_stem
from pipeline.compute.sizes import NUM, number
from pipeline.model import Question

_SHAPE_TEXT = re.compile(r"[(\[]\s*((?:None|\d[\d,]*|\?)(?:\s*,\s*(?:None|\d[\d,]*|\?))+)\s*,?\s*[)\]]"
                         r"|(\d+)\s*(?:×|x|\\times|by)\s*(\d+)")


WHOLE = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?!\d|\.\d)"  # a whole number, never a decimal's integer part


def _arithmetic(text: str) -> int | None:
    """A stated value written as arithmetic of numbers only, evaluated by the project's safe grammar."""
    from pipeline.compute import expression
    from pipeline.compute.claims import normalise_math

    body = normalise_math(re.sub(r"\s*(?:parameters|params|weights)?\s*[.]?\s*$", "", text.strip()))
    if not re.fullmatch(r"[\d\s+\-*/()^]+", body) or not re.search(r"\d\s*[*+^]\s*[\d(]", body):
        return None
    try:
        value = expression.parse(body)
    except expression.Unreadable:
        return None
    return int(value) if value.is_Integer and 0 <= value <= 10 ** 15 else None


def parse_value(text: str, shape: bool) -> Value | None:
    """A stated answer -> a number or a shape: "Total params: 175,601" -> 175601; "(None, 40, 9)" -> (None,
    40, 9); "64 × 96" -> (64, 96); "4 × (300·64 + 64·64) = 93184" -> 93184."""
    text = re.sub(r"\$|\\,|\*\*|`", "", text).strip()
    if shape:
        m = _SHAPE_TEXT.search(text)
        if not m:
            return None
        if m.group(1):
            return tuple(None if p.strip() in ("None", "?") else number(p.strip().replace(",", ""))
                         for p in m.group(1).split(","))
        return (number(m.group(2)), number(m.group(3)))
    totals = [ln for ln in text.split("\n")[:40] if re.search(r"\b(?:total|in all|altogether|overall)\b", ln, re.I)
              and re.search(r"\d", ln)]
    if totals and "\n" in text.strip():  # a worked answer over several lines: its total line
        text = totals[-1]
    first = re.sub(r"^\s*[A-Da-d][.)]\s+", "", text.split("\n")[0])
    product = _arithmetic(first)
    if product is not None:  # an option or key written as a product: "20×20", "4 · (8 + 16 + 1) · 16"
        return product
    if re.match(rf"\s*{NUM}(?!\s*[×x·*^+\-/=]|\(|\w|,\d)", first):  # "12800 (6400 per layer)", "360. The..."
        tail = first
    elif "=" in first:  # a worked answer: its last result, or what it concludes after it
        tail = first.rsplit("=", 1)[1]
        concluded = re.search(rf"\b(?:so|hence|thus|total(?:ling)?|in all|altogether|gives?|giving)\b\D{{0,30}}?{NUM}",
                              tail, re.I)
        if concluded:
            return number(concluded.group(1))
    else:
        tail = re.split(r"[.;](?:\s|$)", first)[0]
        formula = re.search(r"[a-zA-Z]\s*[+*/·×^²]|[+*/·×^]\s*[a-zA-Z]|\d\(", tail)
        tail = re.sub(r"\([^()]*\)", " ", tail)  # "(685.94 KB)" is an aside
        if formula or re.search(r"\b(?:million|billion|k)\b",
                                                                                  tail, re.I):
            return None  # a formula in letters, or a rounded count, states no exact number
        found = re.findall(WHOLE, tail)
        return number(found[-1]) if found else None
    found = re.search(NUM, tail)
    return number(found.group(1)) if found and "." not in found.group(0) else None


def stated(q: Question, shape: bool) -> tuple[Value, str, int] | None:
    """The answer the document states: (value, its text, its line), from the answer, a key written after the
    stem, or the option marked correct."""
    if q.choices:
        marked = [c for c in q.choices if c.correct]
        if len(marked) == 1:
            v = parse_value(marked[0].text, shape)
            if v is not None:
                return v, marked[0].text, marked[0].line
        return None
    _, key = own_stem(q)
    for text in (q.answer, key or ""):
        text = re.sub(r"^\s*(?:\*\*)?(?:answer|key|ans|a)\s*[:.](?:\*\*)?\s*", "", text or "", flags=re.I)
        if text.strip():
            v = parse_value(text, shape)
            if v is not None:
                return v, text.split("\n")[0], 0
    return None


def same(stated: object, value: object) -> bool:
    """A stated answer equals the computed one; an unknown batch (None) matches any batch."""
    if isinstance(stated, tuple) and isinstance(value, tuple):
        if len(stated) + 1 == len(value) and value[0] is None:
            value = value[1:]
        return len(stated) == len(value) and all(a is None or b is None or a == b for a, b in zip(stated, value))
    return stated == value
