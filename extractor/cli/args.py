"""The command line's argument parsing: argparse speaking Vietnamese and English, and the argument types."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from typing import Any, NoReturn

from extractor.exitcodes import EXIT_UNREADABLE

QUIET_LOGGERS = ("pdfminer", "pdfplumber")  # their warnings on damaged PDFs are not for the user


def quiet_libraries() -> None:
    """Keep the PDF libraries' log lines ("Data-loss while decompressing …") off the user's terminal."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


# --- arguments ------------------------------------------------------------------------------------------

# argparse's English messages (Python 3.11+) -> (Vietnamese, English); the groups are put into both.
_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), vi, en)
    for pattern, vi, en in (
        (
            r"the following arguments are required: (.*)",
            "thiếu tham số bắt buộc: {0}",
            "missing required arguments: {0}",
        ),
        (r"unrecognized arguments: (.*)", "tham số không nhận ra: {0}", "unrecognised arguments: {0}"),
        (
            r"one of the arguments (.*) is required",
            "cần một trong các tham số {0}",
            "one of the arguments {0} is required",
        ),
        (
            r"ambiguous option: (.*) could match (.*)",
            "tùy chọn {0} không rõ, có thể là {1}",
            "ambiguous option {0}, could be {1}",
        ),
        (
            r"argument (.+?): invalid choice: (.*?) \(choose from (.*)\)",
            "tham số {0}: lựa chọn {1} không hợp lệ (chọn một trong: {2})",
            "argument {0}: invalid choice {1} (choose from: {2})",
        ),
        (
            r"argument (.+?): invalid .* value: (.*)",
            "tham số {0}: giá trị {1} không hợp lệ",
            "argument {0}: invalid value {1}",
        ),
        (
            r"argument (.+?): expected (?:one|at least one|at most one|\d+) arguments?",
            "tham số {0}: thiếu giá trị",
            "argument {0}: a value is missing",
        ),
        (
            r"argument (.+?): not allowed with argument (.*)",
            "tham số {0}: không dùng được cùng tham số {1}",
            "argument {0}: not allowed with argument {1}",
        ),
        (r"argument (.+?): (.+?) / (.*)", "tham số {0}: {1}", "argument {0}: {2}"),  # ArgumentTypeError, ours
    )
)


def argparse_message(message: str) -> tuple[str, str]:
    """An argparse error message as (Vietnamese, English), e.g. for "the following arguments are required:
    files" -> ("thiếu tham số bắt buộc: files", "missing required arguments: files")."""
    for pattern, vi, en in _ARGPARSE_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return vi.format(*match.groups()), en.format(*match.groups())
    return "tham số dòng lệnh không hợp lệ", message


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "cách dùng / usage: " if prefix is None else prefix)


class ArgumentParser(argparse.ArgumentParser):
    """argparse speaking Vietnamese and English: a bad command line is told in both languages and exits 2,
    never with argparse's English-only message; help headings are bilingual. Subparsers are of this class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # our own -h, with a bilingual help line
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số / arguments"
        self._optionals.title = "tùy chọn / options"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", help="in hướng dẫn này rồi thoát / show this help and exit"
            )

    def error(self, message: str) -> NoReturn:
        vi, en = argparse_message(message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"{self.prog}: LỖI / ERROR: {vi}\n{en}\n")


def positive_int(text: str) -> int:
    """An argument type: an integer ≥ 1 (e.g. ``--workers 4``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError("cần một số nguyên ≥ 1 / must be an integer ≥ 1")
    return value


def positive_seconds(text: str) -> float:
    """An argument type: a number of seconds > 0 (e.g. ``--timeout 30``)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("cần một số giây > 0 / must be a number of seconds > 0")
    return value


FORMAT_HELP = "định dạng đầu ra / output format"
FILES_HELP = "tệp hoặc thư mục / files or directories"
RUBRIC_HELP = "mã hoặc đường dẫn bộ tiêu chí / rubric id or .toml path"
