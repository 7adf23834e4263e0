"""An answer given to a choice question -> the options it picks: by letters (`B`, `A and C`, `d) Hub, e) Repeater`),
by numbers, by an option's whole text, or by naming options in prose; and what looks like a pick that names
no option."""
from __future__ import annotations

import re

from pipeline.readers import cues

LETTERS = "ABCDEFGH"

_LETTER_LIST = re.compile(r"^\(?([A-Ha-h])\)?(?:\s*(?:,|and|&|/|or)\s*\(?([A-Ha-h])\)?)*\s*\.?$")
_LETTER_RUN = re.compile(r"^[A-H]{2,8}$")
# Letters, then what explains them: `B. If the components...`, `b, because...`, `A and C: both...`, `C — ...`
_LETTERS_THEN = re.compile(r"^\(?([A-Ha-h](?:\s*(?:,|and|&|/)\s*\(?[A-Ha-h]\)?)*)\)?\s*(?:[.)]\s+|[,:;]\s+|\s+[—–-]\s+)(\S.*)$")
_LETTER_WHY = re.compile(r"^([A-H])\s+(\(.+)$")  # `C (airway comes first)`: a capital letter, then why in brackets
_NUMBER_LIST = re.compile(r"^\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*\.?$")
_NUMBERS_THEN = re.compile(r"^(\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*)\s*(?:[.)]\s+|[,:;]\s+|\s+[—–-]\s+|\s+(?=\())(\S.*)$")
# `2번`, `2号`, `2番`: a number with the counter word Korean, Chinese and Japanese put after an option's number
_COUNTER = re.compile(r"^(\d{1,2})\s*(?:번째|번|号|番|項)(?=\s|[.,:;)]|$)")
_SEPARATOR = re.compile(r"\s*(?:[—–]|-{1,2}|:|;|,|\.)\s+")


_TRAILING_IMAGE = re.compile(r"^(.*?)\s*(!\[[^\]]*\]\([^)]*\))\s*$")
_NON_WORD = re.compile(r"[\W_]+")
_MARKUP = re.compile(r"\$|\*\*|__|`")


def _fold(text: str) -> str:
    return _NON_WORD.sub(" ", _MARKUP.sub("", text)).strip().lower()


def _bare(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", _fold(text))


def answer_marks(said: str, texts: list[str]) -> tuple[list[bool] | None, str, str]:
    """Which options an answer names: (marks or None, cue, problem). A problem is said when the answer looks like
    letters or numbers that name no option."""
    picks, cue, problem, _ = read_answer(said, texts)
    return picks, cue, problem


def read_answer(said: str, texts: list[str]) -> tuple[list[bool] | None, str, str, str | None]:
    """An answer given to a choice question -> (marks or None, cue, problem, the text that explains it). The
    explaining text is what follows the letters or the option's text (None when the answer names no option)."""
    fenced = re.fullmatch(r"(`{3,}|~{3,})[^\n]*\n(.*?)\n\1\s*(?:\n(.*))?", said.strip(), re.S)
    if fenced:  # `答：` over a fenced block holding `C`: the block's text is the answer
        said = fenced.group(2) + ("\n" + fenced.group(3) if fenced.group(3) else "")
    lines = said.strip().split("\n", 1)
    first = _OPTION_WORD.sub("", re.sub(r"\*\*|__", "", lines[0]).strip())  # `Option C` names option C
    if len(first) <= 12 and _OTHER_LETTERS.search(first):
        first = first.translate(cues.OTHER_ALPHABETS)  # `б` names the second option of a Russian list
    first = _COUNTER.sub(r"\1", first)
    after = lines[1].strip() if len(lines) > 1 else ""
    shown = _TRAILING_IMAGE.match(first)
    if shown and shown.group(1):  # `C ![](worked-solution.png)`: the letters, then a figure that explains them
        first, after = shown.group(1), _join(shown.group(2), after)
    n = len(texts)
    pairs = _labelled_options(first, texts)
    if pairs is not None:  # `d) Hub, e) Repeater`: each option named by its letter and its own text
        picks, differs = pairs
        problem = (f"the answer names options {letters_of(picks)} by letter, but with words that are not "
                   "their texts: check that it means these options") if differs else ""
        return picks, "answer-letters", problem, after
    letters = letters_named(first.rstrip("."))
    then = (_LETTERS_THEN.match(first) or _LETTER_WHY.match(first)) if letters is None else None
    if then is not None:
        letters = letters_named(then.group(1))
    if letters is not None:
        bad = [c for c in letters if LETTERS.index(c) >= n]
        if bad:
            return None, "answer-letters", f"the answer names option {', '.join(bad)} but there are {n} options", None
        rest = then.group(2) if then is not None else ""
        if len(letters) == 1 and rest and _bare(texts[LETTERS.index(letters[0])]) == _bare(rest):
            rest = ""  # `B) the option's own text`
        return [LETTERS[i] in letters for i in range(n)], "answer-letters", "", _join(rest, after)
    exact = [_MARKUP.sub("", t).strip() for t in texts]  # punctuation kept: `go_home()` is not `!go_home()`
    said_exact = _MARKUP.sub("", first).strip()
    if said_exact and exact.count(said_exact) == 1 and sum(_bare(t) == _bare(first) for t in texts) > 1:
        return [t == said_exact for t in exact], "answer-text", "", after
    bare = [_bare(t) for t in texts]
    said_text = _bare(first)
    if said_text and said_text in bare:
        picks = [b == said_text for b in bare]
        k = int(said_text) - 1 if said_text.isdigit() else -1
        if 0 <= k < n and not picks[k]:  # `3` is an option's text and the number of another option
            return picks, "answer-text", (f"the answer “{said_text}” is the text of option {letters_of(picks)} and "
                                          f"the number of option {LETTERS[k]}: took the text"), after
        return picks, "answer-text", "", after
    numbers_then = _NUMBERS_THEN.match(first) if not _NUMBER_LIST.match(first) else None
    if numbers_then is not None and all(1 <= int(x) <= n for x in re.findall(r"\d+", numbers_then.group(1))):
        picks = [int(x) for x in re.findall(r"\d+", numbers_then.group(1))]  # `4 - because ...`
        return [i + 1 in picks for i in range(n)], "answer-number", "", _join(numbers_then.group(2), after)
    if _NUMBER_LIST.match(first):
        picks = [int(x) for x in re.findall(r"\d+", first)]
        if len(picks) == 1 and str(picks[0]) in bare:
            return [b == str(picks[0]) for b in bare], "answer-text", "", after
        if all(1 <= k <= n for k in picks):
            return [i + 1 in picks for i in range(n)], "answer-number", "", after
        return None, "answer-number", f"the answer names option {first} but there are {n} options", None
    # The answer opens with one option's whole text, then explains: `$O(n^2)$ — every token ...`
    leading = [i for i, b in enumerate(bare) if b and (said_text == b or said_text.startswith(b + " "))]
    if leading:
        k = max(leading, key=lambda i: len(bare[i]))
        tail = said_text[len(bare[k]):]
        # `LSTM and GRU both gate...`: more options named right after the first
        picks = {k} | {i for i, b in enumerate(bare) if i != k and b and re.search(
            rf"^\s*(?:(?:,|and|or|&)\s+[\w ]*?)?(?:and|or|&|,)\s+{re.escape(b)}(?:\s|$)", tail)}
        parts = _SEPARATOR.split(first, maxsplit=1)
        rest = parts[1] if len(parts) > 1 and _bare(parts[0]) == bare[k] else ""
        return [i in picks for i in range(n)], "answer-text", "", _join(rest, after)
    named = _named(said, texts)
    if any(named):
        return named, "answer-names-options", "", said.strip()
    return None, "", "", None


_OPTION_WORD = re.compile(r"^(?:option|choice|opci[oó]n|op[çc][ãa]o|opzione|variante|вариант)\s+(?=\(?[A-Ha-h1-9]\b)",
                          re.I)
_OTHER_LETTERS = re.compile(r"(?<![^\W\d_])[а-зА-Зα-θΑ-Θ](?![^\W\d_])")

_PAIR_LABEL = re.compile(r"(?:^|(?<=[\s,;]))\(?([A-Ha-h])[.)]\s+")


def _labelled_options(first: str, texts: list[str]) -> tuple[list[bool], bool] | None:
    """`d) Hub, e) Repeater` -> (the options it names, whether some words differ from the option's text), when
    it opens with two or more lettered options, each letter followed by words; None otherwise."""
    found = list(_PAIR_LABEL.finditer(first))
    if len(found) < 2 or found[0].start() != 0:
        return None
    styles = {(m.group(0).startswith("("), m.group(0).strip()[-1]) for m in found}
    if len(styles) > 1:
        return None  # `d) Egyptians: ... (c. 2580 BCE)`: a letter in the explanation, not a second pick
    picks, differs = set(), False
    for m, end in zip(found, [f.start() for f in found[1:]] + [len(first)]):
        k = LETTERS.index(m.group(1).upper())
        said = re.sub(r"[\s,;.]*(?:and|or|&)?[\s,;.]*$", "", first[m.end():end])
        if k >= len(texts) or not said:
            return None
        differs = differs or _bare(said) != _bare(texts[k])
        picks.add(k)
    return [i in picks for i in range(len(texts))], differs


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def letters_named(text: str) -> list[str] | None:
    t = text.strip().strip("*").strip()
    if _LETTER_RUN.match(t):
        return list(dict.fromkeys(t))
    if _LETTER_LIST.match(t) and not re.fullmatch(r"[a-h]{2,}", t):
        return list(dict.fromkeys(c.upper() for c in re.findall(r"(?<![A-Za-z])[A-Ha-h](?![A-Za-z])", t)))
    return None


def _named(answer: str, options: list[str]) -> list[bool]:
    """Which options an answer written in prose names (its first sentence), by each option's leading words."""
    first = re.split(r"(?<=[.!?])\s+", answer.strip(), maxsplit=1)[0].lower()
    first = " " + re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", first)) + " "
    picks = []
    for text in options:
        key = re.split(r"\s*(?:\(|,|\bi\.e\b|\be\.g\b|:)", text.strip(), maxsplit=1)[0].lower()
        words = re.sub(r"[^\w\s]", " ", key).split()
        # Two leading words at least, so one shared word does not pick an option; a one-word option is its word.
        picks.append(any(f" {' '.join(words[:size])} " in first
                         for size in range(len(words), 0 if len(words) == 1 else 1, -1)))
    return picks


def letters_of(picks: list[bool]) -> str:
    return ", ".join(LETTERS[i] if i < len(LETTERS) else str(i + 1) for i, v in enumerate(picks) if v) or "none"
