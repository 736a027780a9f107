"""What a narrative states about its own arithmetic, read from the Document into records the checks compare:

  StatedFraction  a fraction and the rate written with it      e.g. "24.152/29.950 trường hợp, đạt 80,9%"
  StatedTotal     a total and the parts listed with it         e.g. "82.438 hồ sơ (59.072 … và 24.366 hồ sơ …)"
                  (``extractor.rules.parts``)
  RateMention     a rate with its subject, scope and time      e.g. "Tỷ lệ tái sử dụng thông tin, dữ liệu … đạt 88,2%"

Read on ``doc.norm.text``; every record carries the Location of the original text it quotes.

Footnotes: a marker ("nhiệm vụ(1)", "…¹") ties its sentence to the footnote starting with that number on a line
("1 Cụ thể: 12 bàn …"), which runs to a bullet, an outline label, or a sentence end followed by the body. A
footnote is its own scope: its figures are never compared with the body's, but a footnote opening with
"Trong đó" lists the parts of its sentence's total.

A rate mention is what was achieved (``extractor.rules.rates``: not a bound, a target, a threshold, a rule, or a
relative rate), outside the plans (after "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ …"), with a subject of two words or more: the
words before it back to the clause or the previous rate, else the words after it ("100% cán bộ …"), else the
figure-free unit before (a table row read as lines). Its scope (``extractor.rules.scope``) says over what it is
measured ("cao nhất", "cấp xã", "xã Đại Sơn"); the categories its subject names ("đúng hạn", "trực tuyến", "toàn
trình": ``extractor.rules.parts.categories``) tell it from a sibling rate; its time is the years and periods its
clause names.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

import regex

from extractor.contract import Location, Metric
from extractor.model import Document, Table
from extractor.rules.fractions import FractionMatch, find_fractions
from extractor.rules.locate import Locator
from extractor.rules.match import tokens
from extractor.rules.metrics import stated_as_achieved
from extractor.rules.numbers import NumberMatch, find_numbers
from extractor.rules.parts import StatedTotal, categories, stated_totals
from extractor.rules.ranks import in_spans, rank_spans
from extractor.rules.scope import Headings, figure_scope
from extractor.textnorm import fold

MIN_SUBJECT_TOKENS = 2
SUBJECT_WINDOW = 400  # characters before a rate that may hold its subject
SCOPE_REACH = 80  # characters after a rate that may name its scope ("95,27% (Sở Tư pháp)")

_CLAUSE_BREAK = regex.compile(r"[.!?;](?=\s|$)|\n(?=[ \t]*[-+•*])")
_MARKER = regex.compile(r"(?<=[\p{L}\p{N}%.,;:)\"'])(?:\((\d{1,2})\)|([¹²³⁴⁵⁶⁷⁸⁹]+))")  # "nhiệm vụ(1)", "100%¹"
_FOOT_LABEL = regex.compile(r"(?m)^[ \t]*(?:(\d{1,2})|([¹²³⁴⁵⁶⁷⁸⁹]+))[ \t]*(?=\p{Lu})")
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
_FOOT_STOP = regex.compile(r"[ \t]*(?:[-+•*][ \t]|\d+(?:\.\d+)*\.\s|[a-zđ]\)|[IVX]+\.)")
_BODY_RESUMES = regex.compile(r"[ \t]*(?:\p{Ll}|\d{1,2}[ \t]+\p{Lu})")  # after a footnote's last sentence
_PLAN = regex.compile(r"(?i)phương hướng|thời gian tới|nhiệm vụ trọng tâm năm")
_DIGIT = regex.compile(r"\d")
_NOT_WORD = regex.compile(r"[^\p{L}\s]")
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


@dataclass(frozen=True)
class StatedFraction:
    numerator: NumberMatch
    denominator: NumberMatch
    percent: NumberMatch  # the rate written with it
    location: Location  # the fraction and its rate


@dataclass(frozen=True)
class RateMention:
    value: NumberMatch
    subject: str  # what it measures, words only: "Tỷ lệ tái sử dụng thông tin, dữ liệu đã số hóa"
    start: int  # where its subject starts (offsets in doc.norm.text)
    where: tuple[int, frozenset[str], int | None]  # footnote (-1: the body), time, table
    unit: int  # index of its paragraph or table row
    over: frozenset[str]  # its scope: "max", "cap xa", "xa dai son" (extractor.rules.scope)
    categories: frozenset[str]  # the categories its subject names: "thời hạn:dung han" (extractor.rules.parts)
    location: Location  # its subject and value


@dataclass(frozen=True)
class Narrative:
    fractions: list[StatedFraction]
    totals: list[StatedTotal]
    rates: list[RateMention]


class NarrativeText:
    """The normalised text with what the readers share: numbers, units (paragraphs, table rows), footnotes."""

    def __init__(self, doc: Document) -> None:
        self.doc, self.text, self.loc = doc, doc.norm.text, Locator(doc)
        self.numbers = find_numbers(self.text)
        self.at = {n.start: n for n in self.numbers}
        self.starts, self.ends = [n.start for n in self.numbers], [n.end for n in self.numbers]
        to = doc.norm.to_norm
        spans = [(r.start, r.end) for b in doc.body for r in (b.rows if isinstance(b, Table) else [b])]
        self.units = sorted((to(s), to(e)) for s, e in spans) or [(0, 0)]
        self.notes = footnotes(self.text)
        self.headings = Headings(self.text)
        self.plan = _plan_start(self.text, self.units)
        self._plan_ends: dict[int, int | None] = {}
        blocks = [(to(b.start), to(b.end)) for b in doc.body]
        ranks = rank_spans(doc)
        self.fractions: list[tuple[int, FractionMatch]] = [
            (lo, replace(f, percent=None, rank=True) if in_spans(ranks, lo + f.start) else f)
            for lo, hi in blocks
            for f in find_fractions(self.text[lo:hi])
        ]
        self.in_fraction = {lo + x.start for lo, f in self.fractions for x in (f.numerator, f.denominator)}

    def numbers_between(self, lo: int, hi: int) -> list[NumberMatch]:
        """The numbers lying wholly within [lo, hi), in order."""
        return self.numbers[bisect_left(self.starts, lo) : bisect_right(self.ends, hi)]

    def plan_before(self, pos: int) -> bool:
        """Whether a plan phrase ("phương hướng", "thời gian tới") precedes ``pos`` in its unit: the first
        one of each unit is found once, so many rates in one long paragraph cost linear time."""
        lo, hi, k = self.unit(pos)
        if k not in self._plan_ends:
            m = _PLAN.search(self.text, lo, hi)
            self._plan_ends[k] = m.end() if m else None
        end = self._plan_ends[k]
        return end is not None and end <= pos

    def numbers_starting(self, lo: int, hi: int) -> list[NumberMatch]:
        """The numbers starting within [lo, hi), in order."""
        return self.numbers[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]

    def unit(self, pos: int) -> tuple[int, int, int]:
        """(start, end, index) of the paragraph or table row holding ``pos``."""
        k = max(0, bisect_right(self.units, (pos, len(self.text) + 1)) - 1)
        return (*self.units[k], k)

    def scope(self, pos: int) -> int:
        return next((i for i, f in enumerate(self.notes) if f.start <= pos < f.end), -1)

    def where(self, start: int, end: int) -> Location:
        start += len(self.text[start:end]) - len(self.text[start:end].lstrip())
        return self.loc.from_norm(start, end)


def read_narrative(doc: Document, metrics: list[Metric]) -> Narrative:
    """The fractions, totals and rates a document states, as records (see the module catalogue)."""
    t = NarrativeText(doc)
    return Narrative(stated_fractions(t), stated_totals(t), rate_mentions(t, metrics))


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


# --- fractions ------------------------------------------------------------------------------------


def stated_fractions(t: NarrativeText) -> list[StatedFraction]:
    """Fractions with the rate written beside them; not ranks, not scores ("99,25/100 điểm")."""
    out = []
    for lo, f in t.fractions:
        p = f.percent
        if p is None or f.rank or f.denominator.unit == "points" or f.ratio_percent is None:
            continue
        where = t.where(lo + min(f.start, p.start), lo + max(f.end, p.end))
        out.append(StatedFraction(f.numerator, f.denominator, p, where))
    return out


# --- rates ----------------------------------------------------------------------------------------


def _content(text: str) -> list[str]:
    return tokens(_DIGIT.sub(" ", text))


def _clean(subject: str) -> str:
    """Words only, no link word at the end: "… hồ sơ hành chính đạt" -> "… hồ sơ hành chính"."""
    return _LINK_TAIL.sub("", " ".join(_NOT_WORD.sub(" ", subject).split()))


def _subject(t: NarrativeText, n: NumberMatch) -> tuple[int, str]:
    """What a rate measures: the words before it back to the clause or the previous rate, else the words
    after it ("100% cán bộ …"), else the figure-free unit before (a table row read as lines)."""
    lo, hi, k = t.unit(n.start)
    lo = max(lo, n.start - SUBJECT_WINDOW)  # bounded, so a long line of rates costs linear time
    stops = [m.end() for m in _CLAUSE_BREAK.finditer(t.text, lo, n.start)]
    start = max([lo, *stops, *(x.end for x in t.numbers_between(lo, n.start) if x.unit == "%" and not x.bound)])
    if len(_content(t.text[start : n.start])) >= MIN_SUBJECT_TOKENS:
        return start, _clean(t.text[start : n.start])
    stop = min([hi, *(x.start for x in t.numbers_between(n.end, hi)[:1])])
    brk = _CLAUSE_BREAK.search(t.text, n.end, stop)
    after = t.text[n.end : brk.start() if brk else stop]
    if len(_content(after)) >= MIN_SUBJECT_TOKENS:
        return n.start, _clean(after)
    prev = t.text[slice(*t.units[k - 1])] if k else ""
    return start, _clean(prev if prev and not _DIGIT.search(prev) else t.text[start : n.start])


def _comparable(t: NarrativeText, n: NumberMatch, start: int) -> bool:
    if n.bound or n.start >= t.plan or t.plan_before(n.start):
        return False  # a target, or a plan ("+ Các nhiệm vụ trọng tâm trong thời gian tới: (1) … 100% …")
    return stated_as_achieved(n, t.text[start : n.start], t.text[n.end : n.end + 40])


def rate_mentions(t: NarrativeText, metrics: list[Metric]) -> list[RateMention]:
    """The achieved rates among ``metrics`` with their subject, scope and time, in reading order."""
    out: dict[int, RateMention] = {}
    for m in metrics:
        n = t.at.get(t.doc.norm.to_norm(m.location.start)) if m.location.start is not None else None
        if n is None or n.unit != "%":
            continue
        start, subject = _subject(t, n)
        if not _comparable(t, n, start) or len(_content(subject)) < MIN_SUBJECT_TOKENS:
            continue
        _, hi, k = t.unit(n.start)
        period = frozenset(fold(p) for p in _PERIOD.findall(t.text, start, min(hi, n.end + 60)))
        brk = _CLAUSE_BREAK.search(t.text, n.end, min(hi, n.end + SCOPE_REACH))
        after = t.text[n.end : brk.start() if brk else min(hi, n.end + SCOPE_REACH)]
        over = figure_scope(subject, after, t.headings.before(start))
        where = (t.scope(n.start), period, m.location.table)
        out[n.start] = RateMention(n, subject, start, where, k, over, categories(subject), t.where(start, n.end))
    return sorted(out.values(), key=lambda r: r.value.start)
