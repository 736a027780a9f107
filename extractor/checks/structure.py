"""Structural checks of a scorecard as written, with or without a rubric.

TOTAL_MISMATCH       e.g. TỔNG ĐIỂM 99,25 but the rows add up to 98,25
ROW_EXCEEDS_MAX      e.g. 6 points claimed on a 5-point criterion
INVALID_POINTS       e.g. "năm", "-1", "4,5 - 5" in a points cell
MAX_POINTS_MISMATCH  e.g. a row states 10 as maximum where the rubric gives 5
EVIDENCE_MISSING     e.g. 5 points claimed with an empty "Tài liệu kiểm chứng" cell
PARENT_SUM_MISMATCH  e.g. 1.3 claims 2,00 but 1.3.1 + 1.3.2 = 1,50 (points or maxima)
CRITERION_MISSING / CRITERION_UNKNOWN / CRITERION_DUPLICATE   rows against the rubric's criteria
VERDICT_MISMATCH     e.g. "Đạt yêu cầu" stated with a total of 65 against a threshold of 70
THRESHOLD_MISMATCH   e.g. "≥ 60 điểm: Đạt" where the rubric says 70
BLANK_FORM           (info) a form nobody filled in: every points cell empty or a placeholder (".", "…", "-",
                     "___") and no total claimed; it is a form, not a faulty report, so no other check runs on it
"""

from __future__ import annotations

from decimal import Decimal

import regex

from extractor.checks.findings import finding, vn
from extractor.checks.scores import ROUNDING_TOLERANCE, children_of, stt_key, top_level, with_doubt
from extractor.contract import VERDICT_VI, Finding, Location, Scorecard, ScoreRow, Verdict
from extractor.rules.rubric import Rubric
from extractor.rules.scorecard import OcrRead

# e.g. ".", "…", "...", "-", "--", "___", "(…)": what a form prints where the points are to be written
_PLACEHOLDER = regex.compile(r"^[\s.…·\-_–—/()\[\]]*$")


def is_placeholder(text: str | None) -> bool:
    return text is None or bool(_PLACEHOLDER.match(text))


def is_blank_form(card: Scorecard) -> bool:
    """No points claimed anywhere: every points cell empty or a placeholder, no total."""
    placeholders = all(r.claimed_points is None and is_placeholder(r.claimed_text) for r in card.rows)
    return bool(card.rows) and placeholders and card.claimed_total is None and is_placeholder(card.total_text)


def blank_form_finding(card: Scorecard) -> Finding:
    return finding(
        "BLANK_FORM",
        f"Bảng chấm điểm là biểu mẫu chưa điền ({len(card.rows)} dòng, không có điểm tự chấm và tổng điểm): "
        "không kiểm tra điểm.",
        found=len(card.rows),
        location=card.rows[0].location,
    )


def check_rows(card: Scorecard, rubric: Rubric | None, has_evidence_column: bool) -> list[Finding]:
    out: list[Finding] = []
    parents = set(children_of(card.rows))
    blank_form = all(r.claimed_points is None for r in card.rows)
    for row in card.rows:
        criterion = rubric.by_id(row.criterion_id) if rubric and row.criterion_id else None
        out += _points(row, blank_form or stt_key(row.stt) in parents)
        maximum = row.max_points if row.max_points is not None else (criterion.max_points if criterion else None)
        if row.claimed_points is not None and maximum is not None and row.claimed_points > maximum:
            exceeds = finding(
                "ROW_EXCEEDS_MAX",
                f"Tiêu chí {row.stt}: tự chấm {vn(row.claimed_points)} điểm, vượt điểm tối đa {vn(maximum)}.",
                criterion_id=row.criterion_id,
                expected=maximum,
                found=row.claimed_points,
                location=row.location,
            )
            out.append(with_doubt(exceeds, [row]))
        if criterion and row.max_points is not None and row.max_points != criterion.max_points:
            out.append(
                finding(
                    "MAX_POINTS_MISMATCH",
                    f"Tiêu chí {row.stt}: điểm tối đa ghi {vn(row.max_points)}, bộ tiêu chí quy định "
                    f"{vn(criterion.max_points)}.",
                    criterion_id=row.criterion_id,
                    expected=criterion.max_points,
                    found=row.max_points,
                    location=row.location,
                )
            )
        is_parent = stt_key(row.stt) in parents  # its evidence stands in its children's rows
        if has_evidence_column and row.claimed_points and not row.evidence_text.strip() and not is_parent:
            out.append(
                finding(
                    "EVIDENCE_MISSING",
                    f"Tiêu chí {row.stt}: tự chấm {vn(row.claimed_points)} điểm nhưng không có tài liệu kiểm chứng.",
                    criterion_id=row.criterion_id,
                    found=row.claimed_points,
                    location=row.location,
                )
            )
    return out


def _points(row: ScoreRow, blank_expected: bool) -> list[Finding]:
    """An unreadable or negative claim; an empty one where the other rows have theirs (not a blank form)."""
    empty = not row.claimed_text and row.max_points is not None and not blank_expected
    negative = row.claimed_points is not None and row.claimed_points < 0
    bad = bool(row.claimed_text) and row.claimed_points is None
    if not (bad or empty or negative):
        return []
    what = "để trống" if empty else f"«{row.claimed_text}» không phải số điểm hợp lệ"
    invalid = finding(
        "INVALID_POINTS",
        f"Tiêu chí {row.stt}: ô điểm tự chấm {what}.",
        criterion_id=row.criterion_id,
        found=row.claimed_text,
        location=row.location,
    )
    return [with_doubt(invalid, [row])]


def check_total(card: Scorecard, total_location: Location | None, total_ocr: OcrRead | None = None) -> list[Finding]:
    """TOTAL_MISMATCH; uncertain (a warning naming the cells) when the total or a row it adds was read by OCR
    with low confidence (``total_ocr``: how the total cell was read)."""
    tops = top_level(card.rows)
    if card.claimed_total is None or not tops or any(r.claimed_points is None for r in tops):
        return []
    rows_sum = sum((r.claimed_points for r in tops if r.claimed_points is not None), Decimal(0))
    if abs(rows_sum - card.claimed_total) <= ROUNDING_TOLERANCE:
        return []
    mismatch = finding(
        "TOTAL_MISMATCH",
        f"Tổng điểm ghi {vn(card.claimed_total)}, nhưng cộng điểm tự chấm các tiêu chí được {vn(rows_sum)}.",
        expected=rows_sum,
        found=card.claimed_total,
        location=total_location,
    )
    return [with_doubt(mismatch, tops, total_ocr)]


def check_parents(card: Scorecard) -> list[Finding]:
    out: list[Finding] = []
    kids = children_of(card.rows)
    for row in card.rows:
        children = kids.get(stt_key(row.stt))
        if not children:
            continue
        for label, own, parts in (
            ("điểm tự chấm", row.claimed_points, [c.claimed_points for c in children]),
            ("điểm tối đa", row.max_points, [c.max_points for c in children]),
        ):
            if own is None or any(p is None for p in parts):
                continue
            total = sum((p for p in parts if p is not None), Decimal(0))
            if abs(total - own) > ROUNDING_TOLERANCE:
                names = " + ".join(stt_key(c.stt) for c in children)
                mismatch = finding(
                    "PARENT_SUM_MISMATCH",
                    f"Mục {row.stt}: {label} ghi {vn(own)}, nhưng tổng các mục con ({names}) là {vn(total)}.",
                    criterion_id=row.criterion_id,
                    expected=total,
                    found=own,
                    location=row.location,
                )
                claimed = label == "điểm tự chấm"  # the maxima's OCR confidence is not kept on the row
                out.append(with_doubt(mismatch, [row, *children]) if claimed else mismatch)
    return out


def check_criteria(card: Scorecard, rubric: Rubric | None) -> list[Finding]:
    if rubric is None:
        return []
    out: list[Finding] = []
    seen: dict[str, ScoreRow] = {}
    sections = set(children_of(card.rows))
    for row in card.rows:
        if row.criterion_id is None:
            if not row.parent_stt and stt_key(row.stt) not in sections:
                out.append(
                    finding(
                        "CRITERION_UNKNOWN",
                        f"Dòng {row.stt or ''} «{row.title[:80]}» không khớp tiêu chí nào của bộ tiêu chí.",
                        found=row.title,
                        location=row.location,
                    )
                )
            continue
        if row.criterion_id in seen:
            first = seen[row.criterion_id]
            out.append(
                finding(
                    "CRITERION_DUPLICATE",
                    f"Dòng {row.stt} và dòng {first.stt} cùng chấm một tiêu chí ({row.criterion_id}).",
                    criterion_id=row.criterion_id,
                    expected=first.stt,
                    found=row.stt,
                    location=row.location,
                )
            )
        seen.setdefault(row.criterion_id, row)
    for criterion in rubric.criteria:
        if criterion.id not in seen:
            out.append(
                finding(
                    "CRITERION_MISSING",
                    f"Thiếu tiêu chí {criterion.stt} «{criterion.title[:80]}» ({vn(criterion.max_points)} điểm).",
                    criterion_id=criterion.id,
                    expected=criterion.title,
                )
            )
    return out


def check_verdict(
    card: Scorecard,
    stated: Verdict | None,
    stated_location: Location | None,
    rubric: Rubric | None,
    total_ocr: OcrRead | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    total, threshold = card.claimed_total, card.threshold
    if stated and total is not None and threshold is not None:
        implied: Verdict = "dat" if total >= threshold else "khong_dat"
        if implied != stated:
            mismatch = finding(
                "VERDICT_MISMATCH",
                f"Báo cáo kết luận «{VERDICT_VI[stated]}» nhưng tổng {vn(total)} điểm so với ngưỡng "
                f"{vn(threshold)} là «{VERDICT_VI[implied]}».",
                expected=implied,
                found=stated,
                location=stated_location,
            )
            out.append(with_doubt(mismatch, [], total_ocr))
    return out


def check_threshold(
    stated: Decimal | None, text: str | None, location: Location | None, rubric: Rubric | None
) -> list[Finding]:
    if rubric is None or stated is None or stated == rubric.pass_threshold:
        return []
    return [
        finding(
            "THRESHOLD_MISMATCH",
            f"Ngưỡng đạt ghi {vn(stated)} điểm («{(text or '')[:60]}»), bộ tiêu chí quy định "
            f"{vn(rubric.pass_threshold)} điểm.",
            expected=rubric.pass_threshold,
            found=stated,
            location=location,
        )
    ]
