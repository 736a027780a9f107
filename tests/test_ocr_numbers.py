"""Numbers read by OCR in points cells: the usual confusions repaired and said, nothing invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.parsers.ocr_numbers import LOOKALIKES, is_number, repair_label, repair_number


@pytest.mark.parametrize(
    ("read", "text", "repair"),
    [
        ("4,6S", "4,65", "S→5"),
        ("1O", "10", "O→0"),
        ("l0", "10", "l→1"),
        ("I5", "15", "I→1"),
        ("|0", "10", "|→1"),
        ("B,5", "8,5", "B→8"),
        ("4,o3", "4,03", "o→0"),
        ("O", "0", "O→0"),
        ("9 9,25", "99,25", "bỏ dấu cách trong số"),
        ("4, 63", "4,63", "bỏ dấu cách trong số"),
        ("4,,63", "4,63", "bỏ dấu phân cách thừa"),
        ("5.", "5", "bỏ dấu «.» cuối"),
        ("10,", "10", "bỏ dấu «,» cuối"),
        ("5'", "5", "bỏ ký tự thừa"),
        ("99,25\n/1OO", "99,25\n/100", "O→0"),
        ("99,25/1OO", "99,25/100", "O→0"),
        ("S,5O", "5,50", "S→5, O→0"),
    ],
)
def test_repairs_the_usual_confusions_and_says_which(read: str, text: str, repair: str) -> None:
    fixed = repair_number(read)
    assert (fixed.text, fixed.repair, fixed.number) == (text, repair, True)


@pytest.mark.parametrize("read", ["5", "4,63", "99,25/100", "99,25\n/100", "8.00", "(5)", "0"])
def test_a_number_read_right_is_left_alone(read: str) -> None:
    fixed = repair_number(read)
    assert (fixed.text, fixed.repair, fixed.number) == (read, None, True)
    assert is_number(read)


@pytest.mark.parametrize(
    "read",
    [
        "năm",  # a word
        "SO",  # letters alone: a word, not a misread number
        "lO",
        "Bo",
        "10 5",  # two numbers, not one with a space inside
        "4-5",  # a range
        "99,25\n100",  # two numbers on two lines (the "/" of a wrapped maximum was not read)
        ".5",  # a leading separator: the digit before it may be lost, none is invented
        "4.6,3",
        "-",  # a placeholder
        "",
        "1234",  # no score reaches a thousand
    ],
)
def test_what_is_not_a_number_stays_as_read(read: str) -> None:
    fixed = repair_number(read)
    assert (fixed.text, fixed.repair, fixed.number) == (read, None, False)


@given(st.text(alphabet="0123456789OolIS|B., '", min_size=1, max_size=8))
def test_never_invents_a_digit(read: str) -> None:
    """Every digit of a repaired number stands where a digit or a look-alike was read, in the same order."""
    fixed = repair_number(read)
    if fixed.repair is None:
        assert fixed.text == read
        return
    assert fixed.number
    digits_in = "".join(LOOKALIKES.get(ch, ch) for ch in read if ch.isdigit() or ch in LOOKALIKES)
    digits_out = "".join(ch for ch in fixed.text if ch.isdigit())
    assert digits_out == digits_in


@pytest.mark.parametrize(
    ("read", "label", "repair"),
    [
        ("5\nT\nT", "S\nT\nT", "5→S"),  # "STT" wrapped one letter a line by a narrow column
        ("5TT", "STT", "5→S"),
        ("Quý 1", "Quý 1", None),
        ("(1)", "(1)", None),
        ("1\n2\n3", "1\n2\n3", None),
        ("Điểm\ntối đa", "Điểm\ntối đa", None),
    ],
)
def test_a_header_label_gets_back_the_capital_read_as_a_digit(read: str, label: str, repair: str | None) -> None:
    assert repair_label(read) == (label, repair)
