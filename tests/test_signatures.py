"""Digitally signed PDFs: signatures read offline, the number and day drawn by signature stamps, and the
signature findings (SIGNATURE_BROKEN, SIGNER_MISMATCH, SIGNED_BEFORE_DATED, SIGNED_LONG_AFTER)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache
from pathlib import Path

import pytest
import regex

from extractor.audit import audit_document
from extractor.checks.signatures import SIGNED_LATE_DAYS, check_signatures
from extractor.contract import DocumentInfo, Report, Signature
from extractor.errors import NeedsOCRError
from extractor.options import ParseOptions
from extractor.parsers.pdf_signatures import CHAIN_NOTE
from extractor.parsers.pdf_stamps import Stamp, with_stamps
from extractor.reading import parse
from extractor.rules.signing import VIETNAM, date_from_signing, fold, is_person, same_person
from tests.conftest import REALDOCS

UBND_LD = "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"

# prefix: (printed date, persons who signed, bodies whose issuing stamps signed, how many signatures)
# The dates are the ones the realdocs README gives; 14's is the day its signers signed (19/12/2025).
SIGNED = {
    "14_": (dt.date(2025, 12, 19), {"Trịnh Ngọc Duệ", "Nguyễn Ngọc Phúc"}, {UBND_LD}, 8),
    "40_": (dt.date(2025, 11, 5), {"Trần Hữu Tuấn"}, {"SỞ NỘI VỤ"}, 4),
    "43_": (dt.date(2026, 3, 17), {"Trần Hữu Tuấn"}, {"SỞ NỘI VỤ"}, 4),
    "47_": (dt.date(2026, 1, 19), {"Trịnh Ngọc Duệ"}, {UBND_LD}, 4),
    "48_": (dt.date(2026, 4, 3), {"Trần Thanh Tài"}, {"SỞ TƯ PHÁP"}, 4),
    "54_": (dt.date(2025, 5, 16), {"Phạm Thị Minh Hiếu"}, set(), 2),
    "58_": (dt.date(2025, 7, 31), {"Cao Huy"}, {"Bộ Nội vụ"}, 5),
}
STAMPED = {"14_", "40_", "43_", "47_", "48_", "58_"}  # number and day only in the signing stamp
SLOW = {"14_"}  # 35 pages: read once, in the slow set


def _manifest_number(prefix: str) -> str:
    """The document number in the file's name in MANIFEST.tsv: "…_BC329-UBND_…" -> "329", "CV5816" -> "5816"."""
    manifest = REALDOCS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip(f"{manifest} is absent: the shared documents are not checked out beside the project")
    with manifest.open(encoding="utf-8") as f:
        names = [row["file"] for row in csv.DictReader(f, delimiter="\t")]
    name = next(n for n in names if n.startswith(prefix))
    m = regex.search(r"_(?:BC|TTr|GM|CV|QD|TB|KH)(\d+)(?:-|_)", name)
    assert m, name
    return m.group(1)


@cache
def _audit(path: str) -> Report:
    return audit_document(parse(path))


def _params() -> list[object]:
    return [pytest.param(p, marks=[pytest.mark.slow] if p in SLOW else []) for p in SIGNED]


@pytest.mark.realdocs
@pytest.mark.parametrize("prefix", _params())
def test_every_signature_is_read(realdoc, prefix: str) -> None:
    printed, persons, bodies, count = SIGNED[prefix]
    sigs = _audit(str(realdoc(prefix))).source.signatures
    assert len(sigs) == count
    people = {s.signer for s in sigs if is_person(s.signer, s.organisation)}
    assert people == persons
    assert {s.signer for s in sigs} - people == bodies
    for s in sigs:
        assert s.organisation and s.field and s.page is not None and s.box is not None
        assert s.signed_at is not None and s.signed_at.utcoffset() is not None
        assert s.chain_checked is False and s.note is not None and s.note.endswith(CHAIN_NOTE)
    signer_days = {s.signed_at.astimezone(VIETNAM).date() for s in sigs if s.signer in persons and s.signed_at}
    if prefix == "54_":  # signed two days after the printed date, then re-saved by the receiving office
        assert signer_days == {dt.date(2025, 5, 18)}
        assert all(s.intact is False and not s.covers_whole_file for s in sigs)
    else:
        assert signer_days == {printed}
        assert all(s.intact is True for s in sigs)
        assert [s.covers_whole_file for s in sigs] == [False] * (count - 1) + [True]  # each signs after the last


@pytest.mark.realdocs
@pytest.mark.parametrize("prefix", _params())
def test_number_and_date_as_stamped(realdoc, prefix: str) -> None:
    report = _audit(str(realdoc(prefix)))
    info = report.document
    printed = SIGNED[prefix][0]
    assert info.number is not None and info.number.split("/")[0].strip() == _manifest_number(prefix)
    assert info.date == printed
    source = "signature_stamp" if prefix in STAMPED else "text"
    assert (info.number_source, info.date_source) == (source, source)
    stamps = [s.stamp_text for s in report.source.signatures if s.stamp_text]
    if prefix in STAMPED:
        assert _manifest_number(prefix) in stamps and f"{printed.day:02d}" in {t.zfill(2) for t in stamps}


@pytest.mark.realdocs
def test_stamp_text_is_merged_into_its_line_and_marked(realdoc) -> None:
    doc = parse(realdoc("43_"))
    lines = doc.text.split("\n")
    assert "Số: 176 /TTr-SNV" in lines and "Lâm Đồng, ngày 17 tháng 3 năm 2026" in lines
    assert [doc.text[s.start : s.end] for s in doc.stamped] == ["176", "17"]
    assert all(s.page == 1 and s.field for s in doc.stamped)


@pytest.mark.realdocs
@pytest.mark.parametrize("prefix", ["40_", "43_", "47_", "48_"])
def test_clean_signed_documents_raise_no_signature_finding(realdoc, prefix: str) -> None:
    codes = [f.code for f in _audit(str(realdoc(prefix))).findings]
    assert not [c for c in codes if c.startswith("SIGN")]


@pytest.mark.realdocs
def test_a_file_rewritten_after_signing_is_broken(realdoc) -> None:
    broken = [f for f in _audit(str(realdoc("54_"))).findings if f.code == "SIGNATURE_BROKEN"]
    assert len(broken) == 2 and all(f.severity == "error" for f in broken)
    assert "Phạm Thị Minh Hiếu" in broken[0].message and "sửa sau khi ký" in broken[0].message
    assert broken[0].location is not None and broken[0].location.page == 2 and broken[0].location.boxes


@pytest.mark.realdocs
def test_a_signature_value_that_does_not_verify_over_intact_bytes_is_noted_not_broken(realdoc) -> None:
    """The signed bytes are unchanged: the document was not altered, so no SIGNATURE_BROKEN error; the
    signature record says its value could not be verified."""
    report = _audit(str(realdoc("58_")))
    (person,) = [s for s in report.source.signatures if s.signer == "Cao Huy"]
    assert person.intact is True and person.valid is False
    assert person.note and "không xác minh được" in person.note
    assert "SIGNATURE_BROKEN" not in {f.code for f in report.findings}


@pytest.mark.realdocs
def test_one_byte_changed_inside_the_signed_range_breaks_the_signature(realdoc, tmp_path: Path) -> None:
    data = bytearray(realdoc("48_").read_bytes())
    first_range = int(regex.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", bytes(data)).group(1))
    at = data.index(b"/CreationDate(D:2") + len(b"/CreationDate(D:2")  # the year's second digit, in the first range
    assert at < first_range
    data[at] = ord("1") if data[at] != ord("1") else ord("2")
    copy = tmp_path / "changed.pdf"
    copy.write_bytes(bytes(data))
    report = audit_document(parse(copy))
    assert all(s.intact is False for s in report.source.signatures)
    assert [f.code for f in report.findings].count("SIGNATURE_BROKEN") == 4
    assert report.document.number == "85/TTr-STP"  # still read: the text layer is untouched


# ---------------------------------------------------------------- a PDF made and signed here


def _font() -> Path:
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"):
        for name in ("DejaVuSerif.ttf", "DejaVuSans.ttf", "NotoSerif-Regular.ttf"):
            found = sorted(folder.rglob(name)) if folder.is_dir() else []
            if found:
                return found[0]
    pytest.skip("no TrueType font with Vietnamese letters (DejaVu or Noto) is installed")


def _letter(printed: dt.date, signer: str, total: str = "97") -> bytes:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.set_compression(False)
    pdf.add_font("serif", "", str(_font()))
    pdf.add_page()
    lines = [
        (60, "ỦY BAN NHÂN DÂN"),
        (75, "XÃ AN LÃO"),
        (100, "Số: 15/BC-UBND"),
        (120, f"An Lão, ngày {printed.day} tháng {printed.month} năm {printed.year}"),
        (160, "BÁO CÁO"),
        (178, "Kết quả ứng dụng công nghệ thông tin quý II năm 2026"),
        (210, "Ủy ban nhân dân xã An Lão báo cáo kết quả như sau."),
    ]
    for y, text in lines:
        pdf.set_font("serif", size=12)
        pdf.text(72, y, text)
    pdf.set_font("Helvetica", size=12)
    pdf.text(72, 240, f"Tong diem tu cham: {total}")
    for y, text in [(300, "KT. CHỦ TỊCH"), (316, "PHÓ CHỦ TỊCH"), (380, signer)]:
        pdf.set_font("serif", size=12)
        pdf.text(330, y, text)
    return bytes(pdf.output())


def _sign(data: bytes, common_name: str) -> bytes:
    """``data`` signed by a throwaway self-signed certificate issued to ``common_name``."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
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
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=akeys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="ChuKy"), signer=signer)
    return bytes(out.getvalue())


def _audit_bytes(data: bytes, tmp_path: Path, name: str) -> Report:
    path = tmp_path / name
    path.write_bytes(data)
    return audit_document(parse(path))


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


@pytest.mark.slow
def test_certificate_of_another_person_is_a_signer_mismatch(tmp_path: Path) -> None:
    letter = _letter(_today(), "Nguyễn Văn An")
    other = _audit_bytes(_sign(letter, "Trần Thị Bình"), tmp_path, "other.pdf")
    assert other.document.signer == "Nguyễn Văn An"
    (sig,) = other.source.signatures
    assert (sig.signer, sig.organisation, sig.intact, sig.valid, sig.covers_whole_file) == (
        "Trần Thị Bình",
        "UBND xã An Lão",
        True,
        True,
        True,
    )
    (mismatch,) = [f for f in other.findings if f.code == "SIGNER_MISMATCH"]
    assert mismatch.severity == "warning"
    assert "Nguyễn Văn An" in mismatch.message and "Trần Thị Bình" in mismatch.message
    assert "SIGNATURE_BROKEN" not in [f.code for f in other.findings]
    # the twin signed by the printed signer, written another way (case, no tone marks, name order)
    twin = _audit_bytes(_sign(letter, "AN NGUYEN VAN"), tmp_path, "twin.pdf")
    assert not [f.code for f in twin.findings if f.code.startswith("SIGN")]


@pytest.mark.slow
def test_signing_time_far_from_the_printed_date(tmp_path: Path) -> None:
    late = _audit_bytes(
        _sign(_letter(_today() - dt.timedelta(days=30), "Nguyễn Văn An"), "Nguyễn Văn An"), tmp_path, "a"
    )
    assert [f.code for f in late.findings if f.code.startswith("SIGN")] == ["SIGNED_LONG_AFTER"]
    early = _audit_bytes(
        _sign(_letter(_today() + dt.timedelta(days=2), "Nguyễn Văn An"), "Nguyễn Văn An"), tmp_path, "b"
    )
    assert [f.code for f in early.findings if f.code.startswith("SIGN")] == ["SIGNED_BEFORE_DATED"]


@pytest.mark.slow
def test_one_byte_of_signed_text_changed_is_broken(tmp_path: Path) -> None:
    signed = _sign(_letter(_today(), "Nguyễn Văn An"), "Nguyễn Văn An")
    assert signed.count(b"(Tong diem tu cham: 97)") == 1
    changed = signed.replace(b"(Tong diem tu cham: 97)", b"(Tong diem tu cham: 99)")
    report = _audit_bytes(changed, tmp_path, "changed.pdf")
    assert "Tong diem tu cham: 99" in parse(tmp_path / "changed.pdf").text
    (broken,) = [f for f in report.findings if f.code == "SIGNATURE_BROKEN"]
    assert broken.severity == "error" and "Nguyễn Văn An" in broken.message
    assert report.source.signatures[0].intact is False


def test_a_later_revision_that_changes_the_page_is_broken(tmp_path: Path) -> None:
    """Appending a revision that rewrites the signed page's content (not a form field) is not allowed."""
    pytest.importorskip("fpdf")
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = _sign(_letter(_today(), "Nguyễn Văn An"), "Nguyễn Văn An")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    drawn = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 72 500 200 0 re S Q"))  # a red line
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), drawn])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = _audit_bytes(out.getvalue(), tmp_path, "later.pdf")
    (sig,) = report.source.signatures
    assert sig.intact is True and sig.modified_after and "/Contents" in sig.modified_after
    assert [f.code for f in report.findings].count("SIGNATURE_BROKEN") == 1


# ---------------------------------------------------------------- the checks on records


def _sig(signer: str, at: dt.datetime, organisation: str = "UBND xã An Lão", intact: bool = True) -> Signature:
    return Signature(signer=signer, organisation=organisation, signed_at=at, intact=intact, valid=True)


def _info(day: dt.date, signer: str = "Nguyễn Văn An") -> DocumentInfo:
    return DocumentInfo(date=day, signer=signer, date_source="text")


@pytest.mark.parametrize(
    ("signed", "codes"),
    [
        (dt.datetime(2026, 6, 10, 8, 0, tzinfo=VIETNAM), []),  # the printed day
        (dt.datetime(2026, 6, 9, 23, 30, tzinfo=dt.UTC), []),  # 06:30 on 10/6 in Vietnam
        (dt.datetime(2026, 6, 9, 16, 59, tzinfo=dt.UTC), ["SIGNED_BEFORE_DATED"]),  # 23:59 on 9/6 in Vietnam
        (dt.datetime(2026, 6, 10 + SIGNED_LATE_DAYS, 22, 0, tzinfo=VIETNAM), []),  # the last day allowed
        (dt.datetime(2026, 6, 11 + SIGNED_LATE_DAYS, 7, 0, tzinfo=VIETNAM), ["SIGNED_LONG_AFTER"]),
    ],
)
def test_signing_time_tolerance(signed: dt.datetime, codes: list[str]) -> None:
    findings = check_signatures([_sig("Nguyễn Văn An", signed)], _info(dt.date(2026, 6, 10)))
    assert [f.code for f in findings] == codes
    for f in findings:
        assert "10/06/2026" in f.message and "Nguyễn Văn An" in f.message


def test_organisation_stamp_is_neither_a_mismatch_nor_a_date() -> None:
    stamp = _sig(UBND_LD, dt.datetime(2026, 6, 20, tzinfo=VIETNAM), organisation=UBND_LD)
    assert check_signatures([stamp], _info(dt.date(2026, 6, 10))) == []


def test_names_compare_the_vietnamese_way() -> None:
    assert same_person("NGUYỄN NGỌC PHÚC", "Nguyễn Ngọc Phúc")
    assert same_person("Nguyen Ngoc Phuc", "Phúc Nguyễn Ngọc")
    assert same_person("Đỗ Văn Đức", "do van duc")
    assert same_person("Nguyễn N gọc Phúc", "Nguyễn Ngọc Phúc")  # a word split by the text layer
    assert not same_person("Nguyễn Ngọc Phúc", "Nguyễn Ngọc Phú")
    assert not same_person("Nguyễn Văn An", "An Văn Nguyễn Bình")
    assert fold("  Trần   Hữu TUẤN ") == "tran huu tuan"
    assert is_person("Cao Huy", "BỘ NỘI VỤ") and is_person("Phạm Thị Minh Hiếu", "Tỉnh Bình Thuận")
    assert not is_person("SỞ NỘI VỤ", UBND_LD) and not is_person("Bộ Nội vụ", "Bộ Nội vụ")
    assert not is_person("Văn phòng Chính phủ", "Văn phòng Chính phủ")
    assert not is_person("CÔNG AN TỈNH LÂM ĐỒNG", "BỘ CÔNG AN")


def test_broken_and_unreadable_records() -> None:
    at = dt.datetime(2026, 6, 10, 9, 0, tzinfo=VIETNAM)
    broken = _sig("Nguyễn Văn An", at, intact=False)
    unreadable = Signature(intact=None, note="không đọc được chữ ký")
    findings = check_signatures([broken, unreadable], _info(dt.date(2026, 6, 10)))
    assert [f.code for f in findings] == ["SIGNATURE_BROKEN"]


def test_unsigned_or_garbled_pdf_never_raises() -> None:
    from extractor.parsers.pdf_signatures import read_signatures

    assert read_signatures(b"%PDF-1.7\n%%EOF\n", []) == []
    (sig,) = read_signatures(b"%PDF-1.7\n1 0 obj << /ByteRange [0 1 2 3] >> endobj\n%%EOF\n", [])
    assert sig.intact is None and sig.note and "chuỗi chứng thư" in sig.note


@pytest.mark.slow
@pytest.mark.realdocs
def test_stamps_drawn_askew_over_their_neighbours_still_fill_their_blanks(realdoc) -> None:
    """In an appendix caption the stamps overlap the characters beside their blanks ("1187" runs into
    "/QĐ", "15" into "ngày"): they are still read into the line, as whole words."""
    doc = parse(realdoc("10_"))
    number = _manifest_number("10_")
    assert f"Quyết định số {number}/QĐ-BNV ngày 15 tháng 10 năm 2025 của Bộ Nội vụ" in doc.text
    assert [doc.text[s.start : s.end] for s in doc.stamped] == [number, "15", "10"]


def test_signing_time_gives_the_date_only_when_none_is_printed() -> None:
    person = Signature(
        signer="NGUYỄN VĂN AN",
        organisation="UBND xã An Lão",
        signed_at=dt.datetime(2026, 6, 9, 18, 30, tzinfo=dt.UTC),
        page=2,
    )
    stamp = Signature(
        signer="UBND xã An Lão", organisation="UBND xã An Lão", signed_at=dt.datetime(2026, 6, 12, tzinfo=VIETNAM)
    )
    blank = DocumentInfo(signer="Nguyễn Văn An")
    where = date_from_signing(blank, [stamp, person])
    assert (blank.date, blank.date_source) == (dt.date(2026, 6, 10), "signing_time")  # 01:30 on 10/6 in Vietnam
    assert where is not None and where.page == 2
    printed = DocumentInfo(signer="Nguyễn Văn An", date=dt.date(2026, 6, 8), date_source="text")
    assert date_from_signing(printed, [person]) is None and printed.date == dt.date(2026, 6, 8)
    only_stamp = DocumentInfo(signer="Nguyễn Văn An")
    assert date_from_signing(only_stamp, [stamp]) is None and only_stamp.date is None
    # and a date taken from the signing time is not checked against that same time
    assert check_signatures([person], blank) == []


def _chars(text: str, x0: float, top: float, size: float = 13.0, **extra: object) -> list[dict[str, object]]:
    """Characters of ``text`` drawn left to right from ``x0`` on a line at ``top``, 6.5 pt apart."""
    return [
        {
            "text": ch,
            "x0": x0 + 6.5 * i,
            "x1": x0 + 6.5 * (i + 1),
            "top": top,
            "bottom": top + size,
            "doctop": top,
            "size": size,
            "upright": True,
            **extra,
        }
        for i, ch in enumerate(text)
    ]


def _stamp(lines: list[tuple[str, float, float]]) -> Stamp:
    chars = [c for text, x0, top in lines for c in _chars(text, x0, top, stamp=True)]
    return Stamp("Sig", 1, (0.0, 0.0, 600.0, 800.0), chars)


def test_only_a_one_line_stamp_on_a_blank_is_merged() -> None:
    page = _chars("Số:", 100, 100) + _chars("/BC-UBND", 150, 100) + _chars("Nơi nhận:", 80, 400)
    blank = _stamp([("329", 122, 100)])
    merged = with_stamps(page, [blank])
    assert "".join(c["text"] for c in sorted(merged, key=lambda c: (c["top"], c["x0"]))).startswith("Số:329/BC")
    assert blank.merged and blank.text == "329"
    box = _stamp([("Ký bởi: Nguyễn Văn An", 150, 400), ("Thời gian: 10/6/2026", 150, 415)])
    assert with_stamps(page, [box]) == page and not box.merged  # a signature box stays out of the text
    over = _stamp([("12", 150, 100)])  # drawn on top of "/BC-UBND": no blank there
    assert with_stamps(page, [over]) == page and not over.merged
    far = _stamp([("12", 400, 100)])  # on the line's height but far from any word
    assert with_stamps(page, [far]) == page


@pytest.mark.realdocs
def test_a_scan_keeps_its_signature_for_ocr(realdoc) -> None:
    """A scan OCR does not read (here OCR is off) still reports its digital signature."""
    with pytest.raises(NeedsOCRError) as info:
        parse(realdoc("50_"), options=ParseOptions(ocr=False))
    assert info.value.document is not None
    (sig,) = info.value.document.source.signatures
    assert (sig.signer, sig.organisation, sig.intact) == ("CÔNG AN TỈNH LÂM ĐỒNG", "BỘ CÔNG AN", True)
    assert sig.signed_at == dt.datetime(2025, 9, 19, 15, 11, 21, tzinfo=VIETNAM)  # as its stamp prints it
    assert sig.stamp_text and "2025-09-19T15:11:21+07:00" in sig.stamp_text
