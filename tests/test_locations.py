"""Every Location of a PDF says where its quote is drawn: the page's size and one box per line, and the
characters inside those boxes, read back from the PDF by pdfplumber, are the quoted characters."""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path

import pdfplumber
import pytest

from extractor.audit import audit_document
from extractor.contract import Location
from extractor.model import Document
from extractor.reading import parse
from extractor.rules.locate import Locator, _locations
from tests.conftest import REALDOCS, SAMPLES

SAMPLE_PDFS = sorted(SAMPLES.glob("*.pdf"))
# Real PDFs with a text layer: tables with fractions, signed letters (the stamp text is not in page.chars).
REAL_PDFS = ("40_", "05_", "10_", "03_", "14_", "43_")


def _fold(text: str) -> str:
    return "".join(text.split())


def _centres(page: pdfplumber.page.Page) -> list[tuple[float, float, str]]:
    """(y, x, text) of the centre of every character of the page, sorted by y."""
    return sorted(((ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2, ch["text"]) for ch in page.chars)


def _chars_in(centres: list[tuple[float, float, str]], loc: Location) -> str:
    """The characters whose centres fall inside the location's boxes, box by box, left to right."""
    out = []
    for box in loc.boxes:
        first = bisect_left(centres, (box.top, -1.0, ""))
        inside = []
        for y, x, text in centres[first:]:
            if y > box.bottom:
                break
            if box.x0 <= x <= box.x1:
                inside.append((x, text))
        out += [text for _, text in sorted(inside)]
    return "".join(out)


def _stamped(doc: Document) -> set[int]:
    """Offsets of text a signature widget draws over a blank: on the page image, not in its text layer."""
    return {i for span in getattr(doc, "stamped", []) for i in range(span.start, span.end)}


def _drawn_on_page(doc: Document, loc: Location) -> str:
    """The quoted characters of the page's text layer on the location's page (a row cut by a page break
    runs onto the next page; a signature stamp's text is drawn by its widget, not by the page)."""
    s, e = loc.start or 0, loc.end or 0
    stamped = _stamped(doc)
    lines = [line for line in doc.lines_between(s, e) if line.page == loc.page]
    return "".join(
        doc.text[i] for line in lines for i in range(max(s, line.start), min(e, line.end)) if i not in stamped
    )


def _on_one_page(doc: Document, loc: Location) -> bool:
    return {line.page for line in doc.lines_between(loc.start or 0, loc.end or 0)} <= {loc.page}


def _check_file(path: Path) -> int:
    """Audit ``path`` and check every location with a span; returns how many boxes were checked."""
    doc = parse(path)
    report = audit_document(doc)
    locations = [loc for loc in _locations(report) if loc.start is not None and loc.quote.strip()]
    assert locations, f"{path.name}: the audit quoted nothing"
    checked = 0
    centres: dict[int, list[tuple[float, float, str]]] = {}
    with pdfplumber.open(path) as pdf:
        for loc in locations:
            drawn = doc.lines_between(loc.start or 0, loc.end or 0)
            if not drawn:  # e.g. text a signature stamp draws, not on the page's text layer
                continue
            assert loc.boxes, f"{path.name}: no box for «{loc.quote}»"
            assert loc.page is not None
            page = pdf.pages[loc.page - 1]
            assert (loc.page_width, loc.page_height) == (pytest.approx(page.width), pytest.approx(page.height))
            for box in loc.boxes:
                assert 0 <= box.x0 < box.x1 <= page.width + 0.01, box
                assert 0 <= box.top < box.bottom <= page.height + 0.01, box
            if loc.page not in centres:
                centres[loc.page] = _centres(page)
            reread = _fold(_chars_in(centres[loc.page], loc))
            assert reread == _fold(_drawn_on_page(doc, loc)), f"{path.name} p.{loc.page}: «{loc.quote}»"
            if _on_one_page(doc, loc) and not _stamped(doc) & set(range(loc.start or 0, loc.end or 0)):
                assert reread == _fold(loc.quote)
            checked += len(loc.boxes)
    return checked


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=lambda p: p.name)
def test_sample_locations_have_boxes_over_the_quote(path: Path) -> None:
    assert _check_file(path) > 0


@pytest.mark.parametrize("prefix", REAL_PDFS)
def test_real_pdf_locations_have_boxes_over_the_quote(prefix: str) -> None:
    if not REALDOCS.is_dir():
        pytest.skip(f"{REALDOCS} is absent: the shared documents are not checked out beside the project")
    matches = sorted(REALDOCS.glob(f"{prefix}*.pdf"))
    if not matches:
        pytest.skip(f"no PDF starting with {prefix!r} in {REALDOCS}")
    assert _check_file(matches[0]) > 0


def test_a_span_over_two_lines_gets_one_box_per_line_covering_only_the_quote() -> None:
    path = SAMPLES / "000_cong-van-phu-luc.pdf"
    doc = parse(path)
    first, second = doc.text_lines[3], doc.text_lines[4]  # two lines of one paragraph of the letter's head
    assert doc.text[first.end] == "\n" and second.start == first.end + 1
    loc = Locator(doc).at(first.end - 4, second.start + 3)
    assert loc.quote == doc.text[first.end - 4 : first.end] + "\n" + doc.text[second.start : second.start + 3]
    assert len(loc.boxes) == 2
    whole = Locator(doc).at(first.start, first.end).boxes[0]
    assert loc.boxes[0].x1 == whole.x1 and loc.boxes[0].x0 > whole.x0  # the tail of the first line only
    assert loc.boxes[1].x0 == pytest.approx(second.xs[0], abs=0.01)
    assert loc.boxes[1].top == pytest.approx(second.top, abs=0.01)


def test_locations_of_other_formats_have_no_boxes() -> None:
    doc = parse(SAMPLES / "000_cong-van-phu-luc.docx")
    loc = Locator(doc).at(0, 20)
    assert loc.boxes == [] and loc.page_width is None


def test_a_location_without_a_span_gets_the_page_size_and_keeps_its_box() -> None:
    from extractor.contract import Box
    from extractor.rules.locate import place_on_page

    doc = parse(SAMPLES / "001_cong-van.pdf")
    stamp = Box(x0=300, top=700, x1=500, bottom=760)
    loc = place_on_page(Location(page=1, quote="Ký bởi: UBND xã", boxes=[stamp]), doc)
    assert loc.boxes == [stamp] and (loc.page_width, loc.page_height) == (doc.pages[0].width, doc.pages[0].height)
