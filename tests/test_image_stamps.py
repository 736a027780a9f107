"""Number and day stamps drawn as images: a signed PDF whose signature widgets over the blanks "Số:  /BC-UBND"
and "ngày  tháng" carry a picture of the number and day reads them by OCR, marked signature_stamp_ocr."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.sign import signers

import extractor
from extractor.parsers import ocr
from extractor.parsers.pdf_stamps import Blank
from extractor.rules.signing import VIETNAM

PAGE_HEIGHT = 841.89
SIZE = 13.0
NUMBER_Y = 110.0  # baselines, from the top of the page
DATE_Y = 132.0


def _font() -> Path:
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"):
        for name in ("DejaVuSerif.ttf", "DejaVuSans.ttf", "NotoSerif-Regular.ttf"):
            found = sorted(folder.rglob(name)) if folder.is_dir() else []
            if found:
                return found[0]
    pytest.skip("no TrueType font with Vietnamese letters (DejaVu or Noto) is installed")


def _needs_ocr() -> None:
    if not ocr.available():
        pytest.skip("Tesseract with its Vietnamese model is not installed: image stamps cannot be read")


def _letter(
    printed_month: int, year: int, symbol: str = "/BC-UBND"
) -> tuple[bytes, dict[str, tuple[float, float, float, float]]]:
    """A one-page letter with blanks for the number and the day; returns it and the blanks' boxes (PDF user
    space, bottom-left origin) where the signing system draws them."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.add_font("serif", "", str(_font()))
    pdf.add_page()
    pdf.set_font("serif", size=SIZE)
    blank = 42.0
    boxes: dict[str, tuple[float, float, float, float]] = {}
    head = "Số:"
    pdf.text(72, NUMBER_Y, head)
    x = 72 + pdf.get_string_width(head + " ")
    width = blank if symbol else 110.0
    if symbol:
        pdf.text(x + blank, NUMBER_Y, symbol)
    boxes["number"] = (x + 2, PAGE_HEIGHT - NUMBER_Y - 4, x + width - 2, PAGE_HEIGHT - NUMBER_Y + SIZE)
    head = "An Lão, ngày"
    pdf.text(72, DATE_Y, head)
    x = 72 + pdf.get_string_width(head + " ")
    pdf.text(x + blank, DATE_Y, f"tháng {printed_month} năm {year}")
    boxes["day"] = (x + 2, PAGE_HEIGHT - DATE_Y - 4, x + blank - 2, PAGE_HEIGHT - DATE_Y + SIZE)
    lines = [
        (60, "ỦY BAN NHÂN DÂN"),
        (78, "XÃ AN LÃO"),
        (170, "BÁO CÁO"),
        (188, "Kết quả ứng dụng công nghệ thông tin quý II năm 2026"),
        (220, "Ủy ban nhân dân xã An Lão báo cáo kết quả như sau."),
        (320, "KT. CHỦ TỊCH"),
        (336, "PHÓ CHỦ TỊCH"),
        (400, "Nguyễn Văn An"),
    ]
    for y, text in lines:
        pdf.text(72 if y < 300 else 330, y, text)
    boxes["signature"] = (320, PAGE_HEIGHT - 390, 470, PAGE_HEIGHT - 340)  # between the title and the name
    return bytes(pdf.output()), boxes


def _picture(text: str, box: tuple[float, float, float, float], clear: bool = False) -> Image.Image:
    """A picture of ``text`` as a signing system stamps it (dark blue), 300 dpi for the box: centred on white,
    or (``clear``) at the left of a transparent picture, so the page shows through the rest of the box."""
    from PIL import ImageDraw, ImageFont

    scale = 300 / 72
    width, height = int((box[2] - box[0]) * scale), int((box[3] - box[1]) * scale)
    image = (
        Image.new("RGBA", (width, height), (255, 255, 255, 0)) if clear else Image.new("RGB", (width, height), "white")
    )
    font = ImageFont.truetype(str(_font()), int(SIZE * 1.1 * scale))
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = 4 - left if clear else (width - (right - left)) / 2 - left
    draw.text((x, (height - (bottom - top)) / 2 - top), text, fill=(10, 30, 140, 255), font=font)
    return image


def _signer(common_name: str) -> signers.SimpleSigner:
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND xã An Lão"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signing_cert = ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=akeys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )


def _sign_with_image(
    data: bytes, field: str, box: tuple[float, float, float, float], text: str, clear: bool = False
) -> bytes:
    """``data`` signed once more, the signature's widget over ``box`` drawing a picture of ``text``."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.stamp import StaticStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    fill = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID,
        y_align=layout.AxisAlignment.ALIGN_MID,
        inner_content_scaling=layout.InnerScaling.STRETCH_FILL,
    )
    style = StaticStampStyle(border_width=0, background=PdfImage(_picture(text, box, clear)), background_layout=fill)
    spec = SigFieldSpec(field, on_page=0, box=tuple(round(v) for v in box))  # type: ignore[arg-type]
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=field),
        signer=_signer("Nguyễn Văn An"),
        stamp_style=style,
        new_field_spec=spec,
    )
    out = pdf_signer.sign_pdf(writer)
    return bytes(out.getvalue())


def _issued(
    number: str, day: str, month: int, year: int, symbol: str = "/BC-UBND", picture: str = "", wide: bool = False
) -> bytes:
    """The letter signed with the number and day drawn as pictures over their blanks; ``wide``: the number's
    widget reaches far over "/BC-UBND" with a transparent picture, as signing services draw it."""
    letter, boxes = _letter(month, year, symbol)
    if picture:  # the signer's own signature, a picture over the signature block
        letter = _sign_with_image(letter, "ChuKy", boxes["signature"], picture)
    x0, top, x1, bottom = boxes["number"]
    number_box = (x0, top, x1 + 150, bottom) if wide else boxes["number"]
    signed = _sign_with_image(letter, "SoVanBan", number_box, number, clear=wide)
    return _sign_with_image(signed, "NgayVanBan", boxes["day"], day)


def test_number_and_day_drawn_as_images_are_read_by_ocr() -> None:
    _needs_ocr()
    today = dt.datetime.now(VIETNAM).date()
    data = _issued("47", f"{today.day:02d}", today.month, today.year)
    document = extractor.parse(data, filename="issued.pdf")
    assert [document.text[s.start : s.end] for s in document.stamped] == ["47", f"{today.day:02d}"]
    assert all(s.ocr for s in document.stamped)
    report = extractor.audit(data, filename="issued.pdf")
    assert report.document.number is not None and report.document.number.startswith("47/BC-UBND")
    assert report.document.date == today
    assert report.document.number_source == "signature_stamp_ocr"
    assert report.document.date_source == "signature_stamp_ocr"
    assert not [n for n in document.notices if n.code == "stamp_date_far_from_signing"]


def test_a_wide_transparent_widget_over_the_symbol_reads_only_its_own_ink() -> None:
    _needs_ocr()
    today = dt.datetime.now(VIETNAM).date()
    data = _issued("1520", f"{today.day:02d}", today.month, today.year, wide=True)
    document = extractor.parse(data, filename="wide.pdf")
    assert [document.text[s.start : s.end] for s in document.stamped] == ["1520", f"{today.day:02d}"]
    assert "Số: 1520 /BC-UBND" in document.text or "Số: 1520/BC-UBND" in document.text


def test_a_day_far_from_the_signing_day_is_kept_with_a_notice() -> None:
    _needs_ocr()
    printed = dt.datetime.now(VIETNAM).date() - dt.timedelta(days=12)
    data = _issued("47", f"{printed.day:02d}", printed.month, printed.year)
    document = extractor.parse(data, filename="late.pdf")
    (notice,) = [n for n in document.notices if n.code == "stamp_ocr_date_far_from_signing"]
    assert f"{printed:%d/%m/%Y}" in notice.message_vi and notice.page == 1
    report = extractor.audit(data, filename="late.pdf")
    assert report.document.date == printed and report.document.date_source == "signature_stamp_ocr"


def test_a_number_with_its_symbol_is_read_with_letters() -> None:
    """The stamp draws the whole number after "Số:" ("932/QĐ-TTg"): the second pass keeps the symbol."""
    _needs_ocr()
    today = dt.datetime.now(VIETNAM).date()
    data = _issued("932/QĐ-TTg", f"{today.day:02d}", today.month, today.year, symbol="")
    document = extractor.parse(data, filename="qd.pdf")
    assert [document.text[s.start : s.end] for s in document.stamped] == ["932/QĐ-TTg", f"{today.day:02d}"]


def test_a_signature_picture_is_never_read_and_a_blank_without_digits_stays_blank() -> None:
    _needs_ocr()
    today = dt.datetime.now(VIETNAM).date()
    data = _issued("47", "ký", today.month, today.year, picture="Nguyễn Văn An 15")
    document = extractor.parse(data, filename="picture.pdf")
    assert [document.text[s.start : s.end] for s in document.stamped] == ["47"]
    assert "15" not in document.text.replace("2025", "").replace("2026", "")
    report = extractor.audit(data, filename="picture.pdf")
    assert report.document.number_source == "signature_stamp_ocr"
    assert report.document.date_source != "signature_stamp_ocr"


# -- which blank a widget sits on, and which reading is kept (no OCR needed) --------------------------------


def _row(words: list[tuple[str, float]], top: float = 100.0, size: float = 13.0) -> list[dict[str, object]]:
    """Page characters of one line: each word drawn from its x0, 0.5 em per character."""
    out: list[dict[str, object]] = []
    for word, x0 in words:
        for i, ch in enumerate(word):
            x = x0 + i * size * 0.5
            out.append({"text": ch, "x0": x, "x1": x + size * 0.5, "top": top, "bottom": top + size, "size": size})
    return out


@pytest.mark.parametrize(
    ("words", "box", "blank", "after"),
    [
        ([("Số:", 72), ("/BC-UBND", 140)], (100, 95, 136, 118), "number", "/BC-UBND"),
        ([("(Kèm", 20), ("theo", 50), ("Báo", 75), ("cáo", 100), ("số", 125), ("/BC-UBND)", 180)],
         (138, 95, 176, 118), "number", "/BC-UBND)"),
        ([("An", 72), ("Lão,", 90), ("ngày", 120), ("tháng", 190), ("6", 228), ("năm", 240), ("2026", 268)],
         (150, 95, 186, 118), "day", "tháng 6 năm 2026"),
        ([("ngày", 120), ("31", 150), ("tháng", 170), ("năm", 240)], (208, 95, 236, 118), "month", "năm"),
    ],
)  # fmt: skip
def test_the_blank_a_widget_sits_on(words: list[tuple[str, float]], box: tuple, blank: str, after: str) -> None:
    from extractor.parsers.pdf_stamps import blank_context

    context = blank_context(box, _row(words))
    assert context is not None and (context.blank, context.after) == (blank, after)


def test_widgets_that_sit_on_no_blank() -> None:
    from extractor.parsers.pdf_stamps import blank_context

    row = _row([("KT.", 330), ("CHỦ", 355), ("TỊCH", 385)])
    assert blank_context((320, 90, 470, 140), row) is None  # a signature picture: too tall for a blank
    assert blank_context((330, 95, 420, 118), row) is None  # drawn over typed words
    typed = _row([("Số:", 72), ("15", 100), ("/BC-UBND", 140)])
    assert blank_context((98, 95, 138, 118), typed) is None  # the number is typed: no blank under the widget
    assert blank_context((100, 300, 136, 318), typed) is None  # on no text line
    other = _row([("Nơi", 72), ("nhận:", 100)])
    assert blank_context((140, 95, 176, 118), other) is None  # a line that is no number, day or month


def _fake_ocr(digits: tuple[str, float], letters: tuple[str, float] = ("", 0.0)) -> Callable[..., tuple[str, float]]:
    """An OCR that reads ``digits`` with the digits whitelist and ``letters`` without it."""

    def ocr_text(gray: object, **settings: object) -> tuple[str, float]:
        return digits if settings.get("digits") else letters

    return ocr_text


@pytest.mark.parametrize(
    ("blank", "digits", "letters", "kept"),
    [
        ("number", ("932", 91.0), ("932/QĐ-TTg", 88.0), "932/QĐ-TTg"),
        ("number", ("47", 93.0), ("4T", 60.0), "47"),
        ("number", ("47/", 93.0), ("", 0.0), "47"),
        ("number", ("47", 30.0), ("", 0.0), None),
        ("day", ("05", 90.0), ("", 0.0), "05"),
        ("day", ("32", 90.0), ("", 0.0), None),
        ("day", ("1/", 90.0), ("", 0.0), None),
        ("month", ("11", 90.0), ("", 0.0), "11"),
        ("month", ("13", 90.0), ("", 0.0), None),
    ],
)
def test_which_reading_is_kept(blank: Blank, digits: tuple, letters: tuple, kept: str | None) -> None:
    import numpy

    from extractor.parsers.pdf_stamps import _read

    text, _ = _read(numpy.zeros((4, 4), dtype=numpy.uint8), blank, _fake_ocr(digits, letters))
    assert text == kept
