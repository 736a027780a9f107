"""Text of a PDF page outside its tables: characters to words, visual lines, column pieces and paragraphs.

A visual line is split where a wide horizontal gap lines up with a gutter in the line above or below, so
a two-column header block is read as two blocks instead of being interleaved word by word, e.g.
"ỦY BAN NHÂN DÂN        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" gives "ỦY BAN NHÂN DÂN" and "CỘNG HÒA …".
Lines are then grouped into paragraphs by vertical pitch and indentation; a paragraph keeps its visual
line breaks as "\\n". Page numbers and running headers/footers in the margins are told apart here too.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from typing import Any

import regex
from pdfplumber.utils.text import WordExtractor

Obj = dict[str, Any]

# Words closer than this (pt) horizontally belong to one word; lines whose tops differ less are one line.
_X_TOL = 3.0
_Y_TOL = 3.0
# A gap wider than this many character heights (and at least _GAP_MIN pt) may separate two columns.
_GAP_RATIO = 1.2
_GAP_MIN = 12.0
# Gaps of two neighbouring lines that overlap by this much (pt) make a column gutter.
_GUTTER_OVERLAP = 8.0
# Furniture lives in the top or bottom band of this share of the page height.
_BAND = 0.1

_PAGE_NUMBER = regex.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$"  # e.g. "2", "- 2 -"
    r"|^(?:trang|page)\s*\d{1,4}(?:\s*(?:/|của|of)\s*\d{1,4})?$"  # e.g. "Trang 2", "Trang 2/35"
    r"|^\d{1,4}\s*/\s*\d{1,4}$",  # e.g. "2/35"
    regex.IGNORECASE,
)
_NEW_START = regex.compile(r"^[\p{Lu}\d\-+•*–(\[]")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    xs: list[float] | None = None  # x0, x1 of each character of ``text`` (2 per character), where known


@dataclass
class Line:
    """A visual line, or a column piece of one: its words left to right and their extent."""

    words: list[Word]
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    piece: bool = False  # cut from a wider line at a column gutter

    @classmethod
    def of(cls, words: list[Word], piece: bool = False) -> Line:
        words = sorted(words, key=lambda w: w.x0)
        return cls(
            words,
            " ".join(w.text for w in words),
            words[0].x0,
            min(w.top for w in words),
            max(w.x1 for w in words),
            max(w.bottom for w in words),
            statistics.median(w.bottom - w.top for w in words),
            piece,
        )

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    def extents(self) -> list[float]:
        """x0, x1 of every character of ``text`` (2 per character); a space spans the gap between its words."""
        out: list[float] = []
        for i, w in enumerate(self.words):
            if i:
                out += (self.words[i - 1].x1, w.x0)
            out += w.xs if w.xs is not None and len(w.xs) == 2 * len(w.text) else _spread(w.x0, w.x1, len(w.text))
        return out


def _spread(x0: float, x1: float, n: int) -> list[float]:
    """``n`` characters sharing [x0, x1] evenly, 2 values per character."""
    step = (x1 - x0) / n if n else 0.0
    return [v for i in range(n) for v in (x0 + i * step, x0 + (i + 1) * step)]


def _char_extents(chars: list[Obj]) -> list[float]:
    """x0, x1 per character of the word made of ``chars``; a glyph standing for several characters
    (e.g. a ligature mapped to "fi") shares its width among them."""
    out: list[float] = []
    for ch in chars:
        n = len(ch["text"] or "")
        if n == 1:
            out += (ch["x0"], ch["x1"])
        else:
            out += _spread(ch["x0"], ch["x1"], n)
    return out


class Para:
    """Lines grouped into a paragraph; its extent grows with every line."""

    def __init__(self, line: Line, style: str | None = None) -> None:
        self.lines = [line]
        self.style = style
        self.bbox = (line.x0, line.top, line.x1, line.bottom)

    def add(self, line: Line) -> None:
        self.lines.append(line)
        x0, top, x1, bottom = self.bbox
        self.bbox = (min(x0, line.x0), min(top, line.top), max(x1, line.x1), max(bottom, line.bottom))

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def top(self) -> float:
        return self.bbox[1]


_EXTRACTOR = WordExtractor(x_tolerance=_X_TOL, y_tolerance=_Y_TOL, keep_blank_chars=False, expand_ligatures=False)


def text_lines(chars: list[Obj], split_gaps: bool = True) -> list[Line]:
    """Visual lines top to bottom (words left to right); with ``split_gaps`` also cut at column gutters."""
    words = [
        Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], _char_extents(w["chars"]))
        for w in _EXTRACTOR.extract_words(chars, return_chars=True)
        if w["text"].strip()
    ]
    words.sort(key=lambda w: w.top)
    groups: list[list[Word]] = []
    anchor = 0.0
    for w in words:
        if not groups or w.top - anchor > _Y_TOL:
            groups.append([])
            anchor = w.top
        groups[-1].append(w)
    lines = [Line.of(group) for group in groups]
    return _split_columns(lines) if split_gaps else lines


def ocr_lines(groups: list[list[tuple[str, float, float, float, float]]]) -> list[Line]:
    """Visual lines of an OCR'd page from the words of each line OCR found, (text, x0, x1, top, bottom) in
    points: top to bottom, cut at column gutters like the lines of a text layer. Each character's extent is
    spread evenly across its word's box. Lines OCR found side by side (the two columns of a letterhead) are
    column pieces."""
    lines = [Line.of([Word(*w) for w in group]) for group in groups if group]
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    for line in lines:
        line.piece = any(
            other is not line
            and min(other.bottom, line.bottom) - max(other.top, line.top) > 0.5 * min(other.size, line.size)
            and (other.x0 >= line.x1 or line.x0 >= other.x1)
            for other in lines
        )
    return _split_columns(lines)


def _wide_gaps(line: Line) -> list[tuple[float, float]]:
    limit = max(_GAP_MIN, _GAP_RATIO * line.size)
    return [(a.x1, b.x0) for a, b in itertools.pairwise(line.words) if b.x0 - a.x1 >= limit]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _split_columns(lines: list[Line]) -> list[Line]:
    """Cut a line at a wide gap that overlaps a wide gap of the line above or below: a column gutter.

    A gap that lines up with nothing, e.g. the blank left for a date in "ngày    tháng 12 năm 2025", stays.
    """
    gaps = [_wide_gaps(line) for line in lines]
    out: list[Line] = []
    for i, line in enumerate(lines):
        near = [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < len(lines) and abs(lines[j].top - line.top) <= 2.5 * max(line.size, lines[j].size)
        ]
        cuts = [g for g in gaps[i] if any(_overlap(g, h) >= _GUTTER_OVERLAP for j in near for h in gaps[j])]
        out.extend(_cut(line, cuts))
    return out


def _cut(line: Line, gaps: list[tuple[float, float]]) -> list[Line]:
    if not gaps:
        return [line]
    pieces: list[list[Word]] = [[]]
    for w in line.words:
        if pieces[-1] and any(pieces[-1][-1].x1 <= g[0] and w.x0 >= g[1] for g in gaps):
            pieces.append([])
        pieces[-1].append(w)
    return [Line.of(piece, piece=True) for piece in pieces]


def is_page_number(text: str) -> bool:
    """ "2", "- 2 -", "Trang 2", "Trang 2/35", "2/35", "Page 2 of 35"; not "2." or "1.1" (headings)."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def in_margin(line: Line, height: float) -> bool:
    return line.top < _BAND * height or line.bottom > (1 - _BAND) * height


def furniture_key(text: str) -> str:
    """Running headers/footers compare with digits masked, e.g. "Trang 3" and "Trang 4" are one."""
    return regex.sub(r"\d+", "#", " ".join(text.split())).lower()


def _base_pitch(lines: list[Line]) -> float:
    pitches = [
        b.top - a.top
        for a, b in itertools.pairwise(lines)
        if b.x0 < a.x1 and a.x0 < b.x1 and 0.5 * a.size < b.top - a.top < 2.5 * a.size
    ]
    if pitches:
        return statistics.median(pitches)
    return 1.2 * statistics.median(line.size for line in lines) if lines else 0.0


@dataclass
class _Page:
    pitch: float
    right: float
    barriers: list[tuple[float, float]]


def paragraphs(lines: list[Line], barriers: list[tuple[float, float]]) -> list[Para]:
    """Group column pieces into paragraphs; ``barriers`` are (top, bottom) of tables nothing joins across."""
    lines = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    if not lines:
        return []
    page = _Page(_base_pitch(lines), max(ln.x1 for ln in lines), barriers)
    paras: list[Para] = []
    for line in lines:
        target = _above(paras, line)
        if target is not None and _continues(target, line, page):
            target.add(line)
        else:
            paras.append(Para(line))
    return paras


def _above(paras: list[Para], line: Line) -> Para | None:
    """The paragraph whose last line is the nearest one above ``line`` and shares some of its width."""
    best: Para | None = None
    for para in paras:
        last = para.lines[-1]
        x0, _, x1, _ = para.bbox
        if line.top - last.top <= 0.5 * line.size or line.x0 >= x1 or x0 >= line.x1:
            continue
        if best is None or last.top > best.lines[-1].top:
            best = para
    return best


def _continues(para: Para, line: Line, page: _Page) -> bool:
    """Whether ``line`` goes on ``para``: no wider gap than the page's line pitch, no table in between,
    centred under the line above or not indented past it, and not a new start after a short line."""
    last = para.lines[-1]
    limit = max(1.25 * page.pitch + 0.5, 1.45 * max(last.size, line.size))
    if line.top - last.top > limit:
        return False
    if any(last.bottom <= top and bottom <= line.top + 1 for top, bottom in page.barriers):
        return False
    centred = abs(line.center - last.center) < 4 and abs(line.x0 - last.x0) > 2
    if centred:
        return True
    left = para.bbox[0]
    full = last.x1 >= page.right - 10
    if line.x0 > last.x0 + 6 and not (len(para.lines) == 1 and full):
        return False
    # A line ending well short of the right margin ends its paragraph when the next one starts like a new
    # one; a column piece's margin is its column's, so the test does not apply to it.
    short = not last.piece and last.x1 < page.right - 0.2 * (page.right - left)
    return not (short and _NEW_START.match(line.text))


def reading_order(blocks: list[Any]) -> list[Any]:
    """Top to bottom; blocks starting on one visual line (tops within a few points) left to right."""
    ordered = sorted(blocks, key=lambda b: b.top)
    rows: list[list[Any]] = []
    for block in ordered:
        if rows and block.top - rows[-1][0].top <= _Y_TOL:
            rows[-1].append(block)
        else:
            rows.append([block])
    return [b for row in rows for b in sorted(row, key=lambda b: b.bbox[0])]
