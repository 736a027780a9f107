"""``extractor diff``: one line per report file, claimed total beside the recomputed one, worst first.

For each file: commune, period, claimed total (as written), recomputed total, delta = recomputed − claimed
(both rounded half-up to 0,01 first, so the line reads consistently), verdict, and how many errors and
warnings the audit raised. Lines are sorted by |delta|, largest first; files without a delta follow in
the order given, and unreadable files come last. e.g.

    extractor diff inbox/                      # a table, numbers the Vietnamese way ("99,25")
    extractor diff a.pdf b.docx --format csv   # header row, dot decimals, for machines
    extractor diff inbox/ --format json        # a list of objects

Exit status (spec/audit-contract.md §2, extractor/exitcodes.py): 0 when no file has an error finding, 1 when
any has, 2 when a file could not be read (an UNREADABLE finding) or the paths name no report file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from extractor.batch import DEFAULT_TIMEOUT, audit_many
from extractor.cli import ArgumentParser, positive_int, positive_seconds, quiet_libraries
from extractor.contract import VERDICT_VI, Report, round_points
from extractor.errors import ExtractorError
from extractor.exitcodes import EXIT_OK, exit_code, no_report_files, print_error
from extractor.files import report_files

ROUNDING = Decimal("0.01")  # a total off by at most this is rounding (spec §1), not counted as changed
PROGRESS_MIN_FILES = 4  # a bar for fewer files only flickers

COLUMNS = (  # (key in JSON, Vietnamese header, right-aligned in the table)
    ("file", "Tệp", False),
    ("commune", "Xã/phường", False),
    ("period", "Kỳ báo cáo", False),
    ("claimed_total", "Tự chấm", True),
    ("recomputed_total", "Tính lại", True),
    ("delta", "Chênh lệch", True),
    ("verdict", "Kết luận", False),
    ("errors", "Lỗi", True),
    ("warnings", "Cảnh báo", True),
)


@dataclass(frozen=True)
class DiffRow:
    """One file's line. Totals are rounded to 0,01; ``unreadable`` holds the reason when the file was not read."""

    file: str
    commune: str | None
    period: str | None
    claimed_total: Decimal | None
    recomputed_total: Decimal | None
    claimed_verdict: str | None
    recomputed_verdict: str | None
    estimated: bool
    errors: int
    warnings: int
    unreadable: str | None = None
    rows: int = 0  # scorecard rows: each may round its points by up to 0,01

    @property
    def beyond_rounding(self) -> bool:
        """The totals differ by more than the rows' rounding can explain (0,01 per row, at least 0,01)."""
        return self.delta is not None and abs(self.delta) > ROUNDING * max(self.rows, 1)

    @property
    def delta(self) -> Decimal | None:
        if self.claimed_total is None or self.recomputed_total is None:
            return None
        return self.recomputed_total - self.claimed_total

    @property
    def verdict(self) -> str | None:
        """dat / khong_dat (recomputed where known, else as the report states it), or unreadable."""
        return "unreadable" if self.unreadable else self.recomputed_verdict or self.claimed_verdict


def diff_row(report: Report) -> DiffRow:
    card, doc = report.scorecard, report.document
    unreadable = next((f for f in report.findings if f.code == "UNREADABLE"), None)
    return DiffRow(
        file=report.source.path,
        commune=doc.commune,
        period=doc.period.label if doc.period else None,
        claimed_total=_rounded(card.claimed_total if card else None),
        recomputed_total=_rounded(card.recomputed_total if card else None),
        claimed_verdict=card.claimed_verdict if card else None,
        recomputed_verdict=card.recomputed_verdict if card else None,
        estimated=bool(card and card.estimated),
        errors=sum(f.severity == "error" for f in report.findings),
        warnings=sum(f.severity == "warning" for f in report.findings),
        unreadable=unreadable.message if unreadable else None,
        rows=len(card.rows) if card and not card.estimated else 0,
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_points(value)


def diff_rows(reports: Iterable[Report]) -> list[DiffRow]:
    """Rows sorted: largest |delta| first, then files without a delta, then unreadable files (stable)."""
    return sorted(map(diff_row, reports), key=_sort_key)


def _sort_key(row: DiffRow) -> tuple[int, Decimal]:
    if row.unreadable:
        return (2, Decimal(0))
    delta = row.delta
    return (1, Decimal(0)) if delta is None else (0, -abs(delta))


# --- rendering ------------------------------------------------------------------------------------------


def vn_points(value: Decimal | None, signed: bool = False) -> str:
    """Points the Vietnamese way with two decimals: 99.25 -> "99,25", 1234.5 -> "1.234,50", −1.15 -> "-1,15"."""
    if value is None:
        return "—"
    text = f"{round_points(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"+{text}" if signed and value > 0 else text


def verdict_vi(row: DiffRow) -> str:
    """e.g. "Đạt", "Không đạt (báo cáo ghi: Đạt)", "Đạt (theo báo cáo)", "Không đạt (ước tính)"."""
    if row.unreadable:
        return "Không đọc được"
    claimed, recomputed = row.claimed_verdict, row.recomputed_verdict
    if recomputed is None:
        if row.estimated:
            return "— (ước tính, chưa đủ tiêu chí)"
        return f"{VERDICT_VI[claimed]} (theo báo cáo)" if claimed else "—"
    text = VERDICT_VI[recomputed]
    if claimed and claimed != recomputed:
        return f"{text} (báo cáo ghi: {VERDICT_VI[claimed]})"
    return f"{text} (ước tính)" if row.estimated else text


def _table_cells(row: DiffRow) -> list[str]:
    return [
        row.file,
        row.commune or "—",
        row.period or "—",
        vn_points(row.claimed_total),
        vn_points(row.recomputed_total),
        vn_points(row.delta, signed=True),
        verdict_vi(row),
        str(row.errors),
        str(row.warnings),
    ]


def render_table(rows: Sequence[DiffRow]) -> str:
    grid = [[header for _, header, _ in COLUMNS], *(_table_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = []
    for line in grid:
        cells = [c.rjust(w) if right else c.ljust(w) for c, w, (_, _, right) in zip(line, widths, COLUMNS, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("─" * w for w in widths))
    lines.append(_summary(rows))
    lines += [f"  {r.file}: {r.unreadable}" for r in rows if r.unreadable]
    return "\n".join(lines) + "\n"


def _summary(rows: Sequence[DiffRow]) -> str:
    with_errors = sum(r.errors > 0 and not r.unreadable for r in rows)
    unreadable = sum(bool(r.unreadable) for r in rows)
    changed = sum(r.beyond_rounding for r in rows)
    return (
        f"\n{len(rows)} tệp: {changed} tệp có tổng tính lại chênh quá mức làm tròn "
        f"({vn_points(ROUNDING)} điểm mỗi tiêu chí) so với tự chấm,"
        f" {with_errors} tệp có lỗi, {unreadable} tệp không đọc được."
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def row_object(row: DiffRow) -> dict[str, Any]:
    """The machine form of a row (JSON); totals as numbers rounded to 0.01."""
    return {
        "file": row.file,
        "commune": row.commune,
        "period": row.period,
        "claimed_total": _number(row.claimed_total),
        "recomputed_total": _number(row.recomputed_total),
        "delta": _number(row.delta),
        "verdict": row.verdict,
        "claimed_verdict": row.claimed_verdict,
        "recomputed_verdict": row.recomputed_verdict,
        "estimated": row.estimated,
        "errors": row.errors,
        "warnings": row.warnings,
        "unreadable": row.unreadable,
    }


def render_json(rows: Sequence[DiffRow]) -> str:
    return json.dumps([row_object(r) for r in rows], ensure_ascii=False, indent=1) + "\n"


def render_csv(rows: Sequence[DiffRow]) -> str:
    """Vietnamese headers, dot decimals ("99.25"), empty cells for unknown values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header for _, header, _ in COLUMNS] + ["Ghi chú"])
    for row in rows:
        obj = row_object(row)
        writer.writerow([_csv_cell(row, obj, key) for key, _, _ in COLUMNS] + [row.unreadable or ""])
    return buffer.getvalue()


def _csv_cell(row: DiffRow, obj: dict[str, Any], key: str) -> str:
    if key in ("claimed_total", "recomputed_total", "delta"):
        value: Decimal | None = getattr(row, key)
        return "" if value is None else f"{value:.2f}"
    return "" if obj[key] is None else str(obj[key])


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}


# --- progress -------------------------------------------------------------------------------------------


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


# --- command --------------------------------------------------------------------------------------------


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
    p.add_argument("files", nargs="+", help="tệp hoặc thư mục / files or directories")
    p.add_argument("--format", choices=sorted(RENDERERS), default="table", help="định dạng đầu ra / output format")
    p.add_argument("--rubric", default=None, help="mã hoặc đường dẫn bộ tiêu chí / rubric id or .toml path")
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
    """``python -m extractor.diff FILE…``: the diff command on its own (the CLI wires it as a subcommand)."""
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
