"""Optical character recognition: Tesseract's Vietnamese model over page images.

The engine is tesserocr (Tesseract's C++ API in-process): it keeps the model loaded between calls, which
matters when a table is read cell by cell — a cell costs about 10–15 ms with tesserocr against 140 ms with
pytesseract, which starts a ``tesseract`` process per call (10×), and a whole page 1.5 s against 2.3 s
(``scripts/bench_ocr.py``). pytesseract is the fallback when tesserocr cannot be imported but the
``tesseract`` program is installed (``EXTRACTOR_OCR_BACKEND=pytesseract`` forces it, for measurements).

One engine per thread and per setting (language, page segmentation mode, whitelist): Tesseract's API object
is not thread-safe, so each thread gets its own. Tesseract runs one thread per page (``OMP_THREAD_LIMIT=1``
is set before it loads); pages run in parallel across processes (``extractor/parsers/pdf.py``).

Coordinates are pixels of the image given; the callers turn them into PDF points.
"""

from __future__ import annotations

import glob
import math
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy

from extractor.errors import OcrUnavailableError
from extractor.pdfium import PDFIUM_LOCK

if TYPE_CHECKING:
    from extractor.parsers.pdf_layout import Line
    from extractor.parsers.pdf_tables import PdfTable
    from extractor.parsers.text_quality import Reason

# The characters a number cell may hold: digits, separators, sign, percent, brackets.
DIGIT_CHARS = "0123456789,./-%()+:"

_TESSDATA_GLOBS = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/usr/local/share/tesseract-ocr/*/tessdata",
    "/opt/homebrew/share/tessdata",
)


@dataclass(frozen=True)
class Word:
    """One recognised word: its text, Tesseract's confidence (0–100) and its box in pixels."""

    text: str
    conf: float
    x0: int
    top: int
    x1: int
    bottom: int
    line: int  # index of the Tesseract line (block/paragraph/line) the word belongs to


@lru_cache(maxsize=8)
def tessdata_dir(lang: str = "vie") -> str | None:
    """The directory holding ``<lang>.traineddata``: TESSDATA_PREFIX first, then the usual places."""
    candidates: list[str] = []
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        candidates += [prefix, os.path.join(prefix, "tessdata")]
    for pattern in _TESSDATA_GLOBS:
        candidates += sorted(glob.glob(pattern), reverse=True)
    for cand in candidates:
        if all(os.path.isfile(os.path.join(cand, f"{part}.traineddata")) for part in lang.split("+")):
            return cand.rstrip("/") + "/"
    return None


@lru_cache(maxsize=1)
def _backend() -> str:
    """ "tesserocr" or "pytesseract"; raises OcrUnavailableError when neither can run."""
    forced = os.environ.get("EXTRACTOR_OCR_BACKEND", "")
    if forced != "pytesseract":
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            pass
        else:
            if tessdata_dir("vie"):
                return "tesserocr"
    if shutil.which("tesseract") and tessdata_dir("vie"):
        try:
            import pytesseract  # noqa: F401
        except ImportError:
            pass
        else:
            return "pytesseract"
    raise OcrUnavailableError(detail="tesseract or vie.traineddata not found")


def available() -> bool:
    """Whether OCR can run here (Tesseract and its Vietnamese model are installed)."""
    try:
        _backend()
    except OcrUnavailableError:
        return False
    return True


def backend() -> str:
    return _backend()


_local = threading.local()


@lru_cache(maxsize=1)
def _quiet_leptonica() -> None:
    """Leptonica (Tesseract's image library) prints "Error in boxClipToRectangle: …" to stderr for boxes
    it clips, harmless and alarming to a user: set its message severity to none (L_SEVERITY_NONE = 6), in
    the copy tesserocr loaded (its wheel bundles one) or the system's."""
    import ctypes
    import ctypes.util

    import tesserocr

    here = os.path.join(os.path.dirname(tesserocr.__file__), os.pardir, "tesserocr.libs")
    candidates = sorted(glob.glob(os.path.join(here, "libleptonica*.so*")))
    candidates += [name for name in (ctypes.util.find_library("leptonica"), ctypes.util.find_library("lept")) if name]
    for name in candidates:
        try:
            ctypes.CDLL(name).setMsgSeverity(ctypes.c_int(6))
            return
        except (OSError, AttributeError):
            continue


def _api(lang: str, psm: int, digits: bool) -> Any:
    import tesserocr

    _quiet_leptonica()

    cache: dict[tuple[str, int, bool], Any] = getattr(_local, "apis", None) or {}
    _local.apis = cache
    key = (lang, psm, digits)
    api = cache.get(key)
    if api is None:
        api = tesserocr.PyTessBaseAPI(path=tessdata_dir(lang), lang=lang, psm=psm, oem=tesserocr.OEM.LSTM_ONLY)
        if digits:
            api.SetVariable("tessedit_char_whitelist", DIGIT_CHARS)
        cache[key] = api
    return api


def _pil(gray: numpy.ndarray) -> Any:
    from PIL import Image

    if gray.dtype != numpy.uint8:
        gray = numpy.clip(gray, 0, 255).astype(numpy.uint8)
    if gray.ndim == 3:
        gray = gray[:, :, 0]
    return Image.fromarray(numpy.ascontiguousarray(gray), mode="L")


def _words_tesserocr(gray: numpy.ndarray, psm: int, digits: bool, lang: str) -> list[Word]:
    import tesserocr

    api = _api(lang, psm, digits)
    api.SetImage(_pil(gray))
    api.SetSourceResolution(300)  # the resolution Tesseract's size heuristics expect; measured at 200 dpi too
    api.Recognize()
    ri = api.GetIterator()
    out: list[Word] = []
    line = -1
    level = tesserocr.RIL.WORD
    if ri is None:
        return out
    for r in tesserocr.iterate_level(ri, level):
        if r.Empty(level):
            continue
        if line < 0 or r.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            line += 1
        text = r.GetUTF8Text(level) or ""
        text = text.strip()
        box = r.BoundingBox(level)
        if not text or box is None:
            continue
        x0, top, x1, bottom = box
        out.append(Word(text, float(r.Confidence(level)), x0, top, x1, bottom, line))
    api.Clear()
    return out


def _words_pytesseract(gray: numpy.ndarray, psm: int, digits: bool, lang: str) -> list[Word]:
    import pytesseract

    config = f"--psm {psm} --oem 1 --tessdata-dir {tessdata_dir(lang)}"
    if digits:
        config += f" -c tessedit_char_whitelist={DIGIT_CHARS}"
    data = pytesseract.image_to_data(_pil(gray), lang=lang, config=config, output_type=pytesseract.Output.DICT)
    out: list[Word] = []
    lines: dict[tuple[int, int, int], int] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        idx = lines.setdefault(key, len(lines))
        x0, top = int(data["left"][i]), int(data["top"][i])
        out.append(Word(text, conf, x0, top, x0 + int(data["width"][i]), top + int(data["height"][i]), idx))
    return out


def ocr_words(gray: numpy.ndarray, *, psm: int = 3, digits: bool = False, lang: str = "vie") -> list[Word]:
    """Every word Tesseract reads in ``gray`` (8-bit grayscale), in its reading order, with boxes in pixels."""
    if gray.size == 0:
        return []
    if _backend() == "tesserocr":
        return _words_tesserocr(gray, psm, digits, lang)
    return _words_pytesseract(gray, psm, digits, lang)


def ocr_text(gray: numpy.ndarray, *, psm: int = 7, digits: bool = False, lang: str = "vie") -> tuple[str, float]:
    """The text of ``gray`` (a line, a cell) and its mean word confidence (0 when nothing was read)."""
    words = ocr_words(gray, psm=psm, digits=digits, lang=lang)
    if not words:
        return "", 0.0
    parts: list[str] = []
    last = words[0].line
    for w in words:
        parts.append(("\n" if w.line != last else " ") + w.text if parts else w.text)
        last = w.line
    return "".join(parts), sum(w.conf for w in words) / len(words)


def mean_confidence(words: list[Word]) -> float | None:
    """Mean word confidence weighted by the word's length (a long word counts more than a stray mark)."""
    total = sum(len(w.text) for w in words)
    if not total:
        return None
    return sum(w.conf * len(w.text) for w in words) / total


# --- page images ------------------------------------------------------------------------------------------


def render_page(pdf_bytes: bytes, index: int, dpi: int, *, forms: bool = False) -> numpy.ndarray:
    """Page ``index`` (0-based) of a PDF rendered at ``dpi`` as an 8-bit grayscale array."""
    import pypdfium2

    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(pdf_bytes)
        try:
            if forms:
                pdf.init_forms()
            page = pdf[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, grayscale=True, may_draw_forms=forms)
                image = bitmap.to_pil().convert("L")
            finally:
                page.close()
        finally:
            pdf.close()
    return numpy.asarray(image, dtype=numpy.uint8)


# A page is never rendered for OCR to more pixels than this (an A0 poster at 200 dpi is 50 M): a huge page
# is rendered at a lower resolution instead of exhausting memory.
MAX_RENDER_PIXELS = 60_000_000


def fit_dpi(pdf_bytes: bytes, index: int, dpi: int) -> int:
    """``dpi``, lowered so that page ``index`` renders to at most MAX_RENDER_PIXELS pixels."""
    import pypdfium2

    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(pdf_bytes)
        try:
            width, height = pdf.get_page_size(index)
        finally:
            pdf.close()
    pixels = width * height * (dpi / 72.0) ** 2
    if pixels <= MAX_RENDER_PIXELS:
        return dpi
    return max(1, int(dpi * math.sqrt(MAX_RENDER_PIXELS / pixels)))


def iter_rendered(pdf_bytes: bytes, indices: list[int], dpi: int) -> Iterator[tuple[int, numpy.ndarray, float]]:
    """Pages of one PDF rendered in turn (the document opened once): (index, image, the dpi used — lower
    than ``dpi`` for a page that would exceed MAX_RENDER_PIXELS). The lock is held only while pdfium works."""
    import pypdfium2

    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        for index in indices:
            with PDFIUM_LOCK:
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    pixels = width * height * (dpi / 72.0) ** 2
                    used = dpi * min(1.0, math.sqrt(MAX_RENDER_PIXELS / pixels)) if pixels else float(dpi)
                    bitmap = page.render(scale=used / 72.0, grayscale=True)
                    gray = numpy.asarray(bitmap.to_pil().convert("L"), dtype=numpy.uint8)
                finally:
                    page.close()
            yield index, gray, used
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _ink_mask(gray: numpy.ndarray) -> numpy.ndarray:
    import cv2

    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def _profile_score(mask: numpy.ndarray, angle: float) -> float:
    import cv2

    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = rotated.sum(axis=1, dtype=numpy.float64)
    diff = numpy.diff(rows)
    return float((diff * diff).sum())


def estimate_skew(gray: numpy.ndarray, *, max_angle: float = 5.0) -> float:
    """The angle (degrees, counter-clockwise positive) that makes the text lines horizontal.

    Projection profile: rotating the ink by the right angle makes each text line a sharp band of rows, so the
    row sums change most abruptly; a coarse search in 0.5° steps, then a fine one in 0.05° steps."""
    import cv2

    h, w = gray.shape[:2]
    if h < 50 or w < 50:
        return 0.0
    factor = min(1.0, 900.0 / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    mask = _ink_mask(small)
    if mask.mean() < 0.5:  # a blank page
        return 0.0
    best = max(numpy.arange(-max_angle, max_angle + 0.01, 0.5), key=lambda a: _profile_score(mask, float(a)))
    fine = numpy.arange(best - 0.5, best + 0.51, 0.05)
    angle = float(max(fine, key=lambda a: _profile_score(mask, float(a))))
    return round(angle, 2)


def deskew(gray: numpy.ndarray) -> tuple[numpy.ndarray, float]:
    """The page straightened (rotated about its centre, white filled) and the angle it was rotated by."""
    import cv2

    angle = estimate_skew(gray)
    if abs(angle) < 0.1:
        return gray, 0.0
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return rotated, angle


# --- a page read by OCR -----------------------------------------------------------------------------------

# Words Tesseract itself doubts this much (confidence below, 0–100) are specks and ringing, not text.
MIN_WORD_CONF = 20.0
# Below this confidence a word is kept but in doubt: a number or date read from it is marked uncertain
# (handwritten digits come out here: realdoc 30's "932" is read "332" at 63, its printed words at 96).
DOUBT_CONF = 80.0
# A page image with less ink than this share of its pixels (once specks are removed), on which OCR finds no
# word, is a blank page (the back of a sheet scanned with its front), not a page left unread.
BLANK_INK = 0.002


@dataclass(frozen=True)
class Doubt:
    """A word read with a confidence below DOUBT_CONF, where it is (PDF points), and Tesseract's own reading
    where the second reader (``ocr_second``) changed its digits."""

    text: str
    conf: float
    box: tuple[float, float, float, float]  # x0, top, x1, bottom
    first: str | None = None


@dataclass
class OcrPage:
    """One page image read by OCR, in PDF points: its lines (outside tables) and its tables."""

    number: int
    lines: list[Line]
    tables: list[PdfTable]
    confidence: float | None  # mean confidence of the words and table cells read, 0–100
    chars: int  # printable characters read
    angle: float  # the skew corrected, degrees
    quality: Reason | None  # why the text read is not text (text_quality), None when it is
    ink: float = 1.0  # share of the image's pixels that are ink, specks removed
    doubts: list[Doubt] = field(default_factory=list)  # words read with a confidence below DOUBT_CONF

    @property
    def blank(self) -> bool:
        return self.chars == 0 and self.ink < BLANK_INK


def read_page_image(gray: numpy.ndarray, number: int, scale: float, *, second: bool = True) -> OcrPage:
    """Read one page image (8-bit grayscale; ``scale`` PDF points per pixel): straighten it, rebuild its ruled
    tables from the image, and OCR the rest of the page as lines of words."""
    from extractor.parsers.pdf_layout import ocr_lines
    from extractor.parsers.text_quality import assess

    gray, angle = deskew(gray)
    tables = _tables(gray, number, scale)
    masked = gray
    if tables:
        masked = gray.copy()
        h, w = masked.shape[:2]
        for t in tables:
            x0, top, x1, bottom = (round(v / scale) for v in t.bbox)
            masked[max(0, top - 2) : min(h, bottom + 3), max(0, x0 - 2) : min(w, x1 + 3)] = 255
    raw = ocr_words(masked)
    words = _join_split_hyphens([w for k, w in enumerate(raw) if w.conf >= MIN_WORD_CONF or _fills_number(raw, k)])
    firsts: dict[int, str] = {}
    if second:
        words, firsts = reread_doubted_digits(masked, words)
    lines = ocr_lines(
        [
            [(w.text, w.x0 * scale, w.x1 * scale, w.top * scale, w.bottom * scale) for w in group]
            for group in _by_line(words)
        ]
    )
    weighted = [(w.conf, len(w.text)) for w in words]
    weighted += [
        (c.confidence, len(c.text)) for t in tables for c in t.cells if c.confidence is not None and c.text.strip()
    ]
    total = sum(n for _, n in weighted)
    confidence = round(sum(c * n for c, n in weighted) / total, 1) if total else None
    text = "\n".join([ln.text for ln in lines] + [c.text for t in tables for c in t.cells])
    chars = sum(1 for ch in text if not ch.isspace())
    reason = assess(text).reason if chars else None
    doubts = [
        Doubt(w.text, w.conf, (w.x0 * scale, w.top * scale, w.x1 * scale, w.bottom * scale), firsts.get(k))
        for k, w in enumerate(words)
        if w.conf < DOUBT_CONF and any(ch.isalnum() for ch in w.text)
    ]
    return OcrPage(number, lines, tables, confidence, chars, angle, reason, ink_share(gray), doubts)


# A doubted word's stretch of line, for the second reader: words of its Tesseract line closer than this many
# line heights to the next; the crop is padded by PAD line heights.
STRETCH_GAP, PAD = 2.5, 0.3


def reread_doubted_digits(gray: numpy.ndarray, words: list[Word]) -> tuple[list[Word], dict[int, str]]:
    """The words with the digits of the doubted ones voted on by a second recogniser (``ocr_second``), and
    for each word changed or added, by index, what Tesseract had read there ("" for nothing). A doubted word
    both readers agree on is no longer in doubt (its confidence becomes DOUBT_CONF); digits only the second
    reader saw, in a number or date blank Tesseract read empty, become new words, in doubt.

    Stretches re-read: those with a doubted word holding a digit, and header blanks left without digits."""
    from extractor.parsers import ocr_second

    todo: list[list[int]] = []
    seen: set[int] = set()
    for k in range(len(words)):
        if k in seen:
            continue
        stretch = _stretch(words, k)
        while stretch[-1] + 1 < len(words) and _opens_blank(words, stretch[-1]):
            # "ngày" and the rest of its line, past a wide blank
            stretch += [i for i in _stretch(words, stretch[-1] + 1) if i > stretch[-1]]
        text = " ".join(words[i].text for i in stretch)
        doubted_digit = any(words[i].conf < DOUBT_CONF and any(c.isdigit() for c in words[i].text) for i in stretch)
        if doubted_digit or ocr_second.empty_blank(text) or ocr_second.header_blanks(text):
            todo.append(stretch)
        seen.update(stretch)
    if not todo or not ocr_second.available():
        return words, {}
    changed: dict[int, Word] = {}
    added: list[tuple[int, Word]] = []  # (index of the word it follows, -1 for none; the new word)
    firsts: dict[int, str] = {}
    for stretch in todo:
        ctx = _Stretch.of(words, stretch)
        voted = _vote(gray, ctx)
        if voted is None:
            continue
        texts: dict[int, str] = {}
        gap: dict[int, str] = {}  # digits only the second reader saw, by the word they follow
        for ch, target in zip(voted.text, _targets(ctx, voted), strict=True):
            if target[0] == "gap":
                gap[target[1]] = gap.get(target[1], "") + ch
            elif target[1] >= 0:
                texts[target[1]] = texts.get(target[1], "") + ch
        for i in stretch:
            w = words[i]
            if not texts.get(i):
                continue
            if texts[i] != w.text:
                texts[i] = _third_vote(gray, ctx, i, texts[i])
            if texts[i] != w.text:
                firsts[i] = w.text
                conf = min(w.conf, DOUBT_CONF - 1)  # two readers disagreed: in doubt
                changed[i] = Word(texts[i], conf, w.x0, w.top, w.x1, w.bottom, w.line)
            elif voted.confirmed and w.conf < DOUBT_CONF:
                changed[i] = Word(w.text, DOUBT_CONF, w.x0, w.top, w.x1, w.bottom, w.line)
        for follows, digits in gap.items():
            added.append((follows, _gap_word(words, stretch, follows, digits)))
    out: list[Word] = []
    out_firsts: dict[int, str] = {}
    inserts: dict[int, list[Word]] = {}
    for follows, w in added:
        inserts.setdefault(follows, []).append(w)
    for w in inserts.get(-1, []):
        out_firsts[len(out)] = ""
        out.append(w)
    for k, w in enumerate(words):
        if k in firsts:
            out_firsts[len(out)] = firsts[k]
        out.append(changed.get(k, w))
        for new in inserts.get(k, []):
            out_firsts[len(out)] = ""
            out.append(new)
    return out, out_firsts


@dataclass(frozen=True)
class _Stretch:
    """A stretch of a line as the vote sees it: its words joined by spaces (``first``), the word each letter
    belongs to (``owner``, -1 for a space), the header blanks and number sign in it, and Tesseract's
    confidence in each letter (0–1; in a header blank a letter or mark where a digit belongs counts for
    nothing)."""

    words: list[Word]
    indices: list[int]
    first: str
    owner: list[int]
    blanks: set[int]
    letters: set[int]
    conf: list[float]

    @classmethod
    def of(cls, words: list[Word], indices: list[int]) -> _Stretch:
        from extractor.parsers import ocr_second

        owner: list[int] = []
        for n, i in enumerate(indices):
            owner += ([-1] if n else []) + [i] * len(words[i].text)
        first = " ".join(words[i].text for i in indices)
        blanks = ocr_second.header_blanks(first)
        conf = [
            1.0 if i < 0 else 0.0 if c in blanks and not first[c].isdigit() else words[i].conf / 100
            for c, i in enumerate(owner)
        ]
        return cls(words, indices, first, owner, blanks, ocr_second.number_sign(first), conf)

    def doubted(self, c: int) -> bool:
        """Letter ``c`` may be voted on: it lies in a doubted word, or in a header blank."""
        return (
            0 <= c < len(self.owner)
            and self.owner[c] >= 0
            and (c in self.blanks or self.words[self.owner[c]].conf < DOUBT_CONF)
        )


def _vote(gray: numpy.ndarray, ctx: _Stretch) -> Any:
    """The stretch read again by the second reader and voted with Tesseract's reading, or None."""
    from extractor.parsers import ocr_second

    spans = [ctx.words[i] for i in ctx.indices]
    pad = max(2, round(PAD * max(w.bottom - w.top for w in spans)))
    x0, x1 = min(w.x0 for w in spans) - pad, max(w.x1 for w in spans) + pad
    top, bottom = min(w.top for w in spans) - pad, max(w.bottom for w in spans) + pad
    read = ocr_second.read_line(gray[max(0, top) : bottom, max(0, x0) : x1])
    if read is None:
        return None
    return ocr_second.combine(
        ctx.first,
        ctx.conf,
        read[0],
        read[1],
        ctx.doubted,
        gaps=bool(ctx.blanks) or ocr_second.empty_blank(ctx.first),
        blanks=ctx.blanks,
        letters=ctx.letters,
    )


def _third_vote(gray: numpy.ndarray, ctx: _Stretch, i: int, voted: str) -> str:
    """Word ``i`` as the vote of three readings: Tesseract's, the one voted from the second reader's
    reading of the whole stretch (``voted``), and one voted the same way from its reading of the word
    alone. PP-OCR reads a line and a word differently where the writing is ambiguous (realdoc 18's "239":
    "139" on the line, "239" on the word); each letter takes the reading two of the three agree on, the
    stretch's where all three differ."""
    from extractor.parsers import ocr_second

    w = ctx.words[i]
    pad = max(2, round(PAD * max(1, w.bottom - w.top)))
    read = ocr_second.read_line(gray[max(0, w.top - pad) : w.bottom + pad, max(0, w.x0 - pad) : w.x1 + pad])
    if read is None:
        return voted
    at = ctx.owner.index(i)
    span = range(at, at + len(w.text))
    alone = ocr_second.combine(
        w.text,
        [ctx.conf[c] for c in span],
        read[0],
        read[1],
        lambda k: ctx.doubted(at + k),
        blanks={c - at for c in ctx.blanks if c in span},
        letters={c - at for c in ctx.letters if c in span},
    )
    return voted if alone is None else ocr_second.majority(w.text, voted, alone.text)


def _targets(ctx: _Stretch, voted: Any) -> list[tuple[str, int]]:
    """Where each letter of a voted stretch goes: ("word", k) into word ``k`` (-1: a space), or ("gap", k)
    into a new word after word ``k``. A digit the second reader added goes into the word beside it when that
    word is doubted or a number (before "7" in "ngày 7 tháng" read "27"), else into the gap."""
    owner = ctx.owner

    def takes(c: int) -> bool:
        ch = ctx.first[c]
        if ch.isdigit():
            return True
        # a doubted mark ("4#"), or a letter standing in a number blank ("Z⁄"); never a word of letters
        return ctx.doubted(c) and not (ch.isspace() or ch in "/-.,:()") and (not ch.isalpha() or c in ctx.blanks)

    out: list[tuple[str, int]] = []
    n = len(voted.text)
    for pos in range(n):
        c = voted.origin[pos]
        if not voted.inserted[pos]:
            out.append(("word", owner[c]))
            continue
        # the first reader's letters either side, past spaces
        later = next(
            (voted.origin[q] for q in range(pos + 1, n) if not voted.inserted[q] and owner[voted.origin[q]] >= 0), None
        )
        earlier = next((k for k in range(c, -1, -1) if owner[k] >= 0), None) if c >= 0 else None
        if earlier is not None and takes(earlier):
            out.append(("word", owner[earlier]))
        elif later is not None and takes(later):
            out.append(("word", owner[later]))
        else:  # a new word after the one before, or before the stretch's first
            out.append(("gap", owner[earlier] if earlier is not None else owner[0] - 1))
    return out


def _gap_word(words: list[Word], stretch: list[int], follows: int, digits: str) -> Word:
    """A word of ``digits`` the second reader saw after word ``follows`` (in the gap before the next word of
    the stretch), in doubt: one reader only saw it."""
    here = [i for i in stretch if i > follows]
    before = words[follows] if follows in stretch else None
    after = words[here[0]] if here else None
    ref = before or after
    assert ref is not None
    h = ref.bottom - ref.top
    x0 = before.x1 + 1 if before else max(0, (after.x0 if after else 0) - h * len(digits))
    x1 = after.x0 - 1 if after else x0 + h * len(digits)
    return Word(digits, DOUBT_CONF - 1, x0, ref.top, max(x1, x0 + 1), ref.bottom, ref.line)


def _fills_number(words: list[Word], k: int) -> bool:
    """Word ``k`` is what follows "Số:" on its line, however little Tesseract trusts it: a handwritten number
    (realdoc 18's "239/TTr-CAT-PC06", read "23/TTr-CAT-PC06" at 13), not a speck; it stays in doubt."""
    from extractor.parsers.ocr_second import fold_text

    if k == 0 or not any(ch.isalnum() for ch in words[k].text):
        return False
    before, w = words[k - 1], words[k]
    h = max(1, before.bottom - before.top)
    return fold_text(before.text) in ("so:", "so") and before.line == w.line and 0 <= w.x0 - before.x1 < BLANK_GAP * h


# A blank a clerk writes a number into is at most this many line heights wide.
BLANK_GAP = 8.0


def _opens_blank(words: list[Word], k: int) -> bool:
    """Word ``k`` is the printed word before a header blank ("Số:", "ngày", "tháng") and the next word, on
    the same line, is within BLANK_GAP line heights."""
    from extractor.parsers.ocr_second import fold_text

    w, nxt = words[k], words[k + 1]
    h = max(1, w.bottom - w.top)
    before = fold_text(w.text).rstrip(":")
    return before in ("so", "ngay", "thang") and nxt.line == w.line and 0 <= nxt.x0 - w.x1 < BLANK_GAP * h


def _stretch(words: list[Word], k: int) -> list[int]:
    """Indices of the words around ``words[k]`` on its line with no gap wider than STRETCH_GAP heights."""
    w = words[k]
    h = max(1, w.bottom - w.top)
    lo = hi = k
    while lo > 0 and words[lo - 1].line == w.line and words[lo].x0 - words[lo - 1].x1 < STRETCH_GAP * h:
        lo -= 1
    while hi + 1 < len(words) and words[hi + 1].line == w.line and words[hi + 1].x0 - words[hi].x1 < STRETCH_GAP * h:
        hi += 1
    return list(range(lo, hi + 1))


def ink_share(gray: numpy.ndarray) -> float:
    """The share of pixels that are ink (well darker than the paper, the page's median grey: faded print
    counts), once specks of a pixel or two are removed."""
    import cv2

    h, w = gray.shape[:2]
    inner = gray[h // 33 : h - h // 33, w // 33 : w - w // 33]  # a scanner's dark edges are not the page's ink
    paper = float(numpy.median(inner))
    dark = (inner < paper - 50).astype(numpy.uint8)
    return float(cv2.morphologyEx(dark, cv2.MORPH_OPEN, numpy.ones((2, 2), numpy.uint8)).mean())


def _join_split_hyphens(words: list[Word]) -> list[Word]:
    """One word where Tesseract cut a word at its hyphen and gave the hyphen to both halves, e.g. "06/QĐ-"
    "-TTg" for "06/QĐ-TTg": the halves touch (a gap under half the line's height) on one line."""
    out: list[Word] = []
    for w in words:
        last = out[-1] if out else None
        if (
            last is not None
            and last.line == w.line
            and last.text.endswith("-")
            and w.text.startswith("-")
            and len(w.text) > 1
            and w.x0 - last.x1 < 0.5 * max(w.bottom - w.top, last.bottom - last.top)
        ):
            out[-1] = Word(
                last.text + w.text[1:],
                min(last.conf, w.conf),
                last.x0,
                min(last.top, w.top),
                max(last.x1, w.x1),
                max(last.bottom, w.bottom),
                last.line,
            )
        else:
            out.append(w)
    return out


def _by_line(words: list[Word]) -> list[list[Word]]:
    groups: dict[int, list[Word]] = {}
    for w in words:
        groups.setdefault(w.line, []).append(w)
    return list(groups.values())


def _tables(gray: numpy.ndarray, number: int, scale: float) -> list[PdfTable]:
    """The page's ruled tables rebuilt from the image (``extractor.parsers.ocr_table``), when that reader is
    installed; none otherwise."""
    try:
        from extractor.parsers.ocr_table import read_tables
    except ImportError:
        return []
    return read_tables(gray, number, scale)


# --- many pages, across processes -------------------------------------------------------------------------

# Fewer OCR pages than this are read in turn: starting the workers (each imports the library and loads the
# model, about 1.5 s here) costs more than it saves on one page per core of about 1.2 s at 200 dpi.
POOL_MIN_PAGES = 4

# The file a worker process reads pages of: ("pdf" | "image", its bytes), set once per worker.
_SOURCE: tuple[str, bytes] | None = None


def _init_worker(kind: str, data: bytes) -> None:
    global _SOURCE
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _SOURCE = (kind, data)  # only ever set in a worker process of the pool


def load_page(kind: str, data: bytes, index: int, dpi: int) -> tuple[numpy.ndarray, float]:
    """Page ``index`` of a PDF or an image file as a grayscale image and its PDF points per pixel."""
    if kind == "pdf":
        fitted = fit_dpi(data, index, dpi)
        return render_page(data, index, fitted), 72.0 / fitted
    from extractor.parsers.image import frame

    return frame(data, index, dpi)


def _read(kind: str, data: bytes, index: int, dpi: int, second: bool = True) -> OcrPage:
    gray, scale = load_page(kind, data, index, dpi)
    return read_page_image(gray, index + 1, scale, second=second)


def _read_one(index: int, dpi: int, second: bool) -> OcrPage:
    """A worker's task: page ``index`` of the file the worker was given when it started."""
    assert _SOURCE is not None
    return _read(*_SOURCE, index, dpi, second)


def read_pages(
    kind: str, data: bytes, indices: list[int], dpi: int, workers: int | None = None, *, second: bool = True
) -> list[OcrPage]:
    """OCR pages ``indices`` (0-based) of a PDF (``kind="pdf"``) or an image file (``"image"``).

    Several pages are read in parallel by ``workers`` processes (default: one per core), each running
    Tesseract on one thread. The pool is started with "forkserver" (or "spawn"), never "fork": a fork of a
    threaded server may copy a held lock. A process that is itself a worker (e.g. of ``audit_many``, which
    already keeps every core busy) reads its pages in turn."""
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A worker being started re-runs the main script, and that script reads this file: stop this worker
        # quietly; the parent reads the pages itself (below).
        raise SystemExit(1)
    _backend()  # OcrUnavailableError before any work
    if workers is None:
        workers = os.cpu_count() or 1
    workers = min(workers, len(indices))
    if workers <= 1 or len(indices) < POOL_MIN_PAGES or multiprocessing.parent_process() is not None:
        return [_read(kind, data, i, dpi, second) for i in indices]  # here, in this thread: no shared state
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(kind, data)) as pool:
            return list(pool.map(_read_one, indices, [dpi] * len(indices), [second] * len(indices)))
    except (BrokenProcessPool, OSError):
        # The workers could not start, e.g. a script without the ``if __name__ == "__main__":`` guard that
        # starting a process needs: read the pages here, in turn.
        return read_pages(kind, data, indices, dpi, workers=1, second=second)
