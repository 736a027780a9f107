"""Finding codes (spec/audit-contract.md §3) with their severity, and the one way to make a Finding.

Findings are data: a check returns them and never decides what happens next (the CLI's exit code and
the API's response are decided at the edges from their severities).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from extractor.contract import Finding, Location, Severity, round_points

SEVERITY: dict[str, Severity] = {
    "TOTAL_MISMATCH": "error",
    "ROW_EXCEEDS_MAX": "error",
    "INVALID_POINTS": "error",
    "MAX_POINTS_MISMATCH": "error",
    "RATIO_SCORE_MISMATCH": "error",
    "RATE_NOT_STATED": "warning",
    "EVIDENCE_MISSING": "error",
    "EVIDENCE_OUT_OF_PERIOD": "warning",
    "EVIDENCE_AFTER_REPORT": "error",
    "CITATION_MALFORMED": "info",
    "CITATION_SEQUENCE": "warning",
    "PARENT_SUM_MISMATCH": "error",
    "CRITERION_MISSING": "error",
    "CRITERION_UNKNOWN": "warning",
    "CRITERION_DUPLICATE": "error",
    "VERDICT_MISMATCH": "error",
    "THRESHOLD_MISMATCH": "warning",
    "COVER_TOTAL_MISMATCH": "error",
    "COVER_VALUE_MISMATCH": "warning",
    "PERIOD_MISMATCH": "warning",
    "PERCENT_FRACTION_MISMATCH": "warning",
    "PARTS_SUM_MISMATCH": "warning",
    "CONFLICTING_VALUES": "warning",
    "UNISSUED_DRAFT": "warning",
    "NO_SCORECARD": "info",
    "UNREADABLE": "error",
    "OCR_USED": "info",
    "LEGACY_ENCODING": "info",
    "ROUNDING_INCONSISTENT": "info",
    "SIGNATURE_BROKEN": "error",
    "SIGNER_MISMATCH": "warning",
    "SIGNED_BEFORE_DATED": "warning",
    "SIGNED_LONG_AFTER": "warning",
    "PAGES_NOT_READ": "warning",
    "BLANK_FORM": "info",
    "FORMAT_MISMATCH": "info",
}


def finding(
    code: str,
    message: str,
    *,
    criterion_id: str | None = None,
    expected: Any = None,
    found: Any = None,
    location: Location | None = None,
) -> Finding:
    """A Finding with the contract's severity for ``code``; Decimals become JSON numbers (points rounded)."""
    return Finding(
        code=code,
        severity=SEVERITY[code],
        message=message,
        criterion_id=criterion_id,
        expected=_plain(expected),
        found=_plain(found),
        location=location,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def vn(value: Decimal | None, places: int = 2) -> str:
    """A number the Vietnamese way for messages: 4.625 -> "4,63" (points), 80.64 -> "80,64"."""
    if value is None:
        return "—"
    q = round_points(value) if places == 2 else value.quantize(Decimal(1).scaleb(-places))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
