"""``extractor diff FILE…|DIR``: one line per report file, claimed total beside the recomputed one, worst first.

    extractor diff inbox/                      # a table, numbers the Vietnamese way ("99,25")
    extractor diff a.pdf b.docx --format csv   # header row, dot decimals, for machines
    extractor diff inbox/ --format json        # a list of objects

The rows and their forms are the library's (extractor/diff.py). Exit status (spec/audit-contract.md §2,
extractor/exitcodes.py): 0 when no file has an error finding, 1 when any has, 2 when a file could not be
read (an UNREADABLE finding) or the paths name no report file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from extractor.batch import DEFAULT_TIMEOUT, audit_many
from extractor.cli.args import FILES_HELP, RUBRIC_HELP, ArgumentParser, positive_int, positive_seconds, quiet_libraries
from extractor.contract import Report
from extractor.diff import RENDERERS, diff_rows
from extractor.errors import ExtractorError
from extractor.exitcodes import EXIT_OK, exit_code, no_report_files, print_error
from extractor.files import report_files

PROGRESS_MIN_FILES = 4  # a bar for fewer files only flickers


class ProgressBar:
    """A one-line bar redrawn in place on ``stream``: "[#######.............] 12/50 tệp"."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width

    def __call__(self, done: int, total: int, report: Report) -> None:
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r[{bar}] {done}/{total} tệp{end}")
        self.stream.flush()


def progress_for(stream: TextIO, files: int) -> ProgressBar | None:
    """A bar only for a person watching: the stream is a terminal and the batch has more than a few files."""
    isatty = getattr(stream, "isatty", None)
    return ProgressBar(stream) if files >= PROGRESS_MIN_FILES and isatty is not None and isatty() else None


def run_diff(
    paths: Sequence[str | Path],
    fmt: str = "table",
    rubric: str | None = None,
    workers: int | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    files = report_files(paths)
    if not files:
        return no_report_files(err)
    reports = audit_many(files, rubric, workers, progress_for(err, len(files)), timeout=timeout)
    out.write(RENDERERS[fmt](diff_rows(reports)))
    return exit_code(reports)


def cmd_diff(args: argparse.Namespace) -> int:
    return run_diff(args.files, args.format, args.rubric, args.workers, timeout=args.timeout)


def _configure(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("files", nargs="+", help=FILES_HELP)
    p.add_argument("--format", choices=sorted(RENDERERS), default="table", help="định dạng đầu ra / output format")
    p.add_argument("--rubric", default=None, help=RUBRIC_HELP)
    p.add_argument(
        "--workers", type=positive_int, default=None, help="số tiến trình, mặc định số lõi / processes, default: cores"
    )
    p.add_argument(
        "--timeout", type=positive_seconds, default=DEFAULT_TIMEOUT, help="giây tối đa cho một tệp / seconds per file"
    )
    p.set_defaults(func=cmd_diff)
    return p


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``diff`` on the CLI's subparsers (``argparse._SubParsersAction``)."""
    p = subparsers.add_parser(
        "diff", help="so sánh tổng điểm tự chấm với tính lại, mỗi tệp một dòng / claimed vs recomputed totals"
    )
    return _configure(p)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m extractor.cli.diff FILE…``: the diff command on its own."""
    quiet_libraries()
    parser = _configure(ArgumentParser(prog="extractor diff", description=__doc__.splitlines()[0]))
    args = parser.parse_args(argv)
    try:
        return cmd_diff(args)
    except ExtractorError as error:  # e.g. an invalid --rubric
        return print_error(error)
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
