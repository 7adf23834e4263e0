"""A document's layout as the reader inferred it, in a small fixed vocabulary with how many questions each part
explains: `questions: headings "### N." (10, 1-10) · options: list (10/10) · correct: letter in answer line (10/10)`.
The same vocabulary pins a part in an overlay's `[layout]` table (`overlay.py`)."""
from __future__ import annotations

import re
from collections import Counter

from pipeline.model import Document, Question

# cue name -> the vocabulary's word for it, per part. Cues not listed are shown by their own name.
QUESTIONS = {
    "numbered-heading": "headings", "question-heading": "headings", "part-heading": "headings",
    "bold-label": "bold labels", "question-label": "labels", "export-number": "labels", "group-label": "labels",
    "part-label": "part labels", "ordered-item": "numbered items", "labelled-item": "numbered items",
    "bullet-item": "bullets", "question-per-line": "one per line", "text-before-options": "text before options",
    "table-row": "table rows", "asking-heading": "asking headings", "asking-paragraph": "asking paragraphs",
    "answered-heading": "answered headings", "listed-question": "listed questions",
}
OPTIONS = {
    "list-items": "list", "list-run": "list", "task-list": "task list", "lettered-lines": "lettered lines",
    "table-run": "table rows", "lines-run": "lines", "true-false": "true/false", "radio-lines": "radio buttons",
    "indented-lines": "indented lines", "quiz-page-lines": "quiz page", "quiz-page-verdicts": "quiz page",
    "options-introduced": None, "marked-line-after-options": None, "table-columns": "table columns",
    "options-on-one-line": "options on one line", "options-in-stem-line": "options on one line",
}
CORRECT = {
    "answer-letters": "letter in answer line", "answer-number": "number in answer line",
    "answer-text": "option text in answer line", "answer-names-options": "option words in answer line",
    "answer-key": "answer key", "task-checked": "[x]", "check-mark": "check mark", "correct-suffix": "(correct) note",
    "bold-option": "bold", "chosen-and-confirmed": "chosen option", "radio-marker": "radio marker",
    "odd-radio-marker": "radio marker", "option-feedback": "feedback under option", "answer-column": "answer column",
}
_SHAPE = re.compile(r"^\s*((?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:[^\W\d_]+\.?\s*)?)(\d+)((?:\.\d+)*[.):]?(?:\*\*|__)?)")


def _word(table: dict, name: str) -> str | None:
    if name.startswith("learned-mark:"):
        return "learned " + name.split(":", 1)[1]
    return table.get(name, name)


def _first(q: Question, role: str) -> str | None:
    return next((c.name for c in q.cues if c.role == role and "(overruled)" not in c.name), None)


def layout_line(doc: Document) -> str:
    """The inferred layout, or "" for a document with no questions."""
    qs = list(doc.questions)
    if not qs:
        return ""
    parts = []
    starts = Counter(_word(QUESTIONS, n) for q in qs if (n := _first(q, "start")))
    if starts:
        word, count = starts.most_common(1)[0]
        shape = _shape(doc, [q for q in qs if _word(QUESTIONS, _first(q, "start") or "") == word])
        numbers = [int(q.number) for q in qs if q.number.isdigit()]
        span = f", {min(numbers)}-{max(numbers)}" if numbers else ""
        parts.append(f"questions: {word}{shape} ({count}{span})")
    choice = [q for q in qs if q.choices]
    if choice:
        opts = Counter(w for q in choice if (w := _options_word(q)))
        parts.append("options: " + ", ".join(f"{w} ({k}/{len(choice)})" for w, k in opts.most_common(2)))
        marks = Counter(_word(CORRECT, n) for q in choice if (n := _first(q, "correct")))
        unmarked = len(choice) - sum(marks.values())
        said = ", ".join(f"{w} ({k}/{len(choice)})" for w, k in marks.most_common(2))
        parts.append("correct: " + (said or "none") + (f"; unmarked {unmarked}" if unmarked else ""))
    return " · ".join(parts)


def _options_word(q: Question) -> str | None:
    for c in q.cues:
        if c.role == "options":
            word = _word(OPTIONS, c.name)
            if word:
                return word
    return None


def _shape(doc: Document, qs: list[Question]) -> str:
    """The start line's shape with its number as N (`### N.`, `## Question N`, `**N.**`), when most agree."""
    shapes = Counter()
    for q in qs:
        k = q.source.line_start
        line = doc.lines[k - 1] if 0 < k <= len(doc.lines) else ""
        m = _SHAPE.match(line)
        if m:
            shapes[m.group(1).lstrip() + "N" + re.sub(r"^(\.\d+)+", "", m.group(3))] += 1
    if not shapes:
        return ""
    shape, count = shapes.most_common(1)[0]
    return f' "{shape.strip()}"' if count * 2 >= len(qs) else ""
