"""Bullet quiz (questions as bullets or numbers, `Answer:` lines, options as nested bullets) -> Questions."""
from __future__ import annotations

import re

from ..model import Diagnostic, Question, Skipped
from .common import (BULLET, HEADING, LETTERED, ORDERED, Line, OptionDraft, choices_from, figure_notes, is_multi,
                     letters_answer, make_question, markdown, option_marker, prose_answer, skip_runs,
                     to_lines)

NAME = "bullet-quiz"
ANSWER = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?Answer(?:\*\*)?\s*[:.](?:\*\*)?\s*(.*)$", re.I)
Q_LABEL = re.compile(r"^(?:#{1,6}\s+)?(?:\*\*)?(?:Q|Question)\s*(\d+)\s*[.:)]?\s*(?:\*\*)?\s*[.:)]?\s*(.*)$")
NUMBER = re.compile(r"^(?:[-*]\s+)?(\d{1,3})[.)]\s+(\S.*)$")


def score(lines: list[str]) -> int:
    hits = sum(bool(ANSWER.match(l)) and bool(ANSWER.match(l).group(1).strip()) for l in lines)  # type: ignore[union-attr]
    return 10 * hits if hits >= 2 else 0


def _start(line: Line, expected: int, answered: bool, listed: set[int]) -> tuple[str | None, str] | None:
    """(number, stem text) when this line opens a question; `listed` holds the numbers of the stem's own list."""
    if line.indent:
        return None
    m = Q_LABEL.match(line.text)
    if m:
        return m.group(1), m.group(2)
    m = NUMBER.match(line.text)
    if m and expected <= int(m.group(1)) <= expected + 3 and (answered or expected == 1):
        return m.group(1), m.group(2)
    if m and int(m.group(1)) == expected and expected - 1 not in listed:
        # A question with no answer ends where the next number follows, unless that number continues its stem's list.
        return m.group(1), m.group(2)
    b = BULLET.match(line.text)
    if b and answered and not re.match(r"\[[ xX✓]\]", b.group(2)):
        return None, b.group(2)
    return None


def read(raw: list[str], path: str, slug: str) -> tuple[list[Question], list[Skipped], list[Diagnostic], str]:
    lines = to_lines(raw)
    questions: list[Question] = []
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    title, section = "", ""
    current: dict | None = None
    expected = 1

    def finish() -> None:
        if current is not None:
            questions.append(_question(current, path, slug))

    for line in lines:
        if line.blank:
            if current is not None:
                current["answer" if current["answer_started"] else "stem"].append(line)
            continue
        heading = HEADING.match(line.text)
        listed = {int(o.group(2)) for l in current["stem"][1:] if (o := ORDERED.match(l.text))} if current else set()
        start = _start(line, expected, current is None or current["answer_started"], listed)
        if heading and not Q_LABEL.match(line.text):
            finish()
            current = None
            section = heading.group(2).strip("* ")
            title = title or section
            skipped += skip_runs([line.no], "section heading")
            continue
        if start is not None:
            finish()
            number = start[0] or str(expected)
            expected = int(number) + 1
            current = {"number": number, "section": section, "first": line, "stem": [Line(line.no, start[1])],
                       "options": [], "answer": [], "answer_started": False}
            continue
        if current is None:
            skipped += skip_runs([line.no], "text before the first question")
            diags.append(Diagnostic(path, line.no, "info", "skipped-preamble",
                                    "text before the first question is not part of any question"))
            continue
        ans = ANSWER.match(line.text)
        if ans and not current["answer_started"]:
            current["answer_started"] = True
            current["answer"].append(Line(line.no, ans.group(1)))
            continue
        if not current["answer_started"]:
            b = BULLET.match(line.text)
            lettered = LETTERED.match(line.stripped)
            # Lettered options may be indented under their question (`   a) ...`) or not (`A. ...`).
            if (b and (line.indent or re.match(r"\[[ xX✓]\]", b.group(2)))) or lettered:
                text = b.group(2) if b else line.stripped
                clean, marker = option_marker(text)
                current["options"].append(OptionDraft(line, clean, marker))
                continue
            if current["options"] and line.indent and not b:
                current["options"][-1].text += " " + line.stripped
                current["options"][-1].extra.append(line)
                continue
            current["stem"].append(line)
        else:
            current["answer"].append(line)
    finish()
    return questions, skipped, diags, title


def _question(cur: dict, path: str, slug: str) -> Question:
    stem_lines, figures, diags = figure_notes([Line(l.no, l.stripped) for l in cur["stem"]], path)
    ans_lines, fig2, d2 = figure_notes([Line(l.no, l.stripped) for l in cur["answer"]], path)
    figures += fig2
    diags += d2
    stem = markdown(stem_lines)
    answer = markdown(ans_lines)
    options: list[OptionDraft] = cur["options"]
    kind, choices, explanation = "open", (), ""
    qline = cur["first"].no
    if options:
        from .common import strip_letters
        texts, _ = strip_letters([o.text for o in options])
        markers = [o.marker for o in options]
        if any(m in ("checked", "unchecked") for m in markers):
            correct = [m == "checked" for m in markers]
        else:
            first_line = answer.split("\n", 1)[0]
            correct = letters_answer(first_line, len(options)) or prose_answer(answer, texts)
        if not any(correct):
            diags.append(Diagnostic(path, qline, "error", "choice-unmarked",
                                    "no option is marked correct and the answer names none of them"))
        kind = "multi_choice" if is_multi(stem) or sum(correct) > 1 else "single_choice"
        choices = choices_from(options, correct)
        if letters_answer(answer.split("\n", 1)[0], len(options)) is not None:
            answer, explanation = "", answer.split("\n", 1)[1].strip() if "\n" in answer else ""
    if not answer and not options:
        diags.append(Diagnostic(path, qline, "info", "answer-missing", "the document gives no answer"))
    # The opening line belongs to the question even when it is only a label (`### Question 1`).
    spans = [qline] + [l.no for l in cur["stem"] + cur["answer"] if l.text.strip()] + [o.line.no for o in options]
    spans += [l.no for o in options for l in o.extra]
    return make_question(slug, path, cur["number"], f"q{int(cur['number']):02d}", kind, stem,
                         (min(spans), max(spans)), choices=choices, answer=answer, explanation=explanation,
                         section=cur["section"], figures=tuple(figures), diagnostics=tuple(diags))
