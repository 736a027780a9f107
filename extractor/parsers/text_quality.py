"""Whether a page's text layer is text: a PDF may carry glyph codes, private-use characters or a bad OCR
layer that extract as characters yet say nothing.

``assess(ordered_text(page.chars))`` measures the characters of one page and says why its layer is not
text, or None when it reads as text:

  - "cid"          glyphs whose font has no Unicode map come out as "(cid:7)"
  - "symbols"      private-use, control and replacement (U+FFFD) characters, letters of scripts other
                   than Latin (a font whose map points at the wrong code points)
  - "not_words"    Latin letters that do not form Vietnamese syllables or abbreviations, e.g. an OCR
                   layer that lost its diacritics: "s6.l1JW ruBND-NC LdmD6ng,ngdy l0thdng 9 ndm2025"

A layer fails when at least ``BAD_SHARE`` of its glyphs are of the first two kinds, or fewer than
``MIN_WORD_SHARE`` of its letter runs are words. Vietnamese syllables are recognised by their shape
(onset, vowels, final consonant) after folding the diacritics, so names, places and words never seen
pass; "ƣ" written for "ư" (an old font's code point, e.g. "CHƢƠNG") is a Vietnamese letter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import regex

Reason = Literal["cid", "symbols", "not_words"]
# Why a page's text layer is not text, for a notice: (Vietnamese, English)
REASONS: dict[str, tuple[str, str]] = {
    "cid": ("lớp chữ chỉ gồm mã glyph “(cid:…)” do phông chữ thiếu bảng mã", "its text is glyph codes “(cid:…)”"),
    "symbols": (
        "lớp chữ toàn ký tự lạ (ký tự riêng, điều khiển hoặc thay thế)",
        "its text is private-use, control or replacement characters",
    ),
    "not_words": (
        "lớp chữ không thành từ tiếng Việt (nhận dạng ký tự sai hoặc mất dấu)",
        "its words are not Vietnamese (a failed OCR layer)",
    ),
}

BAD_SHARE = 0.3  # glyphs that are codes or symbols, beyond which the layer is not text
MIN_WORD_SHARE = 0.75  # letter runs that are Vietnamese syllables or abbreviations, below which it is not
MIN_RUNS = 12  # fewer letter runs than this say too little to judge the words

# A Vietnamese syllable once its diacritics are folded away (đ -> d), in lower case: an onset, one to three
# vowels and a final consonant or glide, e.g. "nghieng", "truong", "quy", "uy", "khuyen", "a".
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})"
    r"(?:ch|ng|nh|[cmnpt])?"
)
_CID = regex.compile(r"\(cid:\d+\)")
_LETTER_RUN = regex.compile(r"[\p{L}\p{M}]+")
_ABBREVIATION = regex.compile(r"\p{Lu}{2,8}")  # e.g. "UBND", "CCHC", "CĐS"
_OLD_U = str.maketrans({"ƣ": "ư", "Ƣ": "Ư"})  # U+01A3/U+01A2 ("oi") written for ư/Ư by old fonts


@dataclass(frozen=True)
class Quality:
    glyphs: int  # printable glyphs measured
    cid: int  # "(cid:N)" glyphs
    symbols: int  # private-use, control, replacement characters and letters of other scripts
    runs: int  # letter runs of two letters or more
    words: int  # of those, Vietnamese syllables or abbreviations
    reason: Reason | None  # why the layer is not text; None when it is

    @property
    def readable(self) -> bool:
        return self.reason is None


def assess(text: str) -> Quality:
    """Measure one page's text in reading order (``ordered_text``); "(cid:N)" counts as one glyph."""
    cid = len(_CID.findall(text))
    plain = _CID.sub(" ", text)
    glyphs = cid + sum(1 for ch in plain if not ch.isspace())
    symbols = sum(1 for ch in plain if _is_symbol(ch))
    runs, words = _words("".join(" " if _is_symbol(ch) else ch for ch in plain) if symbols else plain)
    return Quality(glyphs, cid, symbols, runs, words, _reason(glyphs, cid, symbols, runs, words))


def ordered_text(chars: Iterable[Mapping[str, Any]]) -> str:
    """The text of pdfplumber characters in visual order: rows by baseline, left to right, one row per line.

    Content streams may draw a line's accented letters after the rest of it; their order says nothing of
    the words, so the glyphs are put back where they are drawn before the words are measured."""
    rows: dict[int, list[tuple[float, str]]] = {}
    for c in chars:
        rows.setdefault(round(float(c["bottom"])), []).append((float(c["x0"]), str(c["text"])))
    return "\n".join("".join(t for _, t in sorted(row)) for _, row in sorted(rows.items()))


def _reason(glyphs: int, cid: int, symbols: int, runs: int, words: int) -> Reason | None:
    if glyphs == 0:
        return None
    if cid >= BAD_SHARE * glyphs:
        return "cid"
    if cid + symbols >= BAD_SHARE * glyphs:
        return "symbols"
    if runs >= MIN_RUNS and words < MIN_WORD_SHARE * runs:
        return "not_words"
    return None


def _is_symbol(ch: str) -> bool:
    """A character no Vietnamese text layer holds: private use, control, U+FFFD, a non-Latin letter."""
    if ch in "\t\n\r":
        return False
    category = unicodedata.category(ch)
    if category in ("Co", "Cc", "Cs", "Cn") or ch == "\ufffd":
        return True
    # a letter beyond Latin (Basic, Latin-1, Extended-A/B) and Latin Extended Additional (ạ, ế, ữ …)
    return category.startswith("L") and ord(ch) > 0x24F and not 0x1E00 <= ord(ch) <= 0x1EFF


def _words(text: str) -> tuple[int, int]:
    """(letter runs of two letters or more, those that are syllables or abbreviations)."""
    runs = words = 0
    for m in _LETTER_RUN.finditer(text.translate(_OLD_U)):
        run = m.group()
        if len(run) < 2:
            continue
        runs += 1
        if _ABBREVIATION.fullmatch(run) or _SYLLABLE.fullmatch(_fold(run)):
            words += 1
    return runs, words


def _fold(word: str) -> str:
    word = word.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
