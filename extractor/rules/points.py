"""Score cells of a scorecard, read as exact decimals.

``read_points`` reads a score cell ("4,63", "5", "8.00", "99,25 /100", "-0,5") and ``read_points_cell`` says
why it could not. A separator in a score is always decimal ("1.500" is 1.5): scores stay far below a thousand
(rule 2 of ``extractor.rules.numbers``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from extractor.rules.numbers import NUM, TOKEN_RE, ReadingContext, read_token


@dataclass(frozen=True, kw_only=True)
class PointsReading:
    value: Decimal | None
    reason: str
    reading: str | None = None
    max: Decimal | None = None  # "99,25 /100" -> 100
    text: str = ""


_POINTS_CELL_RE = regex.compile(
    rf"^\(?\s*(?P<neg>-\s*)?(?P<num>{NUM})\s*(?:/\s*(?P<max>{NUM}))?\s*\)?\s*(?:điểm|đ)?\s*[*.]?$",
    regex.IGNORECASE,
)


def read_points_cell(cell_text: str) -> PointsReading:
    """A score cell: "4,63", "5", "8.00", "99,25 /100" (max 100), "-0,5" (a deduction).

    A separator in a score is always decimal ("1.500" is 1.5: no score reaches a thousand). Anything else
    in the cell (words, two scores, a range) leaves the value None with the reason. A score wrapped inside
    its word by a narrow column is read whole: "97,45/1\n00" is 97,45 of 100 (see ``_unwrapped``).
    """
    reading = _read_cell(cell_text)
    joined = _unwrapped(cell_text) if reading.value is None else None
    if joined is not None:
        again = _read_cell(joined)
        if again.value is not None and abs(again.value) < _MAX_POINTS:
            return replace(again, text=cell_text, reason=f"{again.reason}; a line wrap inside the number folded")
    return reading


_MAX_POINTS = 1000  # no score reaches a thousand


def _unwrapped(cell_text: str) -> str | None:
    """The cell's lines joined without a space, where they can be one word wrapped at the cell's edge: every
    line but the last holds at least 3 characters and is no shorter than the last (a wrap fills its line),
    and each break falls between two characters of a number ("97,45/1" | "00", "99," | "25").
    e.g. "97,45/1\n00" → "97,45/100"; "5\n4,5" → None (two scores); "4,63" → None (one line)."""
    lines = [line.strip() for line in cell_text.strip().split("\n") if line.strip()]
    if len(lines) < 2 or any(len(line) < max(3, len(lines[-1])) for line in lines[:-1]):
        return None
    joins = itertools.pairwise(lines)
    if not all(_NUMBER_CHAR.match(a[-1]) and _NUMBER_CHAR.match(b[0]) for a, b in joins):
        return None
    return "".join(lines)


_NUMBER_CHAR = regex.compile(r"[\d.,/]")


def _read_cell(cell_text: str) -> PointsReading:
    text = " ".join(cell_text.split())
    if not text:
        return PointsReading(value=None, reason="empty cell", text=cell_text)
    m = _POINTS_CELL_RE.match(text)
    if m is None:
        return PointsReading(value=None, reason=_unreadable_reason(text), text=cell_text)
    ctx = ReadingContext(points=True)
    r = read_token(m.group("num"), "", "", ctx)
    top = read_token(m.group("max"), "", "", ctx) if m.group("max") else None
    if r is None or (m.group("max") and top is None):
        return PointsReading(value=None, reason=f"not a number: {m.group('num')!r}", text=cell_text)
    value = -r.value if m.group("neg") else r.value
    reason = r.reason + ("; negative: a deduction" if m.group("neg") else "")
    return PointsReading(value=value, reason=reason, reading=r.reading, max=top.value if top else None, text=cell_text)


def _unreadable_reason(text: str) -> str:
    count = len(TOKEN_RE.findall(text))
    if count == 0:
        return f"no number in the cell: {text!r}"
    if count > 1:
        return f"more than one number in the cell: {text!r}"
    return f"words besides the score: {text!r}"


def read_points(cell_text: str) -> Decimal | None:
    """The score in a cell, or None when the cell is empty or unreadable (``read_points_cell`` says why)."""
    return read_points_cell(cell_text).value
