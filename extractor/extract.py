"""From a Document to the claimed side of a contract Report: header, period, scorecard, citations, metrics.

This stage reads what the report claims and ties every fact to its source; recomputation and findings
are the audit's (extractor/audit.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extractor.contract import Citation, Location, Metric, Period, Rate, Report, Scorecard, ScoreRow, SourceInfo
from extractor.model import Document, Paragraph
from extractor.rules.citations import document_citations
from extractor.rules.header import HeaderResult, extract_header
from extractor.rules.locate import Locator
from extractor.rules.match import Candidate, RowMatch, match_titles
from extractor.rules.metrics import LetterTotal, find_letter_total, find_metrics, stated_as_achieved
from extractor.rules.numbers import find_numbers
from extractor.rules.periods import find_periods, report_period
from extractor.rules.rubric import Rubric, list_rubrics, load_rubric
from extractor.rules.scorecard import RawRow, RawScorecard, read_scorecard
from extractor.rules.signing import contract_signatures, signed_facts
from extractor.rules.stable_rates import stable_rates
from extractor.textnorm import normalize_text

MIN_MATCHED_SHARE = 0.5  # a rubric fits a scorecard when it explains at least half of its rows


@dataclass
class Extraction:
    """Everything read from one document, before recomputation."""

    doc: Document
    header: HeaderResult
    rubric: Rubric | None
    raw: RawScorecard | None
    matches: list[RowMatch]
    report: Report
    letter_total: LetterTotal | None
    appendix_period: AppendixPeriod | None = None
    # with no scorecard: the achieved rates read the same in every format, for an estimate (rules/stable_rates.py)
    narrative_rates: list[Metric] = field(default_factory=list)


@dataclass(frozen=True)
class AppendixPeriod:
    """The period named in the appendix's title lines, e.g. "… - QUÝ II NĂM 2026" above the table."""

    period: Period
    location: Location


def extract(doc: Document, rubric: Rubric | str | None = None) -> Extraction:
    """Read one document. ``rubric``: a Rubric, a rubric id/path, or None to choose by the rows."""
    header = extract_header(doc)
    info = header.info
    info.period = report_period(doc)
    signed_facts(doc, header)
    citations = document_citations(doc)
    raw = read_scorecard(doc)
    chosen = _choose_rubric(raw, rubric)
    matches = _match(raw, chosen) if raw and chosen else [RowMatch(None, "none", 0.0)] * len(raw.rows if raw else [])
    scorecard_table = raw.table_index if raw else None
    letter_total = find_letter_total(doc, scorecard_table)
    report = Report(
        source=_source(doc),
        document=info,
        scorecard=_scorecard(raw, chosen, matches, citations) if raw else None,
        citations=citations,
        metrics=find_metrics(doc, chosen or load_rubric(), scorecard_table),
        letter_total=letter_total.value if letter_total else None,
        letter_total_location=letter_total.location if letter_total else None,
    )
    appendix = _appendix_period(doc, raw, info.date.year if info.date else None) if raw else None
    rates = stable_rates(doc, chosen or load_rubric()) if raw is None else []
    return Extraction(doc, header, chosen, raw, matches, report, letter_total, appendix, rates)


TITLE_BLOCKS = 4  # how many paragraphs above the scorecard table may hold its title


def _appendix_period(doc: Document, raw: RawScorecard, year: int | None) -> AppendixPeriod | None:
    blocks = [b for b in doc.body if b.end <= raw.table.start and isinstance(b, Paragraph)][-TITLE_BLOCKS:]
    for block in blocks:
        start = doc.norm.to_norm(block.start)
        text = doc.norm.text[start : doc.norm.to_norm(block.end)]
        for m in find_periods(text, default_year=year):
            period = m.to_period()
            if period is not None and m.kind != "range":
                where = Locator(doc).from_norm(start + m.span[0], start + m.span[1])
                return AppendixPeriod(period, where)
    return None


def _source(doc: Document) -> SourceInfo:
    s = doc.source
    return SourceInfo(
        path=s.path or s.filename or "",
        sha256=s.sha256,
        format=s.format,
        pages=s.pages,
        ocr=s.ocr,
        signatures=contract_signatures(doc),
        unread_pages=unread_pages(doc),
        ocr_pages=list(s.ocr_pages),
        ocr_confidence=s.ocr_confidence,
        legacy_encoding=s.legacy_encoding,
    )


# Notices of a page whose content was not read: a scanned page in a text PDF, a text layer that is not text.
UNREAD_PAGE_NOTICES = frozenset({"page_without_text", "page_text_garbled"})


def unread_pages(doc: Document) -> list[int]:
    return sorted({n.page for n in doc.notices if n.code in UNREAD_PAGE_NOTICES and n.page is not None})


def _candidates(rubric: Rubric) -> list[Candidate]:
    return [Candidate(c.id, (c.title, *c.aliases)) for c in rubric.criteria]


def _match(raw: RawScorecard, rubric: Rubric) -> list[RowMatch]:
    """Rows matched to criteria; a section row (one with sub-rows, e.g. "I", "1" over "1.1") is no criterion."""
    sections = {(r.parent_stt or "").rstrip(".") for r in raw.rows if r.parent_stt}
    rows = [(r.stt, r.title) for r in raw.rows]
    matches = match_titles(rows, _candidates(rubric), {c.stt: c.id for c in rubric.criteria})
    return [
        RowMatch(None, "section", 0.0) if (r.stt or "").rstrip(".") in sections else m
        for r, m in zip(raw.rows, matches, strict=True)
    ]


def _choose_rubric(raw: RawScorecard | None, wanted: Rubric | str | None) -> Rubric | None:
    if isinstance(wanted, Rubric):
        return wanted
    if isinstance(wanted, str):
        return load_rubric(wanted)
    if raw is None or not raw.rows:
        return None
    best: tuple[float, Rubric] | None = None
    for rubric in list_rubrics():
        matched = sum(1 for m in _match(raw, rubric) if m.key)
        share = matched / max(len(raw.rows), 1)
        if share >= MIN_MATCHED_SHARE and (best is None or share > best[0]):
            best = (share, rubric)
    return best[1] if best else None


def _scorecard(
    raw: RawScorecard, rubric: Rubric | None, matches: list[RowMatch], citations: list[Citation]
) -> Scorecard:
    rows = [_row(r, m, citations) for r, m in zip(raw.rows, matches, strict=True)]
    return Scorecard(
        rows=rows,
        claimed_total=raw.claimed_total,
        max_total=raw.max_total if raw.max_total is not None else (rubric.total_points if rubric else None),
        threshold=raw.threshold if raw.threshold is not None else (rubric.pass_threshold if rubric else None),
        total_text=raw.total_text,
        threshold_text=raw.threshold_text,
        rubric=rubric.id if rubric else None,
        table=raw.table_index,
    )


def _row(raw: RawRow, match: RowMatch, citations: list[Citation]) -> ScoreRow:
    ev = raw.evidence
    in_cell = [c for c in citations if ev and c.location.start is not None and ev.start <= c.location.start < ev.end]
    return ScoreRow(
        stt=raw.stt,
        parent_stt=raw.parent_stt,
        criterion_id=match.key,
        title=raw.title,
        max_points=raw.max_points,
        claimed_points=raw.claimed_points,
        appraised_points=raw.appraised_points,
        evidence_text=ev.text if ev else "",
        citations=in_cell,
        rates=_rates(ev.text if ev else ""),
        location=raw.location,
        claimed_text=raw.claimed_text,
        max_text=raw.max_text,
        match=match.how if match.key else None,
        ocr_confidence=raw.ocr_confidence,
        low_confidence=raw.low_confidence,
        ocr_repair=raw.ocr_repair,
        max_ocr_confidence=raw.max_ocr.confidence if raw.max_ocr else None,
        max_ocr_repair=raw.max_ocr.repair if raw.max_ocr else None,
    )


_CLAUSE_START = regex.compile(r"[.;\n](?=[^.;\n]*$)")


def _rates(text: str) -> list[Rate]:
    """The achieved rates of an evidence cell ("đạt 93,4%"), not its targets, bounds or relative rates."""
    norm = normalize_text(text)
    out = []
    for n in find_numbers(norm):
        if n.unit != "%":
            continue
        head = norm[max(0, n.start - 80) : n.start]
        cut = _CLAUSE_START.search(head)
        before = head[cut.end() :] if cut else head
        if stated_as_achieved(n, before, norm[n.end : n.end + 40]):
            out.append(Rate(value=n.value, text=n.text))
    return out
