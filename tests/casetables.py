"""Cases as data: read a tab-separated case table of tests/data/ (lines starting with # are comments)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_cases(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def expected_fields(spec: str) -> dict[str, str]:
    """ "value=99.25; reading=decimal_comma" -> {"value": "99.25", "reading": …}; "None" -> {"None": ""}."""
    if spec.strip() == "None":
        return {"None": ""}
    pairs = [p.split("=", 1) for p in spec.split(";") if p.strip()]
    return {k.strip(): v.strip() for k, v in pairs}
