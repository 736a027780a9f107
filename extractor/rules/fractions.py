"""Fractions as Vietnamese reports write them, with the percentage stated next to them.

``find_fractions`` pairs "a/b" ("3.579/3.579", "39/39 CBCC", "9,49/9,5") and "a … trên tổng số b"
("2.991 giao dịch trên tổng số 3.906 hồ sơ"); both parts share the unit after the denominator. A pair
that could be a day and a month ("Quốc khánh 2/9", "(10/10)") is kept only with a count noun or a stated
percentage. The stated percentage is the one written just before ("100% (39/39 CBCC)") or the first one
a link word ("đạt", "chiếm", "tỷ lệ") introduces later in the same clause ("…, đạt 80,9%").

What is not a fraction, or not the fraction of the percentage beside it:
  - a rank                 e.g. "xếp thứ 12/63", "(hạng 5/124)", "Chỉ số PAR INDEX đạt 88,50% (12/63)" (an index
                           is a score: a bare "a/b" beside it is its rank); kept with ``rank`` set, never paired
  - a threshold, a target, a rule (``extractor.rules.rates``)   e.g. "tối thiểu (10%)", "phấn đấu đạt 90%",
                           "Trường hợp đạt 100% (15/20 …) thì …": such a percentage is paired with no fraction
  - a condition on the items counted   e.g. "12/63 chỉ số thành phần đạt trên 90%" (no comma or parenthesis sets
                           the bound apart: it says which items were counted)
  - a sub-count in a rate's parentheses   e.g. "30% (4/15 thủ tục toàn trình chưa phát sinh hồ sơ)": the
                           fraction does not equal the rate and counts a part ("trong đó", "chưa", "còn", …,
                           or one of several fractions); a fraction equal to the rate is its own ("30% (6/20)")

Each part is a number as ``extractor.rules.numbers`` reads it.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import regex

from extractor.rules.numbers import NumberMatch, ReadingContext, find_numbers, read_token
from extractor.rules.rates import NOT_ACHIEVED, agrees, rate_role


@dataclass(frozen=True, kw_only=True)
class FractionMatch:
    numerator: NumberMatch
    denominator: NumberMatch
    start: int
    end: int
    text: str
    form: Literal["slash", "words"]
    percent: NumberMatch | None = None  # the percentage stated with it, when there is one
    rank: bool = False  # "xếp thứ 12/63": a place in a ranking, not a ratio

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    @property
    def ratio_percent(self) -> Decimal | None:
        d = self.denominator.value
        return None if d == 0 else self.numerator.value * 100 / d


_SLASH_RE = regex.compile(r"^ ?/ ?$")
# e.g. "2.991 giao dịch trên tổng số 3.906 hồ sơ", "45 nhiệm vụ trong tổng số 50 nhiệm vụ"
_WORDS_RE = regex.compile(r"^[\p{L}\s]{0,40}?(?<!\p{L})(?:trên|trong)\s+(?:tổng\s+số|tổng)(?:\s+\p{L}+){0,3}?\s+$")
_CLAUSE_END_RE = regex.compile(r";|\t|\n\s*\n|\.\s+(?=\p{Lu})|\n\s*(?:[-+•]|\d+[.)])\s")
# e.g. "…, đạt 80,9%", "chiếm tỷ lệ 98,2%", "(đạt 100%)": a stated percentage is introduced by a link word
_LINK_RE = regex.compile(
    r"(?<!\p{L})(?:đạt|chiếm|bằng|là|tỷ lệ|tỉ lệ)(?:\s+(?:tỷ lệ|tỉ lệ|khoảng|trên|gần|hơn))*\s*:?\s*$|[(=]\s*$",
    regex.IGNORECASE,
)
_PERCENT_BEFORE_RE = regex.compile(r"\s*\(?\s*")
# e.g. "xếp thứ 12/63", "(hạng 5/124)", "đứng thứ 3/34 cả nước", "Thứ hạng: 12/63"
_RANK_BEFORE_RE = regex.compile(
    r"(?<!\p{L})(?:thứ|hạng|thứ hạng|xếp hạng|vị trí|vị thứ)(?:\s+(?:thứ|là|số))?\s*[:(]?\s*$", regex.IGNORECASE
)
_INDEX_RE = regex.compile(r"(?<!\p{L})(?:chỉ số|index)(?!\p{L})", regex.IGNORECASE)  # "Chỉ số PAR INDEX"
# A fraction in a rate's parentheses that counts a part: words before it, or a part marker after it.
_PART_AFTER_RE = regex.compile(
    r"(?<!\p{L})(?:chưa|không|còn|trong đó|quá hạn|trễ hạn|bị|riêng)(?!\p{L})", regex.IGNORECASE
)
_CLAUSE_REACH = 160
_STATED_APART_RE = regex.compile(r"[,(:;\-]")  # a rate stated after its fraction is set apart from its noun
_PAREN_REACH = 200


def find_fractions(text: str) -> list[FractionMatch]:
    """ "a/b" and "a … trên tổng số b" with the percentage stated next to them (see the module catalogue)."""
    return list(_find_fractions(text))


@lru_cache(maxsize=1024)  # the metrics and the narrative checks read the same blocks
def _find_fractions(text: str) -> tuple[FractionMatch, ...]:
    numbers = find_numbers(text)
    starts = [n.start for n in numbers]  # in order: find_numbers returns them sorted
    out: list[FractionMatch] = []
    for a, b in itertools.pairwise(numbers):
        between = text[a.end : b.start]
        if a.unit == "%" or b.unit == "%" or (out and out[-1].denominator is a):
            continue
        form: Literal["slash", "words"] | None = "slash" if _SLASH_RE.match(between) else None
        if form is None and a.unit == "count" and _WORDS_RE.match(between):
            form = "words"
        if form is None:
            continue
        num, den = _share_unit(text, a, b, form)
        frac = FractionMatch(
            numerator=num, denominator=den, start=a.start, end=b.end, text=text[a.start : b.end], form=form
        )
        if _RANK_BEFORE_RE.search(text, max(0, a.start - 24), a.start):
            out.append(replace(frac, rank=True))
            continue
        frac = replace(frac, percent=_stated_percent(text, frac, numbers, starts))
        if frac.percent is not None and _rank_of_index(text, frac, frac.percent):
            frac = replace(frac, percent=None, rank=True)
        if form == "words" or frac.percent is not None or frac.rank or not _day_month(a, den):
            out.append(frac)
    return tuple(out)


def _day_month(a: NumberMatch, b: NumberMatch) -> bool:
    """ "Quốc khánh 2/9", "Ngày CĐS quốc gia (10/10)": a day and a month, not a fraction."""
    small = a.reading == b.reading == "integer" and 1 <= a.value <= 31 and 1 <= b.value <= 12
    return small and b.unit != "count"


def _share_unit(text: str, a: NumberMatch, b: NumberMatch, form: str) -> tuple[NumberMatch, NumberMatch]:
    """In "24.152/29.950 trường hợp" the noun after the denominator counts the numerator too."""
    if form != "slash" or a.unit is not None or b.unit is None:
        return a, b
    ctx = ReadingContext()
    r = read_token(a.text, text[max(0, a.start - 40) : a.start], text[b.end : b.end + 60], ctx)
    if r is None or (r.reading != a.reading and not a.ambiguous):
        return a, b
    return NumberMatch(**vars(r), start=a.start, end=a.end, text=a.text), b


def _percent_leads(text: str, end: int, start: int) -> bool:
    """ "100% (39/39 CBCC)", "đạt 56% trên tổng lượt thanh toán (26.770/47.826 lượt)"."""
    if _PERCENT_BEFORE_RE.fullmatch(text, end, start):
        return True
    gap = text[end:start]
    return gap.endswith("(") and len(gap) <= 80 and not _CLAUSE_END_RE.search(gap)


def _stated_percent(
    text: str, frac: FractionMatch, numbers: list[NumberMatch], starts: list[int]
) -> NumberMatch | None:
    """The percentage written right before it ("100% (39/39 CBCC)"), else the first one after it in the
    same clause that a link word introduces ("24.152/29.950 trường hợp, đạt 80,9%"). A threshold, a target or
    a rule is never the fraction's rate; nor is a rate whose parenthesis holds the fraction as a sub-count."""
    k = bisect_left(starts, frac.start)
    prev = numbers[k - 1] if k > 0 and numbers[k - 1].end <= frac.start else None
    if prev is not None and prev.unit == "%" and _percent_leads(text, prev.end, frac.start):
        return prev if _achieved(text, prev) and not _sub_count(text, frac, prev) else None
    stop = _CLAUSE_END_RE.search(text, frac.end, frac.end + 200)  # bounded: a long run without a clause end
    limit = min(stop.start() if stop else len(text), frac.end + 160)
    for i in range(bisect_left(starts, frac.end), len(numbers)):
        n = numbers[i]
        if n.start >= limit:
            break
        if n.unit == "%" and _LINK_RE.search(text, max(0, n.start - 30), n.start):
            return n if _achieved(text, n) and not _condition(text, frac, n) else None
    return None


def _condition(text: str, frac: FractionMatch, n: NumberMatch) -> bool:
    """ "12/63 chỉ số thành phần đạt trên 90%": a bound right after the counted noun, with no comma or parenthesis
    between, says which items were counted, not the fraction's rate ("85/100 hồ sơ, đạt trên 80%" is its rate)."""
    return n.bound in ("ge", "gt", "le", "lt") and not _STATED_APART_RE.search(text, frac.end, n.start)


def _clause_before(text: str, pos: int) -> str:
    """The clause up to ``pos`` (back to a clause end, at most _CLAUSE_REACH characters)."""
    lo = max(0, pos - _CLAUSE_REACH)
    ends = [m.end() for m in _CLAUSE_END_RE.finditer(text, lo, pos)]
    return text[ends[-1] if ends else lo : pos]


def _achieved(text: str, n: NumberMatch) -> bool:
    """A rate that states what was achieved, not a threshold, a target or a rule (``rate_role``)."""
    return rate_role(n, _clause_before(text, n.start), text[n.end : n.end + 60]) not in NOT_ACHIEVED


def _rank_of_index(text: str, frac: FractionMatch, percent: NumberMatch) -> bool:
    """ "Chỉ số PAR INDEX năm 2024 đạt 88,50% (12/63)": an index value is a score, the bare fraction its rank."""
    ratio = frac.ratio_percent
    bare = frac.form == "slash" and not regex.match(r"\s*\p{L}", text[frac.end : frac.end + 8])  # no noun after
    if not bare or ratio is None or agrees(ratio, percent):
        return False
    return bool(_INDEX_RE.search(_clause_before(text, min(percent.start, frac.start))))


def _sub_count(text: str, frac: FractionMatch, percent: NumberMatch) -> bool:
    """In "30% (4/15 thủ tục toàn trình chưa phát sinh hồ sơ)" the fraction counts a part, not the rate: it
    does not equal the rate, and words before it in the parenthesis, a part marker after it or a second
    fraction beside it say so."""
    ratio = frac.ratio_percent
    if ratio is None or agrees(ratio, percent):
        return False
    opening = text.find("(", percent.end, frac.start)
    close = text.find(")", frac.end, frac.end + _PAREN_REACH)
    if ratio is None or opening < 0 or close < 0:
        return False  # not in a parenthesis after the rate
    before, after = text[opening + 1 : frac.start], text[frac.end : close]
    several = regex.search(r"\d\s?/\s?\d", after)
    return bool(several or regex.search(r"\p{L}", before) or _PART_AFTER_RE.search(after))
