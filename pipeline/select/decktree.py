"""The deck tree's settings (seeds/decks.toml) -> the parent deck every document's deck sits under.

    [deck]
    name = "Recurrent Neural Networks"     # the parent deck in Anki; `::` nests it under another
    description = "..."                     # optional: shown on the deck's overview screen
    practice = 3                            # optional: practice notes per numeric question (0 for none)
    unanswered = false                      # optional: true also packs the questions the sources leave
                                            # unanswered, in a top-level deck "Unanswered questions"

The note types and card templates serve a deck on any subject; the subject is named here. Without the file
the parent deck is named for no subject. A problem is a `deck-settings-invalid` error at its line, and the
decks are then not written, so that they never move to another parent by mistake.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.files import tomlfile
from pipeline.model import Diagnostic
from pipeline.files.normalize import controls_removed
from pipeline.files.source import read_source

CODE = "deck-settings-invalid"
_KEYS = {"name", "description", "practice", "unanswered"}
MAX_NAME = 200  # characters of the parent deck's name
MAX_PRACTICE = 20

# Questions the source leaves unanswered sit in a deck tree of their own, so that studying a document's deck
# (or the parent) never brings up a card with no answer. Suspending them instead would not last: Anki's
# import, with its default of no scheduling, makes every card it adds new again.
UNANSWERED_DECK = "Unanswered questions"
# A question that shows a figure nobody supplied cannot be answered. Its card is suspended, which Anki's import
# keeps only with scheduling; by default it makes the card new, so a deck tree of its own keeps it out of study.
FIGURE_DECK = "Questions missing a figure"


@dataclass(frozen=True)
class DeckTree:
    name: str = "Study questions"  # the parent deck
    description: str = "One subdeck per study document."
    practice: int = 3  # practice notes with their own numbers per question the reference model computes
    unanswered: bool = False  # whether the packages hold the questions their sources leave unanswered


def load_deck_tree(path: Path) -> tuple[DeckTree | None, list[Diagnostic]]:
    """The settings in `path`: the defaults when there is no such file, None when it is not valid."""
    if not path.exists():
        return DeckTree(), []
    raw, problems = read_source(path, path.as_posix())
    if raw is None:
        return None, problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Diagnostic(path.as_posix(), 0, "error", CODE, "not valid UTF-8; TOML is UTF-8")]
    return parse_deck_tree(text, path.as_posix())


def parse_deck_tree(text: str, where: str) -> tuple[DeckTree | None, list[Diagnostic]]:
    def invalid(line: int, message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(where, line, "error", CODE, message)]

    try:
        data = tomlfile.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return invalid(int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0, f"not valid TOML: {exc}")
    lines = text.split("\n")

    def line_of(key: str) -> int:
        pattern = re.compile(rf"\s*(?:\[\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\]]")
        return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 0)

    unknown = sorted(set(data) - {"deck"})
    if unknown:
        return invalid(line_of(unknown[0]), f"unknown table or key `{unknown[0]}` (the file has a [deck] table)")
    deck = data.get("deck", {})
    if not isinstance(deck, dict):
        return invalid(line_of("deck"), "`deck` must be a [deck] table with `name` and `description`")
    unknown = sorted(set(deck) - _KEYS)
    if unknown:
        return invalid(line_of(unknown[0]), f"unknown key `{unknown[0]}` in [deck] (known: description, name, practice, "
                                            "unanswered)")
    name = deck.get("name", DeckTree.name)
    if not isinstance(name, str) or not all(part.strip() for part in name.split("::")):
        return invalid(line_of("name"), f"`name` must be the parent deck's name as text, not {json.dumps(name, default=str)}")
    if len(name) > MAX_NAME:
        return invalid(line_of("name"), f"`name` has {len(name):,} characters, more than the {MAX_NAME} a deck name may have")
    if controls_removed(name) != name:
        return invalid(line_of("name"), "`name` holds control or text-direction characters; write the name as it reads")

    top = " ".join(name.split("::")[0].split()).casefold()
    if top in (FIGURE_DECK.casefold(), UNANSWERED_DECK.casefold()):
        return invalid(line_of("name"), f"`name` “{name}” is the deck the build keeps for other notes; the studied "
                                        "notes would be mixed with them: choose another name")
    description = deck.get("description", DeckTree.description if "name" not in deck else "")
    if not isinstance(description, str):
        return invalid(line_of("description"), f"`description` must be text, not {json.dumps(description, default=str)}")
    practice = deck.get("practice", DeckTree.practice)
    if isinstance(practice, bool) or not isinstance(practice, int) or not 0 <= practice <= MAX_PRACTICE:
        return invalid(line_of("practice"), f"`practice` must be a whole number from 0 to {MAX_PRACTICE}, "
                                            f"not {json.dumps(practice, default=str)}")
    unanswered = deck.get("unanswered", DeckTree.unanswered)
    if not isinstance(unanswered, bool):
        return invalid(line_of("unanswered"), f"`unanswered` must be true or false, not "
                                              f"{json.dumps(unanswered, default=str)}")
    return DeckTree("::".join(" ".join(part.split()) for part in name.split("::")), description.strip(),
                    practice, unanswered), []
