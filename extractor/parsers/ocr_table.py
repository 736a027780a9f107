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
   holding mostly numbers) read again with the digits model in three frames and the number most readings
   agree on kept, repaired where OCR confuses digits (``ocr_numbers``): a cell keeps its lowest word
   confidence (capped by the readings' agreement) and what was repaired. Header labels get back a capital
   read as a digit ("5/T/T" → "S/T/T").

Measured on the scanned appendices of seed 000 (4 pages) and a narrow matrix rendering (3 pages), 200 dpi,
turned 0.6°, JPEG 70, deskewed: cells read exactly 204/242 (0.84), words 1920/1968 (0.98), points cells
75/75, 4.6 s for the 7 pages; img2table (Tesseract vie, psm 11, its own grid) on the same images: cells
145/242 (0.60), words 0.94, points 22/75, 12.8 s. Whole reports audited: 720/720 claimed points and
40/40 totals right over seeds 0–4 and turns 0.3–1.5° of both documents.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy
import regex

from extractor.parsers import ocr
from extractor.parsers.ocr_numbers import repair_label, repair_number
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
# A table's frame: its outer column rules and its top or bottom rule cover this share of its extent.
_FRAMED = 0.9
# A cell whose inside holds less ink than this (pt², after wiping specks) is empty.
_MIN_INK = 1.5
# A table is at least this wide and tall (pt), with two rows and two columns.
_MIN_SIZE = 40.0
# A crop of a scan coarser than this (dpi) is enlarged to it before OCR (measured: enlarging a 200 dpi scan
# to 300 dpi reads worse, 0.948 of the words against 0.958).
_OCR_DPI = 200.0
# Paper (pt) framing a cell's ink for Tesseract: 3 pt reads best (words 0.958; 2 pt 0.955, 4 pt 0.955).
_PAD = 3.0
# A mark of ink smaller than this (pixels) is a speck, not a glyph.
_MIN_GLYPH = 4
# A short cell read with a lower confidence than this is read again in its whole cell (see ``_read_text``).
_SURE = 90.0
# Frames (pt) a points cell is read in with the digits model: the number is what most readings agree on.
_NUMBER_PADS = (2.0, 3.0, 4.0)
# Folded header words naming a points column, e.g. "Điểm tối đa", "Điểm tự chấm", "Điểm chuẩn", "Thẩm định".
_POINTS_HEADER = regex.compile(r"diem|tu cham|tham dinh|toi da|thang diem")
_STT_HEADER = regex.compile(r"^(stt|tt|so tt|so thu tu)$")
# A number that starts a row of its own in a column drawn without rules between rows: "1", "2.", "1.2", "IV".
_ROW_NUMBER = regex.compile(r"^\(?(?:\d{1,3}(?:[.,]\d{1,3})*|[IVXLC]{1,6})[.)]?$")
# Such a row starts this many line heights above its number's line.
_CUT_ABOVE = 0.3
# A data column is a points column when at least this share of its filled cells read as numbers.
_MOSTLY_NUMBERS = 0.7


@dataclass
class _Rules:
    ink: numpy.ndarray  # 0/255, ink is 255
    horizontal: numpy.ndarray
    vertical: numpy.ndarray
    threshold: float  # the grey level parting ink from paper


@dataclass
class _Page:
    paper: numpy.ndarray  # the page with its paper made white: no speckle, no grey tone to frame a crop
    gray: numpy.ndarray  # the page as scanned
    rules: _Rules
    drawn: numpy.ndarray  # the rules of the table being read, at its grid lines (a letter's bar is no rule)
    scale: float


def read_tables(gray: numpy.ndarray, page: int, scale: float) -> list[PdfTable]:
    """The ruled tables of a deskewed 8-bit grayscale page image, top to bottom, in PDF points
    (``scale`` points per pixel), each cell read by OCR."""
    if gray.ndim != 2 or min(gray.shape) < 20:
        return []
    rules = _find_rules(gray, scale)
    paper = gray.copy()
    paper[gray >= rules.threshold] = 255
    tables = []
    for region in _regions(rules, scale):
        grid = _grid(rules, region, scale)
        if grid is None:
            continue
        xs, ys, boxes = grid
        if not _framed(rules, xs, ys, _px(_WANDER, scale)):
            continue
        drawn = _drawn(rules, boxes, _px(_WANDER, scale))
        table = _read(_Page(paper, gray, rules, drawn, scale), xs, ys, boxes, page)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.top)


def _px(points: float, scale: float) -> int:
    return max(1, round(points / scale))


def _find_rules(gray: numpy.ndarray, scale: float) -> _Rules:
    import cv2

    threshold, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_px(_H_RULE, scale), 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _px(_V_RULE, scale)))
    )
    return _Rules(ink, horizontal, vertical, float(threshold))


def _drawn(rules: _Rules, boxes: list[tuple[int, int, int, int]], wander: int) -> numpy.ndarray:
    """The table's rules along the sides of its cells only: a letter's long bar is no side of a cell (the
    tops of a bold "TT" make a horizontal stroke as long as a rule segment, inside the header cell)."""
    import cv2

    drawn = numpy.zeros_like(rules.ink)
    for x0, y0, x1, y1 in boxes:
        for y in (y0, y1):
            band = slice(max(0, y - wander), y + wander + 1)
            drawn[band, x0 : x1 + 1] |= rules.horizontal[band, x0 : x1 + 1]
        for x in (x0, x1):
            band = slice(max(0, x - wander), x + wander + 1)
            drawn[y0 : y1 + 1, band] |= rules.vertical[y0 : y1 + 1, band]
    return cv2.dilate(drawn, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))


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


def _framed(rules: _Rules, xs: list[int], ys: list[int], wander: int) -> bool:
    """A table's outer columns are ruled down its whole height and a rule runs across its top or bottom: a
    seal with a signature across it draws long strokes too, but no frame."""
    sides = [_coverage(rules.vertical, x, ys[0], ys[-1], wander, 1) for x in (xs[0], xs[-1])]
    ends = [_coverage(rules.horizontal, y, xs[0], xs[-1], wander, 0) for y in (ys[0], ys[-1])]
    return min(sides) >= _FRAMED and max(ends) >= _FRAMED


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
    pg: _Page, xs: list[int], ys: list[int], boxes: list[tuple[int, int, int, int]], page: int, split: bool = True
) -> PdfTable | None:
    scale = pg.scale
    grid = make_grid([_points_box(b, scale) for b in boxes])
    if grid.n_cols < 2 or grid.n_rows < 2:
        return None
    by_points = {_points_box(b, scale): b for b in boxes}
    cells: list[PdfCell] = []
    for slot, box in zip(grid.slots, grid.boxes, strict=True):
        r, c, rs, cs = slot
        cell = PdfCell(r, c, rs, cs, "", page, box, lines=[(page, [])])
        inside = _inside(pg, by_points[box])
        if inside is not None:
            _set_words(cell, _read_text(pg, inside, by_points[box]), pg.scale)
        cells.append(cell)
    cuts = _unruled_rows(cells, scale) if split else {}
    if cuts:  # rows drawn with no rule between them: cut where each number starts, and read again
        parts: list[tuple[int, int, int, int]] = []
        for cell in cells:
            x0, y0, x1, y1 = by_points[cell.bbox]
            edges = [y0, *cuts.get(cell.row, []), y1] if cell.row_span == 1 else [y0, y1]
            parts += [(x0, top, x1, bottom) for top, bottom in itertools.pairwise(edges)]
        return _read(pg, xs, sorted({*ys, *(y for row in cuts.values() for y in row)}), parts, page, split=False)
    table = PdfTable(page, _points_box((xs[0], ys[0], xs[-1], ys[-1]), scale), grid.n_rows, grid.n_cols, cells, grid.xs)
    table.pages = [page]
    table.header_rows = header_rows(table)
    for cell in table.cells:
        if cell.row < table.header_rows and cell.text:
            label, repair = repair_label(cell.text)
            if repair:
                _retext(cell, label)
                cell.repair = repair
    for col in points_columns(table):
        for cell in table.cells:
            if cell.col == col and cell.col_span == 1 and cell.row >= table.header_rows and cell.text:
                _read_number(cell, pg, by_points[cell.bbox])
    return table


def _unruled_rows(cells: list[PdfCell], scale: float) -> dict[int, list[int]]:
    """Rows a table draws no rule between come out of the grid as one tall row; where its first cell holds
    one row number a line ("1" / "2" / "3", at least two, all different), the row is cut (in pixels) a
    little above each number's line, the first at the row's top unless text stands above it (the rest of a
    row cut by a page break), as ``pdf_grid.split_unruled_rows`` does for a text PDF."""
    cuts: dict[int, list[int]] = {}
    for cell in cells:
        lines = [line for _, group in cell.lines for line in group]
        numbers = [line.text.strip() for line in lines]
        if cell.col != 0 or cell.row_span != 1 or len(numbers) < 2 or len(set(numbers)) != len(numbers):
            continue
        if not all(_ROW_NUMBER.match(n) for n in numbers):
            continue
        starts = [line.top - _CUT_ABOVE * (line.bottom - line.top) for line in lines]
        row = [ln for c in cells if c.row == cell.row for _, group in c.lines for ln in group]
        above = any((ln.top + ln.bottom) / 2 < starts[0] for ln in row)
        cuts[cell.row] = [round(y / scale) for y in (starts if above else starts[1:])]
    return cuts


def _points_box(box: tuple[int, int, int, int], scale: float) -> Box:
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


@dataclass
class _Crop:
    image: numpy.ndarray
    x: int  # where the crop's top left sits on the page, in pixels
    y: int


def _inside(pg: _Page, box: tuple[int, int, int, int]) -> _Crop | None:
    """The cell's ink cropped tight, the table's rules wiped out; None for an empty cell."""
    import cv2

    scale = pg.scale
    inset = _px(_WANDER, scale) + 2
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    drawn = pg.drawn[y0:y1, x0:x1]
    ink = cv2.bitwise_and(pg.rules.ink[y0:y1, x0:x1], cv2.bitwise_not(drawn))
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))  # specks
    if cv2.countNonZero(ink) * scale * scale < _MIN_INK:
        return None
    rows = numpy.flatnonzero(ink.max(axis=1))
    cols = numpy.flatnonzero(ink.max(axis=0))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    left, right = int(cols[0]), int(cols[-1]) + 1
    crop = pg.paper[y0 + top : y0 + bottom, x0 + left : x0 + right].copy()
    crop[drawn[top:bottom, left:right] > 0] = 255
    return _Crop(crop, x0 + left, y0 + top)


def _ocr(crop: _Crop, scale: float, *, digits: bool = False, pad: float = _PAD) -> list[ocr.Word]:
    """Tesseract's words of a crop framed by ``pad`` points of paper, in page pixels. The frame matters: a
    lone "5" framed by 3 pt reads "5", by 8 pt "E)" or "°". A scan coarser than ``_OCR_DPI`` is enlarged."""
    import cv2

    margin = _px(pad, scale)
    image = numpy.pad(crop.image, margin, mode="constant", constant_values=255)
    factor = _OCR_DPI / 72.0 * scale
    if factor > 1.1:
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    else:
        factor = 1.0
    x, y = crop.x - margin, crop.y - margin
    return [
        ocr.Word(
            w.text,
            w.conf,
            x + round(w.x0 / factor),
            y + round(w.top / factor),
            x + round(w.x1 / factor),
            y + round(w.bottom / factor),
            w.line,
        )
        for w in ocr.ocr_words(image, psm=6, digits=digits)
    ]


def _read_text(pg: _Page, crop: _Crop, box: tuple[int, int, int, int]) -> list[ocr.Word]:
    """A cell's words. A short cell (a line or two) read with less than ``_SURE`` is read again in the whole
    cell as scanned, and the surer reading is kept: a bold "STT" cropped tight reads "SIL" (64), in its
    cell "STT" (93); cells of the samples' scans read right 69 of 79 times so, 66 cropped tight only."""
    words = _ocr(crop, pg.scale)
    lines = len({w.line for w in words})
    if not words or lines > 2 or min(w.conf for w in words) >= _SURE:
        return words
    inset = _px(_WANDER, pg.scale) + 2
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    whole = pg.gray[y0:y1, x0:x1].copy()
    whole[pg.drawn[y0:y1, x0:x1] > 0] = 255
    again = _ocr(_Crop(whole, x0, y0), pg.scale, pad=1.0)
    if again and min(w.conf for w in again) > min(w.conf for w in words):
        return again
    return words


def _set_words(cell: PdfCell, words: list[ocr.Word], scale: float) -> None:
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(Word(w.text, w.x0 * scale, w.x1 * scale, w.top * scale, w.bottom * scale))
    lines = [Line.of(group) for _, group in sorted(by_line.items())]
    cell.lines = [(cell.page, lines)]
    cell.text = "\n".join(line.text for line in lines)
    cell.confidence = round(min(w.conf for w in words), 1) if words else None


def _text(words: list[ocr.Word]) -> str:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(parts) for _, parts in sorted(lines.items()))


def _read_number(cell: PdfCell, pg: _Page, box: tuple[int, int, int, int]) -> None:
    """A points cell read again with the digits model in several frames (``_NUMBER_PADS``): the number most
    readings agree on is kept, repaired where OCR confused it (``repair_number``). Its confidence is its
    lowest word confidence, and no more than the share of readings that agree (3 of 4 → 75): a number the
    readings disagree on is uncertain however sure each reading was."""
    crop = _inside(pg, box)
    if crop is None:
        return
    readings: list[tuple[str, float, list[ocr.Word] | None]] = [(cell.text, cell.confidence or 0.0, None)]
    for pad in _NUMBER_PADS:
        read = _ocr(crop, pg.scale, digits=True, pad=pad)
        readings.append((_text(read), min((w.conf for w in read), default=0.0), read))
    # A reading with fewer characters than the crop has glyphs dropped one (the digits model reads a printed
    # "1O" as "1"): the readings that account for every glyph are voted on first.
    glyphs = _glyphs(crop, pg.rules.threshold)
    whole = [r for r in readings if len("".join(r[0].split())) >= glyphs] or readings
    votes: dict[str, list[tuple[str, float, list[ocr.Word] | None, str | None]]] = {}
    for text, conf, found in whole:
        fixed = repair_number(text)
        if fixed.number:  # "4,97" and "4.97" are one value: a points separator is always decimal
            key = " ".join(fixed.text.replace(",", ".").split())
            votes.setdefault(key, []).append((fixed.text, conf, found, fixed.repair))
    if not votes:
        return  # no reading is a number: the cell stays as first read
    group = max(votes.values(), key=lambda g: (len(g), max(v[1] for v in g)))
    spelled = Counter(v[0] for v in group)
    text, conf, chosen, repair = max(group, key=lambda v: (spelled[v[0]], v[1]))
    if chosen is not None:
        _set_words(cell, chosen, pg.scale)
    agree = 100.0 * len(group) / len(readings)
    if text != cell.text:
        _retext(cell, text)
    # A letter one reading saw where the others read a digit is a repair too: "1O" read, "10" kept (O→0).
    cell.repair = repair or next((v[3] for v in group if v[3]), None)
    cell.confidence = round(min(conf, agree), 1)


def _glyphs(crop: _Crop, threshold: float) -> int:
    """How many separate marks of ink the crop holds (a digit, a comma, a letter: one each)."""
    import cv2

    ink = (crop.image < threshold).astype(numpy.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return sum(1 for i in range(1, count) if stats[i][cv2.CC_STAT_AREA] >= _MIN_GLYPH)


def _retext(cell: PdfCell, text: str) -> None:
    """The cell's text repaired: each drawn line keeps its place with its repaired text, so that a quote of
    the cell is still boxed on the page."""
    drawn = [line for _, lines in cell.lines for line in lines]
    new = text.split("\n")
    if not drawn:
        cell.text = text
        return
    if len(drawn) != len(new):
        new = [" ".join(new)]
        box = (min(d.x0 for d in drawn), max(d.x1 for d in drawn), min(d.top for d in drawn))
        drawn = [Line.of([Word(new[0], *box, max(d.bottom for d in drawn))])]
    lines = [Line.of([Word(t, d.x0, d.x1, d.top, d.bottom)]) for t, d in zip(new, drawn, strict=True)]
    cell.lines = [(cell.page, lines)]
    cell.text = "\n".join(new)


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
