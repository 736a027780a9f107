"""Assemble a Document from blocks, computing every span, line and page range in one place.

Parsers never compute offsets: they hand paragraphs and tables (as :class:`CellSpec` lists) to a
:class:`DocumentBuilder` in reading order, and ``build()`` lays the text out as :mod:`extractor.model`
describes, so the span invariant ``text[start:end] == block.text`` holds by construction.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from extractor.model import BBox, Cell, Document, Notice, Page, Paragraph, Role, Row, Source, Table, TextLine


@dataclass
class GlyphLine:
    """A drawn line of a block's text as a parser saw it: its text, page, vertical extent and the x0, x1 of
    each character (2 per character). The builder finds it in the block's text to give it its offsets."""

    text: str
    page: int
    top: float
    bottom: float
    xs: list[float]


@dataclass
class CellSpec:
    text: str
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    page: int | None = None
    bbox: BBox | None = None
    value: Decimal | None = None
    formula: str | None = None
    line: int | None = None  # set only when the parser knows the source line (text files)
    end_page: int | None = None  # the page of the last character, when it is not ``page``
    lines: list[GlyphLine] = field(default_factory=list)  # PDF: where the text is drawn
    confidence: float | None = None  # OCR'd cells: the lowest word confidence, 0–100
    repair: str | None = None  # OCR'd numeric cells: what was repaired


@dataclass
class _ParaSpec:
    text: str
    page: int | None
    bbox: BBox | None
    style: str | None
    list_label: str | None
    level: int | None
    role: Role
    line: int | None
    lines: list[GlyphLine] = field(default_factory=list)


@dataclass
class _TableSpec:
    cells: list[CellSpec]
    n_rows: int
    n_cols: int
    header_rows: int
    page: int | None
    bbox: BBox | None
    ruled: bool
    role: Role
    line: int | None
    pages: list[int]


@dataclass
class DocumentBuilder:
    source: Source
    _blocks: list[_ParaSpec | _TableSpec] = field(default_factory=list)
    _pages: list[Page] = field(default_factory=list)
    _notices: list[Notice] = field(default_factory=list)

    def add_page(
        self,
        number: int,
        width: float | None = None,
        height: float | None = None,
        has_text_layer: bool = True,
    ) -> None:
        self._pages.append(Page(number=number, width=width, height=height, has_text_layer=has_text_layer))

    def notice(self, code: str, message_vi: str, message_en: str, page: int | None = None) -> None:
        self._notices.append(Notice(code=code, message_vi=message_vi, message_en=message_en, page=page))

    def add_paragraph(
        self,
        text: str,
        *,
        page: int | None = None,
        bbox: BBox | None = None,
        style: str | None = None,
        list_label: str | None = None,
        level: int | None = None,
        role: Role = "body",
        line: int | None = None,
        lines: list[GlyphLine] | None = None,
    ) -> None:
        """``lines``: where the paragraph's lines are drawn (PDF), in the order their text appears."""
        self._blocks.append(_ParaSpec(text, page, bbox, style, list_label, level, role, line, list(lines or [])))

    def add_table(
        self,
        cells: list[CellSpec],
        *,
        header_rows: int = 0,
        page: int | None = None,
        bbox: BBox | None = None,
        ruled: bool = True,
        role: Role = "body",
        line: int | None = None,
        pages: list[int] | None = None,
    ) -> None:
        """Add a table given its origin cells (a merged cell once, with its spans). ``pages`` lists pages the
        table crosses beyond those of its cells (a row cut over three pages has no cell on the middle one)."""
        if not cells:
            return
        n_rows = max(c.row + c.row_span for c in cells)
        n_cols = max(c.col + c.col_span for c in cells)
        spec = _TableSpec(list(cells), n_rows, n_cols, header_rows, page, bbox, ruled, role, line, list(pages or []))
        self._blocks.append(spec)

    @property
    def has_content(self) -> bool:
        return any(
            (b.text.strip() if isinstance(b, _ParaSpec) else any(c.text.strip() for c in b.cells)) for b in self._blocks
        )

    def build(self) -> Document:
        layout = _Layout()
        ordered = [b for b in self._blocks if b.role == "body"] + [b for b in self._blocks if b.role == "furniture"]
        blocks: list[Paragraph | Table] = []
        for index, spec in enumerate(ordered):
            if index:
                layout.write("\n")
            if isinstance(spec, _ParaSpec):
                blocks.append(layout.paragraph(index, spec))
            else:
                blocks.append(layout.table(index, spec))
        text = "".join(layout.parts)
        _assign_lines(text, blocks)
        pages = _page_ranges(self._pages, blocks)
        self.source.pages = self.source.pages if self.source.pages is not None else (len(pages) or None)
        lines = sorted(layout.lines, key=lambda ln: ln.start)
        return Document(
            source=self.source, text=text, pages=pages, blocks=blocks, notices=self._notices, text_lines=lines
        )


class _Layout:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.lines: list[TextLine] = []

    def place(self, text: str, start: int, glyphs: list[GlyphLine]) -> None:
        """Give each drawn line its offsets: found in ``text`` (written at ``start``) in order; a line whose
        characters are not there as drawn (the text was rewritten) gets no geometry."""
        pos = 0
        for g in glyphs:
            at = text.find(g.text, pos) if g.text and len(g.xs) == 2 * len(g.text) else -1
            if at < 0:
                continue
            pos = at + len(g.text)
            xs = array("f", g.xs)
            self.lines.append(TextLine(start + at, start + pos, g.page, g.top, g.bottom, xs))

    def write(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def paragraph(self, index: int, spec: _ParaSpec) -> Paragraph:
        start, end = self.write(spec.text)
        self.place(spec.text, start, spec.lines)
        return Paragraph(
            index=index,
            start=start,
            end=end,
            page=spec.page,
            line=spec.line,
            bbox=spec.bbox,
            role=spec.role,
            text=spec.text,
            style=spec.style,
            list_label=spec.list_label,
            level=spec.level,
        )

    def table(self, index: int, spec: _TableSpec) -> Table:
        by_row: dict[int, list[CellSpec]] = defaultdict(list)
        for c in spec.cells:
            by_row[c.row].append(c)
        table_start = self.pos
        rows: list[Row] = []
        for r in range(spec.n_rows):
            if r:
                self.write("\n")
            row_start = self.pos
            cells: list[Cell] = []
            for i, c in enumerate(sorted(by_row.get(r, []), key=lambda c: c.col)):
                if i:
                    self.write("\t")
                start, end = self.write(c.text)
                self.place(c.text, start, c.lines)
                cells.append(
                    Cell(
                        row=c.row,
                        col=c.col,
                        row_span=c.row_span,
                        col_span=c.col_span,
                        text=c.text,
                        start=start,
                        end=end,
                        page=c.page if c.page is not None else spec.page,
                        bbox=c.bbox,
                        value=c.value,
                        formula=c.formula,
                        confidence=c.confidence,
                        repair=c.repair,
                        line=c.line,
                        end_page=c.end_page,
                    )
                )
            row_pages = [c.page for c in cells if c.page is not None]
            rows.append(
                Row(
                    index=r,
                    cells=cells,
                    start=row_start,
                    end=self.pos,
                    page=min(row_pages) if row_pages else spec.page,
                    header=r < spec.header_rows,
                )
            )
        cell_pages = {p for r in rows for c in r.cells for p in (c.page, c.end_page) if p is not None}
        pages = sorted(cell_pages | set(spec.pages))
        return Table(
            index=index,
            start=table_start,
            end=self.pos,
            page=spec.page if spec.page is not None else (pages[0] if pages else None),
            line=spec.line,
            bbox=spec.bbox,
            role=spec.role,
            n_rows=spec.n_rows,
            n_cols=spec.n_cols,
            rows=rows,
            header_rows=spec.header_rows,
            ruled=spec.ruled,
            pages=pages,
        )


def _assign_lines(text: str, blocks: list[Paragraph | Table]) -> None:
    """Fill ``line`` where the parser gave none: 1-based, counted from the first thing on the same page."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(offset: int) -> int:
        return bisect_right(newlines, offset - 1) + 1

    page_start: dict[tuple[str, int | None], int] = {}
    for b in blocks:
        key = (b.role, b.page)
        page_start.setdefault(key, b.start)
        if isinstance(b, Table):
            for cell in b.cells():
                page_start.setdefault((b.role, cell.page), cell.start)
    for b in blocks:
        base = line_of(page_start[(b.role, b.page)]) - 1
        if b.line is None:
            b.line = line_of(b.start) - base
        if isinstance(b, Table):
            for cell in b.cells():
                if cell.line is None:
                    cell_base = line_of(page_start[(b.role, cell.page)]) - 1
                    cell.line = line_of(cell.start) - cell_base


def _page_ranges(pages: list[Page], blocks: list[Paragraph | Table]) -> list[Page]:
    """Each page's [start, end) is the smallest range holding its body blocks and cells."""
    spans: dict[int, list[int]] = {}

    def note(page: int | None, start: int, end: int) -> None:
        if page is None:
            return
        s = spans.setdefault(page, [start, end])
        s[0], s[1] = min(s[0], start), max(s[1], end)

    for b in blocks:
        if b.role != "body":
            continue
        if isinstance(b, Table):
            for row in b.rows:
                for cell in row.cells:
                    note(cell.page, cell.start, cell.end)
        else:
            note(b.page, b.start, b.end)
    for p in pages:
        if p.number in spans:
            p.start, p.end = spans[p.number]
    return pages
