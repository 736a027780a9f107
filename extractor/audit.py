"""Audit: read a file, extract what it claims, recompute every score and raise every finding.

``audit_file`` never raises for the user's file: a file that cannot be read becomes a Report whose only
finding is UNREADABLE with the reason, so a batch always yields one REPORT per file.
"""

from __future__ import annotations

from pathlib import Path

from extractor.checks.cover import check_cover_total, check_cover_values
from extractor.checks.estimate import estimate_scorecard, in_scope, no_scorecard
from extractor.checks.evidence import (
    check_appendix_period,
    check_draft,
    check_malformed,
    check_period,
    check_row_evidence,
    check_sequence,
)
from extractor.checks.findings import finding
from extractor.checks.narrative import check_narrative
from extractor.checks.scores import check_rounding, recompute_parents, recompute_row, recompute_totals
from extractor.checks.signatures import check_signatures
from extractor.checks.structure import (
    blank_form_finding,
    check_criteria,
    check_parents,
    check_rows,
    check_threshold,
    check_total,
    check_verdict,
    is_blank_form,
)
from extractor.contract import DocumentInfo, Finding, Report, SourceInfo
from extractor.errors import ExtractorError
from extractor.extract import Extraction, extract, unread_pages
from extractor.model import Document
from extractor.reading import parse
from extractor.rules.locate import place_all, place_on_page
from extractor.rules.narrative import read_narrative
from extractor.rules.rubric import Rubric, load_rubric


def audit_file(path: str | Path, rubric: Rubric | str | None = None) -> Report:
    path = Path(path)
    try:
        doc = parse(path)
    except ExtractorError as err:
        return unreadable_report(path, err)
    return audit_document(doc, rubric)


def audit_document(doc: Document, rubric: Rubric | str | None = None) -> Report:
    ex = extract(doc, rubric)
    report = ex.report
    findings = _with_doubts(_source_findings(doc), _doubtful_facts(ex, doc), _unread_facts(ex, doc))
    findings += _document_findings(ex)
    if report.scorecard is not None and is_blank_form(report.scorecard):
        findings.append(blank_form_finding(report.scorecard))  # a form to fill in: nothing claimed to check
    elif report.scorecard is not None:
        findings += _scorecard_findings(ex)
    elif in_scope(report.document, scheme := ex.rubric or load_rubric()):  # a report the rubric is for
        report.scorecard = estimate_scorecard(scheme, ex.narrative_rates, report.citations)
        findings.append(no_scorecard(report.scorecard))
    report.findings = findings
    place_all(report, doc)  # every quoted span of a PDF gets its page size and boxes
    report.status = "partial" if report.source.unread_pages or _skipped(doc) else "ok"
    return report


# Notices saying that part of the file was not read (pages past the limit, scans, pages whose tables were
# not looked for): the report is then "partial".
PARTIAL_NOTICES = frozenset(
    {"pages_skipped", "page_without_text", "page_text_garbled", "table_search_skipped", "xlsx_cells_skipped"}
)


def _skipped(doc: Document) -> bool:
    return any(n.code in PARTIAL_NOTICES for n in doc.notices)


def _source_findings(doc: Document) -> list[Finding]:
    out = []
    if doc.source.ocr:
        out.append(ocr_used(doc.source.ocr_pages, doc.source.ocr_confidence))
    if legacy := next((n for n in doc.notices if n.code == "legacy_encoding"), None):
        out.append(
            finding(
                "LEGACY_ENCODING",
                f"{legacy.message_vi.removesuffix('.')}; cần đối chiếu chữ có dấu với bản gốc.",
                found={"encoding": doc.source.legacy_encoding},
            )
        )
    if unread := unread_pages(doc):
        out.append(pages_not_read(unread, doc.source.pages))
    if (mismatch := format_mismatch(doc)) is not None:
        out.append(mismatch)
    return out


# What each file name extension claims the file to be (the format sniffed from the bytes is what was read).
_EXTENSION_FORMATS: dict[str, set[str]] = {
    "pdf": {"pdf"},
    "docx": {"docx"},
    "docm": {"docx"},
    "doc": {"doc"},
    "xlsx": {"xlsx"},
    "xlsm": {"xlsx"},
    "txt": {"txt", "md"},
    "text": {"txt", "md"},
    "md": {"md", "txt"},
    "markdown": {"md", "txt"},
    "jpg": {"image"},
    "jpeg": {"image"},
    "png": {"image"},
    "tif": {"image"},
    "tiff": {"image"},
}
_FORMAT_NAMES = {
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "doc": "Word 97–2003 (.doc)",
    "xlsx": "Excel (XLSX)",
    "txt": "văn bản thuần (TXT)",
    "md": "văn bản thuần (Markdown)",
    "image": "ảnh",
}


def format_mismatch(doc: Document) -> Finding | None:
    """FORMAT_MISMATCH: the file name's extension claims another format than its bytes hold (a text file
    named .pdf, a DOCX named .doc). It was read as what it is; the officer should know what was sent."""
    declared, real = doc.source.declared_format, doc.source.format
    if not declared or declared not in _EXTENSION_FORMATS or real in _EXTENSION_FORMATS[declared]:
        return None
    return finding(
        "FORMAT_MISMATCH",
        f"Tệp có đuôi .{declared} nhưng nội dung là {_FORMAT_NAMES.get(real, real)}; đã đọc theo nội dung thật. "
        "Cần xác nhận đây đúng là tệp đơn vị gửi.",
        expected=declared,
        found=real,
    )


def _page_runs(pages: list[int]) -> str:
    """Page numbers as runs: "2–7, 9"."""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def ocr_used(pages: list[int], confidence: float | None) -> Finding:
    """OCR_USED: which pages were read from their image by OCR, and how sure OCR was of its words."""
    where = f"Trang {_page_runs(pages)}" if pages else "Nội dung"
    sure = f", độ tin cậy trung bình {round(confidence)} %" if confidence is not None else ""
    return finding(
        "OCR_USED",
        f"{where} được nhận dạng ký tự (OCR) từ ảnh quét{sure}; cần đối chiếu bản gốc.",
        found={"pages": list(pages), "mean_confidence": confidence},
    )


FACT_NAMES = {"number": "số văn bản", "date": "ngày văn bản"}


def _doubtful_facts(ex: Extraction, doc: Document) -> list[dict[str, object]]:
    """The document's number and date where OCR read their words with low confidence (handwritten digits):
    which fact, what was read, and the lowest confidence of the words under it."""
    out: list[dict[str, object]] = []
    for fact in FACT_NAMES:
        where = ex.header.locations.get(fact)
        read = getattr(ex.report.document, fact)
        if not doc.ocr_doubts or read is None or where is None or where.start is None or where.end is None:
            continue
        start, where = where.start, where.model_copy(deep=True)
        if fact == "date" and (day := where.quote.lower().rfind("ngày")) > 0:  # the date, not the line it ends
            where.start, where.quote = start + day, where.quote[day:]
        placed, words = place_on_page(where, doc), _alnum(where.quote)
        doubts = [
            d
            for d in doc.ocr_doubts
            if d.page == placed.page
            for b in placed.boxes
            # on the fact's line, and one of its words (OCR'd lines know their words, not each letter's place)
            if d.bbox.top < b.bottom and b.top < d.bbox.bottom and (core := _alnum(d.text)) and core in words
        ]
        if doubts:
            item: dict[str, object] = {
                "fact": fact,
                "read": str(read),
                "quote": where.quote,
                "confidence": round(min(d.confidence for d in doubts)),
                "page": placed.page,
                "boxes": [[b.x0, b.top, b.x1, b.bottom] for b in placed.boxes],
            }
            if firsts := [d.first_reading for d in doubts if d.first_reading is not None]:
                item["first_reading"] = firsts[0]  # what Tesseract read before the second reader's digits
            out.append(item)
    return out


def _unread_facts(ex: Extraction, doc: Document) -> list[str]:
    """The document's number and date where they were not read at all and the first page was read by OCR:
    handwriting OCR could not read, never proof that the document has none."""
    if not doc.pages or doc.pages[0].source != "ocr":
        return []
    return [fact for fact in FACT_NAMES if getattr(ex.report.document, fact) is None]


def _alnum(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _with_doubts(findings: list[Finding], doubtful: list[dict[str, object]], unread: list[str]) -> list[Finding]:
    """OCR_USED names the facts read with low confidence and those not read, so nobody takes them for certain
    (nor a scan's handwritten number for a letter never numbered)."""
    if not doubtful and not unread:
        return findings
    for f in findings:
        if f.code != "OCR_USED":
            continue
        message = f.message.removesuffix(".")
        if doubtful:
            said = "; ".join(
                f"{FACT_NAMES[str(d['fact'])]} «{d['quote']}» (độ tin cậy {d['confidence']} %{_second_said(d)})"
                for d in doubtful
            )
            message += f". Đọc với độ tin cậy thấp, cần xem bản quét: {said}"
        if unread:
            names = " và ".join(FACT_NAMES[fact] for fact in unread)
            message += f". Không đọc được {names} trên bản quét (có thể viết tay), cần xem bản quét"
        f.message = message + "."
        f.found = {**(f.found or {}), "uncertain": doubtful, "unread": unread}
    return findings


def _second_said(doubt: dict[str, object]) -> str:
    """What the message adds where the second recogniser changed the digits Tesseract read."""
    if "first_reading" not in doubt:
        return ""
    if not doubt["first_reading"]:
        return ", chỉ một trong hai bộ nhận dạng đọc được chữ số"
    return ", hai bộ nhận dạng đọc khác nhau"


def pages_not_read(pages: list[int], total: int | None) -> Finding:
    """PAGES_NOT_READ: the audit saw only part of the file (scanned pages, text layers that are not text)."""
    listed = _page_runs(pages)
    of = f"/{total}" if total else ""
    return finding(
        "PAGES_NOT_READ",
        f"Không đọc được nội dung {len(pages)}{of} trang (trang {listed}): ảnh quét hoặc lớp chữ hỏng, cần nhận "
        "dạng ký tự (OCR). Kết quả kiểm tra chỉ dựa trên các trang còn lại; cần đối chiếu bản gốc.",
        found={"pages": pages},
    )


def _document_findings(ex: Extraction) -> list[Finding]:
    report = ex.report
    return (
        check_draft(ex.header, signed=any(n.code == "digitally_signed" for n in ex.doc.notices))
        + check_period(report.document, ex.header.locations.get("date"))
        # a citation misspelt on an OCR'd page is more likely the OCR's reading than the author's writing
        + check_malformed([c for c in report.citations if c.location.page not in ex.doc.source.ocr_pages])
        + check_sequence(report.citations)
        + check_narrative(read_narrative(ex.doc, report.metrics))
        + check_signatures(report.source.signatures, report.document)
    )


def _scorecard_findings(ex: Extraction) -> list[Finding]:
    report, rubric, raw = ex.report, ex.rubric, ex.raw
    card = report.scorecard
    assert card is not None and raw is not None
    findings: list[Finding] = []
    for row in card.rows:
        criterion = rubric.by_id(row.criterion_id) if rubric and row.criterion_id else None
        findings += recompute_row(row, criterion, report.metrics)
        findings += check_row_evidence(row, rubric, report.document, ex.doc.text)
    recompute_parents(card.rows)
    recompute_totals(card, rubric)
    if ex.appendix_period is not None:
        appendix = ex.appendix_period
        findings += check_appendix_period(report.document, appendix.period, appendix.location)
    letter = ex.letter_total
    card.claimed_verdict = letter.verdict if letter else None
    findings += check_rounding(card.rows, rubric)
    findings += check_rows(card, rubric, has_evidence_column=raw.columns.get("evidence") is not None)
    findings += check_total(card, raw.total_location, raw.total_ocr)
    findings += check_parents(card)
    findings += check_criteria(card, rubric)
    findings += check_verdict(card, card.claimed_verdict, letter.location if letter else None, rubric, raw.total_ocr)
    findings += check_threshold(raw.threshold, raw.threshold_text, raw.total_location, rubric)
    findings += check_cover_total(card, report.letter_total, report.letter_total_location, raw.total_ocr)
    findings += check_cover_values(card, report.metrics)
    return findings


def unreadable_report(path: Path, err: ExtractorError, sha256: str | None = None) -> Report:
    """The report of a file that could not be read, from what was already read: the file is never read
    again here (it may be a FIFO, a device or 3 GB). ``sha256``, else the error's, when the bytes were read."""
    sha = sha256 if sha256 is not None else (err.sha256 or "")
    return Report(
        status="unreadable",
        source=SourceInfo(path=str(path), sha256=sha, format="unknown", pages=None, ocr=False),
        document=DocumentInfo(),
        findings=[
            finding(
                "UNREADABLE",
                f"Không đọc được tệp: {err.message_vi}",
                found={
                    "code": err.code,
                    "message_en": err.message_en,
                    **({"detail": err.detail} if err.detail else {}),
                },
            )
        ],
    )
