"""The caption of an appendix: the document it is attached to, and what that tells about the appendix.

Catalogue (matched on the first lines of a document, see extractor/rules/lines.py):
  - caption     e.g. "(Kèm theo Công văn số 1730/UBND-VP ngày 02/10/2026 của UBND phường Hòa Bình)",
                "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 02 tháng 10 năm 2026" / "của Chủ tịch UBND
                xã Tân Tiến)" over two lines, "(Kèm theo Báo cáo số 329/BC-UBND)" without an issuer
  - commune     e.g. "UBND phường Hòa Bình", "Chủ tịch Ủy ban nhân dân xã Tân Tiến", "UBND XÃ TÂN TIẾN - QUÝ
                III NĂM 2026" (a title line) -> level "phường"/"xã", name "Hòa Bình"/"Tân Tiến"

The reference inside the caption is read by the citation rules (extractor/rules/citations.py), so a blank
number ("số      /QĐ-UBND") or a blank day is read as None, as in any citation.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractor.contract import DocKind, Location, ParentDocument
from extractor.rules.citations import CitationMatch, find_citations
from extractor.rules.lines import Line
from extractor.rules.locate import Locator

CAPTION_LINES = 12  # an appendix's caption sits within its first lines (sheet name, title, caption)
CAPTION_SPAN = 400  # characters a caption may run over (it may wrap onto a second line)

# e.g. "(Kèm theo Công văn số …", "(Ban hành kèm theo Quyết định số …", "Kèm theo Báo cáo số …"
_CAPTION = regex.compile(r"^\(?\s*(?:ban\s+hành\s+)?kèm\s+theo\s", regex.IGNORECASE)
_CLOSE = regex.compile(r"\)")
# Citation kind codes (extractor/rules/citations.py) as document kinds; other codes are "other".
_CODE_KINDS: dict[str, DocKind] = {
    "CV": "cong_van",
    "BC": "bao_cao",
    "TB": "thong_bao",
    "KH": "ke_hoach",
    "QĐ": "quyet_dinh",
    "TTr": "to_trinh",
}
COMMUNE_LEVELS = ("xã", "phường", "đặc khu", "thị trấn")
_NAME_WORD = r"\p{Lu}[\p{L}]*"
# e.g. "UBND phường Hòa Bình", "Ủy ban nhân dân xã Tân Tiến", "UBND XÃ TÂN TIẾN", "UBND tỉnh Lâm Đồng"
_AGENCY = regex.compile(
    r"(?i:UBND|Ủy\s+ban\s+nhân\s+dân)\s+(?P<level>(?i:xã|phường|đặc\s+khu|thị\s+trấn|tỉnh|thành\s+phố))\s+"
    rf"(?P<name>{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,4}})"
)
# Words that end a commune's name in an upper-case title: "… XÃ TÂN TIẾN QUÝ III NĂM 2026"
_NAME_END = regex.compile(r"(?i)\s(?:QUÝ|NĂM|THÁNG|GIAI|ĐẾN|TỪ|KỲ|GIỮA|CUỐI|ĐẦU|VỀ|TRÊN|TẠI)(?:\s|$).*$")


@dataclass(frozen=True)
class Agency:
    level: str  # "xã", "phường", "tỉnh", …
    name: str  # "Hòa Bình"

    @property
    def issuer(self) -> str:
        return f"UBND {self.level} {self.name}"

    @property
    def is_commune(self) -> bool:
        return self.level in COMMUNE_LEVELS


def find_caption(head: list[Line], norm_text: str, loc: Locator) -> ParentDocument | None:
    """The parent document named by the first caption line of ``head``, or None."""
    for line in head[:CAPTION_LINES]:
        if not _CAPTION.match(line.text):
            continue
        end = min(len(norm_text), line.start + CAPTION_SPAN)
        close = _CLOSE.search(norm_text, line.start, end)
        text = norm_text[line.start : close.end() if close else line.end]
        cited = next(iter(find_citations(text)), None)
        if cited is None:
            return None
        location = loc.from_norm(line.start, line.start + len(text))
        return _parent(cited, location)
    return None


def _parent(cited: CitationMatch, location: Location) -> ParentDocument:
    number = f"{cited.number}/{cited.symbol}" if cited.number and cited.symbol else cited.number
    kind = _CODE_KINDS.get(cited.kind, "other")
    return ParentDocument(kind=kind, number=number, date=cited.date, issuer=cited.issuer, location=location)


def agency_in(text: str | None) -> Agency | None:
    """The people's committee an issuer or a title names: "Chủ tịch UBND phường Hòa Bình" -> phường Hòa Bình."""
    if not text:
        return None
    m = _AGENCY.search(text)
    if m is None:
        return None
    level = " ".join(m.group("level").lower().split())
    name = _NAME_END.sub("", m.group("name"))
    if name.isupper():
        name = " ".join(w[:1] + w[1:].lower() for w in name.split())
    return Agency(level, name)
