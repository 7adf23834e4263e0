"""Normalized lines -> lines annotated with the Markdown block structure around them (markdown-it-py).

The layout analysis asks structural questions of every line: does it open a heading, a paragraph or a list
item, how deep in lists and blockquotes is it, what marker does its item carry. markdown-it answers them
for well-formed Markdown; real documents also break the rules (options indented by a tab inside a list
item's paragraph, one question per line), so the analysis keeps working on lines and uses the structure as
evidence rather than as the final word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

class TextShape:
    """What every kind of line says about its text: its indentation and its text without surrounding spaces."""
    __slots__ = ()
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def stripped(self) -> str:
        return self.text.strip()


_QUOTE = re.compile(r"^ {0,3}> ?")
_ITEM_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: where it sits and what marker it carries."""
    start: int  # 1-based line of its marker
    end: int  # last line, inclusive
    depth: int  # 1 for a top-level list item, 2 for an item of a list nested in it, ...
    ordered: bool
    number: int | None  # the number of an ordered item
    marker: str  # "-", "*", "+", "." or ")"


@dataclass(frozen=True, slots=True)
class Line(TextShape):
    no: int  # 1-based line number in the file
    text: str  # the normalized line as it stands in the file
    block: str  # "heading", "paragraph", "code", "html", "table", "math", "hr" or "blank"
    opens: bool  # the first line of its block
    body: str  # text without blockquote markers, its item's marker (on the item's first line) or heading marks
    quote: int = 0  # blockquote depth
    level: int = 0  # heading level
    item: Item | None = None  # the innermost list item the line belongs to
    opens_item: bool = False  # the line carries its item's marker
    inner: int = 0  # spaces before the text once blockquote markers are removed (a quoted page indents options)

    @property
    def blank(self) -> bool:
        return self.block == "blank"

    @property
    def inside(self) -> str:
        """The line without its blockquote markers, indentation kept."""
        return unquote(self.text, self.quote)

    @property
    def depth(self) -> int:
        return self.item.depth if self.item else 0


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    # Only the blocks are read here (their text is parsed where it is shown); link reference definitions and raw
    # HTML blocks play no part in a question's layout.
    md.disable(["inline", "text_join", "reference", "html_block"])
    return md


_LEAF = {"paragraph_open": "paragraph", "heading_open": "heading", "code_block": "code", "fence": "code",
         "table_open": "table", "math_block": "math", "math_block_label": "math", "hr": "hr"}


def annotate(raw: list[str]) -> list[Line]:
    """One Line per input line, in order, with the block structure markdown-it finds."""
    n = len(raw)
    block = ["blank" if not t.strip() else "paragraph" for t in raw]
    opens = [False] * n
    quote = [0] * n
    level = [0] * n
    item: list[Item | None] = [None] * n
    depth = 0
    stack: list[tuple[bool, str]] = []  # open lists: (ordered, marker)
    for tok in _parser().parse("\n".join(raw)):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            stack.append((tok.type == "ordered_list_open", tok.markup))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif tok.type == "blockquote_open" and tok.map:
            for i in range(*tok.map):
                quote[i] += 1
        elif tok.type == "list_item_open" and tok.map:
            depth = len(stack)
            ordered, marker = stack[-1] if stack else (False, "-")
            number = int(tok.info) if ordered and tok.info.isdigit() else None
            start, end = tok.map[0], _last_nonblank(raw, *tok.map)
            if item[start] is not None and item[start].start == start + 1:
                continue  # `- 10. text`: a list opened on its parent item's line is that item's text
            it = Item(start + 1, end + 1, depth, ordered, number, marker)
            for i in range(start, end + 1):
                item[i] = it
        elif tok.type in _LEAF and tok.map:
            a, b = tok.map
            b = _last_nonblank(raw, a, b) + 1
            for i in range(a, b):
                if raw[i].strip():
                    block[i] = _LEAF[tok.type]
                if tok.type == "heading_open":
                    level[i] = int(tok.tag[1])
            opens[a] = True
    lines = []
    for i, text in enumerate(raw):
        it = item[i]
        body = _body(text, quote[i], block[i], it is not None and it.start == i + 1)
        opens_item = it is not None and it.start == i + 1
        # `>` alone is a blank quoted line; an item's marker alone (`- ` before a displayed formula) is not blank.
        kind = "blank" if not body and block[i] != "heading" and not opens_item else block[i]
        lines.append(Line(i + 1, text, kind, opens[i], body, quote[i], level[i], it, opens_item,
                          _inner(text, quote[i])))
    return lines


def _last_nonblank(raw: list[str], a: int, b: int) -> int:
    """Index of the last non-blank line in [a, b), or a."""
    for i in range(min(b, len(raw)) - 1, a - 1, -1):
        if raw[i].strip():
            return i
    return a


def unquote(text: str, quotes: int) -> str:
    """The text without its first `quotes` blockquote markers, indentation kept."""
    for _ in range(quotes):
        m = _QUOTE.match(text)
        if not m:
            break
        text = text[m.end():]
    return text


def _inner(text: str, quotes: int) -> int:
    s = unquote(text, quotes)
    return len(s) - len(s.lstrip(" "))


def _body(text: str, quotes: int, block: str, opens_item: bool) -> str:
    s = unquote(text, quotes)
    if opens_item:
        m = _ITEM_MARKER.match(s)
        if m:
            s = s[m.end():]
    if block == "heading":
        if _SETEXT.match(s):
            return ""
        m = _HEADING.match(s)
        if m:
            return _ATTRIBUTES.sub("", m.group(1)).strip()
    return s.strip()


# Pandoc's heading attributes, `### Title {#anchor .class}`: markup, not the heading's words.
_ATTRIBUTES = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
