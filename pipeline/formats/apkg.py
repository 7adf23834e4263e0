"""Anki packages (.apkg, .colpkg) -> questions, one per note, through the official `anki` package (an
optional extra: `pip install 'rnn-decks[anki]'`).

The package is imported into a fresh collection in a temporary folder, as Anki's own import does; each note
then becomes a question: this project's note types by their fields (stem, options with the correct ones,
answer, explanation), cloze notes as fill-in questions (each deletion a blank, the deleted text the answer),
any other note type by its first field (the front) and second (the back). Tags are kept; the deck a note's
cards sit in is its section; images are recorded as figures of the question. A note's position is its
number in the package, in the order of the deck's new cards."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from pipeline.model import Choice, Cue, Diagnostic, Document, Figure
from pipeline.formats.items import Item, document

_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_OWN = {"Choice question", "Open question", "Numeric question", "RNN Choice", "RNN Question", "RNN Numeric"}
_PROJECT_TAGS = re.compile(r"^(?:unanswered|figure-missing|practice)$")


def read_apkg(data: bytes, path: str, slug: str) -> Document:
    try:
        from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    except ImportError:
        return Document(path, slug, "", slug, diagnostics=(Diagnostic(
            path, 0, "error", "format-unavailable", "reading Anki packages needs the `anki` package: "
            "pip install 'rnn-decks[anki]'"),))
    with tempfile.TemporaryDirectory(prefix="rnn-decks-apkg-") as tmp:
        package = Path(tmp) / ("package.colpkg" if path.lower().endswith(".colpkg") else "package.apkg")
        package.write_bytes(data)
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            try:
                col.import_anki_package(ImportAnkiPackageRequest(
                    package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=False)))
            except Exception as exc:  # noqa: BLE001 - Anki says why a package is damaged
                return Document(path, slug, "", slug, diagnostics=(Diagnostic(
                    path, 0, "error", "unreadable", f"Anki cannot import this package ({exc})"),))
            notes = sorted((_note(col, nid) for nid in col.find_notes("")), key=lambda n: n["order"])
        finally:
            col.close()
    # Practice notes are variants this project draws for each build, not questions of the deck's author.
    notes = [n for n in notes if not (n["type"] in _OWN and n["deck"].endswith("::Practice"))]
    items = [_item(n, no, path) for no, n in enumerate(notes, 1)]
    decks = {n["deck"] for n in notes if n["deck"]}
    title = _title(decks) or slug
    return document(items, path, slug, "Anki package", title, lines=tuple(n["fields"][0][1] if n["fields"] else ""
                                                                       for n in notes),
                    looked_for="notes in the package")


def _note(col, nid: int) -> dict:
    note = col.get_note(nid)
    kind = note.note_type()
    cards = note.cards()
    deck = col.decks.name(cards[0].did) if cards else ""
    # Imported without scheduling, every card is new and `due` is its place in the deck: the author's order.
    order = (min(c.due for c in cards) if cards else 0, nid)
    return {"order": order, "type": kind["name"], "cloze": kind.get("type") == 1, "fields": list(note.items()),
            "tags": tuple(t for t in note.tags if not _PROJECT_TAGS.match(t)), "deck": deck}


def _title(decks: set[str]) -> str:
    """The deepest deck every note sits in or under, by its last part."""
    if not decks:
        return ""
    parts = [d.split("::") for d in decks]
    common = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return common[-1] if common else ""


def _item(n: dict, no: int, path: str) -> Item:
    fields = dict(n["fields"])
    section = n["deck"].split("::")[-1] if n["deck"] else ""
    figures: list[Figure] = []
    if n["type"] in _OWN and "Stem" in fields:  # a practice note (a variant this project made) is skipped above
        return _own(fields, no, section, n["tags"], n["type"])
    if n["cloze"]:
        text = next(iter(fields.values()), "")
        answers: list[str] = []

        def blank(m: re.Match) -> str:
            answers.append(markdown(m.group(2), figures, "answer", no))
            return f"[{markdown(m.group(3), [], 'stem', no)}]" if m.group(3) else "_____"

        stem = markdown(_CLOZE.sub(blank, text), figures, "stem", no)
        extra = [v for k, v in n["fields"][1:] if v.strip()]
        item = Item("open", stem, no, no, answer="; ".join(answers),
                    explanation="\n\n".join(markdown(v, figures, "answer", no) for v in extra), section=section,
                    tags=n["tags"], cues=[Cue("start", "anki-cloze-note", no), Cue("answer", "anki-cloze", no)])
    else:
        values = [v for _, v in n["fields"]]
        front = markdown(values[0] if values else "", figures, "stem", no)
        back = markdown(values[1], figures, "answer", no) if len(values) > 1 else ""
        rest = [markdown(v, figures, "answer", no) for v in values[2:] if v.strip()]
        item = Item("open", front, no, no, answer=back, explanation="\n\n".join(rest), section=section,
                    tags=n["tags"], cues=[Cue("start", "anki-note", no), Cue("answer", "anki-back", no)])
    item.figures = figures
    return item


def _own(fields: dict[str, str], no: int, section: str, tags: tuple[str, ...], kind: str) -> Item:
    """A note this project wrote: its fields name each part."""
    from bs4 import BeautifulSoup

    figures: list[Figure] = []
    stem = markdown(fields.get("Stem", ""), figures, "stem", no)
    item = Item("open", stem, no, no, context=markdown(fields.get("Context", ""), [], "stem", no), section=section,
                tags=tags, cues=[Cue("start", "anki-note", no)])
    if "Options" in fields:
        soup = BeautifulSoup(fields.get("Key") or fields["Options"], "html.parser")
        rows = soup.find_all("li")
        for li in rows:
            text = li.find(class_="text")
            item.choices.append(Choice(markdown(text.decode_contents() if text else "", [], "stem", no),
                                       "correct" in (li.get("class") or []), no))
        correct = sum(c.correct for c in item.choices)
        item.kind = "multi_choice" if correct > 1 else "single_choice"
        item.cues += [Cue("options", "anki-options", no), Cue("correct", "anki-key", no)]
        item.explanation = markdown(fields.get("Explanation", ""), figures, "answer", no)
    else:
        item.answer = markdown(fields.get("Answer", ""), figures, "answer", no)
        item.explanation = markdown(fields.get("Explanation", ""), figures, "answer", no)
        if not item.answer and fields.get("Value"):
            item.answer = markdown(fields["Value"], [], "answer", no)
        item.cues.append(Cue("answer", "anki-answer", no))
    item.figures = figures
    return item


def markdown(html: str, figures: list[Figure], where: str, no: int) -> str:
    """A field's HTML as Markdown: paragraphs, lists, bold, italics and code kept, math as `$...$`, each image
    a figure of the question (its note names the package's media file)."""
    from bs4 import BeautifulSoup

    if not html or not html.strip():
        return ""
    soup = BeautifulSoup(html, "html.parser")
    for el in soup.find_all(class_=["figures", "figure-note", "mark", "letter"]):
        el.decompose()
    text = _blocks(soup, figures, where, no)
    text = re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", text, flags=re.S)
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1).strip()}$$", text, flags=re.S)
    text = re.sub(r"\[\$\$\](.+?)\[/\$\$\]", lambda m: f"$${m.group(1).strip()}$$", text, flags=re.S)
    text = re.sub(r"\[\$\](.+?)\[/\$\]", lambda m: f"${m.group(1).strip()}$", text, flags=re.S)
    return text.strip()


_BLOCKS = {"p", "div", "ul", "ol", "li", "pre", "blockquote", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


def _blocks(el, figures: list[Figure], where: str, no: int) -> str:
    """Block elements as paragraphs (list items as lines), the inline run between them as one paragraph."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = " ".join("".join(run).replace("\u00a0", " ").split(" ")).strip()
        text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
        if text:
            out.append(text)
        run.clear()

    for child in el.children:
        name = getattr(child, "name", None)
        if name in ("ul", "ol"):
            flush()
            items = [c for c in child.children if getattr(c, "name", None) == "li"]
            out.append("\n".join(("- " if name == "ul" else f"{k}. ") + _blocks(li, figures, where, no).replace("\n\n", " ")
                                 for k, li in enumerate(items, 1)))
        elif name == "pre":
            flush()
            out.append("```\n" + child.get_text().strip("\n") + "\n```")
        elif name in _BLOCKS:
            flush()
            inner = _blocks(child, figures, where, no)
            if inner:
                out.append(inner)
        else:
            run.append(_inline(child, figures, where, no))
    flush()
    return "\n\n".join(out)


def _inline(node, figures: list[Figure], where: str, no: int) -> str:
    name = getattr(node, "name", None)
    if name is None:
        return str(node) if type(node).__name__ == "NavigableString" else ""
    if name == "br":
        return "\n"
    if name == "img":
        figures.append(Figure(where, f"image `{node.get('src', '')}` of the Anki package", no))
        return ""
    inner = "".join(_inline(c, figures, where, no) for c in node.children)
    if not inner.strip():
        return inner
    lead, core, trail = inner[: len(inner) - len(inner.lstrip())], inner.strip(), inner[len(inner.rstrip()):]
    if name in ("b", "strong"):
        return f"{lead}**{core}**{trail}"
    if name in ("i", "em"):
        return f"{lead}*{core}*{trail}"
    if name == "code":
        return f"{lead}`{core}`{trail}"
    if name == "sub":
        return f"<sub>{core}</sub>"
    if name == "sup":
        return f"<sup>{core}</sup>"
    return inner
