"""The arithmetic a narrative states, on the records ``extractor.rules.narrative`` reads: fractions and their
percentages, totals and their parts, a rate given twice. Every finding quotes the original text.

  PERCENT_FRACTION_MISMATCH  a fraction and the percentage written with it, e.g. "24.152/29.950 trường hợp, đạt
      80,9%" (it is 80,64%). Tolerance: half a unit of the last decimal written ("80,9%": 0,05; "100%": 0,5);
      "trên/≥ x%" is a bound; "khoảng x%" allows APPROX_RATE points; a rate cut instead of rounded (63,179%
      written 63,17%) is rounding. Ranks, thresholds, targets, rules and sub-counts are never paired with a
      rate (``extractor.rules.fractions``).
  PARTS_SUM_MISMATCH  a total against the parts listed with it: ``extractor.checks.parts``.
  CONFLICTING_VALUES  one rate given twice with values differing beyond the rounding of the less precise, e.g.
      "Tỷ lệ tái sử dụng thông tin, dữ liệu đã số hóa … 88.6%" (table) and "Tỷ lệ tái sử dụng thông tin, dữ liệu
      trong xử lý hồ sơ hành chính đạt 88,2%" (text). Same rate: subjects alike both ways (TitleMatcher,
      weighted over the document's own subjects), the same scope ("cao nhất", "bình quân", "cấp xã", a named
      unit: ``extractor.rules.scope``), the same time and footnote, and stated in two places (not one table, not
      neighbouring paragraphs: side by side are sibling items). Only achieved rates are compared (no bounds,
      targets, thresholds, rules, relative rates, plans). A mention agreeing with an earlier one is not raised.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from extractor.checks.findings import finding, vn
from extractor.checks.parts import parts_findings
from extractor.contract import Finding, Location
from extractor.rules.match import features
from extractor.rules.narrative import Narrative, RateMention, StatedFraction
from extractor.rules.numbers import NumberMatch, half_unit
from extractor.rules.rates import agrees, cut

MAX_ROUNDING = Decimal("0.5")  # the widest rounding of a written rate ("88%")
SAME_RATE = 0.55  # subject likeness, both ways, of two mentions of one rate
MAX_SUBJECTS = 200  # distinct subjects of one place and scope a mention is compared with, the latest first
NEAR = 300  # characters: closer mentions belong to one passage


def check_narrative(narrative: Narrative) -> list[Finding]:
    """PERCENT_FRACTION_MISMATCH, PARTS_SUM_MISMATCH and CONFLICTING_VALUES in one document's text."""
    return percent_findings(narrative.fractions) + parts_findings(narrative.totals) + conflict_findings(narrative.rates)


# --- PERCENT_FRACTION_MISMATCH --------------------------------------------------------------------


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def percent_findings(fractions: list[StatedFraction]) -> list[Finding]:
    out = []
    for f in fractions:
        p, d = f.percent, f.denominator.value
        ratio = f.numerator.value * 100 / d if d else None
        # a "rate" of a billion per cent or more is no rate anyone writes: digits read out of a table or an id
        if ratio is None or abs(ratio).adjusted() >= 9 or agrees(ratio, p) or cut(ratio, p):
            continue
        shown = vn(ratio.quantize(Decimal(1).scaleb(_exponent(p.value)), ROUND_HALF_UP), 3)
        said = f"{p.qualifier} {p.text}" if p.qualifier else p.text
        msg = (
            f"Tỷ lệ tính lại {f.numerator.text}/{f.denominator.text} = {vn(ratio)}%"
            f"{f' (làm tròn {shown}%)' if shown != vn(ratio) else ''}, nhưng báo cáo ghi {said}"
            f"{_percent_hint(f.numerator.value, d, p)}."
        )
        out.append(finding("PERCENT_FRACTION_MISMATCH", msg, expected=ratio.quantize(Decimal("0.01")),
                           found=p.value, location=f.location))  # fmt: skip
    return out


def _percent_hint(a: Decimal, b: Decimal, stated: NumberMatch) -> str:
    """Why they may disagree: the fraction written upside down."""
    if a and not stated.bound and agrees(b * 100 / a, stated):
        return f" (đúng bằng {vn(b * 100 / a)}% nếu đảo tử số và mẫu số)"
    return ""


# --- CONFLICTING_VALUES ---------------------------------------------------------------------------


def _apart(a: RateMention, b: RateMention) -> bool:
    """Two statements of one rate sit in two places, over the same scope; side by side ("… sở, ngành … 99,1%" /
    "… cấp xã … 99,81%", rows of one table) are sibling items."""
    same_table = a.where[2] is not None and a.where[2] == b.where[2]
    apart = a.where == b.where and not same_table and b.unit - a.unit > 1 and b.start - a.value.end > NEAR
    return apart and a.over == b.over and not _other_category(a, b)  # not the highest against one unit's


class _Likeness:
    """How alike two subjects are, both ways: the weight (idf over the document's own subjects, as TitleMatcher
    weighs them) of the syllables and syllable pairs they share, against each one's own weight, 0,6 on the side
    explained and 0,4 on the other, the lower of the two ways. Features and weights are read once per distinct
    subject: a long report repeats the same subjects many times."""

    def __init__(self, rates: list[RateMention]) -> None:
        self.feats = {r.subject: features(r.subject) for r in rates}
        df: Counter[str] = Counter(f for r in rates for f in self.feats[r.subject])  # per mention, as TitleMatcher
        n = len(rates) or 1
        self.idf = {f: math.log(1 + n / d) for f, d in df.items()}
        self.weight = {s: self._weight(feats) for s, feats in self.feats.items()}

    def _weight(self, feats: frozenset[str]) -> float:
        return sum(self.idf[f] for f in feats)

    def __call__(self, one: str, two: str) -> float:
        common = self._weight(self.feats[one] & self.feats[two])
        w1, w2 = self.weight[one] or 1, self.weight[two] or 1
        return min(0.6 * common / w1 + 0.4 * common / w2, 0.6 * common / w2 + 0.4 * common / w1)


@dataclass
class _Said:
    """The earlier mentions of one subject, in reading order, and their values sorted (value, index)."""

    mentions: list[RateMention] = field(default_factory=list)
    values: list[tuple[Decimal, int]] = field(default_factory=list)
    units: list[int] = field(default_factory=list)  # the mentions' units and ends, in reading order: sorted
    ends: list[int] = field(default_factory=list)

    def add(self, r: RateMention) -> None:
        insort(self.values, (r.value.value, len(self.mentions)))
        self.mentions.append(r)
        self.units.append(r.unit)
        self.ends.append(r.value.end)

    def apart(self, b: RateMention) -> int:
        """How many of the mentions (a prefix: they are in reading order) are apart from ``b``. The mentions in
        the same or the next unit, or within NEAR characters, are skipped by bisection: one long paragraph of
        rates costs linear time."""
        k = min(bisect_right(self.units, b.unit - 2), bisect_right(self.ends, b.start - NEAR - 1))
        while k and not _apart(self.mentions[k - 1], b):
            k -= 1
        return k

    def agrees(self, b: RateMention, apart: int) -> bool:
        """One of the first ``apart`` mentions gives b's value, within the rounding of the less precise."""
        v = b.value.value
        lo = bisect_left(self.values, (v - MAX_ROUNDING, -1))
        for _, i in self.values[lo : bisect_right(self.values, (v + MAX_ROUNDING, len(self.mentions)))]:
            if i < apart and _same_value(self.mentions[i], b):
                return True
        return False


def conflict_findings(rates: list[RateMention]) -> list[Finding]:
    likeness = _Likeness(rates)
    earlier: dict[tuple[object, ...], dict[str, _Said]] = {}  # (where, scope) -> subject -> its mentions
    out = []
    for b in rates:
        if b.where[2] is not None:
            continue  # rows of one table are sibling items, never one rate written twice
        group = earlier.setdefault((b.where, b.over), {})
        recent = islice(reversed(group.items()), MAX_SUBJECTS)  # the latest mentioned first
        alike = [(score, said, said.apart(b)) for subject, said in recent
                 if (score := likeness(b.subject, subject)) >= SAME_RATE]  # fmt: skip
        alike = [x for x in alike if x[2]]
        if alike and not any(said.agrees(b, k) for _, said, k in alike):
            out.append(_conflict(max(alike, key=lambda x: x[0])[1].mentions[0], b))
        said = group.pop(b.subject, None) or _Said()
        said.add(b)
        group[b.subject] = said  # last in the order: the latest mentioned
    return out


def _other_category(a: RateMention, b: RateMention) -> bool:
    """Each names a category of one family, and not the same ("đúng hạn" and "trước hạn")."""
    families = {c.split(":")[0] for c in a.categories} & {c.split(":")[0] for c in b.categories}
    return any({c for c in a.categories if c.startswith(f"{f}:")} != {c for c in b.categories if c.startswith(f"{f}:")}
               for f in families)  # fmt: skip


def _same_value(a: RateMention, b: RateMention) -> bool:
    x, y = a.value.value, b.value.value
    return abs(x - y) <= max(half_unit(x), half_unit(y))


def _place(loc: Location) -> str:
    parts = [f"trang {loc.page}" if loc.page else "", f"bảng {loc.table + 1}" if loc.table is not None else ""]
    parts.append(f"hàng {loc.row}" if loc.row is not None else f"dòng {loc.line}" if loc.line else "")
    return ", ".join(p for p in parts if p) or "trong văn bản"


def _conflict(a: RateMention, b: RateMention) -> Finding:
    first, second = a.location, b.location
    one, two = (" ".join(x.quote.split()) for x in (first, second))
    msg = (
        f"Cùng một chỉ tiêu được ghi hai giá trị khác nhau: {vn(a.value.value, 3)}% ({_place(first)}: «{one}») "
        f"và {vn(b.value.value, 3)}% ({_place(second)}: «{two}»)."
    )
    expected = {"value": a.value.value, "text": a.value.text, "quote": first.quote, "location": first.model_dump()}
    found = {"value": b.value.value, "text": b.value.text}
    return finding("CONFLICTING_VALUES", msg, expected=expected, found=found, location=second)
