"""What a DOCX style (styles.xml) says about a paragraph or a table, following ``w:basedOn`` chains.

e.g. a paragraph styled "Heading 2" (or a style based on it, or one with ``w:outlineLvl w:val="1"``) is a
heading of level 2; a style may carry list numbering (``w:numPr``) its paragraphs inherit; a table style may
draw borders (``w:tblBorders``) that make its tables ruled.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractor.parsers.docx_text import Element, int_val, w, w_attr

_HEADING_NAME = regex.compile(r"^(?:heading|tiêu đề|đề mục)\s*([1-9])$", regex.IGNORECASE)
_TITLE_NAMES = {"title": "title", "subtitle": "subtitle"}
BORDER_EDGES = ("top", "left", "bottom", "right", "start", "end", "insideH", "insideV")


@dataclass
class _Style:
    style_id: str
    name: str
    based_on: str | None
    numbering: tuple[str, int | None] | None  # (numId, ilvl or None)
    outline: int | None
    borders: dict[str, bool]


def border_edges(borders: Element | None) -> dict[str, bool]:
    """Edge name -> visible, for the edges a ``w:tblBorders``/``w:tcBorders`` element sets."""
    if borders is None:
        return {}
    out: dict[str, bool] = {}
    for edge in BORDER_EDGES:
        el = borders.find(w(edge))
        if el is not None:
            out[edge] = w_attr(el, "val", "nil") not in ("nil", "none")
    return out


def paragraph_numbering(ppr: Element | None) -> tuple[str, int | None] | None:
    """``w:numPr`` of a ``w:pPr`` as (numId, ilvl); numId "0" explicitly switches numbering off."""
    num_pr = ppr.find(w("numPr")) if ppr is not None else None
    if num_pr is None:
        return None
    num_id = w_attr(num_pr.find(w("numId")), "val")
    ilvl = w_attr(num_pr.find(w("ilvl")), "val")
    if num_id is None and ilvl is None:
        return None
    return (num_id or "", int_val(ilvl, None))


def _read_style(el: Element) -> _Style:
    ppr = el.find(w("pPr"))
    outline = w_attr(ppr.find(w("outlineLvl")) if ppr is not None else None, "val")
    tbl_pr = el.find(w("tblPr"))
    return _Style(
        style_id=w_attr(el, "styleId", "") or "",
        name=(w_attr(el.find(w("name")), "val", "") or "").strip(),
        based_on=w_attr(el.find(w("basedOn")), "val"),
        numbering=paragraph_numbering(ppr),
        outline=int_val(outline, None),
        borders=border_edges(tbl_pr.find(w("tblBorders")) if tbl_pr is not None else None),
    )


class Styles:
    def __init__(self, styles: Element | None) -> None:
        self._by_id: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        self.default_table: str | None = None
        for el in styles.iter(w("style")) if styles is not None else ():
            style = _read_style(el)
            self._by_id[style.style_id] = style
            if w_attr(el, "default") in ("1", "true", "on"):
                kind = w_attr(el, "type")
                if kind == "paragraph":
                    self.default_paragraph = style.style_id
                elif kind == "table":
                    self.default_table = style.style_id

    def chain(self, style_id: str | None) -> list[_Style]:
        """The style and its ancestors, nearest first (cycles cut)."""
        out: list[_Style] = []
        seen: set[str] = set()
        while style_id and style_id in self._by_id and style_id not in seen and len(out) < 32:
            seen.add(style_id)
            style = self._by_id[style_id]
            out.append(style)
            style_id = style.based_on
        return out

    def numbering(self, style_id: str | None) -> tuple[str, int | None] | None:
        return next((s.numbering for s in self.chain(style_id) if s.numbering is not None), None)

    def outline_level(self, style_id: str | None) -> int | None:
        return next((s.outline for s in self.chain(style_id) if s.outline is not None), None)

    def kind(self, style_id: str | None) -> tuple[str, int | None] | None:
        """("heading", level) or ("title", None) … from the style's (or an ancestor's) name."""
        for style in self.chain(style_id):
            for name in (style.name, style.style_id):
                match = _HEADING_NAME.match(name)
                if match:
                    return "heading", int(match.group(1))
                if name.lower() in _TITLE_NAMES:
                    return _TITLE_NAMES[name.lower()], None
        return None

    def table_borders(self, style_id: str | None) -> dict[str, bool]:
        """Edges the table style sets, a nearer style overriding its ancestors."""
        edges: dict[str, bool] = {}
        for style in reversed(self.chain(style_id or self.default_table)):
            edges.update(style.borders)
        return edges
