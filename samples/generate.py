"""Write the sample reports in this folder from the seed texts beside it (run ``./dev samples``).

Each seed ``NNN_*.txt`` is read with :func:`extractor.parse`, split into the parts of an administrative
document (:mod:`layout`) and written as DOCX (:mod:`word`) and, through LibreOffice headless, as PDF.
e.g. ``000_….txt`` (a cover letter with a scored appendix) gives ``000_cong-van-phu-luc.docx``/``.pdf``,
``000_cong-van-phu-luc_landscape.docx``/``.pdf`` (the appendix in a landscape section) and
``000_phu-luc.xlsx``; a narrative seed gives e.g. ``002_bao-cao.docx``/``.pdf``. Each appendix PDF is laid
out again with more space above the table until a table row is cut by a page break, checked with pdfplumber.
Apart from LibreOffice's timestamps the output depends only on the seeds.
"""

from __future__ import annotations

import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pdfplumber
from generator.layout import Report, classify, fold, is_total, merges, number, slug, widths
from generator.word import FONT, PORTRAIT_MM, fix_zip, write_docx
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from extractor import Table, parse

HERE = Path(__file__).resolve().parent
PADDING_STEPS_PT = range(0, 301, 6)


def to_pdf(path: Path, profile: Path) -> Path:
    """Convert with LibreOffice headless next to the source file; returns the PDF's path."""
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*cmd, "--outdir", str(path.parent), str(path)], check=True, capture_output=True, timeout=300)
    return path.with_suffix(".pdf")


def cut_rows(pdf_path: Path, head: str) -> list[int]:
    """Pages whose table opens, below the repeated header, with the rest of a row cut at the page break."""
    pages: list[int] = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for rows in page.extract_tables():
                body = [[fold(c) for c in r] for r in rows if any(r)]
                if len(body) > 1 and body[0][0] == head and not body[1][0] and any(body[1][1:]):
                    pages.append(page.page_number)
            page.close()
    return pages


def write_cut_pdf(rep: Report, path: Path, profile: Path, *, landscape: bool) -> int:
    """Write DOCX and PDF, adding space above the appendix until one of its rows is cut by a page break."""
    assert rep.appendix is not None
    head = fold(rep.appendix.texts()[0][0])
    for pad in PADDING_STEPS_PT:
        write_docx(rep, path, landscape=landscape, pad=pad)
        if cut_rows(to_pdf(path, profile), head):
            return pad
    raise SystemExit(f"{path.name}: no padding cuts an appendix row at a page break")


# ---------------------------------------------------------------- XLSX


def write_xlsx(rep: Report, path: Path) -> None:
    """The appendix alone: merged title rows, the table with typed numbers, the total as ``=SUM(…)``."""
    assert rep.appendix is not None
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Phụ lục"
    n = rep.appendix.n_cols
    for r, line in enumerate(rep.annex, 1):
        _xlsx_cell(ws.cell(r, 1, line), bold=not line.startswith("("), italic=line.startswith("("), edge=False)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    _xlsx_table(ws, rep.appendix, top=len(rep.annex) + 2)
    for c, width in enumerate(widths(rep.appendix.texts(), PORTRAIT_MM), 1):
        ws.column_dimensions[get_column_letter(c)].width = round(width / 1.9, 1)
    wb.save(path)
    fix_zip(path)


def _xlsx_table(ws: Worksheet, table: Table, top: int) -> None:
    heads = max(table.header_rows, 1)
    for r, row in enumerate(table.texts()):
        total = is_total(row)
        for c, text in enumerate(row):
            column = get_column_letter(c + 1)
            above = f"{column}{top + heads}:{column}{top + r - 1}" if total else None
            value = _xlsx_value(text, header=r < heads, sum_of=above)
            _xlsx_cell(ws.cell(top + r, c + 1, value), bold=r < heads or total, centre=r < heads or len(text) <= 12)
        for first, last in merges(table, r, row):
            ws.merge_cells(start_row=top + r, start_column=first + 1, end_row=top + r, end_column=last + 1)


def _xlsx_value(text: str, *, header: bool, sum_of: str | None) -> str | Decimal:
    """Header text as text; in a total row a number becomes ``=SUM`` of the cells above; numbers as numbers.
    e.g. '4,63' → Decimal('4.63'), '99,25 /100' in the TỔNG row → '=SUM(E6:E23)'."""
    value = None if header else number(text.split()[0] if text.split() else "")
    if value is not None and sum_of:
        return f"=SUM({sum_of})"
    value = None if header else number(text)
    return text if value is None else value


THIN = Side(style="thin")


def _xlsx_cell(cell: Cell, *, bold: bool = False, italic: bool = False, centre: bool = True, edge: bool = True) -> None:
    cell.font = Font(name=FONT, size=12, bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal="center" if centre else "left", vertical="center", wrap_text=True)
    if edge:
        cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# ---------------------------------------------------------------- main


def write_seed(seed: Path, profile: Path) -> list[str]:
    """Every sample made from one seed; returns what was written, e.g. '002_bao-cao.docx/.pdf'."""
    rep = classify(parse(seed))
    prefix = seed.name.split("_")[0]
    stem = f"{prefix}_{slug(rep)}"
    if rep.appendix is None:
        write_docx(rep, HERE / f"{stem}.docx")
        to_pdf(HERE / f"{stem}.docx", profile)
        return [f"{stem}.docx/.pdf"]
    done = []
    for name, landscape in ((stem, False), (f"{stem}_landscape", True)):
        pad = write_cut_pdf(rep, HERE / f"{name}.docx", profile, landscape=landscape)
        done.append(f"{name}.docx/.pdf (a row cut at a page break with {pad} pt of space above the table)")
    write_xlsx(rep, HERE / f"{prefix}_phu-luc.xlsx")
    return [*done, f"{prefix}_phu-luc.xlsx"]


def main() -> None:
    for old in HERE.glob("[0-9][0-9][0-9]_*"):
        if old.suffix in (".docx", ".pdf", ".xlsx"):
            old.unlink()
    with tempfile.TemporaryDirectory() as profile:
        for seed in sorted(HERE.glob("[0-9][0-9][0-9]_*.txt")):
            for line in write_seed(seed, Path(profile)):
                print(f"{seed.name} → {line}")


if __name__ == "__main__":
    main()
