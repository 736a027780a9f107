"""Every class of false alarm found on real reports, each on a small document written for it, beside its true twin:
the first must raise nothing, the second (the same text with a real inconsistency) must still raise it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractor import parse
from extractor.audit import audit_document
from extractor.contract import Finding
from extractor.rules.numbering import numbering_era, restart_dates

FILLER = "\n\n".join(
    f"- Ủy ban nhân dân tỉnh tiếp tục chỉ đạo các cơ quan, đơn vị triển khai nhiệm vụ cải cách, nội dung {w}."
    for w in ("thứ nhất", "thứ hai", "thứ ba", "thứ tư")
)


def _findings(text: str, code: str) -> list[Finding]:
    return [f for f in audit_document(parse(text.encode(), filename="x.txt")).findings if f.code == code]


def _false_and_true(code: str, false: str, true: str) -> Finding:
    assert _findings(false, code) == [], f"{code} raised on: {false}"
    found = _findings(true, code)
    assert len(found) == 1, f"{code} not raised once on its true twin: {true}"
    return found[0]


# --- ranks are not fractions ----------------------------------------------------------------------

RANKS = [  # (false: a rank, true twin: a fraction beside a rate)
    ("Năm 2024 tỷ lệ hồ sơ trực tuyến đạt 88,5%, xếp thứ 12/63 tỉnh, thành phố.",
     "Năm 2024 tỷ lệ hồ sơ trực tuyến đạt 88,5% (12/63 hồ sơ)."),
    ("Tỷ lệ hồ sơ trực tuyến đạt 88,5% (thứ 12/63).", "Tỷ lệ hồ sơ trực tuyến đạt 88,5% (12/63)."),
    ("Tỷ lệ hồ sơ trực tuyến đạt 88,5% (xếp hạng 12/63).", "Tỷ lệ hồ sơ trực tuyến đạt 88,5% (12/63 hồ sơ)."),
    ("Chỉ số PAR INDEX năm 2024 của tỉnh đạt 88,50% (12/63).", "Tỷ lệ hồ sơ năm 2024 của tỉnh đạt 88,50% (12/63)."),
]  # fmt: skip


@pytest.mark.parametrize(("false", "true"), RANKS)
def test_a_rank_is_not_a_fraction(false: str, true: str) -> None:
    f = _false_and_true("PERCENT_FRACTION_MISMATCH", false, true)
    assert "12/63" in f.message


TABLE = """BẢNG KẾT QUẢ

| STT | Nội dung | Tỷ lệ | {head} |
|---|---|---|---|
| 1 | Tỷ lệ hồ sơ trực tuyến toàn trình | 88,50% | 12/63 |
| 2 | Tỷ lệ hồ sơ thanh toán trực tuyến | 19,05% | 12/63 |
"""


@pytest.mark.parametrize("head", ["Thứ hạng", "Xếp hạng"])
def test_a_column_of_ranks_holds_no_fractions(head: str) -> None:
    f = _false_and_true("PERCENT_FRACTION_MISMATCH", TABLE.format(head=head), TABLE.format(head="Số hồ sơ"))
    assert "88,50%" in f.message


# --- thresholds, targets and rules are not achieved rates -----------------------------------------

NOT_ACHIEVED = [
    ("Tỷ lệ khảo sát tối thiểu (10%) số hộ (12/200 hộ).", "Tỷ lệ khảo sát đạt 10% số hộ (12/200 hộ)."),
    ("Tỷ lệ khảo sát ít nhất 10% (12/200 hộ).", "Tỷ lệ khảo sát là 10% (12/200 hộ)."),
    ("Tỷ lệ hồ sơ đúng hạn trên 90% (85/100 hồ sơ).", "Tỷ lệ hồ sơ đúng hạn đạt trên 90% (85/100 hồ sơ)."),
    ("Tỷ lệ hồ sơ đúng hạn ≥ 90% (85/100 hồ sơ).", "Tỷ lệ hồ sơ đúng hạn đạt ≥ 90% (85/100 hồ sơ)."),
    ("Phấn đấu đến năm 2030 tỷ lệ xã đạt chuẩn là 90% (45/100 xã).",
     "Đến năm 2025 tỷ lệ xã đạt chuẩn là 90% (45/100 xã)."),
    ("Chỉ tiêu giao: tỷ lệ số hóa đạt 90% (45/100 hồ sơ).", "Kết quả: tỷ lệ số hóa đạt 90% (45/100 hồ sơ)."),
    ("Mục tiêu năm 2026 đạt 95% (45/100 hồ sơ).", "Kết quả năm 2026 đạt 95% (45/100 hồ sơ)."),
    ("Năm 2024 tỉnh có 12/63 chỉ số thành phần đạt trên 90%.", "Tỷ lệ hồ sơ trực tuyến: 85/100 hồ sơ, đạt trên 90%."),
    ("Trường hợp đạt 100% (15/20 hồ sơ trở lên đúng hạn) thì được điểm tối đa.",
     "Tỷ lệ hồ sơ đúng hạn đạt 100% (15/20 hồ sơ)."),
]  # fmt: skip


@pytest.mark.parametrize(("false", "true"), NOT_ACHIEVED)
def test_a_threshold_target_or_rule_is_not_an_achieved_rate(false: str, true: str) -> None:
    _false_and_true("PERCENT_FRACTION_MISMATCH", false, true)


# --- a sub-count in a rate's parentheses is not the rate's fraction -------------------------------

SUB_COUNTS = [
    ("Tỷ lệ thủ tục toàn trình đạt 30% (4/15 thủ tục toàn trình chưa phát sinh hồ sơ).",
     "Tỷ lệ thủ tục toàn trình đạt 30% (4/15 thủ tục)."),
    ("Tỷ lệ thủ tục toàn trình đạt 30% (trong đó 4/15 thủ tục cấp xã).", "Tỷ lệ thủ tục toàn trình đạt 30% (4/15)."),
    ("Tỷ lệ thủ tục trực tuyến đạt 30% (4/15 thủ tục toàn trình, 2/15 thủ tục một phần).",
     "Tỷ lệ thủ tục trực tuyến đạt 30% (4/15 thủ tục trực tuyến)."),
]  # fmt: skip


@pytest.mark.parametrize(("false", "true"), SUB_COUNTS)
def test_a_sub_count_is_not_the_rate_fraction(false: str, true: str) -> None:
    _false_and_true("PERCENT_FRACTION_MISMATCH", false, true)


def test_a_sub_count_equal_to_the_rate_is_its_fraction() -> None:
    text = "Tỷ lệ đạt 26,67% (4/15 thủ tục toàn trình chưa phát sinh hồ sơ)."
    assert _findings(text, "PERCENT_FRACTION_MISMATCH") == []


# --- CONFLICTING_VALUES: the same subject, unit, scope and time -----------------------------------

SUBJECT = "Chỉ số hài lòng của người dân về sự phục vụ của cơ quan hành chính"


def _two(first: str, second: str, between: str = FILLER) -> str:
    return f"{first}\n\n{between}\n\n{second}\n"


SCOPES = [  # (first mention, second mention): each pair measures two different things
    (f"{SUBJECT} cao nhất là 95,27%.", f"{SUBJECT} đạt 93,10%."),
    (f"{SUBJECT} thấp nhất là 95,27%.", f"{SUBJECT} đạt 93,10%."),
    (f"{SUBJECT} đạt 95,27%.", f"{SUBJECT} bình quân đạt 93,10%."),
    (f"{SUBJECT} đạt 95,27%.", "Chỉ số hài lòng của người dân về sự phục vụ của Sở Tư pháp đạt 93,10%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn của cấp tỉnh đạt 95,27%.",
     "Tỷ lệ hồ sơ giải quyết đúng hạn của cấp xã đạt 93,10%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95,27%.", "Tỷ lệ hồ sơ giải quyết đúng hạn của xã Đại Sơn đạt 93,10%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn năm 2024 đạt 95,27%.", "Tỷ lệ hồ sơ giải quyết đúng hạn năm 2025 đạt 93,10%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95,27% (Sở Tư pháp).", "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 93,10%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95,2%.", "Tỷ lệ hồ sơ giải quyết trước hạn đạt 60,1%."),
    ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95,2%.", "Tỷ lệ hồ sơ giải quyết quá hạn là 4,8%."),
    ("Tỷ lệ hồ sơ trực tuyến toàn trình đạt 45,2%.", "Tỷ lệ hồ sơ trực tuyến một phần đạt 30,1%."),
    ("Tỷ lệ hồ sơ tiếp nhận trực tuyến đạt 85,2%.", "Tỷ lệ hồ sơ tiếp nhận trực tiếp đạt 14,8%."),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second"), SCOPES)
def test_two_scopes_are_not_one_value_written_twice(first: str, second: str) -> None:
    assert _findings(_two(first, second), "CONFLICTING_VALUES") == []


def test_a_section_heading_gives_its_unit() -> None:
    overall = f"I. KẾT QUẢ CHUNG\n\n{SUBJECT} đạt 95,27%."
    section = f"II. KẾT QUẢ TỪNG ĐƠN VỊ\n\n1. Sở Tư pháp\n\n{SUBJECT} đạt 93,10%."
    assert _findings(_two(overall, section), "CONFLICTING_VALUES") == []
    true = _two(overall, f"II. KẾT QUẢ TỪNG LĨNH VỰC\n\n{SUBJECT} đạt 93,10%.")
    assert len(_findings(true, "CONFLICTING_VALUES")) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (f"{SUBJECT} đạt 95,27%.", f"{SUBJECT} đạt 93,10%."),
        (f"{SUBJECT} của xã Đại Sơn đạt 95,27%.", f"{SUBJECT} của xã Đại Sơn đạt 93,10%."),
        (f"{SUBJECT} cao nhất là 95,27%.", f"{SUBJECT} cao nhất là 93,10%."),
        ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95,27%.", "Tỷ lệ hồ sơ được giải quyết đúng hạn đạt 93,10%."),
        (
            "Tỷ lệ văn bản được ký số trực tiếp trên phần mềm đạt 95,27%.",
            "Tỷ lệ văn bản được ký số trên phần mềm đạt 93,10%.",
        ),
    ],
)
def test_one_value_written_twice_differently_is_still_a_conflict(first: str, second: str) -> None:
    (f,) = _findings(_two(first, second), "CONFLICTING_VALUES")
    assert "95,27%" in f.message and "93,1%" in f.message


# --- CITATION_SEQUENCE: one issuer's series in one numbering era ----------------------------------


def _cites(*items: tuple[str, str]) -> str:
    body = "; ".join(f"Thông báo số {n}/TB-UBND ngày {d} của UBND tỉnh về kết luận hội nghị" for n, d in items)
    return f"Căn cứ {body}.\n"


SEQUENCES = [  # (a new era: normal, the same era: out of order)
    (_cites(("375", "24/06/2025"), ("207", "05/09/2025")), _cites(("375", "24/05/2025"), ("307", "05/06/2025"))),
    (_cites(("1464", "10/12/2025"), ("12", "11/01/2026")), _cites(("1464", "10/12/2025"), ("1302", "11/12/2025"))),
]


@pytest.mark.parametrize(("new_era", "same_era"), SEQUENCES)
def test_numbering_restarts_end_a_series(new_era: str, same_era: str) -> None:
    f = _false_and_true("CITATION_SEQUENCE", new_era, same_era)
    assert f.severity == "warning"


def test_a_change_of_issuer_ends_a_series() -> None:
    text = (
        "Căn cứ Công văn số 2441/UBND-HCC ngày 14/03/2025 của UBND tỉnh Bình Thuận; Công văn số 2426/UBND-HCC "
        "ngày 25/03/2025 của UBND tỉnh Lâm Đồng.\n"
    )
    assert _findings(text, "CITATION_SEQUENCE") == []


def test_restart_dates_are_data() -> None:
    assert dt.date(2025, 7, 1) in restart_dates()
    assert numbering_era(dt.date(2025, 6, 30)) != numbering_era(dt.date(2025, 7, 1))
    assert numbering_era(dt.date(2025, 7, 1)) == numbering_era(dt.date(2025, 12, 31))
    assert numbering_era(dt.date(2025, 12, 31)) != numbering_era(dt.date(2026, 1, 1))


# --- a blank form is a form, not an error ---------------------------------------------------------

ROWS = [
    (1, "Thủ trưởng cơ quan, đơn vị trực tiếp chỉ đạo hoạt động chuyển đổi số", 5),
    (2, "Cơ quan, đơn vị có bố trí cán bộ chuyên trách, kiêm nhiệm về CNTT và chuyển đổi số", 5),
    (3, "Ban hành kế hoạch CNTT, chuyển đổi số hằng năm", 5),
    (4, "Tỷ lệ máy tính của đơn vị đã được trang bị phần mềm phòng chống mã độc tập trung", 5),
]
HEAD = (
    "PHỤ LỤC\nBIỂU MẪU TỰ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, CHUYỂN ĐỔI SỐ CẤP XÃ\n\n"
    "STT\tTiêu chí\tĐiểm tối đa\tTài liệu kiểm chứng\tĐiểm tự đánh giá\n"
)


def _form(points: list[str], total: str) -> str:
    rows = "".join(f"{n}\t{t}\t{m}\t\t{p}\n" for (n, t, m), p in zip(ROWS, points, strict=True))
    return f"{HEAD}{rows}TỔNG ĐIỂM\t\t20\t\t{total}\n"


@pytest.mark.parametrize("marks", [[".", "…", "-", "..."], ["", "", "", ""], ["___", "--", ".", "(…)"]])
def test_a_blank_form_is_a_form(marks: list[str]) -> None:
    report = audit_document(parse(_form(marks, "…").encode(), filename="x.txt"))
    assert report.scorecard is not None and report.scorecard.rows
    assert [f.code for f in report.findings if f.severity == "error"] == []
    assert "BLANK_FORM" in {f.code for f in report.findings}


def test_a_form_filled_in_part_is_checked() -> None:
    report = audit_document(parse(_form(["5", ".", "5", "5"], "20").encode(), filename="x.txt"))
    codes = {f.code for f in report.findings}
    assert "INVALID_POINTS" in codes and "BLANK_FORM" not in codes


# --- a caption left blank for the letter not yet issued is not a malformed citation ---------------


@pytest.mark.parametrize(
    ("blank", "malformed"),
    [
        (
            "(Kèm theo Kế hoạch số      /KH-UBND ngày     /01/2026 của UBND tỉnh)",
            "Kế hoạch số 110KH-UBND ngày 27/3/2026",
        ),
        (
            "(Kèm theo Công văn số  /BNV-CCH ngày  tháng  năm 2025 của Bộ Nội vụ)",
            "Công văn số 1404//UBND-VHXH ngày 4/6/2026",
        ),
    ],
)
def test_a_blank_number_is_a_caption_not_a_malformed_citation(blank: str, malformed: str) -> None:
    text = f"PHỤ LỤC\n{blank}\n\nCăn cứ {malformed} của UBND xã về chuyển đổi số.\n"
    (f,) = _findings(text, "CITATION_MALFORMED")
    assert malformed.split(" ngày")[0].split("số ")[1] in f.message
