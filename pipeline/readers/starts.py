"""Where questions start: every label that could open one, the family of labels that numbers the document's
questions (numbered headings, `**Q3.**` labels, list items, one question per line), and the sub-parts
(`(a)`, `i.`) under them."""
from __future__ import annotations

import bisect
import re
from pipeline.readers import cues
from pipeline.readers.blocks import Line
from pipeline.readers.cues import LETTER, NUMBER, ROMAN, Label
from pipeline.readers.shapes import options_under, asking_headings, asking_paragraphs
from pipeline.readers.start import Start


FAMILY_ORDER = ("heading", "label", "item", "line")


_NUMBERED = re.compile(r"^(\d+)[.)]\s+(\S.*)$")


def candidates(lines: list[Line], excluded: set[int]) -> list[Start]:
    """Every line that could open a question, with the family of its label."""
    found: list[Start] = []
    for i, line in enumerate(lines):
        if line.blank or i in excluded or line.block in ("code", "table", "math", "html"):
            continue
        if line.block == "heading":
            lab = cues.label(line.body, heading=True)
            if lab:
                found.append(Start(i, "heading", lab, line.level))
            continue
        if line.opens_item and line.item and line.item.depth == 1:
            found.append(Start(i, "item", _item_label(line), marked_below=_marked_below(lines, i)))
            continue
        if line.item and not line.opens_item and line.indent == 0 and (m := _NUMBERED.match(line.body)):
            # `2. text` cannot interrupt a paragraph in Markdown: it stays a continuation line, yet opens an item.
            found.append(Start(i, "item", Label(NUMBER, m.group(1), m.group(2), "ordered-item")))
            continue
        if line.block == "paragraph" and not (line.item and line.depth > 1):
            lab = cues.label(line.body, heading=False)
            if lab and (line.opens or lab.cue in ("question-label", "bold-label", "export-number", "group-label")
                        or _next_part(found, i, lab)):
                found.append(Start(i, "label", lab))
            elif not line.item and line.indent == 0 and (m := _NUMBERED.match(line.body)) \
                    and not line.opens:
                found.append(Start(i, "item", Label(NUMBER, m.group(1), m.group(2), "ordered-item")))
    return found


def _next_part(found: list[Start], i: int, lab: Label) -> bool:
    """`b) ...` on the line right after `a) ...` in one paragraph (parts broken by hard line breaks)."""
    if lab.rank not in (LETTER, ROMAN) or not found or found[-1].i != i - 1 or found[-1].rank != lab.rank:
        return False
    order = cues.ROMANS if lab.rank == ROMAN else tuple("abcdefghijklmnopqrstuvwxyz")
    prev = found[-1].lab.label
    return prev in order and order.index(prev) + 1 < len(order) and order[order.index(prev) + 1] == lab.label


def _marked_below(lines: list[Line], i: int) -> bool:
    """Whether item i holds its options: nested items, two or more, one set apart with a mark (`**Au**`,
    `[x]`, `✓`), or lettered lines and an answer."""
    item = lines[i].item
    assert item is not None
    inside = lines[i + 1:min(item.end, i + 40)]
    if sum(1 for ln in inside if cues.LETTERED_OPTION.match(ln.body)) >= 2 \
            and any(cues.answer_text(ln.body) is not None for ln in inside):
        return True  # lettered options on the item's own lines, then the answer (`correct: b`)
    kids = [ln for ln in inside if ln.opens_item and ln.depth == 2]
    found = [cues.option_mark(ln.body)[1] for ln in kids]
    return len(kids) >= 2 and any(m in ("checked", "check", "bold", "correct") for m in found) \
        and len({m for m in found}) > 1


def _item_label(line: Line) -> Label:
    inner = cues.label(line.body, heading=False)
    if inner and inner.rank == NUMBER and inner.cue != "part-label":
        return Label(NUMBER, inner.label, inner.text, "labelled-item")
    m = _NUMBERED.match(line.body)
    if m:  # `- 10. You have...`: a number the export kept inside a bullet
        return Label(NUMBER, m.group(1), m.group(2), "labelled-item")
    assert line.item is not None
    if line.item.ordered:
        return Label(NUMBER, str(line.item.number), line.body, "ordered-item")
    return Label(NUMBER, "", line.body, "bullet-item")


def _bullet_is_question(lines: list[Line], start: Start) -> bool:
    """A bullet opens a question when options are nested under it, or it asks something and an answer label
    follows it before the next bullet."""
    line = lines[start.i]
    if start.lab.label or start.lab.cue == "labelled-item":
        return True
    item = line.item
    assert item is not None
    nested = [ln for ln in lines[start.i + 1:item.end] if ln.opens_item and ln.depth == item.depth + 1
              and not cues.FEEDBACK_WORD.match(ln.body) and not cues.CHECK_LEAD.match(ln.body)]
    if len(nested) >= 2:
        return True
    if not cues.asks(line.body) or cues.TASK.match(line.body):
        return False  # a statement, or a task box: an option, even one that asks (`- [ ] Have you ...?`)
    if cues.asks_plainly(line.body) and len(nested) <= 1 and _sibling_asks(lines, start.i):
        return True  # a list of questions, each with no answer or its answer as one nested bullet
    for ln in lines[start.i + 1:]:
        if (ln.opens_item and ln.depth == 1) or ln.block == "heading":
            return False
        if not ln.blank and cues.answer_text(ln.body) is not None:
            return True
    return False


_STRONG = ("question-label", "question-heading", "bold-label", "export-number", "labelled-item")


def _sibling_asks(lines: list[Line], i: int) -> bool:
    """Whether the bullet next to this one (before or after it, at the same depth) also asks."""
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(lines) and (lines[j].blank or not lines[j].opens_item or lines[j].depth > 1):
            if lines[j].block == "heading":
                break
            j += step
        if 0 <= j < len(lines) and lines[j].opens_item and lines[j].depth == 1:
            return cues.asks_plainly(lines[j].body)
    return False


def choose(lines: list[Line], cands: list[Start], pinned: str | None = None) -> tuple[str, list[Start]]:
    """The label family whose numbered labels make the best sequence, with its starts, the labels of another
    family that continue its count (`Q2:` between `1.` and `3.`), and the sub-parts under them. A `pinned`
    family (an overlay's `[layout] questions`) is taken as it is; ("", []) when it starts nothing."""
    tops = [c for c in cands if c.rank <= NUMBER]
    parts = [c for c in cands if c.rank > NUMBER]
    if pinned is not None:
        starts = _family(lines, tops, pinned)
        return (pinned, _with_parts(starts, parts)) if starts else ("", [])
    best, best_score, best_starts = "", 0.0, []
    for family in FAMILY_ORDER[:3]:
        starts = _family(lines, tops, family)
        score = sequence_score(starts)
        if score > 0 and (not best or score > best_score + 0.5):  # ties go to the earlier, more explicit family
            best, best_score, best_starts = family, score, starts
    if best == "item":
        best, best_starts = _outer(lines, tops, best, best_starts)
    strong = any(s.lab.cue in _STRONG for s in best_starts)
    if not best_starts or (best_score < 1.5 and not strong and not (best != "item" and best_score >= 1)):
        # A document of parts only (`(a) ...`, `(b) ...` with no numbered question above them)
        alone = _parts_under(parts)
        return (alone[0].family, alone) if alone else ("", [])
    for other in FAMILY_ORDER[:3]:
        if other != best:
            best_starts = _merge(best_starts, _family(lines, tops, other))
    return best, _with_parts(best_starts, parts)


def _outer(lines: list[Line], tops: list[Start], best: str, items: list[Start]) -> tuple[str, list[Start]]:
    """Numbered items that restart at 1 under each numbered heading or label are that question's options, not
    questions: the labels above them, numbered in sequence, are the questions (`## Question 3 (1 pt)` over
    `1.`-`4.`)."""
    at = [s.i for s in items]
    if sum(1 for s in items if s.lab.text and cues.asks(s.lab.text)) * 2 > len(items):
        return best, items  # items that ask are questions under section labels (`## Part 1`), not options
    for family in ("heading", "label"):
        outer = [s for s in _family(lines, tops, family) if s.lab.label.isdigit()]
        numbers = [int(s.lab.label) for s in outer]
        if len(outer) < 2 or numbers[0] != 1 or any(b not in (a + 1, 1) for a, b in zip(numbers, numbers[1:])):
            continue  # 1, 2, 3 ... (starting again at 1 for a second quiz in the same file)
        under = [bisect.bisect_left(at, o.i) for o in outer]
        firsts = sum(1 for k in under if k < len(items) and items[k].lab.label == "1"
                     and all(ln.block != "heading" or cues.OPTIONS_INTRO.match(ln.body)  # `#### Options`
                             for ln in lines[outer[under.index(k)].i + 1:items[k].i]))
        if firsts * 4 >= len(outer) * 3:
            return family, outer
    asking = asking_headings(lines, set())
    if len(asking) >= 2:  # unnumbered headings that ask, each over a list numbered from 1: the headings ask
        under = [bisect.bisect_left(at, h.i) for h in asking]
        ends = [h.i for h in asking[1:]] + [len(lines)]
        firsts = sum(1 for k, end in zip(under, ends) if k < len(items) and items[k].i < end
                     and items[k].lab.label == "1")
        if firsts * 4 >= len(asking) * 3:
            return "heading", asking
    asking = asking_paragraphs(lines)
    if len(asking) >= 2:  # paragraphs that ask, each right over its options (numbered from 1, lettered, boxes)
        over = [p for p in asking if options_under(lines, p.i) in ("numbered", "lettered", "task")]
        lists = sum(1 for s in tops if s.family == "item" and s.lab.label == "1")
        if len(over) * 4 >= len(asking) * 3 and len(over) * 4 >= lists * 3:
            return "line", asking
    return best, items


def _with_parts(chosen: list[Start], parts: list[Start]) -> list[Start]:
    """The sub-parts under each numbered question, in any family (`## 1. ...` over `(a) ...` paragraphs)."""
    at = [c.i for c in parts]
    extra: list[Start] = []
    for k, s in enumerate(chosen):
        if s.rank > NUMBER or not parts:
            continue
        end = chosen[k + 1].i if k + 1 < len(chosen) else at[-1] + 1
        extra += _parts_under(parts[bisect.bisect_right(at, s.i):bisect.bisect_left(at, end)])
    return sorted(chosen + extra, key=lambda s: s.i)


def _parts_under(inside: list[Start]) -> list[Start]:
    """Lettered parts a, b, c... (letters rising, from a) and under each its numerals i, ii, iii; a part is kept
    when it asks something, has no text (`(e) (12 points)`), or has parts of its own. `a) Machine translation`
    lines, which ask nothing, are options, not parts."""
    letters = [c for c in inside if c.rank == LETTER]
    if len(letters) < 2 or letters[0].lab.label != "a" or \
            any(x.lab.label >= y.lab.label for x, y in zip(letters, letters[1:])):
        return _numerals(inside)
    kept: list[Start] = []
    for j, c in enumerate(letters):
        end = letters[j + 1].i if j + 1 < len(letters) else inside[-1].i + 1
        kids = _numerals([x for x in inside if c.i < x.i < end])
        if kids or not c.lab.text or cues.asks_plainly(c.lab.text):
            kept += [c] + kids
    return kept if sum(1 for c in kept if c.rank == LETTER) >= 2 else []


def _numerals(inside: list[Start]) -> list[Start]:
    romans = [c for c in inside if c.rank == ROMAN]
    labels = [c.lab.label for c in romans]
    if len(romans) >= 2 and labels == list(cues.ROMANS[:len(romans)]) and \
            any(not c.lab.text or cues.asks_plainly(c.lab.text) for c in romans):
        return romans
    return []


def _family(lines: list[Line], cands: list[Start], family: str) -> list[Start]:
    starts = [c for c in cands if c.family == family]
    if family == "item":
        starts = [s for s in starts if s.lab.label or _bullet_is_question(lines, s)]
        starts = _in_sequence(lines, starts)
    return starts


def _merge(chosen: list[Start], others: list[Start]) -> list[Start]:
    """Labels of the other family whose number is exactly the next one of the chosen count, and that ask
    something or carry an explicit question label."""
    merged = list(chosen)
    for o in others:
        if not o.lab.label.isdigit() or not (cues.asks(o.lab.text) or o.lab.cue in _STRONG):
            continue
        k = bisect.bisect_left([s.i for s in merged], o.i) if len(merged) < 64 else \
            bisect.bisect_left(merged, o.i, key=lambda s: s.i)
        before, after = merged[k - 1] if k else None, merged[k] if k < len(merged) else None
        last = int(before.lab.label) if before is not None and before.lab.label.isdigit() else 0
        prev = max(last, k)
        nxt = int(after.lab.label) if after is not None and after.lab.label.isdigit() else None
        if int(o.lab.label) == prev + 1 and (nxt is None or nxt > int(o.lab.label)):
            merged.insert(k, o)
    return merged


def sequence_score(starts: list[Start]) -> float:
    """How much a family's labels look like a document's questions: numbers that count up (or restart at 1)
    and texts that ask something. A list inside an answer counts up too, but rarely asks; a heading that names a
    topic (`### 1. Study every day`) counts less than one that asks or carries no text."""
    score, prev = 0.0, 0
    for s in starts:
        lab = s.lab
        asks = bool(lab.text) and cues.asks(lab.text)
        if s.family == "heading":
            weight = 0.6 if lab.text and not asks and cues.is_title(lab.text) else 1.0
        else:
            weight = 1.0 if (not lab.text or asks or s.marked_below or cues.VERDICT_AFTER.search(lab.text)) else 0.4
        if lab.rank != NUMBER or not lab.label or "." in lab.label:
            score += weight if lab.rank != NUMBER or lab.label else 0.8 * weight
            continue
        n = int(lab.label)
        score += weight * (1 if n in (prev + 1, 1) else (0.5 if prev < n <= prev + 3 else 0.2))
        prev = n
    return score


def _in_sequence(lines: list[Line], starts: list[Start]) -> list[Start]:
    """Numbered items that continue the count (or restart it after a heading); numbered lists inside an answer
    do not."""
    kept: list[Start] = []
    expected = 1
    for s in starts:
        if not s.lab.label:
            kept.append(s)
            expected += 1
            continue
        n = int(s.lab.label.split(".")[0])
        heading_between = kept and any(ln.block == "heading" for ln in lines[kept[-1].i + 1:s.i])
        if n == 1 and len(kept) == 1 and kept[0].lab.label and int(kept[0].lab.label.split(".")[0]) > 1:
            kept, expected = [], 1  # `1968. The year ...` above `1.`: the count starts here, not at the year
        if expected <= n <= expected + 3 or not kept or (n == 1 and heading_between):
            # the first may continue a count begun elsewhere (`886.` in the second file of a question bank)
            kept.append(s)
            expected = n + 1
    return kept


