"""Ruled tables rebuilt from page images (extractor/parsers/ocr_table.py).

The pages are drawn here with fpdf2 (rules, merged cells, a narrow column, a table cut by a page break),
rendered at 200 dpi and speckled like a scan, then read back cell by cell; the texts are chosen to be read
exactly by Tesseract's Vietnamese model at that resolution.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache

import numpy
import pytest
from fpdf import FPDF
from PIL import Image

from extractor.parsers import ocr
from extractor.parsers.ocr_table import points_columns, read_tables
from extractor.parsers.pdf_tables import PdfTable, append_part, continues
from samples.generator.matrix import FONT_DIR, FONTS
from samples.generator.scan import degrade

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract with its Vietnamese model is not installed")

DPI = 200
SCALE = 72 / DPI
FONT = FONT_DIR / f"{FONTS['serif12'][1]}.ttf"
BOLD = FONT_DIR / f"{FONTS['serif12'][1]}-Bold.ttf"


@dataclass
class Box:
    """One cell to draw: its text lines, column and row in the layout, spans, and which sides are ruled."""

    lines: list[str]
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    bold: bool = False
    open_bottom: bool = False
    sides: dict[str, bool] = field(default_factory=dict)


def _pages(pages: list[tuple[list[float], list[float], list[Box]]]) -> bytes:
    """A PDF with one ruled table per page: (column widths, row heights, cells) in points."""
    if not FONT.exists() or not BOLD.exists():
        pytest.skip(f"font {FONT.name} is not installed (Debian fonts-dejavu-core)")
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("serif", "", str(FONT))
    pdf.add_font("serif", "B", str(BOLD))
    pdf.set_line_width(0.6)
    for widths, heights, boxes in pages:
        pdf.add_page()
        x0, y0 = 60.0, 80.0
        xs = [x0 + sum(widths[:i]) for i in range(len(widths) + 1)]
        ys = [y0 + sum(heights[:i]) for i in range(len(heights) + 1)]
        for b in boxes:
            left, right = xs[b.col], xs[b.col + b.cols]
            top, bottom = ys[b.row], ys[b.row + b.rows]
            pdf.line(left, top, right, top)
            pdf.line(left, top, left, bottom)
            pdf.line(right, top, right, bottom)
            if not b.open_bottom:
                pdf.line(left, bottom, right, bottom)
            pdf.set_font("serif", "B" if b.bold else "", 12)
            for i, text in enumerate(b.lines):
                width = pdf.get_string_width(text)
                pdf.text((left + right - width) / 2, top + 16 + 15 * i, text)
    return bytes(pdf.output())


@cache
def _read(pdf: bytes, page: int, noise: float = 6.0) -> list[PdfTable]:
    gray = ocr.render_page(pdf, page - 1, DPI)
    sheet = degrade(Image.fromarray(gray), angle=0.0, noise=noise, rng=numpy.random.default_rng(0))
    buf = io.BytesIO()
    sheet.save(buf, "JPEG", quality=80)
    image = numpy.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    return read_tables(image, page, SCALE)


def _texts(table: PdfTable) -> list[list[str]]:
    return [[c.text for c in table.row_cells(r)] for r in range(table.n_rows)]


HEADER = [
    Box(["STT"], 0, 0, bold=True),
    Box(["Tiêu chí"], 0, 1, bold=True),
    Box(["Điểm", "tối đa"], 0, 2, bold=True),
    Box(["Điểm", "đạt"], 0, 3, bold=True),
]
WIDTHS = [40.0, 200.0, 70.0, 70.0]


@cache
def _merged() -> bytes:
    boxes = [
        *HEADER,
        Box(["I"], 1, 0),
        Box(["HẠ TẦNG SỐ"], 1, 1, cols=3),
        Box(["1"], 2, 0),
        Box(["Ban hành kế hoạch"], 2, 1),
        Box(["5"], 2, 2),
        Box(["5"], 2, 3),
        Box(["2"], 3, 0),
        Box(["Cán bộ chuyên trách"], 3, 1),
        Box(["10"], 3, 2),
        Box(["7,50"], 3, 3),
        Box(["TỔNG ĐIỂM"], 4, 0, cols=2, bold=True),
        Box(["15"], 4, 2),
        Box(["12,50"], 4, 3),
    ]
    return _pages([(WIDTHS, [40, 26, 26, 26, 26], boxes)])


def test_a_grid_with_merged_cells_comes_back_with_its_spans_and_texts() -> None:
    [table] = _read(_merged(), 1)
    assert (table.n_rows, table.n_cols, table.header_rows) == (5, 4, 1)
    assert _texts(table) == [
        ["STT", "Tiêu chí", "Điểm\ntối đa", "Điểm\nđạt"],
        ["I", "HẠ TẦNG SỐ"],
        ["1", "Ban hành kế hoạch", "5", "5"],
        ["2", "Cán bộ chuyên trách", "10", "7,50"],
        ["TỔNG ĐIỂM", "15", "12,50"],
    ]
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in table.cells if (c.row_span, c.col_span) != (1, 1)}
    assert spans == {(1, 1): (1, 3), (4, 0): (1, 2)}
    # Column edges in PDF points, where the rules were drawn (within a pixel and a half of the scan).
    drawn = [60.0 + sum(WIDTHS[:i]) for i in range(len(WIDTHS) + 1)]
    assert table.col_edges == pytest.approx(drawn, abs=1.5 * SCALE + 0.5)
    assert points_columns(table) == [2, 3]


def test_every_read_cell_has_its_confidence_and_its_words_boxed_inside_it() -> None:
    [table] = _read(_merged(), 1)
    for cell in table.cells:
        assert cell.confidence is not None and 0 <= cell.confidence <= 100
        [(page, lines)] = cell.lines
        assert page == 1 and "\n".join(line.text for line in lines) == cell.text
        x0, top, x1, bottom = cell.bbox
        for line in lines:
            assert x0 <= line.x0 < line.x1 <= x1 and top <= line.top < line.bottom <= bottom


@cache
def _narrow() -> bytes:
    widths = [18.0, 200.0, 70.0, 70.0]
    boxes = [
        Box(["S", "T", "T"], 0, 0, bold=True),
        Box(["Tiêu chí"], 0, 1, bold=True),
        Box(["Điểm", "tối đa"], 0, 2, bold=True),
        Box(["Điểm", "đạt"], 0, 3, bold=True),
        Box(["9"], 1, 0),
        Box(["Văn bản điện tử"], 1, 1),
        Box(["5"], 1, 2),
        Box(["4,50"], 1, 3),
        Box(["10"], 2, 0),
        Box(["Dịch vụ công"], 2, 1),
        Box(["5"], 2, 2),
        Box(["4,75"], 2, 3),
        Box([""], 3, 0),
        Box([""], 3, 1),
        Box(["5"], 3, 2),
        Box([""], 3, 3),
    ]
    return _pages([(widths, [52, 26, 26, 26], boxes)])


def test_a_narrow_column_keeps_its_wrapped_header_and_its_numbers_and_empty_cells_stay_empty() -> None:
    [table] = _read(_narrow(), 1)
    assert (table.n_rows, table.n_cols, table.header_rows) == (4, 4, 1)
    assert _texts(table) == [
        ["S\nT\nT", "Tiêu chí", "Điểm\ntối đa", "Điểm\nđạt"],
        ["9", "Văn bản điện tử", "5", "4,50"],
        ["10", "Dịch vụ công", "5", "4,75"],
        ["", "", "5", ""],
    ]
    empty = [c for c in table.cells if not c.text]
    assert len(empty) == 3 and all(c.confidence is None and c.lines == [(1, [])] for c in empty)


@cache
def _cut() -> bytes:
    first = [
        *HEADER,
        Box(["1"], 1, 0),
        Box(["Ban hành kế hoạch"], 1, 1),
        Box(["5"], 1, 2),
        Box(["5"], 1, 3),
        # The page break cuts row 2: no rule closes it, the column rules run on to the page's end.
        Box(["2"], 2, 0, open_bottom=True),
        Box(["Cán bộ chuyên trách"], 2, 1, open_bottom=True),
        Box(["10"], 2, 2, open_bottom=True),
        Box(["7,50"], 2, 3, open_bottom=True),
    ]
    second = [
        *HEADER,
        Box([""], 1, 0),
        Box(["kiêm nhiệm"], 1, 1),
        Box([""], 1, 2),
        Box([""], 1, 3),
        Box(["3"], 2, 0),
        Box(["Văn bản điện tử"], 2, 1),
        Box(["5"], 2, 2),
        Box(["4,50"], 2, 3),
    ]
    return _pages([(WIDTHS, [40, 26, 40], first), (WIDTHS, [40, 26, 26], second)])


def test_a_row_cut_by_the_page_break_is_closed_and_stitched_to_its_rest_on_the_next_page() -> None:
    [a] = _read(_cut(), 1)
    [b] = _read(_cut(), 2)
    assert (a.n_rows, b.n_rows) == (3, 3)
    assert _texts(a)[2] == ["2", "Cán bộ chuyên trách", "10", "7,50"]
    assert continues(a, b)
    append_part(a, b)
    assert a.pages == [1, 2]
    assert _texts(a) == [
        ["STT", "Tiêu chí", "Điểm\ntối đa", "Điểm\nđạt"],
        ["1", "Ban hành kế hoạch", "5", "5"],
        ["2", "Cán bộ chuyên trách\nkiêm nhiệm", "10", "7,50"],
        ["3", "Văn bản điện tử", "5", "4,50"],
    ]
    title = a.cell_at(2, 1)
    assert title is not None and [p for p, _ in title.lines] == [1, 2] and title.end_page == 2


@cache
def _misprinted() -> bytes:
    boxes = [
        *HEADER,
        Box(["1"], 1, 0),
        Box(["Số 5."], 1, 1),  # not a points column: stays as printed
        Box(["5."], 1, 2),  # a stray full stop after the number
        Box(["1O"], 1, 3),  # a letter O for a zero
    ]
    return _pages([(WIDTHS, [40, 26], boxes)])


def test_points_cells_are_repaired_and_say_so_other_cells_stay_as_read() -> None:
    [table] = _read(_misprinted(), 1)
    row = {c.col: c for c in table.row_cells(1)}
    assert (row[1].text, row[1].repair) == ("Số 5.", None)
    assert (row[2].text, row[2].repair) == ("5", "bỏ dấu «.» cuối")
    assert (row[3].text, row[3].repair) == ("10", "O→0")
    # The boxes follow the repaired text, so that a quote of the cell is still found on the page.
    assert [line.text for _, lines in row[3].lines for line in lines] == ["10"]


def test_a_page_without_rules_has_no_table() -> None:
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("serif", "", str(FONT))
    pdf.set_font("serif", "", 12)
    for i in range(20):
        pdf.text(60, 80 + 18 * i, "Ủy ban nhân dân xã báo cáo kết quả chuyển đổi số ____________")
    assert _read(bytes(pdf.output()), 1) == []


def test_a_seal_with_a_signature_across_it_is_no_table(realdoc) -> None:
    """Real scan 18: the signature's strokes cross the red seal in long straight lines, but draw no frame."""
    data = realdoc("18_").read_bytes()
    gray, _ = ocr.deskew(ocr.render_page(data, 0, DPI))
    assert read_tables(gray, 1, SCALE) == []


@cache
def _unruled() -> bytes:
    """No rule between the body rows: each column is one tall box, the rows told apart by their numbers."""
    boxes = [
        *HEADER,
        Box(["1", "", "2", "", "3"], 1, 0),
        Box(["Ban hành kế hoạch", "", "Cán bộ chuyên trách", "", "Văn bản điện tử"], 1, 1),
        Box(["5", "", "10", "", "5"], 1, 2),
        Box(["5", "", "7,50", "", "4,50"], 1, 3),
    ]
    return _pages([(WIDTHS, [40, 84], boxes)])


def test_rows_drawn_without_rules_between_them_are_cut_where_each_number_starts() -> None:
    [table] = _read(_unruled(), 1)
    assert (table.n_rows, table.n_cols, table.header_rows) == (4, 4, 1)
    assert _texts(table)[1:] == [
        ["1", "Ban hành kế hoạch", "5", "5"],
        ["2", "Cán bộ chuyên trách", "10", "7,50"],
        ["3", "Văn bản điện tử", "5", "4,50"],
    ]
