"""Shared fixtures. Real documents are read from ../shared/realdocs and never copied into the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert results, not timing: no per-example deadline on a shared, noisy machine. In CI the
# examples are derived from the test (derandomize) so a run is repeatable; locally they vary and explore.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "local")

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
