"""The digital signatures of a PDF, read offline with pyHanko: who signed, when, and whether it still holds.

For each signature: the field's name, the certificate's common name and organisation, the signing time
(the signed attribute signingTime, else the signature dictionary's /M), whether the signed byte ranges
reach the end of the file, whether their digest still matches the one that was signed (``intact``),
whether the signature value verifies with the certificate's key (``valid``), and what later revisions
change beyond what signing allows. The certificate chain is never checked: there is no network and no
trust store, and the record says so instead of pretending.

Nothing here raises for a broken file: a signature that cannot be read becomes a record with
``intact=None`` and a note saying why.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, timedelta, timezone
from typing import Any

import regex

from extractor.model import BBox, DigitalSignature, Document, Notice
from extractor.parsers.pdf_stamps import Stamp, stamped_spans
from extractor.textnorm import normalize_text

CHAIN_NOTE = "không kiểm tra được chuỗi chứng thư (không có mạng và kho chứng thư tin cậy)"
# Some signing systems write the local time into signingTime labelled as UTC; /M then holds the same
# wall-clock time with the right offset. Within this much of each other, /M's offset is taken.
_MISLABELLED = timedelta(minutes=15)
# A later revision may change these keys of an object of the signed revision: signing another field,
# adding annotations or validation data. Any other change alters what was signed.
_FORM_KEYS = {"/Annots", "/AcroForm", "/Fields", "/DSS", "/Perms", "/V", "/AP", "/AS", "/SigFlags", "/DR", "/DA"}
_FORM_KEYS |= {"/NeedAppearances", "/Metadata", "/Extensions", "/F", "/Lock", "/MK", "/Kids", "/ModDate", "/M"}
_FORM_KEYS |= {"/Producer", "/Ff", "/SV", "/Parent", "/Version"}
# A day read by OCR from an image stamp more than this many days from its signature's signing day (in
# Vietnam's time) is kept but noted: the same tolerance as the SIGNED_LONG_AFTER check.
STAMP_DAY_TOLERANCE = 3
_VIETNAM = timezone(timedelta(hours=7))
_STAMPED_DATE = regex.compile(r"^(\d{1,2})\s*(?:tháng|/|-)\s*(\d{1,2})\s*(?:năm|/|-)\s*(\d{4})")


def read_signatures(data: bytes, stamps: list[Stamp]) -> list[DigitalSignature]:
    """Every signature of the PDF in ``data`` in the order applied; widgets give their page and box."""
    start = data.find(b"%PDF")
    if start < 0 or b"/ByteRange" not in data:
        return []
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data[start:]), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        note = f"không đọc được các chữ ký số của tệp ({type(exc).__name__}); {CHAIN_NOTE}"
        return [DigitalSignature(intact=None, note=note)]
    widgets = {s.name: s for s in stamps}
    return [_signature(reader, emb, widgets) for emb in embedded]


def _signature(reader: Any, emb: Any, widgets: dict[str, Stamp]) -> DigitalSignature:
    sig = DigitalSignature(field=_safe(lambda: str(emb.field_name)), note=CHAIN_NOTE)
    widget = widgets.get(sig.field or "")
    if widget is not None:
        sig.page = widget.page
        x0, top, x1, bottom = widget.box
        sig.bbox = BBox(x0=x0, top=top, x1=x1, bottom=bottom)
        sig.stamp_text = " ".join(widget.text.split()) or None
    try:
        _certificate(emb, sig)
        sig.signed_at = _signing_time(emb)
        _integrity(reader, emb, sig)
    except Exception as exc:  # a malformed signature is reported, never raised
        sig.intact = None
        sig.note = f"không đọc được chữ ký ({type(exc).__name__}: {str(exc)[:120]}); {CHAIN_NOTE}"
    return sig


def _safe(read: Any) -> Any:
    try:
        return read()
    except Exception:
        return None


def _certificate(emb: Any, sig: DigitalSignature) -> None:
    subject = emb.signer_cert.subject.native
    sig.signer = _one(subject.get("common_name"))
    sig.organisation = _one(subject.get("organization_name")) or _one(subject.get("organizational_unit_name"))


def _one(value: Any) -> str | None:
    """A name attribute may repeat: its first value, trimmed and in NFC ("Ngo\u0323c" is "Ngọc")."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return normalize_text(" ".join(str(value).split())) or None if value is not None else None


def _signing_time(emb: Any) -> datetime | None:
    from pyhanko.pdf_utils.generic import parse_pdf_date
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    attr = _safe(lambda: extract_self_reported_ts(emb.signer_info))
    pdf_m = _safe(lambda: parse_pdf_date(str(emb.sig_object["/M"]), strict=False))
    if attr is None:
        return pdf_m
    if pdf_m is not None and _mislabelled(attr, pdf_m):
        return pdf_m
    return attr


def _mislabelled(attr: datetime, pdf_m: datetime) -> bool:
    """signingTime says UTC, /M has another offset, and both show (nearly) the same wall-clock time."""
    offset = pdf_m.utcoffset()
    if attr.utcoffset() != timedelta(0) or not offset:
        return False
    return abs(attr.replace(tzinfo=None) - pdf_m.replace(tzinfo=None)) <= _MISLABELLED


def _integrity(reader: Any, emb: Any, sig: DigitalSignature) -> None:
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    digest = emb.compute_digest()
    intact, valid = validate_sig_integrity(emb.signer_info, emb.signer_cert, "data", digest)
    sig.intact, sig.valid = bool(intact), bool(valid)
    if sig.intact and not sig.valid:
        sig.note = (
            "nội dung đã ký còn nguyên, nhưng giá trị chữ ký không xác minh được bằng khóa công khai "
            f"của chứng thư đi kèm; {CHAIN_NOTE}"
        )
    coverage = emb.evaluate_signature_coverage()
    sig.covers_whole_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return
    if coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        sig.modified_after = "vùng ký không trọn một phiên bản của tệp: tệp đã được ghi lại sau khi ký"
        return
    sig.modified_after = _later_changes(reader, emb.signed_revision)


def _later_changes(reader: Any, signed: int) -> str | None:
    """What revisions after ``signed`` change in objects that existed when it was signed, beyond signing
    other fields and adding annotations; None when nothing else changed."""
    xrefs = reader.xrefs
    before = reader.get_historical_resolver(signed)
    changed: list[str] = []
    for rev in range(signed + 1, xrefs.total_revisions):
        after = reader.get_historical_resolver(rev)
        for ref in xrefs.explicit_refs_in_revision(rev):
            if xrefs.get_introducing_revision(ref) > signed:
                continue  # a new object: harmless unless something signed is changed to use it
            what = _change(before.get_object(ref), after.get_object(ref))
            if what and what not in changed:
                changed.append(what)
    return "; ".join(changed) or None


def _change(old: Any, new: Any) -> str | None:
    """How an object of the signed revision was changed, in Vietnamese; None when signing allows it."""
    from pyhanko.pdf_utils import generic

    if isinstance(old, generic.StreamObject) or isinstance(new, generic.StreamObject):
        if _kind(old) == "/Metadata":
            return None
        return None if _same_stream(old, new) else "nội dung đã ký (luồng nội dung, phông chữ hoặc hình) bị thay"
    if isinstance(old, generic.ArrayObject) and isinstance(new, generic.ArrayObject):
        kept = all(any(_same(a, b) for b in new) for a in old)
        return None if kept else "một danh sách đối tượng đã ký bị bớt phần tử"
    if isinstance(old, generic.DictionaryObject) and isinstance(new, generic.DictionaryObject):
        keys = {k for k in set(old) | set(new) if k not in _FORM_KEYS and not _same_key(old, new, k)}
        if not keys:
            return None
        where = "trang" if _kind(old) == "/Page" else "đối tượng"
        return f"{where} đã ký bị đổi ({', '.join(sorted(str(k) for k in keys))})"
    return None if _same(old, new) else "một giá trị đã ký bị thay"


def _kind(obj: Any) -> str | None:
    try:
        return str(obj.get("/Type")) if hasattr(obj, "get") else None
    except Exception:
        return None


def _same_key(old: Any, new: Any, key: Any) -> bool:
    if (key in old) != (key in new):
        return False
    return _same(old.raw_get(key), new.raw_get(key))


def _same(a: Any, b: Any) -> bool:
    from pyhanko.pdf_utils import generic

    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and a.reference == b.reference
        )
    try:
        return bool(a == b)
    except Exception:
        return False


def _same_stream(old: Any, new: Any) -> bool:
    try:
        return bool(old.encoded_data == new.encoded_data)
    except Exception:
        return False


def with_signatures(doc: Document, data: bytes, stamps: list[Stamp]) -> Document:
    """``doc`` with its signatures on its source and the spans its signature stamps drew in its text."""
    doc.source.signatures = read_signatures(data, stamps)
    doc.stamped = stamped_spans(doc, stamps)
    doc.notices.extend(ocr_day_notices(doc, stamps))
    return doc


def ocr_day_notices(doc: Document, stamps: list[Stamp]) -> list[Notice]:
    """A notice for each day read by OCR from an image stamp that lies more than STAMP_DAY_TOLERANCE days
    from the signing day of its signature (or of the last signature when the widget's own is unsigned)."""
    fields = {s.name: s for s in stamps if s.ocr and s.blank == "day"}
    times = {sig.field: sig.signed_at for sig in doc.source.signatures if sig.signed_at is not None}
    latest = max(times.values(), default=None)
    out: list[Notice] = []
    for span in doc.stamped:
        stamp = fields.get(span.field or "")
        if stamp is None or not span.ocr:
            continue
        printed = _printed_date(doc.text[span.start : span.start + 40])
        signed = times.get(stamp.name, latest)
        if printed is None or signed is None:
            continue
        signed_day = signed.astimezone(_VIETNAM).date()
        if abs((signed_day - printed).days) <= STAMP_DAY_TOLERANCE:
            continue
        shown, when = f"{printed:%d/%m/%Y}", f"{signed_day:%d/%m/%Y}"
        out.append(
            Notice(
                code="stamp_ocr_date_far_from_signing",
                message_vi=(
                    f"Ngày {shown} đọc bằng nhận dạng ký tự (OCR) từ ảnh dấu chữ ký cách ngày ký số {when} "
                    f"hơn {STAMP_DAY_TOLERANCE} ngày; cần kiểm tra lại ngày ban hành."
                ),
                message_en=(
                    f"The day {shown} read by OCR from the signature stamp's image is more than "
                    f"{STAMP_DAY_TOLERANCE} days from the signing day {when}; check the date of issue."
                ),
                page=stamp.page,
            )
        )
    return out


def _printed_date(text: str) -> date | None:
    """The date that starts ``text`` ("05 tháng 11 năm 2025", "05/11/2025"), None when there is none."""
    match = _STAMPED_DATE.match(unicodedata.normalize("NFC", text))
    if match is None:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
