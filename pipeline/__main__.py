"""Command line: `python -m pipeline parse|check|build|grade`."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Sequence

from pipeline.compute import vary
from pipeline.build import (BUILD, BUILD_NOTES, OUTPUTS, SEEDS, build, load_document, practice_for, seed_paths,
                            seed_skips)
from pipeline.select.decktree import load_deck_tree
from pipeline.model import KINDS, Document, Question, all_diagnostics, has_errors


def _paths(args: list[str], seeds: Path = SEEDS) -> list[Path]:
    return [Path(a) for a in args] if args else seed_paths(seeds)


def cmd_parse(ns: argparse.Namespace) -> int:
    docs = [load_document(p, curate=not ns.raw, compute=not ns.raw) for p in _paths(ns.files)]
    if ns.json:
        out = [q.to_json() for d in docs for q in d.questions]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for d in docs:
            for q in d.questions:
                print(f"{q.id}\t{q.kind}\t{q.source.line_start}-{q.source.line_end}\t{q.stem[:70]!r}")
    for d in docs:
        for diag in all_diagnostics(d):
            if diag.severity != "info":
                print(diag, file=sys.stderr)
    return 1 if any(has_errors(d) for d in docs) else 0


def cmd_export(ns: argparse.Namespace) -> int:
    from pipeline.render.markdown import document_markdown

    docs = [load_document(p, curate=not ns.raw, compute=False) for p in _paths(ns.files)]
    for doc in docs:
        for diag in all_diagnostics(doc):
            if diag.severity != "info":
                print(diag, file=sys.stderr)
        if not doc.questions:
            continue
        text = document_markdown(doc)
        if ns.out:
            target = Path(ns.out) / f"{doc.slug}.md"
            if target.resolve() == Path(doc.path).resolve():
                print(f"{doc.path}: error[export-overwrite]: the export would replace its own source; choose "
                      "another --out folder", file=sys.stderr)
                return 1
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"{doc.path} -> {target} ({len(doc.questions)} questions)", file=sys.stderr)
        else:
            sys.stdout.write(text)
    return 1 if any(has_errors(d) for d in docs) else 0


from pipeline.readers.summary import layout_line  # noqa: E402


def cue_summary(q: Question) -> str:
    """What decided the question, e.g. `start numbered-heading (line 5); options list-items (13); correct
    answer-letters (16)`: the evidence a person checks when a card looks wrong."""
    parts = []
    for role in ("start", "options", "correct", "answer", "skip"):
        found = [f"{c.name} ({c.line})" for c in q.cues if c.role == role]
        if found:
            parts.append(f"{role} {', '.join(found)}")
    return "; ".join(parts) or "no cue recorded"


def report(doc: Document, drills: Sequence[Question] = ()) -> list[str]:
    """What `make check` prints of one document; `drills` are the practice questions made for it."""
    kinds = Counter(q.kind for q in doc.questions)
    answered = sum(q.answered for q in doc.questions)
    skipped = sum(s.line_end - s.line_start + 1 for s in doc.skipped)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k]) or "none"
    out = [f"{doc.path} [{doc.dialect or 'unread'}] “{doc.title}”: {len(doc.questions)} questions ({by_kind}); "
           f"{answered} answered, {len(doc.questions) - answered} unanswered; {skipped} lines skipped"]
    layout = layout_line(doc)
    if layout:
        out.append(f"  layout: {layout}")
    for s in doc.skipped:
        rng = f"{s.line_start}" if s.line_start == s.line_end else f"{s.line_start}-{s.line_end}"
        out.append(f"  skipped {doc.path}:{rng}: {s.reason}")
    for q in doc.questions:
        out.append(f"  read {q.id}: {cue_summary(q)}")
    for q in doc.questions:
        for c in q.computed:
            from pipeline.compute.wording import describe

            out.append(f"  computed {q.id}: {describe(c)}")
            if c.binding is not None:
                from pipeline.compute.wording import describe_network

                out.append(f"  network {q.id}: {describe_network(c)}")
        if q.vary:
            out.append(f"  varied {q.id}: {vary.summary(q)}")
        for p in (p for p in drills if p.id.rsplit("/practice-", 1)[0] == q.id):
            c = p.computed[0]
            how = f"{c.method}; {c.convention}" if c.convention else c.method
            out.append(f"  practice {p.id}: {c.quantity} {c.value} ({how})")
    for d in all_diagnostics(doc):
        out.append(f"  {d}")
    return out


def cmd_check(ns: argparse.Namespace) -> int:
    docs = [load_document(p) for p in _paths(ns.files)]
    sev = Counter(d.severity for doc in docs for d in all_diagnostics(doc))
    _, tree_diags = load_deck_tree(SEEDS / "decks.toml")
    drills, drill_diags = practice_for(docs)  # the practice notes the decks hold
    sev.update(d.severity for d in drill_diags)
    for d in tree_diags + ([] if ns.files else seed_skips()) + drill_diags:
        print(d)
    for doc in docs:
        print("\n".join(report(doc, drills.get(doc.path, ()))))
    total = sum(len(d.questions) for d in docs)
    print(f"\n{len(docs)} documents, {total} questions: {sev['error']} errors, {sev['warning']} warnings, "
          f"{sev['info']} notes")
    return 1 if sev["error"] else 0


def cmd_build(ns: argparse.Namespace) -> int:
    named = [o.name for o in OUTPUTS if getattr(ns, o.name, False)]
    seeds = Path(ns.seeds)
    diags = [] if ns.files else seed_skips(seeds)
    diags += build(_paths(ns.files, seeds), Path(ns.out), seeds_dir=seeds, outputs=named or None)
    for d in diags:
        if d.severity != "info" or d.code in BUILD_NOTES:
            print(d, file=sys.stderr)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        print(f"build: {len(errors)} error{'s' if len(errors) != 1 else ''}; the outputs they concern were left "
              "as they were", file=sys.stderr)
        return 1
    return 0


def cmd_grade(ns: argparse.Namespace) -> int:
    from pipeline.grading.batch import grade_scans

    results, diags = grade_scans([Path(s) for s in ns.scans], Path(ns.out), Path(ns.sheets), exam=ns.exam,
                                 resolve=Path(ns.resolve) if ns.resolve else None)
    for d in diags:
        print(d, file=sys.stderr)
    for r in results:
        review = sum(1 for g in r.grades for s in g.questions if s.points is None)
        final = sum(1 for g in r.grades if g.final)
        print(f"{r.exam}: {len(r.grades)} students ({final} final), {r.new_pages} new pages read, {review} "
              f"questions to review -> {Path(ns.out) / (r.exam + '.csv')}", file=sys.stderr)
    return 1 if any(d.severity == "error" for d in diags) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="print the questions of documents")
    p.add_argument("files", nargs="*")
    p.add_argument("--json", action="store_true", help="print the question model as JSON")
    p.add_argument("--raw", action="store_true", help="skip curation overlays and recomputation")
    p.set_defaults(func=cmd_parse)
    e = sub.add_parser("export", help="write documents in the project's own Markdown layout")
    e.add_argument("files", nargs="+")
    e.add_argument("--markdown", action="store_true",
                   help="the project's Markdown layout (what export writes; `build --markdown` writes the bank's)")
    e.add_argument("--raw", action="store_true", help="skip the curation overlays")
    e.add_argument("--out", help="folder to write <document>.md into; without it, print to standard output")
    e.set_defaults(func=cmd_export)
    c = sub.add_parser("check", help="report questions, skipped lines, recomputed values and diagnostics")
    c.add_argument("files", nargs="*")
    c.set_defaults(func=cmd_check)
    b = sub.add_parser("build", help="write the outputs: questions.json, decks and exams unless others are named")
    b.add_argument("files", nargs="*")
    for o in OUTPUTS:
        if not o.always:
            b.add_argument(f"--{o.name}", action="store_true",
                           help=o.help + ("" if o.default else " (only when named)"))
    b.add_argument("--out", default=str(BUILD))
    b.add_argument("--seeds", default=str(SEEDS), help="folder of the documents, identity.lock and exams.toml")
    b.set_defaults(func=cmd_build)
    g = sub.add_parser("grade", help="read scanned answer sheets and write scores, item analysis and review")
    g.add_argument("scans", nargs="+", help="scanned PDFs or images (PNG, JPEG, TIFF), pages in any order")
    g.add_argument("--exam", help="grade only this exam's sheets")
    g.add_argument("--out", default=str(BUILD / "grades"), help="folder of the grades (kept between batches)")
    g.add_argument("--sheets", default=str(BUILD / "exams"), help="folder of the sheet layouts (*-sheet.json)")
    g.add_argument("--resolve", help="TOML file of the teacher's decisions on the review items")
    g.set_defaults(func=cmd_grade)
    ns = parser.parse_args(argv)
    return ns.func(ns)


if __name__ == "__main__":
    sys.exit(main())
