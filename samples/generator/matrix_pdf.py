"""A rendering drawn as PDF by fpdf2: a second producer, independent of Word and LibreOffice.

The letter is set with fpdf2's own line breaking; the appendix table is drawn here, cell by cell: its text
wrapped at spaces, and inside a word where the word is wider than its column ("STT" → "ST" / "T"), the
header repeated on each page, a row cut by the page break when the rendering says so, and either every rule
of the grid or only the column rules (no rule between body rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF

from .layout import Report
from .matrix_table import Spec, column_widths, measurer

if TYPE_CHECKING:
    from .matrix import Variant

FontFile = Callable[["Variant", str], Path]
PAD = 1.5  # mm inside a cell, each side
MARGIN = {"portrait": (25.0, 15.0), "landscape": (20.0, 20.0)}  # left, right (mm)
TOP, BOTTOM = 20.0, 20.0
GAP = {"early": 2.0, "late": 60.0, "cut": 30.0}  # mm above the appendix table


@dataclass
class Box:
    row: int
    col: int
    row_span: int
    col_span: int
    lines: list[str]
    bold: bool
    centred: bool


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy line breaking at spaces; a word wider than the line is broken where it reaches the edge."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if measure(trial) <= width:
                line = trial
                continue
            if line:
                out.append(line)
            line = ""
            while measure(word) > width and len(word) > 1:
                cut = max(1, max(i for i in range(1, len(word) + 1) if measure(word[:i]) <= width or i == 1))
                out.append(word[:cut])
                word = word[cut:]
            line = word
        out.append(line)
    return out


def write_pdf(rep: Report, spec: Spec, v: Variant, path: Path, font_file: FontFile) -> None:
    from .matrix import FONTS

    size = FONTS[v.font][2]
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(True, BOTTOM)
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for style in ("", "B"):
        pdf.add_font("f", style, str(font_file(v, style)))
    if v.cover == "letter":
        for style in ("", "B"):
            pdf.add_font("l", style, str(font_file(replace(v, font="condensed13"), style)))
        _letter(pdf, rep)
    orientation = "L" if v.page == "landscape" else "P"
    left, right = MARGIN[v.page]
    pdf.set_margins(left, TOP, right)
    pdf.add_page(orientation=orientation)
    for line in spec.annex:
        pdf.set_font("f", "" if line.startswith("(") else "B", 13)
        pdf.multi_cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + GAP[v.split])
    _Table(pdf, spec, v, size, font_file).draw()
    pdf.output(str(path))
    close_fonts(pdf)


def close_fonts(pdf: FPDF) -> None:
    """fpdf2 reads its TTF files lazily and leaves them open: close them."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _letter(pdf: FPDF, rep: Report) -> None:
    """The cover letter in DejaVu Sans Condensed (family "l"): header block, title, body, signature."""
    pdf.set_margins(25, TOP, 15)
    pdf.add_page()
    y = pdf.get_y()
    pdf.set_font("l", "B", 12)
    pdf.set_xy(20, y)
    pdf.multi_cell(68, 5.5, "\n".join(rep.issuer), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("l", "", 13)
    pdf.set_x(20)
    pdf.multi_cell(68, 6, rep.number, align="C", new_x="LMARGIN", new_y="NEXT")
    if rep.subject:
        pdf.set_font("l", "", 11)
        pdf.set_x(20)
        pdf.multi_cell(68, 5, rep.subject, align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(88, y)
    pdf.set_font("l", "B", 12)
    pdf.multi_cell(107, 5.5, "\n".join(rep.motto), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(88, pdf.get_y() + 7)
    pdf.set_font("l", "", 12)
    pdf.multi_cell(107, 6, rep.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()) + 8)
    pdf.set_font("l", "B", 13)
    for line in rep.title:
        pdf.multi_cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    for item in rep.body:
        if item.table is not None:
            continue
        pdf.set_font("l", "B" if item.kind in ("heading", "section") else "", 13)
        text = f"- {item.text}" if item.kind == "bullet" else item.text
        centre = item.text.startswith("Kính gửi")
        pdf.multi_cell(0, 6.5, text, align="C" if centre else "J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    _signature(pdf, rep)


def _signature(pdf: FPDF, rep: Report) -> None:
    if pdf.get_y() > 200:
        pdf.add_page()
    y = pdf.get_y() + 4
    pdf.set_xy(30, y)
    pdf.set_font("l", "B", 12)
    pdf.multi_cell(70, 5.5, "Nơi nhận:", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("l", "", 11)
    for line in rep.recipients:
        pdf.set_x(30)
        pdf.multi_cell(70, 5, line if line.startswith("-") else f"- {line}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(105, y)
    pdf.set_font("l", "B", 13)
    pdf.multi_cell(90, 6, "\n".join(rep.authority), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(105, pdf.get_y() + 22)
    pdf.multi_cell(90, 6, rep.signer, align="C", new_x="LMARGIN", new_y="NEXT")


class _Table:
    def __init__(self, pdf: FPDF, spec: Spec, v: Variant, size: float, font_file: FontFile) -> None:
        self.pdf, self.spec, self.v, self.size, self.font_file = pdf, spec, v, size, font_file
        self.lh = size * 0.3528 * 1.2
        left, right = MARGIN[v.page]
        self.left = left
        width = pdf.w - left - right
        self.cols = column_widths(spec, width, v.widths == "narrow", self._measure(""), PAD)
        self.xs = [left + sum(self.cols[:i]) for i in range(len(self.cols) + 1)]
        self.boxes = [self._boxes(r) for r in range(len(spec.rows))]
        self.cut_done = False

    def _measure(self, style: str) -> Callable[[str], float]:
        return measurer(self.font_file(self.v, style), self.size)

    def _boxes(self, r: int) -> list[Box]:
        spec, out = self.spec, []
        header, total = r < spec.header_rows, r == len(spec.rows) - 1
        for c, text in enumerate(spec.rows[r]):
            if spec.covered(r, c):
                continue
            r0, c0, r1, c1 = spec.merge_at(r, c) or (r, c, r, c)
            width = self.xs[c1 + 1] - self.xs[c0] - 2 * PAD
            bold = header or total
            lines = wrap(text, width, self._measure("B" if bold else ""))
            centred = header or spec.centred[c] or (total and c == 0)
            boxes = Box(r, c, r1 - r0 + 1, c1 - c0 + 1, lines, bold, centred)
            out.append(boxes)
        return out

    def _height(self, boxes: list[Box], span_one: bool = True) -> float:
        n = max((len(b.lines) for b in boxes if b.row_span == 1 or not span_one), default=1)
        return n * self.lh + 2 * PAD

    def draw(self) -> None:
        """Rows top to bottom, the header again on each page; a row is cut by the page break where the
        rendering says so (once), or wherever it is taller than a page."""
        self._header()
        spec = self.spec
        body = range(spec.header_rows, len(spec.rows))
        capacity = self._bottom() - self.pdf.get_y()
        for r in body:
            boxes = self.boxes[r]
            height = self._height(boxes)
            while height > self._bottom() - self.pdf.get_y():
                fits = int((self._bottom() - self.pdf.get_y() - 2 * PAD) // self.lh)
                wanted = self.v.split == "cut" and not self.cut_done and r != body[-1]
                if (wanted or height > capacity) and fits >= 2:
                    self.cut_done = self.cut_done or wanted
                    first = [Box(b.row, b.col, 1, b.col_span, b.lines[:fits], b.bold, b.centred) for b in boxes]
                    boxes = [Box(b.row, b.col, 1, b.col_span, b.lines[fits:], b.bold, b.centred) for b in boxes]
                    self._row(first, self._height(first), last_on_page=True)
                    height = self._height(boxes)
                self._new_page()
            self._row(boxes, height, last_on_page=r == body[-1])

    def _bottom(self) -> float:
        return self.pdf.h - BOTTOM

    def _new_page(self) -> None:
        self.pdf.add_page(orientation="L" if self.v.page == "landscape" else "P")
        self._header()

    def _header(self) -> None:
        spec, y = self.spec, self.pdf.get_y()
        heights = [self._height(self.boxes[r]) for r in range(spec.header_rows)]
        for r in range(spec.header_rows):
            for b in self.boxes[r]:
                h = sum(heights[r : r + b.row_span])
                self._cell(b, y + sum(heights[:r]), h, top=True, bottom=True)
        self.pdf.set_y(y + sum(heights))

    def _row(self, boxes: list[Box], height: float, *, last_on_page: bool) -> None:
        y = self.pdf.get_y()
        grid = self.v.rules == "grid"
        total = boxes[0].row == len(self.spec.rows) - 1
        for b in boxes:
            self._cell(b, y, height, top=grid or total, bottom=grid or total or last_on_page)
        self.pdf.set_y(y + height)

    def _cell(self, b: Box, y: float, height: float, *, top: bool, bottom: bool) -> None:
        pdf = self.pdf
        x0, x1 = self.xs[b.col], self.xs[b.col + b.col_span]
        pdf.set_line_width(0.2)
        pdf.line(x0, y, x0, y + height)
        pdf.line(x1, y, x1, y + height)
        if top:
            pdf.line(x0, y, x1, y)
        if bottom:
            pdf.line(x0, y + height, x1, y + height)
        pdf.set_font("f", "B" if b.bold else "", self.size)
        for i, line in enumerate(b.lines):
            width = pdf.get_string_width(line)
            x = (x0 + x1 - width) / 2 if b.centred else x0 + PAD
            pdf.text(x, y + PAD + (i + 0.8) * self.lh, line)
