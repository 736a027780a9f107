"""Terminal output that cannot be broken: whatever a file brings (its name, its text) is shown, never obeyed.
Control characters, bidirectional marks and newlines are escaped in the table and text outputs."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from extractor.audit import audit_file
from extractor.cli import main
from extractor.contract import DocumentInfo, Finding, Location, Report, SourceInfo
from extractor.render import render_report, terminal_safe

BIDI_AND_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029"
HOSTILE = "bao\ncao\r\t\x1b[2J\x07\x08\x7f\x9b" + BIDI_AND_CONTROLS + "cuối.pdf"


def _clean(text: str) -> None:
    """Every character of ``text`` is one a terminal prints as it is (line breaks only between lines)."""
    for ch in text:
        assert ch == "\n" or (ch.isprintable() and ch not in BIDI_AND_CONTROLS), repr(ch)


def test_terminal_safe_escapes_each_kind_visibly_and_keeps_vietnamese():
    assert terminal_safe("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert terminal_safe("\x1b[31m") == "\\x1b[31m"
    assert terminal_safe("x\u202egnp.exe") == "x\\u202egnp.exe"
    assert terminal_safe("\u2066\u2069\u200e\u200f\x85") == "\\u2066\\u2069\\u200e\\u200f\\x85"
    assert terminal_safe("Ủy ban nhân dân xã Đại Sơn, 99,25 điểm «đạt» │ ⏎") == (
        "Ủy ban nhân dân xã Đại Sơn, 99,25 điểm «đạt» │ ⏎"
    )
    _clean(terminal_safe(HOSTILE))


def test_the_audit_text_escapes_the_path_the_quotes_and_the_messages():
    loc = Location(page=1, line=2, quote="Tổng\x1b[2J cộng\u202e 97,45")
    report = Report(
        source=SourceInfo(path=HOSTILE, sha256="", format="pdf"),
        document=DocumentInfo(commune="Đại\u2067 Sơn"),
        findings=[Finding(code="X", severity="error", message="Tổng sai\n«97,45»\x1b[0m", location=loc)],
    )
    text = render_report(report)
    _clean(text)
    assert "\\x1b[2J" in text and "\\u202e" in text and "Đại\\u2067 Sơn" in text
    assert text.splitlines()[0] == "=== " + terminal_safe(HOSTILE)


def test_an_unreadable_file_with_a_hostile_name_prints_on_its_own_lines(tmp_path: Path):
    bad = tmp_path / "tep\nloi\u202e.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    text = render_report(audit_file(bad))
    _clean(text)
    assert text.startswith("=== ") and "tep\\nloi\\u202e.pdf" in text.splitlines()[0]


@pytest.mark.parametrize("command", [["audit"], ["parse"], ["diff"]])
def test_every_text_command_escapes_a_file_name(tmp_path: Path, command: list[str]):
    name = tmp_path / "bao\ncao\x1b[2J\u202etxt.txt"
    name.write_text("ỦY BAN NHÂN DÂN XÃ AN LÃO\n\nBÁO CÁO\nKết quả tháng 3 năm 2026\x1b[31m đỏ\n", encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        main([*command, str(name), *(["--workers", "1"] if command != ["parse"] else [])])
    text = out.getvalue()
    _clean(text)
    assert "bao\\ncao\\x1b[2J\\u202etxt.txt" in text
