"""Questions -> stable Anki GUIDs and modification times, and the lock data that remembers them.

Anki matches an imported note to one in the learner's collection by GUID alone, replaces it only when the
incoming modification time is newer, and never deletes. So a question keeps its GUID through answer fixes,
typo fixes in its stem, and insertions, removals or reorderings around it, and its modification time moves
only when what its note holds changes. Both are recorded in the lock (seeds/identity.lock), one entry per
question; the driver reads and writes the file, this module only turns its text into data and back.

Matching a question to a lock entry of the same document, first come first served in document order:
  1. an unclaimed entry with the same stem fingerprint (preferring the same id);
  2. the entry with the same id, when the stems are still similar (a small edit);
  3. the most similar unclaimed entry (similarity >= FUZZY_THRESHOLD), pairs taken best first;
  4. otherwise a new GUID derived from the document and the stem, so that a question that disappears and
     comes back unchanged gets its old GUID again.
A question's id takes part but never decides alone: ids come from labels that renumbering can shift.
Similarity is the share of the two stems' words that match, as difflib's ratio counts them.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from typing import Mapping, NamedTuple, Sequence

from pipeline.files import tomlfile
from pipeline.model import Diagnostic, Document, Question

LOCK_VERSION = 1
MAX_LOCK_BYTES = 64 * 2**20  # about 200 bytes a note: room for 300,000 notes, never a device read to exhaustion
SAME_ID_THRESHOLD = 0.75  # same id: a typo fix or a reworded clause still matches
FUZZY_THRESHOLD = 0.85  # different id: only a near-identical stem counts as the same question
CANDIDATES = 32  # step 3 compares a stem with at most this many entries, those sharing its rarest words
_GUID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Identity(NamedTuple):
    guid: str  # Anki note GUID
    mtime: int  # note modification time, seconds since the epoch


class LockEntry(NamedTuple):
    id: str  # question id when last built
    document: str  # document slug
    guid: str
    mtime: int
    content: str  # hash of what the note holds
    stem: str  # stem fingerprint, for re-matching after edits


class NotetypeEntry(NamedTuple):
    name: str
    content: str  # hash of fields, templates and CSS
    mtime: int


@dataclass(frozen=True)
class Lock:
    notes: tuple[LockEntry, ...] = ()
    notetypes: tuple[NotetypeEntry, ...] = ()


@dataclass(frozen=True)
class Identities:
    notes: Mapping[str, Identity]  # question id -> GUID and modification time
    notetypes: Mapping[str, int]  # note type name -> modification time


@dataclass(frozen=True)
class Assignment:
    identities: Identities
    lock: Lock  # what the lock records after this build
    diagnostics: tuple[Diagnostic, ...]


def fingerprint(stem: str) -> str:
    """Stem reduced to lower-case words: markup, math delimiters and spacing don't count as edits."""
    return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", stem).lower()).split())


def question_content(question: Question) -> str:
    """Hash of a question's data, leaving out where it sits in its file (for callers with no notes)."""
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


def derive_guid(document: str, stem_fingerprint: str, salt: int = 0) -> str:
    """A GUID from the document and stem: rebuilding from the same text gives the same GUID."""
    digest = hashlib.sha256(f"{document}\x1f{stem_fingerprint}\x1f{salt}".encode("utf-8")).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(11):
        n, r = divmod(n, len(_GUID_ALPHABET))
        chars.append(_GUID_ALPHABET[r])
    return "".join(chars)


# --- the lock as text --------------------------------------------------------------------------------------

def parse_lock(text: str, where: str) -> tuple[Lock | None, list[Diagnostic]]:
    """The lock's entries, or None with an `identity-lock-unreadable` error at the line of the first entry
    that cannot be read. `where` names the file."""
    headers = [n for n, line in enumerate(text.split("\n"), 1) if line.strip() in ("[[note]]", "[[notetype]]")]
    at = 0
    try:
        data = tomlfile.loads(text)
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {LOCK_VERSION}")
        types, notes = [], []
        for kind, entries in (("notetype", data.get("notetype", [])), ("note", data.get("note", []))):
            for e in entries:
                at += 1
                if kind == "notetype":
                    types.append(NotetypeEntry(name=str(e["name"]), content=str(e["content"]),
                                               mtime=_mtime(e["mtime"])))
                else:
                    notes.append(LockEntry(id=str(e["id"]), document=str(e["document"]), guid=str(e["guid"]),
                                           mtime=_mtime(e["mtime"]), content=str(e["content"]),
                                           stem=str(e["stem"])))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        m = re.search(r"at line (\d+)", str(exc))
        line = int(m.group(1)) if m else headers[at - 1] if 0 < at <= len(headers) else 0
        return None, [Diagnostic(where, line, "error", "identity-lock-unreadable",
                                 f"cannot read the identity lock {where} ({exc}); fix or restore it from version "
                                 "control")]
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
    return Lock(tuple(kept), types), diags


_TOML_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')


# Anki keeps modification times as seconds since 1970; later than the year 2286 is not a time but damage.
MAX_MTIME = 10**10


def _mtime(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MTIME:
        raise ValueError(f"mtime {value!r} is not a time in seconds between 0 and {MAX_MTIME}")
    return value


def _toml_str(value: str) -> str:
    if _TOML_PLAIN.fullmatch(value):
        return f'"{value}"'  # nothing to escape: ids, GUIDs, hashes, most stems
    # JSON escapes are valid TOML basic-string escapes; DEL is the one control character JSON leaves raw.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _natural_key(text: str) -> tuple[str | int, ...]:
    """"q2" before "q10": runs of digits compare as numbers."""
    # split puts the runs of digits at the odd places, so two keys never compare a number with a text
    return tuple(int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", text)))


def format_lock(lock: Lock) -> str:
    """The lock file as TOML, sorted so that a rebuild rewrites nothing and an edit is a small diff."""
    lines = [
        "# Anki note identities, written by the deck build (pipeline/select/identity.py). Commit this file:",
        "# a changed guid makes every learner's Anki treat the question as a new note.",
        f"version = {LOCK_VERSION}",
    ]
    for t in sorted(lock.notetypes, key=lambda t: t.name):
        lines += ["", "[[notetype]]", f"name = {_toml_str(t.name)}", f"content = {_toml_str(t.content)}",
                  f"mtime = {t.mtime}"]
    for e in sorted(lock.notes, key=lambda e: (e.document, _natural_key(e.id), e.guid)):
        lines += ["", "[[note]]", f"id = {_toml_str(e.id)}", f"document = {_toml_str(e.document)}",
                  f"guid = {_toml_str(e.guid)}", f"mtime = {e.mtime}", f"content = {_toml_str(e.content)}",
                  f"stem = {_toml_str(e.stem)}"]
    return "\n".join(lines) + "\n"


# --- assignment -----------------------------------------------------------------------------------------

def assign(
    documents: Sequence[Document],
    lock: Lock,
    *,
    now: int,
    contents: Mapping[str, str] | None = None,
    notetypes: Mapping[str, str] | None = None,
) -> Assignment:
    """GUID and modification time for every question of `documents`, and the lock that records them.

    `contents` maps question id -> hash of everything its note holds (the deck stage's hashes; without it
    the question's data is hashed); `notetypes` maps note type name -> hash of its fields, templates and
    CSS. A changed hash gets a modification time newer than the recorded one, `now` when the clock allows.
    Entries of documents not given are kept as they are.
    """
    diags: list[Diagnostic] = []
    built = {doc.slug for doc in documents}
    identities: dict[str, Identity] = {}
    new_entries = [e for e in lock.notes if e.document not in built]
    used_guids = {e.guid for e in lock.notes}
    for doc in documents:
        questions = _unique_questions(doc, diags)
        doc_entries = [e for e in lock.notes if e.document == doc.slug]
        fps = {q.id: fingerprint(q.stem) for q in questions}
        matches = _match(questions, doc_entries, fps)
        for q in questions:
            content = contents[q.id] if contents is not None else question_content(q)
            entry = matches.get(q.id)
            if entry is None:
                guid = _fresh_guid(doc.slug, fps[q.id], used_guids)
                mtime = now
            else:
                guid = entry.guid
                mtime = entry.mtime if entry.content == content else max(entry.mtime + 1, now)
                if entry.id != q.id:
                    diags.append(Diagnostic(q.source.file, q.source.line_start, "info", "identity-rematched",
                                            f"{q.id} keeps the note of {entry.id} (same stem, new label)"))
            used_guids.add(guid)
            identities[q.id] = Identity(guid, mtime)
            new_entries.append(LockEntry(q.id, doc.slug, guid, mtime, content, fps[q.id]))
        claimed = {e.guid for e in matches.values()}
        diags.extend(Diagnostic(doc.path, 0, "info", "identity-retired",
                                f"{e.id} (GUID {e.guid}) is no longer in the document; "
                                "learners who imported it keep the note until they delete it")
                     for e in doc_entries if e.guid not in claimed)
    type_mtimes, types = _notetype_mtimes(lock.notetypes, notetypes, now)
    return Assignment(Identities(identities, type_mtimes), Lock(tuple(new_entries), types), tuple(diags))


def _notetype_mtimes(old: Sequence[NotetypeEntry], contents: Mapping[str, str] | None,
                     now: int) -> tuple[dict[str, int], tuple[NotetypeEntry, ...]]:
    if contents is None:
        return {t.name: t.mtime for t in old}, tuple(old)
    old_by_name = {t.name: t for t in old}
    mtimes: dict[str, int] = {}
    for name, content in sorted(contents.items()):
        was = old_by_name.get(name)
        if was is None:
            mtimes[name] = now
        else:
            mtimes[name] = was.mtime if was.content == content else max(was.mtime + 1, now)
    return mtimes, tuple(NotetypeEntry(name, contents[name], mtime) for name, mtime in mtimes.items())


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


def _match(questions: list[Question], entries: list[LockEntry], fps: dict[str, str]) -> dict[str, LockEntry]:
    """Question id -> the lock entry it continues, following the order in the module docstring."""
    matched: dict[str, LockEntry] = {}
    free: dict[str, LockEntry] = {e.guid: e for e in entries}  # GUIDs are unique; kept in the lock's order
    by_stem: dict[str, list[LockEntry]] = {}
    by_id: dict[str, list[LockEntry]] = {}
    for e in entries:
        by_stem.setdefault(e.stem, []).append(e)
        by_id.setdefault(e.id, []).append(e)

    def claim(q: Question, e: LockEntry) -> None:
        matched[q.id] = e
        del free[e.guid]

    for q in questions:
        same = [e for e in by_stem.get(fps[q.id], ()) if e.guid in free]
        if same:
            claim(q, next((e for e in same if e.id == q.id), same[0]))
    words = {q.id: fps[q.id].split() for q in questions if q.id not in matched}
    entry_words = {e.guid: e.stem.split() for e in free.values()}
    for q in questions:
        if q.id in matched:
            continue
        e = next((e for e in by_id.get(q.id, ()) if e.guid in free), None)
        if e is not None and _similarity(words[q.id], entry_words[e.guid]) >= SAME_ID_THRESHOLD:
            claim(q, e)
    waiting = [q for q in questions if q.id not in matched]
    remaining = list(free.values())
    pairs = _similar_pairs([words[q.id] for q in waiting], [entry_words[e.guid] for e in remaining]) \
        if waiting and remaining else []
    for _, qi, ei in sorted(pairs):
        q, e = waiting[qi], remaining[ei]
        if q.id not in matched and e.guid in free:
            claim(q, e)
    return matched


def _similar_pairs(questions: list[list[str]], entries: list[list[str]]) -> list[tuple[float, int, int]]:
    """(-similarity, question, entry) for the pairs at or above FUZZY_THRESHOLD.

    A near-identical stem shares its rarest words and word pairs with the entry it continues. So a question
    is compared with the entries holding its words and pairs, rarest first (held by the fewest entries), as
    long as they add up to at most CANDIDATES entries: with fewer entries than that, with every entry that
    shares a word, and never with all of a large document's (every pair took minutes once each stem of one
    had changed).
    """
    holders: dict[str, list[int]] = {}
    for ei, stem in enumerate(entries):
        for token in _tokens(stem):
            holders.setdefault(token, []).append(ei)
    pairs = []
    for qi, stem in enumerate(questions):
        candidates: set[int] = set()
        for _, token in sorted((len(holders[t]), t) for t in _tokens(stem) if t in holders):
            if len(candidates) + len(holders[token]) > CANDIDATES:
                break
            candidates.update(holders[token])
        for ei in candidates:
            if (r := _similarity(stem, entries[ei])) >= FUZZY_THRESHOLD:
                pairs.append((-r, qi, ei))
    return pairs


def _tokens(stem: list[str]) -> set[str]:
    """A stem's words and pairs of neighbouring words: few stems share a pair even where all share words."""
    return {*stem, *map(" ".join, zip(stem, stem[1:]))}


def _similarity(a: list[str], b: list[str]) -> float:
    """The share of two stems' words that match, by difflib's ratio once the common beginning and end are
    matched: an edit touches a word or two in between, and difflib's time grows with what it is given."""
    total = len(a) + len(b)
    if not total:
        return 1.0  # two empty stems are the same
    # Two cheap bounds first: no more words can match than the shorter stem has, or than the words of one
    # that the other holds at all.
    if 2 * min(len(a), len(b)) < SAME_ID_THRESHOLD * total:
        return 0.0
    if 2 * sum(map(set(b).__contains__, a)) < SAME_ID_THRESHOLD * total:
        return 0.0
    shorter = min(len(a), len(b))
    head = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), shorter)
    tail = next((i for i, (x, y) in enumerate(zip(reversed(a[head:]), reversed(b[head:]))) if x != y),
                shorter - head)
    middle = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail], autojunk=False)
    return (2 * (head + tail) + middle.ratio() * (total - 2 * (head + tail))) / total


def _fresh_guid(document: str, stem_fingerprint: str, used: set[str]) -> str:
    salt = 0
    while (guid := derive_guid(document, stem_fingerprint, salt)) in used:
        salt += 1
    return guid


__all__ = [
    "Identity", "Identities", "Assignment", "Lock", "LockEntry", "NotetypeEntry", "fingerprint",
    "question_content", "content_hash", "derive_guid", "parse_lock", "format_lock", "assign",
    "SAME_ID_THRESHOLD", "FUZZY_THRESHOLD",
]
