"""What the routes share: the app's settings and sessions, pagination, and small row views."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from api.db import Report
from api.settings import Settings

# A database id in a path: a positive 64-bit integer; anything larger is a 422 in the error shape, never a 500.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.factory
    return factory


def get_session(request: Request) -> Iterator[Session]:
    with get_factory(request)() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
FactoryDep = Annotated[sessionmaker[Session], Depends(get_factory)]
SessionDep = Annotated[Session, Depends(get_session)]

MAX_PER_PAGE = 500


class Page(BaseModel):
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def pagination(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="trang, từ 1 / page, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="số mục mỗi trang / items per page")] = 50,
) -> Page:
    return Page(page=page, per_page=per_page)


PageDep = Annotated[Page, Depends(pagination)]


def fold(text: str | None) -> str:
    """Text for accent- and case-insensitive search: "Xã Tiên Lãng" -> "xa tien lang"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def points(value: Decimal | None) -> float | None:
    """Points as the contract writes them: rounded once, half-up, to 0.01."""
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def report_summary(row: Report, filename: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "sha256": row.sha256,
        "filename": filename,
        "rubric": row.rubric or None,
        "audit_version": row.audit_version,
        "state": row.state,
        "attempts": row.attempts,
        "error": row.error,
        "status": row.status,
        "commune": row.commune,
        "period": row.period,
        "doc_number": row.doc_number,
        "doc_date": row.doc_date.isoformat() if row.doc_date else None,
        "claimed_total": points(row.claimed_total),
        "recomputed_total": points(row.recomputed_total),
        "verdict": row.verdict,
        "errors": row.errors,
        "warnings": row.warnings,
        "infos": row.infos,
        "queued_at": iso(row.queued_at),
        "finished_at": iso(row.finished_at),
    }


def latest_reviews(session: Session, finding_ids: list[int]) -> dict[int, Any]:
    """The decision that counts for each finding: its latest review (by time, then by id)."""
    from sqlalchemy import select

    from api.db import Review

    out: dict[int, Any] = {}
    for start in range(0, len(finding_ids), 500):
        chunk = finding_ids[start : start + 500]
        rows = session.scalars(
            select(Review).where(Review.finding_id.in_(chunk)).order_by(Review.created_at, Review.id)
        ).all()
        for row in rows:
            out[row.finding_id] = row
    return out


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite gives naive datetimes back: they were written in UTC)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    stamp = aware(value)
    return stamp.isoformat() if stamp is not None else None
