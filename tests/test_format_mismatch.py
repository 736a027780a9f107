"""FORMAT_MISMATCH: a file whose name claims another format than its bytes is read as what it is, and the
officer is told (a text file named .pdf audited silently reads like a clean report)."""

from __future__ import annotations

import pytest

from extractor import audit
from tests.conftest import SAMPLES

TEXT = "ỦY BAN NHÂN DÂN XÃ AN HƯNG\nBáo cáo kết quả chuyển đổi số quý II năm 2026.\n".encode()


def _mismatch(data: bytes, filename: str) -> list[tuple[str, object, object]]:
    report = audit(data, filename=filename)
    return [(f.severity, f.expected, f.found) for f in report.findings if f.code == "FORMAT_MISMATCH"]


def test_a_text_file_named_pdf_is_read_as_text_and_said_so() -> None:
    report = audit(TEXT, filename="bao-cao.pdf")
    (f,) = [f for f in report.findings if f.code == "FORMAT_MISMATCH"]
    assert (f.severity, f.expected, f.found) == ("info", "pdf", "txt")
    assert ".pdf" in f.message and "văn bản thuần" in f.message
    assert report.source.format == "txt"


@pytest.mark.parametrize(
    ("sample", "filename", "expected"),
    [
        ("000_cong-van-phu-luc.docx", "bao-cao.doc", [("info", "doc", "docx")]),
        ("000_cong-van-phu-luc.docx", "bao-cao.DOCX", []),
        ("000_cong-van-phu-luc.pdf", "bao-cao.pdf", []),
        ("000_cong-van-phu-luc.pdf", "bao-cao", []),  # no extension claims nothing
        ("000_cong-van-phu-luc.pdf", "bao-cao.bin", []),  # an extension we do not read claims nothing either
    ],
)
def test_only_a_known_extension_that_disagrees_is_told(sample: str, filename: str, expected: list) -> None:
    assert _mismatch((SAMPLES / sample).read_bytes(), filename) == expected


def test_a_text_file_named_md_or_txt_is_no_mismatch() -> None:
    assert _mismatch(TEXT, "bao-cao.txt") == [] and _mismatch(TEXT, "bao-cao.md") == []
