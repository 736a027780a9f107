"""Rates a narrative report states, read the same way whatever format the report came in.

The same report as text, DOCX or PDF differs in where its lines break: a PDF wraps "… được trang bị" /
"máy tính …", a text export puts a blank line between every wrapped line, and a statistics table is rows of
cells in DOCX but one cell per line in a text export. A clause that stops at a line break therefore has other
words in each format. Here the body (without the scorecard table) is read as one stream of words: every run
of whitespace, line break or cell break becomes one space, and a clause ends only where a sentence or an
item ends (". ", "; ", "! ", "? ", and before ", đạt"). Then each percentage stated as achieved ("đạt 93,4%",
"100% cán bộ …", "2.784/2.784 văn bản …") is tied to the rubric criterion its clause is about.

These rates feed the estimated scorecard of a report that has no scoring appendix; the report's own metrics
(extractor/rules/metrics.py) keep their line-level reading for the other checks.
"""

from __future__ import annotations

from array import array
from decimal import Decimal

import regex

from extractor.contract import Metric
from extractor.model import Document
from extractor.rules.fractions import find_fractions
from extractor.rules.locate import Locator
from extractor.rules.match import Candidate, TitleMatcher, features
from extractor.rules.metrics import stated_as_achieved, subject_of
from extractor.rules.numbers import find_numbers
from extractor.rules.ranks import in_spans, rank_spans
from extractor.rules.rubric import Rubric

_SPACE = regex.compile(r"\s+")
_SEGMENT = regex.compile(r"[^\n\t]*\S[^\n\t]*")  # a line or a cell with words in it
# e.g. "- ", "+ ", "• ", "a) ", "2. ", "1.2 ", "II. ", or a row number alone: "2", "2.1"
_ITEM_START = regex.compile(r"\s*(?:[-+•*]\s|\p{Ll}\)\s|\d+(?:\.\d+)*[.)]?(?:\s|$)|[IVXLC]+\.\s)")
# A clause ends where a sentence or an item ends, and before ", đạt …" (as in extractor/rules/metrics.py)
_CLAUSE_END = regex.compile(r"\n|[.;!?](?=\s|$)|(?<=\))\s*,|,\s+(?=(?:đạt|chiếm|trong đó)\b)")
CLAUSE_REACH = 300  # characters of a clause looked at on each side of a rate
MAP_MIN = 0.45  # how well a clause must match a criterion (as for the report's metrics)
MAP_MARGIN = 0.1  # and by how much better than the next criterion


class FlatText:
    """The body as one stream of words, with each character's offset in the normalised text. Spaces, line
    breaks and cell breaks become one space, except before a line or cell that starts a new item whatever the
    format: a list label ("- ", "+ ", "a) ", "2. ", "II. ") or a row number alone ("2"); there a newline
    stays, and ends the clause."""

    def __init__(self, doc: Document, exclude_table: int | None) -> None:
        excluded = doc.tables[exclude_table] if exclude_table is not None else None
        self.parts: list[str] = []
        self.offsets = array("q")
        norm = doc.norm
        for block in doc.body:
            if block is excluded:
                continue
            start, end = norm.to_norm(block.start), norm.to_norm(block.end)
            for seg in _SEGMENT.finditer(norm.text, start, end):
                self._segment(norm.text, seg.start(), seg.end())
        self.text = "".join(self.parts)

    def _segment(self, text: str, start: int, end: int) -> None:
        """One line or cell: its words, after a space or, when it starts an item, a newline."""
        self._sep("\n" if _ITEM_START.match(text, start, end) else " ", start)
        pos = start
        for m in _SPACE.finditer(text, start, end):
            self._add(text[pos : m.start()], pos)
            self._sep(" ", m.start())
            pos = m.end()
        self._add(text[pos:end], pos)

    def _sep(self, sep: str, at: int) -> None:
        if not self.parts:
            return
        if self.parts[-1] in (" ", "\n"):
            if sep == "\n":
                self.parts[-1] = sep
            return
        self.parts.append(sep)
        self.offsets.append(at)

    def _add(self, piece: str, at: int) -> None:
        if piece:
            self.parts.append(piece)
            self.offsets.extend(range(at, at + len(piece)))

    def to_norm(self, pos: int) -> int:
        return self.offsets[min(pos, len(self.offsets) - 1)] if self.offsets else 0


def stable_rates(doc: Document, rubric: Rubric, exclude_table: int | None = None) -> list[Metric]:
    """The achieved rates of the body mapped to the rubric's rate criteria, read from the flattened text."""
    flat = FlatText(doc, exclude_table)
    text = flat.text
    matcher = TitleMatcher(
        [Candidate(c.id, (c.title, *c.aliases, *c.keywords)) for c in rubric.criteria if c.method == "rate"]
    )
    loc = Locator(doc)
    out: list[Metric] = []
    ranks = rank_spans(doc)  # cells of a "Thứ hạng" column
    stated: set[int] = set()  # percentages a fraction states: "24.152/29.950, đạt 80,9%"
    for f in find_fractions(text):
        value = f.percent.value if f.percent is not None else f.ratio_percent
        if f.rank or in_spans(ranks, flat.to_norm(f.start)) or f.denominator.unit == "points" or value is None:
            continue  # "12/63" is a rank, "99,25/100 điểm" a score: a percentage beside it stands alone
        if f.percent is not None:
            stated.add(f.percent.start)
        end = f.percent.end if f.percent is not None and f.percent.end > f.end else f.end
        out += _rate(text, (f.start, end, f.end), value, flat, loc, matcher)
    for n in find_numbers(text):
        if n.unit != "%" or n.start in stated:
            continue
        before, _ = _clause(text, n.start, n.end)
        if stated_as_achieved(n, before, text[n.end : n.end + 40]):
            out += _rate(text, (n.start, n.end, n.end), n.scaled, flat, loc, matcher)
    return sorted(out, key=lambda m: m.location.start or 0)


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    lo, hi = max(0, start - CLAUSE_REACH), min(len(text), end + CLAUSE_REACH)
    breaks = [m.end() for m in _CLAUSE_END.finditer(text, lo, start)]
    after = _CLAUSE_END.search(text, end, hi)
    return text[breaks[-1] if breaks else lo : start], text[end : after.start() if after else hi]


def _rate(
    text: str, span: tuple[int, int, int], value: Decimal, flat: FlatText, loc: Locator, matcher: TitleMatcher
) -> list[Metric]:
    """The rate quoted at span[0]:span[1] (its number ending at span[2]) when its clause names a criterion."""
    start, end, number_end = span
    before, after = _clause(text, start, number_end)
    subject = subject_of(before, after)
    criterion = _criterion(matcher, subject)
    if criterion is None:
        return []
    where = loc.from_norm(flat.to_norm(start), flat.to_norm(end - 1) + 1)
    return [
        Metric(text=text[start:end], value=value, unit="%", subject=subject, location=where, criterion_id=criterion)
    ]


def _criterion(matcher: TitleMatcher, subject: str) -> str | None:
    if not features(subject):
        return None
    ranked = matcher.ranked(subject)
    if not ranked or ranked[0].score < MAP_MIN:
        return None
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < MAP_MARGIN:
        return None
    return ranked[0].key
