"""Rows match their criteria by STT and by Vietnamese fuzzy title, whatever the abbreviations or order."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.rules.match import Candidate, match_titles, tokens
from extractor.rules.rubric import load_rubric

VARIANTS = [
    tuple(line.split("\t"))
    for line in (Path(__file__).parent / "data" / "title_variants.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


@pytest.fixture(scope="module")
def rubric():
    return load_rubric()


def _candidates(rubric):
    return [Candidate(c.id, (c.title, *c.aliases)) for c in rubric.criteria]


@pytest.mark.parametrize(("title", "expected"), VARIANTS)
def test_title_variant_matches_its_criterion_without_stt(rubric, title: str, expected: str) -> None:
    (m,) = match_titles([(None, title)], _candidates(rubric), {})
    assert m.key == (expected or None), f"{title!r} -> {m.key} ({m.score:.2f})"


def test_abbreviations_expand_and_typos_fold() -> None:
    assert tokens("Cổng TTĐT có tin bài về CĐS") == tokens("Công thông tin điện tử tin bài chuyển đổi số")


def test_reordered_and_renumbered_rows_still_match(rubric) -> None:
    rows = [(str(i + 1), c.title) for i, c in enumerate(reversed(rubric.criteria))]
    matches = match_titles(rows, _candidates(rubric), {c.stt: c.id for c in rubric.criteria})
    assert [m.key for m in matches] == [c.id for c in reversed(rubric.criteria)]


def test_stt_alone_does_not_match_an_unrelated_title(rubric) -> None:
    (m,) = match_titles([("10", "Xây dựng nông thôn mới")], _candidates(rubric), {"10": "C10"})
    assert m.key is None
