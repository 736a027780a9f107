"""Write the broken, hostile and locked Word files of tests/data/bad/ (run from the project root).

    python tests/data/make_bad_office.py

Each file is small (a few KB) and stands for one way an upload can be bad, e.g. ``bomb.docx`` holds a part
of zeros that inflates a thousandfold, ``entities.docx`` declares XML entities ("billion laughs").
The .doc files need LibreOffice (``soffice``) to make the valid Word 97 file they are cut from.
"""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
import zipfile
from pathlib import Path

import olefile
from msoffcrypto.format.ooxml import OOXMLFile

BAD = Path(__file__).resolve().parent / "bad"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>
"""


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="styles.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}"><w:style w:type="paragraph" w:default="1" w:styleId="Normal">
<w:name w:val="Normal"/></w:style></w:styles>"""
DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}"><w:body>
<w:p><w:r><w:t>BÁO CÁO kết quả chấm điểm chuyển đổi số cấp xã</w:t></w:r></w:p>
<w:tbl><w:tblGrid><w:gridCol w:w="800"/><w:gridCol w:w="4000"/><w:gridCol w:w="1200"/></w:tblGrid>
<w:tr><w:tc><w:p><w:r><w:t>STT</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Tiêu chí</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:r><w:t>Điểm đạt</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Hạ tầng số</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:r><w:t>8</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t>TỔNG ĐIỂM: 8</w:t></w:r></w:p>
</w:body></w:document>"""


def small_docx() -> bytes:
    """A valid minimal report (a title, a scored table, a total) to break in various ways."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", PACKAGE_RELS)
        zf.writestr("word/document.xml", DOCUMENT)
        zf.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        zf.writestr("word/styles.xml", STYLES)
    return out.getvalue()


def replace_parts(data: bytes, replace: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The same package with some parts replaced (None drops the part) and extra parts appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in replace:
                dst.writestr(info.filename, src.read(info.filename))
            elif replace[info.filename] is not None:
                dst.writestr(info.filename, replace[info.filename] or b"")
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def encrypted_docx(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("matkhau", out)
    return out.getvalue()


def docx_files(data: bytes) -> dict[str, bytes]:
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    return {
        "encrypted__docx_password.docx": encrypted_docx(data),
        "unsafe_file__docx_zip_bomb.docx": replace_parts(data, {}, {"word/media/zeros.bin": bytes(8 << 20)}),
        "unsafe_file__docx_entity_expansion.docx": replace_parts(data, {"word/document.xml": BILLION_LAUGHS.encode()}),
        "corrupt_file__docx_truncated.docx": data[: len(data) * 3 // 5],
        "corrupt_file__docx_missing_styles_part.docx": replace_parts(data, {"word/styles.xml": None}),
        "corrupt_file__docx_no_content_types.docx": replace_parts(data, {"[Content_Types].xml": None}),
        "corrupt_file__docx_broken_xml.docx": replace_parts(
            data, {"word/document.xml": document_xml[: len(document_xml) // 2]}
        ),
        # sniffing finds no word/document.xml, so the zip is not recognised as a Word document at all
        "corrupt_file__docx_without_document_xml.docx": replace_parts(data, {"word/document.xml": None}),
    }


def word97_doc(data: bytes) -> bytes:
    """``data`` (a DOCX) saved by LibreOffice as a Word 97 .doc."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "small.docx").write_bytes(data)
        profile = (work / "profile").as_uri()
        command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "doc"]
        subprocess.run(
            [*command, "--outdir", str(work), str(work / "small.docx")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (work / "small.doc").read_bytes()


def with_word_stream(doc: bytes, patch: bytes, offset: int) -> bytes:
    """The .doc with bytes of its WordDocument stream overwritten from ``offset`` (same length kept)."""
    with olefile.OleFileIO(io.BytesIO(doc)) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
    patch = patch[: len(stream) - offset]
    stream[offset : offset + len(patch)] = patch
    buffer = io.BytesIO(doc)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        ole.write_stream("WordDocument", bytes(stream))
    return buffer.getvalue()


def doc_files(doc: bytes) -> dict[str, bytes]:
    noise = random.Random(7).randbytes(4096)
    flags = int.from_bytes(doc_word_stream(doc)[0x0A:0x0C], "little") | 0x0100
    return {
        "corrupt_file__doc_truncated.doc": doc[:4096],
        "corrupt_file__doc_garbage_word_stream.doc": with_word_stream(doc, noise, 0),
        # a valid header over a garbled body: LibreOffice reads it as a page of CJK and private-use characters
        "corrupt_file__doc_unreadable_text.doc": with_word_stream(doc, noise, 0x400),
        "encrypted__doc_password_flag.doc": with_word_stream(doc, flags.to_bytes(2, "little"), 0x0A),
    }


def doc_word_stream(doc: bytes) -> bytes:
    with olefile.OleFileIO(io.BytesIO(doc)) as ole:
        return bytes(ole.openstream("WordDocument").read())


def main() -> None:
    BAD.mkdir(parents=True, exist_ok=True)
    data = small_docx()
    files = docx_files(data) | doc_files(word97_doc(data))
    for name, content in files.items():
        (BAD / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")


if __name__ == "__main__":
    main()
