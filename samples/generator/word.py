"""Lay a classified report out as a Word document (python-docx), the way a commune office types it.

A4 portrait, Times New Roman 14 pt, margins 20/20/30/15 mm, page numbers at the top from page 2. The header
is a borderless two-column table; bullets are a real '-' / '+' list; recipients and signature sit side by
side in a borderless table; the appendix starts on a new page (or in a landscape section), e.g.
``write_docx(classify(doc), Path("000_cong-van-phu-luc.docx"))``. Zip entries and document properties carry
one fixed date, so the file depends on its input only.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TypedDict, Unpack

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from extractor import Table

from .layout import Item, Report, is_total, merges, widths

FONT = "Times New Roman"
FIXED_DATE = (2026, 1, 1, 0, 0, 0)
PORTRAIT_MM, LANDSCAPE_MM = 165.0, 257.0
CENTER, LEFT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY


def write_docx(rep: Report, path: Path, *, landscape: bool = False, pad: int = 0) -> None:
    """The report as Word would hold it; ``pad`` adds points of space above the appendix table."""
    d = _new_docx()
    _header_table(d, rep, PORTRAIT_MM)
    _para(d, "", after=6)
    for i, line in enumerate(rep.title):
        _para(d, line, bold=True, align=CENTER, after=12 if i == len(rep.title) - 1 else 0)
    _body(d, rep.body, _bullet_numbering(d))
    _signature(d, rep)
    if rep.appendix is not None:
        _annex(d, rep, rep.appendix, landscape, pad)
    d.save(str(path))
    fix_zip(path)


def _new_docx() -> DocxDocument:
    d = docx.Document()
    for name, size in (("Normal", 14), ("Heading 1", 14), ("Heading 2", 14), ("Heading 3", 14)):
        style = d.styles[name]
        _font(style.element.get_or_add_rPr(), size)
        style.font.color.rgb = None
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after, fmt.widow_control = Pt(6 if "Heading" in name else 0), Pt(6), True
    d.styles["Normal"].paragraph_format.line_spacing = 1.1
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    sec.different_first_page_header_footer = True  # page numbers from page 2, at the top
    number = sec.header.paragraphs[0]
    number.alignment = CENTER
    number._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    return d


def _font(rpr: CT_RPr, size: float) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    rpr.sz_val = Pt(size)


class Look(TypedDict, total=False):
    """How a paragraph looks: justified, 6 pt after, in the style's size, unless said otherwise."""

    bold: bool
    italic: bool
    size: float
    align: WD_ALIGN_PARAGRAPH
    indent: bool
    after: float


def _format(p: DocxParagraph, text: str, **look: Unpack[Look]) -> DocxParagraph:
    run = p.add_run(text)
    run.bold, run.italic = look.get("bold") or None, look.get("italic") or None
    if "size" in look:
        run.font.size = Pt(look["size"])
    pf = p.paragraph_format
    pf.alignment = look.get("align", JUSTIFY)
    pf.first_line_indent = Mm(10) if look.get("indent") else None
    pf.space_after = Pt(look.get("after", 6))
    return p


def _para(where: DocxDocument | _Cell, text: str, **look: Unpack[Look]) -> DocxParagraph:
    return _format(where.add_paragraph(), text, **look)


def _cell_lines(cell: _Cell, lines: list[str], **look: Unpack[Look]) -> None:
    for i, line in enumerate(lines or [""]):
        _format(cell.paragraphs[0] if i == 0 else cell.add_paragraph(), line, **look)


def _table(d: DocxDocument, rows: int, widths: list[float], *, ruled: bool) -> DocxTable:
    t = d.add_table(rows=rows, cols=len(widths))
    if ruled:
        t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return t


def _header_table(d: DocxDocument, rep: Report, width: float) -> None:
    t = _table(d, 2, [0.38 * width, 0.62 * width], ruled=False)
    _cell_lines(t.cell(0, 0), rep.issuer, bold=True, size=12, align=CENTER, after=0)
    _cell_lines(t.cell(0, 1), rep.motto[:1], bold=True, size=12, align=CENTER, after=0)
    _para(t.cell(0, 1), rep.motto[1], bold=True, size=13, align=CENTER, after=6)
    _cell_lines(t.cell(1, 0), [rep.number], size=13, align=CENTER, after=0)
    if rep.subject:
        _para(t.cell(1, 0), rep.subject, size=12, align=CENTER, after=0)
    _cell_lines(t.cell(1, 1), [rep.place_date], italic=True, size=13, align=CENTER, after=0)


def _bullet_numbering(d: DocxDocument) -> int:
    """Add a '-' / '+' bullet list definition; return its numId."""
    numbering = d.part.numbering_part.element
    used = numbering.xpath("./w:abstractNum/@w:abstractNumId") + numbering.xpath("./w:num/@w:numId")
    new = max((int(x) for x in used), default=0) + 1
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:suff w:val="space"/>'
        f'<w:lvlText w:val="{mark}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="0" w:firstLine="{567 * (i + 1)}"/></w:pPr></w:lvl>'
        for i, mark in enumerate("-+")
    )
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{new}">{levels}</w:abstractNum>')
    nums = numbering.xpath("./w:num")
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{new}"><w:abstractNumId w:val="{new}"/></w:num>'))
    return new


def _body(d: DocxDocument, items: list[Item], bullets: int) -> None:
    for item in items:
        if item.table is not None:
            _grid(d, item.table, PORTRAIT_MM)
        elif item.kind == "heading":
            d.add_heading(item.text, item.level)
        elif item.kind == "bullet":
            num = _para(d, item.text)._p.get_or_add_pPr().get_or_add_numPr()
            num.get_or_add_ilvl().val, num.get_or_add_numId().val = item.level, bullets
        elif item.text.startswith("Kính gửi"):
            _para(d, item.text, align=CENTER, after=12)
        else:
            _para(d, item.text, indent=True, bold=item.kind == "section")


def _signature(d: DocxDocument, rep: Report) -> None:
    if not (rep.recipients or rep.authority):
        return
    _para(d, "", after=0)
    t = _table(d, 1, [0.45 * PORTRAIT_MM, 0.55 * PORTRAIT_MM], ruled=False)
    left, right = t.cell(0, 0), t.cell(0, 1)
    _cell_lines(left, ["Nơi nhận:"], bold=True, italic=True, size=12, align=LEFT, after=0)
    for line in rep.recipients:
        _para(left, line if line.startswith("-") else f"- {line}", size=11, align=LEFT, after=0)
    _cell_lines(right, rep.authority, bold=True, size=13, align=CENTER, after=0)
    for _ in range(4):
        _para(right, "", after=0)
    _para(right, rep.signer, bold=True, align=CENTER, after=0)


def _annex(d: DocxDocument, rep: Report, table: Table, landscape: bool, pad: int) -> None:
    if landscape:
        sec = d.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)
        sec.left_margin = sec.right_margin = Mm(20)
        sec.different_first_page_header_footer = False
    p = None
    for i, line in enumerate(rep.annex or [""]):
        note = line.startswith("(")
        p = _para(d, line, bold=not note, italic=note, align=CENTER, after=0)
        if i == 0 and not landscape:
            p.paragraph_format.page_break_before = True
    if p is not None:
        p.paragraph_format.space_after = Pt(8 + pad)
    _grid(d, table, LANDSCAPE_MM if landscape else PORTRAIT_MM)


def _grid(d: DocxDocument, table: Table, width: float) -> None:
    """A ruled table; header rows repeat on each page, short columns are centred, 'TỔNG' rows merged left."""
    texts = table.texts()
    heads = max(table.header_rows, 1)
    t = _table(d, len(texts), widths(texts, width), ruled=True)
    short = [all(len(row[c]) <= 12 for row in texts[heads:]) for c in range(table.n_cols)]
    for r, row in enumerate(texts):
        if r < heads:
            t.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for c, text in enumerate(row):
            cell = t.cell(r, c)
            strong, centred = r < heads or is_total(row), r < heads or short[c]
            _cell_lines(cell, text.split("\n"), bold=strong, size=12, align=CENTER if centred else LEFT, after=2)
            if centred:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for first, last in merges(table, r, row):
            t.cell(r, first).merge(t.cell(r, last))


def fix_zip(path: Path) -> None:
    """Give every zip entry and the document properties one fixed date, so output depends on input only."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            z.writestr(zipfile.ZipInfo(name, FIXED_DATE), data, zipfile.ZIP_DEFLATED)
