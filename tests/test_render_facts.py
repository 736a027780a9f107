"""The text view says where the number and date were read and shows every digital signature with its state."""

from __future__ import annotations

import datetime as dt

from extractor.contract import DocumentInfo, Finding, Location, ParentDocument, Report, Signature, SourceInfo
from extractor.render import render_report

VN = dt.timezone(dt.timedelta(hours=7))


def _report(**document: object) -> Report:
    signatures = [
        Signature(
            signer="Trần Văn An",
            organisation="UBND xã Tân Tiến",
            signed_at=dt.datetime(2026, 3, 28, 9, tzinfo=VN),
            intact=True,
        ),
        Signature(signer="UBND xã Tân Tiến", organisation="UBND xã Tân Tiến", intact=False),
    ]
    return Report(
        source=SourceInfo(path="a.pdf", sha256="0", format="pdf", pages=1, signatures=signatures),
        document=DocumentInfo(kind="cong_van", number="412/UBND-VHXH", **document),
    )


def test_signatures_are_listed_with_their_state_and_the_unchecked_chain() -> None:
    text = render_report(_report())
    assert "Chữ ký số: Trần Văn An (UBND xã Tân Tiến), ký lúc 28/03/2026 09:00 +0700: nội dung đã ký còn nguyên" in text
    assert "Chữ ký số: UBND xã Tân Tiến, ký lúc không rõ thời điểm: NỘI DUNG ĐÃ BỊ SỬA SAU KHI KÝ" in text
    assert "không kiểm tra được chuỗi chứng thư" in text


def test_facts_read_from_a_stamp_or_a_caption_say_so_and_text_facts_do_not() -> None:
    stamped = render_report(_report(number_source="signature_stamp", date_source="signing_time"))
    assert "số văn bản đọc từ dấu chữ ký số" in stamped and "ngày văn bản đọc từ thời điểm ký số" in stamped
    parent = ParentDocument(kind="cong_van", number="1730/UBND-VP", date=dt.date(2026, 10, 2))
    caption = render_report(_report(number_source="caption", parent=parent))
    assert "lời dẫn «Kèm theo …»" in caption and "Kèm theo: Công văn số 1730/UBND-VP ngày 02/10/2026" in caption
    plain = render_report(_report(number_source="text", date_source="text"))
    assert "đọc từ" not in plain


def _scan(found: dict[str, object], **document: object) -> Report:
    """A scan's report whose OCR_USED finding doubts the facts named in ``found`` (as extractor.audit says)."""
    ocr = Finding(code="OCR_USED", severity="info", message="Trang 1 được nhận dạng ký tự (OCR).", found=found)
    return Report(
        source=SourceInfo(path="scan.pdf", sha256="0", format="pdf", pages=1),
        document=DocumentInfo(kind="cong_van", **document),
        findings=[ocr],
    )


def _header(report: Report) -> str:
    return next(line for line in render_report(report).splitlines() if line.startswith("Văn bản:"))


def test_a_scans_unread_number_is_not_said_to_be_missing() -> None:
    line = _header(_scan({"unread": ["number", "date"], "uncertain": []}))
    assert line == "Văn bản: Công văn số (không đọc được trên bản quét) ngày (không đọc được trên bản quét)"
    assert "chưa có" not in line


def test_an_uncertain_fact_is_shown_with_its_doubt() -> None:
    doubt = {"fact": "date", "read": "2025-09-30", "quote": "ngày 30 tháng 9 năm 2025", "confidence": 79}
    line = _header(_scan({"unread": ["number"], "uncertain": [doubt]}, date=dt.date(2025, 9, 30)))
    assert line.endswith("ngày 30/09/2025 (chưa chắc chắn, xem bản quét)")
    assert "số (không đọc được trên bản quét)" in line
    doubt = {"fact": "number", "read": "4377/UBND", "quote": "Số: 4377/UBND", "confidence": 61}
    line = _header(_scan({"uncertain": [doubt]}, number="4377/UBND"))
    assert "số 4377/UBND (chưa chắc chắn, xem bản quét) ngày (chưa có ngày)" in line


def test_a_text_document_keeps_saying_it_has_no_number() -> None:
    line = _header(_report().model_copy(update={"document": DocumentInfo(kind="bao_cao")}))
    assert line == "Văn bản: Báo cáo số (chưa có số) ngày (chưa có ngày)"
    assert _header(_report(date=dt.date(2026, 3, 28))) == "Văn bản: Công văn số 412/UBND-VHXH ngày 28/03/2026"


def test_identical_signatures_are_one_line_with_their_count() -> None:
    seal = Signature(
        signer="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", signed_at=dt.datetime(2025, 12, 19, 15, 10, tzinfo=VN), intact=True
    )
    person = seal.model_copy(update={"signer": "Trịnh Ngọc Duệ", "organisation": "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"})
    report = _report()
    broken = seal.model_copy(update={"intact": False})
    report.source.signatures = [person, *[seal.model_copy() for _ in range(6)], broken]
    lines = [line for line in render_report(report).splitlines() if line.startswith("Chữ ký số:")]
    assert lines == [
        "Chữ ký số: Trịnh Ngọc Duệ (ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG), ký lúc 19/12/2025 15:10 +0700:"
        " nội dung đã ký còn nguyên",
        "Chữ ký số: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG, ký lúc 19/12/2025 15:10 +0700: nội dung đã ký còn nguyên (6 chữ ký)",
        "Chữ ký số: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG, ký lúc 19/12/2025 15:10 +0700: NỘI DUNG ĐÃ BỊ SỬA SAU KHI KÝ",
    ]


def test_identical_findings_are_printed_once_with_a_count_and_kept_each_in_json() -> None:
    where = Location(page=2, quote="Phạm Thị Minh Hiếu")
    tampered = Finding(code="SIGNATURE_BROKEN", severity="error", message="Tệp đã bị sửa sau khi ký.", location=where)
    elsewhere = tampered.model_copy(update={"location": Location(page=3, quote="Phạm Thị Minh Hiếu")})
    other_code = tampered.model_copy(update={"code": "OTHER"})
    report = _report()
    report.findings = [tampered, tampered.model_copy(deep=True), elsewhere, other_code]
    text = render_report(report)
    assert "Phát hiện (4):" in text
    assert text.count("Tệp đã bị sửa sau khi ký.") == 3  # the two alike once; another page, another code apart
    assert "  LỖI (×2): Tệp đã bị sửa sau khi ký. [trang 2]\n      «Phạm Thị Minh Hiếu»\n" in text
    assert "  LỖI: Tệp đã bị sửa sau khi ký. [trang 3]" in text
    assert len(report.model_dump(mode="json")["findings"]) == 4
