"""Question-only list (numbered headings such as `## 10.2.1`, no answers) -> Questions."""
from __future__ import annotations

import re

from ..model import Diagnostic, Question, Skipped
from .common import HEADING, Line, figure_notes, make_question, markdown, skip_runs, to_lines, with_breaks

NAME = "question-list"
NUMBERED = re.compile(r"^(?:\*\*)?(?:Q(?:uestion)?\s*)?(\d+(?:\.\d+)*)\s*[.:]?(?:\*\*)?\s*[.:]?$")
SECTION = re.compile(r"^(\d+(?:\.\d+)?)\s+(\S.*)$")
BOLD_Q = re.compile(r"^\*\*Q(?:uestion)?\s*(\d+)[.:]?\*\*\s*(.*)$")
EXAMPLE = re.compile(r"^(?:worked\s+)?example\b", re.I)


def score(lines: list[str]) -> int:
    hits = 0
    for l in lines:
        h = HEADING.match(l)
        if (h and NUMBERED.match(h.group(2).strip())) or BOLD_Q.match(l.strip()):
            hits += 1
    return 5 * hits if hits >= 2 else 0


def read(raw: list[str], path: str, slug: str) -> tuple[list[Question], list[Skipped], list[Diagnostic], str]:
    lines = to_lines(raw)
    questions: list[Question] = []
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    titles: list[str] = []
    section_no, section = "", ""
    cur: dict | None = None
    mode = "title"  # what unheaded text belongs to: "title", "question", "section-intro", "commentary"

    def finish() -> None:
        if cur is not None and any(not l.blank for l in cur["body"]):
            questions.append(_question(cur, path, slug))
        elif cur is not None and cur.get("opening"):
            skipped.extend(skip_runs([cur["first"].no], "section heading"))
        elif cur is not None:
            skipped.extend(skip_runs([cur["first"].no], "question heading with no text"))
            skipped.extend(skip_runs([no for no in cur["lines"] if no != cur["first"].no],
                                     "worked example under a question heading with no text"))
            diags.append(Diagnostic(path, cur["first"].no, "warning", "question-empty",
                                    f"question {cur['number']} has a heading but no text"))

    for i, line in enumerate(lines):
        if line.blank:
            if cur is not None:
                cur["body"].append(line)
            continue
        h = HEADING.match(line.text)
        bold = BOLD_Q.match(line.stripped)
        text = h.group(2).strip() if h else ""
        num = NUMBERED.match(text) if h else None
        sec = SECTION.match(text) if h else None
        if num or bold:
            finish()
            number = num.group(1) if num else bold.group(1)  # type: ignore[union-attr]
            body = [Line(line.no, bold.group(2))] if bold and bold.group(2) else []
            cur = {"number": number, "first": line, "section": section, "body": body, "lines": [line.no],
                   "notes": []}
            mode = "question"
        elif sec:
            finish()
            cur = None
            section_no, section = sec.group(1), sec.group(2).strip()
            # Text right under a section heading is that section's opening question, which has no number.
            cur = {"number": f"{section_no}.0", "first": line, "section": section, "body": [], "lines": [line.no],
                   "notes": [], "opening": True}
            mode = "section-intro"
        elif h and _opens_question(lines[i + 1:]):
            # An unnumbered heading right above a question heading (`## LSTM`, `### Question 1`) names a section.
            finish()
            cur = None
            section = text.strip("* ")
            skipped += skip_runs([line.no], "section heading")
        elif h and mode == "title":
            titles.append(text.strip("* "))
            skipped += skip_runs([line.no], "document title")
        elif h and EXAMPLE.match(text) and cur is not None and mode in ("question", "example"):
            cur["notes"].append([line])  # a worked example belongs to the question before it
            cur["lines"].append(line.no)
            mode = "example"
        elif h:
            finish()
            cur = None
            mode = "commentary"
            skipped += skip_runs([line.no], f"commentary section “{text.strip('* ')}” (no question)")
        elif mode == "commentary" or cur is None:
            skipped += skip_runs([line.no], "commentary (no question)" if mode == "commentary" else "text before the first question")
        elif mode == "example":
            cur["notes"][-1].append(line)
            cur["lines"].append(line.no)
        else:
            cur["body"].append(line)
            cur["lines"].append(line.no)
    finish()
    return questions, skipped, diags, " — ".join(titles)


def _opens_question(rest: list[Line]) -> bool:
    """Whether the next non-blank line is a question heading."""
    nxt = next((l for l in rest if not l.blank), None)
    if nxt is None:
        return False
    h = HEADING.match(nxt.text)
    return bool((h and NUMBERED.match(h.group(2).strip())) or BOLD_Q.match(nxt.stripped))


def _question(cur: dict, path: str, slug: str) -> Question:
    body, figures, diags = figure_notes(with_breaks([l for l in cur["body"] if not l.blank]), path)
    notes = tuple("**" + HEADING.sub(r"\2", ex[0].stripped).strip("* ") + "**\n\n" + markdown(with_breaks(ex[1:]))
                  for ex in cur["notes"])
    opening = cur.get("opening", False)
    number = f"{cur['number'][:-2]} (opening question)" if opening else cur["number"]
    label = f"{cur['number'][:-2]}-opening" if opening else cur["number"]
    diags.append(Diagnostic(path, cur["first"].no, "info", "answer-missing", "the document gives no answer"))
    span_lines = cur["lines"]
    return make_question(slug, path, number, label, "open", markdown(body), (min(span_lines), max(span_lines)),
                         section=cur["section"], notes=notes, figures=tuple(figures), diagnostics=tuple(diags))
