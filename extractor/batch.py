"""Audit many files at once, across cores, so that no single file can take the batch down.

``audit_many(paths)`` returns one Report per path, in the order given, whatever happens to each file:

- a file the library cannot read is an UNREADABLE report (``audit_file`` already does that);
- a file whose audit raises (a defect of ours, e.g. a KeyError deep in a rule) or names no readable file
  (missing, a directory) becomes an UNREADABLE report with the reason, and the batch goes on;
- a file that hangs is given up after ``timeout`` seconds (e.g. 120 s): its child process is killed and
  replaced, and the file becomes an UNREADABLE report "quá thời gian xử lý";
- a file that kills its child (e.g. a crash inside a PDF library) or runs it out of memory (past
  ``memory_limit``) is reported UNREADABLE with that reason; the other files go on in their own children.

Every file, even with ``workers=1``, runs in a child process of :mod:`extractor.isolation` — the isolated
runner the service uses too — with its own wall-clock limit (counted from when a child takes the file) and
memory cap. No ``SIGALRM``, which does nothing off the main thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from pathlib import Path
from typing import Any

from extractor.audit import audit_file, unreadable_report
from extractor.contract import Report
from extractor.errors import AuditAbortedError, AuditTimeoutError, ExtractorError, InternalError, WorkerCrashedError
from extractor.isolation import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIMEOUT,
    Failure,
    IsolatedPool,
    audit_path_in_child,
)
from extractor.rules.rubric import Rubric, load_rubric

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_TIMEOUT", "audit_many", "audit_one"]

Auditor = Callable[[str | Path, Rubric | None], Report]
Progress = Callable[[int, int, Report], None]  # (files finished, files in all, the report just finished)


def audit_many(
    paths: Sequence[str | Path],
    rubric: Rubric | str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    auditor: Auditor = audit_file,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> list[Report]:
    """One Report per path, in the order given. ``workers`` (child processes) defaults to the number of cores.

    ``rubric`` is resolved once here, so an invalid rubric raises RubricError before any file is read.
    ``auditor`` (default ``audit_file``) must be a module-level function: it runs in a child process.
    ``timeout`` (seconds) and ``memory_limit`` (bytes of address space, 0: none) bound each file's child.
    """
    chosen = load_rubric(rubric) if isinstance(rubric, str) else rubric
    files = [Path(p) for p in paths]
    if not files:
        return []
    count = max(1, min(workers or os.cpu_count() or 1, len(files)))
    pool = IsolatedPool(count, memory_limit)
    results: dict[int, Report] = {}
    try:
        futures: dict[Future[Any], int] = {
            pool.schedule(audit_path_in_child, (path, chosen, auditor), timeout): index
            for index, path in enumerate(files)
        }
        for future in as_completed(futures):
            index = futures[future]
            outcome = pool.outcome(future, timeout)
            if isinstance(outcome, Failure):
                outcome = unreadable_report(files[index], _error(outcome, timeout))
            results[index] = outcome
            if progress is not None:
                progress(len(results), len(files), outcome)
    finally:
        pool.stop()
    return [results[i] for i in range(len(files))]


def _error(failure: Failure, timeout: float) -> ExtractorError:
    if failure.kind == "timeout":
        return AuditTimeoutError(timeout)
    if failure.kind == "crash":
        return WorkerCrashedError()
    if failure.kind == "memory":
        return AuditAbortedError(failure.reason_vi, failure.reason_en)
    return InternalError(detail=failure.reason_en)


def audit_one(path: Path, rubric: Rubric | None, auditor: Auditor = audit_file) -> Report:
    """Audit one file in this process and never raise for it: any failure becomes an UNREADABLE report
    (no time or memory limit: :func:`audit_many` gives those)."""
    report: Report = audit_path_in_child(path, rubric, auditor)
    return report
