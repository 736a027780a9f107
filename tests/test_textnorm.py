"""Vietnamese text hygiene: what normalisation changes, and that every span still quotes the original."""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.textnorm import fold, normalize, strip_diacritics

CASES = [
    # (original, normalised) — one row per rule of the catalogue in extractor/textnorm.py
    ("Kế hoạch &amp; Quyết định", "Kế hoạch & Quyết định"),
    ("&#7843;nh", "ảnh"),
    (unicodedata.normalize("NFD", "Nguyễn Lương Bằng"), "Nguyễn Lương Bằng"),
    ("99,25\u00a0điểm", "99,25 điểm"),
    ("số\u200b 18/KH-UBND\ufeff", "số 18/KH-UBND"),
    ("57-\u00adNQ/TW", "57-NQ/TW"),
    ("2026 – 2030 — x − y", "2026 - 2030 - x - y"),
    ("CHƢƠNG I. Trƣờng học", "CHƯƠNG I. Trường học"),  # ƣ/Ƣ (oi) from a broken ToUnicode map are ư/Ư
    ("trƣ\u0300ơng", "trừơng"),
    ("“Bình dân học vụ số”", '"Bình dân học vụ số"'),
    ("Phòng Văn hoá - Xã hội", "Phòng Văn hóa - Xã hội"),
    ("thuỷ lợi, khoẻ mạnh, uỷ ban", "thủy lợi, khỏe mạnh, ủy ban"),
    ("quý II", "quý II"),  # "qu" is a consonant: the tone stays on y
    ("hoàn thành, toàn trình", "hoàn thành, toàn trình"),  # closed syllable: no change
    ("HOÁ ĐƠN", "HÓA ĐƠN"),
]


@pytest.mark.parametrize(("original", "expected"), CASES)
def test_normalize_applies_each_rule(original: str, expected: str) -> None:
    assert normalize(original).text == expected


@pytest.mark.parametrize(("original", "expected"), CASES)
def test_whole_normalised_span_quotes_whole_original(original: str, expected: str) -> None:
    n = normalize(original)
    assert n.quote(0, len(n.text)) == original


def test_span_inside_text_quotes_original_characters() -> None:
    original = "Thực hiện " + unicodedata.normalize("NFD", "Kế hoạch") + " số&nbsp;18/KH-UBND ngày 22/01/2026"
    n = normalize(original)
    m = regex.search(r"số 18/KH-UBND", n.text)
    assert m is not None
    assert n.quote(m.start(), m.end()) == "số&nbsp;18/KH-UBND"
    k = n.text.index("Kế hoạch")
    assert n.quote(k, k + len("Kế hoạch")) == unicodedata.normalize("NFD", "Kế hoạch")


def test_fold_strips_diacritics_case_and_spacing() -> None:
    assert fold("  Đoàn   Văn Cát ") == "doan van cat"
    assert fold("Công  thông tin") == fold("Cổng thông tin")
    assert strip_diacritics("Đường") == "Duong"


_MARKS = ["\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
_SPECIALS = ["\u00a0", "\u200b", "&amp;", "&#7843;", "\u2013", "\u201c", "oá"]
_ALPHABET = st.sampled_from([*"aăâeêioôơuưyAĐđ ,.;:-/0123456789\n", *_MARKS, *_SPECIALS])


@settings(max_examples=1000)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_offset_map_round_trips(text: str) -> None:
    n = normalize(text)
    assert n.quote(0, len(n.text)) == text
    offsets = [n.to_original(i) for i in range(len(n.text) + 1)]
    assert offsets == sorted(offsets), "the map must never run backwards"
    for m in regex.finditer(r"\w+", n.text):
        assert normalize(n.quote(m.start(), m.end())).text == m.group()


@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_to_norm_inverts_to_original_on_segment_starts(text: str) -> None:
    n = normalize(text)
    for i in range(len(n.text) + 1):
        assert n.to_norm(n.to_original(i)) <= i
    assert n.to_norm(len(text)) == len(n.text)
