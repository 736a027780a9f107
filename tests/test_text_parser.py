"""Text and Markdown conversions: tables, continuation rows, markup, pages and lines."""

from __future__ import annotations

import unicodedata

import pytest
import regex

from extractor import Paragraph, Table, parse
from tests.invariants import assert_spans


def _parse(text: str):
    doc = parse(text.encode("utf-8"), filename="x.txt")
    assert_spans(doc)
    return doc


def test_tab_table_row_continued_after_blank_line_is_one_row() -> None:
    doc = _parse(
        "STT\tTiêu chí\tĐiểm tối đa\tTài liệu kiểm chứng\tĐiểm đạt\n"
        "1\tBan hành kế hoạch\t5\t- KH số 18/KH-UBND\t5\n"
        "\n"
        "\t\t\t<ul><li>- KH số 19/KH-UBND</li> <li>- KH số 24/KH-UBND</li></ul>\t\n"
        "2\tWifi công cộng\t5\tCó\t5\n"
    )
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols, table.header_rows) == (3, 5, 1)
    assert table.texts()[1][3].split("\n") == ["- KH số 18/KH-UBND", "- KH số 19/KH-UBND", "- KH số 24/KH-UBND"]
    assert table.texts()[2][0] == "2"


def test_markdown_pipe_table_with_header_separator() -> None:
    doc = _parse(
        "Trước bảng\n\n| STT | Tiêu chí | Điểm |\n|---|:---|--:|\n| 1 | A<br>B | 4,63 |\n| 2 | C \\| D | 5 |\n"
    )
    (table,) = doc.tables
    assert table.header_rows == 1
    assert table.texts() == [["STT", "Tiêu chí", "Điểm"], ["1", "A\nB", "4,63"], ["2", "C | D", "5"]]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<b>TỔNG ĐIỂM</b>", "TỔNG ĐIỂM"),
        ("$\\geq 70$ điểm: Đạt", "≥ 70 điểm: Đạt"),
        ("$< 70$ điểm", "< 70 điểm"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ('<ul style="list-style-type: none"> <li>x</li> <li>y</li> </ul>', "x\ny"),
        ("**Nơi nhận:**", "Nơi nhận:"),
    ],
)
def test_markup_is_removed_from_cells(raw: str, clean: str) -> None:
    doc = _parse(f"A\tB\n1\t{raw}\n")
    assert doc.tables[0].texts()[1][1] == clean


def test_headings_bullets_and_lines_follow_the_file() -> None:
    doc = _parse("\n### I. KẾT QUẢ\n\n- Như trên;\n- Lưu: VT.\n\nĐoạn văn\nhai dòng.\n")
    heading, b1, b2, para = doc.paragraphs
    assert (heading.text, heading.style, heading.level, heading.line) == ("I. KẾT QUẢ", "heading", 3, 2)
    assert (b1.list_label, b1.line, b2.line) == ("-", 4, 5)
    assert para.text == "Đoạn văn\nhai dòng." and para.line == 7


def test_paragraph_broken_by_blank_line_is_joined_only_mid_sentence() -> None:
    doc = _parse("Phát huy vai trò tại các thôn trong\n\ncông tác tuyên truyền.\n\nKhoa học mới.\n")
    assert [p.text for p in doc.paragraphs] == [
        "Phát huy vai trò tại các thôn trong\ncông tác tuyên truyền.",
        "Khoa học mới.",
    ]


def test_nfd_text_is_kept_as_written_and_normalised_beside_it() -> None:
    nfd = unicodedata.normalize("NFD", "Xã Nguyễn Lương Bằng")
    doc = _parse(nfd + "\n")
    assert doc.paragraphs[0].text == nfd
    assert doc.norm.text == "Xã Nguyễn Lương Bằng"
    assert doc.norm.quote(0, len(doc.norm.text)) == nfd


def test_form_feed_starts_a_new_page() -> None:
    doc = _parse("Trang một\n\fTrang hai\n")
    assert doc.source.pages == 2
    assert [p.page for p in doc.paragraphs] == [1, 2]


def test_seed_000_appendix_is_one_table_with_all_evidence_of_row_4(seed) -> None:
    doc = parse(seed("000"))
    assert_spans(doc)
    (table,) = [t for t in doc.tables if "STT" in t.texts()[0][0]]
    assert (table.n_rows, table.n_cols) == (20, 5)
    rows = {r[0]: r for r in table.texts()}
    assert len([k for k in rows if k.isdigit()]) == 18
    evidence = rows["4"][3]
    assert len(regex.findall(r"KH số \S+", evidence)) == 8
    assert rows["9"][4] == "4,63"
    assert table.texts()[-1][0] == "TỔNG ĐIỂM" and table.texts()[-1][4] == "99,25 /100"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_keeps_its_text(seed, prefix: str) -> None:
    path = seed(prefix)
    doc = parse(path)
    assert_spans(doc)
    source_words = regex.findall(r"\d{2,}/\d{4}", path.read_text(encoding="utf-8"))
    # every date-like token of the file survives into the document text
    for token in set(source_words):
        assert token in doc.text
    assert all(isinstance(b, Paragraph | Table) for b in doc.blocks)
