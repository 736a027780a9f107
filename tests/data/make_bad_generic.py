"""Regenerate the format-independent bad inputs in tests/data/bad/ (run from the project root).

File names start with the error code the product must answer with: ``<code>__<what>.<ext>``.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

BAD = Path(__file__).resolve().parent / "bad"


def main() -> None:
    BAD.mkdir(exist_ok=True)
    rng = random.Random(20260612)
    (BAD / "empty_file__zero_bytes.txt").write_bytes(b"")
    (BAD / "empty_file__only_whitespace.txt").write_bytes(b" \r\n\t\n  \n")
    (BAD / "unsupported_format__garbage.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (BAD / "unsupported_format__image_named_pdf.pdf").write_bytes(
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512))
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes/readme.txt", "không phải tài liệu văn phòng")
    (BAD / "unsupported_format__plain_zip_named_docx.docx").write_bytes(buf.getvalue())
    (BAD / "corrupt_file__zip_cut_in_half.docx").write_bytes(_half_docx())


def _half_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + "x" * 5000 + "</w:document>")
    data = buf.getvalue()
    return data[: len(data) // 2]


if __name__ == "__main__":
    main()
