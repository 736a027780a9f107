"""A scorecard estimated from narrative text, for reports with no scoring appendix (NO_SCORECARD).

For each rubric criterion: a rate criterion takes max × the rate of the body statement mapped to it
(e.g. "Tỷ lệ hồ sơ nộp trực tuyến đạt 97,5%" -> 5 × 97,5% = 4,875); any other criterion scores its full
points when a cited document of an expected kind is about it (e.g. "Kế hoạch số 28/KH-UBND … về Chuyển
đổi số xã … năm 2026" for the annual plan). Criteria with no statement stay unscored (points None) and
say so. The result is marked ``estimated: true`` and never compared with a claim; it carries a verdict only
when every criterion could be scored.
"""

from __future__ import annotations

from decimal import Decimal

from extractor.checks.findings import finding
from extractor.checks.scores import rate_points
from extractor.contract import Citation, Finding, Location, Metric, Scorecard, ScoreRow, round_points
from extractor.rules.match import Candidate, TitleMatcher
from extractor.rules.rubric import Criterion, Rubric

SUBJECT_MIN = 0.5  # how well a citation's subject must match a criterion to count as its evidence


def estimate_scorecard(rubric: Rubric, metrics: list[Metric], citations: list[Citation]) -> Scorecard:
    matcher = TitleMatcher([Candidate(c.id, (c.title, *c.aliases, *c.keywords)) for c in rubric.criteria])
    rows = [_row(c, metrics, citations, matcher) for c in rubric.criteria]
    scored = [r.recomputed_points for r in rows if r.recomputed_points is not None]
    total = sum(scored, Decimal(0)) if scored else None
    complete = total is not None and len(scored) == len(rows)  # a verdict only when every criterion is scored
    return Scorecard(
        rows=rows,
        recomputed_total=total,
        max_total=rubric.total_points,
        threshold=rubric.pass_threshold,
        recomputed_verdict=("dat" if total >= rubric.pass_threshold else "khong_dat") if complete and total else None,
        estimated=True,
        rubric=rubric.id,
    )


def _row(criterion: Criterion, metrics: list[Metric], citations: list[Citation], matcher: TitleMatcher) -> ScoreRow:
    row = ScoreRow(
        stt=criterion.stt,
        criterion_id=criterion.id,
        title=criterion.title,
        max_points=criterion.max_points,
        location=Location(),
        note="chưa có thông tin trong báo cáo (không chấm)",
    )
    if criterion.method == "rate":
        stated = next((m for m in metrics if m.criterion_id == criterion.id and m.unit == "%"), None)
        if stated is not None:
            row.recomputed_points = round_points(rate_points(criterion.max_points, stated.value))
            row.evidence_text, row.location = stated.location.quote, stated.location
            row.note = f"ước tính từ tỷ lệ {' '.join(stated.text.split())} nêu trong báo cáo"
        return row
    for c in citations:
        if c.kind in criterion.evidence and c.subject and matcher.score(c.subject, criterion.id) >= SUBJECT_MIN:
            row.recomputed_points = criterion.max_points
            row.evidence_text, row.location, row.citations = c.location.quote, c.location, [c]
            row.note = "ước tính: có văn bản kiểm chứng phù hợp"
            break
    return row


def no_scorecard(card: Scorecard | None) -> Finding:
    unscored = [r.stt for r in card.rows if r.recomputed_points is None] if card else []
    return finding(
        "NO_SCORECARD",
        "Không tìm thấy bảng chấm điểm (phụ lục); điểm được ước tính từ nội dung báo cáo"
        + (f", {len(unscored)} tiêu chí chưa có thông tin để chấm." if unscored else "."),
        found={"unscored": unscored},
    )
