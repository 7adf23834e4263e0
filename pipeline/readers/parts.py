"""One question's region -> its parts: stem, options, answer, explanation, attribution, in one pass."""
from __future__ import annotations

import re

from pipeline.model import Cue
from pipeline.readers import cues, marks
from pipeline.readers.answers import answers_in_prose, read_details, after_label
from pipeline.readers.blocks import Line
from pipeline.readers.region import Region
from pipeline.readers.options import marked_among, options_at, stem_options, take
from pipeline.readers.pieces import Context, Parts


def segment(region: Region, ctx: Context) -> Parts:
    p = Parts(marked_choices=ctx.marked_choices, prose_answers=ctx.prose_answers, options_pin=ctx.options_pin)
    lines = region.lines
    head = lines[0]
    p.used.append(head.no)
    if region.opening:
        body = lines[1:]
    else:
        text = region.start.lab.text
        inline = stem_options(Line(head.no, text, "paragraph", True, text)) if "(" in text else None
        if inline and (not p.options_pin or "options-in-stem-line" in p.options_pin):
            text = inline[0]
        p.stem.append(Line(head.no, text, "paragraph", True, text))
        body = _continuation(lines, head, p)
        if text != region.start.lab.text and inline:
            take(p, inline[1], "options-in-stem-line", 0)
    phase = "after" if p.options else "stem"  # options on the question's own line: what follows comes after them
    # The last line holding an answer label, found once: asking "is there one further down?" at every line
    # made a long table or answer quadratic.
    last_label = max((k for k, ln in enumerate(body) if not ln.blank and ln.block != "code"
                      and cues.answer_text(ln.body) is not None), default=-1)
    i = 0
    while i < len(body):
        line = body[i]
        if line.blank:
            _add(p, phase, line)
            i += 1
            continue
        reason = cues.noise_reason(line.body) if line.block != "code" else None
        if reason or line.block == "hr":
            p.skipped.append((line.no, reason or "horizontal rule"))
            got = re.match(r"^\W*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", line.body) if reason == "points widget" else None
            if got and float(got.group(1)) < float(got.group(2)):
                p.partial = (line.no, line.body.strip("*_ "))
            i += 1
            continue
        p.used.append(line.no)
        said = cues.answer_text(line.body) if line.block != "code" else None
        if said is not None and marked_among(body, i, line.depth):
            said = None  # `- **Correct Answer:** text` among the options: it marks one of them
        if said and phase == "answer" and p.answer_line is not None and cues.SOLUTION_LABEL.match(p.answer_line.body) \
                and not cues.SOLUTION_LABEL.match(line.body):
            # `**Solution:**` worked through, then `✅ **Answer: c**`: the working explains, the answer answers
            p.explanation = [ln for ln in p.answer if not ln.blank] + p.explanation
            p.answer = []
            phase = "explanation"
        if said is not None and phase != "answer" and not (said == "" and phase == "explanation"):
            phase = "answer"
            p.answer_line = line
            p.cues.append(Cue("answer", "answer-label", line.no))
            if said:
                p.answer.append(after_label(line, said))
            i += 1
            continue
        explained = cues.explanation_text(line.body)
        stated = any(ln.body.strip() for ln in p.stem)
        if explained is not None and (p.options or phase == "answer" or stated):
            phase = "explanation"
            if explained:
                p.explanation.append(after_label(line, explained))
            i += 1
            continue
        attribution = cues.ATTRIBUTION.match(line.body)
        if attribution and phase in ("answer", "explanation", "after") and not line.item:
            p.attribution = f"Source: {attribution.groups()[-1].strip()}"
            i += 1
            continue
        setup = cues.CONTEXT.match(line.body)
        if setup and phase == "stem" and not any(not ln.blank for ln in p.stem if ln.no != head.no):
            # `Context: ...` before the stem, or `Context:` over a blockquote of several paragraphs
            p.cues.append(Cue("start", "context-label", line.no))
            said = setup.groups()[-1]
            if said:
                p.context.append(after_label(line, said))
            i += 1
            while not said and i < len(body) and (body[i].blank or body[i].quote):
                if not body[i].blank or (p.context and i + 1 < len(body) and body[i + 1].quote):
                    p.context.append(body[i])
                    p.used.append(body[i].no)
                i += 1
            continue
        if cues.OPTIONS_INTRO.match(line.body) and phase == "stem":
            p.cues.append(Cue("options", "options-introduced", line.no))
            i += 1
            continue
        if line.body.lower().startswith("<details"):
            i = read_details(body, i, p)
            phase = "answer" if p.answer else phase
            continue
        if phase in ("stem", "after") or (phase == "answer" and not p.answer and not p.options):
            found = options_at(body, i, p, region, phase) if p.options_cue != "options-in-stem-line" else None
            if found:
                if p.options:
                    p.used.pop()  # this line opens the next question
                    break  # a second set of options: the rest is another question (`readers._split`)
                take(p, *found)
                i = found[2]
                phase = "after" if phase == "stem" else phase
                continue
        if phase == "stem" and answers_in_prose(region, p, body, i, labelled_later=last_label >= i):
            phase = "answer"
            p.cues.append(Cue("answer", "prose-after-question", line.no))
        if marks.is_feedback(line.body) and (p.options or phase in ("after", "stem")):
            p.feedback.append(line)
            i += 1
            continue
        _add(p, phase, line)
        i += 1
    p.rest = body[i:] if i < len(body) else []  # type: ignore[attr-defined]
    return p


def _continuation(lines: list[Line], head: Line, p: Parts) -> list[Line]:
    """The start line's own paragraph: wrapped stem lines stay in the stem; lines indented under it that look
    like options (a quiz export's tab-indented choices) are handed on as the body."""
    j = 1
    # `**What is hoisting?**` over plain text in one paragraph: a card, the plain text its answer (in the body)
    card = (head.body.endswith(("**", "__")) and cues.bold_whole(head.body) is not None and cues.asks_plainly(head.body)) \
        or (head.body.rstrip().endswith(("?", "？")) and len(lines) > 1 and not cues.asks(lines[1].body))
    while j < len(lines) and not lines[j].blank and not lines[j].opens and lines[j].block == "paragraph" \
            and not _option_like(lines[j], head) and cues.answer_text(lines[j].body) is None \
            and not marks.is_feedback(lines[j].body) and not (card and j == 1 and not cues.bold_whole(lines[j].body)):
        p.stem.append(lines[j])
        p.used.append(lines[j].no)
        j += 1
    return lines[j:]


def _option_like(line: Line, head: Line) -> bool:
    return bool(cues.LETTERED_OPTION.match(line.body) or cues.TASK.match(line.body)
                or (line.indent >= head.indent + 4 and not line.opens_item) or _radio_button(line.body))


def _radio_button(text: str) -> bool:
    """`( ) Mars`, `(x) Jupiter`, `○ Venus`: a radio button written out (a bare `O` is too often a word)."""
    s = text.strip()
    return marks.radio_marker(s)[1] in (marks.EMPTY, marks.SELECTED) and not s.startswith("O ")


def _add(p: Parts, phase: str, line: Line) -> None:
    if phase == "stem":
        p.stem.append(line)
    elif phase == "answer":
        p.answer.append(line)
    elif phase == "explanation":
        p.explanation.append(line)
    elif line.blank:
        if p.after and p.after[-1]:
            p.after.append([])
    else:
        if not p.after:
            p.after.append([])
        p.after[-1].append(line)
