"""A saved page's elements -> what the other steps need of each: its source lines, its class names, its text
as one line of Markdown (bold, italics, code, sub/superscripts and TeX kept), and whether it is page chrome
(scripts, navigation, form controls) that is left out, with the reason."""
from __future__ import annotations

import re

_DROPPED = {"script": "a script", "style": "a style sheet", "noscript": "a script's fallback",
            "template": "a template", "head": "the page's head", "svg": "a drawing", "button": "a button",
            "select": "a form control", "textarea": "a form control", "iframe": "an embedded page",
            "nav": "navigation", "aside": "a sidebar"}
# Class names of page chrome and quiz widgets that are not part of a question, with why they are left out.
_CHROME = (
    (re.compile(r"\b(?:breadcrumb|navbar|nav-?bar|navigation|menu|sidebar|skip-?link|drawer|toc|pagination)\b", re.I),
     "navigation"),
    (re.compile(r"^(?:footer|page-footer|site-footer|header|page-header|site-header)$", re.I), "the page's header or footer"),
    (re.compile(r"^(?:state|grade|questionflag|questionflagsaveform|im-controls|submitbtns|quizreviewsummary|"
                r"othernav|mod_quiz-next-nav)$", re.I), "a grade or a quiz control"),
    (re.compile(r"^(?:prompt)$", re.I), "the widget's instruction (\"Select one:\")"),
    (re.compile(r"^(?:rightanswer)$", re.I), "the correct answer, read as the option's mark"),
    (re.compile(r"^(?:MathJax|MathJax_Preview|MathJax_Display|MJX_Assistive_MathML|katex-html)$"),
     "rendered math (its TeX is read)"),
)


def line_of(el, default: int = 1) -> int:
    return getattr(el, "sourceline", None) or default


def last_line(el) -> int:
    last = line_of(el)
    for d in el.descendants:
        n = getattr(d, "sourceline", None)
        if n:
            last = max(last, n)
    return last


def class_names(el) -> list[str]:
    value = el.get("class") if hasattr(el, "get") else None
    return value if isinstance(value, list) else value.split() if isinstance(value, str) else []


def chrome(el) -> str:
    if el.name in _DROPPED and not (el.name == "script" and "math/tex" in (el.get("type") or "")):
        return _DROPPED[el.name]
    if el.name in ("header", "footer") and el.find("input") is None:
        return "the page's header or footer"
    if (el.get("role") or "") in ("navigation", "banner", "contentinfo", "complementary"):
        return "navigation"
    if el.name == "input" and (el.get("type") or "").lower() in ("hidden", "submit", "button", "reset", "image"):
        return "a form control"
    for cls in class_names(el):
        for pattern, reason in _CHROME:
            if pattern.search(cls) if reason == "navigation" else pattern.match(cls):
                return reason
    return ""


_SPACE = re.compile(r"\s+")


def inline(el) -> str:
    """The element's text as one line of Markdown: bold, italics, code, sub/superscripts and TeX kept."""
    from bs4 import NavigableString, Tag

    out: list[str] = []
    for child in el.children:
        if isinstance(child, NavigableString):
            if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            out.append(_SPACE.sub(" ", str(child)))
        elif isinstance(child, Tag):
            name = child.name
            if name == "script" and "math/tex" in (child.get("type") or ""):
                tex = (child.string or "").strip()
                out.append(f"$${tex}$$" if "mode=display" in child.get("type", "") else f"${tex}$")
            elif name == "br":
                out.append(" ")
            elif name == "img":
                alt = (child.get("alt") or "").strip()
                out.append(f" Figure: {alt or 'an image of the page'} " if alt.lower() not in ("correct", "incorrect")
                           else f" {alt} ")
            elif name == "input":
                continue
            else:
                inner = inline(child)
                if name in ("b", "strong") and inner.strip():
                    inner = f"**{inner.strip()}**"
                elif name in ("i", "em") and inner.strip():
                    inner = f"*{inner.strip()}*"
                elif name == "code" and inner.strip():
                    inner = f"`{inner.strip()}`"
                elif name == "sup" and inner.strip():
                    inner = f"<sup>{inner.strip()}</sup>"
                out.append(inner)
    text = "".join(out)
    text = re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", text)
    return re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1).strip()}$$", text)
