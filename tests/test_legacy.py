"""Legacy TCVN3 (ABC) and VNI font encodings: the tables, the conversion, the detection, and Word files typed in
them reading as the same Unicode text as their Unicode twins (with LEGACY_ENCODING)."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import extractor
from extractor.parsers import legacy

# The 67 lower-case Vietnamese letters that are not ASCII.
VIET_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
PARAGRAPHS = [
    "ỦY BAN NHÂN DÂN XÃ AN LÃO",
    "Báo cáo kết quả công tác chuyển đổi số quý III năm 2025",
    "Công tác chuyển đổi số năm 2025 được triển khai đồng bộ; tỷ lệ hồ sơ trực tuyến đạt 95%.",
    "Người dân và doanh nghiệp hài lòng với dịch vụ công; Ủy ban nhân dân xã chỉ đạo thường xuyên.",
]
FONTS = {"tcvn3": ".VnTime", "vni": "VNI-Times"}


def _docx(paragraphs: list[list[tuple[str, str]]], style_font: str | None = None) -> bytes:
    """A DOCX of paragraphs of (text, font) runs; font "" = the style's font."""
    document = docx.Document()
    if style_font:
        document.styles["Normal"].font.name = style_font
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, font in runs:
            run = paragraph.add_run(text)
            if font:
                run.font.name = font
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _typed(text: str, encoding: str, font: str) -> list[tuple[str, str]]:
    """``text`` as an old keyboard driver typed it: in TCVN3 a capital with a tone mark ("Ủ" of "Ủy") is its
    lower-case code in the capitals font (".VnTimeH"), the rest of the word in the text font."""
    if encoding != "tcvn3":
        return [(legacy.from_unicode(text, encoding), font)]
    runs: list[tuple[str, str]] = []
    for ch in text:
        try:
            code, run_font = legacy.from_unicode(ch, encoding), font
        except ValueError:
            code, run_font = legacy.from_unicode(ch.lower(), encoding), font + "H"
        if runs and runs[-1][1] == run_font:
            runs[-1] = (runs[-1][0] + code, run_font)
        else:
            runs.append((code, run_font))
    return runs


def _legacy_docx(encoding: str) -> bytes:
    return _docx([_typed(text, encoding, FONTS[encoding]) for text in PARAGRAPHS])


def _unicode_docx() -> bytes:
    return _docx([[(text, "Times New Roman")] for text in PARAGRAPHS])


def _codes(report: extractor.Report) -> set[str]:
    return {f.code for f in report.findings}


# -- tables and conversion ---------------------------------------------------------------------------------


def test_tables_cover_every_vietnamese_letter() -> None:
    assert len(VIET_LOWER) == 67
    vni = legacy.representable("vni")
    assert set(VIET_LOWER) | set(VIET_LOWER.upper()) <= vni
    tcvn3 = legacy.representable("tcvn3")
    # TCVN3 (VN3) writes every lower-case letter and the seven capitals without a tone mark
    assert tcvn3 == set(VIET_LOWER) | set("ĂÂÊÔƠƯĐ")


@pytest.mark.parametrize(
    ("legacy_text", "encoding", "unicode_text"),
    [
        ("C«ng t¸c chuyÓn ®æi sè", "tcvn3", "Công tác chuyển đổi số"),
        ("§­îc ¦u tiªn", "tcvn3", "Được Ưu tiên"),
        ("Coâng taùc chuyeån ñoåi soá", "vni", "Công tác chuyển đổi số"),
        ("ÑÖÔÏC öu tieân, nöôùc", "vni", "ĐƯỢC ưu tiên, nước"),
        ("Naêm 2025: 95%", "vni", "Năm 2025: 95%"),
    ],
)
def test_to_unicode(legacy_text: str, encoding: str, unicode_text: str) -> None:
    assert legacy.to_unicode(legacy_text, encoding) == unicodedata.normalize("NFC", unicode_text)
    assert legacy.from_unicode(unicode_text, encoding) == legacy_text


def test_tcvn3_capitals_font() -> None:
    assert legacy.is_caps_font(".VnTimeH") and legacy.is_caps_font("ABCDEE+.VnArialH,Bold")
    assert not legacy.is_caps_font(".VnTime") and not legacy.is_caps_font("VNI-Helve")
    assert legacy.to_unicode("ñy ban nh©n d©n", "tcvn3", caps=True) == "ỦY BAN NHÂN DÂN"


def _alphabet(encoding: str) -> list[str]:
    return sorted(legacy.representable(encoding)) + list(
        "abcdeghiklmnopqrstuvxyABCDEGHKLMNOPQRSTUVXY 0123456789.,;:%/-"
    )


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_round_trip(encoding: str) -> None:
    @given(st.text(alphabet=st.sampled_from(_alphabet(encoding)), max_size=80))
    def check(s: str) -> None:
        assert legacy.to_unicode(legacy.from_unicode(s, encoding), encoding) == unicodedata.normalize("NFC", s)

    check()


@given(st.text(alphabet=st.sampled_from(list(VIET_LOWER + "abcdeghiklmnopqrstuvxy ")), max_size=60))
def test_round_trip_tcvn3_capitals(s: str) -> None:
    assert legacy.to_unicode(legacy.from_unicode(s, "tcvn3"), "tcvn3", caps=True) == s.upper()


def test_from_unicode_refuses_what_tcvn3_cannot_write() -> None:
    with pytest.raises(ValueError):
        legacy.from_unicode("Ủy ban", "tcvn3")


def test_syllables() -> None:
    for word in ("nghiêng", "được", "chuyển", "xã", "quý", "gì", "Ủy"):
        assert legacy.is_syllable(word), word
    for word in ("élève", "c«ng", "ñoåi", "señor", "chuyểnn", "hóà", "Baùo", "DAÂN", "uûy"):
        assert not legacy.is_syllable(word), word


# -- detection: fonts and letters together -----------------------------------------------------------------


def test_detect_needs_the_font_and_the_letters() -> None:
    tcvn3 = legacy.from_unicode(PARAGRAPHS[2], "tcvn3")
    vni = legacy.from_unicode(PARAGRAPHS[2], "vni")
    assert legacy.detect(tcvn3, [".VnTime"]) == "tcvn3"
    assert legacy.detect(vni, ["VNI-Times"]) == "vni"
    # the letters without the font
    assert legacy.detect(tcvn3, ["Times New Roman"]) is None
    assert legacy.detect(vni, ["Arial"]) is None
    # the font without the letters: Unicode Vietnamese, French, English
    assert legacy.detect(PARAGRAPHS[2], [".VnTime"]) is None
    assert legacy.detect(PARAGRAPHS[2], ["VNI-Times"]) is None
    french = "L'élève était très fière de l'école à Noël; où est la forêt ? Señor García a déjà payé."
    assert legacy.detect(french, [".VnTime"]) is None
    assert legacy.detect(french, ["VNI-Times"]) is None
    assert legacy.detect("Digital transformation report 2025", [".VnTime"]) is None


WORDS = sorted({w.strip(".,;%") for text in PARAGRAPHS for w in text.split()} - {"", "2025", "95", "III"})


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_detect_on_random_vietnamese_sentences(encoding: str) -> None:
    @given(st.lists(st.sampled_from(WORDS), min_size=12, max_size=40))
    def check(words: list[str]) -> None:
        text = " ".join(words)
        if encoding == "tcvn3":
            text = text.lower()  # capitals with tone marks are typed in the capitals font
        if sum(1 for w in text.split() if not w.isascii()) < 6:
            return
        font = FONTS[encoding]
        assert legacy.detect(legacy.from_unicode(text, encoding), [font]) == encoding
        assert legacy.detect(text, [font]) is None

    check()


def test_font_names() -> None:
    assert legacy.font_encoding(".VnTime") == "tcvn3"
    assert legacy.font_encoding("ABCDEE+.VnArial Narrow,Bold") == "tcvn3"
    assert legacy.font_encoding("VNI-Times") == "vni"
    assert legacy.font_encoding("VNI Helve") == "vni"
    for name in ("Times New Roman", "Verdana", "Vivaldi", None, ""):
        assert legacy.font_encoding(name) is None


# -- Word files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_legacy_docx_reads_as_its_unicode_twin(encoding: str) -> None:
    twin = extractor.parse(_unicode_docx(), filename="twin.docx")
    document = extractor.parse(_legacy_docx(encoding), filename="legacy.docx")
    assert document.text == twin.text
    assert document.source.legacy_encoding == encoding
    assert [n.code for n in document.notices if n.code == "legacy_encoding"] == ["legacy_encoding"]
    assert twin.source.legacy_encoding is None
    report = extractor.audit(_legacy_docx(encoding), filename="legacy.docx")
    assert "LEGACY_ENCODING" in _codes(report)
    assert "LEGACY_ENCODING" not in _codes(extractor.audit(_unicode_docx(), filename="twin.docx"))


def test_font_inherited_from_the_style_counts() -> None:
    rows = [[(legacy.from_unicode(text, "vni"), "")] for text in PARAGRAPHS]
    document = extractor.parse(_docx(rows, style_font="VNI-Times"), filename="styled.docx")
    assert document.text == "\n".join(PARAGRAPHS)
    assert document.source.legacy_encoding == "vni"


def test_only_the_legacy_font_runs_are_converted() -> None:
    """A Unicode heading in Times New Roman above TCVN3 paragraphs keeps its letters (e.g. "á" is not "ó")."""
    rows = [[("Báo cáo tháng 9", "Times New Roman")]] + [_typed(t, "tcvn3", ".VnTime") for t in PARAGRAPHS[1:]]
    document = extractor.parse(_docx(rows), filename="mixed.docx")
    assert document.text == "\n".join(["Báo cáo tháng 9", *PARAGRAPHS[1:]])


def test_table_cells_in_a_legacy_font_are_converted() -> None:
    document = docx.Document()
    for text in PARAGRAPHS[1:3]:
        document.add_paragraph().add_run(legacy.from_unicode(text, "tcvn3")).font.name = ".VnTime"
    table = document.add_table(rows=2, cols=3)
    rows = [["STT", "Tiêu chí", "Điểm tự chấm"], ["1", "Cổng dịch vụ công trực tuyến", "8,5"]]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).paragraphs[0].add_run(legacy.from_unicode(value, "tcvn3")).font.name = ".VnTime"
    out = io.BytesIO()
    document.save(out)
    parsed = extractor.parse(out.getvalue(), filename="table.docx")
    (read,) = [b for b in parsed.blocks if b.kind == "table"]
    assert [[cell.text for cell in row.cells] for row in read.rows] == rows
    assert parsed.source.legacy_encoding == "tcvn3"


def _report_docx(encoding: str | None) -> bytes:
    """The planted-faults template report (letter and scored appendix) as a Word file, typed in ``encoding``
    (None: Unicode in Times New Roman)."""
    from tests.test_planted_faults import LETTER, ROWS

    def fill(paragraph: Any, text: str) -> None:
        runs = [(text, "Times New Roman")] if encoding is None else _typed(text, encoding, FONTS[encoding])
        for value, font in runs:
            paragraph.add_run(value).font.name = font

    document = docx.Document()
    for line in LETTER.splitlines():
        fill(document.add_paragraph(), line)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            fill(table.cell(r, c).paragraphs[0], value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_a_legacy_report_audits_as_its_unicode_twin(encoding: str) -> None:
    """Number, date, commune, scorecard and findings of a whole report are those of its Unicode twin, with
    LEGACY_ENCODING besides."""
    twin = extractor.audit(_report_docx(None), filename="twin.docx")
    report = extractor.audit(_report_docx(encoding), filename="legacy.docx")
    assert report.document.model_dump() == twin.document.model_dump()
    assert twin.scorecard is not None and report.scorecard is not None
    assert report.scorecard.model_dump() == twin.scorecard.model_dump()
    assert len(report.scorecard.rows) == 18 and str(report.scorecard.claimed_total) == "99.18"
    assert report.document.number == "1520/UBND-VHXH"
    assert _codes(report) - {"LEGACY_ENCODING"} == _codes(twin) and "LEGACY_ENCODING" in _codes(report)
    assert report.source.legacy_encoding == encoding


def test_french_in_a_vntime_font_is_not_converted() -> None:
    french = [
        "L'élève était très fière de l'école à Noël.",
        "Où est la forêt ? Le garçon a déjà payé son café à côté.",
        "Señor García prépare un rapport détaillé.",
    ]
    document = extractor.parse(_docx([[(t, ".VnTime")] for t in french]), filename="fr.docx")
    assert document.text == "\n".join(french)
    assert document.source.legacy_encoding is None
    assert "LEGACY_ENCODING" not in _codes(
        extractor.audit(_docx([[(t, ".VnTime")] for t in french]), filename="fr.docx")
    )


def test_unicode_text_in_a_vntime_font_is_not_converted() -> None:
    document = extractor.parse(_docx([[(t, ".VnTime")] for t in PARAGRAPHS]), filename="retyped.docx")
    assert document.text == "\n".join(PARAGRAPHS)
    assert document.source.legacy_encoding is None


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed: no .doc can be made from the DOCX")
    return found


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_legacy_doc_reads_as_its_unicode_twin(encoding: str, tmp_path: Path) -> None:
    soffice = _soffice()
    source = tmp_path / "legacy.docx"
    source.write_bytes(_legacy_docx(encoding))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    made = tmp_path / "legacy.doc"
    assert made.is_file()
    document = extractor.parse(made)
    assert document.source.format == "doc"
    assert document.text == extractor.parse(_unicode_docx(), filename="twin.docx").text
    assert document.source.legacy_encoding == encoding
    assert "LEGACY_ENCODING" in _codes(extractor.audit(made))


def test_unicode_doc_with_vntime_in_its_font_table_is_not_converted(realdoc, monkeypatch) -> None:
    """Realdoc 32 names .VnTime in its font table but its text is Unicode: it reads unchanged."""
    path = realdoc("32_")
    document = extractor.parse(path)
    assert document.source.legacy_encoding is None
    assert not [n for n in document.notices if n.code == "legacy_encoding"]
    assert "LEGACY_ENCODING" not in _codes(extractor.audit(path))
    monkeypatch.setattr(legacy, "detect", lambda text, fonts: None)
    assert extractor.parse(path).text == document.text
    assert "ỦY BAN NHÂN DÂN" in unicodedata.normalize("NFC", document.text)


# -- PDF characters ----------------------------------------------------------------------------------------


def _chars(text: str, font: str, x: float = 10.0, top: float = 100.0, size: float = 12.0) -> list[dict]:
    out = []
    for ch in text:
        width = 0 if ch == " " else size * 0.5
        if ch != " ":
            out.append(
                {
                    "text": ch,
                    "fontname": font,
                    "x0": x,
                    "x1": x + width,
                    "top": top,
                    "bottom": top + size,
                    "doctop": top,
                    "size": size,
                    "width": width,
                }
            )
        x += width if ch != " " else size * 0.3
    return out


def test_pdf_chars_tcvn3_converted_by_font() -> None:
    chars = _chars(legacy.from_unicode(PARAGRAPHS[2], "tcvn3"), "ABCDEE+.VnTime")
    chars += _chars("Báo cáo", "Times New Roman", top=130)
    out, encoding = legacy.convert_pdf_chars(chars)
    assert encoding == "tcvn3"
    assert len(out) == len(chars)
    assert "".join(c["text"] for c in out[: -len("Báocáo")]) == PARAGRAPHS[2].replace(" ", "")
    assert "".join(c["text"] for c in out[-len("Báocáo") :]) == "Báocáo"


def test_pdf_chars_vni_marks_merge_into_one_character() -> None:
    chars = _chars(legacy.from_unicode(PARAGRAPHS[2], "vni"), "VNI-Times")
    out, encoding = legacy.convert_pdf_chars(chars)
    assert encoding == "vni"
    assert "".join(c["text"] for c in out) == PARAGRAPHS[2].replace(" ", "")
    first = out[1]  # "ô" of "Công", drawn as "o" + "â"
    assert first["text"] == "ô" and first["x0"] == chars[1]["x0"] and first["x1"] == chars[2]["x1"]


def test_pdf_chars_not_legacy_are_returned_as_they_came() -> None:
    chars = _chars(PARAGRAPHS[2], ".VnTime") + _chars(legacy.from_unicode(PARAGRAPHS[2], "tcvn3"), "Arial", top=130)
    out, encoding = legacy.convert_pdf_chars(chars)
    assert encoding is None and out is chars


def _legacy_font(tmp_path: Path, name: str) -> Path:
    """A copy of a Vietnamese-capable TrueType font renamed ``name``, as the old .VnTime fonts were named."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    from tests.test_image_stamps import _font

    font = ttlib.TTFont(str(_font()))
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16, 21):
            record.string = name
    out = tmp_path / "legacy.ttf"
    font.save(str(out))
    return out


def _pdf(tmp_path: Path, font_name: str, lines: list[str]) -> bytes:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.add_font("legacy", "", str(_legacy_font(tmp_path, font_name)))
    pdf.add_page()
    pdf.set_font("legacy", size=9)
    for i, text in enumerate(lines):
        pdf.text(72, 100 + 20 * i, text)
    return bytes(pdf.output())


def test_legacy_pdf_reads_as_unicode(tmp_path: Path) -> None:
    """A PDF whose text is TCVN3 codes drawn in a font named .VnTime reads as Unicode."""
    lines = PARAGRAPHS[1:3]
    data = _pdf(tmp_path, ".VnTime", [legacy.from_unicode(t, "tcvn3") for t in lines])
    document = extractor.parse(data)
    assert document.text == "\n".join(lines)
    assert document.source.legacy_encoding == "tcvn3"
    assert [n.code for n in document.notices].count("legacy_encoding") == 1
    assert "LEGACY_ENCODING" in {f.code for f in extractor.audit(data).findings}


def test_unicode_pdf_in_a_vntime_named_font_is_not_converted(tmp_path: Path) -> None:
    lines = PARAGRAPHS[1:3]
    document = extractor.parse(_pdf(tmp_path, ".VnTime", lines))
    assert document.text == "\n".join(lines)
    assert document.source.legacy_encoding is None and "legacy_encoding" not in {n.code for n in document.notices}
