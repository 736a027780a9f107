"""What a parsed report says, part by part, as the sample writers lay it out.

:func:`classify` splits a :class:`extractor.Document` into the parts of a Vietnamese administrative
document: header (issuer, national motto, number "Số: …", subject "V/v …", place and date), title
("BÁO CÁO" and its subject line), body, recipients ("Nơi nhận:"), signature (authority lines and signer),
and the annex ("PHỤ LỤC" title lines and the scored appendix table). e.g. the lines
"Số: 1498/UBND-VHXH" / "V/v báo cáo kết quả …" / "Xã Nguyễn Lương Bằng, ngày 12 tháng 6 năm 2026"
become ``number``, ``subject`` and ``place_date``. Nothing here knows a particular seed.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from extractor import Document, Paragraph, Table

MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
DOC_TYPES = {"BÁO CÁO", "THÔNG BÁO", "KẾ HOẠCH", "TỜ TRÌNH", "QUYẾT ĐỊNH", "CÔNG VĂN", "CHƯƠNG TRÌNH"}
ISSUER = re.compile(r"(ỦY BAN|UỶ BAN|UBND|HỘI ĐỒNG|XÃ|PHƯỜNG|THỊ TRẤN|SỞ|BAN|VĂN PHÒNG|PHÒNG|ĐẢNG ỦY)\b")
PLACE_DATE = re.compile(r"^(?P<place>[^,]{2,40}),\s*ngày\b.*\bnăm\b")
SECTION_HEAD = re.compile(r"^([IVX]+\.|\d+(\.\d+)*\.|[a-zđ]\)|PHẦN\b|\*)")
BULLET = re.compile(r"^([-+•])\s+")
ANNEX = "PHỤ LỤC"


@dataclass
class Item:
    """One body element: a paragraph of some kind, or a table."""

    text: str
    kind: str = "body"  # body | heading | bullet | section
    level: int = 0
    table: Table | None = None


@dataclass
class Report:
    issuer: list[str] = field(default_factory=list)
    motto: list[str] = field(default_factory=list)
    number: str = ""
    subject: str = ""
    place_date: str = ""
    title: list[str] = field(default_factory=list)
    body: list[Item] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    signer: str = ""
    annex: list[str] = field(default_factory=list)
    appendix: Table | None = None


def is_appendix(table: Table) -> bool:
    """The scored appendix: its first row names STT, the criterion and the points."""
    head = " ".join(table.texts()[0]).casefold() if table.rows else ""
    return "stt" in head and "tiêu chí" in head and "điểm" in head


def classify(doc: Document) -> Report:
    rep = Report()
    blocks = list(doc.body)
    blocks = blocks[_take_header(rep, blocks) :]
    _take_title(rep, blocks)
    for i, block in enumerate(blocks):
        if isinstance(block, Table) and is_appendix(block):
            rep.appendix = block
        elif isinstance(block, Table):
            rep.body.append(Item("", table=block))
        elif block.text.startswith("Nơi nhận"):
            _take_signature(rep, blocks[i:])
            break
        elif block.text.upper().startswith(ANNEX):
            _take_annex(rep, blocks[i:])
            break
        else:
            rep.body.append(_item(block))
    rep.body = _join_wrapped(rep.body)
    _default_header(rep)
    return rep


def _take_header(rep: Report, blocks: list[Paragraph | Table]) -> int:
    """Consume the leading paragraphs whose every line is header material; return how many."""
    taken = 0
    for block in blocks:
        trial = copy.deepcopy(rep)
        if not isinstance(block, Paragraph) or not all(_header_line(trial, ln) for ln in lines(block.text)):
            break
        rep.__dict__.update(trial.__dict__)
        taken += 1
    return taken


def _header_line(rep: Report, line: str) -> bool:
    if "CỘNG HÒA XÃ HỘI" in line.upper() or line.startswith("Độc lập"):
        rep.motto.append(line)
    elif line.startswith("Số"):
        rep.number = line
    elif line.startswith("V/v"):
        rep.subject = line
    elif rep.subject and line[:1].islower():
        rep.subject += " " + line
    elif PLACE_DATE.match(line):
        rep.place_date = " ".join(line.split())
    elif line.isupper() and ISSUER.match(line) and not rep.number:
        rep.issuer.append(line)
    else:
        return False
    return True


def _default_header(rep: Report) -> None:
    """A commune's header names its People's Committee; the motto is fixed by the state."""
    if not rep.issuer and (m := PLACE_DATE.match(rep.place_date)):
        place = m.group("place").strip().upper()
        rep.issuer = ["ỦY BAN NHÂN DÂN", place if ISSUER.match(place) else f"XÃ {place}"]
    if len(rep.motto) < 2:
        rep.motto = [MOTTO[0], rep.motto[-1] if rep.motto else MOTTO[1]]


def _take_title(rep: Report, blocks: list[Paragraph | Table]) -> None:
    """'BÁO CÁO' and the line naming its subject, e.g. 'Kết quả thực hiện chuyển đổi số … năm 2026'."""
    first = blocks[0] if blocks else None
    if isinstance(first, Paragraph) and " ".join(first.text.split()).rstrip(":.").upper() in DOC_TYPES:
        rep.title.append(join_lines(blocks.pop(0).text))
        after = blocks[0] if blocks else None
        if isinstance(after, Paragraph) and not re.search(r"[.:;]$", after.text.strip()) and len(after.text) < 500:
            rep.title.append(join_lines(blocks.pop(0).text))


def _take_signature(rep: Report, blocks: list[Paragraph | Table]) -> None:
    rest = [b for b in blocks if isinstance(b, Paragraph)]
    rep.recipients = lines(rest.pop(0).text)[1:]
    while rest and (rest[0].list_label in ("-", "+", "•") or BULLET.match(rest[0].text)):
        rep.recipients.append(rest.pop(0).text.strip())
    while rest and rest[0].text.isupper() and not rest[0].text.startswith(ANNEX):
        rep.authority += lines(rest.pop(0).text)
    if rest and len(rest[0].text) < 60 and not rest[0].text.upper().startswith(ANNEX):
        rep.signer = rest.pop(0).text.strip()
    _take_annex(rep, [b for b in blocks if isinstance(b, Table) or any(b is p for p in rest)])


def _take_annex(rep: Report, blocks: list[Paragraph | Table]) -> None:
    """'PHỤ LỤC' alone on its line, the title lines joined (they wrap anew), notes such as '(Kèm theo …)'."""
    for block in blocks:
        if isinstance(block, Table) and is_appendix(block):
            rep.appendix = block
        elif isinstance(block, Paragraph):
            found = lines(block.text)
            head = [found.pop(0)] if found and found[0].upper().startswith(ANNEX) else []
            rep.annex += head + ([" ".join(found)] if found else [])


def _item(block: Paragraph) -> Item:
    text = join_lines(block.text)
    if block.style in ("heading", "title"):
        return Item(text, "heading", min(max((block.level or 3) - 2, 1), 3))
    if bullet := BULLET.match(text):
        text = text[bullet.end() :]
        plus = BULLET.match(text)
        return Item(text[plus.end() :] if plus else text, "bullet", 1 if plus else 0)
    if SECTION_HEAD.match(text) and len(text) < 120 and not re.search(r"[.;]$", text):
        return Item(text, "section")
    return Item(text)


def _join_wrapped(items: list[Item]) -> list[Item]:
    """Rejoin one sentence cut into paragraphs: '… cụ' + 'thể như sau:' (the second starts in lower case)."""
    out: list[Item] = []
    for item in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.table is None
            and prev.kind != "heading"
            and item.kind == "body"
            and item.text[:1].islower()
            and not re.search(r"[.;:!?]$", prev.text)
        ):
            prev.text = f"{prev.text} {item.text}"
            continue
        out.append(item)
    return out


def lines(text: str) -> list[str]:
    return [s for s in (line.strip() for line in text.split("\n")) if s]


def join_lines(text: str) -> str:
    return " ".join(lines(text))


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def is_total(row: list[str]) -> bool:
    return row[0].strip().upper().startswith("TỔNG")


def number(text: str) -> Decimal | None:
    """'4,63' → Decimal('4.63'); None for anything that is not a plain number."""
    if not re.fullmatch(r"\d+(?:[.,]\d+)?", text.strip()):
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None


def merges(table: Table, r: int, row: list[str]) -> list[tuple[int, int]]:
    """Merged cells of row ``r`` as (first, last) columns: the table's own spans, else a label cell followed
    by empty cells, e.g. 'TỔNG ĐIỂM' | '' | '' → (0, 2)."""
    spans = [(c.col, c.col + c.col_span - 1) for c in table.rows[r].cells if c.col_span > 1]
    if spans or not row[0] or number(row[0]) is not None:
        return spans
    last = 0
    while last + 1 < len(row) and not row[last + 1]:
        last += 1
    return [(0, last)] if last else []


def widths(texts: list[list[str]], total: float) -> list[float]:
    """Column widths (mm): room for each column's longest word, the rest by the root of its mean length."""
    cols = list(zip(*texts, strict=True))
    least = [min(max((len(w) for cell in col for w in cell.split()), default=1), 10) * 2.2 + 5 for col in cols]
    want = [(sum(len(c) for c in col) / len(col)) ** 0.5 + 0.1 for col in cols]
    spare = max(total - sum(least), 0)
    return [lo + spare * w / sum(want) for lo, w in zip(least, want, strict=True)]


def slug(rep: Report) -> str:
    """e.g. 'cong-van-phu-luc', 'bao-cao': the kind of document, in ASCII."""
    kind = "công văn" if rep.subject else (rep.title[0] if rep.title else "văn bản")
    plain = unicodedata.normalize("NFD", kind.lower().replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") + ("-phu-luc" if rep.appendix else "")
