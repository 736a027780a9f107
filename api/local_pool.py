"""The server's own runners (the SQLite default): ``settings.workers`` threads, each taking the oldest queued
report (``claim_next``) and auditing it with :func:`api.runner.run_report` — the CPU work happens in the
runner's child processes, the threads only wait for them and write the results.

A SQLite data directory belongs to one process: the pool takes an exclusive lock on ``<data_dir>/runner.lock``
and a second server (or ``extractor worker``) on the same directory is refused with a clear message. Holding
the lock, it knows every report still ``running`` was left by a process that died, and queues them again.
Idle threads sleep on an Event for ``settings.poll_interval`` seconds; :func:`wake` (called by ``submit``)
sets it. ``stop()`` abandons the audits in progress: their reports go back to ``queued`` without counting
the attempt (and if the process is killed instead, the next start queues them again).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
import weakref
from pathlib import Path
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api import runner, tasks
from api.db import Report
from api.settings import Settings

log = logging.getLogger(__name__)

LOCK_NAME = "runner.lock"

_POOLS: weakref.WeakSet[LocalPool] = weakref.WeakSet()


class DataDirBusyError(RuntimeError):
    """Another process already runs the audits of this data directory."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        who = f" (tiến trình / process {holder})" if holder else ""
        super().__init__(
            f"Thư mục dữ liệu {data_dir} đang được một máy chủ khác sử dụng{who}; mỗi thư mục dữ liệu SQLite chỉ "
            f"một máy chủ được chạy. / The data directory {data_dir} is in use by another server{who}; only one "
            "server may run on a SQLite data directory (use PostgreSQL for several)."
        )
        self.data_dir = data_dir


def _lock_data_dir(settings: Settings) -> IO[str]:
    settings.prepare()
    path = settings.data_dir / LOCK_NAME
    f = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as err:
        f.seek(0)
        holder = f.read().strip()
        f.close()
        raise DataDirBusyError(settings.data_dir, holder) from err
    f.seek(0)
    f.truncate()
    f.write(str(os.getpid()))
    f.flush()
    return f


def _alive(worker: str | None) -> bool:
    """The process named by a worker name ``host:pid:kind`` (of this machine) still runs."""
    try:
        pid = int((worker or "").split(":")[1])
    except (IndexError, ValueError):
        return True  # not ours to judge
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wake() -> None:
    """Something was queued: idle runners of this process look now instead of at their next poll."""
    for pool in list(_POOLS):
        pool.wake()


class LocalPool:
    """``settings.workers`` runner threads over the database (see the module's docstring)."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], *, lock: bool | None = None) -> None:
        self.settings, self.factory = settings, factory
        self.event = threading.Event()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.busy = 0
        self._busy_lock = threading.Lock()
        self._lock_file: IO[str] | None = None
        self.name = runner.worker_name("local")
        if lock if lock is not None else not settings.is_postgres:
            self._lock_file = _lock_data_dir(settings)
            # the lock is ours: whatever is still running was left by a server that died
            requeued = tasks.requeue_stale(factory)
        else:  # other runners may be alive: the dead ones of this machine, and reports past their lease
            requeued = self._requeue_dead()
        if requeued:
            log.info("%d report(s) left running by a stopped runner queued again", requeued)
        self._next_check = time.monotonic() + settings.stale_margin

    def _requeue_dead(self) -> int:
        """Shared database (PostgreSQL): reports running under a local pool of this machine whose process is
        gone, and any report running past its lease (``job_timeout + stale_margin``), are queued again."""
        host = socket.gethostname()
        with self.factory.begin() as session:
            rows = session.execute(
                select(Report.id, Report.worker).where(
                    Report.state == "running", Report.worker.startswith(f"{host}:"), Report.worker.endswith(":local")
                )
            ).all()
            dead = [rid for rid, worker in rows if not _alive(worker)]
            if dead:
                session.execute(
                    update(Report).where(Report.id.in_(dead), Report.state == "running").values(state="queued")
                )
        return len(dead) + tasks.requeue_stale(self.factory, tasks.lease_expired_before(self.settings))

    def start(self) -> LocalPool:
        for i in range(max(1, self.settings.workers)):
            t = threading.Thread(target=self._loop, name=f"extractor-runner-{i}", daemon=True)
            t.start()
            self.threads.append(t)
        _POOLS.add(self)
        return self

    def wake(self) -> None:
        self.event.set()

    @property
    def idle(self) -> bool:
        with self._busy_lock:
            return self.busy == 0

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                report_id = tasks.claim_next(self.factory, self.name)
            except Exception:  # the database is briefly unavailable: try again at the next poll
                log.exception("could not look for queued reports")
                report_id = None
            if report_id is None:
                if self._lock_file is None and time.monotonic() > self._next_check:
                    self._next_check = time.monotonic() + self.settings.stale_margin
                    with contextlib.suppress(Exception):
                        self._requeue_dead()
                self.event.wait(self.settings.poll_interval)
                self.event.clear()
                continue
            with self._busy_lock:
                self.busy += 1
            try:
                runner.run_report(
                    self.settings, self.factory, report_id, self.name, claimed=True, stopping=self.stopping
                )
            except Exception as err:  # e.g. the database went away while the result was written
                log.exception("report %s: the runner failed", report_id)
                self._give_back(report_id, err)
            finally:
                with self._busy_lock:
                    self.busy -= 1
            self.event.set()  # there may be more: the other idle threads look too

    def _give_back(self, report_id: int, err: Exception) -> None:
        """A failure of the runner itself counts as an attempt (so it cannot loop forever); if even that
        cannot be written, the report stays running and the next start queues it again."""
        try:
            tasks.retry_or_give_up(
                self.factory,
                self.settings,
                report_id,
                f"lỗi của bộ chạy kiểm tra ({type(err).__name__})",
                f"the audit runner failed ({type(err).__name__}: {err})",
            )
        except Exception:
            log.exception("report %s stays running until the next start", report_id)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking work, abandon the audits in progress (queued again, the attempt not counted)."""
        self.stopping.set()
        self.event.set()
        runner.stop_children()
        for t in self.threads:
            t.join(timeout)
        self.threads.clear()
        _POOLS.discard(self)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def start_local_pool(settings: Settings, factory: sessionmaker[Session]) -> LocalPool:
    return LocalPool(settings, factory).start()
