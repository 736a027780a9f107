"""A second recogniser for the digits Tesseract doubts: numbers and days written by hand into the blanks of
"Số: …/QĐ-…" and "ngày … tháng …".

Tesseract's Vietnamese model reads print well and handwriting badly, and its per-letter confidences say
nothing about it (realdoc 30's handwritten "932", read "332": 99 % for the wrong "3"); only the word's
confidence drops (63). PP-OCR's recogniser (RapidOCR's ONNX model, shipped inside its wheel: nothing is
downloaded) was trained on far more varied writing and gives a probability per letter. Each word Tesseract
doubts that holds a digit has its stretch of line read again by PP-OCR; the two readings are aligned letter by
letter and, inside the doubted word only and for digits only, PP-OCR's letter replaces Tesseract's where its
probability is above Tesseract's word confidence (ROVER, Fiscus 1997, with two voters). Everything else —
Vietnamese letters, diacritics, the word's shape — stays Tesseract's. PP-OCR's reading also settles a doubt
when both agree on every digit.

The number and date blanks of a header line ("Số: …/…", "…, ngày … tháng … năm") are always read again:
there a letter or mark where a digit belongs counts for nothing, and digits Tesseract did not see at all are
inserted; the letters of the number's sign ("TTr-CAT" after the slash) are voted too, ASCII only, so
Tesseract's "Đ" stays. A word the vote changes is read once more, alone, and each of its letters takes
what two of the three readings agree on (``majority``): PP-OCR reads an ambiguous hand differently on a
line and on a word (realdoc 18's "239": "139" on the line). A word the vote changed stays in doubt
(OCR_USED names it and keeps Tesseract's reading in ``first_reading``).

Measured with ``scripts/handwriting_eval.py`` (60 letters, the number and day written in 15 handwriting
fonts, scanned at 200 dpi; a number counts as right with its sign too), Tesseract alone against Tesseract with
this reader: numbers right 20 % → 77 %, dates 10 % → 68 % on the letters the rules were worked out on (seed
7); 22 % → 72 % and 8 % → 65 % on letters not seen before (seed 11). Wrong numbers and dates not marked
uncertain: 10–13 and 1–2 with Tesseract alone, 0 and 0 with this reader. Every change it makes on the real
scans is judged in tests/data/second_reader_review.tsv (realdoc 30's "932", Tesseract "332"; 50's "197",
Tesseract "4#"). It costs 1.09–1.26× the OCR time of a page (``scripts/bench_ocr.py``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy

# PP-OCR's probability for a digit must beat Tesseract's word confidence (0–1) to replace it; a digit
# Tesseract missed altogether (merged into a neighbour, or left out) is inserted only above this.
INSERT_PROB = 0.80
# Both readings agree on every digit of a doubted word, each of PP-OCR's at least this probable: the doubt is
# settled.
AGREE_PROB = 0.90
# Lines whose two readings differ in more than this share of their letters (after folding case and
# diacritics) are not the same stretch of text: PP-OCR's reading is not used.
MAX_LINE_DISTANCE = 0.5
# Characters that shape a document number and are never replaced: "06/2025/QĐ-UBND", "1.234".
_STRUCTURE = set("/-.,:()")

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _engine() -> Any | None:
    """PP-OCR's recogniser alone (no text detection, no orientation), one thread: pages already run in
    parallel across processes. None where RapidOCR or ONNX Runtime is not installed."""
    try:
        from rapidocr import RapidOCR
    except Exception:
        return None
    try:
        return RapidOCR(
            params={
                "Global.use_det": False,
                "Global.use_cls": False,
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
    except Exception as exc:
        log.warning("second OCR reader unavailable: %s", exc)
        return None


def available() -> bool:
    return _engine() is not None


def read_line(gray: numpy.ndarray) -> tuple[str, list[float]] | None:
    """PP-OCR's reading of one line image (8-bit grayscale) and each letter's probability, or None."""
    engine = _engine()
    if engine is None or gray.size == 0:
        return None
    rgb = numpy.ascontiguousarray(numpy.repeat(gray[:, :, None], 3, axis=2))
    try:
        out = engine(rgb, use_det=False, use_cls=False, use_rec=True, return_word_box=True)
    except Exception as exc:
        log.warning("second OCR reader failed on a line: %s", exc)
        return None
    texts, infos = getattr(out, "txts", None), getattr(out, "word_results", None)
    if not texts or not infos:
        return None
    text, probs = str(texts[0]), [float(p) for p in getattr(infos[0], "confs", [])]
    if len(probs) != len(text):  # one probability per letter, or the reading cannot be weighed
        return None
    return text, probs


def fold(ch: str) -> str:
    """A letter without case or diacritics, for aligning two recognisers' readings ("Đ" and "D" agree)."""
    ch = ch.casefold().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def align(a: str, b: str) -> list[tuple[int | None, int | None]]:
    """The least-edits alignment of ``a`` and ``b`` (Levenshtein): pairs of indices, None for a gap."""
    fa, fb = [fold(c) for c in a], [fold(c) for c in b]
    n, m = len(a), len(b)

    def sub(x: str, y: str) -> int:
        """Twice the cost of reading ``y`` for ``x`` (a gap costs 2): letters and digits stand for each other
        ("Z" for "2"), marks for marks; a mark for a letter costs more, and a space never stands for anything
        (a gap on each side instead)."""
        if x == y:
            return 0
        if x.isspace() or y.isspace():
            return 6
        return 2 if x.isalnum() == y.isalnum() else 3

    cost = numpy.zeros((n + 1, m + 1), dtype=numpy.int32)
    cost[:, 0] = 2 * numpy.arange(n + 1)
    cost[0, :] = 2 * numpy.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(cost[i - 1, j - 1] + sub(fa[i - 1], fb[j - 1]), cost[i - 1, j] + 2, cost[i, j - 1] + 2)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + sub(fa[i - 1], fb[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 2:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


# The blanks of an official letter's header a clerk fills by hand, seen with no digit in them (folded text):
# "Số:  /BC-UBND", "ngày  tháng 5", "tháng  năm 2025" (a word of stray marks at most in between).
_EMPTY_BLANK = re.compile(r"\bso\s*:\s*[^\s\d/]*\s*/|\bngay\s+(?:[^\s\d]+\s+)?thang\b|\bthang\s+(?:[^\s\d]+\s+)?nam\b")


def fold_text(text: str) -> str:
    """``text`` folded letter by letter, one letter for one (so positions carry over)."""
    return "".join(fold(ch)[:1] or ch for ch in text)


# The blanks of a letter's header line, in folded text: the number, up to the slash before the letters
# ("Số: 932/QĐ-TTg", "Số: 06/2025/QĐ-UBND"), the day and the month ("Hà Nội, ngày 15 tháng 5 năm 2025").
# A header line starts with "Số:" or names its place before ", ngày".
_HEADER = re.compile(r"^\W*so\s*:|,\s*ngay\b")
_BLANKS = re.compile(r"^\W*so\s*:\s*(.*?)\s*/(?=\s*[a-z])|\bngay\s*(.*?)\s*(?=thang\b)|\bthang\s*(.*?)\s*(?=nam\b)")


# The number's sign after its slash ("TTr-CAT", "QĐ-UBND"): printed letters, which a doubted word may have
# misread ("TIr-" for "TTr-").
_NUMBER_SIGN = re.compile(r"^\W*so\s*:\s*.*?/(?=\s*[a-z])\s*(\S+)")


def number_sign(text: str) -> set[int]:
    """Positions of a header line's number sign (after the slash, up to the next space); empty otherwise.
    There the second reader's ASCII letters may replace a doubted word's letters they differ from (case and
    diacritics aside: Tesseract's "Đ" stays)."""
    m = _NUMBER_SIGN.search(fold_text(text))
    return set(range(m.start(1), m.end(1))) if m else set()


def header_blanks(text: str) -> set[int]:
    """Positions of ``text`` inside the number and date blanks of a header line; empty for any other line.
    The second reader's digits win there over anything but Tesseract's own digits."""
    folded = fold_text(text)
    if not _HEADER.search(folded):
        return set()
    out: set[int] = set()
    for m in _BLANKS.finditer(folded):
        for g in (1, 2, 3):
            if m.group(g) is not None:
                out.update(range(m.start(g), m.end(g)))
    return out


def empty_blank(text: str) -> bool:
    """The line holds a number or date blank with no digit read in it: the handwriting may have been missed."""
    return bool(_EMPTY_BLANK.search(fold_text(text)))


def replaceable(ch: str) -> bool:
    """A letter of a doubted word a digit of the second reader may stand for: anything but a space and a
    number's separators ("Z" and "4#" were handwritten "2" and "197")."""
    return not (ch.isspace() or ch in _STRUCTURE)


@dataclass(frozen=True)
class Combined:
    """The first reading with the second reader's digits voted in: its text; for each letter, the index of the
    first reading's letter it stands at (for an inserted digit, the one before it, -1 at the start) and
    whether it was inserted; whether any letter changed, and whether the second reader confirmed every
    doubted digit."""

    text: str
    origin: list[int]
    inserted: list[bool]
    changed: bool
    confirmed: bool


# What a blank's digit may come out as from a recogniser that does not know the blank holds a number.
_LOOK_ALIKE = str.maketrans({"|": "1", "l": "1", "I": "1", "!": "1", "O": "0", "o": "0"})


def combine(
    first: str,
    first_conf: Sequence[float],
    second: str,
    second_prob: Sequence[float],
    doubted: Callable[[int], bool],
    gaps: bool = False,
    blanks: Collection[int] = (),
    letters: Collection[int] = (),
) -> Combined | None:
    """Vote the second reading's digits into the first (see the module's docstring). ``first_conf`` is the
    first reader's confidence (0–1) for each letter, ``doubted(i)`` whether letter ``i`` of ``first`` lies in
    a word the first reader doubts. With ``gaps``, a digit the first reader left out between two words (a
    blank it saw as empty) is inserted too. ``blanks`` are the positions of ``first`` in a header's number
    and date blanks, which hold digits only: there the second reader's look-alikes count as digits ("|9" is
    "19") and any other letter or mark is dropped. At ``letters`` (a number's sign: "TTr-CAT") an ASCII letter
    or digit of the second reader may replace a doubted letter it differs from. None when the two readings are
    not of the same text."""
    pairs = align(first, second)
    distance = sum(1 for i, j in pairs if i is None or j is None or fold(first[i]) != fold(second[j]))
    if distance > MAX_LINE_DISTANCE * max(len(first), len(second), 1):
        return None
    out: list[str] = []
    origin: list[int] = []
    inserted: list[bool] = []
    changed, confirmed, last = False, True, -1

    def theirs_at(j: int, blank: bool) -> str:
        return second[j].translate(_LOOK_ALIKE) if blank else second[j]

    for i, j in pairs:
        if i is not None:
            last = i
            mine = doubted(i) and replaceable(first[i])
            ch = first[i]
            if j is not None:
                theirs = theirs_at(j, i in blanks)
                # a digit anywhere doubted; a letter only in a number's sign
                new_digit = theirs.isdigit() and theirs != ch
                new_letter = i in letters and theirs.isascii() and theirs.isalnum() and fold(theirs) != fold(ch)
                if mine and (new_digit or new_letter) and second_prob[j] > first_conf[i]:
                    ch, changed = theirs, True
                if mine and first[i].isdigit() and (theirs != first[i] or second_prob[j] < AGREE_PROB):
                    confirmed = False
            elif mine and first[i].isdigit():
                confirmed = False
            if i in blanks and not (ch.isdigit() or ch.isspace() or ch in _STRUCTURE):
                changed = True  # a letter or mark where only digits belong
                continue
            if j is None and mine and not first[i].isalnum():
                changed = True  # a stray mark the second reader saw nothing at ("“9" for a handwritten "9")
                continue
            out.append(ch)
            origin.append(i)
            inserted.append(False)
            continue
        assert j is not None
        around = [k for k in (last, last + 1) if 0 <= k < len(first)]
        digit = theirs_at(j, any(k in blanks for k in around))
        if not digit.isdigit() or second_prob[j] < INSERT_PROB:
            continue
        beside = any(doubted(k) and replaceable(first[k]) for k in around)
        in_gap = gaps and (not around or any(first[k].isspace() or first[k] in _STRUCTURE for k in around))
        if beside or in_gap:
            out.append(digit)
            origin.append(last)
            inserted.append(True)
            changed = True
    return Combined("".join(out), origin, inserted, changed, confirmed and not changed)


def majority(first: str, second: str, third: str) -> str:
    """Letter by letter, what two of three readings agree on (``second`` where all three differ); each
    reading is aligned to ``first``. Letters ``second`` inserts are kept: ``third`` reads only the first
    reader's word box and cannot see what lies beside it."""

    def slots(other: str) -> tuple[list[str], dict[int, str]]:
        at: list[str] = [""] * len(first)
        added: dict[int, str] = {}
        last = -1
        for i, j in align(first, other):
            if i is not None:
                last = i
                at[i] = other[j] if j is not None else ""
            elif j is not None:
                added[last] = added.get(last, "") + other[j]
        return at, added

    two, two_added = slots(second)
    three, _ = slots(third)
    out = []
    for k in range(-1, len(first)):
        if k >= 0:
            one = first[k]
            out.append(one if one in (two[k], three[k]) and two[k] != three[k] else two[k])
        out.append(two_added.get(k, ""))
    return "".join(out)
