"""Review decisions on a finding: accept (the report is at fault) or dismiss (a false alarm), with a note;
who and when are kept, every decision stays in the history and the latest one counts. Auditors and admins
decide; a commune token may read its findings but never review them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth import AnyUser, Auditor, can_see_report
from api.db import FindingRow, Review, User
from api.errors import ERROR_RESPONSES, not_found
from api.routes.common import Id, SessionDep, iso

router = APIRouter(prefix="/api/findings", tags=["rà soát / review"], responses=ERROR_RESPONSES)


class ReviewIn(BaseModel):
    decision: Literal["accept", "dismiss"] = Field(description="accept: đúng là lỗi / dismiss: báo nhầm")
    note: Annotated[str | None, Field(max_length=5000, description="ghi chú / note")] = None


def finding_out(f: FindingRow, review: Review | None) -> dict[str, Any]:
    return {
        "id": f.id,
        "report_id": f.report_id,
        "idx": f.idx,
        "code": f.code,
        "severity": f.severity,
        "criterion_id": f.criterion_id,
        "message": f.message,
        "quote": f.quote,
        "page": f.page,
        "decision": review.decision if review is not None else None,
        "decided_at": iso(review.created_at) if review is not None else None,
    }


def review_out(r: Review, user_name: str | None) -> dict[str, Any]:
    return {
        "id": r.id,
        "finding_id": r.finding_id,
        "decision": r.decision,
        "note": r.note,
        "user": {"id": r.user_id, "name": user_name},
        "created_at": iso(r.created_at),
    }


@router.post(
    "/{finding_id}/review",
    status_code=201,
    summary="Rà soát một phát hiện / review a finding",
    description="Chấp nhận hoặc bác bỏ, kèm ghi chú; quyết định mới nhất có hiệu lực. / Accept or dismiss.",
)
def review_finding(finding_id: Id, payload: ReviewIn, session: SessionDep, principal: Auditor) -> dict[str, Any]:
    finding = session.get(FindingRow, finding_id)
    if finding is None:
        raise not_found("phát hiện", "finding", finding_id)
    row = Review(
        finding_id=finding.id,
        decision=payload.decision,
        note=(payload.note or "").strip() or None,
        user_id=principal.user_id,
    )
    session.add(row)
    session.commit()
    return review_out(row, principal.name)


@router.get("/{finding_id}/reviews", summary="Lịch sử rà soát / review history")
def finding_reviews(finding_id: Id, session: SessionDep, principal: AnyUser) -> dict[str, Any]:
    finding = session.get(FindingRow, finding_id)
    if finding is None or not can_see_report(session, principal, finding.report_id):
        raise not_found("phát hiện", "finding", finding_id)
    rows = session.scalars(
        select(Review).where(Review.finding_id == finding.id).order_by(Review.created_at, Review.id)
    ).all()
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in rows})))}
    return {
        "finding": finding_out(finding, rows[-1] if rows else None),
        "reviews": [review_out(r, users.get(r.user_id)) for r in rows],
    }
