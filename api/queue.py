"""Audit jobs on PostgreSQL with procrastinate: any number of ``extractor worker`` processes on any number of
machines share the queue; no broker besides the database.

- One task, ``audit_report(report_id)``, deferred once per report with ``queueing_lock="report-<id>"``: a
  report waits in the queue at most once, however often it is submitted.
- The task calls :func:`api.runner.run_report` (claim → audit in a child → record). Procrastinate's own
  retry is off: attempts are counted in ``Report.attempts``. A failed attempt leaves the report ``queued``
  and the task defers it again; after ``max_attempts`` it is recorded UNREADABLE with the reason.
- Dead workers. Each worker beats its heartbeat (procrastinate's ``procrastinate_workers`` table, every
  ``heartbeat_timeout / 3`` seconds). Every worker sweeps, one at a time (advisory lock), every
  ``heartbeat_timeout / 3`` seconds and at start: the jobs still ``doing`` on workers silent for
  ``heartbeat_timeout`` (``JobManager.get_stalled_jobs``) are retried — their report is still ``running``
  under that job's name and ``claim_for`` lets the same job, retried, take it over; reports ``queued`` with
  no waiting or running job (a worker that died between two steps, a worker stopped by a signal) are
  deferred again; reports ``running`` past their lease (``job_timeout + stale_margin``) with no live job are
  queued and deferred again.
- Nothing is processed twice: ``claim_for`` refuses a finished report and one another job holds, and
  ``record`` writes once.
- SIGINT/SIGTERM: the audits in progress are stopped at once and their reports handed back (queued, the
  attempt not counted). A worker that cannot see the originals (its data directory is not the server's)
  stops with that reason instead of recording files UNREADABLE.
- The procrastinate schema is applied once per database, under an advisory lock, so many workers may
  start at the same moment.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import procrastinate
import procrastinate.schema
import psycopg
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.orm import Session, sessionmaker

from api import runner, tasks
from api.settings import Settings
from api.storage import original_path

log = logging.getLogger(__name__)

TASK_NAME = "extractor.audit_report"
QUEUE = "audits"
_SCHEMA_LOCK = 727_002
_SWEEP_LOCK = 727_003

_lock = threading.Lock()
atexit.register(lambda: close())
_sync_apps: dict[str, procrastinate.App] = {}
_schema_ready: set[str] = set()
_stopping = threading.Event()


class _WorkerState:
    settings: Settings | None = None
    factory: sessionmaker[Session] | None = None
    name: str = ""
    request_stop: Callable[[], None] | None = None
    fatal: str | None = None


class MissingOriginalsError(RuntimeError):
    """This worker cannot see the uploaded originals: its data directory is not the server's."""


_STATE = _WorkerState()


def conninfo(settings: Settings) -> str:
    """The plain ``postgresql://`` conninfo psycopg takes (settings.database names the SQLAlchemy driver)."""
    return settings.database.replace("postgresql+psycopg://", "postgresql://", 1)


def lock_name(report_id: int) -> str:
    return f"report-{report_id}"


def _audit_report(context: procrastinate.JobContext, report_id: int) -> None:
    settings, factory = _STATE.settings, _STATE.factory
    if settings is None or factory is None:
        raise RuntimeError("audit_report runs only inside `extractor worker`")
    sha256, _name, _rubric = tasks.job_input(factory, report_id)
    if not original_path(settings, sha256).is_file():
        # not the file's fault: this machine does not see the server's data directory. The report stays
        # queued for a worker that does (the sweep defers it again) and this worker stops.
        _STATE.fatal = (
            f"Không thấy tệp gốc {sha256[:12]}… trong {settings.files_dir}: thư mục dữ liệu của worker phải là "
            f"thư mục dữ liệu chung của máy chủ (EXTRACTOR_DATA_DIR). / The original {sha256[:12]}… is not in "
            f"{settings.files_dir}: a worker needs the server's shared data directory (EXTRACTOR_DATA_DIR)."
        )
        log.error(_STATE.fatal)
        if _STATE.request_stop is not None:
            _STATE.request_stop()
        raise MissingOriginalsError(_STATE.fatal)
    job = f":job{context.job.id}"  # a retry of this job after its worker died may take the report over
    state = runner.run_report(settings, factory, report_id, _STATE.name + job, resume_suffix=job, stopping=_stopping)
    if state == "queued" and not _stopping.is_set():
        defer(settings, [report_id])  # the next attempt (the current job ends now, so the lock is free)


def make_app(settings: Settings, **pool: Any) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(settings), **pool)
    app = procrastinate.App(connector=connector)
    app.task(name=TASK_NAME, queue=QUEUE, retry=False, pass_context=True)(_audit_report)
    return app


def ensure_schema(settings: Settings) -> None:
    """Apply procrastinate's schema if this database has none yet (idempotent; safe from many processes)."""
    info = conninfo(settings)
    if info in _schema_ready:
        return
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is None or row[0] is None:
                schema = procrastinate.schema.SchemaManager.get_schema()
                conn.execute(schema)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))
    _schema_ready.add(info)


def _sync_app(settings: Settings) -> procrastinate.App:
    info = conninfo(settings)
    with _lock:
        app = _sync_apps.get(info)
        if app is None:
            ensure_schema(settings)
            app = make_app(settings, min_size=1, max_size=4)
            app.open()
            _sync_apps[info] = app
        return app


def defer(settings: Settings, report_ids: list[int]) -> None:
    """One job per report; a report already waiting in the queue is not queued twice."""
    task = _sync_app(settings).tasks[TASK_NAME]
    for report_id in report_ids:
        with contextlib.suppress(AlreadyEnqueued):
            task.configure(queueing_lock=lock_name(report_id)).defer(report_id=report_id)


def close() -> None:
    """Close this process's deferring connections (tests, shutdown)."""
    with _lock:
        apps = list(_sync_apps.values())
        _sync_apps.clear()
    for app in apps:
        with contextlib.suppress(Exception):
            app.close()


# --- the worker ---------------------------------------------------------------------------------------

_NO_LIVE_JOB = """
    NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                 WHERE j.queueing_lock = 'report-' || r.id AND j.status IN ('todo', 'doing'))
"""


def sweep(app: procrastinate.App, settings: Settings) -> dict[str, int]:
    """Recover the work of dead workers (see the module's docstring); returns what was done."""
    done = {"stalled": 0, "orphans": 0, "expired": 0}
    ensure_schema(settings)
    info = conninfo(settings)
    with psycopg.connect(info, autocommit=True) as conn:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_SWEEP_LOCK,)).fetchone()
        if not got or not got[0]:
            return done  # another worker is sweeping
        try:
            stalled = asyncio.run(_stalled(app, settings))
            done["stalled"] = len(stalled)
            with conn.transaction():
                expired = conn.execute(
                    "UPDATE reports r SET state = 'queued' WHERE r.state = 'running' "
                    "AND r.started_at < now() - make_interval(secs => %s) AND" + _NO_LIVE_JOB + "RETURNING r.id",
                    (settings.job_timeout + settings.stale_margin,),
                ).fetchall()
            done["expired"] = len(expired)
            orphans = conn.execute(
                "SELECT r.id FROM reports r WHERE r.state = 'queued' AND" + _NO_LIVE_JOB + "ORDER BY r.id"
            ).fetchall()
            done["orphans"] = len(orphans) - len(expired)
            if orphans:
                defer(settings, [int(r[0]) for r in orphans])
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SWEEP_LOCK,))
    if any(done.values()):
        log.info("recovered: %s", done)
    return done


async def _stalled(app: procrastinate.App, settings: Settings) -> list[int]:
    async with app.open_async():
        jobs = await app.job_manager.get_stalled_jobs(
            task_name=TASK_NAME, seconds_since_heartbeat=settings.heartbeat_timeout
        )
        ids = []
        for job in jobs:
            await app.job_manager.retry_job(job)
            assert job.id is not None
            ids.append(job.id)
        return ids


def run_worker(settings: Settings, factory: sessionmaker[Session], *, stop_when_idle: bool = False) -> None:
    """Run a procrastinate worker with ``settings.workers`` audits at once until SIGINT/SIGTERM (or, with
    ``stop_when_idle``, until the queue is empty). On a signal the audits in progress are stopped at once
    and their reports handed back (queued, the attempt not counted) for another worker or the next start."""
    ensure_schema(settings)
    _STATE.settings, _STATE.factory, _STATE.name = settings, factory, runner.worker_name("pg")
    _STATE.fatal = None
    _stopping.clear()
    app = make_app(settings, min_size=1, max_size=max(4, settings.workers + 2))
    sweeper = _Sweeper(settings)
    sweeper.start()
    try:
        asyncio.run(_work(app, settings, stop_when_idle, sweeper))
    finally:
        _stopping.set()
        sweeper.stop()
        runner.stop_children()
        close()
    if _STATE.fatal:
        raise MissingOriginalsError(_STATE.fatal)


async def _work(app: procrastinate.App, settings: Settings, stop_when_idle: bool, sweeper: _Sweeper) -> None:
    loop = asyncio.get_running_loop()
    async with app.open_async():
        work = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                concurrency=max(1, settings.workers),
                wait=not stop_when_idle,
                update_heartbeat_interval=max(0.5, settings.heartbeat_timeout / 3),
                stalled_worker_timeout=settings.heartbeat_timeout,
                shutdown_graceful_timeout=30.0,  # the audits are stopped first: their jobs end within moments
                install_signal_handlers=False,
                listen_notify=True,
                delete_jobs="successful",
            )
        )

        def on_signal() -> None:
            if _stopping.is_set():
                return
            log.info("stopping: the audits in progress are handed back to the queue")
            _stopping.set()  # no sweep, no new attempt from here on
            sweeper.event.set()
            threading.Thread(target=runner.stop_children, name="stop-children", daemon=True).start()
            work.cancel()

        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            loop.add_signal_handler(sig, on_signal)

        def request_stop() -> None:
            loop.call_soon_threadsafe(on_signal)

        _STATE.request_stop = request_stop
        try:
            await work
        except asyncio.CancelledError:
            if not _stopping.is_set():
                raise
        finally:
            _STATE.request_stop = None
            for sig in signals:
                loop.remove_signal_handler(sig)


class _Sweeper:
    """A thread sweeping at start and every ``heartbeat_timeout / 3`` seconds."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="extractor-sweeper", daemon=True)
        self.app = make_app(settings, min_size=1, max_size=2)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.event.set()
        self.thread.join(10)

    def _loop(self) -> None:
        interval = max(0.5, self.settings.heartbeat_timeout / 3)
        while True:
            try:
                sweep(self.app, self.settings)
            except Exception:  # the database is briefly unreachable: next time
                log.exception("sweep failed")
            if self.event.wait(interval):
                return


@contextlib.contextmanager
def worker_app(settings: Settings) -> Iterator[procrastinate.App]:
    """An opened App for inspection (tests, tools)."""
    app = make_app(settings, min_size=1, max_size=2)
    with app.open():
        yield app
