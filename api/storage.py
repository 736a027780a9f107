"""Uploaded originals, content-addressed: ``files/ab/cd/<sha256>``, written once, durably, never changed.

An upload is streamed to a temporary file in ``data/tmp`` while its sha256 is computed, flushed and
fsync'd, then renamed into place (atomic on one file system) and the directory fsync'd: when the database
row that names it is committed, the bytes are on disk. A file over the size limit is deleted as soon as
the limit is passed, so nothing half-written stays behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings

CHUNK = 1024 * 1024


class TooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: str  # relative to settings.files_dir


def relative_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def original_path(settings: Settings, sha256: str) -> Path:
    return settings.files_dir / relative_path(sha256)


class _Writer:
    """A temporary file being filled, hashed and size-checked chunk by chunk."""

    def __init__(self, settings: Settings, limit: int) -> None:
        settings.prepare()
        self.settings, self.limit = settings, limit
        fd, name = tempfile.mkstemp(dir=settings.tmp_dir, prefix="upload-")
        self.file = os.fdopen(fd, "wb")
        self.tmp = Path(name)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.discard()
            raise TooLargeError(self.limit)
        self.digest.update(chunk)
        self.file.write(chunk)

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.tmp.unlink(missing_ok=True)

    def finish(self) -> Stored:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        sha = self.digest.hexdigest()
        rel = relative_path(sha)
        final = self.settings.files_dir / rel
        if final.exists() and final.stat().st_size == self.size and verify(self.settings, sha):
            self.tmp.unlink(missing_ok=True)  # already stored, intact: same bytes, same name
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp, final)
            _fsync_dir(final.parent)
        return Stored(sha, self.size, rel)


def store_chunks(settings: Settings, chunks: Iterable[bytes], limit: int | None = None) -> Stored:
    """Store an upload given as chunks; raises TooLargeError (nothing left behind) past ``limit`` bytes."""
    writer = _Writer(settings, settings.max_upload_bytes if limit is None else limit)
    try:
        for chunk in chunks:
            writer.write(chunk)
        return writer.finish()
    except BaseException:
        writer.discard()
        raise


async def store_async(settings: Settings, chunks: AsyncIterator[bytes], limit: int | None = None) -> Stored:
    """Like :func:`store_chunks` for an async stream (an HTTP request body or an UploadFile)."""
    writer = _Writer(settings, settings.max_upload_bytes if limit is None else limit)
    try:
        async for chunk in chunks:
            writer.write(chunk)
        return writer.finish()
    except BaseException:
        writer.discard()
        raise


def store_bytes(settings: Settings, data: bytes) -> Stored:
    return store_chunks(settings, [data], limit=max(len(data), 1))


def read_original(settings: Settings, sha256: str) -> bytes:
    return original_path(settings, sha256).read_bytes()


def verify(settings: Settings, sha256: str) -> bool:
    """The stored original still has its sha256 (for crash-recovery checks)."""
    digest = hashlib.sha256()
    with original_path(settings, sha256).open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
