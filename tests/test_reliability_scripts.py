"""Short runs of the reliability scripts (the full figures are in docs/reliability.md): the load script with 4
clients and 12 files on SQLite, the crash-recovery script with 1 run, 2 SIGKILLs and 10 files on SQLite and on
PostgreSQL. Each must exit 0 and print that no report was lost. Also: the account they end with does see a
lost, a duplicated and a corrupt file, and they refuse a host that is not loopback."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import storage
from api.db import Report
from tests.pgserver import NoPostgres, postgres_server
from tests.test_jobs_support import open_db, queue_batch, report_texts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from service_harness import Service, account  # noqa: E402


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except NoPostgres as err:
        pytest.skip(f"no PostgreSQL server for the crash-recovery run: {err}")


def _script(name: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_load_script_short_run_on_sqlite() -> None:
    done = _script("load_service.py", "--db", "sqlite", "--clients", "4", "--files", "12", "--timeout", "120")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "reports lost 0 " in out, out
    assert re.search(r"throughput +\d+\.\d+ files/s \(12 done", out), out
    assert re.search(r"p50 \d+\.\d s +p95 \d+\.\d s +p99 \d+\.\d s", out), out
    server_mib = int(re.search(r"peak RSS +server (\d+) MiB", out).group(1))  # type: ignore[union-attr]
    assert server_mib > 20, out  # a Python server with its audit children, sampled while it ran


@pytest.mark.slow
def test_load_script_counts_what_the_timeout_cut_off_as_lost() -> None:
    done = _script("load_service.py", "--db", "sqlite", "--clients", "1", "--files", "40", "--timeout", "1")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    lost = int(re.search(r"reports lost (\d+)", out).group(1))  # type: ignore[union-attr]
    assert 0 < lost <= 40, out
    assert "stopped after --timeout 1 s" in out, out


@pytest.mark.slow
@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_crash_script_short_run(db: str, request: pytest.FixtureRequest) -> None:
    extra = ["--database-url", request.getfixturevalue("pg_admin")] if db == "postgres" else []
    done = _script(
        "crash_recovery.py", "--db", db, "--runs", "1", "--kills", "2", "--files", "10", "--timeout", "180", *extra
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    summary = re.search(
        rf"{db}: runs 1, kills 2 \(server (\d), worker (\d); \d in the middle of an audit\), files 10, lost 0, "
        r"duplicated 0, findings not stored once 0, corrupt originals 0",
        out,
    )
    assert summary, out
    if db == "sqlite":
        assert summary.group(1) == "2", out  # on SQLite the server (with its pool) is what dies


def test_scripts_refuse_a_host_that_is_not_loopback() -> None:
    for name in ("load_service.py", "crash_recovery.py"):
        done = _script(name, "--host", "192.0.2.1", timeout=60)
        assert done.returncode != 0
        assert "loopback only" in done.stderr, done.stderr


def test_the_account_sees_lost_duplicated_and_corrupt_files(tmp_path: Path) -> None:
    service = Service(tmp_path / "data", None, tmp_path / "log")
    factory = open_db(service.settings)
    queued = queue_batch(service.settings, factory, report_texts(3))
    never_uploaded = "0" * 64
    clean = account(service, queued.sha256)
    assert (clean.files, clean.lost, clean.duplicated, clean.corrupt) == (3, 3, 0, 0)  # queued, never audited
    with factory.begin() as session:
        first = session.get(Report, queued.report_ids[0])
        assert first is not None
        first.state, first.status, first.report_json = "done", "ok", {"findings": []}
        session.add(Report(sha256=queued.sha256[1], rubric="another", audit_version=first.audit_version))
    storage.original_path(service.settings, queued.sha256[2]).write_bytes(b"not the uploaded bytes")
    seen = account(service, [*queued.sha256, never_uploaded])
    assert seen.files == 4
    assert seen.lost == 3  # two never audited, one never stored
    assert seen.duplicated == 1
    assert seen.corrupt == 1
    assert not seen.ok


def test_sqlite_commits_are_fsynced_before_an_upload_is_acknowledged(tmp_path: Path) -> None:
    from sqlalchemy import text

    from api.db import make_engine

    service = Service(tmp_path / "data", None, tmp_path / "log")
    service.settings.prepare()
    engine = make_engine(service.settings)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() >= 2  # FULL (2) or EXTRA (3)
    finally:
        engine.dispose()
