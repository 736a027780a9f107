"""The document model every parser produces and every rule reads.

A :class:`Document` has one text (``Document.text``) in reading order. Every block, row and cell carries
its character span into that text, so ``document.text[b.start:b.end] == b.text`` always holds and any
finding can quote the source exactly. The text is what the file says (tone marks, NFD, no-break spaces
and all); ``Document.norm`` is its normalised form with an offset map back (see :mod:`extractor.textnorm`).

Layout of ``Document.text``: body blocks in reading order, one per line group, separated by "\\n"; a table
row is its cells joined by "\\t"; rows are separated by "\\n". Page furniture (running headers, footers,
page numbers) comes after the body, so it never interrupts a paragraph or a table continued across pages.

Coordinates: ``bbox`` is in PDF points with the origin at the top left of the page (pdfplumber's).
Pages and lines are 1-based. ``line`` is the line of the block's first character counted from the start of
its page in ``Document.text`` (from the start of the file for formats without pages), unless a parser
knows the line in the source file better (text files).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from extractor.textnorm import NormText, normalize

Format = Literal["pdf", "docx", "xlsx", "doc", "txt", "md", "image"]
Role = Literal["body", "furniture"]


class BBox(BaseModel):
    model_config = ConfigDict(frozen=True)
    x0: float
    top: float
    x1: float
    bottom: float

    def union(self, other: BBox) -> BBox:
        return BBox(
            x0=min(self.x0, other.x0),
            top=min(self.top, other.top),
            x1=max(self.x1, other.x1),
            bottom=max(self.bottom, other.bottom),
        )


class Notice(BaseModel):
    """Something worth knowing about how the file was read (not an audit finding)."""

    code: str
    message_vi: str
    message_en: str
    page: int | None = None


class DigitalSignature(BaseModel):
    """One digital signature of a PDF, read offline: no network, no trust store (chain never checked)."""

    field: str | None = None
    signer: str | None = Field(None, description="the certificate's common name (CN)")
    organisation: str | None = Field(None, description="the certificate's O, else OU")
    signed_at: datetime | None = None
    covers_whole_file: bool = False
    intact: bool | None = Field(None, description="the signed bytes still match their digest; None: unreadable")
    valid: bool | None = Field(None, description="the signature value verifies with the certificate's key")
    modified_after: str | None = Field(None, description="what a later revision changes beyond signing, in Vietnamese")
    note: str | None = None
    page: int | None = None
    bbox: BBox | None = None
    stamp_text: str | None = Field(None, description="the text the signature's widget shows, where it holds text")


class OcrDoubt(BaseModel):
    """A word OCR read with low confidence, where it is on its page (PDF points): facts read from it are doubtful."""

    page: int
    bbox: BBox
    text: str
    confidence: float
    first_reading: str | None = None  # Tesseract's reading, where a second recogniser changed its digits


class StampedSpan(BaseModel):
    """``Document.text[start:end]`` was drawn by a signature widget over a blank of the page, not typed."""

    start: int
    end: int
    page: int | None = None
    field: str | None = None
    ocr: bool = Field(False, description="the stamp is an image and its text was read by OCR")


class Source(BaseModel):
    path: str | None = None
    filename: str | None = None
    sha256: str
    size: int
    format: Format
    declared_format: str | None = Field(None, description="what the file name's extension claims")
    pages: int | None = None
    ocr: bool = False
    converted_by: str | None = Field(None, description="e.g. 'libreoffice' for a legacy .doc")
    signatures: list[DigitalSignature] = Field(default_factory=list, description="PDF: its digital signatures")
    ocr_pages: list[int] = Field(default_factory=list, description="pages whose text was read by OCR")
    ocr_confidence: float | None = Field(None, description="mean word confidence over the OCR'd pages, 0–100")
    legacy_encoding: str | None = Field(None, description="'tcvn3' or 'vni' when legacy-font text was converted")


class Cell(BaseModel):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str
    start: int
    end: int
    page: int | None = None
    end_page: int | None = Field(None, description="the page of the last character when a page break cut the cell")
    line: int | None = None
    bbox: BBox | None = None
    value: Decimal | None = Field(None, description="typed number where the format stores one (XLSX)")
    formula: str | None = None
    confidence: float | None = Field(None, description="OCR'd cells: the lowest word confidence, 0–100")
    repair: str | None = Field(None, description="OCR'd numeric cells: what was repaired, e.g. 'O→0'")


class Row(BaseModel):
    index: int
    cells: list[Cell]
    start: int
    end: int
    page: int | None = None
    header: bool = False

    @property
    def text(self) -> str:
        return "\t".join(c.text for c in self.cells)


class _Block(BaseModel):
    index: int
    start: int
    end: int
    page: int | None = None
    line: int | None = None
    bbox: BBox | None = None
    role: Role = "body"


class Paragraph(_Block):
    kind: Literal["paragraph"] = "paragraph"
    text: str
    style: str | None = Field(None, description="heading, title, list_item, page_number, … where known")
    list_label: str | None = Field(None, description="the rendered list number or bullet, e.g. '1.' or '-'")
    level: int | None = None


class Table(_Block):
    kind: Literal["table"] = "table"
    n_rows: int
    n_cols: int
    rows: list[Row]
    header_rows: int = 0
    ruled: bool = True
    pages: list[int] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.rows)

    def cells(self) -> list[Cell]:
        return [c for r in self.rows for c in r.cells]

    def grid(self) -> list[list[Cell | None]]:
        """n_rows × n_cols; a merged cell fills every slot it covers."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells():
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    grid[r][c] = cell
        return grid

    def texts(self) -> list[list[str]]:
        """Cell texts as a plain grid; a merged cell's text stands in its first slot only."""
        out = [[""] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells():
            if cell.row < self.n_rows and cell.col < self.n_cols:
                out[cell.row][cell.col] = cell.text
        return out


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class Page(BaseModel):
    number: int
    width: float | None = None
    height: float | None = None
    start: int = 0
    end: int = 0
    has_text_layer: bool = True
    source: Literal["text", "ocr"] = Field("text", description="where the page's text was read: its text layer or OCR")
    ocr_confidence: float | None = Field(None, description="OCR pages: mean word confidence, 0–100")

    @property
    def landscape(self) -> bool:
        return bool(self.width and self.height and self.width > self.height)


class TextLine:
    """Where one visual line of a PDF page is drawn: ``Document.text[start:end]`` is the line; ``xs`` holds
    x0, x1 of each of its characters (2 per character, in PDF points); ``top``/``bottom`` bound the line."""

    __slots__ = ("bottom", "end", "page", "start", "top", "xs")

    def __init__(self, start: int, end: int, page: int, top: float, bottom: float, xs: array[float]) -> None:
        self.start, self.end, self.page, self.top, self.bottom, self.xs = start, end, page, top, bottom, xs

    def __getstate__(self) -> tuple[int, int, int, float, float, array[float]]:
        return self.start, self.end, self.page, self.top, self.bottom, self.xs

    def __setstate__(self, state: tuple[int, int, int, float, float, array[float]]) -> None:
        self.start, self.end, self.page, self.top, self.bottom, self.xs = state


class Document(BaseModel):
    model_config = ConfigDict(ignored_types=(cached_property,), arbitrary_types_allowed=True)

    source: Source
    text: str
    pages: list[Page] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    stamped: list[StampedSpan] = Field(default_factory=list, description="text drawn by signature stamps")
    ocr_doubts: list[OcrDoubt] = Field(default_factory=list, exclude=True, repr=False)  # OCR'd words in doubt
    # PDF only: the drawn lines of the text, sorted by ``start`` (kept out of the JSON form).
    text_lines: SkipValidation[list[TextLine]] = Field(default_factory=list, exclude=True, repr=False)

    @cached_property
    def norm(self) -> NormText:
        """The normalised text with its map back to ``text``."""
        return normalize(self.text)

    @property
    def body(self) -> list[Paragraph | Table]:
        return [b for b in self.blocks if b.role == "body"]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]

    def lines_between(self, start: int, end: int) -> list[TextLine]:
        """The drawn lines holding some of ``text[start:end]``, in text order (PDF only)."""
        starts = self._line_starts
        k = max(0, bisect_right(starts, start) - 1)
        out = []
        while k < len(self.text_lines) and self.text_lines[k].start < end:
            line = self.text_lines[k]
            if line.end > start:
                out.append(line)
            k += 1
        return out

    @cached_property
    def _line_starts(self) -> list[int]:
        return [line.start for line in self.text_lines]

    def page_at(self, offset: int) -> int | None:
        """The page whose text holds ``offset`` (None for formats without pages)."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None
