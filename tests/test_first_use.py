"""A new user's first build, from an empty folder with one document: defaults everywhere, nothing alarming."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUIZ = """# Gates

## Question 1

Which gate of an LSTM scales the previous cell state?

A. The input gate
B. The forget gate
C. The output gate

Answer: B

Explanation: The forget gate multiplies the old cell state by values between 0 and 1.
"""


def _build(docs: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "build", "--seeds", str(docs), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_first_build_in_an_empty_folder_ends_with_nothing_alarming(tmp_path: Path) -> None:
    docs, out = tmp_path / "my-notes", tmp_path / "out"
    docs.mkdir()
    (docs / "gates.md").write_text(QUIZ, encoding="utf-8")
    run = _build(docs, out)
    said = run.stdout + run.stderr
    assert run.returncode == 0, said
    # No exams.toml: no exams, and a note that says how to get some; not an error.
    assert f"{docs / 'exams.toml'}: info[exams-undefined]" in said and not (out / "exams").exists()
    # The lock is created and the user is told to commit it; no talk of duplicates or of restoring it.
    assert f"{docs / 'identity.lock'}: info[identity-lock-created]" in said and "commit it" in said
    assert "error" not in said and "warning" not in said and "duplicates" not in said
    assert (docs / "identity.lock").read_text(encoding="utf-8").count("gates/") == 1
    assert (out / "decks" / "gates.apkg").exists() and (out / "decks" / "all.apkg").exists()
    # The second build has nothing new to say about the lock.
    again = _build(docs, out)
    assert again.returncode == 0 and "identity-lock" not in again.stdout + again.stderr


def test_a_lock_lost_after_decks_were_built_is_still_a_warning(tmp_path: Path) -> None:
    docs, out = tmp_path / "my-notes", tmp_path / "out"
    docs.mkdir()
    (docs / "gates.md").write_text(QUIZ, encoding="utf-8")
    assert _build(docs, out).returncode == 0
    (docs / "identity.lock").unlink()
    (out / "identity.lock").unlink()
    run = _build(docs, out)
    assert "warning[identity-lock-missing]" in run.stderr and "identity-lock-created" not in run.stderr
