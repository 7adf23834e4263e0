"""Faults: a build killed at random moments, a full disk, read-only folders, damaged cache entries and a
document that fails. Each time the last good outputs survive whole, and the next build recovers."""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Two of the seeds and two small exams, so that a whole build takes a few seconds.
EXAMS = """\
[[exam]]
name = "choice"
title = "Choice Test"
date = "2025-06-16"
versions = 2
seed = 1

[[exam.draw]]
document = "coursera-rnn"
kind = "single_choice"
count = 1

[[exam]]
name = "written"
title = "Written Test"
seed = 1

[[exam.draw]]
document = "rnn-quiz"
count = 1
"""
UNITS = {"choice": ["choice-A.pdf", "choice-A-key.pdf", "choice-B.pdf", "choice-B-key.pdf"],
         "written": ["written-A.pdf", "written-A-key.pdf"]}


def run_build(project: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "build"], cwd=project, capture_output=True,
                          text=True, timeout=timeout)


def outputs(project: Path) -> dict[str, bytes]:
    """Every output file by its path under build/ (the cache left out), plus the identity lock."""
    build = project / "build"
    found = {p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*")
             if p.is_file() and "cache" not in p.relative_to(build).parts}
    lock = project / "seeds" / "identity.lock"
    if lock.exists():
        found["identity.lock"] = lock.read_bytes()
    return found


def sound_package(data: bytes) -> bool:
    """A package Anki can open: a zip whose collection is an SQLite database with notes."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            name = next(n for n in z.namelist() if n.startswith("collection.anki2"))
            collection = z.read(name)
    except (zipfile.BadZipFile, StopIteration):
        return False
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.deserialize(collection)
        return db.execute("select count(*) from notes").fetchone()[0] > 0


def check_whole(state: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every output is the last good one or the next one, never half of either; an exam's papers and keys
    change together; questions.json is one or the other."""
    assert set(state) >= set(old), set(old) - set(state)
    for name, data in state.items():
        if name.endswith(".tmp"):
            continue  # a process killed while writing leaves its temporary file, never a half output
        if name.endswith(".apkg"):  # new packages hold the time of the edit, so differ from build to build
            assert data == old[name] or sound_package(data), name
        elif name == "identity.lock":
            assert data == old[name] or tomllib.loads(data.decode("utf-8")), name
        else:
            assert data in (old.get(name), new.get(name)), name
    for files in UNITS.values():
        versions = {"old" if state[f"exams/{f}"] == old[f"exams/{f}"] else "new" for f in files}
        assert len(versions) == 1, files


def check_next(project: Path, new: dict[str, bytes]) -> None:
    """A build that runs through writes the next outputs: the same bytes as a build that was never
    disturbed (packages, which hold the time of the edit, are checked to open)."""
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    state = outputs(project)
    for name, data in new.items():
        if name.endswith(".apkg"):
            assert sound_package(state[name]), name
        elif name != "identity.lock":
            assert state[name] == data, name


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small project built once: its last good outputs, and the outputs after an edit."""
    project = tmp_path_factory.mktemp("faults") / "project"
    (project / "seeds").mkdir(parents=True)
    for name in ("coursera-rnn.md", "coursera-rnn.fixes.toml", "rnn-quiz.md"):
        shutil.copy2(ROOT / "seeds" / name, project / "seeds" / name)
    (project / "seeds" / "exams.toml").write_text(EXAMS, encoding="utf-8")
    shutil.copytree(ROOT / "templates", project / "templates")
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    edited = project.with_name("edited")
    shutil.copytree(project, edited, symlinks=True)
    _edit(edited)
    done = run_build(edited)
    assert done.returncode == 0, done.stderr
    old, new = outputs(project), outputs(edited)
    for files in UNITS.values():
        assert all(old[f"exams/{f}"] != new[f"exams/{f}"] for f in files)  # the edit changes every PDF
    # The edited pages in the cache too: a test that makes the same edit renders nothing.
    shutil.copytree(edited / "build" / "cache", project / "build" / "cache", dirs_exist_ok=True)
    return {"project": project, "old": old, "new": new}


def _edit(project: Path) -> None:
    """A change every output shows: a question's wording, a document's title and the exams' titles."""
    quiz = project / "seeds" / "rnn-quiz.md"
    text = quiz.read_text(encoding="utf-8")
    assert "as opposed to" in text
    quiz.write_text(text.replace("as opposed to", "rather than", 1), encoding="utf-8")
    overlay = project / "seeds" / "coursera-rnn.fixes.toml"
    text = overlay.read_text(encoding="utf-8")
    assert 'title = "Sequence Models Quiz"' in text
    overlay.write_text(text.replace('title = "Sequence Models Quiz"', 'title = "Sequence Models Quiz, edited"'),
                       encoding="utf-8")
    exams = project / "seeds" / "exams.toml"
    exams.write_text(exams.read_text(encoding="utf-8").replace("Test", "Test, resit"), encoding="utf-8")


@pytest.fixture()
def project(good: dict, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(good["project"], copy, symlinks=True)
    return copy


# --- killed ------------------------------------------------------------------------------------------------


def test_a_build_killed_at_random_moments_leaves_whole_outputs_and_the_next_recovers(good: dict,
                                                                                   project: Path) -> None:
    _edit(project)
    shutil.rmtree(project / "build" / "cache" / "pdf")  # so that PDFs are rendered: the longest stretch
    rng = random.Random(14)
    for moment in sorted(rng.uniform(0.3, 3.0) for _ in range(3)):
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build"], cwd=project, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the build and its render workers
        proc.wait()
        check_whole(outputs(project), good["old"], good["new"])
    check_next(project, good["new"])


# --- damaged caches ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["docs", "math", "fonts", "pdf"])
def test_damaged_cache_entries_of_each_kind_change_no_output(good: dict, project: Path, kind: str) -> None:
    entries = [p for p in (project / "build" / "cache" / kind).iterdir() if not p.name.startswith(".")]
    assert entries
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[len(data) // 2 + 1] ^= 0x20  # one byte inside the payload; the entry's header is untouched
        entry.write_bytes(bytes(data))
    (project / "build" / "exams" / "choice-A.pdf").unlink()  # so that the exam is written from the cache
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    assert outputs(project) == good["old"]
    assert all(e.read_bytes() != b"" for e in entries)


# --- a document that fails ---------------------------------------------------------------------------------


def test_a_stale_fix_keeps_the_exams_that_draw_from_its_document(good: dict, project: Path) -> None:
    overlay = project / "seeds" / "coursera-rnn.fixes.toml"
    overlay.write_text(overlay.read_text(encoding="utf-8") +
                       '\n[[fix]]\nquestion = "a question no longer in the quiz"\nwhy = "stale"\ncorrect = [1]\n',
                       encoding="utf-8")
    exams = project / "seeds" / "exams.toml"
    exams.write_text(EXAMS.replace("Written Test", "Written Test, resit"), encoding="utf-8")
    done = run_build(project)
    assert done.returncode == 1
    assert "error[fix-stale]" in done.stderr
    assert ("seeds/exams.toml:1: warning[exam-kept]: exam 'choice' can draw from seeds/coursera-rnn.md, which "
            "has errors; its previous PDFs are kept") in done.stderr
    state = outputs(project)
    for name in UNITS["choice"]:
        assert state[f"exams/{name}"] == good["old"][f"exams/{name}"], name
    assert state["exams/written-A.pdf"] != good["old"]["exams/written-A.pdf"]  # drawn from rnn-quiz alone
    assert state["questions.json"] == good["old"]["questions.json"]
    assert "Traceback" not in done.stderr


# --- read-only and full disks ------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only for this process: by its mode, or, for root, by a read-only bind mount."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
    if bind.returncode:
        pytest.skip(f"cannot make a folder read-only for root here: {bind.stderr.strip()}")
    try:
        ro = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True, text=True)
        if ro.returncode:
            pytest.skip(f"cannot remount read-only: {ro.stderr.strip()}")
        yield
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_read_only_build_folder_is_a_clear_error_and_keeps_every_output(good: dict, project: Path) -> None:
    _edit(project)
    with read_only(project / "build"):
        done = run_build(project)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert "build/questions.json: error[write-failed]: cannot write it (Read-only file system" in done.stderr \
        or "build/questions.json: error[write-failed]: cannot write it (Permission denied" in done.stderr
    assert "error[write-failed]: cannot write exam 'choice'" in done.stderr
    state = outputs(project)
    assert {n: d for n, d in state.items() if n != "identity.lock"} == \
        {n: d for n, d in good["old"].items() if n != "identity.lock"}
    check_next(project, good["new"])  # writable again: the next build recovers


def test_a_read_only_cache_only_makes_the_build_slower(good: dict, project: Path) -> None:
    _edit(project)
    with read_only(project / "build" / "cache"):
        check_next(project, good["new"])


@pytest.fixture()
def small_disk(project: Path) -> Iterator[Path]:
    """build/ on a filesystem of its own, with room for the outputs and the cache and little more."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    build = project / "build"
    moved = project / "build.before"
    build.rename(moved)
    build.mkdir()
    size = sum(p.stat().st_size for p in moved.rglob("*") if p.is_file()) * 2 + (4 << 20)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(build)],
                           capture_output=True, text=True)
    if mount.returncode:
        build.rmdir()
        moved.rename(build)
        pytest.skip(f"cannot mount a small filesystem here: {mount.stderr.strip()}")
    try:
        shutil.copytree(moved, build, dirs_exist_ok=True, symlinks=True)
        yield build
    finally:
        subprocess.run(["umount", str(build)], capture_output=True)


def test_a_full_disk_is_a_clear_error_keeps_every_output_and_the_next_build_recovers(good: dict, project: Path,
                                                                                   small_disk: Path) -> None:
    _edit(project)
    filler = small_disk / "cache" / "filler"
    free = shutil.disk_usage(small_disk).free
    with open(filler, "wb") as fh:  # all but a few kilobytes
        fh.truncate(0)
        chunk = b"\0" * (1 << 20)
        while free - fh.tell() > (2 << 20):
            fh.write(chunk)
        fh.write(b"\0" * max(0, free - fh.tell() - (8 << 10)))
    done = run_build(project)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert "error[write-failed]" in done.stderr and "No space left on device" in done.stderr
    check_whole(outputs(project), good["old"], good["new"])
    filler.unlink()
    check_next(project, good["new"])


def test_a_full_disk_when_writing_the_bank_names_the_file(good: dict, project: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from pipeline import build as driver
    from pipeline.files import atomic

    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    _edit(project)
    monkeypatch.setattr(atomic, "atomic_write_text", full)
    monkeypatch.chdir(project)
    diags = driver.build(driver.seed_paths(), Path("build"), outputs=[])
    assert [str(d) for d in diags if d.severity == "error"] == [
        "build/questions.json: error[write-failed]: cannot write it (No space left on device); the previous file "
        "is kept"]
    assert (project / "build" / "questions.json").read_bytes() == good["old"]["questions.json"]
