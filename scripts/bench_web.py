"""How fast the web app's batch dashboard is for a batch of 150 reports.

    .venv/bin/python scripts/bench_web.py [--reports 150] [--rounds 9]

Fills a fresh SQLite database with a batch of ``--reports`` reports: the real audits of the samples (their
contract JSON and findings, as a worker records them), each given another commune and another claimed total,
so the table, the filters and the chart have 150 different rows. Prints the median (and the spread) of the
server's render time of ``/lo/{batch}`` (one HTTP request through the ASGI app, signed in), and, when
Debian's Chromium is at /usr/bin/chromium, the time the browser takes from navigation to the load event
against a uvicorn server.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import extractor  # noqa: E402
from api import tasks  # noqa: E402
from api.app import create_app  # noqa: E402
from api.auth import create_token, create_user  # noqa: E402
from api.db import Batch, BatchItem, StoredFile  # noqa: E402
from api.settings import Settings  # noqa: E402
from tests.test_web_e2e import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

COMMUNES = ("Tiên Lãng", "An Lão", "Kiến Thụy", "Thủy Nguyên", "Vĩnh Bảo", "Cát Hải", "Đồ Sơn", "Dương Kinh")


def sample_audits() -> list[tuple[str, extractor.Report]]:
    files = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".pdf", ".docx", ".xlsx", ".txt"))
    if not files:
        sys.exit("samples/ is empty: ./dev samples")
    return [(p.name, extractor.audit(p)) for p in files]


def fill(settings: Settings, count: int) -> tuple[str, str]:
    """A batch of ``count`` audited reports; returns (batch id, an auditor's token)."""
    app = create_app(settings)
    factory = app.state.factory
    audits = sample_audits()
    batch_id = uuid.uuid4().hex
    with factory.begin() as session:
        user = create_user(session, "Kiểm tra viên", "auditor")
        secret = create_token(session, user)[1]
        session.add(Batch(id=batch_id, name=f"{count} báo cáo", created_by=user.id))
    for i in range(count):
        name, audit = audits[i % len(audits)]
        report = audit.model_copy(deep=True)
        commune = f"{COMMUNES[i % len(COMMUNES)]} {i // len(COMMUNES) + 1}"
        report.document.commune = commune
        if report.scorecard is not None and report.scorecard.claimed_total is not None:
            report.scorecard.claimed_total = Decimal(report.scorecard.claimed_total) - Decimal(i % 7) / 4
        sha = hashlib.sha256(f"{i}:{name}".encode()).hexdigest()
        filename = f"{i:03d}_{name}"
        with factory.begin() as session:
            session.add(StoredFile(sha256=sha, size=1, path=f"bench/{sha}", first_name=filename))
            session.flush()
            row, _ = tasks.enqueue(session, sha, None)
            session.flush()
            session.add(BatchItem(batch_id=batch_id, sha256=sha, filename=filename, report_id=row.id))
            report_id = row.id
        tasks.claim(factory, report_id, "bench")
        tasks.record(factory, report_id, report)
    app.state.engine.dispose()
    return batch_id, secret


def server_times(settings: Settings, batch_id: str, secret: str, rounds: int) -> list[float]:
    from fastapi.testclient import TestClient

    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/", params={"token": secret}).status_code == 303
        page = client.get(f"/lo/{batch_id}")
        assert page.status_code == 200 and len(re.findall(r"<tr data-file=", page.text)) > 0
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(f"/lo/{batch_id}")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        rows = len(re.findall(r"<tr data-file=", response.text))
        print(f"tệp trong bảng / rows rendered: {rows}; HTML {len(response.content) / 1024:.0f} KB")
    return times


def browser_times(settings: Settings, batch_id: str, secret: str, rounds: int) -> list[float]:
    import socket

    import uvicorn
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    times: list[float] = []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                viewport=VIEWPORT,
                args=CHROMIUM_ARGS,
            )
            page = context.new_page()
            page.goto(f"{base}/?token={secret}")
            page.goto(f"{base}/lo/{batch_id}")  # warm: static files cached as a returning user has them
            for _ in range(rounds):
                page.goto(f"{base}/lo/{batch_id}", wait_until="load")
                timing = page.evaluate(
                    "() => { const t = performance.getEntriesByType('navigation')[0];"
                    " return [t.loadEventEnd - t.startTime, t.responseEnd - t.requestStart]; }"
                )
                times.append(float(timing[0]) / 1000)
            context.close()
    finally:
        server.should_exit = True
        thread.join(30)
    return times


def show(label: str, times: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} lần / rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), local_worker=False)
        start = time.perf_counter()
        batch_id, secret = fill(settings, args.reports)
        print(f"{args.reports} báo cáo đã ghi / reports recorded in {time.perf_counter() - start:.1f} s")
        show(
            "máy chủ dựng bảng tổng hợp / server render of the dashboard",
            server_times(settings, batch_id, secret, args.rounds),
        )
        if CHROMIUM.exists():
            show(
                "trình duyệt: điều hướng tới sự kiện load / browser: navigation to load event",
                browser_times(settings, batch_id, secret, args.rounds),
            )
        else:
            print(f"{CHROMIUM} không có: bỏ qua phép đo trên trình duyệt / absent: browser timing skipped")


if __name__ == "__main__":
    main()
