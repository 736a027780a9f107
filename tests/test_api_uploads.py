"""Uploads: size limits (413 with nothing left behind), zip archives handled safely (nested folders, duplicate
names, ``../x`` and absolute paths, bombs, too many members, a zip in a zip), on SQLite and PostgreSQL, with
small limits so the tests stay small."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.uploads import UniqueNames, safe_name, unsafe_path
from tests.api_fixtures import BACKENDS, Service, assert_error, database_for, pg_admin_url, start_service, zip_bytes

__all__ = ["pg_admin_url"]  # the fixture `small` asks for on PostgreSQL

KB = 1024
LIMITS = {
    "max_upload_bytes": 64 * KB,
    "max_batch_bytes": 512 * KB,
    "max_batch_files": 40,
    "max_zip_members": 20,
    "max_zip_ratio": 50,
}
REPORT = "Báo cáo kết quả chuyển đổi số quý II năm 2026 của xã Tiên Lãng.\n".encode()


@pytest.fixture(scope="module", params=BACKENDS)
def small(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    url = database_for(request.param, request)
    yield from start_service(tmp_path_factory.mktemp(f"uploads-{request.param}"), url, **LIMITS)


def stored_files(service: Service) -> set[Path]:
    return {p for p in service.settings.files_dir.rglob("*") if p.is_file()}


def staging(service: Service) -> list[Path]:
    return list(service.settings.tmp_dir.iterdir())


def post(service: Service, files: list[tuple[str, bytes]], role: str = "auditor") -> Any:
    return service.client.post(
        "/api/batches",
        headers=service.headers(role),
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


def items(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 201, response.text
    return {i["filename"]: i for i in response.json()["items"]}


# --- size limits ---------------------------------------------------------------------------------------------


def test_a_single_file_over_the_limit_is_413_and_nothing_is_kept(small: Service) -> None:
    before = stored_files(small)
    error = assert_error(post(small, [("lon.pdf", os.urandom(64 * KB + 1))]), 413, "too_large")
    assert str(64 * KB) in error["message_vi"] and str(64 * KB) in error["message_en"]
    assert error["detail"] == {"limit": 64 * KB}
    assert stored_files(small) == before and staging(small) == []


def test_a_request_over_the_batch_limit_is_413_and_nothing_is_kept(small: Service) -> None:
    before = stored_files(small)
    files = [(f"{i}.txt", os.urandom(60 * KB)) for i in range(10)]  # each under the file limit, 600 KB in all
    error = assert_error(post(small, files), 413, "too_large")
    assert str(512 * KB) in error["message_vi"] and str(512 * KB) in error["message_en"]
    assert stored_files(small) == before and staging(small) == []


def test_a_streamed_request_without_length_over_the_batch_limit_is_413(small: Service) -> None:
    boundary = "ranh-gioi"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'.encode()
        + b"x" * (40 * KB)
        + b"\r\n"
    )

    def body() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        for _ in range(20):
            yield part.replace(b'filename="a.txt"', f'filename="{os.urandom(4).hex()}.txt"'.encode())
        yield f"--{boundary}--\r\n".encode()

    before = stored_files(small)
    headers = {**small.headers("auditor"), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = small.client.post("/api/batches", headers=headers, content=body())
    assert_error(response, 413, "too_large")
    assert stored_files(small) == before and staging(small) == []


def test_an_oversized_file_among_others_is_one_refused_item_and_the_batch_goes_on(small: Service) -> None:
    response = post(small, [("nho.txt", REPORT), ("lon.bin", os.urandom(64 * KB + 1))])
    got = items(response)
    assert got["lon.bin"]["report_id"] is None and got["lon.bin"]["sha256"] is None
    assert got["lon.bin"]["state"] == "refused" and str(64 * KB) in got["lon.bin"]["error"]
    assert got["nho.txt"]["report_id"] and got["nho.txt"]["error"] is None
    progress = small.wait(response.json()["id"])
    assert progress["refused"] == 1 and progress["total"] == 2 and progress["queued"] == 0
    assert staging(small) == []


def test_too_many_files_in_one_request_is_413(small: Service) -> None:
    files = [(f"{i}.txt", REPORT + str(i).encode()) for i in range(LIMITS["max_batch_files"] + 1)]
    error = assert_error(post(small, files), 413, "too_large")
    assert str(LIMITS["max_batch_files"]) in error["message_vi"]
    assert staging(small) == []


def test_a_body_cut_off_inside_a_file_is_422_and_nothing_is_kept(small: Service) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="files"; filename="cut.txt"\r\n\r\nhalf a file'
    headers = {**small.headers("auditor"), "Content-Type": "multipart/form-data; boundary=b"}
    assert_error(small.client.post("/api/batches", headers=headers, content=body), 422, "invalid")
    assert staging(small) == []


# --- names ---------------------------------------------------------------------------------------------------


def test_client_file_names_lose_their_folders_and_control_characters(small: Service) -> None:
    got = items(post(small, [("../../etc/passwd.txt", REPORT + b"1"), ("C:\\Users\\a\\b\u202eo.txt", REPORT + b"2")]))
    assert set(got) == {"passwd.txt", "bo.txt"}
    assert safe_name("") == safe_name("..") == safe_name("a/") == "tep-khong-ten"
    assert len(safe_name("x" * 400 + ".pdf")) == 255 and safe_name("x" * 400 + ".pdf").endswith(".pdf")


def test_an_empty_file_field_is_ignored_and_an_rfc5987_name_is_decoded(small: Service) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n"
        b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o.txt\r\n\r\n"
        + REPORT
        + b"rfc\r\n--b--\r\n"
    )
    headers = {**small.headers("auditor"), "Content-Type": "multipart/form-data; boundary=b"}
    got = items(small.client.post("/api/batches", headers=headers, content=body))
    assert list(got) == ["Báo cáo.txt"]
    assert staging(small) == []


def test_unique_names_and_unsafe_paths() -> None:
    unique = UniqueNames()
    assert [unique(n) for n in ("a.pdf", "A.pdf", "a.pdf", "README", "README")] == [
        "a.pdf", "A (2).pdf", "a (3).pdf", "README", "README (2)",
    ]  # fmt: skip
    for bad in ("../x", "a/../../x", "/etc/passwd", "\\\\server\\x", "C:\\x", "c:x", "a\\..\\..\\x"):
        assert unsafe_path(bad), bad
    for good in ("x.pdf", "a/b/c.pdf", "a..b.pdf", "...pdf"):
        assert not unsafe_path(good), good


# --- zip archives --------------------------------------------------------------------------------------------


def test_a_zip_with_nested_folders_and_duplicate_names_gives_distinct_flat_items(small: Service) -> None:
    archive = zip_bytes(
        [
            ("thang-6/", b""),
            ("thang-6/bao-cao.txt", REPORT + b"a"),
            ("thang-7/bao-cao.txt", REPORT + b"b"),
            ("thang-7/sau/hon/khac.txt", REPORT + b"c"),
        ]
    )
    response = post(small, [("lo.zip", archive)])
    got = items(response)
    assert list(got) == ["bao-cao.txt", "bao-cao (2).txt", "khac.txt"]
    assert len({i["sha256"] for i in got.values()}) == 3 and all(i["report_id"] for i in got.values())
    assert staging(small) == []
    small.wait(response.json()["id"])


def test_zip_members_with_dot_dot_or_absolute_paths_are_refused_and_never_written(small: Service) -> None:
    outside = small.settings.data_dir.parent
    before = set(outside.rglob("x*.txt"))
    archive = zip_bytes(
        [
            ("../x1.txt", REPORT + b"1"),
            ("a/../../x2.txt", REPORT + b"2"),
            ("/tmp/x3.txt", REPORT + b"3"),
            ("C:\\Windows\\x4.txt", REPORT + b"4"),
            ("tot.txt", REPORT + b"5"),
        ]
    )
    got = items(post(small, [("nguy-hiem.zip", archive)]))
    refused = [i for i in got.values() if i["state"] == "refused"]
    assert len(refused) == 4 and all("không an toàn" in i["error"] and "unsafe" in i["error"] for i in refused)
    assert all(i["sha256"] is None for i in refused)
    assert got["tot.txt"]["report_id"] is not None
    assert set(outside.rglob("x*.txt")) == before


def test_a_zip_bomb_stops_at_the_ratio_and_is_one_refused_item(small: Service) -> None:
    zeros = b"\0" * (2 * 1024 * KB)  # 2 MB of zeros deflate to about 2 KB: a ratio near 1000
    archive = zip_bytes([("bom.txt", zeros), ("tot.txt", REPORT + b"bomb")])
    got = items(post(small, [("bom.zip", archive)]))
    assert got["bom.txt"]["state"] == "refused" and "bom nén" in got["bom.txt"]["error"]
    assert "zip bomb" in got["bom.txt"]["error"] and got["tot.txt"]["report_id"]
    assert all(p.stat().st_size <= LIMITS["max_upload_bytes"] for p in stored_files(small))


def _lie_about_size(archive: bytes, name: bytes, declared: int) -> bytes:
    """The zip with ``name``'s uncompressed size rewritten to ``declared`` in both of its headers."""
    data = bytearray(archive)
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_member_declaring_a_small_size_but_inflating_more_is_stopped(small: Service) -> None:
    archive = _lie_about_size(
        zip_bytes([("doi.txt", b"\0" * (1024 * KB)), ("tot.txt", REPORT + b"liar")]), b"doi.txt", 100
    )
    assert zipfile.ZipFile(io.BytesIO(archive)).getinfo("doi.txt").file_size == 100
    got = items(post(small, [("doi.zip", archive)]))
    assert got["doi.txt"]["state"] == "refused" and got["doi.txt"]["sha256"] is None
    assert got["tot.txt"]["report_id"]
    assert all(p.stat().st_size <= LIMITS["max_upload_bytes"] for p in stored_files(small))


def test_a_member_over_the_file_limit_is_refused(small: Service) -> None:
    archive = zip_bytes([("lon.bin", os.urandom(64 * KB + 10))], compression=zipfile.ZIP_STORED)
    got = items(post(small, [("lon.zip", archive), ("khac.txt", REPORT + b"k")]))
    assert got["lon.bin"]["state"] == "refused" and str(64 * KB) in got["lon.bin"]["error"]


def test_a_zip_archive_may_exceed_the_file_limit_but_a_document_zip_may_not(small: Service) -> None:
    members = [(f"{i}.bin", os.urandom(30 * KB)) for i in range(4)]  # 120 KB of members under the file limit
    got = items(post(small, [("lon.zip", zip_bytes(members, compression=zipfile.ZIP_STORED))]))
    assert list(got) == [f"{i}.bin" for i in range(4)] and all(i["report_id"] for i in got.values())
    fake_docx = zip_bytes(
        [("[Content_Types].xml", b"<Types/>"), ("word/x.bin", os.urandom(70 * KB))], zipfile.ZIP_STORED
    )
    before = stored_files(small)
    assert_error(post(small, [("lon.docx", fake_docx)]), 413, "too_large")
    assert stored_files(small) == before and staging(small) == []


def test_a_zip_listing_too_many_members_is_one_refused_item(small: Service) -> None:
    archive = zip_bytes([(f"{i}.txt", REPORT + str(i).encode()) for i in range(LIMITS["max_zip_members"] + 1)])
    got = items(post(small, [("nhieu.zip", archive), ("le.txt", REPORT + b"le")]))
    assert got["nhieu.zip"]["state"] == "refused" and str(LIMITS["max_zip_members"]) in got["nhieu.zip"]["error"]
    assert got["le.txt"]["report_id"]


def test_an_empty_zip_is_one_refused_item(small: Service) -> None:
    got = items(post(small, [("rong.zip", zip_bytes([])), ("le.txt", REPORT + b"empty")]))
    assert got["rong.zip"]["state"] == "refused" and "no file" in got["rong.zip"]["error"]


def test_a_zip_in_a_zip_and_a_broken_zip_are_stored_and_audited_as_unreadable(small: Service) -> None:
    inner = zip_bytes([("trong.txt", REPORT + b"inner")])
    outer = zip_bytes([("long/trong.zip", inner), ("ngoai.txt", REPORT + b"outer")])
    broken = b"PK\x03\x04" + os.urandom(300)
    response = post(small, [("ngoai.zip", outer), ("hong.zip", broken)])
    got = items(response)
    assert set(got) == {"trong.zip", "ngoai.txt", "hong.zip"}
    assert all(i["report_id"] for i in got.values())
    progress = {i["filename"]: i for i in small.wait(response.json()["id"])["items"]}
    assert progress["trong.zip"]["state"] == "unreadable" and progress["hong.zip"]["state"] == "unreadable"
    assert progress["ngoai.txt"]["state"] == "done"
    report = small.client.get(f"/api/reports/{got['trong.zip']['report_id']}", headers=small.headers("auditor"))
    assert [f["code"] for f in report.json()["findings"]] == ["UNREADABLE"]


def test_a_document_whose_format_is_a_zip_is_not_expanded(small: Service) -> None:
    docx = Path(__file__).resolve().parent.parent / "samples" / "001_cong-van.docx"
    if not docx.is_file():
        pytest.skip(f"{docx} is absent (regenerate samples/ with ./dev samples)")
    got = items(post(small, [("cong-van.docx", docx.read_bytes())]))
    assert list(got) == ["cong-van.docx"] and got["cong-van.docx"]["report_id"]


def test_zip_member_names_written_as_utf8_without_the_flag_are_read_as_utf8(small: Service) -> None:
    name = "Báo cáo.txt".encode()
    placeholder = b"N" * len(name)
    # what many Windows tools write: UTF-8 bytes without the UTF-8 flag (zipfile reads them as cp437)
    archive = zip_bytes([(placeholder.decode(), REPORT + b"names")]).replace(placeholder, name)
    info = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    assert not info.flag_bits & 0x800 and info.filename != "Báo cáo.txt"
    got = items(post(small, [("ten.zip", archive)]))
    assert list(got) == ["Báo cáo.txt"]


def test_an_upload_is_streamed_to_disk_not_held_in_memory(tmp_path: Path) -> None:
    """30 MB through the multipart reader in 64 KB chunks: Python's peak allocation stays a few chunks."""
    import asyncio
    import tracemalloc

    from api.settings import Settings
    from api.uploads import receive

    settings = Settings(data_dir=tmp_path, max_upload_bytes=64 * 1024 * KB, max_batch_bytes=128 * 1024 * KB)
    chunk = os.urandom(64 * KB)

    async def body() -> Any:
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="lon.bin"\r\n\r\n'
        for _ in range(480):  # 30 MB
            yield chunk
        yield b"\r\n--b--\r\n"

    tracemalloc.start()
    try:
        got = asyncio.run(receive(body(), "multipart/form-data; boundary=b", settings))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert [f.size for f in got.files] == [480 * 64 * KB]
        assert got.files[0].tmp is not None and got.files[0].tmp.stat().st_size == 480 * 64 * KB
        assert peak < 4 * 1024 * KB, f"peak {peak} bytes"
    finally:
        got.cleanup()
    assert list(settings.tmp_dir.iterdir()) == []
