"""Durable audit jobs: what the HTTP API calls once report rows are committed ``queued``.

    submit(settings, report_ids)                 # PostgreSQL: one procrastinate job per report; SQLite: wake the pool
    pool = start_local_pool(settings, factory)   # the server's own runners (SQLite, or local_worker=True); pool.stop()
    reaudit(settings, factory, batch_id, rubric) # a batch audited again by this version / with this rubric
    run_worker(settings)                         # `extractor worker`: procrastinate on PostgreSQL

Job state lives in the ``reports`` rows (``api/tasks.py``), never only in memory: a restarted server or
worker resumes unfinished work, ``claim`` refuses a finished report and ``record`` writes a report once, so
nothing is processed twice. Retries are counted by ``Report.attempts`` (procrastinate's own retry is off):
a crash, a hang past ``job_timeout`` or running out of ``memory_limit`` queues the report again, and after
``max_attempts`` it is recorded as UNREADABLE with the reason.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api import tasks
from api.db import Batch, BatchItem, Report
from api.local_pool import DataDirBusyError, LocalPool, start_local_pool, wake
from api.settings import Settings


class MissingOriginalsError(RuntimeError):
    """A worker that cannot see the uploaded originals (its data directory is not the server's)."""


__all__ = [
    "DataDirBusyError",
    "LocalPool",
    "MissingOriginalsError",
    "reaudit",
    "run_worker",
    "start_local_pool",
    "submit",
]

log = logging.getLogger(__name__)


def submit(settings: Settings, report_ids: list[int]) -> None:
    """Hand committed ``queued`` reports to the runners: on PostgreSQL one procrastinate job per report for
    the workers; when the server runs its own pool (SQLite, or ``local_worker=True``) its runners are woken
    and take the reports from the table (a worker that also runs against the same PostgreSQL finds them by
    its sweep)."""
    if not report_ids:
        return
    if settings.is_postgres and not settings.runs_local_worker:
        from api import queue

        queue.defer(settings, report_ids)
    wake()


def reaudit(settings: Settings, factory: sessionmaker[Session], batch_id: str, rubric: str | None) -> list[int]:
    """Audit a batch again with the current library version and ``rubric`` (None: the batch's own): a new
    report row per file where none exists for this version and rubric yet, the batch's items pointed at the
    rows, the new ones submitted. Returns the ids of the reports created (an unchanged version and rubric
    creates none: the same file is audited once)."""
    created: list[int] = []
    with factory.begin() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        chosen = rubric if rubric is not None else (batch.rubric or settings.rubric)
        if rubric is not None:
            batch.rubric = rubric
        items = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)).all()
        by_sha: dict[str, Report] = {}
        for item in items:
            if item.sha256 is None:
                continue
            row = by_sha.get(item.sha256)
            if row is None:
                row, new = tasks.enqueue(session, item.sha256, chosen, tasks.AUDIT_VERSION)
                session.flush()
                by_sha[item.sha256] = row
                if new:
                    created.append(row.id)
            item.report_id = row.id
    submit(settings, created)
    return created


def run_worker(settings: Settings, *, concurrency: int | None = None, stop_when_idle: bool = False) -> None:
    """``extractor worker``: on PostgreSQL a procrastinate worker (any number, on any machines); on SQLite
    the local pool in the foreground (it takes the data directory's lock like a server would). Stops on
    SIGINT/SIGTERM, or when nothing is left to do with ``stop_when_idle``."""
    if concurrency is not None:
        settings = settings.model_copy(update={"workers": concurrency})
    from api.db import make_engine, make_sessionmaker
    from api.migrate import upgrade

    engine = make_engine(settings)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    if settings.is_postgres:
        from api import queue

        try:
            queue.run_worker(settings, factory, stop_when_idle=stop_when_idle)
        except queue.MissingOriginalsError as err:
            raise MissingOriginalsError(str(err)) from err
        return
    _run_local_foreground(settings, factory, stop_when_idle)


def _run_local_foreground(settings: Settings, factory: sessionmaker[Session], stop_when_idle: bool) -> None:
    done = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        done.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    pool = start_local_pool(settings, factory)
    try:
        while not done.wait(settings.poll_interval):
            if stop_when_idle and pool.idle and not _unfinished(factory):
                break
    finally:
        pool.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _unfinished(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        query = select(func.count()).select_from(Report).where(Report.state.in_(("queued", "running")))
        return int(session.scalar(query) or 0)
