"""Which files a command reads when it is given paths and directories."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

REPORT_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".xlsx", ".txt", ".md"})


def report_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files named as given; for a directory, the report files directly inside it, by name.

    Inside a directory a report file has a readable extension (.pdf .docx .doc .xlsx .txt .md) and is not
    hidden, an Office lock file ("~$…") or a README. A path that does not exist is kept: it becomes an
    UNREADABLE line rather than disappearing from the batch.
    """
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(f for f in path.iterdir() if f.is_file() and _looks_like_report(f.name)))
        else:
            out.append(path)
    return out


def _looks_like_report(name: str) -> bool:
    if name.startswith((".", "~$")) or name.upper().startswith("README"):
        return False
    return Path(name).suffix.lower() in REPORT_SUFFIXES
