"""Numbers read by OCR in cells that must hold a number (points columns), repaired where OCR confuses them.

Tesseract misreads digits in a few usual ways: a letter that looks like a digit (O/o → 0, l/I/| → 1, S → 5,
B → 8), a stray mark or doubled separator ("4,,63", "5'"), a space inside the number ("9 9,25", "4, 63"),
a trailing "." or "," ("5."). ``repair_number`` undoes exactly these and says what it did, e.g. "O→0". It
never invents a digit: every digit of the result stands where a digit or a look-alike letter was read, in
the same order. A letter becomes a digit only beside a real digit, or alone in its cell ("O" → 0), so a
word is never turned into a number. A cell that is still not a number after the repair stays as read.

Only the caller knows which cells must be numbers (``extractor.parsers.ocr_table`` repairs the cells of
points columns, never titles, evidence or STT).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

# Letters (and a bar) OCR reads for digits in a number.
LOOKALIKES: dict[str, str] = {"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"}
# Marks a scan's specks and JPEG ringing put into a number: dropped.
_STRAY = "'`‘’\"~^"
# One number of a points cell as it should read: at most 3 integer digits (no score reaches a thousand)
# and up to 3 decimals, e.g. "5", "4,63", "99,25", "4.625".
_NUMBER = regex.compile(r"^\d{1,3}(?:[.,]\d{1,3})?$")
# What may make up a number read by OCR, before the repair.
_NUMBERISH = regex.compile(rf"^[\d{regex.escape(''.join(LOOKALIKES))}{regex.escape(_STRAY)}.,\s]+$")
# A line of a points cell: a number, optionally over a maximum ("99,25/100", "/100" on its own line after a
# wrap), in brackets or not.
_LINE = regex.compile(
    r"^(?P<open>\(?\s*)(?P<slash>/\s*)?(?P<a>[^/()]+?)(?:(?P<mid>\s*/\s*)(?P<b>[^/()]+?))?(?P<close>\s*\)?)$"
)


@dataclass(frozen=True)
class NumberRepair:
    """The cell's text after the repair (as read when nothing was repaired), what was repaired (None:
    nothing) and whether the result is a number."""

    text: str
    repair: str | None
    number: bool


def is_number(text: str) -> bool:
    """Whether a cell reads as one points number, possibly over its maximum ("99,25/100", or "/100" wrapped
    onto a line of its own), without any repair; "99,25\n100" (two numbers) is not one."""
    lines = _lines(text)
    return _shape_ok(lines) and all(_line_is_number(line) for line in lines)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def _shape_ok(lines: list[str]) -> bool:
    """One line, or a number and its maximum wrapped onto the next line ("99,25" / "/100")."""
    if len(lines) == 1:
        return True
    return len(lines) == 2 and "/" not in lines[0] and lines[1].lstrip("( ").startswith("/")


def _line_is_number(line: str) -> bool:
    m = _LINE.match(line)
    if m is None:
        return False
    parts = [m.group("a"), *([m.group("b")] if m.group("b") is not None else [])]
    return all(_NUMBER.match(p.strip()) for p in parts)


def repair_number(text: str) -> NumberRepair:
    """A cell that must be a number, repaired where OCR confused it; e.g. "4,6S" → "4,65" ("S→5"),
    "1O" → "10" ("O→0"), "9 9,25" → "99,25", "5." → "5"; "năm" and "4-5" stay as read."""
    lines = _lines(text)
    if not lines or not _shape_ok(lines):
        return NumberRepair(text, None, False)
    out: list[str] = []
    done: list[str] = []
    for line in lines:
        repaired = _repair_line(line, done)
        if repaired is None:
            return NumberRepair(text, None, False)
        out.append(repaired)
    joined = "\n".join(out)
    if not done:
        return NumberRepair(text, None, True)
    return NumberRepair(joined, ", ".join(dict.fromkeys(done)), True)


def _repair_line(line: str, done: list[str]) -> str | None:
    m = _LINE.match(line)
    if m is None:
        return None
    a = _repair_part(m.group("a"), done)
    if a is None:
        return None
    if m.group("b") is None:
        return f"{m.group('open').strip()}{m.group('slash') or ''}{a}{m.group('close').strip()}"
    b = _repair_part(m.group("b"), done)
    if b is None:
        return None
    return f"{m.group('open').strip()}{m.group('slash') or ''}{a}/{b}{m.group('close').strip()}"


def _repair_part(part: str, done: list[str]) -> str | None:
    """One number, repaired in place; None when it cannot be one (``done`` untouched then)."""
    part = part.strip()
    if _NUMBER.match(part):
        return part
    if not _NUMBERISH.match(part):
        return None
    steps: list[str] = []
    text = part
    if any(ch in _STRAY for ch in text):
        text = "".join(ch for ch in text if ch not in _STRAY)
        steps.append("bỏ ký tự thừa")
    has_digit = any(ch.isdigit() for ch in text)
    letters = [ch for ch in text if ch in LOOKALIKES]
    if letters and not (has_digit or len(text.strip()) == 1):
        return None  # letters alone are a word, not a misread number
    for ch in dict.fromkeys(letters):
        text = text.replace(ch, LOOKALIKES[ch])
        steps.append(f"{ch}→{LOOKALIKES[ch]}")
    if regex.search(r"\s", text):
        # A space beside a separator ("4, 63") or inside the integer part of a decimal ("9 9,25") splits
        # one number; between two integers ("10 5") it may part two numbers, which stay as read.
        if not regex.search(r"\s[.,]|[.,]\s|\s\d*[.,]\d", text):
            return None
        text = regex.sub(r"\s+", "", text)
        steps.append("bỏ dấu cách trong số")
    cleaned = regex.sub(r"([.,])[.,]+", r"\1", text)  # "4,,63" → "4,63", "4.,63" → "4.63"
    if cleaned != text:
        steps.append("bỏ dấu phân cách thừa")
        text = cleaned
    if text[-1:] in ".," and len(text) > 1:
        steps.append(f"bỏ dấu «{text[-1]}» cuối")
        text = text[:-1]
    if not _NUMBER.match(text):
        return None
    done.extend(steps)
    return text


# Digits OCR reads for capital letters in a label.
LETTERS: dict[str, str] = {"0": "O", "1": "I", "5": "S", "8": "B"}


def repair_label(text: str) -> tuple[str, str | None]:
    """A header label in which OCR took a capital letter for a digit, e.g. "5\\nT\\nT" (an "STT" wrapped one
    letter a line by a narrow column) → "S\\nT\\nT", "5TT" → "STT"; the label and what was repaired (None:
    nothing). Only capitals stand beside the digit, so "Quý 1", "(1)" and "2026" stay as read."""
    lines = text.split("\n")
    stacked = len(lines) > 1 and all(len(line.strip()) == 1 for line in lines)
    if stacked and any(line.strip().isalpha() for line in lines):
        tokens = [line.strip() for line in lines]
        fixed = [LETTERS.get(t, t) for t in tokens]
        changed = [f"{t}→{f}" for t, f in zip(tokens, fixed, strict=True) if t != f]
        return ("\n".join(fixed), ", ".join(dict.fromkeys(changed))) if changed else (text, None)
    done: list[str] = []

    def word(m: regex.Match[str]) -> str:
        token = m.group(0)
        if not regex.fullmatch(r"[\p{Lu}0158]+", token) or not any(ch.isalpha() for ch in token):
            return token
        out = "".join(LETTERS.get(ch, ch) for ch in token)
        done.extend(f"{ch}→{LETTERS[ch]}" for ch in token if ch in LETTERS)
        return out

    repaired = regex.sub(r"\S+", word, text)
    return (repaired, ", ".join(dict.fromkeys(done))) if done else (text, None)
