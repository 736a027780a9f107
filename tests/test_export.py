"""The city's summary export: the workbook's two sheets, its formats, reviews in it, and the same tables as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from extractor import ReviewNote, SummaryEntry, audit, findings_csv, reviewed_totals, summary_csv, summary_xlsx
from extractor.audit import audit_document
from extractor.checks.findings import SEVERITY
from extractor.contract import DocumentInfo, Finding, Location, Period, Report, Scorecard, ScoreRow, SourceInfo
from extractor.diff import diff_row
from extractor.export import FINDINGS_SHEET, POINTS_FORMAT, SUMMARY_SHEET, safe_text
from extractor.reading import parse
from extractor.rules.rubric import load_rubric
from tests.conftest import SAMPLES
from tests.test_planted_faults import CASES

D = Decimal
RUBRIC = load_rubric()
RED = "FFC7CE"
AMBER = "FFEB9C"


def _card(points: dict[str, tuple[str | None, str | None]], claimed_total: str | None, **kw: Any) -> Scorecard:
    """A scorecard over the default rubric's criteria: criterion id -> (claimed, recomputed)."""
    rows = []
    for criterion in RUBRIC.criteria:
        if criterion.id not in points:
            continue
        claimed, recomputed = points[criterion.id]
        rows.append(
            ScoreRow(
                stt=criterion.stt,
                criterion_id=criterion.id,
                title=criterion.title,
                claimed_points=None if claimed is None else D(claimed),
                recomputed_points=None if recomputed is None else D(recomputed),
                location=Location(line=int(criterion.stt), quote=f"{criterion.stt}\t{claimed}"),
            )
        )
    total = sum((r.recomputed_points for r in rows if r.recomputed_points is not None), D(0))
    defaults: dict[str, Any] = {
        "claimed_total": None if claimed_total is None else D(claimed_total),
        "recomputed_total": total,
        "threshold": D(70),
        "recomputed_verdict": "dat" if total >= 70 else "khong_dat",
        "rubric": RUBRIC.id,
    }
    return Scorecard(rows=rows, **{**defaults, **kw})


def _report(path: str, card: Scorecard | None, findings: list[Finding] | None = None, **doc: Any) -> Report:
    info = {
        "commune": "An Lão",
        "number": "12/BC-UBND",
        "date": dt.date(2026, 6, 30),
        "period": Period(label="Quý II năm 2026", start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30)),
        **doc,
    }
    return Report(
        source=SourceInfo(path=path, sha256="0", format="txt"),
        document=DocumentInfo(**info),
        scorecard=card,
        findings=findings or [],
    )


def _f(code: str, criterion: str | None = None, quote: str = "", page: int | None = None) -> Finding:
    location = Location(quote=quote, page=page) if quote or page else None
    return Finding(code=code, severity=SEVERITY[code], message=f"{code} …", criterion_id=criterion, location=location)


def _batch() -> list[SummaryEntry]:
    # a: 60 + 4.625 recomputed (claimed 5): delta −0,37 after rounding the recomputed 64,625 half-up to 64,63
    a = _report(
        "a.pdf",
        _card({"C01": ("60", "60"), "C09": ("5", "4.625")}, "65"),
        [_f("RATIO_SCORE_MISMATCH", "C09", "HPnet\t5", page=3), _f("CITATION_SEQUENCE")],
    )
    b = _report("b.docx", _card({"C01": ("60", "60"), "C02": ("10", "10")}, "70", claimed_verdict="dat"))
    estimate = _card({"C09": (None, "5"), "C16": (None, "5")}, None, estimated=True, recomputed_verdict=None)
    c = _report("c.docx", estimate, [_f("NO_SCORECARD")], commune="Kiến Hưng", number=None, date=None)
    broken = audit(b"%PDF-1.4 broken", filename="hong.pdf")
    return [
        SummaryEntry("a.pdf", a),
        SummaryEntry("b.docx", b),
        SummaryEntry("c.docx", c),
        SummaryEntry("hong.pdf", broken),
    ]


def _sheets(entries: list[SummaryEntry]) -> tuple[Worksheet, Worksheet]:
    book = load_workbook(io.BytesIO(summary_xlsx(entries)))
    assert book.sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET]
    return book[SUMMARY_SHEET], book[FINDINGS_SHEET]


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _cell(sheet: Worksheet, row: int, heading: str) -> Any:
    header = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=header.index(heading) + 1)


def test_one_row_per_report_with_the_diff_numbers_rounded_once() -> None:
    summary, _ = _sheets(_batch())
    rows = _rows(summary)
    assert [r["Tệp"] for r in rows] == ["a.pdf", "b.docx", "c.docx", "hong.pdf"]
    a, b, c, broken = rows
    assert (a["Tự chấm"], a["Tính lại"], a["Chênh lệch"]) == (65, 64.63, -0.37)
    assert (b["Tự chấm"], b["Tính lại"], b["Chênh lệch"]) == (70, 70, 0)
    assert (a["Xã/phường"], a["Kỳ báo cáo"], a["Số văn bản"]) == ("An Lão", "Quý II năm 2026", "12/BC-UBND")
    assert a["Ngày văn bản"] == dt.datetime(2026, 6, 30)
    assert (a["Kết luận"], b["Kết luận"], b["Báo cáo tự kết luận"]) == ("Không đạt", "Đạt", "Đạt")
    assert [r["Tình trạng"] for r in rows] == ["đọc được", "đọc được", "đọc được", "không đọc được"]
    assert (a["Lỗi"], a["Cảnh báo"], broken["Lỗi"]) == (1, 1, 1)
    assert "Không đọc được tệp" in broken["Ghi chú"]
    for entry, row in zip(_batch(), rows, strict=True):
        line = diff_row(entry.report)
        assert row["Tự chấm"] == (None if line.claimed_total is None else float(line.claimed_total))
        assert row["Tính lại"] == (None if line.recomputed_total is None else float(line.recomputed_total))
    assert c["Tình trạng"] == "đọc được"


def test_an_estimate_stands_only_in_its_own_column() -> None:
    summary, _ = _sheets(_batch())
    c = _rows(summary)[2]
    assert c["Ước tính"] == 10
    for heading in ("Tự chấm", "Tính lại", "Chênh lệch", "Kết luận", "Tổng sau rà soát", "Kết luận sau rà soát"):
        assert c[heading] is None, heading
    assert c["TC 9: tính lại"] is None and c["TC 16: tính lại"] is None
    assert "ước tính" in c["Ghi chú"] and "không phải điểm tính lại" in c["Ghi chú"]


def test_numbers_are_numbers_with_the_vietnamese_readable_formats() -> None:
    summary, findings = _sheets(_batch())
    for heading in ("Tự chấm", "Tính lại", "Chênh lệch", "Tổng sau rà soát", "TC 9: tự chấm", "TC 9: tính lại"):
        cell = _cell(summary, 2, heading)
        assert cell.data_type == "n" and isinstance(cell.value, int | float), heading
        assert heading == "Chênh lệch" or cell.number_format == POINTS_FORMAT == "#,##0.00"
    assert _cell(summary, 2, "Lỗi").number_format == "#,##0"
    assert _cell(summary, 2, "Chênh lệch").number_format == "+#,##0.00;-#,##0.00;0.00"  # shows its sign
    assert _cell(summary, 2, "Ngày văn bản").number_format == "dd/mm/yyyy"
    assert _cell(findings, 2, "Trang").value == 3 and _cell(findings, 2, "Trang").data_type == "n"


def test_the_sheets_have_a_frozen_header_an_autofilter_and_widths() -> None:
    summary, findings = _sheets(_batch())
    for sheet in (summary, findings):
        assert sheet.freeze_panes == "B2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert sheet["A1"].font.b
        assert sheet.column_dimensions["A"].width >= 30
        assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])
    assert summary.max_row == 5 and findings.max_row == 1 + 2 + 1 + 1  # a: 2 findings, c: 1, hong.pdf: 1


def test_mismatches_are_filled_and_matches_are_not() -> None:
    summary, _ = _sheets(_batch())

    def red(row: int, heading: str) -> bool:
        return _cell(summary, row, heading).fill.fgColor.rgb.endswith(RED)

    assert red(2, "Chênh lệch") and red(2, "Tự chấm") and red(2, "Tính lại")
    assert red(2, "TC 9: tự chấm") and red(2, "TC 9: tính lại")
    assert not red(2, "TC 1: tự chấm") and not red(2, "TC 1: tính lại")
    assert not red(3, "Chênh lệch") and not red(3, "TC 2: tính lại")
    assert not red(3, "Kết luận")  # b states Đạt and recomputes to Đạt


def test_a_difference_rounding_explains_is_amber_not_red() -> None:
    card = _card({"C01": ("60", "60"), "C10": ("4.99", "5.00"), "C12": ("4.99", "5.00")}, "69.98")
    summary, _ = _sheets([SummaryEntry("r.pdf", _report("r.pdf", card))])
    row = _rows(summary)[0]
    assert row["Chênh lệch"] == 0.02
    for heading in ("Chênh lệch", "TC 10: tự chấm", "TC 10: tính lại"):
        assert _cell(summary, 2, heading).fill.fgColor.rgb.endswith(AMBER), heading
    assert _cell(summary, 2, "TC 1: tự chấm").fill.fgColor.rgb == "00000000"


def test_a_verdict_the_report_states_wrongly_is_filled() -> None:
    card = _card({"C01": ("60", "60"), "C09": ("5", "4.625")}, "65", claimed_verdict="dat")
    summary, _ = _sheets([SummaryEntry("a.pdf", _report("a.pdf", card))])
    row = _rows(summary)[0]
    assert (row["Kết luận"], row["Báo cáo tự kết luận"]) == ("Không đạt", "Đạt")
    for heading in ("Kết luận", "Báo cáo tự kết luận"):
        assert _cell(summary, 2, heading).fill.fgColor.rgb.endswith(RED), heading


def test_one_pair_of_columns_per_criterion_in_the_rubrics_order() -> None:
    summary, _ = _sheets(_batch())
    header = [c.value for c in summary[1]]
    pairs = [h for h in header if h.startswith("TC ")]
    expected = [f"TC {c.stt}: {side}" for c in RUBRIC.criteria for side in ("tự chấm", "tính lại")]
    assert pairs == expected
    a = _rows(summary)[0]
    assert (a["TC 9: tự chấm"], a["TC 9: tính lại"]) == (5, 4.63)
    assert a["TC 2: tự chấm"] is None  # not scored by this report


def test_two_rubrics_are_told_apart_even_where_their_criterion_ids_agree() -> None:
    other = _report("x.pdf", _card({"C01": ("4", "3")}, "4", rubric="khac-2025"))
    summary, _ = _sheets([*_batch()[:1], SummaryEntry("x.pdf", other)])
    header = [c.value for c in summary[1]]
    ours, theirs = f"{RUBRIC.id} TC 1", "khac-2025 TC 1"
    assert header.index(f"{ours}: tự chấm") < header.index(f"{theirs}: tự chấm")  # in the order they appear
    assert not any(
        h.startswith("khac-2025") for h in header if h != f"{theirs}: tự chấm" and h != f"{theirs}: tính lại"
    )
    a, x = _rows(summary)
    assert (a[f"{ours}: tự chấm"], a[f"{theirs}: tự chấm"]) == (60, None)
    assert (x[f"{ours}: tự chấm"], x[f"{theirs}: tự chấm"], x[f"{theirs}: tính lại"]) == (None, 4, 3)


def test_reviews_change_the_reviewed_totals_and_show_in_the_findings_sheet() -> None:
    entries = _batch()
    at = dt.datetime(2026, 7, 2, 2, 30, tzinfo=dt.UTC)
    reviews = {
        0: ReviewNote(decision="dismiss", note="Tỷ lệ 100% có trong phụ lục", user="cb.soKHCN", at=at),
        1: ReviewNote(decision="accept", user="cb.soKHCN"),
    }
    entries[0] = SummaryEntry("a.pdf", entries[0].report, reviews)
    summary, findings = _sheets(entries)
    a = _rows(summary)[0]
    assert (a["Tổng sau rà soát"], a["Kết luận sau rà soát"]) == (65, "Không đạt")
    assert (a["Lỗi còn lại sau rà soát"], a["Cảnh báo còn lại sau rà soát"], a["Phát hiện đã bác bỏ"]) == (0, 1, 1)
    assert _rows(summary)[1]["Tổng sau rà soát"] == 70  # no review: the recomputed total
    rows = _rows(findings)
    first, second = rows[0], rows[1]
    assert (first["STT"], first["Mã"], first["Mức độ"]) == (1, "RATIO_SCORE_MISMATCH", "Lỗi")
    assert first["Tiêu chí"] == "TC 9 (C09)"  # as the summary's headings name it, and its id
    assert (first["Trích dẫn"], first["Trang"]) == ("HPnet\t5", 3)
    assert (first["Rà soát"], first["Ghi chú rà soát"], first["Người rà soát"]) == (
        "Bác bỏ",
        "Tỷ lệ 100% có trong phụ lục",
        "cb.soKHCN",
    )
    assert first["Thời điểm rà soát"] == dt.datetime(2026, 7, 2, 9, 30)  # Vietnam's time
    assert (second["Rà soát"], second["Mức độ"]) == ("Chấp nhận", "Cảnh báo")
    assert rows[2]["Rà soát"] == "Chưa rà soát" and rows[2]["Mức độ"] == "Thông tin"


def test_text_is_never_a_formula_and_control_characters_are_dropped() -> None:
    entries = _batch()
    sly = _report('=HYPERLINK("http://x")', None, [_f("CITATION_SEQUENCE", quote="=1+1\x07")], commune="@SUM(A1)")
    entries.append(SummaryEntry('=HYPERLINK("http://x")', sly))
    summary, findings = _sheets(entries)
    cell = summary.cell(row=summary.max_row, column=1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    quote = _cell(findings, findings.max_row, "Trích dẫn")
    assert quote.data_type == "s" and quote.value == "=1+1\ufffd"
    text = summary_csv(entries)
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert "'=1+1" in findings_csv(entries)


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # for Excel: UTF-8 with a byte-order mark
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_holds_the_same_tables_with_dot_decimals() -> None:
    entries = _batch()
    summary, findings = _sheets(entries)
    table = _csv_rows(summary_csv(entries))
    assert table[0] == [c.value for c in summary[1]]
    assert len(table) == summary.max_row
    header = table[0]
    a = dict(zip(header, table[1], strict=True))
    assert (a["Tự chấm"], a["Tính lại"], a["Chênh lệch"], a["TC 9: tính lại"]) == ("65.00", "64.63", "-0.37", "4.63")
    assert (a["Ngày văn bản"], a["Kết luận"], a["Lỗi"]) == ("2026-06-30", "Không đạt", "1")
    c = dict(zip(header, table[3], strict=True))
    assert (c["Tính lại"], c["Ước tính"]) == ("", "10.00")
    listed = _csv_rows(findings_csv(entries))
    assert listed[0] == [c.value for c in findings[1]]
    assert len(listed) == findings.max_row
    assert dict(zip(listed[0], listed[1], strict=True))["Trang"] == "3"


def test_csv_review_times_carry_vietnams_offset() -> None:
    entries = _batch()
    at = dt.datetime(2026, 7, 2, 2, 30, tzinfo=dt.UTC)
    entries[0] = SummaryEntry("a.pdf", entries[0].report, {0: ReviewNote(decision="dismiss", user="u", at=at)})
    listed = _csv_rows(findings_csv(entries))
    first = dict(zip(listed[0], listed[1], strict=True))
    assert (first["Rà soát"], first["Thời điểm rà soát"]) == ("Bác bỏ", "2026-07-02T09:30:00+07:00")
    summary = _csv_rows(summary_csv(entries))
    assert dict(zip(summary[0], summary[1], strict=True))["Tổng sau rà soát"] == "65.00"


def test_an_empty_batch_gives_the_headers_only() -> None:
    summary, findings = _sheets([])
    assert summary.max_row == 1 and findings.max_row == 1
    assert _csv_rows(summary_csv([]))[0][:3] == ["Tệp", "Xã/phường", "Kỳ báo cáo"]


def test_a_dismissed_planted_fault_moves_the_reviewed_total_in_the_workbook() -> None:
    case = next(c for c in CASES if c.code == "RATIO_SCORE_MISMATCH")
    report = audit_document(parse(case.faulty_text().encode(), filename="x.txt"), None)
    index = next(i for i, f in enumerate(report.findings) if f.code == case.code)
    entry = SummaryEntry("x.txt", report, {index: ReviewNote(decision="dismiss")})
    row = _rows(_sheets([entry])[0])[0]
    expected = reviewed_totals(report, [index]).reviewed_total
    assert expected is not None and row["Tổng sau rà soát"] == float(expected)
    assert row["Tổng sau rà soát"] != row["Tính lại"]


def test_samples_export_with_the_diff_numbers() -> None:
    files = sorted(p for p in SAMPLES.glob("00*") if p.suffix in {".docx", ".pdf", ".xlsx"})[:6]
    if not files:
        pytest.skip("no samples")
    entries = [SummaryEntry(p.name, audit(p)) for p in files]
    rows = _rows(_sheets(entries)[0])
    for entry, row in zip(entries, rows, strict=True):
        line = diff_row(entry.report)
        for value, heading in ((line.claimed_total, "Tự chấm"), (line.recomputed_total, "Tính lại")):
            assert row[heading] == (None if value is None else float(value)), (entry.file, heading)
        assert row["Ước tính"] == (None if line.estimated_total is None else float(line.estimated_total))


@settings(max_examples=40)
@given(name=st.text(max_size=30), quote=st.text(max_size=60))
def test_any_text_makes_a_workbook_that_opens_and_a_csv_that_encodes(name: str, quote: str) -> None:
    report = _report(name, None, [_f("CITATION_SEQUENCE", quote=quote or "x")], commune=name)
    entries = [SummaryEntry(name, report)]
    summary, findings = _sheets(entries)
    assert summary.cell(row=2, column=1).value == (safe_text(name) or None)
    assert _cell(findings, 2, "Trích dẫn").value == safe_text(quote or "x")
    summary_csv(entries).encode("utf-8")
    findings_csv(entries).encode("utf-8")


def test_undecodable_names_and_reordering_marks_are_shown_not_obeyed() -> None:
    name = "bao-cao\u202efdp.exe\udcff"
    summary, _ = _sheets([SummaryEntry(name, _report(name, None))])
    assert summary.cell(row=2, column=1).value == "bao-cao\\u202efdp.exe\ufffd"
    assert "bao-cao\\u202efdp.exe\ufffd" in summary_csv([SummaryEntry(name, _report(name, None))])


def test_a_review_of_a_finding_the_report_does_not_have_is_left_out() -> None:
    entries = _batch()
    stale = {7: ReviewNote(decision="dismiss"), 0: ReviewNote(decision="dismiss")}
    entries[0] = SummaryEntry("a.pdf", entries[0].report, stale)
    a = _rows(_sheets(entries)[0])[0]
    assert (a["Phát hiện đã bác bỏ"], a["Tổng sau rà soát"]) == (1, 65)


def test_printed_sheets_repeat_the_header_in_landscape() -> None:
    for sheet in _sheets(_batch()):
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"


def test_a_row_with_long_text_is_made_tall_enough_to_show_it() -> None:
    long = "Tiêu chí 9: tỷ lệ 92,4% × 5 điểm = 4,62 điểm, nhưng báo cáo tự chấm 4,60 điểm. " * 4  # ~330 characters
    entries = _batch()
    entries[0].report.findings[0].message = long
    _, findings = _sheets(entries)
    width = findings.column_dimensions[_cell(findings, 1, "Nội dung").column_letter].width
    assert findings.row_dimensions[2].height >= 15 * (len(long) // width)
    assert findings.row_dimensions[3].height is None  # a short row keeps the default height
    assert _cell(findings, 2, "Nội dung").alignment.wrap_text
    assert _cell(findings, 2, "Mã").alignment.vertical == "top"


def test_the_service_finds_every_name_it_needs_in_the_package() -> None:
    import extractor

    names = ("ReviewedTotals", "reviewed_totals", "ReviewNote", "SummaryEntry", "summary_xlsx", "summary_csv")
    for name in (*names, "findings_csv", "page_image", "page_count"):
        assert name in extractor.__all__ and hasattr(extractor, name), name
