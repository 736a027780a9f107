"""End-to-end throughput of the audit service: upload N files through the HTTP API, wait until every report
is done, print files/s. Not a test: it prints figures and ratios against the first configuration measured
in the same run (SQLite, the server's pool with 1 runner), never asserts a time.

    .venv/bin/python scripts/bench_service.py [--files 100] [--repeat 3] [--only sqlite-1,pg-2x1]

Configurations (after a reference line: extractor.audit on the same files in this process, one by one):
  sqlite-1    `extractor serve` on SQLite, its local pool with 1 runner (the baseline)
  sqlite-2    the same with 2 runners
  pg-1x1      `extractor serve` on PostgreSQL (no local pool) + 1 `extractor worker --concurrency 1`
  pg-2x1      the same + 2 workers, one audit at a time each
The PostgreSQL server is the tests' private one (tests/pgserver.py: TEST_DATABASE_URL, or Debian's binaries
on a free port). The files are distinct commune reports made from the text samples (another commune name
and letter number each), uploaded in one multipart request; each configuration first audits a small warm-up
batch so the children are started, then times upload → last report done.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgserver import fresh_database, postgres_server  # noqa: E402

SAMPLES = ROOT / "samples"
_FIRST = ("An", "Bình", "Cát", "Đông", "Hòa", "Kiến", "Lạc", "Minh", "Phú", "Tân", "Vĩnh", "Xuân")
_SECOND = ("Hưng", "Lợi", "Thành", "Phong", "Sơn", "Hải", "Lâm", "Long", "Trung", "Nam")


def make_files(n: int, offset: int = 0) -> list[tuple[str, bytes]]:
    """n distinct reports from the text samples: each sample's commune name replaced by another one."""
    import extractor

    templates = []
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        name = extractor.audit(text.encode("utf-8"), filename=path.name).document.commune
        if name and name in text:
            templates.append((text, name))
    if not templates:
        raise SystemExit("no text sample with a commune name in samples/")
    out = []
    for i in range(offset, offset + n):
        text, old = templates[i % len(templates)]
        new = f"{_FIRST[i % len(_FIRST)]} {_SECOND[(i // len(_FIRST)) % len(_SECOND)]} {i // 120 or ''}".strip()
        out.append((f"bao-cao-{i:04d}.txt", (text.replace(old, new) + f"\n<!-- {i} -->\n").encode("utf-8")))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Config:
    name: str
    database: bool  # PostgreSQL
    server_runners: int  # local pool size (0: none)
    workers: int  # `extractor worker` processes
    concurrency: int = 1


CONFIGS = [
    Config("sqlite-1", False, 1, 0),
    Config("sqlite-2", False, 2, 0),
    Config("pg-1x1", True, 0, 1),
    Config("pg-2x1", True, 0, 2),
]


def _env(data_dir: Path, database_url: str | None, runners: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EXTRACTOR_DATABASE_URL")}
    env.update(
        EXTRACTOR_DATA_DIR=str(data_dir),
        EXTRACTOR_WORKERS=str(max(1, runners)),
        EXTRACTOR_LOCAL_WORKER="true" if runners else "false",
        EXTRACTOR_POLL_INTERVAL="0.2",
        OMP_THREAD_LIMIT="1",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "extractor.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _token(data_dir: Path, database_url: str | None) -> str:
    from api.auth import create_token, create_user
    from api.db import make_engine, make_sessionmaker
    from api.migrate import upgrade
    from api.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=database_url)
    engine = make_engine(settings)
    upgrade(engine)
    try:
        with make_sessionmaker(engine).begin() as session:
            _row, secret = create_token(session, create_user(session, "bench", "auditor"))
        return secret
    finally:
        engine.dispose()


def _upload_and_wait(client: httpx.Client, files: list[tuple[str, bytes]], timeout: float = 1800) -> float:
    start = time.perf_counter()
    multipart = [("files", (name, data, "text/plain")) for name, data in files]
    response = client.post("/api/batches", files=multipart, timeout=300)
    response.raise_for_status()
    batch_id = response.json()["id"]
    deadline = start + timeout
    while True:
        body: dict[str, Any] = client.get(f"/api/batches/{batch_id}", timeout=30).json()
        if body["finished"]:
            break
        if time.perf_counter() > deadline:
            raise SystemExit(f"batch not finished after {timeout} s: {body}")
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if body.get("total") != len(files):
        raise SystemExit(f"the batch has {body.get('total')} items, {len(files)} were sent")
    return elapsed


def run(config: Config, files: list[tuple[str, bytes]], warmup: list[tuple[str, bytes]], pg_admin: str | None) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        data_dir = Path(tmp) / "data"
        url = fresh_database(pg_admin) if config.database and pg_admin else None
        token = _token(data_dir, url)
        log = Path(tmp) / "log"
        port = free_port()
        procs = [_start(["serve", "--port", str(port)], _env(data_dir, url, config.server_runners), log)]
        for _ in range(config.workers):
            procs.append(_start(["worker", "--concurrency", str(config.concurrency)], _env(data_dir, url, 1), log))
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/health", timeout=2).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or procs[0].poll() is not None:
                        raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
                    time.sleep(0.2)
                _upload_and_wait(client, warmup)
                return _upload_and_wait(client, files)
        finally:
            for proc in reversed(procs):
                _stop(proc)


def _library(files: list[tuple[str, bytes]]) -> float:
    import extractor

    start = time.perf_counter()
    for name, data in files:
        extractor.audit(data, filename=name)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--only", default="", help="comma-separated configuration names")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds over all configurations (median printed): a shared machine is noisy",
    )
    args = ap.parse_args()
    chosen = [c for c in CONFIGS if not args.only or c.name in args.only.split(",")]
    files = make_files(args.files)
    warmup = make_files(4, offset=10_000)
    print(f"{len(files)} files, {sum(len(d) for _, d in files) / 1e6:.1f} MB, {os.cpu_count()} cores")
    _library(warmup)
    times: dict[str, list[float]] = {"library": [], **{c.name: [] for c in chosen}}
    with postgres_server() as pg_admin:
        for round_no in range(1, max(1, args.repeat) + 1):
            times["library"].append(_library(files))
            for config in chosen:
                times[config.name].append(run(config, files, warmup, pg_admin))
            line = "  ".join(f"{name} {len(files) / ts[-1]:.2f}" for name, ts in times.items())
            print(f"round {round_no} (files/s): {line}", flush=True)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"median of {max(1, args.repeat)} round(s):")
    for name, elapsed in median.items():
        note = "  (extractor.audit in one process, no service)" if name == "library" else ""
        print(f"  {name:10s} {elapsed:7.1f} s  {len(files) / elapsed:6.2f} files/s{note}")
    baseline = median[chosen[0].name]
    print(f"ratios against {chosen[0].name} (files/s, higher is faster):")
    for name, elapsed in median.items():
        print(f"  {name:10s} {baseline / elapsed:5.2f}x")


if __name__ == "__main__":
    main()
