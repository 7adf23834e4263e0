"""Every file format a study document comes in -> the same Document. One table of formats, each with one
signature: `read(data, path, slug) -> Document`. The format is found from the file's content; the extension
only breaks ties (a `.txt` file may be Aiken, GIFT or plain text). Formats with text structure (Word, saved
pages) are turned into the Markdown reader's lines and read by its layout analysis; formats that already say
what each part is (GIFT, Aiken, Anki notes) become questions directly."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Callable

from pipeline.model import Diagnostic, Document
from pipeline.readers import Pins, read_bytes, slug_of
from pipeline.files.source import read_source


@dataclass(frozen=True)
class Format:
    name: str  # e.g. "Word"
    extensions: tuple[str, ...]  # the hint: files with these endings are tried first
    sniff: Callable[[bytes, str], bool]  # whether the content is of this format (the path's ending as a hint)
    read: Callable[[bytes, str, str, Pins], Document]  # (data, path shown, slug, [layout] pins) -> Document


# A Word file or an Anki package is a zip archive: the most its members may hold once unpacked. Far above a
# 200-page quiz (a few MB), far below what a "zip bomb" of a few KB would make a reader allocate.
MAX_UNPACKED = 256 * 2**20


def _unpacked_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _zip_names(data: bytes) -> set[str]:
    if not data.startswith(b"PK\x03\x04"):
        return set()
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def _is_docx(data: bytes, path: str) -> bool:
    return "word/document.xml" in _zip_names(data)


def _is_anki(data: bytes, path: str) -> bool:
    return bool(_zip_names(data) & {"collection.anki2", "collection.anki21", "collection.anki21b"})


def _is_html(data: bytes, path: str) -> bool:
    from pipeline.formats.html import looks_like_html

    return looks_like_html(data, path)


def _is_gift(data: bytes, path: str) -> bool:
    from pipeline.formats.gift import looks_like_gift

    return looks_like_gift(data, path)


def _is_aiken(data: bytes, path: str) -> bool:
    from pipeline.formats.aiken import looks_like_aiken

    return looks_like_aiken(data)


def _read_docx(data: bytes, path: str, slug: str, pins: Pins) -> Document:
    from pipeline.formats.docx import read_docx

    return read_docx(data, path, slug, pins)


def _read_html(data: bytes, path: str, slug: str, pins: Pins) -> Document:
    from pipeline.formats.html import read_html

    return read_html(data, path, slug, pins)


def _read_anki(data: bytes, path: str, slug: str, pins: Pins) -> Document:  # it states every part: no pins
    from pipeline.formats.apkg import read_apkg

    return read_apkg(data, path, slug)


def _read_gift(data: bytes, path: str, slug: str, pins: Pins) -> Document:  # it states every part: no pins
    from pipeline.formats.gift import read_gift

    return read_gift(data, path, slug)


def _read_aiken(data: bytes, path: str, slug: str, pins: Pins) -> Document:  # it states every part: no pins
    from pipeline.formats.aiken import read_aiken

    return read_aiken(data, path, slug)


def _read_markdown(data: bytes, path: str, slug: str, pins: Pins) -> Document:
    """The Markdown reader's questions; in a text where it finds none, a table of one question per row, or the
    questions its front matter lists."""
    doc = read_bytes(data, path, slug, pins=pins)
    if doc.questions:
        return doc
    from pipeline.formats.frontmatter import read_front_matter
    from pipeline.formats.table import read_table

    for read in (read_table, read_front_matter):
        found = read(data, path, slug)
        if found is not None and found.questions:
            return found
    return doc


def _is_text(data: bytes, path: str) -> bool:
    return not _zip_names(data)


# In the order content is tested: containers first, then text formats from the strictest grammar to the
# loosest; Markdown and plain text read whatever is left.
FORMATS: tuple[Format, ...] = (
    Format("Word", (".docx",), _is_docx, _read_docx),
    Format("Anki package", (".apkg", ".colpkg"), _is_anki, _read_anki),
    Format("web page", (".html", ".htm", ".xhtml"), _is_html, _read_html),
    Format("GIFT", (".gift",), _is_gift, _read_gift),
    Format("Aiken", (), _is_aiken, _read_aiken),
    Format("Markdown", (".md", ".markdown", ".txt"), _is_text, _read_markdown),
)

DOCUMENT_EXTENSIONS = tuple(e for f in FORMATS for e in f.extensions)
# Files in the seeds folder that are not documents but inputs of another kind, never reported as skipped.
PROJECT_FILES = (".fixes.toml", "decks.toml", "exams.toml", "identity.lock", ".svg", ".png")


def detect(data: bytes, path: str) -> Format | None:
    """The format of `data`: the first whose content test passes. None for a container no format reads."""
    for f in FORMATS:
        if f.sniff(data, path):
            return f
    return None


def document_slug(path: str) -> str:
    name = Path(path).name
    for ext in sorted(DOCUMENT_EXTENSIONS, key=len, reverse=True):
        if name.lower().endswith(ext) and len(name) > len(ext):
            return "-".join(name[: -len(ext)].split()) or "document"
    return slug_of(path)


def read_document_bytes(data: bytes, path: str, slug: str | None = None, pins: Pins = ()) -> Document:
    """Bytes of a document of any format -> Document. Never raises on bad input. `pins` are the parts of the
    layout its overlay fixes (`[layout]`); the Markdown reader applies them."""
    slug = slug or document_slug(path)
    found = detect(data, path)
    if found is None:
        return Document(path, slug, "", slug, diagnostics=(Diagnostic(
            path, 0, "error", "format-unknown", "a zip archive that is neither a Word document (.docx) nor an Anki "
            "package (.apkg, .colpkg)"),))
    if found.name in ("Word", "Anki package") and _unpacked_size(data) > MAX_UNPACKED:
        return Document(path, slug, "", slug, diagnostics=(Diagnostic(
            path, 0, "error", "file-too-large", f"the archive unpacks to {_unpacked_size(data):,} bytes, more than "
            f"the {MAX_UNPACKED // 2**20} MiB a document may hold; it is not opened"),))
    try:
        return found.read(data, path, slug, pins)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the other documents
        return Document(path, slug, "", slug, diagnostics=(Diagnostic(
            path, 0, "error", "reader-failed", f"the {found.name} reader failed: {exc!r}"),))


def read_document(path: str | Path, display_path: str | None = None, pins: Pins = ()) -> Document:
    shown = display_path or str(path)
    data, diags = read_source(path, shown)
    if data is None:
        slug = document_slug(shown)
        return Document(shown, slug, "", slug, diagnostics=tuple(diags))
    return read_document_bytes(data, shown, pins=pins)


_SNIFF_BYTES = 64 * 1024


def seed_files(folder: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The documents in `folder` (every format read), and a `file-skipped` note naming each other file and
    why. A file whose ending names no format is still read when its content is one (a saved page without
    `.html`); the project's own inputs (overlays, figures, the lock, deck and exam settings) are not listed."""
    docs: list[Path] = []
    skipped: list[Diagnostic] = []
    try:
        entries = sorted(p for p in folder.iterdir())
    except OSError:
        return [], []
    for p in entries:
        name = p.name.lower()
        if name.startswith(".") or name.endswith(PROJECT_FILES):
            continue
        if name.endswith(DOCUMENT_EXTENSIONS):
            docs.append(p)  # read_document reports a folder or an unreadable file by its name
            continue
        if not p.is_file():
            continue
        try:
            with open(p, "rb") as f:
                head = f.read(_SNIFF_BYTES)
        except OSError as exc:
            skipped.append(Diagnostic(p.as_posix(), 0, "warning", "file-skipped",
                                      f"not read: it cannot be opened ({exc.strerror or exc})"))
            continue
        if head.startswith(b"PK"):  # a zip archive is known by its member list, at its end
            head = read_source(p)[0] or b""
        found = detect(head, p.as_posix()) if head.startswith(b"PK") or b"<" in head[:2048] else None
        if found is not None and found.name in ("Word", "Anki package", "web page"):
            docs.append(p)
        else:
            skipped.append(Diagnostic(p.as_posix(), 0, "warning", "file-skipped",
                                      f"not read: `{p.suffix or p.name}` is not a document format this project "
                                      f"reads ({', '.join(DOCUMENT_EXTENSIONS)})"))
    return docs, skipped


__all__ = ["FORMATS", "Format", "detect", "document_slug", "read_document", "read_document_bytes", "seed_files"]
