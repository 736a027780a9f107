"""Acceptance tests over samples/: every sample reads, and a report reads the same in every format.

Samples are found by pattern (``NNN_*`` with a readable extension) and grouped by their seed number
``NNN``; each group holds the seed text and the DOCX, PDF and XLSX made from it by samples/generate.py.
Tables are found by what they say (a header row naming STT, Tiêu chí and Điểm), never by file name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

import pdfplumber
import pytest

from extractor.model import Cell, Document, Table
from extractor.reading import parse
from tests.conftest import SAMPLES
from tests.invariants import assert_spans, fold

TEXT_FORMATS = {".txt", ".md"}
MADE_FORMATS = {".docx", ".pdf", ".xlsx", ".doc"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _samples(*suffixes: str) -> list[Path]:
    wanted = set(suffixes) or TEXT_FORMATS | MADE_FORMATS
    return sorted(p for p in SAMPLES.glob("[0-9][0-9][0-9]_*") if p.suffix in wanted)


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@cache
def _read(path: Path) -> Document:
    return parse(path)


def _text_sample(path: Path) -> Path:
    """The seed text of the group ``path`` belongs to (same ``NNN_`` prefix)."""
    prefix = path.name.split("_")[0]
    found = [p for p in _samples(*TEXT_FORMATS) if p.name.split("_")[0] == prefix]
    assert len(found) == 1, f"{path.name}: expected one seed text with prefix {prefix}, found {found}"
    return found[0]


def _appendices(doc: Document) -> list[Table]:
    def is_appendix(table: Table) -> bool:
        head = " ".join(table.texts()[0]).casefold() if table.rows else ""
        return "stt" in head and "tiêu chí" in head and "điểm" in head

    return [t for t in doc.tables if is_appendix(t)]


def _appendix(doc: Document) -> Table:
    found = _appendices(doc)
    assert len(found) == 1, f"expected the appendix as ONE table, found {len(found)}"
    return found[0]


def _column(table: Table, *words: str) -> int:
    """The column whose header names all ``words``, e.g. ('kiểm chứng',) for the evidence."""
    for c, text in enumerate(table.texts()[0]):
        if all(w in fold(text).casefold() for w in words):
            return c
    raise AssertionError(f"no column headed {words} in {table.texts()[0]}")


def _number(text: str) -> Decimal | None:
    m = NUMBER.search(text)
    return Decimal(m.group().replace(",", ".")) if m else None


def _total_row(table: Table) -> int:
    rows = [r for r, row in enumerate(table.texts()) if fold(row[0]).upper().startswith("TỔNG")]
    assert len(rows) == 1, f"expected one TỔNG row, found {rows}"
    return rows[0]


# ---------------------------------------------------------------- every sample


def test_samples_cover_every_format_for_every_seed() -> None:
    texts = _samples(*TEXT_FORMATS)
    assert texts, f"no seed texts in {SAMPLES}"
    for text in texts:
        prefix = text.name.split("_")[0]
        made = {p.suffix for p in _samples(*MADE_FORMATS) if p.name.startswith(prefix + "_")}
        assert {".docx", ".pdf"} <= made, f"{text.name}: samples made from it: {made}"
    assert _samples(".xlsx"), "no XLSX sample"


@pytest.mark.parametrize("path", _samples(), ids=_ids(_samples()))
def test_sample_reads_with_exact_spans(path: Path) -> None:
    doc = _read(path)
    assert_spans(doc)
    assert doc.body and any(b.text.strip() for b in doc.body)
    text_like = path.suffix in TEXT_FORMATS and doc.source.format in ("txt", "md")
    assert text_like or doc.source.format == path.suffix.lstrip("."), "the format is sniffed from the bytes"


@pytest.mark.parametrize("path", _samples(".pdf"), ids=_ids(_samples(".pdf")))
def test_pdf_blocks_and_cells_carry_pages_in_range(path: Path) -> None:
    doc = _read(path)
    n_pages = doc.source.pages
    assert n_pages and len(doc.pages) == n_pages
    for block in doc.blocks:
        assert block.page is not None and 1 <= block.page <= n_pages, f"block {block.index}: page {block.page}"
        cells = block.cells() if isinstance(block, Table) else []
        for cell in cells:
            assert cell.page is not None and 1 <= cell.page <= n_pages, f"cell ({cell.row},{cell.col})"


# ---------------------------------------------------------------- the appendix, across formats


def _appendix_texts() -> list[Path]:
    return [p for p in _samples(*TEXT_FORMATS) if _appendices(_read(p))]


@pytest.mark.parametrize("path", _appendix_texts(), ids=_ids(_appendix_texts()))
def test_text_appendix_is_header_numbered_rows_and_total(path: Path) -> None:
    """A seed with an appendix reads as header, criteria numbered 1..n, and the TỔNG row, in 5 columns."""
    table = _appendix(_read(path))
    assert table.n_cols == 5
    total = _total_row(table)
    assert total == table.n_rows - 1
    numbers = [fold(row[0]) for row in table.texts()[1:total]]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)]


@pytest.mark.parametrize("path", _samples(".docx", ".pdf", ".doc"), ids=_ids(_samples(".docx", ".pdf", ".doc")))
def test_appendix_cells_agree_with_the_seed_text(path: Path) -> None:
    """Same grid of cell texts as the seed text (whitespace folded); no appendix where the seed has none."""
    expected = _appendices(_read(_text_sample(path)))
    found = _appendices(_read(path))
    assert len(found) == len(expected)
    if expected:
        want = [[fold(t) for t in row] for row in expected[0].texts()]
        got = [[fold(t) for t in row] for row in found[0].texts()]
        assert (len(got), len(got[0])) == (len(want), len(want[0]))
        for r, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g == w, f"row {r}"


@pytest.mark.parametrize("path", _samples(".xlsx"), ids=_ids(_samples(".xlsx")))
def test_xlsx_appendix_agrees_with_the_seed_text_numbers_as_values(path: Path) -> None:
    """Text cells as in the seed text; numbers typed (Decimal) and equal to the seed's; formulas valued."""
    want = _appendix(_read(_text_sample(path)))
    table = _appendix(_read(path))
    assert (table.n_rows, table.n_cols) == (want.n_rows, want.n_cols)
    for r, row in enumerate(table.grid()):
        for c, cell in enumerate(row):
            expected = fold(want.texts()[r][c])
            if cell is None or (cell.row, cell.col) != (r, c):
                assert expected == "", f"({r},{c}) is merged here but says {expected!r} in the seed"
            elif cell.formula or NUMBER.fullmatch(expected):
                assert cell.value == _number(expected), f"({r},{c}) {cell.value} vs {expected!r}"
            else:
                assert fold(cell.text) == expected, f"({r},{c})"


@pytest.mark.parametrize("path", _samples(".xlsx"), ids=_ids(_samples(".xlsx")))
def test_xlsx_total_is_the_exact_decimal_sum_of_the_points(path: Path) -> None:
    table = _appendix(_read(path))
    col, total = _column(table, "đạt"), _total_row(table)
    grid = table.grid()
    points = [grid[r][col] for r in range(table.header_rows or 1, total)]
    assert all(isinstance(p, Cell) and isinstance(p.value, Decimal) for p in points), "points must be numbers"
    total_cell = grid[total][col]
    assert total_cell is not None and total_cell.formula and total_cell.formula.upper().startswith("=SUM(")
    assert total_cell.value == sum(p.value for p in points if p is not None and p.value is not None)
    stated = _appendix(_read(_text_sample(path))).texts()[total][col]
    assert total_cell.value == _number(stated), f"the seed states {stated!r}"


# ---------------------------------------------------------------- the appendix in PDF: pages and the cut row


def _appendix_pdfs() -> list[Path]:
    return [p for p in _samples(".pdf") if _appendices(_read(_text_sample(p)))]


def _cut_fragments(path: Path, head: str) -> list[tuple[int, list[str]]]:
    """What pdfplumber sees: (page, cells) of each table part that opens a page, under the repeated
    header, with an empty first cell — the rest of a row cut by the page break."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for rows in page.extract_tables():
                body = [[_nfc(c) for c in r] for r in rows if any(r)]
                if len(body) > 1 and body[0][0] == head and not body[1][0] and any(body[1]):
                    found.append((page.page_number, body[1]))
            page.close()
    return found


def _nfc(text: str | None) -> str:
    return fold(unicodedata.normalize("NFC", text or ""))


@pytest.mark.parametrize("path", _appendix_pdfs(), ids=_ids(_appendix_pdfs()))
def test_pdf_appendix_rows_carry_pages_in_order(path: Path) -> None:
    table = _appendix(_read(path))
    pages = [row.page or 0 for row in table.rows]
    assert all(pages), "every appendix row has a page"
    assert pages == sorted(pages), f"row pages out of order: {pages}"
    assert len(table.pages) >= 2, "the appendix is long enough to cross a page"


@pytest.mark.parametrize("path", _appendix_pdfs(), ids=_ids(_appendix_pdfs()))
def test_pdf_row_cut_by_a_page_break_reads_as_one_row(path: Path) -> None:
    """The PDF has a row begun on page n and finished on page n+1; the table holds it as ONE row: the last
    row that starts on page n contains, in each column, the text printed at the top of page n+1."""
    table = _appendix(_read(path))
    fragments = _cut_fragments(path, _nfc(table.texts()[0][0]))
    assert fragments, f"{path.name}: no appendix row is cut by a page break (regenerate the samples)"
    texts = [[_nfc(t) for t in row] for row in table.texts()]
    for page, cells in fragments:
        last = max(r for r, row in enumerate(table.rows) if row.page == page - 1)
        for c, part in enumerate(cells):
            assert part in texts[last][c], f"page {page}: {part!r} is not in the last row begun on page {page - 1}"
        ends = {cell.end_page for cell in table.rows[last].cells if cell.end_page}
        assert ends == {page}, f"the cut row's cells end on page {page}, the model says {ends}"


def test_some_pdf_has_its_appendix_in_a_landscape_section() -> None:
    """Appendix pages share one orientation; one sample has them landscape behind a portrait letter."""
    landscape = []
    for path in _appendix_pdfs():
        doc = _read(path)
        kinds = {doc.pages[p - 1].landscape for p in _appendix(doc).pages}
        assert len(kinds) == 1, f"{path.name}: appendix pages of mixed orientation"
        if kinds == {True} and not doc.pages[0].landscape:
            landscape.append(path.name)
    assert landscape, "no PDF sample with a landscape appendix"


# ---------------------------------------------------------------- seed 000: facts of that report


def _group_of(seed_path: Path) -> list[Path]:
    prefix = seed_path.name.split("_")[0]
    return [p for p in _samples() if p.name.split("_")[0] == prefix]


def test_seed_000_appendix_has_18_criteria_in_every_format(seed: Callable[[str], Path]) -> None:
    group = _group_of(seed("000"))
    assert {p.suffix for p in group} >= {".txt", ".docx", ".pdf", ".xlsx"}
    for path in group:
        table = _appendix(_read(path))
        assert (table.n_rows, table.n_cols) == (20, 5), path.name
        assert [fold(row[0]) for row in table.texts()[1:19]] == [str(i) for i in range(1, 19)], path.name


def test_seed_000_xlsx_total_is_99_25(seed: Callable[[str], Path]) -> None:
    for path in (p for p in _group_of(seed("000")) if p.suffix == ".xlsx"):
        table = _appendix(_read(path))
        total = table.grid()[_total_row(table)][_column(table, "đạt")]
        assert total is not None and total.value == Decimal("99.25"), path.name


def test_seed_000_row_4_keeps_all_eight_plan_citations(seed: Callable[[str], Path]) -> None:
    """Row 4's evidence is continued on a second line of the seed; every format keeps its eight 'KH số …'."""
    for path in _group_of(seed("000")):
        table = _appendix(_read(path))
        rows = [row for row in table.texts() if fold(row[0]) == "4"]
        assert len(rows) == 1, path.name
        evidence = rows[0][_column(table, "kiểm chứng")]
        assert len(re.findall(r"KH số", evidence)) == 8, f"{path.name}: {evidence!r}"
