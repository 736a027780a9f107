"""Shared fixtures. Real documents are read from ../shared/realdocs and never copied into the project."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REALDOCS = SHARED / "realdocs"
SEEDS = SHARED / "seeds"
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


def _find(folder: Path, prefix: str) -> Path:
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the shared documents are not checked out beside the project")
    matches = sorted(folder.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"no file starting with {prefix!r} in {folder}")
    return matches[0]


@pytest.fixture
def realdoc():
    """realdoc("14_") -> path of ../shared/realdocs/14_*; skips with the reason when absent."""
    return lambda prefix: _find(REALDOCS, prefix)


@pytest.fixture
def seed():
    """seed("000") -> path of ../shared/seeds/000_*; skips with the reason when absent."""
    return lambda prefix: _find(SEEDS, prefix)
