"""The normalised text cut into visual lines (at newlines and table cell borders), with offsets.

Header and signature rules read documents line by line whatever the format: a DOCX header table, a PDF
two-column header and a text conversion all become the same short lines here.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractor.model import Document

_CUT = regex.compile(r"[^\n\t]+")


@dataclass(frozen=True)
class Line:
    text: str  # stripped, normalised
    start: int  # offsets in doc.norm.text
    end: int
    block: int  # index of the block it belongs to


def body_lines(doc: Document) -> list[Line]:
    """Every non-empty line of the body, in reading order."""
    norm = doc.norm
    out: list[Line] = []
    for block in doc.body:
        ns, ne = norm.to_norm(block.start), norm.to_norm(block.end)
        for m in _CUT.finditer(norm.text, ns, ne):
            raw = m.group()
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                out.append(Line(stripped, m.start() + lead, m.start() + lead + len(stripped), block.index))
    return out
