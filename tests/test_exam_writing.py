"""Writing exams: PDFs from the build cache only when they pass their checks, and an exam replaced whole or not
at all."""
from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_fixtures import versions_of
from pipeline.files import atomic
from pipeline.files.cache import Store
from pipeline.render.exam import papers as exam_mod
from pipeline.render.exam.papers import write_exams

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Two small exams, so that rendering them again costs little: one in two versions, one in one.
SMALL = """\
[[exam]]
name = "pair"
title = "Pair Test"
date = "2025-06-16"
versions = 2
seed = 4

[[exam.draw]]
id = ["coursera-rnn/q03", "coursera-rnn/q07"]

[[exam]]
name = "solo"
title = "Solo Test"
seed = 4

[[exam.draw]]
id = "rnn-quiz/q05"
"""
FILES = ["pair-A-key.pdf", "pair-A.pdf", "pair-B-key.pdf", "pair-B.pdf", "solo-A-key.pdf", "solo-A.pdf"]


def text_of(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = exam_mod.html_to_pdf

    def counted(html: str, store_folder=None):  # noqa: ANN001
        rendered.append(re.search(r"<title>(.*?)</title>", html).group(1))
        return real(html, store_folder)

    monkeypatch.setattr(exam_mod, "html_to_pdf", counted)
    return rendered


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The small exams written once, with the cache that build filled."""
    base = tmp_path_factory.mktemp("small")
    diags = write_exams(versions_of(SMALL), base / "out", store=Store(base / "cache"), templates_dir=TEMPLATES)
    assert diags == []
    assert sorted(p.name for p in (base / "out").iterdir()) == FILES  # no temporary file, no manifest
    return {"out": base / "out", "cache": base / "cache",
            "bytes": {name: (base / "out" / name).read_bytes() for name in FILES}}


def _cache(first: dict, tmp_path: Path) -> Store:
    shutil.copytree(first["cache"], tmp_path / "cache")
    return Store(tmp_path / "cache")


# --- the PDF cache -----------------------------------------------------------------------------------------


def test_a_page_rendered_before_is_taken_from_the_cache(first: dict, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = _counting(monkeypatch)
    # e.g. build/exams deleted, or a second checkout sharing the cache
    assert write_exams(versions_of(SMALL), tmp_path / "out", store=_cache(first, tmp_path),
                       templates_dir=TEMPLATES, workers=1) == []
    assert rendered == []
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == first["bytes"][name], name


def test_exactly_the_pages_that_changed_are_rendered(first: dict, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = _cache(first, tmp_path)
    rendered = _counting(monkeypatch)
    changed = SMALL.replace('title = "Solo Test"', 'title = "Solo Test, resit"')
    assert write_exams(versions_of(changed), tmp_path / "out", store=store, templates_dir=TEMPLATES,
                       workers=1) == []
    assert sorted(rendered) == ["Solo Test, resit (Version A)", "Solo Test, resit (Version A): Answer Key"]
    assert "Solo Test, resit" in text_of(tmp_path / "out" / "solo-A.pdf")
    # Back to the first title: every page was rendered before, so nothing is rendered.
    rendered.clear()
    write_exams(versions_of(SMALL), tmp_path / "out", store=store, templates_dir=TEMPLATES, workers=1)
    assert rendered == []
    assert (tmp_path / "out" / "solo-A.pdf").read_bytes() == first["bytes"]["solo-A.pdf"]


def _flip(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x55
    path.write_bytes(bytes(data))


def test_a_damaged_pdf_entry_is_rendered_again_never_copied_out(first: dict, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = _cache(first, tmp_path)
    entries = sorted((tmp_path / "cache" / "pdf").iterdir(), key=lambda p: p.name)
    assert len(entries) == 6
    # One byte flipped inside the PDF (its header and %%EOF trailer still look right), an entry cut short
    # by a full disk, another page's whole and sound entry under this page's name, an empty file.
    _flip(entries[0])
    entries[1].write_bytes(entries[1].read_bytes()[:1000])
    entries[2].write_bytes(entries[3].read_bytes())
    entries[4].write_bytes(b"")
    rendered = _counting(monkeypatch)
    assert write_exams(versions_of(SMALL), tmp_path / "out", store=store, templates_dir=TEMPLATES, workers=1) == []
    assert len(rendered) == 4
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == first["bytes"][name], name
    # The entries were made again: the next build renders nothing.
    rendered.clear()
    shutil.rmtree(tmp_path / "out")
    write_exams(versions_of(SMALL), tmp_path / "out", store=store, templates_dir=TEMPLATES, workers=1)
    assert rendered == []


# --- an exam is replaced whole or not at all ---------------------------------------------------------------


def _older(first: dict, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """The exams as an earlier build left them (other bytes than this build makes)."""
    out = tmp_path / "out"
    shutil.copytree(first["out"], out)
    old = {name: data + b"% an older build\n" for name, data in first["bytes"].items()}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return out, old


def test_a_failed_render_leaves_every_pdf_of_that_exam(first: dict, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out, old = _older(first, tmp_path)
    store = _cache(first, tmp_path)
    for entry in (tmp_path / "cache" / "pdf").iterdir():
        entry.unlink()  # every page must be rendered
    real = exam_mod.html_to_pdf

    def flaky(html: str, store_folder=None):  # noqa: ANN001
        if "Pair Test (Version B): Answer Key" in html:
            raise RuntimeError("disk on fire")
        return real(html, store_folder) if "Solo Test" in html else (first["bytes"]["pair-A.pdf"], [])

    monkeypatch.setattr(exam_mod, "html_to_pdf", flaky)
    diags = write_exams(versions_of(SMALL), out, store=store, templates_dir=TEMPLATES, workers=1)
    failed = [d for d in diags if d.code == "exam-render-failed"]
    assert len(failed) == 1 and "'pair'" in failed[0].message and "disk on fire" in failed[0].message
    assert (failed[0].file, failed[0].line) == ("seeds/exams.toml", 1)
    for name in ("pair-A.pdf", "pair-A-key.pdf", "pair-B.pdf", "pair-B-key.pdf"):
        assert (out / name).read_bytes() == old[name], name  # version A rendered but was not swapped in
    assert (out / "solo-A.pdf").read_bytes() == first["bytes"]["solo-A.pdf"]  # the other exam still builds
    assert sorted(p.name for p in out.iterdir()) == FILES


def test_a_full_disk_replaces_no_file_of_the_exam(first: dict, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out, old = _older(first, tmp_path)
    real = atomic._stage
    written: list[str] = []

    def full_after_two(target: Path, data: bytes) -> str:
        if target.parent == out:
            if len(written) == 2:  # the pair's third file finds the disk full
                raise OSError(errno.ENOSPC, "No space left on device", str(target))
            written.append(target.name)
        return real(target, data)

    monkeypatch.setattr(atomic, "_stage", full_after_two)
    diags = write_exams(versions_of(SMALL), out, store=_cache(first, tmp_path), templates_dir=TEMPLATES,
                        workers=1)
    assert [(d.severity, d.code) for d in diags] == [("error", "write-failed")] * 2
    assert {Path(d.file).name for d in diags} == {"pair-B.pdf", "solo-A.pdf"}
    assert all("No space left on device" in d.message and "previous PDFs are kept" in d.message for d in diags)
    for name in FILES:
        assert (out / name).read_bytes() == old[name], name  # neither paper nor key of version A replaced
    assert sorted(p.name for p in out.iterdir()) == FILES  # no temporary file left


def test_unchanged_pdfs_are_not_written_again(first: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(first["out"], out)
    before = {name: (out / name).stat().st_mtime_ns for name in FILES}
    assert write_exams(versions_of(SMALL), out, store=_cache(first, tmp_path), templates_dir=TEMPLATES) == []
    assert {name: (out / name).stat().st_mtime_ns for name in FILES} == before
