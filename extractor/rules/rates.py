"""What a percentage stands for, from the words around it, and when a fraction agrees with it.

Roles (``rate_role``), from the words of its clause before it and the words right after it:
  - rule        a condition of a scoring rule       e.g. "Trường hợp đạt 100% thì được điểm tối đa", "nếu dưới 50%"
  - target      a goal or an assigned target        e.g. "phấn đấu đạt 90%", "chỉ tiêu 80%", "mục tiêu: 95%"
  - threshold   a floor or a ceiling required       e.g. "tỷ lệ khảo sát tối thiểu (10%)", "≥ 80%", "trên 90% hồ
                                                    sơ được giải quyết" (a bound no achieving verb introduces)
  - relative    measured against something else    e.g. "tăng 5%", "chiếm 0,14%", "đạt 100% so với kế hoạch"
  - bound       an achieved value given as a bound  e.g. "đạt trên 96%", "đạt ≥ 80%"
  - achieved    what was achieved                  e.g. "đạt 80,9%", "Tỷ lệ hồ sơ trực tuyến: 99,97%"

``agrees`` says whether a ratio (in percent) is what a stated percentage says, within the rounding of the
figure written ("80,9%": 0,05; "100%": 0,5), as its bound, or within APPROX_RATE points of "khoảng x%".
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Literal

import regex

from extractor.rules.numbers import NumberMatch, half_unit

Role = Literal["achieved", "bound", "threshold", "target", "rule", "relative"]
NOT_ACHIEVED: frozenset[Role] = frozenset({"threshold", "target", "rule"})
APPROX_RATE = Decimal(1)  # "khoảng 80%": percentage points either way
TINY = Decimal("1e-9")
REACH = 80  # characters of the clause before a rate that may hold its rule or target words

# e.g. "Trường hợp đạt 100%", "nếu tỷ lệ dưới 50%"; not "24.152/29.950 trường hợp, đạt 80,9%" (a count)
RULE = regex.compile(
    r"(?<![\d.,]\s{0,3})(?<!\p{L})(?:trường hợp|nếu)\s+(?:\p{L}+\s+){0,4}?"
    r"(?:đạt|dưới|trên|từ|không đạt|chưa đạt|vượt|bằng)(?!\p{L})[^.;:!?\n]{0,30}$",
    regex.I,
)
RULE_AFTER = regex.compile(r"^[^.;\n]{0,60}?(?<!\p{L})thì(?!\p{L})", regex.I)  # "… 100% thì được 2 điểm"
TARGET = regex.compile(  # e.g. "Chỉ tiêu giao ≥ 80%", "(mục tiêu 80%)", "phấn đấu đến năm 2030 đạt 90%"
    r"(?<!\p{L})(?:mục tiêu|chỉ tiêu|phấn đấu|hướng tới|dự kiến|đề ra|kế hoạch giao)(?!\p{L})", regex.I
)
RESULT = regex.compile(r"(?<!\p{L})(?:kết quả|thực tế|đã đạt|thực hiện được|hiện đạt|hiện nay)(?!\p{L})", regex.I)
# e.g. "tối thiểu (10%)", "tối thiểu là 10%", "ngưỡng 70%": the number reader sees no qualifier through "(" or "là"
FLOOR = regex.compile(
    r"(?<!\p{L})(?:tối thiểu|tối đa|ít nhất|không dưới|không quá|không thấp hơn|ngưỡng)(?:\s+(?:là|bằng))?\s*[(:]?\s*$",
    regex.I,
)
ACHIEVING = regex.compile(r"(?<!\p{L})(?:đạt|đạt được|là|chiếm|bằng|được)\s*:?\s*$", regex.I)
RELATIVE_AFTER = regex.compile(r"^\s*\)?\s*(?:/|so\s|kế hoạch|chỉ tiêu|dự toán|cùng kỳ|tổng số)", regex.I)
RELATIVE_BEFORE = regex.compile(  # e.g. "tăng 5%", "chiếm 0,14%"
    r"(?:(?:tăng|giảm|vượt|cao hơn|thấp hơn)(?:\s+\p{L}+){0,2}|chiếm(?:\s+tỷ lệ)?|bằng)\s*:?\s*$", regex.I
)


def rate_role(n: NumberMatch, before: str, after: str) -> Role:
    """The role of the rate ``n``; ``before`` is its clause up to the number (its qualifier included), ``after``
    the text right after it."""
    near = before[-REACH:]
    if RULE.search(near) or RULE_AFTER.match(after):
        return "rule"
    targets = list(TARGET.finditer(near))
    if (targets and not RESULT.search(near, targets[-1].end())) or TARGET.match(after.lstrip(" )(")):
        return "target"
    if FLOOR.search(before):
        return "threshold"
    if n.bound in ("ge", "gt", "le", "lt"):
        return "bound" if ACHIEVING.search(_unqualified(n, before)) else "threshold"
    if RELATIVE_AFTER.match(after) or RELATIVE_BEFORE.search(before):
        return "relative"
    return "achieved"


def _unqualified(n: NumberMatch, before: str) -> str:
    """The words before the qualifier ("đạt" of "đạt trên 96%")."""
    text = before.rstrip(" $")
    if n.qualifier and text.lower().endswith(n.qualifier.lower()):
        text = text[: -len(n.qualifier)]
    return text.rstrip()


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def agrees(ratio: Decimal, stated: NumberMatch) -> bool:
    """Whether ``ratio`` (a percentage) is what "x%" states, within its rounding or as its bound."""
    tol, x = half_unit(stated.value) + TINY, stated.value
    if stated.bound in ("ge", "gt"):
        return ratio >= x - tol
    if stated.bound in ("le", "lt"):
        return ratio <= x + tol
    return abs(ratio - x) <= (max(tol, APPROX_RATE) if stated.bound == "approx" else tol)


def cut(ratio: Decimal, stated: NumberMatch) -> bool:
    """The stated rate is the ratio with its digits cut off (63,179% -> 63,17%): rounding, not an error."""
    if stated.bound:
        return False
    try:
        return ratio.quantize(Decimal(1).scaleb(_exponent(stated.value)), ROUND_DOWN) == stated.value
    except InvalidOperation:  # a ratio too large for the stated precision (e.g. 1e30 to 2 places) is no cut rate
        return False
