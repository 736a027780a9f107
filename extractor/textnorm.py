"""Vietnamese text hygiene with an offset map back to the original.

``normalize(text)`` returns a :class:`NormText`: the normalised string plus a map from every normalised
offset to an offset of the original, so a match found in normalised text always quotes the source exactly.

What normalisation does, in order of the catalogue below:
  - HTML entities are decoded                       e.g. "&amp;" -> "&", "&#7843;" -> "ả"
  - every grapheme is put in NFC                    e.g. "a" + U+0301 -> "á" (NFD text from some exports)
  - no-break and odd spaces become a plain space    e.g. U+00A0, U+202F, U+2007, U+3000
  - zero-width characters and soft hyphens go       e.g. U+200B, U+FEFF, U+00AD, U+FFFE (pypdfium2's hyphen)
  - dash variants become "-"                        e.g. "–", "—", "−", "‐"
  - quote variants become '"' or "'"                e.g. "“", "”", "‘", "’", "«"
  - one tone-mark convention (the "new" one)        e.g. "hoá" -> "hóa", "thuỷ" -> "thủy" (1:1, offsets kept)

``fold(text)`` goes further for matching only (lower case, no diacritics, "đ" -> "d", single spaces); it
keeps no map and must never be quoted.
"""

from __future__ import annotations

import html
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import regex

_SPACE_CHARS = "\u00a0\u2007\u202f\u3000\u2002\u2003\u2009\u200a"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffe"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DQUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"
_SQUOTES = "\u2018\u2019\u201a\u201b\u2032"

_CHAR_MAP: dict[str, str] = {}
_CHAR_MAP.update({c: " " for c in _SPACE_CHARS})
_CHAR_MAP.update({c: "" for c in _ZERO_WIDTH})
_CHAR_MAP.update({c: "-" for c in _DASHES})
_CHAR_MAP.update({c: '"' for c in _DQUOTES})
_CHAR_MAP.update({c: "'" for c in _SQUOTES})
# "ƣ"/"Ƣ" (oi, U+01A3/U+01A2) are never Vietnamese: a font's broken ToUnicode map writes them for ư/Ư
# (Word's Times New Roman in some PDFs: "CHƢƠNG", "trƣờng"). The tone mark may follow as a combining mark.
_OI_AS_U_HORN = {"\u01a3": "ư", "\u01a2": "Ư"}
_CHAR_MAP.update(_OI_AS_U_HORN)

# Anything that may change: an entity, a base with combining marks, or a mapped character.
_SPECIAL = regex.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # e.g. &amp; &#7843;
    r"|[^\p{M}\s]?\p{M}+"  # e.g. "a\u0301" (marks after a space or a line break stand alone)
    r"|[" + regex.escape("".join(_CHAR_MAP)) + r"]"
)

_MARKS = regex.compile(r"\p{M}+")

# Old-style tone placement on open syllables oa/oe/uy: "hoá" -> "hóa", "thuỷ" -> "thủy" (not "quý").
_OLD_TONE_NFC = regex.compile(r"(?<![qQ])([oO][áàảãạÁÀẢÃẠéèẻẽẹÉÈẺẼẸ]|[uU][ýỳỷỹỵÝỲỶỸỴ])(?!\p{L})")


def _swap_tone(pair: str) -> str:
    """ "oá" -> "óa": move the tone mark from the second vowel to the first."""
    first, second = pair[0], pair[1]
    decomposed = unicodedata.normalize("NFD", second)
    tone = decomposed[1:]
    return unicodedata.normalize("NFC", first + tone) + decomposed[0]


def _replacement(piece: str) -> str:
    if piece.startswith("&") and piece.endswith(";"):
        decoded = unicodedata.normalize("NFC", html.unescape(piece))
        return "".join(_CHAR_MAP.get(c, c) for c in decoded)
    if len(piece) == 1:
        return _CHAR_MAP.get(piece, piece)
    return unicodedata.normalize("NFC", _OI_AS_U_HORN.get(piece[0], piece[0]) + piece[1:])


@dataclass(frozen=True)
class NormText:
    """Normalised text and its map to the original.

    The map is kept as segments: ``_norm[i]``/``_orig[i]`` start segment i, which is either copied verbatim
    (offsets advance together) or replaced (every offset inside maps to the segment's original start).
    """

    original: str
    text: str
    _norm: list[int] = field(repr=False)
    _orig: list[int] = field(repr=False)
    _verbatim: list[bool] = field(repr=False)

    def to_original(self, i: int) -> int:
        """Original offset of normalised offset ``i`` taken as a start: the beginning of its segment, and
        before any characters that normalisation deleted there."""
        k = bisect_left(self._norm, i)
        if k < len(self._norm) and self._norm[k] == i:
            return self._orig[k]
        if i >= len(self.text):
            return len(self.original)
        k -= 1
        if self._verbatim[k]:
            return self._orig[k] + (i - self._norm[k])
        return self._orig[k]

    def to_original_end(self, i: int) -> int:
        """Original offset for an exclusive end ``i``: a replaced segment is taken whole."""
        if i >= len(self.text):
            return len(self.original)
        k = bisect_right(self._norm, i) - 1
        if self._verbatim[k] or i == self._norm[k]:
            return self.to_original(i)
        return self._orig[k + 1] if k + 1 < len(self._orig) else len(self.original)

    def to_norm(self, o: int) -> int:
        """Normalised offset of original offset ``o`` (inside a replaced segment: its start)."""
        if o >= len(self.original):
            return len(self.text)
        k = bisect_right(self._orig, o) - 1
        if self._verbatim[k]:
            return self._norm[k] + (o - self._orig[k])
        return self._norm[k]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.to_original(start), self.to_original_end(end)

    def quote(self, start: int, end: int) -> str:
        """The original text behind a normalised span."""
        s, e = self.span_to_original(start, end)
        return self.original[s:e]


def normalize(text: str) -> NormText:
    out: list[str] = []
    norm_starts: list[int] = [0]
    orig_starts: list[int] = [0]
    verbatim: list[bool] = [True]
    pos = 0
    npos = 0

    def open_segment(orig_at: int, is_verbatim: bool) -> None:
        if norm_starts[-1] == npos and orig_starts[-1] == orig_at:
            verbatim[-1] = is_verbatim  # replace an empty segment
            return
        norm_starts.append(npos)
        orig_starts.append(orig_at)
        verbatim.append(is_verbatim)

    for m in _SPECIAL.finditer(text):
        piece, start = m.group(), m.start()
        repl = _replacement(piece)
        if repl == piece:
            continue
        if len(piece) > 1 and repl[:1] == piece[:1] and _MARKS.fullmatch(piece[1:]) and not _MARKS.match(piece):
            piece, repl, start = piece[1:], repl[1:], start + 1  # the base stays: only its marks change
        if start > pos:
            out.append(text[pos:start])
            npos += start - pos
        open_segment(start, False)
        out.append(repl)
        npos += len(repl)
        pos = m.end()
        open_segment(pos, True)
    out.append(text[pos:])
    normalised = "".join(out)
    # Tone-mark convention: a one-for-one swap of two characters, so the map is unchanged.
    normalised = _OLD_TONE_NFC.sub(lambda m: _swap_tone(m.group(1)), normalised)
    return NormText(text, normalised, norm_starts, orig_starts, verbatim)


def normalize_text(text: str) -> str:
    """The normalised string alone."""
    return normalize(text).text


_WS = regex.compile(r"\s+")


def fold_ws(text: str) -> str:
    """Collapse every run of white space to one space and trim."""
    return _WS.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    """ "Đoàn Văn Cát" -> "Doan Van Cat" (đ/Đ handled apart: NFKD does not decompose them)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Matching key: normalised, lower case, without diacritics, single-spaced. Never quote it."""
    return fold_ws(strip_diacritics(normalize_text(text)).lower())
