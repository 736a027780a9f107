"""Checks of the documents a report cites, and of the report's own number, date and period.

  EVIDENCE_AFTER_REPORT   e.g. a plan dated 20/6/2026 cited by a report dated 12/6/2026
  EVIDENCE_OUT_OF_PERIOD  outside the criterion's window (rubric ``window``): "year" -> the annual plan of
                          another year (KH 01-KH/BCĐ of 30/01/2025 cited for 2026); "quarter" -> an item
                          dated outside the reporting quarter; "standing" -> any date (a decision in force)
  CITATION_SEQUENCE       one issuer series (same issuer, symbol and numbering era): a higher number with an
                          earlier date than a lower one, e.g. CV 1302 of 11/6/2026 after CV 1464 of 10/6/2026.
                          An era ends with the year and at every restart date of
                          extractor/data/numbering_restarts.toml (01/7/2025: provinces and communes merged), so
                          TB 207 of 05/09/2025 after TB 375 of 24/06/2025 is a new series, not a fault
  CITATION_MALFORMED      e.g. "110KH-UBND", "1404//UBND-VHXH"; not a citation whose number and date are only
                          left blank ("Kèm theo Kế hoạch số    /KH-UBND ngày    /01/2026"): that is the caption of
                          a draft's or a form's own letter, not yet issued (UNISSUED_DRAFT tells drafts)
  UNISSUED_DRAFT          e.g. "Số: /BC-UBND", "ngày tháng năm 2026" (not in a digitally signed PDF)
  PERIOD_MISMATCH         the report is dated before its period begins, or the appendix title names
                          another period than the letter (Quý II in the letter, "QUÝ I NĂM 2026" above the table)

A citation written inside another's subject ("CV … về triển khai Chỉ thị số 13/CT-TTg …") is a document
the evidence refers to, not evidence itself: it is left out of the window checks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import regex

from extractor.checks.findings import finding
from extractor.contract import Citation, DocumentInfo, Finding, Location, Period, ScoreRow
from extractor.rules.header import HeaderResult
from extractor.rules.numbering import numbering_era
from extractor.rules.rubric import Rubric
from extractor.textnorm import fold

# Between two citations of one cell: a new list item starts ("- ", "; ", ". - ", a line break).
_ITEM_BREAK = regex.compile(r"\n|;|(?:^|[.,]?\s)[-+•]\s|^\s*[-+•]|\.\s+\p{Lu}")


def _d(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def _cite(c: Citation) -> str:
    """The citation as written, without its date: "KH số 01-KH/BCĐ"."""
    return regex.split(r"\s*,?\s*ngày", _fold(c.location.quote or c.text))[0].strip()


def _fold(text: str) -> str:
    """A quote on one line for a message (a PDF cell keeps its visual line breaks)."""
    return " ".join(text.split())


def evidence_citations(row: ScoreRow, doc_text: str) -> list[Citation]:
    """The row's citations that are evidence, without those nested in a previous citation's subject."""
    out: list[Citation] = []
    outer: Citation | None = None
    for cur in row.citations:
        if outer is not None and _nested(outer, cur, doc_text):
            continue
        out.append(cur)
        outer = cur
    return out


def _nested(prev: Citation, cur: Citation, doc_text: str) -> bool:
    if prev.location.end is None or cur.location.start is None:
        return False
    between = doc_text[prev.location.end : cur.location.start]
    return bool(regex.search(r"\bvề\b", between)) and not _ITEM_BREAK.search(between)


def check_row_evidence(row: ScoreRow, rubric: Rubric | None, info: DocumentInfo, doc_text: str) -> list[Finding]:
    out: list[Finding] = []
    criterion = rubric.by_id(row.criterion_id) if rubric and row.criterion_id else None
    for c in evidence_citations(row, doc_text):
        if c.date is None:
            continue
        if info.date is not None and c.date > info.date:
            out.append(_after_report(row, c, info.date))
        elif criterion is not None and info.period is not None:
            problem = _out_of_window(c.date, criterion.window, info.period)
            if problem:
                out.append(_out_of_period(row, c, problem))
    return out


def _out_of_window(date: dt.date, window: str, period: Period) -> str | None:
    if window == "year" and date.year != period.end.year:
        return f"tiêu chí yêu cầu văn bản của năm {period.end.year}"
    if window == "quarter" and not period.start <= date <= period.end:
        return f"tiêu chí yêu cầu văn bản trong kỳ {period.label} ({_d(period.start)} - {_d(period.end)})"
    return None


def _after_report(row: ScoreRow, c: Citation, report_date: dt.date) -> Finding:
    return finding(
        "EVIDENCE_AFTER_REPORT",
        f"Tiêu chí {row.stt}: {_cite(c)} ngày {_d(c.date or report_date)} ban hành sau ngày báo cáo "
        f"({_d(report_date)}).",
        criterion_id=row.criterion_id,
        expected=f"<= {report_date.isoformat()}",
        found=c.date.isoformat() if c.date else None,
        location=c.location,
    )


def _out_of_period(row: ScoreRow, c: Citation, why: str) -> Finding:
    return finding(
        "EVIDENCE_OUT_OF_PERIOD",
        f"Tiêu chí {row.stt}: {_cite(c)} ngày {_d(c.date) if c.date else '?'} nằm ngoài thời gian hợp lệ — {why}.",
        criterion_id=row.criterion_id,
        expected=why,
        found=c.date.isoformat() if c.date else None,
        location=c.location,
    )


_KIND_CODES = frozenset({"KH", "QĐ", "CV", "TB", "BC", "NQ", "ĐA", "CT", "HD", "KL", "TTR", "NĐ", "TT", "QC"})


SeriesKey = tuple[str, str, tuple[int, int], str]


def _series_key(c: Citation) -> SeriesKey | None:
    """(kind, symbol, era, issuer): one issuer's numbering in one era (a year, cut at every restart date).
    A generic symbol such as "KH-UBND" is shared by every people's committee, so without a named issuer it
    makes no series; a specific one such as "UBND-VHXH" or "QĐ-CAHP-ANM" names its office."""
    if not c.symbol or not c.number or not c.number.isdigit() or c.date is None:
        return None
    symbol = regex.sub(r"^[/\-]+", "", c.symbol.upper())
    parts = [p for p in regex.split(r"[-/]", symbol) if p]
    if parts and parts[0] in _KIND_CODES:
        parts = parts[1:]
    issuer = fold(c.issuer or "")
    if not issuer and len(parts) < 2:
        return None
    return c.kind, symbol, numbering_era(c.date), issuer


# A series that restarts (a merged commune or province numbers anew) leaves the new numbers far below the
# old ones; a number out of order sits close to its neighbours (e.g. 1302 after 1464).
RESTART_RATIO = 2


def check_sequence(citations: list[Citation]) -> list[Finding]:
    """Within one series, numbers grow with dates: a lower number dated after a higher one (and not so far
    below it that the numbering restarted) is suspect."""
    series: dict[SeriesKey, dict[int, Citation]] = defaultdict(dict)
    for c in citations:
        key = _series_key(c)
        if key is not None:
            series[key].setdefault(int(c.number or 0), c)
    out: list[Finding] = []
    for (kind, symbol, _, _), by_number in series.items():
        ordered = sorted(by_number.items())
        for i, (low_n, low) in enumerate(ordered):
            later = [
                (n, c)
                for n, c in ordered[i + 1 :]
                if c.date and low.date and c.date < low.date and low_n * RESTART_RATIO >= n
            ]
            if later:
                high_n, high = later[-1]
                out.append(_sequence(kind, symbol, low_n, low, high_n, high))
    return out


def _sequence(kind: str, symbol: str, low_n: int, low: Citation, high_n: int, high: Citation) -> Finding:
    assert low.date and high.date
    return finding(
        "CITATION_SEQUENCE",
        f"Số văn bản không khớp thứ tự ngày: {kind} số {low_n}/{symbol} ngày {_d(low.date)} có số nhỏ hơn "
        f"nhưng ngày muộn hơn {kind} số {high_n}/{symbol} ngày {_d(high.date)}.",
        expected=f"{kind} {low_n} dated on or before {high.date.isoformat()}",
        found={
            "lower": {"number": low_n, "date": low.date.isoformat(), "quote": low.location.quote},
            "higher": {"number": high_n, "date": high.date.isoformat(), "quote": high.location.quote},
        },
        location=low.location,
    )


# The reasons extractor.rules.citations gives for a number or a date left blank.
BLANK_REASONS = frozenset({"số văn bản bị bỏ trống", "ngày văn bản bị bỏ trống"})


def _only_blank(c: Citation) -> bool:
    """A number and date left blank to be filled in when the document is issued, and no other fault."""
    reasons = {r.strip() for r in (c.malformed_reason or "").split(";") if r.strip()}
    return not c.number and bool(reasons) and reasons <= BLANK_REASONS


def check_malformed(citations: list[Citation]) -> list[Finding]:
    return [
        finding(
            "CITATION_MALFORMED",
            f"Trích dẫn văn bản viết sai quy cách: «{_fold(c.location.quote)}»"
            + (f" ({c.malformed_reason})." if c.malformed_reason else "."),
            found=c.location.quote,
            location=c.location,
        )
        for c in citations
        if c.malformed and not _only_blank(c)
    ]


def check_draft(header: HeaderResult, signed: bool = False) -> list[Finding]:
    """A blank number or date marks a draft, unless the file is digitally signed: signing issues it, and the
    signing system stamps the number and date over the blanks (a stamp the text layer does not hold)."""
    if signed:
        return []
    blanks = []
    if header.number_blank:
        blanks.append("số văn bản để trống")
    if header.date_blank:
        blanks.append("ngày ban hành để trống")
    if not blanks:
        return []
    where = "number" if header.number_blank else "date"
    location = header.locations.get(where) or header.locations.get("number") or header.locations.get("date")
    return [
        finding(
            "UNISSUED_DRAFT",
            f"Văn bản là bản dự thảo, chưa ban hành chính thức ({', '.join(blanks)}).",
            found=blanks,
            location=location,
        )
    ]


def check_appendix_period(info: DocumentInfo, appendix: Period | None, where: Location | None) -> list[Finding]:
    """The letter's period against the one in the appendix title (e.g. Quý II in the letter, Quý I below)."""
    letter = info.period
    if letter is None or appendix is None or (letter.start, letter.end) == (appendix.start, appendix.end):
        return []
    return [
        finding(
            "PERIOD_MISMATCH",
            f"Công văn báo cáo kỳ {letter.label} ({_d(letter.start)} - {_d(letter.end)}), nhưng phụ lục ghi kỳ "
            f"{appendix.label} ({_d(appendix.start)} - {_d(appendix.end)}).",
            expected=letter.label,
            found=appendix.label,
            location=where,
        )
    ]


def check_period(info: DocumentInfo, date_location: Location | None) -> list[Finding]:
    if info.date is None or info.period is None or info.date >= info.period.start:
        return []
    return [
        finding(
            "PERIOD_MISMATCH",
            f"Báo cáo đề ngày {_d(info.date)}, trước khi kỳ {info.period.label} bắt đầu ({_d(info.period.start)}).",
            expected=f">= {info.period.start.isoformat()}",
            found=info.date.isoformat(),
            location=date_location,
        )
    ]
