"""Rubrics are data: the shipped scheme validates, and a broken file is refused naming the bad key."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from extractor.errors import RubricError
from extractor.rules.rubric import DEFAULT_RUBRIC, list_rubrics, load_rubric, parse_rubric, rubric_path


def _data() -> dict:
    return tomllib.loads(rubric_path(DEFAULT_RUBRIC).read_text(encoding="utf-8"))


def test_quarterly_scheme_has_18_criteria_worth_100() -> None:
    r = load_rubric()
    assert len(r.criteria) == 18
    assert sum(c.max_points for c in r.criteria) == Decimal(100) == r.total_points
    assert r.pass_threshold == Decimal(70)
    ten = [c.stt for c in r.criteria if c.max_points == 10]
    assert ten == ["8", "15"]
    assert all(r.unit_name(c) for c in r.criteria), "every criterion has a responsible unit"


def test_every_shipped_rubric_loads() -> None:
    assert [r.id for r in list_rubrics()] == sorted(p.stem for p in rubric_path("x").parent.glob("*.toml"))


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["criteria"][3].__setitem__("max_points", "năm"), "criteria[3].max_points"),
        (lambda d: d["criteria"][5].__setitem__("method", "guess"), "criteria[5].method"),
        (lambda d: d["criteria"][0].__setitem__("window", "decade"), "criteria[0].window"),
        (lambda d: d["criteria"][1].__setitem__("id", "C01"), "criteria[1].id"),
        (lambda d: d["criteria"][2].__setitem__("colour", "red"), "criteria[2].colour"),
        (lambda d: d.__setitem__("total_points", "90"), "total_points"),
        (lambda d: d["criteria"][4].__setitem__("unit", "NOWHERE"), "criteria[4].unit"),
    ],
)
def test_invalid_rubric_names_the_bad_key(mutate, key: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(RubricError) as info:
        parse_rubric(data, "test.toml")
    assert key in info.value.message_vi and key in info.value.message_en


def test_unknown_rubric_name_is_a_rubric_error() -> None:
    with pytest.raises(RubricError):
        load_rubric("no-such-scheme")
