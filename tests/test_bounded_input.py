"""Every input is bounded: special files are refused unread, huge files unread, text layers that are not text
are not audited as text, and no rule costs the square of its input.

The costly cases run in a child process (``_bounded``) that reports its own time and peak memory: each must
give its typed result within ``LIMIT_S`` and ``LIMIT_MB`` (generous bounds on a shared 2-core machine), and the
child is killed if it does not answer at all, so a hang fails the test instead of stopping the suite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from extractor import parse
from extractor.audit import audit_file, unreadable_report
from extractor.batch import audit_many
from extractor.errors import NeedsOCRError, NotRegularFileError
from extractor.files import report_files
from extractor.options import ParseOptions
from extractor.parsers.text_quality import assess

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
LIMIT_S = 10.0
LIMIT_MB = 500.0
HARD_STOP_S = 90.0  # the child is killed after this: interpreter start-up on a loaded machine is not measured


def _bounded(body: str) -> dict[str, object]:
    """Run ``body`` in a child; it sets ``result`` (JSON-able). Returns the result, the CPU seconds ``body`` took
    (its cost, whatever else the machine runs), its wall seconds and the child's peak memory in MB."""
    code = textwrap.dedent(
        """
        import json, resource, sys, time
        sys.path.insert(0, {data!r})
        def cpu():
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime
        started, started_cpu = time.perf_counter(), cpu()
        result = None
        {body}
        wall, seconds = time.perf_counter() - started, cpu() - started_cpu
        # VmHWM is this process image's own peak; ru_maxrss keeps the peak of the forking parent across exec
        try:
            with open("/proc/self/status") as status:
                peak_mb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
        except (OSError, StopIteration):
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({{"result": result, "seconds": seconds, "wall": wall, "peak_mb": peak_mb}}))
        """
    ).format(data=str(DATA), body=textwrap.dedent(body))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HARD_STOP_S, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _generators() -> ModuleType:
    """tests/data/make_bad_inputs.py, which builds the bad PDFs."""
    spec = importlib.util.spec_from_file_location("make_bad_inputs", DATA / "make_bad_inputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _within_bounds(run: dict[str, object], what: str) -> None:
    seconds, peak = run["seconds"], run["peak_mb"]
    assert isinstance(seconds, float) and isinstance(peak, float)
    assert seconds < LIMIT_S, f"{what} took {seconds:.1f} s of CPU"
    assert peak < LIMIT_MB, f"{what} used {peak:.0f} MB"


def _parse_code(path: str) -> str:
    return f"""
from extractor import parse
from extractor.errors import ExtractorError
try:
    parse({path!r})
    result = "ok"
except ExtractorError as err:
    result = err.code
"""


# --- special files --------------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.pdf"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path):
    path = tmp_path / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


@pytest.mark.parametrize("kind", ["fifo", "socket", "/dev/zero", "/dev/null"])
def test_special_files_are_refused_before_any_read(kind: str, fifo: Path, unix_socket: Path) -> None:
    path = {"fifo": fifo, "socket": unix_socket}.get(kind, Path(kind))
    if not path.exists():
        pytest.skip(f"{path} does not exist on this system")
    run = _bounded(_parse_code(str(path)))
    assert run["result"] == "not_regular_file"
    _within_bounds(run, kind)


def test_not_regular_file_error_names_the_kind_in_both_languages(fifo: Path) -> None:
    with pytest.raises(NotRegularFileError) as info:
        parse(fifo)
    err = info.value
    assert err.kind == "fifo" and "FIFO" in err.message_vi and "FIFO" in err.message_en
    assert "không phải tệp thông thường" in err.message_vi and "not a regular file" in err.message_en


def test_a_sparse_huge_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as f:
        f.truncate(3 * 1024**3)  # 3 GB of holes: reading it would take seconds and gigabytes
    run = _bounded(_parse_code(str(huge)))
    assert run["result"] == "too_large"
    _within_bounds(run, "a 3 GB sparse file")
    report = audit_file(huge)
    assert report.status == "unreadable" and report.source.sha256 == ""  # refused, so never hashed


def test_the_unreadable_report_never_reads_the_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4 cut short")
    with pytest.raises(Exception) as info:
        parse(path)
    read_sha = info.value.sha256  # type: ignore[attr-defined]
    assert read_sha and len(read_sha) == 64  # the bytes read once are hashed once

    def no_read(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the unreadable report read the file again")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    monkeypatch.setattr(Path, "open", no_read)
    report = unreadable_report(path, info.value)  # type: ignore[arg-type]
    assert report.source.sha256 == read_sha and report.status == "unreadable"


def test_a_folder_lists_its_special_files_as_lines(tmp_path: Path, fifo: Path, unix_socket: Path) -> None:
    (tmp_path / "bao-cao.txt").write_text("Báo cáo")
    (tmp_path / "sub.pdf").mkdir()  # a folder named like a report is not a file of the batch
    (tmp_path / "notes.bin").write_bytes(b"x")
    names = sorted(p.name for p in report_files([tmp_path]))
    assert names == ["bao-cao.txt", "pipe.pdf", "sock.txt"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_with_a_fifo_finishes_and_reports_it(tmp_path: Path, fifo: Path, workers: int) -> None:
    text = tmp_path / "bao-cao.txt"
    text.write_text("UBND XÃ AN HÒA\nBÁO CÁO kết quả chuyển đổi số quý I năm 2026\n")
    run = _bounded(
        f"""
from extractor.batch import audit_many
from extractor.files import report_files
reports = audit_many(report_files([{str(tmp_path)!r}]), workers={workers}, timeout=30)
result = [[r.source.path.rsplit("/", 1)[-1], r.status, [f.found["code"] for f in r.findings if f.code == "UNREADABLE"]]
          for r in reports]
"""
    )
    assert run["result"] == [["bao-cao.txt", "ok", []], ["pipe.pdf", "unreadable", ["not_regular_file"]]]
    _within_bounds(run, "a batch with a FIFO")


def test_audit_many_in_this_process_reports_a_fifo(fifo: Path) -> None:
    [report] = audit_many([fifo], workers=1, timeout=20)
    assert report.status == "unreadable" and report.findings[0].found["code"] == "not_regular_file"


# --- text layers that are not text ----------------------------------------------------------------------

VIETNAMESE = (
    "Ủy ban nhân dân xã An Hòa báo cáo kết quả thực hiện nhiệm vụ chuyển đổi số quý I năm 2026: tỷ lệ hồ sơ "
    "trực tuyến toàn trình đạt 85,5%; 100% cán bộ, công chức được cấp chữ ký số (CKS) theo Kế hoạch số 12/KH-UBND."
)


def test_vietnamese_text_reads_as_text() -> None:
    assert assess(VIETNAMESE).readable
    # an old font's "ƣ" (U+01A3) for "ư" is a Vietnamese letter: real text
    assert assess(VIETNAMESE.replace("ư", "ƣ").replace("Ư", "Ƣ")).readable
    # without diacritics, typed as such, Vietnamese syllables still read as words
    assert assess("Uy ban nhan dan xa An Hoa bao cao ket qua thuc hien nhiem vu chuyen doi so quy I nam 2026").readable


def test_glyph_codes_and_symbols_are_not_text() -> None:
    assert assess("".join(f"(cid:{n})" for n in range(1, 80))).reason == "cid"
    assert assess("".join(chr(0xE000 + n) for n in range(80))).reason == "symbols"
    assert assess("\ufffd" * 30 + " ab").reason == "symbols"


def test_a_failed_ocr_layer_is_not_text() -> None:
    # an OCR layer that lost its diacritics and misread letters as digits (as realdoc 53's)
    garbled = (
        "s6.l1JW ruBND-NC LdmD6ng,ngdy l0thdng 9 ndm2025 V/v xem xdt dO nghi cria 0y ban MTTQ ViCt Nam tinh "
        "LAm Ddng Kinh gui: S0 NQi vu nh6n ddn tinh nh4n duoc C6ng vin s6 ngdy cira Uy ban M4t trQn T6 qui5c"
    )
    assert assess(garbled).reason == "not_words"


def test_a_short_text_is_not_judged_by_its_words() -> None:
    assert assess("Trang 2").readable and assess("xyzq wvtk").readable


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("needs_ocr__pdf_cid_glyph_codes.pdf", "needs_ocr"),
        ("needs_ocr__pdf_private_use_text.pdf", "needs_ocr"),
        ("no_text__pdf_2000_blank_pages.pdf", "no_text"),
    ],
)
def test_pdfs_without_readable_text_are_unreadable_in_bounds(name: str, code: str) -> None:
    run = _bounded(_parse_code(str(BAD / name)))
    assert run["result"] == code
    _within_bounds(run, name)


def test_a_cid_pdf_says_its_text_layer_is_broken() -> None:
    with pytest.raises(NeedsOCRError) as info:
        parse(BAD / "needs_ocr__pdf_cid_glyph_codes.pdf")
    assert info.value.garbled == 1 and "lớp chữ" in info.value.message_vi.lower()
    report = audit_file(BAD / "needs_ocr__pdf_cid_glyph_codes.pdf")
    assert report.status == "unreadable" and [f.code for f in report.findings] == ["UNREADABLE"]


def test_a_partly_scanned_pdf_lists_its_unread_pages() -> None:
    mixed_pdf = _generators().mixed_pdf
    run = _bounded(
        """
from make_bad_inputs import mixed_pdf
from extractor import ParseOptions, audit
r = audit(mixed_pdf(6), filename="mixed.pdf", options=ParseOptions(ocr=False))
result = [r.status, r.source.unread_pages, [f.code for f in r.findings if f.code == "PAGES_NOT_READ"]]
"""
    )
    assert run["result"] == ["partial", [2, 3, 4, 5, 6, 7], ["PAGES_NOT_READ"]]
    _within_bounds(run, "a partly scanned PDF")
    doc = parse(mixed_pdf(6), filename="mixed.pdf", options=ParseOptions(ocr=False))
    assert "BAO CAO KET QUA CHUYEN DOI SO" in doc.text  # the typed page is read
    assert [n.page for n in doc.notices if n.code == "page_without_text"] == [2, 3, 4, 5, 6, 7]
    # with OCR its image pages, plain light grey with no ink, are blank: nothing on them is left unread
    read = parse(mixed_pdf(2), filename="mixed.pdf")
    assert not [n for n in read.notices if n.code == "page_without_text"] and not read.source.ocr_pages


@pytest.mark.realdocs
def test_realdoc_with_a_failed_ocr_layer_needs_ocr(realdoc) -> None:
    """With OCR off, a text layer that lost its diacritics is still never read as text (with OCR on, the page
    is read from its image: tests/test_ocr.py)."""
    with pytest.raises(NeedsOCRError) as info:
        parse(realdoc("53_"), options=ParseOptions(ocr=False))
    assert info.value.garbled == 1
    (stamp,) = [b for b in info.value.document.blocks if b.style == "annotation"]
    assert "Lâm Đồng" in stamp.text  # the signature stamp is clean text and kept


@pytest.mark.slow
@pytest.mark.realdocs
def test_realdoc_with_u_horn_written_as_oi_reads_as_text(realdoc) -> None:
    doc = parse(realdoc("55_"))
    assert not [n for n in doc.notices if n.code in ("page_text_garbled", "page_without_text")]
    assert "CHƢƠNG" in doc.text or "CHƯƠNG" in doc.text


# --- rules in linear time -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("unit", "size"),
    [("1.", 16 * 1024), ("1.", 32 * 1024), ("12/34 ", 64 * 1024), ("12,5% ", 16 * 1024)],
    ids=["dots-16KB", "dots-32KB", "ratios-64KB", "percents-16KB"],
)
def test_long_lines_of_numbers_are_audited_in_bounds(unit: str, size: int) -> None:
    run = _bounded(
        f"""
from extractor import audit
text = {unit!r} * ({size} // {len(unit)})
result = audit(text.encode(), filename="line.txt").status
"""
    )
    assert run["result"] == "ok"
    _within_bounds(run, f"{size // 1024} KB of {unit!r}")


# --- dense workbooks ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_dense_workbook_is_streamed_up_to_the_cell_budget() -> None:
    run = _bounded(
        """
import io
from openpyxl import Workbook
wb = Workbook(write_only=True)
ws = wb.create_sheet("Số liệu")
for r in range(60_000):
    ws.append([r * 10 + c + 0.5 for c in range(10)])
out = io.BytesIO(); wb.save(out); data = out.getvalue()
from extractor import parse
from extractor.audit import audit_document
before = cpu()
doc = parse(data, filename="dense.xlsx")
seconds = cpu() - before
cells = sum(len(t.rows) * t.n_cols for t in doc.tables)
result = [len(data), seconds, cells, [n.code for n in doc.notices], audit_document(doc).status]
"""
    )
    size, parse_s, cells, notices, status = run["result"]  # type: ignore[misc]
    assert size > 1_500_000  # about 2 MB of 600,000 numbers
    assert parse_s < LIMIT_S, f"parsing took {parse_s:.1f} s of CPU"
    assert cells == 10_000 and notices == ["xlsx_cells_skipped"] and status == "partial"
    assert run["peak_mb"] < LIMIT_MB  # type: ignore[operator]


@pytest.mark.slow
def test_a_sparse_grid_keeps_its_content_cells_only() -> None:
    run = _bounded(
        """
import io
from openpyxl import Workbook
wb = Workbook()
ws = wb.active
for r in range(1, 9_991):
    ws.cell(row=r, column=1, value=r)
ws.cell(row=1, column=99, value=5)  # one cell 98 columns away: a grid of 990,000 slots
out = io.BytesIO(); wb.save(out)
from extractor import parse
before = cpu()
doc = parse(out.getvalue(), filename="sparse.xlsx")
result = [cpu() - before, sum(len(r.cells) for t in doc.tables for r in t.rows), [n.code for n in doc.notices]]
"""
    )
    parse_s, cells, notices = run["result"]  # type: ignore[misc]
    assert parse_s < LIMIT_S, f"parsing took {parse_s:.1f} s of CPU"
    assert cells == 9_991 and notices == ["xlsx_sparse_table"]
    assert run["peak_mb"] < LIMIT_MB  # type: ignore[operator]
