"""Regenerate the bad PDFs whose text layer is not text, in tests/data/bad/ (run from the project root).

    python tests/data/make_bad_inputs.py

Named ``<error code>__<what>.pdf`` like the other bad inputs:
- needs_ocr__pdf_cid_glyph_codes.pdf: a page of text in a font with no Unicode map, which extracts as
  "(cid:7)(cid:4)…" (a PDF whose fonts lost their maps);
- needs_ocr__pdf_private_use_text.pdf: a page whose glyphs map to private-use code points;
- no_text__pdf_2000_blank_pages.pdf: 2,000 blank pages, no text and no image.
The mixed PDF (a text page and scanned pages) is built by the tests themselves (``mixed_pdf``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_bad_pdfs import _stream, build_pdf, image_only_pdf  # noqa: E402

BAD = HERE / "bad"
LINES = 30  # lines of glyphs on a page
PER_LINE = 60  # glyphs on a line


def _cid_font_objects(first: int, to_unicode: int | None) -> list[bytes]:
    """A Type0 font (Identity-H) as objects ``first``, ``first + 1``, ``first + 2``; without a ToUnicode map
    its glyphs extract as "(cid:N)"."""
    unicode = b" /ToUnicode %d 0 R" % to_unicode if to_unicode else b""
    return [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Lost /Encoding /Identity-H /DescendantFonts [%d 0 R]%s >>"
        % (first + 1, unicode),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Lost"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /FontDescriptor %d 0 R /DW 500 >>" % (first + 2),
        b"<< /Type /FontDescriptor /FontName /Lost /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0"
        b" /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]


def _glyph_page_ops() -> bytes:
    """Lines of two-byte glyph codes, as a word processor writes a subset font: codes 1..40 repeating."""
    lines = []
    for row in range(LINES):
        codes = b"".join(b"%04X" % (1 + (row * 7 + i) % 40) for i in range(PER_LINE))
        lines.append(b"<" + codes + b"> Tj T*")
    return b"BT /F1 11 Tf 14 TL 40 800 Td " + b" ".join(lines) + b" ET"


def cid_pdf(to_unicode: bytes | None = None) -> bytes:
    """One page of glyphs in a font without a usable Unicode map (or with ``to_unicode`` as its map)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(b"", _glyph_page_ops()),
        *_cid_font_objects(5, 8 if to_unicode else None),
    ]
    if to_unicode:
        objects.append(_stream(b"", to_unicode))
    return build_pdf(objects)


def private_use_map() -> bytes:
    """A ToUnicode CMap sending glyphs 1..40 to private-use code points U+E001…: a font that lies."""
    ranges = b"<0001> <0028> <E001>"
    return (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Lost def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange " + ranges + b" endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end"
    )


def blank_pdf(pages: int) -> bytes:
    """``pages`` empty A4 pages sharing one empty content stream."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _stream(b"", b""),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * pages
    return build_pdf(objects)


def mixed_pdf(scanned: int = 6) -> bytes:
    """Page 1 typed text (a report's first page), pages 2.. scanned images with no text layer."""
    lines = [
        b"UBND XA AN HOA",
        b"BAO CAO KET QUA CHUYEN DOI SO QUY I NAM 2026",
        b"Ty le ho so truc tuyen toan trinh dat 85,5 phan tram.",
        b"Xa da trien khai cac nhiem vu theo ke hoach cua tinh.",
    ] * 3
    ops = b"BT /F1 12 Tf 72 770 Td 16 TL " + b" ".join(b"(%s) '" % line for line in lines) + b" ET"
    scan = image_only_pdf(1)
    image = scan[scan.index(b"3 0 obj\n") + 8 : scan.index(b"\nendobj", scan.index(b"3 0 obj\n"))]
    kids = b" ".join(b"%d 0 R" % n for n in [6, *range(7, 7 + 2 * scanned, 2)])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (1 + scanned),
        image,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(b"", ops),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>",
    ]
    for i in range(scanned):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R" % (8 + 2 * i)
            + b" /Resources << /XObject << /Im1 3 0 R >> >> >>"
        )
        objects.append(_stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"))
    return build_pdf(objects)


def main() -> None:
    BAD.mkdir(exist_ok=True)
    outputs = {
        "needs_ocr__pdf_cid_glyph_codes.pdf": cid_pdf(),
        "needs_ocr__pdf_private_use_text.pdf": cid_pdf(private_use_map()),
        "no_text__pdf_2000_blank_pages.pdf": blank_pdf(2000),
    }
    for name, data in outputs.items():
        (BAD / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
