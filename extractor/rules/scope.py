"""The scope of a stated figure: over what it is measured. Two mentions of one rate state the same thing only
when their scopes are the same.

A scope is a set of folded markers found in the figure's subject, in the words right after it (up to its clause
end, e.g. a parenthesis) and in the heading of its section:
  - a statistic over several units   e.g. "cao nhất", "thấp nhất" (max, min), "bình quân", "trung bình" (mean)
  - a level of government            e.g. "cấp tỉnh", "cấp xã", "các sở, ngành"
  - a named unit                     e.g. "xã Đại Sơn", "Sở Tư pháp", "phường Lê Chân", "(Sở Tư pháp)"
So "Chỉ số hài lòng … cao nhất là 95,27%" ({max}) and "Chỉ số hài lòng … của Sở Tư pháp đạt 93,10%" ({sở tư})
are two figures, not one figure written twice; the overall rate has the empty scope.
"""

from __future__ import annotations

from bisect import bisect_left

import regex

from extractor.textnorm import fold

_STATISTICS = {
    "max": r"cao nhất|lớn nhất|nhiều nhất|tối đa",
    "min": r"thấp nhất|nhỏ nhất|ít nhất|tối thiểu",
    "mean": r"bình quân|trung bình",
}
_STATISTIC_RE = regex.compile(
    "|".join(rf"(?P<{k}>(?<!\p{{L}})(?:{v})(?!\p{{L}}))" for k, v in _STATISTICS.items()), regex.I
)
_LEVEL_RE = regex.compile(
    r"(?<!\p{L})(?:cấp (?:trung ương|tỉnh|thành phố|huyện|xã|sở|cơ sở)|các sở, (?:ban, )?ngành|sở, ngành)(?!\p{L})",
    regex.I,
)
# a kind of unit (any case) and its proper name (capitalised words): "xã Đại Sơn", "Sở Tư pháp" -> "sở tư"
_NAMED_RE = regex.compile(
    r"(?<!\p{L})(?i:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|sở|bộ|ban|công an|ủy ban nhân dân|ubnd)"
    r"\s+(?P<name>\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*)*)"
)
# a heading line: an outline label and a short title ("1. Sở Tư pháp", "II. KẾT QUẢ THEO LĨNH VỰC", "a) Xã Đại Sơn")
# possessive: a line "1.1.1.1…" is given up once, not once per dot (what follows the label never needs a digit back)
HEADING_RE = regex.compile(r"(?m)^[ \t#*]*+(?:[IVX]++|\d++(?:\.\d++)*+|[a-zđ])[.)][ \t]+(?P<title>[^\n]{2,100})$")
HEADING_REACH = 6000  # characters back to the figure's section heading


def scope_markers(text: str) -> frozenset[str]:
    """The statistics, levels and named units a piece of text states."""
    out: set[str] = set()
    for m in _STATISTIC_RE.finditer(text):
        out.add(m.lastgroup or "")
    out.update(fold(m.group()) for m in _LEVEL_RE.finditer(text))
    for m in _NAMED_RE.finditer(text):
        kind = m.group().split()[0]
        out.add(fold(f"{kind} {m.group('name')}"))
    return frozenset(out)


class Headings:
    """The heading lines of a text, read once: ``before(pos)`` is the title of the nearest one before ``pos``
    ("" when there is none within HEADING_REACH)."""

    def __init__(self, text: str) -> None:
        found = [(m.start(), m.group("title")) for m in HEADING_RE.finditer(text)]
        self.starts, self.titles = [s for s, _ in found], [t for _, t in found]

    def before(self, pos: int) -> str:
        k = bisect_left(self.starts, pos) - 1
        return self.titles[k] if k >= 0 and pos - self.starts[k] <= HEADING_REACH else ""


def figure_scope(subject: str, after: str, heading: str) -> frozenset[str]:
    """The scope of a figure from its subject, the words after it in its clause, and its section's heading (only
    the units a heading names count: "II. KẾT QUẢ CHUNG" adds nothing)."""
    named = frozenset(m for m in scope_markers(heading) if m not in _STATISTICS)
    return scope_markers(subject) | scope_markers(after) | named
