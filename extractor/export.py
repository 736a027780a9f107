"""The city's summary of a batch of reports: a workbook ("Bảng tổng hợp" and "Phát hiện") and the same two
tables as CSV.

    from extractor import SummaryEntry, summary_xlsx, summary_csv, findings_csv
    entries = [SummaryEntry("xa-an-lao.pdf", report, reviews={3: ReviewNote(decision="dismiss", note="…")})]
    data = summary_xlsx(entries)     # bytes of an .xlsx file
    text = summary_csv(entries)      # the first sheet as CSV; findings_csv(entries): the second

Sheet "Bảng tổng hợp": one row per report, in the order given — file, commune, period, document number and
date, claimed total, recomputed total, delta (recomputed − claimed), the estimate, verdict (Đạt / Không đạt,
from the recomputed total), the verdict the report states, status (đọc được / đọc một phần / không đọc
được), error and warning counts, the totals after review (``extractor.review``: reviewed total and verdict,
errors and warnings still open, findings dismissed), a note, then one pair of columns per criterion of the
rubric(s) present, in the rubric's order: claimed and recomputed points of the row scoring it (the first
such row when a report scores a criterion twice). The totals are those of ``extractor diff`` (``DiffRow``):
each rounded half-up to 0,01 once, the delta computed from the rounded totals. A score estimated from a
narrative report (no scorecard) stands only in the column "Ước tính": never as recomputed total, delta,
verdict, reviewed total or criterion points.

A scan's document number or date OCR read with low confidence or could not read (``extractor.fact_doubts``:
the OCR_USED finding's ``found.uncertain`` / ``found.unread``) is never shown as plain fact. An uncertain one
is followed by " (?)" — the number as text "197/TIr- (?)", the date still a date shown "30/06/2026 (?)" by its
number format (CSV: "2026-06-30 (?)") — and carries a cell comment saying what OCR read and how sure it was;
an unread one says "không đọc được trên bản quét" instead of an empty cell. The note column says it in words
("Số văn bản chưa chắc chắn, xem bản quét."), so a CSV reader learns it too. A report read from text is
written exactly as before.

Sheet "Phát hiện": every finding — file, commune, its number in the report (STT = index in
``report.findings`` + 1), criterion (as the headings name it, with its id: "TC 9 (C09)"), code, severity
(Lỗi / Cảnh báo / Thông tin), message, quote, page, and its review (decision, note, who, when).

The workbook: a bold header row, frozen below the header and right of the file column, an autofilter, set
column widths; a total or a criterion whose recomputed points differ from the claimed ones, a verdict that
differs from the one the report states, and a reviewed total still off the claimed one are filled in red —
in amber where the difference is one rounding explains (0,01 per criterion, as ``extractor diff`` counts).
Numbers are numbers (never text): points carry the number format ``#,##0.00`` (the delta
``+#,##0.00;-#,##0.00;0.00``, so that it shows its sign) and counts ``#,##0``, which a spreadsheet shows in
its own locale — 1.234,56 in a Vietnamese Excel, 1,234.56 in an English one; dates are dates
(``dd/mm/yyyy``), and review times are written in Vietnam's time (UTC+7), as spreadsheets keep no time zone.
Text is written as text, never as a formula.

CSV: the same columns and headings, comma-separated, lines ending in CRLF (RFC 4180), UTF-8 beginning with a
byte-order mark so that Excel reads the Vietnamese letters (read it with ``encoding="utf-8-sig"``); a dot as
decimal point so machines read the numbers ("99.25", points always with two decimals), ISO dates
("2026-06-30") and times with their offset ("2026-07-02T09:30:00+07:00"), empty cells for unknown values. A
text cell that begins with "=", "+", "-", "@" or a tab is written after an apostrophe, so that no spreadsheet
runs it as a formula. In both forms, characters a workbook cannot hold (control characters, the lone
surrogates of an undecodable file name) become U+FFFD, and marks that reorder text (a right-to-left override)
a visible "\\u202e".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from extractor.contract import VERDICT_VI, Report, round_points
from extractor.diff import ROUNDING, diff_row
from extractor.facts import SAID, Doubt, fact_doubts
from extractor.review import ReviewNote, dismissed_indices, reviewed_totals
from extractor.rules.rubric import Rubric, list_rubrics

SUMMARY_SHEET = "Bảng tổng hợp"
FINDINGS_SHEET = "Phát hiện"
POINTS_FORMAT = "#,##0.00"  # shown as 1.234,56 by a spreadsheet in Vietnamese, 1,234.56 in English
DELTA_FORMAT = "+#,##0.00;-#,##0.00;0.00"  # a difference shows its sign: +0,02, -1,15, 0,00
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
MISMATCH_COLOUR = "FFC7CE"  # light red: beyond what rounding explains
ROUNDING_COLOUR = "FFEB9C"  # light amber: a difference rounding explains (0,01 per criterion)
HEADER_COLOUR = "D9E1F2"
MAX_CELL_CHARS = 32_767  # a spreadsheet cell holds no more
LINE_HEIGHT = 15.0  # points per line of 11-point text
MAX_LINES = 20  # a longer text is cut on screen (the cell still holds it all)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DOUBT_MARK = " (?)"  # after a value OCR read with low confidence
FACT_VI = {"number": "Số văn bản", "date": "Ngày văn bản"}

STATUS_VI = {"ok": "đọc được", "partial": "đọc một phần", "unreadable": "không đọc được"}
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}
DECISION_VI = {"accept": "Chấp nhận", "dismiss": "Bác bỏ"}
NOT_REVIEWED = "Chưa rà soát"

Kind = Literal["text", "points", "count", "date", "datetime"]
Mark = Literal["mismatch", "rounding"]  # a highlighted cell: a real difference, or one rounding explains

# What XML 1.0 (so a workbook) cannot hold: control characters but tab and newlines, lone surrogates (a file
# name's undecodable bytes), U+FFFE and U+FFFF. Each becomes U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Marks that reorder what follows them (a right-to-left override can make "báo-cáo<RLO>fdp.exe" read as a
# PDF): written as a visible escape such as "\u202e". Vietnamese text needs none of them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """``text`` as a cell shows it faithfully: characters XML cannot hold become U+FFFD, bidirectional
    controls a visible escape ("\\u202e")."""
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", _NOT_XML.sub("\ufffd", text))


@dataclass(frozen=True)
class SummaryEntry:
    """One report of the batch: the name to show, its Report, and the officers' decisions on its findings
    (index in ``report.findings`` -> ReviewNote; a decision on an index the report does not have is left out)."""

    file: str
    report: Report
    reviews: Mapping[int, ReviewNote] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    width: float
    wrap: bool = False  # long text: wrapped on as many lines as it needs (the row is made that tall)
    number_format: str | None = None  # instead of the kind's


SUMMARY_COLUMNS = (
    Column("file", "Tệp", "text", 34),
    Column("commune", "Xã/phường", "text", 22),
    Column("period", "Kỳ báo cáo", "text", 18),
    Column("number", "Số văn bản", "text", 16),
    Column("date", "Ngày văn bản", "date", 12),
    Column("claimed_total", "Tự chấm", "points", 10),
    Column("recomputed_total", "Tính lại", "points", 10),
    Column("delta", "Chênh lệch", "points", 11, number_format=DELTA_FORMAT),
    Column("estimated_total", "Ước tính", "points", 10),
    Column("verdict", "Kết luận", "text", 11),
    Column("claimed_verdict", "Báo cáo tự kết luận", "text", 12),
    Column("status", "Tình trạng", "text", 14),
    Column("errors", "Lỗi", "count", 7),
    Column("warnings", "Cảnh báo", "count", 9),
    Column("reviewed_total", "Tổng sau rà soát", "points", 11),
    Column("reviewed_verdict", "Kết luận sau rà soát", "text", 12),
    Column("open_errors", "Lỗi còn lại sau rà soát", "count", 11),
    Column("open_warnings", "Cảnh báo còn lại sau rà soát", "count", 11),
    Column("dismissed", "Phát hiện đã bác bỏ", "count", 10),
    Column("note", "Ghi chú", "text", 40, wrap=True),
)

FINDING_COLUMNS = (
    Column("file", "Tệp", "text", 34),
    Column("commune", "Xã/phường", "text", 22),
    Column("index", "STT", "count", 6),
    Column("criterion", "Tiêu chí", "text", 12),
    Column("code", "Mã", "text", 24),
    Column("severity", "Mức độ", "text", 10),
    Column("message", "Nội dung", "text", 70, wrap=True),
    Column("quote", "Trích dẫn", "text", 50, wrap=True),
    Column("page", "Trang", "count", 7),
    Column("decision", "Rà soát", "text", 13),
    Column("review_note", "Ghi chú rà soát", "text", 30, wrap=True),
    Column("reviewer", "Người rà soát", "text", 16),
    Column("reviewed_at", "Thời điểm rà soát", "datetime", 17),
)


@dataclass(frozen=True)
class Doubtful:
    """A document number or date OCR doubted (``uncertain``: ``value`` as read, never None) or could not read
    (``unread``: ``value`` None); ``comment`` says what OCR read and how sure it was."""

    value: Any
    doubt: Doubt
    comment: str


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]
    marked: list[dict[str, Mark]]  # per row: the keys of the cells to highlight, and how


# --- the tables -----------------------------------------------------------------------------------------


def summary_table(entries: Sequence[SummaryEntry]) -> Table:
    criteria = _criterion_columns(entries)
    columns = list(SUMMARY_COLUMNS) + [c for pair in criteria for c in (pair.claimed, pair.recomputed)]
    rows: list[dict[str, Any]] = []
    marked: list[dict[str, Mark]] = []
    for entry in entries:
        values, marks = _summary_row(entry, criteria)
        rows.append(values)
        marked.append(marks)
    return Table(columns, rows, marked)


def _summary_row(entry: SummaryEntry, criteria: list[CriterionColumns]) -> tuple[dict[str, Any], dict[str, Mark]]:
    report = entry.report
    line = diff_row(report)
    doc, card = report.document, report.scorecard
    own = card if card is not None and not card.estimated else None
    dismissed = [i for i in dismissed_indices(entry.reviews) if 0 <= i < len(report.findings)]  # none stale
    review = reviewed_totals(report, dismissed)
    values: dict[str, Any] = {
        "file": entry.file,
        "commune": doc.commune,
        "period": doc.period.label if doc.period else None,
        "number": doc.number,
        "date": doc.date,
        "claimed_total": line.claimed_total,
        "recomputed_total": line.recomputed_total,
        "delta": line.delta,
        "estimated_total": line.estimated_total,
        "verdict": VERDICT_VI.get(line.recomputed_verdict or ""),
        "claimed_verdict": VERDICT_VI.get(line.claimed_verdict or ""),
        "status": STATUS_VI.get(report.status, report.status),
        "errors": line.errors,
        "warnings": line.warnings,
        "reviewed_total": _rounded(review.reviewed_total),
        "reviewed_verdict": VERDICT_VI.get(review.reviewed_verdict or ""),
        "open_errors": review.open_errors,
        "open_warnings": review.open_warnings,
        "dismissed": len(review.dismissed),
        "note": _note(line.unreadable, line.partial, line.estimated_total, line.estimated_verdict, line.estimated),
    }
    doubts = _doubted_facts(report)
    values.update(doubts)
    if doubts:
        said = " ".join(f"{FACT_VI[fact]} {SAID[d.doubt]}." for fact, d in doubts.items())
        values["note"] = f"{said} {values['note']}" if values["note"] else said
    marks: dict[str, Mark] = {}
    allowed = ROUNDING * max(line.rows, 1)  # what the rows' rounding explains, as extractor diff counts it
    if line.delta:
        marks |= dict.fromkeys(("claimed_total", "recomputed_total", "delta"), _mark(line.delta, allowed))
    if line.recomputed_verdict and line.claimed_verdict and line.recomputed_verdict != line.claimed_verdict:
        marks |= dict.fromkeys(("verdict", "claimed_verdict"), "mismatch")
    reviewed = _rounded(review.reviewed_total)
    if reviewed is not None and line.claimed_total is not None and reviewed != line.claimed_total:
        marks["reviewed_total"] = _mark(reviewed - line.claimed_total, allowed)  # still off the claim
    points = _criterion_points(own.rows if own else [])
    rubric_id = (own.rubric or "") if own is not None else None
    for pair in criteria:
        mine = pair.rubric == rubric_id
        claimed, recomputed = points.get(pair.criterion, (None, None)) if mine else (None, None)
        values[pair.claimed.key], values[pair.recomputed.key] = claimed, recomputed
        if claimed is not None and recomputed is not None and claimed != recomputed:
            marks |= dict.fromkeys((pair.claimed.key, pair.recomputed.key), _mark(recomputed - claimed, ROUNDING))
    return values, marks


def _doubted_facts(report: Report) -> dict[str, Doubtful]:
    """The document's number and date OCR doubted or could not read, as the cells to write instead."""
    doubts = fact_doubts(report)
    if not doubts:
        return {}
    read: dict[str, dict[str, Any]] = {}
    for f in report.findings:
        if f.code == "OCR_USED" and isinstance(f.found, dict):
            for item in f.found.get("uncertain") or []:
                if isinstance(item, dict) and item.get("fact") in FACT_VI:
                    read.setdefault(str(item["fact"]), item)
    out: dict[str, Doubtful] = {}
    for fact in ("number", "date"):
        doubt = doubts.get(fact)
        if doubt is None:
            continue
        value = report.document.number if fact == "number" else report.document.date
        if doubt == "unread" and value is not None:
            doubt = "uncertain"  # a value found elsewhere, still not read from the scan's header
        if doubt == "uncertain" and value is None:
            doubt = "unread"
        said = f"{FACT_VI[fact]} {SAID[doubt]}."
        item = read.get(fact)
        if doubt == "uncertain" and item is not None:
            quote = str(item.get("quote") or item.get("read") or "")
            confidence = item.get("confidence")
            sure = f", độ tin cậy {confidence} %" if isinstance(confidence, int | float) else ""
            page = f" (trang {item['page']})" if isinstance(item.get("page"), int) else ""
            said += f" OCR đọc «{quote}»{sure}{page}." if quote else ""
        out[fact] = Doubtful(value, doubt, said)
    return out


def _mark(difference: Decimal, allowed: Decimal) -> Mark:
    return "mismatch" if abs(difference) > allowed else "rounding"


def _note(
    unreadable: str | None, partial: str | None, estimate: Decimal | None, estimate_verdict: str | None, estimated: bool
) -> str | None:
    parts = [text for text in (unreadable, partial) if text]
    if estimated:
        said = f"điểm ước tính {_vn(estimate)}" if estimate is not None else "không đủ tiêu chí để ước tính điểm"
        verdict = f", ước tính {VERDICT_VI[estimate_verdict]}" if estimate_verdict in VERDICT_VI else ""
        parts.append(
            f"Không có bảng chấm điểm: {said}{verdict} từ nội dung báo cáo; không phải điểm tính lại, không so với"
            " tự chấm."
        )
    return " ".join(parts) or None


def _vn(value: Decimal) -> str:
    return f"{round_points(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_points(value)


def _criterion_points(rows: Iterable[Any]) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    out: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for row in rows:
        if row.criterion_id and row.criterion_id not in out:
            out[row.criterion_id] = (_rounded(row.claimed_points), _rounded(row.recomputed_points))
    return out


@dataclass(frozen=True)
class CriterionColumns:
    """The pair of columns of one criterion of one rubric (two rubrics may both have a "C01")."""

    rubric: str
    criterion: str
    claimed: Column
    recomputed: Column


def _criterion_columns(entries: Sequence[SummaryEntry]) -> list[CriterionColumns]:
    """A pair of columns per criterion of the rubrics the reports' own scorecards use, rubric by rubric in the
    order they first appear, criteria in the rubric's order; criteria no known rubric lists follow in the order
    the rows give them. With several rubrics the headings start with the rubric's id."""
    known: dict[str, Rubric] = {r.id: r for r in list_rubrics()}
    order: dict[str, dict[str, str]] = {}  # rubric id -> criterion id -> stt, in order
    for entry in entries:
        card = entry.report.scorecard
        if card is None or card.estimated:
            continue
        rubric_id = card.rubric or ""
        if rubric_id not in order:
            scheme = known.get(rubric_id)
            order[rubric_id] = {c.id: c.stt for c in scheme.criteria} if scheme else {}
        listed = order[rubric_id]
        for row in card.rows:
            if row.criterion_id and row.criterion_id not in listed:
                listed[row.criterion_id] = (row.stt or row.criterion_id).strip()
    used = {rubric_id: listed for rubric_id, listed in order.items() if listed}
    several = len(used) > 1
    out: list[CriterionColumns] = []
    for rubric_id, listed in used.items():
        for criterion_id, stt in listed.items():
            label = f"{rubric_id or '?'} TC {stt}" if several else f"TC {stt}"
            key = f"{rubric_id}:{criterion_id}"
            out.append(
                CriterionColumns(
                    rubric_id,
                    criterion_id,
                    Column(f"claimed:{key}", f"{label}: tự chấm", "points", 9),
                    Column(f"recomputed:{key}", f"{label}: tính lại", "points", 9),
                )
            )
    return out


def findings_table(entries: Sequence[SummaryEntry]) -> Table:
    known: dict[str, Rubric] = {r.id: r for r in list_rubrics()}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        report = entry.report
        scheme = known.get(report.scorecard.rubric or "") if report.scorecard is not None else None
        for index, found in enumerate(report.findings):
            note = entry.reviews.get(index)
            where = found.location
            rows.append(
                {
                    "file": entry.file,
                    "commune": report.document.commune,
                    "index": index + 1,
                    "criterion": _criterion_label(found.criterion_id, scheme),
                    "code": found.code,
                    "severity": SEVERITY_VI.get(found.severity, found.severity),
                    "message": found.message,
                    "quote": where.quote if where is not None and where.quote else None,
                    "page": where.page if where is not None else None,
                    "decision": DECISION_VI[note.decision] if note else NOT_REVIEWED,
                    "review_note": note.note if note else None,
                    "reviewer": note.user if note else None,
                    "reviewed_at": note.at if note else None,
                }
            )
    return Table(list(FINDING_COLUMNS), rows, [{} for _ in rows])


def _criterion_label(criterion_id: str | None, scheme: Rubric | None) -> str | None:
    """ "TC 9 (C09)": the number the rubric gives the criterion, as the summary's headings say it, and its id."""
    criterion = scheme.by_id(criterion_id) if scheme is not None and criterion_id else None
    return f"TC {criterion.stt} ({criterion_id})" if criterion is not None else criterion_id


# --- XLSX ------------------------------------------------------------------------------------------------


def summary_xlsx(entries: Iterable[SummaryEntry]) -> bytes:
    """The workbook of the batch (see the module's docstring), as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    listed = list(entries)
    book = Workbook(write_only=True)  # rows are streamed: a large batch does not hold every cell object
    book.properties.title = SUMMARY_SHEET
    book.properties.creator = "extractor"
    _write_sheet(book.create_sheet(SUMMARY_SHEET), summary_table(listed))
    _write_sheet(book.create_sheet(FINDINGS_SHEET), findings_table(listed))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(sheet: Any, table: Table) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    styles = {
        "header_font": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor=HEADER_COLOUR),
        "header_alignment": Alignment(wrap_text=True, vertical="center"),
        "mismatch": PatternFill("solid", fgColor=MISMATCH_COLOUR),
        "rounding": PatternFill("solid", fgColor=ROUNDING_COLOUR),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),  # every cell of a tall row starts on its first line
    }
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "B2"  # the header row and the file column stay in view
    sheet.print_title_rows = "1:1"  # printed: the header on every page, pages in landscape
    sheet.page_setup.orientation = "landscape"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    sheet.row_dimensions[1].height = _height([(c.header, c.width) for c in table.columns])
    sheet.append([_header_cell(sheet, column.header, styles) for column in table.columns])
    wrapped = [c for c in table.columns if c.wrap]
    for number, (values, marks) in enumerate(zip(table.rows, table.marked, strict=True), start=2):
        height = _height([(str(values[c.key]), c.width) for c in wrapped if values.get(c.key) is not None])
        if height > LINE_HEIGHT:  # rows are streamed: a row's height is set before the row is written
            sheet.row_dimensions[number].height = height
        sheet.append(
            [_cell(sheet, column, values.get(column.key), marks.get(column.key), styles) for column in table.columns]
        )


def _height(texts: Iterable[tuple[str, float]]) -> float:
    """The height in points of a row whose wrapped cells hold ``texts`` in columns of those widths (a width
    is about that many characters), so that a spreadsheet that does not fit rows to their text shows it
    whole: at most MAX_LINES lines."""
    lines = 1
    for text, width in texts:
        per_line = max(int(width) - 1, 1)
        needed = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, needed)
    return LINE_HEIGHT * min(lines, MAX_LINES)


def _header_cell(sheet: Any, text: str, styles: dict[str, Any]) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.font = styles["header_font"]
    cell.fill = styles["header_fill"]
    cell.alignment = styles["header_alignment"]
    return cell


def _cell(sheet: Any, column: Column, value: Any, mark: Mark | None, styles: dict[str, Any]) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Doubtful):
        return _doubtful_cell(sheet, column, value, styles)
    if value is None:
        cell = WriteOnlyCell(sheet, value=None)
    elif column.kind == "text":
        cell = WriteOnlyCell(sheet, value=_sheet_text(str(value)))
        cell.data_type = "s"  # never a formula, whatever the text begins with
        if column.wrap:
            cell.alignment = styles["wrap"]
    elif column.kind == "points":
        cell = WriteOnlyCell(sheet, value=round_points(value))
        cell.number_format = column.number_format or POINTS_FORMAT
    elif column.kind == "count":
        cell = WriteOnlyCell(sheet, value=int(value))
        cell.number_format = COUNT_FORMAT
    elif column.kind == "date":
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    else:
        cell = WriteOnlyCell(sheet, value=_vietnam_time(value).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
    if not column.wrap:
        cell.alignment = styles["top"]
    if mark is not None:
        cell.fill = styles[mark]
    return cell


def _doubtful_cell(sheet: Any, column: Column, doubtful: Doubtful, styles: dict[str, Any]) -> Any:
    """A number or date OCR doubted: the value and " (?)" (a date stays a date, its format shows the mark),
    or the words saying it was not read; with a comment saying why."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    if doubtful.value is None:
        cell = WriteOnlyCell(sheet, value=SAID["unread"])
        cell.data_type = "s"
    elif column.kind == "date":
        cell = WriteOnlyCell(sheet, value=doubtful.value)
        cell.number_format = f'{DATE_FORMAT}"{DOUBT_MARK}"'
    else:
        cell = WriteOnlyCell(sheet, value=_sheet_text(str(doubtful.value)) + DOUBT_MARK)
        cell.data_type = "s"
    cell.alignment = styles["top"]
    comment = Comment(_sheet_text(doubtful.comment), "extractor")
    comment.width, comment.height = 260, 90
    cell.comment = comment
    return cell


def _sheet_text(text: str) -> str:
    """Text a workbook can hold (``safe_text``), at most MAX_CELL_CHARS long."""
    cleaned = safe_text(text)
    return cleaned if len(cleaned) <= MAX_CELL_CHARS else cleaned[: MAX_CELL_CHARS - 1] + "…"


def _vietnam_time(value: dt.datetime) -> dt.datetime:
    """An aware time in Vietnam's time zone; a naive one is taken as already in it."""
    return value.astimezone(VIETNAM) if value.tzinfo is not None else value.replace(tzinfo=VIETNAM)


# --- CSV -------------------------------------------------------------------------------------------------

BOM = "\ufeff"


def summary_csv(entries: Iterable[SummaryEntry]) -> str:
    """The sheet "Bảng tổng hợp" as CSV (see the module's docstring: BOM, dot decimals, ISO dates)."""
    return _csv(summary_table(list(entries)))


def findings_csv(entries: Iterable[SummaryEntry]) -> str:
    """The sheet "Phát hiện" as CSV."""
    return _csv(findings_table(list(entries)))


def _csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in table.columns])
    for values in table.rows:
        writer.writerow([_csv_cell(column, values.get(column.key)) for column in table.columns])
    return BOM + buffer.getvalue()


def _csv_cell(column: Column, value: Any) -> str:
    if isinstance(value, Doubtful):
        if value.value is None:
            return SAID["unread"]
        return _csv_cell(column, value.value) + DOUBT_MARK
    if value is None:
        return ""
    if column.kind == "points":
        return f"{round_points(value):.2f}"
    if column.kind == "count":
        return str(int(value))
    if column.kind == "date":
        return str(value.isoformat())
    if column.kind == "datetime":
        return _vietnam_time(value).isoformat()
    text = safe_text(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
