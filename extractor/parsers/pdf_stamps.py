"""Signature widgets of a PDF page and the text their stamps draw over the page's blanks.

E-signing systems leave the number and the day of an issued document blank in the page text
("Số:   /TTr-SNV", "ngày   tháng 01 năm 2026") and draw them as the appearance of a signature widget whose
rectangle sits on the blank. pdfplumber reads the page's content only, so the appearance stream (/AP /N, a
form XObject) of each signature widget is interpreted here with pdfminer into characters placed on the
page. A stamp of one short line that sits on a blank of a text line (a word of the page close on its left
or right, little drawn under it) is merged into that line; any other stamp text (a "Ký bởi: … Thời gian ký: …" box)
stays out of the body and is kept only as the signature's stamp text.

An appearance that is only an image draws no characters. When such a widget sits on the blank of the number
("Số:   /BC-UBND"), the day ("ngày   tháng") or the month ("tháng   năm"), the widget is rendered with
pypdfium2 (forms initialised) and rendered again without annotations, the pixels both renderings share
(the page under the widget) are whitened, and what is left is read by OCR: digits only, and for the
number a second pass with letters (e.g. "932/QĐ-TTg"). A reading that is not a number, a day or a month
of the calendar is dropped and the blank stays blank. The characters made from a reading are merged like
text stamps and marked ``ocr``. Image widgets anywhere else (a signature picture, a seal) are never read.

Nothing here raises for a broken file: an annotation that cannot be read is skipped.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy
import regex
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTImage, LTItem
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.page import Page as PlumberPage

from extractor.model import BBox, Document, StampedSpan

Obj = dict[str, Any]
Matrix = tuple[float, float, float, float, float, float]

_MAX_PARENTS = 16  # field hierarchy depth followed up /Parent (a cycle stops here too)
_MAX_STAMP_CHARS = 24  # a stamp filling a blank is short ("329", "05"); a long text is a signature box
_FLAG_HIDDEN, _FLAG_NOVIEW = 2, 32
_JOIN = 3.0  # words closer than this are one word for the text lines (pdf_layout's x tolerance)
_UNDER = 0.35  # a stamp may overlap page characters over this share of its width (drawn a little askew)
_TOUCH = 0.4  # a stamp may touch a page character by this share of its width ("329" drawn into "/BC-UBND")
# An image stamp read by OCR: rendered at this resolution; its reading kept at this mean confidence or more.
_OCR_DPI = 400
_MIN_OCR_CONF = 50.0
_MAX_BLANK_HEIGHT = 48.0  # a widget taller than this (points) is a signature picture, not a blank's stamp
_FILLER = set(" .…_·-")  # what a blank is typed with
Blank = Literal["number", "day", "month"]
_NUMBER_READ = regex.compile(r"^\d{1,6}(?:/[\p{L}\d.()-]{1,24}(?:/[\p{L}\d.()-]{1,24})?)?$")
_DAY_READ = regex.compile(r"^\d{1,2}$")


@dataclass
class Stamp:
    """A signature widget on a page: its field's full name, rectangle (top-left origin) and drawn text."""

    name: str
    page: int
    box: tuple[float, float, float, float]
    chars: list[Obj] = field(default_factory=list)
    image: bool = False
    merged: list[list[Obj]] = field(default_factory=list)  # the stamp lines merged into the page's text
    ocr: bool = False  # its characters were read by OCR from an image appearance
    blank: Blank | None = None  # the blank an image stamp sits on
    after: str = ""  # the page's text right of that blank, on its line (e.g. "tháng 11 năm 2025")
    ocr_confidence: float | None = None

    @property
    def text(self) -> str:
        return " ".join("".join(c["text"] for c in line).strip() for line in _lines(self.chars)).strip()


def page_stamps(page: PlumberPage, number: int) -> list[Stamp]:
    """The signature widgets of ``page`` with the characters their appearances draw (never raises)."""
    try:
        annots = resolve1(page.page_obj.attrs.get("Annots"))
    except Exception:
        return []
    if not isinstance(annots, list):
        return []
    out = []
    for ref in annots:
        try:
            stamp = _stamp(resolve1(ref), page, number)
        except Exception:  # one unreadable annotation does not hide the others
            stamp = None
        if stamp is not None:
            out.append(stamp)
    images = [s for s in out if s.image and not any(c["text"].strip() for c in s.chars)]
    if images:
        with suppress(Exception):  # OCR missing or a rendering failure leaves the blanks blank
            read_image_stamps(images, page)
    return out


def _stamp(annot: Any, page: PlumberPage, number: int) -> Stamp | None:
    if not isinstance(annot, dict) or _name(annot.get("Subtype")) != "Widget":
        return None
    chain = _field_chain(annot)
    if _name(next((resolve1(d.get("FT")) for d in chain if d.get("FT") is not None), None)) != "Sig":
        return None
    flags = resolve1(annot.get("F")) or 0
    rect = [float(resolve1(v)) for v in resolve1(annot.get("Rect")) or []]
    if len(rect) != 4 or (isinstance(flags, int) and flags & (_FLAG_HIDDEN | _FLAG_NOVIEW)):
        return None
    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    mx0, my0, _, my1 = (float(v) for v in page.page_obj.mediabox)
    height = my1 - my0
    name = ".".join(reversed([_text(d.get("T")) for d in chain if d.get("T") is not None]))
    stamp = Stamp(name, number, (x0 - mx0, height - (y1 - my0), x1 - mx0, height - (y0 - my0)))
    if x1 - x0 < 1 or y1 - y0 < 1 or (resolve1(page.page_obj.attrs.get("Rotate")) or 0) % 360:
        return stamp
    ap = resolve1(annot.get("AP"))
    normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
    if isinstance(normal, PDFStream):
        items = _render(normal, (x0, y0, x1, y1), (mx0, my0))
        stamp.chars = [_char(c, height, number) for c in _walk(items, LTChar)]
        stamp.image = any(True for _ in _walk(items, LTImage))
    return stamp


def _field_chain(annot: dict[str, Any]) -> list[dict[str, Any]]:
    """The widget and its ancestors up /Parent, nearest first; a cycle or a too deep tree is cut."""
    chain, seen, node = [annot], {id(annot)}, annot
    for _ in range(_MAX_PARENTS):
        parent = resolve1(node.get("Parent"))
        if not isinstance(parent, dict) or id(parent) in seen:
            break
        chain.append(parent)
        seen.add(id(parent))
        node = parent
    return chain


def _name(value: Any) -> str | None:
    value = resolve1(value)
    return str(value.name) if isinstance(value, PSLiteral) else None


def _text(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", errors="replace")
        return str(value.decode("latin-1"))
    return str(value)


class _FormPage:
    """What PDFPageAggregator needs of a page to render a form XObject on its own."""

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.mediabox = self.cropbox = box
        self.rotate, self.pageid = 0, 0
        self.resources: dict[str, Any] = {}
        self.contents: list[Any] = []


def _render(form: PDFStream, rect: tuple[float, float, float, float], origin: tuple[float, float]) -> LTItem:
    """Draw the appearance form in page space (PDF 32000 §12.5.5: its BBox, through its Matrix, fills Rect)."""
    bbox = [float(resolve1(v)) for v in resolve1(form.attrs.get("BBox")) or [0, 0, 0, 0]]
    raw = resolve1(form.attrs.get("Matrix"))
    matrix: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    if isinstance(raw, list) and len(raw) == 6:
        a, b, c, d, e, f = (float(resolve1(v)) for v in raw)
        matrix = (a, b, c, d, e, f)
    corners = [_apply(matrix, x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    bx0, by0 = min(p[0] for p in corners), min(p[1] for p in corners)
    bx1, by1 = max(p[0] for p in corners), max(p[1] for p in corners)
    sx = (rect[2] - rect[0]) / (bx1 - bx0) if bx1 > bx0 else 1.0
    sy = (rect[3] - rect[1]) / (by1 - by0) if by1 > by0 else 1.0
    fit: Matrix = (sx, 0, 0, sy, rect[0] - origin[0] - bx0 * sx, rect[1] - origin[1] - by0 * sy)
    ctm = _mult(matrix, fit)
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    page = _FormPage((0.0, 0.0, rect[2], rect[3]))
    device.begin_page(page, (1, 0, 0, 1, 0, 0))  # type: ignore[arg-type]
    interpreter.init_resources(resolve1(form.attrs.get("Resources")) or {})
    interpreter.init_state(ctm)
    interpreter.execute([form])
    device.end_page(page)  # type: ignore[arg-type]
    return device.get_result()


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m then n."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _walk(item: Any, kind: type) -> Iterator[Any]:
    if isinstance(item, kind):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _walk(child, kind)


def _char(c: LTChar, height: float, page: int) -> Obj:
    """A pdfplumber-shaped character (top-left origin), marked as drawn by a stamp."""
    top, bottom = height - c.y1, height - c.y0
    return {
        "text": c.get_text(),
        "x0": c.x0,
        "x1": c.x1,
        "y0": c.y0,
        "y1": c.y1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": c.width,
        "height": c.height,
        "size": c.size,
        "fontname": c.fontname,
        "upright": c.upright,
        "matrix": c.matrix,
        "adv": c.adv,
        "object_type": "char",
        "page_number": page,
        "stamp": True,
    }


def _lines(chars: list[Obj]) -> list[list[Obj]]:
    """Characters grouped into visual lines (tops within 3 pt), each left to right."""
    out: list[list[Obj]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if out and abs(out[-1][0]["top"] - ch["top"]) <= 3:
            out[-1].append(ch)
        else:
            out.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in out]


def with_stamps(chars: list[Obj], stamps: list[Stamp]) -> list[Obj]:
    """The page's characters with every stamp line that sits on a blank of a text line merged in."""
    page = [c for c in chars if c["text"].strip()]
    added: list[Obj] = []
    for stamp in stamps:
        lines = _lines([c for c in stamp.chars if c["text"].strip()])
        if len(lines) != 1:  # a stamp filling a blank is one short line; several lines make a signature box
            continue
        for line in lines:
            row = _blank_row(line, page)
            if row is not None:
                offset = (page[0]["doctop"] - page[0]["top"]) if page else 0.0
                added += [{**c, "doctop": c["top"] + offset} for c in [*line, *_word_breaks(line, row)]]
                stamp.merged.append(line)
    if not added:
        return chars
    return [c for c in chars if c["text"].strip() or not any(_covers(a, c) for a in added)] + added


def _blank_row(line: list[Obj], page: list[Obj]) -> list[Obj] | None:
    """The page characters of the text line whose blank a short stamp line fills: nothing drawn under it and
    a word of the page close on its left or right. None when the stamp sits on no blank."""
    if len(line) > _MAX_STAMP_CHARS:
        return None
    x0, x1 = line[0]["x0"], line[-1]["x1"]
    top, bottom = min(c["top"] for c in line), max(c["bottom"] for c in line)
    size = max(c["size"] for c in line)
    row = [c for c in page if _v_overlap(c, top, bottom) >= 0.5 * min(bottom - top, c["bottom"] - c["top"])]
    under = sum(max(0.0, min(c["x1"], x1) - max(c["x0"], x0)) for c in row)
    if under > _UNDER * (x1 - x0):
        return None
    reach = 3 * size
    near = any(-_TOUCH * size <= x0 - c["x1"] <= reach or -_TOUCH * size <= c["x0"] - x1 <= reach for c in row)
    return row if near else None


def _word_breaks(line: list[Obj], row: list[Obj]) -> list[Obj]:
    """Spaces where a stamp's letters or digits would run into a word of the page ("19tháng" -> "19 tháng");
    the page's next character is the first one whose middle lies past the start of the stamp's last one."""
    out = []
    first, last = line[0], line[-1]
    after = min((c for c in row if _mid(c) > last["x0"]), key=lambda c: c["x0"], default=None)
    before = max((c for c in row if _mid(c) < first["x1"]), key=lambda c: c["x1"], default=None)
    if after is not None and after["x0"] - last["x1"] < _JOIN and (after["text"] + last["text"]).isalnum():
        x = min(last["x1"], after["x0"]) - 0.01
        out.append({**last, "text": " ", "x0": x, "x1": x + 0.01, "stamp": True})
    if before is not None and first["x0"] - before["x1"] < _JOIN and (before["text"] + first["text"]).isalnum():
        x = first["x0"] - 0.01
        out.append({**first, "text": " ", "x0": x, "x1": x + 0.01, "stamp": True})
    return out


def _mid(c: Obj) -> float:
    return float(c["x0"] + c["x1"]) / 2


def _v_overlap(c: Obj, top: float, bottom: float) -> float:
    return float(min(c["bottom"], bottom) - max(c["top"], top))


def _covers(stamp: Obj, blank: Obj) -> bool:
    """A page's space character lies under a merged stamp character (it would split the stamp's word)."""
    across = min(stamp["x1"], blank["x1"]) - max(stamp["x0"], blank["x0"])
    return across > 0.5 and _v_overlap(blank, stamp["top"], stamp["bottom"]) > 0


def stamped_spans(doc: Document, stamps: list[Stamp]) -> list[StampedSpan]:
    """Where the merged stamp lines ended up in ``doc.text``, found by position on the drawn lines."""
    out = []
    for stamp in stamps:
        for line in stamp.merged:
            span = _locate(doc, stamp, line)
            if span is not None:
                out.append(StampedSpan(start=span[0], end=span[1], page=stamp.page, field=stamp.name, ocr=stamp.ocr))
    return sorted(out, key=lambda s: s.start)


def _locate(doc: Document, stamp: Stamp, line: list[Obj]) -> tuple[int, int] | None:
    """The occurrence of the stamp's text, on a drawn line at its height, nearest to where it is drawn."""
    text = "".join(c["text"] for c in line)
    x0, x1 = line[0]["x0"], line[-1]["x1"]
    top, bottom = min(c["top"] for c in line), max(c["bottom"] for c in line)
    best: tuple[float, int] | None = None
    for drawn in doc.text_lines:
        if drawn.page != stamp.page or min(drawn.bottom, bottom) - max(drawn.top, top) <= 0:
            continue
        at = doc.text.find(text, drawn.start, drawn.end)
        while at >= 0:
            i, j = at - drawn.start, at - drawn.start + len(text) - 1
            if 2 * j + 1 < len(drawn.xs):
                off = abs((drawn.xs[2 * i] + drawn.xs[2 * j + 1]) / 2 - (x0 + x1) / 2)
                if off <= max(x1 - x0, 3.0) and (best is None or off < best[0]):
                    best = (off, at)
            at = doc.text.find(text, at + 1, drawn.end)
    if best is not None:
        return best[1], best[1] + len(text)
    return _locate_by_text(doc, stamp.page, ((x0 + x1) / 2, (top + bottom) / 2), text)


def _locate_by_text(doc: Document, page: int, at: tuple[float, float], text: str) -> tuple[int, int] | None:
    """Without drawn lines: the one occurrence of the stamp's text in the block under it."""
    for block in doc.blocks:
        box = block.bbox
        if block.page != page or box is None or not _inside(at[0], at[1], box):
            continue
        text_of = doc.text[block.start : block.end]
        if text and text_of.count(text) == 1:
            start = block.start + text_of.index(text)
            return start, start + len(text)
    return None


def _inside(x: float, y: float, box: BBox) -> bool:
    return box.x0 - 2 <= x <= box.x1 + 2 and box.top - 2 <= y <= box.bottom + 2


# -- image stamps: OCR ----------------------------------------------------------------------------------------


@dataclass
class _Context:
    blank: Blank
    row: list[Obj]
    after: str


def read_image_stamps(stamps: list[Stamp], page: PlumberPage) -> None:
    """Give each image stamp that sits on the blank of a number, day or month the characters OCR reads in
    it (nothing when the reading is not usable)."""
    chars = [c for c in page.chars if c["text"].strip()]
    todo = [stamp for stamp in stamps if _on_a_line(stamp.box, chars)]
    if not todo:
        return
    from extractor.parsers import ocr

    if not ocr.available():
        return
    render = _renderer(page)
    for stamp in todo:
        drawn = render(stamp.box)
        if drawn is None:
            continue
        gray, ink = drawn
        ctx = blank_context(ink, chars)
        if ctx is None:
            continue
        text, conf = _read(gray, ctx.blank, ocr.ocr_text)
        if text is None:
            continue
        stamp.chars = _ocr_chars(text, ink, stamp.page, ctx.row)
        stamp.ocr, stamp.blank, stamp.after, stamp.ocr_confidence = True, ctx.blank, ctx.after, conf


def _on_a_line(box: tuple[float, float, float, float], chars: list[Obj]) -> bool:
    """A widget as low as a blank's stamp with a line of the page's text through it."""
    x0, top, x1, bottom = box
    if bottom - top > _MAX_BLANK_HEIGHT or x1 <= x0:
        return False
    return any(top <= (c["top"] + c["bottom"]) / 2 <= bottom for c in chars)


def blank_context(ink: tuple[float, float, float, float], chars: list[Obj]) -> _Context | None:
    """Which blank the ink a widget draws (``ink``: its extent, top-left origin) fills: the text line through
    it, nothing typed under it, and the words either side ("Số:" … "/BC-UBND", "ngày" … "tháng",
    "tháng" … "năm"). None when it fills none of these."""
    x0, top, x1, bottom = ink
    if bottom - top > _MAX_BLANK_HEIGHT or x1 <= x0:
        return None
    centre = (top + bottom) / 2
    band = [c for c in chars if top - 3 <= (c["top"] + c["bottom"]) / 2 <= bottom + 3]
    if not band:
        return None
    # the text line nearest the ink's middle
    line_mid = min(((c["top"] + c["bottom"]) / 2 for c in band), key=lambda m: abs(m - centre))
    row = sorted((c for c in band if abs((c["top"] + c["bottom"]) / 2 - line_mid) <= 3), key=lambda c: c["x0"])
    inset = 0.15 * (x1 - x0)
    if any(x0 + inset < _mid(c) < x1 - inset and c["text"] not in _FILLER for c in row):
        return None  # typed text under the ink: no blank there
    size = max(float(c["size"]) for c in row)
    left = _word([c for c in row if _mid(c) <= x0 + inset], last=True, reach=x0 - 3 * size)
    right = _word([c for c in row if _mid(c) >= x1 - inset], last=False, reach=x1 + 3 * size)
    after = _joined([c for c in row if _mid(c) >= x1 - inset])
    blank = _blank_kind(_fold(left), _fold(right))
    return _Context(blank, row, after) if blank else None


def _joined(chars: list[Obj]) -> str:
    """Characters of one line as text, a space where a gap parts two words."""
    parts: list[str] = []
    for prev, c in zip([None, *chars], chars, strict=False):
        if prev is not None and c["x0"] - prev["x1"] > 0.2 * float(c["size"]):
            parts.append(" ")
        parts.append(c["text"])
    return " ".join("".join(parts).split())


def _word(chars: list[Obj], *, last: bool, reach: float) -> str:
    """The page word nearest the blank: the last word left of it (ending right of ``reach``) or the first
    right of it (starting left of ``reach``); "" when there is none that close."""
    ordered = chars[::-1] if last else chars
    if not ordered or (ordered[0]["x1"] < reach if last else ordered[0]["x0"] > reach):
        return ""
    out = [ordered[0]]
    for c in ordered[1:]:
        gap = (out[-1]["x0"] - c["x1"]) if last else (c["x0"] - out[-1]["x1"])
        if gap > _JOIN or not c["text"].strip() or c["text"] in _FILLER - {"-"}:
            break
        out.append(c)
    if last:
        out.reverse()
    return "".join(c["text"] for c in out).strip("".join(_FILLER - {"-"}))


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _blank_kind(left: str, right: str) -> Blank | None:
    if left in ("số:", "số", "so:") or (right.startswith("/") and left not in ("ngày", "tháng", "năm")):
        return "number"
    if left == "ngày" or (right.startswith("tháng") and left != "tháng"):
        return "day"
    if left == "tháng" and right.startswith("năm"):
        return "month"
    return None


def _read(gray: numpy.ndarray, blank: Blank, ocr_text: Callable[..., tuple[str, float]]) -> tuple[str | None, float]:
    """The usable reading of a blank's image, digits first; None when there is none."""
    digits, conf = ocr_text(gray, psm=7, digits=True)
    digits = "".join(digits.split())
    if blank == "number":
        letters, conf2 = ocr_text(gray, psm=7, digits=False)
        letters = "".join(letters.split())
        # the reading with letters when it keeps the digits' number and adds a symbol ("932/QĐ-TTg")
        if (
            _NUMBER_READ.match(letters)
            and not letters.isdigit()
            and letters.split("/")[0] == digits.split("/")[0]
            and conf2 >= _MIN_OCR_CONF
        ):
            return letters, conf2
        digits = digits.rstrip("/-.")
        return (digits, conf) if _NUMBER_READ.match(digits) and conf >= _MIN_OCR_CONF else (None, conf)
    if not _DAY_READ.match(digits) or conf < _MIN_OCR_CONF:
        return None, conf
    value = int(digits)
    limit = 31 if blank == "day" else 12
    return (digits, conf) if 1 <= value <= limit else (None, conf)


def _renderer(
    page: PlumberPage,
) -> Callable[[tuple[float, float, float, float]], tuple[numpy.ndarray, tuple[float, float, float, float]] | None]:
    """A function rendering a widget's region of ``page`` (top-left origin, points) as the widget draws it,
    with the page's own drawing whitened: the grayscale ink at _OCR_DPI with a margin, and the ink's extent
    on the page; None when the widget draws nothing there."""
    import pypdfium2

    from extractor.pdfium import PDFIUM_LOCK as lock  # pdfium is not thread-safe

    data = _pdf_bytes(page)
    index = int(page.page_number) - 1
    scale = _OCR_DPI / 72.0

    def render(
        box: tuple[float, float, float, float],
    ) -> tuple[numpy.ndarray, tuple[float, float, float, float]] | None:
        with lock or nullcontext():
            pdf = pypdfium2.PdfDocument(data)
            try:
                pdf.init_forms()
                pg = pdf[index]
                try:
                    width, height = pg.get_size()
                    x0, top = max(0.0, box[0]), max(0.0, box[1])
                    x1, bottom = min(width, box[2]), min(height, box[3])
                    if x1 - x0 < 1 or bottom - top < 1:
                        return None
                    crop = (x0, height - bottom, width - x1, top)
                    shown = pg.render(scale=scale, grayscale=True, may_draw_forms=True, crop=crop)
                    bare = pg.render(scale=scale, grayscale=True, may_draw_forms=False, draw_annots=False, crop=crop)
                    with_widget = numpy.asarray(shown.to_pil().convert("L"), dtype=numpy.uint8)
                    without = numpy.asarray(bare.to_pil().convert("L"), dtype=numpy.uint8)
                finally:
                    pg.close()
            finally:
                pdf.close()
        isolated = _isolate(with_widget, without)
        if isolated is None:
            return None
        gray, (c0, r0, c1, r1) = isolated
        return gray, (x0 + c0 / scale, top + r0 / scale, x0 + c1 / scale, top + r1 / scale)

    return render


def _isolate(
    with_widget: numpy.ndarray, without: numpy.ndarray
) -> tuple[numpy.ndarray, tuple[int, int, int, int]] | None:
    """What the widget adds to the page, black on white with a margin, and its extent in the rendering's
    pixels (column, row, column, row); None when it adds nothing legible."""
    if with_widget.shape != without.shape:
        return None
    image = numpy.where(numpy.abs(with_widget.astype(int) - without.astype(int)) > 24, with_widget, 255)
    ink = image < 160
    if int(ink.sum()) < 20:
        return None
    rows, cols = numpy.where(ink.any(axis=1))[0], numpy.where(ink.any(axis=0))[0]
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    margin = max(8, (r1 - r0) // 3)
    out = numpy.full((r1 - r0 + 2 * margin, c1 - c0 + 2 * margin), 255, dtype=numpy.uint8)
    out[margin : margin + r1 - r0, margin : margin + c1 - c0] = numpy.where(ink[r0:r1, c0:c1], 0, 255)
    return out, (c0, r0, c1, r1)


def _pdf_bytes(page: PlumberPage) -> bytes:
    stream = page.pdf.stream
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
    at = stream.tell()
    try:
        stream.seek(0)
        return bytes(stream.read())
    finally:
        stream.seek(at)


def _ocr_chars(text: str, ink: tuple[float, float, float, float], page: int, row: list[Obj]) -> list[Obj]:
    """Characters for an OCR reading, spread over the ink's extent and set on the text line of its blank."""
    left, _, right, _ = ink
    top = float(numpy.median([c["top"] for c in row]))
    bottom = float(numpy.median([c["bottom"] for c in row]))
    size = float(numpy.median([c["size"] for c in row]))
    step = (right - left) / len(text)
    out = []
    for i, ch in enumerate(text):
        cx0 = left + i * step
        out.append(
            {
                "text": ch,
                "x0": cx0,
                "x1": cx0 + step,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "width": step,
                "height": bottom - top,
                "size": size,
                "fontname": "OCR",
                "upright": True,
                "object_type": "char",
                "page_number": page,
                "stamp": True,
                "ocr": True,
            }
        )
    return out
