"""Reading a source: only regular files, up to a size limit, never blocking, never a traceback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.curate import curation
from pipeline.files import cache
from pipeline.build import load_bank
from pipeline.model import Diagnostic, all_diagnostics
from pipeline.readers import read_path
from pipeline.files.source import MAX_BYTES, read_source
from tests.timeouts import alarm  # opening a named pipe for reading blocks until someone writes to it

ROOT = Path(__file__).resolve().parent.parent

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"),
                                reason="needs named pipes and SIGALRM")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")

QUIZ = "# Quiz\n\n1. What does RNN stand for?\n\nAnswer: Recurrent neural network.\n\n2. Why clip gradients?\n\n" \
       "Answer: To stop them exploding.\n"




def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def only(diags: list[Diagnostic] | tuple[Diagnostic, ...], code: str) -> Diagnostic:
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, [str(d) for d in diags]
    return found[0]


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").write_text(QUIZ, encoding="utf-8")
    assert read_source(tmp_path / "quiz.md") == (QUIZ.encode("utf-8"), [])


def test_a_symlink_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text(QUIZ, encoding="utf-8")
    (tmp_path / "quiz.md").symlink_to(tmp_path / "real.md")
    assert read_source(tmp_path / "quiz.md") == (QUIZ.encode("utf-8"), [])


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    data, diags = read_source(tmp_path / "gone.md", "seeds/gone.md")
    assert data is None
    assert str(only(diags, "unreadable")).startswith("seeds/gone.md: error[unreadable]: ")


def test_a_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").symlink_to(tmp_path / "gone.md")
    data, diags = read_source(tmp_path / "quiz.md", "quiz.md")
    assert data is None and only(diags, "unreadable").severity == "error"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").mkdir()
    data, diags = read_source(tmp_path / "quiz.md", "seeds/quiz.md")
    assert data is None
    d = only(diags, "not-a-file")
    assert (d.file, d.line, d.severity) == ("seeds/quiz.md", 0, "error")
    assert "directory" in d.message


@needs_fifo
def test_a_named_pipe_is_not_opened(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "quiz.md")
    with alarm(5):
        data, diags = read_source(pipe, "seeds/quiz.md")
    assert data is None
    assert "named pipe" in only(diags, "not-a-file").message


@needs_dev_zero
def test_a_symlink_to_a_device_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").symlink_to("/dev/zero")
    with alarm(5):
        data, diags = read_source(tmp_path / "quiz.md", "seeds/quiz.md")
    assert data is None
    assert "device" in only(diags, "not-a-file").message


def test_a_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "quiz.md"
    with open(big, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no disk used, nothing written
    data, diags = read_source(big, "seeds/quiz.md")
    assert data is None
    d = only(diags, "file-too-large")
    assert (d.severity, d.line) == ("error", 0)
    assert f"{MAX_BYTES // 2**20} MiB" in d.message


def test_the_limit_is_checked_on_what_is_read_not_only_on_the_size_first_seen(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").write_bytes(b"x" * 101)
    data, diags = read_source(tmp_path / "quiz.md", limit=100)
    assert data is None and only(diags, "file-too-large")
    (tmp_path / "quiz.md").write_bytes(b"x" * 100)
    assert read_source(tmp_path / "quiz.md", limit=100) == (b"x" * 100, [])


def test_a_document_of_20000_questions_is_within_the_limit(tmp_path: Path) -> None:
    parts = ["## Quiz\n"]
    for i in range(1, 20_001):
        parts.append(f"- Question {i}: why does a recurrent network with {i} hidden units need gates to keep "
                     f"a memory over long sequences?\n\nAnswer: Gradients vanish or explode over many steps; "
                     f"the gates keep a path along which the gradient flows unchanged (case {i}).\n\n")
    path = tmp_path / "big.md"
    path.write_text("".join(parts), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    doc = read_path(path, "big.md")
    assert len(doc.questions) == 20_000
    assert doc.questions[-1].answer.endswith("(case 20000).")
    assert not any(d.severity == "error" for d in all_diagnostics(doc))


# ---- the callers ----------------------------------------------------------------------------------

@needs_fifo
def test_read_path_reports_a_named_pipe(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "quiz.md")
    with alarm(5):
        doc = read_path(pipe, "seeds/quiz.md")
    assert doc.questions == ()
    assert str(only(doc.diagnostics, "not-a-file")).startswith("seeds/quiz.md: error[not-a-file]: ")


@needs_dev_zero
def test_read_path_reports_a_symlink_to_dev_zero(tmp_path: Path) -> None:
    (tmp_path / "quiz.md").symlink_to("/dev/zero")
    with alarm(5):
        doc = read_path(tmp_path / "quiz.md", "seeds/quiz.md")
    assert only(doc.diagnostics, "not-a-file").severity == "error"


@needs_fifo
def test_the_build_reports_a_named_pipe_and_reads_the_other_documents(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(QUIZ, encoding="utf-8")
    pipe = fifo(tmp_path / "b.md")
    with alarm(10):
        a, b = load_bank([tmp_path / "a.md", pipe], cache.Store(tmp_path / "cache"))
    assert [q.stem for q in a.questions] == ["What does RNN stand for?", "Why clip gradients?"]
    assert only(all_diagnostics(b), "not-a-file").file == str(pipe)


@needs_fifo
def test_parse_reports_a_named_pipe_and_exits_1(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "quiz.md")
    run = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(pipe)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1
    assert f"{pipe}: error[not-a-file]: " in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("make", ["directory", "named pipe", "device"])
def test_an_overlay_that_is_not_a_file_is_an_error(tmp_path: Path, make: str) -> None:
    overlay = tmp_path / "quiz.fixes.toml"
    if make == "directory":
        overlay.mkdir()
    elif make == "named pipe":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs named pipes")
        fifo(overlay)
    else:
        if not Path("/dev/zero").exists():
            pytest.skip("needs /dev/zero")
        overlay.symlink_to("/dev/zero")
    with alarm(5):
        loaded = curation.load_overlay(overlay, "seeds/quiz.fixes.toml")
    assert loaded is not None and loaded.fixes == ()
    d = only(loaded.diagnostics, "not-a-file")
    assert (d.file, d.severity) == ("seeds/quiz.fixes.toml", "error")
