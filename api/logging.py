"""Structured logs of the service: one JSON line per request and one per audit attempt.

    {"ts": "...", "level": "INFO", "logger": "api.access", "event": "request", "request_id": "…",
     "method": "GET", "path": "/api/reports/3", "status": 200, "duration_ms": 4.1,
     "principal_id": 2, "role": "auditor"}
    {"ts": "...", "level": "INFO", "logger": "api.jobs", "event": "job", "report_id": 3, "sha256": "9f86d081",
     "worker": "host:123:local", "attempt": 1, "duration_ms": 812.0, "outcome": "done", "state": "done"}

A request line carries the path without its query string (a first-run address holds a token there), never a
header, a body or a report's contents; a job line carries only the first 8 hex digits of the file's sha256.
:func:`configure` makes every record of the process (uvicorn's, procrastinate's, the library's) a JSON line
on stderr, so one parser reads them all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import IO, Any

ACCESS = logging.getLogger("api.access")
JOBS = logging.getLogger("api.jobs")
SHA_PREFIX = 8

# attributes every LogRecord has: anything else given in ``extra`` is a field of the line
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message or event, and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        if "event" not in fields:
            line["message"] = record.getMessage()
        line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Every record of the process as a JSON line on ``stream`` (stderr): the root logger's only handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def request_event(
    request_id: str,
    method: str,
    path: str,
    status: int,
    duration_s: float,
    principal_id: int | None,
    role: str | None,
) -> None:
    ACCESS.info(
        "request",
        extra={
            "event": "request",
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_s * 1000, 1),
            "principal_id": principal_id,
            "role": role,
        },
    )


def job_event(
    report_id: int,
    sha256: str,
    worker: str,
    attempt: int | None,
    duration_s: float,
    outcome: str,
    state: str,
    reason: str | None = None,
) -> None:
    """One audit attempt. ``outcome``: done, timeout, memory, crash, error, released (handed back), missing;
    ``state``: the report's state afterwards (done, queued, skipped)."""
    fields: dict[str, Any] = {
        "event": "job",
        "report_id": report_id,
        "sha256": sha256[:SHA_PREFIX],
        "worker": worker,
        "attempt": attempt,
        "duration_ms": round(duration_s * 1000, 1),
        "outcome": outcome,
        "state": state,
    }
    if reason:
        fields["reason"] = reason
    (JOBS.info if outcome in ("done", "released") else JOBS.warning)("job", extra=fields)
