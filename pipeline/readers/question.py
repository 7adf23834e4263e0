"""A region and its parts -> the finished Question: Markdown for every field, the correct marks decided,
the lines it covers."""
from __future__ import annotations

import re

from pipeline.model import Choice, Cue, Diagnostic, Question, SourceSpan
from pipeline.readers import cues, marks
from pipeline.readers.picks import read_answer
from pipeline.readers.blocks import Line
from pipeline.readers.region import Region
from pipeline.readers.pieces import Context, Parts
from pipeline.readers.text import TextLine
from pipeline.readers.text import clean_inline, figure_notes, is_multi, label_line, markdown, strip_feedback, with_breaks


def question(region: Region, p: Parts, ctx: Context) -> tuple[Question, list[int]]:
    """The finished question and the lines it covers."""
    diags: list[Diagnostic] = []
    qline = region.lines[0].no
    base = _base(region)
    stem_lines, figures, d1 = figure_notes(_stem_lines(p.stem, base), ctx.path)
    diags += d1
    stem = markdown(stem_lines)
    label = region.start.lab.label
    if label and not region.start.lab.text and stem[len(label):len(label) + 1] in (".", ")") \
            and stem.startswith(label) and stem[len(label) + 1:len(label) + 2].isspace():
        stem = stem[len(label) + 1:].lstrip()  # `# Question 1` over `1. text`: the number again
    answer_lines, fig2, d2 = figure_notes(_markdown_lines(p.answer, base), ctx.path, "answer")
    figures += fig2
    diags += d2
    answer = markdown(answer_lines)
    explanation = markdown(_markdown_lines(p.explanation, base))
    kind, choices = "open", ()
    q_cues = list(region.cues) + p.cues
    prose = any(c.name == "prose-after-question" for c in p.cues)  # not a labelled answer
    if not p.options and "\n" not in stem and (not answer or prose) and (inline := cues.ANSWER_IN_BRACKETS.search(stem)):
        if answer:  # the prose under it explains the answer the question's own line gives
            explanation = "\n\n".join(t for t in (answer, explanation) if t)
        stem, answer = stem[:inline.start()].rstrip(), inline.group(1).strip()  # `... ocean? (Answer: Pacific)`
        q_cues.append(Cue("answer", "answer-in-brackets", qline))
    elif not answer and not p.options and "\n" not in stem and (judged := cues.VERDICT_AFTER.search(stem)):
        stem, answer = stem[:judged.start()].rstrip(), judged.group(1)  # `The Sun is a star. **True**`
        q_cues.append(Cue("answer", "verdict-after-statement", qline))
    if p.options:
        correct, found, d3 = marks.decide(p, ctx, region, qline)
        diags += d3
        chosen = {"chosen-and-confirmed", "option-feedback", "radio-marker", "odd-radio-marker"}
        if p.partial is not None and any(correct) and found and found[0].name in chosen:
            diags.append(Diagnostic(ctx.path, p.partial[0], "warning", "answer-partial",
                                    f"the quiz page gave this question {p.partial[1]}: the options it marks correct "
                                    "may be incomplete or wrong"))
        q_cues += found
        if found and found[0].name == "stem-letter":  # the letter would give the answer away: it leaves the stem
            stem = cues.STEM_LETTER.sub(lambda m: m.group(0)[:1], stem, count=1)
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
        judged = cues.verdict(answer, stem) if answer and cues.judges(stem) else None
        if judged is not None:  # `True or false: ...` answered `**True** — because ...`: its two options
            (yes, no), true, why = judged
            choices = (Choice(yes, true, qline), Choice(no, not true, qline))
            kind, answer, explanation = "single_choice", "", "\n\n".join(t for t in (why, explanation) if t)
            q_cues.append(Cue("options", "true-false-statement", qline))
        elif not answer:
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
        if out and (line.block == "heading" or (label_line(line.body) and line.indent >= 4 and not line.opens_item
                                                and line.block != "code")):
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
        picks, cue, _, rest = read_answer(answer, [text for text, _ in p.read])
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
