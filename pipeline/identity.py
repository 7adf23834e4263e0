"""Questions -> stable Anki GUIDs and modification times, remembered in a committed lock file.

Anki matches an imported note to one in the learner's collection by GUID alone, replaces it only when the
incoming modification time is newer, and never deletes. So a question keeps its GUID through answer fixes,
typo fixes in its stem, and insertions, removals or reorderings around it, and its modification time moves
only when what the learner sees changes. Both are recorded in seeds/identity.lock, one entry per question.

Matching a question to a lock entry of the same document, first come first served in document order:
  1. an unclaimed entry with the same stem fingerprint (preferring the same id);
  2. the entry with the same id, when the stems are still similar (a small edit);
  3. the most similar unclaimed entry (difflib ratio >= FUZZY_THRESHOLD), pairs taken best first;
  4. otherwise a new GUID derived from the document and the stem, so that a question that disappears and
     comes back unchanged gets its old GUID again.
A question's id takes part but never decides alone: ids come from labels that renumbering can shift.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
import time
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

from pipeline.model import Diagnostic, Document, Question

LOCK_VERSION = 1
SAME_ID_THRESHOLD = 0.75  # same id: a typo fix or a reworded clause still matches
FUZZY_THRESHOLD = 0.85  # different id: only a near-identical stem counts as the same question
_GUID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Identity(NamedTuple):
    guid: str  # Anki note GUID
    mtime: int  # note modification time, seconds since the epoch


@dataclass
class Assignment:
    identities: dict[str, Identity]  # question id -> identity
    diagnostics: list[Diagnostic]
    notetype_mtimes: dict[str, int]  # note type name -> modification time
    entries: list[LockEntry]  # what the lock will record
    notetypes: list[NotetypeEntry]

    @cached_property
    def lock_text(self) -> str:
        """The lock file's new contents (formatted when first asked for: a caller may have better things
        to do first)."""
        return format_lock(self.entries, self.notetypes)


class LockEntry(NamedTuple):  # a tuple: ten thousand are made, compared and sent between processes quickly
    id: str  # question id when last built
    document: str  # document slug
    guid: str
    mtime: int
    content: str  # hash of what the learner sees
    stem: str  # stem fingerprint, for re-matching after edits


class NotetypeEntry(NamedTuple):
    name: str
    content: str  # hash of fields, templates and CSS
    mtime: int


# An ASCII text's non-word characters (what [\W_] matches there) as spaces.
_ASCII_NON_WORD = {c: " " for c in range(128) if not chr(c).isalnum()}


@lru_cache(maxsize=1 << 16)
def fingerprint(stem: str) -> str:
    """Stem reduced to lower-case words: markup, math delimiters and spacing don't count as edits."""
    text = unicodedata.normalize("NFKC", stem).lower()
    if text.isascii():  # most stems: a translation table is several times faster than the expression
        return " ".join(text.translate(_ASCII_NON_WORD).split())
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def question_content(question: Question) -> str:
    """Hash of a question's learner-visible data, leaving out where it sits in its file."""
    data = question.to_json()
    for key in ("source", "diagnostics", "id", "number"):
        data.pop(key, None)
    for choice in data["choices"]:
        choice.pop("line", None)
    for computed in data["computed"]:
        computed.pop("line", None)
    return content_hash(data)


def content_hash(data: object) -> str:
    """Short stable hash of JSON-able data."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1 << 16)
def derive_guid(document: str, stem_fingerprint: str, salt: int = 0) -> str:
    """A GUID from the document and stem: rebuilding from the same text gives the same GUID."""
    digest = hashlib.sha256(f"{document}\x1f{stem_fingerprint}\x1f{salt}".encode("utf-8")).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(11):
        n, r = divmod(n, len(_GUID_ALPHABET))
        chars.append(_GUID_ALPHABET[r])
    return "".join(chars)


_PLAIN = r'"([^"\\\x00-\x1f\x7f]*)"'
_LOCK_NOTETYPE = re.compile(rf"\n\n\[\[notetype\]\]\nname = {_PLAIN}\ncontent = {_PLAIN}\nmtime = (\d+)")
_LOCK_NOTE = re.compile(rf"\n\n\[\[note\]\]\nid = {_PLAIN}\ndocument = {_PLAIN}\nguid = {_PLAIN}\n"
                        rf"mtime = (\d+)\ncontent = {_PLAIN}\nstem = {_PLAIN}")


def _read_lock_as_written(text: str) -> tuple[list[LockEntry], list[NotetypeEntry]] | None:
    """The lock's data when the file is exactly what format_lock writes, else None (read it as TOML).

    A general TOML parser takes about a second for a 10,000-note lock; the lock the build wrote last is read
    with two regular expressions instead, and accepted only if writing those entries back gives the same text.
    """
    types = [NotetypeEntry(m[1], m[2], int(m[3])) for m in _LOCK_NOTETYPE.finditer(text)]
    notes = [LockEntry(m[1], m[2], m[3], int(m[4]), m[5], m[6]) for m in _LOCK_NOTE.finditer(text)]
    if format_lock(notes, types) != text:
        return None
    return notes, types


def prepare(documents: Sequence[Document], stop: Callable[[], bool] = lambda: False) -> None:
    """Compute, ahead of `assign`, the stem fingerprints and first-choice GUIDs it will need (both are
    cached); for a process with time to spare. Returns as soon as `stop()` is true."""
    for doc in documents:
        for i, q in enumerate(doc.questions):
            derive_guid(doc.slug, fingerprint(q.stem))
            if i % 64 == 63 and stop():
                return


def read_lock(lock_path: Path) -> tuple[list[LockEntry], list[NotetypeEntry], list[Diagnostic]]:
    """Entries of the lock file; a missing file is an empty lock."""
    where = lock_path.as_posix()
    if not lock_path.exists():
        return [], [], []
    try:
        text = lock_path.read_text(encoding="utf-8")
        as_written = _read_lock_as_written(text)
        if as_written is not None:
            notes, types = as_written
        else:
            data = tomllib.loads(text)
            if data.get("version") != LOCK_VERSION:
                raise ValueError(f"version {data.get('version')!r}, expected {LOCK_VERSION}")
            notes = [
                LockEntry(id=str(e["id"]), document=str(e["document"]), guid=str(e["guid"]),
                          mtime=int(e["mtime"]), content=str(e["content"]), stem=str(e["stem"]))
                for e in data.get("note", [])
            ]
            types = [NotetypeEntry(name=str(e["name"]), content=str(e["content"]), mtime=int(e["mtime"]))
                     for e in data.get("notetype", [])]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        return [], [], [Diagnostic(where, 0, "error", "identity-lock-unreadable",
                                   f"cannot read the identity lock ({exc}); fix or restore it from version control")]
    diags: list[Diagnostic] = []
    seen: set[str] = set()
    kept: list[LockEntry] = []
    for entry in notes:
        if entry.guid in seen:
            diags.append(Diagnostic(where, 0, "error", "identity-duplicate-guid",
                                    f"GUID {entry.guid} is recorded twice; dropping the entry for {entry.id}"))
            continue
        seen.add(entry.guid)
        kept.append(entry)
    return kept, types, diags


def assign(
    documents: Sequence[Document],
    lock_path: Path,
    *,
    content_of: Callable[[Question], str] | None = None,
    notetypes: Mapping[str, str] | None = None,
    now: float | None = None,
    lock: tuple[list[LockEntry], list[NotetypeEntry], list[Diagnostic]] | None = None,
) -> Assignment:
    """GUID and modification time for every question, and the lock text that records them.

    `content_of` hashes what the learner sees of a question (the renderer passes the hash of its note
    fields and tags); `notetypes` maps note type name -> hash of its fields, templates and CSS. Reads the
    lock file, unless given what `read_lock(lock_path)` returned as `lock`; writing `lock_text` back is the
    caller's job, once its outputs are in place.
    """
    content_of = content_of or question_content
    stamp = int(time.time() if now is None else now)
    entries, old_types, diags = read_lock(lock_path) if lock is None else lock
    diags = list(diags)
    built = {doc.slug for doc in documents}

    identities: dict[str, Identity] = {}
    new_entries: list[LockEntry] = [e for e in entries if e.document not in built]
    used_guids = {e.guid for e in entries}
    for doc in documents:
        questions = _unique_questions(doc, diags)
        doc_entries = [e for e in entries if e.document == doc.slug]
        fps = {q.id: fingerprint(q.stem) for q in questions}
        matches = _match(questions, doc_entries, fps)
        claimed = {id(e) for e in matches.values()}
        for q in questions:
            fp = fps[q.id]
            content = content_of(q)
            entry = matches.get(q.id)
            if entry is None:
                guid = _fresh_guid(doc.slug, fp, used_guids)
                mtime = stamp
            else:
                guid = entry.guid
                mtime = entry.mtime if entry.content == content else max(entry.mtime + 1, stamp)
                if entry.id != q.id:
                    diags.append(Diagnostic(q.source.file, q.source.line_start, "info", "identity-rematched",
                                            f"{q.id} keeps the note of {entry.id} (same stem, new label)"))
            used_guids.add(guid)
            identities[q.id] = Identity(guid, mtime)
            new_entries.append(LockEntry(q.id, doc.slug, guid, mtime, content, fp))
        for e in doc_entries:
            if id(e) not in claimed:
                diags.append(Diagnostic(doc.path, 0, "info", "identity-retired",
                                        f"{e.id} (GUID {e.guid}) is no longer in the document; "
                                        "learners who imported it keep the note until they delete it"))

    type_mtimes: dict[str, int] = {}
    new_types: list[NotetypeEntry] = []
    old_by_name = {t.name: t for t in old_types}
    for name, content in sorted((notetypes or {}).items()):
        old = old_by_name.get(name)
        if old is None:
            mtime = stamp
        elif old.content == content:
            mtime = old.mtime
        else:
            mtime = max(old.mtime + 1, stamp)
        type_mtimes[name] = mtime
        new_types.append(NotetypeEntry(name, content, mtime))
    if notetypes is None:
        new_types = list(old_types)
    return Assignment(identities, diags, type_mtimes, new_entries, new_types)


def _unique_questions(doc: Document, diags: list[Diagnostic]) -> list[Question]:
    seen: set[str] = set()
    out = []
    for q in doc.questions:
        if q.id in seen:
            diags.append(Diagnostic(q.source.file, q.source.line_start, "error", "identity-duplicate-id",
                                    f"question id {q.id} is used twice; this one gets no note"))
            continue
        seen.add(q.id)
        out.append(q)
    return out


def _match(questions: list[Question], entries: list[LockEntry],
           fps: dict[str, str] | None = None) -> dict[str, LockEntry]:
    """Question id -> the lock entry it continues, following the order in the module docstring."""
    matched: dict[str, LockEntry] = {}
    free: dict[int, LockEntry] = {id(e): e for e in entries}  # insertion-ordered: the lock's order
    fps = fps if fps is not None else {q.id: fingerprint(q.stem) for q in questions}
    by_stem: dict[str, list[LockEntry]] = {}
    by_id: dict[str, list[LockEntry]] = {}
    for e in entries:
        by_stem.setdefault(e.stem, []).append(e)
        by_id.setdefault(e.id, []).append(e)

    def claim(q: Question, e: LockEntry) -> None:
        matched[q.id] = e
        del free[id(e)]

    for q in questions:
        same = [e for e in by_stem.get(fps[q.id], ()) if id(e) in free]
        if same:
            claim(q, next((e for e in same if e.id == q.id), same[0]))
    for q in questions:
        if q.id in matched:
            continue
        e = next((e for e in by_id.get(q.id, ()) if id(e) in free), None)
        if e is not None and _ratio(fps[q.id], e.stem) >= SAME_ID_THRESHOLD:
            claim(q, e)
    pairs = []
    remaining = list(free.values())
    for qi, q in enumerate(questions):
        if q.id in matched:
            continue
        for ei, e in enumerate(remaining):
            r = _ratio(fps[q.id], e.stem)
            if r >= FUZZY_THRESHOLD:
                pairs.append((-r, qi, ei, q, e))
    for _, _, _, q, e in sorted(pairs, key=lambda p: p[:3]):
        if q.id not in matched and id(e) in free:
            claim(q, e)
    return matched


def _ratio(a: str, b: str) -> float:
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < FUZZY_THRESHOLD * 0.8:
        return 0.0
    return m.ratio()


def _fresh_guid(document: str, stem_fingerprint: str, used: set[str]) -> str:
    salt = 0
    while (guid := derive_guid(document, stem_fingerprint, salt)) in used:
        salt += 1
    return guid


_DIGIT_RUNS = re.compile(r"(\d+)")
_ENDS_IN_NUMBER = re.compile(r"(.*\D)?(\d+)")


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """"q2" before "q10": runs of digits compare as numbers."""
    m = _ENDS_IN_NUMBER.fullmatch(text)
    if m is None:
        return _natural_key_of(text)
    # The usual id, "<document>/q<number>": the part before the number is shared by a whole document.
    return _natural_key_of(m[1] or "") + ((0, int(m[2]), ""), (1, 0, ""))


@lru_cache(maxsize=1 << 12)
def _natural_key_of(text: str) -> tuple[tuple[int, int, str], ...]:
    # split puts the runs of digits at the odd places
    return tuple((0, int(part), "") if i % 2 else (1, 0, part) for i, part in enumerate(_DIGIT_RUNS.split(text)))


_TOML_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')


def _toml_str(value: str) -> str:
    if _TOML_PLAIN.fullmatch(value):
        return f'"{value}"'  # nothing to escape: ids, GUIDs, hashes, most stems
    # JSON escapes are valid TOML basic-string escapes; DEL is the one control character JSON leaves raw.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def format_lock(entries: Iterable[LockEntry | tuple], notetypes: Iterable[NotetypeEntry | tuple]) -> str:
    """The lock file as TOML, sorted so that a rebuild rewrites nothing and an edit is a small diff.
    (Entries may also be plain tuples in the same order, as they travel between processes.)"""
    lines = [
        "# Anki note identities, written by the deck build (pipeline/identity.py). Commit this file:",
        "# a changed guid makes every learner's Anki treat the question as a new note.",
        f"version = {LOCK_VERSION}",
    ]
    for name, content, mtime in sorted(notetypes, key=lambda t: t[0]):
        lines += ["", "[[notetype]]", f"name = {_toml_str(name)}", f"content = {_toml_str(content)}",
                  f"mtime = {mtime}"]
    head = "\n".join(lines)
    ordered = sorted(entries, key=lambda e: (e[1], _natural_key(e[0]), e[2]))  # document, id, guid
    # One check of every string at once: almost always none needs escaping, and each is written as it is.
    if _TOML_PLAIN.fullmatch("".join([f"{i}{d}{g}{c}{s}" for i, d, g, _, c, s in ordered])):
        notes = "".join([f'\n\n[[note]]\nid = "{i}"\ndocument = "{d}"\nguid = "{g}"\nmtime = {m}\n'
                         f'content = "{c}"\nstem = "{s}"' for i, d, g, m, c, s in ordered])
    else:
        notes = "".join([f"\n\n[[note]]\nid = {_toml_str(i)}\ndocument = {_toml_str(d)}\nguid = {_toml_str(g)}\n"
                         f"mtime = {m}\ncontent = {_toml_str(c)}\nstem = {_toml_str(s)}"
                         for i, d, g, m, c, s in ordered])
    return head + notes + "\n"


__all__ = [
    "Identity", "Assignment", "LockEntry", "NotetypeEntry", "fingerprint", "question_content", "content_hash",
    "derive_guid", "prepare", "read_lock", "assign", "format_lock", "SAME_ID_THRESHOLD", "FUZZY_THRESHOLD",
]
