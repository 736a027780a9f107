"""Reviewed totals: dismissing a finding accepts what it disputed; accepting one changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import ReviewedTotals, ReviewNote, audit, reviewed_totals
from extractor.audit import audit_document
from extractor.checks.findings import SEVERITY
from extractor.contract import DocumentInfo, Finding, Location, Report, Scorecard, ScoreRow, SourceInfo
from extractor.reading import parse
from extractor.review import POINTS_DISPUTES, TOTAL_DISPUTES, dismissed_indices
from tests.conftest import SAMPLES
from tests.test_planted_faults import CASES, Case

D = Decimal


def _row(stt: str, claimed: str | None, recomputed: str | None, parent: str | None = None) -> ScoreRow:
    return ScoreRow(
        stt=stt,
        parent_stt=parent,
        criterion_id=f"C{stt}",
        title=f"Tiêu chí {stt}",
        claimed_points=None if claimed is None else D(claimed),
        recomputed_points=None if recomputed is None else D(recomputed),
        location=Location(line=int(D(stt) * 10), quote=f"dòng {stt}"),
    )


def _report(rows: list[ScoreRow], findings: list[Finding], claimed_total: str | None = None) -> Report:
    tops = [r.recomputed_points for r in rows if not r.parent_stt and r.recomputed_points is not None]
    written = [r.claimed_points for r in rows if not r.parent_stt and r.claimed_points is not None]
    card = Scorecard(
        rows=rows,
        claimed_total=D(claimed_total) if claimed_total else sum(written, D(0)),
        recomputed_total=sum(tops, D(0)),
        threshold=D(70),
    )
    return Report(
        source=SourceInfo(path="x.txt", sha256="0", format="txt"),
        document=DocumentInfo(),
        scorecard=card,
        findings=findings,
    )


def _f(code: str, criterion: str | None = None, location: Location | None = None) -> Finding:
    return Finding(code=code, severity=SEVERITY[code], message="m", criterion_id=criterion, location=location)


# Rows: 1 (60, kept), 2 (claimed 5, recomputed 4.63), 3 (claimed 5, recomputed 0: binary without evidence).
def _three_rows() -> Report:
    rows = [_row("1", "60", "60"), _row("2", "5", "4.63"), _row("3", "5", "0")]
    findings = [
        _f("CITATION_SEQUENCE"),  # 0: warning, about no points
        _f("RATIO_SCORE_MISMATCH", "C2"),  # 1
        _f("EVIDENCE_MISSING", "C3"),  # 2
        _f("EVIDENCE_OUT_OF_PERIOD", "C2"),  # 3: warning on row 2, about a date
        _f("ROUNDING_INCONSISTENT"),  # 4: info
    ]
    return _report(rows, findings)


def test_no_dismissal_keeps_the_recomputed_total_and_counts_every_finding() -> None:
    totals = reviewed_totals(_three_rows(), [])
    assert totals.claimed_total == D("70")
    assert totals.recomputed_total == D("64.63")
    assert totals.reviewed_total == D("64.63")
    assert totals.reviewed_verdict == "khong_dat"
    assert (totals.open_errors, totals.open_warnings) == (2, 2)
    assert totals.dismissed == [] and totals.changed_rows == []


def test_dismissing_a_ratio_finding_accepts_the_rows_claimed_points() -> None:
    totals = reviewed_totals(_three_rows(), [1])
    assert totals.reviewed_total == D("65.00")
    assert totals.changed_rows == ["C2"]
    assert (totals.open_errors, totals.open_warnings) == (1, 2)


def test_dismissing_missing_evidence_gives_a_binary_row_its_claim_and_can_pass_the_threshold() -> None:
    totals = reviewed_totals(_three_rows(), [2, 1])
    assert totals.reviewed_total == D("70.00")
    assert totals.reviewed_verdict == "dat"
    assert totals.changed_rows == ["C2", "C3"]
    assert totals.dismissed == [1, 2]
    assert totals.open_errors == 0


def test_dismissing_a_finding_not_about_points_changes_no_total_but_lowers_the_open_counts() -> None:
    before = reviewed_totals(_three_rows(), [])
    for index, warnings in ((0, 1), (3, 1)):  # a citation sequence; a date on a row whose points differ
        totals = reviewed_totals(_three_rows(), [index])
        assert totals.reviewed_total == before.reviewed_total == D("64.63")
        assert totals.changed_rows == []
        assert (totals.open_errors, totals.open_warnings) == (2, warnings)
    info = reviewed_totals(_three_rows(), [4])  # an info finding counts in neither
    assert (info.open_errors, info.open_warnings, info.reviewed_total) == (2, 2, D("64.63"))


def test_accepting_changes_nothing() -> None:
    reviews = {1: ReviewNote(decision="accept", note="đúng là tính sai", user="cb1"), 0: ReviewNote(decision="accept")}
    assert dismissed_indices(reviews) == []
    assert reviewed_totals(_three_rows(), dismissed_indices(reviews)) == reviewed_totals(_three_rows(), [])
    mixed = {**reviews, 2: ReviewNote(decision="dismiss", note="có tài liệu ở phụ lục 2")}
    assert dismissed_indices(mixed) == [2]
    assert reviewed_totals(_three_rows(), dismissed_indices(mixed)).reviewed_total == D("69.63")


def test_a_dismissed_child_changes_its_parent_and_the_total() -> None:
    rows = [_row("1", "10", "9.50"), _row("1.1", "5", "4.50", parent="1"), _row("1.2", "5", "5", parent="1")]
    rows.append(_row("2", "60", "60"))
    report = _report(rows, [_f("RATIO_SCORE_MISMATCH", "C1.1")])
    totals = reviewed_totals(report, [0])
    assert totals.recomputed_total == D("69.50")
    assert totals.reviewed_total == D("70.00")
    assert totals.reviewed_verdict == "dat"
    assert totals.changed_rows == ["C1", "C1.1"]  # in the scorecard's order


def test_a_dismissed_parent_sum_accepts_the_parents_claim_over_its_children() -> None:
    rows = [_row("1", "10", "8"), _row("1.1", "4", "4", parent="1"), _row("1.2", "4", "4", parent="1")]
    parent = rows[0]
    parent.criterion_id = None  # a section row: the finding is tied to it by its location
    report = _report([*rows, _row("2", "50", "50")], [_f("PARENT_SUM_MISMATCH", None, parent.location)])
    assert reviewed_totals(report, []).reviewed_total == D("58")
    assert reviewed_totals(report, [0]).reviewed_total == D("60")
    assert reviewed_totals(report, [0]).changed_rows == []  # the section has no criterion id to name


def test_a_dismissed_total_mismatch_accepts_the_written_total_gap_only() -> None:
    # the total says 99,25 but the rows add to 98,25; the rows recompute to 97,88
    rows = [_row("1", "90", "90"), _row("2", "5", "4.63"), _row("3", "3.25", "3.25")]
    report = _report(rows, [_f("TOTAL_MISMATCH"), _f("RATIO_SCORE_MISMATCH", "C2")], claimed_total="99.25")
    assert reviewed_totals(report, []).reviewed_total == D("97.88")
    assert reviewed_totals(report, [0]).reviewed_total == D("98.88")
    every = reviewed_totals(report, [0, 1])
    assert every.reviewed_total == every.claimed_total == D("99.25")
    assert every.changed_rows == ["C2"]


def test_a_row_without_a_claim_keeps_its_recomputed_points() -> None:
    rows = [_row("1", None, "5"), _row("2", "60", "60")]
    report = _report(rows, [_f("INVALID_POINTS", "C1")])
    assert reviewed_totals(report, [0]).reviewed_total == D("65")


def test_an_estimate_has_no_recomputed_nor_reviewed_total() -> None:
    report = _three_rows()
    assert report.scorecard is not None
    report.scorecard.estimated = True
    report.scorecard.claimed_total = None
    totals = reviewed_totals(report, [1])
    assert (totals.claimed_total, totals.recomputed_total, totals.reviewed_total, totals.reviewed_verdict) == (
        None,
        None,
        None,
        None,
    )
    assert totals.open_errors == 1


def test_an_unreadable_report_counts_its_finding_until_dismissed() -> None:
    report = audit(b"", filename="rong.pdf")
    assert reviewed_totals(report, []).open_errors == 1
    totals = reviewed_totals(report, [0])
    assert (totals.open_errors, totals.reviewed_total) == (0, None)


@pytest.mark.parametrize("index", [-1, 5, 99])
def test_an_index_that_names_no_finding_is_refused_in_both_languages(index: int) -> None:
    with pytest.raises(ValueError, match=r"Không có phát hiện.*no finding at index"):
        reviewed_totals(_three_rows(), [index])


def test_the_dispute_codes_are_contract_codes() -> None:
    assert not (POINTS_DISPUTES | TOTAL_DISPUTES) - set(SEVERITY)


def test_reviewed_totals_serialise_rounded_like_the_contract() -> None:
    rows = [_row("1", "60", "60"), _row("2", "5", "4.625")]
    totals = reviewed_totals(_report(rows, []), [])
    assert totals.reviewed_total == D("64.625")
    assert totals.model_dump(mode="json")["reviewed_total"] == 64.63
    assert ReviewedTotals.model_validate_json(totals.model_dump_json()).reviewed_total == D("64.63")


# --- on audited reports -------------------------------------------------------------------------------------


def _planted(code: str, label: str) -> Case:
    return next(c for c in CASES if c.code == code and c.label == label)


def _audited(case: Case) -> Report:
    return audit_document(parse(case.faulty_text().encode(), filename="x.txt"), None)


@pytest.mark.parametrize(
    ("code", "label", "gain"),
    [("RATIO_SCORE_MISMATCH", "off_by_0.02", "-0.02"), ("EVIDENCE_MISSING", "empty_cell", "5")],
)
def test_dismissing_a_planted_points_finding_moves_the_total_by_what_it_disputed(code: str, label: str, gain: str):
    case = _planted(code, label)
    report = _audited(case)
    index = next(i for i, f in enumerate(report.findings) if f.code == code and f.criterion_id == case.criterion_id)
    assert report.scorecard is not None and report.scorecard.recomputed_total is not None
    totals = reviewed_totals(report, [index])
    assert totals.reviewed_total == report.scorecard.recomputed_total + D(gain)
    assert totals.changed_rows == [case.criterion_id]
    assert totals.open_errors == sum(f.severity == "error" for f in report.findings) - 1
    # what the service stores is the JSON: the same totals after a round trip
    again = Report.model_validate_json(report.model_dump_json())
    assert reviewed_totals(again, [index]).reviewed_total == totals.reviewed_total


def test_without_dismissals_the_reviewed_total_is_the_recomputed_one_on_every_sample() -> None:
    files = sorted(p for p in SAMPLES.glob("0*") if p.suffix in {".docx", ".pdf", ".xlsx", ".txt"})
    if not files:
        pytest.skip("no samples")
    seen = 0
    for path in files:
        report = audit(path)
        card = report.scorecard
        if card is None or card.estimated:
            continue
        seen += 1
        assert reviewed_totals(report, []).reviewed_total == card.recomputed_total, path.name
    assert seen >= 3


points = st.one_of(st.none(), st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 100))


@settings(max_examples=60)
@given(
    values=st.lists(st.tuples(points, points), min_size=1, max_size=8),
    extra=st.lists(st.sampled_from(["CITATION_SEQUENCE", "EVIDENCE_OUT_OF_PERIOD", "UNISSUED_DRAFT"]), max_size=4),
    data=st.data(),
)
def test_each_dismissed_ratio_finding_moves_the_total_by_its_rows_gap(values, extra, data) -> None:
    rows = [_row(str(i + 1), *(None if v is None else str(v) for v in pair)) for i, pair in enumerate(values)]
    findings = [_f("RATIO_SCORE_MISMATCH", r.criterion_id) for r in rows] + [_f(code, "C1") for code in extra]
    report = _report(rows, findings)
    chosen = data.draw(st.sets(st.integers(min_value=0, max_value=len(findings) - 1)))
    totals = reviewed_totals(report, chosen)
    expected = D(0)
    for index, row in enumerate(rows):
        accepted = index in chosen and row.claimed_points is not None
        value = row.claimed_points if accepted else row.recomputed_points
        expected += value if value is not None else D(0)
    assert totals.reviewed_total == expected
    assert reviewed_totals(report, []).reviewed_total == report.scorecard.recomputed_total  # type: ignore[union-attr]
    errors = sum(f.severity == "error" for f in findings)
    assert totals.open_errors == errors - sum(findings[i].severity == "error" for i in chosen)
    assert totals.dismissed == sorted(chosen)
    assert set(totals.changed_rows) <= {findings[i].criterion_id for i in chosen}
