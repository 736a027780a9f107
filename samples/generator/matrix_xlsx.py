"""A rendering as XLSX (openpyxl): the appendix alone, its title and caption rows merged above the table,
points as numbers, header labels broken by hand inside narrow cells ("Điểm" / "tối đa")."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .layout import Report
from .matrix_table import Spec
from .word import fix_zip

THIN = Side(style="thin")
PLAIN = re.compile(r"\d+(?:,\d+)?")


def write_xlsx(rep: Report, spec: Spec, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Phụ lục"
    n = spec.n_cols
    for r, line in enumerate(spec.annex, 1):
        cell = ws.cell(r, 1, line)
        cell.font = Font(name="Times New Roman", size=12, bold=not line.startswith("("), italic=line.startswith("("))
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    top = len(spec.annex) + 2
    for r, row in enumerate(spec.rows):
        header = r < spec.header_rows
        for c, text in enumerate(row):
            if spec.covered(r, c):
                continue
            if header and spec.wrap_header:
                text = "\n".join(text.split())
            cell = ws.cell(top + r, c + 1, _value(text, header=header))
            cell.font = Font(name="Times New Roman", size=12, bold=header or r == len(spec.rows) - 1)
            cell.alignment = Alignment(horizontal="center" if spec.centred[c] or header else "left", wrap_text=True)
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
        for r0, c0, r1, c1 in spec.merges:
            if r0 == r:
                ws.merge_cells(start_row=top + r0, start_column=c0 + 1, end_row=top + r1, end_column=c1 + 1)
    for c, letter in enumerate("ABCDE"[:n]):
        ws.column_dimensions[letter].width = 40 if c in (1, spec.evidence_col) else 10
    wb.save(path)
    fix_zip(path)


def _value(text: str, *, header: bool) -> str | Decimal:
    """A plain number as a number ('4,63' → 4.63); anything else ('97,45/100', 'Tổng cộng') as text."""
    if header or not PLAIN.fullmatch(text.strip()):
        return text
    return Decimal(text.strip().replace(",", "."))
