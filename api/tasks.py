"""The audit job, shared by every runner (the server's local pool on SQLite, procrastinate workers on
PostgreSQL): its state lives in the ``reports`` row, so a restart resumes unfinished work and a file is
never recorded twice.

    report = enqueue(session, sha256, rubric)          # get-or-create: the same file and rubric → same row
    claim(session_factory, report_id, worker)          # queued → running, attempts + 1 (False: not ours)
    data = read_original(settings, sha256)
    result = extractor.audit(data, filename=…)         # in an isolated child process (see the runners)
    record(session_factory, report_id, result)         # running → done, JSON + findings, in one transaction
    give_up(…) / retry_or_give_up(…)                   # a crash: queued again, or UNREADABLE after max_attempts
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import extractor
from api.db import FindingRow, Report, StoredFile, utcnow
from api.settings import Settings
from api.storage import Stored

AUDIT_VERSION = extractor.__version__


def add_file(session: Session, stored: Stored, filename: str) -> StoredFile:
    """The StoredFile row of stored bytes (created on first upload; committed by the caller)."""
    row = session.get(StoredFile, stored.sha256)
    if row is None:
        row = StoredFile(sha256=stored.sha256, size=stored.size, path=stored.path, first_name=filename[:500])
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another request stored the same bytes at the same moment
            row = session.get(StoredFile, stored.sha256)
            assert row is not None
    return row


def enqueue(session: Session, sha256: str, rubric: str | None, version: str = AUDIT_VERSION) -> tuple[Report, bool]:
    """The report row auditing ``sha256`` with ``rubric`` by ``version``; created queued if new.
    Returns (row, created). Committed by the caller."""
    key = rubric or ""
    query = select(Report).where(Report.sha256 == sha256, Report.rubric == key, Report.audit_version == version)
    row = session.scalars(query).first()
    if row is not None:
        return row, False
    row = Report(sha256=sha256, rubric=key, audit_version=version, state="queued")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = session.scalars(query).one()
        return row, False
    return row, True


def claim(factory: sessionmaker[Session], report_id: int, worker: str) -> bool:
    """queued (or running, left by a dead runner) → running with one more attempt; False when the report is
    done or failed already (a duplicate delivery: nothing is processed twice)."""
    with factory.begin() as session:
        result = session.execute(
            update(Report)
            .where(Report.id == report_id, Report.state.in_(("queued", "running")))
            .values(state="running", attempts=Report.attempts + 1, worker=worker, started_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))


def claim_next(factory: sessionmaker[Session], worker: str) -> int | None:
    """The oldest queued report, claimed for ``worker`` (local pool); None when nothing is queued."""
    with factory.begin() as session:
        query = select(Report.id).where(Report.state == "queued").order_by(Report.queued_at, Report.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        report_id = session.scalars(query).first()
        if report_id is None:
            return None
        result = session.execute(
            update(Report)
            .where(Report.id == report_id, Report.state == "queued")
            .values(state="running", attempts=Report.attempts + 1, worker=worker, started_at=utcnow())
        )
        return report_id if getattr(result, "rowcount", 0) else None


def job_input(factory: sessionmaker[Session], report_id: int) -> tuple[str, str, str | None]:
    """(sha256, file name, rubric or None) of a report's job."""
    with factory() as session:
        row = session.get(Report, report_id)
        assert row is not None
        stored = session.get(StoredFile, row.sha256)
        name = stored.first_name if stored is not None else row.sha256
        return row.sha256, name, row.rubric or None


def record(factory: sessionmaker[Session], report_id: int, result: extractor.Report) -> bool:
    """Store a finished audit: JSON, indexed columns and findings, in one transaction, only if the report is
    not done yet. Returns False when another runner recorded it first."""
    data = result.model_dump(mode="json")
    with factory.begin() as session:
        row = session.get(Report, report_id, with_for_update=True)
        if row is None or row.state == "done":
            return False
        _fill(row, result, data)
        row.state, row.finished_at, row.error = "done", utcnow(), None
        for old in list(row.findings):
            session.delete(old)
        session.flush()
        for i, f in enumerate(result.findings):
            loc = f.location
            session.add(
                FindingRow(
                    report_id=row.id,
                    idx=i,
                    code=f.code,
                    severity=f.severity,
                    criterion_id=f.criterion_id,
                    message=f.message,
                    quote=(loc.quote if loc is not None else None) or None,
                    page=loc.page if loc is not None else None,
                )
            )
    return True


def retry_or_give_up(
    factory: sessionmaker[Session], settings: Settings, report_id: int, reason_vi: str, reason_en: str
) -> str:
    """After a crashed or timed-out attempt: queued again while attempts remain, else recorded as an
    UNREADABLE report with the reason. Returns the new state."""
    with factory.begin() as session:
        row = session.get(Report, report_id, with_for_update=True)
        if row is None or row.state == "done":
            return "done"
        if row.attempts < settings.max_attempts:
            row.state, row.error = "queued", f"{reason_vi} / {reason_en}"
            return "queued"
        stored = session.get(StoredFile, row.sha256)
        sha, name = row.sha256, stored.first_name if stored is not None else row.sha256
    aborted = extractor.aborted_report(
        name, sha, f"{reason_vi} (đã thử {settings.max_attempts} lần)", f"{reason_en} ({settings.max_attempts} tries)"
    )
    record(factory, report_id, aborted)
    return "done"


def requeue_stale(factory: sessionmaker[Session], older_than: dt.datetime | None = None) -> int:
    """Reports left running by a runner that died (the server's own at start: all of them) → queued."""
    with factory.begin() as session:
        query = update(Report).where(Report.state == "running")
        if older_than is not None:
            query = query.where(Report.started_at < older_than)
        result = session.execute(query.values(state="queued"))
        return int(getattr(result, "rowcount", 0) or 0)


def _fill(row: Report, result: extractor.Report, data: dict[str, Any]) -> None:
    doc, card = result.document, result.scorecard
    row.report_json = data
    row.status = result.status
    row.commune = doc.commune
    row.period = doc.period.label if doc.period else None
    row.period_start = doc.period.start if doc.period else None
    row.doc_number = doc.number
    row.doc_date = doc.date
    row.claimed_total = _dec(card.claimed_total) if card else None
    row.recomputed_total = _dec(card.recomputed_total) if card else None
    row.verdict = (card.recomputed_verdict or card.claimed_verdict) if card else None
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    row.errors, row.warnings, row.infos = counts["error"], counts["warning"], counts["info"]


def _dec(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def release(factory: sessionmaker[Session], report_id: int, worker: str) -> bool:
    """An attempt abandoned because its runner is stopping (not because the file failed): running → queued,
    and the attempt is not counted. Only the runner that holds the report may release it."""
    with factory.begin() as session:
        result = session.execute(
            update(Report)
            .where(Report.id == report_id, Report.state == "running", Report.worker == worker)
            .values(state="queued", attempts=Report.attempts - 1)
        )
        return bool(getattr(result, "rowcount", 0))


def lease_expired_before(settings: Settings) -> dt.datetime:
    """A report running since before this moment has outlived any live runner (its child is stopped at
    ``job_timeout``): its runner died."""
    return utcnow() - dt.timedelta(seconds=settings.job_timeout + settings.stale_margin)


def claim_for(factory: sessionmaker[Session], report_id: int, worker: str, resume_suffix: str) -> bool:
    """Like :func:`claim` for a queue job: a queued report, or one still ``running`` under a worker name
    ending with ``resume_suffix`` — the same job, retried because the worker running it died. A report
    running under another job is left to it (a duplicate delivery is never audited twice)."""
    with factory.begin() as session:
        mine = (Report.state == "queued") | ((Report.state == "running") & Report.worker.endswith(resume_suffix))
        result = session.execute(
            update(Report)
            .where(Report.id == report_id, mine)
            .values(state="running", attempts=Report.attempts + 1, worker=worker, started_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))
