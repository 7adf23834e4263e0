"""The bank and the exam definitions -> exam papers, answer keys and answer sheets under build/exams.

`write` is the exams row of the build's outputs: it draws the versions `seeds/exams.toml` defines and
hands them to the paper writer (`papers.write_exams`, pages from `page`), which loads WeasyPrint only when it is called."""
from __future__ import annotations

import os
from pathlib import Path

from pipeline.model import Bank, Diagnostic, stage_failed
from pipeline.select.definitions import read_definitions
from pipeline.select.versions import select_versions


def write(bank: Bank, out: Path) -> list[Diagnostic]:
    defined = bank.seeds / "exams.toml"
    if not os.path.lexists(defined):  # a new folder: no exams until it defines some
        return [Diagnostic(defined.as_posix(), 0, "info", "exams-undefined",
                           f"no {defined.as_posix()}: no exams are built; write one to get papers and keys (see "
                           "the README's Exams section)")]
    definitions, found = read_definitions(defined)
    try:
        versions, drawn = select_versions(list(bank.documents), definitions)
    except Exception as exc:  # noqa: BLE001 - reported against the definitions; the decks are written
        versions, drawn = [], [stage_failed(defined.as_posix(), "exam-selection", exc)]
    from pipeline.render.exam.papers import write_exams

    return found + drawn + write_exams(versions, out / "exams", store=bank.store)
