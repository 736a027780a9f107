"""The appendix table of one rendering, independent of the producer: cell texts, merges, column widths.

e.g. for header "two" and labels "short" the header is two rows, "TT" | "Nội dung tiêu chí" | "Minh chứng"
each spanning both, and "Điểm" over "Thang điểm" | "Tự chấm"; the total row is the label merged over
``total_span`` columns, the threshold, and the value written as ``total_value`` says ("97,45/100").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fontTools.ttLib import TTFont

from .layout import Report, widths

if TYPE_CHECKING:
    from .matrix import Variant

# One header row: STT, title, max, evidence, claimed. Two rows: the points under "Điểm".
LABELS = {
    "full": (("STT", "Tiêu chí", "Điểm tối đa", "Tài liệu kiểm chứng", "Điểm đạt"), ("Tối đa", "Đạt")),
    "short": (("TT", "Nội dung tiêu chí", "Thang điểm", "Minh chứng", "Điểm tự chấm"), ("Thang điểm", "Tự chấm")),
    "so-tt": (
        ("Số TT", "Tiêu chí đánh giá", "Điểm chuẩn", "Tài liệu kiểm chứng", "Điểm tự đánh giá"),
        ("Chuẩn", "Tự đánh giá"),
    ),
}
STT, TITLE, MAX, EVIDENCE, CLAIMED = range(5)
NUMBER = re.compile(r"\d+(?:,\d+)?")


@dataclass
class Spec:
    rows: list[list[str]]  # every row has one text per column; a cell merged into another is ""
    merges: list[tuple[int, int, int, int]]  # (first row, first column, last row, last column)
    header_rows: int
    centred: list[bool]  # per column: short values, centred
    annex: list[str]  # the title lines above the table, e.g. "PHỤ LỤC", "KẾT QUẢ …", "(Kèm theo …)"
    wrap_header: bool = False  # break header labels between words, as a narrow table typed by hand
    evidence_col: int = EVIDENCE
    points_cols: tuple[int, ...] = field(default=(MAX, CLAIMED))

    @property
    def n_cols(self) -> int:
        return len(self.rows[0])

    def covered(self, r: int, c: int) -> bool:
        """Whether (r, c) lies inside a merge without being its first cell."""
        return any(r0 <= r <= r1 and c0 <= c <= c1 and (r, c) != (r0, c0) for r0, c0, r1, c1 in self.merges)

    def merge_at(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        return next((m for m in self.merges if m[:2] == (r, c)), None)


def build_spec(rep: Report, v: Variant) -> Spec:
    assert rep.appendix is not None
    texts = rep.appendix.texts()
    body, total = texts[1:-1], texts[-1]
    one, under = LABELS[v.labels]
    order = [STT, TITLE, MAX, EVIDENCE, CLAIMED] if v.header == "one" else [STT, TITLE, EVIDENCE, MAX, CLAIMED]
    merges: list[tuple[int, int, int, int]] = []
    if v.header == "one":
        head = [[one[i] for i in order]]
    else:
        head = [[one[STT], one[TITLE], one[EVIDENCE], "Điểm", ""], ["", "", "", *under]]
        merges += [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4)]
    rows = head + [[row[i] for i in order] for row in body]
    value = NUMBER.search(total[CLAIMED])
    assert value is not None, total
    written = {"plain": value.group(), "of100": f"{value.group()}/100", "diem": f"{value.group()} điểm"}
    threshold, span = total[EVIDENCE], int(v.total_span)
    last = [v.total_label] + [""] * (span - 1)
    if v.header == "one":
        last += ["100"] if span == 2 else []
        last += [threshold, written[v.total_value]]
    else:
        last += [threshold] if span == 2 else []
        last += ["100", written[v.total_value]]
    r = len(rows)
    rows.append(last)
    merges.append((r, 0, r, span - 1))
    centred = [order[c] in (STT, MAX, CLAIMED) for c in range(5)]
    evidence = order.index(EVIDENCE)
    points = (order.index(MAX), order.index(CLAIMED))
    return Spec(rows, merges, len(head), centred, rep.annex, v.widths == "narrow", evidence, points)


def column_widths(
    spec: Spec, text_width: float, narrow: bool, measure: Callable[[str], float], pad: float
) -> list[float]:
    """Column widths (mm) filling ``text_width``. Narrow: the STT column holds "ST" and "18" but not "STT",
    a points column holds "97,45/1" but not "97,45/10", so those wrap inside their cells, mid-word."""
    if not narrow:
        return widths(spec.rows, text_width)
    total = spec.rows[-1][spec.points_cols[-1]]
    number = NUMBER.search(total)
    assert number is not None
    longest_stt = max((row[0] for row in spec.rows[spec.header_rows : -1]), key=len)
    stt = max(measure("ST"), measure(longest_stt)) + 0.3 + 2 * pad
    points = max(measure(number.group() + "/1"), measure("10")) + 0.3 + 2 * pad
    out = [0.0] * spec.n_cols
    out[0] = stt
    for c in spec.points_cols:
        out[c] = points
    rest = text_width - sum(out)
    free = [c for c in range(spec.n_cols) if not out[c]]
    share = {c: (2.0 if c == spec.evidence_col else 3.0) for c in free}
    for c in free:
        out[c] = rest * share[c] / sum(share.values())
    return out


@functools.cache
def _advances(font: Path) -> tuple[dict[str, int], int]:
    with TTFont(str(font), lazy=True) as f:
        metrics = f["hmtx"].metrics
        widths = {chr(cp): metrics[glyph][0] for cp, glyph in f.getBestCmap().items()}
        return widths, int(f["head"].unitsPerEm)


def measurer(font: Path, size: float) -> Callable[[str], float]:
    """Width (mm) of a text set in ``font`` at ``size`` pt, from the font's advance widths (no kerning)."""
    widths, units = _advances(font)
    scale = size * 25.4 / 72 / units
    return lambda text: sum(widths.get(ch, units // 2) for ch in text) * scale
