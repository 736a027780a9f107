"""A DOCX table (``w:tbl``) as origin cells with spans, header rows and whether it is ruled.

e.g. a row ``<w:tc gridSpan=2>A</w:tc><w:tc vMerge=restart>B</w:tc>`` followed by a row whose third cell is
``vMerge`` (continue) gives A at col 0 with col_span 2 and B at col 2 with row_span 2; the covered cell is
not emitted. ``gridBefore`` shifts a row's first cell to the right. A cell's paragraphs are joined by "\\n".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import regex

from extractor.builder import CellSpec
from extractor.parsers.docx_styles import Styles, border_edges
from extractor.parsers.docx_text import Element, PageCounter, int_val, is_on, w, w_attr

# A first cell like "1", "1.2", "3.", "IV" starts the data rows of a table.
_ROW_NUMBER = regex.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.?)\s*$")
_MAX_GUESSED_HEADER_ROWS = 5
# Word allows 63 columns; a larger span or offset is damage, not layout.
_MAX_COLUMNS = 63


class CellReader(Protocol):
    pages: PageCounter
    styles: Styles

    def cell_text(self, tc: Element) -> tuple[str, int]:
        """The cell's text (paragraphs joined by newlines) and the page it starts on."""
        ...


@dataclass
class TableSpec:
    cells: list[CellSpec]
    header_rows: int
    ruled: bool


def _int_attr(el: Element | None, default: int) -> int:
    return max(0, min(int_val(w_attr(el, "val"), default), _MAX_COLUMNS))


def _pr(el: Element, name: str, child: str) -> Element | None:
    pr = el.find(w(name))
    return pr.find(w(child)) if pr is not None else None


def _children(el: Element, tag: str) -> list[Element]:
    """``tag`` children of ``el``, also those wrapped in content controls or custom XML."""
    out: list[Element] = []
    for child in el:
        if child.tag == w(tag):
            out.append(child)
        elif child.tag in (w("sdt"), w("sdtContent"), w("customXml")):
            out.extend(_children(child, tag))
    return out


def read_table(tbl: Element, reader: CellReader) -> TableSpec:
    walk = _TableWalk(reader)
    rows = _children(tbl, "tr")
    for r, tr in enumerate(rows):
        walk.row(r, tr)
    return TableSpec(cells=walk.cells, header_rows=_header_rows(rows, walk.cells), ruled=_ruled(tbl, reader.styles))


class _TableWalk:
    """Rows in order; a vertically merged cell stays open (by grid column) while rows continue it."""

    def __init__(self, reader: CellReader) -> None:
        self.reader = reader
        self.cells: list[CellSpec] = []
        self.open_merges: dict[int, CellSpec] = {}

    def row(self, r: int, tr: Element) -> None:
        pages = self.reader.pages
        if _opens_with_rendered_break(tr):
            pages.rendered_break()
            pages.expect_duplicate()
        start = pages.snapshot()
        ends: list[tuple[int, bool]] = []
        col = _int_attr(_pr(tr, "trPr", "gridBefore"), 0)
        continued: set[int] = set()
        for tc in _children(tr, "tc"):
            pages.restore(start)  # every cell of a row starts where the row starts
            span = max(_int_attr(_pr(tc, "tcPr", "gridSpan"), 1), 1)
            text, page = self.reader.cell_text(tc)
            ends.append(pages.snapshot())
            if self._place(tc, CellSpec(text=text, row=r, col=col, col_span=span, page=page)):
                continued.add(col)
            col += span
        _end_row(pages, start, ends)
        self.open_merges = {c: spec for c, spec in self.open_merges.items() if c in continued}

    def _place(self, tc: Element, spec: CellSpec) -> bool:
        """Emit the cell or extend the merge it continues; True when a vertical merge runs through it."""
        merge = _pr(tc, "tcPr", "vMerge")
        origin = self.open_merges.get(spec.col)
        continues = merge is not None and w_attr(merge, "val", "continue") == "continue"
        if continues and origin is not None and origin.col_span == spec.col_span:
            origin.row_span = spec.row - origin.row + 1
            return True
        self.cells.append(spec)
        if merge is not None:
            self.open_merges[spec.col] = spec
        return merge is not None


def _end_row(pages: PageCounter, start: tuple[int, bool], ends: list[tuple[int, bool]]) -> None:
    """After a row: on the page its longest cell ended; a row that ran onto a new page has its start marked twice."""
    if not ends:
        pages.restore(start)
        return
    last = max(page for page, _ in ends)
    pages.restore((last, all(due for page, due in ends if page == last)))
    if last > start[0]:
        pages.expect_duplicate()


def _opens_with_rendered_break(tr: Element) -> bool:
    """Word marks the first row that begins on a page with a rendered break ahead of its first text."""
    for el in tr.iter(w("t"), w("lastRenderedPageBreak")):
        if el.tag == w("lastRenderedPageBreak"):
            return True
        if (el.text or "").strip():
            return False
    return False


def _header_rows(rows: list[Element], cells: list[CellSpec]) -> int:
    """Rows marked to repeat as header (``w:tblHeader``), else the rows before the first numbered row."""
    marked = 0
    for tr in rows:
        if not is_on(_pr(tr, "trPr", "tblHeader")):
            break
        marked += 1
    if marked:
        return marked
    first_col = {c.row: c.text for c in cells if c.col == 0}
    for r in range(min(len(rows), _MAX_GUESSED_HEADER_ROWS + 1)):
        if r in first_col and _ROW_NUMBER.match(first_col[r]):
            return r
    return 0


def _ruled(tbl: Element, styles: Styles) -> bool:
    """Visible borders on the table (its own or its style's), or on at least half of its cells."""
    tbl_pr = tbl.find(w("tblPr"))
    style_id = w_attr(tbl_pr.find(w("tblStyle")), "val") if tbl_pr is not None else None
    edges = styles.table_borders(style_id)
    edges.update(border_edges(tbl_pr.find(w("tblBorders")) if tbl_pr is not None else None))
    if any(edges.values()):
        return True
    tcs = list(tbl.iter(w("tc")))
    bordered = sum(1 for tc in tcs if any(border_edges(_pr(tc, "tcPr", "tcBorders")).values()))
    return bool(tcs) and bordered * 2 >= len(tcs)
