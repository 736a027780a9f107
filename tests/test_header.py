"""Document header: kind, number, issuer, commune, place, date, subject, recipient, signer."""

from __future__ import annotations

from datetime import date

import pytest

from extractor import parse
from extractor.rules.header import extract_header

LETTER = """ỦY BAN NHÂN DÂN
PHƯỜNG LÊ CHÂN
Số: 77/UBND-VP
V/v báo cáo kết quả chuyển đổi số
quý III năm 2026

Lê Chân, ngày 05 tháng 10 năm 2026

Kính gửi: Sở Khoa học và Công nghệ

Nội dung báo cáo.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Trần Văn An
"""


def _header(text: str):
    return extract_header(parse(text.encode(), filename="x.txt"))


def test_full_letter_header() -> None:
    h = _header(LETTER)
    info = h.info
    assert (info.kind, info.number, info.symbol) == ("cong_van", "77/UBND-VP", "UBND-VP")
    assert (info.issuer, info.commune, info.place) == ("UBND phường Lê Chân", "Lê Chân", "Lê Chân")
    assert info.date == date(2026, 10, 5)
    assert info.subject == "báo cáo kết quả chuyển đổi số quý III năm 2026"
    assert info.recipient == "Sở Khoa học và Công nghệ"
    assert (info.signer, info.signer_title) == ("Trần Văn An", "CHỦ TỊCH")
    assert h.locations["number"].quote == "Số: 77/UBND-VP"
    assert h.locations["signer"].quote == "Trần Văn An"


@pytest.mark.parametrize(
    ("first_lines", "kind"),
    [
        ("Số: 12/BC-UBND\n\nBÁO CÁO\nKết quả", "bao_cao"),
        ("Số: 3/KH-UBND\n\nKẾ HOẠCH\nTriển khai", "ke_hoach"),
        ("Số: 9/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc", "quyet_dinh"),
        ("Số: 4/TTr-UBND\n\nTỜ TRÌNH\nVề việc", "to_trinh"),
        ("THÔNG BÁO\nKết luận của Chủ tịch", "thong_bao"),
    ],
)
def test_kind_from_symbol_or_title(first_lines: str, kind: str) -> None:
    assert _header(first_lines + "\n").info.kind == kind


def test_draft_has_blank_number_and_date_read_as_none() -> None:
    h = _header("Số: /TB-UBND\n\nNghi Dương, ngày tháng năm 2026\n\nTHÔNG BÁO\nKết luận\n")
    assert h.info.number is None and h.number_blank
    assert h.info.date is None and h.date_blank
    assert h.info.symbol == "TB-UBND"


def test_signer_with_deputy_and_delegation_lines() -> None:
    h = _header("Nội dung.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nĐoàn Văn Cát\n")
    assert (h.info.signer, h.info.signer_title) == ("Đoàn Văn Cát", "PHÓ CHỦ TỊCH")


def test_a_head_signing_in_their_own_name_with_no_mark() -> None:
    h = _header("Nội dung.\n\nGIÁM ĐỐC\n\n\nNguyễn Văn An\n")
    assert (h.info.signer, h.info.signer_title) == ("Nguyễn Văn An", "GIÁM ĐỐC")


def test_a_rank_is_not_part_of_the_name_and_marks_a_signature_after_the_recipients() -> None:
    text = "Nội dung.\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nThiếu tướng Trương Minh Đương\n"
    h = _header("Nội dung.\nGIÁM ĐỐC\n" + text)
    assert (h.info.signer, h.info.signer_title) == ("Trương Minh Đương", "GIÁM ĐỐC")
    assert h.locations["signer"].quote == "Trương Minh Đương"
    assert _header(text).info.signer == "Trương Minh Đương"
    # a rank in a sentence is no signature
    assert _header("Đồng chí Đại tá Nguyễn Văn Bình phụ trách.\n").info.signer is None


def test_a_scans_marks_of_signature_and_seal_do_not_end_the_block() -> None:
    """What OCR reads of a handwritten signature and a red seal between the title and the name."""
    h = _header("Nội dung.\nCHỦ TỊCH\nNơi nhận:\n- Như trên;\n- Lưu: VT, NC.\n1\n-\nTê\n“GÀ\n\\\nNguyễn Nhân Bản\n")
    assert (h.info.signer, h.info.signer_title) == ("Nguyễn Nhân Bản", "CHỦ TỊCH")
    # a head's title with a scan's marks after it is that title
    h = _header("Nội dung.\nGIÁM ĐÓC ' Xi\n- Như trên;\nThiêu tướng Trương Minh Đương\n")
    assert (h.info.signer, h.info.signer_title) == ("Trương Minh Đương", "GIÁM ĐÓC")


def test_seed_000_header(seed) -> None:
    info = extract_header(parse(seed("000"))).info
    assert (info.number, info.date, info.kind) == ("1498/UBND-VHXH", date(2026, 6, 12), "cong_van")
    assert (info.commune, info.signer) == ("Nguyễn Lương Bằng", "Đoàn Văn Cát")


@pytest.mark.parametrize("prefix", ["001", "002", "003"])
def test_seed_drafts_have_null_number_and_date(seed, prefix: str) -> None:
    h = extract_header(parse(seed(prefix)))
    assert h.info.number is None and h.number_blank
    assert h.info.date is None and h.date_blank
    assert h.info.commune and h.info.signer


def test_province_issues_without_a_commune() -> None:
    h = _header("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: /BC-UBND\n\nLâm Đồng, ngày    tháng 12 năm 2025\n\nBÁO CÁO\nX\n")
    assert (h.info.issuer, h.info.commune) == ("UBND tỉnh Lâm Đồng", None)
    assert h.info.date is None and h.date_blank


def test_a_citation_with_a_date_is_not_the_place_and_date_line() -> None:
    h = _header("BÁO CÁO\nKết quả\n\nThực hiện Quyết định số 06/QĐ-TTg, ngày 06/01/2022 của Thủ tướng.\n")
    assert h.info.date is None and h.info.place is None


def test_numeric_date_in_the_place_line() -> None:
    h = _header("Số: 5/UBND-VP\n\nXã An Hòa, ngày 12/6/2026\n\nV/v báo cáo\n")
    assert h.info.date == date(2026, 6, 12) and h.info.place == "Xã An Hòa"


@pytest.mark.parametrize(
    ("first_lines", "kind"),
    [
        ("Phụ lục II:\nHƯỚNG DẪN TỰ ĐÁNH GIÁ\nSTT\tNội dung", "phu_luc"),
        ("PHẦN B\nPHỤ LỤC DÀNH CHO CÁC TỈNH,\nTHÀNH PHỐ", "phu_luc"),
        ("Phụ lục VII\nKẾT QUẢ ĐÁNH GIÁ", "phu_luc"),
        ("Bảng 2\nCHỈ SỐ CẢI CÁCH\n(Ban hành kèm theo Quyết định số /QĐ-BNV ngày tháng năm 2025)", "phu_luc"),
        ("Số: 15/2025/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc", "quyet_dinh"),  # a year before the kind code
        ("ĐẢNG ỦY XÃ AN HÒA\nSố 12-KH/ĐU\nKẾ HOẠCH\nThực hiện", "ke_hoach"),  # the Party's form
        ("PHỤ LỤC\nKẾT QUẢ\n- Đề án 07-ĐA/ĐU - TB\nsố 04-TB/BCĐ ngày 27/3/2026", "phu_luc"),  # a wrapped line
        ("Số: /B C-UBND\nLâm Đồng, ngày tháng 12 năm 2025\nBÁO CÁO\nCông tác", "bao_cao"),  # the title decides
        ("Số: /GM-UBND\nGIẤY MỜI\nThực hiện", "other"),  # a kind the contract does not name
        ("Số: 06-4/26/PT-PNC\nPHIẾU TRÌNH\nKính gửi:", "other"),
        ("Số: 7/UBND-VP\nV/v báo cáo\n\nNội dung.\n\nPHỤ LỤC\nKẾT QUẢ", "cong_van"),  # a letter with its appendix
        ("BÁO CÁO\nKết quả\n\nPhụ lục kèm theo công văn này.", "bao_cao"),
        ("Nội dung\nPhụ lục kèm theo công văn này.", "other"),  # a sentence, not a title
    ],
)
def test_kinds_of_appendices_and_other_documents(first_lines: str, kind: str) -> None:
    assert _header(first_lines + "\n").info.kind == kind


def test_a_symbol_whose_letters_the_text_layer_spaced_is_joined() -> None:
    info = _header("Số: 329 /B C-UBND\nLâm Đồng, ngày 19 tháng 12 năm 2025\nBÁO CÁO\nCông tác\n").info
    assert (info.number, info.symbol, info.kind) == ("329/BC-UBND", "BC-UBND", "bao_cao")
    info = _header("Số: /BNV-CCHC Hà Nội, ngày tháng năm 2025\nV/v cập nhật\n").info
    assert (info.symbol, info.kind) == ("BNV-CCHC", "cong_van")


def test_a_compound_number_is_kept_whole() -> None:
    info = _header("Số: 06-4/26/PT-PNC\nPHIẾU TRÌNH\n").info
    assert (info.number, info.symbol, info.number_source) == ("06-4/26/PT-PNC", "26/PT-PNC", "text")


def test_fact_sources_are_text_when_read_from_the_page() -> None:
    info = _header(LETTER).info
    assert (info.number_source, info.date_source) == ("text", "text")
    blank = _header("Số: /TB-UBND\n\nNghi Dương, ngày tháng năm 2026\n\nTHÔNG BÁO\nX\n").info
    assert (blank.number_source, blank.date_source) == (None, None)


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        *[(p, "phu_luc") for p in ("03_", "05_", "09_", "59_", "42_", "56_")],
        *[("45_", "other"), ("47_", "other"), ("01_", "bao_cao"), ("13_", "bao_cao")],
    ],
)
def test_kinds_of_real_documents(realdoc, prefix: str, kind: str) -> None:
    assert extract_header(parse(realdoc(prefix))).info.kind == kind


def test_a_date_and_a_commune_wrapped_by_a_narrow_header_column_are_read_whole() -> None:
    wrapped = LETTER.replace("PHƯỜNG LÊ CHÂN", "PHƯỜNG LÊ\nCHÂN").replace(
        "ngày 05 tháng 10 năm 2026", "ngày 05 tháng 10\nnăm 2026"
    )
    info = _header(wrapped).info
    assert (info.commune, info.issuer) == ("Lê Chân", "UBND phường Lê Chân")
    assert info.date == date(2026, 10, 5)


def test_a_title_under_the_commune_line_is_not_part_of_its_name() -> None:
    text = "ỦY BAN NHÂN DÂN\nXÃ TÂN TIẾN\nPHỤ LỤC\nKẾT QUẢ TỰ CHẤM ĐIỂM\n"
    assert _header(text).info.commune == "Tân Tiến"
    text = "ỦY BAN NHÂN DÂN\nXÃ TÂN TIẾN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    assert _header(text).info.commune == "Tân Tiến"
