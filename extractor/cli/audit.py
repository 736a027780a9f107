"""``extractor audit FILE…``: the contract's REPORT of each file, as JSON or as a readable Vietnamese text."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from extractor.batch import audit_many
from extractor.cli.args import FILES_HELP, FORMAT_HELP, RUBRIC_HELP, positive_int
from extractor.exitcodes import exit_code, no_report_files
from extractor.files import report_files
from extractor.render import render_report


def add_parser(subparsers: Any) -> None:
    a = subparsers.add_parser("audit", help="đọc, trích xuất và kiểm tra báo cáo / audit report files")
    a.add_argument("files", nargs="+", help=FILES_HELP)
    a.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    a.add_argument("--rubric", default=None, help=RUBRIC_HELP)
    a.add_argument(
        "--workers", type=positive_int, default=None, help="số tiến trình / worker processes (mặc định: số lõi)"
    )
    a.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    files = report_files(args.files)
    if not files:
        return no_report_files()
    reports = audit_many(files, args.rubric, workers=args.workers)
    if args.format == "json":
        json.dump({"reports": [r.model_dump(mode="json") for r in reports]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for report in reports:
            sys.stdout.write(render_report(report))
    return exit_code(reports)
