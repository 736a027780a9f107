"""Vietnamese dates: written forms, blanks in drafts, and what is not a date."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.rules.dates import find_dates, parse_date

CASES = [
    ("ngày 22/01/2026", date(2026, 1, 22)),
    ("ngày 15 tháng 10 năm 2025", date(2025, 10, 15)),
    ("Xã Nguyễn Lương Bằng, ngày 12 tháng 6 năm 2026", date(2026, 6, 12)),
    ("ngày15 / 12/2025", date(2025, 12, 15)),
    ("ngày15 tháng10 năm 2025", date(2025, 10, 15)),
    ("31-12-2025", date(2025, 12, 31)),
    ("01.4.2025", date(2025, 4, 1)),
    ("ngày 31/02/2026", None),  # impossible: read as no date, never corrected
    ("Nghi Dương, ngày tháng năm 2026", None),  # blank: a draft
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_blank_date_is_found_as_blank_with_its_year() -> None:
    (m,) = find_dates("Đại Sơn, ngày       tháng      năm 2025")
    assert m.blank and m.value is None and m.year == 2025


@pytest.mark.parametrize("text", ["3.579/3.579 hồ sơ", "số 42/2022/NĐ-CP", "tháng 3/2026", "18/KH-UBND", "99,25/100"])
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize("text", ["ngày    tháng 12 năm 2025", "ngày      /01/2026"])
def test_partly_blank_dates_are_blank(text: str) -> None:
    (m,) = find_dates(text)
    assert m.blank and m.value is None
