"""Every bad input in tests/data/bad/ gets its typed error, in Vietnamese and English, within 10 s.

A file is named ``<error code>__<what>.<ext>``; the code is what the product must answer with.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from extractor import ExtractorError, parse
from extractor.cli import main

BAD = Path(__file__).resolve().parent / "data" / "bad"
FILES = sorted(p for p in BAD.iterdir() if "__" in p.name and not p.name.startswith("."))
LIMIT_S = 10.0


@pytest.fixture(autouse=True)
def _never_hang():
    """Fail instead of hanging if a parser loops (the CI job must finish)."""

    def _alarm(signum, frame):
        raise TimeoutError("parse did not answer within 30 s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_bad_inputs_exist() -> None:
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_bad_input_gets_its_typed_error_quickly(path: Path) -> None:
    expected_code = path.name.split("__", 1)[0]
    started = time.monotonic()
    with pytest.raises(ExtractorError) as info:
        parse(path)
    elapsed = time.monotonic() - started
    err = info.value
    assert err.code == expected_code, f"{path.name}: got {err.code}: {err}"
    assert err.message_vi and err.message_en and err.message_vi != err.message_en
    assert elapsed < LIMIT_S, f"{path.name} took {elapsed:.1f} s"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cli_reports_bad_input_without_traceback(path: Path, capsys) -> None:
    code = main(["parse", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "LỖI / ERROR" in out and "Traceback" not in out + err


def test_bytes_and_path_give_the_same_error() -> None:
    path = BAD / "unsupported_format__garbage.bin"
    with pytest.raises(ExtractorError) as from_path:
        parse(path)
    with pytest.raises(ExtractorError) as from_bytes:
        parse(path.read_bytes(), filename="anything.pdf")
    assert from_path.value.code == from_bytes.value.code


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path) -> None:
    from extractor import ParseOptions
    from extractor.errors import TooLargeError

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(TooLargeError) as info:
        parse(big, options=ParseOptions(max_bytes=1024))
    assert "1,024" in info.value.message_en and info.value.message_vi
    with pytest.raises(TooLargeError):
        parse(big.read_bytes(), options=ParseOptions(max_bytes=1024))


def test_real_docx_named_doc_is_read_as_docx(realdoc) -> None:
    path = realdoc("09_")
    assert path.suffix == ".doc"
    doc = parse(path)
    assert (doc.source.format, doc.source.declared_format) == ("docx", "doc")
