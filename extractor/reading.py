"""``parse()``: the one entry point from a file (path or bytes) to a Document."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

from extractor.errors import (
    CannotOpenError,
    CorruptFileError,
    EmptyFileError,
    ExtractorError,
    InternalError,
    NotRegularFileError,
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


_CHUNK = 1 << 20  # bytes read (and hashed) at a time


def _read(path: Path, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256, read and hashed in chunks.

    Only a regular file is read: a FIFO, a device or a socket is refused from its metadata before any
    read (``NotRegularFileError``), and a file over ``max_bytes`` before it is opened (``TooLargeError``).
    The file is opened without blocking, so a FIFO put in its place after the check cannot hang the open,
    and is checked again once open. A missing file, a directory or a file we may not read is a
    CannotOpenError.
    """
    try:
        _check_regular(os.stat(path), max_bytes)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb", closefd=True) as f:
            _check_regular(os.fstat(f.fileno()), max_bytes)
            return _read_bounded(f, max_bytes)
    except OSError as exc:
        raise CannotOpenError.from_os_error(exc) from exc


def _check_regular(st: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise CannotOpenError.from_os_error(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(_special_kind(st.st_mode))
    if st.st_size > max_bytes:
        raise TooLargeError(st.st_size, max_bytes)


def _special_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISCHR, "char_device"),
        (stat.S_ISBLK, "block_device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return kind
    return "other"


def _read_bounded(f: BinaryIO, max_bytes: int) -> tuple[bytes, str]:
    """At most ``max_bytes``: a file that grew past the limit since it was measured is refused too."""
    digest, parts, size = hashlib.sha256(), [], 0
    while chunk := f.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLargeError(size, max_bytes)
        digest.update(chunk)
        parts.append(chunk)
    return b"".join(parts), digest.hexdigest()


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
        if len(src) > options.max_bytes:
            raise TooLargeError(len(src), options.max_bytes)
        data = bytes(src)
        sha = hashlib.sha256(data).hexdigest()
    else:
        p = Path(src)
        path = str(p)
        filename = filename or p.name
        data, sha = _read(p, options.max_bytes)
    try:
        return _parse_bytes(data, sha, path, filename, options)
    except ExtractorError as err:
        err.sha256 = err.sha256 or sha  # the report of an unreadable file names it without reading it again
        raise


def _parse_bytes(data: bytes, sha: str, path: str | None, filename: str | None, options: ParseOptions) -> Document:
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
        sha256=sha,
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
