"""DOCX: reading order, list numbers, merged cells, pages, furniture, real reports and hostile files."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from invariants import assert_spans

from extractor import parse
from extractor.errors import (
    CorruptFileError,
    EncryptedFileError,
    ExtractorError,
    InputError,
    UnsafeFileError,
)
from extractor.model import Document, Paragraph, Source, Table
from extractor.options import ParseOptions
from extractor.parsers import docx as docx_parser
from extractor.parsers.docx_numbering import Numbering, format_number, letters, roman

BAD = Path(__file__).resolve().parent / "data" / "bad"
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
LIST_ID, STT_ID = "90", "91"


# --- building a report with python-docx ------------------------------------------------------------------


def _add_lists(document) -> None:
    """numId 90: "1." with "a)" under it; numId 91: a bare "1", "2" … for an auto-numbered STT column."""
    numbering = document.part.numbering_part.element
    abstracts = [
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{LIST_ID}">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>'
        "</w:abstractNum>",
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{STT_ID}">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>'
        "</w:abstractNum>",
    ]
    for index, xml in enumerate(abstracts):
        numbering.insert(index, parse_xml(xml))
    for num_id in (LIST_ID, STT_ID):
        numbering.append(
            parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>')
        )


def _number(paragraph, num_id: str, ilvl: int = 0) -> None:
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _append_xml(paragraph, xml: str) -> None:
    paragraph._p.append(parse_xml(xml))


def _header_table(document) -> None:
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN"
    table.cell(0, 0).add_paragraph("XÃ NGHI DƯƠNG")
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    table.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")


def _scored_table(document) -> None:
    table = document.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(1, 0)).text = "STT"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "Tiêu chí"
    table.cell(0, 2).merge(table.cell(0, 3)).text = "Điểm"
    table.cell(1, 2).text, table.cell(1, 3).text = "Tối đa", "Đạt"
    for row, (name, most, got) in zip((2, 3), [("Hạ tầng số", "10", "8"), ("Nhân lực số", "5", "4")], strict=True):
        _number(table.cell(row, 0).paragraphs[0], STT_ID)
        table.cell(row, 1).text = name
        table.cell(row, 2).text, table.cell(row, 3).text = most, got
    table.cell(3, 1).add_paragraph("Đào tạo cán bộ")
    table.cell(4, 0).merge(table.cell(4, 1)).text = "TỔNG ĐIỂM"
    table.cell(4, 2).text, table.cell(4, 3).text = "15", "12"


def _list(document) -> None:
    for text, ilvl in [
        ("Hạ tầng số", 0),
        ("Nhân lực số", 0),
        ("Đào tạo", 1),
        ("Tập huấn", 1),
        ("Dữ liệu số", 0),
        ("Thu thập", 1),
    ]:
        _number(document.add_paragraph(text), LIST_ID, ilvl)


def _inline_oddities(document) -> None:
    """A field (instruction hidden, result shown), tracked changes, a no-break hyphen, a text box."""
    p = document.add_paragraph("Truy cập ")
    for xml in (
        f'<w:r {NS}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {NS}><w:instrText xml:space="preserve"> HYPERLINK "https://dichvucong.gov.vn" </w:instrText></w:r>',
        f'<w:r {NS}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {NS}><w:t>Cổng dịch vụ công</w:t></w:r>",
        f'<w:r {NS}><w:fldChar w:fldCharType="end"/></w:r>',
        f'<w:del {NS} w:id="1" w:author="a"><w:r><w:delText> bản cũ</w:delText></w:r></w:del>',
        f'<w:ins {NS} w:id="2" w:author="a"><w:r><w:t xml:space="preserve"> bản mới</w:t></w:r></w:ins>',
        f'<w:r {NS}><w:t xml:space="preserve"> Covid</w:t><w:noBreakHyphen/><w:t>19</w:t></w:r>',
    ):
        _append_xml(p, xml)
    box = "<w:txbxContent><w:p><w:r><w:t>Ghi chú trong khung</w:t></w:r></w:p></w:txbxContent>"
    _append_xml(
        document.add_paragraph("Đoạn có khung chữ"),
        f'<w:r {NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{box}'
        f"</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}"
        "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
    )


def _footer_page_number(document) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    _append_xml(footer, f'<w:fldSimple {NS} w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>')


def build_report(rendered_breaks: bool = True, app_pages: int | None = 2) -> bytes:
    """A two-page report: header table, title, heading, numbered list, page break, appendix table."""
    document = docx.Document()
    _add_lists(document)
    _header_table(document)
    document.add_heading("BÁO CÁO", level=0)
    document.add_heading("I. KẾT QUẢ", level=1)
    _list(document)
    _inline_oddities(document)
    document.add_page_break()
    appendix = document.add_paragraph()
    if rendered_breaks:
        _append_xml(appendix, f"<w:r {NS}><w:lastRenderedPageBreak/></w:r>")
    appendix.add_run("Phụ lục")
    _scored_table(document)
    document.add_paragraph("Trên đây là báo cáo.")
    _footer_page_number(document)
    out = io.BytesIO()
    document.save(out)
    return _with_app_pages(out.getvalue(), app_pages)


def _with_app_pages(data: bytes, pages: int | None) -> bytes:
    """The package with docProps/app.xml saying ``pages`` (or without any <Pages>)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/app.xml":
                replacement = f"<Pages>{pages}</Pages>".encode() if pages else b""
                content = re.sub(rb"<Pages>\d+</Pages>", replacement, content)
            dst.writestr(info.filename, content)
    return out.getvalue()


def _paragraph(doc: Document, text: str) -> Paragraph:
    found = [p for p in doc.paragraphs if text in p.text]
    assert found, f"no paragraph holds {text!r}"
    return found[0]


@pytest.fixture(scope="module")
def report() -> Document:
    doc = parse(build_report(), filename="bao-cao.docx")
    assert_spans(doc)
    return doc


# --- the built report ------------------------------------------------------------------------------------


def test_header_table_is_borderless_and_first(report: Document) -> None:
    first = report.body[0]
    assert isinstance(first, Table) and not first.ruled
    assert first.texts() == [
        ["ỦY BAN NHÂN DÂN\nXÃ NGHI DƯƠNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"]
    ]


def test_title_and_heading_styles(report: Document) -> None:
    title, heading = _paragraph(report, "BÁO CÁO"), _paragraph(report, "I. KẾT QUẢ")
    assert (title.style, heading.style, heading.level) == ("title", "heading", 1)


def test_numbered_list_shows_its_labels(report: Document) -> None:
    items = [p for p in report.paragraphs if p.style == "list_item"]
    assert [p.text for p in items] == [
        "1. Hạ tầng số",
        "2. Nhân lực số",
        "a) Đào tạo",
        "b) Tập huấn",
        "3. Dữ liệu số",
        "a) Thu thập",
    ]
    assert [p.list_label for p in items] == ["1.", "2.", "a)", "b)", "3.", "a)"]
    assert [p.level for p in items] == [1, 1, 2, 2, 1, 2]


def test_scored_table_spans_and_auto_numbered_stt(report: Document) -> None:
    table = next(t for t in report.tables if t.ruled)
    assert (table.n_rows, table.n_cols, table.header_rows) == (5, 4, 2)
    grid = table.grid()
    assert grid[0][0] is grid[1][0] and grid[0][0] is not None and grid[0][0].row_span == 2
    assert grid[0][2] is grid[0][3] and grid[0][2] is not None and grid[0][2].col_span == 2
    assert [len(r.cells) for r in table.rows] == [3, 2, 4, 4, 3]
    assert table.texts()[2] == ["1", "Hạ tầng số", "10", "8"]
    assert table.texts()[3] == ["2", "Nhân lực số\nĐào tạo cán bộ", "5", "4"]
    assert table.texts()[4] == ["TỔNG ĐIỂM", "", "15", "12"]
    assert [r.header for r in table.rows] == [True, True, False, False, False]


def test_inline_content_reads_as_the_page_shows(report: Document) -> None:
    text = _paragraph(report, "Truy cập").text
    assert text == "Truy cập Cổng dịch vụ công bản mới Covid-19"
    assert "HYPERLINK" not in report.text and "bản cũ" not in report.text


def test_text_box_is_its_own_paragraph_once(report: Document) -> None:
    assert report.text.count("Ghi chú trong khung") == 1
    anchor, box = _paragraph(report, "Đoạn có khung chữ"), _paragraph(report, "Ghi chú trong khung")
    assert box.text == "Ghi chú trong khung" and box.index == anchor.index + 1


def test_pages_follow_the_page_break(report: Document) -> None:
    assert report.source.pages == 2 and [p.number for p in report.pages] == [1, 2]
    assert _paragraph(report, "Dữ liệu số").page == 1
    assert _paragraph(report, "Phụ lục").page == 2
    table = next(t for t in report.tables if t.ruled)
    assert table.pages == [2] and all(c.page == 2 for c in table.cells())
    assert report.pages[1].start <= table.start < table.end <= report.pages[1].end


def test_footer_page_number_is_furniture_after_the_body(report: Document) -> None:
    footer = [b for b in report.blocks if b.role == "furniture"]
    assert len(footer) == 1 and isinstance(footer[0], Paragraph)
    assert (footer[0].style, footer[0].page, footer[0].text) == ("page_number", None, "2")
    assert footer[0].start > max(b.end for b in report.body)


def test_without_rendered_breaks_pages_are_unknown() -> None:
    doc = parse(build_report(rendered_breaks=False, app_pages=3))
    assert_spans(doc)
    assert doc.source.pages == 3
    assert all(b.page is None for b in doc.blocks)
    assert all(c.page is None for t in doc.tables for c in t.cells())


def test_stale_rendered_breaks_are_not_trusted() -> None:
    doc = parse(build_report(app_pages=40))
    assert_spans(doc)
    assert doc.source.pages == 40 and all(b.page is None for b in doc.body)
    assert [n.code for n in doc.notices] == ["stale_page_breaks"]


def test_nested_table_is_flattened_into_its_cell() -> None:
    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Tài liệu"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    for r, c, text in [(0, 0, "Số"), (0, 1, "Ngày"), (1, 0, "12/BC"), (1, 1, "01/3")]:
        inner.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    doc = parse(out.getvalue())
    assert_spans(doc)
    assert doc.tables[0].texts() == [["Tài liệu", "Số\tNgày\n12/BC\t01/3"]]


# --- list numbering rules --------------------------------------------------------------------------------


def test_number_formats() -> None:
    assert [letters(n) for n in (1, 26, 27, 28)] == ["a", "z", "aa", "bb"]
    assert [roman(n) for n in (4, 9, 14, 40, 1990)] == ["iv", "ix", "xiv", "xl", "mcmxc"]
    assert format_number(3, "upperRoman") == "III" and format_number(2, "upperLetter") == "B"
    assert format_number(7, "decimalZero") == "07" and format_number(5, "decimal") == "5"


def _numbering(xml: str) -> Numbering:
    return Numbering(parse_xml(f"<w:numbering {nsdecls('w')}>{xml}</w:numbering>"))


def test_multilevel_labels_restart_and_overrides() -> None:
    levels = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlRestart w:val="0"/>'
        '<w:lvlText w:val="(%3)"/></w:lvl>'
    )
    numbering = _numbering(
        f'<w:abstractNum w:abstractNumId="1">{levels}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    )
    seen = [numbering.label("1", lvl) for lvl in (0, 1, 1, 2, 0, 1, 2)]
    assert seen == ["I.", "I.1.", "I.2.", "(1)", "II.", "II.1.", "(2)"]
    assert [numbering.label("2", 0), numbering.label("2", 0)] == ["V.", "VI."]
    assert numbering.label("1", 0) == "III."  # the override list counts on its own
    assert numbering.label("7", 0) is None


def test_bullets_render_their_symbol() -> None:
    numbering = _numbering(
        '<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\uf0b7"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="-"/></w:lvl></w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="3"/></w:num>'
    )
    assert [numbering.label("3", 0), numbering.label("3", 1)] == ["•", "-"]


# --- real reports ----------------------------------------------------------------------------------------

STAT_HEADER = ["STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu", "Ghi chú"]


def _fold(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.realdocs
def test_01_appendix_is_one_100_by_5_table(realdoc) -> None:
    doc = parse(realdoc("01_"))
    assert_spans(doc)
    assert doc.source.format == "docx" and doc.source.pages == 56
    appendix = [t for t in doc.tables if t.n_rows > 50]
    assert len(appendix) == 1
    table = appendix[0]
    assert (table.n_rows, table.n_cols, table.header_rows, table.ruled) == (100, 5, 1, True)
    header = [_fold(t) for t in table.texts()[0]]
    assert header[:4] == ["TT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm chuẩn", "Điểm tự đánh giá"]
    assert header[4].startswith("Tài liệu kiểm chứng")
    stt = [row[0] for row in table.texts()[1:]]
    assert all(re.fullmatch(r"\d+(\.\d+)*", s) for s in stt), stt
    assert stt[:4] == ["1", "1.1", "1.2", "1.3"]
    assert all(2 <= (c.page or 0) <= 56 for c in table.cells())
    assert table.rows[1].page == 2 and (table.rows[-1].page or 0) > 40


@pytest.mark.realdocs
def test_13_nine_statistics_tables_and_header_tables(realdoc) -> None:
    doc = parse(realdoc("13_"))
    assert_spans(doc)
    stats = [t for t in doc.tables if _fold(t.texts()[0][0]) == "STT" and t.n_cols == 5]
    assert [t.n_rows for t in stats] == [21, 15, 19, 6, 21, 15, 15, 17, 12]
    for table in stats:
        header = [_fold(table.texts()[0][c] or table.texts()[1][c]) for c in range(5)]
        assert [h.split(" (")[0] for h in header[:2]] == STAT_HEADER[:2]
        assert [_fold(x) for x in table.texts()[1][2:4]] == STAT_HEADER[2:4] and table.ruled
    agency = doc.tables[0]
    assert not agency.ruled and agency.page == 1
    assert "ỦY BAN NHÂN DÂN" in agency.text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in agency.text
    assert "Độc lập - Tự do - Hạnh phúc" in agency.text
    assert doc.source.pages == 35 and stats[0].pages[0] == 25 and stats[-1].pages == [35]


@pytest.mark.realdocs
def test_09_docx_named_doc_is_read_as_docx(realdoc) -> None:
    doc = parse(realdoc("09_"))
    assert_spans(doc)
    assert (doc.source.format, doc.source.declared_format, doc.source.converted_by) == ("docx", "doc", None)
    table = max(doc.tables, key=lambda t: t.n_rows)
    assert (table.n_rows, table.n_cols) == (128, 6)
    assert [_fold(t) for t in table.texts()[0][:2]] == ["Thứ hạng", "Đơn vị"]
    assert table.texts()[1][0] == "1" and table.pages[0] == 1 and table.pages[-1] == doc.source.pages == 5


@pytest.mark.realdocs
def test_17_parses_with_its_header_and_signature_tables(realdoc) -> None:
    doc = parse(realdoc("17_"))
    assert_spans(doc)
    assert "UBND TỈNH LÂM ĐỒNG" in doc.tables[0].text and not doc.tables[0].ruled
    assert any(p.text == "BÁO CÁO" for p in doc.paragraphs)
    assert "Nơi nhận:" in doc.tables[-1].text and "Nguyễn Ngọc Phúc" in doc.tables[-1].text
    # its only rendered page break is stale (one break, thirteen pages): no page is guessed
    assert doc.source.pages == 13 and all(b.page is None for b in doc.body)


# --- bad input -------------------------------------------------------------------------------------------

BAD_DOCX = [
    ("encrypted__docx_password.docx", EncryptedFileError),
    ("unsafe_file__docx_zip_bomb.docx", UnsafeFileError),
    ("unsafe_file__docx_entity_expansion.docx", UnsafeFileError),
    ("corrupt_file__docx_truncated.docx", CorruptFileError),
    ("corrupt_file__docx_missing_styles_part.docx", CorruptFileError),
    ("corrupt_file__docx_no_content_types.docx", CorruptFileError),
    ("corrupt_file__docx_broken_xml.docx", CorruptFileError),
    ("corrupt_file__docx_without_document_xml.docx", CorruptFileError),
]


@pytest.mark.parametrize(("name", "error"), BAD_DOCX, ids=[n for n, _ in BAD_DOCX])
def test_bad_docx_raises_its_typed_error_quickly(name: str, error: type[ExtractorError]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        parse(BAD / name)
    assert time.monotonic() - started < 10


def _source(data: bytes) -> Source:
    return Source(sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="docx")


@pytest.mark.parametrize(
    "name",
    [
        "corrupt_file__docx_broken_xml.docx",
        "corrupt_file__docx_no_content_types.docx",
        "corrupt_file__docx_without_document_xml.docx",
        "unsafe_file__docx_zip_bomb.docx",
    ],
)
def test_docx_parser_itself_refuses_broken_packages(name: str) -> None:
    """Called directly (as for a converted .doc), the parser still answers with a typed input error."""
    data = (BAD / name).read_bytes()
    with pytest.raises(InputError) as info:
        docx_parser.parse(data, _source(data), ParseOptions())
    assert isinstance(info.value, CorruptFileError | UnsafeFileError)


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_bad_office", Path(__file__).parent / "data" / "make_bad_office.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_minimal_package_without_numbering_or_app_properties() -> None:
    doc = parse(_load_generator().small_docx())
    assert_spans(doc)
    assert doc.source.pages is None and doc.pages == []
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert doc.tables[0].texts() == [["STT", "Tiêu chí", "Điểm đạt"], ["1", "Hạ tầng số", "8"]]
    assert doc.tables[0].header_rows == 1 and not doc.tables[0].ruled


def test_absurd_attribute_values_stay_bounded() -> None:
    """A span of 99 999 columns or a list starting near 10^9 is damage: read quickly, within sane sizes."""
    document = docx.Document()
    _add_lists(document)
    numbering = document.part.numbering_part.element
    for start in numbering.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}start"):
        start.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "999999999")
    _number(document.add_paragraph("Mục"), LIST_ID, 1)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0)._tc.get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="99999"/>'))
    out = io.BytesIO()
    document.save(out)
    started = time.monotonic()
    doc = parse(out.getvalue())
    assert time.monotonic() - started < 5
    assert_spans(doc)
    assert doc.paragraphs[0].list_label == "999999999)"
    assert doc.tables[0].n_cols <= 64


def test_grid_before_and_content_controls() -> None:
    """A row starting one column in (gridBefore) and a table wrapped in a content control keep their places."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for col, text in enumerate(["STT", "Tiêu chí", "Điểm"]):
        table.cell(0, col).text = text
    table.cell(1, 1).text, table.cell(1, 2).text = "Cộng", "10"
    row = table.rows[1]._tr
    row.remove(row.tc_lst[0])
    row.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    table._tbl.addprevious(sdt)
    sdt[1].append(table._tbl)
    out = io.BytesIO()
    document.save(out)
    doc = parse(out.getvalue())
    assert_spans(doc)
    assert len(doc.tables) == 1
    assert [(c.row, c.col, c.text) for c in doc.tables[0].rows[1].cells] == [(1, 1, "Cộng"), (1, 2, "10")]
