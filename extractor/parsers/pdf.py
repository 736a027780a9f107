"""Read a PDF into a Document: ruled tables, paragraphs in reading order, page furniture, scans.

Each page is read once with pdfplumber (characters, rules and images come from one pass over the page's
content) and closed straight away. Tables continued on the next page are stitched into one table, e.g.
an appendix of criteria running over three pages comes out as one table with its header once.

Each page's text comes from its text layer where that layer holds the page's text, and from OCR of the
rendered page (``extractor.parsers.ocr``) where the page is an image: no text layer, a layer that is not
text (``text_quality``), or a layer that covers little of the ink of a page-sized image (a scan whose only
text is a signature stamp). An OCR'd page gives the same lines and tables as a text page, so furniture,
paragraphs, reading order and tables stitched across pages are one code path. A scan OCR cannot read (OCR
switched off, not installed, or nothing legible) raises NeedsOCRError with whatever text there was; in a
mixed PDF each page left unread gets a notice.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.page import Page as PlumberPage

from extractor.builder import CellSpec, DocumentBuilder, GlyphLine
from extractor.errors import (
    CorruptFileError,
    EncryptedFileError,
    NeedsOCRError,
    NoPagesError,
    NoTextError,
    OcrUnavailableError,
)
from extractor.model import BBox, Document, OcrDoubt, Source
from extractor.options import ParseOptions
from extractor.parsers import ocr
from extractor.parsers.legacy import convert_pdf_chars, notice_texts
from extractor.parsers.ocr import Doubt
from extractor.parsers.pdf_layout import (
    Line,
    Para,
    furniture_key,
    in_margin,
    is_page_number,
    paragraphs,
    reading_order,
    text_lines,
)
from extractor.parsers.pdf_signatures import with_signatures
from extractor.parsers.pdf_stamps import Stamp, page_stamps, with_stamps
from extractor.parsers.pdf_tables import PdfTable, TooManyRules, append_part, continues, find_tables
from extractor.parsers.text_quality import REASONS, Reason, assess, ordered_text

# The last "%%EOF" must sit within this many bytes of the end, or the file was cut short.
_EOF_WINDOW = 1024
# A document is a scan when at least this share of its pages have images and no text layer.
_SCAN_SHARE = 0.9
# An image covering at least this share of the page may be the page itself (a scan) ...
_PAGE_IMAGE_SHARE = 0.5
# ... and when the text layer's characters cover less than this share of the page's ink, the page is read
# from its image: the text is a stamp or a caption over a scan, not the page's text.
_MIN_INK_COVERED = 0.5
# Resolution at which a page's ink is measured against its text layer.
_INK_DPI = 50

Block = Para | PdfTable


@dataclass
class _PageData:
    number: int
    width: float
    height: float
    printable: int
    images: int
    tables: list[PdfTable]
    lines: list[Line]
    crowded: bool = False  # too many rules to look for tables (a drawing); its text is read as paragraphs
    blocks: list[Block] = field(default_factory=list)
    furniture: list[Para] = field(default_factory=list)
    stamps: list[Stamp] = field(default_factory=list)  # its signature widgets (see pdf_stamps)
    garbled: Reason | None = None  # why its text layer is not text (see text_quality); its text is not read
    page_image: bool = False  # an image covers most of the page (a scan)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # its characters, page images
    ocr: bool = False  # its lines and tables were read by OCR
    ocr_confidence: float | None = None
    ocr_failed: bool = False  # OCR read nothing legible on it
    blank: bool = False  # an image with no ink: nothing to read, nothing left unread
    legacy_encoding: str | None = None  # its text was typed in TCVN3/VNI fonts and converted
    doubts: list[Doubt] = field(default_factory=list)  # OCR


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    eof = data.rfind(b"%%EOF")
    if eof < 0 or eof < len(data) - _EOF_WINDOW:
        raise CorruptFileError("pdf", detail="no %%EOF near the end of the file: cut short or not a PDF")
    builder = DocumentBuilder(source)
    pages = _read_pages(data, options, builder)
    if converted := [p.legacy_encoding for p in pages if p.legacy_encoding]:
        source.legacy_encoding = converted[0]
        builder.notice("legacy_encoding", *notice_texts(converted[0], len(converted), "trang", "pages"))
    unavailable = _ocr(data, pages, options, builder)
    for page in pages:
        text_layer = page.printable >= options.min_chars_per_page and not page.garbled and not page.ocr
        builder.add_page(page.number, page.width, page.height, text_layer)
    emit_pages(pages, builder)
    _check_scan(data, pages, options, builder, unavailable)
    doc = with_signatures(builder.build(), data, [s for page in pages for s in page.stamps])
    for page, out in zip(pages, doc.pages, strict=False):
        if page.ocr:
            out.source, out.ocr_confidence = "ocr", page.ocr_confidence
    doc.ocr_doubts = ocr_doubts(pages)
    return doc


def ocr_doubts(pages: list[_PageData]) -> list[OcrDoubt]:
    """The words OCR read with low confidence on the pages read by OCR, where they are."""
    return [
        OcrDoubt(page=p.number, bbox=_bbox(d.box), text=d.text, confidence=d.conf, first_reading=d.first)
        for p in pages
        if p.ocr
        for d in p.doubts
    ]


@contextmanager
def _guard() -> Iterator[None]:
    """Whatever the PDF library raises on a broken file becomes a typed error."""
    try:
        yield
    except (NoPagesError, EncryptedFileError, CorruptFileError):
        raise
    except Exception as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise EncryptedFileError("pdf") from exc
        raise CorruptFileError("pdf", detail=f"{type(cause).__name__}: {cause}") from exc


def _read_pages(data: bytes, options: ParseOptions, builder: DocumentBuilder) -> list[_PageData]:
    with _guard():
        pdf = pdfplumber.open(io.BytesIO(data))
    try:
        with _guard():
            plumber_pages = pdf.pages
        if not plumber_pages:
            raise NoPagesError()
        pages = [_read_page(page, number) for number, page in enumerate(plumber_pages[: options.max_pages], 1)]
        if _digitally_signed(pdf):
            builder.notice(
                "digitally_signed",
                "Văn bản có chữ ký số; số và ngày ban hành có thể nằm trong dấu chữ ký, không trong lớp chữ.",
                "The document is digitally signed; its number and date may sit in the signature stamp, "
                "not in the text layer.",
            )
    finally:
        with suppress(Exception):  # closing walks the page tree again, which may be what is broken
            pdf.close()
    _reading_notices(pages, len(plumber_pages), options, builder)
    return pages


def _digitally_signed(pdf: pdfplumber.PDF) -> bool:
    """Whether the form holds a signature field (/FT /Sig): the document was signed, hence issued."""
    try:
        form = resolve1(pdf.doc.catalog.get("AcroForm"))
        fields = resolve1(form.get("Fields")) if isinstance(form, dict) else None
        return any(
            isinstance(f := resolve1(field), dict) and getattr(resolve1(f.get("FT")), "name", None) == "Sig"
            for field in fields or []
        )
    except Exception:  # a broken form dictionary says nothing about signing
        return False


def _reading_notices(pages: list[_PageData], total: int, options: ParseOptions, builder: DocumentBuilder) -> None:
    for page in pages:
        if page.crowded:
            builder.notice(
                "table_search_skipped",
                f"Trang {page.number} có quá nhiều đường kẻ (hình vẽ); không tìm bảng trên trang này.",
                f"Page {page.number} draws too many rules (a drawing); no table was looked for on it.",
                page=page.number,
            )
    if total > options.max_pages:
        builder.notice(
            "pages_skipped",
            f"Chỉ đọc {options.max_pages} trang đầu trong {total} trang.",
            f"Only the first {options.max_pages} of {total} pages were read.",
        )


def _read_page(page: PlumberPage, number: int) -> _PageData:
    with _guard():
        page.objects  # noqa: B018 - one pass over the content stream; everything below reads its results
    x0, top, x1, bottom = page.bbox
    chars = [c for c in page.chars if x0 <= c["x0"] < x1 and top <= c["top"] < bottom]
    chars, legacy_encoding = convert_pdf_chars(chars)  # text typed in TCVN3/VNI legacy fonts, as Unicode
    printable = sum(1 for c in chars if c["text"].strip())
    garbled = assess(ordered_text(chars)).reason if printable else None
    area = float(page.width) * float(page.height) or 1.0
    page_image = any(
        (float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"])) >= _PAGE_IMAGE_SHARE * area
        for im in page.images
    )
    boxes = [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars] if page_image and not garbled else []
    if garbled:
        chars = []  # a text layer that is not text: the page is read as a scan is (it needs OCR)
    stamps = page_stamps(page, number)
    chars = with_stamps(chars, stamps)  # the number and day a signature stamp draws over blanks
    try:
        tables = find_tables(page, number, chars)
        crowded = False
    except TooManyRules:
        tables, crowded = [], True
    outside = [c for c in chars if not any(_inside(c, t.bbox) for t in tables)]
    data = _PageData(number, float(page.width), float(page.height), printable, len(page.images), tables, [], crowded)
    data.lines = text_lines(outside)
    data.stamps = stamps
    data.garbled = garbled
    data.page_image = page_image
    data.boxes = boxes
    data.legacy_encoding = legacy_encoding
    page.close()
    return data


def _inside(ch: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    y = (ch["top"] + ch["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def emit_pages(pages: list[_PageData], builder: DocumentBuilder) -> None:
    """Lay out the pages' lines (furniture, paragraphs, reading order with the tables), stitch tables that
    run on over a page break, and hand every block to the builder: text pages and OCR'd pages alike."""
    _layout(pages)
    _stitch(pages)
    _emit(pages, builder)


def page_data(page: ocr.OcrPage, width: float, height: float) -> _PageData:
    """An OCR'd page as a page of lines and tables, like one read from a text layer."""
    data = _PageData(page.number, width, height, page.chars, 1, page.tables, page.lines)
    data.ocr, data.ocr_confidence = True, page.confidence
    data.doubts = page.doubts
    return data


def _layout(pages: list[_PageData]) -> None:
    """Split furniture from body text, then group the body into paragraphs ordered with the tables."""
    repeated = _repeated_margins(pages)
    for page in pages:
        body: list[Line] = []
        for line in page.lines:
            kind = _furniture_kind(line, page, repeated)
            if kind is None:
                body.append(line)
            else:
                page.furniture.append(Para(line, style=kind or None))
        barriers = [(t.bbox[1], t.bbox[3]) for t in page.tables]
        blocks: list[Block] = [*paragraphs(body, barriers), *page.tables]
        page.blocks = reading_order(blocks)
        page.lines = []


def _repeated_margins(pages: list[_PageData]) -> set[str]:
    counts = Counter(
        key for page in pages for key in {furniture_key(ln.text) for ln in page.lines if in_margin(ln, page.height)}
    )
    needed = 2 if len(pages) <= 4 else 3
    return {key for key, n in counts.items() if n >= needed and any(ch.isalpha() for ch in key)}


def _furniture_kind(line: Line, page: _PageData, repeated: set[str]) -> str | None:
    """None for body text; "page_number" for a page number; "" for another running header or footer."""
    if not in_margin(line, page.height):
        return None
    if is_page_number(line.text):
        return "page_number"
    return "" if furniture_key(line.text) in repeated else None


def _stitch(pages: list[_PageData]) -> None:
    """A table first on its page continues the table last on the page before when their columns match."""
    last: Block | None = None
    for page in pages:
        blocks = page.blocks
        first = blocks[0] if blocks else None
        if isinstance(last, PdfTable) and isinstance(first, PdfTable) and continues(last, first):
            append_part(last, first)
            blocks.pop(0)
        if blocks:
            last = blocks[-1]


def _bbox(box: tuple[float, float, float, float]) -> BBox:
    return BBox(x0=box[0], top=box[1], x1=box[2], bottom=box[3])


def _glyphs(lines: list[Line], page: int) -> list[GlyphLine]:
    return [GlyphLine(ln.text, page, ln.top, ln.bottom, ln.extents()) for ln in lines]


def _emit(pages: list[_PageData], builder: DocumentBuilder) -> None:
    """Hand every block to the builder in reading order, with where each of its lines is drawn."""
    for page in pages:
        for block in page.blocks:
            if isinstance(block, PdfTable):
                _emit_table(block, builder)
            else:
                lines = _glyphs(block.lines, page.number)
                builder.add_paragraph(block.text, page=page.number, bbox=_bbox(block.bbox), lines=lines)
        for para in page.furniture:
            builder.add_paragraph(
                para.text,
                page=page.number,
                bbox=_bbox(para.bbox),
                style=para.style,
                role="furniture",
                lines=_glyphs(para.lines, page.number),
            )


def _emit_table(table: PdfTable, builder: DocumentBuilder) -> None:
    cells = [
        CellSpec(
            c.text,
            c.row,
            c.col,
            c.row_span,
            c.col_span,
            page=c.page,
            bbox=_bbox(c.bbox),
            end_page=c.end_page,
            lines=[g for number, lines in c.lines for g in _glyphs(lines, number)],
            confidence=c.confidence,
            repair=c.repair,
        )
        for c in table.cells
    ]
    builder.add_table(cells, header_rows=table.header_rows, page=table.page, bbox=_bbox(table.bbox), pages=table.pages)


def _image_page(page: _PageData, options: ParseOptions) -> bool:
    """Whether the page may have to be read from its image: its text layer is not text, it has images and
    (next to) no text, or an image covers most of it (its text is then measured against its ink)."""
    if page.garbled:
        return True
    if page.printable < options.min_chars_per_page:
        return page.images > 0
    return page.page_image


def _ocr(data: bytes, pages: list[_PageData], options: ParseOptions, builder: DocumentBuilder) -> bool:
    """Read by OCR the pages that are images; True when OCR was needed but is not installed."""
    if not options.ocr:
        return False
    wanted = _choose(data, pages, options)
    if not wanted:
        return False
    try:
        results = ocr.read_pages(
            "pdf",
            data,
            [p.number - 1 for p in wanted],
            options.ocr_dpi,
            options.ocr_workers,
            second=options.ocr_second_reader,
        )
    except OcrUnavailableError:
        return True
    for page, result in zip(wanted, results, strict=True):
        if result.quality or result.chars < options.min_chars_per_page:
            page.ocr_failed = True  # nothing legible: a page with a real text layer keeps it
            page.blank = result.blank
            continue
        page.lines, page.tables, page.crowded = result.lines, result.tables, False
        page.ocr, page.ocr_confidence, page.printable = True, result.confidence, result.chars
        page.doubts = result.doubts
    read = [p for p in pages if p.ocr]
    if read:
        source = builder.source
        source.ocr, source.ocr_pages = True, [p.number for p in read]
        weights = [(p.ocr_confidence, p.printable) for p in read if p.ocr_confidence is not None]
        total = sum(n for _, n in weights)
        source.ocr_confidence = round(sum(c * n for c, n in weights) / total, 1) if total else None
    return False


def _choose(data: bytes, pages: list[_PageData], options: ParseOptions) -> list[_PageData]:
    """The pages to read from their image (see ``_image_page``; a page-sized image under a real text layer
    only when that layer covers less than ``_MIN_INK_COVERED`` of the page's ink)."""
    wanted = [p for p in pages if _image_page(p, options)]
    layered = [p for p in wanted if not p.garbled and p.printable >= options.min_chars_per_page]
    if layered:
        covered = _ink_covered(data, layered)
        wanted = [p for p in wanted if p not in layered or covered[p.number] < _MIN_INK_COVERED]
    return wanted


def pages_for_ocr(data: bytes, options: ParseOptions | None = None) -> tuple[int, list[int]]:
    """(pages read, the numbers of those that would be read by OCR) without running OCR: for benchmarks."""
    options = options or ParseOptions()
    pages = _read_pages(data, options, DocumentBuilder(Source(sha256="", size=len(data), format="pdf")))
    return len(pages), [p.number for p in _choose(data, pages, options)]


def _ink_covered(data: bytes, pages: list[_PageData]) -> dict[int, float]:
    """For each page, the share of its dark pixels that fall inside its text layer's character boxes."""
    import numpy

    out: dict[int, float] = {}
    by_number = {p.number: p for p in pages}
    for index, gray, dpi in ocr.iter_rendered(data, [p.number - 1 for p in pages], _INK_DPI):
        scale = dpi / 72.0
        dark = gray < 128
        inside = numpy.zeros_like(dark)
        h, w = dark.shape
        for x0, top, x1, bottom in by_number[index + 1].boxes:
            r0, r1 = max(0, int(top * scale) - 1), min(h, math.ceil(bottom * scale) + 1)
            c0, c1 = max(0, int(x0 * scale) - 1), min(w, math.ceil(x1 * scale) + 1)
            inside[r0:r1, c0:c1] = True
        ink = int(dark.sum())
        out[index + 1] = float((dark & inside).sum()) / ink if ink else 1.0
    return out


def _check_scan(
    data: bytes, pages: list[_PageData], options: ParseOptions, builder: DocumentBuilder, unavailable: bool
) -> None:
    """A scan OCR did not read is refused with whatever text there was (NeedsOCRError, or OcrUnavailableError
    when OCR is not installed); a PDF with no readable text at all is refused; in a mixed PDF each page left
    unread gets a notice."""
    scanned = [
        p.number for p in pages if not p.ocr and (p.garbled or (p.printable < options.min_chars_per_page and p.images))
    ]
    garbled = [p for p in pages if p.garbled and not p.ocr]
    readable = any(p.ocr or (p.printable and not p.garbled) for p in pages)
    if scanned and (not readable or len(scanned) >= math.ceil(_SCAN_SHARE * len(pages))):
        if unavailable:
            raise OcrUnavailableError()
        for number, text in _annotation_texts(data, scanned).items():
            builder.add_paragraph(text, page=number, style="annotation", role="furniture")
        scan = with_signatures(builder.build(), data, [s for page in pages for s in page.stamps])
        raise NeedsOCRError(len(pages), len(scanned), document=scan, garbled=len(garbled))
    if not readable:
        raise NoTextError(len(pages))  # e.g. blank pages: nothing to read, and no image to OCR either
    if unavailable and scanned:
        err = OcrUnavailableError()
        builder.notice("ocr_unavailable", err.message_vi, err.message_en)
    for page in garbled:
        vi, en = REASONS[page.garbled or ""]
        builder.notice(
            "page_text_garbled",
            f"Trang {page.number}: {vi}; nội dung trang này không được đọc (cần nhận dạng ký tự).",
            f"Page {page.number}: {en}; its content was not read (it needs OCR).",
            page=page.number,
        )
    failed = {p.number for p in pages if p.ocr_failed}
    blank = {p.number for p in pages if p.blank}
    for number in sorted(set(scanned) - {p.number for p in garbled} - blank):
        if number in failed:
            builder.notice(
                "page_without_text",
                f"Trang {number} là ảnh quét; nhận dạng ký tự (OCR) không đọc được chữ rõ ràng nào trên trang này.",
                f"Page {number} is a scanned image; OCR read no legible text on it.",
                page=number,
            )
        else:
            builder.notice(
                "page_without_text",
                f"Trang {number} là ảnh quét, không có lớp chữ; nội dung trang này không được đọc.",
                f"Page {number} is a scanned image without a text layer; its content was not read.",
                page=number,
            )


def _annotation_texts(data: bytes, numbers: list[int]) -> dict[int, str]:
    """Text drawn by annotations (e.g. a digital-signature stamp) on a scan's pages, which pdfplumber skips."""
    import pypdfium2

    out: dict[int, str] = {}
    with suppress(pypdfium2.PdfiumError):
        pdf = pypdfium2.PdfDocument(data)
        try:
            for number in numbers:
                text = _flattened_text(pdf, number - 1)
                if text:
                    out[number] = text
        finally:
            pdf.close()
    return out


def _flattened_text(pdf: Any, index: int) -> str:
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    if pdfium_c.FPDFPage_GetAnnotCount(page) > 0:
        pdfium_c.FPDFPage_Flatten(page, pdfium_c.FLAT_NORMALDISPLAY)
        page.close()
        page = pdf[index]  # reloaded: the flattened annotations are now page content
    textpage = page.get_textpage()
    text = str(textpage.get_text_range()).strip()
    textpage.close()
    page.close()
    return text
