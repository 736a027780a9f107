"""A rendering as DOCX (python-docx): the cover letter as :mod:`.word` lays it out, then the appendix table of
the rendering's :class:`.matrix_table.Spec` in the rendering's font, widths, rules and page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from . import word
from .layout import Report
from .matrix_table import Spec, column_widths, measurer

if TYPE_CHECKING:
    from .matrix import Variant

# LibreOffice's default cell margins in a python-docx table: 0,19 cm each side.
CELL_PAD_MM = 1.9
# Space above the appendix table (pt) for each split option: the page break falls at different rows.
SPLIT_PAD = {"early": 0, "late": 140, "cut": 70}


def write_docx(rep: Report, spec: Spec, v: Variant, path: Path) -> None:
    from .matrix import FONTS

    name, _, size = FONTS[v.font]
    d = word._new_docx()  # the letter as the samples have it; the rendering's font is the table's
    if v.cover == "letter":
        word._header_table(d, rep, word.PORTRAIT_MM)
        word._para(d, "", after=6)
        for line in rep.title:
            word._para(d, line, bold=True, align=word.CENTER, after=12)
        word._body(d, rep.body, word._bullet_numbering(d))
        word._signature(d, rep)
    landscape = v.page == "landscape"
    if landscape:
        sec = d.add_section(WD_SECTION.NEW_PAGE) if v.cover == "letter" else d.sections[0]
        sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)
        sec.left_margin = sec.right_margin = Mm(20)
    for i, line in enumerate(spec.annex):
        note = line.startswith("(")
        p = word._para(d, line, bold=not note, italic=note, align=word.CENTER, after=0)
        if i == 0 and not landscape and v.cover == "letter":
            p.paragraph_format.page_break_before = True
    word._para(d, "", after=SPLIT_PAD[v.split])
    _table(d, spec, v, name, size, word.LANDSCAPE_MM if landscape else word.PORTRAIT_MM)
    d.save(str(path))
    word.fix_zip(path)


def _table(d: DocxDocument, spec: Spec, v: Variant, font: str, size: float, width: float) -> None:
    from .matrix import font_file

    cols = column_widths(spec, width, v.widths == "narrow", measurer(font_file(v), size), CELL_PAD_MM)
    t = word._table(d, len(spec.rows), cols, ruled=True)
    top = v.rules == "columns"
    grid = t._cells  # once: python-docx recomputes the whole grid on every t.cell()
    for r, row in enumerate(spec.rows):
        header, total = r < spec.header_rows, r == len(spec.rows) - 1
        if header:
            t.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for c, text in enumerate(row):
            if spec.covered(r, c):
                continue
            cell = grid[r * spec.n_cols + c]
            lines = text.split("\n")
            if header and spec.wrap_header:
                lines = [w for line in lines for w in line.split()]
            centred = header or spec.centred[c] or (total and c == 0)
            _lines(cell, lines, font, size, bold=header or total, centred=centred)
            if centred and not top:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if top and not header and not total:
                _no_inner_rules(cell, first=r == spec.header_rows, last=r == len(spec.rows) - 2)
    for r0, c0, r1, c1 in spec.merges:
        t.cell(r0, c0).merge(t.cell(r1, c1))


def _lines(cell: _Cell, lines: list[str], font: str, size: float, *, bold: bool, centred: bool) -> None:
    for i, line in enumerate(lines or [""]):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.bold = bold or None
        run.font.size = Pt(size)
        run.font.name = font
        p.paragraph_format.alignment = word.CENTER if centred else word.LEFT
        p.paragraph_format.space_after = Pt(2)


def _no_inner_rules(cell: _Cell, *, first: bool, last: bool) -> None:
    """Drop the rules between body rows: no top rule below the first body row, no bottom rule above the last."""
    borders = OxmlElement("w:tcBorders")
    for side, keep in (("top", first), ("bottom", last)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if keep else "nil")
        if keep:
            edge.set(qn("w:sz"), "4")
        borders.append(edge)
    cell._tc.get_or_add_tcPr().append(borders)
