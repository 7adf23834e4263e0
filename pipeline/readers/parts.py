"""One question's region -> its parts: stem, options with their correct marks, answer, explanation, source.

Every decision keeps its evidence as a Cue, and a weak or conflicting one becomes a diagnostic: options that
nothing marks, an answer letter that names no option, two cues that mark different options.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Choice, Cue, Diagnostic, Question, SourceSpan
from . import cues, marks
from .blocks import Line
from .layout import Region
from .text import Line as TextLine
from .text import clean_inline, figure_notes, is_multi, label_line, markdown, strip_feedback, with_breaks

LETTERED = re.compile(r"^(?:\*\*|__)?(?:\(([A-Ha-h])\)|([A-Ha-h])[.)])\s+(\S.*)$")
NUMBERED_OPTION = re.compile(r"^(\d)\)\s+(\S.*)$")
TRUE_FALSE = re.compile(r"^(?:true|false|yes|no)\.?$", re.I)


@dataclass
class Option:
    line: Line
    text: str  # the option as written, without its list marker
    extra: list[Line] = field(default_factory=list)  # wrapped continuation lines
    feedback: list[Line] = field(default_factory=list)  # `✓ Correct` / `Incorrect` written under the option
    selected: bool = False  # set apart by the layout itself (the quiz page's highlighted choice)
    explained: list[Line] = field(default_factory=list)  # text after the option's verdict that explains it


@dataclass
class Parts:
    """What one pass over a region found, before the correct marks are decided."""
    stem: list[Line] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    options_cue: str = ""
    answer: list[Line] = field(default_factory=list)
    answer_line: Line | None = None  # the labelled answer line, when there is one
    explanation: list[Line] = field(default_factory=list)
    feedback: list[Line] = field(default_factory=list)  # `✓ Correct ...` lines not under one option
    after: list[list[Line]] = field(default_factory=list)  # paragraphs after the options, before any answer
    attribution: str = ""
    used: list[int] = field(default_factory=list)  # line numbers that belong to the question
    cues: list[Cue] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # noise inside the question
    marked_choices: bool = False  # the document marks some options somewhere (so an unmarked list is options too)
    context: list[Line] = field(default_factory=list)  # a `Context:` paragraph before the stem
    partial: tuple[int, str] | None = None  # a quiz page's `0.5 / 1 point`: the marks it shows may be incomplete
    read: list[tuple[str, str]] = field(default_factory=list)  # each option as read (text, mark): marks.read_options
    prose_answers: bool = False  # some question of the document is stated on its label's line


@dataclass(frozen=True)
class Context:
    """What the whole document says that a question needs."""
    path: str
    slug: str
    family: str
    key: dict[str, tuple[str, int]]  # answer-key section: label -> (answer, line)
    marked_choices: bool  # some question of the document marks its options
    prose_answers: bool = False  # some question is stated on its label's line (so prose under it answers it)


# ---- one pass over the region -------------------------------------------------------------------------------

def segment(region: Region, ctx: Context) -> Parts:
    p = Parts(marked_choices=ctx.marked_choices, prose_answers=ctx.prose_answers)
    lines = region.lines
    head = lines[0]
    p.used.append(head.no)
    if region.opening:
        body = lines[1:]
    else:
        p.stem.append(Line(head.no, region.start.lab.text, "paragraph", True, region.start.lab.text))
        body = _continuation(lines, head, p)
    phase = "stem"
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
        if said is not None and phase != "answer" and not (said == "" and phase == "explanation"):
            phase = "answer"
            p.answer_line = line
            p.cues.append(Cue("answer", "answer-label", line.no))
            if said:
                p.answer.append(_text(line, said))
            i += 1
            continue
        explained = cues.explanation_text(line.body)
        stated = any(ln.body.strip() for ln in p.stem)
        if explained is not None and (p.options or phase == "answer" or stated):
            phase = "explanation"
            if explained:
                p.explanation.append(_text(line, explained))
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
                p.context.append(_text(line, said))
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
            i = _details(body, i, p)
            phase = "answer" if p.answer else phase
            continue
        if phase in ("stem", "after") or (phase == "answer" and not p.answer and not p.options):
            found = _options_at(body, i, p, region, phase)
            if found:
                if p.options:
                    p.used.pop()  # this line opens the next question
                    break  # a second set of options: the rest is another question (`readers._split`)
                _take(p, *found)
                i = found[2]
                phase = "after" if phase == "stem" else phase
                continue
        if phase == "stem" and _answers_in_prose(region, p, body, i):
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
    while j < len(lines) and not lines[j].blank and not lines[j].opens and lines[j].block == "paragraph" \
            and not _option_like(lines[j], head) and cues.answer_text(lines[j].body) is None \
            and not marks.is_feedback(lines[j].body):
        p.stem.append(lines[j])
        p.used.append(lines[j].no)
        j += 1
    return lines[j:]


def _option_like(line: Line, head: Line) -> bool:
    return bool(LETTERED.match(line.body) or cues.TASK.match(line.body)
                or (line.indent >= head.indent + 4 and not line.opens_item))


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


def _text(line: Line, text: str) -> Line:
    """A line standing for the text after a label on `line` (`Answer: b` -> `b`)."""
    return Line(line.no, text, "paragraph", True, text)


def _details(body: list[Line], i: int, p: Parts) -> int:
    """A `<details><summary>Answer</summary> ... </details>` block: its content is the answer."""
    start = body[i]
    inner: list[Line] = []
    j = i
    text = re.sub(r"<summary>.*?</summary>|</?details[^>]*>", "", start.body, flags=re.I).strip()
    if text:
        inner.append(_text(start, text))
    closed = "</details>" in start.body.lower()
    j += 1
    while j < len(body) and not closed:
        line = body[j]
        if not line.blank:
            p.used.append(line.no)
        if "</details>" in line.body.lower():
            rest = re.sub(r"</details>.*$", "", line.body, flags=re.I).strip()
            if rest:
                inner.append(_text(line, rest))
            j += 1
            break
        if not re.fullmatch(r"\s*<summary>.*</summary>\s*", line.body, flags=re.I):
            inner.append(line)
        j += 1
    p.cues.append(Cue("answer", "details-block", start.no))
    first = next((ln for ln in inner if not ln.blank), None)
    said = cues.answer_text(first.body) if first else None
    if first is not None and said is not None:
        inner[inner.index(first)] = _text(first, said)
    p.answer.extend(inner)
    p.answer_line = p.answer_line or first
    return j


# ---- options ----------------------------------------------------------------------------------------------

def _answers_in_prose(region: Region, p: Parts, body: list[Line], i: int) -> bool:
    """Under a heading or label that states its question, what follows the stem's paragraph is the answer: prose,
    or a list (unless the stem ends with `:` and so introduces the list). A paragraph that still asks something,
    a formula, or text followed by options stays in the stem."""
    line = body[i]
    if any(cues.answer_text(ln.body) is not None for ln in body[i:] if not ln.blank and ln.block != "code"):
        return False  # an answer label comes later: that is where the answer starts
    if region.start.family == "item":
        return line.quote > 0 and line.item is not None  # a quote under an item
    if region.opening or region.start.family not in ("heading", "label"):
        return False
    if not region.start.lab.text:
        # A bare label (`Question 1`) and the paragraph that asks: what follows it answers, where the document
        # states other questions on their label's line and answers them in prose.
        asked = [ln for ln in p.stem[1:] if not ln.blank]
        if not p.prose_answers or not asked or not asked[-1].body.rstrip().endswith("?"):
            return False
    if not any(ln.blank for ln in p.stem[1:]) and p.stem[-1].no == line.no - 1 and not line.opens_item:
        return False  # still the label's own paragraph
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
    return bool(LETTERED.match(line.body) or cues.TASK.match(line.body) or marks.option_mark(line.body)[1]
                or marks.radio_marker(line.body)[1])


def _take(p: Parts, options: list[Option], cue: str, j: int) -> None:
    p.options = options
    p.read = marks.read_options(options)
    p.options_cue = cue
    p.cues.append(Cue("options", cue, options[0].line.no))
    for o in options:
        p.used.extend([o.line.no] + [ln.no for ln in o.extra + o.feedback + o.explained])


def _options_at(body: list[Line], i: int, p: Parts, region: Region, phase: str
                ) -> tuple[list[Option], str, int] | None:
    """The options that start at body[i] (with their cue and the index after them), or None."""
    line = body[i]
    if region.lines[0].quote and (line.block == "code" or (line.quote and line.inner >= 1)):
        options, j = marks.quoted_page_options(body, i)
        cue = "quiz-page-lines"
    elif line.opens_item and line.item is not None:
        options, j = _list_options(body, i)
        cue = "task-list" if any(cues.TASK.match(o.text) for o in options) else "list-items"
    elif (m := LETTERED.match(line.body)) and (m.group(1) or m.group(2)).lower() == "a":
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
    if len(options) < 2 or not _accept(options, cue, p, body, j, phase, region):
        return None
    return options, cue, j


def _list_options(body: list[Line], i: int) -> tuple[list[Option], int]:
    depth = body[i].item.depth if body[i].item else 1
    options: list[Option] = []
    j = i
    while j < len(body):
        line = body[j]
        if line.blank:
            j += 1
            continue
        if line.opens_item and line.depth == depth:
            if cues.answer_text(line.body) is not None or marks.is_feedback(line.body):
                break
            options.append(Option(line, line.body))
        elif line.item and line.depth > depth and options and marks.is_feedback(line.body):
            options[-1].feedback.append(line)
        elif line.item and line.depth >= depth and options and not line.opens_item and line.block == "paragraph" \
                and line.item.start == options[-1].line.no and not line.blank and cues.answer_text(line.body) is None:
            if marks.is_feedback(line.body):
                options[-1].feedback.append(line)
            else:
                options[-1].extra.append(line)
        elif line.block == "math" and line.item and options and line.item.start == options[-1].line.no:
            options[-1].extra.append(line)  # an option whose body is a displayed formula
        else:
            break
        j += 1
    while j > i and body[j - 1].blank:
        j -= 1
    return options, j


def _lettered_options(body: list[Line], i: int) -> tuple[list[Option], int]:
    options: list[Option] = []
    expected = 0
    j = i
    while j < len(body):
        line = body[j]
        if line.blank:
            j += 1
            continue
        m = LETTERED.match(line.body)
        if m and (m.group(1) or m.group(2)).lower() == "abcdefgh"[expected]:
            options.append(Option(line, line.body))
            expected += 1
        elif options and marks.is_feedback(line.body) and line.indent > options[-1].line.indent:
            options[-1].feedback.append(line)
        elif options and not line.opens and line.block == "paragraph" and line.indent > options[-1].line.indent \
                and cues.answer_text(line.body) is None:
            options[-1].extra.append(line)
        elif options and line.block == "math":
            options[-1].extra.append(line)
        else:
            break
        j += 1
    while j > i and body[j - 1].blank:
        j -= 1
    return options, j


def _verdict_lines(body: list[Line], i: int, p: Parts) -> tuple[list[Option], int] | None:
    """A quiz page copied as text: after the stem, options stand one per paragraph, and `Correct` or `Incorrect`
    follows each option the learner chose (a sentence after the verdict explains it)."""
    if not any(ln.body.strip() for ln in p.stem) or not _one_line(body, i) or marks.is_feedback(body[i].body):
        return None
    options: list[Option] = []
    seen_verdict = False
    j = i
    while j < len(body):
        line = body[j]
        if line.blank or (line.block != "code" and cues.noise_reason(line.body)):
            j += 1
            continue
        if not _one_line(body, j) or line.item or line.block != "paragraph" or cues.answer_text(line.body) is not None:
            break
        if marks.is_feedback(line.body) and options:
            options[-1].feedback.append(line)
            options[-1].selected = True
            seen_verdict = True
        elif options and options[-1].feedback and not options[-1].explained and \
                (marks._verdict(options[-1].feedback) is False or cues.FEEDBACK_WORD.match(line.body)):
            options[-1].explained.append(line)  # why the chosen option was wrong (or, after `Correct`, `Yes, ...`)
        else:
            options.append(Option(line, line.body))
        j += 1
    while j > i and body[j - 1].blank:
        j -= 1
    return (options, j) if seen_verdict and len(options) >= 2 else None


def _one_line(body: list[Line], j: int) -> bool:
    """A paragraph of one line."""
    before = j == 0 or body[j - 1].blank
    after = j + 1 >= len(body) or body[j + 1].blank
    return before and after


def _radio_lines(body: list[Line], i: int) -> tuple[list[Option], int]:
    """Options written as lines that each begin with a radio button (`○ text`, `● text`), blank lines between
    them or not."""
    options: list[Option] = []
    j = i
    while j < len(body):
        line = body[j]
        if line.blank:
            j += 1
            continue
        if marks.radio_marker(line.body)[1] not in (marks.EMPTY, marks.SELECTED):
            break
        options.append(Option(line, line.body))
        j += 1
    while j > i and body[j - 1].blank:
        j -= 1
    return options, j


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
    if marks.lettered(options) or any(mark for _, mark in marks.read_options(options)):
        return True  # `- A) ...` lettered items, or an option carries a mark
    if any(marks.radio_marker(o.text)[1] or o.feedback for o in options):
        return True
    if all(t.rstrip().endswith("?") for t in texts):
        return False  # sub-questions of the stem
    if phase == "answer":
        return True  # options written right after an empty `Answer:` label
    said = _answer_after(body, j)
    if said is not None:
        head = region.lines[0]
        nested = head.item is not None and (options[0].line.depth > head.depth or options[0].line.indent > head.indent)
        return marks.answer_marks(said, texts)[0] is not None or nested
    short = all(len(t.split()) <= 25 for t in texts)
    if p.marked_choices and short and not _prose_after(body, j):
        return True  # the document marks options elsewhere: this unmarked list is options too (and says so)
    if region.start.lab.text and region.start.family in ("heading", "label"):
        return False  # a list under a stated question is its answer, or part of its stem
    if not ctx_marked(p):
        return False  # nothing in the document marks options: an unmarked list is part of the question
    stem_end = next((ln.body for ln in reversed(p.stem) if not ln.blank), "")
    if stem_end.rstrip().endswith(":") and _prose_after(body, j):
        return False  # `... for:` followed by a list and then a prose answer: the list belongs to the stem
    return not _prose_after(body, j)


def ctx_marked(p: Parts) -> bool:
    return p.marked_choices


def _answer_after(body: list[Line], j: int) -> str | None:
    for k, line in enumerate(body[j:], start=j):
        if line.blank:
            continue
        said = cues.answer_text(line.body)
        if said is not None:
            return said
        if line.body.lower().startswith("<details"):
            inner = Parts()
            _details(body, k, inner)
            return "\n".join(ln.body for ln in inner.answer if not ln.blank)
        if line.opens_item and line.depth == 1:
            return None
    return None


def _prose_after(body: list[Line], j: int) -> bool:
    return any(not ln.blank and not marks.is_feedback(ln.body) for ln in body[j:])


# ---- the question ----------------------------------------------------------------------------------------

def question(region: Region, p: Parts, ctx: Context) -> tuple[Question, list[int]]:
    """The finished question and the lines it covers."""
    diags: list[Diagnostic] = []
    qline = region.lines[0].no
    base = _base(region)
    stem_lines, figures, d1 = figure_notes(_stem_lines(p.stem, base), ctx.path)
    diags += d1
    stem = markdown(stem_lines)
    answer_lines, fig2, d2 = figure_notes(_markdown_lines(p.answer, base), ctx.path)
    figures += fig2
    diags += d2
    answer = markdown(answer_lines)
    explanation = markdown(_markdown_lines(p.explanation, base))
    kind, choices = "open", ()
    q_cues = list(region.cues) + p.cues
    if p.options:
        correct, found, d3 = marks.decide(p, ctx, region, qline)
        diags += d3
        chosen = {"chosen-and-confirmed", "option-feedback", "radio-marker", "odd-radio-marker"}
        if p.partial is not None and any(correct) and found and found[0].name in chosen:
            diags.append(Diagnostic(ctx.path, p.partial[0], "warning", "answer-partial",
                                    f"the quiz page gave this question {p.partial[1]}: the options it marks correct "
                                    "may be incomplete or wrong"))
        q_cues += found
        texts = [text for text, _ in p.read]
        choices = tuple(Choice(clean_inline(t), c, o.line.no) for t, o, c in zip(texts, p.options, correct))
        kind = "multi_choice" if is_multi(stem) or sum(correct) > 1 else "single_choice"
        answer, explanation = _choice_texts(p, answer, explanation, base)
    else:
        if p.feedback:
            diags.append(Diagnostic(ctx.path, qline, "warning", "choice-missing",
                                    "the question has quiz feedback (“✓ Correct”) but no options"))
            explanation = markdown([TextLine(ln.no, strip_feedback(ln.body)) for ln in p.feedback]
                                   + ([TextLine(0, ""), TextLine(0, explanation)] if explanation else []))
        entry = marks.key_entry(ctx, region)
        if not answer and entry is not None:
            answer = entry[0]  # the answer-key section at the end answers it
            q_cues.append(Cue("answer", "answer-key", entry[1]))
        if not answer:
            diags.append(Diagnostic(ctx.path, qline, "info", "answer-missing", "the document gives no answer"))
    context = markdown(_markdown_lines(region.context + p.context, base)) if region.context or p.context else ""
    notes = tuple("**" + ex[0].body.strip("*# ") + "**\n\n" + markdown(_markdown_lines(ex[1:], base))
                  for ex in region.notes)
    used = set(p.used) | {ln.no for ex in region.notes for ln in ex}
    if region.context_owned:
        used |= {ln.no for ln in region.context}
    if region.opening:
        used |= {ln.no for ln in region.lines if not ln.blank}
    q = Question(id=f"{ctx.slug}/{region.key}", document=ctx.slug, number=region.number, kind=kind, stem=stem,
                 source=SourceSpan(ctx.path, min(used), max(used)), choices=choices, answer=answer,
                 explanation=explanation, context=context, section=region.section, attribution=p.attribution,
                 figures=tuple(figures), notes=notes, diagnostics=tuple(diags), cues=tuple(q_cues))
    return q, sorted(used)


def _base(region: Region) -> tuple[int, int, int]:
    """The question's own list item (its first line, 0 for none) and the column its text starts at: other list
    items in the question keep their markers and their nesting relative to that column."""
    head = region.lines[0]
    if head.item and head.opens_item:
        return head.item.start, len(head.inside) - len(head.inside.lstrip()) + _marker_width(head), 0
    return 0, 0, 0


def _marker_width(line: Line) -> int:
    m = re.match(r"\s*(?:[-*+]|\d+[.)])\s+", line.inside)
    return len(m.group(0)) - (len(line.inside) - len(line.inside.lstrip())) if m else 2


def _markdown_lines(lines: list[Line], base: tuple[int, int, int]) -> list[TextLine]:
    return with_breaks([_plain(ln, base) for ln in lines if not ln.blank])


def _plain(line: Line, base: tuple[int, int, int]) -> TextLine:
    """The line as Markdown: blockquote markers and the question's own indentation removed; lists inside the
    question keep their markers and relative nesting; code keeps every character."""
    if line.block == "code":
        inside = line.inside
        return TextLine(line.no, inside[min(base[1], len(inside) - len(inside.lstrip())):], verbatim=True)
    if line.item is not None and line.item.start != base[0] and line.block != "heading":
        inside = line.inside
        cut = min(base[1], len(inside) - len(inside.lstrip()))
        return TextLine(line.no, inside[cut:])
    return TextLine(line.no, line.body)


def _stem_lines(stem: list[Line], base: tuple[int, int, int]) -> list[TextLine]:
    """Stem lines as Markdown: label lines inside the stem (`## GRU`, a lone indented `GRU`) become bold labels."""
    out: list[TextLine] = []
    for line in stem:
        if line.blank:
            continue
        if out and (line.block == "heading" or (label_line(line.body) and line.indent >= 4 and not line.opens_item)):
            label = line.body.strip("*# ")
            out += [TextLine(line.no, ""), TextLine(line.no, f"**{label}**"), TextLine(line.no, "")]
        else:
            out.append(_plain(line, base))
    return with_breaks(out)


def _choice_texts(p: Parts, answer: str, explanation: str, base: tuple[int, int, int]) -> tuple[str, str]:
    """A choice question's answer line that only names options is not an answer text: what follows it is the
    explanation. Feedback under the options and paragraphs after them explain too."""
    parts: list[str] = []
    parts += [strip_feedback(ln.body) for ln in p.feedback]
    parts += [strip_feedback(ln.body) for o in p.options for ln in o.feedback]
    parts += [ln.body for o in p.options for ln in o.explained]
    if answer and p.answer_line is not None:
        picks, cue, _, rest = marks.read_answer(answer, [text for text, _ in p.read])
        if picks is not None and cue in ("answer-letters", "answer-number"):
            answer = ""  # the answer points at options by letter: what it says beyond that explains them
            if rest:
                parts.append(rest)
    after = [_markdown_lines(para, base) for para in p.after if para]
    if after and after[0]:
        first = after[0][0]
        after[0][0] = TextLine(first.no, strip_feedback(first.text))
    body = markdown([TextLine(0, t) for t in parts if t] + [TextLine(0, "")]
                    + [ln for para in after for ln in para + [TextLine(0, "")]])
    if explanation:
        body = (body + "\n\n" + explanation).strip()
    return answer, body
