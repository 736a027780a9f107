"""Scans made from a PDF: each page rendered, turned a little, speckled and JPEG-compressed, as an office
scanner would, with no text layer — the input OCR has to read. Deterministic for a seed.

``scan_pdf`` writes a PDF of page images; ``scan_image`` a PNG, JPEG or (multi-page) TIFF.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy
import pypdfium2
from fpdf import FPDF
from PIL import Image


def _render(pdf_bytes: bytes, dpi: int, pages: list[int] | None) -> list[Image.Image]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        indices = list(range(len(pdf))) if pages is None else pages
        out = []
        for index in indices:
            page = pdf[index]
            try:
                out.append(page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L"))
            finally:
                page.close()
        return out
    finally:
        pdf.close()


def degrade(image: Image.Image, *, angle: float, noise: float, rng: numpy.random.Generator) -> Image.Image:
    """The page turned by ``angle`` degrees (counter-clockwise, white filled), with Gaussian noise of
    ``noise`` grey levels and a faint grey paper tone."""
    turned = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    pixels = numpy.asarray(turned, dtype=numpy.float64)
    pixels = pixels * 0.94 + 6.0  # paper is never pure white, ink never pure black
    if noise:
        pixels = pixels + rng.normal(0.0, noise, pixels.shape)
    return Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8), mode="L")


def _jpeg(image: Image.Image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def scan_pdf(
    pdf_bytes: bytes,
    *,
    dpi: int = 200,
    angle: float = 0.6,
    noise: float = 8.0,
    jpeg_quality: int = 70,
    seed: int = 0,
    pages: list[int] | None = None,
) -> bytes:
    """A PDF of JPEG page images (no text layer) made from ``pdf_bytes``; each page keeps its size in points.

    The angle alternates in sign from page to page (a sheet fed a little left, the next a little right)."""
    rng = numpy.random.default_rng(seed)
    out = FPDF(unit="pt")
    out.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    out.set_producer("scan")
    for i, image in enumerate(_render(pdf_bytes, dpi, pages)):
        sheet = degrade(image, angle=angle if i % 2 == 0 else -angle, noise=noise, rng=rng)
        w_pt, h_pt = sheet.width * 72.0 / dpi, sheet.height * 72.0 / dpi
        out.add_page(format=(w_pt, h_pt))
        out.image(io.BytesIO(_jpeg(sheet, jpeg_quality, dpi)), x=0, y=0, w=w_pt, h=h_pt)
    return bytes(out.output())


def scan_image(
    pdf_bytes: bytes,
    *,
    fmt: str = "PNG",
    dpi: int = 200,
    angle: float = 0.6,
    noise: float = 8.0,
    jpeg_quality: int = 70,
    seed: int = 0,
    pages: list[int] | None = None,
    write_dpi: bool = True,
) -> bytes:
    """Page images of ``pdf_bytes`` as one file: PNG or JPEG (the first page), or TIFF (every page given,
    one frame each). ``write_dpi=False`` leaves the resolution out of the file."""
    rng = numpy.random.default_rng(seed)
    chosen = [0] if pages is None and fmt.upper() != "TIFF" else pages
    images = [
        degrade(im, angle=angle if i % 2 == 0 else -angle, noise=noise, rng=rng)
        for i, im in enumerate(_render(pdf_bytes, dpi, chosen))
    ]
    # Every page goes through JPEG once, as a scanner's output does, whatever the container.
    images = [Image.open(io.BytesIO(_jpeg(im, jpeg_quality, dpi))).convert("L") for im in images]
    buf = io.BytesIO()
    extra: dict[str, object] = {"dpi": (dpi, dpi)} if write_dpi else {}
    fmt = fmt.upper()
    if fmt == "TIFF":
        images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate", **extra)
    elif fmt in ("JPEG", "JPG"):
        images[0].save(buf, "JPEG", quality=jpeg_quality, **extra)
    else:
        images[0].save(buf, "PNG", **extra)
    return buf.getvalue()
