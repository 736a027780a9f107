"""Totals after an officer's review: what stands when some findings are dismissed as false alarms.

An officer checks each finding of a report and either accepts it (the report is at fault) or dismisses it
(a false alarm, with a note). Accepting changes nothing: the recomputed totals already hold the finding
against the report. Dismissing means that what the finding disputed stands as the commune claimed it:

- a dismissed finding that disputes a row's points (``POINTS_DISPUTES``: RATIO_SCORE_MISMATCH,
  EVIDENCE_MISSING, ROW_EXCEEDS_MAX, PARENT_SUM_MISMATCH, …) gives its row — the row of its criterion, or
  for a row without a criterion the row it quotes — the claimed points instead of the recomputed ones,
  where the two differ. A parent row is the sum of its children's reviewed points, as it is recomputed,
  unless its own finding was dismissed;
- a dismissed TOTAL_MISMATCH (the total written is not the sum of the rows written) accepts the written
  total: the reviewed total is the sum of the reviewed rows plus the gap between the written total and the
  written rows, so with every finding of the report dismissed the reviewed total is the claimed total;
- any other finding (a date, a citation, a signature, the verdict's wording) disputes no points: dismissing
  it changes no total, it only closes the finding (``open_errors`` and ``open_warnings`` count the rest).

The reviewed total is formed as the recomputed one (``extractor/checks/scores.py``): the sum of the top-level
rows that have points; the reviewed verdict compares it with the scorecard's threshold. A scorecard estimated
from a narrative report (``scorecard.estimated``) has no recomputed total, so none is reviewed either.
Points stay exact Decimals here; they are rounded once when written out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from pydantic import Field

from extractor.checks.scores import children_of, stt_key
from extractor.contract import ContractModel, Finding, Points, Report, Scorecard, ScoreRow, Verdict

# Codes whose finding disputes the points of one row: dismissing it accepts the row's claimed points.
POINTS_DISPUTES = frozenset(
    {
        "RATIO_SCORE_MISMATCH",  # max × stated rate is not the claim
        "EVIDENCE_MISSING",  # a binary criterion scores 0 without evidence
        "ROW_EXCEEDS_MAX",
        "PARENT_SUM_MISMATCH",  # a parent is recomputed as the sum of its children
        "RATE_NOT_STATED",  # the claim was kept: nothing to accept, but it is about the points
        "INVALID_POINTS",
    }
)
# Codes whose finding disputes the total as written: dismissing it accepts the claimed total.
TOTAL_DISPUTES = frozenset({"TOTAL_MISMATCH"})

Decision = Literal["accept", "dismiss"]


class ReviewNote(ContractModel):
    """An officer's decision on one finding: accept (the report is at fault) or dismiss (a false alarm)."""

    decision: Decision
    note: str | None = None
    user: str | None = Field(None, description="who decided")
    at: dt.datetime | None = Field(None, description="when it was decided")


class ReviewedTotals(ContractModel):
    """A report's totals before and after review (points exact inside, rounded to 0.01 when serialised)."""

    claimed_total: Points | None = None
    recomputed_total: Points | None = Field(None, description="from the report's own scorecard, never an estimate")
    reviewed_total: Points | None = Field(None, description="the recomputed total with the dismissed disputes undone")
    reviewed_verdict: Verdict | None = None
    open_errors: int = Field(0, description="error findings not dismissed")
    open_warnings: int = Field(0, description="warning findings not dismissed")
    dismissed: list[int] = Field(default_factory=list, description="indices in report.findings, ascending")
    changed_rows: list[str] = Field(
        default_factory=list, description="criterion ids whose points the review changed, in the scorecard's order"
    )


def dismissed_indices(reviews: Mapping[int, ReviewNote]) -> list[int]:
    """The indices of the findings whose review dismisses them."""
    return sorted(i for i, note in reviews.items() if note.decision == "dismiss")


def reviewed_totals(report: Report, dismissed: Iterable[int]) -> ReviewedTotals:
    """The report's totals once the findings at ``dismissed`` (indices in ``report.findings``) are dismissed.

    Raises ValueError for an index that names no finding of the report.
    """
    chosen = sorted(set(dismissed))
    for index in chosen:
        if not 0 <= index < len(report.findings):
            raise ValueError(
                f"Không có phát hiện số {index} (báo cáo có {len(report.findings)} phát hiện) / "
                f"no finding at index {index} (the report has {len(report.findings)})"
            )
    gone = [report.findings[i] for i in chosen]
    closed = set(chosen)
    still = [f for i, f in enumerate(report.findings) if i not in closed]
    card = report.scorecard
    own = card if card is not None and not card.estimated else None
    totals = ReviewedTotals(
        claimed_total=card.claimed_total if card is not None else None,
        recomputed_total=own.recomputed_total if own is not None else None,
        open_errors=sum(f.severity == "error" for f in still),
        open_warnings=sum(f.severity == "warning" for f in still),
        dismissed=chosen,
    )
    if own is None or own.recomputed_total is None:
        return totals
    points = _reviewed_rows(own.rows, gone)
    tops = [points[i] for i, r in enumerate(own.rows) if not r.parent_stt and points[i] is not None]
    total = sum((p for p in tops if p is not None), Decimal(0))
    if any(f.code in TOTAL_DISPUTES for f in gone):
        total += _written_gap(own)
    totals.reviewed_total = total
    if own.threshold is not None:
        totals.reviewed_verdict = "dat" if total >= own.threshold else "khong_dat"
    totals.changed_rows = list(
        dict.fromkeys(
            r.criterion_id
            for r, p in zip(own.rows, points, strict=True)
            if r.criterion_id is not None and p != r.recomputed_points
        )
    )
    return totals


def _disputes(finding: Finding, row: ScoreRow) -> bool:
    if finding.code not in POINTS_DISPUTES:
        return False
    if finding.criterion_id is not None:
        return finding.criterion_id == row.criterion_id
    return finding.location is not None and finding.location == row.location


def _reviewed_rows(rows: list[ScoreRow], dismissed: list[Finding]) -> list[Decimal | None]:
    """Each row's reviewed points, in the rows' order (mirrors recompute_row, then recompute_parents)."""
    # a row whose claim is missing has nothing to accept: it keeps what the recomputation gave it
    accepted = [row.claimed_points is not None and any(_disputes(f, row) for f in dismissed) for row in rows]
    points = [row.claimed_points if ok else row.recomputed_points for row, ok in zip(rows, accepted, strict=True)]
    index = {id(row): i for i, row in enumerate(rows)}
    kids = children_of(rows)
    for i in sorted(range(len(rows)), key=lambda i: -stt_key(rows[i].stt).count(".")):
        children = kids.get(stt_key(rows[i].stt))
        if accepted[i] or not children:
            continue
        parts = [points[index[id(c)]] for c in children]
        if all(p is not None for p in parts):
            points[i] = sum((p for p in parts if p is not None), Decimal(0))
    return points


def _written_gap(card: Scorecard) -> Decimal:
    """The written total minus the sum of the written top-level rows (what TOTAL_MISMATCH disputes)."""
    tops = [r for r in card.rows if not r.parent_stt]
    if card.claimed_total is None or any(r.claimed_points is None for r in tops):
        return Decimal(0)
    return card.claimed_total - sum((r.claimed_points for r in tops if r.claimed_points is not None), Decimal(0))
