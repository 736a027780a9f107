"""A page drawn as PNG: PDF pages at a clamped dpi, image files upright and bounded, typed bilingual refusals."""

from __future__ import annotations

import io
import math
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from extractor import InputError, page_count, page_image
from extractor.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    NoPagesError,
    NotPagedError,
    PageOutOfRangeError,
    UnsafeFileError,
    UnsupportedFormatError,
)
from extractor.pages import MAX_DPI, MAX_PIXELS, MAX_SOURCE_PIXELS, MIN_DPI
from tests.conftest import DATA, SAMPLES

BAD = DATA / "bad"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _pdf(*sizes: tuple[float, float]) -> bytes:
    """A PDF of blank pages of the given sizes in points."""
    pdf = pypdfium2.PdfDocument.new()
    for width, height in sizes:
        pdf.new_page(width, height).close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def _image(fmt: str, size: tuple[int, int], **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=fmt, **save)
    return out.getvalue()


def _sample(pattern: str) -> Path:
    found = sorted(SAMPLES.glob(pattern))
    if not found:
        pytest.skip(f"no sample matching {pattern}")
    return found[0]


def test_a_pdf_page_is_drawn_at_the_asked_dpi() -> None:
    data = _pdf((595, 842), (842, 595))
    assert page_count(data) == 2
    assert _size(page_image(data, 1, dpi=72)) == (595, 842)
    assert _size(page_image(data, 2, dpi=144)) == (1684, 1190)
    width, height = _size(page_image(data, 1))  # the default, 110 dpi: PDFium rounds up to whole pixels
    assert abs(width - 595 * 110 / 72) <= 1 and abs(height - 842 * 110 / 72) <= 1


def test_a_sample_report_page_has_ink() -> None:
    data = _sample("000_*.pdf").read_bytes()
    pages = page_count(data)
    assert pages is not None and pages >= 1
    with Image.open(io.BytesIO(page_image(data, 1))) as image:
        extrema = image.convert("L").getextrema()
    assert isinstance(extrema[0], int) and extrema[0] < 100  # text was drawn, not a blank page


@pytest.mark.parametrize(("asked", "used"), [(1, MIN_DPI), (-5, MIN_DPI), (10_000, MAX_DPI), (float("nan"), 110)])
def test_dpi_is_clamped(asked: float, used: int) -> None:
    data = _pdf((72, 72))
    assert _size(page_image(data, 1, dpi=asked)) == (used, used)  # type: ignore[arg-type]


def test_a_huge_page_is_drawn_within_the_pixel_bound() -> None:
    data = _pdf((14_400, 14_400))  # 200 × 200 inches
    width, height = _size(page_image(data, 1, dpi=300))
    assert width * height <= MAX_PIXELS
    assert width == height and width > 3000


@pytest.mark.parametrize("page", [0, 3, -1])
def test_a_page_out_of_range_is_refused_in_both_languages(page: int) -> None:
    with pytest.raises(PageOutOfRangeError) as caught:
        page_image(_pdf((100, 100), (100, 100)), page)
    assert isinstance(caught.value, InputError)
    assert caught.value.message_vi == f"Không có trang {page}: tệp có 2 trang (đánh số từ 1)."
    assert "There is no page" in caught.value.message_en
    assert caught.value.to_dict()["code"] == "page_out_of_range"


def test_true_is_not_page_one() -> None:
    with pytest.raises(PageOutOfRangeError):
        page_image(_pdf((100, 100)), True)


@pytest.mark.parametrize("pattern", ["000_*.docx", "000_*.xlsx", "000_*.txt"])
def test_formats_without_pages_have_no_count_and_no_image(pattern: str) -> None:
    data = _sample(pattern).read_bytes()
    assert page_count(data) is None
    with pytest.raises(NotPagedError) as caught:
        page_image(data, 1)
    assert "không chia trang" in caught.value.message_vi and "has no pages" in caught.value.message_en


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("corrupt_file__pdf_truncated.pdf", CorruptFileError),
        ("corrupt_file__pdf_garbage_after_header.pdf", CorruptFileError),
        ("encrypted__pdf_open_password.pdf", EncryptedFileError),
        ("no_pages__pdf_zero_pages.pdf", NoPagesError),
        ("unsupported_format__garbage.bin", UnsupportedFormatError),
        ("empty_file__zero_bytes.txt", EmptyFileError),
        ("unsafe_file__docx_zip_bomb.docx", UnsafeFileError),
    ],
)
def test_bad_files_raise_their_typed_error(name: str, error: type[InputError]) -> None:
    path = BAD / name
    if not path.exists():
        pytest.skip(f"{name} absent")
    with pytest.raises(error) as caught:
        page_image(path.read_bytes(), 1)
    assert caught.value.message_vi and caught.value.message_en
    with pytest.raises(error):
        page_count(path.read_bytes())


def test_a_png_is_one_page() -> None:
    data = _image("PNG", (400, 300))
    assert page_count(data) == 1
    # no resolution stated: taken as 200 dpi, as the image parser does, so boxes in points line up
    assert _size(page_image(data, 1, dpi=200)) == (400, 300)
    assert _size(page_image(data, 1)) == (220, 165)  # the default 110 dpi
    with pytest.raises(PageOutOfRangeError):
        page_image(data, 2)


def test_a_scan_stating_its_resolution_is_drawn_at_the_asked_dpi() -> None:
    data = _image("PNG", (2480, 3508), dpi=(300, 300))  # A4 at 300 dpi
    assert _size(page_image(data, 1, dpi=150)) == (1240, 1754)
    assert _size(page_image(data, 1, dpi=300)) == (2480, 3508)  # never enlarged


def test_a_tiff_page_is_a_frame() -> None:
    frames = [Image.new("L", (100 + 10 * i, 50), 255) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    data = out.getvalue()
    assert page_count(data) == 3
    assert _size(page_image(data, 2, dpi=200)) == (110, 50)
    assert _size(page_image(data, 3, dpi=200)) == (120, 50)


def test_a_photo_is_turned_upright_by_its_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise when shown
    data = _image("JPEG", (300, 200), exif=exif.tobytes())
    assert _size(page_image(data, 1, dpi=200)) == (200, 300)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that states its size and holds almost no pixels: what a decompression bomb looks like from outside."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_MAGIC + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")


def test_an_image_bomb_is_refused_from_its_header() -> None:
    data = _png_header_only(60_000, 60_000)
    with pytest.raises(UnsafeFileError) as caught:
        page_image(data, 1)
    assert "quá lớn" in caught.value.message_vi and "decompression bomb" in caught.value.message_en


def test_an_image_just_over_the_limit_is_refused_below_pillows_own_warning() -> None:
    side = math.isqrt(MAX_SOURCE_PIXELS) + 1  # over our limit, under Pillow's (89 million pixels)
    with pytest.raises(UnsafeFileError):
        page_image(_png_header_only(side, side), 1)
    with pytest.raises(UnsafeFileError):
        page_count(_png_header_only(side, side))


def test_a_truncated_png_is_corrupt() -> None:
    data = _image("PNG", (50, 50))[:60]
    with pytest.raises(CorruptFileError):
        page_image(data, 1)


def test_pages_drawn_from_many_threads_are_identical() -> None:
    data = _pdf((200, 300), (300, 200))
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(lambda i: page_image(data, 1 + i % 2, dpi=72), range(8)))
    assert {_size(png) for png in images[0::2]} == {(200, 300)}
    assert {_size(png) for png in images[1::2]} == {(300, 200)}
