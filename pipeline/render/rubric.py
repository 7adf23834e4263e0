"""A question and its points -> the rubric a grader marks against: criteria whose points add up to the item's.

A numeric item's criteria are the parts of its computed breakdown (each array counted, each term of a sum),
so a student who gets some parts right earns their share. A written item's criteria are the key points of
its reference answer: its sentences, or its paragraphs and list items when the sentences are too many to be
worth half a point each. Nothing is written that the reference answer or the computation does not say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from pipeline.curate.overlay import overlay_path
from pipeline.model import Diagnostic, Document, Question
from pipeline.render.present import present

MIN_KEY_POINT = 0.5  # a written key point worth less is too fine to grade; fewer, larger points are made
MOST_CRITERIA = 6  # a written rubric of more criteria is a list of sentences, not what a grader looks for
# What a grader cannot see on a paper: a figure the exam does not print, or the answer's own storytelling.
UNPRINTED = re.compile(r"\b(?:fig(?:ure)?\.?\s*\d+|the (?:red|blue|green) arrow|(?:as )?shown (?:below|above|in))",
                       re.I)
NARRATIVE = re.compile(r"^\W*(?:let'?s|let us|now\b|for (?:example|instance)|as before|we observe|imagine)",
                       re.I)


@dataclass(frozen=True)
class Criterion:
    text: str  # Markdown: a breakdown part's label, or a key point of the reference answer
    expression: str  # Markdown with $math$: how a breakdown part is computed; empty for a key point
    result: str  # what a breakdown part comes to, e.g. "2560"; empty for a key point
    points: float  # this criterion's share of the item's points


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    lead: str = ""  # Markdown that introduces the key points (e.g. "There are several variants:"), not scored
    from_answer: bool = False  # the criteria are the reference answer's own text (else a computed breakdown)
    total_result: str = ""  # what the breakdown parts add up to, e.g. "20362"


def rubric(q: Question, points: float) -> Rubric | None:
    """The rubric of a numeric or written item worth `points`; None for choice items (their key is the
    letter), for items worth nothing, and for items with neither a computation nor a reference answer."""
    if q.choices or points <= 0:
        return None
    if q.kind == "numeric" and q.computed:
        parts = []
        for c in q.computed:
            shown = present(c)
            if shown.breakdown:
                parts += [(p.label, p.expression, p.count) for p in shown.breakdown]
            else:
                parts.append((shown.quantity, "", shown.value))
        groups = _group(parts, _units(points))
        criteria = tuple(
            Criterion(text="; ".join(label for label, _, _ in group),
                      expression="; ".join(e for _, e, _ in group if e),
                      result=" + ".join(r for _, _, r in group), points=share)
            for group, share in zip(groups, shares(points, len(groups))))
        total = q.computed[0].value if len(q.computed) == 1 else ""
        return Rubric(criteria=criteria, total_result=total)
    if q.rubric:  # the overlay's criteria, for an answer the generator cannot cut into gradeable points
        return Rubric(criteria=tuple(Criterion(t, "", "", s) for t, s in zip(q.rubric, shares(points, len(q.rubric)))))
    if not q.answer.strip():
        return None
    lead, texts = key_points(q.answer, max(1, int(points / MIN_KEY_POINT + 1e-9)), keep=gradeable)
    texts += [f"$${f.equation}$$" for f in q.figures if f.where == "answer" and f.equation]
    if not texts:
        return None
    return Rubric(criteria=tuple(Criterion(t, "", "", s) for t, s in zip(texts, shares(points, len(texts)))),
                  lead=lead, from_answer=True)


def gradeable(sentence: str) -> bool:
    """Whether a sentence of a reference answer is something a grader can look for on a paper: not one that
    points at a figure the exam does not print, nor the answer's storytelling ("Let's look at ...")."""
    return not (UNPRINTED.search(sentence) or NARRATIVE.search(sentence))


def problems(q: Question, points: float = 5.0) -> list[str]:
    """Why the rubric generated for a written question is not one to grade with; empty when it is (or the
    overlay gives one)."""
    if q.rubric or q.choices or q.computed or not q.answer.strip():
        return []
    found = []
    # Storytelling ("Let's look at", "For example") is left out quietly; a figure reference may be the point.
    dropped = [s for b in _blocks(q.answer) for s in b.sentences if UNPRINTED.search(s)]
    if dropped:
        found.append(f"{len(dropped)} sentence{'s' if len(dropped) > 1 else ''} of its answer point at a figure "
                     f"the exam does not print (“{_shorter(dropped[0])}”) and {'are' if len(dropped) > 1 else 'is'} "
                     "left out")
    r = rubric(q, points)
    if r and len(r.criteria) > MOST_CRITERIA:
        found.append(f"its answer cuts into {len(r.criteria)} criteria of {r.criteria[-1].points:g} points each "
                     f"at {points:g} points")
    return found


def _shorter(text: str, most: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def shares(points: float, n: int) -> list[float]:
    """`points` split over n criteria as evenly as tenths allow (an even share such as 1.25 is kept as it
    is); earlier criteria take the extra tenths. The shares add up to `points` exactly."""
    cents = round(points * 100)
    if cents % n == 0 and (cents // n) % 5 == 0:
        return [cents // n / 100] * n
    step = next(s for s in (10, 5, 1) if cents % s == 0)
    base, extra = divmod(cents // step, n)
    return [(base + (k < extra)) * step / 100 for k in range(n)]


def _units(points: float) -> int:
    """How many criteria `points` can be split into with no criterion worth nothing."""
    cents = round(points * 100)
    return max(1, cents // next(s for s in (10, 5, 1) if cents % s == 0))


def _group(items: list, n: int) -> list[list]:
    """`items` in at most n consecutive groups, as even as possible, earlier groups the larger."""
    if len(items) <= n:
        return [[item] for item in items]
    size, extra = divmod(len(items), n)
    groups, start = [], 0
    for k in range(n):
        end = start + size + (k < extra)
        groups.append(items[start:end])
        start = end
    return groups


# --- key points of a reference answer --------------------------------------------------------------------


@dataclass
class _Block:
    sentences: list[str]  # a paragraph's sentences; a list item is one "sentence"
    text: str  # the whole block as Markdown


def key_points(markdown: str, most: int, keep=lambda sentence: True) -> tuple[str, list[str]]:
    """(lead, key points) of a reference answer, at most `most` key points, each Markdown.

    The key points are its sentences when there are at most `most`; else its paragraphs and list items;
    else those, run together in `most` groups. A first paragraph that ends with a colon and introduces the
    rest is the lead, not a key point. A displayed formula, a code block or a table goes with the text
    before it. Sentences `keep` refuses are left out."""
    blocks = _blocks(markdown)
    lead = ""
    if len(blocks) > 1 and blocks[0].text.rstrip().endswith(":"):
        lead = blocks.pop(0).text
    kept_blocks = []
    for b in blocks:
        kept = [s for s in b.sentences if keep(s)]
        if kept:
            kept_blocks.append(b if kept == b.sentences else _Block(kept, " ".join(kept)))
    blocks = kept_blocks
    sentences = [s for b in blocks for s in b.sentences]
    if len(sentences) <= most:
        return lead, sentences
    return lead, ["\n\n".join(group) for group in _group([b.text for b in blocks], most)]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=True, allow_digits=True,
                                                         double_inline=True)


_MARKER = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+")
_CONTAINERS = {"bullet_list", "ordered_list", "blockquote"}


def _blocks(markdown: str) -> list[_Block]:
    """Top-level paragraphs and list items, cut from the source text itself so that no Markdown is lost."""
    lines = markdown.splitlines()
    blocks: list[_Block] = []
    pending: list[str] = []  # what stands before the first paragraph (a formula), given to it
    depth = 0  # nesting of lists and quotes: only top-level paragraphs and items are key points
    for token in _parser().parse(markdown):
        kind = token.type.rsplit("_", 1)[0]
        if token.nesting == -1:
            depth -= kind in _CONTAINERS
            continue
        at_top = depth == 0
        depth += token.nesting == 1 and kind in _CONTAINERS
        item = token.type == "list_item_open" and depth == 1
        if token.map is None or token.type == "inline" or kind in ("bullet_list", "ordered_list") or not (
                at_top or item):
            continue
        span = lines[token.map[0]:token.map[1]]
        if item or token.type == "paragraph_open":
            text = "\n\n".join(pending + [_list_item(span) if item else "\n".join(span).strip()])
            blocks.append(_Block([text] if item else _sentences(text), text))
            pending = []
        elif blocks:  # a formula, code, a table, a quote or a heading: it goes with the text before it
            blocks[-1].text += "\n\n" + "\n".join(span).strip()
            blocks[-1].sentences[-1] += "\n\n" + "\n".join(span).strip()
        else:
            pending.append("\n".join(span).strip())
    if pending:
        text = "\n\n".join(pending)
        blocks.append(_Block([text], text))
    return blocks


def _list_item(lines: list[str]) -> str:
    """A list item's Markdown without its marker, its continuation lines dedented."""
    first = _MARKER.match(lines[0])
    indent = first.end() if first else 0
    body = [lines[0][indent:]] + [line[indent:] if line[:indent].isspace() else line.lstrip()
                                  for line in lines[1:]]
    return "\n".join(body).strip()


# A sentence ends at . ! or ? (perhaps closed by a quote or bracket) before a space and a capital, a
# formula or emphasis; never inside math or code, and not after an abbreviation.
_END = re.compile(r"(?<=[.!?])([\"”’)]?)\s+(?=[A-Z“\"(*_$\[])")
_HIDDEN = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]+`|\[[^\]]*\]\([^)]*\)", re.S)
_ABBREVIATION = re.compile(r"(?:\b(?i:e\.g|i\.e|etc|vs|cf|fig|eq|approx|resp|dr|mr|ms)|\b[A-Z])\.$")


def _sentences(text: str) -> list[str]:
    masked = _HIDDEN.sub(lambda m: "x" * len(m.group(0)), text)
    cuts = [m.start() + len(m.group(1)) for m in _END.finditer(masked)
            if not _ABBREVIATION.search(masked[:m.start()])]
    out, start = [], 0
    for cut in cuts:
        out.append(text[start:cut].strip())
        start = cut
    out.append(text[start:].strip())
    return [s for s in out if s]


def rubrics_checked(doc: Document) -> Document:
    """The document with a `rubric-weak` warning on each written question whose generated rubric a grader
    could not mark with (see `problems`): its overlay fix should give a `rubric`. Runs after
    recomputation, which makes a question with a computed answer a numeric item, graded by its breakdown."""
    overlay = overlay_path(doc.path).as_posix()
    questions = []
    for q in doc.questions:
        found = problems(q)
        if found:
            q = q.with_(diagnostics=q.diagnostics + (Diagnostic(
                q.source.file, q.source.line_start, "warning", "rubric-weak",
                f"{q.id}: its written rubric is not one to grade with: {'; '.join(found)}; give its fix in "
                f"{overlay} a `rubric`, each criterion a term, value or equation of the answer"),))
        questions.append(q)
    return replace(doc, questions=tuple(questions))


__all__ = ["MIN_KEY_POINT", "Criterion", "Rubric", "gradeable", "key_points", "problems", "rubric", "rubrics_checked",
           "shares"]
