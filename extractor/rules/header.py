"""The document header: kind, number, issuer, commune, place, date, subject, recipient, signer.

Catalogue (matched line by line on normalised text; see extractor/rules/lines.py):
  - number        e.g. "Số: 1498/UBND-VHXH"; "Số: /TB-UBND" -> number None (a draft), symbol kept
  - kind          e.g. symbol code "/BC-UBND" -> bao_cao; a title line "THÔNG BÁO"; "V/v …" -> cong_van
  - agency        e.g. "ỦY BAN NHÂN DÂN" / "XÃ NGHI DƯƠNG" -> issuer "UBND xã Nghi Dương", commune "Nghi Dương"
  - place, date   e.g. "Xã Nguyễn Lương Bằng, ngày 12 tháng 6 năm 2026"; "ngày tháng năm 2026" -> None
  - subject       e.g. "V/v báo cáo kết quả …" (up to the next header element); for reports, the title lines
  - recipient     e.g. "Kính gửi: Sở Khoa học và Công nghệ"
  - signer        e.g. "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / "Đoàn Văn Cát"

When the agency block is missing, the commune comes from the place line (see _commune_fallbacks).
Nothing is guessed: a field not written is None.

underthesea's NER was measured as a signal for the signer (scripts/measure_ner.py, 28 files): where the
signature rule finds a signer (22 files) NER agrees, but it also tags title lines ("TM. ỦY BAN NHÂN DÂN",
"PHỤ LỤC", "Lưu") as persons, and on the one file the rule misses it finds only a fragment ("Phúc").
It adds no correct answer, so the rules do not use it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import regex

from extractor.contract import DocKind, DocumentInfo, Location
from extractor.model import Document
from extractor.rules.caption import CAPTION_LINES, agency_in, find_caption
from extractor.rules.dates import DATE_RE, DateMatch, match_date_at
from extractor.rules.lines import Line, body_lines
from extractor.rules.locate import Locator
from extractor.textnorm import fold

HEAD_LINES = 40  # the header lives in the first lines of a letter

# e.g. "Số: 1498/UBND-VHXH", "Số: 15/2025/QĐ-UBND", "Số: 06-4/26/PT-PNC", "Số 12-KH/ĐU" (the Party's form),
# "Số: /TB-UBND" (a draft), "Số: 329 /B C-UBND" (a text layer that spaced the letters: BC-UBND); not a
# wrapped line of running text, "số 04-TB/BCĐ ngày …" (lower case)
_NUMBER = regex.compile(
    r"^(?:Số|SỐ)\s*:?\s*(?P<num>(?:\d+(?:-\d+)?)?)\s*"
    r"(?P<sym>(?:/|-(?=\p{Lu}))[^\s,;]*(?:[ ](?=\p{Lu}{1,3}-)[^\s,;]+)*)?"
)
# Kind codes of a symbol (Nghị định 30/2020/NĐ-CP, Phụ lục III, and the phiếu trình's PT); a code of a kind
# the contract does not name is "other"; a symbol with no kind code ("UBND-VHXH") is a công văn's.
_OTHER_CODES = "NQ CT QC QYĐ TC HD CTR PA ĐA DA BB HĐ CĐ GN TTH GUQ GM GGT GNP PG PC PB PT KL"
_KIND_CODES: dict[str, DocKind] = {
    "BC": "bao_cao",
    "TB": "thong_bao",
    "KH": "ke_hoach",
    "QĐ": "quyet_dinh",
    "TTR": "to_trinh",
    "CV": "cong_van",
    **dict.fromkeys(_OTHER_CODES.split(), "other"),
}
# Title lines, matched whole (upper-cased); "PHỤ LỤC" may carry its number and title words (_APPENDIX_TITLE).
_TITLES: list[tuple[str, DocKind]] = [
    ("BÁO CÁO", "bao_cao"),
    ("THÔNG BÁO", "thong_bao"),
    ("KẾ HOẠCH", "ke_hoach"),
    ("QUYẾT ĐỊNH", "quyet_dinh"),
    ("TỜ TRÌNH", "to_trinh"),
    ("PHỤ LỤC", "phu_luc"),
    ("PHIẾU TRÌNH", "other"),
    ("GIẤY MỜI", "other"),
    ("BIÊN BẢN", "other"),
    ("ĐIỀU LỆ", "other"),
]
# e.g. "Phụ lục II:", "PHỤ LỤC 1", "Phụ lục VII", "PHỤ LỤC I - KẾT QUẢ …", "PHỤ LỤC DÀNH CHO CÁC TỈNH,";
# not "Phụ lục kèm theo công văn này" (a sentence)
_APPENDIX_TITLE = regex.compile(
    r"^PHỤ\s+LỤC(?:\s+(?:SỐ\s*)?(?:[IVXLC]+|\d+[a-z]?)(?![\p{L}\d]))?\s*[:.\-]?(?P<rest>.*)$", regex.IGNORECASE
)
_AGENCY = regex.compile(r"^(ỦY BAN NHÂN DÂN|UBND|UỶ BAN NHÂN DÂN)$", regex.IGNORECASE)  # e.g. "ỦY BAN NHÂN DÂN"
# e.g. "XÃ NGHI DƯƠNG"; a province or city issues too, but is no commune
_LOCALITY = regex.compile(r"^(XÃ|PHƯỜNG|ĐẶC KHU|THỊ TRẤN|TỈNH|THÀNH PHỐ)\s+(\p{Lu}[\p{Lu}\s\-]+)$")
_COMMUNE_LEVELS = {"xã", "phường", "đặc khu", "thị trấn"}
# e.g. "Kiến Hưng, ngày …": a short place name without digits, then the date
_PLACE_DATE = regex.compile(r"^(?P<place>[^,\n\d]{2,40}),\s*(?=ngày)", regex.IGNORECASE)
_VV = regex.compile(r"^V/v\s*(?P<subject>.*)$", regex.IGNORECASE)  # e.g. "V/v báo cáo kết quả …"
_TO = regex.compile(r"^Kính\s+gửi\s*:?\s*(?P<to>.*)$", regex.IGNORECASE)  # e.g. "Kính gửi: Sở KH&CN"
_SIGN_MARK = regex.compile(r"^(TM|KT|TL|Q|TUQ)\.\s*\S")  # e.g. "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"
_TITLE_LINE = regex.compile(r"^[\p{Lu}\s.,\-]+$")  # e.g. "PHÓ CHỦ TỊCH"
# e.g. "- Như trên;", "Nơi nhận:"; a scan's bullets may come out as "~", "_", "—" or a lone dash
_RECIPIENTS = regex.compile(r"^(?:[-+•~_*–—](?:\s|$)|Nơi nhận\b)", regex.IGNORECASE)
_NAME = regex.compile(r"^(\p{Lu}\p{Ll}*)(\s+\p{Lu}\p{Ll}*){1,4}$")  # e.g. "Đoàn Văn Cát"
# A police or army rank before a signer's name, e.g. "Thiếu tướng", "Đại tá" (OCR may lose a tone mark)
_RANK = regex.compile(r"^(?:Đại|Thượng|Trung|Thiếu|Thiêu)\s+(?:tướng|tá|úy|uý)\s+(?=\p{Lu})")
# The title of a head who signs in their own name, with no TM./KT. mark (folded: OCR may lose tone marks)
_HEAD_TITLES = {
    fold(t)
    for t in (
        "GIÁM ĐỐC", "CHỦ TỊCH", "TRƯỞNG BAN", "CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG", "CHÁNH THANH TRA",
        "BỘ TRƯỞNG", "THỦ TƯỚNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG", "CHỈ HUY TRƯỞNG", "TRƯỞNG CÔNG AN", "BÍ THƯ",
    )
}  # fmt: skip
# e.g. "UBND xã Kiến Hưng", "Ủy ban nhân dân phường Lê Chân" (words on one line)
_BODY_COMMUNE = regex.compile(r"(?:UBND|Ủy ban nhân dân) (xã|phường) (\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+){0,3})")
_LEVEL = regex.compile(r"(?i)(?:UBND|Ủy ban nhân dân) (xã|phường|tỉnh|thành phố)\b")  # e.g. "Chủ tịch UBND xã"
_PLACE_COMMUNE = regex.compile(r"^(?:xã|phường)\s+(.+)$", regex.IGNORECASE)


@dataclass
class HeaderResult:
    info: DocumentInfo
    locations: dict[str, Location] = field(default_factory=dict)
    number_blank: bool = False
    date_blank: bool = False


def extract_header(doc: Document) -> HeaderResult:
    lines = body_lines(doc)
    head = lines[:HEAD_LINES]
    loc = Locator(doc)
    result = HeaderResult(DocumentInfo())
    own_number = _number_and_kind(head, result, loc)
    _agency(head, result)
    _place_and_date(head, result, loc)
    _subject_and_recipient(head, result)
    _signer(lines, result, loc)
    if not own_number:
        _appendix_alone(head, doc, result, loc)
    _commune_fallbacks(doc, result)
    return result


def _appendix_alone(head: list[Line], doc: Document, result: HeaderResult, loc: Locator) -> None:
    """A file with no "Số:" line of its own whose first lines caption it "(Kèm theo Công văn số … của …)" is an
    appendix sent alone: it is a phu_luc and takes the number, date and issuer of the document it is attached
    to (marked as read from the caption); a commune named in its title lines serves when the caption names
    none. A cover letter keeps its own facts: the caption of its appendix is not its number. A document with
    a title of another kind ("BÁO CÁO") under such a caption names its parent but keeps its own facts."""
    parent = find_caption(head, doc.norm.text, loc)
    if parent is None:
        return
    info = result.info
    info.parent = parent
    if info.kind in ("other", "cong_van"):
        info.kind = "phu_luc"
    if info.kind != "phu_luc":
        return  # e.g. a BÁO CÁO "(Kèm theo Tờ trình số …)": attached, but a document with its own facts
    if parent.number:
        info.number, info.number_source = parent.number, "caption"
        info.symbol = parent.number.split("/", 1)[1] if "/" in parent.number else None
        if parent.location is not None:
            result.locations["number"] = parent.location
    if parent.date and info.date is None:
        info.date, info.date_source = parent.date, "caption"
        if parent.location is not None:
            result.locations["date"] = parent.location
    agency = agency_in(parent.issuer)
    if parent.issuer is None:  # no "của …": a title line such as "… UBND XÃ TÂN TIẾN - QUÝ III NĂM 2026"
        agency = next((a for line in head[:CAPTION_LINES] if (a := agency_in(line.text))), None)
    if agency is not None and agency.is_commune and info.commune is None:
        info.commune = agency.name
    if info.issuer is None:
        info.issuer = agency.issuer if agency is not None else parent.issuer


def _number_and_kind(head: list[Line], result: HeaderResult, loc: Locator) -> bool:
    """The document's own "Số:" line and its kind; whether there is a "Số:" line at all."""
    info = result.info
    own = False
    for line in head:
        m = _NUMBER.match(line.text)
        if m and (m.group("num") or m.group("sym")):
            own = True
            num, sym = m.group("num"), (m.group("sym") or "").replace(" ", "")
            info.symbol = sym.lstrip("/-") or None
            info.number = f"{num}{sym}" if num else None
            info.number_source = "text" if num else None
            result.number_blank = not num
            result.locations["number"] = loc.from_norm(line.start, line.start + m.end())
            break
    info.kind = _kind(info.symbol, head)
    return own


def _kind(symbol: str | None, head: list[Line]) -> DocKind:
    """The symbol's kind code first ("/BC-UBND"); then "V/v" (a công văn); then a title line ("BÁO CÁO",
    "PHỤ LỤC II"); then a symbol with no kind code ("/UBND-VHXH", a công văn's); otherwise "other"."""
    code = _symbol_code(symbol)
    if code in _KIND_CODES:
        return _KIND_CODES[code]
    if _has_vv(head):
        return "cong_van"
    return _kind_from_title(head) or ("cong_van" if symbol else "other")


def _symbol_code(symbol: str | None) -> str | None:
    """ "BC-UBND" -> "BC"; "2025/QĐ-UBND" -> "QĐ" (a year before the code is skipped); "26/PT-PNC" -> "PT"."""
    if not symbol:
        return None
    parts = [p for p in regex.split(r"[-/.]", symbol) if p]
    while parts and parts[0].isdigit():
        parts.pop(0)
    return parts[0].upper() if parts else None


def _kind_from_title(head: list[Line]) -> DocKind | None:
    for line in head:
        kind = _title_kind(line.text)
        if kind is not None:
            return kind
    return None


def _title_kind(text: str) -> DocKind | None:
    upper = text.upper()
    for title, kind in _TITLES:
        if upper == title:
            return kind
    m = _APPENDIX_TITLE.match(text)
    rest = m.group("rest").strip() if m else ""
    if m and (not rest or (rest.isupper() and not rest.startswith("("))):
        return "phu_luc"
    return None


def _has_vv(head: list[Line]) -> bool:
    return any(_VV.match(line.text) for line in head)


def _agency(head: list[Line], result: HeaderResult) -> None:
    for i, line in enumerate(head[:-1]):
        if _AGENCY.match(line.text):
            m = _LOCALITY.match(head[i + 1].text)
            if m:
                level = m.group(1).lower()
                name = _title_case(m.group(2) + _name_wrapped(head[i + 2 : i + 3]))
                result.info.commune = name if level in _COMMUNE_LEVELS else None
                result.info.issuer = f"UBND {level} {name}"
            return


# The rest of a locality's name wrapped by a narrow header column: one capitalised word alone on the next
# line ("XÃ NGUYỄN LƯƠNG" / "BẰNG"); titles ("BÁO CÁO", "PHỤ LỤC") are two words, and the other column's
# "CỘNG HÒA …", "ĐỘC LẬP …" or a "SỐ" line are not names.
_NAME_REST = regex.compile(r"^\p{Lu}{2,}$")
_NOT_NAME_REST = regex.compile(r"^(?:CỘNG|ĐỘC|SỐ|BAN|VĂN|PHÒNG|ĐẢNG|TM|KT|V/V)\b")


def _name_wrapped(after: list[Line]) -> str:
    if after and _NAME_REST.match(after[0].text) and not _NOT_NAME_REST.match(after[0].text):
        return " " + after[0].text
    return ""


def _title_case(upper: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in upper.split())


def _place_and_date(head: list[Line], result: HeaderResult, loc: Locator) -> None:
    for i, line in enumerate(head):
        # e.g. "Số: 5816/BNV-CCHC   Hà Nội, ngày 31 tháng 7 năm 2025" when the two columns share one line
        number = _NUMBER.match(line.text)
        text = line.text[number.end() :].lstrip() if number and number.group("sym") else line.text
        m = _PLACE_DATE.match(text)
        if m is None:
            continue
        end = line.end
        d = _date_after(text, m.end())
        if d is None and i + 1 < len(head):
            # a narrow column wraps the date: "Lê Chân, ngày 05 tháng 10" / "năm 2026"
            d = _date_after(f"{text} {head[i + 1].text}", m.end())
            end = head[i + 1].end
        if d is None:
            continue
        result.info.place = m.group("place").strip()
        result.info.date = d.value
        result.info.date_source = "text" if d.value else None
        result.date_blank = d.blank
        result.locations["date"] = loc.from_norm(line.start, end)
        return


def _date_after(text: str, pos: int) -> DateMatch | None:
    """The date right after the place: "ngày 12 tháng 6 năm 2026" or "ngày 12/6/2026"."""
    found = match_date_at(text, pos)
    if found is None:
        skip = regex.match(r"ngày\s*", text[pos:], regex.IGNORECASE)
        found = match_date_at(text, pos + skip.end()) if skip else None
    return found


def _subject_and_recipient(head: list[Line], result: HeaderResult) -> None:
    info = result.info
    for i, line in enumerate(head):
        vv = _VV.match(line.text)
        if vv and info.subject is None:
            parts = [vv.group("subject")]
            for nxt in head[i + 1 : i + 6]:
                if _stops_subject(nxt.text):
                    break
                parts.append(nxt.text)
            info.subject = " ".join(p for p in parts if p).strip() or None
        to = _TO.match(line.text)
        if to and info.recipient is None:
            info.recipient = to.group("to").strip() or None
    if info.subject is None:
        info.subject = _report_title(head)


def _stops_subject(text: str) -> bool:
    return bool(_PLACE_DATE.match(text) or _TO.match(text) or DATE_RE.search(text) or _TITLE_LINE.match(text))


def _report_title(head: list[Line]) -> str | None:
    """For a report or notice without V/v: the lines after its title word, e.g. "BÁO CÁO" / "Kết quả …",
    continued while a line ends mid-phrase (a comma, a hyphen) or the next starts in lower case."""
    for i, line in enumerate(head[:-1]):
        if _title_kind(line.text) is not None:
            parts = [head[i + 1]]
            for nxt in head[i + 2 : i + 6]:
                prev = parts[-1]
                if nxt.block == prev.block or prev.text.endswith((",", "-", "và")) or nxt.text[:1].islower():
                    parts.append(nxt)
                else:
                    break
            return " ".join(p.text for p in parts)
    return None


def _signer(lines: list[Line], result: HeaderResult, loc: Locator) -> None:
    """The signature block: a mark (TM./KT./TL.), title lines, then the name. A two-column layout may put
    the "Nơi nhận" list between the titles and the name: its bullet lines are skipped, and so are the few
    marks a scan reads of the signature and the seal. A police or army signer's name carries a rank
    ("Thiếu tướng Trương Minh Đương"): such a line is a signature wherever it stands, its title the head's
    title a few lines above if any. Where neither is found, a head who signs in their own name ("GIÁM ĐỐC",
    then the name) is looked for from the end."""
    starts = [i for i, line in enumerate(lines) if _SIGN_MARK.match(line.text) or _ranked_name(line.text)]
    if not starts:
        starts = [i for i in range(len(lines) - 1, -1, -1) if _head_title(lines[i].text)][:1]
    for i in starts:
        titles = [t for k in range(max(0, i - 12), i) if (t := _head_title(lines[k].text))][-1:]
        for nxt in lines[i : i + 30]:  # a long "Nơi nhận" list may stand between
            name = _RANK.sub("", nxt.text)
            if _NAME.match(name) and not _TITLE_LINE.match(name):
                result.info.signer = name
                result.info.signer_title = titles[-1] if titles else None
                result.locations["signer"] = loc.from_norm(nxt.end - len(name), nxt.end)
                return
            if _title_line(nxt.text) or _SIGN_MARK.match(nxt.text):
                titles.append(_SIGN_MARK.sub(lambda m: m.group()[-1], nxt.text))
            elif not _RECIPIENTS.match(nxt.text) and not _stray(nxt.text):
                break


def _ranked_name(text: str) -> bool:
    """A line that is a rank and a name: "Đại tá Nguyễn Tường Vũ"."""
    name = _RANK.sub("", text)
    return name != text and bool(_NAME.match(name))


def _title_line(text: str) -> bool:
    """A line of capitals that names a title ("PHÓ CHỦ TỊCH"), not a lone dash a scan left."""
    return bool(_TITLE_LINE.match(text)) and sum(ch.isalpha() for ch in text) >= 2


def _stray(text: str) -> bool:
    """A line of a few marks (at most 3 letters or digits): what a scan reads of a signature or a stamp."""
    return sum(ch.isalnum() for ch in text) <= 3


def _head_title(text: str) -> str | None:
    """The title of a line that is a head's title alone, without the few marks a scan may leave after it
    ("GIÁM ĐÓC ' Xi" -> "GIÁM ĐÓC"); None for any other line."""
    folded = fold(text)
    for title in _HEAD_TITLES:
        if folded == title or (folded.startswith(title + " ") and len(folded) - len(title) <= 5):
            return " ".join(text.split()[: len(title.split())])
    return None


def _commune_fallbacks(doc: Document, result: HeaderResult) -> None:
    """No agency block naming a commune: the place line names it ("Xã Nguyễn Lương Bằng", or "Kiến Hưng"
    when the body speaks of a commune's UBND and names no other commune). A province's document has none."""
    info = result.info
    if info.commune is not None or info.place is None or info.issuer is not None:
        return
    text = doc.norm.text[:50_000]
    levels = Counter(m.group(1).lower() for m in _LEVEL.finditer(text))
    level = levels.most_common(1)[0][0] if levels else None
    m = _PLACE_COMMUNE.match(info.place)
    named = {mm.group(2).lower() for mm in _BODY_COMMUNE.finditer(text)}
    if m:
        info.commune = m.group(1).strip()
        level = level if level in _COMMUNE_LEVELS else info.place.split()[0].lower()
    elif level in _COMMUNE_LEVELS and (not named or info.place.lower() in named):
        info.commune = info.place
    if info.commune and level in _COMMUNE_LEVELS:
        info.issuer = f"UBND {level} {info.commune}"
