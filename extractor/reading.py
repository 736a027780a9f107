"""``parse()``: the one entry point from a file (path or bytes) to a Document."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from extractor.errors import (
    CannotOpenError,
    CorruptFileError,
    EmptyFileError,
    ExtractorError,
    InternalError,
    TooLargeError,
)
from extractor.model import Document, Source
from extractor.options import ParseOptions
from extractor.parsers import parser_for
from extractor.sniff import sniff

# Exceptions that the format libraries raise on broken input: the user's file, not our defect.
_INPUT_FAULTS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    EOFError,
    UnicodeDecodeError,
)


def _library_faults() -> tuple[type[BaseException], ...]:
    faults = list(_INPUT_FAULTS)
    try:
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfminer.psparser import PSException

        faults += [PDFSyntaxError, PSException]
    except ImportError:  # pragma: no cover - pdfminer ships with pdfplumber
        pass
    try:
        from lxml.etree import LxmlError

        faults.append(LxmlError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(faults)


def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a missing file, a directory or a file we may not read is a CannotOpenError."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLargeError(size, max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise CannotOpenError.from_os_error(exc) from exc


def parse(
    src: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    options: ParseOptions | None = None,
) -> Document:
    """Read a report file into a :class:`Document`.

    ``src`` is a path or the file's bytes; ``filename`` names bytes for messages (and is never used to
    decide the format). Raises an :class:`~extractor.errors.ExtractorError` subclass on bad input.
    """
    options = options or ParseOptions()
    path: str | None = None
    if isinstance(src, bytes | bytearray):
        data = bytes(src)
    else:
        p = Path(src)
        path = str(p)
        filename = filename or p.name
        data = _read(p, options.max_bytes)
    if len(data) > options.max_bytes:
        raise TooLargeError(len(data), options.max_bytes)
    if not data.strip():
        raise EmptyFileError()
    try:
        sniffed = sniff(data)
    except ExtractorError:
        raise
    except _library_faults() as exc:
        raise CorruptFileError("?", detail=f"{type(exc).__name__}: {exc}") from exc
    source = Source(
        path=path,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=sniffed.format,
        declared_format=Path(filename).suffix.lower().lstrip(".") or None if filename else None,
    )
    parser = parser_for(sniffed.format)
    try:
        return parser(data, source, options)
    except ExtractorError:
        raise
    except _library_faults() as exc:
        raise CorruptFileError(sniffed.format, detail=f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise InternalError(detail=f"{type(exc).__name__}: {exc}") from exc
