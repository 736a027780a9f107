"""Planted faults: one clean report and, for every finding code a document can carry, a small mutation that raises it.

The clean template is the Quý II/2026 cover letter of a commune with its 18-row appendix, consistent with the
rubric hp-cds-xa-quy-2026: the rubric's maxima, a stated rate in every rate row with a claim equal to max × rate
(chosen so that no claim needs rounding), citations dated inside their criterion's window and before the letter,
each issuer series numbered in date order, a letter total equal to the appendix total, a numbered and dated
letter. It must raise no finding at all (so no info finding either).

Each case is a pair: the faulty mutation must raise its code (with the criterion where the code is about one, a
location quoting the document, a Vietnamese message naming the numbers involved); a near-identical clean variant
(the template, or a boundary just inside the rule, e.g. a total 0,01 off) must not. Mutations are exact string
edits of the template, each asserted to apply exactly once, so a template change cannot silently void a case.

OCR_USED and LEGACY_ENCODING are planted in the file rather than its words (a scan of the letter, the letter typed
in TCVN3 or VNI fonts, each against its twin); UNREADABLE is planted as the bad files of tests/data/bad/ read by
``audit_file``. A check that does not do what the contract says keeps its case as it should be, marked
xfail(strict=True) with the reason.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import regex

from extractor import Document, parse
from extractor.audit import audit_document, audit_file
from extractor.checks.findings import SEVERITY
from extractor.contract import Finding, Report

BAD = Path(__file__).resolve().parent / "data" / "bad"

LETTER = """ỦY BAN NHÂN DÂN
XÃ AN HÒA

Số: 1520/UBND-VHXH
V/v báo cáo kết quả ứng dụng công nghệ thông tin, chuyển đổi số Quý II năm 2026

Xã An Hòa, ngày 20 tháng 6 năm 2026

Kính gửi: Sở Khoa học và Công nghệ

Thực hiện Công văn số 2329/SKH-CN-CNTT ngày 09/6/2026 của Sở Khoa học và Công nghệ về việc chấm điểm \
kết quả ứng dụng công nghệ thông tin, chuyển đổi số quý II năm 2026, Ủy ban nhân dân xã An Hòa đã tự chấm điểm \
các tiêu chí theo Phụ lục gửi kèm và báo cáo như sau:

I. KẾT QUẢ TỔNG HỢP

Tổng điểm đạt được: 99,18/100 điểm (Đạt yêu cầu - ngưỡng đạt ≥ 70 điểm).

II. MỘT SỐ KẾT QUẢ NỔI BẬT

- Văn bản điện tử: tỷ lệ văn bản phát hành đi được ký số trực tiếp trên phần mềm quản lý văn bản HPnet \
đạt 92,4%.

- Dịch vụ công trực tuyến: tiếp nhận trực tuyến 1.497/1.500 hồ sơ thủ tục hành chính, đạt 99,8%.

- Trong quý, Trung tâm Phục vụ hành chính công tiếp nhận tổng số 1.500 hồ sơ, trong đó 1.497 hồ sơ trực tuyến \
và 3 hồ sơ trực tiếp.

- Truyền thông: đăng 35 tin, bài tuyên truyền về chuyển đổi số trên Cổng thông tin điện tử xã.

Tỷ lệ văn bản phát hành đi được ký số trên phần mềm HPnet đạt 92,4%.

Ủy ban nhân dân xã An Hòa trân trọng báo cáo Sở Khoa học và Công nghệ./.

Nơi nhận:
- Như trên;
- Lưu: VT, VHXH.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn An

PHỤ LỤC
KẾT QUẢ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, CHUYỂN ĐỔI SỐ UBND XÃ AN HÒA - QUÝ II NĂM 2026
(Kèm theo Công văn số 1520/UBND-VHXH ngày 20/6/2026 của UBND xã An Hòa)

"""
# STT, Tiêu chí, Điểm tối đa, Tài liệu kiểm chứng, Điểm đạt — one tab-separated line each.
ROWS = [
    ("STT", "Tiêu chí", "Điểm tối đa", "Tài liệu kiểm chứng", "Điểm đạt"),
    ("1", "Thủ trưởng cơ quan, đơn vị trực tiếp chỉ đạo hoạt động chuyển đổi số", "5",
     "- Đề án số 07-ĐA/ĐU ngày 31/12/2025 của Đảng ủy xã về chuyển đổi số - QĐ số 130/QĐ-UBND ngày 17/3/2026 "
     "của UBND xã về kiện toàn Ban Chỉ đạo chuyển đổi số", "5"),
    ("2", "Cơ quan, đơn vị có bố trí cán bộ chuyên trách, kiêm nhiệm về CNTT và chuyển đổi số", "5",
     "- QĐ số 962/QĐ-UBND ngày 22/5/2025 của UBND xã về việc phân công công chức phụ trách công nghệ thông tin, "
     "chuyển đổi số", "5"),
    ("3", "Số lượng văn bản chỉ đạo chuyên đề về chuyển đổi số do lãnh đạo cơ quan, đơn vị ký ban hành", "5",
     "- CV số 966/UBND-VHXH ngày 28/4/2026 về triển khai Đề án Thành phố Đổi mới sáng tạo - CV số 1253/UBND-VHXH "
     "ngày 21/5/2026 về hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa - CV số 1464/UBND-VHXH ngày 10/6/2026 "
     "về tuyên truyền sử dụng dịch vụ công trực tuyến", "5"),
    ("4", "Ban hành kế hoạch CNTT, chuyển đổi số hằng năm", "5",
     "- KH số 18/KH-UBND ngày 22/01/2026 của UBND xã về chuyển đổi số năm 2026", "5"),
    ("5", "Tỷ lệ máy tính của đơn vị đã được trang bị phần mềm phòng chống mã độc tập trung", "5",
     "- CV số 1460/UBND-VHXH ngày 09/6/2026 về rà soát cài đặt phần mềm phòng chống mã độc tập trung "
     "- 100% máy tính của UBND xã được cài đặt phần mềm phòng, chống mã độc", "5"),
    ("6", "Cơ quan, đơn vị có Hệ thống tường lửa/giám sát truy nhập bảo vệ mạng LAN", "5",
     "UBND xã có hệ thống tường lửa/giám sát truy nhập bảo vệ mạng LAN đang hoạt động ổn định", "5"),
    ("7", "Tỷ lệ các hệ thống thông tin do cơ quan, đơn vị chủ trì thực hiện được phê duyệt cấp độ an toàn thông tin",
     "5", "- QĐ số 5127/QĐ-CAHP-ANM ngày 12/5/2026 của Công an thành phố Hải Phòng về việc phê duyệt cấp độ an toàn "
     "hệ thống thông tin - 100% hệ thống thông tin của xã được phê duyệt cấp độ an toàn thông tin", "5"),
    ("8", "Báo cáo, cung cấp số liệu theo Bộ chỉ số chỉ đạo, điều hành trên môi trường điện tử đã được UBND thành "
     "phố phê duyệt", "10",
     "- CV số 979/UBND-VP ngày 25/4/2026 về báo cáo Bộ chỉ số chỉ đạo, điều hành tháng 4 - CV số 1287/UBND-VP "
     "ngày 25/5/2026 về báo cáo Bộ chỉ số chỉ đạo, điều hành tháng 5", "10"),
    ("9", "Tỷ lệ văn bản phát hành đi được ký số trực tiếp trên phần mềm quản lý văn bản HPnet / Tổng số văn bản "
     "phát hành", "5", "92,4% văn bản phát hành đi được ký số trực tiếp trên phần mềm HPnet", "4,62"),
    ("10", "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến / Tổng số hồ sơ tiếp nhận", "5",
     "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến đạt 99,8%", "4,99"),
    ("11", "Tỷ lệ hồ sơ thủ tục hành chính được thanh toán trực tuyến / Tổng số hồ sơ được thanh toán", "5",
     "Thanh toán trực tuyến phí, lệ phí đạt 99,4%", "4,97"),
    ("12", "Tỷ lệ kết quả giải quyết thủ tục hành chính được số hóa", "5",
     "Tỷ lệ số hóa hồ sơ và kết quả giải quyết TTHC đạt 98,6%", "4,93"),
    ("13", "Tỷ lệ hồ sơ thủ tục hành chính được thực hiện toàn trình / Tổng số hồ sơ thủ tục hành chính", "5",
     "Tỷ lệ hồ sơ thủ tục hành chính được thực hiện toàn trình đạt 93,4%", "4,67"),
    ("14", "Cổng thông tin điện tử của cơ quan, đơn vị có cung cấp tin bài về chuyển đổi số", "5",
     "35 tin, bài tuyên truyền về chuyển đổi số đăng trên Cổng thông tin điện tử xã", "5"),
    ("15", "Thực hiện báo cáo trên Hệ thống theo dõi tình hình thực hiện Nghị quyết, Chỉ thị, kết luận của Trung "
     "ương", "10", "Cập nhật đầy đủ tiến độ trên hệ thống theodoinq.dcs.vn và pakn.nq57.vn theo quy định", "10"),
    ("16", "Ban hành Kế hoạch hoạt động của Tổ công nghệ số cộng đồng", "5",
     "- KH số 188/KH-UBND ngày 08/6/2026 về đẩy mạnh hoạt động Tổ Công nghệ số cộng đồng năm 2026", "5"),
    ("17", "Đài truyền thanh xã, phường có ứng dụng công nghệ thông tin - viễn thông", "5",
     "Đài truyền thanh xã đã trang bị bộ tích hợp - số hóa IPFM", "5"),
    ("18", "Có hệ thống wifi công cộng miễn phí tại các điểm công cộng như tại nhà văn hóa, các điểm tham quan du "
     "lịch, trụ sở UBND cấp xã", "5",
     "Trụ sở UBND xã và Trung tâm Phục vụ hành chính công có WiFi công cộng miễn phí", "5"),
    ("TỔNG ĐIỂM", "", "100", "≥ 70 điểm: Đạt yêu cầu; < 70 điểm: Không đạt", "99,18"),
]  # fmt: skip
TEMPLATE = LETTER + "".join("\t".join(r) + "\n" for r in ROWS)

# A PAR-Index-like self-assessment (hierarchical 1 -> 1.1, 1.2; "1.50" points) that no rubric fits.
HIERARCHICAL = """ỦY BAN NHÂN DÂN
XÃ AN HÒA

Số: 45/BC-UBND

Xã An Hòa, ngày 15 tháng 12 năm 2025

BÁO CÁO
Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2025

TT\tLĩnh vực/Tiêu chí/Tiêu chí thành phần\tĐiểm chuẩn\tĐiểm tự đánh giá\tTài liệu kiểm chứng
1\tCÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH\t3.00\t2.50\t
1.1\tThực hiện kế hoạch cải cách hành chính năm\t1.50\t1.00\t- Kế hoạch số 213/KH-UBND ngày 15/01/2025
1.2\tCông tác tuyên truyền cải cách hành chính\t1.50\t1.50\t- Báo cáo số 42/BC-UBND ngày 10/3/2025
2\tCẢI CÁCH THỂ CHẾ\t2.00\t2.00\t
2.1\tKiểm tra, xử lý văn bản quy phạm pháp luật\t1.00\t1.00\t- Báo cáo số 60/BC-UBND ngày 20/5/2025
2.2\tTổ chức thi hành pháp luật trên địa bàn\t1.00\t1.00\t- Kế hoạch số 250/KH-UBND ngày 02/6/2025
TỔNG ĐIỂM\t\t5.00\t4.50\t
"""

SERIOUS = ("error", "warning")
VIETNAMESE = regex.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]", regex.I)


def edit(text: str, old: str, new: str) -> str:
    """Replace ``old``, which must occur exactly once (a template change must not silently void a case)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times, not once"
    return text.replace(old, new)


def total(value: str) -> tuple[tuple[str, str], ...]:
    """Edits that state ``value`` as the total both in the letter and in TỔNG ĐIỂM (they stay in agreement)."""
    return (("được: 99,18/100", f"được: {value}/100"), ("Không đạt\t99,18", f"Không đạt\t{value}"))


def row(stt: str, *cells: str) -> str:
    return "\t".join((stt, *cells)) + "\n"


APPENDED = "Trụ sở UBND xã và Trung tâm Phục vụ hành chính công có WiFi công cộng miễn phí\t5\n"


@dataclass(frozen=True)
class Case:
    code: str
    label: str
    edits: tuple[tuple[str, str], ...]
    clean: tuple[tuple[str, str], ...] = ()  # the near-identical variant that must not raise (default: template)
    criterion_id: str | None = None  # the criterion the finding is about, where the code is about one
    mentions: tuple[str, ...] = ()  # what the message must write (numbers as a Vietnamese reader writes them)
    values: tuple[Any, Any] | None = None  # (expected, found) of the finding
    quote: str | None = None  # what the finding's location must quote (None: no text to quote)
    quote_marks: Sequence[pytest.MarkDecorator] = ()  # known defects of the location only
    also: frozenset[str] = field(default_factory=frozenset)  # other error/warning codes the fault implies
    base: str = TEMPLATE
    marks: Sequence[pytest.MarkDecorator] = ()

    def faulty_text(self) -> str:
        return apply(self.base, self.edits)

    def clean_text(self) -> str:
        return apply(self.base, self.clean)


def apply(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        text = edit(text, old, new)
    return text


QUARTER_III = (("Quý II năm", "Quý III năm"), ("quý II năm", "quý III năm"), ("QUÝ II NĂM", "QUÝ III NĂM"))
EXTRA_ROW = "Số camera an ninh kết nối trung tâm giám sát của xã", "5", "12 camera tại các nút giao thông chính", "0"
CASES = [
    Case("TOTAL_MISMATCH", "total_off_by_0.02", total("99,20"), clean=total("99,19"),
         mentions=("99,2", "99,18"), values=(99.18, 99.2), quote="Không đạt\t99,20"),
    Case("ROW_EXCEEDS_MAX", "6_of_5", (("ổn định\t5", "ổn định\t6"), *total("100,18")), criterion_id="C06",
         values=(5, 6), quote="ổn định\t6"),
    Case("INVALID_POINTS", "word", (("ổn định\t5", "ổn định\tnăm"),), criterion_id="C06", mentions=("năm",),
         quote="ổn định\tnăm"),
    Case("INVALID_POINTS", "negative", (("ổn định\t5", "ổn định\t-5"), *total("89,18")), criterion_id="C06",
         mentions=("-5",), quote="ổn định\t-5"),
    Case("MAX_POINTS_MISMATCH", "10_for_5", (("bảo vệ mạng LAN\t5", "bảo vệ mạng LAN\t10"),),
         clean=(("bảo vệ mạng LAN\t5", "bảo vệ mạng LAN\t5,00"),), criterion_id="C06", mentions=("10",),
         values=(5, 10), quote="mạng LAN\t10"),
    Case("RATIO_SCORE_MISMATCH", "off_by_0.02", (("HPnet\t4,62", "HPnet\t4,60"), *total("99,16")),
         clean=(("HPnet\t4,62", "HPnet\t4,61"), *total("99,17")), criterion_id="C09",
         mentions=("92,4%", "4,62", "4,6"), values=(4.62, 4.6), quote="HPnet\t4,60"),
    Case("RATE_NOT_STATED", "rate_removed",
         ((" - 100% hệ thống thông tin của xã được phê duyệt cấp độ an toàn thông tin", ""),), criterion_id="C07",
         quote="7\tTỷ lệ các hệ thống thông tin"),
    Case("EVIDENCE_MISSING", "empty_cell",
         (("UBND xã có hệ thống tường lửa/giám sát truy nhập bảo vệ mạng LAN đang hoạt động ổn định", ""),),
         criterion_id="C06", quote="6\tCơ quan, đơn vị có Hệ thống tường lửa"),
    Case("EVIDENCE_OUT_OF_PERIOD", "day_before_quarter",
         (("966/UBND-VHXH ngày 28/4/2026", "966/UBND-VHXH ngày 31/3/2026"),),
         clean=(("966/UBND-VHXH ngày 28/4/2026", "966/UBND-VHXH ngày 01/4/2026"),), criterion_id="C03",
         mentions=("31/03/2026", "01/04/2026"), quote="CV số 966/UBND-VHXH ngày 31/3/2026"),
    Case("EVIDENCE_OUT_OF_PERIOD", "plan_of_last_year", (("18/KH-UBND ngày 22/01/2026", "18/KH-UBND ngày 22/01/2025"),),
         criterion_id="C04", mentions=("22/01/2025", "2026"), quote="KH số 18/KH-UBND ngày 22/01/2025"),
    Case("EVIDENCE_AFTER_REPORT", "day_after_letter", (("188/KH-UBND ngày 08/6/2026", "188/KH-UBND ngày 21/6/2026"),),
         clean=(("188/KH-UBND ngày 08/6/2026", "188/KH-UBND ngày 20/6/2026"),), criterion_id="C16",
         mentions=("21/06/2026", "20/06/2026"), values=("<= 2026-06-20", "2026-06-21"),
         quote="KH số 188/KH-UBND ngày 21/6/2026"),
    Case("CITATION_MALFORMED", "slash_missing", (("KH số 18/KH-UBND", "KH số 18KH-UBND"),), mentions=("18KH-UBND",),
         quote="KH số 18KH-UBND"),
    Case("CITATION_MALFORMED", "slash_doubled", (("CV số 966/UBND-VHXH", "CV số 966//UBND-VHXH"),),
         mentions=("966//UBND-VHXH",), quote="CV số 966//UBND-VHXH"),
    Case("CITATION_SEQUENCE", "lower_number_later",
         (("1460/UBND-VHXH ngày 09/6/2026", "1460/UBND-VHXH ngày 11/6/2026"),),
         clean=(("1460/UBND-VHXH ngày 09/6/2026", "1460/UBND-VHXH ngày 10/6/2026"),),
         mentions=("1460", "11/06/2026", "1464", "10/06/2026"), quote="CV số 1460/UBND-VHXH ngày 11/6/2026"),
    Case("PARENT_SUM_MISMATCH", "child_points", (("năm\t1.50\t1.00", "năm\t1.50\t0.50"),), base=HIERARCHICAL,
         mentions=("2,5", "1.1 + 1.2"), values=(2.0, 2.5), quote="1\tCÔNG TÁC CHỈ ĐẠO"),
    Case("PARENT_SUM_MISMATCH", "parent_maximum", (("HÀNH CHÍNH\t3.00", "HÀNH CHÍNH\t3.50"),), base=HIERARCHICAL,
         mentions=("3,5", "1.1 + 1.2"), values=(3.0, 3.5), quote="1\tCÔNG TÁC CHỈ ĐẠO"),
    Case("CRITERION_MISSING", "row_18_deleted", ((row("18", *ROWS[18][1:]), ""), *total("94,18")),
         criterion_id="C18", mentions=("18", "wifi")),
    Case("CRITERION_UNKNOWN", "extra_row", ((APPENDED, APPENDED + row("19", *EXTRA_ROW)),),
         mentions=("19", "Số camera an ninh"), quote="19\tSố camera an ninh"),
    Case("CRITERION_DUPLICATE", "row_6_repeated", ((APPENDED, APPENDED + row("19", *ROWS[6][1:4], "0")),),
         criterion_id="C06", mentions=("19", "6"), values=("6", "19"), quote="19\tCơ quan, đơn vị có Hệ thống"),
    Case("VERDICT_MISMATCH", "fail_stated", (("(Đạt yêu cầu - ngưỡng", "(Không đạt - ngưỡng"),),
         mentions=("99,18", "70", "Không đạt"), values=("dat", "khong_dat"), quote="99,18/100 điểm (Không đạt"),
    Case("THRESHOLD_MISMATCH", "60_points",
         (("≥ 70 điểm: Đạt yêu cầu; < 70 điểm", "≥ 60 điểm: Đạt yêu cầu; < 60 điểm"),), mentions=("60", "70"),
         values=(70, 60), quote="≥ 60 điểm"),
    Case("COVER_TOTAL_MISMATCH", "letter_total", (("được: 99,18/100", "được: 99,28/100"),),
         clean=(("được: 99,18/100", "được: 99,19/100"),), mentions=("99,28", "99,18"), values=(99.18, 99.28),
         quote="99,28/100"),
    Case("COVER_VALUE_MISMATCH", "letter_rate", (("văn bản HPnet đạt 92,4%", "văn bản HPnet đạt 90,4%"),),
         clean=(("văn bản HPnet đạt 92,4%", "văn bản HPnet đạt 92,40%"),), criterion_id="C09",
         mentions=("90,4%", "92,4%"), values=(92.4, 90.4), quote="90,4%",
         also=frozenset({"CONFLICTING_VALUES"})),
    Case("PERIOD_MISMATCH", "dated_before_quarter", QUARTER_III, mentions=("20/06/2026", "01/07/2026"),
         quote="ngày 20 tháng 6 năm 2026", also=frozenset({"EVIDENCE_OUT_OF_PERIOD"})),
    Case("PERIOD_MISMATCH", "appendix_other_quarter", (("QUÝ II NĂM 2026", "QUÝ I NĂM 2026"),),
         mentions=("Quý I", "Quý II"), quote="QUÝ I NĂM 2026"),
    Case("PERCENT_FRACTION_MISMATCH", "fraction_vs_rate",
         (("1.497/1.500 hồ sơ thủ tục hành chính, đạt 99,8%", "1.497/1.500 hồ sơ thủ tục hành chính, đạt 97,8%"),),
         mentions=("1.497", "1.500", "97,8%"), quote="1.497/1.500", also=frozenset({"COVER_VALUE_MISMATCH"})),
    Case("PARTS_SUM_MISMATCH", "parts", (("và 3 hồ sơ trực tiếp", "và 13 hồ sơ trực tiếp"),),
         mentions=("1.500", "1.510"), quote="1.500 hồ sơ"),
    Case("CONFLICTING_VALUES", "same_rate_twice", (("phần mềm HPnet đạt 92,4%", "phần mềm HPnet đạt 90,4%"),),
         mentions=("92,4%", "90,4%"), quote="90,4%", also=frozenset({"COVER_VALUE_MISMATCH"})),
    Case("UNISSUED_DRAFT", "blank_number", (("Số: 1520/UBND-VHXH", "Số:      /UBND-VHXH"),), quote="Số:      /UBND"),
    Case("UNISSUED_DRAFT", "blank_day", (("ngày 20 tháng 6 năm 2026", "ngày      tháng 6 năm 2026"),),
         quote="ngày      tháng 6 năm 2026"),
    Case("NO_SCORECARD", "appendix_removed", ((TEMPLATE[len(LETTER) :], ""),), mentions=("16 tiêu chí",)),
    Case("ROUNDING_INCONSISTENT", "half_up_and_truncated",
         (("đạt 98,6%\t4,93", "đạt 92,5%\t4,63"), ("đạt 93,4%\t4,67", "đạt 99,9%\t4,99"), *total("99,20")),
         clean=(("đạt 98,6%\t4,93", "đạt 92,5%\t4,63"), ("đạt 93,4%\t4,67", "đạt 99,9%\t5,00"), *total("99,21")),
         mentions=("4,625", "4,63", "4,995", "4,99"), quote="12\tTỷ lệ kết quả giải quyết"),
]  # fmt: skip
NOT_PLANTABLE = {
    "OCR_USED": "planted in the file, not its words: see test_ocr_used_is_raised_for_a_scan_and_not_…",
    "LEGACY_ENCODING": "planted in the file: see test_legacy_encoding_is_raised_for_legacy_fonts_and_not_…",
    "UNREADABLE": "planted as bad files instead: see test_unreadable_file_is_one_finding_with_its_reason",
    "SIGNATURE_BROKEN": "needs a signed PDF changed after signing: planted in tests/test_signatures.py",
    "SIGNER_MISMATCH": "needs a PDF signed with a certificate: planted in tests/test_signatures.py",
    "SIGNED_BEFORE_DATED": "needs a PDF signed at a chosen time: planted in tests/test_signatures.py",
    "SIGNED_LONG_AFTER": "needs a PDF signed at a chosen time: planted in tests/test_signatures.py",
    "PAGES_NOT_READ": "needs a PDF with pages that have no text: planted in tests/test_bounded_input.py",
    "BLANK_FORM": "a form nobody filled in is not a fault: tried in tests/test_false_findings.py",
    "FORMAT_MISMATCH": "planted in the file's name, not its words: see tests/test_format_mismatch.py",
}


def _params(which: str) -> list[Any]:
    out = []
    for case in CASES:
        marks = {"faulty": case.marks, "located": [*case.marks, *case.quote_marks]}.get(which, ())
        if which == "located" and case.quote is None:
            continue
        out.append(pytest.param(case, marks=marks, id=f"{case.code}-{case.label}"))
    return out


@functools.lru_cache(maxsize=128)
def audited(text: str) -> tuple[Document, Report]:
    """The text read as a .txt report and audited with the rubric chosen by its rows (none when none fits)."""
    doc = parse(text.encode(), filename="x.txt")
    return doc, audit_document(doc, None)


def serious_codes(report: Report) -> set[str]:
    return {f.code for f in report.findings if f.severity in SERIOUS}


def raised(case: Case) -> tuple[Document, Report, list[Finding]]:
    doc, report = audited(case.faulty_text())
    found = [f for f in report.findings if f.code == case.code]
    assert found, f"{case.code} not raised; got {[(f.code, f.message) for f in report.findings]}"
    if case.criterion_id is not None:
        found = [f for f in found if f.criterion_id == case.criterion_id]
        assert found, f"{case.code} raised, but not for {case.criterion_id}"
    return doc, report, found


def assert_well_formed(f: Finding, doc: Document, mentions: Sequence[str] = ()) -> None:
    """A Vietnamese message naming what it is about; a location, when given, quoting the document exactly."""
    assert VIETNAMESE.search(f.message), f"{f.code}: message not in Vietnamese: {f.message}"
    for n in mentions:
        assert n in f.message, f"{f.code}: message does not name {n!r}: {f.message}"
    if f.location is not None:
        assert f.location.quote and f.location.quote in doc.text, f"{f.code}: quote not in the document"
        if f.location.start is not None and f.location.end is not None:
            assert doc.text[f.location.start : f.location.end] == f.location.quote


# --- the clean template -------------------------------------------------------------------------------------------


def test_clean_template_is_read_as_written() -> None:
    _, report = audited(TEMPLATE)
    card, info = report.scorecard, report.document
    assert card is not None and card.rubric == "hp-cds-xa-quy-2026" and not card.estimated
    assert [r.criterion_id for r in card.rows] == [f"C{i:02d}" for i in range(1, 19)]
    assert card.claimed_total == card.recomputed_total == report.letter_total == Decimal("99.18")
    assert [r.max_points for r in card.rows] == [Decimal(10) if i in (8, 15) else Decimal(5) for i in range(1, 19)]
    assert all(r.recomputed_points == r.claimed_points for r in card.rows)
    assert (info.number, info.date.isoformat() if info.date else None) == ("1520/UBND-VHXH", "2026-06-20")
    assert info.period is not None and (info.period.start.isoformat(), info.period.end.isoformat()) == (
        "2026-04-01",
        "2026-06-30",
    )
    assert card.claimed_verdict == card.recomputed_verdict == "dat"


def test_clean_template_raises_no_finding() -> None:
    """Not even an info finding: no malformed citation, no rounding, no draft, a scorecard present."""
    _, report = audited(TEMPLATE)
    assert [(f.code, f.message) for f in report.findings] == []


# --- planted faults -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params("faulty"))
def test_planted_fault_raises_its_code(case: Case) -> None:
    doc, report, found = raised(case)
    for f in found:
        assert_well_formed(f, doc, case.mentions)
    if case.values is not None:
        assert case.values in [(f.expected, f.found) for f in found]
    unexpected = serious_codes(report) - {case.code} - case.also
    assert not unexpected, f"the mutation also raised {unexpected}: {[f.message for f in report.findings]}"


@pytest.mark.parametrize("case", _params("located"))
def test_planted_fault_is_located_where_it_was_planted(case: Case) -> None:
    _, _, found = raised(case)
    assert case.quote is not None
    quotes = [f.location.quote for f in found if f.location is not None]
    assert any(case.quote in q for q in quotes), f"no location quotes {case.quote!r}: {quotes}"


@pytest.mark.parametrize("case", _params("clean"))
def test_near_identical_clean_variant_does_not_raise(case: Case) -> None:
    _, report = audited(case.clean_text())
    assert case.code not in {f.code for f in report.findings}, [f.message for f in report.findings]
    if case.base is TEMPLATE:
        assert not serious_codes(report), [f.message for f in report.findings]


def test_every_contract_code_is_planted_or_has_a_reason() -> None:
    planted = {c.code for c in CASES}
    assert set(SEVERITY) == planted | set(NOT_PLANTABLE)
    assert not planted & set(NOT_PLANTABLE)


def test_only_findings_about_something_absent_go_unlocated() -> None:
    """A missing criterion has no row and a missing appendix no table: those alone have no text to quote."""
    assert {c.code for c in CASES if c.quote is None} == {"CRITERION_MISSING", "NO_SCORECARD"}


# --- faults planted in the file rather than in its words: a scan of the letter, the letter in TCVN3 fonts -------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _letter_pdf() -> bytes:
    """The clean letter as a text PDF (fpdf2, DejaVu Sans: every Vietnamese letter)."""
    fpdf = pytest.importorskip("fpdf")
    if not DEJAVU.exists():
        pytest.skip("DejaVu fonts are not installed (Debian package fonts-dejavu-core)")
    pdf = fpdf.FPDF(format="A4", unit="pt")
    pdf.set_margins(60, 50)
    pdf.add_page()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    for line in LETTER.splitlines():
        pdf.multi_cell(0, 15, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.slow
def test_ocr_used_is_raised_for_a_scan_and_not_for_its_text_twin() -> None:
    from extractor import audit
    from samples.generator.scan import scan_pdf

    text_pdf = _letter_pdf()
    clean = audit(text_pdf, filename="cong-van.pdf")
    scanned = audit(scan_pdf(text_pdf, dpi=200, angle=0.5, seed=3), filename="cong-van-scan.pdf")
    assert "OCR_USED" not in {f.code for f in clean.findings}
    [used] = [f for f in scanned.findings if f.code == "OCR_USED"]
    pages = list(range(1, (clean.source.pages or 0) + 1))
    assert len(pages) >= 1 and used.severity == "info" and used.found["pages"] == pages
    assert 50 < used.found["mean_confidence"] <= 100
    assert (f"Trang 1–{pages[-1]} " if len(pages) > 1 else "Trang 1 ") in used.message
    assert "được nhận dạng ký tự (OCR)" in used.message and "%" in used.message
    assert "uncertain" not in used.found  # a clean print: nothing read in doubt
    assert scanned.source.ocr and scanned.source.ocr_pages == pages
    # what the letter says is read alike from the scan
    for fact in ("number", "date", "commune", "signer"):
        assert getattr(scanned.document, fact) == getattr(clean.document, fact), fact
    assert scanned.letter_total == clean.letter_total


def _letter_docx(encoding: str | None) -> bytes:
    """The clean letter as a DOCX: in Unicode with Times New Roman, or typed in legacy fonts as such files are —
    .VnTime / VNI-Times, and TCVN3's capitals font .VnTimeH for a capital with a tone mark (TCVN3 has none)."""
    import io
    from itertools import groupby

    import docx

    from extractor.parsers.legacy import from_unicode, representable

    document = docx.Document()
    for line in LETTER.replace("≥", ">=").splitlines():
        paragraph = document.add_paragraph()
        if encoding is None:
            run = paragraph.add_run(line)
            run.font.name = "Times New Roman"
            continue
        table = representable(encoding)  # type: ignore[arg-type]
        for caps, chars in groupby(line, key=lambda c: ord(c) > 127 and c not in table):
            part = "".join(chars)
            run = paragraph.add_run(from_unicode(part.lower() if caps else part, encoding))  # type: ignore[arg-type]
            run.font.name = ".VnTimeH" if caps else {"tcvn3": ".VnTime", "vni": "VNI-Times"}[encoding]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_encoding_is_raised_for_legacy_fonts_and_not_for_the_unicode_twin(encoding: str) -> None:
    from extractor import audit

    clean = audit(_letter_docx(None), filename="cong-van.docx")
    legacy = audit(_letter_docx(encoding), filename="cong-van-cu.docx")
    assert "LEGACY_ENCODING" not in {f.code for f in clean.findings}
    [found] = [f for f in legacy.findings if f.code == "LEGACY_ENCODING"]
    assert found.severity == "info" and found.found == {"encoding": encoding}
    assert {"tcvn3": "TCVN3", "vni": "VNI"}[encoding] in found.message and "Unicode" in found.message
    assert legacy.source.legacy_encoding == encoding and clean.source.legacy_encoding is None
    for fact in ("number", "date", "commune", "signer", "subject"):
        assert getattr(legacy.document, fact) == getattr(clean.document, fact), fact
    assert legacy.letter_total == clean.letter_total
    assert {f.code for f in legacy.findings} - {"LEGACY_ENCODING"} == {f.code for f in clean.findings}


# --- details of particular faults ---------------------------------------------------------------------------------


def test_no_scorecard_estimates_from_the_letter() -> None:
    case = next(c for c in CASES if c.code == "NO_SCORECARD")
    _, report = audited(case.faulty_text())
    card = report.scorecard
    assert card is not None and card.estimated and card.claimed_total is None
    rows = {r.criterion_id: r for r in card.rows}
    assert rows["C09"].recomputed_points == Decimal("4.62")  # 5 × 92,4% stated in the letter


def test_hierarchical_appendix_fits_no_rubric() -> None:
    """PARENT_SUM_MISMATCH is planted where only the structural checks run."""
    for text in (HIERARCHICAL, *(c.faulty_text() for c in CASES if c.base is HIERARCHICAL)):
        _, report = audited(text)
        card = report.scorecard
        assert card is not None and card.rubric is None
        assert [(r.stt, r.parent_stt) for r in card.rows][:3] == [("1", None), ("1.1", "1"), ("1.2", "1")]


def test_clean_hierarchical_appendix_raises_nothing() -> None:
    """Parents whose evidence stands in their children's rows (empty evidence cell) are no EVIDENCE_MISSING."""
    _, report = audited(HIERARCHICAL)
    assert report.scorecard is not None and len(report.scorecard.rows) == 6
    assert not serious_codes(report), [f.message for f in report.findings]


def _bad_files() -> list[Path]:
    """One bad file per error code, avoiding .doc (LibreOffice is slow) where the code has another. A scan
    (needs_ocr) is left out: it is unreadable only until OCR exists, then it gets OCR_USED."""
    by_code: dict[str, Path] = {}
    for p in sorted(BAD.iterdir(), key=lambda p: (p.suffix == ".doc", p.name)):
        if "__" in p.name and not p.name.startswith("needs_ocr__"):
            by_code.setdefault(p.name.split("__", 1)[0], p)
    return sorted(by_code.values())


@pytest.mark.parametrize("path", _bad_files(), ids=lambda p: p.name)
def test_unreadable_file_is_one_finding_with_its_reason(path: Path) -> None:
    report = audit_file(path)
    (f,) = report.findings
    assert (f.code, f.severity) == ("UNREADABLE", "error")
    assert f.message.startswith("Không đọc được tệp") and VIETNAMESE.search(f.message)
    assert f.found["code"] == path.name.split("__", 1)[0]
    assert report.source.path == str(path) and report.scorecard is None


def test_readable_file_is_not_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.txt"
    path.write_text(TEMPLATE, encoding="utf-8")
    report = audit_file(path)
    assert report.findings == [] and report.scorecard is not None


# --- a real hierarchical appendix ---------------------------------------------------------------------------------


def _table_as_text(doc: Document, table_index: int, change: tuple[str, int, str, str] | None = None) -> str:
    """The table as tab-separated text; ``change`` = (stt, column, old, new) edits one cell."""
    lines = []
    for cells in doc.tables[table_index].texts():
        flat = [" ".join(c.split()) for c in cells]
        if change and flat and flat[0] == change[0]:
            assert flat[change[1]] == change[2], flat
            flat[change[1]] = change[3]
        lines.append("\t".join(flat))
    return "\n".join(lines) + "\n"


@pytest.mark.realdocs
def test_realdoc_par_index_parents_add_up(realdoc) -> None:
    doc = parse(realdoc("01_"))
    report = audit_document(doc, None)
    card = report.scorecard
    assert card is not None and card.rubric is None and len(card.rows) == 99
    assert "PARENT_SUM_MISMATCH" not in {f.code for f in report.findings}
    assert card.table is not None
    rebuilt = _table_as_text(doc, card.table)
    _, again = audited(rebuilt)
    assert again.scorecard is not None and len(again.scorecard.rows) == 99
    assert "PARENT_SUM_MISMATCH" not in {f.code for f in again.findings}

    changed_doc, changed = audited(_table_as_text(doc, card.table, ("1.3.1", 3, "1.00", "0.50")))
    raised = [f for f in changed.findings if f.code == "PARENT_SUM_MISMATCH"]
    assert [f.location.quote.split("\t")[0] for f in raised if f.location] == ["1.3"]
    assert_well_formed(raised[0], changed_doc, ("2", "1,5"))
