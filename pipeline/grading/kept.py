"""What a grading batch keeps and hands on: each page read (kept between batches, so a page is read once)
and one exam's result, with the bytes they are written as."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pipeline.grading.score import Grade, Marks


@dataclass
class Page:
    """A page read, as kept between batches."""
    file: str
    page: int
    exam: str
    version: str
    sheet_page: int
    digest: str
    student: str | None
    states: dict[int, str]  # box index -> "filled" or "doubtful"; every other box of the page is empty
    layout: str = ""  # fingerprint of the layout the page was read against

    def to_json(self) -> dict:
        return {"file": self.file, "page": self.page, "exam": self.exam, "version": self.version,
                "sheet_page": self.sheet_page, "digest": self.digest, "student": self.student,
                "states": {str(k): v for k, v in sorted(self.states.items())}, "layout": self.layout}

    @classmethod
    def from_json(cls, raw: dict) -> "Page":
        raw = dict(raw)
        raw["states"] = {int(k): v for k, v in raw["states"].items()}
        return cls(**raw)

    @property
    def who(self) -> str:
        """The student, or for a page whose id cannot be read, the page itself until the teacher says."""
        return self.student or f"unknown-{self.digest[:8]}"


@dataclass
class Result:
    exam: str
    grades: list[Grade] = field(default_factory=list)
    marks: dict[tuple[str, int], Marks] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    new_pages: int = 0


def save_kept(out: Path, exam: str, pages: list[Page]) -> dict[Path, bytes]:
    text = json.dumps([p.to_json() for p in pages], indent=1, sort_keys=True) + "\n"
    return {Path(out) / f"{exam}-pages.json": text.encode("utf-8")}


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    return data.tobytes()


__all__ = ["Page", "Result", "png", "save_kept"]
