"""Shared fixtures: the project root as working directory, and the five source documents."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# `make test` draws the same examples every run, so that a failure is a fact about the code, not about the day;
# HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _project_root() -> None:
    # Paths in questions, diagnostics and golden files are relative to the project root.
    os.chdir(ROOT)


@pytest.fixture(scope="session")
def bank():
    from pipeline.build import load_bank, seed_paths

    return load_bank(seed_paths())


@pytest.fixture(scope="session")
def questions(bank):
    return {q.id: q for doc in bank for q in doc.questions}


@pytest.fixture(scope="session")
def versions(bank):
    """The versions of the shipped exams (seeds/exams.toml), by slug: "choice-A", "choice-B", "written-A"."""
    from pipeline.select.definitions import read_definitions
    from pipeline.select.versions import select_versions

    definitions, diags = read_definitions(ROOT / "seeds/exams.toml")
    found, drawn = select_versions(bank, definitions)
    assert diags + drawn == []
    return {v.slug: v for v in found}


@pytest.fixture(scope="session")
def built_exams(tmp_path_factory) -> tuple[Path, str]:
    """The shipped exams built once by the real driver: (the folder of PDFs, what the build reported)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("build")
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--exams", "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out / "exams", run.stderr
