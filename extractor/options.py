"""Knobs for reading a file; defaults suit a city officer's upload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseOptions:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000
    # A text file (TXT, Markdown) longer than this many characters is read only up to it, with a notice.
    max_text_chars: int = 5_000_000
    # LibreOffice conversion of a legacy .doc is killed after this many seconds.
    convert_timeout: float = 60.0
    # A PDF page with fewer printable characters than this counts as having no text layer.
    min_chars_per_page: int = 20
    # An XLSX workbook with more cells than this is streamed (stored values) and read only up to this many
    # cells, with a notice; below it the whole workbook is loaded (merged cells, formulas recomputed).
    max_cells: int = 10_000
    # Pages that are images (scans, text layers that are not text, image files) are read by OCR (Tesseract,
    # Vietnamese); off, they are left unread with a notice.
    ocr: bool = True
    # Resolution (dots per inch) at which a PDF page is rendered for OCR; an image file of lower resolution
    # is enlarged to it. 200 reads realdocs 18 with fewer errors than 300 (CER 1.8 % against 2.2 %) in about
    # half the time (scripts/ocr_cer.py --dpi 200 300).
    ocr_dpi: int = 200
    # Processes reading OCR pages of one file in parallel; None: one per core.
    ocr_workers: int | None = None
    # Digits Tesseract doubts (handwritten numbers and days) are read again by a second recogniser, PP-OCR
    # (extractor.parsers.ocr_second); off, Tesseract's reading stands (for measuring the difference).
    ocr_second_reader: bool = True
