"""The document cache: an unchanged document is read back, never trusted after its inputs change, never code."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import build
from pipeline.files import cache
from pipeline.files.cache import Store
from pipeline.model import document_from_json

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


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "docs").iterdir() if not p.name.startswith("."))


def test_unchanged_document_is_read_back_equal(copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Store(tmp_path / "cache")
    first = build.cached_document(copy, cache)
    assert first == build.load_document(copy)
    assert _task1_total(first) == "20362"
    _forbid_loading(monkeypatch)
    again = build.cached_document(copy, cache)
    assert again == first
    assert [str(d) for d in again.diagnostics] == [str(d) for d in first.diagnostics]


def test_an_edit_to_the_document_is_never_served_from_the_cache(copy: Path, tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
    build.cached_document(copy, cache)
    text = copy.read_text(encoding="utf-8")
    # The reference model recomputes Task 1 from the edited sizes: a stale entry would still say 20362.
    edited = text.replace("Hidden Layer Size: 128", "Hidden Layer Size: 64")
    assert edited != text, "the seed's wording changed; update the edit above"
    copy.write_text(edited, encoding="utf-8")
    assert _task1_total(build.cached_document(copy, cache)) == "6090"


def test_an_edit_to_the_overlay_is_never_served_from_the_cache(copy: Path, tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
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
    monkeypatch.setattr(cache, "code_fingerprint", lambda *a, **k: "another version of the pipeline")
    assert build.document_key(copy) != key


@pytest.mark.parametrize("damage", ["truncated", "flipped", "swapped", "pickle"])
def test_a_damaged_entry_is_made_again(copy: Path, tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path / "cache")
    first = build.cached_document(copy, store)
    other = copy.with_name("other.md")
    other.write_text(copy.read_text(encoding="utf-8").replace("Hidden Layer Size: 128", "Hidden Layer Size: 64"),
                     encoding="utf-8")
    (entry,) = _entries(tmp_path / "cache")
    build.cached_document(other, store)
    (other_entry,) = set(_entries(tmp_path / "cache")) - {entry}
    data = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":  # the recomputed total in the JSON, its header untouched
        assert b'"value":"20362"' in data
        entry.write_bytes(data.replace(b'"value":"20362"', b'"value":"20352"', 1))
    elif damage == "swapped":  # another document's sound entry under this one's key
        entry.write_bytes(other_entry.read_bytes())
    else:  # a crafted pickle that would run a command when unpickled
        marker = tmp_path / "ran"
        entry.write_bytes(b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    again = build.cached_document(copy, store)
    assert again == first and _task1_total(again) == "20362"
    assert not (tmp_path / "ran").exists()
    assert document_from_json(store.get("docs", build.document_key(copy))) == first  # made again


def test_load_bank_keeps_the_entries_of_the_documents_it_read(copy: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    build.load_bank([copy], store)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build.load_bank([copy], store)
    assert build.document_key(copy) in [p.name for p in _entries(tmp_path / "cache")]
    assert len(_entries(tmp_path / "cache")) <= cache.LIMITS["docs"]


def test_a_document_saved_during_its_own_reading_is_not_cached(copy: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Store(tmp_path / "cache")
    real = build.load_document

    def read_then_edited(path, **kw):  # noqa: ANN001 - the editor saves just after the reader's pass
        doc = real(path, **kw)
        copy.write_text(copy.read_text(encoding="utf-8") + "\nA later line.\n", encoding="utf-8")
        return doc

    monkeypatch.setattr(build, "load_document", read_then_edited)
    build.cached_document(copy, cache)
    assert not (tmp_path / "cache" / "docs").exists()  # the next build reads the saved text afresh


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_a_second_build_waits_for_the_first_and_reads_what_it_made(copy: Path, tmp_path: Path) -> None:
    import fcntl

    cache = tmp_path / "cache"
    (cache / "docs").mkdir(parents=True)
    script = (
        "import sys, pipeline.compute.recompute\n"  # everything imported before the clock starts
        "from pathlib import Path\n"
        "from pipeline import build\n"
        "print('ready', flush=True)\n"
        f"build.load_bank([Path({str(copy)!r})], build.cache.Store(Path({str(cache)!r})))\n"
        "print('loaded', flush=True)\n"
    )
    with open(cache / "docs" / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another build is reading the documents
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(1.0)  # loading this document takes a fraction of that once imports are done
            assert proc.poll() is None and not _entries(cache)
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "loaded"
    assert [p.name for p in _entries(cache)] == [build.document_key(copy)]


def test_a_cache_miss_reads_the_document_and_its_overlay_once(copy: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (copy.parent / "rnn-exercises.fixes.toml").write_text('[document]\ntitle = "Exercises"\n', encoding="utf-8")
    reads: list[str] = []
    parses: list[str] = []
    real_read, real_parse = build.read_source, build.parse_overlay
    monkeypatch.setattr(build, "read_source", lambda path, *a, **k: reads.append(Path(path).name) or
                        real_read(path, *a, **k))
    monkeypatch.setattr(build, "parse_overlay", lambda raw, *a: parses.append("overlay") or real_parse(raw, *a))
    doc = build.cached_document(copy, Store(tmp_path / "cache"))
    assert doc.title == "Exercises" and doc.questions
    assert sorted(reads) == ["rnn-exercises.fixes.toml", "rnn-exercises.md"] and parses == ["overlay"]
