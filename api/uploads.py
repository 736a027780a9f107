"""Batch uploads: a multipart body read chunk by chunk, never whole, and zip archives opened member by member.

1. :func:`receive` parses the request body as it arrives (python-multipart's streaming parser) and writes
   each file part to a staging file in ``data/tmp``, counting bytes: a file over ``max_upload_bytes`` stops
   being written at the limit (the rest of its part is read and dropped) and becomes a refused item; a body
   over ``max_batch_bytes`` stops the whole upload (413) with every staging file removed.
2. :func:`store_staged` turns the staged parts into stored originals (``api.storage``, content-addressed):
   a plain file is streamed into storage; a zip archive (a zip that is not a DOCX/XLSX/ODF document) is
   opened and each member streamed into storage — nothing is extracted to a path on disk. Members that are
   directories are skipped, nested folders are flattened to the base name, duplicate names get " (2)",
   paths with ``..`` or absolute paths are refused, and a member that would inflate past ``max_zip_ratio``
   times its compressed size, past its declared size or past ``max_upload_bytes`` is stopped at that point
   and becomes one refused item. A zip inside a zip is stored as a file (and audited as one: UNREADABLE).

The staging files are always removed, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header

from api.errors import ApiError, invalid, too_large
from api.settings import Settings
from api.storage import CHUNK, Stored, TooLargeError, store_chunks

DEFAULT_NAME = "tep-khong-ten"
MAX_NAME = 255
MAX_FIELD_BYTES = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Staged:
    """One file part of the request: staged in data/tmp, or refused (too large) with the reason."""

    filename: str
    tmp: Path | None = None
    size: int = 0
    refused: tuple[str, str] | None = None  # (vi, en)
    too_large: bool = False
    unnamed: bool = False  # the part gave an empty file name (a browser's file field with nothing chosen)
    zipped: bool | None = None  # the first bytes are a zip's: may be an archive, allowed up to the batch limit
    head: bytes = b""


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Staged] = field(default_factory=list)
    total: int = 0

    def cleanup(self) -> None:
        for f in self.files:
            if f.tmp is not None:
                f.tmp.unlink(missing_ok=True)


@dataclass
class Item:
    """One file of the batch after storing: stored (then audited), or refused with the reason."""

    filename: str
    stored: Stored | None = None
    refused: tuple[str, str] | None = None

    @property
    def error(self) -> str | None:
        return None if self.refused is None else f"{self.refused[0]} / {self.refused[1]}"


# --- names ---------------------------------------------------------------------------------------------------


def safe_name(raw: str | bytes | None) -> str:
    """The base name of a client's file name: no folders, no control or bidirectional characters, NFC,
    at most 255 characters; a default when nothing is left."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    name = _CONTROL.sub("", unicodedata.normalize("NFC", raw or ""))
    name = re.split(r"[\\/]", name)[-1].strip()
    if name in ("", ".", ".."):
        return DEFAULT_NAME
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name


class UniqueNames:
    """Names made distinct within one batch: "a.pdf", "a (2).pdf", "a (3).pdf"."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, name: str) -> str:
        candidate, n = name, 1
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, dot, ext = name, "", ""
        while candidate.casefold() in self.seen:
            n += 1
            candidate = f"{stem} ({n}){dot}{ext}"
        self.seen.add(candidate.casefold())
        return candidate


# --- 1. the multipart body --------------------------------------------------------------------------------


class _Parts:
    """python-multipart's callbacks collected as events: ("begin", headers) ("data", bytes) ("end", None)."""

    def __init__(self, boundary: bytes) -> None:
        self.events: list[tuple[str, Any]] = []
        self._headers: dict[str, bytes] = {}
        self._field = b""
        self._value = b""
        callbacks: Any = {
            "on_part_begin": self._begin,
            "on_header_field": self._on_field,
            "on_header_value": self._on_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": lambda: self.events.append(("end", None)),
        }
        self.parser = MultipartParser(boundary, callbacks, max_header_count=16, max_header_size=8192)

    def _begin(self) -> None:
        self._headers = {}

    def _on_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        self.events.append(("begin", dict(self._headers)))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.events.append(("data", bytes(data[start:end])))


def boundary_of(content_type: str | None) -> bytes:
    ctype, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Cần gửi tệp dạng multipart/form-data (trường 'files')",
            "send the files as multipart/form-data (field 'files')",
        )
    return boundary


_EXTENDED_NAME = re.compile(r"filename\*\s*=\s*(?i:utf-?8)''([^;\s]+)")


def _disposition(headers: dict[str, bytes]) -> tuple[str | None, str | None]:
    """(field name, file name) of a part; file name None for a plain form field."""
    _, options = parse_options_header(headers.get("content-disposition", b""))
    name = options.get(b"name")
    fname: str | None = None
    # RFC 5987 filename*=UTF-8''percent-encoded, sent by a few clients (python-multipart drops it)
    extended = _EXTENDED_NAME.search(headers.get("content-disposition", b"").decode("latin-1"))
    if extended is not None:
        fname = unquote(extended.group(1), encoding="utf-8", errors="replace")
    if fname is None and options.get(b"filename") is not None:
        fname = options[b"filename"].decode("utf-8", "replace")
    return (name.decode("utf-8", "replace") if name is not None else None, fname)


async def receive(body: AsyncIterator[bytes], content_type: str | None, settings: Settings) -> Received:
    """Parse a multipart body as it arrives, staging file parts in data/tmp (see the module's docstring)."""
    parts = _Parts(boundary_of(content_type))
    settings.prepare()
    got = Received()
    current: Staged | None = None
    handle: Any = None
    field_name: str | None = None
    field_value = bytearray()
    try:
        async for chunk in body:
            got.total += len(chunk)
            if got.total > settings.max_batch_bytes:
                raise too_large(settings.max_batch_bytes, "lô tải lên", "the upload")
            try:
                parts.parser.write(chunk)
            except Exception as err:
                raise invalid("Nội dung multipart hỏng", "malformed multipart body", str(err)[:200]) from err
            for kind, value in parts.events:
                if kind == "begin":
                    name, fname = _disposition(value)
                    if fname is not None:
                        if len(got.files) >= settings.max_batch_files:
                            raise too_large(settings.max_batch_files, "số tệp của lô", "the number of files")
                        current = Staged(safe_name(fname), unnamed=fname == "")
                        fd, tmp = tempfile.mkstemp(dir=settings.tmp_dir, prefix="stage-")
                        current.tmp = Path(tmp)
                        handle = os.fdopen(fd, "wb")
                        got.files.append(current)
                    else:
                        field_name, field_value = name, bytearray()
                elif kind == "data":
                    if current is not None:
                        _stage_write(current, handle, value, settings)
                    elif field_name is not None:
                        field_value += value
                        if len(field_value) > MAX_FIELD_BYTES:
                            raise invalid(f"Trường {field_name} quá dài", f"field {field_name} is too long")
                elif kind == "end":
                    if current is not None:
                        handle.close()
                        if current.unnamed and current.size == 0 and current.tmp is not None:
                            current.tmp.unlink(missing_ok=True)  # a form's file field left empty
                            got.files.remove(current)
                        current, handle = None, None
                    elif field_name is not None:
                        got.fields[field_name] = field_value.decode("utf-8", "replace").strip()
                        field_name = None
            parts.events.clear()
        parts.parser.finalize()
    except BaseException:
        if handle is not None:
            handle.close()
        got.cleanup()
        raise
    if handle is not None:  # a body cut off inside a file part
        handle.close()
        got.cleanup()
        raise invalid("Nội dung multipart bị cắt ngang", "the multipart body ended inside a part")
    return got


def _stage_write(staged: Staged, handle: Any, data: bytes, settings: Settings) -> None:
    if staged.refused is not None:
        return  # over the limit already: the rest of the part is read and dropped
    if staged.zipped is None:
        staged.head += data[: 4 - len(staged.head)]
        if len(staged.head) == 4:
            staged.zipped = staged.head in (b"PK\x03\x04", b"PK\x05\x06")
    staged.size += len(data)
    # a zip archive may hold many files: it is bounded by the batch limit, its members by the file limit
    limit = settings.max_batch_bytes if staged.zipped else settings.max_upload_bytes
    if staged.size > limit:
        handle.truncate(0)
        handle.close()
        assert staged.tmp is not None
        staged.tmp.unlink(missing_ok=True)
        staged.tmp = None
        staged.refused, staged.too_large = too_large_reason(limit), True
        return
    handle.write(data)


def too_large_reason(limit: int) -> tuple[str, str]:
    err = too_large(limit)
    return err.message_vi, err.message_en


# --- 2. storing: plain files and zip archives --------------------------------------------------------------

_DOCUMENT_MARKERS = ("[Content_Types].xml", "mimetype")  # OOXML (docx/xlsx/pptx) and ODF documents


def is_archive(path: Path) -> bool:
    """A zip that is an archive of files, not a document whose format is a zip (DOCX, XLSX, ODF)."""
    with path.open("rb") as f:
        head = f.read(4)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False  # a broken zip is stored as a file: its audit says why it cannot be read
    return not any(m in names for m in _DOCUMENT_MARKERS)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def store_staged(settings: Settings, received: Received) -> list[Item]:
    """Store every staged file part (expanding zip archives); blocking, run it in a thread."""
    items: list[Item] = []
    unique = UniqueNames()
    budget = [settings.max_batch_bytes]  # bytes members may still inflate to, over the whole batch
    for staged in received.files:
        if staged.refused is not None or staged.tmp is None:
            items.append(Item(unique(staged.filename), refused=staged.refused))
            continue
        if is_archive(staged.tmp):
            items.extend(_expand(settings, staged, unique, budget, settings.max_batch_files - len(items)))
        elif staged.size > settings.max_upload_bytes:  # a document whose format is a zip (DOCX, XLSX)
            staged.refused, staged.too_large = too_large_reason(settings.max_upload_bytes), True
            items.append(Item(unique(staged.filename), refused=staged.refused))
        else:
            stored = store_chunks(settings, _file_chunks(staged.tmp), settings.max_upload_bytes)
            items.append(Item(unique(staged.filename), stored=stored))
        staged.tmp.unlink(missing_ok=True)
        staged.tmp = None
    return items


class _Refused(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as written: zips made on Windows without the UTF-8 flag often hold UTF-8 bytes that
    zipfile decoded as cp437; they are decoded again as UTF-8 when that works."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def unsafe_path(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def _expand(settings: Settings, staged: Staged, unique: UniqueNames, budget: list[int], room: int) -> list[Item]:
    assert staged.tmp is not None
    items: list[Item] = []
    try:
        with zipfile.ZipFile(staged.tmp) as zf:
            infos = zf.infolist()
            if len(infos) > settings.max_zip_members:
                return [
                    Item(
                        unique(staged.filename),
                        refused=(
                            f"Tệp nén có {len(infos)} mục, vượt giới hạn {settings.max_zip_members}",
                            f"the zip lists {len(infos)} members, over the limit of {settings.max_zip_members}",
                        ),
                    )
                ]
            for info in infos:
                if info.is_dir():
                    continue
                raw = member_name(info)
                name = unique(safe_name(raw))
                if len(items) >= room:
                    items.append(Item(name, refused=_too_many(settings.max_batch_files)))
                    continue
                items.append(_member(settings, zf, info, raw, name, budget))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as err:
        items.append(
            Item(
                unique(staged.filename),
                refused=("Tệp nén hỏng, không đọc được", f"the zip is broken: {type(err).__name__}"),
            )
        )
    if not items:
        items.append(Item(unique(staged.filename), refused=("Tệp nén không chứa tệp nào", "the zip holds no file")))
    return items


def _too_many(limit: int) -> tuple[str, str]:
    return f"Lô vượt quá {limit} tệp", f"the batch has more than {limit} files"


def _member(
    settings: Settings, zf: zipfile.ZipFile, info: zipfile.ZipInfo, raw: str, name: str, budget: list[int]
) -> Item:
    shown = _CONTROL.sub("", raw)[:300]
    if unsafe_path(raw):
        return Item(
            name,
            refused=(
                f"Đường dẫn trong tệp nén không an toàn: {shown}",
                f"unsafe path in the zip: {shown}",
            ),
        )
    if info.flag_bits & 0x1:
        return Item(name, refused=("Tệp trong tệp nén có mật khẩu", "the zip member is encrypted"))
    ratio = settings.max_zip_ratio
    if info.file_size > max(info.compress_size, 1) * ratio:
        return Item(name, refused=_bomb(ratio))
    if info.file_size > settings.max_upload_bytes:
        return Item(name, refused=too_large_reason(settings.max_upload_bytes))
    if info.file_size > budget[0]:
        return Item(name, refused=too_large_reason(settings.max_batch_bytes))
    try:
        stored = store_chunks(settings, _member_chunks(zf, info, ratio), settings.max_upload_bytes)
    except TooLargeError as err:
        return Item(name, refused=too_large_reason(err.limit))
    except _Refused as err:
        return Item(name, refused=(err.vi, err.en))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
        return Item(
            name, refused=("Không giải nén được tệp này", f"the member could not be decompressed: {type(err).__name__}")
        )
    budget[0] -= stored.size
    return Item(name, stored=stored)


def _bomb(ratio: int) -> tuple[str, str]:
    return (
        f"Tệp trong tệp nén nở ra quá {ratio} lần kích thước nén (nghi bom nén)",
        f"the zip member inflates more than {ratio} times its compressed size (a zip bomb?)",
    )


def _member_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, ratio: int) -> Iterator[bytes]:
    """A member's bytes, stopped as soon as they pass what the member declared or the ratio allows."""
    cap = max(info.compress_size, 1) * ratio
    read = 0
    with zf.open(info) as f:
        while chunk := f.read(CHUNK):
            read += len(chunk)
            if read > cap:
                raise _Refused(*_bomb(ratio))
            if read > info.file_size:
                raise _Refused(
                    "Tệp trong tệp nén lớn hơn kích thước nó khai", "the zip member is larger than it declares"
                )
            yield chunk
