"""The isolated runner: one report's audit in a child process with a wall-clock limit and a memory cap.

The same function serves the server's local pool (SQLite) and the procrastinate workers (PostgreSQL):

    run_report(settings, factory, report_id, worker)   # claim → audit in a child → record / retry_or_give_up

The child processes belong to one pebble ``ProcessPool`` per process (``settings.workers`` children, started
with ``forkserver``: never ``fork`` inside a threaded server). A child sets its own ``RLIMIT_AS``
(``settings.memory_limit``) and exits as soon as the process owning the pool is gone, even after a SIGKILL
(it watches the owner's pidfd). A child that hangs past ``settings.job_timeout`` is killed, one that
crashes or runs out of memory is replaced; the attempt then ends with ``retry_or_give_up`` and a precise
reason in Vietnamese and English, so after ``max_attempts`` the file is recorded as UNREADABLE with that
reason and the rest of the batch goes on.

Test hooks: ``EXTRACTOR_TEST_HOOKS`` (JSON ``{"<sha256>": "hang" | "crash" | "oom" | "crash-once:<marker>"}``)
is read only when the pool is built and handed only to the test initializer of the children; without it
nothing a file contains can make a child hang or crash on purpose.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import select
import signal
import socket
import threading
import time
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pebble
from sqlalchemy.orm import Session, sessionmaker

import extractor
from api import tasks
from api.settings import Settings
from api.storage import original_path

log = logging.getLogger(__name__)

TEST_HOOKS_ENV = "EXTRACTOR_TEST_HOOKS"
GIB = 1024 * 1024 * 1024
MAX_TASKS_PER_CHILD = 200  # a child is replaced after this many audits, so slow leaks cannot pile up

_HOOKS: dict[str, str] = {}  # set only by the test initializer, in the child
_MEMORY_LIMIT = [0]  # the child's cap


def worker_name(kind: str) -> str:
    """``host:pid:kind`` — who audited a report (``Report.worker``)."""
    return f"{socket.gethostname()}:{os.getpid()}:{kind}"


# --- the child side -----------------------------------------------------------------------------------


def _exit_with(owner: int) -> None:
    """End this child as soon as the process that owns the pool (the server or the worker) is gone, even
    when it was killed with SIGKILL: a child must never go on auditing for nobody."""
    try:
        fd = os.pidfd_open(owner)
    except (OSError, AttributeError):  # no pidfd (old kernel): poll instead
        fd = -1
    if fd < 0 and not _alive(owner):
        os._exit(3)

    def watch() -> None:
        if fd >= 0:
            select.select([fd], [], [])  # readable when the process has exited
        else:
            while _alive(owner):
                time.sleep(1)
        os._exit(3)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _child_init(memory_limit: int, owner: int) -> None:
    """Runs once in every child: memory cap, die with the owner, no terminal signals, one OCR thread."""
    _exit_with(owner)
    _MEMORY_LIMIT[0] = memory_limit
    if memory_limit > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops the children
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _test_child_init(memory_limit: int, owner: int, hooks: dict[str, str]) -> None:
    _child_init(memory_limit, owner)
    _HOOKS.update(hooks)


def _audit_in_child(path: str, filename: str, rubric: str | None, sha256: str) -> extractor.Report:
    hook = _HOOKS.get(sha256)
    if hook == "hang":
        while True:
            time.sleep(60)
    elif hook == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif hook is not None and hook.startswith("crash-once:"):  # crash unless the marker file exists
        marker = Path(hook.removeprefix("crash-once:"))
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGSEGV)
    elif hook == "oom":  # as much as the cap allows, and more: the cap says no at once
        bytearray(_MEMORY_LIMIT[0] or 1 << 62)
    data = Path(path).read_bytes()
    return extractor.audit(data, filename=filename, rubric=rubric)


# --- the parent side ----------------------------------------------------------------------------------


class _Pools:
    """One ProcessPool per process, built on first use with the settings of that use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: pebble.ProcessPool | None = None
        self.size = 0
        self.running: set[Future[Any]] = set()

    def get(self, settings: Settings) -> pebble.ProcessPool:
        with self.lock:
            if self.pool is None or not self.pool.active:
                self.pool = _make_pool(settings)
                self.size = settings.workers
            return self.pool

    def stop(self) -> None:
        with self.lock:
            pool, self.pool = self.pool, None
            running, self.running = list(self.running), set()
        for future in running:  # a running pebble task is cancelled by stopping its child
            future.cancel()
        if pool is not None:
            pool.stop()
            pool.join(timeout=30)


_POOLS = _Pools()


def child_initializer(settings: Settings) -> tuple[Any, tuple[Any, ...]]:
    """The children's initializer and its arguments: the test one only when EXTRACTOR_TEST_HOOKS is set."""
    hooks = os.environ.get(TEST_HOOKS_ENV)
    if hooks:
        return _test_child_init, (settings.memory_limit, os.getpid(), json.loads(hooks))
    return _child_init, (settings.memory_limit, os.getpid())


def _make_pool(settings: Settings) -> pebble.ProcessPool:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["extractor", "api.runner"])
    init, initargs = child_initializer(settings)
    return pebble.ProcessPool(
        max_workers=max(1, settings.workers),
        max_tasks=MAX_TASKS_PER_CHILD,
        initializer=init,
        initargs=initargs,
        context=ctx,
    )


def stop_children() -> None:
    """Stop this process's audit children (running audits are abandoned: see ``run_report``)."""
    _POOLS.stop()


def _limit_text(limit: int) -> str:
    if limit % GIB == 0:
        return f"{limit // GIB} GiB"
    return f"{limit / (1024 * 1024):.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value:g}"


def timeout_reason(settings: Settings) -> tuple[str, str]:
    t = _seconds(settings.job_timeout)
    return f"quá thời gian {t} giây", f"timed out after {t} seconds"


def memory_reason(settings: Settings) -> tuple[str, str]:
    cap = _limit_text(settings.memory_limit)
    return f"hết bộ nhớ (giới hạn {cap})", f"out of memory (limit {cap})"


def crash_reason(exitcode: int | None) -> tuple[str, str]:
    code = "?" if exitcode is None else str(exitcode)
    name = ""
    if exitcode is not None and exitcode < 0:
        try:
            name = f", {signal.Signals(-exitcode).name}"
        except ValueError:
            name = ""
    return (
        f"tiến trình kiểm tra bị dừng đột ngột (mã {code}{name})",
        f"the audit process stopped abruptly (code {code}{name})",
    )


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
        return tasks.retry_or_give_up(
            factory,
            settings,
            report_id,
            "không tìm thấy tệp gốc trong kho lưu trữ",
            "the original file is missing from the store",
        )
    try:
        future = _POOLS.get(settings).schedule(
            _audit_in_child, args=(str(path), filename, rubric, sha256), timeout=settings.job_timeout
        )
        with _POOLS.lock:
            _POOLS.running.add(future)
    except RuntimeError:  # the pool is closing: this process is stopping
        tasks.release(factory, report_id, worker)
        return "queued"
    if stopping is not None and stopping.is_set():
        future.cancel()
    try:
        result = future.result()
    except FutureTimeout:
        vi, en = timeout_reason(settings)
    except MemoryError:
        vi, en = memory_reason(settings)
    except pebble.ProcessExpired as err:
        if stopping is not None and stopping.is_set():
            tasks.release(factory, report_id, worker)
            return "queued"
        vi, en = crash_reason(err.exitcode)
    except CancelledError:  # the pool was stopped under this audit
        tasks.release(factory, report_id, worker)
        return "queued"
    except Exception as err:  # the library never raises for a file; anything else is the child's failure
        log.exception("audit of report %s failed in its child", report_id)
        vi = f"lỗi trong tiến trình kiểm tra ({type(err).__name__})"
        en = f"error in the audit process ({type(err).__name__}: {err})"
    else:
        tasks.record(factory, report_id, result)
        return "done"
    finally:
        with _POOLS.lock:
            _POOLS.running.discard(future)
    if stopping is not None and stopping.is_set():
        tasks.release(factory, report_id, worker)
        return "queued"
    log.warning("report %s: %s", report_id, en)
    return tasks.retry_or_give_up(factory, settings, report_id, vi, en)
