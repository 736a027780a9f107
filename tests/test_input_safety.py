"""Input safety: hostile files are refused or read inertly, hostile names are stored safely.

- zip bombs and XML bombs (billion laughs), external entities and DTDs in any Office part, even after a long
  comment or in UTF-16, are refused as ``unsafe_file`` before any parser inflates them;
- a file's format comes from its bytes, never from its name or the upload's Content-Type;
- PDFs with JavaScript, an /OpenAction, a /Launch action or an /EmbeddedFile are audited without running or
  extracting anything: no file appears anywhere but the service's store;
- upload names with folders, ``..``, absolute paths, control characters or bidirectional marks are stored
  under the file's sha256 only and answered as a plain base name.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import extractor
from tests.api_fixtures import Service, start_service

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DOCX = sorted(SAMPLES.glob("002_*.docx"))[0]
XLSX = sorted(SAMPLES.glob("000_*.xlsx"))[0]
PDF = sorted(SAMPLES.glob("002_*.pdf"))[0]
TEXT = "UBND XÃ AN HÒA\nBÁO CÁO kết quả chuyển đổi số quý I năm 2026\n"
LAUGHS = b'<!ENTITY a "lollollollollollollollollollol">' + b"".join(
    b'<!ENTITY %s "%s">' % (bytes([98 + i]), b"&%s;" % bytes([97 + i]) * 10) for i in range(9)
)
PADDING = b"<!--" + b" " * 70_000 + b"-->"  # past any look at the first 64 KiB of a part


def _rewrite(data: bytes, part: str, change: Any, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, change(body) if info.filename == part else body)
        for name, body in (extra or {}).items():
            zout.writestr(name, body)
    return out.getvalue()


def _docx_with(dtd: bytes, reference: bytes, *, pad: bool = False, utf16: bool = False) -> bytes:
    def change(body: bytes) -> bytes:
        head, rest = body.split(b"?>", 1)
        at = rest.index(b"<w:body>") + len(b"<w:body>")
        paragraph = b"<w:p><w:r><w:t>" + reference + b"</w:t></w:r></w:p>"
        xml = head + b"?>" + (PADDING if pad else b"") + dtd + rest[:at] + paragraph + rest[at:]
        if utf16:
            xml = xml.replace(b"encoding='UTF-8'", b"encoding='UTF-16'").decode("utf-8").encode("utf-16")
        return xml

    return _rewrite(DOCX.read_bytes(), "word/document.xml", change)


def _xlsx_with(dtd: bytes, *, pad: bool = False) -> bytes:
    def change(body: bytes) -> bytes:
        rest = body.split(b"?>", 1)[-1]
        return b"<?xml version='1.0' encoding='UTF-8'?>" + (PADDING if pad else b"") + dtd + rest

    return _rewrite(XLSX.read_bytes(), "xl/worksheets/sheet1.xml", change)


def _refusal(report: extractor.Report) -> dict[str, Any]:
    """The UNREADABLE finding's code, its English message and the finding's (Vietnamese) message."""
    (finding,) = [f for f in report.findings if f.code == "UNREADABLE"]
    return {**finding.found, "message_vi": finding.message}


# --- XML and zip bombs --------------------------------------------------------------------------------------

XXE = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
BOMB = b"<!DOCTYPE w:document [" + LAUGHS + b"]>"

HOSTILE_OFFICE = {
    "billion laughs in document.xml": (lambda: _docx_with(BOMB, b"&j;"), ".docx"),
    "billion laughs after a 70 KB comment": (lambda: _docx_with(BOMB, b"&j;", pad=True), ".docx"),
    "external entity (file:///etc/passwd)": (lambda: _docx_with(XXE, b"&x;"), ".docx"),
    "external entity after a 70 KB comment": (lambda: _docx_with(XXE, b"&x;", pad=True), ".docx"),
    "external entity in a UTF-16 part": (lambda: _docx_with(XXE, b"&x;", utf16=True), ".docx"),
    "billion laughs in a worksheet": (lambda: _xlsx_with(b"<!DOCTYPE worksheet [" + LAUGHS + b"]>"), ".xlsx"),
    "external entity in a worksheet, padded": (
        lambda: _xlsx_with(b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', pad=True),
        ".xlsx",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_OFFICE))
def test_dtds_and_entities_in_office_parts_are_refused(case: str) -> None:
    make, suffix = HOSTILE_OFFICE[case]
    started = time.monotonic()
    report = extractor.audit(make(), filename="hostile" + suffix)
    assert time.monotonic() - started < 10
    found = _refusal(report)
    assert found["code"] == "unsafe_file", found
    assert "DTD" in found["message_en"] and "DTD" in found["message_vi"]
    assert "root:" not in report.model_dump_json()  # /etc/passwd was never read into the report


def test_a_part_declared_in_utf7_is_refused() -> None:
    def change(body: bytes) -> bytes:
        assert b"encoding='UTF-8'" in body
        return body.replace(b"encoding='UTF-8'", b"encoding='UTF-7'", 1)

    found = _refusal(extractor.audit(_rewrite(DOCX.read_bytes(), "word/document.xml", change), filename="a.docx"))
    assert found["code"] == "unsafe_file" and "UTF-7" in found["message_en"]


def test_a_zip_bomb_inside_a_docx_is_refused_before_inflating() -> None:
    bomb = _rewrite(DOCX.read_bytes(), "", lambda b: b, extra={"word/media/zeros.bin": b"\0" * (16 << 20)})
    assert len(bomb) < 1 << 20
    started = time.monotonic()
    found = _refusal(extractor.audit(bomb, filename="bomb.docx"))
    assert time.monotonic() - started < 10
    assert found["code"] == "unsafe_file" and "zip bomb" in found["message_en"]


# --- lying names and types ------------------------------------------------------------------------------------


def test_a_pdf_named_docx_is_read_as_a_pdf() -> None:
    report = extractor.audit(PDF.read_bytes(), filename="bao-cao.docx")
    assert report.source.format == "pdf" and report.status != "unreadable"


def test_an_html_file_named_pdf_is_read_as_inert_text() -> None:
    html = b"<!doctype html><html><body><script>fetch('http://127.0.0.1:9/x')</script>" + TEXT.encode() + b"</body>"
    report = extractor.audit(html, filename="bao-cao.pdf")
    assert report.source.format in ("txt", "md") and report.status != "unreadable"


def test_a_docx_named_pdf_is_read_as_a_docx() -> None:
    report = extractor.audit(DOCX.read_bytes(), filename="bao-cao.pdf")
    assert report.source.format == "docx" and report.status != "unreadable"


# --- PDFs with active content ---------------------------------------------------------------------------------


def pdf_with(*extra_catalog: bytes, extra_objects: list[bytes] | None = None) -> bytes:
    """A one-page PDF with a line of text; ``extra_catalog`` entries go into the catalog, ``extra_objects``
    are objects 6, 7, … ."""
    stream = b"BT /F1 12 Tf 72 720 Td (UBND XA AN HOA BAO CAO chuyen doi so quy I nam 2026) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + b" ".join(extra_catalog) + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"
        b" /AA << /O << /S /JavaScript /JS (app.alert(1)) >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(extra_objects or []),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PAYLOAD = b"#!/bin/sh\ntouch pwned-by-embedded\n"
ACTIVE_PDFS = {
    "javascript open action": pdf_with(b"/OpenAction << /S /JavaScript /JS (app.launchURL('http://127.0.0.1:9/')) >>"),
    "launch action": pdf_with(b"/OpenAction << /S /Launch /F (pwned-by-launch.sh) /NewWindow true >>"),
    "embedded file": pdf_with(
        b"/Names << /EmbeddedFiles << /Names [(pwned-by-embedded.sh) 6 0 R] >> >>",
        extra_objects=[
            b"<< /Type /Filespec /F (pwned-by-embedded.sh) /UF (pwned-by-embedded.sh) /EF << /F 7 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(PAYLOAD) + PAYLOAD + b"\nendstream",
        ],
    ),
}


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_pdfs_with_active_content_are_audited_without_running_or_extracting_it(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(ACTIVE_PDFS[case])
    before = _all_files(tmp_path)
    report = extractor.audit(path)
    assert report.source.format == "pdf"
    assert report.status != "unreadable", [f.found for f in report.findings]
    assert _all_files(tmp_path) == before
    assert not list(Path("/tmp").glob("pwned-by-*"))


# --- through the service --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("safety")
    yield from start_service(root / "data", None)


def _post(svc: Service, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    """Upload with a multipart body written by hand: names go as raw UTF-8, control characters included (an
    HTTP client would percent-encode them, as browsers do)."""
    body = bytearray()
    for name, data, content_type in files:
        body += b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="'
        body += name.replace('"', "%22").encode("utf-8") + b'"\r\nContent-Type: ' + content_type.encode()
        body += b"\r\n\r\n" + data + b"\r\n"
    body += b"--xyz--\r\n"
    headers = {**svc.headers("auditor"), "Content-Type": "multipart/form-data; boundary=xyz"}
    response = svc.client.post("/api/batches", headers=headers, content=bytes(body))
    assert response.status_code == 201, response.text
    return svc.wait(response.json()["id"])


def _report(svc: Service, report_id: int) -> dict[str, Any]:
    response = svc.client.get(f"/api/reports/{report_id}", headers=svc.headers("auditor"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_content_type_lies_change_nothing(svc: Service) -> None:
    batch = _post(
        svc,
        [
            ("bao-cao.txt", PDF.read_bytes(), "text/plain"),
            ("so-lieu.pdf", TEXT.encode(), "application/pdf"),
            ("trang.docx", b"<html><script>alert(1)</script>" + TEXT.encode(), "application/msword"),
        ],
    )
    formats = {item["filename"]: _report(svc, item["report_id"])["source"]["format"] for item in batch["items"]}
    assert formats["bao-cao.txt"] == "pdf"
    assert formats["so-lieu.pdf"] in ("txt", "md")
    assert formats["trang.docx"] in ("txt", "md")


HOSTILE_NAMES = {
    "../../x.pdf": "x.pdf",
    "/etc/cron.d/y.txt": "y.txt",
    "C:\\Windows\\z.txt": "z.txt",
    "a\x07b\x1b[31mc\x7f.txt": "ab[31mc.txt",  # a bell, an escape sequence and a DEL, sent raw
    "hoa-don\u202etxt.exe": "hoa-dontxt.exe",  # RIGHT-TO-LEFT OVERRIDE would show "hoa-donexe.txt"
    "bao\u200fcao\u2066.txt": "baocao.txt",
}


def test_hostile_upload_names_are_stored_safely(svc: Service) -> None:
    data_dir = svc.settings.data_dir
    root = data_dir.parent
    before = _all_files(root)
    files = [(name, f"{TEXT}{i}\n".encode(), "application/octet-stream") for i, name in enumerate(HOSTILE_NAMES)]
    batch = _post(svc, files)
    names = sorted(item["filename"] for item in batch["items"])
    assert names == sorted(HOSTILE_NAMES.values())
    for name in names:
        assert name.isprintable() and "/" not in name and "\\" not in name
        assert not any(ch in name for ch in "\u202e\u200f\u2066")
    new = _all_files(root) - before
    assert new and all(data_dir in p.parents for p in new), sorted(map(str, new))
    stored = {p.name for p in new if (data_dir / "files") in p.parents}
    assert not stored & set(HOSTILE_NAMES.values())  # originals are kept under their sha256, never their name


def test_an_active_pdf_uploaded_is_audited_and_nothing_lands_outside_the_store(svc: Service) -> None:
    root = svc.settings.data_dir.parent
    before = _all_files(root)
    cwd_before = _all_files(Path.cwd()) if Path.cwd() != Path("/") else set()
    batch = _post(svc, [(f"{case}.pdf", body, "application/pdf") for case, body in ACTIVE_PDFS.items()])
    for item in batch["items"]:
        report = _report(svc, item["report_id"])
        assert report["source"]["format"] == "pdf" and report["status"] != "unreadable", item
    new = _all_files(root) - before
    assert all(svc.settings.data_dir in p.parents for p in new)
    assert not any("pwned" in p.name for p in new)
    if cwd_before:
        assert not any("pwned" in p.name for p in _all_files(Path.cwd()) - cwd_before)
    assert not os.path.exists("pwned-by-launch.sh") and not os.path.exists("pwned-by-embedded.sh")


# --- text length ----------------------------------------------------------------------------------------------


def test_a_text_file_past_the_length_limit_is_read_up_to_it_with_a_notice() -> None:
    data = (TEXT * 200).encode("utf-8")
    doc = extractor.parse(data, "dai.txt", extractor.ParseOptions(max_text_chars=1000))
    assert len(doc.text) <= 1000
    (notice,) = [n for n in doc.notices if n.code == "text_truncated"]
    assert "1,000" in notice.message_en and "1,000" in notice.message_vi
    whole = extractor.parse(data, "dai.txt")
    assert not [n for n in whole.notices if n.code == "text_truncated"] and len(whole.text) > 1000
