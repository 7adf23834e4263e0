"""A stand-in for a new output writer (a Moodle or QTI export would look the same): one module with `write`."""
from __future__ import annotations

from pathlib import Path

from pipeline.model import Bank, Diagnostic


def write(bank: Bank, out: Path) -> list[Diagnostic]:
    lines = [f"{doc.slug}\t{len(doc.questions)}" for doc in bank.good]
    (out / "probe.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return []
