"""What `make decks exams` reruns after an edit, read from Make's own plan (`make -n`), so no build runs."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from project import copy_project

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU Make")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    copy_project(tmp_path, code=True)
    # Both outputs built after every input was last changed.
    (tmp_path / "build").mkdir()
    later = time.time() + 10
    for stamp in (".decks.stamp", ".exams.stamp"):
        (tmp_path / "build" / stamp).touch()
        os.utime(tmp_path / "build" / stamp, (later, later))
    return tmp_path


def plan(project: Path, edited: str | None = None) -> set[str]:
    """The pipeline commands Make would run after `edited` changes (never the venv's set-up)."""
    if edited:
        even_later = time.time() + 20
        os.utime(project / edited, (even_later, even_later))
    out = subprocess.run(["make", "-n", "-o", ".venv/.installed", "decks", "exams"], cwd=project,
                         capture_output=True, text=True, check=True).stdout
    return {line.split("pipeline build", 1)[1].strip() for line in out.splitlines() if "pipeline build" in line}


def test_nothing_changed_runs_no_python(project: Path) -> None:
    assert plan(project) == set()


@pytest.mark.parametrize("edited,expected", [
    ("seeds/rnn-quiz.md", {"--decks", "--exams"}),
    ("seeds/coursera-rnn.fixes.toml", {"--decks", "--exams"}),
    ("seeds/exams.toml", {"--exams"}),
    ("seeds/decks.toml", {"--decks"}),
    ("seeds/identity.lock", {"--decks"}),
    ("templates/print.css", {"--exams"}),
    ("templates/key.html.j2", {"--exams"}),
    ("templates/anki.css", {"--decks"}),
    ("templates/anki_choice_front.html", {"--decks"}),
    ("pipeline/render/exam/papers.py", {"--decks", "--exams"}),
])
def test_an_edit_reruns_only_what_depends_on_it(project: Path, edited: str, expected: set[str]) -> None:
    assert (project / edited).exists(), edited
    assert plan(project, edited) == expected


@pytest.fixture()
def spaced_project(tmp_path: Path) -> Path:
    """A copy of the project with a sixth document whose name has a space, and the venv of this one."""
    copy_project(tmp_path, code=True)
    shutil.copy(ROOT / "seeds" / "rnn-quiz.md", tmp_path / "seeds" / "my quiz.md")
    return tmp_path


def make(project: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-o", ".venv/.installed", *targets], cwd=project, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="needs the project's venv")
def test_a_file_name_with_a_space_builds_and_checks(spaced_project: Path) -> None:
    from tests.ankiimport import import_package, open_collection

    decks = make(spaced_project, "decks")
    assert decks.returncode == 0, decks.stderr
    col = open_collection(spaced_project / "col")
    import_package(col, spaced_project / "build" / "decks" / "my-quiz.apkg")
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    assert len(notes) == 10 and all("my-quiz" in note.tags for note in notes)
    col.close()
    check = make(spaced_project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "seeds/my quiz.md [list items]" in check.stdout and "6 documents, 95 questions: 0 errors" in check.stdout
    # The spaced file is a prerequisite like any other: editing it, and only that, rebuilds.
    assert make(spaced_project, "-q", "decks").returncode == 0
    later = time.time() + 10
    os.utime(spaced_project / "seeds" / "my quiz.md", (later, later))
    assert make(spaced_project, "-q", "decks").returncode == 1
