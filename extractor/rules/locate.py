"""Turn a character span into a contract Location: page, line, table, row and the exact source quote.

Rules match on ``doc.norm.text`` (normalised); ``Locator.from_norm`` maps the span back to ``doc.text``
first, so the quote is always the original characters. ``table`` is the index of the table among
``doc.tables`` and ``row`` the row index inside it (0 is the first row, usually the header).
"""

from __future__ import annotations

from bisect import bisect_right

from extractor.contract import Location
from extractor.model import Cell, Document, Paragraph, Table


class Locator:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._blocks = sorted(doc.blocks, key=lambda b: b.start)
        self._starts = [b.start for b in self._blocks]
        self._table_no = {id(t): i for i, t in enumerate(doc.tables)}

    def from_norm(self, start: int, end: int) -> Location:
        s, e = self.doc.norm.span_to_original(start, end)
        return self.at(s, e)

    def at(self, start: int, end: int) -> Location:
        """Location of ``doc.text[start:end]``."""
        loc = Location(start=start, end=end, quote=self.doc.text[start:end])
        k = bisect_right(self._starts, start) - 1
        if k < 0:
            return loc
        block = self._blocks[k]
        if start > block.end:
            return loc
        if isinstance(block, Paragraph):
            loc.page = block.page
            loc.line = _line(block.line, self.doc.text, block.start, start)
            return loc
        return self._in_table(block, start, loc)

    def _in_table(self, table: Table, start: int, loc: Location) -> Location:
        loc.table = self._table_no.get(id(table))
        loc.page = table.page
        loc.line = table.line
        for row in table.rows:
            if row.start <= start <= row.end:
                loc.row = row.index
                loc.page = row.page if row.page is not None else loc.page
                cell = _cell_at(row.cells, start)
                if cell is not None:
                    loc.page = cell.page if cell.page is not None else loc.page
                    loc.line = _line(cell.line, self.doc.text, cell.start, start)
                break
        return loc

    def row(self, table: Table, row_index: int) -> Location:
        row = table.rows[row_index]
        loc = self.at(row.start, row.end)
        loc.row = row_index
        return loc


def _cell_at(cells: list[Cell], offset: int) -> Cell | None:
    for cell in cells:
        if cell.start <= offset <= cell.end:
            return cell
    return None


def _line(first: int | None, text: str, block_start: int, offset: int) -> int | None:
    if first is None:
        return None
    return first + text.count("\n", block_start, offset)
