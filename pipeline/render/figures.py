"""A question's supplied figures -> the image files that show them: a drawn diagram, or a project file."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from pipeline.files.assets import MAX_BYTES, image_type, project_file, svg_problem
from pipeline.diagrams import diagram
from pipeline.model import Figure, Question
from pipeline.files.source import read_source


class Picture(NamedTuple):
    """A supplied figure as a deck holds it: a media file and how the card shows it."""
    name: str  # media file name, derived from the content: a changed figure is a new file
    data: bytes
    kind: str  # its MIME type
    alt: str
    width: float  # natural width in CSS pixels; 0 when unknown (an image file)

    @property
    def style(self) -> str:
        """Its natural width, never wider than the card or the page."""
        return f"width: {self.width:g}px; max-width: 100%" if self.width else "max-width: 100%"


@lru_cache(maxsize=64)
def _drawn(description: str) -> Picture:
    d = diagram(description)
    data = d.svg.encode("utf-8")
    return Picture(f"{d.name}-{hashlib.sha256(data).hexdigest()[:10]}.svg", data, "image/svg+xml", d.alt, d.width)


def picture(figure: Figure) -> Picture | None:
    """The supplied figure's media file, or None when there is none to be had (not supplied, or its file
    is gone since the overlay was read: the card then shows the missing-figure notice)."""
    if figure.diagram:
        try:
            return _drawn(figure.diagram)
        except ValueError:
            return None
    container, _, member = figure.file.partition("#")  # `seeds/quiz.docx#word/media/image1.png`: embedded
    name = PurePosixPath(member or container)
    kind = image_type(Path(name.name)) if figure.file else None
    path = project_file(container, Path(".")) if kind else None
    try:  # a regular file of bounded size, never a pipe or a device
        data = (_member(path, member) if member else read_source(path)[0]) if path else None
    except OSError:
        data = None
    if data is None or kind is None or kind == "image/svg+xml" and svg_problem(data):
        return None  # an SVG that would exhaust the renderer is missing, as the overlay's check reported
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name.stem).strip("-") or "figure"
    digest = hashlib.sha256(data).hexdigest()[:10]
    return Picture(f"{stem}-{digest}{name.suffix.lower()}", data, kind, figure.caption or stem, 0)


def _member(package: Path, member: str) -> bytes | None:
    """An image embedded in a document's package (a Word file is a zip archive), at most MAX_BYTES."""
    import zipfile

    try:
        with zipfile.ZipFile(package) as z:
            info = z.getinfo(member)
            return z.read(info) if info.file_size <= MAX_BYTES else None
    except (KeyError, zipfile.BadZipFile, ValueError):
        return None


def placed(q: Question, where: str) -> list[tuple[Figure, Picture | None]]:
    """The figures of q's stem or answer (`where`), each with its picture, or None where none was supplied."""
    return [(f, picture(f)) for f in q.figures if f.where == where]


__all__ = ["Picture", "picture", "placed"]
