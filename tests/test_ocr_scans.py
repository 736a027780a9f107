"""Scanned reports: the points read by OCR, and the honesty of what is recomputed from them.

A recomputation that depends on a points cell read by OCR with low confidence (or with a look-alike letter
taken for a digit) names that cell and is a warning, not an error; findings that do not depend on such a
cell are unchanged.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from extractor import Report, audit, parse
from extractor.builder import CellSpec, DocumentBuilder
from extractor.checks.cover import check_cover_total
from extractor.checks.structure import check_parents, check_rows, check_total
from extractor.contract import Location, Scorecard, ScoreRow
from extractor.model import Document, Source
from extractor.parsers import ocr
from extractor.rules.scorecard import LOW_CONFIDENCE, OcrRead, read_scorecard
from samples.generator import matrix
from samples.generator.matrix_cards import HOA_BINH
from samples.generator.scan import scan_pdf
from tests.conftest import SAMPLES

HIGH = LOW_CONFIDENCE + 10
LOW = 62.0


def _row(
    stt: str,
    claimed: str,
    *,
    confidence: float | None = None,
    repair: str | None = None,
    parent: str | None = None,
    maximum: str = "5",
) -> ScoreRow:
    return ScoreRow(
        stt=stt,
        parent_stt=parent,
        title=f"Tiêu chí {stt}",
        max_points=Decimal(maximum),
        claimed_points=Decimal(claimed.replace(",", ".")),
        claimed_text=claimed,
        location=Location(),
        ocr_confidence=confidence,
        low_confidence=confidence is not None and confidence < LOW_CONFIDENCE,
        ocr_repair=repair,
    )


def _card(rows: list[ScoreRow], total: str) -> Scorecard:
    return Scorecard(rows=rows, claimed_total=Decimal(total.replace(",", ".")))


def test_a_total_mismatch_on_a_low_confidence_row_is_a_warning_naming_the_cell() -> None:
    card = _card([_row("1", "5", confidence=HIGH), _row("2", "3", confidence=LOW), _row("3", "5")], "15")
    [f] = check_total(card, None)
    assert f.code == "TOTAL_MISMATCH"
    assert f.severity == "warning"
    assert "ô điểm dòng 2 đọc bằng OCR với độ tin cậy thấp (62 %), cần đối chiếu bản quét" in f.message
    assert "dòng 1" not in f.message and "dòng 3" not in f.message
    assert f.found == {
        "value": 15.0,
        "ocr_uncertain": [{"cell": "ô điểm dòng 2", "stt": "2", "confidence": LOW, "repair": None}],
    }
    assert f.expected == 13.0


def test_the_same_mismatch_read_from_a_text_layer_or_read_surely_stays_an_error() -> None:
    for confidence in (None, HIGH):
        card = _card([_row("1", "5", confidence=confidence), _row("2", "3", confidence=confidence)], "10")
        [f] = check_total(card, None)
        assert (f.severity, f.found) == ("error", 10.0)
        assert "OCR" not in f.message


def test_a_low_confidence_total_cell_makes_the_total_checks_uncertain() -> None:
    card = _card([_row("1", "5"), _row("2", "3")], "9")
    [total] = check_total(card, None, OcrRead(55.0))
    [cover] = check_cover_total(card, Decimal(8), None, OcrRead(55.0))
    for f in (total, cover):
        assert f.severity == "warning"
        assert "ô tổng điểm đọc bằng OCR với độ tin cậy thấp (55 %)" in f.message
    assert check_total(card, None, OcrRead(HIGH))[0].severity == "error"


def test_a_look_alike_repaired_in_a_sure_cell_is_named_too() -> None:
    card = _card([_row("1", "5", confidence=HIGH, repair="S→5"), _row("2", "4")], "10")
    [f] = check_total(card, None)
    assert f.severity == "warning"
    assert f"ô điểm dòng 1 đọc bằng OCR, đã sửa S→5 (độ tin cậy {HIGH:.0f} %)" in f.message
    # A repair of separators or spaces changes no digit: the reading stays sure.
    card = _card([_row("1", "5", confidence=HIGH, repair="bỏ dấu «.» cuối"), _row("2", "4")], "10")
    [f] = check_total(card, None)
    assert f.severity == "error" and "OCR" not in f.message


def test_a_row_exceeding_a_maximum_read_with_low_confidence_is_a_warning_naming_the_maximum_cell() -> None:
    # only the maximum was OCR'd here, so the claimed points are not doubted for exceeding it
    row = _row("1", "5", maximum="3").model_copy(update={"max_ocr_confidence": LOW})
    card = _card([row], "5")
    [exceeds] = [f for f in check_rows(card, None, has_evidence_column=False) if f.code == "ROW_EXCEEDS_MAX"]
    assert exceeds.severity == "warning"
    assert "ô điểm tối đa dòng 1 đọc bằng OCR với độ tin cậy thấp (62 %)" in exceeds.message
    assert exceeds.found["ocr_uncertain"] == [
        {"cell": "ô điểm tối đa dòng 1", "stt": "1", "confidence": LOW, "repair": None}
    ]
    # the same maximum read surely, or from a text layer: the error stands
    for confidence in (HIGH, None):
        sure = _card([row.model_copy(update={"max_ocr_confidence": confidence})], "5")
        [f] = [f for f in check_rows(sure, None, has_evidence_column=False) if f.code == "ROW_EXCEEDS_MAX"]
        assert f.severity == "error" and "tối đa dòng" not in f.message


def test_ocr_points_above_the_maximum_are_doubted_however_sure_the_reading() -> None:
    """A decimal comma lost to the scan: "4,97" read "497" with a confidence of 95."""
    card = _card([_row("1", "497", confidence=HIGH), _row("2", "5")], "9,97")
    [exceeds] = [f for f in check_rows(card, None, has_evidence_column=False) if f.code == "ROW_EXCEEDS_MAX"]
    [total] = check_total(card, None)
    for f in (exceeds, total):
        assert f.severity == "warning"
        assert "ô điểm dòng 1 đọc bằng OCR là «497», vượt điểm tối đa 5 (có thể mất dấu phẩy" in f.message
    # Read from a text layer, the same cell is what the document says.
    card = _card([_row("1", "497"), _row("2", "5")], "9,97")
    assert {f.severity for f in check_rows(card, None, has_evidence_column=False)} == {"error"}


def test_findings_not_depending_on_the_uncertain_cell_are_unchanged() -> None:
    # The low-confidence cell is a sub-row: the total adds only top-level rows, so it stays certain.
    rows = [
        _row("1", "4", maximum="10"),
        _row("1.1", "2", parent="1", confidence=LOW),
        _row("1.2", "2", parent="1"),
        _row("2", "5"),
    ]
    [total] = check_total(_card(rows, "10"), None)
    assert total.severity == "error" and "OCR" not in total.message
    # The parent sum of the maxima does not depend on the OCR'd claimed points.
    rows[0] = _row("1", "4", maximum="12")
    parents = check_parents(_card(rows, "9"))
    by_kind = {("tối đa" in f.message): f for f in parents}
    assert by_kind[True].severity == "error" and "OCR" not in by_kind[True].message


def test_the_scorecard_rows_carry_the_ocr_confidence_of_their_points_cells() -> None:
    b = DocumentBuilder(Source(filename="scan.pdf", sha256="0" * 64, format="pdf", size=1, pages=1))
    texts = [
        ["STT", "Tiêu chí", "Điểm tối đa", "Điểm đạt"],
        ["1", "Ban hành kế hoạch", "5", "5"],
        ["2", "Cán bộ chuyên trách", "5", "4"],
        ["TỔNG ĐIỂM", "", "10", "9"],
    ]
    reads = {(1, 3): (97.0, None), (2, 3): (LOW, "O→0"), (3, 3): (71.0, None)}
    cells = [
        CellSpec(
            t, r, c, page=1, confidence=reads.get((r, c), (None, None))[0], repair=reads.get((r, c), (None, None))[1]
        )
        for r, row in enumerate(texts)
        for c, t in enumerate(row)
    ]
    b.add_table(cells, header_rows=1, page=1)
    raw = read_scorecard(b.build())
    assert raw is not None
    assert [(r.ocr_confidence, r.low_confidence, r.ocr_repair) for r in raw.rows] == [
        (97.0, False, None),
        (LOW, True, "O→0"),
    ]
    assert raw.total_ocr == OcrRead(71.0, None)
    assert raw.total_ocr.low


# --- scans of whole reports, audited end to end (slow: each scan is OCR'd, once per test session) ----------


def _need_ocr() -> None:
    if not ocr.available():
        pytest.skip("Tesseract with its Vietnamese model is not installed")


@cache
def _seed_000_pdf() -> bytes:
    path = SAMPLES / "000_cong-van-phu-luc.pdf"
    if not path.exists():
        pytest.skip(f"{path.name} is absent from samples/")
    return path.read_bytes()


# Appendices sent alone from the rendering matrix (their card plants a wrong total): "narrow" has a narrow STT
# column ("S/T/T"), the total "97,45/100" wrapped in its cell and a row cut by a page break; "columns" draws
# no rules between its body rows.
MATRIX = {
    "narrow": {"widths": "narrow", "total_value": "of100", "split": "cut"},
    "columns": {"rules": "columns", "total_value": "of100"},
}


@cache
def _matrix_pdf(which: str) -> bytes:
    variant = matrix.Variant(card=HOA_BINH.name, producer="fpdf", cover="alone", **MATRIX[which])
    if reason := matrix.missing_tools("fpdf"):
        pytest.skip(reason)
    with tempfile.TemporaryDirectory() as tmp:
        return matrix.render(variant, HOA_BINH, Path(tmp)).read_bytes()


@cache
def _audits(which: str) -> tuple[Report, Report]:
    """The text PDF's audit and its scan's (200 dpi, turned 0.6°, speckled, JPEG 70)."""
    _need_ocr()
    pdf = _seed_000_pdf() if which == "000" else _matrix_pdf(which)
    scanned = scan_pdf(pdf, dpi=200, angle=0.6, jpeg_quality=70, seed=0)
    return audit(pdf, filename=f"{which}.pdf"), audit(scanned, filename=f"{which}_scan.pdf")


def _points(report: Report) -> dict[str | None, Decimal | None]:
    assert report.scorecard is not None
    return {row.stt: row.claimed_points for row in report.scorecard.rows}


def _errors(report: Report) -> set[str]:
    return {f.code for f in report.findings if f.severity == "error"}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["000", "narrow", "columns"])
def test_a_scanned_appendix_audits_to_the_points_and_total_of_its_text_pdf(which: str) -> None:
    text, scan = _audits(which)
    assert text.scorecard is not None and scan.scorecard is not None
    assert len(_points(text)) == 18
    assert _points(scan) == _points(text)
    assert scan.scorecard.claimed_total == text.scorecard.claimed_total
    assert scan.source.ocr and "OCR_USED" in {f.code for f in scan.findings}
    assert _errors(scan) <= _errors(text), "an error the text PDF does not have"
    if which in MATRIX:  # the card's planted fault is still found on the scan
        assert "TOTAL_MISMATCH" in _errors(scan)


@pytest.mark.slow
def test_the_scanned_scorecard_rows_know_their_points_were_read_by_ocr() -> None:
    _need_ocr()
    doc = parse(scan_pdf(_seed_000_pdf(), dpi=200, angle=0.6, jpeg_quality=70, seed=0), filename="000_scan.pdf")
    raw = read_scorecard(doc)
    assert raw is not None and len(raw.rows) == 18
    assert all(row.claimed_ocr is not None for row in raw.rows)
    assert raw.total_ocr is not None
    # Each row's confidence and repair are those of its points cell as the parser read it.
    grid, col = raw.table.grid(), raw.columns.get("claimed")
    assert col is not None
    for row in raw.rows:
        cell = grid[row.row][col]
        assert cell is not None and cell.confidence is not None
        assert (row.ocr_confidence, row.ocr_repair) == (cell.confidence, cell.repair)
        assert row.low_confidence == (cell.confidence < LOW_CONFIDENCE)


def _card_doc(total_label: str, confidence: float | None) -> Document:
    b = DocumentBuilder(Source(filename="scan.pdf", sha256="0" * 64, format="pdf", size=1, pages=1))
    texts = [
        ["STT", "Tiêu chí", "Điểm tối đa", "Điểm đạt"],
        ["1", "Ban hành kế hoạch", "5", "5"],
        ["2", "Cán bộ chuyên trách", "5", "4"],
        [total_label, "", "10", "9"],
    ]
    cells = [CellSpec(t, r, c, page=1, confidence=confidence) for r, row in enumerate(texts) for c, t in enumerate(row)]
    b.add_table(cells, header_rows=1, page=1)
    return b.build()


def test_a_total_label_read_by_ocr_one_letter_off_is_still_the_total() -> None:
    raw = read_scorecard(_card_doc("TOÔNG ĐIEM", confidence=HIGH))
    assert raw is not None and raw.claimed_total == Decimal(9) and len(raw.rows) == 2
    # The same letters in a text layer are what the document says: no total row.
    raw = read_scorecard(_card_doc("TOÔNG ĐIEM", confidence=None))
    assert raw is not None and raw.claimed_total is None and len(raw.rows) == 3
