"""Benchmark and accuracy run of the sheet reader: `make bench` (after `make exams`).

Fills the built answer sheets (build/exams/*-sheet.pdf) as students do, distorts them as scanners and
phones do, shuffles them into one scanned PDF with some pages upside down, grades it with the real
command, and compares every box and every score with the marks drawn. Prints boxes read right, boxes
read wrongly without a flag (the target is 0), codes read, scores equal, and pages per second."""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scans import (STYLES, distort, expected_points, fill, student_styles)  # noqa: E402 - bench/scans.py, beside this file
from pipeline.grading.batch import grade_scans, load_layouts  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=170, help="scanned pages (about 128 boxes each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sheets", default=str(ROOT / "build" / "exams"))
    ns = parser.parse_args(argv)
    layouts = load_layouts(Path(ns.sheets))
    if not layouts:
        print(f"no sheet layouts in {ns.sheets}: run `make exams` first", file=sys.stderr)
        return 1
    from PIL import Image

    rng = random.Random(ns.seed)
    keys = sorted(layouts)
    truth = []  # per scanned page: (layout key, sheet page, student, styles)
    images = []
    started = time.perf_counter()
    students = rng.sample(range(10**7, 10**8), ns.pages)
    for k in range(ns.pages):
        key = keys[k % len(keys)]
        layout = layouts[key]
        sheet_page = 1 + k // len(keys) % layout.pages
        student = str(students[k])
        styles = student_styles(layout, sheet_page, student, rng)
        dpi = rng.choice((150, 200, 300))
        pdf = Path(ns.sheets) / f"{key[0]}-{key[1]}-sheet.pdf"
        image = distort(fill(str(pdf), layout, sheet_page, styles, dpi, rng), rng, upside_down=rng.random() < 0.25)
        truth.append((key, sheet_page, student, styles))
        images.append(Image.fromarray(image))
    order = list(range(ns.pages))
    rng.shuffle(order)
    made = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        scan = Path(folder) / "scan.pdf"
        pages = [images[i] for i in order]
        pages[0].save(scan, save_all=True, append_images=pages[1:], resolution=200)
        out = Path(folder) / "grades"
        started = time.perf_counter()
        results, diags = grade_scans([scan], out, Path(ns.sheets))
        elapsed = time.perf_counter() - started
        read = {}
        for exam in {k[0] for k in keys}:
            path = out / f"{exam}-pages.json"
            if path.exists():
                for p in json.loads(path.read_text()):
                    read[p["page"]] = p
        totals = {}
        for exam in {k[0] for k in keys}:
            path = out / f"{exam}.csv"
            if path.exists():
                for row in csv.DictReader(path.open()):
                    totals[row["student"]] = row
    boxes = right = wrong_unflagged = flagged = codes = scores_equal = scored = 0
    for position, index in enumerate(order, start=1):
        key, sheet_page, student, styles = truth[index]
        layout = layouts[key]
        page = read.get(position)
        if page is None or (page["exam"], page["version"], page["sheet_page"]) != (key[0], key[1], sheet_page):
            continue
        codes += 1
        states = {int(i): s for i, s in page["states"].items()}
        for i, box in enumerate(layout.boxes):
            if box.page != sheet_page:
                continue
            want = STYLES[styles.get(i, "blank")]
            got = states.get(i, "empty")
            boxes += 1
            right += got == want
            wrong_unflagged += got != want and got != "doubtful"
            flagged += got == "doubtful" and want != "doubtful"
        if layout.pages == 1 and student in totals:
            scored += 1
            expected = [expected_points(q, {layout.boxes[i].value: s for i, s in styles.items()
                                            if layout.boxes[i].group == f"q{q.number}"}, layout.multi, layout.penalty)
                        for q in layout.questions]
            want = "review" if None in expected else f"{sum(expected):g}"
            scores_equal += totals[student]["total"] == want
    errors = [d for d in diags if d.severity == "error"]
    print(f"made {ns.pages} scanned pages in {made:.1f} s; graded them in {elapsed:.1f} s: "
          f"{ns.pages / elapsed:.2f} pages/s (target >= 2)")
    print(f"page codes read: {codes}/{ns.pages}; errors reported: {len(errors)}")
    print(f"boxes: {boxes}, read right {right} ({100 * right / max(1, boxes):.3f} %), wrong without a flag "
          f"{wrong_unflagged} (target 0), flagged doubtful though clear {flagged}")
    print(f"scores equal to the marks drawn: {scores_equal}/{scored}")
    ok = codes == ns.pages and wrong_unflagged == 0 and right >= 0.999 * boxes and scores_equal == scored
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
