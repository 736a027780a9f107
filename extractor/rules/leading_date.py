"""The date that leads a sentence and governs its first citation.

"Ngày 23/12/2025, Sở Nội vụ có Công văn số 3732/SNV-CCHC&VTLT …": the Công văn states no date of its own, but
the sentence says it was issued on 23/12/2025. Catalogue:
  - lead      at a sentence start (the text's start, a line start, after ". ", ";" or ":"), after an optional
              list label: "Ngày 23/12/2025", "- Ngày 23 tháng 12 năm 2025", "Tuy nhiên ngày 03/11/2025",
              "Vào ngày …"; not "từ ngày 01/7/2025" (since) in the middle of a sentence
  - governs   between the date and the citation only ", <actor> <verb of issuing> ": "Sở Nội vụ có",
              "UBND tỉnh đã ban hành", "Chính phủ ban hành"; not "theo …", not another citation
"""

from __future__ import annotations

from datetime import date

import regex

from extractor.rules.dates import match_date_at

# A sentence led by a date that governs its first citation: "Ngày 23/12/2025, Sở Nội vụ có Công văn số …",
# "Tuy nhiên ngày 03/11/2025, Chính phủ ban hành Nghị định số …". The lead stands at a sentence start (text
# start, a line start, after ". ", ";" or ":"), possibly after a list label; the date is capitalised there
# or follows a connective. Between the date and the citation: an actor and a verb of issuing, nothing else.
_SENTENCE_LEAD = regex.compile(
    r"(?:^|(?<=[\n.;:])[ \t]*)(?:[-+•][ \t]*|\p{Ll}\)[ \t]*|\d+\.[ \t]*)?"
    r"(?:(?:Tuy nhiên|Đồng thời|Sau đó|Tiếp đó|Vào|Cũng trong)[ ,]+(?i:ngày)|Ngày)[ \t]+"
)
_GOVERNED = regex.compile(
    r"[ \t]*,\s*\p{Lu}[^,;:.()\[\]\d]{1,80}?"
    r"\s+(?:đã\s+|cũng\s+)?(?:có|ban\s+hành|ký(?:\s+ban\s+hành)?|phát\s+hành|gửi|ra)\s+$"
)
LEAD_LOOKBACK = 160  # how far before a citation its sentence's leading date may stand


def leading_date(text: str, head: int, previous_end: int) -> date | None:
    """The date that leads the sentence of a citation standing at ``head`` and governs it ("Ngày 23/12/2025,
    Sở Nội vụ có Công văn số …"): only the sentence's first citation, only after an actor and a verb of
    issuing."""
    low = max(previous_end, head - LEAD_LOOKBACK, 0)
    for lead in _SENTENCE_LEAD.finditer(text, low, head):
        found = match_date_at(text, lead.end())
        if found is None or found.value is None:
            continue
        if _GOVERNED.fullmatch(text, found.end, head):
            return found.value
    return None
