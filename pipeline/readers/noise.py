"""Lines that are never part of a question: rules, banners, widgets, tables of contents, footers, and the
answer-key section whose entries answer the questions by number."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.readers import cues
from pipeline.readers.blocks import Line


_RULE = re.compile(r"[-*_=]{3,}")


def mark_noise(lines: list[Line]) -> dict[int, str]:
    """Line index -> reason, for lines that are never part of a question."""
    noise: dict[int, str] = {}
    for i, line in enumerate(lines):
        if line.blank:
            continue
        if line.block == "hr" or _RULE.fullmatch(line.body):
            noise[i] = "horizontal rule"
        elif line.block != "code" and (reason := cues.noise_reason(line.body)):
            noise[i] = reason
    noise.update(_contents(lines))
    noise.update(_footer(lines))
    noise.update(_front_matter(lines))
    return noise


_YAML_KEY = re.compile(r"^[\w-]+\s*:(?:\s|$)")


def _front_matter(lines: list[Line]) -> dict[int, str]:
    """A YAML block between `---` lines at the very top (a static site's page settings): metadata, not text."""
    if not lines or lines[0].text.strip() != "---":
        return {}
    end = next((i for i in range(1, min(len(lines), 2000)) if lines[i].text.strip() in ("---", "...")), None)
    if end is None or not any(_YAML_KEY.match(ln.text) for ln in lines[1:end]):
        return {}
    return {i: "front matter" for i in range(end + 1)}


def _footer(lines: list[Line]) -> dict[int, str]:
    """A few short lines after the document's last horizontal rule, with no question or answer in them
    (`*Liked this post? ... Good luck!*`)."""
    rules = [i for i, ln in enumerate(lines) if ln.block == "hr" or _RULE.fullmatch(ln.body)]
    if not rules:
        return {}
    tail = [i for i in range(rules[-1] + 1, len(lines)) if not lines[i].blank]
    if not tail or len(tail) > 3 or any(cues.label(lines[i].body, lines[i].block == "heading")
                                        or cues.answer_text(lines[i].body) is not None or lines[i].item
                                        or lines[i].block != "paragraph" for i in tail):
        return {}
    return {i: "page footer" for i in tail}


def _contents(lines: list[Line]) -> dict[int, str]:
    """A table of contents: a `Contents` title followed by entries ending in page numbers, or a run of lines
    that are only links (`* [Q1: What is ...](#q1)`), three or more, or two whose texts stand again further on."""
    found: dict[int, str] = {}
    for i, line in enumerate(lines):
        if not line.blank and cues.CONTENTS_TITLE.match(line.body.strip("#*: ")):
            found[i] = "table of contents"
            for j in range(i + 1, len(lines)):
                if lines[j].blank:
                    continue
                if not cues.PAGE_NUMBER_ENTRY.match(lines[j].body) and not cues.LINK_ONLY.match(lines[j].body):
                    break
                found[j] = "table of contents"
            break
    runs: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if line.blank:
            continue
        if cues.LINK_ONLY.match(line.body) and line.block == "paragraph":
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    later = " ".join(ln.body.lower() for ln in lines if not cues.LINK_ONLY.match(ln.body))
    for run in runs:
        texts = [cues.LINK_ONLY.match(lines[i].body).group(1).lower() for i in run]  # type: ignore[union-attr]
        if len(run) >= 3 or (len(run) == 2 and all(t.strip() and t.strip() in later for t in texts)):
            found.update({i: "table of contents" for i in run})
    return found


Entries = dict[str, tuple[str, int]]  # question label -> (answer, line)


@dataclass(frozen=True)
class Key:
    """An answer-key section: its entries by question label, or, when its numbers start again under each
    sub-heading (`## Section A`, `1.`..`5.`, `## Section B`, `1.`..), its entries by sub-heading."""
    entries: Entries = field(default_factory=dict)
    sections: tuple[tuple[str, Entries], ...] = ()  # (the sub-heading's words, its entries), in order

    def __bool__(self) -> bool:
        return bool(self.entries or self.sections)

    def strays(self, numbers: set[str], sections: set[str]) -> list[str]:
        """What the key answers that the document does not have: question labels, or sub-headings that name
        no section of the questions."""
        if self.entries:
            return [f"question {label}" for label in self.entries if label not in numbers]
        return [f"section “{name}”" for name, _ in self.sections if not any(_same_section(name, s) for s in sections)]

    def names_options(self) -> bool:
        """Whether most entries name an option by its letter (`b`, `c) Italy`), not an open answer (`5/14`)."""
        said = [a for a, _ in self.entries.values()] + [a for _, e in self.sections for a, _ in e.values()]
        return sum(1 for a in said if _LETTER_FIRST.match(a)) * 2 > len(said)

    def entry(self, section: str, *labels: str) -> tuple[str, int] | None:
        """The entry for a question of `section` shown as one of `labels` (`2(c)`, then `2`)."""
        entries = self.entries or next((e for name, e in self.sections if _same_section(name, section)), {})
        return next((entries[label] for label in labels if label and label in entries), None)


_LETTER_FIRST = re.compile(r"^\W*\(?[A-Ha-h]\)?(?:[\s.,;:)\-]|$)")


def _same_section(name: str, section: str) -> bool:
    """A key's `Section A` answers the questions under `Section A: Multiple Choice (20 Marks)`."""
    a, b = (" ".join(re.sub(r"[^\w\s]", " ", t.lower()).split()) for t in (name, section))
    return bool(a) and (a == b or b.startswith(a + " ") or b.endswith(" " + a))


def answer_key(lines: list[Line], noise: dict[int, str]) -> tuple[Key, list[int]]:
    """An answer-key section after the questions (`## Answers`, `## ✅ Answer key`, `### Soluciones:`), and its
    lines. Its entries are numbered lines, table rows or one line of `1-C, 2-D, ...`; sub-headings
    (`### Section 1`) and an explanation under an entry belong to the section, which ends at a heading of its
    own level or above. Numbers that start again under the sub-headings answer each sub-heading's questions."""
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.blank or i in noise:
            continue
        inline = _inline_key(line)
        if inline:
            return Key(inline), [i]
        if not (line.block == "heading" or line.body.startswith("**") or line.opens) or len(line.body) > 60 or \
                not cues.KEY_TITLE.match(cues.bare_title(line.body)):
            continue
        level = line.level if line.block == "heading" else 7
        sections: list[tuple[str, Entries]] = [("", {})]
        restarts = False
        used = [i]
        header: list[str] | None = None  # a key table's header row
        for j in range(i + 1, len(lines)):
            ln = lines[j]
            if ln.blank:
                continue
            if ln.block == "heading" and ln.level <= level:
                break
            if ln.block == "table" and header is None:
                header = [c.strip().lower() for c in ln.text.strip().strip("|").split("|")]
            row = _table_entries(ln, header or []) if ln.block == "table" else _inline_entries(ln.body, ln.no)
            entry = _key_entry(ln) if row is None else None
            found = {entry[0]: (entry[1], ln.no)} if entry is not None else row or {}
            entries = sections[-1][1]
            if found.keys() & entries.keys():
                break  # a number again with no sub-heading between: not a key
            if found:
                restarts = restarts or bool(found.keys() & {k for _, e in sections[:-1] for k in e})
                entries.update(found)
            elif ln.block == "heading" or (ln.opens and len(ln.body) <= 80 and cues.bold_whole(ln.body) is not None):
                sections.append((cues.bare_title(ln.body), {}))  # a sub-heading, or a bold line standing for one
            elif ln.block in ("table", "html") or (entries and ln.block == "paragraph") \
                    or _TAGS_ONLY.fullmatch(ln.body.strip()):
                pass  # a header row or rule, an anchor, an explanation under an entry
            else:
                break
            used.append(j)
        kept = tuple((name, e) for name, e in sections if e)
        if restarts and all(name for name, _ in kept):
            return Key(sections=kept), used
        if kept and not restarts:
            return Key({label: v for _, e in kept for label, v in e.items()}), used
    return Key(), []


_TAGS_ONLY = re.compile(r"(?:<[^>]*>\s*)+")
_KEY_ENTRY = re.compile(r"^(?:Q(?:uestion)?\s*)?(\d+(?:\s*\(?[a-z]\)?(?![a-z]))?(?:\s*\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)\)?)?)"
                        r"\s*\**\s*(?:[.:)\-–=]|\s)\s*(.+)$", re.I)


# A whole key on one line: `Answers: 1-b, 2-a, 3-c`, `Answer key: 1 B; 2 D`, `Respuestas: 1) a 2) c`.
_INLINE_KEY = re.compile(r"^(?:answer\s*keys?|answers|solutions|key|correct answers|respuestas|soluciones|"
                         r"lösungen|antworten|réponses|corrigé|risposte|respostas|答案)\s*[:：\-–]\s*(.+)$", re.I)
_INLINE_ENTRY = re.compile(r"(\d{1,3})\s*[-.:)=–]?\s*([A-Ha-h])(?![\w])")


def _inline_key(line: Line) -> dict[str, tuple[str, int]] | None:
    m = _INLINE_KEY.match(re.sub(r"[*_]", "", line.body).strip())
    return _inline_entries(m.group(1), line.no) if m else None


def _inline_entries(rest: str, no: int) -> dict[str, tuple[str, int]] | None:
    """`1-b, 2-a, 3-c` (two entries or more, nothing else) -> label -> (letter, line)."""
    rest = re.sub(r"[*_]", "", rest)
    entries = _INLINE_ENTRY.findall(rest)
    if len(entries) < 2 or len({n for n, _ in entries}) < len(entries):
        return None
    if re.sub(r"[\s,;/|]+", "", _INLINE_ENTRY.sub("", rest)):
        return None  # something else on the line: prose, not a key
    return {str(int(n)): (letter, no) for n, letter in entries}


def _table_entries(line: Line, header: list[str]) -> dict[str, tuple[str, int]] | None:
    """A key table's row, `| 1 | B |`, or folded in pairs of columns under a header that repeats its pair
    (`| No | Answer | No | Answer |` over `| 1 | B | 11 | C |`) -> label -> (answer, line)."""
    cells = [c.strip() for c in line.text.strip().strip("|").split("|")]
    pairs = [(cells[k], cells[k + 1]) for k in range(0, len(cells) - 1, 2)]
    if not pairs or not all(_KEY_NUMBER.fullmatch(n) for n, _ in pairs[:1]):
        return None
    folded = len(header) >= 4 and header[2:4] == header[0:2]
    if not folded or not all(_KEY_NUMBER.fullmatch(n) or not n for n, _ in pairs):
        pairs = pairs[:1]  # `| 1 | B | why |`, `| 1 | B | 2 marks |`: one entry and what follows it
    return {re.sub(r"\D", "", n): (a, line.no) for n, a in pairs if n and a}


_KEY_NUMBER = re.compile(r"(?:Q(?:uestion)?\s*)?\d+\.?", re.I)


def _key_entry(line: Line) -> tuple[str, str] | None:
    if line.block == "table":
        return None
    text = line.body if not line.opens_item or not line.item or not line.item.ordered else \
        f"{line.item.number}. {line.body}"
    m = _KEY_ENTRY.match(re.sub(r"^\*\*|^__", "", text.strip()))
    if not m:
        return None
    # `2c`, `2(c)`, `1 (c) (i)` -> `2(c)`, `1(c)(i)`, as questions with parts are numbered
    parts = re.findall(r"\d+|[a-z]+", m.group(1).lower())
    said = m.group(2).strip().strip("*").strip()
    labelled = cues.answer_text(said.replace("**", ""))  # `**1. Answer: A** - why`
    return parts[0] + "".join(f"({p})" for p in parts[1:]), (labelled if labelled else said)
