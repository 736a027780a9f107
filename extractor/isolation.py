"""The isolated runner: every file is audited in a child process with a wall-clock limit and a memory cap.

One machinery serves the CLI's batch (:func:`extractor.audit_many`), the server's local pool and the queue
workers (``api.runner``)::

    pool = IsolatedPool(workers=4, memory_limit=2 * GIB)
    future = pool.schedule(audit_path_in_child, (path, rubric), timeout=120)
    outcome = pool.outcome(future)        # the Report, or a Failure with its reason in Vietnamese and English
    pool.stop()

The children belong to a pebble ``ProcessPool`` started with ``forkserver`` (never ``fork``: a fork of a
threaded program may copy a held lock). A child sets its own ``RLIMIT_AS`` (``memory_limit``) and exits as
soon as the process owning the pool is gone, even after a SIGKILL (it watches the owner's pidfd). A child
that hangs past its ``timeout`` is killed; one that crashes or runs out of memory is replaced; the file's
outcome is then a :class:`Failure` whose ``kind`` is ``timeout``, ``memory``, ``crash`` or ``error``, with a
precise reason. A file's clock starts when a child takes it, not when it is queued. No ``SIGALRM``: it does
nothing off the main thread.

Test hooks: ``EXTRACTOR_TEST_HOOKS`` (JSON ``{"<sha256>": "hang" | "crash" | "oom" | "crash-once:<marker>"}``)
is read only when a pool is built and handed only to the test initializer of its children; without it
nothing a file contains can make a child hang or crash on purpose.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pebble

TEST_HOOKS_ENV = "EXTRACTOR_TEST_HOOKS"
GIB = 1024 * 1024 * 1024
DEFAULT_TIMEOUT = 120.0  # seconds one file may take in the CLI's batch before it is given up
DEFAULT_MEMORY_LIMIT = 2 * GIB  # address space one child may use; 0: no limit
MAX_TASKS_PER_CHILD = 200  # a child is replaced after this many audits, so slow leaks cannot pile up

_HOOKS: dict[str, str] = {}  # set only by the test initializer, in the child
_MEMORY_LIMIT = [0]  # the child's cap


# --- the outcome of one file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why a file's audit did not finish in its child. ``kind``: ``timeout``, ``memory``, ``crash``, ``error``
    or ``cancelled`` (the pool was stopped under it: not the file's fault, run it again)."""

    kind: str
    reason_vi: str
    reason_en: str
    exitcode: int | None = None


def _limit_text(limit: int) -> str:
    if limit % GIB == 0:
        return f"{limit // GIB} GiB"
    return f"{limit / (1024 * 1024):.0f} MiB"


def timeout_reason(seconds: float) -> tuple[str, str]:
    return f"quá thời gian {seconds:g} giây", f"timed out after {seconds:g} seconds"


def memory_reason(limit: int) -> tuple[str, str]:
    if limit <= 0:
        return "hết bộ nhớ", "out of memory"
    cap = _limit_text(limit)
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


# --- the child side -----------------------------------------------------------------------------------


def _exit_with(owner: int) -> None:
    """End this child as soon as the process that owns the pool is gone, even when it was killed with
    SIGKILL: a child must never go on auditing for nobody."""
    try:
        fd = os.pidfd_open(owner)
    except (OSError, AttributeError):  # no pidfd (old kernel, not Linux): poll instead
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


def child_initializer(memory_limit: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
    """The children's initializer and its arguments: the test one only when EXTRACTOR_TEST_HOOKS is set."""
    hooks = os.environ.get(TEST_HOOKS_ENV)
    if hooks:
        return _test_child_init, (memory_limit, os.getpid(), json.loads(hooks))
    return _child_init, (memory_limit, os.getpid())


def apply_test_hook(sha256: str | None, data: bytes | None = None) -> None:
    """In a child: misbehave as a test hook says for this file (nothing unless the test initializer ran)."""
    if not _HOOKS:
        return
    if sha256 is None:
        sha256 = hashlib.sha256(data or b"").hexdigest()
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


def _raise_if_out_of_memory(report: Any) -> None:
    """The library turns any exception into an UNREADABLE report; a MemoryError is the cap's doing, not the
    file's content, so it is raised again for the parent to report as such."""
    for finding in getattr(report, "findings", ()):
        detail = str((finding.found or {}).get("detail") or "") if finding.code == "UNREADABLE" else ""
        if detail.startswith("MemoryError"):
            raise MemoryError(detail)


def audit_bytes_in_child(path: str, filename: str, rubric: str | None, sha256: str) -> Any:
    """A child's task for the service: audit the stored original at ``path`` as ``filename``."""
    import extractor

    apply_test_hook(sha256)
    data = Path(path).read_bytes()
    report = extractor.audit(data, filename=filename, rubric=rubric)
    _raise_if_out_of_memory(report)
    return report


def audit_path_in_child(path: str | Path, rubric: Any, auditor: Callable[[str | Path, Any], Any]) -> Any:
    """A child's task for the CLI's batch: ``auditor(path, rubric)``, never raising for the file (an
    exception becomes an UNREADABLE report) except for running out of memory."""
    from extractor.audit import unreadable_report
    from extractor.errors import CannotOpenError, InternalError

    if _HOOKS:
        with contextlib.suppress(OSError):
            apply_test_hook(None, Path(path).read_bytes())
    try:
        report = auditor(path, rubric)
    except MemoryError:
        raise
    except OSError as err:
        return unreadable_report(Path(path), CannotOpenError.from_os_error(err))
    except Exception as err:  # a defect of ours must not stop the batch
        return unreadable_report(Path(path), InternalError(detail=f"{type(err).__name__}: {err}"))
    finally:
        gc.collect()  # python-docx and pdfplumber leave cycles; keep a long-lived child's memory flat
    _raise_if_out_of_memory(report)
    return report


# --- the parent side ----------------------------------------------------------------------------------


class IsolatedPool:
    """A pebble ProcessPool of ``workers`` children capped at ``memory_limit`` bytes, built on first use
    (and again after it was stopped). Thread-safe: a threaded server schedules from many threads."""

    def __init__(self, workers: int, memory_limit: int = DEFAULT_MEMORY_LIMIT, preload: Sequence[str] = ()) -> None:
        self.workers = max(1, workers)
        self.memory_limit = memory_limit
        self.preload = ["extractor", "extractor.isolation", *preload]
        self.lock = threading.Lock()
        self.pool: pebble.ProcessPool | None = None
        self.running: set[Future[Any]] = set()

    def configure(self, workers: int, memory_limit: int) -> None:
        """Settings for the next pool built (the current one, if any, keeps its own)."""
        with self.lock:
            self.workers, self.memory_limit = max(1, workers), memory_limit

    def _get(self) -> pebble.ProcessPool:
        with self.lock:
            if self.pool is None or not self.pool.active:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(self.preload)
                init, initargs = child_initializer(self.memory_limit)
                self.pool = pebble.ProcessPool(
                    max_workers=self.workers,
                    max_tasks=MAX_TASKS_PER_CHILD,
                    initializer=init,
                    initargs=initargs,
                    context=ctx,
                )
            return self.pool

    def schedule(self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> Future[Any]:
        """Run ``function(*args)`` in a child; RuntimeError when the pool is closing."""
        future = self._get().schedule(function, args=args, timeout=timeout)
        with self.lock:
            self.running.add(future)
        return future

    def outcome(self, future: Future[Any], timeout: float | None) -> Any:
        """The task's result, or a :class:`Failure` (``timeout`` is the limit it ran under, for the reason)."""
        try:
            return future.result()
        except FutureTimeout:
            vi, en = timeout_reason(timeout or 0)
            return Failure("timeout", vi, en)
        except MemoryError:
            vi, en = memory_reason(self.memory_limit)
            return Failure("memory", vi, en)
        except pebble.ProcessExpired as err:
            vi, en = crash_reason(err.exitcode)
            return Failure("crash", vi, en, err.exitcode)
        except CancelledError:
            return Failure("cancelled", "bị hủy vì tiến trình đang dừng", "cancelled: the runner is stopping")
        except Exception as err:  # anything else is the child's failure (e.g. a result that could not be sent)
            return Failure(
                "error",
                f"lỗi trong tiến trình kiểm tra ({type(err).__name__})",
                f"error in the audit process ({type(err).__name__}: {err})",
            )
        finally:
            with self.lock:
                self.running.discard(future)

    def stop(self) -> None:
        """Stop the children; running tasks are cancelled (their outcome is a ``cancelled`` Failure)."""
        with self.lock:
            pool, self.pool = self.pool, None
            running, self.running = list(self.running), set()
        for future in running:  # a running pebble task is cancelled by stopping its child
            future.cancel()
        if pool is not None:
            pool.stop()
            pool.join(timeout=30)
