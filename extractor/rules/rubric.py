"""Rubrics (criteria schemes) as versioned data files, validated on load.

A rubric lives in ``extractor/data/rubrics/<id>.toml`` (or any path given to ``load_rubric``): its
criteria with STT, title, the short forms communes write, maximum points, scoring method, expected
evidence and its time window, and the responsible unit; the total and the pass threshold; the reports it is
for (``[scope]``: issuer level, report kinds, subject words). A new scheme is
a new file; no code changes. Every problem is reported with the key that holds it, e.g.
``criteria[3].max_points: không phải số / not a number``.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from extractor.contract import DocKind
from extractor.errors import CannotOpenError, RubricError

RUBRIC_DIR = Path(__file__).resolve().parent.parent / "data" / "rubrics"
DEFAULT_RUBRIC = "hp-cds-xa-quy-2026"

Method = Literal["rate", "binary", "count", "manual"]
Window = Literal["quarter", "year", "standing"]


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('phải là số viết trong chuỗi, ví dụ "5" / must be a number written as a string')
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("không phải số / not a number") from exc


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    stt: str = Field(min_length=1)
    title: str = Field(min_length=3)
    aliases: tuple[str, ...] = ()
    max_points: Decimal
    method: Method
    evidence: tuple[str, ...] = ()
    window: Window
    unit: str | None = None
    keywords: tuple[str, ...] = ()

    _dec = field_validator("max_points", mode="before")(_decimal)


class Scope(BaseModel):
    """The reports a scheme is for, so that a report without a scorecard is estimated only when it is one of
    them: issued at one of ``levels`` ("xã", "phường", … read from the issuer, e.g. "UBND xã Đại Sơn"), of one
    of ``kinds`` (or of another kind whose subject starts with one of ``report_subjects``: a công văn "V/v báo
    cáo kết quả …"), and about one of ``subject_words`` (in its title or V/v line, diacritic-insensitive).
    An empty list does not restrict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: tuple[str, ...] = ()
    kinds: tuple[DocKind, ...] = ("bao_cao",)
    report_subjects: tuple[str, ...] = ("báo cáo",)
    subject_words: tuple[str, ...] = ()


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    name: str
    period: Literal["quarter", "half_year", "year"] = "quarter"
    total_points: Decimal
    pass_threshold: Decimal
    verdict_pass: str = "Đạt yêu cầu"
    verdict_fail: str = "Không đạt"
    units: dict[str, str] = Field(default_factory=dict)
    scope: Scope = Field(default_factory=Scope)
    criteria: tuple[Criterion, ...]

    _dec = field_validator("total_points", "pass_threshold", mode="before")(_decimal)

    def by_id(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def unit_name(self, criterion: Criterion) -> str | None:
        return self.units.get(criterion.unit or "", criterion.unit)


def _consistency(rubric: Rubric) -> list[str]:
    problems: list[str] = []
    for key in ("id", "stt"):
        seen: set[str] = set()
        for i, c in enumerate(rubric.criteria):
            value = getattr(c, key)
            if value in seen:
                problems.append(f"criteria[{i}].{key}: trùng '{value}' / duplicate '{value}'")
            seen.add(value)
    total = sum((c.max_points for c in rubric.criteria), Decimal(0))
    if total != rubric.total_points:
        problems.append(f"total_points: {rubric.total_points} ≠ tổng điểm tối đa / sum of max_points {total}")
    if not Decimal(0) < rubric.pass_threshold <= rubric.total_points:
        problems.append("pass_threshold: phải trong (0, total_points] / must be within (0, total_points]")
    for i, c in enumerate(rubric.criteria):
        if c.unit and rubric.units and c.unit not in rubric.units:
            problems.append(f"criteria[{i}].unit: '{c.unit}' không có trong [units] / not in [units]")
    return problems


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# pydantic's error types that have a fixed wording, as "Vietnamese / English".
_MESSAGES = {
    "missing": "thiếu khóa / missing key",
    "extra_forbidden": "khóa không được phép / unknown key",
}
# pydantic's "Input should be a valid …" types: what the value must be, in each language.
_TYPES = {
    "string_type": ("chuỗi", "a string"),
    "int_type": ("số nguyên", "an integer"),
    "int_parsing": ("số nguyên", "an integer"),
    "bool_type": ("true hoặc false", "true or false"),
    "bool_parsing": ("true hoặc false", "true or false"),
    "list_type": ("danh sách", "a list"),
    "tuple_type": ("danh sách", "a list"),
    "dict_type": ("bảng khóa = giá trị", "a table of key = value"),
    "model_type": ("bảng khóa = giá trị", "a table of key = value"),
    "model_attributes_type": ("bảng khóa = giá trị", "a table of key = value"),
}
_INPUT_SHOULD_BE = "Input should be "


def _problem(error: Any) -> str:
    """One pydantic error as "key: Vietnamese / English", e.g. "criteria[5].method: giá trị không hợp lệ, …"."""
    kind, msg, ctx = error["type"], error["msg"], error.get("ctx") or {}
    if kind in _MESSAGES:
        text = _MESSAGES[kind]
    elif kind == "value_error" and "error" in ctx:  # our validators' messages are bilingual already
        text = str(ctx["error"])
    elif kind == "literal_error" and "expected" in ctx:
        expected = str(ctx["expected"])
        text = f"giá trị không hợp lệ, phải là {expected.replace(' or ', ' hoặc ')} / invalid value, must be {expected}"
    elif kind == "string_too_short" and "min_length" in ctx:
        n = ctx["min_length"]
        text = f"quá ngắn, cần ít nhất {n} ký tự / too short, needs at least {n} characters"
    elif kind in _TYPES:
        vi, en = _TYPES[kind]
        text = f"giá trị không hợp lệ, phải là {vi} / invalid value, must be {en}"
    elif msg.startswith(_INPUT_SHOULD_BE):
        expected = msg.removeprefix(_INPUT_SHOULD_BE)
        text = f"giá trị không hợp lệ, phải là {expected} / invalid value, must be {expected}"
    else:
        text = f"giá trị không hợp lệ / invalid value: {msg}"
    return f"{_key(error['loc'])}: {text}"


def parse_rubric(data: dict[str, object], source: str) -> Rubric:
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(source, [_problem(e) for e in exc.errors()]) from exc
    problems = _consistency(rubric)
    if problems:
        raise RubricError(source, problems)
    return rubric


def rubric_path(name: str) -> Path:
    """``name`` ending in .toml is a path (or a file name in extractor/data/rubrics); otherwise a rubric id."""
    path = Path(name)
    if path.suffix.lower() != ".toml":
        return RUBRIC_DIR / f"{name}.toml"
    if path.exists() or len(path.parts) > 1:
        return path
    shipped = RUBRIC_DIR / name
    return shipped if shipped.exists() else path


@cache
def load_rubric(name: str = DEFAULT_RUBRIC) -> Rubric:
    """A rubric by id (a file in extractor/data/rubrics) or by path to a .toml file."""
    path = rubric_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RubricError(name, [f"không tìm thấy tệp / no such file: {path.name}"]) from exc
    except OSError as exc:
        vi, en = CannotOpenError.REASONS.get(exc.errno or 0, ("không mở được tệp", "cannot open the file"))
        raise RubricError(name, [f"{vi} / {en}"]) from exc
    except UnicodeDecodeError as exc:
        problem = f"không phải tệp văn bản UTF-8 (byte {exc.start}) / not a UTF-8 text file (byte {exc.start})"
        raise RubricError(path.name, [problem]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(path.name, [f"cú pháp TOML sai / TOML syntax error: {exc}"]) from exc
    return parse_rubric(data, path.name)


def list_rubrics() -> list[Rubric]:
    return [load_rubric(p.stem) for p in sorted(RUBRIC_DIR.glob("*.toml"))]
