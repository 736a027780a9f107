"""Points as written in score cells: "5", "4,63", "8.00", "99,25 /100", "9,49/9,5".

Score cells hold small decimals, never thousands, so "," and "." are both decimal points here (the
general number reader in extractor/rules/numbers.py decides per token for narrative text). A trailing
"/100" is the maximum the value is out of. Text that holds no number reads as None with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

# e.g. "99,25 /100", "4,63", "8.00", "9,49/9,5", "10 điểm"
_POINTS = regex.compile(r"^\s*(?P<v>-?\d{1,4}(?:[.,]\d{1,3})?)\s*(?:điểm)?\s*(?:/\s*(?P<of>\d{1,4}(?:[.,]\d{1,3})?))?")


@dataclass(frozen=True)
class PointsReading:
    value: Decimal | None
    out_of: Decimal | None = None
    reason: str = ""


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def read_points(text: str) -> PointsReading:
    m = _POINTS.match(text or "")
    if not m:
        return PointsReading(None, reason="không có số / no number")
    of = _dec(m.group("of")) if m.group("of") else None
    return PointsReading(_dec(m.group("v")), of, "điểm / points")
