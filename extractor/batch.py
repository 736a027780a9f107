"""Audit many files at once, across cores, so that no single file can take the batch down.

``audit_many(paths)`` returns one Report per path, in the order given, whatever happens to each file:

- a file the library cannot read is an UNREADABLE report (``audit_file`` already does that);
- a file whose audit raises (a defect of ours, e.g. a KeyError deep in a rule) or names no readable file
  (missing, a directory) becomes an UNREADABLE report with the reason, and the batch goes on;
- a file that hangs is given up after ``timeout`` seconds (e.g. 120 s): its worker is killed and the file
  becomes an UNREADABLE report "quá thời gian xử lý"; the files that shared the pool are run again;
- a file that kills its worker process (e.g. a crash inside a PDF library) breaks the pool; the files that
  were in flight are run again one at a time, and the one that crashes alone is reported UNREADABLE.

Files run in a ``concurrent.futures.ProcessPoolExecutor`` with at most one file per worker in flight, so
a file's clock starts when a worker takes it. One file, or ``workers=1``, runs in this process with no pool
(a hang is then stopped by SIGALRM where the platform allows it; a hard crash cannot be survived there).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType
from typing import Any

from extractor.audit import audit_file, unreadable_report
from extractor.contract import Report
from extractor.errors import AuditTimeoutError, CannotOpenError, ExtractorError, InternalError, WorkerCrashedError
from extractor.rules.rubric import Rubric, load_rubric

DEFAULT_TIMEOUT = 120.0  # seconds one file may take before it is given up

Auditor = Callable[[str | Path, Rubric | None], Report]
Progress = Callable[[int, int, Report], None]  # (files finished, files in all, the report just finished)


class _Alarm(BaseException):
    """Raised by SIGALRM in a serial run; a BaseException so that library ``except Exception`` lets it pass."""


def audit_many(
    paths: Sequence[str | Path],
    rubric: Rubric | str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    auditor: Auditor = audit_file,
) -> list[Report]:
    """One Report per path, in the order given. ``workers`` defaults to the number of cores.

    ``rubric`` is resolved once here, so an invalid rubric raises RubricError before any file is read.
    ``auditor`` (default ``audit_file``) must be a module-level function when a pool is used.
    """
    chosen = load_rubric(rubric) if isinstance(rubric, str) else rubric
    batch = _Batch([Path(p) for p in paths], chosen, timeout, auditor, progress)
    count = max(1, min(workers or os.cpu_count() or 1, len(batch.paths)))
    if count == 1:
        batch.run_serial()
    else:
        batch.run_pool(list(range(len(batch.paths))), count)
    return batch.reports()


def audit_one(path: Path, rubric: Rubric | None, auditor: Auditor = audit_file) -> Report:
    """Audit one file and never raise for it: any failure becomes an UNREADABLE report."""
    try:
        return auditor(path, rubric)
    except OSError as err:
        return unreadable_report(path, CannotOpenError.from_os_error(err))
    except Exception as err:  # a defect of ours must not stop the batch
        return unreadable_report(path, InternalError(detail=f"{type(err).__name__}: {err}"))
    finally:
        gc.collect()  # python-docx and pdfplumber leave cycles; keep a long-lived worker's memory flat


class _Batch:
    """The state of one batch: the paths, the reports so far, and how to run the rest."""

    def __init__(
        self,
        paths: list[Path],
        rubric: Rubric | None,
        timeout: float,
        auditor: Auditor,
        progress: Progress | None,
    ) -> None:
        self.paths = paths
        self.rubric = rubric
        self.timeout = timeout
        self.auditor = auditor
        self.progress = progress
        self.results: dict[int, Report] = {}

    def reports(self) -> list[Report]:
        return [self.results[i] for i in range(len(self.paths))]

    def finish(self, index: int, report: Report) -> None:
        self.results[index] = report
        if self.progress is not None:
            self.progress(len(self.results), len(self.paths), report)

    def fail(self, index: int, err: ExtractorError) -> None:
        self.finish(index, unreadable_report(self.paths[index], err))

    def run_serial(self) -> None:
        for index, path in enumerate(self.paths):
            try:
                with _alarm(self.timeout):
                    report = audit_one(path, self.rubric, self.auditor)
            except _Alarm:
                self.fail(index, AuditTimeoutError(self.timeout))
                continue
            self.finish(index, report)

    def run_pool(self, indices: list[int], workers: int) -> None:
        """Run ``indices`` in a pool of ``workers``; files in flight when a worker crashed are rerun alone."""
        suspects = _PoolRun(self, workers).run(deque(indices))
        for index in suspects:
            _PoolRun(self, 1).run(deque([index]))


class _PoolRun:
    """One pass over a queue of files with a pool that is replaced whenever a worker hangs or dies."""

    def __init__(self, batch: _Batch, workers: int) -> None:
        self.batch = batch
        self.workers = workers
        self.pool = _new_pool(workers)
        self.inflight: dict[Future[Report], tuple[int, float]] = {}  # future -> (file index, deadline)
        self.suspects: list[int] = []

    def run(self, pending: deque[int]) -> list[int]:
        try:
            while pending or self.inflight:
                self._fill(pending)
                done, _ = wait(self.inflight, timeout=self._until_deadline(), return_when=FIRST_COMPLETED)
                if done:
                    self._collect(done, pending)
                else:
                    self._expire(pending)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return self.suspects

    def _fill(self, pending: deque[int]) -> None:
        while pending and len(self.inflight) < self.workers:
            index = pending.popleft()
            b = self.batch
            future = self.pool.submit(audit_one, b.paths[index], b.rubric, b.auditor)
            self.inflight[future] = (index, time.monotonic() + b.timeout)

    def _until_deadline(self) -> float:
        return max(0.0, min(deadline for _, deadline in self.inflight.values()) - time.monotonic())

    def _collect(self, done: set[Future[Report]], pending: deque[int]) -> None:
        crashed: list[int] = []
        for future in done:
            index, _ = self.inflight.pop(future)
            try:
                self.batch.finish(index, future.result())
            except BrokenProcessPool:
                crashed.append(index)
            except Exception as err:  # e.g. a report that could not be sent back
                self.batch.fail(index, InternalError(detail=f"{type(err).__name__}: {err}"))
        if crashed:
            self._crashed(crashed)

    def _crashed(self, crashed: list[int]) -> None:
        """A worker died: every file in flight is a suspect; alone in a one-worker pool, it is the culprit."""
        crashed += [index for index, _ in self.inflight.values()]
        self._replace_pool()
        if self.workers == 1 and len(crashed) == 1:
            self.batch.fail(crashed[0], WorkerCrashedError())
        else:
            self.suspects.extend(sorted(crashed))

    def _expire(self, pending: deque[int]) -> None:
        """Give up the files past their deadline; the others in flight go back to the front of the queue."""
        now = time.monotonic()
        late = [index for index, deadline in self.inflight.values() if deadline <= now]
        others = [index for index, deadline in self.inflight.values() if deadline > now]
        self._replace_pool()
        for index in late:
            self.batch.fail(index, AuditTimeoutError(self.batch.timeout))
        pending.extendleft(reversed(others))

    def _replace_pool(self) -> None:
        _kill(self.pool)
        self.inflight = {}
        self.pool = _new_pool(self.workers)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # fork starts workers in milliseconds with the library already imported; elsewhere the default.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose worker hangs: the executor has no public way to kill its processes before 3.14."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise _Alarm after ``seconds`` in the main thread of a POSIX process; elsewhere do nothing."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum: int, frame: FrameType | None) -> None:
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
