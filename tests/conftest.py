"""Shared fixtures: the project root as working directory, and the five source documents."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    from pipeline.build import read_definitions
    from pipeline.exams import select_versions

    definitions, diags = read_definitions(ROOT / "seeds/exams.toml")
    found, drawn = select_versions(bank, definitions)
    assert diags + drawn == []
    return {v.slug: v for v in found}
