"""Exam versions -> printable exam papers and answer keys (Jinja2 HTML -> WeasyPrint PDF)."""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import string
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import jinja2
from markupsafe import Markup

from pipeline.exams import ExamItem, ExamVersion, exam_versions, format_points
from pipeline.fsutil import atomic_write_bytes
from pipeline.model import Diagnostic, Question
from pipeline.present import present, rendered
from pipeline.render.mathsvg import math_font_css, math_renderer, try_render, unrenderable
from pipeline.text import math_spans, to_html

MATH_SIZE_PT = 11.0  # STIX Two Math at 11pt matches the x-height of 10pt DejaVu Serif body text
_GRID_COLUMNS = 5
_CHARS_PER_LINE = 55  # handwriting takes more room than print: one ruled line holds about this much


# --- HTML -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _environment(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def _css_string(text: str) -> Markup:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(f'"{escaped}"')


def _md(markdown: str, cache_dir: Path | None, *, inline: bool = False) -> Markup:
    """Markdown with typeset math; text.to_html escapes any stray `<` so it cannot open a tag."""
    return Markup(to_html(markdown, math_renderer(MATH_SIZE_PT, cache_dir), inline=inline))


def answer_lines(q: Question) -> int:
    """Ruled lines for a written answer, sized to the reference answer (6 when there is none)."""
    if q.kind != "open":
        return 0  # choice questions are answered on their options, numeric ones in a box
    text = re.sub(r"\s+", " ", q.answer).strip()
    if not text:
        return 6
    return max(3, min(14, math.ceil(len(text) / _CHARS_PER_LINE) + 1))


def _pdf_date(date: str) -> str:
    """The exam's own date as PDF creation date, so no wall-clock time gets into the file."""
    return date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()) else ""


def _common(version: ExamVersion, templates_dir: Path, kind: str, cache_dir: Path | None) -> dict[str, Any]:
    exam = version.exam
    css = (Path(templates_dir) / "print.css").read_text(encoding="utf-8")
    # The formulas' glyphs are text in the derived math fonts, which live beside the formula cache.
    css = math_font_css(Path(cache_dir) / "fonts" if cache_dir else None) + css
    footer = f"{exam.title} \u00b7 Version {version.letter}" + (" \u00b7 Answer key" if kind == "key" else "")
    return {
        "exam": exam,
        "letter": version.letter,
        "css": Markup(css),
        "page_size": "A4" if exam.paper == "A4" else "letter",
        "footer": footer,
        "pdf_date": _pdf_date(exam.date),
        "total_points": format_points(version.total_points),
    }


def _item_context(item: ExamItem, cache_dir: Path | None, key: bool) -> dict[str, Any]:
    q = item.question
    ctx: dict[str, Any] = {
        "number": item.number,
        "kind": q.kind,
        "points": format_points(item.points),
        "context": _md(q.context, cache_dir) if q.context.strip() else "",
        "stem": _md(q.stem, cache_dir),
        "figures": list(q.figures),
        "choices": [
            {"letter": string.ascii_uppercase[k], "html": _md(c.text, cache_dir, inline=True), "correct": c.correct}
            for k, c in enumerate(item.choices)
        ],
        "lines": answer_lines(q),
    }
    if key:
        ctx.update({
            "qid": q.id,
            "source": f"{q.source.file}:{q.source.line_start}",
            "answered": q.answered,
            "correct_letters": ", ".join(item.correct_letters),
            "answer": _md(q.answer, cache_dir) if q.answer.strip() else "",
            "explanation": _md(q.explanation, cache_dir) if q.explanation.strip() else "",
            "notes": [_md(n, cache_dir) for n in q.notes],
            "attribution": q.attribution,
            "computed": [rendered(present(c), lambda text: _md(text, cache_dir, inline=True)) for c in q.computed],
        })
    return ctx


def _grid_answer(item: ExamItem, cache_dir: Path | None) -> str:
    q = item.question
    if q.choices:
        return ", ".join(item.correct_letters) or "none given"
    if q.computed:
        return _md(present(q.computed[0]).value, cache_dir, inline=True)
    if not q.answered:
        return "none given"
    return "written"


def exam_html(version: ExamVersion, cache_dir: Path | None = None,
              templates_dir: Path = Path("templates")) -> str:
    """The complete, self-contained HTML of one version's exam paper (CSS inline, math as data URIs)."""
    ctx = _common(version, templates_dir, "exam", cache_dir)
    ctx["instructions"] = _md(version.exam.instructions, cache_dir) if version.exam.instructions.strip() else ""
    ctx["items"] = [_item_context(item, cache_dir, key=False) for item in version.items]
    return _environment(str(templates_dir)).get_template("exam.html.j2").render(**ctx)


def key_html(version: ExamVersion, cache_dir: Path | None = None,
             templates_dir: Path = Path("templates")) -> str:
    """The complete, self-contained HTML of one version's answer key."""
    ctx = _common(version, templates_dir, "key", cache_dir)
    ctx["items"] = [_item_context(item, cache_dir, key=True) for item in version.items]
    cells = [{"number": item.number, "answer": _grid_answer(item, cache_dir)} for item in version.items]
    if all(c["answer"] == "written" for c in cells):
        cells = []  # an all-written exam has nothing to look up at a glance
    while len(cells) % _GRID_COLUMNS:
        cells.append(None)
    ctx["grid"] = [cells[i:i + _GRID_COLUMNS] for i in range(0, len(cells), _GRID_COLUMNS)]
    return _environment(str(templates_dir)).get_template("key.html.j2").render(**ctx)


def version_html(questions: Sequence[Question], definitions: Path, exam: str, letter: str = "A",
                 cache_dir: Path | None = None, templates_dir: Path = Path("templates"),
                 key: bool = False) -> str:
    """HTML of one named exam version straight from the bank and the definitions file."""
    versions, diags = exam_versions(questions, definitions)
    for version in versions:
        if version.exam.name == exam and version.letter == letter:
            return (key_html if key else exam_html)(version, cache_dir, templates_dir)
    problems = "; ".join(str(d) for d in diags) or "no such exam or version"
    raise LookupError(f"exam {exam!r} version {letter!r} is not available: {problems}")


# --- PDF ------------------------------------------------------------------------------------------------


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


def _page_hash(html: str) -> str:
    """Hash of a page without the folders its fonts are read from: two checkouts give the same PDF /ID."""
    located = re.sub(r'url\("file://[^"]*/([^/"]*)"\)', r'url("\1")', html)
    return hashlib.sha256(located.encode("utf-8")).hexdigest()


class PdfCache:
    """Rendered PDFs, each filed under the hash of the page it was made from and the renderer's version.

    A page that was rendered before, by any build, is not rendered again: undoing an edit, switching
    back to an earlier version of a document or deleting build/exams costs a file copy instead of
    WeasyPrint's second or so per PDF. Only PDFs rendered without warnings are kept, so a hit never hides
    one; the least recently used entries beyond `limit` are removed.
    """

    def __init__(self, folder: Path, limit: int = 64):
        self.folder = Path(folder)
        self.limit = limit

    @staticmethod
    @lru_cache(maxsize=1)
    def _renderer() -> str:
        """What turns the same page into different bytes: the renderer's versions, and whether fonts are
        subset (HarfBuzz's subsetter present) or embedded whole. `make clean` forgets every entry."""
        import ctypes.util
        from importlib.metadata import version

        subset = ctypes.util.find_library("harfbuzz-subset") is not None
        return f"weasyprint={version('weasyprint')};pydyf={version('pydyf')};harfbuzz-subset={subset}"

    def _path(self, html: str) -> Path:
        key = hashlib.sha256(f"{self._renderer()}\0{_page_hash(html)}".encode()).hexdigest()
        return self.folder / f"{key}.pdf"

    def get(self, html: str) -> bytes | None:
        path = self._path(html)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not (data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]):
            return None  # damaged: render it again
        try:
            os.utime(path)  # recently used
        except OSError:
            pass
        return data

    def put(self, html: str, pdf: bytes) -> None:
        try:
            atomic_write_bytes(self._path(html), pdf)
            entries = sorted(self.folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[self.limit:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time


def rendering_likely(out_dir: Path, pdf_cache: Path | None, versions: Sequence[ExamVersion] = ()) -> bool:
    """Before any page is made: will WeasyPrint run? Yes when a PDF is missing (or no build has recorded
    any) and the PDF cache is empty, so cannot give it."""
    if pdf_cache and any(Path(pdf_cache).glob("*.pdf")):
        return False
    out_dir = Path(out_dir)
    names = [f"{v.slug}{suffix}.pdf" for v in versions for suffix in ("", "-key")] or list(_read_manifest(out_dir))
    return not names or any(not (out_dir / name).exists() for name in names)


class RenderWorkers:
    """The exam build's process pool, started ahead of need: while the parent reads the documents and
    typesets formulas, both workers import WeasyPrint and set up its fonts, one derives the math fonts,
    and then they take a share of the typesetting. Use as a context manager."""

    def __init__(self, workers: int, cache_dir: Path | None):
        self.pool = ProcessPoolExecutor(max_workers=workers)
        self.workers = workers
        font_dir = str(Path(cache_dir) / "fonts") if cache_dir else None
        self.fonts_ready = self.pool.submit(_prepare_worker, font_dir)
        for _ in range(workers - 1):
            self.pool.submit(_prepare_worker, None)

    def __enter__(self) -> "RenderWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def typeset(self, formulas: Sequence[tuple[str, bool]], cache_dir: Path) -> None:
        """Typeset `formulas` into the disk cache, the parent and the workers sharing the work: the
        parent takes chunks from the end while the workers, once ready, take them from the front."""
        size = max(1, math.ceil(len(formulas) / (4 * self.workers)))
        chunks = [list(formulas[i:i + size]) for i in range(0, len(formulas), size)]
        futures = [self.pool.submit(_typeset, chunk, str(cache_dir)) for chunk in chunks]
        for future, chunk in zip(reversed(futures), reversed(chunks)):
            if future.cancel():  # no worker has taken it yet
                _typeset(chunk, str(cache_dir))
        for future in futures:
            if not future.cancelled():
                try:
                    future.result()
                except Exception:  # noqa: BLE001 - the page typesets whatever is missing itself
                    pass
        try:
            self.fonts_ready.result()
        except Exception:  # noqa: BLE001 - the pages derive the fonts themselves
            pass


def _typeset(formulas: Sequence[tuple[str, bool]], cache_dir: str) -> None:
    for latex, display in formulas:
        try_render(latex, display, MATH_SIZE_PT, Path(cache_dir))


def _printed_texts(versions: Sequence[ExamVersion]) -> Iterator[tuple[Question, str, int]]:
    """(question, Markdown text, source line) for every text the versions' papers and keys print, each
    question once."""
    seen: set[str] = set()
    for version in versions:
        for item in version.items:
            q = item.question
            if q.id in seen:
                continue
            seen.add(q.id)
            for text in (q.context, q.stem, q.answer, q.explanation, *q.notes):
                yield q, text, q.source.line_start
            for c in q.choices:
                yield q, c.text, c.line or q.source.line_start


def _formulas(versions: Sequence[ExamVersion]) -> list[tuple[str, bool]]:
    """Every formula the versions' papers and keys print, once each."""
    found: dict[tuple[str, bool], None] = {}
    for _, text, _ in _printed_texts(versions):
        for span in math_spans(text):
            found.setdefault(span, None)
    return list(found)


def _prepare_worker(font_dir: str | None) -> None:
    """A render worker's start-up, done ahead: the math fonts (when asked), WeasyPrint and its fonts."""
    import weasyprint

    if font_dir:
        from pipeline.render.mathsvg import math_font_files

        math_font_files(Path(font_dir))
    weasyprint.HTML(string="<p>x</p>").render()


def html_to_pdf(html: str) -> tuple[bytes, list[str]]:
    """PDF bytes, and the warnings WeasyPrint logged while making them."""
    import weasyprint

    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        identifier = _page_hash(html)[:32].encode("ascii")
        data = weasyprint.HTML(string=html).write_pdf(pdf_identifier=identifier, full_fonts=_full_fonts())
    finally:
        logger.removeHandler(collect)
    return data, collect.messages


@dataclass(frozen=True)
class _Rendered:
    slug: str
    exam_pdf: bytes
    key_pdf: bytes
    warnings: tuple[str, ...]


MANIFEST = ".sources.json"  # PDF name -> hash of the HTML it was rendered from


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _html_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _math_diagnostics(versions: Sequence[ExamVersion], cache_dir: Path | None) -> list[Diagnostic]:
    found: dict[tuple[str, int, str], Diagnostic] = {}
    for q, text, line in _printed_texts(versions):
        for d in unrenderable(text, q.source.file, line, MATH_SIZE_PT, cache_dir):
            found.setdefault((d.file, d.line, d.message), d)
    return list(found.values())


def write_exams(questions: Sequence[Question], definitions: Path, out_dir: Path, cache_dir: Path,
                templates_dir: Path = Path("templates"), workers: int = 2,
                pdf_cache: Path | None = None, render_workers: RenderWorkers | None = None) -> list[Diagnostic]:
    """Write <exam>-<V>.pdf and <exam>-<V>-key.pdf for every version of every exam in `definitions`.

    `cache_dir` holds the typeset formulas and math fonts; with `pdf_cache`, PDFs come from a `PdfCache`
    there when their page was rendered before. `render_workers`, started by the caller, is used instead
    of a pool of its own.

    An exam's files are replaced only once all its versions have rendered, each file atomically, so a
    failure leaves the previous PDFs in place.
    """
    versions, diags = exam_versions(questions, definitions)
    out_dir = Path(out_dir)
    with ExitStack() as stack:
        if render_workers is None and workers > 1 and rendering_likely(out_dir, pdf_cache, versions):
            render_workers = stack.enter_context(RenderWorkers(workers, cache_dir))
        pool = render_workers.pool if render_workers is not None else None
        if render_workers is not None and cache_dir is not None:
            render_workers.typeset(_formulas(versions), Path(cache_dir))
        diags.extend(_math_diagnostics(versions, cache_dir))
        manifest = _read_manifest(out_dir)
        sources: dict[str, tuple[str, str]] = {}
        rendered: dict[str, _Rendered | BaseException | None] = {}
        for v in versions:
            try:
                sources[v.slug] = (exam_html(v, cache_dir, templates_dir), key_html(v, cache_dir, templates_dir))
            except Exception as exc:  # noqa: BLE001 - reported per exam, other exams still build
                rendered[v.slug] = exc
        stale = []
        for slug, (paper, key) in sources.items():
            # WeasyPrint is the whole cost of an exam: a PDF whose HTML did not change is not rendered again.
            current = all(manifest.get(f"{slug}{suffix}.pdf") == _html_hash(html) and
                          (out_dir / f"{slug}{suffix}.pdf").exists()
                          for suffix, html in (("", paper), ("-key", key)))
            if current:
                rendered[slug] = None
            else:
                stale.append(slug)
        cache = PdfCache(pdf_cache) if pdf_cache else None
        done: dict[tuple[str, int], tuple[bytes, list[str]]] = {}
        jobs = []
        for slug in stale:
            for part in (0, 1):
                hit = cache.get(sources[slug][part]) if cache else None
                if hit is not None:
                    done[(slug, part)] = (hit, [])
                else:
                    jobs.append((slug, part))
        failed: dict[str, BaseException] = {}
        if workers > 1 and (len(jobs) > 1 or (jobs and pool is not None)):
            if pool is None:
                pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(jobs))))
            # One job per PDF, longest HTML first, keeps both cores busy to the end.
            jobs.sort(key=lambda j: -len(sources[j[0]][j[1]]))
            futures = {job: pool.submit(html_to_pdf, sources[job[0]][job[1]]) for job in jobs}
            for job, future in futures.items():
                try:
                    done[job] = future.result()
                except Exception as exc:  # noqa: BLE001
                    failed.setdefault(job[0], exc)
        else:
            for job in jobs:
                try:
                    done[job] = html_to_pdf(sources[job[0]][job[1]])
                except Exception as exc:  # noqa: BLE001
                    failed.setdefault(job[0], exc)
    for slug in stale:
        if slug in failed:
            rendered[slug] = failed[slug]
            continue
        (paper, w1), (key, w2) = done[(slug, 0)], done[(slug, 1)]
        rendered[slug] = _Rendered(slug, paper, key, tuple(w1 + w2))
        if cache:
            for part, (pdf, warned) in ((0, done[(slug, 0)]), (1, done[(slug, 1)])):
                if not warned and (slug, part) in jobs:
                    cache.put(sources[slug][part], pdf)
    by_exam: dict[str, list[ExamVersion]] = {}
    for v in versions:
        by_exam.setdefault(v.exam.name, []).append(v)
    for name, exam_versions_ in by_exam.items():
        exam = exam_versions_[0].exam
        results = [rendered[v.slug] for v in exam_versions_]
        failures = [(v, r) for v, r in zip(exam_versions_, results) if isinstance(r, BaseException)]
        if failures:
            v, exc = failures[0]
            diags.append(Diagnostic(exam.file, exam.line, "error", "exam-render-failed",
                                    f"exam '{name}' version {v.letter} could not be rendered "
                                    f"({type(exc).__name__}: {exc}); previous PDFs left in place"))
            continue
        fresh = [r for r in results if isinstance(r, _Rendered)]
        for r in fresh:
            for message in dict.fromkeys(r.warnings):
                diags.append(Diagnostic(exam.file, exam.line, "warning", "exam-pdf-warning",
                                        f"{r.slug}: WeasyPrint: {message}"))
        try:
            for r in fresh:
                atomic_write_bytes(out_dir / f"{r.slug}.pdf", r.exam_pdf)
                atomic_write_bytes(out_dir / f"{r.slug}-key.pdf", r.key_pdf)
                manifest[f"{r.slug}.pdf"] = _html_hash(sources[r.slug][0])
                manifest[f"{r.slug}-key.pdf"] = _html_hash(sources[r.slug][1])
        except OSError as exc:
            diags.append(Diagnostic(exam.file, exam.line, "error", "exam-render-failed",
                                    f"exam '{name}' could not be written: {exc}"))
    if any(isinstance(r, _Rendered) for r in rendered.values()):
        atomic_write_bytes(out_dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return diags


__all__ = ["MATH_SIZE_PT", "PdfCache", "RenderWorkers", "rendering_likely", "answer_lines", "exam_html", "key_html", "version_html", "html_to_pdf",
           "write_exams"]
