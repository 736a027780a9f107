"""Citations of other documents: the hand-labelled table, run-together lists, malformed forms, what is not one."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import parse
from extractor.rules.citations import SYMBOL_CODES, CitationMatch, document_citations, find_citations
from extractor.textnorm import normalize
from tests.conftest import DATA

Key = tuple[str, str | None, str | None, date | None]


@dataclass(frozen=True)
class Row:
    source: str
    context: str
    kind: str
    number: str | None
    symbol: str | None
    date: date | None
    malformed: bool

    @property
    def key(self) -> Key:
        return (self.kind, self.number, self.symbol, self.date)


def _unescape(text: str) -> str:
    return regex.sub(r"\\([nt\\])", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}[m.group(1)], text)


def _load() -> list[Row]:
    lines = [ln for ln in (DATA / "citations.tsv").read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows: list[Row] = []
    for rec in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        context = rows[-1].context if rec["context"] == "^" else _unescape(rec["context"])
        rows.append(
            Row(
                rec["source"],
                context,
                rec["kind"],
                rec["number"] or None,
                rec["symbol"] or None,
                date.fromisoformat(rec["date"]) if rec["date"] else None,
                rec["malformed"] == "1",
            )
        )
    return rows


ROWS = _load()


def _contexts() -> dict[tuple[str, str], list[Row]]:
    """Expected citations per (source, context), in the table's order; negatives give an empty list."""
    out: dict[tuple[str, str], list[Row]] = {}
    for row in ROWS:
        out.setdefault((row.source, row.context), [])
        if row.kind:
            out[(row.source, row.context)].append(row)
    return out


def _found(context: str) -> list[CitationMatch]:
    return find_citations(normalize(context).text)


def _key(m: CitationMatch) -> Key:
    return (m.kind, m.number, m.symbol, m.date)


def test_table_has_enough_hand_labelled_cases() -> None:
    cites = [r for r in ROWS if r.kind]
    assert len(cites) >= 80
    assert len([r for r in cites if not r.source.startswith("00")]) >= 30
    assert any(not r.kind for r in ROWS) and any(r.malformed for r in cites)


def test_precision_and_recall_on_the_labelled_table() -> None:
    tp = predicted = expected = 0
    misses: list[str] = []
    for (source, context), rows in _contexts().items():
        want = Counter(r.key for r in rows)
        got = Counter(_key(m) for m in _found(context))
        hit = sum((want & got).values())
        tp, predicted, expected = tp + hit, predicted + sum(got.values()), expected + sum(want.values())
        if want != got:
            misses.append(f"{source}: {context[:70]!r} want-got={dict(want - got)} got-want={dict(got - want)}")
    precision, recall = tp / predicted, tp / expected
    print(f"\ncitations: precision {precision:.4f} ({tp}/{predicted}), recall {recall:.4f} ({tp}/{expected})")
    print("\n".join(misses))
    assert precision >= 0.97 and recall >= 0.97


def test_malformed_flags_agree_with_the_table() -> None:
    agree = total = 0
    for (_, context), rows in _contexts().items():
        found = {_key(m): m.malformed for m in _found(context)}
        for row in rows:
            if row.key in found:
                total += 1
                agree += found[row.key] == row.malformed
    print(f"\nmalformed flags: {agree}/{total} agree")
    assert agree / total >= 0.97


RUN_TOGETHER = (
    "- Đề án số 07-ĐA/ĐU ngày 31/12/2025 của Đảng ủy xã - KH số 01-KH/BCĐ ngày 30/01/2025 của BCĐ thực hiện"
    " NQ57 - TB số 04-TB/BCĐ ngày 27/3/2026 của BCĐ thực hiện NQ57 - QĐ số 130/QĐ-UBND ngày 17/3/2026 của"
    " Đảng ủy xã - QĐ số 598/QĐ-UBND ngày 21/3/2026 của UBND xã"
)


def test_run_together_citations_split_each_with_its_issuer() -> None:
    found = _found(RUN_TOGETHER)
    assert [m.reference for m in found] == ["07-ĐA/ĐU", "01-KH/BCĐ", "04-TB/BCĐ", "130/QĐ-UBND", "598/QĐ-UBND"]
    assert [m.issuer for m in found] == [
        "Đảng ủy xã",
        "BCĐ thực hiện NQ57",
        "BCĐ thực hiện NQ57",
        "Đảng ủy xã",
        "UBND xã",
    ]
    assert [m.kind for m in found] == ["ĐA", "KH", "TB", "QĐ", "QĐ"]


def test_seed_cover_letter_marks_the_malformed_references(seed) -> None:
    cites = document_citations(parse(seed("000")))
    by_text = {c.text: c for c in cites}
    for written in ("110KH-UBND", "1404//UBND-VHXH", "1428//UBND-VHXH"):
        (cite,) = [c for t, c in by_text.items() if written in t]
        assert cite.malformed and cite.malformed_reason
    assert not any(c.malformed for c in cites if "18/KH-UBND" in c.text)


def test_document_citations_quote_the_original_text(seed) -> None:
    doc = parse(seed("000"))
    cites = document_citations(doc)
    assert len(cites) >= 25
    for c in cites:
        loc = c.location
        assert loc.start is not None and loc.end is not None
        assert doc.text[loc.start : loc.end] == loc.quote == c.text
        assert c.number is None or c.number in c.text
    row1 = [c for c in cites if c.location.table is not None and c.location.row == 1]
    assert [c.symbol for c in row1] == ["ĐA/ĐU", "KH/BCĐ", "TB/BCĐ", "QĐ-UBND", "QĐ-UBND"]


def test_quote_keeps_the_original_characters_that_matching_normalised() -> None:
    original = "Thực hiện Nghị quyết số 57\u2013NQ/TW ngày\u00a022/12/2024 của Bộ Chính trị."
    doc = parse(original.encode("utf-8"), filename="note.txt")
    (cite,) = document_citations(doc)
    assert cite.symbol == "NQ/TW" and cite.date == date(2024, 12, 22) and cite.issuer == "Bộ Chính trị"
    assert cite.text == "Nghị quyết số 57\u2013NQ/TW ngày\u00a022/12/2024"


# Forms from the seeds and real documents, one behaviour each: (text, reference, kind, date, malformed).
FORMS = [
    ("Quyết định số1187/QĐ-BNV ngày 15/10/2025", "1187/QĐ-BNV", "QĐ", date(2025, 10, 15), True),
    ("Kế hoạch số 12/KH-UBND ngày 15 tháng 10 năm 2025", "12/KH-UBND", "KH", date(2025, 10, 15), False),
    ("Kế hoạch số 12/KH-UBND ngày15 / 12/2025", "12/KH-UBND", "KH", date(2025, 12, 15), False),
    ("Kế hoạch số 12/KH-UBND ngày 15 tháng 13 năm 2025", "12/KH-UBND", "KH", None, True),
    ("Kế hoạch số 12/KH-UBND ngày 31/02/2026", "12/KH-UBND", "KH", None, True),
    ("Kế hoạch hành động số 12-KH/TU, ngày 26/8/2025", "12-KH/TU", "KH", date(2025, 8, 26), False),
    ("Nghị quyết số 57-\nNQ/TW ngày 22/12/2024", "57-NQ/TW", "NQ", date(2024, 12, 22), False),
    ("Kế hoạch số 38/KH-\n\nUBND ngày 27/8/2025", "38/KH-UBND", "KH", date(2025, 8, 27), False),
    ("Quy định số 66-QĐ/TW ngày 06/02/2017", "66-QĐ/TW", "QyĐ", date(2017, 2, 6), False),
    ("Văn bản số 12/BC-UBND ngày 02/3/2026", "12/BC-UBND", "BC", date(2026, 3, 2), False),
    ("Công văn số 1070/TCT ngày 18/3/2026", "1070/TCT", "CV", date(2026, 3, 18), False),
    ("theo (57-NQ/TW)", "57-NQ/TW", "NQ", None, False),
    ("Kế hoạch số /KH-UBND ngày tháng năm 2026", "/KH-UBND", "KH", None, True),
    ("Nghị định 127/2025/NĐ-CP", "127/2025/NĐ-CP", "NĐ", None, False),
    ("Thông tư số 01/2018/TT-VPCP", "01/2018/TT-VPCP", "TT", None, False),
    ("Tờ trình số 239/TTr-CAT ngày 02/4/2026", "239/TTr-CAT", "TTr", date(2026, 4, 2), False),
    ("Hướng dẫn số 05-HD/TU", "05-HD/TU", "HD", None, False),
    ("Quy chế số 01-QC/ĐU", "01-QC/ĐU", "QC", None, False),
    ("Chương trình hành động số 833/CTr-UBND", "833/CTr-UBND", "CTr", None, False),
    ("Kết luận số 62-KL/TW", "62-KL/TW", "KL", None, False),
    ("Nghị quyết số 57/NQ/TW, ngày 22/12/2024", "57/NQ/TW", "NQ", date(2024, 12, 22), True),
]


@pytest.mark.parametrize(("text", "reference", "kind", "when", "malformed"), FORMS)
def test_written_forms(text: str, reference: str, kind: str, when: date | None, malformed: bool) -> None:
    (m,) = _found(text)
    assert (m.reference, m.kind, m.date, m.malformed) == (reference, kind, when, malformed)
    assert m.malformed == (m.reason is not None)


def test_list_items_without_a_kind_word_take_it_from_the_symbol_or_the_item_before() -> None:
    text = "Kế hoạch số 50/KH-UBND ngày 11/9/2025; số 53/KH-UBND ngày 11/9/2025; Công văn số 7/UBND-VP; số 9/UBND-VP"
    found = _found(text)
    assert [(m.kind, m.kind_from) for m in found] == [("KH", "word"), ("KH", "symbol"), ("CV", "word"), ("CV", "list")]


def test_issuer_and_subject() -> None:
    (m,) = _found(
        "Thực hiện Công văn số 4157/SKHCN-CNTTT ngày 19/11/2025 của Sở \n\nKhoa học và Công nghệ thành phố"
        " Hải Phòng về việc báo cáo kết quả chuyển đổi \n\nsố năm 2025, UBND xã Đại Sơn báo cáo kết quả"
    )
    assert m.issuer == "Sở Khoa học và Công nghệ thành phố Hải Phòng"
    assert m.subject == "báo cáo kết quả chuyển đổi số năm 2025"
    (late,) = _found("Nghị quyết số 71/NQ-CP của Chính phủ ngày 01/04/2025 sửa đổi")
    assert late.issuer == "Chính phủ" and late.date == date(2025, 4, 1)


def test_a_subject_may_hold_a_nested_citation_but_a_list_item_ends_it() -> None:
    text = (
        "- CV số 1115/UBND-VHXH ngày 11/5/2026 về triển khai thực hiện Chỉ thị số 13/CT-TTg của Thủ tướng"
        " Chính phủ về phát triển công nghệ sinh học. - CV số 1253/UBND-VHXH ngày 21/5/2026 về triển khai"
    )
    first, nested, last = _found(text)
    assert first.subject is not None and "Chỉ thị số 13/CT-TTg" in first.subject
    assert nested.issuer == "Thủ tướng Chính phủ" and last.number == "1253"
    assert first.subject.endswith("công nghệ sinh học")


NOT_CITATIONS = [
    "Xã Nguyễn Lương Bằng, ngày 12 tháng 6 năm 2026",
    "ngày 22/01/2026",
    "Hồ sơ nộp trực tuyến: 3.579/3.579 đạt 100%",
    "Tổng điểm đạt được: 99,25/100 điểm",
    "đạt 92,5% văn bản; 71.2%; 2,991 giao dịch",
    "Thời hạn triển khai trong tháng 3/2026.",
    "Điện thoại: 0225.3821.456 - Fax: (0225) 3 821 457; Hotline 0912-345-678",
    "https://csdl.dichvucong.gov.vn/web/mtv/thu_tuc_hanh_chinh/index?id=5414&qdcbid=116101",
    "Số: 1498/UBND-VHXH",
    "Số: 329/BC-UBND",
    "Đề án 06, NQ57 và Nghị quyết 57",
    "phủ sóng 5G, 6G; hỗ trợ 24/7",
    "Đoàn Kiểm tra liên ngành 500-UBND tỉnh",
    "11/11 thôn; 39/39 CBCC; 42/139 đơn vị",
    "giai đoạn 2026 - 2030; Mã TTHC 2.001023",
    "Ngày CĐS quốc gia (10/10)",
]


@pytest.mark.parametrize("text", NOT_CITATIONS)
def test_not_citations(text: str) -> None:
    assert _found(text) == []


@pytest.mark.realdocs
@pytest.mark.parametrize("prefix", ["01_", "13_", pytest.param("14_", marks=pytest.mark.slow), "17_", "19_"])
def test_every_coded_reference_in_a_real_document_is_found(realdoc, prefix: str) -> None:
    path = realdoc(prefix)
    fmt = {".docx": "docx", ".pdf": "pdf", ".doc": "doc"}[path.suffix]
    pytest.importorskip(f"extractor.parsers.{fmt}", reason=f"the {fmt} parser is not built yet")
    text = parse(path).norm.text
    spans = [(m.start, m.end) for m in find_citations(text)]
    codes = "|".join(sorted(SYMBOL_CODES, key=len, reverse=True))
    coded = regex.compile(rf"(?<![\d.,/])\d+(?:/\d{{4}})?[-/](?:{codes})[-/]\p{{Lu}}")
    missed = [
        text[m.start() : m.end() + 20] for m in coded.finditer(text) if not any(s <= m.start() < e for s, e in spans)
    ]
    assert missed == []


FRAGMENTS = [
    "Kế hoạch",
    "số",
    " ",
    "\n",
    "18",
    "/",
    "//",
    "-",
    "KH",
    "UBND",
    "NQ",
    "TW",
    "ngày",
    "22/01/2026",
    "của",
    "về",
    "việc",
    "UBND xã",
    ";",
    ",",
    ".",
    "Số:",
    "2022",
    "tháng",
    "năm",
    "3.579",
    "%",
    "QĐ",
    "–",
    "\u00a0",
    "số1187",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_matches_are_ordered_disjoint_spans_inside_the_text(pieces: list[str]) -> None:
    text = normalize("".join(pieces)).text
    found = find_citations(text)
    ends = 0
    for m in found:
        assert ends <= m.start < m.end <= len(text)
        assert m.malformed == (m.reason is not None)
        ends = m.end


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Ngày 23/12/2025, Sở Nội vụ có Công văn số 3732/SNV-CCHC&VTLT về việc rà soát.", [date(2025, 12, 23)]),
        ("- Ngày 23 tháng 12 năm 2025, UBND xã đã ban hành\nKế hoạch số 12/KH-UBND về", [date(2025, 12, 23)]),
        # only the sentence's first citation, the one the date governs
        (
            "Ngày 23/12/2025, Sở Nội vụ có Công văn số 3732/SNV-CCHC triển khai Quyết định số 12/QĐ-UBND.",
            [date(2025, 12, 23), None],
        ),
        ("Ngày 23/12/2025, Sở có Công văn số 3732/SNV-CCHC và Công văn số 3733/SNV-CCHC.", [date(2025, 12, 23), None]),
        # a citation's own date wins; a blank one stays blank
        ("Ngày 01/7/2025, UBND tỉnh ban hành Kế hoạch số 213/KH-UBND ngày 15/7/2025 về CCHC", [date(2025, 7, 15)]),
        ("Ngày 01/7/2025, UBND tỉnh ban hành Kế hoạch số 213/KH-UBND ngày tháng năm 2025 về CCHC", [None]),
        # no verb of issuing between the date and the citation: the date does not govern it
        ("Ngày 23/12/2025, theo Công văn số 3732/SNV-CCHC, Sở đã rà soát.", [None]),
        ("Ngày 23/12/2025, đồng chí Chủ tịch chủ trì hội nghị. UBND xã có Công văn số 5/UBND-VP.", [None]),
        # "từ ngày" (since) mid-sentence is no leading date
        ("hoạt động từ ngày 01/7/2025, Ủy ban nhân dân tỉnh đã ban hành Kế hoạch số 213/KH-UBND về CCHC", [None]),
        ("Ngày 23/12/2025, Sở Nội vụ có ý kiến. Công văn số 3732/SNV-CCHC nêu rõ", [None]),
    ],
)
def test_a_sentence_led_by_a_date_gives_it_to_the_citation_it_governs(text: str, dates: list[date | None]) -> None:
    assert [m.date for m in _found(text)] == dates


def test_an_issuer_wrapped_before_the_closing_parenthesis_is_read_whole() -> None:
    (m,) = _found("(Kèm theo Công văn số 1730/UBND-VP ngày 02/10/2026 của UBND phường Hòa\nBình)")
    assert m.issuer == "UBND phường Hòa Bình"
    (item,) = _found("theo Kế hoạch số 5/KH-UBND của UBND xã\na) Nội dung")
    assert item.issuer == "UBND xã"  # "a)" starts an item
