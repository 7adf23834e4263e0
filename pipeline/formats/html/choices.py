"""A saved page's radio and checkbox groups, and result pages' option rows -> each question's options with
what marks them right: a class name (`correct`, `right`), an attribute (`data-correct`), feedback such as "The
correct answer is: ..." or a graded question ("Correct") whose checked option is then right. An option marked
only by being checked is the learner's choice, so it is kept with a warning."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.formats.html.tree import chrome, class_names, inline, line_of

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


@dataclass
class Group:
    """One question's inputs: each option's element, its text and how it is marked."""
    options: list = field(default_factory=list)  # (option element, input)
    marks: dict[int, tuple[bool, str]] = field(default_factory=dict)  # id(option element) -> (correct, cue)
    warn: list[tuple[int, str]] = field(default_factory=list)


def choice_groups(soup, answers: list[tuple[object, str]]) -> list[Group]:
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
        g = Group()
        for inp in inputs:
            g.options.append((_option_element(inp, every), inp))
        scope = _question_scope(g.options[0][0], inputs)
        state = _graded(scope)
        named = _named_answer(scope, answers)
        for opt, inp in g.options:
            text = option_text(opt, inp)
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
                    g.warn.append((line_of(inp), "the option is marked only as checked, the learner's choice: the "
                                              "page does not say it is right"))
        groups.append(g)
    taken = {id(opt) for g in groups for opt, _ in g.options}
    return groups + _rows(soup, taken)


def _rows(soup, taken: set[int]) -> list[Group]:
    """Options without inputs, as result pages show them (`<div class="answer correct_answer">` among
    `<div class="answer">`): sibling elements of one kind where a class or `data-correct` marks one right."""
    groups = []
    parents: set[int] = set()
    for el in soup.find_all(True):
        classes = class_names(el)
        right = any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in classes) or el.get("data-correct") is not None
        if not right or id(el) in taken or el.parent is None or el.parent.find("input") is not None:
            continue
        parent = el.parent
        if id(parent) in parents or chrome(el):
            continue
        shared = {c for c in classes if not (_RIGHT.match(c) or _RIGHT_ROW.match(c) or _WRONG.match(c))}
        siblings = [c for c in parent.find_all(el.name, recursive=False)
                    if c is el or not shared or shared & set(class_names(c))]
        if len(siblings) < 2 or any(c.find(["p", "div", "li"]) is not None and _holds_rows(c) for c in siblings):
            continue
        parents.add(id(parent))
        g = Group()
        for row in siblings:
            g.options.append((row, None))
            cue = _marked(row, None)
            if cue is not None:
                g.marks[id(row)] = (cue[0], cue[1])
        groups.append(g)
    return groups


def _holds_rows(el) -> bool:
    """Whether an element holds options of its own (it is a question, not an option)."""
    return any(any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in class_names(d)) for d in el.find_all(True))


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
        if "que" in class_names(el) or el.name in ("fieldset", "form", "article", "section", "li"):
            return el
        el = el.parent
    return option.parent


def _graded(scope) -> str:
    """"correct", "incorrect" or "" for a question the page graded (Moodle's `que ... correct`, a
    state that says so)."""
    el = scope
    while el is not None and getattr(el, "name", None):
        classes = [c.lower() for c in class_names(el)]
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
        classes = class_names(el)
        if any(_RIGHT.match(c) or _RIGHT_ROW.match(c) for c in classes):
            return (True, "html-class-correct")
        if any(_WRONG.match(c) for c in classes):
            return (False, "html-class-wrong")
    return None


def option_text(opt, inp) -> str:
    label = None
    ident = inp.get("id") if inp is not None else None
    if ident:
        root = opt
        while root.parent is not None:
            root = root.parent
        label = root.find("label", attrs={"for": ident})
    el = label if label is not None and not _inside(label, opt) and label is not opt else opt
    text = inline(el).strip()
    if el is not opt:
        text = (text + " " + inline(opt).strip()).strip() if not inline(opt).strip() else text
    text = _OPTION_LABEL.sub("", text, count=1)
    text = _ROW_LABELS.sub("", text)
    for word in ("Correct", "Incorrect"):
        if text.endswith(" " + word):
            text = text[: -len(word) - 1]
    return _OPTION_LABEL.sub("", text.strip(), count=1).strip()


def _plain(text: str) -> str:
    return " ".join(_OPTION_LABEL.sub("", text).split()).strip(" .").lower()
