"""Table columns that hold ranks: a column headed "Thứ hạng", "Xếp hạng", "Xếp thứ" or "Hạng" holds places in
a ranking ("12/63": 12th of 63 provinces), not fractions; ``rank_spans`` gives where its cells lie so that
readers of fractions mark them as ranks.
"""

from __future__ import annotations

from bisect import bisect_right

import regex

from extractor.model import Document, Table

HEADER_ROWS = 3  # rows looked at for a header when the reader marked none (a two- or three-row header)
_RANK_HEADER = regex.compile(r"^\s*(?:thứ hạng|xếp hạng|xếp thứ|hạng|vị thứ)(?!\p{L})", regex.IGNORECASE)


def _rank_columns(table: Table) -> set[int]:
    heads = [r for r in table.rows if r.header] or table.rows[: max(HEADER_ROWS, table.header_rows)]
    return {c.col + k for r in heads for c in r.cells if _RANK_HEADER.match(c.text) for k in range(c.col_span)}


def rank_spans(doc: Document) -> list[tuple[int, int]]:
    """(start, end) in ``doc.norm.text`` of every cell below a rank header, in order."""
    out = []
    for table in doc.tables:
        cols = _rank_columns(table)
        if not cols:
            continue
        for row in table.rows:
            if row.header:
                continue
            for c in row.cells:
                if c.col in cols and not _RANK_HEADER.match(c.text):
                    out.append((doc.norm.to_norm(c.start), doc.norm.to_norm(c.end)))
    return sorted(out)


def in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    k = bisect_right(spans, (pos, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]
