"""Exit codes of the command line (spec/audit-contract.md §2) and the messages printed with them.

0: every file was read and no error finding was raised; 1: a file has an error finding; 2: a file could
not be read, no report file was given, or the command itself was refused (bad rubric, bad arguments).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from extractor.contract import Report
from extractor.errors import ExtractorError
from extractor.render import terminal_safe

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

NO_REPORT_FILES = "Không có tệp báo cáo nào (.pdf .docx .doc .xlsx .txt .md) / no report files found"


def exit_code(reports: Iterable[Report]) -> int:
    """2 when any report is UNREADABLE, else 1 when any has an error finding, else 0."""
    findings = [f for r in reports for f in r.findings]
    if any(f.code == "UNREADABLE" for f in findings):
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK


def error_text(err: ExtractorError, indent: str = "") -> str:
    """``LỖI / ERROR [code]: <Vietnamese reason>`` and the English reason on the next line (each escaped for
    a terminal: a reason may quote a path the user gave)."""
    vi, en = terminal_safe(err.message_vi), terminal_safe(err.message_en)
    return f"{indent}LỖI / ERROR [{err.code}]: {vi}\n{indent}{en}\n"


def print_error(err: ExtractorError, stream: TextIO | None = None) -> int:
    """Print ``err`` for a person (stderr by default) and return the exit code for it."""
    (sys.stderr if stream is None else stream).write(error_text(err))
    return EXIT_UNREADABLE


def no_report_files(stream: TextIO | None = None) -> int:
    """Say that the paths named no report file (stderr by default) and return the exit code for it."""
    (sys.stderr if stream is None else stream).write(NO_REPORT_FILES + "\n")
    return EXIT_UNREADABLE
