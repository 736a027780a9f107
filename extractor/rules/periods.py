"""Reporting periods as Vietnamese reports name them, and the one period a report is about.

Catalogue, in priority order (an earlier family keeps the text it matched; every pattern runs on
normalised text, case-insensitively):
  - range      e.g. "từ 01/01/2026 - đến 31/5/2026", "từ ngày 01/7/2025 đến ngày 31/12/2025"
               (the dates are read by extractor.rules.dates)
  - to_date    e.g. "tính đến 20/10/2025", "đến ngày 20/10/2025", "đến hết tháng 6/2026": from 1 January
               of that year to that date (or to the end of that month) - a year-to-date report
  - (every other date, and a blank signing date "ngày … tháng … năm 2026", is masked here)
  - quarter    e.g. "Quý II năm 2026", "quý 2/2026", "QUÝ IV NĂM 2025"      -> that quarter
  - months     e.g. "6 tháng đầu năm 2026", "6 tháng cuối năm 2025", "9 tháng đầu năm", "sáu tháng đầu năm"
               -> the first (đầu, also when omitted) or last (cuối) N months of the year
  - phase      e.g. "giai đoạn 2026 - 2030", "giai đoạn 2021-2025"          -> 1 Jan of the first year to
               31 Dec of the last
  - month      e.g. "tháng 3/2026", "tháng 3 năm 2026", "tháng 10-2025"     -> that month; not after a
               number ("03 tháng" is a duration) nor after a blank day ("ngày   tháng 12 năm 2025")
  - year       e.g. "năm 2025", "NĂM 2025"                                 -> the whole year; not
               "đến năm 2030" (a horizon) nor "năm học 2025-2026"

A form written without its year ("9 tháng đầu năm", "quý III") has no dates unless the caller gives
``default_year``.

``report_period(doc)`` chooses the period the report is about, by tiers; the first tier that holds a
period decides:
  1. the title: the "V/v …" subject and the lines after the document-kind heading (BÁO CÁO, THÔNG BÁO,
     KẾ HOẠCH, …, PHỤ LỤC) up to where the body starts ("Kính gửi", "Thực hiện", "Căn cứ", …)
  2. the rest of the head (everything before the body starts)
  3. the preamble: the body up to its first "như sau" (the sentence that says what is reported)
  4. the whole text: the period named most often (ties: the first named)
Inside tiers 1–3 the first period wins, except one in a plan clause - after "phương hướng", "định hướng",
"dự kiến", or "và/, nhiệm vụ/kế hoạch" ("…năm 2025 và phương hướng, nhiệm vụ năm 2026" is about 2025) -
which is taken only when the tier has nothing else. A period without its year takes the year of the
document's date.
"""

from __future__ import annotations

import calendar
import itertools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

import regex

from extractor.contract import Period
from extractor.model import Document
from extractor.rules.dates import DateMatch, find_dates
from extractor.rules.digits import compile_ascii
from extractor.textnorm import fold_ws

_I = regex.IGNORECASE
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_WORD_NUMBERS = {"ba": 3, "sáu": 6, "chín": 9}


@dataclass(frozen=True)
class PeriodMatch:
    label: str  # as written in the text searched
    start: date | None  # None when the year is not written and no default year was given
    end: date | None
    span: tuple[int, int]
    kind: str  # range, to_date, quarter, months, phase, month, year
    year: int | None = None

    def to_period(self) -> Period | None:
        if self.start is None or self.end is None:
            return None
        return Period(label=fold_ws(self.label), start=self.start, end=self.end)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- date-based families ---------------------------------------------------------------------------

_RANGE_GAP = compile_ascii(r"\s*(?:-\s*)?(?:(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s*)?)?", _I)
_RANGE_LEAD = compile_ascii(r"(?<!\p{L})(?:tính\s+)?từ\s+(?:ngày\s*)?$", _I)
_TO_LEAD = compile_ascii(r"(?<!\p{L})(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s*)?$", _I)


def _ranges(text: str, dates: list[DateMatch]) -> Iterator[PeriodMatch]:
    for d1, d2 in itertools.pairwise(dates):
        gap = _RANGE_GAP.fullmatch(text, d1.end, d2.start)
        lead = _RANGE_LEAD.search(text, max(0, d1.start - 20), d1.start)
        if gap is None or d1.value is None or d2.value is None or d2.value < d1.value:
            continue
        if not (lead or "-" in gap.group() or regex.search("đến|tới", gap.group(), _I)):
            continue
        start = lead.start() if lead else d1.start
        yield PeriodMatch(text[start : d2.end], d1.value, d2.value, (start, d2.end), "range", d2.value.year)


def _to_dates(text: str, dates: list[DateMatch]) -> Iterator[PeriodMatch]:
    for d in dates:
        lead = _TO_LEAD.search(text, max(0, d.start - 24), d.start)
        if lead and d.value is not None:
            label = text[lead.start() : d.end]
            yield PeriodMatch(label, date(d.value.year, 1, 1), d.value, (lead.start(), d.end), "to_date", d.value.year)


# --- word families ---------------------------------------------------------------------------------

_YEAR = r"(?P<y>(?:19|20)\d\d)(?!\d)"
# e.g. "Quý II năm 2026", "quý 2/2026", "QUÝ IV NĂM 2025", "quý III"
_QUARTER = rf"(?<!\p{{L}})quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?![\p{{L}}\d])(?:\s*(?:năm\s+|/\s*|-\s*){_YEAR})?"
# e.g. "6 tháng đầu năm 2026", "6 tháng cuối năm 2025", "9 tháng đầu năm", "sáu tháng năm 2026"
_MONTHS = (
    rf"(?<![\p{{L}}\d])(?P<n>\d{{1,2}}|ba|sáu|chín)\s+tháng\s+(?:(?P<side>đầu|cuối)\s+)?năm(?:\s+{_YEAR})?(?!\p{{L}})"
)
# e.g. "giai đoạn 2026 - 2030", "giai đoạn 2021-2025"
_PHASE = r"(?<!\p{L})giai\s+đoạn\s+(?P<y1>(?:19|20)\d\d)\s*(?:-|đến|tới)\s*(?P<y2>(?:19|20)\d\d)(?!\d)"
# e.g. "tháng 3/2026", "tháng 3 năm 2026", "đến hết tháng 6/2026"; not "ngày   tháng 12 năm 2025"
_MONTH = (
    r"(?<!ngày\s*)(?<!\p{L})(?P<lead>(?:tính\s+)?(?:đến|tới)\s+hết\s+)?"
    rf"tháng\s+(?P<m>0?[1-9]|1[0-2])(?![\d\p{{L}}])(?:\s*(?:/|-|\.|năm)\s*{_YEAR})?(?![\d/])"
)
# e.g. "năm 2025", "NĂM 2025"; not "đến năm 2030" (a horizon), nor the year of "ngày   tháng 12 năm 2025"
_YEAR_ALONE = rf"(?<!(?:đến|tới)\s+)(?<!tháng\s+\d{{1,2}}\s+)(?<!\p{{L}})năm\s+{_YEAR}"
_PATTERNS: list[tuple[str, regex.Pattern[str]]] = [
    (kind, compile_ascii(p, _I))
    for kind, p in [
        ("quarter", _QUARTER),
        ("months", _MONTHS),
        ("phase", _PHASE),
        ("month", _MONTH),
        ("year", _YEAR_ALONE),
    ]
]


def _dates_of(kind: str, m: regex.Match[str], year: int) -> tuple[date, date] | None:
    if kind == "quarter":
        q = m.group("q").lower()
        n = _ROMAN[q] if q in _ROMAN else int(q)
        return date(year, 3 * n - 2, 1), _month_end(year, 3 * n)
    if kind == "months":
        n = _WORD_NUMBERS.get(m.group("n").lower()) or int(m.group("n"))
        if not 1 <= n <= 12:
            return None
        if (m.group("side") or "").lower() == "cuối":
            return date(year, 13 - n, 1), date(year, 12, 31)
        return date(year, 1, 1), _month_end(year, n)
    if kind == "month":
        month = int(m.group("m"))
        first = date(year, 1, 1) if m.group("lead") else date(year, month, 1)
        return first, _month_end(year, month)
    return date(year, 1, 1), date(year, 12, 31)  # year


def _duration(m: regex.Match[str]) -> bool:
    """ "trong 03 tháng 10 ngày": a yearless "tháng M" right after a number counts months."""
    return m.group("y") is None and bool(regex.search(r"[0-9]\s*$", m.string[max(0, m.start() - 6) : m.start()]))


def _word_match(kind: str, m: regex.Match[str], default_year: int | None) -> PeriodMatch | None:
    if kind == "month" and _duration(m):
        return None
    if kind == "phase":
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if y2 < y1:
            return None
        return PeriodMatch(m.group(), date(y1, 1, 1), date(y2, 12, 31), m.span(), kind, y1)
    written = m.group("y")
    year = int(written) if written else default_year
    found = _dates_of(kind, m, year) if year is not None else None
    if year is not None and found is None:
        return None
    if kind == "month" and m.group("lead"):
        kind = "to_date"
    first, last = found if found else (None, None)
    return PeriodMatch(m.group(), first, last, m.span(), kind, year)


# --- finding ---------------------------------------------------------------------------------------


class _Spans:
    """The union of the spans taken so far, as sorted disjoint intervals: one lookup costs a bisection."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def meets(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a span taken."""
        k = bisect_right(self.spans, (start, end)) - 1
        return (k >= 0 and self.spans[k][1] > start) or (k + 1 < len(self.spans) and self.spans[k + 1][0] < end)

    def add(self, start: int, end: int) -> None:
        lo = bisect_left(self.spans, (start, start))
        if lo > 0 and self.spans[lo - 1][1] > start:
            lo -= 1
        hi = lo
        while hi < len(self.spans) and self.spans[hi][0] < end:
            hi += 1
        if hi > lo:
            start, end = min(start, self.spans[lo][0]), max(end, self.spans[hi - 1][1])
        self.spans[lo:hi] = [(start, end)]


def find_periods(text: str, default_year: int | None = None) -> list[PeriodMatch]:
    """Every period named in ``text``, in text order (see the catalogue for the families and priority)."""
    dates = find_dates(text)
    taken = _Spans()
    out: list[PeriodMatch] = []

    def keep(p: PeriodMatch) -> None:
        if not taken.meets(*p.span):
            taken.add(*p.span)
            out.append(p)

    for family in (_ranges, _to_dates):
        for p in family(text, dates):
            keep(p)
    for d in dates:
        taken.add(d.start, d.end)
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            if (w := _word_match(kind, m, default_year)) is not None:
                keep(w)
    return sorted(out, key=lambda p: p.span)


# --- the report's period ---------------------------------------------------------------------------

_BODY_START = compile_ascii(
    r"^[ \t#*>-]*(?:Kính\s+gửi|Thực\s+hiện|Căn\s+cứ|Sáng\s+ngày|Chiều\s+ngày|Ngày\s+\d|Hôm\s+nay|Theo\s+đề\s+nghị|"
    r"Trên\s+cơ\s+sở|I\.\s|PHẦN\s)",
    regex.MULTILINE,
)
_KIND_HEADING = compile_ascii(
    r"^[ \t#*>]*(?:BÁO\s+CÁO|THÔNG\s+BÁO|KẾ\s+HOẠCH|TỜ\s+TRÌNH|QUYẾT\s+ĐỊNH|CÔNG\s+VĂN|PHỤ\s+LỤC|KẾT\s+LUẬN|"
    r"BIÊN\s+BẢN|CHƯƠNG\s+TRÌNH)[ \t*:]*$",
    regex.MULTILINE,
)
_VV = compile_ascii(r"(?<!\p{L})V/v\b")
_VV_END = compile_ascii(r"\n[ \t]*(?:Kính\s+gửi|[\p{L} .]+,\s*ngày|\n)")
# A period after these belongs to a plan or to a cited document, not to what is reported.
_SECONDARY = compile_ascii(
    r"phương\s+hướng|định\s+hướng|dự\s+kiến|(?:\bvà|,)\s+(?:nhiệm\s+vụ|kế\s+hoạch)|số\s*\d+\s*[-/]", _I
)
_PREAMBLE_END = compile_ascii(r"như\s+sau", _I)
_HEAD_LIMIT = 1500


@dataclass(frozen=True)
class RankedPeriod:
    tier: str  # title, head, preamble, document
    match: PeriodMatch


def _title_spans(text: str, head_end: int) -> list[tuple[int, int]]:
    spans = []
    if vv := _VV.search(text, 0, head_end):
        end = _VV_END.search(text, vv.end(), head_end)
        spans.append((vv.start(), end.start() if end else head_end))
    if kind := _KIND_HEADING.search(text, 0, head_end):
        spans.append((kind.end(), head_end))
    return spans or [(0, head_end)]


def _doc_year(text: str, head_end: int, periods: list[PeriodMatch]) -> int | None:
    for d in find_dates(text, 0, head_end):
        if d.year is not None:
            return d.year
    years = Counter(p.year for p in periods if p.year is not None)
    return years.most_common(1)[0][0] if years else None


def _first_not_plan(text: str, region: tuple[int, int], found: list[PeriodMatch]) -> PeriodMatch | None:
    inside = [p for p in found if region[0] <= p.span[0] and p.span[1] <= region[1] and p.start is not None]
    previous = region[0]
    for p in inside:
        if not _SECONDARY.search(text, previous, p.span[0]):
            return p
        previous = p.span[1]
    return inside[0] if inside else None


def ranked_periods(doc: Document) -> Iterator[RankedPeriod]:
    """The candidates of ``report_period`` in its order of precedence (tiers 1–3, then the most named)."""
    text = doc.norm.text
    body = _BODY_START.search(text, 0, _HEAD_LIMIT)
    head_end = body.start() if body else min(len(text), _HEAD_LIMIT)
    found = find_periods(text)
    year = _doc_year(text, head_end, found)
    found = [_with_year(p, year) for p in found]
    preamble = _PREAMBLE_END.search(text, head_end, head_end + 1200)
    regions: list[tuple[str, tuple[int, int]]] = [("title", s) for s in _title_spans(text, head_end)]
    regions += [("head", (0, head_end)), ("preamble", (head_end, preamble.end() if preamble else head_end + 600))]
    for tier, region in regions:
        if (p := _first_not_plan(text, region, found)) is not None:
            yield RankedPeriod(tier, p)
    counts: Counter[tuple[date | None, date | None]] = Counter((p.start, p.end) for p in found)
    for p in sorted((p for p in found if p.start is not None), key=_by_count(counts)):
        yield RankedPeriod("document", p)


def _by_count(counts: Counter[tuple[date | None, date | None]]) -> Callable[[PeriodMatch], tuple[int, int]]:
    return lambda p: (-counts[(p.start, p.end)], p.span[0])


def _with_year(p: PeriodMatch, year: int | None) -> PeriodMatch:
    if p.start is not None or year is None:
        return p
    again = find_periods(p.label, default_year=year)
    if not again or again[0].start is None:
        return p
    return replace(p, start=again[0].start, end=again[0].end, year=year)


def report_period(doc: Document) -> Period | None:
    """The period the report is about (rule in the module docstring); the label quotes the original text."""
    best = next(ranked_periods(doc), None)
    if best is None or best.match.start is None or best.match.end is None:
        return None
    p = best.match
    return Period(label=fold_ws(doc.norm.quote(*p.span)), start=p.start, end=p.end)
