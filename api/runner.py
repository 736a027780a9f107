"""The service's side of the isolated runner: one report's audit in a child process, its outcome stored.

The same function serves the server's local pool (SQLite) and the procrastinate workers (PostgreSQL):

    run_report(settings, factory, report_id, worker)   # claim → audit in a child → record / retry_or_give_up

The child processes are those of :mod:`extractor.isolation` (the library's isolated runner, which the CLI's
batch uses too): one pebble pool per process of ``settings.workers`` children started with ``forkserver``,
each capped at ``settings.memory_limit`` and stopped after ``settings.job_timeout``. A child that hangs,
crashes or runs out of memory ends the attempt with ``retry_or_give_up`` and a precise reason in Vietnamese
and English, so after ``max_attempts`` the file is recorded as UNREADABLE with that reason and the rest of
the batch goes on. Every attempt logs one JSON line (:func:`api.logging.job_event`).

Test hooks: ``EXTRACTOR_TEST_HOOKS`` — see :mod:`extractor.isolation`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import tasks
from api.logging import job_event
from api.settings import Settings
from api.storage import original_path
from extractor import isolation

log = logging.getLogger(__name__)

TEST_HOOKS_ENV = isolation.TEST_HOOKS_ENV

_POOL = isolation.IsolatedPool(1, preload=("api.runner",))


def worker_name(kind: str) -> str:
    """``host:pid:kind`` — who audited a report (``Report.worker``)."""
    return f"{socket.gethostname()}:{os.getpid()}:{kind}"


def child_initializer(settings: Settings) -> tuple[Any, tuple[Any, ...]]:
    """The children's initializer and its arguments: the test one only when EXTRACTOR_TEST_HOOKS is set."""
    return isolation.child_initializer(settings.memory_limit)


def stop_children() -> None:
    """Stop this process's audit children (running audits are abandoned: see ``run_report``)."""
    _POOL.stop()


def timeout_reason(settings: Settings) -> tuple[str, str]:
    return isolation.timeout_reason(settings.job_timeout)


def memory_reason(settings: Settings) -> tuple[str, str]:
    return isolation.memory_reason(settings.memory_limit)


crash_reason = isolation.crash_reason


class Stopping(Exception):
    """The runner is shutting down: the report was handed back to the queue."""


def run_report(
    settings: Settings,
    factory: sessionmaker[Session],
    report_id: int,
    worker: str,
    *,
    claimed: bool = False,
    resume_suffix: str | None = None,
    stopping: threading.Event | None = None,
) -> str:
    """Audit one report in a child process and store the outcome. Returns the report's state afterwards:
    ``done``; ``queued`` (the attempt failed and will be retried, or the runner is stopping); ``skipped``
    (another runner finished it already, or holds it: nothing is processed twice). ``claimed``: the caller
    claimed it (``claim_next``); ``resume_suffix``: a queue job claims with :func:`api.tasks.claim_for`."""
    if not claimed:
        if resume_suffix is not None:
            ok = tasks.claim_for(factory, report_id, worker, resume_suffix)
        else:
            ok = tasks.claim(factory, report_id, worker)
        if not ok:
            return "skipped"
    sha256, filename, rubric = tasks.job_input(factory, report_id)
    path = original_path(settings, sha256)
    if not path.is_file():
        job_event(report_id, sha256, worker, None, 0.0, "missing", "queued", "the original file is missing")
        return tasks.retry_or_give_up(
            factory,
            settings,
            report_id,
            "không tìm thấy tệp gốc trong kho lưu trữ",
            "the original file is missing from the store",
        )
    _POOL.configure(settings.workers, settings.memory_limit)
    started = time.monotonic()
    attempt = _attempt(factory, report_id)

    def done(outcome: str, state: str, reason: str | None = None) -> str:
        job_event(report_id, sha256, worker, attempt, time.monotonic() - started, outcome, state, reason)
        return state

    try:
        future = _POOL.schedule(
            isolation.audit_bytes_in_child, (str(path), filename, rubric, sha256), timeout=settings.job_timeout
        )
    except RuntimeError:  # the pool is closing: this process is stopping
        tasks.release(factory, report_id, worker)
        return done("released", "queued")
    if stopping is not None and stopping.is_set():
        future.cancel()
    result = _POOL.outcome(future, settings.job_timeout)
    if not isinstance(result, isolation.Failure):
        tasks.record(factory, report_id, result)
        return done("done", "done")
    if result.kind == "cancelled" or (stopping is not None and stopping.is_set()):
        tasks.release(factory, report_id, worker)  # abandoned, not the file's fault: run again later
        return done("released", "queued")
    state = tasks.retry_or_give_up(factory, settings, report_id, result.reason_vi, result.reason_en)
    return done(result.kind, state, result.reason_en)


def _attempt(factory: sessionmaker[Session], report_id: int) -> int | None:
    from api.db import Report

    with factory() as session:
        row = session.get(Report, report_id)
        return None if row is None else row.attempts
