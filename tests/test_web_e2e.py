"""The web app end to end, in a real browser: Debian's Chromium driven by Playwright against the service run by
uvicorn on a free port with a fresh data directory.

One journey, in order: the first-run address signs in and leaves a clean URL; the samples and a faulty report
are uploaded as one batch from the upload page, whose per-file progress ends with every file audited; the
dashboard's claimed and recomputed points equal ``extractor diff --format json`` on the same files; filters
and sorting work; the faulty report's finding shows its page with a box drawn where pypdfium2 finds the quoted
words; dismissing a score dispute changes the reviewed total; the XLSX summary opens in openpyxl; a commune
user sees only its own batch. Screenshots (1280×800) go to ``$EXTRACTOR_SCREENSHOTS`` or pytest's tmp_path.

Skipped, with the reason, where /usr/bin/chromium or LibreOffice (which makes the faulty PDF) is absent.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
FAULTY = "bao-cao-sai-diem.pdf"  # the samples' first report with a wrong row, a wrong letter total
BROKEN = "tep-hong.pdf"  # not a PDF at all
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
AUDIT_SECONDS = 240

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (Debian package chromium)")


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".docx", ".xlsx", ".txt") and p.is_file())
    if not files:
        pytest.skip("samples/ is empty (regenerate it with ./dev samples)")
    return files


def faulty_pdf(work: Path, scratch: Path) -> Path:
    """The first sample's DOCX with row 9 claimed 5 instead of 4,63 and a letter total of 95,25, as a PDF."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is absent: it makes the faulty PDF")
    source = SAMPLES / "000_cong-van-phu-luc.docx"
    with zipfile.ZipFile(source) as zf:
        parts = {info: zf.read(info.filename) for info in zf.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert xml.count("99,25/100") >= 1 and xml.count(">4,63<") == 1
                data = xml.replace("99,25/100", "95,25/100", 1).replace(">4,63<", ">5<", 1).encode("utf-8")
            zf.writestr(info, data)
    docx = scratch / (Path(FAULTY).stem + ".docx")
    docx.write_bytes(out.getvalue())
    profile = (scratch / "lo-profile").resolve()
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(work), str(docx)], check=True, capture_output=True, timeout=180)
    docx.unlink()
    pdf = work / FAULTY
    assert pdf.is_file()
    return pdf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, data_dir: Path) -> None:
        import uvicorn

        from api.app import create_app, first_run
        from api.auth import create_token, create_user
        from tests.api_fixtures import COMMUNE_B, make_settings

        self.settings = make_settings(data_dir, workers=2)
        first = first_run(self.settings)
        assert first is not None
        self.first_run_token = first
        app = create_app(self.settings)
        with app.state.factory.begin() as session:
            self.commune = COMMUNE_B
            user = create_user(session, "Cán bộ An Lão", "commune", COMMUNE_B)
            self.commune_token = create_token(session, user)[1]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("EXTRACTOR_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("upload")
    for path in sample_files():
        shutil.copy2(path, work / path.name)
    faulty_pdf(work, tmp_path_factory.mktemp("office"))
    (work / BROKEN).write_bytes(b"%PDF-1.7\nkhong phai PDF\n")
    return work


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("web-data")) as running:
        yield running


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
            locale="vi-VN",
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


def diff_json(directory: Path) -> dict[str, dict[str, Any]]:
    """``extractor diff DIR --format json``, by file name."""
    run = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "diff", str(directory), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1, 2), run.stderr  # 2: a file is unreadable (the broken one)
    return {Path(row["file"]).name: row for row in json.loads(run.stdout)}


def word_box(pdf: Path, page_number: int, needle: str) -> tuple[float, float, float, float, float]:
    """Where pypdfium2 finds ``needle`` on the page: (x0, top, x1, bottom) in points from the top left, and the
    left edge of the first ink of its line."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[page_number - 1]
        height = page.get_height()
        text = page.get_textpage()
        searcher = text.search(needle)
        found = searcher.get_next()
        assert found is not None, f"{needle!r} not on page {page_number}"
        index, count = found
        boxes = [text.get_charbox(i) for i in range(index, index + count)]
        left = min(b[0] for b in boxes)
        right = max(b[2] for b in boxes)
        top = height - max(b[3] for b in boxes)
        bottom = height - min(b[1] for b in boxes)
        middle = (top + bottom) / 2
        line = [
            text.get_charbox(i)[0]
            for i in range(text.count_chars())
            if not text.get_text_range(i, 1).isspace()
            and abs(height - (text.get_charbox(i)[1] + text.get_charbox(i)[3]) / 2 - middle) < 3
        ]
        return left, top, right, bottom, min(line)
    finally:
        doc.close()


def test_the_journey_of_a_city_officer(server: Server, browser_context: Any, upload_dir: Path, shots: Path) -> None:
    page = browser_context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    page.on("console", lambda msg: page_errors.append(msg.text) if msg.type == "error" else None)

    # sign in with the first-run address: the token leaves the address bar at once
    page.goto(f"{server.base}/?token={server.first_run_token}")
    assert page.url == f"{server.base}/", page.url
    assert page.locator("h1").inner_text() == "Các lô báo cáo"

    # upload the samples and the faulty report as one batch
    files = sorted(upload_dir.iterdir())
    page.get_by_role("link", name="Tải lên", exact=True).click()
    page.wait_for_url("**/tai-len")
    page.screenshot(path=str(shots / "01-tai-len.png"))
    page.set_input_files("#files", [str(p) for p in files])
    assert f"Đã chọn {len(files)} tệp" in page.locator("#chosen").inner_text()
    page.fill("#name", "Quý II năm 2026")
    page.click("#upload-button")
    page.wait_for_selector("#progress-table tbody tr[data-state]")
    page.screenshot(path=str(shots / "02-tai-len-tien-do.png"))
    page.locator("#dashboard-link").wait_for(state="visible", timeout=AUDIT_SECONDS * 1000)
    states = page.locator("#progress-table tbody tr").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => [r.cells[0].textContent, r.dataset.state]))"
    )
    assert states == {p.name: "unreadable" if p.name == BROKEN else "done" for p in files}, states
    broken = page.locator("#progress-table tbody tr[data-state=unreadable] .problem")
    broken.wait_for(state="visible")
    assert "PDF" in broken.inner_text()  # the reason in plain words, from the file's UNREADABLE finding
    assert "Đã kiểm tra xong" in page.locator("#progress-status").inner_text()
    page.screenshot(path=str(shots / "03-tai-len-xong.png"), full_page=True)

    # the dashboard: the numbers are the command line's
    page.click("#dashboard-link")
    page.wait_for_selector("#reports tbody tr[data-file]")
    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "04-bang-tong-hop.png"))
    page.screenshot(path=str(shots / "05-bang-tong-hop-ca-trang.png"), full_page=True)
    rows = page.locator("#reports tbody tr[data-file]").evaluate_all(
        """rows => rows.map(r => ({
            file: r.dataset.file, report: r.dataset.report,
            claimed: r.querySelector('td.claimed').dataset.value,
            recomputed: r.querySelector('td.recomputed').dataset.value,
            errors: r.querySelector('td.errors').dataset.value}))"""
    )
    expected = diff_json(upload_dir)
    assert {r["file"] for r in rows} == set(expected)
    for row in rows:
        want = expected[row["file"]]
        for key, column in (("claimed", "claimed_total"), ("recomputed", "recomputed_total")):
            got = float(row[key]) if row[key] else None
            assert got == want[column], (row["file"], key, got, want[column])
        assert int(row["errors"]) == want["errors"], row
    with_errors = sum(1 for r in expected.values() if r["errors"])
    assert with_errors >= 1
    assert page.locator("#total-errors").inner_text() == str(with_errors)
    assert page.locator("#total-unreadable").inner_text() == "1"
    assert page.locator("svg.chart .bar-group").count() >= 1

    # sorting by the recomputed points, by keyboard
    page.get_by_role("button", name="Tính lại").focus()
    page.keyboard.press("Enter")
    values = page.locator("#reports tbody td.recomputed").evaluate_all("cells => cells.map(c => c.dataset.value)")
    numbers = [float(v) for v in values if v]
    assert numbers == sorted(numbers) and values[: len(numbers)] == [v for v in values if v]

    # filtering: only the reports with errors
    page.select_option("#f-loi", "co")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_url("**loi=co**")
    shown = page.locator("#reports tbody tr[data-file]").evaluate_all("rows => rows.map(r => r.dataset.file)")
    assert sorted(shown) == sorted(name for name, r in expected.items() if r["errors"])

    # the XLSX summary
    with page.expect_download() as info:
        page.click("#download-xlsx")
    saved = upload_dir.parent / "bang-tong-hop.xlsx"
    info.value.save_as(saved)
    import openpyxl

    book = openpyxl.load_workbook(saved, read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert FAULTY in cells
    assert {name for name in expected if name in cells} == set(expected)
    book.close()

    # the faulty report: its letter-total finding, boxed on page 1 where the words are
    page.get_by_role("link", name=FAULTY).click()
    page.wait_for_selector("#findings-title")
    assert FAULTY in page.locator("h1").inner_text()
    finding = page.locator("li.finding[data-code=COVER_TOTAL_MISMATCH]")
    finding.get_by_role("button", name="Xem vị trí trong tệp").click()
    idx = finding.get_attribute("data-idx")
    source = page.locator(f"#source-{idx}")
    source.wait_for(state="visible")
    page.wait_for_selector(f"#source-{idx}[data-loaded='1']")
    assert "trang 1" in source.locator("h3").inner_text()
    frame = source.locator(".page-frame")
    width_pt = float(frame.get_attribute("data-page-width") or 0)
    image = source.locator("img.page-image").bounding_box()
    box = source.locator(".hl-box").first.bounding_box()
    assert image and box and width_pt
    scale = width_pt / image["width"]  # points per displayed pixel
    border = 3  # the box's border and padding sit outside the quoted area
    drawn = (
        (box["x"] + border - image["x"]) * scale,
        (box["y"] + border - image["y"]) * scale,
        (box["x"] + box["width"] - border - image["x"]) * scale,
        (box["y"] + box["height"] - border - image["y"]) * scale,
    )
    words = word_box(upload_dir / FAULTY, 1, "95,25/100")  # the quote starts with its line: "Tổng điểm …"
    tolerance = 3.0
    assert abs(drawn[0] - words[4]) < tolerance, (drawn, words)
    assert drawn[2] >= words[2] - tolerance, (drawn, words)
    assert drawn[1] <= words[1] + tolerance and drawn[3] >= words[3] - tolerance, (drawn, words)
    assert abs(drawn[1] - words[1]) < 6 and abs(drawn[3] - words[3]) < 6, (drawn, words)
    page.screenshot(path=str(shots / "06-bao-cao-vi-tri.png"))

    # dismissing the score dispute changes the reviewed total
    before = page.locator("#reviewed-total").inner_text()
    dispute = page.locator("li.finding[data-code=RATIO_SCORE_MISMATCH]")
    dispute.locator("input[name=note]").fill("Tỷ lệ đã được Sở xác nhận")
    dispute.get_by_role("button", name="Bác bỏ").click()
    page.wait_for_selector("li.finding.dismissed[data-code=RATIO_SCORE_MISMATCH]")
    after = page.locator("#reviewed-total").inner_text()
    assert before != after, (before, after)
    assert float(after.replace(",", ".")) > float(before.replace(",", "."))
    assert page.locator("#dismissed-count").inner_text() == "1"
    page.locator("#noi-dung").evaluate("main => main.scrollIntoView()")
    page.screenshot(path=str(shots / "07-bao-cao-sau-ra-soat.png"))

    assert not page_errors, page_errors

    # a commune user: only its own batch, never the city's
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url("**/dang-nhap")
    page.fill("#token", server.commune_token)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{server.base}/")
    assert page.locator("a[href^='/lo/']").count() == 0
    report_id = next(r["report"] for r in rows if r["file"] == FAULTY)
    response = page.goto(f"{server.base}/bao-cao/{report_id}")
    assert response is not None and response.status == 404
    assert "Không có báo cáo này" in page.content()
    page_errors.remove("Failed to load resource: the server responded with a status of 404 (Not Found)")
    commune_batch = upload_as_commune(page, server, upload_dir / "000_86fb9651f283ba60.txt")
    page.goto(f"{server.base}/")
    links = page.locator("a[href^='/lo/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == [f"/lo/{commune_batch}"]
    page.goto(f"{server.base}/lo/{commune_batch}")
    page.wait_for_selector("#reports tbody tr[data-file]")
    assert page.locator("#reports tbody tr[data-file]").count() == 1
    assert not page_errors, page_errors


def upload_as_commune(page: Any, server: Server, path: Path) -> str:
    """Upload one text file by dropping it on the drop zone; returns the new batch's id."""
    page.goto(f"{server.base}/tai-len")
    dropped = page.evaluate_handle(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type: "text/plain"}));
            return data;
        }""",
        [path.name, path.read_text(encoding="utf-8")],
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
    assert "Đã chọn 1 tệp" in page.locator("#chosen").inner_text()
    page.click("#upload-button")
    page.locator("#dashboard-link").wait_for(state="visible", timeout=AUDIT_SECONDS * 1000)
    href = page.locator("#dashboard-link").get_attribute("href")
    assert href and href.startswith("/lo/")
    return href.removeprefix("/lo/")


def test_a_text_reports_finding_is_marked_in_its_context(server: Server, browser_context: Any, shots: Path) -> None:
    page = browser_context.new_page()
    page.goto(f"{server.base}/?token={server.first_run_token}")
    page.goto(f"{server.base}/")
    page.locator("a[href^='/lo/']").first.click()
    page.get_by_role("link", name="000_86fb9651f283ba60.txt").click()
    finding = page.locator("li.finding:has(button.show-source)").first
    quote = finding.locator("blockquote.quote").inner_text()
    finding.get_by_role("button", name="Xem vị trí trong tệp").click()
    idx = finding.get_attribute("data-idx")
    marked = page.locator(f"#source-{idx} mark")
    marked.wait_for(state="visible")
    assert " ".join(marked.inner_text().split()) == " ".join(quote.split())
    context = page.locator(f"#source-{idx} pre.context").inner_text()
    assert len(context) > len(marked.inner_text())
    page.screenshot(path=str(shots / "08-bao-cao-van-ban.png"))
