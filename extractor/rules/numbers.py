"""Numbers as Vietnamese reports write them; every reading says which convention it took and why.

Vietnamese writes "3.579" for 3579 and "99,25" for 99.25, yet real reports also write "71.2%" and
"2,991 giao dịch". A token is read from its shape first, then from its context.

Shapes, in priority order (``_shape``):
  - integer                       e.g. "375", "05" (a leading zero pads a count: 5)
  - thousands_dot                 e.g. "95.120.259.153" (every group after the first has three digits)
  - thousands_comma               e.g. "1,234,567"
  - thousands_dot_decimal_comma   e.g. "1.234,5"
  - thousands_comma_decimal_dot   e.g. "1,234.5"
  - decimal_comma                 e.g. "99,25", "0,14", "1234,567" (a comma that cannot group thousands)
  - decimal_dot                   e.g. "71.2", "8.00" (a dot that cannot group thousands)
  - ambiguous: "2,991", "3.579"   one separator, one to three digits before it, exactly three after
  - unreadable                    e.g. "1.3.1", "1,2,3" (outline labels, lists)

An ambiguous token is settled by the first rule that applies (``_settle``):
  1. a leading zero ("0,125")                      -> decimal: a thousands group never follows a lone 0
  2. a score cell (extractor.rules.points)        -> decimal: scores stay far below a thousand
  3. a percent after it ("12,345%")                -> decimal: percentages are not grouped
  4. a count noun after it ("2,991 giao dịch")     -> thousands: counts are whole
  5. a dot: always thousands ("1.429 triệu"); reports that write "71.2%" still group thousands with
     dots (seed 004), so only rules 1–3 make a dot decimal
  6. a comma: the convention of the same line or cell, then of the whole text: where the other numbers
     write "." as the decimal point and never ",", a comma groups thousands
  7. a comma with no evidence: the Vietnamese decimal comma, marked ``ambiguous``

Context read around a number:
  - qualifier before (``_QUALIFIERS``)  e.g. "≥80%", "Trên 98%", "$\\geq 70$", "gần 3.000", "dưới 15%"
  - unit after (``_unit_after``)        e.g. "%", "phần trăm", "điểm", count nouns ("hồ sơ", "CBCC"),
                                        magnitudes ("1.429 triệu", "28.611 tỷ đồng")

``find_numbers`` skips what is not a quantity (``_SKIP``): dates (extractor.rules.dates), month/year
("tháng 3/2026"), document symbols ("18/KH-UBND", "42/2022/NĐ-CP", "57-NQ/TW", "110KH-UBND"), numbers
naming a document or article ("Đề án 06", "Kế hoạch số 28", "mã số TTHC 1.011963"), calendar words
("năm 2025", "tháng 4"), bare years (2025), labels at a line start (outline "2.1.", "1.3.1", "3.2\\t";
a table row, page or footnote number alone or before a capital: "4 Tỷ lệ…", "2\\n"), enumerators "(1)",
codes glued to letters ("5G", "NQ57"), and ranges ("3-5 tin/bài/tuần", see ``find_ranges``).

Fractions and the percentage stated with them are paired in ``extractor.rules.fractions``. Score cells
("4,63", "99,25 /100") are read in ``extractor.rules.points``, where rule 2 applies.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import regex

from extractor.rules.dates import find_dates
from extractor.rules.digits import compile_ascii

Unit = Literal["%", "count", "points"]
Bound = Literal["ge", "gt", "le", "lt", "approx"]
Convention = Literal["dot_decimal", "comma_decimal"]

NUM = r"\d+(?:[.,]\d+)*"
_SEP_RE = compile_ascii(r"[.,]")
_YEAR_RE = compile_ascii(r"(?:19|20)\d\d")
_BIG = 1 << 62
TOKEN_RE = compile_ascii(rf"(?<![\p{{L}}\p{{N}}_])(?P<num>{NUM})(?![\p{{L}}\p{{N}}_])")

# Qualifiers written right before a number, with the bound they state.
_QUALIFIERS: list[tuple[str, Bound]] = [
    (r"≥|>=|\\geq?|tối thiểu|ít nhất|không dưới|không thấp hơn|từ", "ge"),  # e.g. "≥80%", "$\geq 70$"
    (r"≤|<=|\\leq?|tối đa|không quá|không vượt quá", "le"),  # e.g. "≤ 5 ngày", "tối đa 10 điểm"
    (r">|trên|hơn|vượt", "gt"),  # e.g. "Trên 98%", "hơn 1.000 lượt"
    (r"<|dưới|chưa đến|chưa tới", "lt"),  # e.g. "$< 70$", "dưới 15%"
    (r"~|khoảng|gần|xấp xỉ|ước", "approx"),  # e.g. "gần 3.000 người", "khoảng 20%"
]
_QUALIFIER_RE = [
    (compile_ascii(rf"(?:^|(?<![\p{{L}}]))(?P<q>{p})\s*\$?\s*$", regex.IGNORECASE), b) for p, b in _QUALIFIERS
]

# Count nouns: a number right before one of them is a whole count.
COUNT_NOUNS = [
    "hồ sơ", "giao dịch", "trường hợp", "thủ tục", "TTHC", "văn bản", "VBQPPL", "tài khoản", "chứng thư",
    "người", "lượt", "CBCC", "CBCCVC", "cán bộ", "công chức", "viên chức", "công dân", "đối tượng", "hộ",
    "đại biểu", "thành viên", "học sinh", "giáo viên", "doanh nghiệp", "hợp tác xã", "đơn vị", "cơ quan",
    "xã", "phường", "thôn", "tổ", "cơ sở", "trường", "nhiệm vụ", "báo cáo", "kế hoạch", "quyết định",
    "công văn", "dịch vụ", "tin", "bài", "buổi", "lớp", "cuộc", "hội nghị", "sản phẩm", "biên chế",
    "máy", "bộ", "thiết bị", "chiếc", "cái", "tờ", "cuốn", "túi", "ghế", "bàn", "quạt", "mắt", "lần",
    "vấn đề", "kiến nghị", "phản ánh", "ý kiến", "mô hình", "sáng kiến", "chương trình", "hệ thống",
    "phần mềm", "chữ ký số", "thuê bao", "tiêu chí", "chỉ tiêu", "nội dung", "phiếu", "camera",
]  # fmt: skip
_NOUN_ALTERNATIVES = "|".join(r"\s+".join(map(regex.escape, n.split())) for n in sorted(COUNT_NOUNS, key=len)[::-1])
_COUNT_RE = compile_ascii(rf"^\s*(?P<noun>{_NOUN_ALTERNATIVES})(?!\p{{L}})", regex.IGNORECASE)
_PERCENT_RE = compile_ascii(r"^\s?(?:%|phần trăm(?!\p{L}))")
_POINTS_RE = compile_ascii(r"^\s*(?P<noun>điểm)(?!\p{L})", regex.IGNORECASE)
_MAGNITUDES = {"nghìn": 3, "ngàn": 3, "triệu": 6, "tỷ": 9, "tỉ": 9}
_MAGNITUDE_RE = compile_ascii(r"^\s*(?P<noun>(?P<mag>nghìn|ngàn|triệu|tỷ|tỉ)(?:\s+đồng)?)(?!\p{L})", regex.IGNORECASE)

# What is not a quantity, in the order it is checked.
_SKIP = {
    # e.g. "tháng 3/2026", "10/2025": a month and its year
    "month_year": compile_ascii(r"(?<![\d/.])(?:0?[1-9]|1[0-2])\s*[/.-]\s*(?:19|20)\d\d(?![\d/])"),
    # e.g. "18/KH-UBND", "42/2022/NĐ-CP", "57-NQ/TW", "1404//UBND-VHXH", "66.7/2025/NQ-CP"
    "symbol": compile_ascii(r"(?<![\p{L}\d.])\d[\d.]*+(?:/\d{4})?(?:/{1,2}|-)\s?\p{Lu}"),
}
_DOC_WORDS = (
    r"đề án|nghị quyết|nghị định|quyết định|chỉ thị|thông tư|kế hoạch|công văn|báo cáo|thông báo|tờ trình|"
    r"hướng dẫn|luật|điều|khoản|mục|phụ lục|chương|biểu|mẫu|bảng|phần|tiêu chí|"
    r"KH|QĐ|CV|Cv|TB|BC|NQ|ĐA|CT|HD|TTr|NĐ|TT|mã(?:\s+số)?(?:\s+\p{Lu}+)?"
)
_NAMING_RE = compile_ascii(rf"(?<!\p{{L}})(?:{_DOC_WORDS})(?:\s+số)?\s*:?\s*$", regex.IGNORECASE)
_CALENDAR_RE = compile_ascii(r"(?<!\p{L})(?:ngày|tháng|năm|quý|kỳ|giai đoạn|niên độ)\s*$", regex.IGNORECASE)
_LABEL_LEAD_RE = compile_ascii(r"[ \t#*>]*")  # e.g. "### **2.1. Công tác": Markdown before a label
_LABEL_AFTER_RE = compile_ascii(r"\.(?!\d)|\)|\t")  # e.g. "2.1. ", "a) ", "3.2\t"
_DOTTED_LABEL_AFTER_RE = compile_ascii(r"\s+\p{Lu}")  # e.g. "3.2 Tồn tại"
# e.g. "4 Tỷ lệ hồ sơ" (a table row read as text), "2\n" (a page number), "1 Cụ thể:" (a footnote)
_LONE_LABEL_AFTER_RE = compile_ascii(r"[ \t]*(?:\n|$)|\s+\p{Lu}")
_NUM_ATOMIC = r"\d++(?:[.,]\d++)*+"  # NUM that never gives back: "1.1.1.1…" costs linear time
RANGE_RE = compile_ascii(
    rf"(?<![\p{{L}}\p{{N}}_/.,])(?P<a>{_NUM_ATOMIC}) *(?P<pa>%)? *[-–—] *(?P<b>{_NUM_ATOMIC})"
    r"(?![\p{L}\p{N}_/]|[.,]\d)"
)


@dataclass(frozen=True, kw_only=True)
class NumberReading:
    value: Decimal
    reading: str  # integer, decimal_comma, decimal_dot, thousands_dot, thousands_comma, …
    reason: str
    unit: Unit | None = None
    noun: str | None = None  # the count noun, "điểm" or the magnitude word after the number
    magnitude: int = 0  # power of ten of "nghìn"/"triệu"/"tỷ" after it: 1.429 triệu = 1429 x 10^6
    bound: Bound | None = None
    qualifier: str | None = None  # as written: "Trên", "≥"
    ambiguous: bool = False  # no shape or context settled it; the Vietnamese default was taken

    @property
    def scaled(self) -> Decimal:
        """The value with its magnitude word applied: "1.429 triệu" -> 1429000000."""
        return self.value.scaleb(self.magnitude)


@dataclass(frozen=True, kw_only=True)
class NumberMatch(NumberReading):
    start: int
    end: int
    text: str  # the number and a "%" right after it: "99,38 %"

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True, kw_only=True)
class RangeMatch:
    low: NumberReading
    high: NumberReading
    start: int
    end: int
    text: str


def half_unit(value: Decimal) -> Decimal:
    """Half a unit of the last digit written, the rounding a written figure allows: 80.9 -> 0.05, 100 -> 0.5."""
    exponent = value.as_tuple().exponent
    return Decimal(5).scaleb((exponent if isinstance(exponent, int) else 0) - 1)


# --- shapes ---------------------------------------------------------------------------------------


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and groups[0][0] != "0" and all(len(g) == 3 for g in groups[1:])


def _shape(num: str) -> tuple[str, Decimal | None]:
    """(shape, value) from the token alone; value None for the ambiguous and the unreadable."""
    seps = _SEP_RE.findall(num)
    groups = _SEP_RE.split(num)
    if not seps:
        return "integer", Decimal(num)
    if len(set(seps)) == 2:
        return _mixed(num, seps, groups)
    sep = seps[0]
    if len(seps) > 1:
        name = "thousands_dot" if sep == "." else "thousands_comma"
        return (name, Decimal("".join(groups))) if _grouped(groups) else ("unreadable", None)
    whole, frac = groups
    if len(frac) == 3 and _grouped(groups):
        return ("ambiguous_dot" if sep == "." else "ambiguous_comma"), None
    return ("decimal_dot" if sep == "." else "decimal_comma"), Decimal(f"{whole}.{frac}")


def _mixed(num: str, seps: list[str], groups: list[str]) -> tuple[str, Decimal | None]:
    last = seps[-1]
    if seps.count(last) != 1 or not _grouped(groups[:-1]):
        return "unreadable", None
    name = "thousands_dot_decimal_comma" if last == "," else "thousands_comma_decimal_dot"
    return name, Decimal("".join(groups[:-1]) + "." + groups[-1])


# --- context --------------------------------------------------------------------------------------


def _unit_after(after: str) -> tuple[Unit | None, str | None, int]:
    if after.lstrip(" ").startswith("$"):  # "$\geq 70$ điểm": the end of a formula written in Markdown
        after = after.lstrip(" ")[1:]
    if _PERCENT_RE.match(after):
        return "%", None, 0
    if m := _POINTS_RE.match(after):
        return "points", m.group("noun"), 0
    if m := _MAGNITUDE_RE.match(after):
        return None, " ".join(m.group("noun").split()), _MAGNITUDES[m.group("mag").lower()]
    if m := _COUNT_RE.match(after):
        return "count", " ".join(m.group("noun").split()), 0
    return None, None, 0


def _qualifier(before: str) -> tuple[Bound | None, str | None]:
    tail = before[-24:]
    for rx, bound in _QUALIFIER_RE:
        if m := rx.search(tail):
            return bound, m.group("q")
    return None, None


def profile(text: str) -> Convention | None:
    """The decimal convention the unambiguous numbers of ``text`` use, when they use only one."""
    return _convention(_shape(m.group("num"))[0] for m in _candidates(text))


def _convention(shapes: Iterable[str]) -> Convention | None:
    seen = set(shapes)
    dot = seen & {"decimal_dot", "thousands_comma", "thousands_comma_decimal_dot"}
    comma = seen & {"decimal_comma", "thousands_dot", "thousands_dot_decimal_comma"}
    if dot and not comma:
        return "dot_decimal"
    if comma and not dot:
        return "comma_decimal"
    return None


@dataclass(frozen=True)
class ReadingContext:
    """What settles an ambiguous token: the convention of its line or cell and of the document, or a score cell."""

    local: Convention | None = None
    document: Convention | None = None
    points: bool = False


def _settle(shape: str, unit: Unit | None, ctx: ReadingContext) -> tuple[str, str, bool]:
    """(reading, reason, ambiguous) for a token with one separator and exactly three digits after it."""
    sep = "dot" if shape == "ambiguous_dot" else "comma"
    if ctx.points:
        return f"decimal_{sep}", "a score cell: scores stay below a thousand, so the separator is decimal", False
    if unit == "%":
        return f"decimal_{sep}", "a percentage follows: percentages are not grouped in thousands", False
    if unit == "count":
        return f"thousands_{sep}", "a count noun follows: counts are whole, so the separator groups thousands", False
    if sep == "dot":
        return "thousands_dot", "a dot before exactly three digits groups thousands (Vietnamese)", False
    for scope, conv in (("line or cell", ctx.local), ("document", ctx.document)):
        if conv == "dot_decimal":
            return "thousands_comma", f"the {scope} writes '.' as the decimal point, so ',' groups thousands", False
        if conv == "comma_decimal":
            return "decimal_comma", f"the {scope} writes ',' as the decimal point", False
    return "decimal_comma", "comma before three digits with no other evidence: Vietnamese decimal comma", True


_REASONS = {
    "integer": "digits only",
    "thousands_dot": "dots between groups of three digits (Vietnamese thousands)",
    "thousands_comma": "commas between groups of three digits",
    "thousands_dot_decimal_comma": "dots group thousands and the last comma is the decimal point (Vietnamese)",
    "thousands_comma_decimal_dot": "commas group thousands and the last dot is the decimal point",
    "decimal_comma": "a comma not followed by a group of three digits is the decimal point (Vietnamese)",
    "decimal_dot": "a dot not followed by a group of three digits is the decimal point",
}


def read_token(num: str, before: str, after: str, ctx: ReadingContext) -> NumberReading | None:
    """Read ``num`` (a ``NUM`` token) from its shape, the text ``before`` and ``after`` it, and ``ctx``."""
    shape, value = _shape(num)
    if shape == "unreadable":
        return None
    unit, noun, magnitude = _unit_after(after)
    if ctx.points and unit is None:
        unit = "points"
    bound, qualifier = _qualifier(before)
    ambiguous = False
    if value is None:
        whole, frac = _SEP_RE.split(num)
        shape, reason, ambiguous = _settle(shape, unit, ctx)
        value = Decimal(whole + frac) if shape.startswith("thousands") else Decimal(f"{whole}.{frac}")
    else:
        reason = _REASONS[shape]
        if shape == "integer" and len(num) > 1 and num[0] == "0":
            reason = "digits with a leading zero that pads a count ('05 hồ sơ')"
    return NumberReading(
        value=value, reading=shape, reason=reason, unit=unit, noun=noun, magnitude=magnitude,
        bound=bound, qualifier=qualifier, ambiguous=ambiguous,
    )  # fmt: skip


_LEAD_RE = compile_ascii(rf"^\s*(?P<before>.*?)(?P<num>{NUM})", regex.DOTALL)


def read_number(token: str, context: str = "", *, convention: Convention | None = None) -> NumberReading | None:
    """Read one written number: "99,25", "71.2%", "≥80%", "Trên 98%", "2,991 giao dịch", "1.429 triệu".

    ``context`` is the neighbouring text (the line or table cell): the convention of its other numbers
    settles an ambiguous comma. ``convention`` is the document's, when the caller knows it.
    Returns None when ``token`` holds no readable number, or words other than a qualifier precede it.
    """
    m = _LEAD_RE.match(token)
    if m is None or (m.group("before").strip() and _qualifier(m.group("before"))[0] is None):
        return None
    after = token[m.end() :]
    ctx = ReadingContext(local=profile(context) if context else None, document=convention)
    return read_token(m.group("num"), m.group("before"), after, ctx)


# --- finding --------------------------------------------------------------------------------------


def _masked(text: str) -> list[tuple[int, int]]:
    spans = [(d.start, d.end) for d in find_dates(text)]
    for rx in _SKIP.values():
        spans += [(m.start(), m.end()) for m in rx.finditer(text)]
    return _merged(spans)


def _is_label(text: str, m: regex.Match[str]) -> bool:
    """An outline, table-row, page or footnote number at the start of a line: "2.1.", "1.3.1", "3.2\t", "2)"."""
    num, after = m.group("num"), text[m.end() : m.end() + 3]
    if not _LABEL_LEAD_RE.fullmatch(text, text.rfind("\n", 0, m.start()) + 1, m.start()):
        return False
    if "." in num and _shape(num)[0] == "unreadable":
        return True  # "1.3.1"
    if "," in num or any(len(g) > 2 for g in num.split(".")[1:]):
        return False
    if _LABEL_AFTER_RE.match(after):
        return True
    if "." in num:
        return bool(_DOTTED_LABEL_AFTER_RE.match(after))
    return len(num) <= 2 and bool(_LONE_LABEL_AFTER_RE.match(after))


def _skipped(text: str, m: regex.Match[str]) -> bool:
    num, start, end = m.group("num"), m.start(), m.end()
    before = text[max(0, start - 40) : start]
    if _NAMING_RE.search(before) or _CALENDAR_RE.search(before) or _is_label(text, m):
        return True
    if text[start - 1 : start] == "(" and text[end : end + 1] == ")" and len(num) <= 2:
        return True  # "(1)": an enumerator or a footnote mark
    if _YEAR_RE.fullmatch(num):
        unit, _, _ = _unit_after(text[end:])
        return unit is None  # a bare year
    return False


def _candidates(text: str) -> list[regex.Match[str]]:
    masks = _masked(text)
    ranges = _merged([r.span() for r in RANGE_RE.finditer(text) if not _overlaps(r.start(), r.end(), masks)])
    out = []
    for m in TOKEN_RE.finditer(text):
        if _overlaps(m.start(), m.end(), masks) or _overlaps(m.start(), m.end(), ranges) or _skipped(text, m):
            continue
        out.append(m)
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets one of ``spans`` (sorted by start and not overlapping each other)."""
    k = bisect_right(spans, (start, _BIG)) - 1
    return (k >= 0 and spans[k][1] > start) or (k + 1 < len(spans) and spans[k + 1][0] < end)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_BREAK_RE = compile_ascii(r"[\n\t]")  # a line or a table cell (tab-separated) ends a segment


def _segment(breaks: list[int], pos: int, size: int) -> tuple[int, int]:
    """The line or cell around ``pos``, from the sorted positions of the line and cell breaks."""
    k = bisect_right(breaks, pos)
    return (breaks[k - 1] + 1 if k else 0), (breaks[k] if k < len(breaks) else size)


def find_numbers(text: str) -> list[NumberMatch]:
    """Every quantity in ``text`` (normalised text, ``doc.norm.text``), in order; see the module catalogue."""
    return list(_find_numbers(text))


@lru_cache(maxsize=16)  # the metrics, the fractions and the narrative checks read the same texts
def _find_numbers(text: str) -> tuple[NumberMatch, ...]:
    breaks = [m.start() for m in _BREAK_RE.finditer(text)]
    found = [(m, _shape(m.group("num"))[0], _segment(breaks, m.start(), len(text))) for m in _candidates(text)]
    document = _convention(shape for _, shape, _ in found)
    by_segment: dict[tuple[int, int], list[str]] = {}
    for _, shape, seg in found:
        by_segment.setdefault(seg, []).append(shape)
    local = {seg: _convention(shapes) for seg, shapes in by_segment.items()}
    out = []
    for m, _, seg in found:
        ctx = ReadingContext(local=local[seg], document=document)
        r = read_token(m.group("num"), text[max(0, m.start() - 40) : m.start()], text[m.end() : m.end() + 60], ctx)
        if r is not None:
            out.append(_at(text, r, m.start(), m.end()))
    return tuple(out)


def _at(text: str, r: NumberReading, start: int, end: int) -> NumberMatch:
    if r.unit == "%" and (p := _PERCENT_RE.match(text[end : end + 12])):
        end += p.end()
    return NumberMatch(**vars(r), start=start, end=end, text=text[start:end])


def find_ranges(text: str) -> list[RangeMatch]:
    """ "3-5 tin/bài/tuần", "15 - 20%": two bounds, never one number (dates and symbols excluded)."""
    masks = _masked(text)
    out = []
    for m in RANGE_RE.finditer(text):
        if _overlaps(m.start(), m.end(), masks) or all(_YEAR_RE.fullmatch(g) for g in (m.group("a"), m.group("b"))):
            continue  # a date, a symbol, or a span of years ("2026 - 2030" is a period)
        after = text[m.end() : m.end() + 60]
        low = read_token(m.group("a"), "", ("%" if m.group("pa") else "") + after, ReadingContext())
        high = read_token(m.group("b"), "", after, ReadingContext())
        if low and high:
            out.append(RangeMatch(low=low, high=high, start=m.start(), end=m.end(), text=m.group()))
    return out
