"""Command line: a thin layer over the library. Exit codes: 0 ok, 2 a file could not be read."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractor.errors import ExtractorError
from extractor.files import report_files
from extractor.model import Document, Paragraph, Table
from extractor.reading import parse

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def _error_entry(path: Path, err: ExtractorError) -> dict[str, Any]:
    return {"path": str(path), "error": err.to_dict()}


def cmd_parse(args: argparse.Namespace) -> int:
    results: list[tuple[Path, Document | ExtractorError]] = []
    for path in report_files(args.files):
        try:
            if not path.exists():
                raise FileNotFoundError(path)
            results.append((path, parse(path)))
        except ExtractorError as err:
            results.append((path, err))
        except OSError as err:
            print(f"Không mở được tệp / cannot open file: {path}: {err.strerror or err}", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.format == "json":
        out = {
            "documents": [
                doc.model_dump(mode="json") if isinstance(doc, Document) else _error_entry(path, doc)
                for path, doc in results
            ]
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for path, doc in results:
            sys.stdout.write(render_text(doc) if isinstance(doc, Document) else _render_error(path, doc))
    return EXIT_UNREADABLE if any(isinstance(d, ExtractorError) for _, d in results) else EXIT_OK


def _render_error(path: Path, err: ExtractorError) -> str:
    return f"=== {path}\n  LỖI / ERROR [{err.code}]: {err.message_vi}\n  {err.message_en}\n\n"


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

    reports = audit_many(report_files(args.files), args.rubric, workers=args.workers)
    if args.format == "json":
        out = {"reports": [r.model_dump(mode="json") for r in reports]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from extractor.render import render_report

        for report in reports:
            sys.stdout.write(render_report(report))
    unreadable = any(f.code == "UNREADABLE" for r in reports for f in r.findings)
    errors = any(f.severity == "error" for r in reports for f in r.findings)
    return EXIT_UNREADABLE if unreadable else EXIT_FINDINGS if errors else EXIT_OK


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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="extractor",
        description="Đọc và kiểm tra báo cáo chấm điểm CNTT, chuyển đổi số / Read and audit commune reports.",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="đọc tệp và in mô hình tài liệu / print the document model of each file")
    p.add_argument("files", nargs="+", help="tệp hoặc thư mục / files or directories")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_parse)
    a = sub.add_parser("audit", help="đọc, trích xuất và kiểm tra báo cáo / audit report files")
    a.add_argument("files", nargs="+", help="tệp hoặc thư mục / files or directories")
    a.add_argument("--format", choices=["json", "text"], default="text")
    a.add_argument("--rubric", default=None, help="mã hoặc đường dẫn bộ tiêu chí / rubric id or .toml path")
    a.add_argument("--workers", type=int, default=None, help="số tiến trình / worker processes (mặc định: số lõi)")
    a.set_defaults(func=cmd_audit)
    from extractor.diff import add_parser as add_diff

    add_diff(sub)
    r = sub.add_parser("rubric", help="xem các bộ tiêu chí / list or show rubrics")
    r.add_argument("action", choices=["list", "show"])
    r.add_argument("name", nargs="?", default="hp-cds-xa-quy-2026")
    r.add_argument("--format", choices=["json", "text"], default="text")
    r.set_defaults(func=cmd_rubric)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ExtractorError as err:  # e.g. an invalid rubric given with --rubric
        print(f"LỖI / ERROR [{err.code}]: {err.message_vi}\n{err.message_en}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("Đã dừng / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
