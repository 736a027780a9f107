"""How sure a report is of the document's own number and date, for whoever shows them (text, XLSX, web).

On a scan these may be handwritten: the audit's OCR_USED finding lists those read with low confidence
(``found.uncertain``) and those not read at all (``found.unread``). ``fact_doubts`` turns that into one
word per fact, so a table or a header can mark the value instead of stating it as certain, and never says
"no number" of a scan whose number OCR could not read.
"""

from __future__ import annotations

from typing import Literal

from extractor.contract import Report

Doubt = Literal["uncertain", "unread"]

# What a reader is told, per fact and doubt (Vietnamese, for officers).
SAID: dict[Doubt, str] = {
    "uncertain": "chưa chắc chắn, xem bản quét",
    "unread": "không đọc được trên bản quét",
}


def fact_doubts(report: Report) -> dict[str, Doubt]:
    """{"number" | "date": "uncertain" | "unread"} for the document's facts OCR doubted or could not read;
    empty for a report read from text."""
    out: dict[str, Doubt] = {}
    for f in report.findings:
        if f.code != "OCR_USED" or not isinstance(f.found, dict):
            continue
        for item in f.found.get("uncertain") or []:
            if isinstance(item, dict) and item.get("fact") in ("number", "date"):
                out[str(item["fact"])] = "uncertain"
        for fact in f.found.get("unread") or []:
            if fact in ("number", "date"):
                out[str(fact)] = "unread"
    return out
