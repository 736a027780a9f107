"""Load on the audit service: C concurrent clients upload F distinct small reports in batches to a server it
starts on 127.0.0.1, and each polls its batches until every report is done. Bounded in count (--files) and
time (--timeout); loopback only. Not a test: it prints figures, and exits 1 only if a report was lost.

    .venv/bin/python scripts/load_service.py [--db sqlite|postgres|both] [--clients 20] [--files 300]
        [--batch-size 5] [--workers 2] [--runners 1] [--timeout 900] [--database-url URL]

Prints, per database: throughput (files done per second, first upload to last report done), p50/p95/p99 of
each file's latency from the start of its upload request to the poll that saw its report done, peak RSS of
the server's process tree and of the workers' trees (their audit children included; /proc sampled every
100 ms), and the reports lost: files sent whose report never came (or ended failed), or came more than once
(report rows per sha256 counted in the database at the end). Lost must be 0.

SQLite: `extractor serve` audits with its own pool (workers x runners at once, as many as on PostgreSQL).
PostgreSQL: the server does not audit; --workers `extractor worker --concurrency <runners>` processes do.
The PostgreSQL server is --database-url, else the tests' private one (tests/pgserver.py).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from service_harness import MemorySampler, Service, account, check_loopback, database, mib, report_texts

TERMINAL = {"done", "unreadable", "failed"}


@dataclass
class Tally:
    latency: list[float] = field(default_factory=list)  # seconds, per file done
    ended: dict[str, str] = field(default_factory=dict)  # sha256 -> terminal state seen
    upload_errors: list[str] = field(default_factory=list)
    first: float = 0.0
    last: float = 0.0


async def _client(
    client: httpx.AsyncClient, batches: asyncio.Queue[list[tuple[str, bytes]]], tally: Tally, poll: float
) -> None:
    while True:
        try:
            batch = batches.get_nowait()
        except asyncio.QueueEmpty:
            return
        start = time.perf_counter()
        tally.first = tally.first or start
        multipart = [("files", (name, data, "text/plain")) for name, data in batch]
        response = await client.post("/api/batches", files=multipart, timeout=120)
        if response.status_code != 201:
            tally.upload_errors.append(f"{response.status_code} {response.text[:200]}")
            continue
        body = response.json()
        waiting = {item["id"]: item["sha256"] for item in body["items"]}
        while waiting:
            await asyncio.sleep(poll)
            progress = (await client.get(f"/api/batches/{body['id']}", timeout=60)).json()
            now = time.perf_counter()
            for item in progress["items"]:
                if item["id"] in waiting and item["state"] in TERMINAL:
                    tally.ended[waiting.pop(item["id"])] = item["state"]
                    tally.latency.append(now - start)
                    tally.last = now


async def _load(base: str, token: str, files: list[tuple[str, bytes]], args: argparse.Namespace, tally: Tally) -> None:
    batches: asyncio.Queue[list[tuple[str, bytes]]] = asyncio.Queue()
    for i in range(0, len(files), args.batch_size):
        batches.put_nowait(files[i : i + args.batch_size])
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits) as client:
        await asyncio.gather(*(_client(client, batches, tally, args.poll) for _ in range(args.clients)))


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def run(kind: str, args: argparse.Namespace) -> bool:
    files = report_texts(args.files)
    shas = [hashlib.sha256(data).hexdigest() for _, data in files]
    with tempfile.TemporaryDirectory(prefix="load-service-") as tmp, database(kind, args.database_url) as url:
        workers = args.workers if kind == "postgres" else 0
        runners = args.runners if workers else args.workers * args.runners  # the same audits at once on both
        service = Service(Path(tmp) / "data", url, Path(tmp) / "log", runners=runners, workers=workers)
        service.host = args.host
        token = service.token()
        tally = Tally()
        timed_out = False
        try:
            service.start()
            with MemorySampler(service.roots()) as memory:
                try:
                    asyncio.run(asyncio.wait_for(_load(service.base, token, files, args, tally), args.timeout))
                except TimeoutError:
                    timed_out = True
        finally:
            service.stop()
        result = account(service, shas)
    not_seen = {sha for sha in shas if tally.ended.get(sha) != "done"}  # by the clients, within --timeout
    lost = len(not_seen | result.bad) + result.findings_twice
    elapsed = (tally.last - tally.first) if tally.last else float("nan")
    lat = sorted(tally.latency)
    setup = f"server pool of {runners}" if kind == "sqlite" else f"server + {workers} workers x {args.runners}"
    print(f"== {kind} ({setup}): {args.clients} clients, {len(files)} files in batches of {args.batch_size}")
    if timed_out:
        print(f"   stopped after --timeout {args.timeout:.0f} s with {len(files) - len(tally.ended)} files not done")
    print(f"   throughput   {len(tally.ended) / elapsed:.2f} files/s ({len(tally.ended)} done in {elapsed:.1f} s)")
    print(f"   latency      p50 {_pct(lat, 50):.1f} s  p95 {_pct(lat, 95):.1f} s  p99 {_pct(lat, 99):.1f} s")
    worker_rss = mib(memory.peak["workers"]) if workers else "none (the server's pool audits)"
    print(f"   peak RSS     server {mib(memory.peak['server'])}  workers {worker_rss}")
    if tally.upload_errors:
        print(f"   upload errors {len(tally.upload_errors)}: {tally.upload_errors[:3]}")
    print(
        f"   reports lost {lost}  (not seen done by the clients {len(not_seen)}, no done report in the database "
        f"{result.lost}, more than one {result.duplicated}, "
        f"findings not stored once {result.findings_twice}; corrupt originals {result.corrupt})",
        flush=True,
    )
    return lost == 0 and result.corrupt == 0 and not tally.upload_errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2, help="PostgreSQL: `extractor worker` processes")
    ap.add_argument("--runners", type=int, default=1, help="audits at once: per worker, or the SQLite server's pool")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds for the whole load; what is not done is lost")
    ap.add_argument("--poll", type=float, default=0.25, help="seconds between a client's progress requests")
    ap.add_argument("--host", default="127.0.0.1", help="loopback only")
    ap.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL admin URL")
    args = ap.parse_args()
    check_loopback(args.host)
    if min(args.clients, args.files, args.batch_size, args.workers, args.runners) < 1 or args.files > 5000:
        raise SystemExit("--clients, --files (at most 5000), --batch-size, --workers and --runners must be >= 1")
    print(f"{os.cpu_count()} cores", flush=True)
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    ok = [run(kind, args) for kind in kinds]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
