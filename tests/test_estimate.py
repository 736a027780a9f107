"""Estimated scorecards: only for the reports the rubric is for, and the same whichever format is read."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import pytest

from extractor import parse
from extractor.audit import audit_document, audit_file
from extractor.checks.estimate import estimate_scorecard, in_scope, issuer_level
from extractor.contract import DocumentInfo, Location, Metric
from extractor.errors import RubricError
from extractor.rules.rubric import load_rubric, parse_rubric
from extractor.rules.stable_rates import stable_rates
from tests.conftest import SAMPLES

TOLERANCE = Decimal("0.01")


def _codes(report) -> set[str]:
    return {f.code for f in report.findings}


def _sample(pattern: str):
    found = sorted(SAMPLES.glob(pattern))
    if not found:
        pytest.skip(f"no sample {pattern} (./dev samples makes them)")
    return found[0]


# --- one report, three formats, one estimate --------------------------------------------------------------------


@pytest.mark.parametrize("seed_id", ["002", "004"])
def test_a_narrative_report_is_estimated_the_same_in_text_docx_and_pdf(seed_id: str) -> None:
    totals = {}
    for pattern in (f"{seed_id}_*.txt", f"{seed_id}_*.docx", f"{seed_id}_*.pdf"):
        card = audit_file(_sample(pattern)).scorecard
        assert card is not None and card.estimated and card.recomputed_total is not None
        totals[pattern] = (card.recomputed_total, {r.criterion_id: r.recomputed_points for r in card.rows})
    values = [t for t, _ in totals.values()]
    assert max(values) - min(values) <= TOLERANCE, totals
    rows = [r for _, r in totals.values()]
    assert rows[0] == rows[1] == rows[2]


def _wrapped(breaks: str) -> str:
    return (
        "BÁO CÁO\nKết quả chuyển đổi số quý II năm 2026\n\n"
        f"- 100% máy tính của UBND xã được cài đặt phần{breaks}mềm phòng chống mã độc tập trung.\n"
        f"- Tỷ lệ hồ sơ thủ tục hành chính được thanh toán{breaks}trực tuyến đạt 87,5%.\n"
    )


def _rates(doc) -> list[tuple[str | None, Decimal]]:
    return [(m.criterion_id, m.value) for m in stable_rates(doc, load_rubric())]


def _docx_table() -> bytes:
    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả chuyển đổi số quý II năm 2026")
    rows = [
        ("1", "Tỷ lệ máy tính được cài đặt phần mềm diệt virus", "100%"),
        ("2", "Tỷ lệ hồ sơ thủ tục hành chính được thanh toán trực tuyến", "87,5%"),
    ]
    table = d.add_table(rows=len(rows), cols=3)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_rates_do_not_depend_on_where_lines_break() -> None:
    one_line = _rates(parse(_wrapped(" ").encode(), filename="a.txt"))
    assert one_line == [("C05", Decimal(100)), ("C11", Decimal("87.5"))]
    assert _rates(parse(_wrapped("\n").encode(), filename="b.txt")) == one_line
    assert _rates(parse(_wrapped(" \n\n").encode(), filename="c.txt")) == one_line  # a text export's blank lines


def test_a_statistics_table_and_its_flattened_text_give_the_same_rates() -> None:
    table = _rates(parse(_docx_table(), filename="t.docx"))
    flattened = "BÁO CÁO\nKết quả chuyển đổi số quý II năm 2026\n\n1\nTỷ lệ máy tính được cài đặt phần mềm\n\ndiệt"
    flattened += " virus\n100%\n2\nTỷ lệ hồ sơ thủ tục hành chính được thanh\n\ntoán trực tuyến\n87,5%\n"
    assert table == [("C05", Decimal(100)), ("C11", Decimal("87.5"))]
    assert _rates(parse(flattened.encode(), filename="t.txt")) == table


def test_a_rank_column_is_no_rate() -> None:
    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    rows = [
        ("STT", "Chỉ tiêu", "Kết quả", "Thứ hạng"),
        ("1", "Tỷ lệ hồ sơ thủ tục hành chính được thanh toán trực tuyến", "87,5%", "12/63"),
        ("2", "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến", "", "7/63"),
    ]
    table = d.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    out = io.BytesIO()
    d.save(out)
    assert _rates(parse(out.getvalue(), filename="r.docx")) == [("C11", Decimal("87.5"))]


def _metric(criterion: str, value: str, start: int) -> Metric:
    return Metric(
        text=f"{value}%",
        value=Decimal(value),
        unit="%",
        subject="s",
        location=Location(start=start, end=start + 3, quote=f"{value}%"),
        criterion_id=criterion,
    )


def test_several_statements_of_one_criterion_give_their_median_whatever_their_order() -> None:
    rates = [_metric("C11", "76.5", 10), _metric("C11", "78.4", 50), _metric("C11", "70", 90)]
    cards = [estimate_scorecard(load_rubric(), order, []) for order in (rates, rates[::-1], rates[1:] + rates[:1])]
    points = {next(r for r in c.rows if r.criterion_id == "C11").recomputed_points for c in cards}
    assert points == {Decimal("3.83")}  # 5 × 76,5%
    (row,) = [r for r in cards[0].rows if r.criterion_id == "C11"]
    assert "trung vị của 3 số liệu" in (row.note or "") and row.evidence_text == "76.5%"
    assert all(c.estimated for c in cards)


# --- only the reports the rubric is for -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["001", "003"])
def test_a_letter_that_assigns_criteria_and_a_meeting_conclusion_get_no_estimate(seed, prefix: str) -> None:
    report = audit_document(parse(seed(prefix)))
    assert report.scorecard is None
    assert "NO_SCORECARD" not in _codes(report)


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_commune_digital_transformation_reports_are_estimated(seed, prefix: str) -> None:
    report = audit_document(parse(seed(prefix)))
    assert report.scorecard is not None and report.scorecard.estimated
    assert "NO_SCORECARD" in _codes(report)


@pytest.mark.parametrize("prefix", ["52_", "13_", pytest.param("14_", marks=pytest.mark.slow)])  # 14: 35 pages
def test_provincial_reports_on_other_subjects_get_no_estimate(realdoc, prefix: str) -> None:
    report = audit_file(realdoc(prefix))
    assert report.scorecard is None
    assert "NO_SCORECARD" not in _codes(report)


def _info(kind: str, issuer: str | None, subject: str | None) -> DocumentInfo:
    return DocumentInfo.model_validate({"kind": kind, "issuer": issuer, "subject": subject})


@pytest.mark.parametrize(
    ("kind", "issuer", "subject", "expected"),
    [
        ("bao_cao", "UBND xã Đại Sơn", "Đánh giá kết quả chuyển đổi số năm 2025", True),
        ("bao_cao", "UBND phường Lê Chân", "Kết quả ứng dụng CNTT quý II năm 2026", True),
        ("cong_van", "UBND xã Nguyễn Lương Bằng", "báo cáo kết quả thực hiện ứng dụng công nghệ thông tin", True),
        ("cong_van", "UBND xã Nghi Dương", "triển khai thực hiện các tiêu chí chấm điểm chuyển đổi số", False),
        ("thong_bao", "UBND xã Nghi Dương", "Kết luận của Chủ tịch về chuyển đổi số", False),
        ("bao_cao", "UBND tỉnh Lâm Đồng", "Kết quả chuyển đổi số năm 2025", False),  # a province's report
        ("bao_cao", "Sở Khoa học và Công nghệ", "Kết quả chuyển đổi số năm 2025", False),
        ("bao_cao", None, "Kết quả chuyển đổi số năm 2025", False),  # whose report is not known
        ("bao_cao", "UBND xã Đại Sơn", "Tổng kết công tác phòng, chống ma túy năm 2025", False),
        ("bao_cao", "UBND xã Đại Sơn", "Công tác cải cách hành chính năm 2025", False),
        ("ke_hoach", "UBND xã Đại Sơn", "Chuyển đổi số năm 2026", False),
    ],
)
def test_scope(kind: str, issuer: str | None, subject: str | None, expected: bool) -> None:
    assert in_scope(_info(kind, issuer, subject), load_rubric()) is expected


def test_issuer_levels() -> None:
    issuers = ("UBND xã A", "Ủy ban nhân dân tỉnh B", "Sở Nội vụ", None)
    levels = [issuer_level(_info("bao_cao", i, None)) for i in issuers]
    assert levels == ["xã", "tỉnh", "sở", None]


def test_a_rubric_without_a_scope_estimates_any_report_and_a_wrong_scope_is_refused() -> None:
    data = load_rubric().model_dump(mode="json", exclude={"scope"})
    free = parse_rubric(data, "free.toml")
    assert in_scope(_info("bao_cao", None, "Tổng kết công tác phòng, chống ma túy"), free)
    assert not in_scope(_info("thong_bao", None, "Kết luận"), free)
    with pytest.raises(RubricError, match=r"scope\.kinds"):
        parse_rubric({**data, "scope": {"kinds": ["bien_ban"]}}, "bad.toml")
