"""``extractor diff FILE…|DIR``: one line per report file, claimed total beside the recomputed one, in the order given.

    extractor diff inbox/                      # a table, numbers the Vietnamese way ("99,25")
    extractor diff a.pdf b.docx --format csv   # header row, dot decimals, for machines
    extractor diff inbox/ --format json        # a list of objects
    extractor diff inbox/ --xlsx tong-hop.xlsx # besides the table: the city's workbook of the same files

The rows and their forms are the library's (extractor/diff.py). Exit status (spec/audit-contract.md §2,
extractor/exitcodes.py): 0 when no file has an error finding, 1 when any has, 2 when a file could not be
read (an UNREADABLE finding) or the paths name no report file, or the workbook cannot be written (said in
both languages before any file is audited when its folder is missing, else after).

``--xlsx PATH`` writes the workbook of ``extractor.export`` ("Bảng tổng hợp", "Phát hiện"; no reviews) for the
files diffed, rows in the table's order; the file is written whole or not at all (a temporary file beside it,
then renamed); it is never read as one of the reports when it lies in a folder being diffed, and a path
naming a report given on the command line is refused rather than overwritten.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from extractor.batch import DEFAULT_TIMEOUT, audit_many
from extractor.cli.args import FILES_HELP, RUBRIC_HELP, ArgumentParser, positive_int, positive_seconds, quiet_libraries
from extractor.contract import Report
from extractor.diff import RENDERERS, diff_rows, sorted_reports
from extractor.errors import CannotWriteError, ExtractorError
from extractor.exitcodes import EXIT_OK, exit_code, no_report_files, print_error
from extractor.export import SummaryEntry, summary_xlsx
from extractor.files import report_files
from extractor.render import terminal_safe

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
    xlsx: str | Path | None = None,
) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    if xlsx is not None:
        try:
            check_writable(Path(xlsx))
            if any(_same_file(Path(p), Path(xlsx)) for p in paths):
                raise CannotWriteError(
                    str(xlsx), "tệp này là một báo cáo đang được so sánh", "it is one of the reports being diffed"
                )
        except CannotWriteError as error:
            return print_error(error, err)
    files = report_files(paths)
    if xlsx is not None:
        files = [f for f in files if not _same_file(f, Path(xlsx))]  # a previous run's workbook is no report
    if not files:
        return no_report_files(err)
    reports = audit_many(files, rubric, workers, progress_for(err, len(files)), timeout=timeout)
    out.write(RENDERERS[fmt](diff_rows(reports)))
    status = exit_code(reports)
    if xlsx is not None:
        entries = [SummaryEntry(r.source.path, r) for r in sorted_reports(reports)]
        try:
            write_atomically(Path(xlsx), summary_xlsx(entries))
        except CannotWriteError as error:
            return print_error(error, err)
        shown = terminal_safe(str(xlsx))
        err.write(
            f"Đã ghi bảng tổng hợp {len(entries)} tệp vào {shown} / the summary workbook of {len(entries)} files "
            f"was written to {shown}\n"
        )
    return status


def check_writable(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a file: a folder, or one in a missing folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CannotWriteError.from_os_error(str(path), IsADirectoryError(21, "Is a directory"))
    if not folder.is_dir():
        raise CannotWriteError.from_os_error(str(path), FileNotFoundError(2, "No such file or directory"))


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` written to ``path`` whole or not at all: a temporary file in the same folder, then renamed."""
    check_writable(path)
    temporary = path.with_name(f".~{path.name}.{secrets.token_hex(6)}.tmp")
    done = False
    try:
        # created new (never through a link left there), with the permissions the user's umask gives a file
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
        done = True
    except OSError as error:
        raise CannotWriteError.from_os_error(str(path), error) from error
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _same_file(candidate: Path, output: Path) -> bool:
    try:
        return candidate.resolve() == output.resolve()
    except OSError:
        return False


def cmd_diff(args: argparse.Namespace) -> int:
    return run_diff(args.files, args.format, args.rubric, args.workers, timeout=args.timeout, xlsx=args.xlsx)


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
    p.add_argument(
        "--xlsx",
        default=None,
        metavar="TỆP.xlsx",
        help="ghi thêm bảng tổng hợp Excel của các tệp / also write the summary workbook of the files here",
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
