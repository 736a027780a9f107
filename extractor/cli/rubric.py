"""``extractor rubric list|show [ID]``: the criteria schemes in extractor/data/rubrics/."""

from __future__ import annotations

import argparse
from typing import Any

from extractor.cli.args import FORMAT_HELP
from extractor.exitcodes import EXIT_OK
from extractor.rules.rubric import list_rubrics, load_rubric


def add_parser(subparsers: Any) -> None:
    r = subparsers.add_parser("rubric", help="xem các bộ tiêu chí / list or show rubrics")
    r.add_argument("action", choices=["list", "show"], help="liệt kê hoặc xem một bộ / list all or show one")
    r.add_argument("name", nargs="?", default="hp-cds-xa-quy-2026", help="mã bộ tiêu chí / rubric id")
    r.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    r.set_defaults(func=cmd_rubric)


def cmd_rubric(args: argparse.Namespace) -> int:
    if args.action == "list":
        for r in list_rubrics():
            print(f"{r.id}\t{r.version}\t{len(r.criteria)} tiêu chí\t{r.total_points} điểm\t{r.name}")
        return EXIT_OK
    rubric = load_rubric(args.name)
    if args.format == "json":
        print(rubric.model_dump_json(indent=1))
        return EXIT_OK
    print(
        f"{rubric.name}\n{rubric.id} {rubric.version}: tổng {rubric.total_points} điểm, đạt từ {rubric.pass_threshold}"
    )
    for c in rubric.criteria:
        unit = rubric.unit_name(c) or ""
        print(f"{c.stt:>3}. [{c.id}] {c.title}\n     {c.max_points} điểm · {c.method} · {c.window} · {unit}")
    return EXIT_OK
