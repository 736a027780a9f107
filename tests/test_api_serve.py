"""``extractor serve`` as a real process on a free port, and ``extractor token create|list|revoke``: the first
start prints the address with a new admin token, later starts the address alone; the service answers HTTP
(health, upload, report) and the tokens made on the command line work, are listed without their secret and
can be revoked."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

import extractor

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "EXTRACTOR_WORKERS": "1", "EXTRACTOR_POLL_INTERVAL": "0.2"}
        env.pop("DATABASE_URL", None)
        env.pop("EXTRACTOR_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "extractor.cli", "serve", "--port", str(self.port), "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE,  # uvicorn's access log goes to stdout, the rest to stderr: read both
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        self.pump = threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True)
        self.pump.start()
        self.base = f"http://127.0.0.1:{self.port}"

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "".join(self.seen)
                continue
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"{pattern!r} not printed:\n{''.join(self.seen)}")

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, "".join(self.seen)
            time.sleep(0.2)
        raise AssertionError("the server never answered /health")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.pump.join(10)
        if self.proc.stdout is not None and not self.proc.stdout.closed:
            self.proc.stdout.close()
        while not self.lines.empty():
            self.seen.append(self.lines.get())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def start() -> Server:
        server = Server(tmp_path / "data")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EXTRACTOR_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "extractor.cli", "token", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_serve_prints_the_first_run_token_and_answers_http(serve: Any, tmp_path: Path) -> None:
    server = serve()
    match = server.wait_for(r"Mở / Open: (http://127\.0\.0\.1:\d+/)\?token=(\S+)")
    assert match.group(1) == f"{server.base}/"
    token = match.group(2)
    server.wait_healthy()
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/api/me", headers=auth).json()["role"] == "admin"
    assert httpx.get(f"{server.base}/api/me").status_code == 401
    opened = httpx.get(f"{server.base}/?token={token}", follow_redirects=True)  # the address printed, opened
    assert opened.status_code == 200 and str(opened.url) == f"{server.base}/"  # signed in, the token out of the URL
    server.wait_for(r'"path": "/", "status": 303')  # logged without its query string
    logged = [line for line in server.seen if not line.startswith(("Mở / Open", "Mã / Token"))]  # printed once
    assert logged and not any(token in line for line in logged)

    text = "Báo cáo số 12/BC-UBND của xã Tiên Lãng về chuyển đổi số quý II năm 2026.\n".encode()
    upload = httpx.post(f"{server.base}/api/batches", headers=auth, files={"files": ("bc.txt", text)}, timeout=30)
    assert upload.status_code == 201, upload.text
    batch = upload.json()
    deadline = time.monotonic() + 120
    while not httpx.get(f"{server.base}/api/batches/{batch['id']}", headers=auth).json()["finished"]:
        assert time.monotonic() < deadline, "the batch was not audited"
        time.sleep(0.3)
    report = httpx.get(f"{server.base}/api/reports/{batch['items'][0]['report_id']}", headers=auth)
    assert report.json() == extractor.audit(text, filename="bc.txt").model_dump(mode="json")
    server.stop()  # SIGTERM: a graceful shutdown (uvicorn re-raises the signal once it has shut down)
    assert server.proc.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in "".join(server.seen)

    assert token not in "".join(line for line in server.seen if "Mở / Open" not in line and "Mã / Token" not in line)

    again = serve()
    line = again.wait_for(r"Mở / Open: \S+")
    assert "token=" not in line.string and token not in "".join(again.seen)
    again.wait_healthy()
    assert httpx.get(f"{again.base}/api/me", headers=auth).json()["role"] == "admin"


def test_token_commands_create_list_and_revoke(serve: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    made = cli("create", "--role", "commune", "--commune", "Xã Tiên Lãng", "--name", "Cán bộ", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert made.stdout == secret + "\n" and re.fullmatch(r"[A-Za-z0-9_-]{40,}", secret)

    listed = cli("list", data_dir=data_dir)
    assert listed.returncode == 0 and secret not in listed.stdout
    row = next(line for line in listed.stdout.splitlines() if secret[:8] in line)
    assert "Cán bộ" in row and "commune" in row and "Xã Tiên Lãng" in row
    token_id = row.split("\t")[0]

    server = serve()
    server.wait_for(r"Mở / Open: ")  # users exist already: no first-run token
    server.wait_healthy()
    auth = {"Authorization": f"Bearer {secret}"}
    me = httpx.get(f"{server.base}/api/me", headers=auth).json()
    assert me["role"] == "commune" and me["commune"] == "Xã Tiên Lãng"
    assert "token=" not in "".join(server.seen)

    second = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "serve", "--port", str(free_port()), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EXTRACTOR_DATABASE_URL")},
        check=False,
    )
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert "LỖI / ERROR" in second.stderr and "in use by another server" in second.stderr

    revoked = cli("revoke", token_id, data_dir=data_dir)
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.get(f"{server.base}/api/me", headers=auth).status_code == 401
    assert cli("revoke", "9999", data_dir=data_dir).returncode == 2

    bad = cli("create", "--role", "commune", data_dir=data_dir)
    assert bad.returncode == 2 and bad.stdout == "" and "commune" in bad.stderr
    assert "LỖI / ERROR" in bad.stderr
