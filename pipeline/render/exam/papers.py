"""Exam versions -> printable exam papers and answer keys as PDF files: each version's pages (`page`) rendered by
WeasyPrint on both cores, an exam's files written as one unit, and what a page cannot print reported."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, Sequence

from pipeline.files.assets import IMAGE, image_type, project_file, svg_problem
from pipeline.files.atomic import settle, write_changed
from pipeline.files.cache import Store
from pipeline.files.source import read_source
from pipeline.markup import to_html
from pipeline.model import Diagnostic, Question
from pipeline.render import TEMPLATES
from pipeline.render.exam.mathfont import load_fonts
from pipeline.render.exam.mathsvg import unrenderable
from pipeline.render.exam.page import MATH_SIZE_PT, exam_html, key_html
from pipeline.render.exam.pdf import html_to_pdf, pdf_key
from pipeline.select.versions import ExamVersion


def write_exams(versions: Sequence[ExamVersion], out_dir: Path, *, store: Store | None = None,
                templates_dir: Path = TEMPLATES, workers: int = 2) -> list[Diagnostic]:
    """Write <exam>-<V>.pdf and <exam>-<V>-key.pdf for every version.

    An exam's papers and keys, all its versions, are one unit: each is rendered to memory, then all are
    written to temporary files and only then renamed into place, so a failure (a page that will not
    render, a full or read-only disk) leaves every previous PDF of that exam as it was. PDFs rendered
    before, by any build, come from the store; the others are rendered on `workers` processes.
    """
    out_dir = Path(out_dir)
    settle(out_dir)  # a unit a killed build left half renamed is finished, its leftovers removed
    diags = _math_diagnostics(versions, store) + _image_diagnostics(versions)
    by_exam: dict[str, list[ExamVersion]] = {}
    for v in versions:
        by_exam.setdefault(v.exam.name, []).append(v)
    pages: dict[str, dict[str, str | tuple[str, ...]]] = {}  # exam name -> file name -> HTML (pages in turn)
    sheets: dict[str, dict[str, bytes]] = {}  # exam name -> file name -> each version's sheet layout
    failed: dict[str, BaseException] = {}  # exam name -> why it cannot be written
    for name, exam_versions in by_exam.items():
        try:
            pages[name] = {f"{v.slug}{suffix}.pdf": page(v, store, templates_dir)
                           for v in exam_versions for suffix, page in (("", exam_html), ("-key", key_html))}
            if exam_versions[0].exam.sheet:
                sheets[name] = _with_sheets(pages[name], exam_versions, templates_dir)
        except Exception as exc:  # noqa: BLE001 - reported per exam, other exams still build
            failed[name] = exc
    pdfs = _render({file: html for files in pages.values() for file, html in files.items()}, store, workers)
    for name, exam_versions in by_exam.items():
        exam = exam_versions[0].exam
        files = list(pages.get(name, ()))
        problem = failed.get(name) or next((pdfs[f] for f in files if isinstance(pdfs[f], BaseException)), None)
        if problem is not None:
            diags.append(Diagnostic(exam.file, exam.line, "error", "exam-render-failed",
                                    f"exam '{name}' could not be rendered ({type(problem).__name__}: {problem}); "
                                    f"its previous PDFs are left in place"))
            continue
        for f in files:
            for message in dict.fromkeys(pdfs[f][1]):
                diags.append(Diagnostic(exam.file, exam.line, "warning", "exam-pdf-warning",
                                        f"{f[:-4]}: WeasyPrint: {message}"))
        layouts = {out_dir / f: data for f, data in sheets.get(name, {}).items()}
        diags.extend(_write_unit({out_dir / f: pdfs[f][0] for f in files} | layouts, name))
    return diags


def _with_sheets(files: dict[str, str | tuple[str, ...]], versions: Sequence[ExamVersion], templates_dir: Path
                 ) -> dict[str, bytes]:
    """Each version's answer sheet after its paper, filled in after its key, and alone; returns the sheet
    layouts (`<exam>-<V>-sheet.json`), which the scan reader and the scores read."""
    from pipeline.render.exam.sheet import key_marks, sheet_html
    from pipeline.render.exam.sheet_layout import layout

    layouts = {}
    for v in versions:
        sheet = layout(v)
        empty = sheet_html(sheet, date=v.exam.date, templates_dir=templates_dir)
        files[f"{v.slug}.pdf"] = (files[f"{v.slug}.pdf"], empty)
        files[f"{v.slug}-key.pdf"] = (files[f"{v.slug}-key.pdf"],
                                      sheet_html(sheet, key_marks(sheet), date=v.exam.date, templates_dir=templates_dir))
        files[f"{v.slug}-sheet.pdf"] = empty
        layouts[f"{v.slug}-sheet.json"] = (sheet.to_json() + "\n").encode("utf-8")
    return layouts


def _render(pages: dict[str, str | tuple[str, ...]], store: Store | None, workers: int
            ) -> dict[str, tuple[bytes, list[str]] | BaseException]:
    """Each page's PDF and WeasyPrint's warnings, or what went wrong. Only a PDF rendered without warnings
    is stored, so a PDF from the store never hides one."""
    done: dict[str, tuple[bytes, list[str]] | BaseException] = {}
    todo = []
    for name, html in pages.items():
        hit = store.get("pdf", pdf_key(html)) if store else None
        if hit is not None:
            done[name] = (hit, [])
        else:
            todo.append(name)
    folder = str(store.folder) if store and store.folder else None
    # WeasyPrint is the whole cost of an exam: whole PDFs on both cores, longest page first.
    todo.sort(key=lambda n: -sum(map(len, [pages[n]] if isinstance(pages[n], str) else pages[n])))
    if workers > 1 and len(todo) > 1:
        _warm_up(store)  # once here rather than in every worker: forked workers start with it done
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futures = {name: pool.submit(html_to_pdf, pages[name], folder) for name in todo}
            for name, future in futures.items():
                try:
                    done[name] = future.result()
                except Exception as exc:  # noqa: BLE001 - reported for its exam
                    done[name] = exc
    else:
        for name in todo:
            try:
                done[name] = html_to_pdf(pages[name], folder)
            except Exception as exc:  # noqa: BLE001
                done[name] = exc
    for name in todo:
        result = done[name]
        if store and not isinstance(result, BaseException) and not result[1]:
            store.put("pdf", pdf_key(pages[name]), result[0])
    return done


def _warm_up(store: Store | None) -> None:
    """Import WeasyPrint and make the math fonts, the start-up every render needs."""
    import weasyprint  # noqa: F401

    load_fonts(store)


def _write_unit(files: dict[Path, bytes], exam: str) -> list[Diagnostic]:
    """Replace all of an exam's files or none; files whose bytes did not change are not touched."""
    try:
        write_changed(files)
    except OSError as exc:
        where = Path(exc.filename).as_posix() if exc.filename else next(iter(files)).parent.as_posix()
        return [Diagnostic(where, 0, "error", "write-failed",
                           f"cannot write exam '{exam}' ({exc.strerror or exc}); its previous PDFs are kept")]
    return []


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


def _math_diagnostics(versions: Sequence[ExamVersion], store: Store | None) -> list[Diagnostic]:
    found: dict[tuple[str, int, str], Diagnostic] = {}
    for q, text, line in _printed_texts(versions):
        for d in unrenderable(text, q.source.file, line, MATH_SIZE_PT, store):
            found.setdefault((d.file, d.line, d.message), d)
    return list(found.values())


def _image_diagnostics(versions: Sequence[ExamVersion]) -> list[Diagnostic]:
    """An `exam-image-refused` warning for each image a page will not show: a URL, a file outside the
    project, a missing file or one that is no image."""
    texts = [(q.source.file, line, text) for q, text, line in _printed_texts(versions)]
    texts += [(v.exam.file, v.exam.instructions_line or v.exam.line, v.exam.instructions)
              for v in {v.exam.name: v for v in versions}.values()]
    found: dict[tuple[str, int, str], Diagnostic] = {}
    for file, line, text in texts:
        if "](" not in text:
            continue
        for m in IMAGE.finditer(to_html(text)):
            path = project_file(m.group(1), Path(file).parent)
            if path is None or image_type(path) is None or image_type(path) == "image/svg+xml" and svg_problem(
                    read_source(path)[0] or b""):
                found.setdefault((file, line, m.group(1)), Diagnostic(
                    file, line, "warning", "exam-image-refused",
                    f"image '{m.group(1)[:200]}' is not an image file of the project; the page shows its "
                    f"description instead"))
    return list(found.values())


__all__ = ["write_exams"]
