"""Rubrics (criteria schemes) as versioned data files, validated on load.

A rubric lives in ``extractor/data/rubrics/<id>.toml`` (or any path given to ``load_rubric``): its
criteria with STT, title, the short forms communes write, maximum points, scoring method, expected
evidence and its time window, and the responsible unit; the total and the pass threshold. A new scheme is
a new file; no code changes. Every problem is reported with the key that holds it, e.g.
``criteria[3].max_points: không phải số / not a number``.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from extractor.errors import RubricError

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


def parse_rubric(data: dict[str, object], source: str) -> Rubric:
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(source, [f"{_key(e['loc'])}: {e['msg']}" for e in exc.errors()]) from exc
    problems = _consistency(rubric)
    if problems:
        raise RubricError(source, problems)
    return rubric


def rubric_path(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        return path
    return RUBRIC_DIR / f"{name}.toml"


@cache
def load_rubric(name: str = DEFAULT_RUBRIC) -> Rubric:
    """A rubric by id (a file in extractor/data/rubrics) or by path to a .toml file."""
    path = rubric_path(name)
    if not path.exists():
        raise RubricError(name, [f"không tìm thấy tệp / no such file: {path.name}"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(path.name, [f"TOML: {exc}"]) from exc
    return parse_rubric(data, path.name)


def list_rubrics() -> list[Rubric]:
    return [load_rubric(p.stem) for p in sorted(RUBRIC_DIR.glob("*.toml"))]
