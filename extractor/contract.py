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


class Location(ContractModel):
    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    start: int | None = None
    end: int | None = None
    quote: str = ""


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


class SourceInfo(ContractModel):
    path: str
    sha256: str
    format: str
    pages: int | None = None
    ocr: bool = False


class Report(ContractModel):
    source: SourceInfo
    document: DocumentInfo
    scorecard: Scorecard | None = None
    citations: list[Citation] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    letter_total: Points | None = Field(None, description="total claimed in the letter body")
    letter_total_location: Location | None = None
