"""Vietnamese text typed in the legacy TCVN3 (ABC) and VNI font encodings, converted to Unicode.

Before Unicode, Vietnamese was typed in fonts that draw Latin-1 code points as Vietnamese letters: in
".VnTime" (TCVN3) the character "¸" (U+00B8) is drawn "á", "«" is "ô", so "C«ng t¸c" reads "Công tác"; in
"VNI-Times" a letter is a base letter and a mark code, "Coâng taùc". The code tables are data
(``extractor/data/legacy/tcvn3.tsv``, ``vni.tsv``); conversion reads them by longest match and returns NFC.

A font name alone does not make text legacy (a document may keep ".VnTime" in its font table while its text
was retyped in Unicode), nor do the characters alone (a French quote has "é" and "è"). :func:`detect` wants
both: runs in legacy-named fonts, enough legacy code points among their letters, and words that become
Vietnamese syllables after conversion when they were not before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

TABLE_DIR = Path(__file__).resolve().parent.parent / "data" / "legacy"
Encoding = str  # "tcvn3" | "vni"
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")
DISPLAY_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}

# ".VnTime", ".VnTimeH", ".VnArial NarrowH", "VnTime" (some files lose the dot); "VNI-Times", "VNI Helve".
_TCVN3_FONT = regex.compile(r"^\.?vn(?!i\b)(?!i[- _])[a-z]", regex.IGNORECASE)
_VNI_FONT = regex.compile(r"^vni[- _]?[a-z]", regex.IGNORECASE)
# A PDF font's subset tag, e.g. "ABCDEE+.VnTime".
_SUBSET = regex.compile(r"^[A-Z]{6}\+")
# The TCVN3 capital fonts end in H (".VnTimeH", ".VnArialH", ".VnArial NarrowH"), possibly before a style.
_CAPS_FONT = regex.compile(r"H(?:[,-](?:Bold|Italic|BoldItalic|Regular))*$")
_WORD = regex.compile(r"[^\s\d.,;:!?()\[\]{}\"'“”‘’/\\|<>=+*&%#@~^_–—-]+")

# Vietnamese syllable: onset, a vowel nucleus, a coda; at most one tone mark.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
# Vowel groups: those ending in a glide take no final consonant, "ia"/"ua"/"ưa"/"uya" neither.
_CLOSED = "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu iêu oai oao oay oeo uây uôi uyu ươi ươu yêu ia ua ưa uya"
_OPEN = "a ă â e ê i o ô ơ u ư y iê oa oă oe oo uâ uê uô uơ uy ươ yê uyê"
_SYLLABLE = regex.compile(
    rf"^{_ONSET}(?:(?:{'|'.join(sorted(_CLOSED.split(), key=len, reverse=True))})"
    rf"|(?:{'|'.join(sorted(_OPEN.split(), key=len, reverse=True))})(?:ch|ng|nh|[cmnpt])?)$"
)

# Thresholds of :func:`detect`: legacy code points per letter of the legacy-font runs, words that are
# Vietnamese after conversion, and how much better that is than before.
MIN_CODE_SHARE = 0.02
MIN_CODES = 3
MIN_VALID_AFTER = 0.7
MIN_GAIN = 0.3
DETECT_SAMPLE = 50_000  # characters of the legacy-font runs weighed (enough to decide, linear time)


def notice_texts(encoding: Encoding, count: int, unit_vi: str, unit_en: str) -> tuple[str, str]:
    """The Vietnamese and English text of the "legacy_encoding" notice, e.g. for 12 runs of a Word file."""
    name = DISPLAY_NAMES[encoding]
    return (
        f"Văn bản gõ bằng phông chữ bảng mã {name} ({count} {unit_vi}) đã được chuyển sang Unicode.",
        f"Text typed in {name} legacy fonts ({count} {unit_en}) was converted to Unicode.",
    )


@dataclass(frozen=True)
class _Table:
    to_unicode: dict[str, str]
    from_unicode: dict[str, str]
    codes: frozenset[str]  # every non-ASCII character of a legacy sequence
    longest: int


@cache
def _table(encoding: Encoding) -> _Table:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}")
    text = (TABLE_DIR / f"{encoding}.tsv").read_text(encoding="utf-8")
    forward: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        codes, letter = line.split("\t")[:2]
        forward["".join(chr(int(c, 16)) for c in codes.split())] = unicodedata.normalize("NFC", letter)
    backward = {u: k for k, u in forward.items()}
    chars = frozenset(ch for k in forward for ch in k if ord(ch) > 0x7F)
    return _Table(forward, backward, chars, max(len(k) for k in forward))


def font_encoding(font: str | None) -> Encoding | None:
    """The legacy encoding a font name implies, e.g. ".VnTimeH" -> "tcvn3", "VNI-Times" -> "vni"."""
    if not font:
        return None
    return _font_encoding(font)


@cache
def _font_encoding(font: str) -> Encoding | None:
    name = _SUBSET.sub("", font.strip())
    if _VNI_FONT.match(name):
        return "vni"
    if _TCVN3_FONT.match(name):
        return "tcvn3"
    return None


def is_caps_font(font: str | None) -> bool:
    """A TCVN3 capitals font (".VnTimeH"): it draws every letter as a capital."""
    if not font or font_encoding(font) != "tcvn3":
        return False
    return bool(_CAPS_FONT.search(_SUBSET.sub("", font.strip()).split(",")[0].rstrip()))


def to_unicode(text: str, encoding: Encoding, *, caps: bool = False) -> str:
    """``text`` as the legacy font draws it, in Unicode NFC, e.g. ``to_unicode("C«ng t¸c", "tcvn3")`` ->
    "Công tác", ``to_unicode("Coâng taùc", "vni")`` -> "Công tác". ``caps``: a TCVN3 capitals font."""
    table = _table(encoding)
    forward, longest = table.to_unicode, table.longest
    if longest == 1:
        result = text.translate(_translation(encoding))
        return unicodedata.normalize("NFC", result.upper() if caps else result)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ord(ch) < 0x80 and (longest == 1 or i + 1 >= n or ord(text[i + 1]) < 0x80):
            out.append(ch)
            i += 1
            continue
        for size in range(min(longest, n - i), 0, -1):
            letter = forward.get(text[i : i + size])
            if letter is not None:
                out.append(letter)
                i += size
                break
        else:
            out.append(ch)
            i += 1
    result = "".join(out)
    if caps:
        result = result.upper()
    return unicodedata.normalize("NFC", result)


@cache
def _translation(encoding: Encoding) -> dict[int, str]:
    return {ord(k): v for k, v in _table(encoding).to_unicode.items() if len(k) == 1}


def from_unicode(text: str, encoding: Encoding) -> str:
    """The inverse of :func:`to_unicode` (what an old keyboard driver typed), e.g. "Công tác" -> "C«ng t¸c".
    ValueError for a character the encoding cannot write unambiguously (in TCVN3: a capital with a tone)."""
    table = _table(encoding)
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        code = table.from_unicode.get(ch)
        if code is not None:
            out.append(code)
        elif ord(ch) > 0x7F and (ch in table.codes or unicodedata.category(ch).startswith("L")):
            raise ValueError(f"{ch!r} cannot be written in {encoding}")
        else:
            out.append(ch)
    return "".join(out)


def representable(encoding: Encoding) -> frozenset[str]:
    """The non-ASCII letters :func:`from_unicode` can write in ``encoding``."""
    return frozenset(_table(encoding).from_unicode)


def is_syllable(word: str) -> bool:
    """A Vietnamese syllable: onset + vowel nucleus + coda, at most one tone mark, e.g. "nghiêng", "được"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONES)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return bool(_SYLLABLE.match(bare))


def _valid_share(words: Sequence[str]) -> float:
    return sum(1 for word in words if is_syllable(word)) / len(words) if words else 0.0


@dataclass(frozen=True)
class Evidence:
    """What :func:`detect` weighed for one encoding."""

    encoding: Encoding
    letters: int
    codes: int
    words: int
    valid_before: float
    valid_after: float

    @property
    def legacy(self) -> bool:
        return (
            self.codes >= MIN_CODES
            and self.codes >= MIN_CODE_SHARE * self.letters
            and self.valid_after >= MIN_VALID_AFTER
            and self.valid_after - self.valid_before >= MIN_GAIN
        )


def weigh(text: str, encoding: Encoding) -> Evidence:
    """The character and syllable statistics of ``text`` read as ``encoding``."""
    table = _table(encoding)
    letters = sum(1 for ch in text if ch.isalpha() or ch in table.codes)
    codes = sum(1 for ch in text if ch in table.codes)
    words = [w for w in _WORD.findall(text) if any(ch in table.codes for ch in w)]
    after = [w for w in _WORD.findall(to_unicode(" ".join(words), encoding))] if words else []
    return Evidence(encoding, letters, codes, len(words), _valid_share(words), _valid_share(after))


def detect(text: str, fonts: Iterable[str | None]) -> Encoding | None:
    """The legacy encoding ``text`` (the runs set in ``fonts``) is written in, or None.

    Needs both a legacy font among ``fonts`` and text that reads as Vietnamese only once converted, e.g.
    ``detect("C«ng t¸c", [".VnTime"])`` -> "tcvn3" but ``detect("Công tác", [".VnTime"])`` -> None and
    ``detect("C«ng t¸c", ["Times New Roman"])`` -> None.
    """
    families = {enc for enc in map(font_encoding, fonts) if enc}
    text = text[:DETECT_SAMPLE]
    best: Evidence | None = None
    for encoding in ENCODINGS:
        if encoding not in families:
            continue
        evidence = weigh(text, encoding)
        if evidence.legacy and (best is None or evidence.valid_after > best.valid_after):
            best = evidence
    return best.encoding if best else None


def convert_run(text: str, font: str | None, encoding: Encoding) -> str:
    """One run of text set in ``font``, converted when the font is of ``encoding`` and the run is not
    already Unicode Vietnamese (a letter beyond Latin-1 such as "ư" or "ạ" means it was retyped)."""
    if font_encoding(font) != encoding or not text:
        return text
    if any(ord(ch) > 0xFF and unicodedata.category(ch).startswith("L") for ch in text):
        return text
    # A symbol-charset font may keep its codes in the private use area (U+F0xx).
    text = "".join(chr(ord(ch) - 0xF000) if 0xF020 <= ord(ch) <= 0xF0FF else ch for ch in text)
    return to_unicode(text, encoding, caps=is_caps_font(font))


# -- PDF ---------------------------------------------------------------------------------------------------


def convert_pdf_chars(chars: list[dict]) -> tuple[list[dict], Encoding | None]:
    """pdfplumber characters with the legacy-font ones converted by their ``fontname``; a VNI letter drawn
    as two glyphs (base and mark) becomes one character spanning both. Returns the characters and the
    encoding found (None: the list is returned as it came)."""
    legacy_fonts = {f for f in {c.get("fontname") for c in chars} if font_encoding(f)}
    if not legacy_fonts:
        return chars, None
    legacy = [c for c in chars if c.get("fontname") in legacy_fonts]
    encoding = detect(_chars_text(legacy), (c.get("fontname") for c in legacy))
    if encoding is None:
        return chars, None
    table = _table(encoding)
    out: list[dict] = []
    i = 0
    while i < len(chars):
        char = chars[i]
        font = char.get("fontname")
        if font_encoding(font) != encoding:
            out.append(char)
            i += 1
            continue
        group = [char]
        while (
            len(group) < table.longest
            and i + len(group) < len(chars)
            and chars[i + len(group)].get("fontname") == font
            and "".join(c.get("text", "") for c in [*group, chars[i + len(group)]]) in _prefixes(encoding)
        ):
            group.append(chars[i + len(group)])
        # the longest prefix of the group that is a whole legacy letter
        while len(group) > 1 and "".join(c.get("text", "") for c in group) not in table.to_unicode:
            group.pop()
        text = "".join(c.get("text", "") for c in group)
        converted = convert_run(text, font, encoding)
        out.append(_merge(group, converted) if len(group) > 1 else {**char, "text": converted})
        i += len(group)
    return out, encoding


@cache
def _prefixes(encoding: Encoding) -> frozenset[str]:
    keys = _table(encoding).to_unicode
    return frozenset(k[:n] for k in keys for n in range(1, len(k) + 1))


def _merge(group: list[dict], text: str) -> dict:
    merged = dict(group[0])
    merged["text"] = text
    for key, pick in (("x0", min), ("top", min), ("x1", max), ("bottom", max)):
        values = [c[key] for c in group if isinstance(c.get(key), int | float)]
        if values:
            merged[key] = pick(values)
    if "x0" in merged and "x1" in merged:
        merged["width"] = merged["x1"] - merged["x0"]
    if "doctop" in group[0] and "top" in merged and "top" in group[0]:
        merged["doctop"] = group[0]["doctop"] + (merged["top"] - group[0]["top"])
    return merged


def _chars_text(chars: list[dict]) -> str:
    """The characters' text with a space where a gap or a new line separates two of them."""
    parts: list[str] = []
    prev: dict | None = None
    for char in chars:
        if prev is not None:
            size = float(prev.get("size") or 10)
            gap = float(char.get("x0", 0)) - float(prev.get("x1", 0))
            line_change = abs(float(char.get("top", 0)) - float(prev.get("top", 0))) > size / 2
            if line_change or gap > 0.15 * size:
                parts.append(" ")
        parts.append(str(char.get("text", "")))
        prev = char
    return "".join(parts)
