"""Read an XLSX workbook (openpyxl) into a Document.

Pages: each visible worksheet, in workbook order, is one page; ``page`` is the sheet's 1-based position
among the visible sheets (the builder gets one page per sheet). Hidden sheets are not read (a notice says
so when they hold content), but formulas may still refer to them.

A sheet gives, in order:
  - a paragraph with the sheet title (style "sheet_title");
  - its content split into blocks where fully empty rows separate them. In a block, a band of rows holding
    a single text cell above or below the grid (e.g. "PHỤ LỤC" merged across the table) is a paragraph;
    the rest is one table. Merged cells appear once, at their origin, with row_span/col_span; every other
    empty slot of the grid is an empty cell, so a row's text keeps one "\\t" per column.

Cell text is what a reader sees: numbers in their shortest exact form ("5", "4.63", "99.25"),
percentages by their number format (0.925 with "0.0%" -> "92.5%"), dates DD/MM/YYYY, TRUE/FALSE, strings
as written ("\\n" kept). ``Cell.value`` holds the exact stored number (0.925 for "92.5%"), taken from the
stored digits, never from float arithmetic. A formula cell keeps ``Cell.formula`` ("=SUM(E2:E19)") and its
cached value; a workbook never recalculated (written by openpyxl or a generator) has none, so the formula
is computed by :mod:`extractor.parsers.formula`. One that cannot be computed has text "" and a notice
naming the cell.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal

import openpyxl
import regex
from openpyxl.cell.cell import MergedCell
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from extractor.builder import CellSpec, DocumentBuilder
from extractor.errors import CorruptFileError, EmptyFileError
from extractor.model import Document, Source
from extractor.options import ParseOptions
from extractor.parsers.formula import Evaluator, FormulaError, Key, cell_name
from extractor.parsers.xlsx_stream import PartSize, measure, stream_cells

# A table whose grid would exceed this many slots, or this many per content cell, gets its content cells
# only (no empty fillers): a column of 10,000 numbers and one cell 98 columns away would otherwise cost a
# million empty cells.
MAX_GRID_SLOTS = 50_000
MAX_SLOTS_PER_CELL = 8
# Formula notices listed one by one before a single summary notice.
MAX_FORMULA_NOTICES = 100
# Significant digits of a stored float that are real (Excel's precision); the rest is binary noise.
_FLOAT_DIGITS = Context(prec=15)


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    sizes = _measure(data)
    if sum(size.cells for size in sizes.values()) > options.max_cells:
        return _parse_streamed(data, source, options, sizes)
    formulas_wb = _load(data, data_only=False)
    evaluator = Evaluator(*_workbook_values(formulas_wb, _load(data, data_only=True)))
    builder = DocumentBuilder(source)
    notes = _Notes(builder)
    found = False
    for number, ws in enumerate(_sheets_to_read(formulas_wb, notes, evaluator), 1):
        builder.add_page(number)
        builder.add_paragraph(ws.title, page=number, style="sheet_title")
        found |= _read_sheet(builder, notes, ws, evaluator, number)
    if not found:
        notes.add("xlsx_no_content", "Bảng tính không có ô nào có nội dung.", "The workbook has no cell with content.")
    notes.flush()
    return builder.build()


def _measure(data: bytes) -> dict[str, PartSize]:
    try:
        return measure(data)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise CorruptFileError("xlsx", detail=f"{type(exc).__name__}: {exc}") from exc


def _parse_streamed(data: bytes, source: Source, options: ParseOptions, sizes: dict[str, PartSize]) -> Document:
    """A workbook over the cell budget: its visible sheets' stored values, streamed, up to the budget."""
    builder = DocumentBuilder(source)
    notes = _Notes(builder)
    number, found, cut = 0, False, False
    try:
        for streamed in stream_cells(data, options.max_cells):
            cut |= streamed.cut_short
            if streamed.state != "visible":
                continue
            number += 1
            builder.add_page(number)
            builder.add_paragraph(streamed.title, page=number, style="sheet_title")
            contents = {key: _streamed_content(value, fmt) for key, value, fmt in streamed.cells}
            part = sizes.get(streamed.part.lstrip("/"), PartSize())
            sheet = _Sheet(contents, _spans(part.merges, contents))
            found |= _lay_out(builder, notes, sheet, number)
    except Exception as exc:  # openpyxl raises many kinds on a broken part: all mean a corrupt file
        raise CorruptFileError("xlsx", detail=f"{type(exc).__name__}: {exc}") from exc
    total = sum(size.cells for size in sizes.values())
    if cut:
        notes.add(
            "xlsx_cells_skipped",
            f"Bảng tính có khoảng {total:,} ô, vượt giới hạn {options.max_cells:,} ô: chỉ đọc {options.max_cells:,} ô "
            "đầu tiên (giá trị đã lưu, không tính lại công thức); kết quả kiểm tra chỉ dựa trên phần đã đọc.",
            f"The workbook has about {total:,} cells, over the limit of {options.max_cells:,}: only the first "
            f"{options.max_cells:,} were read (stored values, formulas not recomputed); the audit covers only those.",
        )
    if not found:
        notes.add("xlsx_no_content", "Bảng tính không có ô nào có nội dung.", "The workbook has no cell with content.")
    return builder.build()


def _streamed_content(value: object, number_format: str) -> _Content:
    text, number = render(value, number_format)
    return _Content(text, number, None, isinstance(value, str))


def _sheets_to_read(wb: openpyxl.Workbook, notes: _Notes, ev: Evaluator) -> list[Worksheet]:
    """The visible worksheets (all of them if every one is hidden); hidden ones with content are noted."""
    sheets = list(wb.worksheets)
    if not sheets:
        raise EmptyFileError()
    shown = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not shown:
        notes.add(
            "xlsx_all_sheets_hidden", "Mọi trang tính đều ẩn; đã đọc tất cả.", "Every sheet is hidden; all were read."
        )
        return sheets
    for ws in sheets:
        if ws.sheet_state != "visible" and (ev.constants.get(ws.title) or ev.formulas.get(ws.title)):
            notes.add(
                "xlsx_hidden_sheet",
                f"Trang tính ẩn '{ws.title}' có nội dung nhưng không được đọc.",
                f"The hidden sheet '{ws.title}' has content and was not read.",
            )
    return shown


def _load(data: bytes, *, data_only: bool) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions it skips
        try:
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds on a broken part: all mean a corrupt file
            raise CorruptFileError("xlsx", detail=f"{type(exc).__name__}: {exc}") from exc


@dataclass
class _Notes:
    """Notices for the builder; formula failures beyond MAX_FORMULA_NOTICES are summed up in one."""

    builder: DocumentBuilder
    formula_failures: int = 0

    def add(self, code: str, vi: str, en: str, page: int | None = None) -> None:
        self.builder.notice(code, vi, en, page=page)

    def formula(self, name: str, formula: str, exc: FormulaError, page: int) -> None:
        self.formula_failures += 1
        if self.formula_failures <= MAX_FORMULA_NOTICES:
            self.add(
                "xlsx_formula_not_computed",
                f"Không tính được công thức {formula} ở ô {name}: {exc.message_vi}; ô để trống.",
                f"Formula {formula} in cell {name} could not be computed: {exc.message_en}; the cell is left empty.",
                page,
            )

    def flush(self) -> None:
        extra = self.formula_failures - MAX_FORMULA_NOTICES
        if extra > 0:
            self.add(
                "xlsx_formula_not_computed",
                f"Còn {extra} công thức khác không tính được; các ô đó để trống.",
                f"{extra} more formulas could not be computed; those cells are left empty.",
            )


# --- values -----------------------------------------------------------------------------------------


def _workbook_values(formulas_wb: openpyxl.Workbook, values_wb: openpyxl.Workbook) -> tuple[dict, dict]:
    """Per sheet: stored constants and cached results (numbers as Decimal), and formulas lacking a cache."""
    constants: dict[str, dict[Key, object]] = {}
    formulas: dict[str, dict[Key, str]] = {}
    for ws in formulas_wb.worksheets:
        cached = values_wb[ws.title]._cells
        constants[ws.title] = {k: _stored(c.value) for k, c in cached.items() if c.value is not None}
        formulas[ws.title] = {}
        for key, cell in ws._cells.items():
            text = _formula_text(cell)
            if text is not None and key not in constants[ws.title]:
                formulas[ws.title][key] = text
    return constants, formulas


def _formula_text(cell: object) -> str | None:
    value = getattr(cell, "value", None)
    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, DataTableFormula):  # a what-if table: kept so that a missing cache is noticed
        return f"=TABLE({value.r1 or ''},{value.r2 or ''})"
    if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return value
    return None


def _stored(value: object) -> object:
    """Numbers as Decimal from their stored digits (4.63, never 4.63000000001); other values unchanged.

    A float keeps 15 significant digits, as Excel shows it: a cached 0.30000000000000004 reads 0.3.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    exact = Decimal(value) if isinstance(value, int) else _FLOAT_DIGITS.plus(Decimal(repr(value)))
    return Decimal(_number_text(exact)) if exact.is_finite() else exact


def _number_text(number: Decimal) -> str:
    """Shortest exact form without exponent: Decimal("5.0") -> "5", Decimal("1E+2") -> "100"."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


_LITERAL = regex.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _percent_places(number_format: str) -> int | None:
    """Decimal places of a percentage format ("0.0%" -> 1, "0%" -> 0), None when it is no percentage."""
    section = _LITERAL.sub("", number_format or "").split(";")[0]
    if "%" not in section:
        return None
    places = regex.search(r"\.([0#?]+)", section)
    return len(places.group(1)) if places else 0


def render(value: object, number_format: str = "General") -> tuple[str, Decimal | None]:
    """What a reader sees in the cell, and its exact number if it is one. e.g. (0.925, "0.0%") -> ("92.5%", 0.925)."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int | float | Decimal):
        return _render_number(value if isinstance(value, Decimal) else _stored(value), number_format)
    if isinstance(value, datetime):
        day = _date_text(value)
        return (day if value.time() == time(0) else f"{day} {_time_text(value.time())}"), None
    if isinstance(value, date):
        return _date_text(value), None
    if isinstance(value, time):
        return _time_text(value), None
    if isinstance(value, timedelta):
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}", None
    return str(value), None


def _render_number(number: object, number_format: str) -> tuple[str, Decimal | None]:
    if not isinstance(number, Decimal) or not number.is_finite():
        return str(number), None
    number = Decimal(_number_text(number))
    if is_date_format(number_format):  # a computed result in a date cell is a serial day number
        try:
            return render(from_excel(float(number)), "General")[0], None
        except (ValueError, OverflowError):
            pass
    places = _percent_places(number_format)
    if places is None:
        return _number_text(number), number
    shown = (number * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{abs(shown) if shown == 0 else shown:f}%", number


def _date_text(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _time_text(moment: time) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}"
    return text + (f":{moment.second:02d}" if moment.second else "")


# --- layout -----------------------------------------------------------------------------------------


@dataclass
class _Content:
    text: str
    value: Decimal | None = None
    formula: str | None = None
    is_text: bool = False  # a plain string (no formula): may stand outside a grid as a paragraph


@dataclass
class _Sheet:
    """One sheet's content cells and merged spans, as the layout functions need them."""

    contents: dict[Key, _Content]
    spans: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def span(self, key: Key) -> tuple[int, int]:
        return self.spans.get(key, (1, 1))


def _read_sheet(builder: DocumentBuilder, notes: _Notes, ws: Worksheet, ev: Evaluator, page: int) -> bool:
    """Add the sheet's paragraphs and tables; True when it had any content."""
    sheet = _Sheet(_contents(ws, ev, notes, page))
    sheet.spans = _merges(ws, sheet.contents)
    return _lay_out(builder, notes, sheet, page)


def _lay_out(builder: DocumentBuilder, notes: _Notes, sheet: _Sheet, page: int) -> bool:
    blocks = _blocks(sheet)
    for (top, bottom), keys in zip(blocks, _group(sorted(sheet.contents), blocks), strict=True):
        _add_block(builder, notes, sheet, keys, top, bottom, page)
    return bool(sheet.contents)


def _group(keys: list[Key], ranges: list[tuple[int, int]]) -> list[list[Key]]:
    """Sorted keys split by the (sorted, disjoint) row ranges holding them."""
    starts = [top for top, _ in ranges]
    groups: list[list[Key]] = [[] for _ in ranges]
    for key in keys:
        groups[bisect_right(starts, key[0]) - 1].append(key)
    return groups


def _contents(ws: Worksheet, ev: Evaluator, notes: _Notes, page: int) -> dict[Key, _Content]:
    out: dict[Key, _Content] = {}
    title: str = ws.title
    for key, cell in sorted(ws._cells.items()):
        if isinstance(cell, MergedCell):
            continue
        formula = _formula_text(cell)
        try:
            value = ev.value(title, key)
        except FormulaError as exc:
            notes.formula(cell_name(title, key), formula or "", exc, page)
            value = None
        text, number = render(value, cell.number_format)
        if formula is not None or text.strip():
            out[key] = _Content(text, number, formula, formula is None and isinstance(value, str))
    return out


def _merges(ws: Worksheet, contents: dict[Key, _Content]) -> dict[Key, tuple[int, int]]:
    """Spans of merged ranges whose origin has content, clipped to the sheet's content extent."""
    ranges = [(rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in ws.merged_cells.ranges]
    return _spans(ranges, contents)


def _spans(ranges: list[tuple[int, int, int, int]], contents: dict[Key, _Content]) -> dict[Key, tuple[int, int]]:
    """(min_row, min_col, max_row, max_col) ranges as spans at their origins (see ``_merges``)."""
    if not contents:
        return {}
    last_row = max(r for r, _ in contents)
    last_col = max(c for _, c in contents)
    spans: dict[Key, tuple[int, int]] = {}
    for min_row, min_col, max_row, max_col in ranges:
        key = (min_row, min_col)
        if key in contents:
            rows = min(max_row, max(last_row, key[0])) - key[0] + 1
            cols = min(max_col, max(last_col, key[1])) - key[1] + 1
            if rows > 1 or cols > 1:
                spans[key] = (rows, cols)
    return spans


def _blocks(sheet: _Sheet) -> list[tuple[int, int]]:
    """Runs of rows holding content (a merged cell fills every row it spans), split at fully empty rows."""
    rows: set[int] = set()
    for key in sheet.contents:
        rows.update(range(key[0], key[0] + sheet.span(key)[0]))
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _bands(sheet: _Sheet, keys: list[Key], top: int, bottom: int) -> list[tuple[int, int]]:
    """Smallest row groups of a block that no merged cell crosses."""
    reach: dict[int, int] = {}
    for row, col in keys:
        reach[row] = max(reach.get(row, row), row + sheet.span((row, col))[0] - 1)
    bands: list[tuple[int, int]] = []
    start = end = top
    for row in range(top, bottom + 1):
        if row > end:
            bands.append((start, end))
            start = end = row
        end = max(end, reach.get(row, row))
    bands.append((start, end))
    return bands


def _add_block(
    builder: DocumentBuilder, notes: _Notes, sheet: _Sheet, keys: list[Key], top: int, bottom: int, page: int
) -> None:
    left = min(c for _, c in keys)
    bands = _bands(sheet, keys, top, bottom)
    in_band = _group(keys, bands)
    outside = [len(ks) == 1 and _stands_alone(sheet, ks[0], left) for ks in in_band]
    first = next((i for i, alone in enumerate(outside) if not alone), len(bands))
    last = max((i for i, alone in enumerate(outside) if not alone), default=-1)
    for i in range(first):
        builder.add_paragraph(sheet.contents[in_band[i][0]].text, page=page)
    if first <= last:
        grid_keys = [k for ks in in_band[first : last + 1] for k in ks]
        _add_table(builder, notes, sheet, grid_keys, bands[first : last + 1], page)
    for i in range(max(last + 1, first), len(bands)):
        builder.add_paragraph(sheet.contents[in_band[i][0]].text, page=page)


def _stands_alone(sheet: _Sheet, key: Key, left: int) -> bool:
    """A lone text cell (with a letter in it) at the block's left edge or merged across columns."""
    content = sheet.contents[key]
    return (
        content.is_text
        and regex.search(r"\p{L}", content.text) is not None
        and (key[1] == left or sheet.span(key)[1] > 1)
    )


def _add_table(
    builder: DocumentBuilder, notes: _Notes, sheet: _Sheet, keys: list[Key], bands: list[tuple[int, int]], page: int
) -> None:
    top, bottom = bands[0][0], bands[-1][1]
    left = min(c for _, c in keys)
    right = max(c + sheet.span((r, c))[1] - 1 for r, c in keys)
    slots = (bottom - top + 1) * (right - left + 1)
    if slots > min(MAX_GRID_SLOTS, max(MAX_SLOTS_PER_CELL * len(keys), 2_000)):
        notes.add(
            "xlsx_sparse_table",
            f"Bảng ở dòng {top}–{bottom} quá thưa; chỉ giữ các ô có nội dung.",
            f"The table at rows {top}–{bottom} is too sparse; only cells with content are kept.",
            page,
        )
        cells = [_spec(sheet, k, top, left) for k in keys]
    else:
        cells = _grid_cells(sheet, keys, top, bottom, left, right)
    builder.add_table(cells, header_rows=_header_rows(sheet, keys, bands), page=page)


def _spec(sheet: _Sheet, key: Key, top: int, left: int) -> CellSpec:
    content = sheet.contents[key]
    rows, cols = sheet.span(key)
    return CellSpec(content.text, key[0] - top, key[1] - left, rows, cols, value=content.value, formula=content.formula)


def _grid_cells(sheet: _Sheet, keys: list[Key], top: int, bottom: int, left: int, right: int) -> list[CellSpec]:
    """Origin cells (a cell inside an earlier merge is dropped) plus an empty cell for every free slot."""
    covered: set[Key] = set()
    cells: list[CellSpec] = []
    for key in keys:
        if key in covered:
            continue
        rows, cols = sheet.span(key)
        covered.update((r, c) for r in range(key[0], key[0] + rows) for c in range(key[1], key[1] + cols))
        cells.append(_spec(sheet, key, top, left))
    for r in range(top, bottom + 1):
        cells += [CellSpec("", r - top, c - left) for c in range(left, right + 1) if (r, c) not in covered]
    return cells


def _header_rows(sheet: _Sheet, keys: list[Key], bands: list[tuple[int, int]]) -> int:
    """The first band is a header when all its cells are plain text and a later row holds a number."""
    if len(bands) < 2:
        return 0
    head_top, head_bottom = bands[0]
    head = [sheet.contents[k] for k in keys if k[0] <= head_bottom]
    body = [sheet.contents[k] for k in keys if k[0] > head_bottom]
    if all(c.is_text for c in head) and any(c.value is not None for c in body):
        return head_bottom - head_top + 1
    return 0
