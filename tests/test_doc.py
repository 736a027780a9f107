"""Legacy .doc through LibreOffice: real Word 97 files read as Unicode Vietnamese, broken ones refused in time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from invariants import assert_spans, fold

from extractor import parse
from extractor.errors import ConversionError, CorruptFileError, EncryptedFileError, ExtractorError
from extractor.options import ParseOptions
from extractor.parsers import doc as doc_parser

BAD = Path(__file__).resolve().parent / "data" / "bad"


@pytest.mark.slow
@pytest.mark.realdocs
def test_19_word97_converts_with_its_structure(realdoc) -> None:
    doc = parse(realdoc("19_"))
    assert_spans(doc)
    assert (doc.source.format, doc.source.converted_by, doc.source.declared_format) == ("doc", "libreoffice", "doc")
    assert doc.source.pages == 12 and all(b.page is None for b in doc.body)
    header = doc.tables[0]
    assert "UBND TỈNH LÂM ĐỒNG" in header.text and not header.ruled
    text = fold(doc.norm.text)
    for words in ("BÁO CÁO", "Đề án 06", "Công an tỉnh", "dịch vụ công trực tuyến", "CÔNG TÁC CHỈ ĐẠO"):
        assert words in text, words
    assert any(p.text.startswith("I. CÔNG TÁC CHỈ ĐẠO") for p in doc.paragraphs)


@pytest.mark.slow
@pytest.mark.realdocs
def test_32_vntime_font_table_but_unicode_text(realdoc) -> None:
    doc = parse(realdoc("32_"))
    assert_spans(doc)
    assert doc.source.format == "doc" and doc.source.converted_by == "libreoffice"
    text = fold(doc.norm.text)
    for words in ("THÔNG BÁO", "ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Phó Chủ tịch UBND tỉnh", "kết luận và chỉ đạo"):
        assert words in text, words
    # TCVN3 (.VnTime) bytes read as Latin-1 would show as e.g. "Uû" or "Ñ"; none of that here
    assert not any(ch in doc.text for ch in "ñÑûõ¸¹")


BAD_DOC = [
    ("corrupt_file__doc_truncated.doc", CorruptFileError),
    ("corrupt_file__doc_garbage_word_stream.doc", CorruptFileError),
    ("corrupt_file__doc_unreadable_text.doc", CorruptFileError),
    ("encrypted__doc_password_flag.doc", EncryptedFileError),
]


@pytest.mark.parametrize(("name", "error"), BAD_DOC, ids=[n for n, _ in BAD_DOC])
def test_bad_doc_raises_its_typed_error_quickly(name: str, error: type[ExtractorError]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        parse(BAD / name)
    assert time.monotonic() - started < 10


@pytest.mark.realdocs
def test_conversion_past_the_timeout_is_killed(realdoc) -> None:
    started = time.monotonic()
    with pytest.raises(ConversionError) as info:
        parse(realdoc("19_"), options=ParseOptions(convert_timeout=0.3))
    assert time.monotonic() - started < 5
    assert info.value.detail and "0.3 s" in info.value.detail


def test_missing_libreoffice_is_a_conversion_error(monkeypatch) -> None:
    monkeypatch.setattr(doc_parser.shutil, "which", lambda name: None)
    with pytest.raises(ConversionError):
        doc_parser.soffice()


def test_readable_tells_text_from_decoded_noise() -> None:
    assert doc_parser.readable("Ủy ban nhân dân xã Nghi Dương báo cáo kết quả chấm điểm năm 2025. " * 3)
    cjk_noise = "".join(chr(0x4E00 + 37 * i) for i in range(80))  # what a garbled body decodes to
    assert not doc_parser.readable(cjk_noise)
    assert doc_parser.readable("ngắn")
