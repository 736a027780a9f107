"""DOCX parser: the body in reading order (paragraphs, tables, content controls, text boxes) with provenance.

The body XML is walked directly (python-docx opens the package and gives the parts):

    w:p    -> a paragraph; its list number rendered into the text ("2. Công tác …") and ``list_label``;
              headings / titles / list items from the style or outline level
    w:tbl  -> a table with merged cells as spans (see :mod:`extractor.parsers.docx_tables`)
    w:sdt  -> its content, in place
    headers and footers of every section -> role="furniture" (a PAGE field's paragraph: style="page_number")

Runs in legacy TCVN3/VNI fonts are converted to Unicode when the document's legacy-font runs read as
Vietnamese only once converted (:mod:`extractor.parsers.legacy`); the document then has a "legacy_encoding"
notice and ``source.legacy_encoding``. A run's font is its own ``w:rFonts``, else its character style's,
its paragraph style's, the default paragraph style's, the document defaults'.

Pages: a DOCX has no fixed pages. When Word has saved where its pages started (``w:lastRenderedPageBreak``),
those and the explicit breaks number the pages, e.g. the 3rd rendered break starts page 4; the count comes
from docProps/app.xml. Without rendered breaks (or when they disagree with that count) pages stay None.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import regex
from lxml import etree

from extractor.builder import CellSpec, DocumentBuilder
from extractor.errors import CorruptFileError
from extractor.model import Document, Role, Source
from extractor.options import ParseOptions
from extractor.parsers import legacy
from extractor.parsers.docx_numbering import Numbering
from extractor.parsers.docx_styles import Styles, paragraph_numbering
from extractor.parsers.docx_tables import read_table
from extractor.parsers.docx_text import (
    MC_NS,
    Element,
    PageCounter,
    RunConverter,
    choose_branch,
    int_val,
    read_paragraph,
    w,
    w_attr,
)
from extractor.sniff import check_xml_safety, check_zip_safety

_APP_PAGES = regex.compile(rb"<(?:\w+:)?Pages>\s*(\d+)\s*</(?:\w+:)?Pages>")
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CONTAINERS = {w("sdt"), w("sdtContent"), w("customXml"), w("ins"), w("moveTo"), w("smartTag")}
_ALTERNATE = f"{{{MC_NS}}}AlternateContent"


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    """Read DOCX bytes, e.g. ``parse(path.read_bytes(), source, ParseOptions())``."""
    package = _open(data)
    body = package.element.body
    if body is None:
        raise CorruptFileError("docx", detail="word/document.xml has no w:body")
    styles_el = _part_element(package, "styles")
    reader = _Reader(Styles(styles_el), Numbering(_part_element(package, "numbering")))
    furniture = _furniture_parts(package.part, body)
    fonts = RunFonts(styles_el)
    converter = LegacyRuns.detect(fonts, [body, *furniture])
    reader.convert = converter
    reader.read_body(body)
    n_pages = _settle_pages(reader, _app_pages(data, options.max_pages), options.max_pages)
    for part in furniture:
        reader.read_furniture(part)
    builder = DocumentBuilder(source)
    if converter is not None and converter.converted:
        source.legacy_encoding = converter.encoding
        builder.notice("legacy_encoding", *legacy.notice_texts(converter.encoding, converter.converted, "đoạn", "runs"))
    if n_pages:
        source.pages = n_pages
        for number in range(1, n_pages + 1):
            builder.add_page(number)
    reader.emit(builder)
    if not builder.has_content:
        builder.notice("no_text", "Tài liệu Word không có nội dung chữ.", "The Word document has no text.")
    return builder.build()


def _open(data: bytes) -> Any:
    """The python-docx document; any package or XML fault is the file's, e.g. a part that is not well formed."""
    import docx
    from docx.opc.exceptions import OpcError

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        check_zip_safety(zf)
        check_xml_safety(zf)
        return docx.Document(io.BytesIO(data))
    except (
        OpcError,
        zipfile.BadZipFile,
        zlib.error,  # a member whose deflate stream is broken (found by scripts/fuzz.py)
        NotImplementedError,  # a member stored with a compression method zipfile does not know
        KeyError,
        ValueError,
        TypeError,
        etree.LxmlError,
        EOFError,
        OSError,
    ) as exc:
        raise CorruptFileError("docx", detail=f"{type(exc).__name__}: {exc}") from exc


def _part_element(package: Any, name: str) -> Element | None:
    """The root element of the styles or numbering part, None when the document has no numbering."""
    try:
        part = package.styles if name == "styles" else package.part.numbering_part
    except (KeyError, NotImplementedError):
        return None
    element: Element | None = getattr(part, "element", None)
    return element


def _app_pages(data: bytes, limit: int) -> int | None:
    """<Pages> of docProps/app.xml, as Word last counted them (None past ``limit``: not a real count)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("docProps/app.xml") as app:
            match = _APP_PAGES.search(app.read(256 * 1024))
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    pages = int(match.group(1)) if match else 0
    return pages if 0 < pages <= limit else None


def _settle_pages(reader: _Reader, app_pages: int | None, limit: int) -> int | None:
    """The page count to report; drops the page numbers when they cannot be trusted."""
    if not reader.has_rendered_breaks:
        reader.drop_pages()
        return app_pages
    counted = reader.pages.page
    if _pages_agree(counted, app_pages, limit):
        return max(counted, app_pages or 0)
    reader.drop_pages()
    said = f"{app_pages}" if app_pages else "?"
    reader.notices.append(
        (
            "stale_page_breaks",
            f"Vị trí ngắt trang lưu trong tệp ({counted} trang) không khớp số trang ({said}); bỏ số trang.",
            f"The saved page breaks ({counted} pages) disagree with the page count ({said}); pages omitted.",
        )
    )
    return app_pages


def _pages_agree(counted: int, app_pages: int | None, limit: int) -> bool:
    """Rendered breaks are trusted when they match Word's own count within 5 % (or there is no count)."""
    if app_pages is None:
        return counted <= limit
    return abs(counted - app_pages) <= max(1, app_pages // 20)


def _furniture_parts(document_part: Any, body: Element) -> list[Element]:
    """Header and footer parts referenced by the sections, each once, headers first."""
    out: list[Element] = []
    seen: set[int] = set()
    for kind in ("headerReference", "footerReference"):
        for ref in body.iter(w(kind)):
            part = document_part.related_parts.get(ref.get(_R_ID))
            element = getattr(part, "element", None)
            if element is not None and id(part) not in seen:
                seen.add(id(part))
                out.append(element)
    return out


class RunFonts:
    """The font a run is set in: its ``w:rFonts``, else its character style's, its paragraph style's, the
    default paragraph style's, the document defaults' (``w:docDefaults``), e.g. ".VnTime"."""

    def __init__(self, styles: Element | None) -> None:
        self._styles: dict[str, tuple[str | None, str | None]] = {}  # styleId -> (font, basedOn)
        self._default_paragraph: str | None = None
        self._default: str | None = None
        self._resolved: dict[str | None, str | None] = {}
        self.names: set[str] = set()
        if styles is None:
            return
        defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self._default = _font_of(defaults)
        for el in styles.iter(w("style")):
            style_id = w_attr(el, "styleId", "") or ""
            self._styles[style_id] = (_font_of(el.find(w("rPr"))), w_attr(el.find(w("basedOn")), "val"))
            if w_attr(el, "type") == "paragraph" and w_attr(el, "default") in ("1", "true", "on"):
                self._default_paragraph = style_id
        self.names = {f for f, _ in self._styles.values() if f} | ({self._default} if self._default else set())

    def style_font(self, style_id: str | None) -> str | None:
        if style_id in self._resolved:
            return self._resolved[style_id]
        seen: set[str] = set()
        found: str | None = None
        current = style_id
        while current and current in self._styles and current not in seen:
            seen.add(current)
            font, current = self._styles[current]
            if font:
                found = font
                break
        self._resolved[style_id] = found
        return found

    def any_legacy(self, parts: Iterable[Element]) -> bool:
        """Whether a legacy-named font is set anywhere: in the styles or on a run of ``parts``."""
        if any(legacy.font_encoding(name) for name in self.names):
            return True
        names = {value for part in parts for el in part.iter(w("rFonts")) for value in el.values()}
        return any(legacy.font_encoding(name) for name in names)

    def of_run(self, r: Element, p: Element | None = None) -> str | None:
        """The font of run ``r`` (of paragraph ``p``, found when not given)."""
        rpr = r.find(w("rPr"))
        font = _font_of(rpr)
        if font:
            return font
        font = self.style_font(w_attr(rpr.find(w("rStyle")), "val") if rpr is not None else None)
        if font:
            return font
        if p is None:
            p = next(r.iterancestors(w("p")), None)
        ppr = p.find(w("pPr")) if p is not None else None
        p_style = w_attr(ppr.find(w("pStyle")), "val") if ppr is not None else None
        return self.style_font(p_style or self._default_paragraph) or self._default


def _font_of(rpr: Element | None) -> str | None:
    """The font of a ``w:rPr``'s ``w:rFonts``: the legacy one of hAnsi/ascii when either is, else hAnsi."""
    fonts = rpr.find(w("rFonts")) if rpr is not None else None
    if fonts is None:
        return None
    names = [n for n in (w_attr(fonts, "hAnsi"), w_attr(fonts, "ascii")) if n]
    return next((n for n in names if legacy.font_encoding(n)), names[0] if names else None)


@dataclass
class LegacyRuns:
    """Converts the runs set in fonts of ``encoding`` (the document was found to be written in it)."""

    fonts: RunFonts
    encoding: str
    converted: int = 0
    _last: int | None = None

    @classmethod
    def detect(cls, fonts: RunFonts, parts: Iterable[Element]) -> LegacyRuns | None:
        """None unless runs in legacy-named fonts read as Vietnamese once converted."""
        parts = list(parts)
        if not fonts.any_legacy(parts):
            return None
        texts: list[str] = []
        names: set[str] = set()
        for part in parts:
            for p in part.iter(w("p")):
                line: list[str] = []
                for r in p.iter(w("r")):
                    font = fonts.of_run(r, p)
                    if not legacy.font_encoding(font):
                        continue
                    names.add(font or "")
                    line.extend(t.text or "" if t.tag == w("t") else "\u00ad" for t in r.iter(w("t"), w("softHyphen")))
                if line:
                    texts.append("".join(line))
        if not names:
            return None
        encoding = legacy.detect("\n".join(texts), names)
        return cls(fonts, encoding) if encoding else None

    def __call__(self, run: Element, text: str) -> str:
        out = legacy.convert_run(text, self.fonts.of_run(run), self.encoding)
        if out != text and self._last != id(run):
            self._last = id(run)
            self.converted += 1
        return out


@dataclass
class _Para:
    text: str
    page: int | None
    style: str | None = None
    list_label: str | None = None
    level: int | None = None
    role: Role = "body"


@dataclass
class _Tab:
    cells: list[CellSpec]
    header_rows: int
    ruled: bool
    role: Role = "body"


@dataclass
class _Reader:
    styles: Styles
    numbering: Numbering
    pages: PageCounter = field(default_factory=PageCounter)
    blocks: list[_Para | _Tab] = field(default_factory=list)
    notices: list[tuple[str, str, str]] = field(default_factory=list)
    has_rendered_breaks: bool = False
    convert: RunConverter | None = None
    _role: Role = "body"
    _section_types: list[str] = field(default_factory=list)
    _section_index: int = 0

    def read_body(self, body: Element) -> None:
        self.has_rendered_breaks = next(body.iter(w("lastRenderedPageBreak")), None) is not None
        self._section_types = [w_attr(s.find(w("type")), "val", "nextPage") or "" for s in body.iter(w("sectPr"))]
        self._read_blocks(body)

    def read_furniture(self, root: Element) -> None:
        """A header or footer part: it repeats on every page, so its blocks carry no page."""
        body_pages, self.pages, self._role = self.pages, PageCounter(), "furniture"
        first = len(self.blocks)
        try:
            self._read_blocks(root)
        finally:
            self.pages, self._role = body_pages, "body"
        self.drop_pages(first)

    def drop_pages(self, first: int = 0) -> None:
        for block in self.blocks[first:]:
            if isinstance(block, _Para):
                block.page = None
            else:
                block.cells = [replace(c, page=None) for c in block.cells]

    def _read_blocks(self, container: Iterable[Element]) -> None:
        for child in container:
            if child.tag == w("p"):
                self._paragraph_block(child)
            elif child.tag == w("tbl"):
                spec = read_table(child, self)
                self.blocks.append(_Tab(spec.cells, spec.header_rows, spec.ruled, self._role))
            elif child.tag in _CONTAINERS:
                self._read_blocks(child)
            elif child.tag == _ALTERNATE:
                self._read_blocks(choose_branch(child))

    def _paragraph_block(self, p: Element) -> None:
        para, boxes = self.paragraph(p)
        if para.text.strip():
            self.blocks.append(para)
        for box in boxes:
            self._read_blocks(box)
        if self._role == "body" and p.find(f"{w('pPr')}/{w('sectPr')}") is not None:
            self._section_index += 1
            types = self._section_types
            if self._section_index < len(types) and types[self._section_index] != "continuous":
                self.pages.hard_break()

    def paragraph(self, p: Element) -> tuple[_Para, list[Element]]:
        """One paragraph with its list label in front, e.g. "a) Kết quả …", and the text boxes it anchors."""
        read = read_paragraph(p, self.pages, self.convert)
        ppr = p.find(w("pPr"))
        style_id = w_attr(ppr.find(w("pStyle")) if ppr is not None else None, "val") or self.styles.default_paragraph
        label, ilvl = self._list_label(ppr, style_id)
        text = read.text
        if label:
            text = f"{label} {text}" if text.strip() else label
        para = _Para(text=text, page=read.page, list_label=label, role=self._role)
        para.style, para.level = self._kind(ppr, style_id, label, ilvl)
        if read.page_field:
            para.style = "page_number"
        return para, read.boxes

    def _list_label(self, ppr: Element | None, style_id: str | None) -> tuple[str | None, int]:
        direct = paragraph_numbering(ppr)
        inherited = self.styles.numbering(style_id)
        num_id = direct[0] if direct and direct[0] else (inherited[0] if inherited else "")
        ilvl = next((n[1] for n in (direct, inherited) if n and n[1] is not None), 0)
        if num_id in ("", "0"):
            return None, ilvl
        return self.numbering.label(num_id, ilvl), ilvl

    def _kind(
        self, ppr: Element | None, style_id: str | None, label: str | None, ilvl: int
    ) -> tuple[str | None, int | None]:
        kind = self.styles.kind(style_id)
        if kind is not None:
            return kind
        outline_el = ppr.find(w("outlineLvl")) if ppr is not None else None
        outline = int_val(w_attr(outline_el, "val"), None)
        if outline is None:
            outline = self.styles.outline_level(style_id)
        if outline is not None and 0 <= outline < 9:
            return "heading", outline + 1
        return ("list_item", ilvl + 1) if label else (None, None)

    def cell_text(self, tc: Element) -> tuple[str, int]:
        start_page = self.pages.page
        lines: list[tuple[str, int | None]] = []
        self._cell_lines(tc, lines)
        page = next((pg for text, pg in lines if text.strip() and pg is not None), start_page)
        return "\n".join(text for text, _ in lines if text.strip()), page

    def _cell_lines(self, container: Element, lines: list[tuple[str, int | None]]) -> None:
        for child in container:
            if child.tag == w("p"):
                para, boxes = self.paragraph(child)
                lines.append((para.text, para.page))
                for box in boxes:
                    self._cell_lines(box, lines)
            elif child.tag == w("tbl"):
                page = self.pages.page
                spec = read_table(child, self)
                for r in sorted({c.row for c in spec.cells}):
                    row = sorted((c for c in spec.cells if c.row == r), key=lambda c: c.col)
                    lines.append(("\t".join(c.text for c in row), row[0].page if row else page))
            elif child.tag in _CONTAINERS:
                self._cell_lines(child, lines)

    def emit(self, builder: DocumentBuilder) -> None:
        for code, vi, en in self.notices:
            builder.notice(code, vi, en)
        for block in self.blocks:
            if isinstance(block, _Para):
                builder.add_paragraph(
                    block.text,
                    page=block.page,
                    style=block.style,
                    list_label=block.list_label,
                    level=block.level,
                    role=block.role,
                )
            else:
                builder.add_table(block.cells, header_rows=block.header_rows, ruled=block.ruled, role=block.role)
