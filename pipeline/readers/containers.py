"""Lines -> the same lines with container syntax out of the way of the Markdown inside it.

Documentation sites wrap Markdown in containers that CommonMark does not know: a Python-Markdown or MkDocs
admonition (`!!! note`, `??? question "Show answer"`, `???+ tip`) indents its body by four spaces, which
CommonMark reads as code; an HTML block tag alone on its line (`<div class="choices" markdown>`, `</div>`)
turns the list under it into raw HTML. Each body is read as the Markdown it is: dedented, with the wrapping
tag lines left blank. A run of collapsed blocks that each hide only a verdict under an option
(`<details><summary>Lists can be empty.</summary> ✅ </details>`) is a list of options, each followed by its
verdict. Line numbers do not change.
"""
from __future__ import annotations

import re

ADMONITION = re.compile(r"^(?P<indent> *)(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+\"[^\"]*\")?\s*$")
_WRAPPER = re.compile(r"^\s*</?(?:div|section|article|center|aside|main)\b[^<>]*>\s*$", re.I)


_DETAILS = re.compile(r"^\s*<details\b[^>]*>\s*(?P<rest>.*)$", re.I)
_SUMMARY = re.compile(r"^\s*<summary\b[^>]*>(?P<text>.*?)</summary>\s*(?P<rest>.*)$", re.I)
_CLOSED = re.compile(r"^(?P<before>.*?)</details>\s*$", re.I)
_VERDICT = re.compile(r"^(?:✅|❌|✔️?|✓|✗|✘|✖️?|☑️?|:white_check_mark:|:x:|correct|incorrect|wrong|right|true|false)$",
                      re.I)


def _verdict_block(out: list[str], i: int) -> tuple[int, int, str, str] | None:
    """A `<details>` block at line i whose summary is an option and whose body is only a verdict:
    (line of the summary, the line after the block, the option's text, the verdict), or None."""
    m = _DETAILS.match(out[i])
    if not m:
        return None
    rest, k = m.group("rest"), i
    while not rest.strip() and k + 1 < len(out) and k - i < 3:
        k += 1
        rest = out[k]
    s = _SUMMARY.match(rest)
    if not s or not s.group("text").strip():
        return None
    words: list[str] = []
    tail, j = s.group("rest"), k
    while True:
        c = _CLOSED.match(tail)
        if tail.strip():
            words.append((c.group("before") if c else tail).strip())
        if c or j + 1 >= len(out) or j - k > 4:
            break
        j += 1
        tail = out[j]
    said = " ".join(w for w in words if w)
    if not c or not _VERDICT.match(said):
        return None
    return k, j + 1, s.group("text").strip(), said


def _question_blocks(out: list[str]) -> None:
    """`<details><summary>What is a pointer?</summary> answer </details>`, two or more: each summary that asks is
    a question (written `**Q:** ...`) and the block's body its answer; the tags go. A summary that only says where
    the answer is (`Answer`, `Show solution`) is left to the answer reader."""
    blocks = []
    i = 0
    while i < len(out):
        m = _DETAILS.match(out[i])
        if not m:
            i += 1
            continue
        k, rest = i, m.group("rest")
        if not rest.strip() and k + 1 < len(out):
            k, rest = k + 1, out[k + 1]
        s = _SUMMARY.match(rest)
        text = re.sub(r"<[^>]+>", "", s.group("text")).strip() if s else ""
        end = next((j for j in range(k, min(len(out), k + 400)) if "</details>" in out[j].lower()), None)
        if s and end is not None and text.rstrip("*_ ").endswith(("?", "？")) and not _ANSWER_SUMMARY.match(text):
            blocks.append((i, k, end, text, s.group("rest")))
            i = end + 1
        else:
            i += 1
    if len(blocks) < 2:
        return
    for start, k, end, text, tail in blocks:
        for j in range(start, k):
            out[j] = ""
        out[k] = f"**Q:** {text}" + (f" {tail.strip()}" if tail.strip() and k != end else "")
        closing = _CLOSED.match(out[end])
        out[end] = closing.group("before").strip() if closing and end != k else out[end]


_ANSWER_SUMMARY = re.compile(r"^(?:show\s+|click\s+(?:for|to\s+see)\s+|see\s+|view\s+)?(?:the\s+)?"
                             r"(?:answers?|solutions?|hints?|explanation)\b", re.I)


def _verdict_options(out: list[str]) -> None:
    """Rewrite each run of two or more verdict blocks as option lines `- text ✅`, in place."""
    i = 0
    while i < len(out):
        run = []
        k = i
        while k < len(out) and (found := _verdict_block(out, k)) is not None:
            run.append((k, found))
            k = found[1]
            while k < len(out) and not out[k].strip():
                k += 1
        if len(run) >= 2:
            for start, (summary, end, text, said) in run:
                for j in range(start, end):
                    out[j] = ""
                out[summary] = f"- {text} {said}"
            i = k
        else:
            i += 1


# Pandoc's, VitePress' and Docusaurus' fenced containers: `::: challenge`, `::::: {.solution}`, `::: tip Answer`.
_FENCE_OPEN = re.compile(r"^\s*:{3,}\s*\{?\s*\.?(?P<name>[\w-]+)\s*\}?\s*(?P<title>.*?)\s*:*\s*$")
_FENCE_CLOSE = re.compile(r"^\s*:{3,}\s*$")
# Containers whose body answers the question above them, and the label line each becomes.
_ANSWERING = {"solution": "Solution:", "solutions": "Solution:", "answer": "Answer:", "answers": "Answer:",
              "explanation": "Explanation:", "spoiler": "Answer:"}
# Containers that titled with anything are a site's callouts: the title is a line of text.
_CALLOUTS = {"tip", "note", "info", "warning", "danger", "caution", "important", "hint", "details", "box", "callout",
             "challenge", "exercise", "problem", "example", "discussion"}


def _fences(out: list[str]) -> None:
    """Fenced containers in place: fences blanked, an answering container's fence its label (`Solution:`),
    a callout's title a bold line. A fence of a container the reader does not know, with text on it, stays as it
    is, so that the question it opens says that it holds markup."""
    for i, text in enumerate(out):
        if not text.lstrip().startswith(":::"):
            continue
        if _FENCE_CLOSE.match(text):
            out[i] = ""
        elif m := _FENCE_OPEN.match(text):
            name, title = m.group("name").lower(), m.group("title").strip().strip('"')
            if name in _ANSWERING and not title:
                out[i] = _ANSWERING[name]
            elif not title:
                out[i] = ""
            elif name in _CALLOUTS or name in _ANSWERING:
                out[i] = f"**{title}**"


_CODE_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")


def code_blocks(raw: list[str]) -> list[tuple[int, int | None, str]]:
    """The fenced code blocks: (index of the opening fence, of the closing one or None when it never closes,
    the info string's first word). A fence closes only with its own character, at least as long."""
    blocks: list[tuple[int, int | None, str]] = []
    fence, start, info = "", 0, ""
    for i, text in enumerate(raw):
        m = _CODE_FENCE.match(text)
        if not m:
            continue
        if not fence:
            fence, start = m.group("fence"), i
            info = (text.strip().lstrip("`~").strip().split(" ") or [""])[0].lower()
        elif m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) and not text.strip(" `~"):
            blocks.append((start, i, info))
            fence = ""
    if fence:
        blocks.append((start, None, info))
    return blocks


def open_code(raw: list[str]) -> tuple[list[str], int]:
    """The lines with every fenced code block's fences blanked, so that its text reads as Markdown, and the line
    of the first fence (0: none). For a document that keeps its whole quiz in a code block (```` ```text ````)
    to be laid out as typed; only read when the text outside code holds no question. Blocks in a programming
    language stay code."""
    out, first = list(raw), 0
    for start, end, info in code_blocks(raw):
        if info in _PROGRAMMING:
            continue
        first = first or start + 1
        for i in (start, end):
            if i is not None:
                out[i] = ""
    return out, first


_PROGRAMMING = frozenset({"python", "py", "python3", "js", "javascript", "ts", "typescript", "java", "c", "cpp",
                          "c++", "cs", "csharp", "go", "rust", "rs", "ruby", "rb", "php", "sh", "bash", "shell",
                          "zsh", "powershell", "sql", "html", "css", "json", "xml", "kotlin", "swift", "r",
                          "scala", "perl", "lua", "haskell", "matlab", "julia", "dart", "console", "diff"})


_CARD_FRONT = re.compile(r"[^\W_][^`|<>;]*")  # starts with a letter or digit: no list marker, label, quote or tag
_CARD_BACK = re.compile(r"[^\s:`][^`]*")
_CODE_MARKS = ("<<", "->", "=>", ";", "()", "std::", "::<")
_LABELLED = re.compile(r"^\(?(?:[A-Ha-h]|\d{1,3})[.)]\s")  # `a) std::cout`, `2. Which ...`: an option or a question
_IPV6 = re.compile(r"(?:^|\s)[0-9A-Fa-f]{0,4}::[0-9A-Fa-f/]*$")  # `FE80::1`, `::1`


def _card(text: str) -> tuple[str, str] | None:
    """`front::back` (or `front:::back`) written as a spaced-repetition card: (front, back), or None. The
    separator touches both sides (`Key:: value` is a metadata field, `map :: a -> b` a type), appears once, and
    the line is neither code nor an address."""
    line = text.strip()
    k = line.find("::")
    if k <= 0 or text[:1] in " \t" or line.count("::") != 1 or any(m in line for m in _CODE_MARKS):
        return None
    sep = 3 if line[k:k + 3] == ":::" else 2
    front, back = line[:k], line[k + sep:]
    if front[-1:].isspace() or back[:1].isspace() or _LABELLED.match(line) or _IPV6.search(line):
        return None
    if not _CARD_FRONT.fullmatch(front) or not _CARD_BACK.fullmatch(back):
        return None
    return front.strip(), back.strip()


def _inline_cards(out: list[str]) -> None:
    """Spaced-repetition inline cards, `front::back` (or `front:::back`, both ways), one per line, two or more:
    each is written as a question label with its answer in brackets (`**Q:** front (Answer: back)`)."""
    code = fenced_lines(out)
    found = [(i, card) for i, text in enumerate(out) if "::" in text and i not in code and (card := _card(text))]
    if len(found) < 2:
        return
    for i, (front, back) in found:
        out[i] = f"**Q:** {front} (Answer: {back})"


def fenced_lines(raw: list[str]) -> set[int]:
    """The indexes of the lines of fenced code blocks, fences included."""
    return {i for start, end, _ in code_blocks(raw) for i in range(start, (len(raw) - 1 if end is None else end) + 1)}


def unwrap(raw: list[str]) -> list[str]:
    """The lines with admonition bodies dedented, fenced containers opened, lone wrapping HTML tags blanked, and
    collapsed verdicts under options read as option lines."""
    fenced = any(":::" in t and t.lstrip().startswith(":::") for t in raw)
    cards = sum(1 for t in raw if "::" in t) >= 2
    if not fenced and not cards and not any("<" in t or "!!!" in t or "???" in t for t in raw):
        return raw  # most documents: nothing to unwrap
    out = list(raw)
    if cards:
        _inline_cards(out)
    if fenced:
        _fences(out)
    if any("<summary" in t.lower() for t in raw):
        _verdict_options(out)
        _question_blocks(out)
    i = 0
    while i < len(out):
        text = out[i]
        if _WRAPPER.match(text):
            out[i] = ""
        m = ADMONITION.match(text)
        if m:
            body = " " * (len(m.group("indent")) + 4)
            k = i + 1
            while k < len(out) and (not out[k].strip() or out[k].startswith(body)):
                k += 1
            while k > i + 1 and not out[k - 1].strip():
                k -= 1  # trailing blank lines belong to what follows
            for j in range(i + 1, k):
                out[j] = out[j][4:] if out[j].strip() else ""
                if _WRAPPER.match(out[j]):
                    out[j] = ""
            i = k
            continue
        i += 1
    return out
