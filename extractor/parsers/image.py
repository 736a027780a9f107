"""Read an image file (JPEG, PNG, TIFF with one page per frame) as a scanned document: each page by OCR.

A page's size in points comes from the image's resolution (72/dpi points per pixel; 200 dpi when the file
does not say), so boxes on it read like those of a PDF page. An image below the OCR resolution is enlarged to
it before OCR (Tesseract reads small print badly). Pillow decodes lazily: a frame's size is checked against
``MAX_PIXELS`` before its pixels are decoded (a decompression bomb is refused), and a file with more frames
than ``ParseOptions.max_pages`` is read up to that many, with a notice.
"""

from __future__ import annotations

import io
from typing import Any

import numpy

from extractor.builder import DocumentBuilder
from extractor.errors import CorruptFileError, NeedsOCRError, UnsafeFileError
from extractor.model import Document, Source
from extractor.options import ParseOptions
from extractor.parsers import ocr
from extractor.parsers.pdf import emit_pages, ocr_doubts, page_data

DEFAULT_DPI = 200.0
# A frame of more pixels than this is refused before it is decoded: an A0 sheet at 300 dpi is 140 M pixels,
# an A4 page at 600 dpi 35 M.
MAX_PIXELS = 150_000_000
_MIN_DPI, _MAX_DPI = 50.0, 1200.0  # a resolution outside this range is a wrong tag: the default is used


def _open(data: bytes) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CorruptFileError("image", detail=f"{type(exc).__name__}: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnsafeFileError(f"ảnh quá lớn ({exc})", f"the image is too large ({exc})") from exc
    return image


def _check_size(image: Any) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnsafeFileError(
            f"ảnh {width:,}×{height:,} điểm ảnh vượt giới hạn {MAX_PIXELS:,} (bom giải nén)",
            f"the image is {width:,}×{height:,} pixels, over the {MAX_PIXELS:,} limit (decompression bomb)",
        )


def dpi_of(image: Any) -> float:
    """The image's horizontal resolution in dots per inch, or DEFAULT_DPI when it is absent or implausible."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if _MIN_DPI <= value <= _MAX_DPI else DEFAULT_DPI


def frame_count(data: bytes) -> int:
    image = _open(data)
    return int(getattr(image, "n_frames", 1) or 1)


def frame(data: bytes, index: int, dpi: int) -> tuple[numpy.ndarray, float]:
    """Frame ``index`` as an 8-bit grayscale image, enlarged to ``dpi`` when it is coarser, and its PDF points
    per pixel."""
    import cv2
    from PIL import Image, ImageOps

    image = _open(data)
    try:
        image.seek(index)
    except EOFError as exc:
        raise CorruptFileError("image", detail=f"frame {index} missing") from exc
    _check_size(image)
    own = dpi_of(image)
    try:
        image.load()
        if index == 0:
            image = ImageOps.exif_transpose(image)  # a photo taken sideways
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image.convert("RGBA"))
        if image.mode.startswith("I;16") or image.mode in ("I", "F"):  # 16-bit or wider grey: scaled, not clipped
            wide = numpy.asarray(image, dtype=numpy.float64)
            gray = (wide * (255.0 / max(float(wide.max()), 1.0))).astype(numpy.uint8)
        else:
            gray = numpy.asarray(image.convert("L"), dtype=numpy.uint8)
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptFileError(image.format or "image", detail=f"{type(exc).__name__}: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnsafeFileError(f"ảnh quá lớn ({exc})", f"the image is too large ({exc})") from exc
    if own < 0.75 * dpi:
        factor = dpi / own
        larger = numpy.asarray(cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC))
        return larger.astype(numpy.uint8), 72.0 / dpi
    return gray, 72.0 / own


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    image = _open(data)
    total = int(getattr(image, "n_frames", 1) or 1)
    sizes = []
    for index in range(min(total, options.max_pages)):
        image.seek(index)
        _check_size(image)
        own = dpi_of(image)
        sizes.append((image.size[0] * 72.0 / own, image.size[1] * 72.0 / own))
    builder = DocumentBuilder(source)
    if total > options.max_pages:
        builder.notice(
            "pages_skipped",
            f"Chỉ đọc {options.max_pages} trang đầu trong {total} trang.",
            f"Only the first {options.max_pages} of {total} pages were read.",
        )
    for number, (width, height) in enumerate(sizes, 1):
        builder.add_page(number, width, height, has_text_layer=False)
    if not options.ocr:
        raise NeedsOCRError(len(sizes), len(sizes))
    pages = ocr.read_pages(
        "image", data, list(range(len(sizes))), options.ocr_dpi, options.ocr_workers, second=options.ocr_second_reader
    )
    read = [p for p in pages if not p.quality and p.chars >= options.min_chars_per_page]
    if not read:
        raise NeedsOCRError(len(sizes), len(sizes))
    emitted = [page_data(p, *sizes[p.number - 1]) for p in read]
    emit_pages(emitted, builder)
    for page in pages:
        if page not in read and not page.blank:
            builder.notice(
                "page_without_text",
                f"Trang {page.number} là ảnh; nhận dạng ký tự (OCR) không đọc được chữ rõ ràng nào trên trang này.",
                f"Page {page.number} is an image; OCR read no legible text on it.",
                page=page.number,
            )
    source.ocr, source.ocr_pages = True, [p.number for p in read]
    weights = [(p.confidence, p.chars) for p in read if p.confidence is not None]
    total_chars = sum(n for _, n in weights)
    source.ocr_confidence = round(sum(c * n for c, n in weights) / total_chars, 1) if total_chars else None
    source.pages = len(sizes)
    doc = builder.build()
    confidence = {p.number: p.confidence for p in read}
    for out in doc.pages:
        if out.number in confidence:
            out.source, out.ocr_confidence = "ocr", confidence[out.number]
    doc.ocr_doubts = ocr_doubts(emitted)
    return doc
