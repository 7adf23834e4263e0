"""Interview Q&A (`Q1:` questions, an `Answer` line, a `Source:` attribution) -> Questions."""
from __future__ import annotations

import re

from ..model import Diagnostic, Question, Skipped
from .common import HEADING, Line, make_question, open_parts, skip_runs, to_lines

NAME = "interview"
ANSWER_LABEL = re.compile(r"^\s*(?:#{1,6}\s+)?(?:\*\*)?Answers?(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$", re.I)
START = re.compile(r"^(?:#{1,6}\s+)?(?:\*\*)?(?:Q|Question)\s*(\d+)\s*[.:)]?\s*(?:\*\*)?\s*[.:)]?\s*(.*)$")
NUMBER = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
SOURCE = re.compile(r"^\s*(?:\*\*)?(?:Source|Sources|From)(?:\*\*)?\s*:\s*(.+)$", re.I)


def score(lines: list[str]) -> int:
    labels = sum(bool(ANSWER_LABEL.match(l)) for l in lines if l.strip())
    return 10 * labels + sum(bool(SOURCE.match(l)) for l in lines) if labels >= 2 else 0


def read(raw: list[str], path: str, slug: str) -> tuple[list[Question], list[Skipped], list[Diagnostic], str]:
    lines = to_lines(raw)
    questions: list[Question] = []
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    title = ""
    cur: dict | None = None
    expected = 1
    labelled = False

    def finish() -> None:
        if cur is not None:
            questions.append(_question(cur, path, slug))

    for line in lines:
        if line.blank:
            continue
        m = START.match(line.text) if not line.indent else None
        n = NUMBER.match(line.text) if not line.indent else None
        # Plain "12." numbering opens a question only in documents that do not use "Q12:" labels, and only in
        # sequence, so numbered lists inside answers stay in their answer.
        if n and (labelled or not expected <= int(n.group(1)) <= expected + 3):
            n = None
        labelled = labelled or bool(m)
        if m or n:
            finish()
            number, text = (m or n).group(1), (m or n).group(2)  # type: ignore[union-attr]
            expected = int(number) + 1
            cur = {"number": number, "first": line, "stem": [Line(line.no, text)], "answer": [], "source": "",
                   "part": "stem", "lines": [line.no]}
            continue
        if cur is None:
            heading = HEADING.match(line.text)
            if not title:
                title = (heading.group(2) if heading else line.stripped).strip("* ")
                skipped += skip_runs([line.no], "document title")
            else:
                skipped += skip_runs([line.no], "text before the first question")
            continue
        cur["lines"].append(line.no)
        if ANSWER_LABEL.match(line.text) and cur["part"] == "stem":
            cur["part"] = "answer"
            continue
        src = SOURCE.match(line.text)
        if src and cur["part"] == "answer":
            cur["source"] = src.group(1).strip()
            continue
        cur[cur["part"]].append(line)
    finish()
    return questions, skipped, diags, title


def _question(cur: dict, path: str, slug: str) -> Question:
    stem, answer, figures, diags = open_parts(cur["stem"], cur["answer"], path, cur["first"].no)
    return make_question(slug, path, cur["number"], f"q{int(cur['number']):02d}", "open", stem,
                         (min(cur["lines"]), max(cur["lines"])), answer=answer,
                         attribution=f"Source: {cur['source']}" if cur["source"] else "",
                         figures=figures, diagnostics=diags)

