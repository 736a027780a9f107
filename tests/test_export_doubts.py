"""A scan's document number or date OCR doubted or could not read is marked in the summary, never shown as
plain fact; a report read from text exports as before."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from extractor import SummaryEntry, summary_csv, summary_xlsx
from extractor.contract import Finding, Report
from extractor.diff import diff_row
from extractor.facts import SAID
from tests.test_export import _card, _cell, _report, _rows, _sheets

UNREAD = "không đọc được trên bản quét"


def _ocr(uncertain: list[dict[str, Any]], unread: list[str]) -> Finding:
    found = {"pages": [1], "mean_confidence": 93.9, "uncertain": uncertain, "unread": unread}
    return Finding(code="OCR_USED", severity="info", message="Trang 1 được nhận dạng ký tự (OCR)…", found=found)


NUMBER_DOUBT = {
    "fact": "number",
    "read": "197/TIr-",
    "quote": "Số: 197 /TIr-",
    "confidence": 52,
    "page": 1,
    "boxes": [[96.48, 91.8, 178.92, 106.56]],
}
DATE_DOUBT = {"fact": "date", "read": "30/6/2026", "quote": "ngày 30 tháng 6 năm 2026", "confidence": 48}


def _scan(uncertain: list[dict[str, Any]], unread: list[str], **doc: Any) -> Report:
    card = _card({"C01": ("60", "60")}, "60")
    return _report("quet.pdf", card, [_ocr(uncertain, unread)], **doc)


def _csv_rows(entries: list[SummaryEntry]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(summary_csv(entries).removeprefix("\ufeff"))))


def test_an_uncertain_number_is_marked_and_an_unread_date_said_unread() -> None:
    report = _scan([NUMBER_DOUBT], ["date"], number="197/TIr-", date=None)
    entries = [SummaryEntry("quet.pdf", report)]
    summary, _ = _sheets(entries)
    (row,) = _rows(summary)
    assert row["Số văn bản"] == "197/TIr- (?)"
    assert row["Ngày văn bản"] == UNREAD == SAID["unread"]
    comment = _cell(summary, 2, "Số văn bản").comment
    assert comment is not None and SAID["uncertain"] in comment.text
    assert "«Số: 197 /TIr-»" in comment.text and "52 %" in comment.text and "trang 1" in comment.text
    assert _cell(summary, 2, "Ngày văn bản").comment is not None
    assert "Số văn bản chưa chắc chắn, xem bản quét." in row["Ghi chú"]
    assert "Ngày văn bản không đọc được trên bản quét." in row["Ghi chú"]
    (line,) = _csv_rows(entries)
    assert (line["Số văn bản"], line["Ngày văn bản"]) == ("197/TIr- (?)", UNREAD)
    assert line["Ghi chú"] == row["Ghi chú"]


def test_an_uncertain_date_stays_a_date_shown_with_the_mark() -> None:
    report = _scan([DATE_DOUBT], ["number"], number=None, date=dt.date(2026, 6, 30))
    entries = [SummaryEntry("quet.pdf", report)]
    summary, _ = _sheets(entries)
    (row,) = _rows(summary)
    assert row["Ngày văn bản"] == dt.datetime(2026, 6, 30) and row["Số văn bản"] == UNREAD
    date = _cell(summary, 2, "Ngày văn bản")
    assert date.number_format == 'dd/mm/yyyy" (?)"' and date.is_date
    assert date.comment is not None and "48 %" in date.comment.text
    (line,) = _csv_rows(entries)
    assert (line["Ngày văn bản"], line["Số văn bản"]) == ("2026-06-30 (?)", UNREAD)


def test_certain_values_and_text_reports_export_as_before() -> None:
    plain = _report("a.txt", _card({"C01": ("60", "60")}, "60"))
    sure_scan = _scan([], [])  # OCR read the header well: nothing doubted
    entries = [SummaryEntry("a.txt", plain), SummaryEntry("quet.pdf", sure_scan)]
    summary, _ = _sheets(entries)
    rows = _rows(summary)
    for number, row in enumerate(rows, start=2):
        assert (row["Số văn bản"], row["Ngày văn bản"]) == ("12/BC-UBND", dt.datetime(2026, 6, 30))
        assert row["Ghi chú"] is None
        assert _cell(summary, number, "Số văn bản").comment is None
        assert _cell(summary, number, "Ngày văn bản").number_format == "dd/mm/yyyy"
    lines = _csv_rows(entries)
    assert [(r["Số văn bản"], r["Ngày văn bản"]) for r in lines] == [("12/BC-UBND", "2026-06-30")] * 2


def test_only_the_doubted_cells_and_the_note_change_and_the_totals_stay_the_diffs() -> None:
    doubted = _scan([NUMBER_DOUBT], ["date"], number="197/TIr-", date=None)
    sure = doubted.model_copy(update={"findings": []})
    (marked,) = _csv_rows([SummaryEntry("quet.pdf", doubted)])
    (plain,) = _csv_rows([SummaryEntry("quet.pdf", sure)])
    changed = {k for k in marked if marked[k] != plain[k]}
    assert changed == {"Số văn bản", "Ngày văn bản", "Ghi chú"}
    line = diff_row(doubted)
    assert (marked["Tự chấm"], marked["Tính lại"]) == (f"{line.claimed_total:.2f}", f"{line.recomputed_total:.2f}")
    assert summary_xlsx([SummaryEntry("quet.pdf", doubted)])  # opens (comments in a streamed sheet)
