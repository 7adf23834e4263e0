"""Property tests: random and mutated documents go through reading, curation and recomputation without escaping errors."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.curate import curation
from pipeline.build import load_document
from pipeline.model import SEVERITIES, Document, all_diagnostics
from pipeline.files.normalize import decode, split_lines
from pipeline.readers import read_bytes
from pipeline.compute.recompute import recompute

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NAMES = ("rnn-quiz", "coursera-rnn", "rnn-interview", "rnn-exercises", "dl-book-ch10")
SEED_LINES = {name: (SEEDS / f"{name}.md").read_text(encoding="utf-8").split("\n") for name in NAMES}
OVERLAYS = {name: curation.load_overlay(SEEDS / f"{name}.fixes.toml", f"seeds/{name}.fixes.toml") for name in NAMES}
OVERLAY_LINES = {f"seeds/{name}.fixes.toml": len((SEEDS / f"{name}.fixes.toml").read_text(encoding="utf-8").split("\n"))
                 for name in NAMES if OVERLAYS[name] is not None}
CODE = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def line_count(data: bytes) -> int:
    """Lines as the readers count them: CR, LF and CRLF each end a line."""
    return len(re.split(rb"\r\n|\r|\n", data))


def run_stages(data: bytes, path: str, overlay: curation.Overlay | None = None) -> Document:
    """What load_document does, from bytes: read, curate, recompute."""
    doc = read_bytes(data, path)
    if doc.dialect:
        doc = curation.apply(doc, overlay)
    if doc.questions:
        text = data.decode("utf-8", errors="replace")
        questions, extra = recompute(list(doc.questions), lines={path: re.split(r"\r\n|\r|\n", text)})
        doc = Document(doc.path, doc.slug, doc.dialect, doc.title, tuple(questions), doc.skipped,
                       doc.diagnostics + tuple(extra), doc.lines)
    return doc


def assert_sound(doc: Document, data: bytes, path: str, overlays: dict[str, int] = OVERLAY_LINES) -> None:
    """Diagnostics well-formed and on lines that exist (overlays: line counts of the overlay files they may name)."""
    n = line_count(data)
    if doc.dialect:
        assert doc.line_count == n
    for d in all_diagnostics(doc):
        assert d.severity in SEVERITIES, d
        assert CODE.match(d.code), d
        assert d.message.strip(), d
        limit = overlays.get(d.file, n if d.file == path else None)
        assert limit is not None, f"diagnostic about an unexpected file: {d}"
        assert 0 <= d.line <= limit, f"line {d.line} outside 1..{limit}: {d}"
        where = f"{d.file}:{d.line}" if d.line else d.file
        assert str(d) == f"{where}: {d.severity}[{d.code}]: {d.message}"
    for q in doc.questions:
        assert 1 <= q.source.line_start <= q.source.line_end <= n, (q.id, q.source)
        assert q.source.file == path
        for c in q.choices:
            assert 1 <= c.line <= n, (q.id, c)
    for s in doc.skipped:
        assert 1 <= s.line_start <= s.line_end <= n, s
    assert len({q.id for q in doc.questions}) == len(doc.questions)
    if doc.dialect:
        assert_every_line_accounted_for(doc, data)


def assert_every_line_accounted_for(doc: Document, data: bytes) -> None:
    """Each non-blank line is in exactly one question's span or one skipped range: nothing lost, nothing twice."""
    text, _ = decode(data, doc.path)
    assert text is not None
    owners: dict[int, int] = {}
    ranges = [(q.source.line_start, q.source.line_end) for q in doc.questions]
    ranges += [(s.line_start, s.line_end) for s in doc.skipped]
    for start, end in ranges:
        for no in range(start, end + 1):
            owners[no] = owners.get(no, 0) + 1
    for no, line in enumerate(split_lines(text), 1):
        if line.strip():
            assert owners.get(no) == 1, f"line {no} {line[:60]!r} is in {owners.get(no, 0)} spans"


@FAST
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    doc = run_stages(data, "random.md")
    assert_sound(doc, data, "random.md")


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    doc = run_stages(data, "random.md")
    assert_sound(doc, data, "random.md")
    if not data.strip():
        assert [d.code for d in doc.diagnostics] == ["empty-file"]


# Lines that look like each dialect's structure, so random documents reach deep into the readers.
PIECES = st.sampled_from([
    "", "# Title", "## 10.1 Section", "### 10.1.1", "**Q1.** Why?", "Q2: What?", "1. Which?", "2. Which?",
    "- Option", "  - Nested option", "  - ○ Radio", "  - ● Filled", "- [x] Checked", "- [ ] Unchecked",
    "\tTabbed option", "    - ✓ Correct", "✓ Correct Yes!", "Answer: B, D", "Answer: A", "Answer", "**Answer**",
    "Source: example.org", "Task 1", "Question 1: Why?", "Question 2", "Contents", "RNN\t2", "a) first",
    "b) second", "A. alpha", "Figure 1: A figure", "shown below", "$$x^{<t>}$$", "cost $5", "## Example of it",
    "## Comments", "LATEST SUBMISSION GRADE", "100%", "$\\bigcirc$ x", "$igorup y", ". dot", "<ul><li>z</li></ul>",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_random_documents_from_dialect_pieces(pieces: list[str], newline: str) -> None:
    data = newline.join(pieces).encode("utf-8")
    doc = run_stages(data, "pieces.md")
    assert_sound(doc, data, "pieces.md")


@st.composite
def mutated_seed(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    lines = list(SEED_LINES[name])
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "blank"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            piece = draw(st.sampled_from(["$", "\t", "\u00a0", "\u200b", "\ufeff", "$$", "**", "✓ ", "\x0c", "\u2028"]))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
        elif op == "truncate":
            lines = lines[:i]
        else:
            lines.insert(i, "")
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "crlf", "cr", "cp1252", "bom"]))
    if encoding == "crlf":
        return name, text.replace("\n", "\r\n").encode("utf-8")
    if encoding == "cr":
        return name, text.replace("\n", "\r").encode("utf-8")
    if encoding == "cp1252":
        return name, text.encode("cp1252", errors="replace")
    if encoding == "bom":
        return name, b"\xef\xbb\xbf" + text.encode("utf-8")
    return name, text.encode("utf-8")


@settings(max_examples=120, deadline=None)
@given(mutated_seed())
def test_mutated_seeds(case: tuple[str, bytes]) -> None:
    name, data = case
    path = f"seeds/{name}.md"
    doc = run_stages(data, path, OVERLAYS[name])
    assert_sound(doc, data, path)


@settings(max_examples=25, deadline=None)
@given(mutated_seed())
def test_mutated_seeds_through_load_document(case: tuple[str, bytes]) -> None:
    name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.md"
        path.write_bytes(data)
        overlay = SEEDS / f"{name}.fixes.toml"
        overlays = {}
        if overlay.exists():
            shutil.copy(overlay, Path(tmp) / overlay.name)
            overlays[str(Path(tmp) / overlay.name)] = OVERLAY_LINES[f"seeds/{overlay.name}"]
        doc = load_document(path)
        assert_sound(doc, data, str(path), overlays)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(["\r\n", "\r"]))
def test_line_endings_do_not_change_what_is_read(name: str, newline: str) -> None:
    text = "\n".join(SEED_LINES[name])
    lf = read_bytes(text.encode("utf-8"), f"seeds/{name}.md")
    other = read_bytes(text.replace("\n", newline).encode("utf-8"), f"seeds/{name}.md")
    assert other.questions == lf.questions
    assert other.skipped == lf.skipped
    assert other.diagnostics == lf.diagnostics


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(["\u00a0", "\u200b", "\u2060", "\ufeff"]), st.data())
def test_invisible_characters_do_not_change_what_is_read(name: str, char: str, data: st.DataObject) -> None:
    lines = list(SEED_LINES[name])
    i = data.draw(st.integers(0, len(lines) - 1))
    if char == "\u00a0":
        lines[i] = lines[i] + char  # trailing: a space the reader trims
    else:
        at = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + char + lines[i][at:]
    plain = read_bytes("\n".join(SEED_LINES[name]).encode("utf-8"), f"seeds/{name}.md")
    noisy = read_bytes("\n".join(lines).encode("utf-8"), f"seeds/{name}.md")
    assert noisy.questions == plain.questions
    assert noisy.skipped == plain.skipped
