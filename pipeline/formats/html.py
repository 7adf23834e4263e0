"""Saved quiz pages (.html) -> the Markdown reader's lines, each at the source line of its element.

BeautifulSoup (with Python's own html.parser, which records every tag's source line) gives the page's tree.
Scripts, styles and navigation chrome are left out with a reason; headings, paragraphs and list items become
Markdown lines; each group of radio or checkbox inputs becomes a task list (`- [ ]` / `- [x]`) whose marks come
from what the page says is right: a class name (`correct`, `right`), an attribute (`data-correct`), feedback
such as "The correct answer is: ..." or a graded question ("Correct") whose checked option is then right. An
option marked only by being checked is the learner's choice, so it is kept with a warning."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Diagnostic, Document, Skipped
from pipeline.files.normalize import decode, split_lines
from pipeline.formats.lines import Converted, read_converted
from pipeline.readers import Pins

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "blockquote", "pre",
          "section", "article", "fieldset", "legend", "dt", "dd", "dl", "main", "form", "br", "hr", "tbody",
          "thead", "figure", "figcaption", "details", "summary", "center", "body", "html", "label"}
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
_RIGHT = re.compile(r"^(?:correct|right|is-correct|answer-correct|correct-answer|true)$", re.I)
_WRONG = re.compile(r"^(?:incorrect|wrong|is-incorrect|partiallycorrect|wrong_answer|incorrect_answer)$", re.I)
_TRUE = re.compile(r"^(?:true|1|yes|correct)$", re.I)
_CORRECT_ANSWER = re.compile(
    r"(?:The correct answers? (?:is|are)|Correct answers?|Right answers?|La (?:bonne )?réponse (?:correcte )?est|"
    r"Les réponses correctes sont|La respuesta correcta es|Las respuestas correctas son|Die richtigen? Antwort(?:en)? "
    r"(?:ist|sind|lautet|lauten)|A resposta correta é|As respostas corretas são|La risposta corretta è|"
    r"Het juiste antwoord is)\s*:?\s*(.+)", re.I | re.S)
_RIGHT_ROW = re.compile(r"^(?:correct_answer|answer_correct|correct-choice|correct_choice|right-answer|"
                        r"right_answer)$", re.I)
# Words result pages print beside an option to say who chose it or that it is right.
_ROW_LABELS = re.compile(r"^\s*(?:Correct Answer|Correct!|You Answered|Your answer|Correct answer)\s*:?\s*", re.I)
_OPTION_LABEL = re.compile(r"^\s*(?:[a-zA-Z]|[ivx]{1,4})[.)]\s+")


def looks_like_html(data: bytes, path: str) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    if path.lower().endswith((".html", ".htm", ".xhtml")):
        return b"<" in head
    return _mostly_tags(data[:65536])


def _mostly_tags(data: bytes) -> bool:
    """A page written as HTML in a text file: most of its lines open with a tag (comments aside), so the
    Markdown in it, if any, is not what structures it."""
    lines = [ln.strip() for ln in data.splitlines() if ln.strip()]
    tags = sum(1 for ln in lines if ln.startswith(b"<") and not ln.startswith(b"<!--"))
    return tags >= 8 and tags > 0.75 * len(lines)


@dataclass
class _Group:
    """One question's inputs: each option's element, its text and how it is marked."""
    options: list = field(default_factory=list)  # (option element, input)
    marks: dict[int, tuple[bool, str]] = field(default_factory=dict)  # id(option element) -> (correct, cue)
    warn: list[tuple[int, str]] = field(default_factory=list)


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


def _line(el, default: int = 1) -> int:
    return getattr(el, "sourceline", None) or default


def _last_line(el) -> int:
    last = _line(el)
    for d in el.descendants:
        n = getattr(d, "sourceline", None)
        if n:
            last = max(last, n)
    return last


def _classes(el) -> list[str]:
    value = el.get("class") if hasattr(el, "get") else None
    return value if isinstance(value, list) else value.split() if isinstance(value, str) else []


def _chrome(el) -> str:
    if el.name in _DROPPED and not (el.name == "script" and "math/tex" in (el.get("type") or "")):
        return _DROPPED[el.name]
    if el.name in ("header", "footer") and el.find("input") is None:
        return "the page's header or footer"
    if (el.get("role") or "") in ("navigation", "banner", "contentinfo", "complementary"):
        return "navigation"
    if el.name == "input" and (el.get("type") or "").lower() in ("hidden", "submit", "button", "reset", "image"):
        return "a form control"
    for cls in _classes(el):
        for pattern, reason in _CHROME:
            if pattern.search(cls) if reason == "navigation" else pattern.match(cls):
                return reason
    return ""


def _convert(soup, positions: int, path: str) -> Converted:
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    answers: list[tuple[object, str]] = []  # the page's "The correct answer is" elements, before they go
    for el in soup.find_all(class_="rightanswer"):
        answers.append((el, el.get_text(" ", strip=True)))
    groups = _groups(soup, answers)
    title = soup.find("title")
    heading = " ".join(title.get_text().split()) if title is not None and soup.find("h1") is None else ""
    title_line = _line(title) if title is not None else 1
    for el in list(soup.find_all(True)):
        if el.decomposed:
            continue
        reason = _chrome(el)
        if reason:
            skipped.append(Skipped(_line(el), _last_line(el), reason))
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
    _walk(body, lines, marks, option_of, 0)
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


def _groups(soup, answers: list[tuple[object, str]]) -> list[_Group]:
    """Radio and checkbox inputs by name, each with its option elements and marks."""
    by_name: dict[str, list] = {}
    every = []
    for inp in soup.find_all("input"):
        kind = (inp.get("type") or "").lower()
        if kind in ("radio", "checkbox"):
            name = inp.get("name") or f"#{id(inp)}"
            # checkboxes of one question are often named one by one: `q3:1_choice0`, `q3:1_choice1`, `a[]`
            key = re.sub(r"(?:\d+|\[\])$", "", name) if kind == "checkbox" else name
            by_name.setdefault(f"{kind}:{key}", []).append(inp)
            every.append(inp)
    groups = []
    for inputs in by_name.values():
        g = _Group()
        for inp in inputs:
            g.options.append((_option_element(inp, every), inp))
        scope = _question_scope(g.options[0][0], inputs)
        state = _graded(scope)
        named = _named_answer(scope, answers)
        for opt, inp in g.options:
            text = _option_text(opt, inp)
            cue = _marked(opt, inp)
            if cue is None and named is not None and _names(named, text):
                cue = (True, "html-correct-answer-feedback")
            if cue is None and inp.has_attr("checked") and state == "correct":
                cue = (True, "html-checked-graded-correct")
            if cue is not None:
                g.marks[id(opt)] = cue
        if not any(c for c, _ in g.marks.values()):
            checked = [(opt, inp) for opt, inp in g.options if inp.has_attr("checked")]
            if checked and state != "incorrect":
                for opt, inp in checked:
                    g.marks[id(opt)] = (True, "html-checked")
                    g.warn.append((_line(inp), "the option is marked only as checked, the learner's choice: the "
                                              "page does not say it is right"))
        groups.append(g)
    taken = {id(opt) for g in groups for opt, _ in g.options}
    return groups + _rows(soup, taken)


def _rows(soup, taken: set[int]) -> list[_Group]:
    """Options without inputs, as result pages show them (`<div class="answer correct_answer">` among
    `<div class="answer">`): sibling elements of one kind where a class or `data-correct` marks one right."""
    groups = []
    parents: set[int] = set()
    for el in soup.find_all(True):
        classes = _classes(el)
        right = any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in classes) or el.get("data-correct") is not None
        if not right or id(el) in taken or el.parent is None or el.parent.find("input") is not None:
            continue
        parent = el.parent
        if id(parent) in parents or _chrome(el):
            continue
        shared = {c for c in classes if not (_RIGHT.match(c) or _RIGHT_ROW.match(c) or _WRONG.match(c))}
        siblings = [c for c in parent.find_all(el.name, recursive=False)
                    if c is el or not shared or shared & set(_classes(c))]
        if len(siblings) < 2 or any(c.find(["p", "div", "li"]) is not None and _holds_rows(c) for c in siblings):
            continue
        parents.add(id(parent))
        g = _Group()
        for row in siblings:
            g.options.append((row, None))
            cue = _marked(row, None)
            if cue is not None:
                g.marks[id(row)] = (cue[0], cue[1])
        groups.append(g)
    return groups


def _holds_rows(el) -> bool:
    """Whether an element holds options of its own (it is a question, not an option)."""
    return any(any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in _classes(d)) for d in el.find_all(True))


def _named_answer(scope, answers: list[tuple[object, str]]) -> str | None:
    """What the page says the right answer is, normalized: Moodle's `rightanswer` (in any language: the
    text after its colon), else a sentence such as "The correct answer is: ..." in the question."""
    if scope is None:
        return None
    said = [text for el, text in answers if _inside(el, scope)]
    if said:
        text = " ".join(said)
        return _plain(text.split(":", 1)[1] if ":" in text else text)
    found = _CORRECT_ANSWER.search(scope.get_text(" ", strip=True))
    return _plain(found.group(1)) if found else None


def _names(named: str, option: str) -> bool:
    """Whether the named answer is the option, or lists it among others (`LSTM, GRU`)."""
    t = _plain(option)
    if not t:
        return False
    return (named == t or named.startswith(t + ", ") or named.endswith(", " + t) or f", {t}, " in named
            or named.startswith(t + "; ") or named.endswith("; " + t))


def _inside(el, scope) -> bool:
    return any(p is scope for p in el.parents)


def _option_element(inp, inputs: list):
    """The largest element around the input that holds no other choice input: the option's row."""
    el = inp
    while el.parent is not None and el.parent.name not in ("body", "html", "[document]"):
        if any(other is not inp and _inside(other, el.parent) for other in inputs):
            break
        el = el.parent
    return el


def _question_scope(option, inputs: list):
    """The element that holds the whole question: up from the options to one with text of its own or a
    question's class (Moodle's `que`)."""
    el = option.parent
    for _ in range(8):
        if el is None or el.parent is None:
            break
        if "que" in _classes(el) or el.name in ("fieldset", "form", "article", "section", "li"):
            return el
        el = el.parent
    return option.parent


def _graded(scope) -> str:
    """"correct", "incorrect" or "" for a question the page graded (Moodle's `que ... correct`, a
    state that says so)."""
    el = scope
    while el is not None and getattr(el, "name", None):
        classes = [c.lower() for c in _classes(el)]
        if "que" in classes or el is scope:
            if "correct" in classes:
                return "correct"
            if "incorrect" in classes or "partiallycorrect" in classes:
                return "incorrect"
            state = el.find(class_="state") if hasattr(el, "find") else None
            if state is not None:
                said = state.get_text(" ", strip=True).lower()
                return "correct" if said == "correct" else "incorrect" if said else ""
        el = el.parent
    return ""


def _marked(opt, inp) -> tuple[bool, str] | None:
    """What the page's markup says of the option: right (a class, `data-correct`), wrong, or nothing."""
    for el in (e for e in (inp, opt, *opt.find_all(True)) if e is not None):
        value = el.get("data-correct")
        if value is not None:
            return (bool(_TRUE.match(value.strip())), "html-data-correct")
    for el in (e for e in (opt, inp) if e is not None):
        classes = _classes(el)
        if any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in classes):
            return (True, "html-class-correct")
        if any(_WRONG.match(c) for c in classes):
            return (False, "html-class-wrong")
    return None


def _option_text(opt, inp) -> str:
    label = None
    ident = inp.get("id") if inp is not None else None
    if ident:
        root = opt
        while root.parent is not None:
            root = root.parent
        label = root.find("label", attrs={"for": ident})
    el = label if label is not None and not _inside(label, opt) and label is not opt else opt
    text = _inline(el).strip()
    if el is not opt:
        text = (text + " " + _inline(opt).strip()).strip() if not _inline(opt).strip() else text
    text = _OPTION_LABEL.sub("", text, count=1)
    text = _ROW_LABELS.sub("", text)
    for word in ("Correct", "Incorrect"):
        if text.endswith(" " + word):
            text = text[: -len(word) - 1]
    return _OPTION_LABEL.sub("", text.strip(), count=1).strip()


def _plain(text: str) -> str:
    return " ".join(_OPTION_LABEL.sub("", text).split()).strip(" .").lower()


_SPACE = re.compile(r"\s+")


def _inline(el) -> str:
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
                inner = _inline(child)
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


def _walk(el, lines: list[tuple[str, int]], marks: dict[int, str], option_of: dict[int, tuple[bool, str]],
          depth: int) -> None:
    """Block elements become lines; an element whose children are all inline is one line."""
    from bs4 import NavigableString, Tag

    pending: list = []

    def flush() -> None:
        if not pending:
            return
        text = " ".join(_inline_of(pending).split())
        if text:
            at = next((_line(n) for n in pending if isinstance(n, Tag)), _line(el))
            lines.extend([(_prefix(el, depth) + text, at), ("", at)])
        pending.clear()

    for child in el.children:
        if isinstance(child, Tag) and id(child) in option_of:
            flush()
            correct, cue = option_of[id(child)]
            inp = child if child.name == "input" else child.find("input")
            text = _option_text(child, inp)
            at = _line(inp if inp is not None else child)
            lines.extend([(f"- [{'x' if correct else ' '}] {text}", at), ("", at)])
            if correct and cue:
                marks[at] = cue
        elif isinstance(child, Tag) and (child.name in _BLOCK or _holds_block(child, option_of)):
            flush()
            if child.name in ("h1", "h2", "h3", "h4", "h5", "h6") and not _holds_block(child, option_of):
                text = " ".join(_inline(child).split())
                if text:
                    lines.extend([("#" * int(child.name[1]) + " " + text, _line(child)), ("", _line(child))])
            elif child.name == "pre":
                code = child.get_text()
                lines.append(("```", _line(child)))
                lines += [(ln, _line(child) + k) for k, ln in enumerate(code.strip("\n").split("\n"))]
                lines.extend([("```", _last_line(child)), ("", _last_line(child))])
            elif child.name not in ("br", "hr"):
                first = len(lines)
                _walk(child, lines, marks, option_of, depth + (child.name in ("ul", "ol")))
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
    return _inline(_Wrap(nodes))


class _Wrap:
    """Nodes as the children of a parent, for `_inline`."""

    def __init__(self, nodes: list) -> None:
        self.children = nodes


def _holds_block(el, option_of: dict[int, tuple[bool, str]]) -> bool:
    if not hasattr(el, "find_all"):
        return False
    return any(d.name in _BLOCK or id(d) in option_of for d in el.find_all(True))
