"""The claimed-vs-recomputed comparison of many reports: one row per file, and its table, CSV and JSON forms.

For each file: commune, period, claimed total (as written), recomputed total, delta = recomputed − claimed
(both rounded half-up to 0,01 first, so the line reads consistently), verdict, and how many errors and
warnings the audit raised. Rows are sorted by |delta|, largest first (what an analyst looks for); files
without a delta follow in the order given (a folder's files by name, ``extractor.files``), and unreadable
files come last, in the order given. The summary line counts the files whose totals differ, those with
errors and, among them, the unreadable ones.

A report without a scorecard may carry one estimated from its narrative: that total is no recomputed
total. It stands in its own column ("Ước tính", ``estimated_total`` in CSV/JSON), never in "Tính lại",
and no delta, verdict or summary count is computed from it.

``render_table`` is for a terminal ("99,25", every text escaped so that no file name or quote can move the
cursor or reorder the line), ``render_csv`` for spreadsheets (dot decimals), ``render_json`` for machines;
the city's workbook of the same files (``--xlsx``) is ``extractor.export``, its rows in the order of
``sorted_reports`` and its totals those of ``diff_row``.
The command itself (arguments, progress, exit status) is ``extractor.cli.diff``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from extractor.contract import VERDICT_VI, Report, round_points
from extractor.render import terminal_safe

ROUNDING = Decimal("0.01")  # a total off by at most this is rounding (spec §1), not counted as changed

COLUMNS = (  # (key in JSON, Vietnamese header, right-aligned in the table)
    ("file", "Tệp", False),
    ("commune", "Xã/phường", False),
    ("period", "Kỳ báo cáo", False),
    ("claimed_total", "Tự chấm", True),
    ("recomputed_total", "Tính lại", True),
    ("delta", "Chênh lệch", True),
    ("estimated_total", "Ước tính", True),
    ("verdict", "Kết luận", False),
    ("errors", "Lỗi", True),
    ("warnings", "Cảnh báo", True),
)


@dataclass(frozen=True)
class DiffRow:
    """One file's line. Totals are rounded to 0,01; ``unreadable`` holds the reason when the file was not read
    (``unreadable_en`` in English). ``errors`` counts error findings, the UNREADABLE one of such a file too."""

    file: str
    commune: str | None
    period: str | None
    claimed_total: Decimal | None
    recomputed_total: Decimal | None  # from the report's own scorecard only, never from an estimate
    claimed_verdict: str | None
    recomputed_verdict: str | None
    estimated: bool  # the scorecard was estimated from the narrative: see estimated_total
    errors: int
    warnings: int
    unreadable: str | None = None
    rows: int = 0  # scorecard rows: each may round its points by up to 0,01
    estimated_total: Decimal | None = None
    estimated_verdict: str | None = None
    partial: str | None = None  # why only part of the file was read (pages not read), when so
    unreadable_en: str | None = None

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
    estimate = card if card is not None and card.estimated else None
    own = card if card is not None and not card.estimated else None
    return DiffRow(
        file=report.source.path,
        commune=doc.commune,
        period=doc.period.label if doc.period else None,
        claimed_total=_rounded(card.claimed_total if card else None),
        recomputed_total=_rounded(own.recomputed_total if own else None),
        claimed_verdict=card.claimed_verdict if card else None,
        recomputed_verdict=own.recomputed_verdict if own else None,
        estimated=estimate is not None,
        errors=sum(f.severity == "error" for f in report.findings),
        warnings=sum(f.severity == "warning" for f in report.findings),
        unreadable=unreadable.message if unreadable else None,
        rows=len(own.rows) if own else 0,
        estimated_total=_rounded(estimate.recomputed_total if estimate else None),
        estimated_verdict=estimate.recomputed_verdict if estimate else None,
        partial=_partial(report),
        unreadable_en=_english(unreadable.found) if unreadable else None,
    )


def _english(found: object) -> str | None:
    """The English reason an UNREADABLE finding carries (``found.message_en``, as ``extractor audit`` prints)."""
    said = found.get("message_en") if isinstance(found, dict) else None
    return str(said) if said else None


def _partial(report: Report) -> str | None:
    """Why the totals may miss something: pages of the file were not read (scans, broken text, a limit)."""
    if report.status != "partial":
        return None
    said = next((f.message for f in report.findings if f.code == "PAGES_NOT_READ"), None)
    if said:
        return said
    pages = ", ".join(map(str, report.source.unread_pages))
    return f"Chỉ đọc được một phần tệp{f' (chưa đọc trang {pages})' if pages else ''}."


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_points(value)


def diff_rows(reports: Iterable[Report]) -> list[DiffRow]:
    """Rows sorted: largest |delta| first, then files without a delta, then unreadable files (stable: each
    group in the order the files were given)."""
    return sorted(map(diff_row, reports), key=_sort_key)


def sorted_reports(reports: Iterable[Report]) -> list[Report]:
    """The reports in the order of their rows (``diff_rows``), e.g. for a workbook that follows the table."""
    return [report for report, _ in sorted(((r, diff_row(r)) for r in reports), key=lambda pair: _sort_key(pair[1]))]


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
    """e.g. "Đạt", "Không đạt (báo cáo ghi: Đạt)", "Đạt (theo báo cáo)", "— (ước tính: Không đạt)"."""
    if row.unreadable:
        return "Không đọc được"
    claimed, recomputed = row.claimed_verdict, row.recomputed_verdict
    if recomputed is None:
        if claimed:
            return f"{VERDICT_VI[claimed]} (theo báo cáo)"
        if row.estimated:
            guess = VERDICT_VI.get(row.estimated_verdict or "", "")
            return f"— (ước tính: {guess})" if row.estimated_verdict else "— (ước tính, chưa đủ tiêu chí)"
        return "—"
    text = VERDICT_VI[recomputed]
    if claimed and claimed != recomputed:
        return f"{text} (báo cáo ghi: {VERDICT_VI[claimed]})"
    return text


def _table_cells(row: DiffRow) -> list[str]:
    return [
        row.file,
        row.commune or "—",
        row.period or "—",
        vn_points(row.claimed_total),
        vn_points(row.recomputed_total),
        vn_points(row.delta, signed=True),
        vn_points(row.estimated_total),
        verdict_vi(row) + (" (đọc một phần)" if row.partial else ""),
        str(row.errors),
        str(row.warnings),
    ]


def render_table(rows: Sequence[DiffRow]) -> str:
    """Aligned columns for a terminal; every cell is escaped (``terminal_safe``), e.g. a file name holding a
    newline or a right-to-left mark stays on its line and in its order."""
    grid = [[header for _, header, _ in COLUMNS], *([terminal_safe(c) for c in _table_cells(r)] for r in rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = []
    for line in grid:
        cells = [c.rjust(w) if right else c.ljust(w) for c, w, (_, _, right) in zip(line, widths, COLUMNS, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("─" * w for w in widths))
    lines.append(_summary(rows))
    lines += [line for r in rows if r.unreadable for line in _unreadable_lines(r)]
    lines += [f"  {terminal_safe(r.file)}: {terminal_safe(r.partial)}" for r in rows if r.partial]
    return "\n".join(lines) + "\n"


def _unreadable_lines(row: DiffRow) -> list[str]:
    """Why a file was not read, in Vietnamese and (when the finding carries it) in English, as audit says it."""
    lines = [f"  {terminal_safe(row.file)}: {terminal_safe(row.unreadable or '')}"]
    if row.unreadable_en:
        lines.append(f"    Unreadable: {terminal_safe(row.unreadable_en)}")
    return lines


def _summary(rows: Sequence[DiffRow]) -> str:
    """The counts under the table. "Tệp có lỗi" are the rows whose "Lỗi" column is not 0, an unreadable file
    (its UNREADABLE finding is an error) among them, and those are also counted on their own."""
    with_errors = sum(r.errors > 0 for r in rows)
    unreadable = sum(bool(r.unreadable) for r in rows)
    changed = sum(r.beyond_rounding for r in rows)
    text = (
        f"\n{len(rows)} tệp: {changed} tệp có tổng tính lại chênh quá mức làm tròn "
        f"({vn_points(ROUNDING)} điểm mỗi tiêu chí) so với tự chấm,"
        f" {with_errors} tệp có lỗi{f' (trong đó {unreadable} tệp không đọc được)' if unreadable else ''}."
    )
    partial = sum(bool(r.partial) for r in rows)
    if partial:
        text += f" {partial} tệp chỉ đọc được một phần (xem ghi chú dưới)."
    estimated = sum(r.estimated and r.estimated_total is not None and not r.unreadable for r in rows)
    if estimated:
        text += (
            f"\n{estimated} tệp không có bảng chấm điểm, chỉ có điểm ước tính: cột «Ước tính» là điểm ước tính"
            " từ nội dung báo cáo, không phải điểm tính lại, không so với tự chấm và không tính vào các số trên."
        )
    return text


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
        "estimated_total": _number(row.estimated_total),
        "verdict": row.verdict,
        "claimed_verdict": row.claimed_verdict,
        "recomputed_verdict": row.recomputed_verdict,
        "estimated": row.estimated,
        "estimated_verdict": row.estimated_verdict,
        "errors": row.errors,
        "warnings": row.warnings,
        "unreadable": row.unreadable,
        "unreadable_en": row.unreadable_en,
        "partial": row.partial,
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
        writer.writerow([_csv_cell(row, obj, key) for key, _, _ in COLUMNS] + [row.unreadable or row.partial or ""])
    return buffer.getvalue()


def _csv_cell(row: DiffRow, obj: dict[str, Any], key: str) -> str:
    if key in ("claimed_total", "recomputed_total", "delta", "estimated_total"):
        value: Decimal | None = getattr(row, key)
        return "" if value is None else f"{value:.2f}"
    return "" if obj[key] is None else str(obj[key])


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}
