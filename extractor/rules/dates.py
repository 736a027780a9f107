"""Vietnamese dates as written in administrative documents.

Catalogue, in priority order (each pattern matches normalised text, ``doc.norm.text``):
  - words          e.g. "ngày 15 tháng 10 năm 2025", "ngày 12 tháng 6 năm 2026"
  - numeric        e.g. "22/01/2026", "ngày15 / 12/2025", "31-12-2025", "01.4.2025"
  - blank (draft)  e.g. "ngày tháng năm 2026", "ngày   tháng 12 năm 2025", "ngày   /01/2026": a date left
                   blank, never guessed

``find_dates(text)`` returns every match with its span; ``parse_date(text)`` reads one date string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import regex

# e.g. "ngày 15 tháng 10 năm 2025"
_WORDS = r"(?:ngày\s*)?(?P<d1>\d{1,2})\s*tháng\s*(?P<m1>\d{1,2})\s*năm\s*(?P<y1>\d{4})"
# e.g. "22/01/2026", "15 / 12/2025", "31-12-2025", "01.4.2025"
_NUMERIC = r"(?P<d2>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<y2>\d{4})"
# e.g. "ngày   tháng   năm 2026", "ngày    tháng 12 năm 2025", "ngày   /01/2026" (a draft: the day, and
# often the month, are left for the signer)
_BLANK = r"ngày\s+(?:tháng(?:\s+\d{1,2})?\s+năm\s+(?P<y3>\d{4})|/\s*\d{1,2}\s*/\s*(?P<y4>\d{4}))"

DATE_RE = regex.compile(
    rf"(?<![\d/.-])(?:{_WORDS}|{_NUMERIC}|{_BLANK})(?![\d/])",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: date | None  # None: blank (draft) or impossible (31/02/2026)
    blank: bool = False
    year: int | None = None


def _to_date(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _from_match(m: regex.Match[str]) -> DateMatch:
    blank_year = m.group("y3") or m.group("y4")
    if blank_year:
        return DateMatch(m.start(), m.end(), m.group(), None, blank=True, year=int(blank_year))
    if m.group("y1"):
        d, mo, y = m.group("d1"), m.group("m1"), m.group("y1")
    else:
        d, mo, y = m.group("d2"), m.group("m2"), m.group("y2")
    return DateMatch(m.start(), m.end(), m.group(), _to_date(d, mo, y), year=int(y))


def find_dates(text: str, pos: int = 0, endpos: int | None = None) -> list[DateMatch]:
    end = len(text) if endpos is None else endpos
    return [_from_match(m) for m in DATE_RE.finditer(text, pos, end)]


def parse_date(text: str) -> date | None:
    """The first date in ``text`` (None when there is none, or it is blank or impossible)."""
    m = DATE_RE.search(text)
    return _from_match(m).value if m else None


def match_date_at(text: str, pos: int) -> DateMatch | None:
    """A date starting exactly at ``pos`` (after optional spaces), e.g. right after "ngày"."""
    m = DATE_RE.match(text, pos)
    return _from_match(m) if m else None
