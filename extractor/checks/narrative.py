"""The arithmetic a narrative states: fractions and their percentages, totals and their parts, a rate given
twice. Reads ``doc.norm.text``; every finding quotes the original text.

  PERCENT_FRACTION_MISMATCH  a fraction and the percentage ``find_fractions`` pairs with it, e.g.
      "24.152/29.950 trường hợp, đạt 80,9%" (it is 80,64%). Tolerance: half a unit of the last decimal written
      ("80,9%": 0,05; "100%": 0,5); "trên/≥ x%" is a bound; "khoảng x%" allows APPROX_RATE points.
  PARTS_SUM_MISMATCH  a total against the parts listed after "trong đó", "gồm", "cụ thể", in a parenthesis
      right after it, or in the footnote its sentence marks: ``extractor.checks.parts`` (``parts_findings``).
  CONFLICTING_VALUES  one rate given twice with values differing beyond the rounding of the less precise, e.g.
      "Tỷ lệ tái sử dụng thông tin, dữ liệu đã số hóa … 88.6%" (table) and "Tỷ lệ tái sử dụng thông tin, dữ liệu
      trong xử lý hồ sơ hành chính đạt 88,2%" (text). Same rate: subjects alike both ways (TitleMatcher,
      weighted over the document's own subjects) and stated in two places (not one table, not neighbouring
      paragraphs: side by side are sibling items). Never compared: bounds and targets ("≥80%", "mục tiêu"),
      relative rates ("so với kế hoạch", "bằng 89,9% dự toán", "tăng 5%", "chiếm 0,14%"), other years or
      periods, plans (after "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ …"). A mention agreeing with an earlier one is not raised.
Footnotes: a marker ("nhiệm vụ(1)", "…¹") ties its sentence to the footnote starting with that number on a line
("1 Cụ thể: 12 bàn …"), which runs to a bullet, an outline label, or a sentence end followed by the body. A
footnote is its own scope: its figures are never compared with the body's, but a footnote opening with
"Trong đó" lists the parts of its sentence's total.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import regex

from extractor.checks.findings import finding, vn
from extractor.checks.parts import TINY, parts_findings
from extractor.contract import Finding, Location, Metric
from extractor.model import Document, Table
from extractor.rules.fractions import find_fractions
from extractor.rules.locate import Locator
from extractor.rules.match import Candidate, TitleMatcher, tokens
from extractor.rules.metrics import stated_as_achieved
from extractor.rules.numbers import NumberMatch, find_numbers, half_unit
from extractor.textnorm import fold

APPROX_RATE = Decimal(1)  # "khoảng 80%": percentage points either way
SAME_RATE = 0.55  # subject likeness, both ways, of two mentions of one rate
MIN_SUBJECT_TOKENS = 2
NEAR = 300  # characters: closer mentions belong to one passage

_CLAUSE_BREAK = regex.compile(r"[.!?;](?=\s|$)|\n(?=[ \t]*[-+•*])")
_MARKER = regex.compile(r"(?<=[\p{L}\p{N}%.,;:)\"'])(?:\((\d{1,2})\)|([¹²³⁴⁵⁶⁷⁸⁹]+))")  # "nhiệm vụ(1)", "100%¹"
_FOOT_LABEL = regex.compile(r"(?m)^[ \t]*(?:(\d{1,2})|([¹²³⁴⁵⁶⁷⁸⁹]+))[ \t]*(?=\p{Lu})")
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
_FOOT_STOP = regex.compile(r"[ \t]*(?:[-+•*][ \t]|\d+(?:\.\d+)*\.\s|[a-zđ]\)|[IVX]+\.)")
_BODY_RESUMES = regex.compile(r"[ \t]*(?:\p{Ll}|\d{1,2}[ \t]+\p{Lu})")  # after a footnote's last sentence
_PLAN = regex.compile(r"(?i)phương hướng|thời gian tới|nhiệm vụ trọng tâm năm")
_HEADING = regex.compile(r"^[#*\s]*(?:phần\s+\w+|[IVX]+\.|\d+\.)", regex.I)
_LINK_TAIL = regex.compile(r"(?:\s+(?:đạt|là|chiếm|bằng|được|tỷ lệ|tỉ lệ|khoảng|trên))+$", regex.I)
_PERIOD = regex.compile(
    r"(?:19|20)\d\d|quý(?:\s+[IV\d]+)?|\d+\s+tháng\s+(?:đầu|cuối)|tháng\s+\d{1,2}|cùng kỳ|năm (?:trước|ngoái|nay)|"
    r"đến nay|lũy kế|từ đầu năm",
    regex.I,
)


@dataclass(frozen=True)
class Footnote:
    marker: int  # offsets in doc.norm.text: the "(3)" in the body, then the footnote's text
    start: int
    end: int


class _Text:
    """The normalised text with what the checks share: numbers, units (paragraphs, table rows), footnotes."""

    def __init__(self, doc: Document) -> None:
        self.doc, self.text, self.loc = doc, doc.norm.text, Locator(doc)
        self.numbers = find_numbers(self.text)
        self.at = {n.start: n for n in self.numbers}
        to = doc.norm.to_norm
        spans = [(r.start, r.end) for b in doc.body for r in (b.rows if isinstance(b, Table) else [b])]
        self.units = sorted((to(s), to(e)) for s, e in spans) or [(0, 0)]
        self.notes = footnotes(self.text)
        self.plan = _plan_start(self.text, self.units)
        blocks = [(to(b.start), to(b.end)) for b in doc.body]
        self.fractions = [(lo, f) for lo, hi in blocks for f in find_fractions(self.text[lo:hi])]
        self.in_fraction = {lo + x.start for lo, f in self.fractions for x in (f.numerator, f.denominator)}

    def unit(self, pos: int) -> tuple[int, int, int]:
        """(start, end, index) of the paragraph or table row holding ``pos``."""
        k = max(0, bisect_right(self.units, (pos, len(self.text) + 1)) - 1)
        return (*self.units[k], k)

    def scope(self, pos: int) -> int:
        return next((i for i, f in enumerate(self.notes) if f.start <= pos < f.end), -1)

    def where(self, start: int, end: int) -> Location:
        start += len(self.text[start:end]) - len(self.text[start:end].lstrip())
        return self.loc.from_norm(start, end)


def check_narrative(doc: Document, metrics: list[Metric]) -> list[Finding]:
    """PERCENT_FRACTION_MISMATCH, PARTS_SUM_MISMATCH and CONFLICTING_VALUES in one document's text."""
    t = _Text(doc)
    return percent_findings(t) + parts_findings(t) + conflict_findings(t, metrics)


def footnotes(text: str) -> list[Footnote]:
    """Footnotes a body marker announces: "…nhiệm vụ(1)" … "1 Cụ thể: 12 bàn quầy …"."""
    out: list[Footnote] = []
    for m in _MARKER.finditer(text):
        n = (m.group(1) or m.group(2)).translate(_SUPERSCRIPTS)
        after = max(m.end(), out[-1].end if out else 0)
        for label in _FOOT_LABEL.finditer(text, after, min(len(text), after + 4000)):
            if (label.group(1) or label.group(2) or "").translate(_SUPERSCRIPTS) == n:
                out.append(Footnote(m.start(), label.end(), _footnote_end(text, label.end())))
                break
    return out


def _footnote_end(text: str, start: int) -> int:
    lines = regex.compile(r"[^\n]*").finditer(text, start)
    end, last = start, ""
    for line in (m for m, _ in zip(lines, range(40), strict=False) if m.group().strip()):
        resumes = last.endswith(".") and _BODY_RESUMES.match(line.group())
        if last and (_FOOT_STOP.match(line.group()) or resumes):
            break
        end, last = line.end(), line.group().rstrip()
    return end


def _plan_start(text: str, units: list[tuple[int, int]]) -> int:
    """Where the plans begin: a heading such as "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2026"."""
    for s, e in units:
        line = text[s:e].strip()
        heading = _HEADING.match(line) or all(c.isupper() for c in line if c.isalpha())
        if len(line) < 160 and heading and _PLAN.search(line) and "kết quả" not in line.lower():
            return s
    return len(text)


# --- PERCENT_FRACTION_MISMATCH --------------------------------------------------------------------


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def rate_holds(ratio: Decimal, stated: NumberMatch) -> bool:
    """Whether ``ratio`` (a percentage) is what "x%" states, within its rounding or as its bound."""
    tol, x = half_unit(stated.value) + TINY, stated.value
    if stated.bound in ("ge", "gt"):
        return ratio >= x - tol
    if stated.bound in ("le", "lt"):
        return ratio <= x + tol
    return abs(ratio - x) <= (max(tol, APPROX_RATE) if stated.bound == "approx" else tol)


def percent_findings(t: _Text) -> list[Finding]:
    out = []
    for lo, f in t.fractions:
        p, ratio = f.percent, f.ratio_percent
        if p is None or ratio is None or f.denominator.unit == "points" or rate_holds(ratio, p) or _cut(ratio, p):
            continue  # a rate cut instead of rounded (63,179% written 63,17%) is rounding, not an error
        shown = vn(ratio.quantize(Decimal(1).scaleb(_exponent(p.value)), ROUND_HALF_UP), 3)
        said = f"{p.qualifier} {p.text}" if p.qualifier else p.text
        msg = (
            f"Tỷ lệ tính lại {f.numerator.text}/{f.denominator.text} = {vn(ratio)}%"
            f"{f' (làm tròn {shown}%)' if shown != vn(ratio) else ''}, nhưng báo cáo ghi {said}"
            f"{_percent_hint(f.numerator.value, f.denominator.value, p)}."
        )
        where = t.where(lo + min(f.start, p.start), lo + max(f.end, p.end))
        out.append(finding("PERCENT_FRACTION_MISMATCH", msg, expected=ratio.quantize(Decimal("0.01")),
                           found=p.value, location=where))  # fmt: skip
    return out


def _cut(ratio: Decimal, stated: NumberMatch) -> bool:
    """The stated rate is the ratio with its digits cut off (63,179% -> 63,17%)."""
    return not stated.bound and ratio.quantize(Decimal(1).scaleb(_exponent(stated.value)), ROUND_DOWN) == stated.value


def _percent_hint(a: Decimal, b: Decimal, stated: NumberMatch) -> str:
    """Why they may disagree: the fraction written upside down."""
    if a and rate_holds(b * 100 / a, stated):
        return f" (đúng bằng {vn(b * 100 / a)}% nếu đảo tử số và mẫu số)"
    return ""


# --- CONFLICTING_VALUES ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rate:
    n: NumberMatch
    start: int  # where its subject starts
    subject: str
    where: tuple[int, frozenset[str], int | None]  # scope (-1: the body), period, table
    unit: int  # index of its paragraph or table row


def _content(text: str) -> list[str]:
    return tokens(regex.sub(r"\d", " ", text))


def _clean(subject: str) -> str:
    """Words only, no link word at the end: "… hồ sơ hành chính đạt" -> "… hồ sơ hành chính"."""
    return _LINK_TAIL.sub("", " ".join(regex.sub(r"[^\p{L}\s]", " ", subject).split()))


def _subject(t: _Text, n: NumberMatch) -> tuple[int, str]:
    """What a rate measures: the words before it back to the clause or the previous rate, else the words
    after it ("100% cán bộ …"), else the figure-free unit before (a table row read as lines)."""
    lo, hi, k = t.unit(n.start)
    stops = [m.end() for m in _CLAUSE_BREAK.finditer(t.text, lo, n.start)]
    start = max([lo, *stops, *(x.end for x in t.numbers if lo <= x.end <= n.start and x.unit == "%" and not x.bound)])
    if len(_content(t.text[start : n.start])) >= MIN_SUBJECT_TOKENS:
        return start, _clean(t.text[start : n.start])
    stop = min([hi, *(x.start for x in t.numbers if n.end <= x.start < hi)])
    brk = _CLAUSE_BREAK.search(t.text, n.end, stop)
    after = t.text[n.end : brk.start() if brk else stop]
    if len(_content(after)) >= MIN_SUBJECT_TOKENS:
        return n.start, _clean(after)
    prev = t.text[slice(*t.units[k - 1])] if k else ""
    return start, _clean(prev if prev and not regex.search(r"\d", prev) else t.text[start : n.start])


def _comparable(t: _Text, n: NumberMatch, start: int) -> bool:
    if n.bound or n.start >= t.plan or _PLAN.search(t.text, t.unit(n.start)[0], n.start):
        return False  # a target, or a plan ("+ Các nhiệm vụ trọng tâm trong thời gian tới: (1) … 100% …")
    return stated_as_achieved(n, t.text[start : n.start], t.text[n.end : n.end + 40])


def _rates(t: _Text, metrics: list[Metric]) -> list[_Rate]:
    out: dict[int, _Rate] = {}
    for m in metrics:
        n = t.at.get(t.doc.norm.to_norm(m.location.start)) if m.location.start is not None else None
        if n is None or n.unit != "%":
            continue
        start, subject = _subject(t, n)
        if _comparable(t, n, start) and len(_content(subject)) >= MIN_SUBJECT_TOKENS:
            _, hi, k = t.unit(n.start)
            period = frozenset(fold(p) for p in _PERIOD.findall(t.text, start, min(hi, n.end + 60)))
            out[n.start] = _Rate(n, start, subject, (t.scope(n.start), period, m.location.table), k)
    return sorted(out.values(), key=lambda r: r.n.start)


def _apart(a: _Rate, b: _Rate) -> bool:
    """Two statements of one rate sit in two places; side by side ("… sở, ngành … 99,1%" / "… cấp xã …
    99,81%", rows of one table) are sibling items."""
    same_table = a.where[2] is not None and a.where[2] == b.where[2]
    return a.where == b.where and not same_table and b.unit - a.unit > 1 and b.start - a.n.end > NEAR


def conflict_findings(t: _Text, metrics: list[Metric]) -> list[Finding]:
    rates = _rates(t, metrics)
    matcher = TitleMatcher([Candidate(str(i), (r.subject,)) for i, r in enumerate(rates)])
    out = []
    for j, b in enumerate(rates):
        alike = [
            (score, a)
            for i, a in enumerate(rates[:j])
            if _apart(a, b)
            and (score := min(matcher.score(b.subject, str(i)), matcher.score(a.subject, str(j)))) >= SAME_RATE
        ]
        differ = [abs(a.n.value - b.n.value) > max(half_unit(a.n.value), half_unit(b.n.value)) for _, a in alike]
        if alike and all(differ):
            out.append(_conflict(t, max(alike, key=lambda x: x[0])[1], b))
    return out


def _place(loc: Location) -> str:
    parts = [f"trang {loc.page}" if loc.page else "", f"bảng {loc.table + 1}" if loc.table is not None else ""]
    parts.append(f"hàng {loc.row}" if loc.row is not None else f"dòng {loc.line}" if loc.line else "")
    return ", ".join(p for p in parts if p) or "trong văn bản"


def _conflict(t: _Text, a: _Rate, b: _Rate) -> Finding:
    first, second = t.where(a.start, a.n.end), t.where(b.start, b.n.end)
    one, two = (" ".join(x.quote.split()) for x in (first, second))
    msg = (
        f"Cùng một chỉ tiêu được ghi hai giá trị khác nhau: {vn(a.n.value, 3)}% ({_place(first)}: «{one}») "
        f"và {vn(b.n.value, 3)}% ({_place(second)}: «{two}»)."
    )
    expected = {"value": a.n.value, "text": a.n.text, "quote": first.quote, "location": first.model_dump()}
    return finding("CONFLICTING_VALUES", msg, expected=expected, found={"value": b.n.value, "text": b.n.text},
                   location=second)  # fmt: skip
