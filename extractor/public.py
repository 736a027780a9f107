"""``audit()``: from a file (path or bytes) to its contract Report, never raising for the file itself.

    from extractor import audit
    report = audit("bao-cao.pdf")                       # or audit(data, filename="bao-cao.pdf")
    report.status                                       # "ok", "partial" or "unreadable"
    [f.message for f in report.findings]

A file that cannot be read (empty, corrupt, encrypted, a scan, …) gives a Report with status "unreadable"
and one UNREADABLE finding saying why, as ``extractor audit`` prints it; only a bad ``rubric`` argument (the
caller's, not the file's) raises :class:`~extractor.errors.RubricError`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from extractor.audit import audit_document, unreadable_report
from extractor.contract import Report
from extractor.errors import AuditAbortedError, CannotOpenError, ExtractorError, InternalError
from extractor.options import ParseOptions
from extractor.reading import parse
from extractor.rules.rubric import Rubric, load_rubric


def audit(
    src: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    rubric: Rubric | str | None = None,
    options: ParseOptions | None = None,
) -> Report:
    """Read, extract and check one report file; mirrors :func:`extractor.parse`.

    ``src`` is a path or the file's bytes; ``filename`` names bytes in the report (``source.path``) and is
    never used to decide the format. ``rubric``: a Rubric, a rubric id or .toml path, or None to choose by
    the scorecard's rows.
    """
    chosen = load_rubric(rubric) if isinstance(rubric, str) else rubric
    try:
        doc = parse(src, filename, options)
        return audit_document(doc, chosen)
    except ExtractorError as err:
        return _unreadable(src, filename, err)
    except OSError as err:
        return _unreadable(src, filename, CannotOpenError.from_os_error(err))
    except Exception as err:  # a defect of ours must not reach the caller as a crash on their file
        return _unreadable(src, filename, InternalError(detail=f"{type(err).__name__}: {err}"))


def _unreadable(src: str | os.PathLike[str] | bytes, filename: str | None, err: ExtractorError) -> Report:
    if not isinstance(src, bytes | bytearray):
        return unreadable_report(Path(src), err)
    report = unreadable_report(Path(filename or "-"), err, sha256=hashlib.sha256(src).hexdigest())
    report.source.path = filename or ""
    return report


def aborted_report(filename: str, sha256: str, reason_vi: str, reason_en: str, detail: str | None = None) -> Report:
    """The UNREADABLE report of a file whose audit never finished (its process crashed, hung or ran out of
    memory, as many times as the runner allows): what a runner records instead of losing the file."""
    report = unreadable_report(Path(filename or "-"), AuditAbortedError(reason_vi, reason_en, detail), sha256=sha256)
    report.source.path = filename
    return report
