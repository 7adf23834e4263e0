"""The bank -> build/questions.json: every question in the project's public JSON form (`Question.to_json`).

Written only when every document read without errors, so that the file never holds a partial bank."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from pipeline.files.atomic import write_output
from pipeline.model import Bank, Diagnostic, Document


def questions_json(docs: Sequence[Document]) -> str:
    bank = [q.to_json() for doc in docs for q in doc.questions]
    return json.dumps(bank, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(bank: Bank, out: Path) -> list[Diagnostic]:
    return write_output(out / "questions.json", questions_json(bank.documents)) if bank.complete else []
