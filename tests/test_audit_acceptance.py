"""What the audit must say about the seeds and the real PAR Index appendix (issue acceptance)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor import parse
from extractor.audit import audit_document

FORBIDDEN_ON_000 = {"TOTAL_MISMATCH", "ROW_EXCEEDS_MAX", "RATIO_SCORE_MISMATCH"}


def _codes(report) -> set[str]:
    return {f.code for f in report.findings}


def _quotes(report, code: str) -> list[str]:
    return [f.location.quote for f in report.findings if f.code == code and f.location]


def test_seed_000_totals_and_findings(seed) -> None:
    report = audit_document(parse(seed("000")))
    card = report.scorecard
    assert card.claimed_total == Decimal("99.25")
    assert abs(card.recomputed_total - card.claimed_total) <= Decimal("0.05")
    codes = _codes(report)
    assert not codes & FORBIDDEN_ON_000
    assert not {c for c in codes if c.startswith(("CRITERION_", "COVER_"))}
    (sequence,) = [f for f in report.findings if f.code == "CITATION_SEQUENCE"]
    assert "1302" in sequence.message and "1464" in sequence.message
    malformed = " ".join(_quotes(report, "CITATION_MALFORMED"))
    assert "110KH-UBND" in malformed and "1404//UBND-VHXH" in malformed
    out_of_period = [f for f in report.findings if f.code == "EVIDENCE_OUT_OF_PERIOD"]
    assert any("01-KH/BCĐ" in f.location.quote and f.criterion_id == "C04" for f in out_of_period)


def test_seed_004_narrative_findings(seed) -> None:
    report = audit_document(parse(seed("004")))
    codes = _codes(report)
    assert "NO_SCORECARD" in codes and report.scorecard.estimated
    (fraction,) = [f for f in report.findings if f.code == "PERCENT_FRACTION_MISMATCH"]
    assert "24.152/29.950" in fraction.location.quote and "80,64" in fraction.message
    (conflict,) = [f for f in report.findings if f.code == "CONFLICTING_VALUES"]
    assert "88,6" in conflict.message and "88,2" in conflict.message
    assert "PARTS_SUM_MISMATCH" not in codes  # "1.429 triệu (1.039 … 390 …)" adds up; "trên 6.234" is a bound


def test_seed_002_arithmetic_is_right(seed) -> None:
    codes = _codes(audit_document(parse(seed("002"))))
    assert "NO_SCORECARD" in codes
    assert not codes & {"PARTS_SUM_MISMATCH", "PERCENT_FRACTION_MISMATCH"}


@pytest.mark.parametrize("prefix", ["001", "002", "003"])
def test_seed_drafts_are_flagged(seed, prefix: str) -> None:
    assert "UNISSUED_DRAFT" in _codes(audit_document(parse(seed(prefix))))


def test_real_par_index_appendix_without_rubric(realdoc) -> None:
    report = audit_document(parse(realdoc("01_")))
    card = report.scorecard
    assert card.rubric is None and not card.estimated
    assert len(card.rows) == 99
    assert "PARENT_SUM_MISMATCH" not in _codes(report)
    assert all(r.recomputed_points == r.claimed_points for r in card.rows if r.parent_stt and "." in r.stt)


def test_signed_pdf_is_issued_though_its_text_layer_has_blanks(realdoc) -> None:
    doc = parse(realdoc("14_"))
    assert "digitally_signed" in {n.code for n in doc.notices}
    assert "UNISSUED_DRAFT" not in _codes(audit_document(doc))


def test_unsigned_pdfs_with_blanks_are_still_drafts() -> None:
    from extractor.extract import extract
    from tests.conftest import SAMPLES

    pdfs = sorted(SAMPLES.glob("*.pdf"))
    if not pdfs:
        pytest.skip("samples/ holds no PDF")
    for path in pdfs:
        doc = parse(path)
        header = extract(doc).header
        assert "digitally_signed" not in {n.code for n in doc.notices}, path.name
        blank = header.number_blank or header.date_blank
        assert ("UNISSUED_DRAFT" in _codes(audit_document(doc))) == blank, path.name
