"""Document -> the project's own Markdown layout, which the reader reads back to the same questions.

    # Title

    ## Section

    ### Question 1

    Context: a set-up shared with the question (optional)

    The stem, any Markdown and $math$.

    A. an option
    B. another option

    Answer: B

    Explanation: why B is right.

    Source: where the question comes from (optional)

Open questions have an `Answer:` line (alone, followed by paragraphs, when the answer is longer than one
paragraph) and no options. A line of the text that would read as a label (`A. ...`, `Answer: ...`) is escaped.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.files.atomic import write_output
from pipeline.model import Bank, Diagnostic, Document, Question
from pipeline.readers import cues

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTERED = re.compile(r"^\(?[A-Za-z][.)]\s")
_PUNCT = re.compile(r"[.:)]")


def write(bank: Bank, out: Path) -> list[Diagnostic]:
    """build/markdown/<document>.md for each document that read without errors: the bank as curated, in the
    layout above, for a person to review or to keep as the new source."""
    diags: list[Diagnostic] = []
    for doc in bank.good:
        if doc.questions:
            diags += write_output(out / "markdown" / f"{doc.slug}.md", document_markdown(doc))
    return diags


def document_markdown(doc: Document) -> str:
    """The whole document in the canonical layout."""
    out = [f"# {_one_line(doc.title)}", ""]
    section = ""
    for n, q in enumerate(doc.questions, start=1):
        if q.section and q.section != section:
            section = q.section
            out += [f"## {_one_line(section)}", ""]
        out += question_markdown(q, n)
    return "\n".join(out).rstrip() + "\n"


def question_markdown(q: Question, n: int) -> list[str]:
    out = [f"### Question {n}", ""]
    if q.context.strip():
        context = _escape(q.context)
        out += ([f"Context: {context}"] if "\n" not in context else
                ["Context:", ""] + [f"> {line}".rstrip() for line in context.split("\n")]) + [""]
    stem = _escape(q.stem)
    if _ORDERED.match(stem):  # a stem that opens `1. ...` under its label would read as the label's number again
        stem = re.sub(r"^(\d+)([.)])", r"\1\\\2", stem, count=1)
    out += [stem, ""]
    if q.choices:
        out += [f"{LETTERS[i]}. {_one_line(c.text)}" for i, c in enumerate(q.choices)]
        out.append("")
        marked = [LETTERS[i] for i, c in enumerate(q.choices) if c.correct]
        if marked:
            out += [f"Answer: {', '.join(marked)}", ""]
    elif q.answer.strip():
        answer = _escape(q.answer)
        out += ([f"Answer: {answer}"] if "\n" not in answer else ["Answer:", "", answer]) + [""]
    # A choice question's answer is its marked options: any text its source gave as the answer explains them.
    why = "\n\n".join(t.strip() for t in ((q.answer, q.explanation) if q.choices else (q.explanation,)) if t.strip())
    if why:
        explanation = _escape(why)
        out += ([f"Explanation: {explanation}"] if "\n" not in explanation else ["Explanation:", "", explanation])
        out.append("")
    if q.attribution.strip():
        out += [_one_line(q.attribution) if q.attribution.lower().startswith("source:")
                else f"Source: {_one_line(q.attribution)}", ""]
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """Backslash the punctuation that would make a line of the text read as a label, an option or an answer
    line (`A. ...` -> `A\\. ...`): the reader's own cues decide which lines need it."""
    lines = []
    for line in text.strip().split("\n"):
        body = line.strip()
        if _label_like(body):
            m = _PUNCT.search(line, len(line) - len(line.lstrip()))
            if body.startswith("("):
                line = line.replace("(", "\\(", 1)
            elif m:
                line = line[:m.start()] + "\\" + line[m.start():]
        lines.append(line)
    return "\n".join(lines)


_ORDERED = re.compile(r"^\d{1,9}[.)](?:\s|$)")  # `1. text` would open a numbered list


def _label_like(body: str) -> bool:
    lab = cues.label(body, heading=False)
    return bool(_LETTERED.match(body) or (lab and lab.cue != "part-label") or (lab and cues.asks_plainly(lab.text))
                or cues.answer_text(body) is not None or cues.explanation_text(body) is not None
                or cues.ATTRIBUTION.match(body) or cues.CONTEXT.match(body))
