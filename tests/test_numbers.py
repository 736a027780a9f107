"""Vietnamese numbers: the case table (tests/data/numbers.tsv), spans on the seeds, and round trips."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor import parse
from extractor.rules.fractions import find_fractions
from extractor.rules.numbers import find_numbers, find_ranges, read_number
from extractor.rules.points import read_points, read_points_cell
from extractor.textnorm import normalize_text
from tests.casetables import expected_fields, read_cases


def _rows() -> list[dict[str, str]]:
    return read_cases("numbers.tsv")


_expect = expected_fields


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def _cases(fn: str) -> list[Any]:
    return [
        pytest.param(_unescape(r["input"]), r["context"], _expect(r["expect"]), id=f"{r['input'][:40]}|{r['source']}")
        for r in _rows()
        if r["fn"] == fn
    ]


def _dec(s: str) -> Decimal | None:
    return None if s == "None" else Decimal(s)


def _list(s: str) -> list[str]:
    return s.split("|") if s else []


def test_case_table_is_well_formed() -> None:
    rows = _rows()
    fns = {"read_number", "find_numbers", "find_fractions", "find_ranges", "read_points"}
    assert rows and all(r["fn"] in fns and r["expect"] for r in rows)
    assert {r["fn"] for r in rows} == fns


@pytest.mark.parametrize(("token", "context", "want"), _cases("read_number"))
def test_read_number_case(token: str, context: str, want: dict[str, str]) -> None:
    r = read_number(token, context)
    if "None" in want:
        assert r is None
        return
    assert r is not None
    assert r.reason
    for key, value in want.items():
        if key in ("value", "scaled"):
            assert getattr(r, key) == Decimal(value), key
        elif key == "decimals":
            assert -int(r.value.as_tuple().exponent) == int(value)
        elif key == "magnitude":
            assert r.magnitude == int(value)
        elif key == "ambiguous":
            assert r.ambiguous is (value == "True")
        else:
            assert str(getattr(r, key)) == value, key


@pytest.mark.parametrize(("text", "context", "want"), _cases("find_numbers"))
def test_find_numbers_case(text: str, context: str, want: dict[str, str]) -> None:
    text = normalize_text(text)
    found = find_numbers(text)
    assert [n.value for n in found] == [Decimal(v) for v in _list(want["values"])]
    if "units" in want:
        assert [str(n.unit) for n in found] == _list(want["units"])
    if "readings" in want:
        assert [n.reading for n in found] == _list(want["readings"])
    if "texts" in want:
        assert [n.text for n in found] == _list(want["texts"])
    assert all(text[n.start : n.end] == n.text for n in found)


@pytest.mark.parametrize(("text", "context", "want"), _cases("find_fractions"))
def test_find_fractions_case(text: str, context: str, want: dict[str, str]) -> None:
    text = normalize_text(text)
    found = find_fractions(text)
    pairs = [(f.numerator.value, f.denominator.value) for f in found]
    assert pairs == [tuple(Decimal(x) for x in v.split("/")) for v in _list(want["fractions"])]
    if "percents" in want:
        assert [f.percent.value if f.percent else None for f in found] == [_dec(v) for v in _list(want["percents"])]
    if "forms" in want:
        assert [f.form for f in found] == _list(want["forms"])
    if "units" in want:
        assert all(f.numerator.unit == f.denominator.unit == want["units"] for f in found)
    assert all(text[f.start : f.end] == f.text for f in found)


@pytest.mark.parametrize(("text", "context", "want"), _cases("find_ranges"))
def test_find_ranges_case(text: str, context: str, want: dict[str, str]) -> None:
    found = find_ranges(normalize_text(text))
    assert [f"{r.low.value}-{r.high.value}" for r in found] == _list(want["ranges"])
    if "units" in want:
        assert all(r.low.unit == r.high.unit == want["units"] for r in found)


@pytest.mark.parametrize(("cell", "context", "want"), _cases("read_points"))
def test_read_points_case(cell: str, context: str, want: dict[str, str]) -> None:
    r = read_points_cell(cell)
    assert r.value == _dec(want["value"])
    assert read_points(cell) == r.value
    assert r.reason
    if "max" in want:
        assert r.max == _dec(want["max"])
    if "reading" in want:
        assert r.reading == want["reading"]
    if "reason" in want:
        assert want["reason"] in r.reason


def test_a_range_is_not_read_as_numbers() -> None:
    text = "Duy trì chuyên mục (phát 3-5 tin/bài/tuần), đăng 35 tin"
    assert [n.value for n in find_numbers(text)] == [Decimal(35)]


def test_seed_numbers_quote_the_original_text(seed) -> None:
    doc = parse(seed("002"))
    found = find_numbers(doc.norm.text)
    assert len(found) > 40
    for n in found:
        quote = doc.norm.quote(n.start, n.end)
        assert normalize_text(quote) == n.text


def test_seed_004_fractions_agree_with_their_stated_percentages(seed) -> None:
    doc = parse(seed("004"))
    stated = [f for f in find_fractions(doc.norm.text) if f.percent is not None]
    assert len(stated) >= 3
    for f in stated:
        assert f.ratio_percent is not None and f.percent is not None
        assert abs(f.ratio_percent - f.percent.value) < 1  # the report's own rounding


def test_seed_000_score_cells_sum_to_the_claimed_total(seed) -> None:
    (table,) = parse(seed("000")).tables
    rows = table.texts()
    scores = [read_points(r[-1]) for r in rows if r[0].strip().isdigit()]
    assert len(scores) == 18 and None not in scores
    reading = read_points_cell(next(r[-1] for r in rows if "TỔNG ĐIỂM" in r[0]))
    assert reading.max == 100
    assert sum(s for s in scores if s is not None) == reading.value


# --- round trips -------------------------------------------------------------------------------------


def _write(value: Decimal, thousands: str, decimal: str) -> str:
    """ "1234567.5" -> "1.234.567,5" (Vietnamese) or "1,234,567.5" (decimal dot)."""
    whole, _, frac = f"{value:f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = thousands.join([whole, *groups])
    return f"{text}{decimal}{frac}" if frac else text


_amounts = st.decimals(min_value=0, max_value=Decimal(10) ** 12, places=0, allow_nan=False, allow_infinity=False)
_decimals = st.integers(1, 4).flatmap(
    lambda p: st.decimals(min_value=0, max_value=Decimal(10) ** 9, places=p, allow_nan=False, allow_infinity=False)
)
_percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
_scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(_amounts)
def test_vietnamese_whole_numbers_round_trip(value: Decimal) -> None:
    r = read_number(_write(value, ".", ","))
    assert r is not None and r.value == value
    assert r.reading in ("integer", "thousands_dot")


@given(_decimals)
def test_vietnamese_decimals_round_trip(value: Decimal) -> None:
    r = read_number(_write(value, ".", ","))
    assert r is not None and r.value == value
    assert r.value.as_tuple().exponent == value.as_tuple().exponent  # "8,00" keeps its two places


@given(_percents, st.sampled_from(["%", " %"]))
def test_vietnamese_percentages_round_trip(value: Decimal, sign: str) -> None:
    r = read_number(_write(value, ".", ",") + sign)
    assert r is not None and r.value == value and r.unit == "%"


@given(_amounts, st.sampled_from(["hồ sơ", "giao dịch", "người", "trường hợp"]))
def test_counts_round_trip_in_either_grouping(value: Decimal, noun: str) -> None:
    for thousands in (".", ","):
        r = read_number(f"{_write(value, thousands, ',')} {noun}")
        assert r is not None and r.value == value and r.unit == "count"


@given(_scores, st.sampled_from([",", "."]))
def test_two_decimal_scores_round_trip(value: Decimal, decimal: str) -> None:
    cell = _write(value.quantize(Decimal("0.01")), "", decimal)
    got = read_points(cell)
    assert got == value and got is not None and got.as_tuple().exponent == -2


@given(st.decimals(min_value=0, max_value=Decimal(10) ** 9, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_dot_forms_round_trip_beside_decimal_dot_neighbours(value: Decimal) -> None:
    r = read_number(_write(value, ",", "."), context="Tỷ lệ hồ sơ trực tuyến 71.2%, thanh toán 76.5%")
    assert r is not None and r.value == value


@given(_amounts, _percents)
def test_numbers_are_found_in_a_sentence(count: Decimal, rate: Decimal) -> None:
    text = (
        f"Ngày 22/01/2026, KH số 18/KH-UBND: tiếp nhận {_write(count, '.', ',')} hồ sơ, đạt {_write(rate, '.', ',')}%."
    )
    found = find_numbers(text)
    assert [(n.value, n.unit) for n in found] == [(count, "count"), (rate, "%")]
