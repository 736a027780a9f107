"""Every error the library raises, in one tree.

    ExtractorError                 base; carries a code and a Vietnamese + English reason
     ├── InputError                the user's file cannot be read as a report
     │    ├── EmptyFileError       0 bytes, or only whitespace
     │    ├── TooLargeError        over the configured size limit
     │    ├── UnsupportedFormatError  bytes match no format we read (garbage, images, …)
     │    ├── CorruptFileError     the format is known but the file is broken (truncated PDF, bad zip)
     │    ├── EncryptedFileError   password-protected PDF, DOCX or XLSX
     │    ├── UnsafeFileError      zip bomb, XML with DTD/entity declarations
     │    ├── NoPagesError         a PDF with zero pages
     │    ├── NoTextError          a PDF whose pages hold no text and no image at all (e.g. blank pages)
     │    ├── ConversionError      LibreOffice could not convert a legacy file (or timed out)
     │    ├── AuditTimeoutError    reading it took longer than the batch allows
     │    ├── CannotOpenError      missing, a directory, or not readable
     │    └── NotRegularFileError  a FIFO, a device, a socket: never read (a read could block or never end)
     ├── WorkerCrashedError        the process reading a file died (a defect, not the user's fault)
     ├── NeedsOCRError             a scanned PDF: pages carry images and no text layer
     ├── OcrUnavailableError       Tesseract (or its Vietnamese model) is not installed: scans stay unread
     ├── RubricError               a rubric file that does not validate (names the bad key)
     └── InternalError             a defect of ours; never the user's fault

Only the edges (CLI, HTTP API) translate these into exit codes and response bodies.
"""

from __future__ import annotations

import errno
from typing import Any, ClassVar


class ExtractorError(Exception):
    """Base class. ``code`` is stable and machine-readable; the two messages are for people."""

    code: ClassVar[str] = "error"

    def __init__(self, message_vi: str, message_en: str, *, detail: str | None = None) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.detail = detail
        # The file's SHA-256 when its bytes were read before the error (set by ``parse``), so that the
        # report of an unreadable file never reads it a second time.
        self.sha256: str | None = None

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its fields, not through ``__init__`` (whose arguments differ per class), so an error
        raised in a worker process (e.g. OCR of a page) arrives whole in the parent."""
        return (_rebuild, (type(self), self.args, self.__dict__))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


def _rebuild(cls: type[ExtractorError], args: tuple[Any, ...], state: dict[str, Any]) -> ExtractorError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class InputError(ExtractorError):
    code = "input_error"


class EmptyFileError(InputError):
    code = "empty_file"

    def __init__(self) -> None:
        super().__init__("Tệp rỗng, không có nội dung.", "The file is empty.")


class TooLargeError(InputError):
    code = "too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"Tệp quá lớn ({size:,} byte; giới hạn {limit:,} byte).",
            f"The file is too large ({size:,} bytes; the limit is {limit:,} bytes).",
        )


class UnsupportedFormatError(InputError):
    code = "unsupported_format"

    def __init__(self, what_vi: str = "", what_en: str = "") -> None:
        super().__init__(
            "Không nhận dạng được định dạng tệp (chỉ đọc PDF, DOCX, DOC, XLSX, TXT, MD, ảnh JPEG, PNG, TIFF)."
            + (f" Nội dung là {what_vi}." if what_vi else ""),
            "Unrecognised file format (readable: PDF, DOCX, DOC, XLSX, TXT, MD, JPEG, PNG, TIFF images)."
            + (f" The content is {what_en}." if what_en else ""),
        )


class CorruptFileError(InputError):
    code = "corrupt_file"

    def __init__(self, fmt: str, detail: str | None = None) -> None:
        super().__init__(
            f"Tệp {fmt.upper()} bị hỏng hoặc không đầy đủ, không đọc được.",
            f"The {fmt.upper()} file is corrupt or truncated and cannot be read.",
            detail=detail,
        )


class EncryptedFileError(InputError):
    code = "encrypted"

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"Tệp {fmt.upper()} được đặt mật khẩu; hãy gửi bản không khóa.",
            f"The {fmt.upper()} file is password-protected; send an unlocked copy.",
        )


class UnsafeFileError(InputError):
    code = "unsafe_file"

    def __init__(self, reason_vi: str, reason_en: str) -> None:
        super().__init__(
            f"Tệp bị từ chối vì không an toàn: {reason_vi}.", f"The file was refused as unsafe: {reason_en}."
        )


class NoPagesError(InputError):
    code = "no_pages"

    def __init__(self) -> None:
        super().__init__("Tệp PDF không có trang nào.", "The PDF has no pages.")


class NoTextError(InputError):
    code = "no_text"

    def __init__(self, pages: int) -> None:
        super().__init__(
            f"Tệp PDF có {pages} trang nhưng không có chữ nào đọc được (trang trắng, hoặc chữ được vẽ thành hình); "
            "không có nội dung để kiểm tra.",
            f"The PDF has {pages} pages but no readable text (blank pages, or text drawn as shapes); "
            "there is nothing to check.",
        )
        self.pages = pages


class ConversionError(InputError):
    code = "conversion_failed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            "Không chuyển đổi được tệp Word cũ (.doc) sang định dạng đọc được.",
            "The legacy Word (.doc) file could not be converted to a readable format.",
            detail=detail,
        )


class NeedsOCRError(ExtractorError):
    """A scanned PDF. ``document`` holds whatever text layer there was (e.g. a signature stamp)."""

    code = "needs_ocr"

    def __init__(self, pages: int, pages_without_text: int, document: Any = None, garbled: int = 0) -> None:
        if garbled:  # a text layer that is not text: glyph codes "(cid:7)", stray symbols, a failed OCR layer
            super().__init__(
                f"Lớp chữ của tài liệu không đọc được ({pages_without_text}/{pages} trang không có chữ đọc được, "
                f"trong đó {garbled} trang chỉ có mã ký tự hỏng hoặc chữ nhận dạng sai); cần nhận dạng ký tự (OCR).",
                f"The document's text layer is not readable text ({pages_without_text} of {pages} pages have no "
                f"readable text, {garbled} of them only broken glyph codes or misrecognised words); it needs OCR.",
            )
        else:
            super().__init__(
                f"Tài liệu là bản quét ({pages_without_text}/{pages} trang không có lớp chữ); "
                "cần nhận dạng ký tự (OCR).",
                f"The document is a scan ({pages_without_text} of {pages} pages have no text layer); it needs OCR.",
            )
        self.pages = pages
        self.pages_without_text = pages_without_text
        self.garbled = garbled
        self.document = document


class OcrUnavailableError(ExtractorError):
    """Tesseract or its Vietnamese model is missing: the machine's fault, not the file's."""

    code = "ocr_unavailable"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            "Không nhận dạng được ký tự (OCR): máy chưa cài Tesseract với dữ liệu tiếng Việt "
            "(cài các gói tesseract-ocr và tesseract-ocr-vie).",
            "OCR is unavailable: Tesseract with its Vietnamese model is not installed "
            "(install the packages tesseract-ocr and tesseract-ocr-vie).",
            detail=detail,
        )


class InternalError(ExtractorError):
    code = "internal_error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            "Lỗi nội bộ của chương trình khi đọc tệp; xin báo cho nhóm phát triển.",
            "An internal error occurred while reading the file; please report it.",
            detail=detail,
        )


class RubricError(ExtractorError):
    """A rubric file that does not validate: a configuration error, named by file and key."""

    code = "rubric_invalid"

    def __init__(self, source: str, problems: list[str]) -> None:
        listing = "; ".join(problems)
        super().__init__(
            f"Bộ tiêu chí '{source}' không hợp lệ: {listing}",
            f"Rubric '{source}' is invalid: {listing}",
        )
        self.problems = problems


class AuditTimeoutError(InputError):
    code = "timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Quá thời gian xử lý ({seconds:g} giây); tệp có thể quá lớn hoặc có cấu trúc bất thường.",
            f"Processing took longer than {seconds:g} seconds; the file may be too large or malformed.",
        )


class CannotOpenError(InputError):
    """The path names no readable file. Built from the ``OSError`` it met (``from_os_error``) the reason is
    said in each language; from a bare reason (English, e.g. a ``strerror``) only the English message
    carries it, so the Vietnamese message holds no English."""

    code = "cannot_open"

    # errno -> (Vietnamese, English) reason
    REASONS: ClassVar[dict[int, tuple[str, str]]] = {
        errno.ENOENT: ("tệp không tồn tại", "the file does not exist"),
        errno.ENOTDIR: ("tệp không tồn tại", "the file does not exist"),
        errno.EISDIR: ("đường dẫn là thư mục, không phải tệp", "the path is a directory, not a file"),
        errno.EACCES: ("không có quyền đọc tệp", "permission to read the file is denied"),
        errno.EPERM: ("không có quyền đọc tệp", "permission to read the file is denied"),
    }

    def __init__(self, reason: str, reason_vi: str | None = None) -> None:
        super().__init__(
            f"Không mở được tệp: {reason_vi}."
            if reason_vi
            else "Không mở được tệp (không tồn tại, là thư mục hoặc không có quyền đọc).",
            f"The file cannot be opened: {reason}."
            if reason_vi
            else f"The file cannot be opened (missing, a directory, or not readable): {reason}",
        )

    @classmethod
    def from_os_error(cls, err: OSError) -> CannotOpenError:
        reason_vi, reason_en = cls.REASONS.get(
            err.errno or 0, ("lỗi hệ thống khi mở tệp", f"system error ({err.strerror or type(err).__name__})")
        )
        return cls(reason_en, reason_vi)


class WorkerCrashedError(ExtractorError):
    """The worker process died (e.g. a crash inside a PDF library): a defect, not the user's fault."""

    code = "worker_crashed"

    def __init__(self) -> None:
        super().__init__(
            "Chương trình bị dừng đột ngột khi đọc tệp này; xin báo cho nhóm phát triển.",
            "The process reading this file stopped abruptly; please report it.",
        )


class NotRegularFileError(InputError):
    """The path names a FIFO, a character or block device, a socket or another special file: refused from
    its metadata alone, before any read (reading a FIFO may block forever, a device may never end)."""

    code = "not_regular_file"

    # stat.S_IFMT kind -> (Vietnamese, English)
    KINDS: ClassVar[dict[str, tuple[str, str]]] = {
        "fifo": ("một đường ống (FIFO)", "a named pipe (FIFO)"),
        "char_device": ("một thiết bị ký tự", "a character device"),
        "block_device": ("một thiết bị khối (ổ đĩa)", "a block device (a disk)"),
        "socket": ("một socket", "a socket"),
        "other": ("một tệp đặc biệt", "a special file"),
    }

    def __init__(self, kind: str) -> None:
        kind_vi, kind_en = self.KINDS.get(kind, self.KINDS["other"])
        super().__init__(
            f"Đường dẫn không phải tệp thông thường mà là {kind_vi}; chỉ đọc tệp báo cáo lưu trên đĩa.",
            f"The path is not a regular file but {kind_en}; only report files stored on disk are read.",
        )
        self.kind = kind


class AuditAbortedError(ExtractorError):
    """The audit of a file did not finish: its process crashed, ran out of memory or time, repeatedly.
    Raised by no parser; a runner that isolates audits builds the file's UNREADABLE report from it."""

    code = "audit_aborted"

    def __init__(self, reason_vi: str, reason_en: str, detail: str | None = None) -> None:
        super().__init__(
            f"Không kiểm tra xong tệp: {reason_vi}.",
            f"The file's audit did not finish: {reason_en}.",
            detail=detail,
        )


class NotPagedError(InputError):
    """A page image was asked of a file that has no pages to draw (DOCX, XLSX, .doc, text): only a PDF or an
    image file (PNG, JPEG, TIFF) is drawn page by page."""

    code = "not_paged"

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"Tệp {fmt.upper()} không chia trang nên không vẽ được ảnh trang; chỉ vẽ được tệp PDF hoặc ảnh "
            "(PNG, JPEG, TIFF).",
            f"The {fmt.upper()} file has no pages to draw; only a PDF or an image (PNG, JPEG, TIFF) is drawn as pages.",
        )
        self.format = fmt


class PageOutOfRangeError(InputError):
    """A page number the file does not have (pages are numbered from 1)."""

    code = "page_out_of_range"

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(
            f"Không có trang {page}: tệp có {pages} trang (đánh số từ 1).",
            f"There is no page {page}: the file has {pages} pages (numbered from 1).",
        )
        self.page = page
        self.pages = pages


class CannotWriteError(ExtractorError):
    """An output file (e.g. ``extractor diff --xlsx out.xlsx``) cannot be written: the user's path, not a defect."""

    code = "cannot_write"

    # errno -> (Vietnamese, English) reason
    REASONS: ClassVar[dict[int, tuple[str, str]]] = {
        errno.ENOENT: ("thư mục chứa tệp không tồn tại", "its folder does not exist"),
        errno.ENOTDIR: ("thư mục chứa tệp không tồn tại", "its folder does not exist"),
        errno.EISDIR: ("đường dẫn là một thư mục", "the path is a folder"),
        errno.EACCES: ("không có quyền ghi", "permission to write is denied"),
        errno.EPERM: ("không có quyền ghi", "permission to write is denied"),
        errno.EROFS: ("ổ đĩa chỉ cho đọc", "the file system is read-only"),
        errno.ENOSPC: ("ổ đĩa đã đầy", "the disk is full"),
    }

    def __init__(self, path: str, reason_vi: str, reason_en: str) -> None:
        super().__init__(f"Không ghi được tệp {path}: {reason_vi}.", f"Cannot write the file {path}: {reason_en}.")
        self.path = path

    @classmethod
    def from_os_error(cls, path: str, err: OSError) -> CannotWriteError:
        reason_vi, reason_en = cls.REASONS.get(
            err.errno or 0, ("lỗi hệ thống khi ghi tệp", f"system error ({err.strerror or type(err).__name__})")
        )
        return cls(path, reason_vi, reason_en)
