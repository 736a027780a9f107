"""Cells read as their meaning: line wraps folded in header and score cells, and PDF tables drawn without
rules between their rows read back as rows (the fixes the rendering matrix asked for)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from extractor import parse
from extractor.rules.points import read_points_cell
from extractor.rules.scorecard import column_role, read_scorecard, unwrap_stt

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.parametrize(
    ("text", "value", "top"),
    [
        ("97,45/1\n00", "97.45", "100"),  # wrapped inside the number by a narrow column
        ("97,45 /1\n00", "97.45", "100"),
        ("99,2\n5", "99.25", None),
        ("99,25/\n100", "99.25", "100"),
        ("66,50\nđiểm", "66.50", None),  # wrapped at the space: read as before
        ("4,63", "4.63", None),
    ],
)
def test_a_score_wrapped_inside_its_number_is_read_whole(text: str, value: str, top: str | None) -> None:
    reading = read_points_cell(text)
    assert reading.value == Decimal(value)
    assert reading.max == (Decimal(top) if top else None)
    assert reading.text == text  # the reading still quotes the cell as written


@pytest.mark.parametrize("text", ["5\n4,5", "9\n7,45", "100\n100", "5\n5", "4,5\nđạt"])
def test_two_lines_that_cannot_be_one_wrapped_number_stay_unread(text: str) -> None:
    """A short first line, a longer last one, or two whole numbers: not one word cut by the cell's edge."""
    assert read_points_cell(text).value is None


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("ST\nT", "stt"),
        ("S\nT\nT", "stt"),
        ("T\nT", "stt"),
        ("Số TT", "stt"),
        ("Số\nTT", "stt"),
        ("Điểm\ntối đa", "max"),
        ("Điể\nm tối\nđa", "max"),
        ("Điểm Thang điểm", "max"),
        ("Điểm\ntự\nchấm", "claimed"),
        ("Tài\nliệu\nkiểm\nchứng", "evidence"),
        ("Nội\ndung\ntiêu\nchí", "title"),
        ("Ghi chú", "note"),
        ("Đơn vị", None),
    ],
)
def test_a_column_is_recognised_by_its_wrapped_label(label: str, role: str | None) -> None:
    assert column_role(label) == role


def test_an_stt_wrapped_in_a_narrow_column_is_one_number() -> None:
    assert unwrap_stt("1.1.\n2") == "1.1.2"
    assert unwrap_stt("1\n8") == "18"
    assert unwrap_stt("17") == "17"
    assert unwrap_stt("Ghi\nchú") == "Ghi\nchú"


def test_a_scorecard_with_wrapped_labels_and_total_is_read() -> None:
    """Header cells typed with line breaks ("ST\\nT", "Điểm\\ntối đa"), the total "TỔNG ĐIỂ\\nM", "97,45/1\\n00"."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ST\nT", "Tiêu\nchí", "Điểm\ntối đa", "Điểm\nđạt"])
    ws.append([1, "Ban hành kế hoạch chuyển đổi số", 50, 48.5])
    ws.append([2, "Hệ thống tường lửa", 50, 48.95])
    ws.append(["TỔNG ĐIỂ\nM", None, None, "97,45/1\n00"])
    ws.merge_cells("A4:C4")
    data = io.BytesIO()
    wb.save(data)
    card = read_scorecard(parse(data.getvalue(), filename="phu-luc.xlsx"))
    assert card is not None
    assert [(r.stt, r.claimed_points) for r in card.rows] == [("1", Decimal("48.5")), ("2", Decimal("48.95"))]
    assert (card.claimed_total, card.max_total) == (Decimal("97.45"), Decimal("100"))
    assert card.total_text == "97,45/1\n00"  # quoted as written


def _unruled_table_pdf(rows: int) -> bytes:
    """A table whose column rules run down each page with no rule between body rows (nor at the page
    break), over two pages, its header repeated."""
    fpdf = pytest.importorskip("fpdf")
    if not DEJAVU.exists():
        pytest.skip(f"{DEJAVU} is absent (Debian fonts-dejavu-core)")
    pdf = fpdf.FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("d", "", str(DEJAVU))
    pdf.set_font("d", "", 11)
    xs = [20.0, 35.0, 150.0, 190.0]
    head = ["STT", "Tiêu chí", "Điểm đạt"]
    r = 0
    while r < rows:
        pdf.add_page()
        y = 20.0
        for x0, x1, text in zip(xs, xs[1:], head, strict=False):
            pdf.rect(x0, y, x1 - x0, 8)
            pdf.text(x0 + 1.5, y + 5.5, text)
        y += 8
        top = y
        while r < rows and y < 260:
            r += 1
            for x0, text in zip(xs, [str(r), f"Tiêu chí số {r}", f"{r % 5},5"], strict=False):
                pdf.text(x0 + 1.5, y + 5.5, text)
            pdf.text(xs[1] + 1.5, y + 10.5, "dòng thứ hai của tiêu chí")
            y += 13
        for x in xs:
            pdf.line(x, top, x, y)
        if r == rows:
            pdf.line(xs[0], y, xs[-1], y)
    out = pdf.output()
    for font in pdf.fonts.values():
        font.ttfont.close()
    return bytes(out)


def test_rows_drawn_without_rules_between_them_are_read_back_as_rows() -> None:
    doc = parse(_unruled_table_pdf(30), filename="bang.pdf")
    assert len(doc.tables) == 1
    texts = doc.tables[0].texts()
    assert texts[0] == ["STT", "Tiêu chí", "Điểm đạt"]
    assert [row[0] for row in texts[1:]] == [str(r) for r in range(1, 31)]
    assert texts[7] == ["7", "Tiêu chí số 7\ndòng thứ hai của tiêu chí", "2,5"]
