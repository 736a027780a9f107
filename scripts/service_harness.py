"""What scripts/load_service.py and scripts/crash_recovery.py share: an audit service (``extractor serve`` and
``extractor worker`` subprocesses) on 127.0.0.1 in a temporary data directory, its memory sampled from /proc,
and the database's account of the files at the end (one done report per sha256, findings once, originals
intact).

Every process runs in its own session, so a SIGKILL to one of them leaves the others alone and its audit
children are checked to die with it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pgserver import fresh_database, postgres_server  # noqa: E402
from tests.test_jobs_support import free_port, make_settings, report_texts, worker_env  # noqa: E402

__all__ = ["Account", "MemorySampler", "Service", "account", "check_loopback", "database", "report_texts"]


def check_loopback(host: str) -> str:
    """The scripts talk only to this machine: refuse any host that is not a loopback address."""
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise SystemExit(f"refusing host {host!r}: the load and crash scripts run on loopback only (127.0.0.1)")


@contextlib.contextmanager
def database(kind: str, url: str | None) -> Iterator[str | None]:
    """None for SQLite; for PostgreSQL a fresh database on ``url`` or on the tests' private server."""
    if kind == "sqlite":
        yield None
    elif url:
        yield fresh_database(url)
    else:
        with postgres_server() as admin:
            yield fresh_database(admin)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(roots: list[int], tree: dict[int, list[int]] | None = None) -> int:
    """Resident memory of the processes and all their descendants, in bytes."""
    tree = _children() if tree is None else tree
    total, todo, seen = 0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss(pid)
        todo.extend(tree.get(pid, []))
    return total


class MemorySampler:
    """Every ``interval`` seconds, the summed RSS of each group's process trees; keeps the peak per group."""

    def __init__(self, groups: dict[str, list[int]] | None = None, interval: float = 0.1) -> None:
        self.groups: dict[str, list[int]] = groups or {}
        self.peak: Counter[str] = Counter()
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            tree = _children()
            for name, roots in list(self.groups.items()):
                self.peak[name] = max(self.peak[name], tree_rss(list(roots), tree))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Service:
    """``extractor serve`` (its own pool on SQLite) and ``workers`` ``extractor worker`` processes (PostgreSQL)."""

    data_dir: Path
    database_url: str | None
    log: Path
    runners: int = 2  # audits at once: the server's pool (SQLite) or each worker (PostgreSQL)
    workers: int = 0
    host: str = "127.0.0.1"
    heartbeat_timeout: float = 30.0
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    worker_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.settings = make_settings(
            self.data_dir,
            self.database_url,
            workers=self.runners,
            job_timeout=120.0,
            heartbeat_timeout=self.heartbeat_timeout,
        )

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "extractor.cli", *args],
                cwd=ROOT,
                env=worker_env(self.settings, EXTRACTOR_HOST=self.host),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def token(self) -> str:
        """An auditor token, printed alone by ``extractor token create``."""
        done = subprocess.run(
            [sys.executable, "-m", "extractor.cli", "token", "create", "--role", "auditor", "--name", "load"],
            cwd=ROOT,
            env=worker_env(self.settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0 or not done.stdout.strip():
            raise SystemExit(f"extractor token create failed ({done.returncode}):\n{done.stderr}")
        return done.stdout.strip().splitlines()[-1].strip()

    def start_server(self) -> None:
        self.server = self._spawn("serve", "--host", self.host, "--port", str(self.port))

    def start_worker(self, index: int | None = None) -> None:
        proc = self._spawn("worker", "--concurrency", str(self.runners))
        if index is None:
            self.worker_procs.append(proc)
        else:
            self.worker_procs[index] = proc

    def start(self) -> None:
        self.start_server()
        for _ in range(self.workers):
            self.start_worker()
        self.wait_healthy()

    def wait_healthy(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.server is None or self.server.poll() is not None:
                raise SystemExit(f"the server exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the server did not answer in {seconds} s:\n{self.log.read_text(errors='replace')[-3000:]}")

    def roots(self) -> dict[str, list[int]]:
        return {
            "server": [self.server.pid] if self.server else [],
            "workers": [p.pid for p in self.worker_procs],
        }

    @staticmethod
    def kill(proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
        """SIGKILL the process alone, then wait until its audit children are gone too (they must not outlive it)."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(seconds)
        deadline = time.monotonic() + seconds
        while True:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                raise SystemExit(f"the children of killed process {proc.pid} were still alive after {seconds} s")
            time.sleep(0.05)

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # a child left behind by a killed parent

    def stop(self) -> None:
        for proc in self.worker_procs:
            self._stop(proc)
        if self.server is not None:
            self._stop(self.server)


@dataclass
class Account:
    """What the database says about the files sent: each must have exactly one report, done."""

    files: int
    lost: int  # no report, or one that never finished (or finished failed)
    duplicated: int  # more than one report row for the same bytes
    findings_twice: int  # reports whose findings are stored twice or do not match the report
    corrupt: int  # stored originals whose bytes no longer have their sha256
    states: Counter[str]
    bad: set[str] = field(default_factory=set)  # sha256 of the files lost or duplicated

    @property
    def ok(self) -> bool:
        return self.lost == self.duplicated == self.findings_twice == self.corrupt == 0


def account(service: Service, shas: list[str]) -> Account:
    from sqlalchemy import func, select

    from api import storage
    from api.db import FindingRow, Report, make_engine, make_sessionmaker

    engine = make_engine(service.settings)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(select(Report.id, Report.sha256, Report.state, Report.status)).all()
            counts = dict(
                session.execute(select(FindingRow.report_id, func.count()).group_by(FindingRow.report_id)).all()
            )
            distinct = dict(
                session.execute(
                    select(FindingRow.report_id, func.count(func.distinct(FindingRow.idx))).group_by(
                        FindingRow.report_id
                    )
                ).all()
            )
            expected = {
                rid: len((js or {}).get("findings", []))
                for rid, js in session.execute(select(Report.id, Report.report_json)).all()
            }
    finally:
        engine.dispose()
    wanted = set(shas)
    per_sha = Counter(sha for _, sha, _, _ in rows if sha in wanted)
    done = {sha for _, sha, state, status in rows if state == "done" and status != "unreadable"}
    lost = sum(1 for sha in wanted if per_sha[sha] == 0 or sha not in done)
    duplicated = sum(1 for sha in wanted if per_sha[sha] > 1)
    findings_twice = sum(
        1
        for rid, _, state, _ in rows
        if state == "done" and not (counts.get(rid, 0) == distinct.get(rid, 0) == expected[rid])
    )
    corrupt = 0
    for sha in per_sha:  # the originals that were stored (an upload never acknowledged stored nothing)
        try:
            corrupt += not storage.verify(service.settings, sha)
        except OSError:
            corrupt += 1
    bad = {sha for sha in wanted if per_sha[sha] != 1 or sha not in done}
    states = Counter(state for _, _, state, _ in rows)
    return Account(len(wanted), lost, duplicated, findings_twice, corrupt, states, bad)


def pending(service: Service) -> int:
    """Reports not yet finished (queued or running), straight from the database."""
    from sqlalchemy import func, select

    from api.db import Report, make_engine

    engine = make_engine(service.settings)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(Report.state != "done")).scalar_one())
    finally:
        engine.dispose()


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def running_on(service: Service, pid: int) -> int:
    """Reports the process ``pid`` (a server with its pool, or a worker) is auditing right now."""
    from sqlalchemy import select

    from api.db import Report, make_engine

    engine = make_engine(service.settings)
    try:
        with engine.connect() as conn:
            owners = conn.execute(select(Report.worker).where(Report.state == "running")).scalars().all()
    finally:
        engine.dispose()
    return sum(1 for owner in owners if owner and owner.split(":")[1:2] == [str(pid)])


def done_count(service: Service) -> int:
    """Reports finished so far."""
    from sqlalchemy import func, select

    from api.db import Report, make_engine

    engine = make_engine(service.settings)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(Report.state == "done")).scalar_one())
    finally:
        engine.dispose()
