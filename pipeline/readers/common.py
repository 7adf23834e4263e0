"""Pieces every reader shares: source lines -> clean Markdown, option markers, figures, numbering."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Choice, Diagnostic, Question, Skipped, SourceSpan

BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
ORDERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FIGURE_CAPTION = re.compile(r"^\s*(?:\*\*)?(Fig(?:ure)?\.?\s*\d+(?:\.\d+)*[a-z]?)(?:\*\*)?\s*:\s*(.*)$", re.I)
# Phrases that point at a picture the document should show right there.
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
SUP = re.compile(r"([\w\u00c0-\u024f])<sup>(.*?)</sup>")
ABBREVIATION_END = re.compile(r"\b(?:i\.e|e\.g|etc|cf|vs)\.$", re.I)


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the file
    text: str  # normalized text (tabs expanded, right-trimmed)

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def stripped(self) -> str:
        return self.text.strip()


def to_lines(raw: list[str]) -> list[Line]:
    return [Line(i + 1, t) for i, t in enumerate(raw)]


def clean_inline(text: str) -> str:
    """HTML debris, decorative check marks and doubled spaces out; <sup> becomes math (`j<sup>th</sup>` -> $j^{th}$)."""
    text = re.sub(r"^(\s*[-*+]\s+)[✓✔]\s+", r"\1", text)
    text = SUP.sub(lambda m: f"${m.group(1)}^{{{m.group(2)}}}$", text)
    text = KNOWN_TAGS.sub("", text)
    text = re.sub(r"(?<=\S) {2,}", " ", text)
    return text.strip()


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    if ABBREVIATION_END.search(text):
        return False
    return bool(text) and (text[-1] in ".?!:;)]\"'”’" or text.endswith("$$"))


def _starts_continuation(text: str) -> bool:
    s = text.lstrip()
    return bool(s) and s[0].islower() and not BULLET.match(text) and not ORDERED.match(text)


def markdown(lines: list[Line]) -> str:
    """Source lines -> Markdown: paragraphs kept, broken wraps rejoined, list nesting repaired, debris cleaned."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.blank:
            if current:
                paragraphs.append(current)
                current = []
            continue
        current.append(_markdown_line(line, current))
    if current:
        paragraphs.append(current)
    merged: list[list[str]] = []
    for para in paragraphs:
        if merged and not _ends_sentence(merged[-1][-1]) and _starts_continuation(para[0]) \
                and not merged[-1][-1].lstrip().startswith("$$"):
            # A line wrap that the export broke with a blank line: "without using the" / "bidirectional ...".
            merged[-1][-1] = merged[-1][-1].rstrip() + " " + para[0].lstrip()
            merged[-1].extend(para[1:])
        else:
            merged.append(para)
    return "\n\n".join("\n".join(p) for p in merged).strip()


def _markdown_line(line: Line, paragraph: list[str]) -> str:
    text = clean_inline(line.text)
    bullet = BULLET.match(line.text) or ORDERED.match(line.text)
    if bullet and line.indent and paragraph:
        # Sources nest lists with one space (" - item"); Markdown needs the parent's content column.
        return "  " * max(1, (line.indent + 1) // 2) + text
    return text


def label_line(text: str) -> bool:
    """A short caption-like line such as `GRU` or `## LSTM` that labels what follows."""
    s = HEADING.sub(r"\2", text.strip()).strip("*").strip()
    return bool(s) and len(s.split()) <= 3 and not re.search(r"[.?!:$=]", s) and not BULLET.match(text.strip())


def figure_notes(lines: list[Line], path: str) -> tuple[list[Line], list[str], list[Diagnostic]]:
    """Pull figure captions out of the text and report figures the text points at but the document lacks."""
    kept: list[Line] = []
    notes: list[str] = []
    diags: list[Diagnostic] = []
    for i, line in enumerate(lines):
        cap = FIGURE_CAPTION.match(line.text)
        if cap:
            caption = f"{cap.group(1)}: {cap.group(2).strip()}".rstrip(": ")
            notes.append(f"{caption} (the figure is not included in the source document)")
            diags.append(Diagnostic(path, line.no, "warning", "figure-missing",
                                    f"{cap.group(1)} is referred to but the document has no image; kept as a note"))
            continue
        kept.append(line)
        pointer = FIGURE_POINTERS.search(line.text)
        if pointer:
            nxt = next((n for n in lines[i + 1:] if not n.blank), None)
            phrase = pointer.group(1).strip().rstrip(":")
            notes.append(f"The source shows a figure here (“{phrase}”), which is not included in the document.")
            diags.append(Diagnostic(path, line.no, "warning", "figure-missing",
                                    f"the text points at a figure (“{phrase}”) that the document does not contain"))
        elif line.text.rstrip().endswith(":") and re.search(r"\b(computed|given|defined) as:$", line.text.strip()):
            nxt = next((n for n in lines[i + 1:] if not n.blank), None)
            if nxt is not None and re.match(r"\s*where\b", nxt.text):
                notes.append("The source shows an equation here that is not included in the document.")
                diags.append(Diagnostic(path, line.no, "warning", "figure-missing",
                                        "an equation introduced by “as:” is missing from the document"))
    return kept, notes, diags


# ---- choices -------------------------------------------------------------------------------------

EMPTY = "empty"  # an unselected radio button or box, in any of the exports' spellings
SELECTED = "selected"  # a filled, bold or otherwise highlighted option
NONE = "none"

_MARKERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\$\\textbf\{\s*(.*?)\s*\}\$$"), SELECTED),
    (re.compile(r"^<ul>\s*<li>(.*?)</li>\s*</ul>$"), "html"),
    (re.compile(r"^\[[xX✓]\]\s*(.*)$"), "checked"),
    (re.compile(r"^\[ \]\s*(.*)$"), "unchecked"),
    (re.compile(r"^\$\\big(?:circ|cap|cup)\$\s*(.*)$"), EMPTY),
    (re.compile(r"^\$\\big(?:circ|cap|cup)\s+(.*)$"), EMPTY),  # marker inside the option's own math
    (re.compile(r"^\$igorup\s+(.*)$"), "garbled"),  # `\bigcup` whose `\b` was eaten as a backspace
    (re.compile(r"^(?:○|◯|⚪|O|\(\s?\))\s+(.*)$"), EMPTY),
    (re.compile(r"^(?:●|◉|⦿)\s+(.*)$"), SELECTED),
    (re.compile(r"^\(a\)\s+(.*)$"), SELECTED),
    (re.compile(r"^\.\s+(.*)$"), "debris"),
]
LETTERED = re.compile(r"^\(?([A-Ha-h])[.)]\s+(.*)$")


def option_marker(text: str) -> tuple[str, str]:
    """Option text -> (text without marker, marker class)."""
    s = text.strip()
    for pattern, kind in _MARKERS:
        m = pattern.match(s)
        if m:
            inner = m.group(1)
            return _balance(inner), kind
    return s, NONE


def _balance(text: str) -> str:
    """`$\\bigcap T_x < T_y$` lost its marker: `T_x < T_y$` needs its opening `$` back."""
    text = text.strip()
    if text.count("$") % 2 == 1 and text.endswith("$") and not text.startswith("$"):
        return "$" + text
    if text.count("$") % 2 == 1 and text.startswith("$") and "$" not in text[1:]:
        return text + "$"
    return text


def strip_letters(texts: list[str]) -> tuple[list[str], bool]:
    """Drop `a)` / `A.` / `(b)` labels when every option carries them in sequence."""
    matches = [LETTERED.match(t.strip()) for t in texts]
    if len(texts) >= 2 and all(matches):
        letters = [m.group(1).lower() for m in matches if m]
        if letters == [chr(ord("a") + i) for i in range(len(texts))]:
            return [m.group(2) for m in matches if m], True
    return texts, False


@dataclass
class OptionDraft:
    line: Line
    text: str
    marker: str = NONE
    feedback: bool = False  # a `✓ Correct` nested under this option
    extra: list[Line] = field(default_factory=list)


def decide_correct(options: list[OptionDraft], path: str, qline: int) -> tuple[list[bool], list[Diagnostic]]:
    """Infer which options the document marks correct, and report what the text does not support."""
    n = len(options)
    markers = [o.marker for o in options]
    if any(m in ("checked", "unchecked") for m in markers):
        return [m == "checked" for m in markers], []
    by_marker = [m in (SELECTED,) for m in markers]
    if not any(by_marker) and n >= 3:
        # The export drops the filled radio button of the chosen option: the one option whose marker differs
        # from the empty buttons around it is the chosen one.
        empties = [m == EMPTY for m in markers]
        odd = [i for i, e in enumerate(empties) if not e]
        if len(odd) == 1 and sum(empties) >= 2:
            by_marker = [i == odd[0] for i in range(n)]
    by_feedback = [o.feedback for o in options]
    letters = "ABCDEFGH"
    if any(by_marker) and any(by_feedback) and by_marker != by_feedback:
        chosen = ", ".join(letters[i] for i, v in enumerate(by_marker) if v)
        flagged = ", ".join(letters[i] for i, v in enumerate(by_feedback) if v)
        return by_marker, [Diagnostic(path, qline, "warning", "choice-ambiguous",
                                      f"option {chosen} carries the answer marker but “✓ Correct” follows option "
                                      f"{flagged}; took {chosen}")]
    if any(by_marker):
        odd_kinds = {markers[i] for i, v in enumerate(by_marker) if v} - {SELECTED, "checked"}
        if odd_kinds & {"garbled", "debris"}:
            chosen = ", ".join(letters[i] for i, v in enumerate(by_marker) if v)
            return by_marker, [Diagnostic(path, qline, "warning", "choice-ambiguous",
                                          f"option {chosen} is told apart only by an unreadable marker")]
        return by_marker, []
    if any(by_feedback):
        return by_feedback, []
    return [False] * n, [Diagnostic(path, qline, "error", "choice-unmarked", "no option is marked correct")]


def is_multi(stem: str) -> bool:
    return bool(re.search(r"check all that apply|select all|choose all|all that apply|more than one", stem, re.I))


def strip_feedback(text: str) -> str:
    """`✓ Correct Yes! Because ...` -> `Because ...`."""
    s = FEEDBACK.sub("", text.strip(), count=1) if FEEDBACK.match(text.strip()) else text.strip()
    s = FEEDBACK_WORDS.sub("", s, count=1).strip() if FEEDBACK_WORDS.match(s) else s
    return s[:1].upper() + s[1:]


def is_feedback(text: str) -> bool:
    s = re.sub(r"^[-*]\s+", "", text.strip())
    return bool(re.match(r"(✓|✔|\$\\checkmark\$|\\checkmark)", s))


def make_question(slug: str, path: str, number: str, label: str, kind: str, stem: str, span: tuple[int, int],
                  **fields) -> Question:
    return Question(id=f"{slug}/{label}", document=slug, number=number, kind=kind, stem=stem,
                    source=SourceSpan(path, span[0], span[1]), **fields)


def choices_from(options: list[OptionDraft], correct: list[bool]) -> tuple[Choice, ...]:
    texts, _ = strip_letters([o.text for o in options])
    return tuple(Choice(text=clean_inline(t), correct=c, line=o.line.no) for t, o, c in zip(texts, options, correct))


def letters_answer(answer: str, n: int) -> list[bool] | None:
    """`B, D` / `A and C` -> correctness per option; None when the answer is not given as letters."""
    m = re.fullmatch(r"\s*\(?([A-Ha-h])\)?((?:\s*(?:,|and|&|/)\s*\(?[A-Ha-h]\)?)*)\s*\.?\s*", answer)
    if not m:
        return None
    picked = {c.upper() for c in re.findall(r"[A-Ha-h]", answer.replace("and", ""))}
    if any(ord(c) - ord("A") >= n for c in picked):
        return None
    return [chr(ord("A") + i) in picked for i in range(n)]


def prose_answer(answer: str, options: list[str]) -> list[bool]:
    """Which options an answer written in prose names (its first sentence), by each option's leading words."""
    first = re.split(r"(?<=[.!?])\s+", answer.strip(), maxsplit=1)[0].lower()
    first = re.sub(r"[^\w\s]", " ", first)
    first = " " + re.sub(r"\s+", " ", first) + " "
    picks = []
    for text in options:
        key = re.split(r"\s*(?:\(|,|\bi\.e\b|\be\.g\b|:)", text.strip(), maxsplit=1)[0].lower()
        words = re.sub(r"[^\w\s]", " ", key).split()
        hit = False
        # Two leading words at least, so one shared word does not pick an option; a one-word option is its word.
        for size in range(len(words), 0 if len(words) == 1 else 1, -1):
            if f" {' '.join(words[:size])} " in first:
                hit = True
                break
        picks.append(hit)
    return picks


def coverage(lines: list[Line], questions: list[Question], skipped: list[Skipped], path: str) -> list[Diagnostic]:
    """Every non-blank line must sit in exactly one question's span or be skipped on purpose."""
    owner: dict[int, str] = {}
    diags: list[Diagnostic] = []
    spans = [(q.source.line_start, q.source.line_end, q.id) for q in questions]
    spans += [(s.line_start, s.line_end, f"skipped ({s.reason})") for s in skipped]
    for start, end, who in spans:
        for no in range(start, end + 1):
            if no in owner and not lines[no - 1].blank:
                diags.append(Diagnostic(path, no, "error", "line-overlap", f"line is in both {owner[no]} and {who}"))
            owner[no] = who
    for line in lines:
        if not line.blank and line.no not in owner:
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


def with_breaks(lines: list[Line]) -> list[Line]:
    """Re-insert a blank line wherever two kept lines were not adjacent in the source (a paragraph break)."""
    out: list[Line] = []
    for line in lines:
        if out and line.no > out[-1].no + 1:
            out.append(Line(line.no - 1, ""))
        out.append(line)
    return out


def open_parts(stem: list[Line], answer: list[Line], path: str, qline: int
               ) -> tuple[str, str, tuple[str, ...], tuple[Diagnostic, ...]]:
    """Stem and answer lines of an open question -> (stem, answer, figure notes, diagnostics)."""
    stem_lines, figures, diags = figure_notes(with_breaks(stem), path)
    ans_lines, more_figures, more_diags = figure_notes(with_breaks(answer), path)
    answer_md = markdown(ans_lines)
    diags += more_diags
    if not answer_md:
        diags.append(Diagnostic(path, qline, "info", "answer-missing", "the document gives no answer"))
    return markdown(stem_lines), answer_md, tuple(figures + more_figures), tuple(diags)


def span_of(lines: list[Line]) -> tuple[int, int]:
    nonblank = [l.no for l in lines if not l.blank] or [l.no for l in lines]
    return nonblank[0], nonblank[-1]


def slug_section(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
