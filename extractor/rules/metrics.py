"""Narrative metrics: the rates, counts and fractions a report states, with the subject they describe.

Catalogue (on normalised text of the body outside the scoring appendix):
  - a rate after its subject     e.g. "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng đạt: 99,97%"
  - a rate before its subject    e.g. "100% máy tính cán bộ, công chức … được cài đặt phần mềm diệt virus"
  - a fraction with its rate     e.g. "24.152/29.950 trường hợp, đạt 80,9% dân số toàn xã"
  - a count with its noun        e.g. "Số hồ sơ tiếp nhận mới: 3.579 hồ sơ"
  - the letter's total           e.g. "Tổng điểm đạt được: 99,25/100 điểm (Đạt yêu cầu - ngưỡng đạt ≥ 70 điểm)"

The subject is the clause around the number: the words before it when there are some, else the words
after it. A rate is mapped to a rubric criterion when its subject matches one clearly (same title matcher
as scorecard rows, against the criteria's titles, aliases and keywords).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from extractor.contract import Location, Metric, Verdict
from extractor.model import Document, Table
from extractor.rules.fractions import FractionMatch, find_fractions
from extractor.rules.locate import Locator
from extractor.rules.match import Candidate, TitleMatcher, features
from extractor.rules.numbers import NumberMatch, find_numbers
from extractor.rules.ranks import in_spans, rank_spans
from extractor.rules.rates import rate_role
from extractor.rules.rubric import Rubric
from extractor.textnorm import fold

# A clause ends at these: sentence ends, semicolons, colons before a new item, line and cell breaks.
_CLAUSE_BREAK = regex.compile(r"[.;!?](?=\s|$)|\n|\t|(?<=\))\s*,|,\s+(?=(?:đạt|chiếm|trong đó)\b)")
_LEAD_IN = regex.compile(r"^[\s\-+•*:,(]*(?:trong đó|cụ thể|gồm)?\s*:?\s*", regex.IGNORECASE)
_TAIL = regex.compile(r"[\s:,(]*(?:đạt|là|chiếm|bằng|với|đạt được|khoảng|trên|gần|hơn)?\s*:?\s*$", regex.IGNORECASE)
_TAIL_FROM_END = regex.compile(_TAIL.pattern, _TAIL.flags | regex.REVERSE)
_VERB_COLON = regex.compile(r"(?i)(?:đạt|là|chiếm|gồm|bằng)\s*:\s*$")  # e.g. "… đạt: 99,97%"
MIN_SUBJECT_WORDS = 2
MAP_MIN = 0.45

# e.g. "Tổng điểm đạt được: 99,25/100 điểm", "tổng số điểm tự chấm là 85,5 điểm"
_LETTER_TOTAL = regex.compile(
    r"(?i)tổng\s+(?:số\s+)?điểm[^\d\n]{0,40}?(?P<v>\d{1,3}(?:[.,]\d{1,3})?)\s*(?:/\s*(?P<of>\d{1,3}))?\s*điểm?"
)
# e.g. "(Đạt yêu cầu - ngưỡng …)"; not the threshold's own words "ngưỡng đạt yêu cầu là 70 điểm"
_VERDICT = regex.compile(r"(?i)(?<!ngưỡng\s{1,3})\b(không đạt|đạt yêu cầu|chưa đạt)\b")


def stated_as_achieved(n: NumberMatch, before: str, after: str) -> bool:
    """Whether a rate states what was achieved: not a bound ("≥ 80%", "trên 90%"), not relative ("tăng 5%",
    "đạt 100% so với kế hoạch"), not a target, a threshold or a rule (``extractor.rules.rates``). ``before`` is
    its clause up to it."""
    return rate_role(n, before, after) == "achieved"


@dataclass(frozen=True)
class LetterTotal:
    value: Decimal
    out_of: Decimal | None
    verdict: Verdict | None
    location: Location


def _body_spans(doc: Document, exclude_table: int | None) -> list[tuple[int, int, bool]]:
    """Normalised (start, end, is_table) of body blocks, leaving out one table (the scorecard)."""
    excluded = doc.tables[exclude_table] if exclude_table is not None else None
    return [
        (doc.norm.to_norm(b.start), doc.norm.to_norm(b.end), isinstance(b, Table))
        for b in doc.body
        if b is not excluded
    ]


CLAUSE_REACH = 400  # characters looked at on each side: a subject is a clause, not a page


def _clause(text: str, start: int, end: int, lo: int, hi: int) -> tuple[str, str]:
    """The text before and after a number within its clause (bounded by its block [lo, hi))."""
    lo, hi = max(lo, start - CLAUSE_REACH), min(hi, end + CLAUSE_REACH)
    before_breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, lo, start)]
    c_start = before_breaks[-1] if before_breaks else lo
    after = _CLAUSE_BREAK.search(text, end, hi)
    c_end = after.start() if after else hi
    return text[c_start:start], text[end:c_end]


def _strip_tail(text: str) -> str:
    """``_TAIL.sub("", text)``, searched from the end (a tail is a link word and a few separators), so that a
    long clause costs no more than a short one."""
    m = _TAIL_FROM_END.search(text)
    return text[: m.start()] if m else text


def subject_of(before: str, after: str) -> str:
    """The words before the number, unless they are only a label ("An toàn thông tin: 100% máy tính …")."""
    tail = _LEAD_IN.sub("", after).strip(" ,:;()")
    label_only = before.rstrip().endswith(":") and not _VERB_COLON.search(before)
    head = _strip_tail(_LEAD_IN.sub("", before)).strip()
    if len(head.split()) >= MIN_SUBJECT_WORDS and not (label_only and len(tail.split()) >= MIN_SUBJECT_WORDS):
        return head
    return tail or head


def find_metrics(doc: Document, rubric: Rubric | None, exclude_table: int | None = None) -> list[Metric]:
    text = doc.norm.text
    loc = Locator(doc)
    mapper = _Mapper(rubric) if rubric else None
    out: list[Metric] = []
    ranks = rank_spans(doc)
    for lo, hi, _ in _body_spans(doc, exclude_table):
        block_text = text[lo:hi]
        fractions = {
            (f.numerator.start, f.denominator.start): replace(f, rank=f.rank or in_spans(ranks, lo + f.start))
            for f in find_fractions(block_text)
        }
        in_fraction = {n for key in fractions for n in key}
        for n in find_numbers(block_text):
            if n.unit not in ("%", "count") or n.start in in_fraction:
                continue
            out.append(_metric(n, text, lo, hi, loc, mapper))
        for f in fractions.values():
            if f.denominator.unit == "points" or f.rank:
                continue  # "99,25/100 điểm" is a score, not a rate
            out.append(_fraction_metric(f, text, lo, hi, loc, mapper))
    return sorted(out, key=lambda m: m.location.start or 0)


def _metric(n: NumberMatch, text: str, lo: int, hi: int, loc: Locator, mapper: _Mapper | None) -> Metric:
    s, e = lo + n.start, lo + n.end
    before, after = _clause(text, s, e, lo, hi)
    subject = subject_of(before, after)
    unit = "%" if n.unit == "%" else (n.noun or "count")
    achieved = n.unit == "%" and stated_as_achieved(n, before, text[e : e + 40])
    return Metric(
        text=n.text,
        value=n.scaled,
        unit=unit,
        subject=subject,
        location=loc.from_norm(s, e),
        criterion_id=mapper(subject) if mapper and achieved else None,
    )


def _fraction_metric(f: FractionMatch, text: str, lo: int, hi: int, loc: Locator, mapper: _Mapper | None) -> Metric:
    s = lo + f.start
    e = lo + (f.percent.end if f.percent is not None and f.percent.end > f.end else f.end)
    before, after = _clause(text, s, lo + f.end, lo, hi)
    subject = subject_of(before, after)
    value = f.percent.value if f.percent is not None else f.ratio_percent
    return Metric(
        text=text[s:e],
        value=value if value is not None else Decimal(0),
        unit="%",
        subject=subject,
        location=loc.from_norm(s, e),
        criterion_id=mapper(subject) if mapper else None,
        numerator=f.numerator.value,
        denominator=f.denominator.value,
    )


class _Mapper:
    def __init__(self, rubric: Rubric) -> None:
        self.matcher = TitleMatcher(
            [Candidate(c.id, (c.title, *c.aliases, *c.keywords)) for c in rubric.criteria if c.method == "rate"]
        )

    def __call__(self, subject: str) -> str | None:
        if not features(subject):  # cached: the ranking below reuses it
            return None
        ranked = self.matcher.ranked(subject)
        if not ranked or ranked[0].score < MAP_MIN:
            return None
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < 0.1:
            return None
        return ranked[0].key


def find_letter_total(doc: Document, exclude_table: int | None = None) -> LetterTotal | None:
    """The total the letter body claims, e.g. "Tổng điểm đạt được: 99,25/100 điểm (Đạt yêu cầu …)"."""
    text = doc.norm.text
    for lo, hi, is_table in _body_spans(doc, exclude_table):
        if is_table:
            continue
        m = _LETTER_TOTAL.search(text, lo, hi)
        if not m:
            continue
        v = Decimal(m.group("v").replace(",", "."))
        of = Decimal(m.group("of")) if m.group("of") else None
        verdict_m = _VERDICT.search(text, m.end(), min(hi, m.end() + 40))
        verdict: Verdict | None = None
        if verdict_m:
            verdict = "dat" if fold(verdict_m.group(1)) == "dat yeu cau" else "khong_dat"
        end = verdict_m.end() if verdict_m else m.end()  # the quote holds the stated verdict too
        return LetterTotal(v, of, verdict, Locator(doc).from_norm(m.start(), end))
    return None
