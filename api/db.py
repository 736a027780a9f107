"""The service's tables (SQLAlchemy 2) and how to open the database.

One schema for SQLite and PostgreSQL, created and upgraded by the Alembic migrations in ``api/migrations``
(``upgrade(settings)`` runs them; the server and every worker call it at start, under a lock on PostgreSQL).

- ``StoredFile``: the original bytes, content-addressed by sha256 (stored once however often uploaded).
- ``Batch`` / ``BatchItem``: one upload of several files; an item names its file and the report auditing it.
- ``Report``: one audit of one file with one rubric by one version of the library — also the job: its
  ``state`` goes queued → running → done (or failed after ``max_attempts``). The same file uploaded again
  with the same rubric and version finds the same row: audited once. ``report_json`` is the contract's
  REPORT; the other columns index it for lists and filters.
- ``FindingRow``: a report's findings in long form (``idx`` = position in ``report_json["findings"]``).
- ``Review``: an officer's decision on a finding (accept / dismiss, note, who, when); the latest counts.
- ``User`` / ``Token``: roles admin, auditor, commune (bound to one commune); tokens stored as sha256.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

from api.settings import Settings

Role = Literal["admin", "auditor", "commune"]
ROLES: tuple[Role, ...] = ("admin", "auditor", "commune")
JobState = Literal["queued", "running", "done", "failed"]
Decision = Literal["accept", "dismiss"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    commune: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    tokens: Mapped[list[Token]] = relationship(back_populates="user")


class Token(Base):
    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise it in a list
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    user: Mapped[User] = relationship(back_populates="tokens")


class StoredFile(Base):
    __tablename__ = "files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(String(200))  # relative to settings.files_dir
    first_name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4 hex
    name: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commune: Mapped[str | None] = mapped_column(String(200), index=True)  # the uploader's, for a commune token
    rubric: Mapped[str | None] = mapped_column(String(200))
    items: Mapped[list[BatchItem]] = relationship(back_populates="batch", order_by="BatchItem.id")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("sha256", "rubric", "audit_version", name="uq_report_audit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("files.sha256"), index=True)
    rubric: Mapped[str] = mapped_column(String(200), default="")  # "" = chosen by the rows
    audit_version: Mapped[str] = mapped_column(String(50))
    # the job
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    # the result
    report_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str | None] = mapped_column(String(12))  # the contract's ok / partial / unreadable
    commune: Mapped[str | None] = mapped_column(String(200), index=True)
    period: Mapped[str | None] = mapped_column(String(100), index=True)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    doc_number: Mapped[str | None] = mapped_column(String(200), index=True)
    doc_date: Mapped[dt.date | None] = mapped_column(Date)
    claimed_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    recomputed_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    verdict: Mapped[str | None] = mapped_column(String(20), index=True)  # recomputed verdict: dat / khong_dat
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    infos: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[list[FindingRow]] = relationship(back_populates="report", order_by="FindingRow.idx")


class BatchItem(Base):
    __tablename__ = "batch_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("files.sha256"))  # None: refused before storing
    filename: Mapped[str] = mapped_column(String(500))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    error: Mapped[str | None] = mapped_column(Text)  # why the upload itself was refused (too large, …)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    batch: Mapped[Batch] = relationship(back_populates="items")
    report: Mapped[Report | None] = relationship()


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("report_id", "idx", name="uq_finding_idx"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    criterion_id: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[Report] = relationship(back_populates="findings")


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


Index("ix_reports_state_queued", Report.state, Report.queued_at)


def make_engine(settings: Settings) -> Engine:
    """The engine for the configured database; SQLite gets WAL, a busy timeout and foreign keys."""
    url = settings.database
    if url.startswith("sqlite"):
        settings.prepare()
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # a commit is on disk before the upload is acknowledged
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)
