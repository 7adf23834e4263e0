"""Question starts found by the shape of the text around them rather than by a numbered label family:
headings or paragraphs that ask, headings that each hold an answer, lists of questions among questions of another
kind, spaced-repetition `Q:` cards among them, and one question per line."""
from __future__ import annotations

import bisect
import re

from pipeline.readers import cues
from pipeline.readers.blocks import Line
from pipeline.readers.cues import GROUP, NUMBER, Label
from pipeline.readers.start import Start, is_card

_WORD = re.compile(r"\w")
_SENTENCE_END = re.compile(r"[.!。！]\s*$")
_ENDS = re.compile(r"[.!?:;)。！？：]\s*(?:\*\*|__|\*|_)?\s*$")  # a line that ends a sentence or a clause


def _sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text)) and bool(_WORD.search(text))


def asking_paragraphs(lines: list[Line]) -> list[Start]:
    """Paragraphs outside lists whose text asks, at their first line (a scenario and its question on the lines
    of one paragraph)."""
    starts: list[Start] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not (line.opens and line.block == "paragraph" and not line.item and not line.quote):
            i += 1
            continue
        k = i + 1
        while k < len(lines) and not lines[k].blank and not lines[k].opens and lines[k].block == "paragraph":
            k += 1
        first = next((j for j in range(i, k) if _WORD.search(lines[j].body)), k)  # past a `#####` rule line
        if first < k and any(cues.asks_plainly(ln.body) for ln in lines[first:k]) \
                and cues.long_enough(lines[first].body, 3):
            starts.append(Start(first, "line", Label(NUMBER, "", lines[first].body, "asking-paragraph")))
        i = k
    return starts


def one_per_line(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Questions written one per line with no numbering: a run of lines that each ask something."""
    starts: list[Start] = []
    for i, line in enumerate(lines):
        if line.blank or i in excluded or line.block not in ("paragraph",) or line.item:
            continue
        wrapped = not line.opens and i > 0 and lines[i - 1].block == "paragraph" and not lines[i - 1].item \
            and not _ENDS.search(lines[i - 1].body) and ("?" in line.body or "？" in line.body) \
            and not lines[i - 1].body.lstrip().startswith("<")  # prose, not a tag's attributes
        # a question wrapped onto this line (`..., will` / `equilibrium price rise or fall?`)
        if wrapped:
            top = i
            while top > 0 and not lines[top].opens and lines[top - 1].block == "paragraph":
                top -= 1
            if (starts and starts[-1].i >= top) or not cues.asks(line.body) \
                    or any(cues.answer_text(ln.body) is not None for ln in lines[top:i]):
                continue
            starts.append(Start(top, "line", Label(NUMBER, "", lines[top].body, "question-per-line")))
            continue
        if cues.asks(line.body) and cues.long_enough(line.body, 3):
            first = i  # sentences above it in its paragraph set it up (a scenario), options or a preamble do not
            while cues.asks_plainly(line.body) and not lines[first].opens and first > 0 \
                    and lines[first - 1].block == "paragraph" and not lines[first - 1].item \
                    and not (starts and starts[-1].i >= first - 1) and _sentence(lines[first - 1].body) \
                    and not cues.asks(lines[first - 1].body) and cues.answer_text(lines[first - 1].body) is None:
                first -= 1
            if not lines[first].opens:
                first = i  # only a whole set-up from the paragraph's first line: not another question's answer
            starts.append(Start(first, "line", Label(NUMBER, "", lines[first].body, "question-per-line")))
    return starts if len(starts) >= 2 else []


def asking_headings(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Questions written as headings with no numbering (`## What is overfitting?` over its answer): the headings
    that ask, at the level most of them share, when two or more do."""
    asking = [(i, line) for i, line in enumerate(lines) if line.block == "heading" and i not in excluded
              and cues.asks_plainly(line.body) and cues.label(line.body, heading=True) is None]
    if len(asking) < 2:
        return []
    levels = [line.level for _, line in asking]
    level = max(set(levels), key=levels.count)
    shapes = [options_under(lines, i) for i, line in asking if line.level == level]
    shape = max(set(shapes), key=shapes.count)
    if shape and shapes.count(shape) * 2 > len(shapes):
        # A heading that states a task without asking (`## Select every long bone:`) is a question too when
        # options of the same kind as under the asking ones follow it.
        asking = [(i, line) for i, line in enumerate(lines) if line.block == "heading" and i not in excluded
                  and line.level == level and cues.label(line.body, heading=True) is None
                  and (cues.asks_plainly(line.body) or options_under(lines, i) == shape)]
    starts = [Start(i, "heading", Label(NUMBER, "", line.body.strip(), "asking-heading"), level)
              for i, line in asking if line.level == level]
    return starts if len(starts) >= 2 else []


def listed_questions(lines: list[Line], starts: list[Start], excluded: set[int]) -> list[Start]:
    """Lists numbered from 1 between or inside the questions of another family whose items are questions
    themselves (`**Questions:**` over `1. Reconstruct the attack (10 points)`, a section's `1. ... **Answer:** b`):
    every item, or all but one, asks with a question mark, carries points or holds an answer label. Their items
    as starts."""
    at = sorted(s.i for s in starts)
    by_line = {s.i: s for s in starts}
    groups: list[list[int]] = []
    for i, ln in enumerate(lines):
        if not (ln.opens_item and ln.item and ln.item.depth == 1 and ln.item.ordered) or i in excluded:
            continue
        prev = groups[-1][-1] if groups else None
        if prev is not None and ln.item.number == lines[prev].item.number + 1 \
                and bisect.bisect_left(at, prev + 1) == bisect.bisect_left(at, i):
            groups[-1].append(i)
        elif ln.item.number == 1:
            groups.append([i])
    found: list[Start] = []
    for group in groups:
        if len(group) < 2 or any(i in at for i in group) or _inside_question(lines, at, by_line, group[0]):
            continue
        asked = sum(1 for i in group if _asks_as_item(lines, i))
        if asked >= len(group) - 1 and asked >= 2:
            found += [Start(i, "item", Label(NUMBER, str(lines[i].item.number), lines[i].body, "listed-question"))
                      for i in group]
    return found


def _inside_question(lines: list[Line], at: list[int], starts_at: dict[int, Start], i: int) -> bool:
    """Whether the list at line i is part of the question above it, with no heading between them: its
    sub-questions or its options (`## Question 1` / `Which sentence is correct?` over `1. Where are you going?`)."""
    k = bisect.bisect_left(at, i) - 1
    if k < 0 or starts_at[at[k]].rank == GROUP:
        return False  # under `## Part 1` the list is the part's questions
    return not any(ln.block == "heading" for ln in lines[at[k] + 1:i])


def _asks_as_item(lines: list[Line], i: int) -> bool:
    text = lines[i].body
    if "?" in text or "？" in text or cues.has_points(text):  # not a task verb: tips and steps command too
        return True
    item = lines[i].item
    return any(not ln.blank and cues.answer_text(ln.body) is not None for ln in lines[i + 1:min(item.end, i + 40)])


def answered_headings(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Headings with no number that do not ask but each hold an answer (`### Odysseus` over a prompt and a
    collapsed `<details>` answer, `## Photosynthesis` over `Answer: ...`): cards whose heading names the
    subject. Those at the level most of them share, when two or more do and most headings there do."""
    heads = [(i, ln) for i, ln in enumerate(lines) if ln.block == "heading" and i not in excluded
             and cues.label(ln.body, heading=True) is None]
    answered = []
    for k, (i, ln) in enumerate(heads):
        end = min(heads[k + 1][0] if k + 1 < len(heads) else len(lines), i + 12)
        if any(x.body.lower().startswith("<details") or (not x.item and cues.answer_text(x.body) is not None)
               for x in lines[i + 1:end] if not x.blank):
            answered.append((i, ln))
    if len(answered) < 2:
        return []
    levels = [ln.level for _, ln in answered]
    level = max(set(levels), key=levels.count)
    kept = [(i, ln) for i, ln in answered if ln.level == level]
    if len(kept) < 2 or len(kept) * 2 <= sum(1 for _, ln in heads if ln.level == level):
        return []
    return [Start(i, "heading", Label(NUMBER, "", ln.body.strip(), "answered-heading"), level) for i, ln in kept]


def options_under(lines: list[Line], i: int) -> str:
    """The kind of the first list under a heading, before the next heading (task boxes, a list numbered from 1,
    lettered lines), or ""."""
    first = None
    for ln in lines[i + 1:i + 40]:
        if ln.block == "heading":
            return ""
        if ln.opens_item or (ln.block == "paragraph" and cues.LETTERED_OPTION.match(ln.body)):
            first = ln
            break
    if first is None:
        return ""
    if cues.TASK.match(first.body):
        return "task"
    if first.opens_item and first.item is not None and first.item.ordered and first.item.number == 1:
        return "numbered"
    return "lettered" if cues.LETTERED_OPTION.match(first.body) else ""


def with_cards(lines: list[Line], starts: list[Start], excluded: set[int]) -> list[Start]:
    """Unnumbered `Q:` labels, two or more, between the questions of another family (cards among asking
    headings): each is a question of its own, whatever family numbers the rest."""
    at = {s.i for s in starts}
    cards = [s for i, line in enumerate(lines)
             if i not in at and i not in excluded and line.block == "paragraph" and "Q" in line.body[:8]
             and _Q_LABEL.match(line.body) and (lab := cues.label(line.body, heading=False)) is not None
             and lab.text and is_card(s := Start(i, "label", lab))]
    return sorted(starts + cards, key=lambda s: s.i) if len(cards) >= 2 else starts


_Q_LABEL = re.compile(r"^(?:\*\*|__)?\s*Q\s*[.:]", re.I)
