"""Tell a file's real format from its bytes, never from its name.

    %PDF-            -> pdf   (anywhere in the first KiB: some writers put junk before it)
    PK\\x03\\x04 zip   -> docx  (has word/document.xml), xlsx (has xl/workbook.xml)
    OLE compound     -> doc   (has a WordDocument stream); an OLE file holding EncryptedPackage is a
                               password-protected DOCX/XLSX
    JPEG, PNG, TIFF  -> image (a scan or a photo of a page, read by OCR) when Pillow can read its header
    decodable text   -> md    (Markdown headings, bold, pipe tables) or txt

The zip checks also refuse zip bombs before any parser inflates a part.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

import regex

from extractor.errors import (
    CorruptFileError,
    EncryptedFileError,
    UnsafeFileError,
    UnsupportedFormatError,
)
from extractor.model import Format

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An office part inflating past this, or by more than this ratio, is treated as a bomb.
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
# Images read by OCR, by their magic bytes.
_IMAGES: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "ảnh PNG", "a PNG image"),
    (b"\xff\xd8\xff", "ảnh JPEG", "a JPEG image"),
    (b"II*\x00", "ảnh TIFF", "a TIFF image"),
    (b"MM\x00*", "ảnh TIFF", "a TIFF image"),
]
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"GIF8", "ảnh GIF", "a GIF image"),
    (b"{\\rtf", "văn bản RTF", "an RTF document"),
    (b"\x1f\x8b", "tệp nén gzip", "a gzip archive"),
    (b"Rar!", "tệp nén RAR", "a RAR archive"),
    (b"7z\xbc\xaf", "tệp nén 7-Zip", "a 7-Zip archive"),
]
BINARY = ("dữ liệu nhị phân", "binary data")


@dataclass(frozen=True)
class Sniffed:
    format: Format
    encoding: str | None = None  # for text formats


def sniff(data: bytes) -> Sniffed:
    head = data[:1024]
    if b"%PDF-" in head:
        return Sniffed("pdf")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return Sniffed(_sniff_zip(data))
    if data.startswith(OLE_MAGIC):
        return Sniffed(_sniff_ole(data))
    for magic, what_vi, what_en in _IMAGES:
        if data.startswith(magic):
            if not _image_header(data):  # the magic of an image, then bytes no image reader understands
                raise UnsupportedFormatError(f"{what_vi} hỏng (không đọc được phần đầu)", f"a broken {what_en[2:]}")
            return Sniffed("image")
    for magic, what_vi, what_en in _SIGNATURES:
        if data.startswith(magic):
            raise UnsupportedFormatError(what_vi, what_en)
    decoded = decode_text(data)
    if decoded is None:
        raise UnsupportedFormatError(*BINARY)
    text, encoding = decoded
    return Sniffed("md" if looks_like_markdown(text) else "txt", encoding)


def _image_header(data: bytes) -> bool:
    """Whether Pillow reads the image's header (its size and mode); no pixel is decoded here."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size[0] > 0 and image.size[1] > 0
    except Image.DecompressionBombError as exc:
        raise UnsafeFileError(f"ảnh quá lớn, nghi bom giải nén ({exc})", f"the image is too large ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def _sniff_zip(data: bytes) -> Format:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise CorruptFileError("docx/xlsx", detail=str(exc)) from exc
    if "word/document.xml" in names:
        fmt: Format = "docx"
    elif "xl/workbook.xml" in names:
        fmt = "xlsx"
    else:
        declared = _declared_office_format(zf, names)
        if declared:  # the package says it is a Word/Excel file but lacks its main part
            raise CorruptFileError(declared, detail="main document part missing")
        raise UnsupportedFormatError("tệp nén ZIP", "a ZIP archive")
    check_zip_safety(zf)
    check_xml_safety(zf)
    return fmt


def _declared_office_format(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "[Content_Types].xml" not in names:
        return None
    try:
        types = zf.read("[Content_Types].xml")[:200_000]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        return None
    if b"wordprocessingml.document.main" in types:
        return "docx"
    if b"spreadsheetml.sheet.main" in types:
        return "xlsx"
    return None


def check_zip_safety(zf: zipfile.ZipFile) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise UnsafeFileError(
                f"phần '{info.filename}' nén với tỷ lệ {ratio:,.0f}:1 (bom nén)",
                f"part '{info.filename}' is compressed {ratio:,.0f}:1 (zip bomb)",
            )
    if total > MAX_UNZIPPED_BYTES:
        raise UnsafeFileError(
            f"giải nén ra {total:,} byte (bom nén)", f"it would inflate to {total:,} bytes (zip bomb)"
        )


_DTD = regex.compile(rb"<!(?:DOCTYPE|ENTITY)", regex.IGNORECASE)
_ENCODING = regex.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""", regex.IGNORECASE)
_CHUNK = 1024 * 1024


def check_xml_safety(zf: zipfile.ZipFile) -> None:
    """Office XML never declares a DTD; one that does may be an entity-expansion ("billion laughs") or an
    external-entity attack. Every XML part is read whole (the zip checks above bound its size): a DTD after
    a long comment, or in UTF-16/UTF-32 (NUL bytes between the letters), is found too. A part declaring
    UTF-7, where markup can hide from a byte search, is refused as well."""
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            with zf.open(info) as part:
                found = _unsafe_xml(part)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise CorruptFileError("docx/xlsx", detail=f"{info.filename}: {exc}") from exc
        if found == "dtd":
            raise UnsafeFileError(
                f"phần '{info.filename}' khai báo DTD/thực thể XML (nguy cơ bom thực thể)",
                f"part '{info.filename}' declares an XML DTD/entities (entity-expansion risk)",
            )
        if found == "encoding":
            raise UnsafeFileError(
                f"phần '{info.filename}' dùng bảng mã UTF-7, có thể che giấu mã XML",
                f"part '{info.filename}' is encoded in UTF-7, which can hide XML markup",
            )


def _unsafe_xml(part: IO[bytes]) -> str | None:
    tail = b""
    first = True
    while chunk := part.read(_CHUNK):
        window = tail + chunk.replace(b"\x00", b"")
        if first:
            declared = _ENCODING.match(window[:400].lstrip(b"\xef\xbb\xbf\xff\xfe"))
            if declared and declared.group(1).strip().lower().replace(b"-", b"") == b"utf7":
                return "encoding"
            first = False
        if _DTD.search(window):
            return "dtd"
        tail = window[-16:]
    return None


def _sniff_ole(data: bytes) -> Format:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError as exc:
        raise CorruptFileError("doc", detail=str(exc)) from exc
    try:
        streams = {"/".join(entry) for entry in ole.listdir()}
    finally:
        ole.close()
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise EncryptedFileError("docx/xlsx")
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        raise UnsupportedFormatError("bảng tính Excel cũ (.xls)", "a legacy Excel .xls workbook")
    raise UnsupportedFormatError("tệp OLE không phải Word", "an OLE file that is not a Word document")


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode text bytes, or None when they are not text (control bytes, undecodable)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return None
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is None or best.encoding is None:
            return None
        try:
            text, enc = data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            return None
    return (text, enc) if _is_texty(text) else None


_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _is_texty(text: str) -> bool:
    sample = text[:100_000]
    if not sample.strip():
        return False
    controls = len(_CONTROL.findall(sample))
    return controls <= max(2, len(sample) // 1000)


_MD = regex.compile(r"(?m)^(#{1,6} \S|\s*\|.*\|\s*$|.*\*\*\S)")


def looks_like_markdown(text: str) -> bool:
    return len(_MD.findall(text[:200_000])) >= 2
