"""The cell grid of a ruled table: grid lines from the cells pdfplumber finds, cells with their spans, the
characters of each cell, and the rules a table leaves out: a closing rule where the column rules stop at a
page break, and rows cut back apart where no rule separates them (each starts at its number, STT).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import regex

from extractor.parsers.pdf_layout import text_lines

Obj = dict[str, Any]
Box = tuple[float, float, float, float]

# Distinct grid lines closer than this (pt) are one line.
SNAP = 2.0
# pdfplumber's default snap and join tolerance (pt) for rules.
SNAP_TOL = 3


def _snap(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """Index of the grid line nearest ``value``."""
    i = bisect_right(edges, value)
    if i == 0:
        return 0
    if i == len(edges) or value - edges[i - 1] <= edges[i] - value:
        return i - 1
    return i


@dataclass
class Grid:
    boxes: list[Box]
    xs: list[float]
    ys: list[float]
    slots: list[tuple[int, int, int, int]]  # row, col, row_span, col_span per box

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1


def make_grid(boxes: list[Box]) -> Grid:
    xs = _snap(v for b in boxes for v in (b[0], b[2]))
    ys = _snap(v for b in boxes for v in (b[1], b[3]))
    slots = []
    taken: set[tuple[int, int]] = set()
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        covered = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if not covered or covered & taken:
            continue
        taken |= covered
        kept.append(box)
        slots.append((r0, c0, r1 - r0, c1 - c0))
    return Grid(kept, xs, ys, slots)


def straddling(grid: Grid, per_cell: list[list[Obj]]) -> float:
    """Share of a grid's characters that cross a side of their own cell: text running through the rules.

    A rule that only exists between columns a merged cell spans (e.g. a section title across the table)
    is not a side of that cell, so its text does not count.
    """
    crossing = total = 0
    for (_, col, _, span), chars in zip(grid.slots, per_cell, strict=True):
        sides = (grid.xs[col], grid.xs[col + span])
        total += len(chars)
        crossing += sum(1 for ch in chars if any(ch["x0"] + 0.5 < x < ch["x1"] - 0.5 for x in sides))
    return crossing / total if total else 0.0


def in_box(ch: Obj, box: Box) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    y = (ch["top"] + ch["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def cell_chars(grid: Grid, chars: list[Obj]) -> list[list[Obj]]:
    """Chars go to the cell holding their centre."""
    owner: dict[tuple[int, int], int] = {}
    for i, (r, c, rs, cs) in enumerate(grid.slots):
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                owner[rr, cc] = i
    per_cell: list[list[Obj]] = [[] for _ in grid.boxes]
    for ch in chars:
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        index = owner.get((bisect_right(grid.ys, y) - 1, bisect_right(grid.xs, x) - 1))
        if index is not None:
            per_cell[index].append(ch)
    return per_cell


def open_ends(vertical: list[Obj], horizontal: list[Obj]) -> list[Obj]:
    """Rules that close a table where its column rules stop without one, e.g. at a page break in a table
    drawn with no rules between body rows: at least three column rules ending (or starting) at the same
    height, below (or above) a rule that crosses them all, and no rule there yet."""
    out: list[Obj] = []
    for end, further in (("bottom", 1), ("top", -1)):
        groups: dict[float, list[Obj]] = {}
        for edge in vertical:
            key = next((y for y in groups if abs(y - edge[end]) <= SNAP_TOL), edge[end])
            groups.setdefault(key, []).append(edge)
        for y, edges in groups.items():
            x0, x1 = min(e["x0"] for e in edges), max(e["x0"] for e in edges)
            if len(edges) < 3 or _ruled_at(horizontal, y, x0, x1, further=0):
                continue
            if _ruled_at(horizontal, y, x0, x1, further=-further):
                out.append(
                    {
                        **edges[0],
                        "x0": x0,
                        "x1": x1,
                        "top": y,
                        "bottom": y,
                        "width": x1 - x0,
                        "height": 0.0,
                        "orientation": "h",
                    }
                )
    return out


def _ruled_at(horizontal: list[Obj], y: float, x0: float, x1: float, further: int) -> bool:
    """Whether a rule spans x0..x1 at ``y`` (further 0), or anywhere above it (-1) or below it (1)."""
    for e in horizontal:
        if e["x0"] > x0 + SNAP_TOL or e["x1"] < x1 - SNAP_TOL:
            continue
        if (further == 0 and abs(e["top"] - y) <= SNAP_TOL) or (further and (e["top"] - y) * further > SNAP_TOL):
            return True
    return False


def split_unruled_rows(grid: Grid, per_cell: list[list[Obj]]) -> Grid:
    """Rows a table draws no rule between come out of the grid as one tall row; cut it back into rows
    where its first column starts a new number (STT), e.g. one cell "1 / 2 / 3" beside three titles.

    A row is cut only where every line of its first-column cell is a number of its own and there are at
    least two; each new row starts a little above its number's line (text set in a larger font, or
    centred, may begin slightly higher), the first one at the row's top so that text above the first
    number (the rest of a row cut by a page break) stays a row of its own.
    """
    cuts: dict[int, list[float]] = {}
    for (row, col, row_span, _), chars in zip(grid.slots, per_cell, strict=True):
        if col != 0 or row_span != 1 or not chars:
            continue
        lines = text_lines(chars, split_gaps=False)
        numbers = [line.text.strip() for line in lines]
        if len(numbers) >= 2 and all(_ROW_NUMBER.match(n) for n in numbers) and len(set(numbers)) == len(numbers):
            starts = [line.top - _CUT_ABOVE * (line.bottom - line.top) for line in lines]
            row_chars = [ch for (r, _, rs, _), own in zip(grid.slots, per_cell, strict=True) if r == row for ch in own]
            above = any((ch["top"] + ch["bottom"]) / 2 < starts[0] for ch in row_chars)
            cuts[row] = starts if above else starts[1:]
    if not cuts:
        return grid
    boxes: list[Box] = []
    for box, (row, _, row_span, _) in zip(grid.boxes, grid.slots, strict=True):
        if row_span != 1 or row not in cuts:
            boxes.append(box)
            continue
        edges = [box[1], *cuts[row], box[3]]
        boxes += [(box[0], top, box[2], bottom) for top, bottom in itertools.pairwise(edges)]
    return make_grid(boxes)


# A number that starts a row of its own in a column without rules: "1", "2.", "1.2", "IV" (no lone letter:
# a header "STT" wrapped as "T" / "T" is no list of rows).
_ROW_NUMBER = regex.compile(r"^\(?(?:\d{1,3}(?:[.,]\d{1,3})*|[IVXLC]{1,6})[.)]?$")
# A row found by its number starts this many line heights above the number's line.
_CUT_ABOVE = 0.3
