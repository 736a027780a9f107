"""A workbook's size, measured before it is loaded, and its cells streamed when it is too large to load.

``measure(data)`` reads each worksheet part once, inflating it in chunks, and counts its cells (``<c``
elements) and merged ranges (``<mergeCell ref="A1:C1"/>``): a 2 MB workbook of 600,000 numbers is measured
in a fraction of a second and in constant memory. The full reader (extractor.parsers.xlsx) loads a workbook
twice (formulas and cached values) and keeps every cell as an object, which costs about a kilobyte per cell;
a workbook over the cell budget (``ParseOptions.max_cells``) is instead streamed by ``stream_cells`` in
openpyxl's read-only mode (cached values, no formula evaluation), up to the budget.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import openpyxl
import regex
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

_CHUNK = 1 << 20  # bytes of a worksheet part inflated at a time
_MERGE = regex.compile(rb'<mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"')
_OVERLAP = 64  # bytes kept between chunks so that a tag cut by a chunk boundary is still found


@dataclass
class PartSize:
    cells: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_row, min_col, max_row, max_col)


def measure(data: bytes) -> dict[str, PartSize]:
    """Cells and merged ranges of every worksheet part ("xl/worksheets/sheet1.xml"), streamed."""
    out: dict[str, PartSize] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as part:
                    out[info.filename] = _measure_part(part)
    return out


def _measure_part(part: IO[bytes]) -> PartSize:
    size = PartSize()
    tail = b""
    while chunk := part.read(_CHUNK):
        buf = tail + chunk
        size.cells += _count_cells(buf) - _count_cells(tail)  # those wholly in the tail were counted already
        cut = max(0, len(buf) - _OVERLAP)
        size.merges += _merges(buf, cut)  # a merge starting in the kept tail is read with the next chunk
        tail = buf[cut:]
    size.merges += _merges(tail, len(tail))
    return size


def _count_cells(buf: bytes) -> int:
    return sum(buf.count(b"<c" + after) for after in (b" ", b">", b"/", b"\n", b"\t", b"\r"))


def _merges(buf: bytes, before: int) -> list[tuple[int, int, int, int]]:
    """The merged ranges whose element starts before ``before`` in ``buf``."""
    out = []
    at = buf.find(b"<mergeCell")
    while 0 <= at < before:
        if m := _MERGE.match(buf, at):
            out.append(_bounds(m.group(1).decode()))
        at = buf.find(b"<mergeCell", at + 1)
    return out


def _bounds(ref: str) -> tuple[int, int, int, int]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return int(min_row or 1), int(min_col or 1), int(max_row or 1), int(max_col or 1)


@contextmanager
def _no_dimension_scan() -> Iterator[None]:
    """openpyxl's read-only sheet looks for its <dimension> when opened, and parses the whole sheet when there
    is none (as in files openpyxl writes itself): skipped, since the rows are read without it."""
    saved = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = saved


@dataclass
class StreamedSheet:
    title: str
    state: str  # "visible", "hidden", "veryHidden"
    part: str  # its worksheet part, whose merged ranges ``measure`` found
    cells: list[tuple[tuple[int, int], object, str]]  # ((row, col), cached value, number format)
    cut_short: bool = False  # the budget ran out inside this sheet


def stream_cells(data: bytes, budget: int) -> Iterator[StreamedSheet]:
    """Each sheet's non-empty cells in read-only mode (cached values), at most ``budget`` in all."""
    with warnings.catch_warnings(), _no_dimension_scan():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        left = budget
        for ws in wb.worksheets:
            sheet = StreamedSheet(ws.title, ws.sheet_state, str(getattr(ws, "_worksheet_path", "")), [])
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    if left <= 0:
                        sheet.cut_short = True
                        break
                    sheet.cells.append(((cell.row, cell.column), value, cell.number_format or "General"))
                    left -= 1
                if sheet.cut_short:
                    break
            yield sheet
            if sheet.cut_short:
                return
    finally:
        wb.close()
