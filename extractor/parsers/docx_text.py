"""The visible text of one DOCX paragraph (``w:p``), with the page it starts on and the text boxes it anchors.

What the reader sees is what comes out, e.g.::

    <w:r><w:t>Điểm</w:t><w:tab/><w:t>8</w:t></w:r>        -> "Điểm\\t8"
    <w:br/>, <w:cr/>                                     -> "\\n"
    <w:noBreakHyphen/>                                   -> "-"
    a field (PAGE, HYPERLINK, …)                         -> its result, never its instruction
    <w:del>, <w:moveFrom>, hidden runs (<w:vanish/>)     -> nothing

A run set in a legacy TCVN3/VNI font (``.VnTime``, ``VNI-Times``) is passed through the document's
``RunConverter`` (see :mod:`extractor.parsers.legacy`), e.g. "C«ng t¸c" in .VnTime -> "Công tác".

Text boxes (``w:txbxContent``) are not part of the paragraph's text: they are returned for the caller to read
as paragraphs of their own. Of an ``mc:AlternateContent`` only one branch is read (``mc:Choice`` first), so
the VML fallback copy of a text box is never read twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"

Element: TypeAlias = etree._Element
# (run element, text of one w:t in it) -> the text to read, e.g. legacy-font text converted to Unicode.
RunConverter: TypeAlias = Callable[[Element, str], str]


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag, e.g. w("p") -> "{…/main}p"."""
    return f"{{{W_NS}}}{tag}"


def w_attr(el: Element | None, name: str, default: str | None = None) -> str | None:
    """A ``w:``-namespaced attribute of ``el`` (None-safe)."""
    if el is None:
        return default
    value = el.get(w(name))
    return default if value is None else value


_T = TypeVar("_T")
_PLAIN_INT = re.compile(r"-?[0-9]{1,9}")


def int_val(value: str | None, default: _T) -> int | _T:
    """An attribute's value as a plain number, e.g. "12" -> 12; ``default`` when absent or not a number."""
    if value is None or not _PLAIN_INT.fullmatch(value.strip()):
        return default
    return int(value)


def is_on(el: Element | None) -> bool:
    """A toggle property such as ``<w:vanish/>`` or ``<w:tblHeader w:val="true"/>`` is set."""
    return el is not None and w_attr(el, "val", "true") not in ("0", "false", "off")


# Symbol/Wingdings characters stored in the Private Use Area, as the reader sees them.
SYMBOL_CHARS = {
    0xF0B7: "•",
    0xF0A7: "▪",
    0xF0D8: "➢",
    0xF076: "❖",
    0xF0FC: "✓",
    0xF0A8: "□",
    0xF06E: "■",
    0xF06C: "●",
    0xF0E0: "➔",
    0xF02D: "-",
    0xF02A: "*",
    0xF02B: "+",
    0xF0BE: "—",
}


def symbol_char(code: int) -> str:
    return SYMBOL_CHARS.get(code, chr(code))


class PageCounter:
    """The page the reading position is on, moved by rendered and explicit page breaks.

    Word writes ``w:lastRenderedPageBreak`` where it last laid out a page start, and writes some starts twice:
    right after an explicit break, and at the start of the table row that follows a row split across pages.
    A rendered break met before any text since such a start is that same start, not a new page.
    """

    def __init__(self) -> None:
        self.page = 1
        self._duplicate_due = False

    def hard_break(self) -> None:
        self.page += 1
        self._duplicate_due = True

    def rendered_break(self) -> None:
        if self._duplicate_due:
            self._duplicate_due = False
        else:
            self.page += 1

    def expect_duplicate(self) -> None:
        """The page start just passed may be marked again before the next text."""
        self._duplicate_due = True

    def saw_text(self) -> None:
        self._duplicate_due = False

    def snapshot(self) -> tuple[int, bool]:
        return self.page, self._duplicate_due

    def restore(self, state: tuple[int, bool]) -> None:
        self.page, self._duplicate_due = state


@dataclass
class ParaText:
    text: str
    page: int  # the page of the first visible character (or where the paragraph ends when it has none)
    boxes: list[Element] = field(default_factory=list)
    page_field: bool = False


@dataclass
class _Field:
    instr: list[str] = field(default_factory=list)
    in_result: bool = False


_SKIP = {w(t) for t in ("pPr", "rPr", "del", "moveFrom", "delText", "fldData", "sectPr", "footnoteReference")}
_BOX_HOLDERS = {w("drawing"), w("pict"), w("object")}


def read_paragraph(p: Element, pages: PageCounter, convert: RunConverter | None = None) -> ParaText:
    """Walk one ``w:p`` in document order; ``convert`` rewrites each run's text (legacy fonts)."""
    return _ParaWalker(pages, convert).read(p)


class _ParaWalker:
    def __init__(self, pages: PageCounter, convert: RunConverter | None = None) -> None:
        self.pages = pages
        self.convert = convert
        self.run: Element | None = None
        self.parts: list[str] = []
        self.first_page: int | None = None
        self.boxes: list[Element] = []
        self.fields: list[_Field] = []
        self.page_field = False
        self.handlers: dict[str, Callable[[Element], None]] = {
            w("r"): self._run,
            w("t"): self._text,
            f"{{{M_NS}}}t": lambda el: self._emit(el.text or ""),
            w("tab"): lambda el: self._emit("\t"),
            w("ptab"): lambda el: self._emit("\t"),
            w("cr"): lambda el: self._emit("\n"),
            w("br"): self._break,
            w("noBreakHyphen"): lambda el: self._emit("-"),
            w("softHyphen"): lambda el: self._emit(self._converted("\u00ad")),
            w("sym"): self._sym,
            w("lastRenderedPageBreak"): lambda el: self.pages.rendered_break(),
            w("fldChar"): self._fld_char,
            w("instrText"): self._instr_text,
            w("fldSimple"): self._fld_simple,
            f"{{{MC_NS}}}AlternateContent": lambda el: self._walk_list(choose_branch(el)),
        }

    def read(self, p: Element) -> ParaText:
        if is_on(p.find(f"{w('pPr')}/{w('pageBreakBefore')}")):
            self.pages.hard_break()
        self._walk(p)
        text = "".join(self.parts).strip("\n")
        page = self.first_page if self.first_page is not None else self.pages.page
        return ParaText(text=text, page=page, boxes=self.boxes, page_field=self.page_field)

    def _walk(self, el: Element) -> None:
        self._walk_list(list(el))

    def _walk_list(self, children: list[Element]) -> None:
        for child in children:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in _BOX_HOLDERS:
                self.boxes.extend(find_boxes(child))
                continue
            handler = self.handlers.get(tag)
            if handler is not None:
                handler(child)
            else:
                self._walk(child)

    def _emit(self, s: str) -> None:
        if not s or not all(f.in_result for f in self.fields):
            return
        if s.strip():
            self.pages.saw_text()
            if self.first_page is None:
                self.first_page = self.pages.page
        self.parts.append(s)

    def _text(self, el: Element) -> None:
        self._emit(self._converted(el.text or ""))

    def _converted(self, text: str) -> str:
        """A run's text as its font draws it (a soft hyphen, U+00AD, is "ư" in TCVN3: LibreOffice writes
        it as ``w:softHyphen``)."""
        if self.convert is not None and self.run is not None and text:
            return self.convert(self.run, text)
        return text

    def _run(self, r: Element) -> None:
        if is_on(r.find(f"{w('rPr')}/{w('vanish')}")):
            return
        outer, self.run = self.run, r
        try:
            self._walk(r)
        finally:
            self.run = outer

    def _break(self, br: Element) -> None:
        if w_attr(br, "type") == "page":
            self.pages.hard_break()
        self._emit("\n")

    def _sym(self, sym: Element) -> None:
        try:
            self._emit(symbol_char(int(w_attr(sym, "char", "") or "", 16)))
        except ValueError:
            return

    def _fld_char(self, el: Element) -> None:
        kind = w_attr(el, "fldCharType")
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            self._note_instr(self.fields[-1].instr)
            self.fields[-1].in_result = True
        elif kind == "end" and self.fields:
            self._note_instr(self.fields.pop().instr)

    def _instr_text(self, el: Element) -> None:
        if self.fields and not self.fields[-1].in_result:
            self.fields[-1].instr.append(el.text or "")

    def _fld_simple(self, el: Element) -> None:
        self._note_instr([w_attr(el, "instr", "") or ""])
        self._walk(el)

    def _note_instr(self, instr: list[str]) -> None:
        words = "".join(instr).split()
        if words and words[0].upper() == "PAGE":
            self.page_field = True


def choose_branch(alt: Element) -> list[Element]:
    """The children of the one ``mc:AlternateContent`` branch to read: ``mc:Choice``, else ``mc:Fallback``."""
    for tag in ("Choice", "Fallback"):
        branch = alt.find(f"{{{MC_NS}}}{tag}")
        if branch is not None:
            return list(branch)
    return []


def find_boxes(el: Element) -> list[Element]:
    """The outermost ``w:txbxContent`` elements under ``el``, reading one branch of each AlternateContent."""
    if el.tag == w("txbxContent"):
        return [el]
    children = choose_branch(el) if el.tag == f"{{{MC_NS}}}AlternateContent" else list(el)
    out: list[Element] = []
    for child in children:
        if isinstance(child.tag, str):
            out.extend(find_boxes(child))
    return out
