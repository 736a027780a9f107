"""Recompute every scorecard row by its rubric method, then the totals and the verdict.

Methods (from the rubric):
  rate     max × stated rate: the rate in the evidence cell (e.g. "đạt 92,5%" -> 5 × 92,5% = 4,625), else a
           fraction there (e.g. "35/35 hồ sơ"), else a body statement mapped to the criterion; with no rate the
           claim is kept and RATE_NOT_STATED says so
  binary   full points when the evidence cell is not empty (else 0 and EVIDENCE_MISSING)
  count, manual   the claim is kept (the rubric gives no formula the report lets us apply)
Rows with no criterion (no rubric fits, e.g. a PAR Index appendix) keep their claim: structure only.
A parent row (1 -> 1.1, 1.2) is recomputed as the sum of its children. Points stay exact Decimals; a
difference of at most 0,01 between a claim and max × rate is rounding, not an error (ROUNDING_TOLERANCE).
A rate row's recomputed score is max × rate rounded half-up to whole hundredths, as the scheme awards
points (92,5% of 5 -> 4,63); totals are exact sums of the rows, so the rows shown add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from extractor.checks.findings import finding, vn
from extractor.contract import Finding, Metric, Scorecard, ScoreRow, Severity, round_points
from extractor.rules.fractions import find_fractions
from extractor.rules.rubric import Criterion, Rubric
from extractor.rules.scorecard import OcrRead
from extractor.textnorm import normalize_text

ROUNDING_TOLERANCE = Decimal("0.01")
HUNDRED = Decimal(100)
ROUNDING_MODES = {
    "làm tròn lên từ 5 (half-up)": ROUND_HALF_UP,
    "làm tròn chẵn (half-even)": ROUND_HALF_EVEN,
    "cắt bỏ (truncate)": ROUND_DOWN,
    "làm tròn lên (ceiling)": ROUND_CEILING,
}


@dataclass(frozen=True)
class RateFound:
    value: Decimal  # percent, e.g. 92.5
    source: str  # evidence | fraction | narrative
    text: str


def rate_points(maximum: Decimal, rate: Decimal) -> Decimal:
    """max × rate, the rate capped at 100 % (e.g. 5 × 92,5% = 4,625; 5 × 105% = 5)."""
    return maximum * min(rate, HUNDRED) / HUNDRED


def stt_key(stt: str | None) -> str:
    return (stt or "").strip().rstrip(".")


def children_of(rows: list[ScoreRow]) -> dict[str, list[ScoreRow]]:
    out: dict[str, list[ScoreRow]] = {}
    for row in rows:
        if row.parent_stt:
            out.setdefault(stt_key(row.parent_stt), []).append(row)
    return out


def find_rate(row: ScoreRow, metrics: list[Metric]) -> RateFound | None:
    if row.rates:
        return RateFound(row.rates[0].value, "evidence", row.rates[0].text)
    for f in find_fractions(normalize_text(row.evidence_text)):
        if f.ratio_percent is not None:
            return RateFound(f.percent.value if f.percent else f.ratio_percent, "fraction", f.text)
    for m in metrics:
        if row.criterion_id and m.criterion_id == row.criterion_id and m.unit == "%":
            return RateFound(m.value, "narrative", m.text)
    return None


_KEPT = {
    "count": "giữ điểm tự chấm: tiêu chí chấm theo số lượng văn bản, cần thẩm định thủ công",
    "manual": "giữ điểm tự chấm: tiêu chí chấm thủ công",
}


def recompute_row(row: ScoreRow, criterion: Criterion | None, metrics: list[Metric]) -> list[Finding]:
    """Set ``row.recomputed_points`` (and ``row.note``) and return findings about the row's own points."""
    row.recomputed_points = row.claimed_points
    if criterion is None:
        row.note = "không có tiêu chí tương ứng: giữ điểm tự chấm" if row.claimed_points is not None else None
        return []
    maximum = row.max_points if row.max_points is not None else criterion.max_points
    if criterion.method == "binary":
        has_evidence = bool(row.evidence_text.strip())
        row.recomputed_points = maximum if has_evidence else Decimal(0)
        row.note = "đủ điểm khi có tài liệu kiểm chứng" if has_evidence else "không có tài liệu kiểm chứng"
        return []
    if criterion.method != "rate":
        row.note = _KEPT[criterion.method]
        return []
    rate = find_rate(row, metrics)
    if rate is None:
        row.note = "không nêu tỷ lệ: giữ điểm tự chấm"
        return [_rate_not_stated(row)] if row.claimed_points is not None else []
    exact = rate_points(maximum, rate.value)
    row.recomputed_points = round_points(exact)  # a row scores whole hundredths (92,5% of 5 -> 4,63)
    row._exact = exact
    source = {"evidence": "tài liệu kiểm chứng", "fraction": "phân số trong tài liệu kiểm chứng"}
    row.note = f"{vn(maximum)} × {rate.text} ({source.get(rate.source, 'nội dung công văn')})"
    if row.claimed_points is not None and abs(row.claimed_points - exact) > ROUNDING_TOLERANCE:
        return [with_doubt(_ratio_mismatch(row, maximum, rate, exact), [row])]
    return []


def _rate_not_stated(row: ScoreRow) -> Finding:
    return finding(
        "RATE_NOT_STATED",
        f"Tiêu chí {row.stt} tính theo tỷ lệ nhưng tài liệu kiểm chứng không nêu tỷ lệ nào; "
        f"không tính lại được, giữ điểm tự chấm {vn(row.claimed_points)}.",
        criterion_id=row.criterion_id,
        found=row.evidence_text[:200],
        location=row.location,
    )


def _ratio_mismatch(row: ScoreRow, maximum: Decimal, rate: RateFound, exact: Decimal) -> Finding:
    return finding(
        "RATIO_SCORE_MISMATCH",
        f"Tiêu chí {row.stt}: tỷ lệ {vn(rate.value)}% × {vn(maximum)} điểm = {vn(exact)} điểm, "
        f"nhưng báo cáo tự chấm {vn(row.claimed_points)} điểm.",
        criterion_id=row.criterion_id,
        expected=round_points(exact),
        found=row.claimed_points,
        location=row.location,
    )


def recompute_parents(rows: list[ScoreRow]) -> None:
    """A parent's recomputed points are the sum of its children's (deepest first)."""
    kids = children_of(rows)
    for row in sorted(rows, key=lambda r: -stt_key(r.stt).count(".")):
        children = kids.get(stt_key(row.stt))
        if children and all(c.recomputed_points is not None for c in children):
            row.recomputed_points = _sum(c.recomputed_points for c in children)


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def top_level(rows: list[ScoreRow]) -> list[ScoreRow]:
    return [r for r in rows if not r.parent_stt]


def recompute_totals(card: Scorecard, rubric: Rubric | None) -> None:
    tops = [r for r in top_level(card.rows) if r.recomputed_points is not None]
    card.recomputed_total = _sum(r.recomputed_points for r in tops) if tops else None  # a blank form has none
    if card.threshold is None and rubric is not None:
        card.threshold = rubric.pass_threshold
    if card.recomputed_total is not None and card.threshold is not None:
        card.recomputed_verdict = "dat" if card.recomputed_total >= card.threshold else "khong_dat"


def rounding_modes(claimed: Decimal, exact: Decimal) -> set[str]:
    """Which rounding rules turn the exact score into the claimed one (at the claim's decimals)."""
    exponent = claimed.normalize().as_tuple().exponent
    quantum = Decimal(1).scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else Decimal("0.01")
    return {name for name, mode in ROUNDING_MODES.items() if exact.quantize(quantum, rounding=mode) == claimed}


def check_rounding(rows: list[ScoreRow], rubric: Rubric | None) -> list[Finding]:
    """ROUNDING_INCONSISTENT: no one rounding rule explains every rate row's claim."""
    if rubric is None:
        return []
    explained: list[tuple[ScoreRow, set[str]]] = []
    for row in rows:
        criterion = rubric.by_id(row.criterion_id or "")
        if criterion is None or criterion.method != "rate" or row.claimed_points is None:
            continue
        exact = row._exact
        if exact is None or exact == row.claimed_points or abs(exact - row.claimed_points) > ROUNDING_TOLERANCE:
            continue
        explained.append((row, rounding_modes(row.claimed_points, exact)))
    if len(explained) < 2 or set.intersection(*(modes for _, modes in explained)):
        return []
    detail = "; ".join(
        f"tiêu chí {r.stt}: {vn(r._exact, 3)} → {vn(r.claimed_points)} ({', '.join(sorted(m)) or '?'})"
        for r, m in explained
    )
    return [
        finding(
            "ROUNDING_INCONSISTENT",
            f"Báo cáo làm tròn điểm các tiêu chí tỷ lệ theo nhiều cách khác nhau: {detail}.",
            found={r.stt: sorted(m) for r, m in explained},
            location=explained[0][0].location,
        )
    ]


# --- points read by OCR ---------------------------------------------------------------------------------


def row_doubt(row: ScoreRow) -> OcrRead | None:
    """How the row's claimed points were read by OCR, when that reading is uncertain: low confidence, a
    look-alike letter taken for a digit, or more points than the row's maximum (a decimal comma lost to the
    scan reads "4,97" as "497", and Tesseract is sure of it); None for a text layer or a sure reading."""
    if row.ocr_confidence is None:
        return None
    read = OcrRead(row.ocr_confidence, row.ocr_repair)
    return read if row.low_confidence or read.uncertain or _above_max(row) else None


def max_doubt(row: ScoreRow) -> OcrRead | None:
    """How the row's maximum points were read by OCR, when that reading is uncertain; None otherwise."""
    if row.max_ocr_confidence is None:
        return None
    read = OcrRead(row.max_ocr_confidence, row.max_ocr_repair)
    return read if read.uncertain else None


def _above_max(row: ScoreRow) -> bool:
    return row.claimed_points is not None and row.max_points is not None and row.claimed_points > row.max_points


def _doubt_text(what: str, read: OcrRead, row: ScoreRow | None = None) -> str:
    """e.g. "ô điểm dòng 2.3 đọc bằng OCR với độ tin cậy thấp (62 %)", "… đọc bằng OCR, đã sửa S→5 (91 %)",
    "… đọc bằng OCR là «497», vượt điểm tối đa 5 (có thể mất dấu phẩy)"."""
    confidence = f"{read.confidence:.0f} %"
    if read.low:
        return f"{what} đọc bằng OCR với độ tin cậy thấp ({confidence})"
    if read.uncertain:
        return f"{what} đọc bằng OCR, đã sửa {read.repair} (độ tin cậy {confidence})"
    assert row is not None
    return (
        f"{what} đọc bằng OCR là «{row.claimed_text}», vượt điểm tối đa {vn(row.max_points)} "
        "(có thể mất dấu phẩy thập phân khi quét)"
    )


_SOFTER: dict[Severity, Severity] = {"error": "warning", "warning": "warning", "info": "info"}


def with_doubt(f: Finding, rows: Iterable[ScoreRow], total: OcrRead | None = None) -> Finding:
    """A finding that depends on points read by OCR uncertainly says so instead of asserting the mismatch:
    its message names the cells to check against the scan, an error becomes a warning, and ``found`` holds
    the value found and those cells. A finding with no such cell is returned as it is."""
    cells: list[tuple[str, ScoreRow | None, OcrRead]] = []
    for row in rows:
        name = stt_key(row.stt) or row.title[:40]
        read = row_doubt(row)
        if read is not None:
            cells.append((f"ô điểm dòng {name}", row, read))
        if (most := max_doubt(row)) is not None:
            cells.append((f"ô điểm tối đa dòng {name}", row, most))
    if total is not None and total.uncertain:
        cells.append(("ô tổng điểm", None, total))
    if not cells:
        return f
    named = "; ".join(_doubt_text(what, read, row) for what, row, read in cells)
    return f.model_copy(
        update={
            "severity": _SOFTER[f.severity],
            "message": f"{f.message} Chưa chắc chắn: {named}, cần đối chiếu bản quét.",
            "found": {
                "value": f.found,
                "ocr_uncertain": [
                    {
                        "cell": what,
                        "stt": row.stt if row else None,
                        "confidence": read.confidence,
                        "repair": read.repair,
                    }
                    for what, row, read in cells
                ],
            },
        }
    )
