"""Regenerate the bad PDF inputs in tests/data/bad/ (run from the project root).

File names start with the error code the product must answer with: ``<code>__<what>.pdf``. Most files are
written byte by byte here; the password-protected one is exported by LibreOffice (``soffice`` on PATH),
e.g. ``python tests/data/make_bad_pdfs.py``.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

BAD = Path(__file__).resolve().parent / "bad"


def build_pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 is ``objects[i]``; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def text_pdf(pages: int = 1) -> bytes:
    """A4 pages saying a few ASCII lines each (Helvetica), e.g. a minimal well-formed PDF to cut short."""
    lines = [b"BAO CAO KET QUA CHAM DIEM", b"STT 1 Tieu chi 5 diem", b"TONG DIEM 99,25"] * 4
    ops = b"BT /F1 12 Tf 72 770 Td 16 TL " + b" ".join(b"(%s) '" % line for line in lines) + b" ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _stream(b"", ops),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
            b" /Resources << /Font << /F1 4 0 R >> >> >>"
        )
    return build_pdf(objects)


def positioned_text_pdf(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A4 pages with ASCII text placed at (x, y from the top, text) in 12 pt Helvetica, e.g. a header block."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = b" ".join(b"BT /F1 12 Tf %.1f %.1f Td (%s) Tj ET" % (x, 842 - y - 12, t.encode()) for x, y, t in lines)
        objects.append(_stream(b"", ops))
        kids.append(b"%d 0 R" % (len(objects) + 1))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R" % len(objects)
            + b" /Resources << /Font << /F1 3 0 R >> >> >>"
        )
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)
    return build_pdf(objects)


def zero_pages_pdf() -> bytes:
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def image_only_pdf(pages: int = 2) -> bytes:
    """Pages that each paint one small grey image over the whole page, with no text: a scan."""
    rng = random.Random(7)
    pixels = bytes(rng.randrange(180, 256) for _ in range(32 * 32))
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode",
        zlib.compress(pixels),
    )
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        image,
    ]
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R" % (5 + 2 * i)
            + b" /Resources << /XObject << /Im1 3 0 R >> >> >>"
        )
        objects.append(_stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"))
    return build_pdf(objects)


def hatched_pdf(segments: int = 6000) -> bytes:
    """One page of short crossing rules (a hatched drawing) and one line of text: not a bad file, but one
    that would keep a table finder busy for minutes."""
    ops = []
    for i in range(segments):
        x, y = 10 + (i % 190) * 3.05, 10 + (i // 190) * 25.0
        ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x, y, x, y + 20))
    for i in range(segments):
        x, y = 10 + (i // 270) * 25.0, 10 + (i % 270) * 3.05
        ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x, y, x + 20, y))
    ops.append(b"BT /F1 12 Tf 72 770 Td (HINH VE MAT BANG TRU SO) Tj ET")
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(b"", b" ".join(ops)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def garbage_after_header() -> bytes:
    """A PDF header and trailer marker around random bytes: it looks whole but holds no objects."""
    rng = random.Random(20260612)
    return b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(6000)) + b"\n%%EOF\n"


def encrypted_pdf() -> bytes | None:
    """A PDF with an open password ("x"), exported by LibreOffice; None when soffice is absent."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    export = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"x"}}'
    )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "encrypted.txt"
        src.write_text("Báo cáo kết quả chấm điểm (bản có mật khẩu)\n", encoding="utf-8")
        profile = Path(tmp, "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", export]
        subprocess.run([*cmd, "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=120)
        return (Path(tmp) / "encrypted.pdf").read_bytes()


def main() -> None:
    BAD.mkdir(exist_ok=True)
    whole = text_pdf()
    (BAD / "corrupt_file__pdf_truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (BAD / "corrupt_file__pdf_garbage_after_header.pdf").write_bytes(garbage_after_header())
    (BAD / "no_pages__pdf_zero_pages.pdf").write_bytes(zero_pages_pdf())
    (BAD / "needs_ocr__pdf_image_only.pdf").write_bytes(image_only_pdf())
    encrypted = encrypted_pdf()
    if encrypted is not None:
        (BAD / "encrypted__pdf_open_password.pdf").write_bytes(encrypted)


if __name__ == "__main__":
    main()
