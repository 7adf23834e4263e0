"""Saved quiz pages (.html) -> the Markdown reader's lines, each at the source line of its element.

BeautifulSoup (with Python's own html.parser, which records every tag's source line) gives the page's tree.
Scripts, styles and navigation chrome are left out with a reason; headings, paragraphs and list items become
Markdown lines; each group of radio or checkbox inputs becomes a task list (`- [ ]` / `- [x]`) whose marks come
from what the page says is right: a class name (`correct`, `right`), an attribute (`data-correct`), feedback
such as "The correct answer is: ..." or a graded question ("Correct") whose checked option is then right. An
option marked only by being checked is the learner's choice, so it is kept with a warning."""
from __future__ import annotations

import re

from pipeline.model import Diagnostic, Document, Skipped
from pipeline.files.normalize import decode, split_lines
from pipeline.formats.lines import Converted, read_converted
from pipeline.readers import Pins
from pipeline.formats.html.body import walk
from pipeline.formats.html.choices import choice_groups
from pipeline.formats.html.tree import chrome, last_line, line_of

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)


def looks_like_html(data: bytes, path: str) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    if path.lower().endswith((".html", ".htm", ".xhtml")):
        return b"<" in head
    return _mostly_tags(data[:65536])


_SCRIPT = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.I | re.S)


def _mostly_tags(data: bytes) -> bool:
    """A page written as HTML in a text file: most of its lines open with a tag (comments aside), so the
    Markdown in it, if any, is not what structures it."""
    data = _SCRIPT.sub(b"", data)  # a page's script or style is neither tags nor Markdown
    lines = [ln.strip() for ln in data.splitlines() if ln.strip()]
    tags = sum(1 for ln in lines if ln.startswith(b"<") and not ln.startswith(b"<!--"))
    return tags >= 8 and tags > 0.75 * len(lines)


def read_html(data: bytes, path: str, slug: str, pins: Pins = ()) -> Document:
    from bs4 import BeautifulSoup  # loaded only when a page is read

    text, diags = decode(data, path)
    if text is None:
        return Document(path, slug, "", slug, diagnostics=tuple(diags))
    positions = len(split_lines(text))
    soup = BeautifulSoup(text, "html.parser")
    conv = _convert(soup, positions, path)
    conv = Converted(conv.lines, conv.positions, conv.marks, conv.skipped, tuple(diags) + conv.diagnostics)
    return read_converted(conv, path, slug, "web page", pins)


def _convert(soup, positions: int, path: str) -> Converted:
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    answers: list[tuple[object, str]] = []  # the page's "The correct answer is" elements, before they go
    for el in soup.find_all(class_="rightanswer"):
        answers.append((el, el.get_text(" ", strip=True)))
    groups = choice_groups(soup, answers)
    title = soup.find("title")
    heading = " ".join(title.get_text().split()) if title is not None and soup.find("h1") is None else ""
    title_line = line_of(title) if title is not None else 1
    for el in list(soup.find_all(True)):
        if el.decomposed:
            continue
        reason = chrome(el)
        if reason:
            skipped.append(Skipped(line_of(el), last_line(el), reason))
            el.decompose()
    option_of: dict[int, tuple[bool, str]] = {}
    for g in groups:
        for opt, _ in g.options:
            option_of[id(opt)] = g.marks.get(id(opt), (False, ""))
        for no, message in g.warn:
            diags.append(Diagnostic(path, no, "warning", "answer-checked-only", message))
    lines: list[tuple[str, int]] = []
    marks: dict[int, str] = {}
    if heading:
        lines += [("# " + heading, title_line), ("", title_line)]
    body = soup.body or soup
    walk(body, lines, marks, option_of, 0)
    skipped = _merge(sorted(skipped, key=lambda s: (s.line_start, -s.line_end)))
    used = {pos for text, pos in lines if text.strip()}
    skipped = [Skipped(a, b, s.reason) for s in skipped for a, b in _runs(s.line_start, s.line_end, used)]
    return Converted(lines, positions, marks, tuple(skipped), tuple(diags))


def _runs(start: int, end: int, used: set[int]) -> list[tuple[int, int]]:
    """The stretches of start..end that hold no line of a question (a skipped element may share a line)."""
    out: list[tuple[int, int]] = []
    for no in range(start, end + 1):
        if no in used:
            continue
        if out and out[-1][1] == no - 1:
            out[-1] = (out[-1][0], no)
        else:
            out.append((no, no))
    return out


def _merge(spans: list[Skipped]) -> list[Skipped]:
    out: list[Skipped] = []
    for s in spans:
        if out and s.line_start <= out[-1].line_end:
            if s.line_end > out[-1].line_end:
                out[-1] = Skipped(out[-1].line_start, s.line_end, out[-1].reason)
            continue
        out.append(s)
    return out
