"""Filled-in, scanned answer sheets made from the real sheet PDF, for the grading tests and `make bench`.

A page of the sheet PDF is rendered (pypdfium2, 150-300 dpi), boxes are marked the way students mark them,
and the page is distorted the way scanners and phones do. Every mark drawn is recorded, so a test knows
what each box should read."""
from __future__ import annotations

import random
from functools import lru_cache

import cv2
import numpy as np

from pipeline.render.exam.sheet_layout import SheetLayout, SheetQuestion

# style -> the state a reader must report for it
STYLES = {"solid": "filled", "tick": "filled", "cross": "filled", "pencil": "filled", "blank": "empty",
          "erasure": "doubtful", "crossed-out": "doubtful"}
MARKED = ("solid", "tick", "cross", "pencil")


@lru_cache(maxsize=16)
def rendered(pdf: str, page: int, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page - 1].render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        document.close()
    if image.ndim == 3:
        image = image[:, :, 0]
    return np.ascontiguousarray(image)


def mark(image: np.ndarray, x: float, y: float, size: float, style: str, ppm: float, rng: random.Random) -> None:
    """Draw one mark of `style` in the box whose top-left corner is (x, y) mm, side `size` mm."""
    def p(u: float, v: float) -> tuple[int, int]:
        return (int(round((x + u * size) * ppm)), int(round((y + v * size) * ppm)))

    pen = max(2, int(round(rng.uniform(0.45, 0.7) * ppm)))
    ink = rng.randint(10, 60)
    j = lambda: rng.uniform(-0.06, 0.06)  # noqa: E731 - a hand's wobble
    if style == "solid":
        pts = np.array([p(0.08 + j(), 0.08 + j()), p(0.92 + j(), 0.08 + j()), p(0.92 + j(), 0.92 + j()),
                        p(0.08 + j(), 0.92 + j())], np.int32)
        cv2.fillPoly(image, [pts], ink)
    elif style == "pencil":
        shade = rng.randint(135, 165)
        pts = np.array([p(0.1, 0.1), p(0.9, 0.1), p(0.9, 0.9), p(0.1, 0.9)], np.int32)
        cv2.fillPoly(image, [pts], shade)
    elif style == "tick":
        cv2.polylines(image, [np.array([p(0.15 + j(), 0.5 + j()), p(0.4 + j(), 0.85 + j()),
                                        p(0.88 + j(), 0.12 + j())], np.int32)], False, ink, pen, cv2.LINE_AA)
    elif style == "cross":
        cv2.line(image, p(0.15 + j(), 0.15 + j()), p(0.85 + j(), 0.85 + j()), ink, pen, cv2.LINE_AA)
        cv2.line(image, p(0.85 + j(), 0.15 + j()), p(0.15 + j(), 0.85 + j()), ink, pen, cv2.LINE_AA)
    elif style == "erasure":
        # what a rubber leaves of a pencil fill: a faint grey patch with a few darker grains
        pts = np.array([p(0.12, 0.12), p(0.88, 0.12), p(0.88, 0.88), p(0.12, 0.88)], np.int32)
        cv2.fillPoly(image, [pts], rng.randint(200, 218))
        for _ in range(6):
            cv2.circle(image, p(rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)), 1, rng.randint(150, 190), -1)
    elif style == "crossed-out":
        pts = np.array([p(0.08, 0.08), p(0.92, 0.08), p(0.92, 0.92), p(0.08, 0.92)], np.int32)
        cv2.fillPoly(image, [pts], ink)
        reach = (1.5 + rng.uniform(0, 0.3)) / size  # well past the corners, as the sheet asks
        cv2.line(image, p(-reach, -reach), p(1 + reach, 1 + reach), ink, pen, cv2.LINE_AA)
        cv2.line(image, p(1 + reach, -reach), p(-reach, 1 + reach), ink, pen, cv2.LINE_AA)


def fill(pdf: str, layout: SheetLayout, sheet_page: int, styles: dict[int, str], dpi: int,
         rng: random.Random) -> np.ndarray:
    image = rendered(pdf, sheet_page, dpi).copy()
    ppm = dpi / 25.4
    for index, style in styles.items():
        box = layout.boxes[index]
        mark(image, box.x, box.y, box.size, style, ppm, rng)
    return image


def distort(image: np.ndarray, rng: random.Random, *, upside_down: bool = False, jpeg: int | None = 50
            ) -> np.ndarray:
    """Rotation up to 5 degrees, scale within 5 %, a perspective tilt, blur, noise, JPEG compression, and
    a half turn when `upside_down`; the page lies on a larger scanner bed so no corner is cut off."""
    h, w = image.shape
    pad = int(0.07 * max(h, w))
    image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=rng.randint(235, 255))
    H, W = image.shape
    angle = rng.uniform(-5, 5)
    scale = rng.uniform(0.95, 1.05)
    rot = cv2.getRotationMatrix2D((W / 2, H / 2), angle, scale)
    rot = np.vstack([rot, [0, 0, 1]])
    src = np.float32([(0, 0), (W, 0), (W, H), (0, H)])
    tilt = 0.02 * min(W, H)
    dst = np.float32([(x + rng.uniform(-tilt, tilt), y + rng.uniform(-tilt, tilt)) for x, y in src])
    matrix = cv2.getPerspectiveTransform(src, dst) @ rot
    image = cv2.warpPerspective(image, matrix, (W, H), flags=cv2.INTER_LINEAR, borderValue=245)
    sigma = rng.uniform(0.3, 1.1)
    image = cv2.GaussianBlur(image, (0, 0), sigma)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 7), image.shape)
    image = np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if upside_down:
        image = cv2.rotate(image, cv2.ROTATE_180)
    if jpeg:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return image


def student_styles(layout: SheetLayout, sheet_page: int, student: str, rng: random.Random,
                   mix: tuple[str, ...] = tuple(STYLES)) -> dict[int, str]:
    """A student's marks: the id filled solid; for each question some box marked in a style from `mix`,
    sometimes two boxes, sometimes none, with now and then an erasure or a crossed-out box besides."""
    styles: dict[int, str] = {}
    by_group: dict[str, list[int]] = {}
    for i, box in enumerate(layout.boxes):
        if box.page == sheet_page:
            by_group.setdefault(box.group, []).append(i)
    for d, digit in enumerate(student):
        for i in by_group.get(f"id{d}", []):
            if layout.boxes[i].value == digit:
                styles[i] = rng.choice(("solid", "solid", "cross", "tick"))
    for group, indices in by_group.items():
        if not group.startswith("q"):
            continue
        count = rng.choices((0, 1, 2), weights=(1, 6, 2))[0]
        for i in rng.sample(indices, min(count, len(indices))):
            styles[i] = rng.choice(mix)
    return {i: s for i, s in styles.items() if s != "blank"}


def expected_points(q: SheetQuestion, drawn: dict[str, str], multi: str, penalty: float) -> float | None:
    """The points the marks drawn on a question's boxes are worth, worked out here from the styles: None
    while a doubtful mark waits for the teacher."""
    if any(STYLES[s] == "doubtful" for s in drawn.values()):
        return None
    marked = {v for v, s in drawn.items() if s in MARKED}
    if q.kind == "score":
        return float(next(iter(marked))) if len(marked) == 1 else None
    correct = set(q.correct)
    if q.kind == "choice" or multi == "all-or-nothing":
        return q.points if marked == correct else 0.0
    share = q.points / len(correct)
    return max(0.0, share * len(marked & correct) - penalty * share * len(marked - correct))


__all__ = ["MARKED", "STYLES", "distort", "expected_points", "fill", "mark", "rendered", "student_styles"]
