"""The claimed side of a report, end to end: header, period, scorecard rows and totals, metrics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import parse
from extractor.extract import extract
from extractor.rules.metrics import find_letter_total, find_metrics
from extractor.rules.rubric import load_rubric

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _claimed_side(report):
    d, card = report.document, report.scorecard
    rows = [(r.stt, r.criterion_id, r.claimed_points, r.max_points) for r in card.rows] if card else None
    period = (d.period.start, d.period.end) if d.period else None
    return {
        "number": d.number,
        "date": d.date,
        "commune": d.commune,
        "kind": d.kind,
        "period": period,
        "signer": d.signer,
        "rows": rows,
        "claimed_total": card.claimed_total if card else None,
        "letter_total": report.letter_total,
    }


def test_seed_000_claimed_side(seed) -> None:
    report = extract(parse(seed("000"))).report
    side = _claimed_side(report)
    assert side["number"] == "1498/UBND-VHXH" and side["date"] == date(2026, 6, 12)
    assert (side["commune"], side["kind"], side["signer"]) == ("Nguyễn Lương Bằng", "cong_van", "Đoàn Văn Cát")
    assert side["period"] == (date(2026, 4, 1), date(2026, 6, 30))
    assert report.document.period.label == "Quý II năm 2026"
    rubric = load_rubric()
    assert [r[1] for r in side["rows"]] == [c.id for c in rubric.criteria]
    claimed = {r[0]: r[2] for r in side["rows"]}
    assert claimed["9"] == Decimal("4.63") and claimed["13"] == Decimal("4.67") and claimed["8"] == Decimal(10)
    assert side["claimed_total"] == Decimal("99.25") == side["letter_total"]
    assert sum(claimed.values()) == side["claimed_total"]


def test_evidence_cell_carries_its_citations_and_rates(seed) -> None:
    card = extract(parse(seed("000"))).report.scorecard
    rows = {r.stt: r for r in card.rows}
    assert len(rows["4"].citations) == 8
    assert [r.value for r in rows["9"].rates] == [Decimal("92.5")]
    for row in card.rows:
        for c in row.citations:
            assert c.location.row == row.location.row and c.location.quote


def test_every_sample_of_one_report_reads_the_same(seed) -> None:
    """DOCX, PDF and XLSX versions made from a text report claim what the text claims."""
    reference = _claimed_side(extract(parse(seed("000"))).report)
    compared = 0
    for path in sorted(SAMPLES.glob("*")):
        if path.suffix not in {".docx", ".pdf"}:
            continue
        report = extract(parse(path)).report
        if report.document.number != reference["number"]:
            continue
        assert _claimed_side(report) == reference, path.name
        compared += 1
    if compared == 0:
        pytest.skip("samples/ holds no DOCX or PDF version of this report yet")


def test_letter_total_and_verdict_from_the_body() -> None:
    doc = parse("Tổng điểm đạt được: 85,5/100 điểm (Đạt yêu cầu - ngưỡng đạt ≥ 70 điểm).\n".encode(), "x.txt")
    total = find_letter_total(doc)
    assert total is not None
    assert (total.value, total.out_of, total.verdict) == (Decimal("85.5"), Decimal(100), "dat")
    assert total.location.quote.startswith("Tổng điểm đạt được: 85,5/100")


@pytest.mark.parametrize(
    ("sentence", "value", "subject_start", "criterion"),
    [
        ("- Tỷ lệ hồ sơ nộp trực tuyến đạt 97,5%.", Decimal("97.5"), "Tỷ lệ hồ sơ nộp trực tuyến", "C10"),
        ("An toàn thông tin: 100% máy tính được cài phần mềm phòng, chống mã độc.", Decimal(100), "máy tính", "C05"),
        ("Văn bản điện tử: 92,5% văn bản được ký số trên HPnet.", Decimal("92.5"), "văn bản được ký số", "C09"),
        ("Thanh toán trực tuyến đạt 76,5%.", Decimal("76.5"), "Thanh toán trực tuyến", "C11"),
    ],
)
def test_narrative_rate_has_subject_and_criterion(sentence, value, subject_start, criterion) -> None:
    doc = parse(sentence.encode(), "x.txt")
    (metric,) = [m for m in find_metrics(doc, load_rubric()) if m.unit == "%"]
    assert metric.value == value
    assert metric.subject.startswith(subject_start)
    assert metric.criterion_id == criterion
    assert doc.text[metric.location.start : metric.location.end] == metric.location.quote


def test_fraction_metric_keeps_parts_and_stated_rate() -> None:
    doc = parse("Cấp căn cước: 24.152/29.950 trường hợp, đạt 80,9% dân số toàn xã.\n".encode(), "x.txt")
    (metric,) = [m for m in find_metrics(doc, None) if m.numerator is not None]
    assert (metric.numerator, metric.denominator, metric.value) == (Decimal(24152), Decimal(29950), Decimal("80.9"))
