"""Totals against the parts listed with them: PARTS_SUM_MISMATCH, one of the checks ``check_narrative``
(extractor.checks.narrative) runs, on the StatedTotal records ``extractor.rules.parts`` reads.

Counts add up exactly; amounts in "triệu"/"tỷ" within the rounding of the figures written. A bounded total is a
bound: "trên 6.234 hồ sơ" holds when the parts sum to more (6.324), "dưới/không quá" to less, "khoảng" within
APPROX_TOTAL. A bounded part ("trên 100 thành viên") leaves the sum unknown: no check. A group named by one family
of categories that sums to another figure of the list splits a subtotal, not the total: not raised.
"""

from __future__ import annotations

from decimal import Decimal

from extractor.checks.findings import finding, vn
from extractor.contract import Finding
from extractor.rules.numbers import NumberMatch, half_unit
from extractor.rules.parts import PartGroup, StatedTotal

TINY = Decimal("1e-9")
APPROX_TOTAL = Decimal("0.1")  # "khoảng 3.000 người": a tenth of the total either way


def _holds(total: NumberMatch, s: Decimal, tol: Decimal) -> bool:
    v = total.scaled
    checks = {"gt": s + tol > v, "ge": s + tol >= v, "lt": s - tol < v, "le": s - tol <= v,
              "approx": abs(s - v) <= max(tol, v * APPROX_TOTAL)}  # fmt: skip
    return checks[total.bound] if total.bound else abs(s - v) <= tol


def _rounding(numbers: list[NumberMatch]) -> Decimal:
    """Amounts in "triệu"/"tỷ" are rounded: half a unit of each figure written; counts are exact."""
    return sum((half_unit(n.value).scaleb(n.magnitude) for n in numbers if n.magnitude), TINY)


def parts_findings(totals: list[StatedTotal]) -> list[Finding]:
    out = []
    for stated in totals:
        for group in stated.groups:
            s = sum((p.scaled for p in group.parts), Decimal(0))
            if any(p.bound for p in group.parts) or _holds(stated.total, s, _rounding([stated.total, *group.parts])):
                continue
            others = [n for n in stated.listed if n not in group.parts]
            if group.by_family and any(abs(n.scaled - s) <= _rounding(group.parts) for n in others):
                continue  # the family splits a subtotal of the list
            out.append(_parts_finding(stated, group, s))
    return out


def _count(value: Decimal) -> str:
    return f"{int(value):,}".replace(",", ".") if value == value.to_integral_value() else vn(value, 3)


_LOW, _HIGH = "ít hơn mức đã ghi", "nhiều hơn mức đã ghi"
_BOUND_SAYS = {"gt": _LOW, "ge": _LOW, "lt": _HIGH, "le": _HIGH,
               "approx": f"lệch quá {APPROX_TOTAL:.0%} so với mức ước tính"}  # fmt: skip


def _parts_finding(stated: StatedTotal, group: PartGroup, s: Decimal) -> Finding:
    total = stated.total
    unit = f" {total.noun}" if total.noun else ""
    shown = s.scaleb(-total.magnitude)
    off = f"chênh {_count(abs(shown - total.value))}{unit}" if total.bound is None else _BOUND_SAYS[total.bound]
    msg = (
        f"Tổng số ghi «{stated.written}{unit}», nhưng các phần liệt kê cộng lại được {_count(shown)}{unit} "
        f"({' + '.join(p.text for p in group.parts)}): {off}."
    )
    return finding("PARTS_SUM_MISMATCH", msg, expected=total.value, found=shown, location=group.location)
