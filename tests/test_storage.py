"""Originals are stored once by their sha256, durably, and a damaged copy is replaced by the next upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings
from api.storage import TooLargeError, original_path, read_original, store_bytes, store_chunks, verify


def test_the_same_bytes_are_stored_once_under_their_sha256(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first, again = store_bytes(settings, b"bao cao"), store_bytes(settings, b"bao cao")
    assert first == again and read_original(settings, first.sha256) == b"bao cao"
    assert [p for p in settings.files_dir.rglob("*") if p.is_file()] == [original_path(settings, first.sha256)]
    assert not list(settings.tmp_dir.iterdir())


def test_a_damaged_original_is_replaced_by_the_next_upload_of_the_same_bytes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    stored = store_bytes(settings, b"99,25 diem")
    original_path(settings, stored.sha256).write_bytes(b"00,00 diem")  # same size, other bytes
    assert not verify(settings, stored.sha256)
    store_bytes(settings, b"99,25 diem")
    assert verify(settings, stored.sha256)


def test_an_upload_over_the_limit_leaves_nothing_behind(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(TooLargeError) as caught:
        store_chunks(settings, [b"x" * 600, b"x" * 600], limit=1000)
    assert caught.value.limit == 1000
    assert not list(settings.tmp_dir.iterdir()) and not [p for p in settings.files_dir.rglob("*") if p.is_file()]
