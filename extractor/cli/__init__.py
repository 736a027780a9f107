"""Command line: argument parsing and terminal output over the library, one module per command (parse,
audit, diff, rubric; serve, worker and token run the service in api/). Exit codes (extractor/exitcodes.py):
0 ok, 1 error findings, 2 a file could not be read or the command was refused; every message in Vietnamese
and English."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from extractor.cli import audit, diff, parse, rubric, serve, token, worker
from extractor.cli.args import ArgumentParser, argparse_message, positive_int, positive_seconds, quiet_libraries
from extractor.errors import ExtractorError
from extractor.exitcodes import EXIT_OK, print_error

__all__ = [
    "ArgumentParser",
    "argparse_message",
    "build_parser",
    "main",
    "positive_int",
    "positive_seconds",
    "quiet_libraries",
]


def build_parser() -> ArgumentParser:
    ap = ArgumentParser(
        prog="extractor",
        description="Đọc và kiểm tra báo cáo chấm điểm CNTT, chuyển đổi số / Read and audit commune reports.",
    )
    sub = ap.add_subparsers(dest="command", required=True, title="lệnh / commands")
    for command in (parse, audit, diff, rubric, serve, worker, token):
        command.add_parser(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    quiet_libraries()
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ExtractorError as err:  # e.g. an invalid rubric given with --rubric
        return print_error(err)
    except KeyboardInterrupt:
        print("Đã dừng / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code
