"""The document cache: an unchanged document is read back, never trusted after its inputs change."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    """The exercise report and its overlay, copied where they can be edited."""
    for name in ("rnn-exercises.md", "rnn-exercises.fixes.toml"):
        shutil.copy(ROOT / "seeds" / name, tmp_path / name)
    return tmp_path / "rnn-exercises.md"


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the document was processed again")

    monkeypatch.setattr(build, "load_document", fail)


def _task1_total(doc) -> str:
    totals = [c.value for q in doc.questions for c in q.computed if c.quantity.startswith("parameter")]
    assert totals, "Task 1 has no computed parameter total"
    return totals[0]


def test_unchanged_document_is_read_back_equal(copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = build.cached_document(copy, cache)
    assert first == build.load_document(copy)
    assert _task1_total(first) == "20362"
    _forbid_loading(monkeypatch)
    again = build.cached_document(copy, cache)
    assert again == first
    assert [str(d) for d in again.diagnostics] == [str(d) for d in first.diagnostics]


def test_an_edit_to_the_document_is_never_served_from_the_cache(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build.cached_document(copy, cache)
    text = copy.read_text(encoding="utf-8")
    # The reference model recomputes Task 1 from the edited sizes: a stale entry would still say 20362.
    edited = text.replace("Hidden Layer Size: 128", "Hidden Layer Size: 64")
    assert edited != text, "the seed's wording changed; update the edit above"
    copy.write_text(edited, encoding="utf-8")
    assert _task1_total(build.cached_document(copy, cache)) == "6090"


def test_an_edit_to_the_overlay_is_never_served_from_the_cache(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = build.cached_document(copy, cache)
    overlay = copy.with_name("rnn-exercises.fixes.toml")
    fixes = overlay.read_text(encoding="utf-8")
    assert 'title = "RNN Exercises"' in fixes
    overlay.write_text(fixes.replace('title = "RNN Exercises"', 'title = "Edited title"'), encoding="utf-8")
    after = build.cached_document(copy, cache)
    assert before.title != "Edited title" and after.title == "Edited title"


def test_a_change_to_the_pipeline_code_invalidates_every_entry(copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    key = build.document_key(copy)
    monkeypatch.setattr(build, "_code_fingerprint", lambda: "another version of the pipeline")
    assert build.document_key(copy) != key


def test_a_damaged_entry_is_made_again(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build.cached_document(copy, cache)
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"\x80\x05 truncated")
    assert build.cached_document(copy, cache) == first
    assert entry.read_bytes() != b"\x80\x05 truncated"


def test_load_bank_keeps_only_the_current_entries(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build.load_bank([copy], cache)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build.load_bank([copy], cache)
    assert [p.stem for p in cache.glob("*.pickle")] == [build.document_key(copy)]


def test_a_document_saved_during_its_own_reading_is_not_cached(copy: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    real = build.load_document

    def read_then_edited(path):  # noqa: ANN001 - the editor saves just after the reader's pass
        doc = real(path)
        copy.write_text(copy.read_text(encoding="utf-8") + "\nA later line.\n", encoding="utf-8")
        return doc

    monkeypatch.setattr(build, "load_document", read_then_edited)
    build.cached_document(copy, cache)
    assert not list(cache.glob("*.pickle"))  # the next build reads the saved text afresh


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_a_second_build_waits_for_the_first_and_reads_what_it_made(copy: Path, tmp_path: Path) -> None:
    import fcntl

    cache = tmp_path / "cache"
    cache.mkdir()
    script = (
        "import sys, pipeline.recompute\n"  # everything imported before the clock starts
        "from pathlib import Path\n"
        "from pipeline import build\n"
        "print('ready', flush=True)\n"
        f"build.load_bank([Path({str(copy)!r})], Path({str(cache)!r}))\n"
        "print('loaded', flush=True)\n"
    )
    with open(cache / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another build is reading the documents
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(1.0)  # loading this document takes a fraction of that once imports are done
            assert proc.poll() is None and not list(cache.glob("*.pickle"))
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "loaded"
    assert [p.stem for p in cache.glob("*.pickle")] == [build.document_key(copy)]
