"""Scanned pages -> what each box of each answer sheet holds: filled, empty or doubtful.

A page is found by its four corner markers (solid squares); its code (a QR code: exam, version, page) says
which way up it is and which layout it follows; a homography maps the layout's millimetres onto the scan,
and each box is read by how much ink lies inside it, away from its printed outline. Marks that reach past
a box's corners are a crossing-out: that box is doubtful, as is anything between clearly empty and clearly
filled (an erasure, a faint smudge). Nothing here guesses: a doubtful box goes to the teacher."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping

import cv2
import numpy as np

from pipeline.render.exam.sheet_layout import MARKER, QR, Box, SheetLayout, parse_code

DPI = 150  # PDF pages are rendered at this resolution: a 5 mm box is 30 pixels, a code module 5
MAX_SIDE = 6000  # pixels: the largest side a PDF page is rendered at
PX_PER_MM = 6.0  # resolution of a page mapped onto its layout
INSET = 0.8  # mm inside a box's outline where the reading starts: the outline itself is never ink
# Thresholds on a box's ink: `darkness` (mean, 0 paper to 1 marker black) and `cover` (share of pixels
# darker than half-way). A box is filled at or above either FILLED bound, empty below both EMPTY bounds,
# doubtful between: the band is wide, so a mark is never silently counted or lost.
FILLED_DARKNESS, FILLED_COVER = 0.28, 0.16
EMPTY_DARKNESS, EMPTY_COVER = 0.08, 0.035
CROSSED_CORNER = 0.22  # a corner zone outside the box this dark has a stroke through it
CROSSED_CORNERS = 3  # corner zones with strokes that make a box crossed out
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
STATES = ("empty", "filled", "doubtful")


@dataclass(frozen=True)
class BoxReading:
    state: str  # "empty", "filled" or "doubtful"
    darkness: float
    cover: float
    crossed: int  # corner zones outside the box with a stroke through them


@dataclass
class PageReading:
    """One scanned page read against its layout."""
    file: str
    page: int  # 1-based page within the scanned file
    exam: str
    version: str
    sheet_page: int
    digest: str  # of the scanned pixels: the same page scanned into two batches is recognised
    boxes: dict[int, BoxReading]  # index into layout.boxes -> reading
    image: np.ndarray  # the page mapped onto its layout, PX_PER_MM, upright, grey

    def marks(self, layout: SheetLayout, group: str) -> tuple[list[str], list[str]]:
        """(filled values, doubtful values) of a group's boxes, in printed order."""
        filled, doubtful = [], []
        for i, box in enumerate(layout.boxes):
            if box.group == group and i in self.boxes:
                state = self.boxes[i].state
                if state == "filled":
                    filled.append(box.value)
                elif state == "doubtful":
                    doubtful.append(box.value)
        return filled, doubtful

    def student(self, layout: SheetLayout) -> str | None:
        """The student id filled in the grid (its last columns may stay empty); None when a column is
        doubtful or has two digits, when a column is empty before a filled one, or when none is filled."""
        digits = []
        columns = sorted({b.group for b in layout.boxes if b.group.startswith("id")}, key=lambda g: int(g[2:]))
        for group in columns:
            filled, doubtful = self.marks(layout, group)
            if doubtful or len(filled) > 1:
                return None
            digits.append(filled[0] if filled else "")
        while digits and not digits[-1]:
            digits.pop()  # an id shorter than the grid leaves its last columns empty
        if not digits or "" in digits:
            return None
        return "".join(digits)


@dataclass(frozen=True)
class Problem:
    """A page that could not be read, and why."""
    file: str
    page: int
    code: str  # diagnostics code, e.g. "grade-unreadable"
    message: str


# --- loading ---------------------------------------------------------------------------------------------


def read_file(path: Path, layouts: Mapping[tuple[str, str], SheetLayout], part: tuple[int, int] = (0, 1)
              ) -> list[PageReading | Problem]:
    """Every page of a scanned file read, in page order; with part = (k, n) only the k-th of every n pages
    (one worker's share of a long PDF)."""
    where = Path(path).as_posix()
    out: list[PageReading | Problem] = []
    for page, image, why in load_pages(Path(path), part):
        if image is None:
            out.append(Problem(where, page, "grade-unreadable", why))
        else:
            out.append(read_page(image, layouts, where, page))
    return out


def load_pages(path: Path, part: tuple[int, int] = (0, 1)) -> Iterator[tuple[int, np.ndarray | None, str]]:
    """(1-based page, grey image or None, why not) for every page of a PDF or an image file; with
    part = (k, n), pages k+1, k+1+n, ... only (an image file or an unreadable file is part 0's)."""
    suffix = path.suffix.lower()
    first, step = part
    if suffix != ".pdf" and first:
        return
    if suffix == ".pdf":
        try:
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(str(path))
        except Exception as exc:  # noqa: BLE001 - any unreadable PDF is reported, whatever the library says
            if not first:
                yield 1, None, f"not a readable PDF ({exc})"
            return
        try:
            for index in range(first, len(document), step):
                try:
                    page = document[index]
                    # a page of absurd size (a hostile or broken PDF) is rendered no larger than MAX_SIDE
                    scale = min(DPI / 72, MAX_SIDE / max(1.0, *page.get_size()))
                    bitmap = page.render(scale=scale, grayscale=True)
                    image = bitmap.to_numpy()
                    if image.ndim == 3:
                        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
                    yield index + 1, np.ascontiguousarray(image), ""
                except Exception as exc:  # noqa: BLE001
                    yield index + 1, None, f"page cannot be rendered ({exc})"
        finally:
            document.close()
    elif suffix in IMAGE_SUFFIXES:
        data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else np.zeros(0, np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
        yield 1, image, "" if image is not None else "not a readable image"
    else:
        yield 1, None, f"neither a PDF nor an image ({', '.join(sorted(IMAGE_SUFFIXES | {'.pdf'}))})"


# --- finding the page ------------------------------------------------------------------------------------


def find_markers(gray: np.ndarray, page_mm: tuple[float, float]) -> np.ndarray | None:
    """The centres of the four corner markers in image order top-left, top-right, bottom-right, bottom-left
    (of the image, whichever way up the page is), or None."""
    h, w = gray.shape
    scale = max(h, w) / max(page_mm)  # pixels per mm, roughly: the page about fills the scan
    side = MARKER * scale
    small = cv2.GaussianBlur(gray, (5, 5), 0)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for c in contours:
        area = cv2.contourArea(c)
        if not (0.5 * side * side <= area <= 2.2 * side * side):
            continue  # a filled 5 mm box is smaller, a QR code larger
        (cx, cy), (rw, rh), _ = cv2.minAreaRect(c)
        if min(rw, rh) <= 0 or max(rw, rh) / min(rw, rh) > 1.4 or area / (rw * rh) < 0.8:
            continue
        hull = cv2.contourArea(cv2.convexHull(c))
        if hull <= 0 or area / hull < 0.9:
            continue
        r = 0.3 * min(rw, rh)  # solid, not a ring (a QR code's finder pattern has a white ring inside)
        core = ink[max(0, int(cy - r)):int(cy + r) + 1, max(0, int(cx - r)):int(cx + r) + 1]
        if not core.size or float(core.mean()) < 0.85 * 255:
            continue
        found.append((cx, cy))
    if len(found) < 4:
        return None
    points = np.array(found, dtype=np.float64)
    corners = np.array([(0, 0), (w, 0), (w, h), (0, h)], dtype=np.float64)
    chosen = []
    for corner in corners:
        d = np.hypot(*(points - corner).T)
        k = int(np.argmin(d))
        if d[k] > 0.35 * np.hypot(w, h):
            return None
        chosen.append(points[k])
    if len({tuple(p) for p in chosen}) < 4:
        return None
    return np.array(chosen, dtype=np.float32)


def _warp(gray: np.ndarray, markers: np.ndarray, layout_mm: tuple[float, float],
          centres_mm: tuple[tuple[float, float], ...]) -> np.ndarray:
    width, height = layout_mm
    target = np.array(centres_mm, dtype=np.float32) * PX_PER_MM
    matrix = cv2.getPerspectiveTransform(markers, target)
    size = (int(round(width * PX_PER_MM)), int(round(height * PX_PER_MM)))
    return cv2.warpPerspective(gray, matrix, size, flags=cv2.INTER_AREA, borderValue=255)


_QR = cv2.QRCodeDetector()


def _decode(image: np.ndarray, qr_xy: tuple[float, float]) -> str | None:
    x, y = (int(v * PX_PER_MM) for v in qr_xy)
    pad = int(4 * PX_PER_MM)
    crop = image[max(0, y - pad):y + int(QR * PX_PER_MM) + pad, max(0, x - pad):x + int(QR * PX_PER_MM) + pad]
    for candidate in (crop, cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)):
        try:
            text, points, _ = _QR.detectAndDecode(candidate)
        except cv2.error:
            text = ""
        if text:
            return text
        _, binary = cv2.threshold(candidate, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        try:
            text, points, _ = _QR.detectAndDecode(binary)
        except cv2.error:
            text = ""
        if text:
            return text
    return None


def read_page(gray: np.ndarray, layouts: Mapping[tuple[str, str], SheetLayout], file: str, page: int
              ) -> PageReading | Problem:
    """Read one scanned page against the layout its code names."""
    any_layout = next(iter(layouts.values()), None)
    if any_layout is None:
        return Problem(file, page, "grade-unknown-code", "no answer sheet layout to read it against")
    page_mm = (any_layout.width, any_layout.height)
    markers = find_markers(gray, page_mm)
    if markers is None:
        return Problem(file, page, "grade-unreadable", "the four corner markers of an answer sheet are not found")
    # A portrait page scanned sideways: its markers' long side runs across the image.
    if np.hypot(*(markers[1] - markers[0])) > np.hypot(*(markers[3] - markers[0])):
        markers = markers[[3, 0, 1, 2]]
    image, code = None, None
    for turn in range(2):
        image = _warp(gray, markers, page_mm, any_layout.markers)
        code = _decode(image, any_layout.qr_box())
        if code:
            break
        markers = markers[[2, 3, 0, 1]]  # upside down
    if not code:
        return Problem(file, page, "grade-unreadable", "the page code (QR) cannot be read")
    parsed = parse_code(code)
    if parsed is None:
        return Problem(file, page, "grade-unknown-code", f"the page code {code[:80]!r} is not an answer sheet's")
    exam, version, sheet_page = parsed
    layout = layouts.get((exam, version))
    if layout is None or not 1 <= sheet_page <= layout.pages:
        return Problem(file, page, "grade-unknown-code",
                       f"the page code names exam '{exam}' version {version} page {sheet_page}, which no "
                       f"answer sheet layout holds (build the exams first)")
    if (layout.width, layout.height) != page_mm or layout.markers != any_layout.markers:
        image = _warp(gray, markers, (layout.width, layout.height), layout.markers)
    boxes = read_boxes(image, layout, sheet_page)
    digest = hashlib.sha256(np.ascontiguousarray(gray).tobytes()).hexdigest()[:16]
    return PageReading(file=file, page=page, exam=exam, version=version, sheet_page=sheet_page, digest=digest,
                       boxes=boxes, image=image)


# --- reading the boxes -----------------------------------------------------------------------------------


def _levels(image: np.ndarray, layout: SheetLayout) -> tuple[float, float]:
    """The paper's grey and the markers' grey, so that darkness reads the same under any scanner."""
    blacks = []
    for cx, cy in layout.markers:
        r = MARKER * PX_PER_MM * 0.3
        patch = image[int(cy * PX_PER_MM - r):int(cy * PX_PER_MM + r), int(cx * PX_PER_MM - r):int(cx * PX_PER_MM + r)]
        if patch.size:
            blacks.append(float(np.median(patch)))
    black = float(np.median(blacks)) if blacks else 0.0
    white = float(np.percentile(image[::4, ::4], 90))  # every 16th pixel tells the paper's grey as well
    if white - black < 40:
        black = max(0.0, white - 160)
    return white, black


def read_boxes(image: np.ndarray, layout: SheetLayout, sheet_page: int) -> dict[int, BoxReading]:
    white, black = _levels(image, layout)
    darkness = np.clip((white - image.astype(np.float32)) / (white - black), 0, 1)
    out = {}
    for i, gap in _gaps(layout, sheet_page):
        out[i] = classify(darkness, layout.boxes[i], gap)
    return out


@lru_cache(maxsize=64)
def _gaps(layout: SheetLayout, sheet_page: int) -> tuple[tuple[int, float], ...]:
    page_boxes = [(i, b) for i, b in enumerate(layout.boxes) if b.page == sheet_page]
    return tuple((i, _gap(box, page_boxes)) for i, box in page_boxes)


def _gap(box: Box, boxes: list[tuple[int, Box]]) -> float:
    """Free space between a box and its nearest neighbour, in mm."""
    gap = 3.0
    for _, other in boxes:
        if other is box:
            continue
        dx = max(other.x - (box.x + box.size), box.x - (other.x + other.size))
        dy = max(other.y - (box.y + box.size), box.y - (other.y + other.size))
        if dx < gap and dy < gap:
            gap = min(gap, max(dx, dy))
    return gap


def classify(darkness: np.ndarray, box: Box, gap: float) -> BoxReading:
    s = PX_PER_MM
    x0, y0, x1, y1 = box.x + INSET, box.y + INSET, box.x + box.size - INSET, box.y + box.size - INSET
    inner = darkness[int(round(y0 * s)):int(round(y1 * s)), int(round(x0 * s)):int(round(x1 * s))]
    mean = float(inner.mean()) if inner.size else 0.0
    cover = float((inner > 0.5).mean()) if inner.size else 0.0
    near, far = 0.45, min(1.9, gap - 0.35)
    crossed = 0
    if far - near >= 0.4:
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            cx = box.x if sx < 0 else box.x + box.size
            cy = box.y if sy < 0 else box.y + box.size
            xs = sorted((cx + sx * near, cx + sx * far))
            ys = sorted((cy + sy * near, cy + sy * far))
            zone = darkness[int(ys[0] * s):int(ys[1] * s), int(xs[0] * s):int(xs[1] * s)]
            if zone.size and float(zone.mean()) >= CROSSED_CORNER:
                crossed += 1
    if crossed >= CROSSED_CORNERS and (mean >= EMPTY_DARKNESS or cover >= EMPTY_COVER):
        state = "doubtful"  # a mark crossed out (or a cross drawn over the box): the teacher decides
    elif mean >= FILLED_DARKNESS or cover >= FILLED_COVER:
        state = "filled"
    elif mean < EMPTY_DARKNESS and cover < EMPTY_COVER:
        state = "empty"
    else:
        state = "doubtful"
    return BoxReading(state=state, darkness=round(mean, 4), cover=round(cover, 4), crossed=crossed)


__all__ = ["BoxReading", "PageReading", "Problem", "STATES", "classify", "find_markers", "load_pages",
           "read_boxes", "read_file", "read_page"]
