"""Durable jobs on the SQLite default: the server's local pool and the isolated runner.

A file whose audit hangs, runs out of memory or crashes is retried and then recorded UNREADABLE with the
reason, and the rest of the batch completes; the test hooks that make a child misbehave come only from
EXTRACTOR_TEST_HOOKS, never from a file's content."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import jobs, runner, tasks
from api.db import BatchItem, Report
from api.settings import Settings
from extractor import isolation
from tests.test_jobs_support import (
    ENV_KEYS,
    ROOT,
    all_done,
    assert_one_report_each,
    make_settings,
    open_db,
    queue_batch,
    report_texts,
    reports,
    states,
    wait_until,
    worker_env,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    yield
    runner.stop_children()  # the next test builds its children with its own settings and hooks


def _db(tmp_path: Path, **overrides: object) -> tuple[Settings, sessionmaker[Session]]:
    settings = make_settings(tmp_path / "data", **overrides)  # type: ignore[arg-type]
    return settings, open_db(settings)


def _by_sha(factory: sessionmaker[Session]) -> dict[str, Report]:
    return {r.sha256: r for r in reports(factory)}


def _reason(row: Report) -> str:
    """The UNREADABLE finding's reason, Vietnamese and English."""
    assert row.report_json is not None
    (finding,) = [f for f in row.report_json["findings"] if f["code"] == "UNREADABLE"]
    assert finding["found"]["code"] == "audit_aborted"
    return f"{finding['message']} | {finding['found']['message_en']}"


def test_a_batch_is_audited_once_per_file(tmp_path: Path) -> None:
    settings, factory = _db(tmp_path)
    files = report_texts(6)
    queued = queue_batch(settings, factory, [*files, files[0]])  # the same bytes twice: one report
    assert len(queued.report_ids) == 6
    pool = jobs.start_local_pool(settings, factory)
    try:
        jobs.submit(settings, queued.report_ids)
        jobs.submit(settings, queued.report_ids)  # submitted twice: still audited once
        wait_until(lambda: all_done(factory), 120, "the batch")
    finally:
        pool.stop()
    rows = assert_one_report_each(settings, factory, queued.sha256)
    assert [r.attempts for r in rows] == [1] * 6
    assert {r.status for r in rows} == {"ok"}
    assert len({r.commune for r in rows}) == 6
    assert all(r.worker and r.worker.endswith(":local") for r in rows)


def test_hang_memory_and_crash_are_retried_then_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, factory = _db(tmp_path, job_timeout=3.0, max_attempts=2, workers=2)
    files = report_texts(6)
    queued = queue_batch(settings, factory, files)
    hang, oom, crash, once, *fine = queued.sha256
    marker = tmp_path / "crashed-once"
    hooks = {hang: "hang", oom: "oom", crash: "crash", once: f"crash-once:{marker}"}
    monkeypatch.setenv(runner.TEST_HOOKS_ENV, json.dumps(hooks))
    pool = jobs.start_local_pool(settings, factory)
    try:
        jobs.submit(settings, queued.report_ids)
        wait_until(lambda: all_done(factory), 120, "the batch with failing files")
    finally:
        pool.stop()
    assert_one_report_each(settings, factory, queued.sha256)
    rows = _by_sha(factory)
    for sha in (hang, oom, crash):
        assert rows[sha].status == "unreadable"
        assert rows[sha].attempts == 2
    assert "quá thời gian 3 giây" in _reason(rows[hang])
    assert "timed out after 3 seconds" in _reason(rows[hang])
    assert "hết bộ nhớ (giới hạn 2 GiB)" in _reason(rows[oom])
    assert "out of memory (limit 2 GiB)" in _reason(rows[oom])
    assert "tiến trình kiểm tra bị dừng đột ngột (mã -11, SIGSEGV)" in _reason(rows[crash])
    assert "(đã thử 2 lần)" in _reason(rows[crash])
    # a file whose first attempt crashed is audited on the second
    assert marker.exists()
    assert rows[once].status == "ok" and rows[once].attempts == 2
    for sha in fine:
        assert rows[sha].status == "ok" and rows[sha].attempts == 1


def test_hooks_need_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without EXTRACTOR_TEST_HOOKS the children get the plain initializer: nothing can make them hang."""
    settings, _ = _db(tmp_path, memory_limit=1 << 30)
    me = os.getpid()
    assert runner.child_initializer(settings) == (isolation._child_init, (1 << 30, me))
    monkeypatch.setenv(runner.TEST_HOOKS_ENV, json.dumps({"ab": "hang"}))
    assert runner.child_initializer(settings) == (isolation._test_child_init, (1 << 30, me, {"ab": "hang"}))


def test_a_second_server_on_the_data_dir_is_refused(tmp_path: Path) -> None:
    settings, factory = _db(tmp_path)
    pool = jobs.start_local_pool(settings, factory)
    try:
        with pytest.raises(jobs.DataDirBusyError) as err:
            jobs.start_local_pool(settings, factory)
        assert "đang được một máy chủ khác sử dụng" in str(err.value)
        assert "in use by another server" in str(err.value)
    finally:
        pool.stop()
    jobs.start_local_pool(settings, factory).stop()  # released on stop


def test_stop_hands_running_audits_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, factory = _db(tmp_path, workers=1)
    queued = queue_batch(settings, factory, report_texts(1))
    monkeypatch.setenv(runner.TEST_HOOKS_ENV, json.dumps({queued.sha256[0]: "hang"}))
    pool = jobs.start_local_pool(settings, factory)
    jobs.submit(settings, queued.report_ids)
    wait_until(lambda: states(factory)["running"] == 1, 60, "the audit to start")
    pool.stop()
    (row,) = reports(factory)
    assert (row.state, row.attempts) == ("queued", 0)  # abandoned, not counted as a failed attempt
    runner.stop_children()
    monkeypatch.delenv(runner.TEST_HOOKS_ENV)
    pool = jobs.start_local_pool(settings, factory)
    try:
        wait_until(lambda: all_done(factory), 60, "the audit after a restart")
    finally:
        pool.stop()
    (row,) = reports(factory)
    assert (row.status, row.attempts) == ("ok", 1)


def test_a_restart_queues_what_a_dead_server_left_running(tmp_path: Path) -> None:
    settings, factory = _db(tmp_path)
    queued = queue_batch(settings, factory, report_texts(2))
    assert tasks.claim_next(factory, "dead-host:1:local") is not None  # a server died during this audit
    pool = jobs.start_local_pool(settings, factory)
    try:
        wait_until(lambda: all_done(factory), 60, "the batch after a restart")
    finally:
        pool.stop()
    rows = assert_one_report_each(settings, factory, queued.sha256)
    assert sorted(r.attempts for r in rows) == [1, 2]
    assert not any(r.worker and r.worker.startswith("dead-host") for r in rows)


def test_reaudit_after_a_rubric_or_version_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, factory = _db(tmp_path)
    queued = queue_batch(settings, factory, report_texts(3))
    pool = jobs.start_local_pool(settings, factory)
    try:
        jobs.submit(settings, queued.report_ids)
        wait_until(lambda: all_done(factory), 60, "the first audit")
        assert jobs.reaudit(settings, factory, queued.batch_id, None) == []  # nothing changed: audited once

        rubric = "hp-cds-xa-quy-2026"
        created = jobs.reaudit(settings, factory, queued.batch_id, rubric)
        assert len(created) == 3 and not set(created) & set(queued.report_ids)
        wait_until(lambda: all_done(factory), 60, "the audit with the rubric")

        monkeypatch.setattr(tasks, "AUDIT_VERSION", "9.9.9-test")
        again = jobs.reaudit(settings, factory, queued.batch_id, None)  # keeps the batch's rubric
        assert len(again) == 3
        wait_until(lambda: all_done(factory), 60, "the audit by the new version")
    finally:
        pool.stop()
    with factory() as session:
        items = session.scalars(select(BatchItem).where(BatchItem.batch_id == queued.batch_id)).all()
        assert sorted(i.report_id for i in items if i.report_id is not None) == sorted(again)
        rows = session.scalars(select(Report).where(Report.id.in_(again))).all()
        assert {(r.rubric, r.audit_version, r.state) for r in rows} == {(rubric, "9.9.9-test", "done")}
    assert len(reports(factory)) == 9  # the earlier reports are kept
    with pytest.raises(KeyError):
        jobs.reaudit(settings, factory, "no-such-batch", None)


def test_worker_says_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(tmp_path / "data", f"postgresql://nobody@127.0.0.1:{port}/none")
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "worker"],
        cwd=ROOT,
        env=worker_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Không kết nối được cơ sở dữ liệu / cannot connect to the database" in done.stderr
    assert "Traceback" not in done.stderr
