"""Speed and memory benchmark: the five documents through Make, a synthetic bank, bare baselines.

Run by `make bench` (`.venv/bin/python bench/bench.py`); it works in temporary copies and touches nothing here."""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from synthetic import synthetic_bank  # bench/synthetic.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# The venv's install stamp may be missing or older than pyproject.toml; venv creation is not what is
# measured, so Make is told never to remake it (and never to pip install into the real venv).
MAKE = ["make", "-s", "-o", ".venv/.installed", "decks", "exams"]
EXAM_QUESTIONS = 200
EXAM_BANK = 1_000


# --- child processes (fresh interpreters, so peak memory is one task's) -----------------------------------

def _peak_mb() -> float:
    # ru_maxrss is in KiB on Linux and bytes on macOS
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def child_decks(n: int, reps: int) -> dict:
    import genanki

    from pipeline.render.anki import build_decks
    from pipeline.render.anki.fields import note_fields
    from pipeline.render.sections import numbered_headings
    from pipeline.markup import to_html

    t_gen, docs = _timed(lambda: synthetic_bank(n))
    bank_mb = _peak_mb()
    # Baseline input: the same field HTML, prepared beforehand, for one simple model and one package.
    to_html.cache_clear()
    # As the deck writer does: each document's headings found once, then every question's fields.
    t_fields, rows = _timed(lambda: [list(note_fields(q, doc, headings).values()) for doc in docs
                                     for headings in [numbered_headings(doc)] for q in doc.questions])
    width = max(len(r) for r in rows)
    first, again, bare, problems = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        # Ours and the baseline alternate, so that the machine's drifting speed falls on both alike.
        for r in range(reps):
            out = Path(tmp) / f"run{r}"
            # A new, empty lock every run: every note gets a fresh GUID, the first build of a bank. A fresh
            # process has no converted Markdown in memory either, so neither does this run.
            out.mkdir()
            (out / "identity.lock").write_text("version = 1\n", encoding="utf-8")
            to_html.cache_clear()
            t, diags = _timed(lambda: build_decks(docs, out / "decks", out / "identity.lock", TEMPLATES))
            first.append(t)
            problems += sum(d.severity != "info" for d in diags)
            # The same bank again against the lock just written: the everyday rebuild.
            t, diags = _timed(lambda: build_decks(docs, out / "decks", out / "identity.lock", TEMPLATES))
            again.append(t)
            problems += sum(d.severity != "info" for d in diags)
            shutil.rmtree(out)

            def run() -> None:
                model = genanki.Model(1607392319, "Bare", fields=[{"name": f"F{k}"} for k in range(width)],
                                      templates=[{"name": "Card", "qfmt": "{{F0}}",
                                                  "afmt": "{{FrontSide}}<hr id=answer>{{F1}}"}])
                deck = genanki.Deck(2059400110, "Bare")
                for row in rows:
                    deck.add_note(genanki.Note(model=model, fields=row + [""] * (width - len(row))))
                genanki.Package(deck).write_to_file(str(Path(tmp) / "bare.apkg"))
            bare.append(_timed(run)[0])
        peak_mb = _peak_mb()
    return {"gen": t_gen, "first": first, "again": again, "bare": bare, "fields": t_fields,
            "bank_mb": bank_mb, "peak_mb": peak_mb, "problems": problems}


def child_identity(n: int) -> dict:
    """Identity matching for one n-question document whose every question changed since the lock."""
    from dataclasses import replace

    from pipeline.select.identity import Lock, assign

    (doc,) = synthetic_bank(n, documents=1)
    first = assign([doc], Lock(), now=1, contents={q.id: "before" for q in doc.questions})
    rng = random.Random(3)

    def typo(stem: str) -> str:  # two letters of one word swapped
        words = stem.split(" ")
        k = rng.choice([k for k, w in enumerate(words) if len(w) > 3 and w.isalpha()])
        words[k] = words[k][1] + words[k][0] + words[k][2:]
        return " ".join(words)

    # A question inserted at the top renumbers every other one, and every stem has a typo fixed.
    edited = replace(doc, questions=tuple(q.with_(id=f"{q.id}-moved", stem=typo(q.stem)) for q in doc.questions))
    replaced = replace(doc, questions=tuple(q.with_(stem=f"Question {i} {rng.random()}: what else?")
                                            for i, q in enumerate(doc.questions)))
    out = {}
    for name, d in (("edited", edited), ("replaced", replaced)):
        t, result = _timed(lambda: assign([d], first.lock, now=2, contents={q.id: "after" for q in d.questions}))
        out[name] = t
        out[f"{name}_kept"] = sum(result.identities.notes[new.id].guid == first.identities.notes[old.id].guid
                                  for new, old in zip(d.questions, doc.questions))
    return out


def child_read(n: int, reps: int) -> dict:
    """Reading alone: the five seeds, and a quiz document of n questions (about 5 MB for 20,000)."""
    from synthetic import quiz_document

    from pipeline.readers import read_bytes, read_path

    seeds = sorted((ROOT / "seeds").glob("*.md"))
    data = quiz_document(n).encode("utf-8")
    seed_times, big_times, found = [], [], 0
    for _ in range(reps):
        t, _ = _timed(lambda: [read_path(p) for p in seeds])
        seed_times.append(t)
        t, doc = _timed(lambda: read_bytes(data, "quiz.md"))
        big_times.append(t)
        found = len(doc.questions)
    worst = max((_pathological(name, line), name) for name, line in PATHOLOGICAL.items())
    return {"seeds": seed_times, "big": big_times, "mb": len(data) / 1e6, "found": found, "peak_mb": _peak_mb(),
            "worst_line": worst}


WORD_PAGES = 200
WORD_QUESTIONS_PER_PAGE = 6  # a stem, four options and an explanation each: about a page of six


def word_document(pages: int) -> bytes:
    """A Word quiz of about `pages` pages: questions in an automatic list (the `List Number` style), options
    labelled by hand with the correct one highlighted, an explanation after each."""
    import io

    import docx
    from docx.enum.text import WD_COLOR_INDEX

    d = docx.Document()
    d.add_heading("Benchmark quiz", 0)
    rng = random.Random(5)
    for n in range(pages * WORD_QUESTIONS_PER_PAGE):
        d.add_paragraph(f"How many parameters does a recurrent layer of size {n + 2} have on input {n % 50 + 1}?",
                        style="List Number")
        right = rng.randrange(4)
        for k in range(4):
            run = d.add_paragraph().add_run(f"{'ABCD'[k]}. {(n + 2) * (n + 3 + k)} parameters")
            if k == right:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        d.add_paragraph("The kernel, the recurrent kernel and the bias together give the count.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def child_word(pages: int, reps: int) -> dict:
    """Reading a Word file of `pages` pages (python-docx, numbering, run formatting, the layout analysis)."""
    from pipeline.formats import read_document_bytes

    data = word_document(pages)
    times, found, marked = [], 0, 0
    for _ in range(reps):
        t, doc = _timed(lambda: read_document_bytes(data, "quiz.docx"))
        times.append(t)
        found = len(doc.questions)
        marked = sum(any(c.correct for c in q.choices) for q in doc.questions)
    return {"times": times, "found": found, "marked": marked, "kb": len(data) / 1024, "peak_mb": _peak_mb()}


# Lines of 100 KB built to make a pattern backtrack: each is read, curated and recomputed as one document.
PATHOLOGICAL = {
    "((((": "((" * 50_000,
    "<sup>a": "x<sup>a" * 14_300,
    "$x$ and $": "$x " * 33_000,
    "**Q1.**": "**Q1.** " * 12_500,
    "1. 2. 3.": "1. " * 33_000,
    "- [ ] ": "- [ ] a " * 12_500,
    "a) b) c)": "a) b) " * 16_600,
    "| a |": "| a " * 25_000,
    "Answer: A, B": "Answer: A, " * 9_000,
    "2 * 3 = 6 =": "2 * 3 = 6 = " * 8_300,
    "\\frac{": "\\frac{" * 16_600,
    "a      b": "a" + " " * 100_000 + "b",
    "- a      b": "- a" + " " * 100_000 + "b",
    "term::a      b": "term::a" + " " * 100_000 + "b",
}


def _pathological(name: str, line: str) -> float:
    """Seconds per 100 KB to read a document of the line between two questions, curate and recompute it."""
    from pipeline.curate.curation import apply
    from pipeline.readers import read_bytes
    from pipeline.compute.recompute import recompute

    data = f"1. What is x?\n\n{line}\n\n2. What is y?\n".encode("utf-8")
    t0 = time.perf_counter()
    doc = read_bytes(data, "line.md")
    doc = apply(doc, None)
    recompute(list(doc.questions), lines={doc.path: doc.lines})
    return (time.perf_counter() - t0) / (len(data) / 100_000)


def child_exam(reps: int) -> dict:
    import weasyprint

    from pipeline.files.cache import Store
    from pipeline.select.definitions import parse_definitions
    from pipeline.select.versions import select_versions
    from pipeline.render.exam import mathfont, mathsvg
    from pipeline.render.exam.page import exam_html, key_html
    from pipeline.render.exam.papers import write_exams

    docs = synthetic_bank(EXAM_BANK)
    definitions, _ = parse_definitions(
        '[[exam]]\nname = "bench"\ntitle = "Benchmark Exam"\ncourse = "Sequence Models"\n'
        'date = "2025-06-16"\npaper = "A4"\nversions = 1\nseed = 7\npoints = 1\n\n'
        f'[[exam.draw]]\ncount = {EXAM_QUESTIONS}\n', "exams.toml")
    (version,), _ = select_versions(docs, definitions)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = Path(tmp) / "cache", Path(tmp) / "exams"
        store = Store(cache)
        # Fonts and Pango load on the first document of a process; both sides get that for free.
        weasyprint.HTML(string="<p>warm-up $x$</p>").write_pdf()
        t_cold, diags = _timed(lambda: write_exams([version], out, store=store, templates_dir=TEMPLATES))
        problems = sum(d.severity != "info" for d in diags)
        # The baseline reads the same fonts as files, through WeasyPrint's own fetcher.
        for name in re.findall(rf'{mathfont.FONT_SCHEME}([^"]+)', mathfont.font_css()):
            (Path(tmp) / name).write_bytes(mathfont.font_data(name, store))
        pages = [page(version, store, TEMPLATES).replace(mathfont.FONT_SCHEME, Path(tmp).as_uri() + "/")
                 for page in (exam_html, key_html)]
        ours, bare = [], []
        for _ in range(reps):
            # Outputs and PDF cache removed, so both PDFs are rendered again; formulas come from the cache,
            # as in a fresh `make exams`, not from this process's memory.
            shutil.rmtree(out)
            shutil.rmtree(cache / "pdf", ignore_errors=True)
            mathsvg._typeset.cache_clear()
            ours.append(_timed(lambda: write_exams([version], out, store=store, templates_dir=TEMPLATES))[0])
            t, pdfs = _timed(lambda: [weasyprint.HTML(string=p).write_pdf() for p in pages])
            bare.append(t)
        sizes = [(out / "bench-A.pdf").stat().st_size, (out / "bench-A-key.pdf").stat().st_size]
        bare_sizes = [len(pdf) for pdf in pdfs]
        # The same exam again: both PDFs come from the cache, nothing is rendered.
        mathsvg._typeset.cache_clear()
        t_same = _timed(lambda: write_exams([version], out, store=store, templates_dir=TEMPLATES))[0]
    return {"cold": t_cold, "same": t_same, "ours": ours, "bare": bare, "problems": problems,
            "items": len(version.items),
            "pdf_kb": sum(sizes) / 1024, "bare_pdf_kb": sum(bare_sizes) / 1024, "peak_mb": _peak_mb()}


def _run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"benchmark child {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the five documents through Make ---------------------------------------------------------------------

def _make(cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(MAKE, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"`{' '.join(MAKE)}` failed:\n{proc.stderr[-2000:]}")
    return elapsed


def _clear_outputs(build: Path, keep_cache: bool, drop: tuple[str, ...] = ()) -> None:
    """Remove build/ except build/cache/ when `keep_cache`, and then the caches named in `drop`."""
    if not build.exists():
        return
    for p in build.iterdir():
        if keep_cache and p.name == "cache":
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()
    for name in drop:
        shutil.rmtree(build / "cache" / name, ignore_errors=True)


def bench_documents(reps: int) -> tuple[dict[str, list[float]], str]:
    with tempfile.TemporaryDirectory(prefix="rnn-decks-bench-") as tmp:
        work = Path(tmp)
        # A private copy, so the real build/ and seeds/identity.lock are never touched; copy2 keeps
        # mtimes, so Make judges the copy exactly as it would judge the project.
        for name in ("seeds", "templates", "pipeline"):
            shutil.copytree(ROOT / name, work / name, symlinks=True)
        for name in ("Makefile", "pyproject.toml"):
            shutil.copy2(ROOT / name, work / name)
        (work / ".venv").symlink_to(ROOT / ".venv")
        build = work / "build"
        res: dict[str, list[float]] = {"cold": [], "warm": [], "render": [], "noop": [], "edit": []}
        for _ in range(reps):
            _clear_outputs(build, keep_cache=False)
            res["cold"].append(_make(work))
        for _ in range(reps):
            _clear_outputs(build, keep_cache=True)
            res["warm"].append(_make(work))
        for _ in range(reps):
            # Documents and formulas from the caches, but every PDF rendered by WeasyPrint.
            _clear_outputs(build, keep_cache=True, drop=("pdf",))
            res["render"].append(_make(work))
        for _ in range(max(reps, 5)):
            res["noop"].append(_make(work))
        # A real content change (not just a touch): the question's note content and the lock change too.
        seed = min(sorted((work / "seeds").glob("*.md")), key=lambda p: p.stat().st_size)
        for r in range(reps):
            lines = seed.read_text(encoding="utf-8").rstrip("\n").split("\n")
            last = max(i for i, line in enumerate(lines) if line.strip())
            lines[last] += f" Edited {r + 1}."
            seed.write_text("\n".join(lines) + "\n", encoding="utf-8")
            res["edit"].append(_make(work))
    return res, seed.name


# --- report ----------------------------------------------------------------------------------------------

def _s(x: float) -> str:
    return f"{x:.3f} s" if x < 1 else f"{x:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/bench.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", choices=("reading", "word", "documents", "decks", "exams"),
                        help="measure one part only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.child:
        task, *rest = ns.child
        run = {"decks": lambda: child_decks(int(rest[0]), int(rest[1])),
               "identity": lambda: child_identity(int(rest[0])),
               "read": lambda: child_read(int(rest[0]), int(rest[1])),
               "exam": lambda: child_exam(int(rest[0])),
               "word": lambda: child_word(int(rest[0]), int(rest[1]))}[task]
        out = run()
        print(json.dumps(out))
        return 0

    quick = ns.quick
    started = time.perf_counter()
    print(f"# rnn-decks benchmark\n\n{datetime.date.today().isoformat()} · {os.cpu_count()} cores (nproc)"
          f" · Python {platform.python_version()} · {platform.system()} {platform.machine()}"
          f"{' · --quick' if quick else ''}\n", flush=True)

    rows: list[tuple[str, str, str, str, str]] = []

    def row(what: str, value: str, runs: int | str, target: str = "", ok: bool | None = None) -> None:
        rows.append((what, value, str(runs), target, "" if ok is None else ("yes" if ok else "**no**")))

    med = statistics.median

    def spread(values: list[float]) -> str:
        """The median, with the range when there were several runs: this machine's timings vary."""
        if len(values) < 2:
            return _s(med(values))
        return f"{_s(med(values))} ({min(values):.2f}–{max(values):.2f})"

    def wanted(part: str) -> bool:
        return ns.only in (None, part)

    if wanted("reading"):
        r = _run_child("read", "20000", "1" if quick else "3")
        row("reading: the five seeds (reader only)", spread(r["seeds"]), len(r["seeds"]), "< 0.3 s",
            med(r["seeds"]) < 0.3)
        row(f"reading: a {r['mb']:.1f} MB quiz of 20,000 questions ({r['found']:,} read)", spread(r["big"]),
            len(r["big"]), "< 5 s", med(r["big"]) < 5)
        row("reading: peak RSS of the process", f"{r['peak_mb']:.0f} MB", 1)
        worst, line = r["worst_line"]
        row(f"reading: slowest of {len(PATHOLOGICAL)} pathological 100 KB lines (`{line}` repeated), per 100 KB",
            _s(worst), 1, "< 1 s", worst < 1)

    if wanted("word"):
        w = _run_child("word", str(WORD_PAGES), "1" if quick else "3")
        row(f"reading: a {WORD_PAGES}-page Word quiz ({w['kb']:.0f} KiB, {w['found']:,} questions read, "
            f"{w['marked']:,} with the highlighted answer)", spread(w["times"]), len(w["times"]), "< 10 s",
            med(w["times"]) < 10)

    if wanted("documents"):
        docs, edited = bench_documents(1 if quick else 5)
        row("5 documents: cold build (no build/, so no caches)", spread(docs["cold"]), len(docs["cold"]),
            "< 6 s", med(docs["cold"]) < 6)
        row("5 documents: warm build (outputs removed, build/cache/ kept)", spread(docs["warm"]),
            len(docs["warm"]), "< 3 s", med(docs["warm"]) < 3)
        row("5 documents: warm build without the PDF cache (all 6 PDFs rendered)", spread(docs["render"]),
            len(docs["render"]))
        row("5 documents: no-op `make -s decks exams`", _s(med(docs["noop"])), len(docs["noop"]),
            "< 0.3 s", med(docs["noop"]) < 0.3)
        row(f"5 documents: one document edited ({edited}), rebuild", spread(docs["edit"]),
            len(docs["edit"]))

    if wanted("decks"):
        for n, reps in ((1_000, 1 if quick else 3), (10_000, 1 if quick else 5)):
            d = _run_child("decks", str(n), str(reps))
            first, again, bare = med(d["first"]), med(d["again"]), med(d["bare"])
            big = n == 10_000
            row(f"{n:,} questions: decks (notes, identities, packages, lock), new lock", _s(first), reps,
                "< 5 s" if big else "", first < 5 if big else None)
            row(f"{n:,} questions: decks again, lock present", _s(again), reps)
            row(f"{n:,} questions: note_fields alone (Markdown -> field HTML)", _s(d["fields"]), 1)
            row(f"{n:,} questions: bare genanki, same field HTML, 1 package", _s(bare), reps)
            row(f"{n:,} questions: decks (new lock) / bare genanki given the field HTML", f"{first / bare:.2f}×",
                reps)
            both = bare + d["fields"]
            row(f"{n:,} questions: decks (new lock) / (the same field HTML made + bare genanki)",
                f"{first / both:.2f}×", reps, "≤ 2×" if big else "", first / both <= 2 if big else None)
            row(f"{n:,} questions: peak RSS of the process (bank alone: {d['bank_mb']:.0f} MB)",
                f"{d['peak_mb']:.0f} MB", 1, "< 500 MB" if big else "", d["peak_mb"] < 500 if big else None)
            if d["problems"]:
                row(f"{n:,} questions: warnings/errors reported by the deck build", str(d["problems"]), reps)

        m = _run_child("identity", "20000")
        row("20,000-question document, every stem edited and every question renumbered: identity matching",
            _s(m["edited"]), 1, "< 5 s", m["edited"] < 5)
        row("  questions that kept their GUID (of 20,000)", f"{m['edited_kept']:,}", 1)
        row("20,000-question document, every stem replaced: identity matching", _s(m["replaced"]), 1, "< 5 s",
            m["replaced"] < 5)

    if wanted("exams"):
        # One rendering of a 200-question exam takes most of a minute here, so each is run once.
        e = _run_child("exam", "1")
        ours, bare = med(e["ours"]), med(e["bare"])
        label = f"{e['items']}-question exam + key"
        row(f"{label}: write_exams, empty math cache", _s(e["cold"]), 1)
        row(f"{label}: write_exams, warm math cache, PDFs removed", _s(ours), len(e["ours"]))
        row(f"{label}: bare WeasyPrint, same two final HTML pages", _s(bare), len(e["bare"]))
        row(f"{label}: write_exams (warm) / bare WeasyPrint", f"{ours / bare:.2f}×", len(e["ours"]), "≤ 1.2×",
            ours / bare <= 1.2)
        row(f"{label}: write_exams again, PDFs from the cache (none rendered)", _s(e["same"]), 1)
        row(f"{label}: peak RSS of the process", f"{e['peak_mb']:.0f} MB", 1)
        row(f"{label}: PDF size, ours / bare WeasyPrint", f"{e['pdf_kb']:.0f} / {e['bare_pdf_kb']:.0f} KiB", 1)
        if e["problems"]:
            row(f"{label}: warnings/errors reported by write_exams", str(e["problems"]), 1)

    print("| measurement | median | runs | target | meets |\n| --- | ---: | ---: | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    total = time.perf_counter() - started
    print(f"\nTimes are wall clock; each figure is the median of its runs. Total {total:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
