"""Totals and the parts listed with them, read from the narrative into StatedTotal records (the check is
``extractor.checks.parts``).

A total is read with the parts listed after "trong đó", "gồm", "cụ thể" (to the end of the sentence, or the
bullets after "trong đó:"), in a parenthesis right after it, or in the footnote its sentence marks. Groups of
parts are kept only where they partition the total:
  - each has its share and the shares sum to ~100%   e.g. "3.560 hồ sơ: (… 3.538 hồ sơ chiếm 99,38 %, …)"
  - a parenthesis of the total's unit                  e.g. "420 TTHC (Thuế tỉnh 217 TTHC; … 25 TTHC)"
  - every part is named by a category (FAMILIES), two or more of one family
                                                       e.g. "375 thủ tục. Trong đó: … toàn trình: 220 …"
so overlapping groups ("17.586 công dân …; trong đó 3374 … 12.089 … 4.785 …") are left alone. A group found by
family may split a subtotal of the list (``StatedTotal.listed`` holds every part for that test).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import Protocol

import regex

from extractor.contract import Location
from extractor.rules.numbers import NumberMatch, half_unit
from extractor.textnorm import fold

SHARES_SLACK = Decimal("0.1")  # shares sum to ~100%: within their rounding plus this
PAREN_REACH = 1500  # characters a parenthesis of parts may run after its total


@dataclass(frozen=True)
class PartGroup:
    parts: list[NumberMatch]
    by_family: bool  # named by categories of one family: a subtotal of the list may explain a difference
    location: Location  # from the total to its last part (the total alone when the parts are in a footnote)


@dataclass(frozen=True)
class StatedTotal:
    total: NumberMatch
    written: str  # the total as written, with its qualifier: "trên 6.234"
    listed: list[NumberMatch]  # every part of the list
    groups: list[PartGroup]


class Note(Protocol):
    """A footnote: where its marker stands in the body, and where its text runs."""

    @property
    def marker(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class NarrativeText(Protocol):
    """The normalised text as ``extractor.rules.narrative`` prepares it for every reader."""

    text: str
    numbers: list[NumberMatch]
    in_fraction: set[int]  # where the figures of fractions start

    @property
    def notes(self) -> Sequence[Note]: ...
    def scope(self, pos: int) -> int: ...
    def numbers_starting(self, lo: int, hi: int) -> list[NumberMatch]: ...
    def where(self, start: int, end: int) -> Location: ...


def _words(alternatives: str) -> str:
    return rf"(?<!\p{{L}})(?:{alternatives})(?!\p{{L}})"


FAMILIES = {  # categories that split one whole
    "thời hạn": r"trước (?:thời )?hạn|sớm hạn|đúng (?:thời )?hạn|trong hạn|quá hạn|trễ hạn|chậm|rút(?: hồ sơ)?|"
    r"từ chối|trả lại",
    "trạng thái": r"(?:đã|đang|chưa) (?:giải quyết|xử lý|hoàn thành|thực hiện|kích hoạt)",
    "kênh": r"trực tuyến|trực tiếp|bưu chính",
    "mức dịch vụ công": r"toàn trình|(?:một|1) phần",
    "cấp": r"cấp (?:trung ương|tỉnh|thành phố|huyện|xã)",
    "nguồn kinh phí": r"ngân sách (?:trung ương|tỉnh|thành phố|huyện|xã|nhà nước)|xã hội hóa|nguồn khác|vốn khác",
    "chủ thể": r"tổ chức|cá nhân|doanh nghiệp",
    "giới tính": r"nam|nữ",
}
_FAMILY_RE = regex.compile("|".join(f"(?P<f{i}>{_words(p)})" for i, p in enumerate(FAMILIES.values())), regex.I)
_SEP = regex.compile(r"[,;()]|(?<!\p{L})(?:và|với)(?!\p{L})")
_TRIGGER = regex.compile(r"(?<!\p{L})(?:trong đó|bao gồm|gồm|cụ thể)(?:\s+(?:có|là))?[ \t]*:?", regex.I)
# e.g. "60.674 biên chế viên chức … (gồm …)": the balanced parenthesis after a figure and its words
_PAREN_AFTER = regex.compile(r"[\p{L}\s]{0,60}:?\s*(?P<p>\((?P<in>(?:[^()]|(?&p))*)\))")
_ITEM_START = regex.compile(r"(?:[(,;:]|(?<!\p{L})(?:và|gồm|trong đó))\s*$")
_SENTENCE_END = regex.compile(r"(?<!\d)\.(?=\s|$)|\n(?=[ \t]*(?:[-+•*]|\d+(?:\.\d+)*\.\s|[IVX]+\.))")
_BULLET = regex.compile(r"[ \t]*\n[ \t]*([-+•*])[ \t]")


_fold = lru_cache(maxsize=4096)(fold)  # nouns and category words repeat: fold each once


@dataclass(frozen=True)
class _Region:
    start: int  # the text listing the parts
    end: int
    totals: list[NumberMatch]  # candidates, nearest first
    paren: bool


def _key(n: NumberMatch) -> str | None:
    """What a figure counts: "hồ sơ", "x10^6" for "1.039 triệu"; None for a bare whole number."""
    return f"x10^{n.magnitude}" if n.magnitude else _fold(n.noun) if n.unit == "count" and n.noun else None


def _countable(t: NarrativeText, n: NumberMatch, loose: bool = False) -> bool:
    """A whole count or an amount; ``loose`` also takes a bare number opening an item before words, whose
    noun a list may leave out ("82.438 hồ sơ (59.072 đăng ký khai sinh … và 24.366 hồ sơ …)")."""
    if n.unit == "%" or n.start in t.in_fraction:
        return False
    if n.magnitude or n.unit == "count":
        return True
    bare = n.unit is None and n.reading in ("integer", "thousands_dot", "thousands_comma")
    if not bare or not regex.match(r"\s*\p{L}", t.text[n.end : n.end + 3]):
        return bare
    return loose and bool(_ITEM_START.search(t.text, max(0, n.start - 12), n.start))  # not "dưới 6 tuổi", "1 phần"


class _Cover:
    """Whether a position lies inside one of some spans (which may nest): by bisection on their starts and the
    furthest end reached so far."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))

    def __call__(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self.reach[k] > pos


def _regions(t: NarrativeText) -> list[_Region]:
    out = []
    for n in t.numbers:  # "3.560 hồ sơ: (…)", "2.372 (trong đó, …)"
        if _countable(t, n) and (m := _PAREN_AFTER.match(t.text, n.end, min(len(t.text), n.end + PAREN_REACH))):
            out.append(_Region(m.start("in"), m.end("in"), [n], paren=True))
    opening = {f.start for f in t.notes}
    inside = _Cover([(r.start, r.end) for r in out])
    for m in _TRIGGER.finditer(t.text):
        if m.start() not in opening and not inside(m.start()):
            out.append(_Region(m.end(), _list_end(t, m.end()), _totals(t, m.start()), paren=False))
    for f in t.notes:  # "…cá nhân(3)" … "3 Trong đó: Hồ sơ trực tuyến: 2.937 hồ sơ; …"
        if m := _TRIGGER.match(t.text, f.start):
            out.append(_Region(m.end(), min(_list_end(t, m.end()), f.end), _totals(t, f.marker), paren=False))
    return out


def _list_end(t: NarrativeText, start: int) -> int:
    """The end of the parts after a trigger: its sentence, or the bullets when "trong đó:" ends the line."""
    if b := _BULLET.match(t.text, start):
        end, item = start, regex.compile(rf"\n[ \t]*{regex.escape(b.group(1))}[ \t][^\n]*")
        while m := item.match(t.text, end):
            end = m.end()
        return end
    stop = _SENTENCE_END.search(t.text, start, min(len(t.text), start + 700))
    return stop.start() if stop else min(len(t.text), start + 700)


def _totals(t: NarrativeText, pos: int) -> list[NumberMatch]:
    """Figures before ``pos`` in its sentence, or in the sentence before when ``pos`` opens one."""
    lo = max(0, pos - 600)
    breaks = [lo, *(m.end() for m in _SENTENCE_END.finditer(t.text, lo, pos))]
    start = breaks[-2] if len(breaks) > 1 and not regex.search(r"\p{L}", t.text[breaks[-1] : pos]) else breaks[-1]
    scope = t.scope(pos)
    return [n for n in reversed(t.numbers_starting(start, pos)) if n.end <= pos and _countable(t, n)
            and t.scope(n.start) == scope]  # fmt: skip


def _parts(t: NarrativeText, region: _Region) -> tuple[NumberMatch | None, list[NumberMatch]]:
    """The total the list belongs to (the nearest figure of its unit) and the parts at the list's level."""
    scope, text = t.scope(region.start), t.text
    inside = [
        n for n in t.numbers_starting(region.start, region.end)
        if region.start <= n.start < region.end and _countable(t, n, loose=region.paren) and t.scope(n.start) == scope
        and text.count("(", region.start, n.start) == text.count(")", region.start, n.start)  # the list's own level
    ]  # fmt: skip
    keys = {_key(n) for n in inside} - {None}
    total = next((x for x in region.totals if _key(x) in keys), None) or next(
        (x for x in region.totals if (_key(x) and not keys) or (_key(x) is None and len(keys) <= 1)), None
    )
    chosen = (_key(total) if total else None) or next(iter(keys), None)
    parts = [n for n in inside if _key(n) in (None, chosen)]
    if not any(chosen and _key(n) == chosen for n in parts):
        parts = [n for n in parts if _countable(t, n)]  # a bare number before words counts only beside its noun
    return total, parts


def categories(text: str) -> frozenset[str]:
    """The categories a text names, as "family:term": "Tỷ lệ hồ sơ giải quyết đúng hạn" -> {"thời hạn:dung han"}.
    Two rates naming different categories of one family ("đúng hạn", "trước hạn") measure two things."""
    names = list(FAMILIES)
    return frozenset(f"{names[int((m.lastgroup or 'f0')[1:])]}:{_fold(m.group())}" for m in _FAMILY_RE.finditer(text))


def _term(text: str, last: bool) -> tuple[str, str] | None:
    found = [(m.lastgroup or "", _fold(m.group())) for m in _FAMILY_RE.finditer(text)]
    return (found[-1] if last else found[0]) if found else None


def _label(t: NarrativeText, parts: list[NumberMatch], k: int, region: _Region) -> tuple[str, str] | None:
    """The category naming part k: the nearest before it in its item ("đúng hạn 05"), else after ("… cấp xã")."""
    before = t.text[parts[k - 1].end if k else region.start : parts[k].start]
    before = before[max([0, *(m.end() for m in _SEP.finditer(before))]) :]
    after = t.text[parts[k].end : parts[k + 1].start if k + 1 < len(parts) else region.end]
    cut = _SEP.search(after)
    return _term(before, last=True) or _term(after[: cut.start()] if cut else after, last=False)


def _share(t: NarrativeText, parts: list[NumberMatch], k: int, region: _Region) -> NumberMatch | None:
    end = parts[k + 1].start if k + 1 < len(parts) else region.end
    return next((x for x in t.numbers_starting(parts[k].end, end) if x.unit == "%"), None)


def _groups(t: NarrativeText, region: _Region, parts: list[NumberMatch]) -> list[tuple[list[NumberMatch], bool]]:
    """Sets of parts that partition the total, each with whether a subtotal may explain it (families)."""
    shares = [s for k in range(len(parts)) if (s := _share(t, parts, k, region))]
    if 1 < len(parts) == len(shares):
        spread = sum((half_unit(s.value) for s in shares), SHARES_SLACK)
        if abs(sum((s.value for s in shares), Decimal(0)) - 100) <= spread:
            return [(parts, False)]
    if region.paren and len(parts) > 1 and any(_key(p) for p in parts):
        return [(parts, False)]
    labels = [_label(t, parts, k, region) for k in range(len(parts))]
    if None in labels:  # a part named by no category may be one more ("1.327 biên chế dự phòng")
        return []
    families: dict[str, dict[str, NumberMatch]] = {}
    for p, (family, term) in zip(parts, [x for x in labels if x], strict=True):
        families.setdefault(family, {}).setdefault(term, p)
    return [(list(g.values()), True) for g in families.values() if len(g) > 1]


def stated_totals(t: NarrativeText) -> list[StatedTotal]:
    """Every total with the groups of parts that partition it (see the module catalogue)."""
    out, seen = [], set()
    for region in _regions(t):
        total, parts = _parts(t, region)
        if total is None or (total.start, region.start) in seen:
            continue
        seen.add((total.start, region.start))
        qualified = t.text.rfind(total.qualifier, total.start - 24, total.start) if total.qualifier else -1
        start = total.start if qualified < 0 else qualified
        unit = len(f" {total.noun}") if total.noun else 0
        same_scope = t.scope(total.start) == t.scope(region.start)
        groups = [
            PartGroup(group, by_family, t.where(start, group[-1].end if same_scope else total.end + unit))
            for group, by_family in _groups(t, region, parts)
        ]
        if groups:
            out.append(StatedTotal(total, t.text[start : total.end], parts, groups))
    return out
