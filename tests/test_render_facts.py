"""The text view says where the number and date were read and shows every digital signature with its state."""

from __future__ import annotations

import datetime as dt

from extractor.contract import DocumentInfo, ParentDocument, Report, Signature, SourceInfo
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
