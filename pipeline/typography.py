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

from .model import Choice, Diagnostic, Document, Question

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


def question_alike(q: Question) -> Question:
    """The question with its options typeset alike, and a `giveaway` error for any difference left."""
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


__all__ = ["alike", "document_alike", "giveaways", "question_alike", "signature"]
