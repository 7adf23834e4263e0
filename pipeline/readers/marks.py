"""Which options are correct: every cue a document can use to mark them, weighed against each other.

The cues are the rows of `MARK_CUES`, strongest first, each one function of the question's `Evidence`: ticked
task boxes; an answer line (`Answer: CD`, `**Answer:** 2`, the option's text, or prose that names options); an
answer-key section; check marks and `(correct)` after an option; one option in bold or written as a heading; the
quiz page's chosen option confirmed by `Correct`; a quiz export's radio markers (a filled button, or the one
option whose marker differs from the empty buttons around it); `Correct` feedback under an option; and, only when
none of those marks anything, a letter after the question or an explanation that names the right letter. When
two cues mark different options the stronger one is taken and the question says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from pipeline.model import Cue, Diagnostic
from pipeline.readers import cues
from pipeline.readers.blocks import Line
from pipeline.readers.picks import LETTERS, answer_marks, letters_named, letters_of

if TYPE_CHECKING:
    from pipeline.readers.region import Region
    from pipeline.readers.pieces import Context, Option, Parts

EMPTY = "empty"  # an unselected radio button or box, in any of the exports' spellings
SELECTED = "selected"  # a filled or highlighted radio button

_RADIO: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\$\\textbf\{\s*(.*?)\s*\}\$$"), SELECTED),
    (re.compile(r"^<ul>\s*<li>(.*?)</li>\s*</ul>$"), "html"),
    (re.compile(r"^\$\\big(?:circ|cap|cup)\$\s*(.*)$"), EMPTY),
    (re.compile(r"^\$\\big(?:circ|cap|cup)\s+(.*)$"), EMPTY),  # marker inside the option's own math
    (re.compile(r"^\$igorup\s+(.*)$"), "garbled"),  # `\bigcup` whose `\b` was eaten as a backspace
    (re.compile(r"^(?:○|◯|⚪|O|\(\s?\))\s+(.*)$"), EMPTY),
    (re.compile(r"^(?:●|◉|⦿|\(\s?[xX•*]\s?\))\s+(.*)$"), SELECTED),
    (re.compile(r"^\(a\)\s+(.*)$"), SELECTED),
    (re.compile(r"^\.\s+(.*)$"), "debris"),
]
_RADIO_FIRST = set("$<○◯⚪O(●◉⦿.")
# a), B., б), C -, **a.** (the bold closing after the letter or around the whole line)
LETTERED = re.compile(r"^(?:\*\*|__)?(?:\(?([A-Ha-hа-зА-Зα-θΑ-Θ])(?:[.)]| \))|([A-H])\s+[-–—])(?:\*\*(?=\s)|__(?=\s))?\s+(.*)$")


def radio_marker(text: str) -> tuple[str, str]:
    """Option text -> (text without its radio marker, marker class or "")."""
    s = text.strip()
    if not s or s[0] not in _RADIO_FIRST:
        return s, ""
    for pattern, kind in _RADIO:
        m = pattern.match(s)
        if m:
            return _balance(m.group(1)), kind
    return s, ""


def _balance(text: str) -> str:
    """`$\\bigcap T_x < T_y$` lost its marker: `T_x < T_y$` needs its opening `$` back."""
    text = text.strip()
    if text.count("$") % 2 == 1 and text.endswith("$") and not text.startswith("$"):
        return "$" + text
    if text.count("$") % 2 == 1 and text.startswith("$") and "$" not in text[1:]:
        return text + "$"
    return text


def marks_options(lines: list[Line]) -> bool:
    """Whether the document marks options anywhere: a ticked or empty box, a check mark or radio button on a list
    item, or an answer line that names options by letter."""
    for line in lines:
        if line.blank or line.block == "code":
            continue
        # A check mark before list items is often decoration (`- ✓ Parameters between...`): boxes and buttons count.
        if line.opens_item and (cues.option_mark(line.body)[1] in ("checked", "unchecked")
                                or radio_marker(line.body)[1]):
            return True
        said = cues.answer_text(line.body)
        if said and letters_named(said.split("\n")[0].strip().rstrip(".")) is not None:
            return True
        if is_feedback(line.body):
            return True
    return False


_VERDICT = r"(?:correc\w*|incorrect|wrong|right|not quite|that'?s (?:right|correct))"
_BULLET = re.compile(r"^[-*]\s+")
_CHECKED = re.compile(r"(?:✓|✔|✅|\$\\checkmark\$|\\checkmark)\s*")
_VERDICT_WORD = re.compile(rf"(?:{_VERDICT}|yes)\b", re.I)
_VERDICT_LINE = re.compile(rf"{_VERDICT}(?:[!.:,](?:\s|$)|$)", re.I)


def is_feedback(text: str) -> bool:
    """`✓ Correct`, `Correct!`, `Incorrect. That is...`: a quiz's verdict on an option or on the question (a check
    mark before other words marks an option instead: `✔ Two`)."""
    s = _BULLET.sub("", text.strip())
    checked = _CHECKED.match(s)
    if checked:
        rest = s[checked.end():]
        return not rest or bool(_VERDICT_WORD.match(rest))
    return bool(_VERDICT_LINE.match(s))


def verdict(lines: list[Line]) -> bool | None:
    for line in lines:
        s = re.sub(r"^[-*]\s+", "", line.body.strip())
        if re.match(r"(?:✗|✘|❌|incorrect|wrong|not quite)", s, re.I):
            return False
        if re.match(r"(?:✓|✔|✅|\$\\checkmark\$|\\checkmark|correct|right|that'?s)", s, re.I):
            return True
    return None


def lettered(options: list[Option]) -> bool:
    """Options labelled a, b, c... in order (so `(a)` is a letter, not a quiz export's chosen-button marker)."""
    letters = [LETTERED.match(_unboxed(o.text.strip())) for o in options]
    return all(letters) and [(m.group(1) or m.group(2)).translate(cues.OTHER_ALPHABETS).lower() for m in letters
                             if m] == [c.lower() for c in LETTERS[:len(options)]]


def _unboxed(text: str) -> str:
    box = cues.TASK.match(text)
    return box.group(2).strip() if box else text


def _bold_markers(text: str) -> list[int]:
    """Where `**` stands outside inline code (`**kwargs` in backticks is code)."""
    if "**" not in text:
        return []
    code = [m.span() for m in re.finditer(r"`[^`]*`", text)] if "`" in text else []
    return [m.start() for m in re.finditer(r"\*\*", text) if not any(a <= m.start() < b for a, b in code)]


def read_options(options: list[Option]) -> list[tuple[str, str]]:
    """The options as a learner reads them, with the mark each carries: letters (`a)`, `B.`), boxes, check marks
    and bold removed, wrapped lines joined, a displayed formula kept on lines of its own."""
    letters = lettered(options)
    out = []
    for o in options:
        text = " ".join(([] if o.line.block == "math" else [o.text])
                        + [ln.body for ln in o.extra if ln.block != "math"]).strip()
        mark = ""
        inner = cues.bold_whole(text)
        if inner is not None and letters:  # `**b) Detect vertical edges**`: the whole lettered line in bold
            text, mark = inner, "bold"
        if letters:
            box = cues.TASK.match(text)
            m = LETTERED.match(_unboxed(text))
            text = (box.group(0)[:box.start(2)] if box else "") + m.group(3) if m else text
        else:
            text = radio_marker(text)[0]
        text, own = cues.option_mark(text)
        stars = _bold_markers(text)
        if len(stars) % 2 == 1 and text.strip("* "):  # `**d) text** ✅`: the bold opened before the letter
            k = stars[-1]
            text = (text[:k] + text[k + 2:]).strip()
            own = own or "bold"
        mark = mark or own
        maths = ([o.text] if o.line.block == "math" else []) + [ln.body for ln in o.extra if ln.block == "math"]
        out.append(((text + "\n\n" if text else "") + "\n".join(maths) if maths else text, mark))
    return out


# ---- the decision -----------------------------------------------------------------------------------------

@dataclass
class Evidence:
    """What every correct-mark cue reads of one question: its parts, the document's context, its options as read
    (text, own mark) and the verdicts written under them; a cue adds what a person should check to `diags`."""
    p: Parts
    ctx: Context
    region: Region
    texts: list[str]
    own: list[str]
    verdicts: list[bool | None]
    diags: list[Diagnostic]

    @property
    def options(self) -> list[Option]:
        return self.p.options


Found = tuple[str, list[bool], int]  # (cue name, marks, line)


def _ticked(e: Evidence) -> list[Found]:
    # boxes that are all empty mark nothing: the document answers elsewhere
    return [("task-checked", [m == "checked" for m in e.own], e.options[0].line.no)] if "checked" in e.own else []


def _answer_line(e: Evidence) -> list[Found]:
    if e.p.answer_line is None:
        return []
    said = "\n".join(ln.body for ln in e.p.answer if not ln.blank)
    picks, cue, problem = answer_marks(said, e.texts)
    if problem:
        e.diags.append(Diagnostic(e.ctx.path, e.p.answer_line.no, "warning", "answer-unmatched", problem))
    return [(cue, picks, e.p.answer_line.no)] if picks is not None else []


def _key(e: Evidence) -> list[Found]:
    entry = key_entry(e.ctx, e.region)
    if entry is None:
        return []
    picks, cue, problem = answer_marks(entry[0], e.texts)
    if problem or picks is None:
        e.diags.append(Diagnostic(e.ctx.path, entry[1], "warning", "answer-unmatched",
                                  f"the answer key's entry for question {e.region.number} (“{entry[0]}”) names no "
                                  "option of it"))
        return []
    return [("answer-key", picks, entry[1])]


def _own(mark: str, name: str, alone_too: bool = True) -> Callable[[Evidence], list[Found]]:
    """The options that carry one mark of their own (a check mark, a `(correct)` note, bold)."""
    def find(e: Evidence) -> list[Found]:
        if mark not in e.own or (not alone_too and e.own.count(mark) == len(e.own)):
            return []
        return [(name, [m == mark for m in e.own], e.options[e.own.index(mark)].line.no)]
    return find


def _headed(e: Evidence) -> list[Found]:
    headed = [o.line.block == "heading" for o in e.options]
    if not any(headed) or all(headed):  # `#### B) Centriolo.` among plain option lines: set apart
        return []
    return [("heading-option", headed, e.options[headed.index(True)].line.no)]


def _chosen(e: Evidence) -> list[Found]:
    if not any(o.selected for o in e.options):
        return []
    chosen = [o.selected and e.verdicts[i] is not False for i, o in enumerate(e.options)]
    return [("chosen-and-confirmed", chosen, e.options[chosen.index(True)].line.no)] if any(chosen) else []


def _radio_cue(e: Evidence) -> list[Found]:
    radio = None if lettered(e.options) else _radio(e.options)
    return [radio] if radio is not None else []


def _feedback(e: Evidence) -> list[Found]:
    if not any(v is True for v in e.verdicts) or any(o.selected for o in e.options):
        return []
    return [("option-feedback", [v is True for v in e.verdicts], e.options[e.verdicts.index(True)].line.no)]


def _stem_letter(e: Evidence) -> list[Found]:
    said = next(((ln, m) for ln in e.p.stem if ln.block != "code" and (m := cues.STEM_LETTER.search(ln.body))), None)
    n = len(e.options)
    if said is None or LETTERS.index(said[1].group(1).upper()) >= n:
        return []
    k = LETTERS.index(said[1].group(1).upper())
    return [("stem-letter", [i == k for i in range(n)], said[0].no)]


def _explained(e: Evidence) -> list[Found]:
    named = _named_correct(e.p.explanation + e.p.feedback + [ln for group in e.p.after for ln in group],
                           len(e.options))
    return [named] if named is not None else []


@dataclass(frozen=True)
class MarkCue:
    name: str  # the row's name; the cue it reports may be one of its kinds (`answer-letters`, `answer-number`)
    find: Callable[[Evidence], list[Found]]
    last_resort: bool = False  # read only when no row above it marked anything


# Every cue that marks correct options, one row each, strongest first: where two rows mark different options
# the first one's marks are taken and the question says so (`choice-ambiguous`).
MARK_CUES: tuple[MarkCue, ...] = (
    MarkCue("task-checked", _ticked),
    MarkCue("answer-line", _answer_line),
    MarkCue("answer-key", _key),
    MarkCue("check-mark", _own("check", "check-mark")),
    MarkCue("correct-suffix", _own("correct", "correct-suffix")),
    MarkCue("bold-option", _own("bold", "bold-option", alone_too=False)),
    MarkCue("heading-option", _headed),
    MarkCue("chosen-and-confirmed", _chosen),
    MarkCue("radio-marker", _radio_cue),
    MarkCue("option-feedback", _feedback),
    MarkCue("stem-letter", _stem_letter, last_resort=True),
    MarkCue("explanation-names-correct", _explained, last_resort=True),
)


def decide(p: Parts, ctx: Context, region: Region, qline: int) -> tuple[list[bool], list[Cue], list[Diagnostic]]:
    """The options' correct marks, the cue that decided them, and what a person should check."""
    options = p.options
    n = len(options)
    read = p.read or read_options(options)
    e = Evidence(p, ctx, region, [t for t, _ in read], [m for _, m in read], [verdict(o.feedback) for o in options],
                 [])
    sources: list[Found] = []
    for row in MARK_CUES:
        if not (row.last_resort and sources):
            sources += row.find(e)
    diags = e.diags
    if not sources:
        diags.append(Diagnostic(ctx.path, qline, "error", "choice-unmarked", "no option is marked correct"))
        return [False] * n, [], diags
    cue, picks, line = sources[0]
    found = [Cue("correct", cue, line)]
    for other, other_picks, other_line in sources[1:]:
        if other_picks != picks:
            diags.append(Diagnostic(ctx.path, qline, "warning", "choice-ambiguous",
                                    f"option {letters_of(picks)} carries the {_says(cue)} but the {_says(other)} "
                                    f"marks option {letters_of(other_picks)}; took {letters_of(picks)}"))
            found.append(Cue("correct", f"{other} (overruled)", other_line))
        else:
            found.append(Cue("correct", other, other_line))
    if cue == "odd-radio-marker" and {radio_marker(options[i].text)[1] for i, v in enumerate(picks) if v} & \
            {"garbled", "debris"}:
        diags.append(Diagnostic(ctx.path, qline, "warning", "choice-ambiguous",
                                f"option {letters_of(picks)} is told apart only by an unreadable marker"))
    if cue == "answer-names-options":
        diags.append(Diagnostic(ctx.path, line, "warning", "answer-by-name",
                                f"the answer names option {letters_of(picks)} by its words, not by its letter"))
    return picks, found, diags


# `B. (Correct Answer) - because ...`, `B is correct because ...`, `The answer is B.`: a letter said to be right.
_SAID_CORRECT = re.compile(r"(?:^|(?<=[\s*(]))\(?([A-H])\)?[.)]?\s*(?i:\((?:correct|right)(?:\s+answer)?\)|"
                           r"is\s+(?:the\s+)?(?:correct|right)(?:\s+(?:answer|option|choice))?\b(?!\s+(?:only|if)\b))")


def _named_correct(lines: list[Line], n: int) -> tuple[str, list[bool], int] | None:
    """The options an explanation or feedback says are right (`B (Correct Answer) - ...`), when a question marks
    none otherwise: (cue, marks, line), or None."""
    picks: set[int] = set()
    line = 0
    for ln in lines:
        for m in _SAID_CORRECT.finditer(ln.body):
            k = LETTERS.index(m.group(1))
            if k < n:
                picks.add(k)
                line = line or ln.no
    if not picks:
        return None
    return "explanation-names-correct", [i in picks for i in range(n)], line


def key_entry(ctx: Context, region: Region) -> tuple[str, int] | None:
    """The answer-key entry for a question: by its number as shown (`2(c)`), else by its label."""
    return ctx.key.entry(region.section, region.number, region.start.lab.label)


def _radio(options: list[Option]) -> tuple[str, list[bool], int] | None:
    markers = [radio_marker(o.text)[1] for o in options]
    if SELECTED in markers:
        picks = [m == SELECTED for m in markers]
        return "radio-marker", picks, options[picks.index(True)].line.no
    # The export drops the filled button of the chosen option: the one option whose marker differs from the
    # empty buttons around it is the chosen one.
    odd = [i for i, m in enumerate(markers) if m != EMPTY]
    if len(options) >= 3 and len(odd) == 1 and markers.count(EMPTY) >= 2:
        return "odd-radio-marker", [i == odd[0] for i in range(len(options))], options[odd[0]].line.no
    return None


_SAYS = {"task-checked": "ticked box", "answer-letters": "answer line", "answer-letter-and-text": "answer line",
         "answer-text": "answer line", "answer-number": "answer line", "answer-names-options": "answer text",
         "answer-key": "answer key", "check-mark": "check mark", "correct-suffix": "`(correct)` note",
         "bold-option": "bold option", "chosen-and-confirmed": "chosen option", "radio-marker": "radio marker",
         "odd-radio-marker": "answer marker", "option-feedback": "“✓ Correct” feedback",
         "explanation-names-correct": "explanation", "stem-letter": "letter after the question",
         "heading-option": "option written as a heading"}


def _says(cue: str) -> str:
    return _SAYS.get(cue, cue)
