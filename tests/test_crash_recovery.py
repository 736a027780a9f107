"""Crash recovery: a runner killed with SIGKILL in the middle of a 30-file batch, then started again — every
file ends with exactly one report, findings stored once, originals intact.

SQLite: the data directory's runner (`extractor worker`, the same local pool the server starts) is killed.
PostgreSQL: an `extractor worker` is killed; another one takes its job over once its heartbeat is stale.
One file hangs in the killed runner (test hook), so it is certainly in the middle of an audit when killed.
The first test uploads through `extractor serve` and kills the server itself.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from api import queue, runner
from api.db import Report
from tests.pgserver import NoPostgres, fresh_database, postgres_server
from tests.test_jobs_support import (
    all_done,
    assert_one_report_each,
    free_port,
    group_alive,
    kill_hard,
    make_settings,
    make_token,
    open_db,
    queue_batch,
    report_texts,
    start_server,
    start_worker,
    states,
    stop,
    wait_healthy,
    wait_until,
)

BATCH = 30


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except NoPostgres as err:
        pytest.skip(f"no PostgreSQL server for the recovery test: {err}")


def _state_of(factory: sessionmaker[Session], report_id: int) -> str:
    with factory() as session:
        row = session.get(Report, report_id)
        return str(row.state) if row is not None else "missing"


def _kill_mid_batch(proc: subprocess.Popen[bytes], factory: sessionmaker[Session], hung_id: int) -> None:
    wait_until(
        lambda: states(factory)["done"] >= 5 and _state_of(factory, hung_id) == "running",
        120,
        "the batch to be under way",
    )
    assert proc.poll() is None
    kill_hard(proc)
    # the killed runner's audit children die with it (no orphan keeps auditing)
    wait_until(lambda: not group_alive(proc.pid), 20, "the killed runner's children to exit")
    left = states(factory)
    assert left["running"] >= 1 and left["done"] < BATCH, left


def test_sqlite_server_killed_then_restarted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", workers=2)
    factory = open_db(settings)
    token = make_token(factory)
    files = report_texts(BATCH)
    hung_sha = hashlib.sha256(files[3][1]).hexdigest()
    port = free_port()
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    log = tmp_path / "server.log"
    first = start_server(settings, port, log=log, **{runner.TEST_HOOKS_ENV: json.dumps({hung_sha: "hang"})})
    try:
        wait_healthy(base, first, log)
        multipart = [("files", (name, data, "text/plain")) for name, data in files]
        response = httpx.post(f"{base}/api/batches", headers=headers, files=multipart, timeout=60)
        assert response.status_code == 201, response.text
        batch_id = response.json()["id"]
        with factory() as session:
            hung_id = session.scalars(select(Report.id).where(Report.sha256 == hung_sha)).one()
        _kill_mid_batch(first, factory, hung_id)
    finally:
        stop(first)
    second = start_server(settings, port, log=log)
    try:
        wait_healthy(base, second, log)

        def finished() -> bool:
            body = httpx.get(f"{base}/api/batches/{batch_id}", headers=headers, timeout=10).json()
            return bool(body["finished"]) and body["total"] == BATCH

        wait_until(finished, 180, "the batch after the restart")
    finally:  # uvicorn shuts down cleanly, then re-raises the SIGTERM it caught
        assert stop(second) in (0, -signal.SIGTERM), log.read_text(errors="replace")
    rows = assert_one_report_each(settings, factory, [hashlib.sha256(data).hexdigest() for _, data in files])
    by_id = {r.id: r for r in rows}
    assert by_id[hung_id].attempts == 2 and by_id[hung_id].status == "ok"
    assert {r.status for r in rows} == {"ok"}
    assert len({r.worker.split(":")[1] for r in rows if r.worker}) == 2  # both server runs audited some


def test_sqlite_runner_killed_then_restarted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", workers=2)
    factory = open_db(settings)
    queued = queue_batch(settings, factory, report_texts(BATCH))
    hung_sha, hung_id = queued.sha256[3], queued.report_ids[3]
    log = tmp_path / "worker.log"
    first = start_worker(settings, log=log, **{runner.TEST_HOOKS_ENV: json.dumps({hung_sha: "hang"})})
    try:
        _kill_mid_batch(first, factory, hung_id)
    finally:
        stop(first)
    second = start_worker(settings, "--stop-when-idle", log=log)
    try:
        assert second.wait(180) == 0, log.read_text(errors="replace")
    finally:
        stop(second)
    rows = assert_one_report_each(settings, factory, queued.sha256)
    by_id = {r.id: r for r in rows}
    assert by_id[hung_id].attempts == 2 and by_id[hung_id].status == "ok"
    assert {r.status for r in rows} == {"ok"}
    assert len({r.worker.split(":")[1] for r in rows if r.worker}) == 2  # both runs audited some


def test_postgres_worker_killed_then_another_takes_over(tmp_path: Path, pg_admin: str) -> None:
    settings = make_settings(tmp_path / "data", fresh_database(pg_admin), workers=2, heartbeat_timeout=2.0)
    factory = open_db(settings)
    queued = queue_batch(settings, factory, report_texts(BATCH))
    hung_sha, hung_id = queued.sha256[3], queued.report_ids[3]
    log = tmp_path / "worker.log"
    try:
        queue.defer(settings, queued.report_ids)
        first = start_worker(settings, log=log, **{runner.TEST_HOOKS_ENV: json.dumps({hung_sha: "hang"})})
        try:
            _kill_mid_batch(first, factory, hung_id)
        finally:
            stop(first)
        killed_at = time.monotonic()
        second = start_worker(settings, log=log)
        try:
            wait_until(lambda: all_done(factory), 180, "the batch after the kill")
            took_over = time.monotonic() - killed_at
        finally:
            assert stop(second) == 0, log.read_text(errors="replace")
        rows = assert_one_report_each(settings, factory, queued.sha256)
        by_id = {r.id: r for r in rows}
        assert by_id[hung_id].attempts == 2 and by_id[hung_id].status == "ok"
        assert {r.status for r in rows} == {"ok"}
        pids = {r.worker.split(":")[1] for r in rows if r.worker}
        assert pids == {str(first.pid), str(second.pid)}
        hung_worker = by_id[hung_id].worker
        assert hung_worker is not None and hung_worker.split(":")[1] == str(second.pid)
        with factory() as session:
            live = session.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar_one()
            assert live == 0
            assert session.scalars(select(Report.state).where(Report.state != "done")).all() == []
        print(f"taken over and finished {took_over:.1f} s after the kill")
    finally:
        queue.close()
        factory.kw["bind"].dispose()
