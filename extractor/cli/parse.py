"""``extractor parse FILE…``: the document model of each file, as JSON or as a readable view with places."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from extractor.cli.args import FILES_HELP, FORMAT_HELP
from extractor.errors import ExtractorError
from extractor.exitcodes import EXIT_OK, EXIT_UNREADABLE, error_text, no_report_files
from extractor.files import report_files
from extractor.model import Document, Paragraph, Table
from extractor.reading import parse
from extractor.render import terminal_safe


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("parse", help="đọc tệp và in mô hình tài liệu / print the document model of each file")
    p.add_argument("files", nargs="+", help=FILES_HELP)
    p.add_argument("--format", choices=["json", "text"], default="text", help=FORMAT_HELP)
    p.set_defaults(func=cmd_parse)


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


def _error_entry(path: Path, err: ExtractorError) -> dict[str, Any]:
    return {"path": str(path), "error": err.to_dict()}


def _render_error(path: Path, err: ExtractorError) -> str:
    return f"=== {terminal_safe(str(path))}\n{error_text(err, indent='  ')}\n"


def _flat(text: str) -> str:
    """A block's text on one terminal line: its line breaks shown as ⏎, anything else unsafe escaped."""
    return terminal_safe(text.replace("\n", "⏎"))


def render_text(doc: Document) -> str:
    """A readable view of what was read: one line per paragraph, tables as grids, with places. A format
    without pages (text, Markdown) shows "—" for its page count, never Python's "None"."""
    s = doc.source
    page_count = "—" if s.pages is None else s.pages
    lines = [
        f"=== {terminal_safe(s.path or s.filename or '(bytes)')}",
        f"    định dạng/format: {s.format}  trang/pages: {page_count}  sha256: {s.sha256[:16]}…"
        + (f"  (chuyển đổi bằng {s.converted_by})" if s.converted_by else ""),
    ]
    for n in doc.notices:
        lines.append(f"    ! {_flat(n.message_vi)} / {_flat(n.message_en)}")
    for b in doc.blocks:
        where = f"[tr.{b.page if b.page is not None else '-'} d.{b.line}]"
        tag = "" if b.role == "body" else " (lề trang/furniture)"
        if isinstance(b, Paragraph):
            label = f"{b.list_label} " if b.list_label and not b.text.startswith(b.list_label) else ""
            lines.append(f"{where:>12} ¶{tag} {_flat(label)}{_flat(b.text)}")
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
            cells.append(span + _flat(c.text))
        mark = "H" if row.header else " "
        out.append(f"{'':>12} {mark}{row.index:>3} │ " + " │ ".join(cells))
    return out
