"""Where a question's answer is: `<details>` blocks, prose under a question stated on its label's line, and
the answer lines that tell whether a list is the question's options."""
from __future__ import annotations

import re

from pipeline.model import Cue
from pipeline.readers import cues, marks
from pipeline.readers.blocks import Line
from pipeline.readers.region import Region
from pipeline.readers.pieces import Parts


def after_label(line: Line, text: str) -> Line:
    """A line standing for the text after a label on `line` (`Answer: b` -> `b`)."""
    return Line(line.no, text, "paragraph", True, text)


def read_details(body: list[Line], i: int, p: Parts) -> int:
    """A `<details><summary>Answer</summary> ... </details>` block: its content is the answer."""
    start = body[i]
    inner: list[Line] = []
    j = i
    text = re.sub(r"<summary>.*?</summary>|</?details[^>]*>", "", start.body, flags=re.I).strip()
    if text:
        inner.append(after_label(start, text))
    closed = "</details>" in start.body.lower()
    j += 1
    while j < len(body) and not closed:
        line = body[j]
        if not line.blank:
            p.used.append(line.no)
        if "</details>" in line.body.lower():
            rest = re.sub(r"</details>.*$", "", line.body, flags=re.I).strip()
            if rest:
                inner.append(after_label(line, rest))
            j += 1
            break
        if not re.fullmatch(r"\s*<summary>.*</summary>\s*", line.body, flags=re.I):
            inner.append(line)
        j += 1
    p.cues.append(Cue("answer", "details-block", start.no))
    first = next((ln for ln in inner if not ln.blank), None)
    said = cues.answer_text(first.body) if first else None
    if first is not None and said is not None:
        inner[inner.index(first)] = after_label(first, said)
    p.answer.extend(inner)
    p.answer_line = p.answer_line or first
    return j


# ---- options ----------------------------------------------------------------------------------------------


def answers_in_prose(region: Region, p: Parts, body: list[Line], i: int, *, labelled_later: bool) -> bool:
    """Under a heading or label that states its question, what follows the stem's paragraph is the answer: prose,
    or a list (unless the stem ends with `:` and so introduces the list). A paragraph that still asks something,
    a formula, or text followed by options stays in the stem. `labelled_later`: a line from i on holds an
    answer label."""
    line = body[i]
    if labelled_later:
        return False  # an answer label comes later: that is where the answer starts
    if region.start.family == "item":
        if line.quote > 0 and line.item is not None:
            return True  # a quote under an item
        head = region.lines[0]
        if line.no == head.no + 1 and not line.opens and head.body.rstrip().endswith(("?", "？")):
            return True  # `1. Capital of France?` broken by hand over `Paris`: the item's second line answers
        # a question item whose one nested item answers it: `- What is a join?` over `   - A clause that ...`
        nested = [ln for ln in region.lines if ln.opens_item and ln.depth == 2]
        last = next((ln for ln in reversed(p.stem) if not ln.blank), None)
        return nested == [line] and last is not None and last.depth <= 1 and cues.asks_plainly(last.body)
    if region.start.family == "line":  # a question on its own line: a list right under it answers it, and so
        # does the plain text right under a question written wholly in bold (`**What is hoisting?**` / `Moving...`)
        head = next((ln for ln in p.stem if not ln.blank), None)
        if head is not None and head.no == line.no - 1 and cues.bold_whole(head.body) and not cues.bold_whole(line.body):
            return True
        return line.opens_item and not p.marked_choices and all(ln.item is None for ln in p.stem)
    if region.opening or region.start.family not in ("heading", "label"):
        return False
    if not region.start.lab.text:
        # A bare label (`Question 1`) and the paragraph that asks: what follows it answers, where the document
        # states other questions on their label's line and answers them in prose.
        asked = [ln for ln in p.stem[1:] if not ln.blank]
        if not p.prose_answers or not asked or not asked[-1].body.rstrip().endswith("?"):
            return False
    if region.start.family != "heading" and not any(ln.blank for ln in p.stem[1:]) \
            and p.stem[-1].no == line.no - 1 and not line.opens_item:
        return False  # still the label's own paragraph (a heading is a paragraph of its own)
    if line.block in ("math", "table", "code") or line.body.startswith("!["):
        return False
    last = next((ln for ln in reversed(p.stem) if not ln.blank), None)
    stem_end = last.body if last else ""
    if line.opens_item or line.item:
        in_stem_list = last is not None and last.item is not None and line.item is not None \
            and last.item.depth == line.item.depth
        return not (stem_end.rstrip().endswith(":") or in_stem_list)
    if line.body.rstrip().endswith("?") or (not stem_end.rstrip().endswith("?") and cues.asks(line.body)):
        return False  # still asking: part of the stem
    nxt = next((ln for ln in body[i + 1:] if not ln.blank and ln.opens and not cues.noise_reason(ln.body)), None)
    return nxt is None or not _marked_option(nxt)


def _marked_option(line: Line) -> bool:
    """A line that can only be an option: lettered, a task box, a radio button or a check mark."""
    return bool(cues.LETTERED_OPTION.match(line.body) or cues.TASK.match(line.body) or cues.option_mark(line.body)[1]
                or marks.radio_marker(line.body)[1])


def answer_after(body: list[Line], j: int) -> str | None:
    for k, line in enumerate(body[j:], start=j):
        if line.blank:
            continue
        said = cues.answer_text(line.body)
        if said is not None:
            return said
        if line.body.lower().startswith("<details"):
            inner = Parts()
            read_details(body, k, inner)
            return "\n".join(ln.body for ln in inner.answer if not ln.blank)
        if line.opens_item and line.depth == 1:
            return None
    return None


def prose_after(body: list[Line], j: int) -> bool:
    return any(not ln.blank and not marks.is_feedback(ln.body) for ln in body[j:])
