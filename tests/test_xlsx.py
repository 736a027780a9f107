"""XLSX parser: workbooks are built here with openpyxl (which stores no cached formula values)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from extractor.errors import CorruptFileError, EmptyFileError, EncryptedFileError, UnsafeFileError
from extractor.model import Cell, Document, Paragraph, Table
from extractor.reading import parse
from tests.invariants import assert_spans

# Points of the 18 criteria in the seed appendix (criteria 8 and 15 are worth 10, the rest 5).
SEED_POINTS = [
    "5",
    "5",
    "5",
    "5",
    "5",
    "5",
    "5",
    "10",
    "4.63",
    "4.99",
    "4.97",
    "4.99",
    "4.67",
    "5",
    "10",
    "5",
    "5",
    "5",
]
HEADER = ["STT", "Tiêu chí", "Điểm tối đa", "Tài liệu kiểm chứng", "Điểm đạt"]


def workbook_bytes(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(data: bytes) -> Document:
    doc = parse(data, filename="bao-cao.xlsx")
    assert doc.source.format == "xlsx"
    assert_spans(doc)
    return doc


def number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def write_appendix(ws: Worksheet, rows: list[tuple[str, str, str, str, str]]) -> int:
    """The seed's appendix shape: title lines merged across the top, header, criteria, TỔNG ĐIỂM. Returns its row."""
    ws.append(["PHỤ LỤC"])
    ws.append(["KẾT QUẢ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, CHUYỂN ĐỔI SỐ - QUÝ II NĂM 2026"])
    ws.append(["(Kèm theo Công văn số 1498/UBND-VHXH ngày 12/6/2026 của UBND xã)"])
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    ws.append(HEADER)
    for stt, criterion, maximum, evidence, points in rows:
        ws.append([int(stt), criterion, number(maximum), evidence, number(points)])
    total = ws.max_row + 1
    ws.append(["TỔNG ĐIỂM", None, f"=SUM(C5:C{total - 1})", "≥ 70 điểm: Đạt yêu cầu", f"=SUM(E5:E{total - 1})"])
    ws.merge_cells(start_row=total, start_column=1, end_row=total, end_column=2)
    return total


def seed_rows(points: list[str]) -> list[tuple[str, str, str, str, str]]:
    return [
        (str(i), f"Tiêu chí {i}", "10" if i in (8, 15) else "5", f"- KH số {i}/KH-UBND ngày 22/01/2026\n- dòng 2", p)
        for i, p in enumerate(points, 1)
    ]


def cell_at(table: Table, row: int, col: int) -> Cell:
    found = table.grid()[row][col]
    assert found is not None, f"no cell at ({row}, {col})"
    return found


def only_table(doc: Document) -> Table:
    assert len(doc.tables) == 1, [t.text for t in doc.tables]
    return doc.tables[0]


# --- the scoring appendix ------------------------------------------------------------------------------


def test_sum_without_cached_value_is_computed_exactly() -> None:
    doc = read(workbook_bytes(lambda wb: write_appendix(wb.active, seed_rows(SEED_POINTS))))
    table = only_table(doc)
    total = table.rows[-1]
    assert total.cells[0].text == "TỔNG ĐIỂM" and total.cells[0].col_span == 2
    claimed = cell_at(table, table.n_rows - 1, 4)
    assert claimed.formula == "=SUM(E5:E22)"
    assert claimed.value == sum((Decimal(p) for p in SEED_POINTS), Decimal(0)) == Decimal("99.25")
    assert claimed.text == "99.25"
    maxima = cell_at(table, table.n_rows - 1, 2)
    assert (maxima.text, maxima.value) == ("100", Decimal(100))
    assert doc.notices == []


def test_title_rows_merged_across_the_top_become_paragraphs_before_the_table() -> None:
    doc = read(workbook_bytes(lambda wb: write_appendix(wb.active, seed_rows(SEED_POINTS))))
    kinds = [(b.kind, b.text.split("\n")[0][:20]) for b in doc.blocks]
    assert kinds[:4] == [
        ("paragraph", "Sheet"),
        ("paragraph", "PHỤ LỤC"),
        ("paragraph", "KẾT QUẢ CHẤM ĐIỂM ỨN"),
        ("paragraph", "(Kèm theo Công văn s"),
    ]
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].style == "sheet_title"
    table = only_table(doc)
    assert table.texts()[0] == HEADER
    assert table.header_rows == 1 and table.rows[0].header and not table.rows[1].header
    assert (table.n_rows, table.n_cols) == (1 + len(SEED_POINTS) + 1, 5)


def test_cells_keep_numbers_exact_and_text_as_written() -> None:
    doc = read(workbook_bytes(lambda wb: write_appendix(wb.active, seed_rows(SEED_POINTS))))
    table = only_table(doc)
    points = [cell_at(table, r, 4) for r in range(1, 1 + len(SEED_POINTS))]
    assert [c.text for c in points] == SEED_POINTS
    assert [c.value for c in points] == [Decimal(p) for p in SEED_POINTS]
    evidence = cell_at(table, 1, 3)
    assert evidence.text == "- KH số 1/KH-UBND ngày 22/01/2026\n- dòng 2" and evidence.value is None
    assert doc.text[evidence.start : evidence.end] == evidence.text


def test_seed_appendix_total_matches_its_claimed_total(seed) -> None:
    text = seed("000").read_text(encoding="utf-8")
    rows = [tuple(line.split("\t")) for line in text.splitlines() if re.match(r"^\d+\t", line)]
    rows = [(stt, crit, mx, ev, pts.strip().replace(",", ".")) for stt, crit, mx, ev, pts in rows]
    claimed = re.search(r"TỔNG ĐIỂM.*\t([\d,]+)\s*/100", text)
    assert claimed is not None and len(rows) == 18
    doc = read(workbook_bytes(lambda wb: write_appendix(wb.active, rows)))
    table = only_table(doc)
    total = cell_at(table, table.n_rows - 1, 4)
    assert total.value == Decimal(claimed.group(1).replace(",", "."))
    assert cell_at(table, table.n_rows - 1, 2).value == Decimal(100)


# --- formulas ------------------------------------------------------------------------------------------


def test_formula_referring_to_other_formulas_and_sheets() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        total = write_appendix(wb.active, seed_rows(SEED_POINTS))
        wb.active.title = "Phụ lục"
        summary = wb.create_sheet("Tổng hợp")
        summary["A1"], summary["B1"] = "Tổng điểm", f"='Phụ lục'!E{total}"
        summary["A2"], summary["B2"] = "Tỷ lệ đạt", f"=B1/'Phụ lục'!C{total}"
        summary["B2"].number_format = "0.0%"
        summary["A3"], summary["B3"] = "Còn thiếu", "=100-B1"
        summary["A4"], summary["B4"] = "Bình quân", f"=ROUND(AVERAGE('Phụ lục'!E5:E{total - 1}),2)"

    table = read(workbook_bytes(build)).tables[1]
    assert table.texts() == [
        ["Tổng điểm", "99.25"],
        ["Tỷ lệ đạt", "99.3%"],
        ["Còn thiếu", "0.75"],
        ["Bình quân", "5.51"],
    ]
    assert cell_at(table, 1, 1).value == Decimal("0.9925")
    assert cell_at(table, 3, 1).value == Decimal("5.51")  # 99.25 / 18 = 5.513…


def test_formula_that_cannot_be_computed_is_empty_with_a_notice_naming_the_cell() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.title = "Điểm"
        ws.append(["Tổng", 70, '=IF(B1>=70,"Đạt","Không đạt")'])
        ws.append(["Tỷ lệ", "=B1/0", "=C1"])
        ws.append(["Vòng", "=C3+1", "=B3*2"])

    doc = read(workbook_bytes(build))
    table = only_table(doc)
    assert table.texts() == [["Tổng", "70", ""], ["Tỷ lệ", "", ""], ["Vòng", "", ""]]
    assert cell_at(table, 0, 2).formula == '=IF(B1>=70,"Đạt","Không đạt")'
    assert all(n.code == "xlsx_formula_not_computed" and n.page == 1 for n in doc.notices)
    by_cell = {m.group(): n for n in doc.notices if (m := re.search(r"Điểm!\w+", n.message_en))}
    assert sorted(by_cell) == ["Điểm!B2", "Điểm!B3", "Điểm!C1", "Điểm!C2", "Điểm!C3"]
    assert "division by zero" in by_cell["Điểm!B2"].message_en and "chia cho 0" in by_cell["Điểm!B2"].message_vi
    assert "circular" in by_cell["Điểm!B3"].message_en and "vòng" in by_cell["Điểm!B3"].message_vi
    assert "Điểm!C1" in by_cell["Điểm!C2"].message_en  # the cause is named too


def test_text_in_arithmetic_is_refused_but_skipped_inside_sum() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["4,63", 5, 4.99, "=SUM(A1:C1)", "=A1+B1", "=MAX(B1:C1)-MIN(B1:C1)", "=SUM(B:B)*2"])

    doc = read(workbook_bytes(build))
    assert only_table(doc).texts() == [["4,63", "5", "4.99", "9.99", "", "0.01", "10"]]
    assert len(doc.notices) == 1 and "Sheet!E1" in doc.notices[0].message_en


def test_rounding_precedence_and_percent_as_a_spreadsheet_does() -> None:
    formulas = ["=ROUND(A1,2)", "=ROUND(-A1,2)", "=2+3*4-10/4", "=-(2+3)%", "=ROUND(1234.5,-2)", "=COUNT(A1:C1,7)"]
    doc = read(workbook_bytes(lambda wb: wb.active.append([4.625, *formulas])))
    # halves go away from zero (banker's rounding would give 4.62)
    assert only_table(doc).texts() == [["4.625", "4.63", "-4.63", "11.5", "-0.05", "1200", "4"]]


def test_long_chains_are_computed_and_long_cycles_refused() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws["A1"], ws["B1"], ws["C1"] = "=A2", "=C1500", 1  # each chain is read from its far end first
        for row in range(2, 1501):
            ws[f"A{row}"] = f"=A{row + 1}+1" if row < 1500 else 0
            ws[f"C{row}"] = f"=C{row - 1}+1"
        ws["D1"] = "=D400"
        for row in range(2, 401):
            ws[f"D{row}"] = f"=D{row - 1}+1"

    doc = read(workbook_bytes(build))
    first = only_table(doc).rows[0].cells
    assert [c.text for c in first] == ["1498", "1500", "1", ""]
    assert all("D" in n.message_en and "circular" in n.message_en for n in doc.notices[:-1])
    assert len(doc.notices) == 101 and "300 more" in doc.notices[-1].message_en


@settings(max_examples=30, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10, places=2, allow_nan=False), min_size=1, max_size=40))
def test_sum_of_stored_floats_is_the_exact_decimal_sum(points: list[Decimal]) -> None:
    def build(wb: openpyxl.Workbook) -> None:
        for value in points:
            wb.active.append([float(value)])
        wb.active.append([f"=SUM(A1:A{len(points)})"])

    total = only_table(read(workbook_bytes(build))).rows[-1].cells[0]
    assert total.value == sum(points, Decimal(0))
    assert Decimal(total.text) == total.value


# --- cell values ---------------------------------------------------------------------------------------


def test_percentages_dates_booleans_and_float_noise() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append([0.925, 0.999, 0.9345, date(2026, 6, 12), datetime(2026, 1, 22, 14, 30), True, 0.1 + 0.2, 5.0])
        for col, fmt in (("A", "0.0%"), ("B", "0%"), ("C", "0.00%")):
            ws[f"{col}1"].number_format = fmt
        ws["D1"].number_format = "dd/mm/yyyy"

    cells = only_table(read(workbook_bytes(build))).rows[0].cells
    assert [c.text for c in cells] == [
        "92.5%",
        "100%",
        "93.45%",
        "12/06/2026",
        "22/01/2026 14:30",
        "TRUE",
        "0.3",
        "5",
    ]
    assert [c.value for c in cells[:3]] == [Decimal("0.925"), Decimal("0.999"), Decimal("0.9345")]
    assert [c.value for c in cells[3:6]] == [None, None, None]
    assert cells[6].value == Decimal("0.3") and cells[7].value == Decimal(5)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_number_text_is_the_shortest_exact_decimal(value: float) -> None:
    from extractor.parsers.xlsx import render

    text, exact = render(value)
    assert exact is not None and "e" not in text.lower()
    assert Decimal(text) == exact
    assert abs(exact - Decimal(repr(value))) <= abs(Decimal(repr(value))) * Decimal("1e-14")
    assert not re.search(r"\.\d*0$", text), "no trailing zeros"


# --- layout --------------------------------------------------------------------------------------------


def test_merged_cells_appear_once_with_their_spans() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["STT", "Nội dung", None, "Điểm"])
        ws.append([None, "Tự chấm", "Thẩm định", None])
        ws.append([1, 4.5, 4.25, 5])
        ws.merge_cells("A1:A2")
        ws.merge_cells("B1:C1")
        ws.merge_cells("D1:D2")

    table = only_table(read(workbook_bytes(build)))
    assert table.rows[0].text == "STT\tNội dung\tĐiểm"
    origin = cell_at(table, 0, 0)
    assert (origin.row_span, origin.col_span) == (2, 1) and cell_at(table, 1, 0) is origin
    assert (cell_at(table, 0, 1).col_span, cell_at(table, 0, 3).row_span) == (2, 2)
    assert [c.text for c in table.rows[1].cells] == ["Tự chấm", "Thẩm định"]
    assert table.header_rows == 2
    assert len(table.cells()) == 3 + 2 + 4


def test_empty_rows_split_a_sheet_into_tables() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["STT", "Điểm"])
        ws.append([1, 5])
        ws.append([])
        ws.append([])
        ws.append(["NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH"])
        ws.append([None, None, "Đoàn Văn Cát"])
        ws.append([])
        ws.append(["Ghi chú: điểm làm tròn 2 chữ số"])

    doc = read(workbook_bytes(build))
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "table", "paragraph"]
    first, second = doc.tables
    assert first.texts() == [["STT", "Điểm"], ["1", "5"]]
    assert second.texts() == [["NGƯỜI LẬP BIỂU", "", "CHỦ TỊCH"], ["", "", "Đoàn Văn Cát"]]
    assert doc.blocks[-1].text == "Ghi chú: điểm làm tròn 2 chữ số"
    assert [b.line for b in doc.blocks] == [1, 2, 4, 6]


def test_each_visible_sheet_is_a_page_and_hidden_sheets_are_noted() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        wb.active.title = "Công văn"
        wb.active.append(["UBND XÃ NGUYỄN LƯƠNG BẰNG", "Số: 1498/UBND-VHXH"])
        hidden = wb.create_sheet("Nháp")
        hidden["A1"] = 42
        hidden.sheet_state = "hidden"
        wb.create_sheet("Phụ lục").append(["STT", "Điểm đạt", "=SUM(Nháp!A1,1)"])

    doc = read(workbook_bytes(build))
    titles = [p.text for p in doc.paragraphs if p.style == "sheet_title"]
    assert titles == ["Công văn", "Phụ lục"]
    assert doc.source.pages == 2 and [p.number for p in doc.pages] == [1, 2]
    assert [t.page for t in doc.tables] == [1, 2]
    assert all(c.page == 2 for c in doc.tables[1].cells())
    assert doc.page_at(doc.tables[1].start) == 2 and doc.page_at(doc.tables[0].end - 1) == 1
    assert doc.tables[1].texts() == [["STT", "Điểm đạt", "43"]]
    assert [n.code for n in doc.notices] == ["xlsx_hidden_sheet"] and "Nháp" in doc.notices[0].message_vi


def test_workbook_with_only_empty_sheets_gives_a_notice() -> None:
    doc = read(workbook_bytes(lambda wb: wb.create_sheet("Trống")))
    assert [p.text for p in doc.paragraphs] == ["Sheet", "Trống"] and doc.tables == []
    assert [n.code for n in doc.notices] == ["xlsx_no_content"]
    assert "no cell" in doc.notices[0].message_en and "không có ô" in doc.notices[0].message_vi


cell_values = st.one_of(
    st.integers(min_value=-999, max_value=9999),
    st.text(alphabet="abcđêơưĐỆ ", min_size=1, max_size=6).filter(lambda s: s.strip() != ""),
    st.none(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(cell_values, min_size=1, max_size=5), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(1, 8), st.integers(1, 5), st.integers(0, 2), st.integers(0, 2)), max_size=4),
)
def test_every_value_appears_exactly_once_whatever_the_layout(grid, merges) -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        for r, values in enumerate(grid, 1):
            for c, value in enumerate(values, 1):
                ws.cell(r, c, value)
        taken: set[tuple[int, int]] = set()
        for r, c, dr, dc in merges:
            area = {(r + i, c + j) for i in range(dr + 1) for j in range(dc + 1)}
            if len(area) > 1 and not area & taken:
                taken |= area
                ws.merge_cells(f"{get_column_letter(c)}{r}:{get_column_letter(c + dc)}{r + dr}")

    data = workbook_bytes(build)
    kept = openpyxl.load_workbook(io.BytesIO(data)).active
    expected = Counter(str(v) for row in kept.iter_rows(values_only=True) for v in row if v is not None)
    doc = read(data)
    found = Counter(p.text for p in doc.paragraphs[1:])
    for table in doc.tables:
        found.update(c.text for c in table.cells() if c.text)
        slots = sum(c.row_span * c.col_span for c in table.cells())
        assert slots == table.n_rows * table.n_cols, "every grid slot is covered exactly once"
    assert found == expected


# --- bad input -----------------------------------------------------------------------------------------


def rewrite_part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            target.writestr(info, change(part) if info.filename == name else part)
    return out.getvalue()


SIMPLE = workbook_bytes(lambda wb: wb.active.append(["STT", "Điểm", "=SUM(B2:B3)"]))


def test_truncated_workbook_is_corrupt() -> None:
    with pytest.raises(CorruptFileError):
        parse(SIMPLE[: len(SIMPLE) // 2])


def test_broken_sheet_xml_is_corrupt() -> None:
    data = rewrite_part(SIMPLE, "xl/worksheets/sheet1.xml", lambda part: part[: len(part) // 2])
    with pytest.raises(CorruptFileError) as err:
        parse(data)
    assert err.value.code == "corrupt_file" and "XLSX" in err.value.message_en


def test_doctype_in_workbook_xml_is_refused_quickly() -> None:
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    ]
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [' + b"".join(entities) + b"]>"
    data = rewrite_part(SIMPLE, "xl/workbook.xml", lambda part: laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", part))
    started = time.monotonic()
    with pytest.raises(UnsafeFileError):
        parse(data)
    assert time.monotonic() - started < 10


def test_workbook_without_sheets_is_empty() -> None:
    data = rewrite_part(SIMPLE, "xl/workbook.xml", lambda part: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part))
    with pytest.raises(EmptyFileError):
        parse(data)


def test_password_protected_workbook_is_refused() -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = io.BytesIO()
    OOXMLFile(io.BytesIO(SIMPLE)).encrypt("matkhau", locked)
    with pytest.raises(EncryptedFileError):
        parse(locked.getvalue(), filename="bao-cao.xlsx")


# --- a workbook recalculated by LibreOffice ------------------------------------------------------------


def soffice_convert(source: Path, target: str, outdir: Path, *options: str) -> Path:
    """Convert with LibreOffice into ``outdir`` (with its own profile, so parallel runs do not collide)."""
    soffice = shutil.which("soffice") or pytest.skip("LibreOffice (soffice) is not installed")
    profile = f"-env:UserInstallation={(outdir / 'profile').as_uri()}"
    command = [soffice, profile, "--headless", *options, "--convert-to", target, "--outdir", str(outdir), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return outdir / f"{source.stem}.{target}"


def recalculate(data: bytes, folder: Path) -> bytes:
    (folder / "bang-diem.xlsx").write_bytes(data)
    (folder / "out").mkdir()
    return soffice_convert(folder / "bang-diem.xlsx", "xlsx", folder / "out").read_bytes()


@pytest.mark.slow
def test_cached_values_of_a_recalculated_workbook_are_used(tmp_path: Path) -> None:
    def build(wb: openpyxl.Workbook) -> None:
        total = write_appendix(wb.active, seed_rows(SEED_POINTS))
        wb.active[f"F{total}"] = f'=IF(E{total}>=70,"Đạt yêu cầu","Không đạt")'

    original = read(workbook_bytes(build))
    assert [n.code for n in original.notices] == ["xlsx_formula_not_computed"]  # IF is beyond the evaluator
    doc = read(recalculate(workbook_bytes(build), tmp_path))
    assert doc.notices == []
    table = only_table(doc)
    verdict = cell_at(table, table.n_rows - 1, 5)
    assert verdict.text == "Đạt yêu cầu" and verdict.formula is not None and verdict.formula.startswith("=IF(")
    total = cell_at(table, table.n_rows - 1, 4)
    assert (total.text, total.value, total.formula) == ("99.25", Decimal("99.25"), "=SUM(E5:E22)")


@pytest.mark.slow
@pytest.mark.realdocs
def test_real_scoring_appendix_through_libreoffice_calc(realdoc, tmp_path: Path) -> None:
    """The PAR Index self-assessment (a DOCX) reopened in Calc: a real 99-criterion sheet whose parents sum up."""
    html = soffice_convert(realdoc("01_"), "html", tmp_path)
    workbook = soffice_convert(html, "xlsx", tmp_path / "calc", "--infilter=HTML (StarCalc)")
    doc = read(workbook.read_bytes())
    table = max(doc.tables, key=lambda t: t.n_rows)
    head, *rows = table.texts()
    assert len(rows) >= 90 and table.header_rows == 1
    checked = 0
    for name in ("Điểm chuẩn", "Điểm tự đánh giá"):
        col = next(i for i, text in enumerate(head) if text.startswith(name))
        points = {row[0]: row[col] for row in rows}
        for stt, value in points.items():
            children = [v for s, v in points.items() if s.startswith(f"{stt}.") and s.count(".") == stt.count(".") + 1]
            if children:
                assert Decimal(value) == sum(map(Decimal, children)), f"{name} {stt}"
                checked += 1
    assert checked >= 40
