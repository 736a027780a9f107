"""Shapes real appendices take that a first reading got wrong: each case is a small edit of seed 000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor import parse
from extractor.audit import audit_document


@pytest.fixture
def base(seed) -> str:
    return seed("000").read_text(encoding="utf-8")


def _audit(text: str):
    return audit_document(parse(text.encode(), filename="x.txt"))


def _serious(report) -> set[str]:
    return {f.code for f in report.findings if f.severity != "info"}


def _row_line(text: str, stt: str) -> int:
    lines = text.split("\n")
    return next(i for i, line in enumerate(lines) if line.startswith(f"{stt}\t"))


def _set_claim(text: str, stt: str, value: str) -> str:
    lines = text.split("\n")
    i = _row_line(text, stt)
    cells = lines[i].split("\t")
    cells[4] = value
    lines[i] = "\t".join(cells)
    return "\n".join(lines)


def test_a_target_in_the_evidence_is_not_the_achieved_rate(base: str) -> None:
    text = base.replace("thực hiện toàn trình đạt 93,4%", "thực hiện toàn trình (chỉ tiêu giao ≥ 80%) đạt 93,4%")
    report = _audit(text)
    assert "RATIO_SCORE_MISMATCH" not in _serious(report)
    (row,) = [r for r in report.scorecard.rows if r.stt == "13"]
    assert row.recomputed_points == Decimal("4.67")


def test_a_rate_over_100_percent_is_capped(base: str) -> None:
    report = _audit(base.replace("Thanh toán trực tuyến phí, lệ phí đạt 99,4%", "Thanh toán trực tuyến đạt 105%"))
    (row,) = [r for r in report.scorecard.rows if r.stt == "11"]
    assert row.recomputed_points == Decimal(5)


def test_threshold_words_are_not_a_stated_verdict(base: str) -> None:
    text = base.replace("(Đạt yêu cầu - ngưỡng đạt", "(ngưỡng đạt yêu cầu là").replace(
        "99,25/100 điểm (", "65/100 điểm ("
    )
    report = _audit(text)
    assert report.scorecard.claimed_verdict is None
    assert "VERDICT_MISMATCH" not in _serious(report)


def test_an_empty_points_cell_is_invalid_not_silent(base: str) -> None:
    report = _audit(_set_claim(base, "6", ""))
    (invalid,) = [f for f in report.findings if f.code == "INVALID_POINTS"]
    assert "để trống" in invalid.message and invalid.location.row == 6


@pytest.mark.parametrize("numbering", ["(1)\t(2)\t(3)\t(4)\t(5)", "1\t2\t3\t4\t5", "A\tB\tC\tD\tE"])
def test_a_column_numbering_row_belongs_to_the_header(base: str, numbering: str) -> None:
    lines = base.split("\n")
    header = _row_line(base, "STT")
    report = _audit("\n".join([*lines[: header + 1], numbering, *lines[header + 1 :]]))
    card = report.scorecard
    assert len(card.rows) == 18 and card.claimed_total == Decimal("99.25")
    assert not _serious(report) & {"TOTAL_MISMATCH", "ROW_EXCEEDS_MAX", "CRITERION_UNKNOWN"}


def test_roman_sections_are_parents_not_criteria() -> None:
    text = (
        "STT\tTiêu chí\tĐiểm tối đa\tTài liệu kiểm chứng\tĐiểm đạt\n"
        "I\tChỉ đạo điều hành\t10\t\t10\n"
        "1\tThủ trưởng cơ quan, đơn vị trực tiếp chỉ đạo hoạt động chuyển đổi số\t5\tĐề án số 07-ĐA/ĐU\t5\n"
        "2\tCơ quan, đơn vị có bố trí cán bộ chuyên trách, kiêm nhiệm về CNTT và chuyển đổi số\t5\tQĐ số 9/QĐ-UBND\t5\n"
        "TỔNG ĐIỂM\t\t\t\t10\n"
    )
    report = audit_document(parse(text.encode(), filename="x.txt"), "hp-cds-xa-quy-2026")
    rows = {r.stt: r for r in report.scorecard.rows}
    assert (rows["1"].parent_stt, rows["I"].criterion_id, rows["1"].criterion_id) == ("I", None, "C01")
    codes = {f.code for f in report.findings}
    assert not codes & {"TOTAL_MISMATCH", "EVIDENCE_MISSING", "CRITERION_UNKNOWN"}


def test_one_symbol_of_two_issuers_is_not_one_series() -> None:
    text = (
        "Căn cứ Kế hoạch số 333/KH-UBND ngày 24/01/2025 của UBND tỉnh Bình Thuận và Kế hoạch số 173/KH-UBND "
        "ngày 19/03/2025 của UBND tỉnh Đắk Nông.\n"
    )
    assert "CITATION_SEQUENCE" not in {f.code for f in _audit(text).findings}


def test_a_blank_form_has_no_claimed_or_recomputed_total() -> None:
    text = (
        "STT\tTiêu chí\tĐiểm tối đa\tTài liệu kiểm chứng\tĐiểm tự đánh giá\n"
        "1\tCông tác chỉ đạo điều hành\t5\t\t\n"
        "2\tCông tác kiểm tra\t5\t\t\n"
        "Tổng cộng\t\t10\t\t\n"
    )
    card = _audit(text).scorecard
    assert card.claimed_total is None and card.recomputed_total is None
