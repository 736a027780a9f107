"""Which files a command reads when it is given paths and directories."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

REPORT_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".xlsx", ".txt", ".md", ".jpg", ".jpeg", ".png", ".tif", ".tiff"})


def report_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files named as given; for a directory, the report files directly inside it, by name.

    Inside a directory a report file has a readable extension (.pdf .docx .doc .xlsx .txt .md) and is not
    hidden, an Office lock file ("~$…") or a README. A path that does not exist is kept: it becomes an
    UNREADABLE line rather than disappearing from the batch. So is an entry named like a report that is not
    a regular file (a FIFO, a device, a socket, a broken link): the reader refuses it from its metadata,
    without reading it, and the batch says so. Nothing here opens or reads a file.
    """
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(_entries(path)))
        else:
            out.append(path)
    return out


def _entries(folder: Path) -> list[Path]:
    """The entries of ``folder`` named like reports, except sub-folders (``os.scandir`` reads only metadata)."""
    with os.scandir(folder) as it:
        return [Path(entry.path) for entry in it if _looks_like_report(entry.name) and not _is_dir(entry)]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _looks_like_report(name: str) -> bool:
    if name.startswith((".", "~$")) or name.upper().startswith("README"):
        return False
    return Path(name).suffix.lower() in REPORT_SUFFIXES
