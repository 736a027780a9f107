"""Letters whose number and day were written by hand into the printed blanks, as a commune's clerk does after
the chairman signs: "Số: ___/BC-UBND" and "ngày ___ tháng ___ năm 2025", in one of Debian's handwriting fonts
(ink-blue, a little turned, of uneven size), then printed and scanned (``scan.scan_pdf``). Deterministic for
a seed; the truth is returned beside the file.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from .scan import scan_pdf

# Handwriting faces from Debian's font packages (fonts-bwht, fonts-breip, fonts-dancingscript,
# fonts-dkg-handwriting, fonts-femkeklaver, fonts-humor-sans, fonts-kristi, fonts-klee, fonts-kaushanscript,
# fonts-comic-neue), by name; those not installed are skipped.
HAND_FONTS = {
    "bwht-build": "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf",
    "bwht-connect": "/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf",
    "bwht-create": "/usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf",
    "bwht-learn": "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf",
    "bwht-mentor": "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf",
    "bwht-organize": "/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf",
    "breip": "/usr/share/fonts/truetype/breip/Breip.ttf",
    "dancing": "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",
    "dkg": "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",
    "femke": "/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf",
    "humor": "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",
    "kristi": "/usr/share/fonts/truetype/kristi/Kristi.ttf",
    "klee": "/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf",
    "kaushan": "/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf",
    "comic": "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
}
PRINT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
PRINT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
INK = (25, 35, 120)  # a ballpoint's blue
BODY = (
    "Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2025 của Ủy ban nhân dân thành phố về chuyển đổi số năm 2025, "
    "Ủy ban nhân dân xã báo cáo kết quả thực hiện trong quý như sau.",
    "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến toàn trình đạt 82,5 %; tỷ lệ văn "
    "bản đi được ký số đạt 100 %.",
    "Ủy ban nhân dân xã đã tổ chức 02 lớp tập huấn kỹ năng số cho cán bộ, công chức và người dân; cập nhật dữ "
    "liệu dân cư theo Đề án 06 đúng thời hạn.",
)


def available_fonts() -> dict[str, str]:
    """The handwriting fonts of HAND_FONTS installed on this machine."""
    return {name: path for name, path in HAND_FONTS.items() if Path(path).exists()}


@dataclass(frozen=True)
class HandwrittenLetter:
    pdf: bytes  # the letter as printed (text PDF; the handwriting is text in a handwriting font)
    number: str  # e.g. "932/BC-UBND"
    date: dt.date
    font: str


def _hand(pdf: FPDF, rng: random.Random, x: float, y: float, text: str) -> float:
    """``text`` written by hand at (x, baseline y): uneven size, turned a little, risen or sunk a little.
    Returns the x where the writing ends."""
    size = rng.uniform(14.0, 19.0)
    pdf.set_font("hand", size=size)
    pdf.set_text_color(*INK)
    width = pdf.get_string_width(text)
    with pdf.rotation(rng.uniform(-5.0, 5.0), x=x, y=y):
        pdf.text(x, y + rng.uniform(-1.5, 1.5), text)
    pdf.set_text_color(0, 0, 0)
    return x + width


def letter(number: int, day: int, month: int, font: str, *, seed: int = 0) -> HandwrittenLetter:
    """A one-page report of a commune whose number and day are handwritten in ``font`` (a HAND_FONTS name)."""
    rng = random.Random(f"{seed}:{number}:{day}:{month}:{font}")
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.add_font("serif", "", PRINT_FONT)
    pdf.add_font("serif", "B", PRINT_BOLD)
    pdf.add_font("hand", "", HAND_FONTS[font])
    pdf.add_page()
    pdf.set_font("serif", size=12)
    left, right = 60.0, 300.0
    pdf.text(left + 20, 70, "ỦY BAN NHÂN DÂN")
    pdf.set_font("serif", "B", 12)
    pdf.text(left + 28, 86, "XÃ AN HƯNG")
    pdf.text(right, 70, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pdf.text(right + 40, 86, "Độc lập - Tự do - Hạnh phúc")
    pdf.set_font("serif", size=13)
    y = 122.0
    pdf.text(left, y, "Số:")
    end = _hand(pdf, rng, left + 30 + rng.uniform(0, 6), y, str(number))
    pdf.set_font("serif", size=13)
    suffix = "BC-UBND"
    pdf.text(end + rng.uniform(1.0, 6.0), y, f"/{suffix}")
    x = right + 10
    pdf.set_font("serif", "", 13)
    pdf.text(x, y, "An Hưng, ngày")
    x += pdf.get_string_width("An Hưng, ngày ") + rng.uniform(2, 8)
    x = _hand(pdf, rng, x, y, str(day))
    pdf.set_font("serif", "", 13)
    pdf.text(x + rng.uniform(4, 9), y, "tháng")
    x += rng.uniform(4, 9) + pdf.get_string_width("tháng ") + rng.uniform(2, 8)
    x = _hand(pdf, rng, x, y, str(month))
    pdf.set_font("serif", "", 13)
    pdf.text(x + rng.uniform(4, 9), y, "năm 2025")
    pdf.set_font("serif", "B", 14)
    pdf.text(250, 175, "BÁO CÁO")
    pdf.set_font("serif", "B", 13)
    pdf.text(150, 195, "Kết quả chuyển đổi số quý IV năm 2025")
    pdf.set_font("serif", size=13)
    pdf.set_xy(left, 215)
    for paragraph in BODY:
        pdf.multi_cell(475, 18, "      " + paragraph)
        pdf.ln(4)
    return HandwrittenLetter(bytes(pdf.output()), f"{number}/{suffix}", dt.date(2025, month, day), font)


def scanned(item: HandwrittenLetter, *, seed: int = 0) -> bytes:
    """The letter printed and scanned: 200 dpi, turned under a degree, speckled, JPEG."""
    angle = random.Random(seed).uniform(0.2, 1.0)
    return scan_pdf(item.pdf, dpi=200, angle=angle, noise=8.0, jpeg_quality=70, seed=seed)
