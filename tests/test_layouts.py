"""The structural reader on short documents, one per layout real documents use: each fixture states the facts a
learner would check (how many questions, each stem, its options, which are correct, the answer) and the doubts
the reader must name. `tests/fixtures/layouts/<group>/<name>.md` with `<name>.expect.json` beside it; the
`documents` group holds whole documents in the layouts of the five seeds, with each question's source lines."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.model import Document, Question
from pipeline.readers import read_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "layouts"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fixtures() -> list[Path]:
    return sorted(FIXTURES.rglob("*.md"))


def read(md: Path) -> Document:
    return read_bytes(md.read_bytes(), f"{md.parent.name}/{md.name}")


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def correct_letters(q: Question) -> str:
    return "".join(LETTERS[i] for i, c in enumerate(q.choices) if c.correct)


def check_question(q: Question, want: dict, where: str) -> None:
    for name in ("stem", "answer", "explanation", "context"):
        if name in want:
            got = fold(getattr(q, name))
            assert got.startswith(fold(want[name])), f"{where} {name}: {got[:120]!r} does not start with {want[name]!r}"
            if not want[name]:
                assert got == "", f"{where} {name} should be empty, is {got[:80]!r}"
    if "kind" in want:
        assert q.kind == want["kind"], f"{where} kind"
    if "options" in want:
        assert [fold(c.text) for c in q.choices] == [fold(t) for t in want["options"]], f"{where} options"
    if "correct" in want:
        assert correct_letters(q) == want["correct"], f"{where} correct"
    if "number" in want:
        assert q.number == want["number"], f"{where} number"
    if "section" in want:
        assert q.section == want["section"], f"{where} section"
    if "lines" in want:
        assert [q.source.line_start, q.source.line_end] == want["lines"], f"{where} source lines"


@pytest.mark.parametrize("md", fixtures(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_layout(md: Path) -> None:
    expect = json.loads(md.with_name(md.stem + ".expect.json").read_text(encoding="utf-8"))
    doc = read(md)
    codes = [(d.severity, d.code) for q in doc.questions for d in q.diagnostics] + \
            [(d.severity, d.code) for d in doc.diagnostics]
    doubts = {code for severity, code in codes if severity in ("warning", "error")}
    assert not {"line-lost", "line-overlap", "reader-failed"} & doubts, [str(d) for d in doc.diagnostics]
    wanted = expect.get("questions", [])
    stems = [fold(q.stem)[:60] for q in doc.questions]
    assert len(doc.questions) == len(wanted), f"{len(doc.questions)} questions: {stems}"
    for i, (q, want) in enumerate(zip(doc.questions, wanted), start=1):
        check_question(q, want, f"question {i}")
    for code in expect.get("doubts", []):
        assert code in doubts, f"expected a warning or error `{code}`; got {sorted(doubts)}"
    if expect.get("no_doubts"):
        assert not doubts, sorted(doubts)


def test_every_layout_group_has_fixtures() -> None:
    groups = {p.parent.name for p in fixtures()}
    assert {"starts", "options", "marks", "answers", "noise", "documents"} <= groups, groups
    assert all(p.with_name(p.stem + ".expect.json").exists() for p in fixtures())
