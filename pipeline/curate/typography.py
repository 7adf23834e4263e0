"""A choice question's options typeset alike, and a `giveaway` error where the correct option still differs
from the wrong ones in typography alone.

A student who cannot answer a question can still pick the option that looks different: the one repaired by
hand (`ŷ<t>.` where the others read `ŷ<t> .`), the one that ends without a full stop, the one whose bar is a
tight `|` where the others have a spaced `\\mid`. So every option of a question goes through the same
repairs, or none does (`alike`), and then each option's typographic signature is compared (`giveaways`):
where the correct options share a feature no wrong option has, the question is reported, never printed.
"""
from __future__ import annotations

import re
from dataclasses import replace

from pipeline.model import Choice, Diagnostic, Document, Question

# Formulas and code spans: typography inside them is TeX's or the code's own.
_HIDDEN = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]+`", re.S)
_SPACE_BEFORE = re.compile(r"(?<=\S)[ \t]+(?=[.,;:!?)](?:[\s.,;:!?)]|$))")  # "ŷ<t> ." -> "ŷ<t>."
_SPACE_AFTER_PAREN = re.compile(r"\([ \t]+(?=\S)")  # "( x" -> "(x"
_BARE_BAR = re.compile(r"(?<!\\)(?<!\\left)(?<!\\right)\|\s*")  # `|`, not `\|` or `\left|`
_ENDS = ".!?"
_HOLE = "\ue000"  # a private-use character: where a formula stands in its prose
_WORD = re.compile(r"[A-Za-z]{2,}")


def _outside(text: str, repair) -> str:
    """`repair` applied to the prose of `text`, each formula and code span standing in it as one placeholder
    character (so "$x$ ." is prose "X ." to it) and put back unchanged."""
    spans = [m.group(0) for m in _HIDDEN.finditer(text)]
    masked = _HIDDEN.sub(_HOLE, text)
    pieces = repair(masked).split(_HOLE)
    return "".join(p + (spans[k] if k < len(spans) else "") for k, p in enumerate(pieces))


def _formulas(text: str) -> list[str]:
    return [m.group(0) for m in _HIDDEN.finditer(text) if m.group(0).startswith("$")]


def _prose(text: str) -> str:
    return _HIDDEN.sub("x", text)


def _is_sentence(text: str) -> bool:
    return len(_WORD.findall(_prose(text))) >= 3


def alike(texts: list[str]) -> list[str]:
    """The options of one question with the same repairs applied to every one: no space before punctuation or
    after an opening bracket; a conditional bar written `\\mid` in every formula once one option writes it so
    (a formula with a single bar, never an absolute value |x|); and, where the options are sentences and some
    end with a full stop, a full stop on the others."""
    texts = [_outside(t, lambda s: _SPACE_AFTER_PAREN.sub("(", _SPACE_BEFORE.sub("", s))) for t in texts]
    if any("\\mid" in f for t in texts for f in _formulas(t)):
        def mid(formula: str) -> str:
            return _BARE_BAR.sub(r"\\mid ", formula) if len(_BARE_BAR.findall(formula)) == 1 else formula
        texts = [_HIDDEN.sub(lambda m: mid(m.group(0)) if m.group(0).startswith("$") else m.group(0), t)
                 for t in texts]
    stripped = [t.rstrip() for t in texts]
    if len(texts) > 1 and all(_is_sentence(t) for t in stripped) and any(t.endswith(".") for t in stripped) \
            and not all(t[-1:] in _ENDS for t in stripped):
        texts = [t if t[-1:] in _ENDS else t + "." for t in stripped]
    return texts


def signature(text: str) -> dict[str, str | None]:
    """What an option's typography shows apart from its words: None where a feature does not apply."""
    prose = _prose(text).rstrip()
    formulas = "".join(_formulas(text))
    bars = "\\mid" if "\\mid" in formulas else "|" if _BARE_BAR.search(formulas.replace("\\|", "")) else None
    dots = ("\\ldots" if re.search(r"\\[lc]?dots", formulas) else "..." if "..." in formulas else None)
    markup = "".join(sorted({k for k, pattern in (("bold", r"\*\*|__"), ("code", r"`"), ("html", r"<[a-z]+[ >]"))
                             if re.search(pattern, text)})) or "none"
    return {
        "space before punctuation": "yes" if re.search(r"\s[.,;:!?)]", prose) else "no",
        "space after an opening bracket": "yes" if re.search(r"\(\s", prose) else "no",
        "closing punctuation": text.rstrip()[-1:] if text.rstrip()[-1:] in _ENDS + ",;:" else "none",
        "conditional bar": bars,
        "ellipsis in formulas": dots,
        "markup": markup,
    }


def giveaways(choices: tuple[Choice, ...] | list[Choice]) -> list[str]:
    """Each feature in which the correct options agree with each other and differ from every wrong option
    that has the feature, said as `feature: correct 'x', wrong 'y'`."""
    right = [signature(c.text) for c in choices if c.correct]
    wrong = [signature(c.text) for c in choices if not c.correct]
    if not right or not wrong:
        return []
    found = []
    for feature in right[0]:
        mine = {s[feature] for s in right if s[feature] is not None}
        theirs = {s[feature] for s in wrong if s[feature] is not None}
        if len(mine) == 1 and theirs and not mine & theirs and len([s for s in right if s[feature]]) == len(right):
            found.append(f"{feature}: the correct option has {next(iter(mine))!r}, "
                         f"the wrong ones {', '.join(repr(v) for v in sorted(theirs))}")
    return found


# A star between two letters or digits (`4*hidden`, `a*b*c`) is a product or a name, never emphasis.
_INTRAWORD_STAR = re.compile(r"(?<=[A-Za-z0-9)\]])(?<!\\)\*(?!\*)(?=[A-Za-z0-9(\[])")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*\\])\*(?![\w*])")
_FORMULA_LIKE = re.compile(r"[=+^/<>]|\b\d+\s*[a-z]\b|^\s*\w\s*$")
# An equation number on its own line after a displayed formula, "(10.1)" or "$$(10.4)$$": it goes at the
# right of the formula, as `$$...$$ (10.1)` writes it.
_EQUATION_NUMBER = re.compile(r"(\$\$[^$]+\$\$)[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:\$\$[ \t]*)?\((\d+(?:\.\d+)*)\)(?:[ \t]*\$\$)?[ \t]*(?=\n|$)")
_TEXT_FIELDS = ("context", "stem", "answer", "explanation")


def literal_stars(text: str) -> tuple[str, list[str]]:
    """The text with every star inside a word or formula (`4*hidden`) escaped, so it prints as a star and
    pairs with nothing; and the emphasis left that looks like a formula (`*x + y*`), which may be meant as
    products."""
    if "*" not in text:
        return text, []
    text = _outside(text, lambda s: _INTRAWORD_STAR.sub(r"\\*", s))
    doubtful = [m.group(0) for m in _EMPHASIS.finditer(_HIDDEN.sub(_HOLE, text)) if _FORMULA_LIKE.search(m.group(1))]
    return text, doubtful


def numbered_equations(text: str) -> str:
    """Each equation number written on its own line after a displayed formula, set beside it."""
    return _EQUATION_NUMBER.sub(r"\1 (\2)", text) if "$$" in text else text


def _text_mended(q: Question) -> Question:
    changes: dict[str, object] = {}
    doubtful: list[str] = []
    for name in _TEXT_FIELDS:
        text, found = literal_stars(numbered_equations(getattr(q, name)))
        doubtful += found
        if text != getattr(q, name):
            changes[name] = text
    choices = []
    for c in q.choices:
        text, found = literal_stars(c.text)
        doubtful += found
        choices.append(replace(c, text=text))
    if tuple(choices) != q.choices:
        changes["choices"] = tuple(choices)
    if doubtful:
        changes["diagnostics"] = q.diagnostics + tuple(
            Diagnostic(q.source.file, q.source.line_start, "warning", "emphasis-doubtful",
                       f"{q.id}: “{d}” is set in italics, but it reads like a formula; write `\\*` for a "
                       f"product, `$...$` for math, or keep it if emphasis is meant") for d in dict.fromkeys(doubtful))
    return q.with_(**changes) if changes else q


def question_alike(q: Question) -> Question:
    """The question with its stars and equation numbers mended and its options typeset alike, and a
    `giveaway` error for any difference left."""
    q = _text_mended(q)
    if not q.choices:
        return q
    texts = alike([c.text for c in q.choices])
    choices = tuple(replace(c, text=t) for c, t in zip(q.choices, texts))
    found = giveaways(choices)
    diags = tuple(Diagnostic(q.source.file, q.source.line_start, "error", "giveaway",
                             f"{q.id}: the correct option differs from the others in typography alone ({f}); "
                             "a student could pick it without knowing the answer: make the options alike "
                             "(an overlay `choices` or `replace`)") for f in found)
    if choices == q.choices and not diags:
        return q
    return q.with_(choices=choices, diagnostics=q.diagnostics + diags)


def document_alike(doc: Document) -> Document:
    return replace(doc, questions=tuple(question_alike(q) for q in doc.questions))


__all__ = ["alike", "document_alike", "giveaways", "literal_stars", "numbered_equations", "question_alike",
           "signature"]
