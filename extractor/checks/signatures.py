"""Findings on the digital signatures of a document: broken signatures, a certificate that is not the printed
signer's, and a signing time that does not fit the printed date.

Tolerance for dates (compared as calendar days in Vietnam, UTC+7): the printed signer's signature may
fall on the printed day or up to SIGNED_LATE_DAYS days after it (a document signed on Friday evening and
stamped on Monday); signing on an earlier day than the one printed is SIGNED_BEFORE_DATED, signing later
than that is SIGNED_LONG_AFTER. The organisation's issuing stamp is not compared: it may come days later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from extractor.checks.findings import finding
from extractor.contract import DocumentInfo, Finding, Location, Signature
from extractor.rules.signing import VIETNAM, is_person, local_date, same_person, signer_signature

SIGNED_LATE_DAYS = 3  # a signature this many days after the printed date is still on time


def check_signatures(signatures: Sequence[Signature], info: DocumentInfo) -> list[Finding]:
    return _broken(signatures) + _signer(signatures, info) + _timing(signatures, info)


def _where(sig: Signature) -> Location:
    return Location(page=sig.page, quote=sig.stamp_text or sig.signer or "", boxes=[sig.box] if sig.box else [])


def _who(sig: Signature) -> str:
    who = sig.signer or "không rõ người ký"
    return f"{who} ({sig.organisation})" if sig.organisation and sig.organisation != sig.signer else who


def _broken(signatures: Sequence[Signature]) -> list[Finding]:
    out = []
    for sig in signatures:
        message = _broken_message(sig)
        if message:
            found = {"field": sig.field, "intact": sig.intact, "valid": sig.valid, "modified": sig.modified_after}
            out.append(finding("SIGNATURE_BROKEN", message, found=found, location=_where(sig)))
    return out


def _broken_message(sig: Signature) -> str | None:
    who = _who(sig)
    if sig.intact is False:
        return f"Tệp đã bị sửa sau khi ký: các byte được {who} ký số không còn khớp với giá trị băm trong chữ ký" + (
            f" ({sig.modified_after})." if sig.modified_after else "."
        )
    if sig.modified_after:
        return f"Nội dung {who} đã ký số bị thay đổi ở một lần lưu sau khi ký: {sig.modified_after}."
    # A signature value that does not verify while the signed bytes are intact says nothing about the
    # document being changed (signing tools re-encode what they sign): it is kept on the signature, with
    # its note, and raises nothing.
    return None


def _signer(signatures: Sequence[Signature], info: DocumentInfo) -> list[Finding]:
    """Some person signed, and none of them is the signer printed in the signature block."""
    people = [s for s in signatures if is_person(s.signer, s.organisation)]
    if not info.signer or not people or any(same_person(s.signer, info.signer) for s in people):
        return []
    names = ", ".join(dict.fromkeys(_who(s) for s in people))
    return [
        finding(
            "SIGNER_MISMATCH",
            f"Người ký in trong văn bản là {info.signer}, nhưng chữ ký số là của {names}: "
            "chứng thư số không mang tên người ký văn bản.",
            expected=info.signer,
            found=[s.signer for s in people],
            location=_where(people[0]),
        )
    ]


def _timing(signatures: Sequence[Signature], info: DocumentInfo) -> list[Finding]:
    if info.date is None or info.date_source == "signing_time":
        return []
    own = signer_signature(info, signatures)
    if own is None or own.signed_at is None:
        return []
    day = local_date(own.signed_at)
    late = (day - info.date).days
    when = f"{_clock(own.signed_at)} ngày {_vn_date(day)}"
    found = {"signed_at": own.signed_at.isoformat(), "date": info.date.isoformat()}
    if late < 0:
        message = f"{own.signer} ký số lúc {when}, trước ngày ghi trên văn bản ({_vn_date(info.date)}) {-late} ngày."
        return [
            finding("SIGNED_BEFORE_DATED", message, expected=info.date.isoformat(), found=found, location=_where(own))
        ]
    if late > SIGNED_LATE_DAYS:
        message = (
            f"{own.signer} ký số lúc {when}, sau ngày ghi trên văn bản ({_vn_date(info.date)}) {late} ngày "
            f"(quá {SIGNED_LATE_DAYS} ngày cho phép)."
        )
        return [
            finding("SIGNED_LONG_AFTER", message, expected=info.date.isoformat(), found=found, location=_where(own))
        ]
    return []


def _clock(moment: datetime) -> str:
    """The time of day in Vietnam, e.g. "15:06"."""
    local = moment.astimezone(VIETNAM) if moment.tzinfo is not None else moment
    return local.strftime("%H:%M")


def _vn_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
