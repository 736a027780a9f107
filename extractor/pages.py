"""One page of a report drawn as a PNG, so that a finding can be shown boxed on the page it quotes.

    from extractor import page_count, page_image
    page_count(data)                 # pages of a PDF, frames of a TIFF, 1 for a PNG/JPEG, None for DOCX/XLSX/text
    png = page_image(data, page=2)   # page 2 (pages are numbered from 1, as in Location.page) at 110 dpi

A PDF page is drawn with pypdfium2 (annotations such as signature stamps included) at ``dpi`` dots per inch,
clamped to ``MIN_DPI``–``MAX_DPI``; a page so large that it would exceed ``MAX_PIXELS`` is drawn smaller to fit.
Finding boxes are in PDF points from the top left, so a box maps onto the image by ``pixels = points × dpi / 72``
(the image's width over the page's width when the page was drawn smaller).

An image file (PNG, JPEG, TIFF — a TIFF page per frame) is read with Pillow: its size is checked from its
header before any pixel is decoded (an image over ``MAX_SOURCE_PIXELS`` is refused as unsafe: a decompression
bomb), it is turned upright by its EXIF orientation, scaled to ``dpi`` when it states its own resolution, and
bounded to ``MAX_PIXELS``.

Anything else raises an :class:`~extractor.errors.InputError` with a Vietnamese and an English reason:
NotPagedError for a format without pages (DOCX, XLSX, .doc, text), PageOutOfRangeError, CorruptFileError,
EncryptedFileError, UnsafeFileError, TooLargeError, UnsupportedFormatError.
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Any

from extractor.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    InputError,
    NoPagesError,
    NotPagedError,
    PageOutOfRangeError,
    TooLargeError,
    UnsafeFileError,
)
from extractor.options import ParseOptions
from extractor.pdfium import PDFIUM_LOCK
from extractor.sniff import sniff

MIN_DPI = 36
MAX_DPI = 300
DEFAULT_DPI = 110
MAX_PIXELS = 16_000_000  # an A4 page at 300 dpi is 8.7 million; an A3 one is drawn a little smaller
# An image file's own resolution, as extractor/parsers/image.py reads it (boxes are in points of that size).
IMAGE_DEFAULT_DPI, IMAGE_MIN_DPI, IMAGE_MAX_DPI = 200.0, 50.0, 1200.0
MAX_SOURCE_PIXELS = 80_000_000  # an image larger than this is refused before it is decoded (A3 at 600 dpi: 70 M)
POINTS_PER_INCH = 72

_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))


def clamp_dpi(dpi: int | float) -> float:
    """``dpi`` within MIN_DPI–MAX_DPI (a NaN asks for the default)."""
    if not isinstance(dpi, int | float) or math.isnan(dpi):
        return float(DEFAULT_DPI)
    return float(min(max(dpi, MIN_DPI), MAX_DPI))


def page_count(data: bytes) -> int | None:
    """How many pages ``data`` has: a PDF's pages, a TIFF's frames, 1 for a PNG or JPEG; None for a file
    without pages (DOCX, XLSX, .doc, text). Raises InputError for a broken, locked or unreadable file."""
    kind = _kind(data)
    if kind == "pdf":
        with PDFIUM_LOCK:
            pdf = _open_pdf(data)
            try:
                return len(pdf)
            finally:
                pdf.close()
    if kind is None:
        return None
    with _open_image(data, kind) as image:
        return int(getattr(image, "n_frames", 1))


def page_image(data: bytes, page: int, dpi: int = DEFAULT_DPI) -> bytes:
    """The PNG of page ``page`` (from 1) of a PDF or an image file; see the module's docstring."""
    kind = _kind(data)
    if kind is None:
        raise NotPagedError(sniff(data).format)  # sniff raises UnsupportedFormatError for garbage
    if kind == "pdf":
        return _pdf_page(data, page, clamp_dpi(dpi))
    return _image_page(data, kind, page, clamp_dpi(dpi))


def _kind(data: bytes) -> str | None:
    """ "pdf", "png", "jpeg", "tiff", or None for any other format (checked by ``sniff``)."""
    if not data.strip():
        raise EmptyFileError()
    limit = ParseOptions().max_bytes
    if len(data) > limit:
        raise TooLargeError(len(data), limit)
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if b"%PDF-" in data[:1024]:
        return "pdf"
    sniff(data)  # raises for an empty, garbage, bomb or other unreadable file
    return None


def _check_page(page: int, pages: int) -> None:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= pages:
        raise PageOutOfRangeError(page, pages)


def _open_pdf(data: bytes) -> Any:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise _refusal(data, exc) from exc
    if len(pdf) == 0:
        pdf.close()
        raise NoPagesError()
    return pdf


def _refusal(data: bytes, exc: Exception) -> InputError:
    """Why PDFium refused a PDF, asked of pdfplumber: a password, an empty page tree, else a broken file.
    (PDFium's own error code is not to be trusted: it may be left over from another file.)"""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                return NoPagesError()
    except Exception as other:  # pdfplumber wraps what pdfminer raises
        cause = other.args[0] if other.args and isinstance(other.args[0], BaseException) else other
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            return EncryptedFileError("pdf")
    return CorruptFileError("pdf", detail=str(exc))


def _pdf_page(data: bytes, page: int, dpi: float) -> bytes:
    import pypdfium2

    with PDFIUM_LOCK:
        pdf = _open_pdf(data)
        try:
            _check_page(page, len(pdf))
            drawn = pdf[page - 1]
            try:
                width, height = drawn.get_size()
                scale = _scale(width, height, dpi / POINTS_PER_INCH)
                bitmap = drawn.render(scale=scale, draw_annots=True)
                image = bitmap.to_pil()
            except pypdfium2.PdfiumError as exc:
                raise CorruptFileError("pdf", detail=str(exc)) from exc
            finally:
                drawn.close()
        finally:
            pdf.close()
    return _png(image)


def _scale(width: float, height: float, scale: float) -> float:
    """``scale`` reduced so that the drawn page stays within MAX_PIXELS (and at least one pixel wide)."""
    area = max(width, 1.0) * max(height, 1.0)
    if area * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / area)
    return max(scale, 1e-3)


def _open_image(data: bytes, kind: str) -> Any:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb() from exc
    except (OSError, ValueError, SyntaxError) as exc:  # PIL.UnidentifiedImageError is an OSError
        raise CorruptFileError(kind, detail=str(exc)) from exc
    _check_size(image)
    return image


def _bomb() -> UnsafeFileError:
    return UnsafeFileError(
        f"ảnh quá lớn (trên {MAX_SOURCE_PIXELS:,} điểm ảnh, có thể là ảnh nén bất thường)",
        f"the image is too large (over {MAX_SOURCE_PIXELS:,} pixels, possibly a decompression bomb)",
    )


def _check_size(image: Any) -> None:
    width, height = image.size
    if width * height > MAX_SOURCE_PIXELS:
        image.close()
        raise _bomb()


def _image_page(data: bytes, kind: str, page: int, dpi: float) -> bytes:
    from PIL import Image, ImageOps

    with _open_image(data, kind) as image:
        _check_page(page, int(getattr(image, "n_frames", 1)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.seek(page - 1)
                _check_size(image)  # every TIFF frame has its own size
                image.load()
                upright = ImageOps.exif_transpose(image)
                own = image.info.get("dpi")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb() from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise CorruptFileError(kind, detail=str(exc)) from exc
    factor = _image_factor(upright.size, own, dpi)
    if factor < 1:
        size = (max(1, round(upright.width * factor)), max(1, round(upright.height * factor)))
        upright = upright.resize(size, Image.Resampling.LANCZOS)
    return _png(upright)


def _image_factor(size: tuple[int, int], own_dpi: Any, dpi: float) -> float:
    """How much to shrink an image: to ``dpi`` when it states its resolution, then to MAX_PIXELS (never grown)."""
    factor = 1.0
    try:
        stated = float(own_dpi[0]) if own_dpi else 0.0
    except (TypeError, ValueError, IndexError):
        stated = 0.0
    if not IMAGE_MIN_DPI <= stated <= IMAGE_MAX_DPI:
        stated = IMAGE_DEFAULT_DPI  # absent or a placeholder: the resolution the image parser assumes too
    factor = min(1.0, dpi / stated)
    area = size[0] * size[1] * factor * factor
    if area > MAX_PIXELS:
        factor *= math.sqrt(MAX_PIXELS / area)
    return factor


def _png(image: Any) -> bytes:
    if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
