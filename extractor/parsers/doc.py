"""Legacy Word 97–2003 (.doc): converted to DOCX by LibreOffice headless, then read by the DOCX parser.

e.g. ``soffice --headless -env:UserInstallation=file://<tmp>/profile --convert-to docx --outdir <tmp>/out
<tmp>/input.doc``. Each conversion gets its own temporary profile, so parallel conversions never share one,
and is killed (with every process it started) after ``options.convert_timeout`` seconds. The document that
comes back says ``format="doc"`` and ``converted_by="libreoffice"``.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import olefile
import regex

from extractor.errors import ConversionError, CorruptFileError, EncryptedFileError
from extractor.model import Document, Page, Source
from extractor.options import ParseOptions
from extractor.parsers import docx

# FIB (File Information Block) flags at offset 0x0A of the WordDocument stream; bit 8 = fEncrypted.
_FIB_FLAGS = 0x0A
_F_ENCRYPTED = 0x0100
_LATIN = regex.compile(r"[\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]")
# FIB wIdent -> the LibreOffice import filter for it (Word 97–2003, Word 6/95).
_FILTERS = {0xA5EC: "MS Word 97", 0xA5DC: "MS WinWord 6.0"}


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    import_filter, pages = _check_word_stream(data)
    converted = convert_to_docx(data, options.convert_timeout, import_filter)
    try:
        document = docx.parse(converted, source, options)
    except CorruptFileError as exc:
        raise ConversionError(detail=f"LibreOffice wrote a DOCX that cannot be read: {exc.detail}") from exc
    if not readable(document.text):
        raise CorruptFileError("doc", detail="LibreOffice read the file as unreadable characters")
    document.source.format = "doc"
    document.source.converted_by = "libreoffice"
    if document.source.pages is None and pages:
        document.source.pages = pages
        document.pages = [Page(number=n) for n in range(1, pages + 1)]
    return document


def readable(text: str) -> bool:
    """False when most of the text is not Latin script, digits or punctuation: a damaged binary read as
    text (e.g. CJK or private-use characters throughout) rather than a Vietnamese report."""
    sample = [ch for ch in text[:20_000] if not ch.isspace()]
    if len(sample) < 50:
        return True
    foreign = sum(1 for ch in sample if not _LATIN.match(ch))
    return foreign * 2 < len(sample)


def _saved_page_count(ole: olefile.OleFileIO) -> int | None:
    """The page count Word stored in the summary information, when it is there and readable."""
    if not ole.exists("\x05SummaryInformation"):
        return None
    try:
        pages = ole.get_metadata().num_pages
    except Exception:  # a damaged property stream only costs the page count
        return None
    return pages if isinstance(pages, int) and pages > 0 else None


def _check_word_stream(data: bytes) -> tuple[str, int | None]:
    """The import filter and the page count Word saved; refuses a broken container, a stream that is not
    Word, a password."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            fib = ole.openstream("WordDocument").read(32)
            pages = _saved_page_count(ole)
    except OSError as exc:
        raise CorruptFileError("doc", detail=str(exc)) from exc
    ident = int.from_bytes(fib[:2], "little")
    if len(fib) < 12 or ident not in _FILTERS:
        raise CorruptFileError("doc", detail="the WordDocument stream does not start with a Word FIB")
    if int.from_bytes(fib[_FIB_FLAGS : _FIB_FLAGS + 2], "little") & _F_ENCRYPTED:
        raise EncryptedFileError("doc")
    return _FILTERS[ident], pages


def soffice() -> str:
    """The LibreOffice executable, or ConversionError when none is installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(detail="LibreOffice (soffice) is not installed")


def convert_to_docx(data: bytes, timeout: float, import_filter: str = "MS Word 97") -> bytes:
    """The DOCX bytes LibreOffice makes of a .doc; ConversionError when it fails or runs past ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="extractor-doc-") as tmp:
        work = Path(tmp)
        source = work / "input.doc"
        source.write_bytes(data)
        out = work / "out"
        command = [
            soffice(),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"--infilter={import_filter}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        _run(command, timeout, home=work)
        result = out / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionError(detail="LibreOffice produced no DOCX")
        return result.read_bytes()


def _run(command: list[str], timeout: float, home: Path) -> None:
    """Run in a session of its own so that a timeout kills LibreOffice and every helper it forked."""
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "HOME": str(home)},
    ) as proc:
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise ConversionError(detail=f"LibreOffice did not finish within {timeout:g} s") from exc
        finally:
            if proc.poll() is None:
                _kill_group(proc)
    if proc.returncode != 0:
        raise ConversionError(detail=f"LibreOffice exited with {proc.returncode}: {output.decode(errors='replace')}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait()
