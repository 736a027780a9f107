"""Durable jobs on PostgreSQL with procrastinate: `extractor worker` processes sharing one queue.

Each test gets a fresh database on a private PostgreSQL server (tests/pgserver.py), never the machine's own.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session, sessionmaker

from api import jobs, queue, runner, tasks
from api.db import Report
from api.settings import Settings
from tests.pgserver import NoPostgres, fresh_database, postgres_server
from tests.test_jobs_support import (
    all_done,
    assert_one_report_each,
    make_settings,
    open_db,
    queue_batch,
    report_texts,
    reports,
    start_worker,
    stop,
    wait_until,
)


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except NoPostgres as err:
        pytest.skip(f"no PostgreSQL server for the queue tests: {err}")


@pytest.fixture
def pg(tmp_path: Path, pg_admin: str) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    settings = make_settings(tmp_path / "data", fresh_database(pg_admin), workers=1, heartbeat_timeout=2.0)
    factory = open_db(settings)
    yield settings, factory
    queue.close()
    factory.kw["bind"].dispose()


def _jobs(factory: sessionmaker[Session], *statuses: str) -> int:
    with factory() as session:
        query = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = ANY(:s)"
        return int(session.execute(text(query), {"t": queue.TASK_NAME, "s": list(statuses)}).scalar_one())


def _registered_workers(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        try:
            return int(session.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one())
        except Exception:  # the schema is not there yet: no worker started
            return 0


def test_a_report_waits_in_the_queue_once(pg: tuple[Settings, sessionmaker[Session]]) -> None:
    settings, factory = pg
    queued = queue_batch(settings, factory, report_texts(3))
    jobs.submit(settings, queued.report_ids)
    jobs.submit(settings, queued.report_ids)  # a second submit (a retry of the upload…) adds nothing
    assert _jobs(factory, "todo") == 3


def test_two_workers_share_a_batch_and_audit_each_file_once(
    tmp_path: Path, pg: tuple[Settings, sessionmaker[Session]]
) -> None:
    settings, factory = pg
    queued = queue_batch(settings, factory, report_texts(30))
    log = tmp_path / "workers.log"
    workers = [start_worker(settings, log=log) for _ in range(2)]
    try:
        wait_until(lambda: _registered_workers(factory) == 2, 60, "both workers to start")
        jobs.submit(settings, queued.report_ids[:-2])  # the last two are never submitted: found by the sweep
        wait_until(lambda: all_done(factory), 180, "the batch")
    finally:
        codes = [stop(w) for w in workers]
    assert codes == [0, 0], log.read_text(errors="replace")
    rows = assert_one_report_each(settings, factory, queued.sha256)
    assert [r.attempts for r in rows] == [1] * 30  # no file audited twice
    pids: dict[str, int] = {}
    for r in rows:
        assert r.worker is not None
        pid = r.worker.split(":")[1]
        pids[pid] = pids.get(pid, 0) + 1
    assert set(pids) == {str(w.pid) for w in workers}, pids  # both did some
    assert _jobs(factory, "todo", "doing") == 0


def test_a_failing_file_is_queued_again_then_unreadable(
    tmp_path: Path, pg: tuple[Settings, sessionmaker[Session]]
) -> None:
    settings, factory = pg
    settings = settings.model_copy(update={"max_attempts": 2})
    queued = queue_batch(settings, factory, report_texts(3))
    crash = queued.sha256[0]
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log=log, **{runner.TEST_HOOKS_ENV: json.dumps({crash: "crash"})})
    try:
        jobs.submit(settings, queued.report_ids)
        wait_until(lambda: all_done(factory), 120, "the batch with a crashing file")
    finally:
        assert stop(worker) == 0, log.read_text(errors="replace")
    assert_one_report_each(settings, factory, queued.sha256)
    rows = {r.sha256: r for r in reports(factory)}
    assert (rows[crash].status, rows[crash].attempts) == ("unreadable", 2)
    data = rows[crash].report_json
    assert data is not None
    message = data["findings"][0]["message"]
    assert "tiến trình kiểm tra bị dừng đột ngột (mã -11, SIGSEGV) (đã thử 2 lần)" in message
    assert all(rows[s].status == "ok" and rows[s].attempts == 1 for s in queued.sha256[1:])


def test_the_sweep_takes_back_a_report_past_its_lease(pg: tuple[Settings, sessionmaker[Session]]) -> None:
    """A report left running with no live job (its runner died between two steps) is queued and deferred
    again once its lease (job_timeout + stale_margin) is over — not before."""
    settings, factory = pg
    settings = settings.model_copy(update={"job_timeout": 10.0, "stale_margin": 5.0})
    queued = queue_batch(settings, factory, report_texts(2))
    old, fresh = queued.report_ids
    for report_id in (old, fresh):
        assert tasks.claim(factory, report_id, "gone-host:1:pg")
    with factory.begin() as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60)
        session.execute(update(Report).where(Report.id == old).values(started_at=long_ago))
    app = queue.make_app(settings, min_size=1, max_size=2)
    done: dict[str, Any] = queue.sweep(app, settings)
    assert done == {"stalled": 0, "orphans": 0, "expired": 1}
    states = {r.id: r.state for r in reports(factory)}
    assert states == {old: "queued", fresh: "running"}
    assert _jobs(factory, "todo") == 1
    assert queue.sweep(app, settings) == {"stalled": 0, "orphans": 0, "expired": 0}  # deferred once


def test_sigterm_hands_the_running_audit_back(tmp_path: Path, pg: tuple[Settings, sessionmaker[Session]]) -> None:
    """A worker asked to stop does not wait for a long audit: the child is stopped, the report queued again
    without counting the attempt, and the next worker audits it (found by its sweep: no job waits for it)."""
    settings, factory = pg
    queued = queue_batch(settings, factory, report_texts(2))
    hung_sha, hung_id = queued.sha256[0], queued.report_ids[0]
    log = tmp_path / "worker.log"
    jobs.submit(settings, [hung_id])
    first = start_worker(settings, log=log, **{runner.TEST_HOOKS_ENV: json.dumps({hung_sha: "hang"})})
    try:
        wait_until(lambda: {r.id: r.state for r in reports(factory)}[hung_id] == "running", 60, "the audit")
        first.send_signal(signal.SIGTERM)
        assert first.wait(30) == 0, log.read_text(errors="replace")
    finally:
        stop(first)
    row = {r.id: r for r in reports(factory)}[hung_id]
    assert (row.state, row.attempts) == ("queued", 0)
    with factory() as session:  # its job ended (the other report may have been deferred by the start sweep)
        left = session.execute(text("SELECT queueing_lock, status FROM procrastinate_jobs")).all()
    assert queue.lock_name(hung_id) not in {lock for lock, _status in left}
    assert "doing" not in {status for _lock, status in left}
    second = start_worker(settings, log=log)
    try:
        wait_until(lambda: all_done(factory), 120, "the batch after the stop")
    finally:
        assert stop(second) == 0, log.read_text(errors="replace")
    rows = assert_one_report_each(settings, factory, queued.sha256)
    assert [r.attempts for r in rows] == [1, 1]


def test_a_server_pool_on_postgres_takes_back_what_its_dead_predecessor_left(
    pg: tuple[Settings, sessionmaker[Session]],
) -> None:
    """local_worker=True on PostgreSQL: the reports a dead pool of this machine left running are audited
    again at once; one running on another machine is left to it until its lease is over."""
    settings, factory = pg
    settings = settings.model_copy(update={"local_worker": True})
    queued = queue_batch(settings, factory, report_texts(2))
    dead_pid = subprocess.Popen(["true"])  # a process that has exited: its pid is free
    dead_pid.wait()
    mine, elsewhere = queued.report_ids
    assert tasks.claim(factory, mine, f"{socket.gethostname()}:{dead_pid.pid}:local")
    assert tasks.claim(factory, elsewhere, "another-machine:1:local")
    pool = jobs.start_local_pool(settings, factory)
    try:
        wait_until(lambda: {r.id: r.state for r in reports(factory)}[mine] == "done", 60, "the dead pool's report")
    finally:
        pool.stop()
    rows = {r.id: r for r in reports(factory)}
    assert (rows[mine].status, rows[mine].attempts) == ("ok", 2)
    assert (rows[elsewhere].state, rows[elsewhere].worker) == ("running", "another-machine:1:local")


def test_a_worker_without_the_originals_stops_and_leaves_the_report(
    tmp_path: Path, pg: tuple[Settings, sessionmaker[Session]]
) -> None:
    """A worker whose data directory is not the server's must not record a file as UNREADABLE: it stops with
    the reason and the report waits, unaudited, for a worker that sees the originals."""
    settings, factory = pg
    queued = queue_batch(settings, factory, report_texts(1))
    elsewhere = settings.model_copy(update={"data_dir": tmp_path / "empty"})
    log = tmp_path / "worker.log"
    jobs.submit(settings, queued.report_ids)
    worker = start_worker(elsewhere, log=log)
    try:
        assert worker.wait(60) == 2
    finally:
        stop(worker)
    assert "thư mục dữ liệu của worker phải là thư mục dữ liệu chung" in log.read_text()
    assert "a worker needs the server's shared data directory" in log.read_text()
    (row,) = reports(factory)
    assert (row.state, row.attempts, row.report_json) == ("queued", 0, None)
