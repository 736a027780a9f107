"""Numbering eras: the spans within which one issuer's document numbers grow with their dates.

Every issuer numbers its documents anew each calendar year, and every issuer started again on the dates listed
in ``extractor/data/numbering_restarts.toml`` (e.g. 01/7/2025, when provinces and communes merged). Two
citations of one series are comparable only when ``numbering_era`` gives them the same era.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from bisect import bisect_right
from functools import cache
from pathlib import Path

RESTARTS_FILE = Path(__file__).resolve().parent.parent / "data" / "numbering_restarts.toml"


@cache
def restart_dates() -> tuple[dt.date, ...]:
    """The dates of ``numbering_restarts.toml``, sorted; each must be a TOML date."""
    data = tomllib.loads(RESTARTS_FILE.read_text(encoding="utf-8"))
    dates = [r["date"] for r in data.get("restart", [])]
    if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in dates):
        raise ValueError(f"{RESTARTS_FILE.name}: every restart needs a date such as 2025-07-01")
    return tuple(sorted(dates))


def numbering_era(date: dt.date) -> tuple[int, int]:
    """(year, restarts on or before ``date`` in that year): 05/09/2025 -> (2025, 1), 24/06/2025 -> (2025, 0)."""
    restarts = restart_dates()
    before_year = bisect_right(restarts, dt.date(date.year, 1, 1) - dt.timedelta(days=1))
    return date.year, bisect_right(restarts, date) - before_year
