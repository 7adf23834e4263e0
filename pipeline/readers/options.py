"""Which lines after a stem are its options: list items, lettered lines, radio buttons, True/False, lines
indented under the stem, a quiz page's lines with their verdicts; and whether a list is options at all."""
from __future__ import annotations

import re

from pipeline.model import Cue
from pipeline.readers import cues, marks, picks
from pipeline.readers.answers import answer_after, prose_after
from pipeline.readers.blocks import Line
from pipeline.readers.region import Region
from pipeline.readers.pieces import Option, Parts




TRUE_FALSE = re.compile(r"^(?:true|false|yes|no)\.?$", re.I)


def _lines(body: list[Line], i: int):  # noqa: ANN202 - a generator of (index, line)
    """The non-blank lines from body[i] on, with their index."""
    for j in range(i, len(body)):
        if not body[j].blank:
            yield j, body[j]


def _end(body: list[Line], i: int, j: int) -> int:
    """The index just after the last non-blank line before body[j] (at least i)."""
    while j > i and body[j - 1].blank:
        j -= 1
    return j


def take(p: Parts, options: list[Option], cue: str, j: int) -> None:
    p.options = options
    p.read = marks.read_options(options)
    p.options_cue = cue
    p.cues.append(Cue("options", cue, options[0].line.no))
    for o in options:
        p.used.extend([o.line.no] + [ln.no for ln in o.extra + o.feedback + o.explained])


def options_at(body: list[Line], i: int, p: Parts, region: Region, phase: str
                ) -> tuple[list[Option], str, int] | None:
    """The options that start at body[i] (with their cue and the index after them), or None."""
    line = body[i]
    if region.lines[0].quote and (line.block == "code" or (line.quote and line.inner >= 1)):
        options, j = quoted_page_options(body, i)
        cue = "quiz-page-lines"
    elif line.opens_item and line.item is not None:
        options, j = _list_options(body, i)
        cue = "task-list" if any(cues.TASK.match(o.text) for o in options) else "list-items"
    elif (inline := _inline_options(line)) is not None:
        options, j = inline, _end(body, i, i + 1)
        cue = "options-on-one-line"
    elif (m := cues.LETTERED_OPTION.match(line.body)) and cues.option_letter(m) == "a":
        options, j = _lettered_options(body, i)
        cue = "lettered-lines"
    elif marks.radio_marker(line.body)[1] in (marks.EMPTY, marks.SELECTED) and not line.item:
        options, j = _radio_lines(body, i)
        cue = "radio-lines"
    elif (verdicts := _verdict_lines(body, i, p)) is not None:
        options, j = verdicts
        cue = "quiz-page-verdicts"
    elif TRUE_FALSE.match(line.body):
        options, j = _line_options(body, i, lambda ln: bool(TRUE_FALSE.match(ln.body)))
        cue = "true-false"
    elif line.indent >= 4 and line.block == "paragraph" and not line.opens_item and _indented_run(body, i) >= 2:
        options, j = _line_options(body, i, lambda ln: ln.indent >= 4 and not marks.is_feedback(ln.body))
        cue = "indented-lines"
    else:
        return None
    # A checked box alone, with no other box in the question, is the one option the document lists.
    alone = len(options) == 1 and cue == "task-list" and (m := cues.TASK.match(options[0].text)) and m.group(1) != " " \
        and sum(1 for ln in body if ln.opens_item and cues.TASK.match(ln.body)) == 1
    if p.options_pin and cue not in p.options_pin:
        return None  # the overlay pins another kind of options
    if (len(options) < 2 and not alone) or not (cue in p.options_pin or _accept(options, cue, p, body, j, phase, region)):
        return None
    return options, cue, j


def _list_options(body: list[Line], i: int) -> tuple[list[Option], int]:
    depth = body[i].item.depth if body[i].item else 1
    options: list[Option] = []
    end = len(body)
    for j, line in _lines(body, i):
        own = bool(options) and line.item is not None and line.item.start == options[-1].line.no
        if line.opens_item and line.depth == depth:
            if (cues.answer_text(line.body) is not None and not marked_among(body, j, depth)) \
                    or marks.is_feedback(line.body) or \
                    (options and _other_kind(options[0].line, line)):
                end = j  # an answer, a verdict, or a list of another kind (`1.` stem or data bullets over `- [ ]`)
                break
            options.append(Option(line, line.body))
        elif options and line.item and line.depth > depth and marks.is_feedback(line.body):
            options[-1].feedback.append(line)
        elif own and line.depth >= depth and not line.opens_item and line.block == "paragraph" \
                and cues.answer_text(line.body) is None and cues.explanation_text(line.body) is None:
            (options[-1].feedback if marks.is_feedback(line.body) else options[-1].extra).append(line)
        elif own and line.block == "math":
            options[-1].extra.append(line)  # an option whose body is a displayed formula
        else:
            end = j
            break
    return options, _end(body, i, end)


_INLINE_LABEL = re.compile(r"(?:^|(?<=\s))\(([a-hA-H])\)\s+|(?:^|(?<=\s{2}))([a-hA-H])[.)]\s+"
                           r"|(?:^|(?<=\s))\*\*([a-hA-H])[.)]\*\*\s+")  # (a) 4, a. 4 after two spaces, **a.** 4


def _inline_options(line: Line) -> list[Option] | None:
    """`(a) 4 (b) 5 (c) 6 (d) 7`: three or more options lettered in order on one line, each its own option."""
    if line.block not in ("paragraph", "blank") or \
            line.body.count("(") < 3 and line.body.count("  ") < 2 and line.body.count("**") < 6:
        return None
    found = list(_INLINE_LABEL.finditer(line.body))
    letters = [(m.group(1) or m.group(2) or m.group(3)).lower() for m in found]
    if len(found) < 3 or found[0].start() != 0 or letters != list("abcdefgh"[:len(found)]):
        return None
    ends = [m.start() for m in found[1:]] + [len(line.body)]
    texts = [line.body[m.start():end].strip() for m, end in zip(found, ends)]
    if any(len(t) <= len(m.group(0).strip()) for t, m in zip(texts, found)):
        return None  # a label with nothing after it
    return [Option(line, t) for t in texts]


def stem_options(line: Line) -> tuple[str, list[Option]] | None:
    """`What is 6 / 2? (a) 2 (b) 3 (c) 4` on a question's own line: (the stem before the run, the options)."""
    if line.body.count("(") < 3:
        return None
    for m in re.finditer(r"(?<=\s)\([aA]\)\s+", line.body):
        rest = line.body[m.start():]
        found = _inline_options(Line(line.no, rest, "paragraph", line.opens, rest))
        stem = line.body[:m.start()].strip()
        if found and stem:
            return stem, found
    return None


def _lettered_options(body: list[Line], i: int) -> tuple[list[Option], int]:
    options: list[Option] = []
    end = len(body)
    for j, line in _lines(body, i):
        m = cues.LETTERED_OPTION.match(line.body)
        under = bool(options) and line.indent > options[-1].line.indent
        if m and cues.option_letter(m) == "abcdefgh"[len(options) % 8]:
            options.append(Option(line, line.body))
        elif under and marks.is_feedback(line.body):
            options[-1].feedback.append(line)
        elif under and not line.opens and line.block == "paragraph" and cues.answer_text(line.body) is None:
            options[-1].extra.append(line)
        elif options and line.block == "math":
            options[-1].extra.append(line)
        else:
            end = j
            break
    return options, _end(body, i, end)


def _verdict_lines(body: list[Line], i: int, p: Parts) -> tuple[list[Option], int] | None:
    """A quiz page copied as text: after the stem, options stand one per paragraph, and `Correct` or `Incorrect`
    follows each option the learner chose (a sentence after the verdict explains it)."""
    if not any(ln.body.strip() for ln in p.stem) or not _one_line(body, i) or marks.is_feedback(body[i].body):
        return None
    options: list[Option] = []
    end = len(body)
    for j, line in _lines(body, i):
        if line.block != "code" and cues.noise_reason(line.body):
            continue
        if not _one_line(body, j) or line.item or line.block != "paragraph" or cues.answer_text(line.body) is not None:
            end = j
            break
        if marks.is_feedback(line.body) and options:
            options[-1].feedback.append(line)
            options[-1].selected = True
        elif options and options[-1].feedback and not options[-1].explained and \
                (marks.verdict(options[-1].feedback) is False or cues.FEEDBACK_WORD.match(line.body)):
            options[-1].explained.append(line)  # why the chosen option was wrong (or, after `Correct`, `Yes, ...`)
        else:
            options.append(Option(line, line.body))
    chosen = any(o.selected for o in options)
    return (options, _end(body, i, end)) if chosen and len(options) >= 2 else None


def _one_line(body: list[Line], j: int) -> bool:
    """A paragraph of one line."""
    before = j == 0 or body[j - 1].blank
    after = j + 1 >= len(body) or body[j + 1].blank
    return before and after


def _radio_lines(body: list[Line], i: int) -> tuple[list[Option], int]:
    """Options written as lines that each begin with a radio button (`○ text`, `● text`), blank lines between
    them or not."""
    options: list[Option] = []
    end = len(body)
    for j, line in _lines(body, i):
        if marks.radio_marker(line.body)[1] not in (marks.EMPTY, marks.SELECTED):
            end = j
            break
        options.append(Option(line, line.body))
    return options, _end(body, i, end)


def marked_among(body: list[Line], j: int, depth: int) -> bool:
    """`- **Correct Answer:** text` among sibling items: an option its label marks, not an answer line."""
    if not (body[j].opens_item and cues.CORRECT_LEAD.match(body[j].body)):
        return False
    nxt = next((ln for ln in body[j + 1:] if not ln.blank and not (ln.item and ln.depth > depth)), None)
    prev = next((ln for ln in reversed(body[:j]) if not ln.blank and not (ln.item and ln.depth > depth)), None)
    return any(ln is not None and ln.opens_item and ln.depth == depth for ln in (nxt, prev))


def _other_kind(first: Line, line: Line) -> bool:
    """Items of two lists: numbered and bulleted, or with and without task boxes."""
    if first.item and line.item and first.item.ordered != line.item.ordered:
        return True
    return bool(cues.TASK.match(first.body)) != bool(cues.TASK.match(line.body))


def _line_options(body: list[Line], i: int, fits) -> tuple[list[Option], int]:  # noqa: ANN001
    options: list[Option] = []
    j = i
    while j < len(body) and not body[j].blank and fits(body[j]):
        options.append(Option(body[j], body[j].body))
        j += 1
    return options, j


def _indented_run(body: list[Line], i: int) -> int:
    n = 0
    for line in body[i:]:
        if line.blank or line.indent < 4 or line.opens_item or marks.is_feedback(line.body):
            break
        n += 1
    return n


def _accept(options: list[Option], cue: str, p: Parts, body: list[Line], j: int, phase: str, region: Region
            ) -> bool:
    """Whether a list is the question's options rather than part of its text: marks, letters, an answer that
    names one of them, or a document whose other questions have options."""
    if cue in ("task-list", "lettered-lines", "true-false", "indented-lines", "quiz-page-lines"):
        return True
    texts = [o.text for o in options]
    if any(c.name == "options-introduced" for c in p.cues):
        return True  # `**Options:**` over the list
    if marks.lettered(options) or any(mark for _, mark in marks.read_options(options)):
        return True  # `- A) ...` lettered items, or an option carries a mark
    if sum(1 for o in options if marks.radio_marker(o.text)[1]) >= 2 or any(o.feedback for o in options):
        return True  # a set of radio buttons (one alone may be text, `(a) ...`), or a verdict under an option
    if all(t.rstrip().endswith("?") for t in texts):
        return False  # sub-questions of the stem
    if phase == "answer":
        return True  # options written right after an empty `Answer:` label
    said = answer_after(body, j)
    if said is not None:
        head = region.lines[0]
        nested = head.item is not None and (options[0].line.depth > head.depth or options[0].line.indent > head.indent)
        return picks.answer_marks(said, texts)[0] is not None or nested
    short = all(len(t.split()) <= 25 for t in texts)
    if p.marked_choices and short and not prose_after(body, j):
        return True  # the document marks options elsewhere: this unmarked list is options too (and says so)
    if region.start.lab.text and region.start.family in ("heading", "label"):
        return False  # a list under a stated question is its answer, or part of its stem
    if not p.marked_choices:
        return False  # nothing in the document marks options: an unmarked list is part of the question
    stem_end = next((ln.body for ln in reversed(p.stem) if not ln.blank), "")
    if stem_end.rstrip().endswith(":") and prose_after(body, j):
        return False  # `... for:` followed by a list and then a prose answer: the list belongs to the stem
    return not prose_after(body, j)


def quoted_page_options(body: list[Line], i: int) -> tuple[list[Option], int]:
    """A quiz page copied as a blockquote: options are the quoted lines indented one step further than the text,
    and the chosen option stands outside the quote (an indented code block); `Correct` after an option confirms
    it, and the text after that verdict explains it."""
    options: list[Option] = []
    end = len(body)
    for j, line in _lines(body, i):
        if line.block != "code" and cues.noise_reason(line.body):
            continue
        if line.block == "code" or (line.quote and line.inner >= 1 and line.block == "paragraph"):
            options.append(Option(line, line.body, selected=line.block == "code"))
        elif options and marks.is_feedback(line.body):
            options[-1].feedback.append(line)
        elif options and options[-1].feedback:
            options[-1].explained.append(line)
        else:
            end = j
            break
    return options, end
