"""An appendix sent alone: its caption "(Kèm theo Công văn số … ngày … của UBND …)" gives the parent document
and the appendix's number, date, issuer and commune; its own title gives the period. In text, XLSX and DOCX."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pytest

from extractor import parse
from extractor.extract import extract
from extractor.rules.header import extract_header

TITLE = "KẾT QUẢ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, CHUYỂN ĐỔI SỐ - QUÝ III NĂM 2026"
CAPTION = "(Kèm theo Công văn số 1730/UBND-VP ngày 02/10/2026 của UBND phường Hòa Bình)"
ROWS = [("STT", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm"), ("1", "Chỉ đạo chuyển đổi số", "5", "5")]


def _text(*lines: str) -> str:
    table = "\n".join("\t".join(r) for r in ROWS)
    return "\n".join(lines) + "\n\n" + table + "\n"


def _from_text(text: str):
    return extract(parse(text.encode(), filename="phu-luc.txt")).report.document


def _xlsx(*caption_rows: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    for line in caption_rows:
        ws.append([line])
    ws.append([])
    for row in ROWS:
        ws.append([int(c) if c.isdigit() else c for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx(*paragraphs: str) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for i, row in enumerate(ROWS):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _assert_hoa_binh(info) -> None:
    assert info.kind == "phu_luc"
    assert (info.number, info.number_source) == ("1730/UBND-VP", "caption")
    assert (info.date, info.date_source) == (date(2026, 10, 2), "caption")
    assert (info.issuer, info.commune) == ("UBND phường Hòa Bình", "Hòa Bình")
    parent = info.parent
    assert parent is not None
    assert (parent.kind, parent.number, parent.date) == ("cong_van", "1730/UBND-VP", date(2026, 10, 2))
    assert parent.issuer == "UBND phường Hòa Bình"
    assert parent.location is not None and parent.location.quote.startswith("(Kèm theo Công văn số 1730")
    assert info.period is not None and (info.period.start, info.period.end) == (date(2026, 7, 1), date(2026, 9, 30))


def test_text_appendix_alone_takes_its_facts_from_the_caption() -> None:
    _assert_hoa_binh(_from_text(_text("PHỤ LỤC I", TITLE, CAPTION)))


def test_xlsx_caption_rows_give_the_facts() -> None:
    doc = parse(_xlsx("PHỤ LỤC", TITLE, CAPTION), filename="phu-luc.xlsx")
    _assert_hoa_binh(extract(doc).report.document)


def test_docx_paragraph_above_the_table_gives_the_facts() -> None:
    doc = parse(_docx("Phụ lục I", TITLE, CAPTION), filename="phu-luc.docx")
    _assert_hoa_binh(extract(doc).report.document)


def test_caption_over_two_lines_with_the_date_in_words() -> None:
    info = _from_text(
        _text(
            "PHỤ LỤC",
            TITLE,
            "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 02 tháng 10 năm 2026",
            "của Chủ tịch Ủy ban nhân dân xã Tân Tiến)",
        )
    )
    assert (info.kind, info.number, info.date) == ("phu_luc", "12/QĐ-UBND", date(2026, 10, 2))
    assert (info.issuer, info.commune) == ("UBND xã Tân Tiến", "Tân Tiến")
    assert info.parent is not None and info.parent.kind == "quyet_dinh"
    assert info.parent.issuer == "Chủ tịch Ủy ban nhân dân xã Tân Tiến"


def test_caption_without_an_issuer_takes_the_commune_from_the_title() -> None:
    info = _from_text(
        _text("PHỤ LỤC", "KẾT QUẢ CHẤM ĐIỂM UBND XÃ TÂN TIẾN - QUÝ III NĂM 2026", "(Kèm theo Báo cáo số 329/BC-UBND)")
    )
    assert (info.kind, info.number, info.date, info.date_source) == ("phu_luc", "329/BC-UBND", None, None)
    assert (info.issuer, info.commune) == ("UBND xã Tân Tiến", "Tân Tiến")
    assert info.parent is not None and (info.parent.kind, info.parent.issuer) == ("bao_cao", None)


def test_a_province_caption_names_no_commune() -> None:
    info = _from_text(_text("Phụ lục II", TITLE, "(Kèm theo Công văn số 88/SKHCN-CNTT ngày 02/10/2026 của Sở Nội vụ)"))
    assert (info.kind, info.issuer, info.commune) == ("phu_luc", "Sở Nội vụ", None)


def test_blank_number_and_day_in_the_caption_stay_none() -> None:
    info = _from_text(_text("Phụ lục II", TITLE, "(Kèm theo Công văn số    /UBND-VP ngày   tháng 10 năm 2026)"))
    assert info.kind == "phu_luc" and info.parent is not None
    assert (info.number, info.number_source, info.date, info.date_source) == (None, None, None, None)


def test_a_cover_letter_keeps_its_own_number() -> None:
    letter = (
        "ỦY BAN NHÂN DÂN\nPHƯỜNG HÒA BÌNH\nSố: 1731/UBND-VP\nHòa Bình, ngày 03 tháng 10 năm 2026\n"
        "V/v báo cáo kết quả chuyển đổi số quý III năm 2026\n\nNội dung.\n\nPHỤ LỤC\n" + TITLE + "\n" + CAPTION + "\n"
    )
    info = extract_header(parse(letter.encode(), filename="cv.txt")).info
    assert (info.kind, info.number, info.number_source) == ("cong_van", "1731/UBND-VP", "text")
    assert (info.date, info.date_source, info.parent) == (date(2026, 10, 3), "text", None)


def test_seed_000_letter_and_its_xlsx_appendix_agree() -> None:
    from tests.conftest import SAMPLES

    path = SAMPLES / "000_phu-luc.xlsx"
    if not path.exists():
        pytest.skip("samples/000_phu-luc.xlsx is absent (./dev samples makes it)")
    info = extract(parse(path)).report.document
    assert (info.kind, info.number, info.date) == ("phu_luc", "1498/UBND-VHXH", date(2026, 6, 12))
    assert (info.commune, info.number_source) == ("Nguyễn Lương Bằng", "caption")


@pytest.mark.parametrize(
    ("prefix", "parent_kind", "issuer"),
    [("03_", "cong_van", "Sở Nội vụ"), ("09_", "quyet_dinh", "UBND tỉnh Lâm Đồng"), ("59_", "cong_van", "Bộ Nội vụ")],
)
def test_real_appendices_name_their_unissued_parent(realdoc, prefix: str, parent_kind: str, issuer: str) -> None:
    info = extract_header(parse(realdoc(prefix))).info
    assert info.kind == "phu_luc" and info.parent is not None
    assert (info.parent.kind, info.parent.number, info.parent.date) == (parent_kind, None, None)
    assert (info.issuer, info.commune, info.number) == (issuer, None, None)


def test_a_report_attached_to_a_submission_names_it_but_keeps_its_own_facts() -> None:
    info = _from_text(_text("BÁO CÁO", "Kết quả chuyển đổi số quý III năm 2026", "(Kèm theo Tờ trình số 5/TTr-UBND)"))
    assert info.kind == "bao_cao" and info.parent is not None and info.parent.kind == "to_trinh"
    assert (info.number, info.number_source) == (None, None)
