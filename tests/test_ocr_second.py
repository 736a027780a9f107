"""The second recogniser for doubted digits (``extractor.parsers.ocr_second``): how two readings are aligned
and voted, which letters may change, and what it does to handwritten numbers and days on generated scans."""

from __future__ import annotations

import functools

import pytest

from extractor import ParseOptions, audit, parse
from extractor.parsers import ocr, ocr_second
from samples.generator.handwritten import available_fonts, letter, scanned
from samples.generator.scan import scan_pdf
from tests.conftest import SAMPLES


def _all(_: int) -> bool:
    return True


def _none(_: int) -> bool:
    return False


# --- alignment and vote -------------------------------------------------------------------------------------


def test_alignment_matches_letters_across_diacritics_and_never_pairs_a_space_with_a_letter() -> None:
    pairs = ocr_second.align("Số: Z/BC", "S:25/BC")
    matched = {("Số: Z/BC"[i], "S:25/BC"[j]) for i, j in pairs if i is not None and j is not None}
    assert ("S", "S") in matched and (":", ":") in matched and ("/", "/") in matched
    assert not any(a.isspace() != b.isspace() for a, b in matched)


def test_a_confident_digit_of_the_second_reader_replaces_a_doubted_one() -> None:
    first, second = "332/QĐ-TTg", "93V/QD-TTg"
    probs = [0.99, 0.77, 0.36, 0.9, 0.98, 0.64, 1.0, 1.0, 1.0, 0.99]
    voted = ocr_second.combine(first, [0.63] * len(first), second, probs, _all)
    assert voted is not None and voted.changed
    # the "9" wins over the doubted "3"; "V" is no digit, so the "2" stays; Tesseract's "Đ" stays
    assert voted.text == "932/QĐ-TTg"


def test_the_second_reader_never_changes_letters_or_a_word_nobody_doubts() -> None:
    voted = ocr_second.combine("Số 06/KH", [0.95] * 8, "So 08/KH", [0.99] * 8, _none)
    assert voted is not None and voted.text == "Số 06/KH" and not voted.changed
    voted = ocr_second.combine("Hộl 06", [0.5] * 6, "Hoi 06", [0.99] * 6, _all)  # only digits are voted in
    assert voted is not None and voted.text == "Hộl 06"


def test_a_weaker_digit_does_not_replace_a_surer_one() -> None:
    voted = ocr_second.combine("125", [0.7] * 3, "128", [1.0, 1.0, 0.6], _all)
    assert voted is not None and voted.text == "125" and not voted.confirmed


def test_agreement_on_every_digit_confirms_the_word() -> None:
    voted = ocr_second.combine("Số: 47/BC", [0.6] * 9, "So: 47/BC", [0.99] * 9, _all)
    assert voted is not None and voted.text == "Số: 47/BC" and voted.confirmed and not voted.changed


def test_digits_missed_in_an_empty_blank_are_inserted_only_when_asked() -> None:
    first, second = "ngày tháng 5", "ngày 13 tháng 5"
    conf = [0.95] * len(first)
    without = ocr_second.combine(first, conf, second, [0.95] * len(second), _none)
    assert without is not None and without.text == first
    voted = ocr_second.combine(first, conf, second, [0.95] * len(second), _none, gaps=True)
    assert voted is not None and "13" in voted.text and sum(voted.inserted) == 2


def test_a_number_signs_letters_are_voted_but_vietnamese_letters_stay() -> None:
    first = "Số: 197 /TIr- CAT"
    sign = ocr_second.number_sign(first)
    assert "".join(first[i] for i in sorted(sign)) == "TIr-"
    conf = [0.9] * 8 + [0.6] * 9
    voted = ocr_second.combine(first, conf, "So: 197 /TTr- CAT", [0.97] * 17, lambda i: i >= 8, letters=sign)
    assert voted is not None and voted.text == "Số: 197 /TTr- CAT"  # "Số" keeps its diacritics, "CAT" is no sign
    first = "Số: 932/QĐ-TTg"
    voted = ocr_second.combine(
        first, [0.6] * 14, "S: 932/QD-TTg", [0.99] * 13, _all, letters=ocr_second.number_sign(first)
    )
    assert voted is not None and voted.text == first  # "Đ" and "D" agree


def test_three_readings_vote_letter_by_letter_and_the_line_reading_keeps_its_insertions() -> None:
    # Tesseract "23", PP-OCR on the line "139", on the word alone "239": two say "2"
    assert ocr_second.majority("23/TTr", "139/TTr", "239/TTr") == "239/TTr"
    # the word alone agrees with Tesseract: the line's change is outvoted
    assert ocr_second.majority("332/QĐ", "932/QĐ", "332/QĐ") == "332/QĐ"
    # all three differ: the line's reading
    assert ocr_second.majority("5", "6", "8") == "6"
    # the word alone cannot see a digit beside Tesseract's box: the line's insertion stays
    assert ocr_second.majority("0", "01", "0") == "01"


def test_a_reading_of_another_text_is_not_used() -> None:
    assert ocr_second.combine("Số: 12/BC-UBND", [0.5] * 14, "Tờ trình", [0.99] * 8, _all) is None


def test_a_stray_mark_the_second_reader_did_not_see_is_dropped_from_a_doubted_word() -> None:
    first = "tháng “\\ năm"
    voted = ocr_second.combine(first, [0.35] * len(first), "tháng 9 năm", [0.96] * 11, _all)
    assert voted is not None and voted.text == "tháng 9 năm"


@pytest.mark.parametrize(
    ("line", "blank"),
    [
        ("Số: 7/BC-UBND", "7"),
        ("Số: 06/2025/QĐ-UBND", "06/2025"),
        ("An Hưng, ngày Z7 tháng/Z năm 2025", "Z7/Z"),
        ("Hà Nội, ngày 15 tháng 5 năm 2025", "155"),
        ("Căn cứ Quyết định số 23/2023/QĐ-TTg ngày 18 tháng 9 năm 2023", ""),  # a citation, not a header
        ("Tỷ lệ hồ sơ đạt 82,5 %", ""),
    ],
)
def test_header_blanks(line: str, blank: str) -> None:
    assert "".join(line[i] for i in sorted(ocr_second.header_blanks(line))) == blank


# --- on pages -------------------------------------------------------------------------------------------------

needs_engines = pytest.mark.skipif(
    not (ocr.available() and ocr_second.available()), reason="Tesseract (vie) or RapidOCR's model is not installed"
)


@needs_engines
@pytest.mark.slow
def test_a_printed_scan_reads_the_same_with_the_second_reader() -> None:
    """Nothing handwritten: the second reader may confirm words but never changes the text."""
    data = scan_pdf((SAMPLES / "000_cong-van-phu-luc.pdf").read_bytes(), pages=[0], seed=3)
    on = parse(data, filename="scan.pdf")
    off = parse(data, filename="scan.pdf", options=ParseOptions(ocr_second_reader=False))
    assert on.text == off.text
    assert not [d for d in on.ocr_doubts if d.first_reading is not None]


@functools.cache
def _handwritten_results() -> list[tuple[int, str | None, str | None, bool]]:
    """Six letters, each in another handwriting font, audited without and with the second reader: (truth
    number, number read without, number read with, whether a wrong number with the reader is marked)."""
    fonts = sorted(available_fonts())[:: max(1, len(available_fonts()) // 6)][:6]
    out = []
    for k, font in enumerate(fonts):
        number = (k * 379 + 47) % 1000 + 1
        data = scanned(letter(number, 10 + k, 1 + k, font, seed=k), seed=k)
        off = audit(data, filename="scan.pdf", options=ParseOptions(ocr_second_reader=False))
        on = audit(data, filename="scan.pdf")
        uncertain = {
            u["fact"]
            for f in on.findings
            if f.code == "OCR_USED" and f.found
            for u in f.found.get("uncertain", [])  # type: ignore[union-attr]
        }
        marked = on.document.number is None or "number" in uncertain
        out.append((number, off.document.number, on.document.number, marked))
    return out


def _right(truth: int, read: str | None) -> bool:
    return (read or "").replace(" ", "").split("/")[0] == str(truth)


@needs_engines
@pytest.mark.slow
@pytest.mark.skipif(len(available_fonts()) < 6, reason="Debian's handwriting fonts are not installed")
def test_handwritten_numbers_are_read_more_often_with_the_second_reader() -> None:
    results = _handwritten_results()
    without = sum(_right(t, off) for t, off, _, _ in results)
    with_second = sum(_right(t, on) for t, _, on, _ in results)
    assert with_second >= without + 2, results
    # a number Tesseract alone read right is not lost
    assert all(_right(t, on) for t, off, on, _ in results if _right(t, off)), results
