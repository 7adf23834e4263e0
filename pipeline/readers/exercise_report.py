"""Exercise report (table of contents, `Task N` sections, `Question N:` with prose answers) -> Questions."""
from __future__ import annotations

import re

from ..model import Diagnostic, Question, Skipped
from .common import (BULLET, HEADING, ORDERED, Line, make_question, markdown, open_parts, skip_runs,
                     slug_section, to_lines, with_breaks)

NAME = "exercise-report"
TASK = re.compile(r"^(?:#{1,6}\s+)?(?:\*\*)?Task\s+(\d+)(?:\*\*)?\s*[:.]?\s*(.*)$", re.I)
QUESTION = re.compile(r"^(?:#{1,6}\s+)?(?:\*\*)?Question\s+(\d+)\s*[:.)]?(?:\*\*)?\s*(.*)$", re.I)
TOC_TITLE = re.compile(r"^(?:table of )?contents$", re.I)
TOC_ENTRY = re.compile(r"^(.*\S)\s+(\d{1,4})$")


def score(lines: list[str]) -> int:
    # A bare `### Question 1` heading is how question lists label questions; a report states its question on the
    # label's line.
    hits = sum(bool(TASK.match(l) or ((q := QUESTION.match(l)) and q.group(2).strip())) for l in lines)
    return 6 * hits if hits >= 2 else 0


def _toc(lines: list[Line]) -> tuple[set[str], list[int]]:
    """Heading names listed in a table of contents, and the lines the table occupies."""
    for i, line in enumerate(lines):
        if TOC_TITLE.match(line.stripped.strip("#* ")):
            names, used = set(), [line.no]
            for entry in lines[i + 1:]:
                if entry.blank:
                    continue
                m = TOC_ENTRY.match(entry.stripped)
                if not m:
                    break
                names.add(m.group(1).strip())
                used.append(entry.no)
            return names, used
        if not line.blank:
            break
    return set(), []


def _is_heading(line: Line, prev: Line | None, nxt: Line | None, toc: set[str]) -> bool:
    s = line.stripped
    if HEADING.match(line.text):
        return True
    if s in toc:
        return True
    # Without a table of contents: a short title-case line standing alone between blank lines.
    alone = (prev is None or prev.blank) and (nxt is None or nxt.blank)
    return alone and len(s.split()) <= 4 and not re.search(r"[.?!:,;$]", s) and s[:1].isupper() \
        and not BULLET.match(s) and not ORDERED.match(s)


def read(raw: list[str], path: str, slug: str) -> tuple[list[Question], list[Skipped], list[Diagnostic], str]:
    lines = to_lines(raw)
    toc, toc_lines = _toc(lines)
    skipped = skip_runs(toc_lines, "table of contents")
    questions: list[Question] = []
    diags: list[Diagnostic] = []
    section, task, preamble = "", "", []
    cur: dict | None = None

    def finish() -> None:
        if cur is not None:
            questions.append(_question(cur, path, slug))

    for i, line in enumerate(lines):
        if line.blank or line.no in toc_lines:
            continue
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        t = TASK.match(line.stripped)
        q = QUESTION.match(line.stripped)
        if t:
            finish()
            skipped += skip_runs([l.no for l in preamble], "task set-up with no question")
            cur, task, preamble = None, t.group(1), []
            skipped += skip_runs([line.no], "task heading")
        elif q:
            finish()
            cur = {"number": q.group(1), "task": task, "section": section, "first": line,
                   "stem": [Line(line.no, q.group(2))], "context": preamble, "answer": [], "part": "stem",
                   "lines": [l.no for l in preamble] + [line.no]}
            preamble = []
        elif _is_heading(line, prev, nxt, toc):
            finish()
            skipped += skip_runs([l.no for l in preamble], "task set-up with no question")
            cur, task, preamble = None, "", []
            section = HEADING.sub(r"\2", line.stripped).strip("* ")
            skipped += skip_runs([line.no], "section heading")
        elif cur is None:
            if task:
                preamble.append(line)  # the task's set-up, shown with its first question
            else:
                skipped += skip_runs([line.no], "text outside any question")
                diags.append(Diagnostic(path, line.no, "info", "skipped-preamble", "text outside any question"))
        else:
            cur["lines"].append(line.no)
            in_list = bool(ORDERED.match(line.text) or BULLET.match(line.text))
            stem_ends_colon = cur["stem"][-1].stripped.endswith(":") or (cur["part"] == "stem-list")
            if cur["part"] == "stem" and not any(l.stripped for l in cur["stem"]):
                cur["stem"].append(line)  # a bare `Question 3` label: the question is the next line
            elif cur["part"] in ("stem", "stem-list") and in_list and stem_ends_colon and not cur["answer"]:
                cur["part"] = "stem-list"
                cur["stem"].append(line)
            else:
                cur["part"] = "answer"
                cur["answer"].append(line)
    finish()
    skipped += skip_runs([l.no for l in preamble], "task set-up with no question")
    return questions, skipped, diags, ""


def _question(cur: dict, path: str, slug: str) -> Question:
    stem, answer, figures, diags = open_parts(cur["stem"], cur["answer"], path, cur["first"].no)
    where = f"task{cur['task']}" if cur["task"] else slug_section(cur["section"]) or "q"
    number = f"Task {cur['task']}, Question {cur['number']}" if cur["task"] else f"{cur['section']} Question {cur['number']}"
    return make_question(slug, path, number.strip(), f"{where}-q{cur['number']}", "open", stem,
                         (min(cur["lines"]), max(cur["lines"])), answer=answer,
                         context=markdown(with_breaks(cur["context"])), section=cur["section"],
                         figures=figures, diagnostics=diags)

