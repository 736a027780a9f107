"""Reporting periods: the case table (tests/data/periods.tsv) and the rule that picks a report's period."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor import parse
from extractor.rules.periods import find_periods, ranked_periods, report_period
from extractor.textnorm import normalize_text
from tests.casetables import expected_fields, read_cases


def _rows() -> list[dict[str, str]]:
    return read_cases("periods.tsv")


_expect = expected_fields


def _cases(fn: str) -> list[Any]:
    return [
        pytest.param(r["input"], _expect(r["expect"]), id=f"{r['input'][:40]}|{r['source']}")
        for r in _rows()
        if r["fn"] == fn
    ]


def _list(s: str) -> list[str]:
    return s.split("|") if s else []


def test_case_table_is_well_formed() -> None:
    rows = _rows()
    assert rows and {r["fn"] for r in rows} == {"find_periods", "report_period"}
    assert all(r["expect"] for r in rows)


@pytest.mark.parametrize(("text", "want"), _cases("find_periods"))
def test_find_periods_case(text: str, want: dict[str, str]) -> None:
    default_year = None
    if " @" in text:
        text, year = text.rsplit(" @", 1)
        default_year = int(year)
    text = normalize_text(text)
    found = find_periods(text, default_year=default_year)
    if "count" in want:
        assert len(found) == int(want["count"])
    if "labels" in want:
        assert [p.label for p in found] == _list(want["labels"])
    if "starts" in want:
        assert [str(p.start) for p in found] == _list(want["starts"])
    if "ends" in want:
        assert [str(p.end) for p in found] == _list(want["ends"])
    if "kinds" in want:
        assert [p.kind for p in found] == _list(want["kinds"])
    assert all(text[p.span[0] : p.span[1]] == p.label for p in found)


def _document(spec: str, seed, realdoc):
    if spec.startswith("seed:"):
        return parse(seed(spec.removeprefix("seed:")))
    if spec.startswith("realdoc:"):
        return parse(realdoc(spec.removeprefix("realdoc:")))
    return parse(spec.replace("\\n", "\n").encode("utf-8"), filename="report.txt")


@pytest.mark.parametrize(("spec", "want"), _cases("report_period"))
def test_report_period_case(spec: str, want: dict[str, str], seed, realdoc) -> None:
    doc = _document(spec, seed, realdoc)
    period = report_period(doc)
    if "None" in want:
        assert period is None
        return
    assert period is not None
    assert (period.label, str(period.start), str(period.end)) == (want["label"], want["start"], want["end"])


def test_report_period_label_quotes_the_original(seed) -> None:
    doc = parse(seed("000"))
    best = next(ranked_periods(doc))
    assert best.tier == "title"
    assert doc.norm.quote(*best.match.span) in doc.text


def test_seed_004_names_its_plan_year_yet_reports_on_2025(seed) -> None:
    doc = parse(seed("004"))
    years = {p.year for p in find_periods(doc.norm.text)}
    assert {2025, 2026} <= years
    period = report_period(doc)
    assert period is not None and period.start.year == 2025


_QUARTER_WORDS = {1: "I", 2: "II", 3: "III", 4: "IV"}


@given(st.integers(2000, 2099), st.integers(1, 4), st.booleans())
def test_every_quarter_covers_its_three_months(year: int, quarter: int, roman: bool) -> None:
    q = _QUARTER_WORDS[quarter] if roman else str(quarter)
    (p,) = find_periods(f"Báo cáo quý {q} năm {year}")
    assert p.start == date(year, 3 * quarter - 2, 1)
    assert p.end is not None and p.end.month == 3 * quarter and (p.end.replace(day=1) - p.start).days > 55


@given(st.integers(2000, 2099), st.integers(1, 11), st.sampled_from(["đầu", "cuối"]))
def test_first_and_last_months_of_a_year(year: int, n: int, side: str) -> None:
    (p,) = find_periods(f"{n} tháng {side} năm {year}")
    assert p.start is not None and p.end is not None
    months = p.end.month - p.start.month + 1
    assert months == n and (p.start.month == 1 if side == "đầu" else p.end == date(year, 12, 31))
