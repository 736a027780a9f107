"""Audit one file: read it, extract what it claims, and (next) recompute and raise findings.

``audit_file`` never raises for the user's file: a file that cannot be read becomes a Report whose only
finding is UNREADABLE with the reason, so a batch always yields one REPORT per file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from extractor.contract import DocumentInfo, Finding, Report, SourceInfo
from extractor.errors import ExtractorError
from extractor.extract import extract
from extractor.reading import parse
from extractor.rules.rubric import Rubric


def audit_file(path: str | Path, rubric: Rubric | str | None = None) -> Report:
    path = Path(path)
    try:
        doc = parse(path)
    except ExtractorError as err:
        return unreadable_report(path, err)
    return extract(doc, rubric).report


def unreadable_report(path: Path, err: ExtractorError) -> Report:
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        sha = ""
    finding = Finding(
        code="UNREADABLE",
        severity="error",
        message=f"Không đọc được tệp: {err.message_vi}",
        found={"code": err.code, "message_en": err.message_en},
    )
    return Report(
        source=SourceInfo(path=str(path), sha256=sha, format="unknown", pages=None, ocr=False),
        document=DocumentInfo(),
        findings=[finding],
    )
