"""A page's body, once chrome is gone -> the Markdown reader's lines: block elements become lines, an element
whose children are all inline is one line, headings keep their level, list items their numbers, and each
option of a choice group becomes a task-list item (`- [x]` when the page marks it right)."""
from __future__ import annotations

from pipeline.formats.html.choices import option_text
from pipeline.formats.html.tree import inline, last_line, line_of

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "blockquote", "pre",
          "section", "article", "fieldset", "legend", "dt", "dd", "dl", "main", "form", "br", "hr", "tbody",
          "thead", "figure", "figcaption", "details", "summary", "center", "body", "html", "label"}


def walk(el, lines: list[tuple[str, int]], marks: dict[int, str], option_of: dict[int, tuple[bool, str]],
          depth: int) -> None:
    """Block elements become lines; an element whose children are all inline is one line."""
    from bs4 import NavigableString, Tag

    pending: list = []

    def flush() -> None:
        if not pending:
            return
        text = " ".join(_inline_of(pending).split())
        if text:
            at = next((line_of(n) for n in pending if isinstance(n, Tag)), line_of(el))
            lines.extend([(_prefix(el, depth) + text, at), ("", at)])
        pending.clear()

    for child in el.children:
        if isinstance(child, Tag) and id(child) in option_of:
            flush()
            correct, cue = option_of[id(child)]
            inp = child if child.name == "input" else child.find("input")
            text = option_text(child, inp)
            at = line_of(inp if inp is not None else child)
            lines.extend([(f"- [{'x' if correct else ' '}] {text}", at), ("", at)])
            if correct and cue:
                marks[at] = cue
        elif isinstance(child, Tag) and (child.name in BLOCK or _holds_block(child, option_of)):
            flush()
            if child.name in ("h1", "h2", "h3", "h4", "h5", "h6") and not _holds_block(child, option_of):
                text = " ".join(inline(child).split())
                if text:
                    lines.extend([("#" * int(child.name[1]) + " " + text, line_of(child)), ("", line_of(child))])
            elif child.name == "pre":
                code = child.get_text()
                lines.append(("```", line_of(child)))
                lines += [(ln, line_of(child) + k) for k, ln in enumerate(code.strip("\n").split("\n"))]
                lines.extend([("```", last_line(child)), ("", last_line(child))])
            elif child.name not in ("br", "hr"):
                first = len(lines)
                walk(child, lines, marks, option_of, depth + (child.name in ("ul", "ol")))
                if child.name == "li":  # an item of paragraphs: its number goes before its first one
                    at = next((k for k in range(first, len(lines)) if lines[k][0].strip()), None)
                    prefix = _prefix(child, depth)
                    if at is not None and not lines[at][0].startswith(prefix.strip() or "\0"):
                        lines[at] = (prefix + lines[at][0], lines[at][1])
        elif isinstance(child, (Tag, NavigableString)):
            pending.append(child)
    flush()


def _prefix(el, depth: int) -> str:
    if el.name != "li":
        return ""
    parent = el.parent
    indent = "   " * max(0, depth - 1)
    if parent is not None and parent.name == "ol":
        items = [c for c in parent.children if getattr(c, "name", None) == "li"]
        start = int(parent.get("start", "1")) if str(parent.get("start", "1")).isdigit() else 1
        return f"{indent}{start + next(i for i, c in enumerate(items) if c is el)}. "
    return f"{indent}- "


def _inline_of(nodes: list) -> str:
    return inline(_Wrap(nodes))


class _Wrap:
    """Nodes as the children of a parent, for `inline`."""

    def __init__(self, nodes: list) -> None:
        self.children = nodes


def _holds_block(el, option_of: dict[int, tuple[bool, str]]) -> bool:
    if not hasattr(el, "find_all"):
        return False
    return any(d.name in BLOCK or id(d) in option_of for d in el.find_all(True))
