"""A readable Vietnamese view of one audit report (``extractor audit --format text``), and the escaping that
keeps any text from a file (its name, its quotes) from breaking a terminal."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

from extractor.contract import VERDICT_VI, Finding, Location, Report, Scorecard, round_points
from extractor.facts import SAID, Doubt, fact_doubts

# Characters a terminal acts on instead of showing: C0 and C1 controls (newline, carriage return, escape
# sequences, backspace, …), DEL, bidirectional marks, embeddings, overrides and isolates, which reorder
# what follows them (U+200E/F, U+061C, U+202A–202E, U+2066–2069), and the Unicode line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal_safe(text: str) -> str:
    r"""``text`` with every character a terminal would act on written as a visible escape, so nothing in it
    can move the cursor, clear the screen or reorder the line: a newline becomes "\n", a tab "\t", ESC
    "\x1b", a right-to-left override "\u202e"; every other character is kept as it is."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_SEVERITY = {"error": "LỖI", "warning": "CẢNH BÁO", "info": "THÔNG TIN"}
_KIND = {
    "cong_van": "Công văn",
    "bao_cao": "Báo cáo",
    "thong_bao": "Thông báo",
    "ke_hoach": "Kế hoạch",
    "quyet_dinh": "Quyết định",
    "to_trinh": "Tờ trình",
    "phu_luc": "Phụ lục",
    "other": "Văn bản",
}


def _p(value: Decimal | None) -> str:
    return "—" if value is None else f"{round_points(value):.2f}".replace(".", ",")


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "(chưa có ngày)"


def _doubted(value: str | None, doubt: Doubt | None, missing: str) -> str:
    """A fact of the document as shown to an officer: a scan's number or date OCR could not read is said to be
    unread (never "no number": it may be handwritten), one read uncertainly is shown with a warning."""
    if value is None:
        return f"({SAID['unread']})" if doubt == "unread" else missing
    return f"{value} ({SAID['uncertain']})" if doubt == "uncertain" else value


UNREADABLE_PREFIX = "Không đọc được tệp: "  # how audit words an UNREADABLE finding's message


def render_report(report: Report) -> str:
    unreadable = next((f for f in report.findings if f.code == "UNREADABLE"), None)
    if unreadable is not None:
        return render_unreadable(report.source.path, unreadable)
    d = report.document
    pages = f", {report.source.pages} trang" if report.source.pages else ""
    lines = [f"=== {report.source.path}", f"    {report.source.format.upper()}{pages}"]
    period = f"{d.period.label} ({_date(d.period.start)} - {_date(d.period.end)})" if d.period else "—"
    doubts = fact_doubts(report)
    number = _doubted(d.number, doubts.get("number"), "(chưa có số)")
    date = _doubted(d.date.strftime("%d/%m/%Y") if d.date else None, doubts.get("date"), "(chưa có ngày)")
    lines += [
        f"Văn bản: {_KIND[d.kind]} số {number} ngày {date}",
        f"Đơn vị: {d.issuer or '—'} (xã/phường: {d.commune or '—'}) · Kỳ báo cáo: {period}",
        f"Người ký: {d.signer or '—'}",
    ]
    lines += _provenance(report) + _signatures(report)
    card = report.scorecard
    if card is None:
        lines.append("Không tìm thấy bảng chấm điểm (phụ lục).")
    else:
        kind = "ước tính từ nội dung báo cáo" if card.estimated else "phụ lục"
        lines.append(f"Bảng chấm điểm ({kind}, {len(card.rows)} dòng, bộ tiêu chí: {card.rubric or 'không xác định'}):")
        computed = "Ước tính" if card.estimated else "Tính lại"
        lines.append(f"  {'STT':>5}  {'Tiêu chí':<50} {'Tối đa':>7} {'Tự chấm':>8} {computed:>8}  Cách tính")
        for r in card.rows:
            title = " ".join(r.title.split())
            title = (title[:47] + "…") if len(title) > 48 else title
            lines.append(
                f"  {r.stt or '':>5}  {title:<50} {_p(r.max_points):>7} {_p(r.claimed_points):>8}"
                f" {_p(r.recomputed_points):>8}  {r.note or ''}"
            )
        lines.append(_total_line(card))
    lines += _findings(report)
    return _join(lines)


_SOURCE_VI = {
    "caption": "lời dẫn «Kèm theo …» của phụ lục",
    "signature_stamp": "dấu chữ ký số in đè lên chỗ trống",
    "signature_stamp_ocr": "ảnh dấu chữ ký số (nhận dạng ký tự)",
    "signing_time": "thời điểm ký số của người ký",
}


def _provenance(report: Report) -> list[str]:
    """Where the number and the date were read, when not from the page's own text."""
    d = report.document
    out = [f"  (số văn bản đọc từ {_SOURCE_VI[d.number_source]})"] if d.number_source in _SOURCE_VI else []
    if d.date_source in _SOURCE_VI:
        out.append(f"  (ngày văn bản đọc từ {_SOURCE_VI[d.date_source]})")
    if d.parent is not None:
        out.append(f"  Kèm theo: {_KIND[d.parent.kind]} số {d.parent.number or '—'} ngày {_date(d.parent.date)}")
    return out


def _signatures(report: Report) -> list[str]:
    """One line per distinct signature: a PDF signed several times by the same seal at the same minute (one
    per page or appendix) is one line with the count, not a screenful of identical lines."""
    state = {True: "nội dung đã ký còn nguyên", False: "NỘI DUNG ĐÃ BỊ SỬA SAU KHI KÝ", None: "không kiểm tra được"}
    said = []
    for s in report.source.signatures:
        when = s.signed_at.strftime("%d/%m/%Y %H:%M %z") if s.signed_at else "không rõ thời điểm"
        who = s.signer or "không rõ người ký"
        org = f" ({s.organisation})" if s.organisation and s.organisation != s.signer else ""
        said.append(f"Chữ ký số: {who}{org}, ký lúc {when}: {state[s.intact]}")
    out = [line + (f" ({n} chữ ký)" if n > 1 else "") for line, n in Counter(said).items()]
    if out:
        out.append("  (không kiểm tra được chuỗi chứng thư: không có mạng và kho chứng thư tin cậy)")
    return out


def _join(lines: list[str]) -> str:
    """The lines for a terminal: whatever a file put in them (a name, a title, a quote) is escaped."""
    return "\n".join(map(terminal_safe, lines)) + "\n\n"


def _total_line(card: Scorecard) -> str:
    verdict = VERDICT_VI.get(card.recomputed_verdict or "", "—")
    if card.estimated:  # not a recomputed total: said so, and compared with nothing
        return (
            f"  Tổng ước tính từ nội dung báo cáo: {_p(card.recomputed_total)} (không phải điểm tính lại)"
            f" · ngưỡng {_p(card.threshold)} · kết luận ước tính {verdict}"
        )
    return (
        f"  Tổng: tự chấm {_p(card.claimed_total)} · tính lại {_p(card.recomputed_total)}"
        f" · ngưỡng {_p(card.threshold)} · kết luận {verdict}"
    )


def render_unreadable(path: str, finding: Finding) -> str:
    """A file that was not read: its path, the mark, and the reason in Vietnamese and in English."""
    found = finding.found if isinstance(finding.found, dict) else {}
    code = f" [{found['code']}]" if found.get("code") else ""
    lines = [
        f"=== {path}",
        f"    KHÔNG ĐỌC ĐƯỢC / UNREADABLE{code}",
        f"    {finding.message.removeprefix(UNREADABLE_PREFIX)}",
    ]
    if found.get("message_en"):
        lines.append(f"    {found['message_en']}")
    return _join(lines)


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return ["Không có phát hiện nào."]
    out = [f"Phát hiện ({len(report.findings)}):"]
    for severity in ("error", "warning", "info"):
        said = Counter((f.code, _finding_lines(f)) for f in report.findings if f.severity == severity)
        for (_, (first, *rest)), n in said.items():
            out += [f"  {_SEVERITY[severity]}{f' (×{n})' if n > 1 else ''}: {first}", *rest]
    return out


def _finding_lines(f: Finding) -> tuple[str, ...]:
    """A finding as printed (message, place, quote): findings of one code printed alike are printed once, with
    a count (e.g. one per signature of the same signer); the JSON keeps each of them."""
    lines = [f"{f.message}{_where(f.location) if f.location else ''}"]
    if f.location and f.location.quote:
        quote = " ".join(f.location.quote.replace("\t", " │ ").split())
        lines.append(f"      «{quote[:160]}{'…' if len(quote) > 160 else ''}»")
    return tuple(lines)


def _where(loc: Location) -> str:
    parts = []
    if loc.page is not None:
        parts.append(f"trang {loc.page}")
    if loc.line is not None:
        parts.append(f"dòng {loc.line}")
    if loc.table is not None and loc.row is not None:
        parts.append(f"bảng {loc.table + 1}, hàng {loc.row}")
    return f" [{', '.join(parts)}]" if parts else ""
