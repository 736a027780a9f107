"""Citations of other documents: "Kế hoạch số 28/KH-UBND ngày 26/01/2026 của UBND xã về …".

``find_citations(text)`` reads normalised text (``doc.norm.text``); ``document_citations(doc)`` turns the
matches into contract :class:`~extractor.contract.Citation` records that quote the original text.

A reference is "<number><separator><symbol>". The number is kept as written ("07", "66.7"); the symbol is
everything after the number and its separator ("KH-UBND", "NQ/TW", "2022/NĐ-CP"); ``reference`` is the
two together as written ("18/KH-UBND"), with line-end breaks ("57-\\nNQ/TW") joined.

Catalogue of heads, in priority order (the first that fits a reference wins):
  - kind word [+ up to 3 lower-case words] [+ "số"]   e.g. "Kế hoạch số 18/KH-UBND", "Nghị quyết 57-NQ/TW",
                                                        "Kế hoạch hành động số 12-KH/TU", "Kết luận kiểm tra số"
  - abbreviated kind [+ "số"]                         e.g. "KH số 01-KH/BCĐ", "Cv số 979/UBND-VP", "QĐ 149/QĐ-…"
  - "số" alone                                        e.g. "; số 53/KH-UBND ngày 11/9/2025" (a list item)
  - nothing: a bare reference whose symbol names a kind e.g. "(57-NQ/TW)", "; 305/QĐ-STC"
  - kind word + "số" + number without a symbol        e.g. "Kết luận số 257", "Kế hoạch số 02"
A reference after "Số:" is the document's own number (a header), not a citation.

Reference shapes (``_REF``), checked after matching (``_shape_reasons``):
  - state form   NUMBER/[YEAR/]CODE-ISSUER[-UNIT]   e.g. "18/KH-UBND", "42/2022/NĐ-CP", "2329/SKH-CN-CNTT"
  - party form   NUMBER-CODE/ISSUER[-UNIT]          e.g. "57-NQ/TW", "01-KH/BCĐ", "249-KH/UBKTTW"
  - malformed, kept and marked: "110KH-UBND" (no separator), "1404//UBND-VHXH" (doubled), "số1187/QĐ-BNV"
    (no space after "số"), "57/NQ/TW" and "180/KH/UBND" ("/" where "-" belongs), "số /KH-UBND" (blank
    number), an impossible or blank date ("ngày 31/02/2026", "ngày 15 tháng 13 năm 2025").

Canonical kinds (``KIND_WORDS``, ``SYMBOL_CODES``): the codes of Nghị định 30/2020/NĐ-CP, Phụ lục III
(KH, QĐ, TB, BC, NQ, ĐA, CT, HD, KL, TTr, QC, QyĐ, CTr, PA, CĐ, GM, BB, HĐ) plus NĐ, TT, TTLT, "Luật" and
CV for công văn (whose symbol carries no kind code: "2329/SKH-CN-CNTT"). The kind word wins ("Quy định số
66-QĐ/TW" is QyĐ), except the generic "Văn bản", where the symbol's code wins; with neither, a list item
takes the kind of the citation before it, otherwise CV.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

import regex

from extractor.contract import Citation
from extractor.model import Document
from extractor.rules.dates import match_date_at
from extractor.rules.leading_date import leading_date
from extractor.rules.locate import Locator
from extractor.textnorm import fold_ws

# Full kind words (matched case-insensitively) and their canonical code.
KIND_WORDS: dict[str, str] = {
    "kế hoạch": "KH",  # e.g. "Kế hoạch số 18/KH-UBND"
    "quyết định": "QĐ",  # e.g. "Quyết định số 130/QĐ-UBND"
    "công văn": "CV",  # e.g. "Công văn số 2329/SKH-CN-CNTT"
    "văn bản": "CV",  # e.g. "Văn bản số 6812/STC-NS" (generic: the symbol's code wins)
    "thông báo": "TB",  # e.g. "Thông báo số 168/TB-BCĐ"
    "báo cáo": "BC",  # e.g. "Báo cáo số 329/BC-UBND"
    "nghị quyết": "NQ",  # e.g. "Nghị quyết 57-NQ/TW"
    "chỉ thị": "CT",  # e.g. "Chỉ thị số 13/CT-TTg"
    "đề án": "ĐA",  # e.g. "Đề án số 07-ĐA/ĐU"
    "nghị định": "NĐ",  # e.g. "Nghị định số 42/2022/NĐ-CP"
    "thông tư liên tịch": "TTLT",  # e.g. "Thông tư liên tịch số 01/2015/TTLT-BNV-BTC"
    "thông tư": "TT",  # e.g. "Thông tư số 01/2018/TT-VPCP"
    "tờ trình": "TTr",  # e.g. "Tờ trình số 677/TTr-SNV"
    "hướng dẫn": "HD",  # e.g. "Hướng dẫn số 05-HD/TU"
    "quy chế": "QC",  # e.g. "Quy chế số 01-QC/ĐU"
    "quy định": "QyĐ",  # e.g. "Quy định số 66-QĐ/TW" (the Party writes QĐ for its Quy định)
    "kết luận": "KL",  # e.g. "Kết luận số 62-KL/TW", "Kết luận kiểm tra số 29/KL-KTVB&QLXLVPHC"
    "chương trình": "CTr",  # e.g. "Chương trình hành động số 833/CTr-UBND"
    "phương án": "PA",  # e.g. "Phương án 4196/PA-UBND"
    "công điện": "CĐ",  # e.g. "Công điện số 22/CĐ-TTg"
    "giấy mời": "GM",  # e.g. "Giấy mời số 77/GM-SKHCN"
    "biên bản": "BB",  # e.g. "Biên bản số 12/BB-UBND"
    "hợp đồng": "HĐ",  # e.g. "Hợp đồng số 15/2025/HĐ-UBND"
    "luật": "Luật",  # e.g. "Luật số 80/2015/QH13"
}
GENERIC_WORDS = frozenset({"văn bản"})

# Kind codes as they stand in a symbol ("18/KH-UBND" -> KH; "57-NQ/TW" -> NQ; "28/CV-ĐKT" -> CV).
SYMBOL_CODES = frozenset(KIND_WORDS.values()) - {"Luật"}
# Abbreviated kinds written before a reference (case-sensitive): "KH số", "Cv số", "VB số".
KIND_ABBREVIATIONS: dict[str, str] = {c: c for c in SYMBOL_CODES} | {"Cv": "CV", "VB": "CV"}


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_BREAK = r"(?:[ \t]*\n\s*)?"  # a line break right after a separator: "57-\nNQ/TW"
# e.g. "KH", "UBND", "TTg", "QyĐ", "QH15", "KTVB&QLXLVPHC"; at most two lower-case letters in a row
_SEG = r"\p{Lu}[\p{Lu}\d&]*(?:\p{Ll}{1,2}[\p{Lu}\d&]*)?"
# e.g. "KH-UBND", "2022/NĐ-CP", "STP.ĐKT", and an inspection team's number: "KH-ĐKT 557 ngày …"
_SYMBOL = (
    rf"(?:\d{{4}}/{_BREAK})?{_SEG}(?:(?:[-/]{_BREAK}|\.(?=\p{{Lu}})){_SEG})*(?![\p{{L}}\d&])"
    r"(?:[ ]\d{1,4}(?=[ ,]+(?:ngày|của)\s))?"
)
_REF = regex.compile(rf"(?<![\d.,/&-])(?P<num>\d+(?:\.\d+)?)(?P<sep>[ ]*//?[ ]*{_BREAK}|-{_BREAK}|)(?P<sym>{_SYMBOL})")
_BLANK_REF = regex.compile(rf"(?i:(?<!\p{{L}})số)[ \t]*(?P<sep>/)(?P<sym>{_SYMBOL})")
_PREFIX = regex.compile(
    rf"(?:(?<!\p{{L}})(?P<word>(?i:{_alternation(list(KIND_WORDS))}))(?:\s+\p{{Ll}}+){{0,3}}?\s+"
    rf"|(?<![\p{{L}}\d])(?P<abbr>{_alternation(list(KIND_ABBREVIATIONS))})\s*)?"
    r"(?P<so>(?i:(?<!\p{L})số))?\s*$"
)
_NUMBER_ONLY = regex.compile(
    rf"(?<!\p{{L}})(?P<word>(?i:{_alternation(list(KIND_WORDS))})|{_alternation(list(KIND_ABBREVIATIONS))})"
    r"(?:\s+\p{Ll}+){0,3}?\s+(?i:số)\s+(?P<num>\d+)(?![\d.,/%-]|\s*(?:%|/|[.,]\d))"
)
_JOIN_BREAK = regex.compile(r"(?<=[-/])[ \t]*\n\s*")
_SPACED = regex.compile(r"^[ ]|[ ]$|[ ]/|/[ ]")
_SO_GLUED = regex.compile(r"(?<!\p{L})(?i:số)$")
_LAW_SYMBOL = regex.compile(r"^\d{4}/QH\d+$")  # e.g. "64/2025/QH15": a law of the National Assembly
_LIST_LABEL = regex.compile(
    r"[-+•*]|\d+(?:\.\d+)*[.)]?\s|\p{L}[.)]\s|[IVXLC]+\.\s"
)  # "- ", "2. ", "1.2 ", "a) ", "II. "
_HEADING = regex.compile(r"\p{Lu}{2,}\s+\p{Lu}{2,}")  # "KẾT QUẢ …", not "TTHC trên …"
_WRAPPED_LINE = 50  # a line this long that breaks mid-clause was wrapped by the layout, not ended
_SYMBOL_SEP = regex.compile(r"[-/.]")
_WORD = regex.compile(r"\p{L}+")
_LABEL_WORD = regex.compile(r"\p{L}|[IVXLC]+")  # "a", "đ", "II": the word of a list label "a)", "II."
_NEWLINE = regex.compile(r"\s*\n\s*")
# e.g. "ngày      /01/2026", "ngày tháng 11 năm 2025": a day (and month) left blank in a draft
_PART_BLANK_DATE = regex.compile(r"(?i:ngày)[ \t]*(?:/\s*\d{1,2}\s*/\s*\d{4}|tháng\s+(?:\d{1,2}\s+)?năm\s+\d{4})")
_NGAY = regex.compile(r"(?i:ngày)\s*")
_HEADER = regex.compile(r"(?i:số)\s*:\s*$")
_DATE_LEAD = regex.compile(r"[ \t]*,?\s*(?:ban hành\s+)?(?=(?i:ngày))")
_ISSUER_LEAD = regex.compile(r"[ \t]*,?\s*của\s+")
_SUBJECT_LEAD = regex.compile(r"[ \t]*,?\s*(?:về\s+việc|về|V/v)\s+")
_STOP_COMMON = r"[;:()\t\[\]]|\.(?=\s|$)"
# An issuer ends where its predicate starts: "của UBND tỉnh về …", "của Sở Nội vụ trình …", "của UBND tỉnh ủy quyền …"
_ISSUER_STOP = regex.compile(
    _STOP_COMMON + r"|\s[-+•]\s|[,\"]|\sKết luận\s+của\s|\s(?:thực hiện|triển khai|và)(?=\s+\p{Ll})"
    r"|\s(?:về|ngày|V/v|tại|trình|ban hành|phê duyệt|quy định|sửa đổi|hướng dẫn|đã|đến|cho|nhằm|để|gửi|kèm"
    r"|mời|tham dự|tình hình|bồi dưỡng|ủy quyền|quyết định|thành lập|công bố|giao|tổng thể|năm\s+\d{4})(?!\p{L})"
)
_SUBJECT_STOP = regex.compile(_STOP_COMMON + r"|,(?=\s[^,;.\n]{0,60}?\s(?:đã|báo cáo)\s)")
_ISSUER_TAIL = regex.compile(r"(?:\s+(?:thực hiện|triển khai|và))+$")
_LIST_SEP = regex.compile(r"(?:[,;+]|\s-|\svà)\s*$")
_MAX_ISSUER, _MAX_SUBJECT = 120, 300


@dataclass(frozen=True)
class CitationMatch:
    kind: str
    number: str | None
    symbol: str | None
    reference: str | None
    date: date | None
    issuer: str | None
    subject: str | None
    start: int
    end: int
    malformed: bool = False
    reason: str | None = None
    kind_from: str = "word"  # word | symbol | list | default


@dataclass
class _Ref:
    """A reference found in the text, before its date, issuer and subject are read."""

    head: int  # where the citation starts (kind word, "số" or number)
    end: int
    number: str | None
    sep: str
    symbol: str | None
    word: str | None
    reasons: list[str]


def _clean(piece: str) -> str:
    """A symbol without its line-end breaks: "KH-\nUBND" -> "KH-UBND"."""
    return _JOIN_BREAK.sub("", piece)


def _symbol_code(symbol: str | None) -> str | None:
    if not symbol:
        return None
    parts = _SYMBOL_SEP.split(symbol)
    if len(parts) > 1 and parts[0].isdigit():
        parts = parts[1:]
    return parts[0] if parts[0] in SYMBOL_CODES else None


def _spaced(sep: str) -> bool:
    """ "18 / KH-UBND": spaces around the separator (a line-end break is not a space)."""
    return "\n" not in sep and bool(_SPACED.search(sep))


def _shape_reasons(sep: str, symbol: str) -> list[str]:
    """What is off-pattern in the separator and the symbol's own separators."""
    reasons = []
    bare_sep = sep.strip()
    if bare_sep == "":
        reasons.append("thiếu dấu '/' giữa số và ký hiệu")
    elif bare_sep == "//":
        reasons.append("dấu '/' bị lặp")
    elif _spaced(sep):
        reasons.append("có khoảng trắng trong số hiệu")
    body = symbol[5:] if symbol[:4].isdigit() else symbol
    code = _symbol_code(symbol)
    after_code = body[len(code)] if code and len(body) > len(code) else ""
    if code and bare_sep == "/" and after_code == "/":
        reasons.append("dấu '/' thay cho dấu '-' trong ký hiệu")
    if code and bare_sep == "-" and after_code == "-":
        reasons.append("dấu '-' thay cho dấu '/' trong ký hiệu")
    if code == body:
        reasons.append("ký hiệu thiếu cơ quan ban hành")
    return reasons


def _prefix(text: str, start: int) -> tuple[int, str | None, bool]:
    """What stands before a reference: (where it starts, kind word or abbreviation, whether "số" is there)."""
    p = _PREFIX.search(text, max(0, start - 80), start)
    if p is None or not (p.group("word") or p.group("abbr") or p.group("so")):
        return start, None, False
    return p.start(), p.group("word") or p.group("abbr"), bool(p.group("so"))


def _ref_from_match(text: str, m: regex.Match[str]) -> _Ref | None:
    number, sep, symbol = m.group("num"), m.group("sep"), _clean(m.group("sym"))
    start = m.start()
    if _HEADER.search(text, max(0, start - 12), start):
        return None
    reasons = _shape_reasons(sep, symbol)
    if text[start - 1 : start].isalpha():  # only "số1187/QĐ-BNV" may touch a letter
        if not _SO_GLUED.search(text, max(0, start - 3), start):
            return None
        reasons.insert(0, "thiếu khoảng trắng sau 'số'")
    head, word, so = _prefix(text, start)
    code = _symbol_code(symbol)
    single = not _SYMBOL_SEP.search(symbol)
    if (sep.strip() == "" and code is None) or (single and not symbol.isupper()) or (_spaced(sep) and not so):
        return None
    if not (word or so) and (code is None or reasons):
        return None  # a bare reference must name its kind and be well formed: "57-NQ/TW"
    return _Ref(head, m.end(), number, sep, symbol, word, reasons)


def _references(text: str) -> list[_Ref]:
    refs = [r for m in _REF.finditer(text) if (r := _ref_from_match(text, m))]
    for m in _BLANK_REF.finditer(text):  # e.g. "Quyết định số /QĐ-UBND": kept only after a kind word
        head, word, _ = _prefix(text, m.end("sep") - 1)
        if word and not _HEADER.search(text, max(0, m.start() - 12), m.start() + 4):
            refs.append(_Ref(head, m.end(), None, "/", _clean(m.group("sym")), word, ["số văn bản bị bỏ trống"]))
    for m in _NUMBER_ONLY.finditer(text):
        refs.append(_Ref(m.start(), m.end(), m.group("num"), "", None, m.group("word"), []))
    return _without_overlaps(refs)


def _without_overlaps(refs: list[_Ref]) -> list[_Ref]:
    kept: list[_Ref] = []
    for ref in sorted(refs, key=lambda r: (r.head, -(r.end - r.head))):
        if kept and ref.head < kept[-1].end:
            continue
        kept.append(ref)
    return kept


def _word_code(word: str | None) -> str | None:
    if word is None:
        return None
    if word in KIND_ABBREVIATIONS:
        return KIND_ABBREVIATIONS[word]
    return KIND_WORDS.get(fold_ws(word).lower())


def _kind(ref: _Ref, previous: CitationMatch | None, text: str) -> tuple[str, str]:
    word_code = _word_code(ref.word)
    generic = ref.word is not None and fold_ws(ref.word).lower() in GENERIC_WORDS
    code = _symbol_code(ref.symbol)
    if word_code and not (generic and code):
        return word_code, "word"
    if code:
        return code, "symbol"
    if ref.symbol and _LAW_SYMBOL.search(ref.symbol):
        return "Luật", "symbol"
    if previous is not None and _LIST_SEP.search(text, previous.end, ref.head) and ref.head - previous.end < 60:
        return previous.kind, "list"
    return "CV", "default"


def _date_at(text: str, pos: int) -> tuple[date | None, int, str | None] | None:
    """A date introduced by "ngày" at ``pos``: (value, end, reason) or None when there is none."""
    lead = _DATE_LEAD.match(text, pos)
    if lead is None:
        return None
    at = lead.end()
    found = match_date_at(text, at)
    if found is None:
        word = _NGAY.match(text, at)
        found = match_date_at(text, word.end()) if word else None
    if found is None:
        part = _PART_BLANK_DATE.match(text, at)
        return (None, part.end(), "ngày văn bản bị bỏ trống") if part else None
    if found.blank:
        return None, found.end, "ngày văn bản bị bỏ trống"
    if found.value is None:
        return None, found.end, f"ngày không hợp lệ: {found.text}"
    return found.value, found.end, None


def _continues(text: str, nl: regex.Match[str], issuer: bool) -> bool:
    """Whether the line after a line break carries on the clause above (a wrapped line, not a new item):
    it starts in lower case or with a number that is not a list label; or, after a full-width line (or in
    an issuer), with a capitalised word that is not a heading or a label."""
    at = nl.end()
    if _LIST_LABEL.match(text, at):
        return False
    first = text[at : at + 1]
    if first.islower() or first.isdigit():
        return True
    word = _WORD.match(text, at, at + 40)
    label = word is not None and text[word.end() : word.end() + 1] in (".", ")") and _LABEL_WORD.fullmatch(word[0])
    if word is None or label or _HEADING.match(text, at):  # "a)", "II." start an item; "Bình)" ends a name
        return False
    line_start = text.rfind("\n", 0, nl.start()) + 1
    return issuer or nl.start() - line_start >= _WRAPPED_LINE


def _stop(text: str, start: int, limit: int, stop: regex.Pattern[str], issuer: bool, heads: list[int]) -> int:
    """End of a clause starting at ``start``: the first stop pattern, a line that does not carry it on, or
    the next citation (an issuer never holds one; a subject may, unless it comes after a list separator)."""
    end = min(len(text), start + limit)
    m = stop.search(text, start, end)
    if m:
        end = m.start()
    for nl in _NEWLINE.finditer(text, start, end):
        if (issuer and _head_at(heads, nl.end())) or not _continues(text, nl, issuer):
            end = nl.start()
            break
    for h in heads[bisect_right(heads, start) : bisect_left(heads, end)]:
        sep = _LIST_SEP.search(text, start, h)
        if sep or issuer:
            return sep.start() if sep else h
    return end


def _head_at(heads: list[int], pos: int) -> bool:
    k = bisect_left(heads, pos)
    return k < len(heads) and heads[k] == pos


def _clause(text: str, start: int, end: int) -> str | None:
    value = fold_ws(text[start:end]).strip(" ,;:-")
    return value or None


def _tail(text: str, ref: _Ref, heads: list[int]) -> tuple[date | None, str | None, str | None, int, list[str]]:
    """Date, issuer, subject after a reference; the end of the citation proper; reasons for malformed."""
    reasons: list[str] = []
    pos = end = ref.end
    value: date | None = None
    found = _date_at(text, pos)
    if found:
        value, pos, why = found
        end = pos
        reasons += [why] if why else []
    issuer = None
    lead = _ISSUER_LEAD.match(text, pos)
    if lead:
        stop = _stop(text, lead.end(), _MAX_ISSUER, _ISSUER_STOP, True, heads)
        issuer = _clause(text, lead.end(), stop)
        issuer = _ISSUER_TAIL.sub("", issuer) if issuer else None
        pos = stop
        if found is None and (late := _date_at(text, pos)):
            value, pos, why = late
            end = pos
            reasons += [why] if why else []
    subject = None
    lead = _SUBJECT_LEAD.match(text, pos)
    if lead:
        subject = _clause(text, lead.end(), _stop(text, lead.end(), _MAX_SUBJECT, _SUBJECT_STOP, False, heads))
    return value, issuer, subject, end, reasons


def find_citations(text: str) -> list[CitationMatch]:
    """Every citation of another document in normalised ``text``, in order."""
    refs = _references(text)
    heads = [r.head for r in refs]
    out: list[CitationMatch] = []
    for ref in refs:
        value, issuer, subject, end, reasons = _tail(text, ref, heads)
        if value is None and not reasons:
            value = leading_date(text, ref.head, out[-1].end if out else 0)
        kind, kind_from = _kind(ref, out[-1] if out else None, text)
        reasons = ref.reasons + reasons
        reference = f"{ref.number or ''}{ref.sep.strip()}{ref.symbol}" if ref.symbol else None
        why = "; ".join(reasons) or None
        out.append(
            CitationMatch(
                kind,
                ref.number,
                ref.symbol,
                reference,
                value,
                issuer,
                subject,
                ref.head,
                end,
                why is not None,
                why,
                kind_from,
            )
        )
    return out


def document_citations(doc: Document) -> list[Citation]:
    """The citations of a document as contract records, each quoting the original text."""
    locator = Locator(doc)
    out = []
    for m in find_citations(doc.norm.text):
        loc = locator.from_norm(m.start, m.end)
        out.append(
            Citation(
                kind=m.kind,
                number=m.number,
                symbol=m.symbol,
                date=m.date,
                issuer=m.issuer,
                subject=m.subject,
                text=loc.quote,
                location=loc,
                malformed=m.malformed,
                malformed_reason=m.reason,
            )
        )
    return out
