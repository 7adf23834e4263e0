"""Shared by the tests that build: a copy of the project to edit and rebuild, and the identity lock read back."""
from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.select.identity import Lock, parse_lock

ROOT = Path(__file__).resolve().parent.parent


def copy_project(dest: Path, *, code: bool = False) -> Path:
    """The project's inputs (seeds, templates) copied to `dest`; with `code`, its code, Makefile and
    pyproject too and this project's virtual environment linked, so that `make` runs there."""
    for name in ("seeds", "templates") + (("pipeline",) if code else ()):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    if code:
        for name in ("Makefile", "pyproject.toml"):
            shutil.copy2(ROOT / name, dest / name)
        (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def read_lock(path: Path) -> Lock:
    """The identity lock at `path`, which must read without a problem; an empty lock when there is none."""
    if not path.exists():
        return Lock()
    lock, diags = parse_lock(path.read_text(encoding="utf-8"), path.as_posix())
    assert diags == [], diags
    return lock
