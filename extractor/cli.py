"""Command line: a thin layer over the library. Exit codes (extractor/exitcodes.py): 0 ok, 1 error findings,
2 a file could not be read or the command was refused; every message in Vietnamese and English."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from extractor.errors import ExtractorError
from extractor.exitcodes import EXIT_OK, EXIT_UNREADABLE, error_text, exit_code, no_report_files, print_error
from extractor.files import report_files
from extractor.model import Document, Paragraph, Table
from extractor.reading import parse

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


# --- parse ----------------------------------------------------------------------------------------------


def _error_entry(path: Path, err: ExtractorError) -> dict[str, Any]:
    return {"path": str(path), "error": err.to_dict()}


def cmd_parse(args: argparse.Namespace) -> int:
    """Every file gets its document model or its typed error; exit 2 when any could not be read."""
    files = report_files(args.files)
    if not files:
        return no_report_files()
    results: list[tuple[Path, Document | ExtractorError]] = []
    for path in files:
        try:
            result: Document | ExtractorError = parse(path)
        except ExtractorError as err:
            result = err
        results.append((path, result))
        if args.format == "text":
            sys.stdout.write(render_text(result) if isinstance(result, Document) else _render_error(path, result))
    if args.format == "json":
        out = {
            "documents": [
                doc.model_dump(mode="json") if isinstance(doc, Document) else _error_entry(path, doc)
                for path, doc in results
            ]
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return EXIT_UNREADABLE if any(isinstance(d, ExtractorError) for _, d in results) else EXIT_OK


def _render_error(path: Path, err: ExtractorError) -> str:
    return f"=== {path}\n{error_text(err, indent='  ')}\n"


def render_text(doc: Document) -> str:
    """A readable view of what was read: one line per paragraph, tables as grids, with places."""
    s = doc.source
    lines = [
        f"=== {s.path or s.filename or '(bytes)'}",
        f"    định dạng/format: {s.format}  trang/pages: {s.pages}  sha256: {s.sha256[:16]}…"
        + (f"  (chuyển đổi bằng {s.converted_by})" if s.converted_by else ""),
    ]
    for n in doc.notices:
        lines.append(f"    ! {n.message_vi} / {n.message_en}")
    for b in doc.blocks:
        where = f"[tr.{b.page if b.page is not None else '-'} d.{b.line}]"
        tag = "" if b.role == "body" else " (lề trang/furniture)"
        if isinstance(b, Paragraph):
            label = f"{b.list_label} " if b.list_label and not b.text.startswith(b.list_label) else ""
            text = b.text.replace("\n", "⏎")
            lines.append(f"{where:>12} ¶{tag} {label}{text}")
        elif isinstance(b, Table):
            pages = ",".join(map(str, b.pages))
            lines.append(
                f"{where:>12} ▦{tag} bảng/table {b.n_rows}×{b.n_cols}"
                + (f" trang/pages {pages}" if pages else "")
                + ("" if b.ruled else " (không kẻ khung/borderless)")
            )
            lines.extend(_render_table(b))
    return "\n".join(lines) + "\n\n"


def _render_table(t: Table) -> list[str]:
    out = []
    for row in t.rows:
        cells = []
        for c in row.cells:
            span = f"⟨{c.row_span}×{c.col_span}⟩" if c.row_span > 1 or c.col_span > 1 else ""
            cells.append(span + c.text.replace("\n", "⏎"))
        mark = "H" if row.header else " "
        out.append(f"{'':>12} {mark}{row.index:>3} │ " + " │ ".join(cells))
    return out


def cmd_audit(args: argparse.Namespace) -> int:
    from extractor.batch import audit_many

    files = report_files(args.files)
    if not files:
        return no_report_files()
    reports = audit_many(files, args.rubric, workers=args.workers)
    if args.format == "json":
        out = {"reports": [r.model_dump(mode="json") for r in reports]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from extractor.render import render_report

        for report in reports:
            sys.stdout.write(render_report(report))
    return exit_code(reports)


def cmd_rubric(args: argparse.Namespace) -> int:
    from extractor.rules.rubric import list_rubrics, load_rubric

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


FORMAT_HELP = "định dạng đầu ra / output format"


def build_parser() -> ArgumentParser:
    ap = ArgumentParser(
        prog="extractor",
        description="Đọc và kiểm tra báo cáo chấm điểm CNTT, chuyển đổi số / Read and audit commune reports.",
    )
    sub = ap.add_subparsers(dest="command", required=True, title="lệnh / commands")
    p = sub.add_parser("parse", help="đọc tệp và in mô hình tài liệu / print the document model of each file")
    p.add_argument("files", nargs="+", help="tệp hoặc thư mục / files or directories")
    p.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    p.set_defaults(func=cmd_parse)
    a = sub.add_parser("audit", help="đọc, trích xuất và kiểm tra báo cáo / audit report files")
    a.add_argument("files", nargs="+", help="tệp hoặc thư mục / files or directories")
    a.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    a.add_argument("--rubric", default=None, help="mã hoặc đường dẫn bộ tiêu chí / rubric id or .toml path")
    a.add_argument(
        "--workers", type=positive_int, default=None, help="số tiến trình / worker processes (mặc định: số lõi)"
    )
    a.set_defaults(func=cmd_audit)
    from extractor.diff import add_parser as add_diff

    add_diff(sub)
    r = sub.add_parser("rubric", help="xem các bộ tiêu chí / list or show rubrics")
    r.add_argument("action", choices=["list", "show"], help="liệt kê hoặc xem một bộ / list all or show one")
    r.add_argument("name", nargs="?", default="hp-cds-xa-quy-2026", help="mã bộ tiêu chí / rubric id")
    r.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    r.set_defaults(func=cmd_rubric)
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


if __name__ == "__main__":
    sys.exit(main())
