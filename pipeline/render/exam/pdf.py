"""HTML -> PDF (WeasyPrint), reading nothing but what the page itself holds and the derived math fonts."""
from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from pipeline.files import cache
from pipeline.render.exam.mathfont import FONT_SCHEME, font_data


def page_hash(html: str | Sequence[str]) -> str:
    """Hash of a page with its fonts named by file name alone, as they always were: the PDF's /ID. A
    sequence of pages (one PDF made of several documents) hashes them in turn."""
    if not isinstance(html, str):
        return hashlib.sha256("".join(page_hash(h) for h in html).encode("ascii")).hexdigest()
    return hashlib.sha256(html.replace(f'url("{FONT_SCHEME}', 'url("').encode("utf-8")).hexdigest()


def pdf_key(html: str | Sequence[str]) -> str:
    """The build-cache key of the PDF made from `html`: the page, the code that renders it and the
    fonts, the renderer's versions, and whether fonts are subset (HarfBuzz's subsetter present)."""
    return cache.key("pdf", page_hash(html), _renderer(),
                     cache.code_fingerprint("render/exam/pdf.py", "render/exam/mathfont.py"))


@lru_cache(maxsize=1)
def _renderer() -> str:
    import ctypes.util

    subset = ctypes.util.find_library("harfbuzz-subset") is not None
    return f"{cache.versions('weasyprint', 'pydyf', 'fonttools')};harfbuzz-subset={subset}"


def html_to_pdf(html: str | Sequence[str], store_folder: str | Path | None = None) -> tuple[bytes, list[str]]:
    """PDF bytes, and the warnings WeasyPrint logged while making them. A sequence of pages makes one PDF
    of their pages in turn, each laid out alone (an exam paper, then its answer sheet: the paper's page
    numbers count the paper's pages only).

    The page may use data: URLs and the derived math fonts (served from the build cache in
    `store_folder`, or derived); any other URL (a remote image, a local file, a stylesheet) is refused
    and reported among the warnings."""
    import weasyprint

    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        fetcher = _fetcher(cache.Store(Path(store_folder) if store_folder else None))
        identifier = page_hash(html)[:32].encode("ascii")
        if isinstance(html, str):
            data = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
                pdf_identifier=identifier, full_fonts=_full_fonts())
        else:
            documents = [weasyprint.HTML(string=h, url_fetcher=fetcher).render(full_fonts=_full_fonts())
                         for h in html]
            data = documents[0].copy([p for d in documents for p in d.pages]).write_pdf(
                pdf_identifier=identifier, full_fonts=_full_fonts())
    finally:
        logger.removeHandler(collect)
    return data, collect.messages


def _fetcher(store: cache.Store):  # noqa: ANN202 - a WeasyPrint class, imported only when rendering
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):
        """Serves data: URLs and the math fonts; refuses every other URL, so no page reads a file or the
        network, whatever its text says."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith(FONT_SCHEME):
                data = font_data(url[len(FONT_SCHEME):], store)
                if data is not None:
                    return URLFetcherResponse(url, data, {"Content-Type": "font/ttf"})
            elif url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"refused: a page reads nothing outside itself ({url[:200]})")

    return ProjectFetcher()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _full_fonts() -> bool:
    """Embed whole fonts when HarfBuzz-Subset is missing: WeasyPrint's fallback subsetter logs a warning."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:
        return False
    return harfbuzz_subset is None


__all__ = ["html_to_pdf", "page_hash", "pdf_key"]
