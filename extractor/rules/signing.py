"""Digital signatures as facts: whose certificate is a person's, whether it names the printed signer, where
the number and the date were read (typed text or a signature stamp), and the signer's signing time as the
date when nothing on the page gives it.

Names compare the Vietnamese way: case, tone marks and word order do not matter, so "NGUYỄN NGỌC PHÚC",
"Nguyen Ngoc Phuc" and "Phúc Nguyễn Ngọc" are one person. A certificate issued to a body ("ỦY BAN NHÂN DÂN
TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ", "Bộ Nội vụ") is the organisation's issuing stamp, never a person.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

import regex

from extractor.contract import Box, DocumentInfo, Location, Signature
from extractor.model import DigitalSignature, Document, StampedSpan
from extractor.rules.header import HeaderResult

# Vietnam keeps UTC+7 all year (no daylight saving): Asia/Ho_Chi_Minh without a time-zone database.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

# The first words of a body's name, tone marks and case folded: e.g. "ủy ban nhân dân …", "sở nội vụ".
_BODY_START = regex.compile(
    r"^(?:uy ban|ubnd|hdnd|hoi dong|so|bo|cong an|van phong|cuc|chi cuc|tong cuc|phong|trung tam|ban|"
    r"tinh|thanh pho|xa|phuong|thi tran|dac khu|huyen|dang uy|tinh uy|thanh uy|mat tran|hoi|vien|"
    r"benh vien|cong ty|kho bac|toa an|vien kiem sat|ngan hang|tap doan|chinh phu|quoc hoi)\b"
)
_PERSON_WORDS = (2, 6)  # a person's full name has 2 to 6 words ("Cao Huy", "Phạm Thị Minh Hiếu")


def fold(name: str) -> str:
    """Lower case, no tone marks, đ as d, single spaces: "Nguyễn  Ngọc PHÚC" -> "nguyen ngoc phuc"."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def same_person(a: str | None, b: str | None) -> bool:
    """Two written names are one person's: the same words whatever the case, tone marks or order, or the
    same letters in the same order when a text layer split a word ("Nguyễn N gọc Phúc")."""
    if not a or not b:
        return False
    x, y = fold(a).split(), fold(b).split()
    return sorted(x) == sorted(y) or "".join(x) == "".join(y)


def is_person(signer: str | None, organisation: str | None) -> bool:
    """The certificate names a person, not a body: not its organisation's name, not a body's name, and
    shaped like a full name (2 to 6 words, no digits)."""
    if not signer:
        return False
    name = fold(signer)
    if organisation and name == fold(organisation):
        return False
    if _BODY_START.match(name) or any(ch.isdigit() for ch in name):
        return False
    low, high = _PERSON_WORDS
    return low <= len(name.split()) <= high


def signer_signature(info: DocumentInfo, signatures: Sequence[Signature]) -> Signature | None:
    """The printed signer's own signature (earliest, when they signed more than once), if any."""
    mine = [s for s in signatures if s.signed_at is not None and same_person(s.signer, info.signer)]
    return min(mine, key=lambda s: s.signed_at or datetime.max.replace(tzinfo=VIETNAM), default=None)


def local_date(moment: datetime) -> date:
    """The calendar day in Vietnam of a signing time (a naive time is taken as Vietnam's)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(VIETNAM).date()


def contract_signatures(doc: Document) -> list[Signature]:
    return [_contract(s) for s in doc.source.signatures]


def _contract(s: DigitalSignature) -> Signature:
    box = Box(x0=s.bbox.x0, top=s.bbox.top, x1=s.bbox.x1, bottom=s.bbox.bottom) if s.bbox else None
    return Signature(
        field=s.field,
        signer=s.signer,
        organisation=s.organisation,
        signed_at=s.signed_at,
        covers_whole_file=s.covers_whole_file,
        intact=s.intact,
        valid=s.valid,
        modified_after=s.modified_after,
        chain_checked=False,
        note=s.note,
        page=s.page,
        box=box,
        stamp_text=s.stamp_text,
    )


def mark_fact_sources(info: DocumentInfo, locations: dict[str, Location], stamped: list[StampedSpan]) -> None:
    """number_source / date_source: "signature_stamp" where a stamped span lies in the span the fact was
    read from, else "text" when the fact was read and no other rule said where from."""
    for fact, attr in (("number", "number_source"), ("date", "date_source")):
        if getattr(info, fact) is None:
            continue
        where = locations.get(fact)
        hit = _stamped(where, stamped) if where is not None else None
        if hit is not None and getattr(info, attr) in (None, "text"):
            setattr(info, attr, "signature_stamp_ocr" if hit.ocr else "signature_stamp")
        elif getattr(info, attr) is None:
            setattr(info, attr, "text")


def _stamped(where: Location, stamped: list[StampedSpan]) -> StampedSpan | None:
    """The stamped span inside the span a fact was read from, if any."""
    if where.start is None or where.end is None:
        return None
    return next((s for s in stamped if s.start < where.end and where.start < s.end), None)


def date_from_signing(info: DocumentInfo, signatures: Sequence[Signature]) -> Location | None:
    """No printed date: the printed signer's signing time gives it (date_source "signing_time"). The
    organisation's issuing stamp never does: it may come days after the person signed."""
    if info.date is not None:
        return None
    own = signer_signature(info, signatures)
    if own is None or own.signed_at is None:
        return None
    info.date = local_date(own.signed_at)
    info.date_source = "signing_time"
    return Location(page=own.page, quote=own.signer or "", boxes=[own.box] if own.box else [])


def signed_facts(doc: Document, header: HeaderResult) -> None:
    """Where the header's number and date came from; the signer's signing time when no date was printed."""
    info = header.info
    mark_fact_sources(info, header.locations, doc.stamped)
    where = date_from_signing(info, contract_signatures(doc))
    if where is not None:
        header.locations["date"] = where
