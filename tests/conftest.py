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


# The test files that build decks, papers or scans, or run Make or the command line: `make test-fast` leaves
# them out, and the property tests (marked `hypothesis` by Hypothesis), and runs the pure stages: reading,
# curation, recomputation and selection.
BUILDS = {"test_anki", "test_audience", "test_decks_e2e", "test_document_cache", "test_exam", "test_exam_variants",
          "test_exam_writing", "test_exams_e2e", "test_faults", "test_figures", "test_first_use",
          "test_formats_seeds", "test_grading", "test_hostile", "test_identity", "test_make", "test_math_everywhere",
          "test_mathfont", "test_mathsvg", "test_outputs", "test_practice", "test_source"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.path.stem in BUILDS:
            item.add_marker(pytest.mark.builds)
