"""Quiz-platform export (radio markers, `✓ Correct` feedback, grade banner) -> Questions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Diagnostic, Question, Skipped
from .common import (BULLET, HEADING, Line, OptionDraft, choices_from, decide_correct, figure_notes, is_feedback,
                     is_multi, label_line, make_question, markdown, option_marker, skip_runs, strip_feedback,
                     to_lines, with_breaks)

NAME = "quiz-export"
NUMBERED = re.compile(r"^(?:[-*]\s+)?(?:Q(?:uestion)?\s*)?(\d{1,3})\s*[.):]\s*(\S.*)$")
BANNER = re.compile(r"(latest submission grade|^\d{1,3}(?:\.\d+)?\s*%$|^grade\b|^to pass\b)", re.I)


def score(lines: list[str]) -> int:
    hits = sum(bool(re.search(r"✓|✔|\\checkmark|\\bigcirc|\\bigcap|LATEST SUBMISSION GRADE", l)) for l in lines)
    return 10 * hits if hits >= 2 else 0


@dataclass
class _Group:
    kind: str  # "text", "opts" or "feedback"
    lines: list[Line] = field(default_factory=list)
    options: list[OptionDraft] = field(default_factory=list)


def _starts(lines: list[Line]) -> list[tuple[int, str | None]]:
    """Indices of lines that open a question, with the number the document gives it (if any)."""
    starts: list[tuple[int, str | None]] = []
    expected = 1
    for i, line in enumerate(lines):
        if line.blank or line.indent:
            continue
        m = NUMBERED.match(line.text)
        if m and int(m.group(1)) >= expected and int(m.group(1)) <= expected + 3:
            starts.append((i, m.group(1)))
            expected = int(m.group(1)) + 1
            continue
        if BULLET.match(line.text) and _has_nested_options(lines, i):
            starts.append((i, None))
            expected += 1
    return starts


def _has_nested_options(lines: list[Line], i: int) -> bool:
    nested = 0
    for line in lines[i + 1:]:
        if line.blank:
            continue
        if not line.indent:
            break
        if BULLET.match(line.text) and not is_feedback(line.text):
            nested += 1
    return nested >= 2


def _groups(region: list[Line], bullet_start: bool) -> list[_Group]:
    groups: list[_Group] = []
    i = 0
    while i < len(region):
        line = region[i]
        if line.blank:
            if groups and groups[-1].kind == "text":
                groups.append(_Group("text"))  # paragraph break
            i += 1
            continue
        if is_feedback(line.text):
            opts = groups[-1] if groups and groups[-1].kind == "opts" else None
            if opts and line.indent > opts.options[-1].line.indent:
                opts.options[-1].feedback = True
                opts.options[-1].extra.append(line)
            else:
                groups.append(_Group("feedback", [line]))
            i += 1
            continue
        bullet = BULLET.match(line.text)
        indented_run = not bullet and line.indent >= 4 and (_run_length(region, i) >= 2 or _ends_run(region, i, groups))
        if (bullet and (line.indent > 0 or not bullet_start)) or indented_run:
            text = bullet.group(2) if bullet else line.stripped
            clean, marker = option_marker(text)
            draft = OptionDraft(line, clean, marker)
            if groups and groups[-1].kind == "opts":
                groups[-1].options.append(draft)
            elif groups and groups[-1].kind == "text" and not groups[-1].lines and len(groups) >= 2 \
                    and groups[-2].kind == "opts":
                groups[-1] = _Group("opts", options=[draft])  # options split by blank lines stay one list
            else:
                groups.append(_Group("opts", options=[draft]))
            i += 1
            continue
        if groups and groups[-1].kind == "opts" and line.indent > groups[-1].options[-1].line.indent:
            groups[-1].options[-1].text += " " + line.stripped  # a wrapped option
            groups[-1].options[-1].extra.append(line)
            i += 1
            continue
        if not groups or groups[-1].kind != "text":
            groups.append(_Group("text"))
        groups[-1].lines.append(line)
        i += 1
    merged: list[_Group] = []
    for g in groups:
        if g.kind == "text" and not g.lines:
            if merged and merged[-1].kind == "text" and merged[-1].lines:
                merged.append(g)
            continue
        if g.kind == "opts" and merged and merged[-1].kind == "opts":
            merged[-1].options.extend(g.options)
            continue
        merged.append(g)
    return [g for g in merged if g.kind != "text" or g.lines]


def _ends_run(region: list[Line], i: int, groups: list[_Group]) -> bool:
    """The last line of a run of unbulleted options (no `✓` line after it to lengthen the run)."""
    if i == 0 or not groups or groups[-1].kind != "opts":
        return False
    prev = region[i - 1]
    return prev is groups[-1].options[-1].line and not BULLET.match(prev.text) and prev.indent == region[i].indent


def _run_length(region: list[Line], i: int) -> int:
    n = 0
    for line in region[i:]:
        if line.blank or line.indent < 4 or BULLET.match(line.text):
            break
        n += 1
    return n


def read(raw: list[str], path: str, slug: str) -> tuple[list[Question], list[Skipped], list[Diagnostic], str]:
    lines = to_lines(raw)
    starts = _starts(lines)
    diags: list[Diagnostic] = []
    skipped: list[Skipped] = []
    title = ""
    head_end = starts[0][0] if starts else len(lines)
    for line in lines[:head_end]:
        if line.blank:
            continue
        heading = HEADING.match(line.text)
        if heading and not BANNER.search(heading.group(2)) and not title:
            title = heading.group(2).strip("* ")
            skipped += skip_runs([line.no], "document title")
        elif BANNER.search(line.stripped.strip("#* ")):
            skipped += skip_runs([line.no], "grade banner of the export")
        else:
            skipped += skip_runs([line.no], "text before the first question")
            diags.append(Diagnostic(path, line.no, "info", "skipped-preamble", "text before the first question is not part of any question"))
    questions: list[Question] = []
    count = 0
    for k, (idx, number) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        region = lines[idx:end]
        first = region[0]
        bullet_start = bool(BULLET.match(first.text)) and not NUMBERED.match(first.text)
        m = NUMBERED.match(first.text)
        first_text = m.group(2) if m else BULLET.match(first.text).group(2)  # type: ignore[union-attr]
        head = Line(first.no, first_text)
        groups = _groups(region[1:], bullet_start or bool(re.match(r"^[-*]\s", first.text)))
        for part in _split(head, groups):
            # The document's own number where it gives one; a question that lost its number follows on.
            count = int(number) if number and part["first"] else count + 1
            questions.append(_question(part, path, slug, str(count)))
    return questions, skipped, diags, title


def _split(head: Line, groups: list[_Group]) -> list[dict]:
    """One region can hold two questions when the export lost the second one's number."""
    parts: list[dict] = []
    current = {"first": True, "stem": [head], "options": [], "after": [], "feedback": []}
    for g in groups:
        if g.kind == "opts":
            last = max((o.line.no for o in current["options"]), default=0)
            # Only paragraphs below the options can open the next question; any above them stay where they are.
            paragraphs = [p for p in current["after"] if p[0].no > last]
            if current["options"] and paragraphs:
                keep = paragraphs[:1] if len(paragraphs) >= 2 else []
                new_stem = with_breaks([l for p in paragraphs[len(keep):] for l in p])
                current["after"] = [p for p in current["after"] if p[0].no < last] + keep
                # Feedback below the moved paragraphs belongs to the new question, or the two spans would overlap.
                moved = [l for l in current["feedback"] if l.no > new_stem[0].no]
                current["feedback"] = [l for l in current["feedback"] if l.no < new_stem[0].no]
                parts.append(current)
                current = {"first": False, "stem": new_stem, "options": [], "after": [], "feedback": moved}
            current["options"].extend(g.options)
        elif g.kind == "feedback":
            current["feedback"].extend(g.lines)
        elif current["options"] or current["feedback"]:
            current["after"].append(g.lines)
        else:
            if current["stem"] and g.lines:
                current["stem"].append(Line(g.lines[0].no - 1, ""))  # keep the paragraph break
            current["stem"].extend(g.lines)
    parts.append(current)
    return parts


def _question(part: dict, path: str, slug: str, number: str) -> Question:
    stem_lines: list[Line] = []
    for line in part["stem"]:
        if not line.blank and label_line(line.text) and stem_lines:
            label = HEADING.sub(r"\2", line.stripped).strip("* ")
            stem_lines += [Line(line.no, ""), Line(line.no, f"**{label}**"), Line(line.no, "")]
        else:
            stem_lines.append(Line(line.no, line.stripped) if not line.blank else line)
    stem_lines, figures, diags = figure_notes(stem_lines, path)
    stem = markdown(stem_lines)
    options: list[OptionDraft] = part["options"]
    all_lines = [l.no for l in part["stem"]] + [o.line.no for o in options]
    all_lines += [l.no for o in options for l in o.extra] + [l.no for l in part["feedback"]]
    all_lines += [l.no for p in part["after"] for l in p]
    qline = part["stem"][0].no
    explanation_parts = [strip_feedback(l.text) for l in part["feedback"]]
    explanation_parts += [strip_feedback(t) for o in options for t in (l.text for l in o.extra if is_feedback(l.text))]
    after = [Line(l.no, l.stripped) for p in part["after"] for l in p + [Line(p[-1].no, "")]]
    if after:
        after[0] = Line(after[0].no, strip_feedback(after[0].text))
    explanation = markdown([Line(0, t) for t in explanation_parts if t] + [Line(0, "")] + after)
    if options:
        correct, cd = decide_correct(options, path, qline)
        diags += cd
        kind = "multi_choice" if is_multi(stem) or sum(correct) > 1 else "single_choice"
        choices = choices_from(options, correct)
    else:
        kind, choices = "open", ()
        diags.append(Diagnostic(path, qline, "warning", "choice-missing", "a quiz question with no options"))
    q = make_question(slug, path, number, f"q{int(number):02d}", kind, stem, (min(all_lines), max(all_lines)),
                      choices=choices, explanation=explanation, figures=tuple(figures),
                      diagnostics=tuple(diags))
    return q
