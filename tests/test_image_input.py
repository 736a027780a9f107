"""Image files (JPEG, PNG, TIFF, multi-page TIFF) are documents: sniffed from their bytes, read page by page by
OCR, with page sizes in points from their resolution; broken images and decompression bombs are refused."""

from __future__ import annotations

import functools
import io
import struct
import zlib

import pytest

from extractor import ParseOptions, parse
from extractor.errors import CorruptFileError, NeedsOCRError, UnsafeFileError, UnsupportedFormatError
from extractor.model import Document
from extractor.parsers import ocr
from extractor.sniff import sniff
from samples.generator.scan import scan_image
from tests.conftest import SAMPLES
from tests.invariants import assert_spans

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract with its Vietnamese model is not installed")

LETTER = SAMPLES / "000_cong-van-phu-luc.pdf"


@functools.cache
def _image(fmt: str, dpi: int = 200, write_dpi: bool = True, pages: tuple[int, ...] | None = None) -> bytes:
    return scan_image(LETTER.read_bytes(), fmt=fmt, dpi=dpi, write_dpi=write_dpi, pages=list(pages) if pages else None)


@functools.cache
def _parsed(fmt: str) -> Document:
    return parse(_image(fmt), filename=f"scan.{fmt.lower()}")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_images_are_sniffed_from_their_bytes(fmt: str) -> None:
    assert sniff(_image(fmt)).format == "image"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_image_is_read_by_ocr_as_one_page(fmt: str) -> None:
    doc = _parsed(fmt)
    assert_spans(doc)
    assert doc.source.format == "image" and doc.source.ocr and doc.source.ocr_pages == [1]
    (page,) = doc.pages
    assert page.source == "ocr" and not page.has_text_layer and (page.ocr_confidence or 0) > 80
    # an A4 page scanned at 200 dpi is 595 × 842 points
    assert page.width == pytest.approx(595, abs=2) and page.height == pytest.approx(842, abs=2)
    assert "1498/UBND-VHXH" in doc.text and "ngày 12 tháng 6 năm 2026" in doc.text


def test_page_size_comes_from_the_resolution_with_200_dpi_by_default() -> None:
    from extractor.parsers.image import frame

    tagged = _image("PNG", dpi=100)
    untagged = _image("PNG", dpi=100, write_dpi=False)
    assert parse(tagged).pages[0].width == pytest.approx(595, abs=3)  # 100 dpi: 1 px = 0.72 pt
    assert parse(untagged).pages[0].width == pytest.approx(595 / 2, abs=3)  # read as 200 dpi
    gray, scale = frame(tagged, 0, 300)  # a coarse image is enlarged to the OCR resolution
    assert scale == pytest.approx(72 / 300) and gray.shape[1] == pytest.approx(595 * 300 / 72, abs=6)


def test_a_multi_page_tiff_is_one_page_per_frame() -> None:
    doc = parse(_image("TIFF", pages=(0, 1)), filename="scan.tiff")
    assert [p.number for p in doc.pages] == [1, 2] and [p.source for p in doc.pages] == ["ocr", "ocr"]
    assert doc.source.ocr_pages == [1, 2] and doc.source.pages == 2
    assert {b.page for b in doc.body} == {1, 2}


def test_frames_past_the_page_limit_are_not_read() -> None:
    doc = parse(_image("TIFF", pages=(0, 1)), options=ParseOptions(max_pages=1))
    assert [p.number for p in doc.pages] == [1]
    assert any(n.code == "pages_skipped" for n in doc.notices)


def test_an_image_with_ocr_off_needs_ocr() -> None:
    with pytest.raises(NeedsOCRError):
        parse(_image("PNG"), options=ParseOptions(ocr=False))


def test_an_image_without_text_needs_ocr() -> None:
    import numpy
    from PIL import Image

    rng = numpy.random.default_rng(1)
    noise = Image.fromarray(rng.integers(150, 256, (600, 500), dtype=numpy.uint8), mode="L")
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    with pytest.raises(NeedsOCRError):
        parse(buf.getvalue())


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded() -> None:
    with pytest.raises(UnsafeFileError) as info:
        parse(_png(100_000, 100_000))  # 10 G pixels declared in a few bytes
    assert info.value.message_vi and info.value.message_en


def test_an_image_over_the_frame_limit_is_refused(monkeypatch) -> None:
    from extractor.parsers import image

    monkeypatch.setattr(image, "MAX_PIXELS", 1000)
    with pytest.raises(UnsafeFileError):
        parse(_png(100, 100, b"\x00" * 101 * 100))


def test_a_broken_image_is_an_error_not_a_traceback() -> None:
    with pytest.raises(UnsupportedFormatError):
        parse(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2)
    truncated = _image("PNG")[:5000]  # a real header, then the pixels cut short
    with pytest.raises(CorruptFileError):
        parse(truncated)


def test_gif_is_still_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        parse(b"GIF89a" + b"\x00" * 100)


def test_the_audit_of_an_image_validates_against_the_schema(tmp_path, capsys) -> None:
    import json

    import jsonschema

    from extractor.cli import main
    from tests.conftest import ROOT

    path = tmp_path / "scan.png"
    path.write_bytes(_image("PNG"))
    assert main(["audit", str(path), "--format", "json"]) in (0, 1)
    out = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "extractor" / "data" / "audit.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(out, schema)
    (report,) = out["reports"]
    assert report["source"]["format"] == "image" and report["source"]["ocr_pages"] == [1]
    assert "OCR_USED" in [f["code"] for f in report["findings"]]


@pytest.mark.parametrize("mode", ["1", "I;16"])
def test_bilevel_and_16_bit_scans_are_read(mode: str) -> None:
    """A fax-style black-and-white TIFF and a 16-bit grey PNG keep their ink when made 8-bit grey."""
    import numpy
    from PIL import Image

    from extractor.parsers.image import frame

    page = Image.open(io.BytesIO(_image("PNG"))).convert("L")
    if mode == "1":
        converted = page.point(lambda v: 255 if v > 128 else 0).convert("1")
        buf = io.BytesIO()
        converted.save(buf, "TIFF", compression="group4", dpi=(200, 200))
    else:
        wide = (numpy.asarray(page, dtype=numpy.uint16) * 257).astype(numpy.uint16)
        buf = io.BytesIO()
        Image.fromarray(wide).save(buf, "PNG", dpi=(200, 200))
    gray, _ = frame(buf.getvalue(), 0, 200)
    assert gray.dtype == numpy.uint8 and 0.01 < float((gray < 128).mean()) < 0.3
    doc = parse(buf.getvalue())
    assert "1498/UBND-VHXH" in doc.text
