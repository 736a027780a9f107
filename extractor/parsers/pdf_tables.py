"""Ruled tables of one PDF page: visible rules, the cell grid with spans, and the text of each cell.

Only rules a reader can see make a table: white filled rectangles behind highlighted text, e.g. the
per-line shading of a bordered Word paragraph, are dropped before pdfplumber's table finder runs. A grid
of a single column, or one whose text runs through its column rules, is a frame or a box around
text, not a table. Cells are origin cells only: a merged cell comes once with its row and column span.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field
from typing import Any

import regex
from pdfplumber.page import Page
from pdfplumber.table import TableFinder, merge_edges
from pdfplumber.utils import obj_to_edges

from extractor.parsers.pdf_grid import (
    SNAP_TOL,
    Box,
    Grid,
    Obj,
    cell_chars,
    in_box,
    make_grid,
    open_ends,
    split_unruled_rows,
    straddling,
)
from extractor.parsers.pdf_layout import Line, text_lines
from extractor.textnorm import strip_diacritics

# A table is a frame around text when more of its characters than this straddle a column rule.
_MAX_STRADDLING = 0.1
# Pairs of (merged) rules the table finder may test for crossings on one page: a dense 9-column table
# has ~500, a hatched drawing millions (which would take minutes).
_MAX_CROSSINGS = 40_000
# A number in the first column (STT) starts the data rows, e.g. "1", "1.", "2.1.3", "IV", "a)".
_STT = regex.compile(r"^\(?(?:\d{1,3}(?:[.,]\d{1,3})*|[IVXLC]{1,6}|[a-zđ])[.)]?$", regex.IGNORECASE)


@dataclass
class PdfCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    page: int
    bbox: Box
    # Font of the first and of the last character, e.g. to tell a row cut by a page break from a new row.
    fonts: tuple[str, str] = ("", "")
    end_page: int | None = None  # the page of its last character, when a page break cut the cell
    lines: list[tuple[int, list[Line]]] = field(default_factory=list)  # (page, its drawn lines) in text order
    confidence: float | None = None  # OCR'd cells: the lowest word confidence, 0–100
    repair: str | None = None  # OCR'd numeric cells: what was repaired, e.g. "O→0"


@dataclass
class PdfTable:
    page: int
    bbox: Box
    n_rows: int
    n_cols: int
    cells: list[PdfCell]
    col_edges: list[float]
    header_rows: int = 0
    pages: list[int] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.bbox[1]

    def cell_at(self, row: int, col: int) -> PdfCell | None:
        for c in self.cells:
            if c.row <= row < c.row + c.row_span and c.col <= col < c.col + c.col_span:
                return c
        return None

    def row_cells(self, row: int) -> list[PdfCell]:
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)

    def first_cell_text(self, row: int) -> str:
        cell = self.cell_at(row, 0)
        return cell.text.strip() if cell is not None and cell.row == row else ""


def _is_white(color: Any) -> bool:
    """White in gray (1), RGB (1, 1, 1) or CMYK (0, 0, 0, 0)."""
    if isinstance(color, int | float):
        return float(color) >= 0.95
    if not isinstance(color, list | tuple) or not color or not all(isinstance(v, int | float) for v in color):
        return False
    if len(color) == 4:
        return max(color) <= 0.05
    return min(color) >= 0.95


def _visible(obj: Obj) -> bool:
    """Stroked or filled in a colour other than white (a white fill on white paper draws nothing)."""
    if obj.get("object_type") == "line":
        return not _is_white(obj.get("stroking_color"))
    stroked = bool(obj.get("stroke")) and not _is_white(obj.get("stroking_color"))
    filled = bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))
    return stroked or filled


def visible_edges(page: Page) -> tuple[list[Obj], list[Obj]]:
    """Vertical and horizontal edges of the page's visible lines, rectangles and curves."""
    vertical: list[Obj] = []
    horizontal: list[Obj] = []
    for obj in (*page.lines, *page.rects, *page.curves):
        if not _visible(obj):
            continue
        for edge in obj_to_edges(obj):
            if edge.get("orientation") == "v":
                vertical.append(edge)
            elif edge.get("orientation") == "h":
                horizontal.append(edge)
    return vertical, horizontal


def _font(ch: Obj) -> str:
    name = str(ch.get("fontname", ""))
    return name.split("+", 1)[-1]


def _end_fonts(chars: list[Obj]) -> tuple[str, str]:
    """Fonts of the first character of the first line and of the last character of the last line."""
    visible = [ch for ch in chars if ch["text"].strip()]
    if not visible:
        return "", ""
    top = min(ch["top"] for ch in visible)
    bottom = max(ch["bottom"] for ch in visible)
    first = min((ch for ch in visible if ch["top"] < top + 3), key=lambda ch: ch["x0"])
    last = max((ch for ch in visible if ch["bottom"] > bottom - 3), key=lambda ch: ch["x1"])
    return _font(first), _font(last)


def _plausible(grid: Grid, page_area: float) -> bool:
    """At least two columns and no cell covering most of the page (a page frame)."""
    if grid.n_cols < 2 or grid.n_rows < 1 or len(grid.boxes) < 2:
        return False
    return max((b[2] - b[0]) * (b[3] - b[1]) for b in grid.boxes) <= 0.5 * page_area


class TooManyRules(Exception):
    """The page draws more rules than a table would (a chart, a map): looking for tables would take too long."""


def find_tables(page: Page, number: int, chars: list[Obj]) -> list[PdfTable]:
    """The page's ruled tables, top to bottom, with cell text taken from ``chars``."""
    vertical, horizontal = visible_edges(page)
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    merged = merge_edges(vertical + horizontal, SNAP_TOL, SNAP_TOL, SNAP_TOL, SNAP_TOL)
    vertical = [e for e in merged if e["orientation"] == "v"]
    horizontal = [e for e in merged if e["orientation"] == "h"]
    if len(vertical) * len(horizontal) > _MAX_CROSSINGS:
        raise TooManyRules()
    horizontal += open_ends(vertical, horizontal)
    if len(vertical) * len(horizontal) > _MAX_CROSSINGS:
        raise TooManyRules()
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
    }
    tables: list[PdfTable] = []
    page_area = float(page.width * page.height)
    for found in TableFinder(page, settings).tables:
        box: Box = tuple(found.bbox)  # type: ignore[assignment]
        grid = make_grid([tuple(c) for c in found.cells])  # type: ignore[misc]
        if not _plausible(grid, page_area):
            continue
        inside = [ch for ch in chars if in_box(ch, box)]
        grid = split_unruled_rows(grid, cell_chars(grid, inside))
        per_cell = cell_chars(grid, inside)
        if straddling(grid, per_cell) <= _MAX_STRADDLING:
            tables.append(_to_table(grid, per_cell, number, box))
    return tables


def _to_table(grid: Grid, per_cell: list[list[Obj]], number: int, box: Box) -> PdfTable:
    cells = []
    for (r, c, rs, cs), b, own in zip(grid.slots, grid.boxes, per_cell, strict=True):
        lines = text_lines(own, split_gaps=False) if own else []
        text = "\n".join(line.text for line in lines)
        cells.append(PdfCell(r, c, rs, cs, text, number, b, _end_fonts(own), lines=[(number, lines)]))
    table = PdfTable(number, box, grid.n_rows, grid.n_cols, cells, grid.xs, pages=[number])
    table.header_rows = header_rows(table)
    return table


def _numbering_row(table: PdfTable, row: int) -> bool:
    """A row of column numbers under the header, e.g. "(1) (2) (3) (4) (5)" or "1 2 3 4 5"."""
    texts = [c.text.strip().strip("()") for c in table.row_cells(row)]
    if len(texts) < 3 or not all(t.isdigit() for t in texts):
        return False
    return texts == [str(int(texts[0]) + i) for i in range(len(texts))]


def header_rows(table: PdfTable) -> int:
    """Rows before the first row numbered in its first cell (STT); else the rows the first cell spans."""
    for row in range(min(table.n_rows, 8)):
        if _STT.match(table.first_cell_text(row)) and not _numbering_row(table, row):
            return row
    corner = table.cell_at(0, 0)
    spanned = corner.row_span if corner is not None else 1
    first = [c.text.strip() for c in table.row_cells(0)]
    looks_header = table.n_rows > spanned and all(first) and not any(_STT.match(t) for t in first)
    return spanned if looks_header else 0


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _row_key(table: PdfTable, row: int, read: bool = False) -> list[str]:
    texts = (_fold(c.text) for c in table.row_cells(row))
    return [strip_diacritics(t) if read else t for t in texts if t]


def _same_columns(a: PdfTable, b: PdfTable) -> bool:
    """Same column count and column widths within a few points (a shifted margin is fine)."""
    if a.n_cols != b.n_cols:
        return False
    tolerance = max(4.0, 0.03 * (a.col_edges[-1] - a.col_edges[0]))
    widths_a = [y - x for x, y in itertools.pairwise(a.col_edges)]
    widths_b = [y - x for x, y in itertools.pairwise(b.col_edges)]
    return all(abs(x - y) <= tolerance for x, y in zip(widths_a, widths_b, strict=True))


_FIRST_NUMBERS = {"1", "i", "a"}


def _restarts(a: PdfTable, b: PdfTable) -> bool:
    """``b`` numbers its first data row 1 (or I, a) while ``a`` already has numbered rows: a new table."""
    first = b.first_cell_text(b.header_rows).rstrip(".)").casefold() if b.header_rows < b.n_rows else ""
    numbered = any(_STT.match(a.first_cell_text(r)) for r in range(a.header_rows, a.n_rows))
    return first in _FIRST_NUMBERS and numbered


def continues(a: PdfTable, b: PdfTable) -> bool:
    """Whether ``b`` (first on its page) continues ``a`` (last on the page before)."""
    return _same_columns(a, b) and not _restarts(a, b)


def _repeats(header: list[str], row: list[str], read: bool = False) -> bool:
    """``row`` repeats the header row: the same cells, each in full or cut short (a repeated header row may
    be drawn lower than the first, its last lines clipped, e.g. "tài liệu kiểm" for "tài liệu kiểm chứng");
    with ``read`` (OCR) alike is enough, for all labels but one."""
    if len(header) != len(row):
        return False
    same = [
        h == r or (len(r) >= 2 and h.startswith(r)) or (read and _alike(h, r)) for h, r in zip(header, row, strict=True)
    ]
    # One label of a header row read by OCR may come out unlike itself (a narrow "S/T/T" as "SS/1/T").
    return all(same) or (read and len(same) >= 3 and same.count(False) == 1)


def _repeated_header(a: PdfTable, b: PdfTable) -> int:
    """How many leading rows of ``b`` repeat ``a``'s header (compared after folding white space; OCR'd rows
    after folding tone marks too, and alike rather than equal: "SIT" over "STT", "Điếm" over "Điểm")."""
    read = _ocr_read(b)
    if a.header_rows == 0 or b.n_rows == 0 or not _repeats(_row_key(a, 0, read), _row_key(b, 0, read), read):
        return 0
    same = 0
    while same < min(a.header_rows, b.n_rows) and _repeats(_row_key(a, same, read), _row_key(b, same, read), read):
        same += 1
    return same if same == a.header_rows else max(same, min(b.header_rows, a.header_rows))


def _ocr_read(table: PdfTable) -> bool:
    return any(c.confidence is not None for c in table.cells)


# Two OCR readings of one label are alike when at most this share of the longer one's characters (and at
# least one character) differ: "sit" and "stt", "tai lieu kiem chung" and "tai lieu kiern chung".
_ALIKE = 0.25


def _alike(x: str, y: str) -> bool:
    matched = sum(block.size for block in difflib.SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks())
    longer = max(len(x), len(y))
    return longer - matched <= max(1, int(_ALIKE * longer))


def _surer_header(a: PdfTable, b: PdfTable, rows: int) -> None:
    """Where ``b`` repeats ``a``'s header and read a label by OCR with more confidence, ``a`` takes that
    reading: the same printed header, read once more."""
    for row in range(rows):
        for cell in b.row_cells(row):
            own = a.cell_at(row, cell.col)
            if own is None or own.row != row or own.col_span != cell.col_span or cell.confidence is None:
                continue
            if own.confidence is None or cell.confidence > own.confidence:
                own.text, own.lines, own.confidence, own.repair = cell.text, cell.lines, cell.confidence, cell.repair


def _join(upper: str, lower: str) -> str:
    return "\n".join(t for t in (upper, lower) if t)


def _slanted(font: str) -> bool:
    name = font.lower()
    return "italic" in name or "oblique" in name


def _is_cut(a: PdfTable, b: PdfTable, row: int) -> bool:
    """``b``'s data row ``row`` is the rest of ``a``'s last row: its STT cell is empty and, where both rows
    have text in a column, the text runs on upright or slanted as before (a new row often changes slant,
    e.g. the italic scoring options under a criterion) or the text above ends with ":"."""
    if row >= b.n_rows or a.n_rows <= a.header_rows or b.first_cell_text(row):
        return False
    pairs = []
    for cell in b.row_cells(row):
        above = a.cell_at(a.n_rows - 1, cell.col)
        if above is not None and above.text.strip() and cell.text.strip():
            runs_on = above.text.rstrip().endswith(":") or _slanted(above.fonts[1]) == _slanted(cell.fonts[0])
            pairs.append(runs_on)
    return not pairs or any(pairs)


def _merge_cut_row(a: PdfTable, cells: list[PdfCell]) -> list[PdfCell]:
    """Join the cells of row 0 (cut by the page break) into ``a``'s last row; return the other cells."""
    last = a.n_rows - 1
    rest: list[PdfCell] = []
    for cell in cells:
        if cell.row != 0:
            rest.append(cell)
            continue
        target = a.cell_at(last, cell.col)
        if target is None:
            cell.row = last
            a.cells.append(cell)
            continue
        target.text = _join(target.text, cell.text)
        target.lines += cell.lines
        target.row_span += cell.row_span - 1
        if cell.text.strip():
            target.end_page = cell.end_page or cell.page
    return rest


def append_part(a: PdfTable, b: PdfTable) -> None:
    """Stitch ``b`` under ``a``: drop a repeated header, merge a row cut by the page break."""
    drop = _repeated_header(a, b)
    _surer_header(a, b, drop)
    rows = b.n_rows - drop
    cut = _is_cut(a, b, drop)
    cells = [c for c in b.cells if c.row >= drop]
    for c in cells:
        c.row -= drop
    if cut:
        cells = _merge_cut_row(a, cells)
        for c in cells:
            c.row -= 1
        rows -= 1
    for c in cells:
        c.row += a.n_rows
    a.cells.extend(cells)
    a.n_rows += max(rows, 0)
    a.pages.extend(p for p in b.pages if p not in a.pages)
