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
