"""Automatic list numbers of a DOCX (numbering.xml), rendered as the reader sees them.

A paragraph with ``w:numPr`` (directly or from its style) shows a label made from its level's ``w:lvlText``,
e.g. "%1." -> "3.", "%1.%2." -> "2.1.", "%2)" with lowerLetter -> "a)". Counters advance in reading order,
one set per list (a ``w:num`` that restarts with ``w:startOverride`` counts on its own; instances of the
same abstract list otherwise continue each other), and a level restarts when a shallower level is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extractor.parsers.docx_text import Element, int_val, symbol_char, w, w_attr

_PLACEHOLDER = regex.compile(r"%([1-9])")
_MAX_ROMAN = 3999
_MAX_LETTERS = 26 * 8  # "zzzzzzzz"
_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]


def roman(n: int) -> str:
    """Lower-case Roman numerals, e.g. 14 -> "xiv"; beyond 3999 the plain number."""
    if not 0 < n <= _MAX_ROMAN:
        return str(n)
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def letters(n: int) -> str:
    """Word's alphabetic numbering: a … z, aa … zz, aaa …; beyond a sane length the plain number."""
    if not 0 < n <= _MAX_LETTERS:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerRoman":
        return roman(n)
    if fmt == "upperRoman":
        return roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level or a shallower one; 0 never
    legal: bool = False


def read_level(el: Element) -> Level:
    return Level(
        start=int_val(w_attr(el.find(w("start")), "val"), 1),
        fmt=w_attr(el.find(w("numFmt")), "val", "decimal") or "decimal",
        text=w_attr(el.find(w("lvlText")), "val", "") or "",
        restart=int_val(w_attr(el.find(w("lvlRestart")), "val"), None),
        legal=el.find(w("isLgl")) is not None,
    )


def _levels(el: Element) -> dict[int, Level]:
    return {int_val(w_attr(lvl, "ilvl"), 0): read_level(lvl) for lvl in el.findall(w("lvl"))}


@dataclass
class _Num:
    abstract_id: str
    levels: dict[int, Level]
    starts: dict[int, int] = field(default_factory=dict)  # w:startOverride per level


class Numbering:
    def __init__(self, numbering: Element | None) -> None:
        self._nums: dict[str, _Num] = {}
        self._values: dict[str, dict[int, int]] = {}
        if numbering is not None:
            self._load(numbering)

    def _load(self, numbering: Element) -> None:
        abstracts: dict[str, dict[int, Level]] = {}
        links: dict[str, str] = {}  # numStyleLink name -> abstractNumId that defines it (styleLink)
        for el in numbering.findall(w("abstractNum")):
            aid = w_attr(el, "abstractNumId", "") or ""
            abstracts[aid] = _levels(el)
            if el.find(w("styleLink")) is not None:
                links[w_attr(el.find(w("styleLink")), "val", "") or ""] = aid
        for el in numbering.findall(w("abstractNum")):
            link = w_attr(el.find(w("numStyleLink")), "val")
            aid = w_attr(el, "abstractNumId", "") or ""
            if link in links and not abstracts[aid]:
                abstracts[aid] = abstracts[links[link]]
        for el in numbering.findall(w("num")):
            self._load_num(el, abstracts)

    def _load_num(self, el: Element, abstracts: dict[str, dict[int, Level]]) -> None:
        aid = w_attr(el.find(w("abstractNumId")), "val", "") or ""
        num = _Num(abstract_id=aid, levels=dict(abstracts.get(aid, {})))
        for override in el.findall(w("lvlOverride")):
            ilvl = int_val(w_attr(override, "ilvl"), 0)
            lvl = override.find(w("lvl"))
            if lvl is not None:
                num.levels[ilvl] = read_level(lvl)
            start = int_val(w_attr(override.find(w("startOverride")), "val"), None)
            if start is not None:
                num.starts[ilvl] = start
        self._nums[w_attr(el, "numId", "") or ""] = num

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (list, level) and return the label shown, or None when there is none."""
        num = self._nums.get(num_id)
        if num is None or ilvl not in num.levels:
            return None
        key = f"num:{num_id}" if num.starts else f"abstract:{num.abstract_id}"
        values = self._values.setdefault(key, {})
        values[ilvl] = values[ilvl] + 1 if ilvl in values else self._start(num, ilvl)
        for deeper in [d for d in values if d > ilvl]:
            restart = num.levels[deeper].restart if deeper in num.levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                del values[deeper]
        return self._render(num, ilvl, values) or None

    def _start(self, num: _Num, ilvl: int) -> int:
        return num.starts.get(ilvl, num.levels[ilvl].start if ilvl in num.levels else 1)

    def _render(self, num: _Num, ilvl: int, values: dict[int, int]) -> str:
        level = num.levels[ilvl]
        if level.fmt == "bullet":
            return "".join(symbol_char(ord(c)) for c in level.text)

        def number(match: regex.Match[str]) -> str:
            k = int(match.group(1)) - 1
            fmt = num.levels[k].fmt if k in num.levels else "decimal"
            if level.legal or fmt == "bullet":
                fmt = "decimal"
            return format_number(values.get(k, self._start(num, k)), fmt)

        return _PLACEHOLDER.sub(number, level.text).strip()
