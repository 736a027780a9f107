"""A scorecard estimated from narrative text, for reports with no scoring appendix (NO_SCORECARD).

Only a report the rubric is for is estimated (``in_scope``, from the rubric's [scope]): a commune's report
on its IT and digital-transformation work. A letter that assigns tasks or criteria, a meeting's conclusions,
a province's or a department's report, a report on another subject (drug prevention, administrative reform)
get no estimate and no NO_SCORECARD finding: they were never meant to carry a scorecard.

For each rubric criterion: a rate criterion takes max × the rate the report states about it (e.g. "Tỷ lệ hồ
sơ nộp trực tuyến đạt 97,5%" -> 5 × 97,5% = 4,875); when several statements are about one criterion, their
median (the lower one of the middle two) is taken, so the estimate does not hang on which statement comes
first in one format's reading order. The rates are read from the whole body as one stream of words
(extractor/rules/stable_rates.py), so the text, DOCX and PDF versions of one report give the same estimate.
Any other criterion scores its full points when a cited document of an expected kind is about it (e.g. "Kế
hoạch số 28/KH-UBND … về Chuyển đổi số xã … năm 2026" for the annual plan). Criteria with no statement stay
unscored (points None) and say so. The result is marked ``estimated: true`` and never compared with a
claim; it carries a verdict only when every criterion could be scored.
"""

from __future__ import annotations

from decimal import Decimal

import regex

from extractor.checks.findings import finding
from extractor.checks.scores import rate_points
from extractor.contract import Citation, DocumentInfo, Finding, Location, Metric, Scorecard, ScoreRow, round_points
from extractor.rules.match import Candidate, TitleMatcher
from extractor.rules.rubric import Criterion, Rubric
from extractor.textnorm import fold

SUBJECT_MIN = 0.5  # how well a citation's subject must match a criterion to count as its evidence
# The issuer's level: "UBND xã Đại Sơn" -> xã, "Ủy ban nhân dân tỉnh Lâm Đồng" -> tỉnh, "Sở Nội vụ" -> sở
_LEVEL = regex.compile(
    r"^(?:(?:UBND|Ủy ban nhân dân)\s+(?P<level>xã|phường|đặc khu|thị trấn|tỉnh|thành phố)|(?P<body>Sở|Bộ))\b",
    regex.IGNORECASE,
)


def issuer_level(info: DocumentInfo) -> str | None:
    """The level of the document's issuer, or None when its issuer is not known."""
    m = _LEVEL.match(info.issuer or "")
    if m is None:
        return None
    return (m.group("level") or m.group("body")).lower()


def in_scope(info: DocumentInfo, rubric: Rubric) -> bool:
    """Whether the document is a report of the kind the rubric scores (see the module docstring)."""
    scope = rubric.scope
    if scope.levels and issuer_level(info) not in scope.levels:
        return False
    subject = fold(info.subject or "")
    reports = info.kind in scope.kinds or any(subject.startswith(fold(s)) for s in scope.report_subjects)
    if not reports:
        return False
    return not scope.subject_words or any(_has_words(subject, fold(w)) for w in scope.subject_words)


def _has_words(text: str, words: str) -> bool:
    return regex.search(rf"(?<!\w){regex.escape(words)}(?!\w)", text) is not None


def estimate_scorecard(rubric: Rubric, rates: list[Metric], citations: list[Citation]) -> Scorecard:
    matcher = TitleMatcher([Candidate(c.id, (c.title, *c.aliases, *c.keywords)) for c in rubric.criteria])
    rows = [_row(c, rates, citations, matcher) for c in rubric.criteria]
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


def _median(statements: list[Metric]) -> Metric:
    """The statement whose value is the median (the lower of the middle two); the first such in the text."""
    ordered = sorted(statements, key=lambda m: (m.value, m.location.start or 0))
    return ordered[(len(ordered) - 1) // 2]


def _row(criterion: Criterion, rates: list[Metric], citations: list[Citation], matcher: TitleMatcher) -> ScoreRow:
    row = ScoreRow(
        stt=criterion.stt,
        criterion_id=criterion.id,
        title=criterion.title,
        max_points=criterion.max_points,
        location=Location(),
        note="chưa có thông tin trong báo cáo (không chấm)",
    )
    if criterion.method == "rate":
        statements = [m for m in rates if m.criterion_id == criterion.id and m.unit == "%"]
        if statements:
            stated = _median(statements)
            row.recomputed_points = round_points(rate_points(criterion.max_points, stated.value))
            row.evidence_text, row.location = stated.location.quote, stated.location
            row.note = f"ước tính từ tỷ lệ {' '.join(stated.text.split())} nêu trong báo cáo" + (
                f" (trung vị của {len(statements)} số liệu về tiêu chí này)" if len(statements) > 1 else ""
            )
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
