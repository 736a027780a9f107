"""Turn a character span into a contract Location: page, line, table, row and the exact source quote.

Rules match on ``doc.norm.text`` (normalised); ``Locator.from_norm`` maps the span back to ``doc.text``
first, so the quote is always the original characters. ``table`` is the index of the table among
``doc.tables`` and ``row`` the row index inside it (0 is the first row, usually the header).

For a PDF the Location also carries the page's size and one box per drawn line of the quoted characters
(``place_on_page``), so a finding can be highlighted on the page image.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

import regex
from pydantic import BaseModel

from extractor.contract import Box, Location
from extractor.model import Cell, Document, Paragraph, Row, Table, TextLine

_NEWLINE = regex.compile("\n")


class Locator:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._blocks = sorted(doc.blocks, key=lambda b: b.start)
        self._starts = [b.start for b in self._blocks]
        self._table_no = {id(t): i for i, t in enumerate(doc.tables)}
        self._newlines: list[int] | None = None  # positions of "\n" in doc.text, found on first use
        self._row_starts: dict[int, list[int]] = {}  # per table (id): its rows' starts, found on first use

    def from_norm(self, start: int, end: int) -> Location:
        s, e = self.doc.norm.span_to_original(start, end)
        return self.at(s, e)

    def at(self, start: int, end: int) -> Location:
        """Location of ``doc.text[start:end]``."""
        return place_on_page(self._at(start, end), self.doc)

    def _at(self, start: int, end: int) -> Location:
        loc = Location(start=start, end=end, quote=self.doc.text[start:end])
        k = bisect_right(self._starts, start) - 1
        if k < 0:
            return loc
        block = self._blocks[k]
        if start > block.end:
            return loc
        if isinstance(block, Paragraph):
            loc.page = block.page
            loc.line = self._line(block.line, block.start, start)
            return loc
        return self._in_table(block, start, loc)

    def _in_table(self, table: Table, start: int, loc: Location) -> Location:
        loc.table = self._table_no.get(id(table))
        loc.page = table.page
        loc.line = table.line
        row = self._row_at(table, start)
        if row is not None:
            loc.row = row.index
            loc.page = row.page if row.page is not None else loc.page
            cell = _cell_at(row.cells, start)
            if cell is not None:
                loc.page = cell.page if cell.page is not None else loc.page
                loc.line = self._line(cell.line, cell.start, start)
        return loc

    def _row_at(self, table: Table, offset: int) -> Row | None:
        """The first row holding ``offset``, found by bisection (a table of 10,000 rows is not walked)."""
        starts = self._row_starts.get(id(table))
        if starts is None:
            starts = self._row_starts[id(table)] = [r.start for r in table.rows]
        k = bisect_right(starts, offset) - 1
        for i in (k - 1, k):
            if 0 <= i < len(table.rows) and table.rows[i].start <= offset <= table.rows[i].end:
                return table.rows[i]
        return None

    def _line(self, first: int | None, block_start: int, offset: int) -> int | None:
        """The line of ``offset``: the block's first line plus the line breaks before it, by bisection."""
        if first is None:
            return None
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.doc.text)]
        return first + bisect_left(self._newlines, offset) - bisect_left(self._newlines, block_start)

    def row(self, table: Table, row_index: int) -> Location:
        row = table.rows[row_index]
        loc = self.at(row.start, row.end)
        loc.row = row_index
        return loc


def place_on_page(loc: Location, doc: Document) -> Location:
    """Fill ``loc``'s page size and boxes from where its characters are drawn (PDF; others stay as they are).

    One box per drawn line, covering exactly the quoted characters of that line (white space at either end
    left out); a quote running onto another page keeps the boxes of its first page only, the one ``page``
    names.
    """
    if doc.source.format not in ("pdf", "image"):
        return loc
    if loc.start is None or loc.end is None or loc.boxes:
        return _sized(loc, doc, loc.page)  # e.g. a signature's stamp: its box is already known
    by_page: dict[int, list[Box]] = {}
    for line in doc.lines_between(loc.start, loc.end):
        box = _line_box(line, doc.text, loc.start, loc.end)
        if box is not None:
            by_page.setdefault(line.page, []).append(box)
    page = loc.page if loc.page in by_page else next(iter(by_page), loc.page)
    if page is None:
        return loc
    loc.page = page
    loc.boxes = by_page.get(page, [])
    return _sized(loc, doc, page)


def _sized(loc: Location, doc: Document, page: int | None) -> Location:
    size = next((p for p in doc.pages if p.number == page), None)
    if size is not None and loc.page_width is None:
        loc.page_width, loc.page_height = size.width, size.height
    return loc


def _line_box(line: TextLine, text: str, start: int, end: int) -> Box | None:
    """The box of the characters of ``text[start:end]`` drawn on ``line`` (None when only white space is)."""
    xs = line.xs
    left = right = None
    for i in range(max(start, line.start), min(end, line.end)):
        if text[i].isspace():
            continue
        k = 2 * (i - line.start)
        left = xs[k] if left is None else min(left, xs[k])
        right = xs[k + 1] if right is None else max(right, xs[k + 1])
    if left is None or right is None:
        return None
    return Box(x0=_down(left), top=_down(line.top), x1=_up(right), bottom=_up(line.bottom))


def _down(value: float) -> float:
    """To 0,01 pt, rounded outwards so that the box still covers its characters."""
    return math.floor(value * 100) / 100


def _up(value: float) -> float:
    return math.ceil(value * 100) / 100


def place_all(model: BaseModel, doc: Document) -> None:
    """Fill page size and boxes on every Location inside ``model`` (e.g. a whole Report) that has a span."""
    if doc.source.format not in ("pdf", "image"):
        return
    for loc in _locations(model):
        place_on_page(loc, doc)


def _locations(value: object) -> Iterator[Location]:
    if isinstance(value, Location):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _locations(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _locations(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _locations(item)


def _cell_at(cells: list[Cell], offset: int) -> Cell | None:
    for cell in cells:
        if cell.start <= offset <= cell.end:
            return cell
    return None
