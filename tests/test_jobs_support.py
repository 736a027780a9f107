"""Helpers shared by the job tests (tests/test_jobs*.py, tests/test_crash_recovery.py): a batch of distinct
small reports, the database state after a run, and `extractor worker` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api import storage, tasks
from api.db import Batch, BatchItem, FindingRow, Report, make_engine, make_sessionmaker
from api.migrate import upgrade
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "samples" / "000_86fb9651f283ba60.txt"
TEMPLATE_COMMUNE = "Nguyễn Lương Bằng"
_FIRST = ("An", "Bình", "Cát", "Đông", "Hòa", "Kiến", "Lạc", "Minh", "Phú", "Tân")
_SECOND = ("Hưng", "Lợi", "Thành", "Phong", "Sơn")
ENV_KEYS = ("DATABASE_URL", "EXTRACTOR_DATABASE_URL", "EXTRACTOR_TEST_HOOKS")


def report_texts(n: int) -> list[tuple[str, bytes]]:
    """``n`` distinct commune reports made from one sample text: another commune and letter number each."""
    template = TEMPLATE.read_text(encoding="utf-8")
    assert TEMPLATE_COMMUNE in template
    out = []
    for i in range(n):
        commune = f"{_FIRST[i % len(_FIRST)]} {_SECOND[(i // len(_FIRST)) % len(_SECOND)]}"
        text = template.replace(TEMPLATE_COMMUNE, commune).replace("1498/UBND", f"{1500 + i}/UBND")
        out.append((f"bao-cao-{i:03d}.txt", text.encode("utf-8")))
    return out


def make_settings(data_dir: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "workers": 2,
        "poll_interval": 0.2,
        "job_timeout": 60.0,
        "max_attempts": 3,
        "heartbeat_timeout": 3.0,
    }
    values.update(overrides)
    return Settings(**values)


def open_db(settings: Settings) -> sessionmaker[Session]:
    engine = make_engine(settings)
    upgrade(engine)
    return make_sessionmaker(engine)


@dataclass
class Queued:
    batch_id: str
    report_ids: list[int]
    sha256: list[str]


def queue_batch(settings: Settings, factory: sessionmaker[Session], files: list[tuple[str, bytes]]) -> Queued:
    """Store the files and commit a batch of queued reports, as the upload route does (not yet submitted)."""
    batch_id = uuid.uuid4().hex
    ids, shas = [], []
    with factory.begin() as session:
        session.add(Batch(id=batch_id, name="test"))
        session.flush()
        for name, data in files:
            stored = storage.store_bytes(settings, data)
            tasks.add_file(session, stored, name)
            report, _ = tasks.enqueue(session, stored.sha256, None)
            session.flush()
            session.add(BatchItem(batch_id=batch_id, sha256=stored.sha256, filename=name, report_id=report.id))
            if report.id not in ids:
                ids.append(report.id)
            shas.append(stored.sha256)
    return Queued(batch_id, ids, shas)


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.2)


def states(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as session:
        return Counter(session.scalars(select(Report.state)).all())


def all_done(factory: sessionmaker[Session]) -> bool:
    s = states(factory)
    return sum(s.values()) > 0 and set(s) == {"done"}


def reports(factory: sessionmaker[Session]) -> list[Report]:
    with factory() as session:
        return list(session.scalars(select(Report).order_by(Report.id)).all())


def assert_one_report_each(settings: Settings, factory: sessionmaker[Session], shas: list[str]) -> list[Report]:
    """Every file has exactly one report, done, with its findings stored once; every original is intact."""
    with factory() as session:
        per_sha = Counter(session.scalars(select(Report.sha256)).all())
        finding_counts = dict(
            session.execute(select(FindingRow.report_id, func.count()).group_by(FindingRow.report_id)).all()
        )
        pairs = session.execute(select(FindingRow.report_id, FindingRow.idx)).all()
    assert len(pairs) == len(set(pairs)), "a finding was stored twice"
    assert per_sha == Counter(set(shas)), "a file has no report or more than one"
    rows = reports(factory)
    for row in rows:
        assert row.state == "done", (row.id, row.state, row.error)
        assert row.report_json is not None
        assert finding_counts.get(row.id, 0) == len(row.report_json["findings"]), row.id
        assert storage.verify(settings, row.sha256)
    return rows


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(
        EXTRACTOR_DATA_DIR=str(settings.data_dir),
        EXTRACTOR_WORKERS=str(settings.workers),
        EXTRACTOR_POLL_INTERVAL=str(settings.poll_interval),
        EXTRACTOR_JOB_TIMEOUT=str(settings.job_timeout),
        EXTRACTOR_MAX_ATTEMPTS=str(settings.max_attempts),
        EXTRACTOR_HEARTBEAT_TIMEOUT=str(settings.heartbeat_timeout),
        OMP_THREAD_LIMIT="1",
        PYTHONPATH=str(ROOT),
    )
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def start_worker(settings: Settings, *args: str, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    """``extractor worker`` in its own process group (so a test can kill it and its children)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "extractor.cli", "worker", *args],
            cwd=ROOT,
            env=worker_env(settings, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker alone (its audit children must die with it by themselves)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)


def stop(proc: subprocess.Popen[bytes], seconds: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return proc.wait(10)
    return proc.returncode


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_token(factory: sessionmaker[Session], role: str = "admin") -> str:
    """A token made on the server's database, as `extractor token create` does."""
    from api.auth import create_token, create_user

    with factory.begin() as session:
        user = create_user(session, f"test-{role}", role)
        _token, secret = create_token(session, user)
    return secret


def start_server(settings: Settings, port: int, *, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    """``extractor serve`` on 127.0.0.1:port in its own process group."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "extractor.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=worker_env(settings, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer within {seconds} s:\n{log.read_text(errors='replace')}")
