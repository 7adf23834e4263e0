"""Pieces of text every question shares: source lines -> clean Markdown, figure notes, feedback words,
and the check that every line of a document is accounted for."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import Diagnostic, Figure, Question, Skipped
from pipeline.readers.blocks import TextShape

BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
ORDERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

FIGURE_CAPTION = re.compile(r"^\s*(?:\*\*)?(Fig(?:ure)?\.?\s*\d+(?:\.\d+)*[a-z]?)(?:\*\*)?\s*:\s*(.*)$", re.I)
# Phrases that point at a picture the document should show right there; each holds one of the words after it.
FIGURE_WORDS = ("this", "follows", "below", "figure")
FIGURE_POINTERS = re.compile(
    r"(consider this (?:rnn|network|model|architecture)\b|you are training this \w+|as follows:\s*$"
    r"|shown below|as shown in the figure \d+|in the figure \d+|depicted below)",
    re.I,
)
FEEDBACK = re.compile(
    r"^(?:[-*]\s+)?(?:✓|✔|\$\\checkmark\$|\\checkmark)\s*(?:Correc(?:t)?\b)?\s*(?:Correct\b)?[\s,.!:]*"
    r"(?:Yes\b[\s,.!:]*)?(?:correct\b[\s,.!:]*)?",
    re.I,
)
FEEDBACK_WORDS = re.compile(r"^(?:Yes|Correct|Right|That's right)\b[\s,.!:]*(?:correct\b[\s,.!:]*)?", re.I)
# Only tags that cannot be notation: `<i>` and `<b>` are indices in `x(j)<i>`.
KNOWN_TAGS = re.compile(r"</?(?:ul|ol|li|p|br|span|div|strong|em)\s*/?>", re.I)
SUP = re.compile(r"([\w\u00c0-\u024f])<sup>((?:(?!</?sup>).){0,200})</sup>")  # stops at the next tag: linear
# Citation links such as `[[src]](https://...)` or `[[1]](...)`: references for the author, noise for a learner.
CITATION = re.compile(r"\s*\[\[[^\]\n]{1,40}\]\]\([^)\s]*\)")
_CHECKED_ITEM = re.compile(r"^(\s*[-*+]\s+)[✓✔]\s+")
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}")
_NOT_A_LABEL = re.compile(r"[.?!:$=]")
ABBREVIATION_END = re.compile(r"\b(?:i\.e|e\.g|etc|cf|vs)\.$", re.I)


@dataclass(frozen=True)
class TextLine(TextShape):
    """A line of Markdown being put together for a field (a source line as its Markdown text)."""
    no: int  # 1-based line number in the file
    text: str  # normalized text (tabs expanded, right-trimmed)
    verbatim: bool = False  # a line of code: kept exactly, never joined, cleaned or re-indented

    @property
    def blank(self) -> bool:
        return not self.text.strip()



def clean_inline(text: str) -> str:
    """HTML debris, decorative check marks and doubled spaces out; <sup> becomes math (`j<sup>th</sup>` -> $j^{th}$)."""
    # Each pattern only where its first character is there: most lines hold none (a fifth of reading a large
    # document went to these substitutions finding nothing).
    if "✓" in text or "✔" in text:
        text = _CHECKED_ITEM.sub(r"\1", text)
    if "[[" in text:
        text = CITATION.sub("", text)
    if "<" in text:
        text = _outside_code(text, lambda t: KNOWN_TAGS.sub("", SUP.sub(lambda m: f"${m.group(1)}^{{{m.group(2)}}}$", t)))
    if "  " in text:
        text = _DOUBLE_SPACE.sub(" ", text)
    return text.strip()


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def _outside_code(text: str, change) -> str:  # noqa: ANN001
    """`change` applied to the text between inline code spans: `<p>` written in backticks is code, not markup."""
    if "`" not in text:
        return change(text)
    out, at = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [change(text[at:m.start()]), m.group(0)]
        at = m.end()
    return "".join(out + [change(text[at:])])


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    if ABBREVIATION_END.search(text):
        return False
    return bool(text) and (text[-1] in ".?!:;)]\"'”’" or text.endswith("$$"))


def _starts_continuation(text: str) -> bool:
    s = text.lstrip()
    return bool(s) and s[0].islower() and not BULLET.match(text) and not ORDERED.match(text)


_BLOCK_START = re.compile(r"\s*(?:[-*+]\s|\d+[.)]\s|\$\$|\||#|>)")


def markdown(lines: list[TextLine]) -> str:
    """Source lines -> Markdown: paragraphs kept, wrapped lines and broken wraps rejoined, list nesting repaired,
    debris cleaned; code kept line for line."""
    paragraphs: list[list[str]] = []
    verbatim: list[bool] = []
    current: list[str] = []
    code = False
    for line in lines:
        if line.blank and not (code and line.verbatim):
            if current:
                paragraphs.append(current)
                verbatim.append(code)
                current = []
            continue
        if line.verbatim:
            if current and not code:
                paragraphs.append(current)
                verbatim.append(False)
                current = []
            code = True
            current.append(line.text)
            continue
        if code:
            paragraphs.append(current)
            verbatim.append(True)
            current, code = [], False
        text = _markdown_line(line, current)
        if current and not _BLOCK_START.match(text) and not current[-1].lstrip().startswith(("$$", "|")) \
                and not BULLET.match(current[-1]) and not ORDERED.match(current[-1]):
            current[-1] = current[-1].rstrip() + " " + text.lstrip()  # a wrapped line: one paragraph for the learner
        else:
            current.append(text)
    if current:
        paragraphs.append(current)
        verbatim.append(code)
    merged: list[list[str]] = []
    merged_code: list[bool] = []
    for para, is_code in zip(paragraphs, verbatim):
        if merged and not is_code and not merged_code[-1] and not _ends_sentence(merged[-1][-1]) \
                and _starts_continuation(para[0]) and not merged[-1][-1].lstrip().startswith("$$"):
            # A line wrap that the export broke with a blank line: "without using the" / "bidirectional ...".
            merged[-1][-1] = merged[-1][-1].rstrip() + " " + para[0].lstrip()
            merged[-1].extend(para[1:])
        else:
            merged.append(para)
            merged_code.append(is_code)
    return "\n\n".join("\n".join(p) for p in merged).strip()


def _markdown_line(line: TextLine, paragraph: list[str]) -> str:
    text = clean_inline(line.text)
    bullet = BULLET.match(line.text) or ORDERED.match(line.text)
    if bullet and line.indent and paragraph:
        # Sources nest lists with one space (" - item"); Markdown needs the parent's content column.
        return "  " * max(1, (line.indent + 1) // 2) + text
    return text


def label_line(text: str) -> bool:
    """A short caption-like line such as `GRU` or `## LSTM` that labels what follows."""
    s = HEADING.sub(r"\2", text.strip()).strip("*").strip()
    return bool(s) and len(s.split()) <= 3 and not _NOT_A_LABEL.search(s) and not BULLET.match(text.strip())


def figure_notes(lines: list[TextLine], path: str, where: str = "stem",
                 ) -> tuple[list[TextLine], list[Figure], list[Diagnostic]]:
    """Pull figure captions out of the text and report figures the text points at but the document lacks.
    `where` is the text they belong to ("stem" or "answer"), so a card or a paper shows them with it."""
    kept: list[TextLine] = []
    figures: list[Figure] = []
    diags: list[Diagnostic] = []
    # A question that shows a missing figure cannot be answered; one whose answer does still can.
    effect = ("; its cards are suspended and student papers leave it out until its overlay supplies the figure"
              if where == "stem" else "")

    def missing(line: TextLine, note: str, message: str) -> None:
        figures.append(Figure(where, note, line.no))
        diags.append(Diagnostic(path, line.no, "warning", "figure-missing", message + effect))

    for i, line in enumerate(lines):
        cap = FIGURE_CAPTION.match(line.text)
        if cap:
            caption = f"{cap.group(1)}: {cap.group(2).strip()}".rstrip(": ")
            missing(line, f"{caption} (the figure is not included in the source document)",
                    f"{cap.group(1)} is referred to but the document has no image; kept as a note")
            continue
        kept.append(line)
        low = line.text.lower()
        pointer = FIGURE_POINTERS.search(line.text) if any(w in low for w in FIGURE_WORDS) else None
        if pointer:
            phrase = pointer.group(1).strip().rstrip(":")
            missing(line, f"The source shows a figure here (“{phrase}”), which is not included in the document.",
                    f"the text points at a figure (“{phrase}”) that the document does not contain")
        elif line.text.rstrip().endswith(":") and re.search(r"\b(computed|given|defined) as:$", line.text.strip()):
            nxt = next((n for n in lines[i + 1:] if not n.blank), None)
            if nxt is not None and re.match(r"\s*where\b", nxt.text):
                missing(line, "The source shows an equation here that is not included in the document.",
                        "an equation introduced by “as:” is missing from the document")
    return kept, figures, diags


def is_multi(stem: str) -> bool:
    return bool(re.search(r"check all that apply|select all|choose all|all that apply|more than one", stem, re.I))


def strip_feedback(text: str) -> str:
    """`✓ Correct Yes! Because ...` -> `Because ...`."""
    s = FEEDBACK.sub("", text.strip(), count=1) if FEEDBACK.match(text.strip()) else text.strip()
    s = FEEDBACK_WORDS.sub("", s, count=1).strip() if FEEDBACK_WORDS.match(s) else s
    return s[:1].upper() + s[1:]


def coverage(lines: list[TextLine], questions: list[Question], skipped: list[Skipped], path: str) -> list[Diagnostic]:
    """Every non-blank line must sit in exactly one question's span or be skipped on purpose."""
    owner: list[str | None] = [None] * (len(lines) + 2)
    diags: list[Diagnostic] = []
    spans = [(q.source.line_start, q.source.line_end, q.id) for q in questions]
    spans += [(s.line_start, s.line_end, f"skipped ({s.reason})") for s in skipped]
    for start, end, who in spans:
        for no in range(start, min(end, len(lines)) + 1):
            if owner[no] is not None and not lines[no - 1].blank:
                diags.append(Diagnostic(path, no, "error", "line-overlap", f"line is in both {owner[no]} and {who}"))
            owner[no] = who
    for line in lines:
        if not line.blank and owner[line.no] is None:
            diags.append(Diagnostic(path, line.no, "error", "line-lost",
                                    f"line is in no question and was not skipped: “{line.stripped[:60]}”"))
    return diags


def skip_runs(numbers: list[int], reason: str) -> list[Skipped]:
    """Consecutive line numbers -> Skipped ranges."""
    runs: list[Skipped] = []
    for no in sorted(numbers):
        if runs and runs[-1].line_end == no - 1 and runs[-1].reason == reason:
            runs[-1] = Skipped(runs[-1].line_start, no, reason)
        else:
            runs.append(Skipped(no, no, reason))
    return runs


def with_breaks(lines: list[TextLine]) -> list[TextLine]:
    """Re-insert a blank line wherever two kept lines were not adjacent in the source (a paragraph break)."""
    out: list[TextLine] = []
    for line in lines:
        if out and line.no > out[-1].no + 1:
            out.append(TextLine(line.no - 1, "", out[-1].verbatim and line.verbatim))
        out.append(line)
    return out
