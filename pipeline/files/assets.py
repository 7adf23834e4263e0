"""Image references in documents -> the project files they may show; anything else is refused.

A build reads no URL and no file outside the project: a document or an exam definition names a figure by
a path relative to its own folder, and only a regular file inside the project (the working directory,
which every path in the bank is relative to) is used. Decks copy such a file into their media, exam pages
embed it; everything else is left out with a warning.
"""
from __future__ import annotations

import html
import mimetypes
import re
import stat
from pathlib import Path
from urllib.parse import unquote

MAX_BYTES = 20 * 1024 * 1024  # a figure larger than this is refused rather than read
# markdown-it's rendering of ![alt](src "title"). Formula images carry a class before their src and never match.
IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? ?/?>')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")  # http:, file:, data:, a drive letter, //host


def project_file(src: str, base: Path, root: Path | None = None) -> Path | None:
    """The file an image's `src` names, or None when it must not be read.

    `src` is as markdown-it writes it into HTML (entity- and percent-encoded); `base` is the folder of the
    document that holds it; `root` is the project (default: the working directory). None for any URL, a
    path that leads outside the project (also through a symbolic link), a missing file, and anything that
    is not a regular file of at most MAX_BYTES (a folder, a FIFO, a device)."""
    reference = unquote(html.unescape(src))
    if not reference or _SCHEME.match(reference) or "\0" in reference:
        return None
    root = (root or Path.cwd()).resolve()
    try:
        path = (Path(base) / reference).resolve()
        if not path.is_relative_to(root):
            return None
        info = path.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return None
    return path


def image_type(path: Path) -> str | None:
    """The image MIME type of a file by its name, or None when it is not an image a page can show."""
    kind = mimetypes.guess_type(path.name)[0]
    return kind if kind in ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp") else None


# What an SVG draws once every <use> is expanded; a diagram has hundreds, a detailed plot tens of thousands.
MAX_SVG_ELEMENTS = 200_000


def svg_problem(data: bytes) -> str | None:
    """Why an SVG must not be drawn, or None: not well-formed XML, an entity declaration (whose expansion
    can be exponential), or more than MAX_SVG_ELEMENTS elements once each `<use>` is replaced by what it
    refers to, counted without expanding anything (a few bytes of nested `<use>` can ask for 10^9 shapes)."""
    import xml.etree.ElementTree as ET

    if b"<!ENTITY" in data or b"<!entity" in data:
        return "it declares XML entities, which an image never needs"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"it is not well-formed XML ({exc})"
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    sizes: dict[int, int] = {}

    def size(el, path: frozenset[int]) -> int:  # noqa: ANN001 - an ElementTree element
        key = id(el)
        if key in sizes:
            return sizes[key]
        if key in path:
            return MAX_SVG_ELEMENTS + 1  # a <use> cycle: infinite
        total = 1
        if el.tag.rsplit("}", 1)[-1] == "use":
            ref = el.get("href") or el.get("{http://www.w3.org/1999/xlink}href") or ""
            target = by_id.get(ref[1:]) if ref.startswith("#") else None
            if target is not None:
                total += size(target, path | {key})
        for child in el:
            total += size(child, path | {key})
            if total > MAX_SVG_ELEMENTS:
                break
        sizes[key] = total = min(total, MAX_SVG_ELEMENTS + 1)
        return total

    try:
        count = size(root, frozenset())
    except RecursionError:
        return "its elements are nested too deep to draw"
    if count > MAX_SVG_ELEMENTS:
        return f"it draws more than {MAX_SVG_ELEMENTS:,} shapes once its <use> references are expanded"
    return None


__all__ = ["IMAGE", "MAX_BYTES", "MAX_SVG_ELEMENTS", "image_type", "project_file", "svg_problem"]
