"""Ruled tables of a scanned page, rebuilt from its image: the grid from the rules drawn, each cell read by OCR.

A page read by OCR as a whole mixes the columns of a table and drops words at the rules; a table is read
here cell by cell instead, into the same table model as a text PDF's (``pdf_tables.PdfTable``), so a
table continued on the next page is stitched the same way.

1. Rules: the ink (Otsu threshold) opened with long thin kernels keeps only horizontal and vertical
   strokes longer than any letter (``_H_RULE``, ``_V_RULE`` points); a table is a connected cluster of both.
2. Grid lines: the rows (columns) where the horizontal (vertical) rules' projection runs long enough.
   Column rules that stop with no closing rule (a table cut by a page break) get one where they stop.
3. Cells: neighbouring grid slots with no rule drawn between them are one merged cell, as pdfplumber's
   table finder makes them from a text PDF's rules (``pdf_grid.make_grid`` gives the spans).
4. Text: each cell's inside, rules wiped out, read by Tesseract (``ocr.ocr_words``) as a block of text; in
   the points columns (named by their header — "Điểm", "Điểm tối đa", "Tự chấm", "Thẩm định" … — or
   holding mostly numbers) read again with the digits model and repaired (``ocr_numbers``): a cell keeps
   its lowest word confidence and what was repaired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
import regex

from extractor.parsers import ocr
from extractor.parsers.ocr_numbers import is_number, repair_number
from extractor.parsers.pdf_grid import Box, make_grid
from extractor.parsers.pdf_layout import Line, Word
from extractor.parsers.pdf_tables import PdfCell, PdfTable, header_rows
from extractor.textnorm import fold

# A horizontal rule is at least this long (pt): longer than a dash or the bar of a letter.
_H_RULE = 10.0
# A vertical rule segment is at least this tall (pt): taller than any letter with its tone marks.
_V_RULE = 15.0
# A rule is drawn between two grid slots when ink covers this share of their common side.
_DRAWN = 0.6
# How far (pt) a rule may wander from its grid line: its thickness and what deskewing leaves of a turn.
_WANDER = 1.6
# A cell whose inside holds less ink than this (pt², after wiping specks) is empty.
_MIN_INK = 1.5
# A table is at least this wide and tall (pt), with two rows and two columns.
_MIN_SIZE = 40.0
# Margin (pt) kept around a cell's ink for Tesseract.
_PAD = 4.0
# Folded header words naming a points column, e.g. "Điểm tối đa", "Điểm tự chấm", "Điểm chuẩn", "Thẩm định".
_POINTS_HEADER = regex.compile(r"diem|tu cham|tham dinh|toi da|thang diem")
_STT_HEADER = regex.compile(r"^(stt|tt|so tt|so thu tu)$")
# A data column is a points column when at least this share of its filled cells read as numbers.
_MOSTLY_NUMBERS = 0.7


@dataclass
class _Rules:
    ink: numpy.ndarray  # 0/255, ink is 255
    horizontal: numpy.ndarray
    vertical: numpy.ndarray


def read_tables(gray: numpy.ndarray, page: int, scale: float) -> list[PdfTable]:
    """The ruled tables of a deskewed 8-bit grayscale page image, top to bottom, in PDF points
    (``scale`` points per pixel), each cell read by OCR."""
    if gray.ndim != 2 or min(gray.shape) < 20:
        return []
    rules = _find_rules(gray, scale)
    clean = _wipe_rules(gray, rules, scale)
    tables = []
    for region in _regions(rules, scale):
        grid = _grid(rules, region, scale)
        if grid is None:
            continue
        xs, ys, boxes = grid
        table = _read(clean, rules, xs, ys, boxes, page, scale)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.top)


def _px(points: float, scale: float) -> int:
    return max(1, round(points / scale))


def _find_rules(gray: numpy.ndarray, scale: float) -> _Rules:
    import cv2

    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_px(_H_RULE, scale), 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _px(_V_RULE, scale)))
    )
    return _Rules(ink, horizontal, vertical)


def _wipe_rules(gray: numpy.ndarray, rules: _Rules, scale: float) -> numpy.ndarray:
    """The page with its rules painted white (a rule's edge left in a cell reads as "|" or "_")."""
    import cv2

    lines = cv2.bitwise_or(rules.horizontal, rules.vertical)
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    clean = gray.copy()
    clean[lines > 0] = 255
    return clean


def _regions(rules: _Rules, scale: float) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1 in pixels) of the clusters of crossing rules big enough for a table."""
    import cv2

    both = cv2.bitwise_or(rules.horizontal, rules.vertical)
    both = cv2.dilate(both, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    out = []
    least = _px(_MIN_SIZE, scale)
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if w >= least and h >= least:
            out.append((x, y, x + w, y + h))
    return out


def _positions(profile: numpy.ndarray, least: float) -> list[int]:
    """Centres of the runs of ``profile`` at or above ``least``: one per drawn rule."""
    above = profile >= least
    out: list[int] = []
    start = None
    for i, on in enumerate([*above.tolist(), False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    return out


def _coverage(mask: numpy.ndarray, fixed: int, lo: int, hi: int, wander: int, axis: int) -> float:
    """Share of ``lo..hi`` along a rule at ``fixed`` (a row for axis 0, a column for axis 1) inked in ``mask``
    within ``wander`` pixels of it."""
    if hi - lo < 3:
        return 1.0  # too short a side to tell: drawn (a slot this thin is no cell of its own)
    if axis == 0:
        band = mask[max(0, fixed - wander) : fixed + wander + 1, lo:hi]
        hits = band.max(axis=0) if band.size else numpy.zeros(0)
    else:
        band = mask[lo:hi, max(0, fixed - wander) : fixed + wander + 1]
        hits = band.max(axis=1) if band.size else numpy.zeros(0)
    return float((hits > 0).mean()) if hits.size else 0.0


def _grid(
    rules: _Rules, region: tuple[int, int, int, int], scale: float
) -> tuple[list[int], list[int], list[tuple[int, int, int, int]]] | None:
    """Grid lines (pixels) of a table region and its cells as pixel boxes, merged where no rule parts them."""
    x0, y0, x1, y1 = region
    wander = _px(_WANDER, scale)
    h = rules.horizontal[y0:y1, x0:x1]
    v = rules.vertical[y0:y1, x0:x1]
    ys = [y0 + y for y in _positions((h > 0).sum(axis=1), _px(_H_RULE, scale))]
    xs = [x0 + x for x in _positions((v > 0).sum(axis=0), _px(_V_RULE, scale))]
    xs, ys = _snap(xs, wander * 2), _snap(ys, wander * 2)
    if len(xs) < 2:
        return None
    ys = _close_ends(rules.vertical, xs, ys, region, wander)
    if len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    # Union of neighbouring slots with no rule between them.
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            top, bottom, left, right = ys[r], ys[r + 1], xs[c], xs[c + 1]
            inner_y = (top + wander * 2, bottom - wander * 2)
            inner_x = (left + wander * 2, right - wander * 2)
            if c + 1 < n_cols and _coverage(rules.vertical, right, *inner_y, wander, 1) < _DRAWN:
                union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and _coverage(rules.horizontal, bottom, *inner_x, wander, 0) < _DRAWN:
                union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    boxes = []
    for slots in groups.values():
        r0, r1 = min(r for r, _ in slots), max(r for r, _ in slots) + 1
        c0, c1 = min(c for _, c in slots), max(c for _, c in slots) + 1
        boxes.append((xs[c0], ys[r0], xs[c1], ys[r1]))
    return xs, ys, boxes


def _snap(values: list[int], gap: int) -> list[int]:
    out: list[int] = []
    for v in sorted(values):
        if out and v - out[-1] <= gap:
            out[-1] = (out[-1] + v) // 2
        else:
            out.append(v)
    return out


def _close_ends(
    vertical: numpy.ndarray, xs: list[int], ys: list[int], region: tuple[int, int, int, int], wander: int
) -> list[int]:
    """A closing line where the column rules run on past the last (or first) row rule with none drawn: the
    table was cut by a page break, e.g. a row that continues on the next page."""
    _, y0, _, y1 = region
    ends = []
    for x in (xs[0], xs[-1]):
        column = vertical[y0:y1, max(0, x - wander) : x + wander + 1].max(axis=1)
        inked = numpy.flatnonzero(column)
        if inked.size:
            ends.append((y0 + int(inked[0]), y0 + int(inked[-1])))
    if not ends:
        return ys
    top = min(a for a, _ in ends)
    bottom = max(b for _, b in ends)
    out = list(ys)
    if not out or top < out[0] - 4 * wander:
        out.insert(0, top)
    if bottom > out[-1] + 4 * wander:
        out.append(bottom)
    return out


def _read(
    clean: numpy.ndarray,
    rules: _Rules,
    xs: list[int],
    ys: list[int],
    boxes: list[tuple[int, int, int, int]],
    page: int,
    scale: float,
) -> PdfTable | None:
    grid = make_grid([_points_box(b, scale) for b in boxes])
    if grid.n_cols < 2 or grid.n_rows < 2:
        return None
    by_points = {_points_box(b, scale): b for b in boxes}
    cells: list[PdfCell] = []
    for slot, box in zip(grid.slots, grid.boxes, strict=True):
        r, c, rs, cs = slot
        cell = PdfCell(r, c, rs, cs, "", page, box, lines=[(page, [])])
        _read_cell(cell, clean, rules, by_points[box], scale, digits=False)
        cells.append(cell)
    table = PdfTable(page, _points_box((xs[0], ys[0], xs[-1], ys[-1]), scale), grid.n_rows, grid.n_cols, cells, grid.xs)
    table.pages = [page]
    table.header_rows = header_rows(table)
    for col in points_columns(table):
        for cell in table.cells:
            if cell.col == col and cell.col_span == 1 and cell.row >= table.header_rows and cell.text:
                _read_number(cell, clean, rules, by_points[cell.bbox], scale)
    return table


def _points_box(box: tuple[int, int, int, int], scale: float) -> Box:
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


def _inside(
    clean: numpy.ndarray, rules: _Rules, box: tuple[int, int, int, int], scale: float
) -> tuple[numpy.ndarray, int, int] | None:
    """The cell's ink, cropped with a margin, and the crop's offset; None for an empty cell."""
    import cv2

    inset = _px(_WANDER, scale) + 2
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    lines = cv2.bitwise_or(rules.horizontal, rules.vertical)
    ink = cv2.bitwise_and(rules.ink[y0:y1, x0:x1], cv2.bitwise_not(lines[y0:y1, x0:x1]))
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))  # specks
    if cv2.countNonZero(ink) * scale * scale < _MIN_INK:
        return None
    rows = numpy.flatnonzero(ink.max(axis=1))
    cols = numpy.flatnonzero(ink.max(axis=0))
    pad = _px(_PAD, scale)
    top, bottom = max(0, int(rows[0]) - pad), min(ink.shape[0], int(rows[-1]) + pad + 1)
    left, right = max(0, int(cols[0]) - pad), min(ink.shape[1], int(cols[-1]) + pad + 1)
    crop = clean[y0 + top : y0 + bottom, x0 + left : x0 + right]
    border = _px(_PAD, scale) * 2
    framed = numpy.pad(crop, border, mode="constant", constant_values=255)
    return framed, x0 + left - border, y0 + top - border


def _read_cell(
    cell: PdfCell, clean: numpy.ndarray, rules: _Rules, box: tuple[int, int, int, int], scale: float, digits: bool
) -> list[ocr.Word]:
    inside = _inside(clean, rules, box, scale)
    if inside is None:
        return []
    image, dx, dy = inside
    words = ocr.ocr_words(image, psm=6, digits=digits)
    _set_words(cell, words, dx, dy, scale)
    return words


def _set_words(cell: PdfCell, words: list[ocr.Word], dx: int, dy: int, scale: float) -> None:
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(
            Word(w.text, (w.x0 + dx) * scale, (w.x1 + dx) * scale, (w.top + dy) * scale, (w.bottom + dy) * scale)
        )
    lines = [Line.of(group) for _, group in sorted(by_line.items())]
    cell.lines = [(cell.page, lines)]
    cell.text = "\n".join(line.text for line in lines)
    cell.confidence = round(min(w.conf for w in words), 1) if words else None


def _read_number(
    cell: PdfCell, clean: numpy.ndarray, rules: _Rules, box: tuple[int, int, int, int], scale: float
) -> None:
    """A points cell read again with the digits model when the general reading is no number; the repairs
    OCR needs (``repair_number``) applied to the reading kept."""
    if not is_number(cell.text):
        first = (cell.text, cell.lines, cell.confidence)
        inside = _inside(clean, rules, box, scale)
        if inside is not None:
            image, dx, dy = inside
            words = ocr.ocr_words(image, psm=6, digits=True)
            if words and is_number(" ".join(w.text for w in words)):
                _set_words(cell, words, dx, dy, scale)
            else:
                cell.text, cell.lines, cell.confidence = first
    fixed = repair_number(cell.text)
    if fixed.repair:
        cell.text = fixed.text
        cell.repair = fixed.repair


def points_columns(table: PdfTable) -> list[int]:
    """Columns that hold points: named so in the header ("Điểm tối đa", "Tự chấm", "Điểm chuẩn", "Thẩm
    định" …), or, when no header names any, a column other than STT whose data cells are mostly numbers."""
    headers = [_header_text(table, col) for col in range(table.n_cols)]
    named = [c for c, h in enumerate(headers) if _POINTS_HEADER.search(h) and not _STT_HEADER.match(h)]
    if named:
        return named
    out = []
    for col in range(1, table.n_cols):
        if _STT_HEADER.match(headers[col]):
            continue
        texts = [
            c.text for c in table.cells if c.col == col and c.col_span == 1 and c.row >= table.header_rows and c.text
        ]
        if texts and sum(repair_number(t).number for t in texts) >= _MOSTLY_NUMBERS * len(texts):
            out.append(col)
    return out


def _header_text(table: PdfTable, col: int) -> str:
    parts = []
    for row in range(table.header_rows):
        cell = table.cell_at(row, col)
        if cell is not None and cell.text and cell.text not in parts:
            parts.append(cell.text)
    return fold(" ".join(parts))
