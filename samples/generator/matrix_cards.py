"""Two commune scorecards with planted faults, as report texts (the seed format: a cover letter, then the
appendix as tab-separated rows), for the rendering matrix (:mod:`.matrix`).

- ``HOA_BINH``: phường Hòa Bình, Quý III/2026. The rows add up to 94,45 but the appendix and the letter both
  state 97,45 (TOTAL_MISMATCH).
- ``TAN_TIEN``: xã Tân Tiến, Quý I/2026. Row 6 claims 6 of its 5 points (ROW_EXCEEDS_MAX); the rows add up
  to 66,50, below the pass mark of 70, yet the letter says "Đạt yêu cầu" (VERDICT_MISMATCH) and states a
  total of 68,50 (COVER_TOTAL_MISMATCH).

Each card also states what it is, as the metamorphic test expects every rendering to read it: the header
facts, the claimed points by STT, the claimed total and the planted finding codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Card:
    name: str
    text: str
    number: str  # e.g. "1730/UBND-VP"
    date: dt.date
    commune: str
    period: tuple[dt.date, dt.date]
    claimed: dict[str, Decimal]  # STT → claimed points
    total: Decimal
    planted: frozenset[str]  # finding codes every rendering with the cover letter must raise
    planted_alone: frozenset[str]  # … and every rendering of the appendix alone


MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
HEAD = ("STT", "Tiêu chí", "Điểm tối đa", "Tài liệu kiểm chứng", "Điểm đạt")
TITLES = [
    "Thủ trưởng cơ quan, đơn vị trực tiếp chỉ đạo hoạt động chuyển đổi số",
    "Cơ quan, đơn vị có bố trí cán bộ chuyên trách, kiêm nhiệm về CNTT và chuyển đổi số",
    "Số lượng văn bản chỉ đạo chuyên đề về chuyển đổi số do lãnh đạo cơ quan, đơn vị ký ban hành",
    "Ban hành kế hoạch CNTT, chuyển đổi số hằng năm",
    "Tỷ lệ máy tính của đơn vị đã được trang bị phần mềm phòng chống mã độc tập trung",
    "Cơ quan, đơn vị có Hệ thống tường lửa/giám sát truy nhập bảo vệ mạng LAN",
    "Tỷ lệ các hệ thống thông tin do cơ quan, đơn vị chủ trì thực hiện được phê duyệt cấp độ an toàn thông tin",
    "Báo cáo, cung cấp số liệu theo Bộ chỉ số chỉ đạo, điều hành trên môi trường điện tử đã được UBND thành phố "
    "phê duyệt",
    "Tỷ lệ văn bản phát hành đi được ký số trực tiếp trên phần mềm quản lý văn bản HPnet / Tổng số văn bản phát hành",
    "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến / Tổng số hồ sơ tiếp nhận",
    "Tỷ lệ hồ sơ thủ tục hành chính được thanh toán trực tuyến / Tổng số hồ sơ được thanh toán",
    "Tỷ lệ kết quả giải quyết thủ tục hành chính được số hóa",
    "Tỷ lệ hồ sơ thủ tục hành chính được thực hiện toàn trình / Tổng số hồ sơ thủ tục hành chính",
    "Cổng thông tin điện tử của cơ quan, đơn vị có cung cấp tin bài về chuyển đổi số",
    "Thực hiện báo cáo trên Hệ thống theo dõi tình hình thực hiện Nghị quyết, Chỉ thị, kết luận của Trung ương",
    "Ban hành Kế hoạch hoạt động của Tổ công nghệ số cộng đồng",
    "Đài truyền thanh xã, phường có ứng dụng công nghệ thông tin - viễn thông",
    "Có hệ thống wifi công cộng miễn phí tại các điểm công cộng như tại nhà văn hóa, các điểm tham quan du lịch, "
    "trụ sở UBND cấp xã",
]
MAXIMA = ["5", "5", "5", "5", "5", "5", "5", "10", "5", "5", "5", "5", "5", "5", "10", "5", "5", "5"]


def _letter(issuer: str, number: str, place_date: str, period: str, total: str, verdict: str, signer: str) -> str:
    unit = issuer.split("\n")[1].title().replace("Xã", "xã").replace("Phường", "phường")
    return (
        f"{issuer}\n\n{MOTTO}Số: {number}\nV/v báo cáo kết quả ứng dụng công nghệ thông tin, chuyển đổi số "
        f"{period}\n\n{place_date}\n\nKính gửi: Sở Khoa học và Công nghệ\n\n"
        f"Thực hiện hướng dẫn của Sở Khoa học và Công nghệ về việc chấm điểm kết quả ứng dụng công nghệ thông "
        f"tin, chuyển đổi số {period.lower()}, Ủy ban nhân dân {unit} đã tự chấm điểm các tiêu chí theo Phụ lục "
        f"gửi kèm và báo cáo như sau:\n\nI. KẾT QUẢ TỔNG HỢP\n\n"
        f"Tổng điểm đạt được: {total}/100 điểm ({verdict} - ngưỡng đạt ≥ 70 điểm).\n\n"
        f"Ủy ban nhân dân {unit} trân trọng báo cáo Sở Khoa học và Công nghệ./.\n\n"
        f"Nơi nhận:\n- Như trên;\n- Lưu: VT, VHXH.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n"
        f"{signer}\n\n"
    )


def _appendix(unit: str, period: str, caption: str, rows: list[tuple[str, str]], total: str) -> str:
    lines = [
        "PHỤ LỤC",
        f"KẾT QUẢ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, CHUYỂN ĐỔI SỐ {unit.upper()} - {period.upper()}",
        "",
        caption,
        "",
        "\t".join(HEAD),
    ]
    for i, (evidence, claimed) in enumerate(rows):
        lines.append("\t".join((str(i + 1), TITLES[i], MAXIMA[i], evidence, claimed)))
    lines.append("\t".join(("TỔNG ĐIỂM", "", "100", "≥ 70 điểm: Đạt yêu cầu; < 70 điểm: Không đạt", total)))
    return "\n".join(lines) + "\n"


def _points(rows: list[tuple[str, str]]) -> dict[str, Decimal]:
    return {str(i + 1): Decimal(claimed.replace(",", ".")) for i, (_, claimed) in enumerate(rows)}


HOA_BINH_ROWS = [
    ("- Đề án số 05-ĐA/ĐU ngày 15/01/2026 của Đảng ủy phường về chuyển đổi số", "5"),
    ("- QĐ số 210/QĐ-UBND ngày 03/3/2026 của UBND phường về phân công công chức phụ trách chuyển đổi số", "5"),
    (
        "- CV số 1502/UBND-VP ngày 14/7/2026 về triển khai nền tảng số - CV số 1611/UBND-VP ngày 12/8/2026 về "
        "tuyên truyền dịch vụ công trực tuyến",
        "5",
    ),
    ("- KH số 15/KH-UBND ngày 20/01/2026 của UBND phường về chuyển đổi số năm 2026", "5"),
    (
        "- CV số 1520/UBND-VP ngày 21/7/2026 về rà soát phần mềm phòng chống mã độc - 100% máy tính được cài "
        "đặt phần mềm phòng chống mã độc",
        "5",
    ),
    ("UBND phường có hệ thống tường lửa bảo vệ mạng LAN đang hoạt động ổn định", "5"),
    (
        "- QĐ số 4410/QĐ-CAHP-ANM ngày 10/4/2026 của Công an thành phố phê duyệt cấp độ an toàn hệ thống thông "
        "tin - 100% hệ thống thông tin được phê duyệt",
        "5",
    ),
    ("- CV số 1588/UBND-VP ngày 05/8/2026 về báo cáo Bộ chỉ số chỉ đạo, điều hành", "10"),
    ("90% văn bản phát hành đi được ký số trên phần mềm HPnet", "4,50"),
    ("Tỷ lệ hồ sơ tiếp nhận trực tuyến đạt 95%", "4,75"),
    ("Thanh toán trực tuyến phí, lệ phí đạt 60%", "3,00"),
    ("Tỷ lệ số hóa kết quả giải quyết TTHC đạt 85%", "4,25"),
    ("Tỷ lệ hồ sơ thực hiện toàn trình đạt 59%", "2,95"),
    ("42 tin, bài về chuyển đổi số trên Cổng thông tin điện tử phường", "5"),
    ("Cập nhật đầy đủ tiến độ trên hệ thống theodoinq.dcs.vn", "10"),
    ("- KH số 40/KH-UBND ngày 25/02/2026 về hoạt động Tổ công nghệ số cộng đồng", "5"),
    ("Đài truyền thanh phường đã trang bị bộ tích hợp - số hóa IPFM", "5"),
    ("Trụ sở UBND phường có WiFi công cộng miễn phí", "5"),
]
HOA_BINH = Card(
    name="hoa-binh",
    text=(
        _letter(
            "ỦY BAN NHÂN DÂN\nPHƯỜNG HÒA BÌNH",
            "1730/UBND-VP",
            "Phường Hòa Bình, ngày 02 tháng 10 năm 2026",
            "Quý III năm 2026",
            "97,45",
            "Đạt yêu cầu",
            "Trần Thị Mai",
        )
        + _appendix(
            "UBND phường Hòa Bình",
            "Quý III năm 2026",
            "(Kèm theo Công văn số 1730/UBND-VP ngày 02/10/2026 của UBND phường Hòa Bình)",
            HOA_BINH_ROWS,
            "97,45",
        )
    ),
    number="1730/UBND-VP",
    date=dt.date(2026, 10, 2),
    commune="Hòa Bình",
    period=(dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    claimed=_points(HOA_BINH_ROWS),
    total=Decimal("97.45"),
    planted=frozenset({"TOTAL_MISMATCH"}),
    planted_alone=frozenset({"TOTAL_MISMATCH"}),
)

TAN_TIEN_ROWS = [
    ("- QĐ số 45/QĐ-UBND ngày 10/01/2026 của UBND xã kiện toàn Ban Chỉ đạo chuyển đổi số", "5"),
    ("- QĐ số 46/QĐ-UBND ngày 10/01/2026 của UBND xã về phân công công chức phụ trách chuyển đổi số", "5"),
    ("- CV số 230/UBND-VHXH ngày 12/02/2026 về triển khai chuyển đổi số", "5"),
    ("- KH số 12/KH-UBND ngày 15/01/2026 của UBND xã về chuyển đổi số năm 2026", "5"),
    ("- CV số 260/UBND-VHXH ngày 02/3/2026 về phần mềm phòng chống mã độc - 100% máy tính được cài đặt", "5"),
    ("UBND xã có hệ thống tường lửa bảo vệ mạng LAN", "6"),
    ("- QĐ số 1190/QĐ-CAHP-ANM ngày 20/01/2026 phê duyệt cấp độ an toàn - 100% hệ thống được phê duyệt", "5"),
    ("- CV số 301/UBND-VHXH ngày 16/3/2026 về báo cáo Bộ chỉ số chỉ đạo, điều hành", "10"),
    ("40% văn bản phát hành đi được ký số trên phần mềm HPnet", "2"),
    ("Tỷ lệ hồ sơ tiếp nhận trực tuyến đạt 30%", "1,5"),
    ("Thanh toán trực tuyến phí, lệ phí đạt 20%", "1"),
    ("Tỷ lệ số hóa kết quả giải quyết TTHC đạt 10%", "0,5"),
    ("Tỷ lệ hồ sơ thực hiện toàn trình đạt 10%", "0,5"),
    ("36 tin, bài về chuyển đổi số trên Cổng thông tin điện tử xã", "5"),
    ("Cập nhật đầy đủ tiến độ trên hệ thống theodoinq.dcs.vn", "10"),
    ("", "0"),
    ("", "0"),
    ("", "0"),
]
TAN_TIEN = Card(
    name="tan-tien",
    text=(
        _letter(
            "ỦY BAN NHÂN DÂN\nXÃ TÂN TIẾN",
            "412/UBND-VHXH",
            "Xã Tân Tiến, ngày 28 tháng 3 năm 2026",
            "Quý I năm 2026",
            "68,50",
            "Đạt yêu cầu",
            "Lê Văn Bình",
        )
        + _appendix(
            "UBND xã Tân Tiến",
            "Quý I năm 2026",
            "(Kèm theo Công văn số 412/UBND-VHXH ngày 28/3/2026 của UBND xã Tân Tiến)",
            TAN_TIEN_ROWS,
            "66,50",
        )
    ),
    number="412/UBND-VHXH",
    date=dt.date(2026, 3, 28),
    commune="Tân Tiến",
    period=(dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    claimed=_points(TAN_TIEN_ROWS),
    total=Decimal("66.50"),
    planted=frozenset({"ROW_EXCEEDS_MAX", "VERDICT_MISMATCH", "COVER_TOTAL_MISMATCH"}),
    planted_alone=frozenset({"ROW_EXCEEDS_MAX"}),
)


SEED_000_POINTS = ["5"] * 7 + ["10", "4,63", "4,99", "4,97", "4,99", "4,67", "5", "10", "5", "5", "5"]


def seed_000(text: str) -> Card:
    """Seed 000 (xã Nguyễn Lương Bằng, Quý II/2026, 99,25 points) as a card: its text and what it states."""
    return Card(
        name="000",
        text=text,
        number="1498/UBND-VHXH",
        date=dt.date(2026, 6, 12),
        commune="Nguyễn Lương Bằng",
        period=(dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        claimed={str(i + 1): Decimal(p.replace(",", ".")) for i, p in enumerate(SEED_000_POINTS)},
        total=Decimal("99.25"),
        planted=frozenset(),
        planted_alone=frozenset(),
    )
