"""The outside of the product: the REPORT objects of spec/audit-contract.md §2, as pydantic models.

Field names are fixed by the contract; more fields may be added. Points are exact Decimals inside the
library and are written to JSON as numbers, rounded once at this edge (see ``Points``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PrivateAttr

# Points and totals: Decimal inside; on output rounded half-up to 2 decimals (the precision communes
# write), then written as a JSON number. This is the only place points are rounded.
POINTS_QUANTUM = Decimal("0.01")


def round_points(value: Decimal) -> Decimal:
    return value.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


def _points_out(value: Decimal | None) -> float | None:
    return None if value is None else float(round_points(value))


def _decimal_out(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


Points = Annotated[Decimal, PlainSerializer(_points_out, return_type=float | None, when_used="always")]
Number = Annotated[Decimal, PlainSerializer(_decimal_out, return_type=float | None, when_used="always")]


class ContractModel(BaseModel):
    """Every field is always written, so the JSON Schema lists every field as required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


DocKind = Literal["cong_van", "bao_cao", "thong_bao", "ke_hoach", "quyet_dinh", "to_trinh", "phu_luc", "other"]
Severity = Literal["error", "warning", "info"]
Verdict = Literal["dat", "khong_dat"]
VERDICT_VI: dict[str, str] = {"dat": "Đạt", "khong_dat": "Không đạt"}  # how a verdict reads to an officer


class Box(ContractModel):
    """A rectangle on a page in PDF points, origin at the top left (x0 < x1, top < bottom)."""

    x0: float
    top: float
    x1: float
    bottom: float


class Location(ContractModel):
    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    start: int | None = None
    end: int | None = None
    quote: str = ""
    page_width: float | None = Field(None, description="the page's size in PDF points, where the page has one")
    page_height: float | None = None
    boxes: list[Box] = Field(
        default_factory=list, description="where the quoted characters are drawn on the page: one box per line"
    )


class Citation(ContractModel):
    kind: str
    number: str | None = None
    symbol: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    subject: str | None = None
    text: str
    location: Location
    malformed: bool = False
    malformed_reason: str | None = None


class Rate(ContractModel):
    value: Number
    text: str


class Metric(ContractModel):
    text: str
    value: Number
    unit: str
    subject: str
    location: Location
    criterion_id: str | None = None
    denominator: Number | None = None
    numerator: Number | None = None


class Period(ContractModel):
    label: str
    start: dt.date
    end: dt.date


# Where a document fact was read: the page text, a caption "(Kèm theo …)", the text a signature stamp
# draws over a blank, OCR of an image stamp, or (the date only) the signer's signing time.
FactSource = Literal["text", "caption", "signature_stamp", "signature_stamp_ocr", "signing_time"]


class ParentDocument(ContractModel):
    """The document an appendix says it is attached to: "(Kèm theo Công văn số … ngày … của UBND xã …)"."""

    kind: DocKind = "other"
    number: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    location: Location | None = None


class DocumentInfo(ContractModel):
    kind: DocKind = "other"
    number: str | None = None
    issuer: str | None = None
    commune: str | None = None
    date: dt.date | None = None
    period: Period | None = None
    signer: str | None = None
    signer_title: str | None = None
    place: str | None = None
    subject: str | None = None
    recipient: str | None = None
    symbol: str | None = None
    number_source: FactSource | None = Field(None, description="where the number was read, when it was read")
    date_source: FactSource | None = Field(None, description="where the date was read, when it was read")
    parent: ParentDocument | None = Field(
        None, description="for an appendix sent alone: the document its caption says it belongs to"
    )


class ScoreRow(ContractModel):
    stt: str | None = None
    parent_stt: str | None = None
    criterion_id: str | None = None
    title: str
    max_points: Points | None = None
    claimed_points: Points | None = None
    recomputed_points: Points | None = None
    appraised_points: Points | None = None
    evidence_text: str = ""
    citations: list[Citation] = Field(default_factory=list)
    rates: list[Rate] = Field(default_factory=list)
    location: Location
    claimed_text: str | None = None
    max_text: str | None = None
    match: str | None = Field(None, description="how the row was matched to its criterion: stt, title, …")
    note: str | None = Field(None, description="how the recomputed points were reached, in Vietnamese")
    ocr_confidence: float | None = Field(
        None, description="the claimed points were read by OCR with this confidence (0–100); None: not OCR'd"
    )
    low_confidence: bool = Field(False, description="the claimed points were read by OCR with low confidence")
    ocr_repair: str | None = Field(None, description="what was repaired in the OCR'd points, e.g. 'O→0'")
    max_ocr_confidence: float | None = Field(
        None, description="the maximum points were read by OCR with this confidence (0–100); None: not OCR'd"
    )
    max_ocr_repair: str | None = Field(None, description="what was repaired in the OCR'd maximum points")
    _exact: Decimal | None = PrivateAttr(None)  # max × rate before rounding, for the rounding checks


class Scorecard(ContractModel):
    rows: list[ScoreRow] = Field(default_factory=list)
    claimed_total: Points | None = None
    recomputed_total: Points | None = None
    max_total: Points | None = None
    threshold: Points | None = None
    claimed_verdict: Verdict | None = None
    recomputed_verdict: Verdict | None = None
    estimated: bool = False
    total_text: str | None = None
    threshold_text: str | None = None
    rubric: str | None = None
    table: int | None = None


class Finding(ContractModel):
    code: str
    severity: Severity
    message: str
    criterion_id: str | None = None
    expected: Any = None
    found: Any = None
    location: Location | None = None


class Signature(ContractModel):
    """One digital signature of a PDF, read offline (no network, no trust store)."""

    field: str | None = Field(None, description="the signature field's name")
    signer: str | None = Field(None, description="the person or body named in the certificate (CN)")
    organisation: str | None = Field(None, description="the certificate's organisation (O, else OU)")
    signed_at: dt.datetime | None = Field(None, description="the signing time the signature states")
    covers_whole_file: bool = Field(False, description="the signed byte ranges reach the end of the file")
    intact: bool | None = Field(None, description="the signed bytes still match their digest; None: not checkable")
    valid: bool | None = Field(
        None, description="the signature value verifies with the certificate's public key; None: not checkable"
    )
    modified_after: str | None = Field(
        None, description="what a later revision changes in the signed content beyond signing, in Vietnamese"
    )
    chain_checked: bool = Field(False, description="whether the certificate chain was validated (offline: never)")
    note: str | None = Field(None, description="what could not be checked, in Vietnamese")
    page: int | None = None
    box: Box | None = Field(None, description="where the signature's stamp is drawn on its page")
    stamp_text: str | None = Field(None, description="the text the signature's stamp shows, where it holds text")


class SourceInfo(ContractModel):
    path: str
    sha256: str
    format: str
    pages: int | None = None
    ocr: bool = False
    signatures: list[Signature] = Field(default_factory=list)
    unread_pages: list[int] = Field(
        default_factory=list, description="pages whose text could not be read (scans, broken text layers)"
    )
    ocr_pages: list[int] = Field(default_factory=list, description="pages whose text was read by OCR")
    ocr_confidence: float | None = Field(None, description="mean word confidence over the OCR'd pages, 0–100")
    legacy_encoding: str | None = Field(None, description="'tcvn3' or 'vni' when legacy-font text was converted")


ReportStatus = Literal["ok", "partial", "unreadable"]


class Report(ContractModel):
    status: ReportStatus = Field(
        "ok", description="ok: the whole file was read; partial: some of it was not; unreadable: none of it"
    )
    source: SourceInfo
    document: DocumentInfo
    scorecard: Scorecard | None = None
    citations: list[Citation] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    letter_total: Points | None = Field(None, description="total claimed in the letter body")
    letter_total_location: Location | None = None
