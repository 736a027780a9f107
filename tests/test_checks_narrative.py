"""Narrative arithmetic: fractions against their percentages, totals against their parts, one rate stated twice.

Each case is a small report and a near-identical clean twin: the finding must come with the first and not
with the second. The seeds pin the cases the contract names.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor import parse
from extractor.checks.narrative import check_narrative
from extractor.contract import Finding
from extractor.extract import extract
from extractor.model import Document
from extractor.rules.narrative import footnotes, read_narrative

FILLER = "\n\n".join(
    f"- Ủy ban nhân dân xã tiếp tục chỉ đạo các cơ quan, đơn vị triển khai nhiệm vụ chuyển đổi số, nội dung {w}."
    for w in ("thứ nhất", "thứ hai", "thứ ba", "thứ tư")
)


def _doc(text: str) -> Document:
    return parse(text.encode(), filename="x.txt")


def _findings(text: str, code: str) -> list[Finding]:
    doc = _doc(text)
    return [f for f in check_narrative(read_narrative(doc, extract(doc).report.metrics)) if f.code == code]


def _assert_quotes_source(doc: Document, f: Finding) -> None:
    loc = f.location
    assert loc is not None and loc.start is not None and loc.end is not None
    assert doc.text[loc.start : loc.end] == loc.quote and loc.quote.strip()


def _pair(code: str, bad: str, clean: str) -> list[Finding]:
    found = _findings(bad, code)
    assert found, f"{code} not raised by: {bad}"
    assert _findings(clean, code) == [], f"{code} raised by the clean twin: {clean}"
    for f in found:
        _assert_quotes_source(_doc(bad), f)
    return found


# --- PERCENT_FRACTION_MISMATCH --------------------------------------------------------------------

PERCENT_CASES = [
    ("cấp căn cước: 24.152/29.950 trường hợp, đạt 80,9% dân số toàn xã.", "80,9%", "80,6%", "80,64"),
    ("Hồ sơ nộp trực tuyến: 3.579/3.600 đạt 100%.", "3.600 đạt", "3.579 đạt", "99,42"),
    ("Số hóa hồ sơ đạt 100% (39/40 hồ sơ).", "39/40", "40/40", "97,5"),
    ("Tỷ lệ hồ sơ trực tuyến đạt trên 96% (95/100 hồ sơ).", "trên 96%", "trên 90%", "95"),  # a bound
    ("Đã thanh toán 2.991 giao dịch trên tổng số 3.906 hồ sơ, đạt tỷ lệ 78,4%.", "78,4%", "76,6%", "76,57"),
]


@pytest.mark.parametrize(("text", "wrong", "right", "recomputed"), PERCENT_CASES)
def test_percent_against_fraction(text: str, wrong: str, right: str, recomputed: str) -> None:
    (f,) = _pair("PERCENT_FRACTION_MISMATCH", text, text.replace(wrong, right))
    assert recomputed in f.message and f.severity == "warning"


def test_percent_tolerance_follows_decimals_written() -> None:
    assert _findings("Đạt 24.152/29.950 trường hợp, đạt 80,6%.", "PERCENT_FRACTION_MISMATCH") == []
    assert _findings("Đạt 24.152/29.950 trường hợp, đạt 81%.", "PERCENT_FRACTION_MISMATCH") == []
    assert _findings("Đạt 24.152/29.950 trường hợp, đạt 80,65%.", "PERCENT_FRACTION_MISMATCH")  # 80,64 at 2 places


def test_percent_hint_says_why() -> None:
    (swapped,) = _findings("Tỷ lệ thanh toán: 552.693/513.672 hồ sơ (đạt 92,94%).", "PERCENT_FRACTION_MISMATCH")
    assert "đảo tử số và mẫu số" in swapped.message


def test_a_rate_cut_instead_of_rounded_is_rounding_not_a_mismatch() -> None:
    assert _findings("Đã cập nhật 577.722/914.419 trẻ em, đạt tỷ lệ 63,17%.", "PERCENT_FRACTION_MISMATCH") == []
    assert _findings("Đã cập nhật 577.722/914.419 trẻ em, đạt tỷ lệ 63,16%.", "PERCENT_FRACTION_MISMATCH")


# --- PARTS_SUM_MISMATCH ---------------------------------------------------------------------------

FOOTNOTED = (
    "Trung tâm đã tiếp nhận và xử lý {total} hồ sơ thuộc 45 thủ tục hành chính của tổ chức và cá nhân(1)\n\n"
    "- Cổng thông tin điện tử xã duy trì hoạt động.\n\n"
    "1 Trong đó: Hồ sơ trực tuyến: 2.937 hồ sơ; Hồ sơ tiếp nhận trực tiếp: 3.387 hồ sơ; số hồ sơ giải quyết "
    "trước hạn đạt 5.971 hồ sơ.\n\n- Duy trì hệ thống thư điện tử công vụ.\n"
)
PARTS_CASES = [
    pytest.param(  # shares sum to 100%
        "Số lượng hồ sơ đã giải quyết: {t} hồ sơ: (trả trước thời hạn là: 3.538 hồ sơ chiếm 99,38 %, đúng hạn 05 hồ "
        "sơ, chiếm 0,14%, rút hồ sơ 14 hồ sơ chiếm 0,39%; từ chối 03 hồ sơ chiếm 0,08%).",
        "3.570",
        "3.560",
        id="shares",
    ),
    pytest.param(  # a parenthesis of the same unit; amounts within their rounding
        "Tổng kinh phí là {t} triệu đồng (trong đó 1.039 triệu từ ngân sách thành phố; ngân sách xã: 390 triệu).",
        "1.529",
        "1.429",
        id="parenthesis",
    ),
    pytest.param(  # categories of one family after "Trong đó" opening the next sentence
        "Tổng số TTHC cấp xã là: {t} thủ tục. Trong đó: Số dịch vụ công trực tuyến toàn trình: 220 thủ tục; Số dịch "
        "vụ công trực tuyến đã cung cấp 1 phần là: 155 thủ tục. Số hồ sơ tiếp nhận mới: 3.579 hồ sơ.",
        "385",
        "375",
        id="family",
    ),
    pytest.param(  # the bullets after "Trong đó:"
        "- Tổng kinh phí năm 2026 là {t} triệu đồng. Trong đó:\n+ Chi sự nghiệp cấp tỉnh là 220.177 triệu đồng.\n"
        "+ Chi sự nghiệp cấp xã là 178.320 triệu đồng.\n- Kinh phí chuyển nguồn là 39.116 triệu đồng.\n",
        "398.597",
        "398.497",
        id="bullets",
    ),
    pytest.param(  # a noun left out in the list
        "Đã phát sinh {t} hồ sơ dịch vụ công liên thông (59.072 đăng ký khai sinh và 24.366 hồ sơ đăng ký khai tử).",
        "82.438",
        "83.438",
        id="noun-left-out",
    ),
    pytest.param(FOOTNOTED, "6.234", "trên 6.234", id="footnote-exact-total"),
    pytest.param(FOOTNOTED, "trên 6.400", "trên 6.300", id="footnote-lower-bound-violated"),
    pytest.param(FOOTNOTED, "dưới 6.000", "dưới 6.500", id="footnote-upper-bound-violated"),
    pytest.param(FOOTNOTED, "khoảng 5.000", "khoảng 6.000", id="footnote-approximate-total"),
]


@pytest.mark.parametrize(("template", "bad", "good"), PARTS_CASES)
def test_parts_against_total(template: str, bad: str, good: str) -> None:
    (f,) = _pair("PARTS_SUM_MISMATCH", template.format(t=bad, total=bad), template.format(t=good, total=good))
    assert bad.split()[-1] in f.message


NOT_A_PARTITION = [
    # overlapping groups introduced by "trong đó" (seed 002)
    "Triển khai tích hợp giấy tờ trên VNeID, cụ thể: 17.586 công dân có tài khoản định danh mức 2; trong đó 3374 "
    "công dân có tài khoản an sinh xã hội được tích hợp; 12.089 công dân có Sổ sức khỏe điện tử được tích hợp; "
    "4.785 công dân được tích hợp Giấy phép lái xe.",
    # one part named by no category: there may be more categories than listed
    "Giao 60.674 biên chế viên chức hưởng lương từ ngân sách nhà nước, gồm 17.607 biên chế cấp tỉnh, 41.740 biên "
    "chế cấp xã và 1.000 biên chế dự phòng.",
    # a bounded part leaves the sum unknown
    "Trên địa bàn có 120 thành viên, trong đó trên 100 thành viên cấp xã, 15 thành viên cấp tỉnh.",
    # the family splits a subtotal of the list, not the total
    "Tiếp nhận 500 hồ sơ, trong đó: đã giải quyết 450 hồ sơ; trước hạn 400 hồ sơ, đúng hạn 50 hồ sơ.",
]


@pytest.mark.parametrize("text", NOT_A_PARTITION)
def test_parts_that_do_not_partition_are_left_alone(text: str) -> None:
    assert _findings(text, "PARTS_SUM_MISMATCH") == []


def test_bound_message_says_the_bound() -> None:
    (f,) = _findings(FOOTNOTED.format(total="trên 6.400"), "PARTS_SUM_MISMATCH")
    assert "«trên 6.400 hồ sơ»" in f.message and "6.324" in f.message
    assert f.expected == 6400 and f.found == 6324
    assert "ít hơn mức đã ghi" in f.message
    assert f.location is not None and f.location.quote == "trên 6.400 hồ sơ"  # the body's; the parts are a footnote's


# --- CONFLICTING_VALUES ---------------------------------------------------------------------------


def _twice(first: str, second: str) -> str:
    return f"BÁO CÁO\n\n{first}\n\n{FILLER}\n\n{second}\n"


CONFLICT_CASES = [
    pytest.param(
        "- Tỷ lệ tái sử dụng thông tin, dữ liệu đã số hóa đạt 88,6%.",
        "- Tỷ lệ tái sử dụng thông tin, dữ liệu trong xử lý hồ sơ hành chính đạt 88,2%.",
        "88,2%", "88,62%", id="seed-004-wording",
    ),
    pytest.param(
        "- Tỷ lệ thanh toán trực tuyến trong giải quyết thủ tục hành chính đạt 76,5%.",
        "- Tỷ lệ thanh toán trực tuyến trong giải quyết thủ tục hành chính là 78,4%.",
        "78,4%", "76,5%", id="same-words",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second", "wrong", "right"), CONFLICT_CASES)
def test_one_rate_stated_twice(first: str, second: str, wrong: str, right: str) -> None:
    (f,) = _pair("CONFLICTING_VALUES", _twice(first, second), _twice(first, second.replace(wrong, right)))
    assert isinstance(f.expected, dict) and first[2:-1] in " ".join(f.expected["quote"].split())
    assert f.expected["location"]["quote"] == f.expected["quote"] and f.found["text"] == wrong


RATE = "- Tỷ lệ hồ sơ trực tuyến đạt 71,2%."
PLAN = "- Văn bản đi được ký số đạt 100%.\n\nIV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026\n\n"
# (first, second) that must not conflict, and the same pair without what guards it, which must
GUARDED = [
    pytest.param(RATE, "- Tỷ lệ hồ sơ trực tuyến đạt 100% so với kế hoạch.", "so với kế hoạch", "", id="relative"),
    pytest.param(RATE, "- Tỷ lệ hồ sơ trực tuyến tăng 5%.", "tăng", "đạt", id="a-change"),
    pytest.param(RATE, "- Mục tiêu tỷ lệ hồ sơ trực tuyến đạt 80%.", "Mục tiêu t", "T", id="target"),
    pytest.param(RATE, "- Tỷ lệ hồ sơ trực tuyến ≥80%.", "≥", "đạt ", id="bound"),
    pytest.param(RATE, "- Tỷ lệ hồ sơ trực tuyến năm 2024 đạt 60%.", " năm 2024", "", id="another-year"),
    pytest.param(RATE, PLAN + "- Tỷ lệ hồ sơ trực tuyến đạt 90%.", "PHƯƠNG HƯỚNG, NHIỆM VỤ", "KẾT QUẢ", id="plan"),
    pytest.param(
        "- Tỷ lệ hồ sơ trực tuyến đạt 71,2% theo thống kê(1)",
        "1 Cụ thể: tỷ lệ hồ sơ trực tuyến đạt 69,5% tại Trung tâm.",
        "1 Cụ thể:", "- Cụ thể:", id="footnote",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second", "guard", "unguarded"), GUARDED)
def test_guarded_pairs_are_not_conflicts(first: str, second: str, guard: str, unguarded: str) -> None:
    assert _findings(_twice(first, second), "CONFLICTING_VALUES") == []
    assert _findings(_twice(first, second.replace(guard, unguarded)), "CONFLICTING_VALUES")


def test_alike_words_about_different_things_are_not_conflicts() -> None:
    text = _twice(
        "- 100% cán bộ, công chức được cấp chữ ký số cá nhân.",
        "- 96% cán bộ, công chức làm chủ kỹ năng số, ứng dụng công nghệ thông tin trong điều hành.",
    )
    assert _findings(text, "CONFLICTING_VALUES") == []


def test_sibling_items_side_by_side_are_not_conflicts() -> None:
    text = (
        "Tổng số hồ sơ các sở, ngành đã giải quyết là 195.197 hồ sơ; trong đó: Số hồ sơ giải quyết trước và đúng hạn "
        "là 193.457 (tỷ lệ 99,1%).\n\nTổng số hồ sơ cấp xã đã giải quyết là 468.463 hồ sơ; trong đó: Số hồ sơ giải "
        "quyết trước và đúng hạn là 467.565 (tỷ lệ 99,81%).\n"
    )
    assert _findings(text, "CONFLICTING_VALUES") == []


# --- footnotes and the seeds ----------------------------------------------------------------------


def test_footnotes_follow_their_markers(seed) -> None:
    doc = parse(seed("004"))
    notes = [doc.norm.text[f.start : f.end] for f in footnotes(doc.norm.text)]
    assert [n.split()[:2] for n in notes] == [["Cụ", "thể:"], ["Đến", "nay,"], ["Trong", "đó:"]]
    assert notes[0].endswith("máy photocopy phục vụ chung.") and notes[1].endswith("thành 100% theo Kế hoạch.")
    assert notes[2].endswith("dữ liệu số hóa đạt 88,2%.")


@pytest.mark.parametrize(("marker", "label"), [("(1)", "1"), ("¹", "¹")])
def test_footnote_markers(marker: str, label: str) -> None:
    text = _doc(
        f"- Máy tính được trang bị đủ 100%{marker}\n\n- Duy trì.\n\n{label} Cụ thể: 08 bộ máy tính.\n\n- Hết."
    ).norm.text
    (note,) = footnotes(text)
    assert text[note.start : note.end] == "Cụ thể: 08 bộ máy tính."


def test_seed_004(seed) -> None:
    doc = parse(seed("004"))
    found = check_narrative(read_narrative(doc, extract(doc).report.metrics))
    by_code = {f.code: f for f in found}
    assert sorted(by_code) == ["CONFLICTING_VALUES", "PERCENT_FRACTION_MISMATCH"] and len(found) == 2
    percent = by_code["PERCENT_FRACTION_MISMATCH"]
    assert (percent.expected, percent.found) == (pytest.approx(80.64), pytest.approx(80.9))
    assert "24.152/29.950" in percent.message and "80,9%" in percent.message
    conflict = by_code["CONFLICTING_VALUES"]
    assert conflict.location is not None and conflict.location.quote.endswith("88,2%")
    assert "88.6%" in conflict.expected["quote"] and "tái sử dụng" in conflict.expected["quote"]
    assert "88,6%" in conflict.message and "88,2%" in conflict.message
    for f in found:
        _assert_quotes_source(doc, f)


def test_seed_002_adds_up(seed) -> None:
    doc = parse(seed("002"))
    assert check_narrative(read_narrative(doc, extract(doc).report.metrics)) == []


@pytest.mark.realdocs
def test_real_report_with_parts_that_do_not_add_up(realdoc) -> None:
    doc = parse(realdoc("17_"))
    found = check_narrative(read_narrative(doc, extract(doc).report.metrics))
    parts = {(f.expected, f.found) for f in found if f.code == "PARTS_SUM_MISMATCH"}
    assert parts == {(82438, 83438), (305712, 305711)}  # 59.072 + 24.366; 293.132 + 12.579
    assert not [f for f in found if f.code == "CONFLICTING_VALUES"]


def test_amounts_are_exact_within_the_rounding_written() -> None:
    text = "Tổng kinh phí là {} tỷ đồng (gồm {} tỷ ngân sách tỉnh; {} tỷ ngân sách xã)."
    (f,) = _findings(text.format("0,50", "0,10", "0,20"), "PARTS_SUM_MISMATCH")
    assert Decimal(str(f.found)) == Decimal("0.3") and Decimal(str(f.expected)) == Decimal("0.5")
    assert _findings(text.format("0,3", "0,1", "0,1"), "PARTS_SUM_MISMATCH") == []  # each rounded to 0,05 tỷ
