"""The cover letter against its appendix.

  COVER_TOTAL_MISMATCH  e.g. the letter says "Tổng điểm đạt được: 99,25/100" and TỔNG ĐIỂM reads 97,25
  COVER_VALUE_MISMATCH  e.g. the letter says "92,5% văn bản … được ký số" and the appendix row for that
                        criterion states 90,5%
Rates are compared at the precision of the less precise of the two (one decimal written: ±0,05).
"""

from __future__ import annotations

from decimal import Decimal

from extractor.checks.findings import finding, vn
from extractor.checks.scores import ROUNDING_TOLERANCE, with_doubt
from extractor.contract import Finding, Location, Metric, Scorecard
from extractor.rules.numbers import half_unit
from extractor.rules.scorecard import OcrRead


def check_cover_total(
    card: Scorecard, letter_total: Decimal | None, where: Location | None, total_ocr: OcrRead | None = None
) -> list[Finding]:
    """COVER_TOTAL_MISMATCH; a warning naming the total cell when it was read by OCR with low confidence."""
    if letter_total is None or card.claimed_total is None:
        return []
    if abs(letter_total - card.claimed_total) <= ROUNDING_TOLERANCE:
        return []
    mismatch = finding(
        "COVER_TOTAL_MISMATCH",
        f"Công văn ghi tổng điểm {vn(letter_total)}, phụ lục ghi {vn(card.claimed_total)}.",
        expected=card.claimed_total,
        found=letter_total,
        location=where,
    )
    return [with_doubt(mismatch, [], total_ocr)]


def check_cover_values(card: Scorecard, metrics: list[Metric]) -> list[Finding]:
    out: list[Finding] = []
    for row in card.rows:
        if not row.rates or not row.criterion_id:
            continue
        rate = row.rates[0]
        for m in metrics:
            if m.criterion_id != row.criterion_id or m.unit != "%":
                continue
            # at the precision of the less precise figure: "80,9%" allows 0,05, "100%" allows 0,5
            if abs(m.value - rate.value) > max(half_unit(m.value), half_unit(rate.value)):
                out.append(
                    finding(
                        "COVER_VALUE_MISMATCH",
                        f"Công văn nêu {vn(m.value)}% cho tiêu chí {row.stt}, phụ lục ghi {vn(rate.value)}%.",
                        criterion_id=row.criterion_id,
                        expected=rate.value,
                        found=m.value,
                        location=m.location,
                    )
                )
    return out
