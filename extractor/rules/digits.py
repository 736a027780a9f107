"""Patterns whose ``\\d`` means the ASCII digits 0–9 only.

``regex``'s ``\\d`` matches every decimal digit Unicode knows, including digits newer than the Unicode data of
this Python (e.g. U+11F50 KAWI DIGIT ZERO), which ``int`` and ``Decimal`` then refuse. Reports write numbers
in ASCII digits, so the number, date and period patterns read only those.
"""

from __future__ import annotations

from typing import Any

import regex


def ascii_digits(pattern: str) -> str:
    r"""``pattern`` with every ``\d`` written as 0-9: ``[0-9]`` outside a set, ``0-9`` inside one."""
    out: list[str] = []
    in_set = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(("0-9" if in_set else "[0-9]") if nxt == "d" else ch + nxt)
            i += 2
            continue
        if ch == "[" and not in_set:
            in_set = True
            out.append(ch)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":  # a "]" first in a set is a literal
                out.append("]")
                i += 1
            continue
        if ch == "]" and in_set:
            in_set = False
        out.append(ch)
        i += 1
    return "".join(out)


def compile_ascii(pattern: str, flags: int = 0, **kwargs: Any) -> regex.Pattern[str]:
    return regex.compile(ascii_digits(pattern), flags, **kwargs)
