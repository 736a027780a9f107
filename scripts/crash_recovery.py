"""Crash recovery of the audit service: while F distinct files are uploaded (in batches) and audited, SIGKILL
the server or a worker K times at random moments, restart it, and at the end check that every file has
exactly one report, done, its findings stored once, and that every stored original still has its sha256.
Not a test: it prints what it found, and exits 1 on any loss.

    .venv/bin/python scripts/crash_recovery.py [--db sqlite|postgres|both] [--runs 3] [--kills 5] [--files 30]
        [--batch-size 5] [--seed 1] [--timeout 600] [--database-url URL]

SQLite: `extractor serve` audits with its own pool of 2, and the server is what is killed. PostgreSQL:
`extractor serve` + 2 `extractor worker`; each kill picks the server or one of the workers at random. The
moments are random points of the batch (when a random number of its reports are done, plus up to 0.5 s;
a worker is then killed as soon as it is auditing a file) and, like the targets, come from --seed. An upload
cut by a kill is not acknowledged and the client sends it again once the server is back (the same bytes:
stored and audited once); a batch that was acknowledged must still be there, whole, at the end. A killed
process's audit children must die with it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from service_harness import (
    Service,
    account,
    check_loopback,
    database,
    done_count,
    pending,
    report_texts,
    running_on,
)


class Uploader(threading.Thread):
    """Uploads the files in batches, one request at a time; a request cut by a kill is sent again."""

    def __init__(self, service: Service, token: str, files: list[tuple[str, bytes]], size: int, deadline: float):
        super().__init__(daemon=True)
        self.service, self.token, self.files, self.size, self.deadline = service, token, files, size, deadline
        self.acked: list[tuple[str, int]] = []  # batch id, files in it
        self.resent = 0  # batches whose upload was cut or refused by a dying server and sent again
        self.error: str | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        for i in range(0, len(self.files), self.size):
            chunk = self.files[i : i + self.size]
            cut = False
            while True:
                if time.monotonic() > self.deadline:
                    self.error = "uploads not all acknowledged before --timeout"
                    return
                multipart = [("files", (name, data, "text/plain")) for name, data in chunk]
                try:
                    response = httpx.post(
                        f"{self.service.base}/api/batches", headers=headers, files=multipart, timeout=30
                    )
                except httpx.TransportError:
                    self.resent += not cut
                    cut = True
                    time.sleep(0.2)
                    continue
                if response.status_code == 201:
                    self.acked.append((response.json()["id"], len(chunk)))
                    break
                if response.status_code < 500:
                    self.error = f"upload refused: {response.status_code} {response.text[:300]}"
                    return
                self.resent += not cut
                cut = True
                time.sleep(0.2)


def _check_batches(service: Service, token: str, acked: list[tuple[str, int]]) -> int:
    """Files of acknowledged batches that the server no longer lists as done."""
    missing = 0
    with httpx.Client(base_url=service.base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for batch_id, sent in acked:
            response = client.get(f"/api/batches/{batch_id}")
            if response.status_code != 200:
                missing += sent
                continue
            items = response.json()["items"]
            missing += sent - sum(1 for item in items if item["state"] == "done")
    return missing


def run_once(kind: str, run_no: int, rng: random.Random, args: argparse.Namespace, totals: Counter[str]) -> bool:
    files = report_texts(args.files)
    # each run its own bytes: a different letter number
    files = [(name, data.replace(b"/UBND", f"/UBND-R{run_no}".encode(), 1)) for name, data in files]
    shas = [hashlib.sha256(data).hexdigest() for _, data in files]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-recovery-") as tmp, database(kind, args.database_url) as url:
        workers = 2 if kind == "postgres" else 0
        service = Service(
            Path(tmp) / "data",
            url,
            Path(tmp) / "log",
            runners=1 if workers else 2,
            workers=workers,
            host=args.host,
            heartbeat_timeout=args.heartbeat,
        )
        token = service.token()
        kills: Counter[str] = Counter()
        try:
            service.start()
            uploader = Uploader(service, token, files, args.batch_size, start + args.timeout)
            uploader.start()
            # random points during the batch: when so many reports are done, plus up to 0.5 s
            for threshold in sorted(rng.choices(range(1, len(files)), k=args.kills)):
                while done_count(service) < threshold and time.monotonic() < start + args.timeout:
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.0, 0.5))
                target = rng.choice(["server"] + [f"worker {i}" for i in range(workers)])
                proc = service.server if target == "server" else service.worker_procs[int(target.split()[1])]
                assert proc is not None
                if target != "server":  # a worker is killed while it audits, if it takes a job within 10 s
                    until = time.monotonic() + 10
                    while not running_on(service, proc.pid) and pending(service) and time.monotonic() < until:
                        time.sleep(0.02)
                kills["cut an audit"] += running_on(service, proc.pid) > 0
                if target == "server":
                    service.kill(proc)
                    service.start_server()
                    service.wait_healthy()
                else:
                    service.kill(proc)
                    service.start_worker(int(target.split()[1]))
                kills[target.split()[0]] += 1
            uploader.join(max(1.0, start + args.timeout - time.monotonic()))
            while pending(service) and time.monotonic() < start + args.timeout:
                time.sleep(0.2)
            unlisted = _check_batches(service, token, uploader.acked)
        finally:
            service.stop()
        result = account(service, shas)
    elapsed = time.monotonic() - start
    killed = kills["server"] + kills["worker"]
    lost = result.lost + unlisted
    acked_files = sum(n for _, n in uploader.acked)
    print(
        f"   run {run_no}: {killed} kills ({kills['server']} server, {kills['worker']} worker; "
        f"{kills['cut an audit']} in the middle of an audit), "
        f"{result.files} files ({acked_files} acknowledged, {uploader.resent} batches sent again), lost {lost}, "
        f"duplicated {result.duplicated}, findings not stored once {result.findings_twice}, corrupt originals "
        f"{result.corrupt}, {elapsed:.1f} s" + (f"  [{uploader.error}]" if uploader.error else ""),
        flush=True,
    )
    totals.update(
        runs=1,
        kills=killed,
        cut=kills["cut an audit"],
        server_kills=kills["server"],
        worker_kills=kills["worker"],
        files=result.files,
        lost=lost,
        duplicated=result.duplicated,
        findings_twice=result.findings_twice,
        corrupt=result.corrupt,
        upload_errors=uploader.error is not None,
    )
    return result.ok and unlisted == 0 and uploader.error is None and acked_files == len(files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kills", type=int, default=5, help="SIGKILLs per run")
    ap.add_argument("--files", type=int, default=30, help="files per run")
    ap.add_argument("--batch-size", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run; what is not done then is lost")
    ap.add_argument("--heartbeat", type=float, default=3.0, help="PostgreSQL: seconds before a silent worker is dead")
    ap.add_argument("--host", default="127.0.0.1", help="loopback only")
    ap.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL admin URL")
    args = ap.parse_args()
    check_loopback(args.host)
    if min(args.runs, args.files, args.batch_size) < 1 or args.kills < 0 or args.files > 2000:
        raise SystemExit("--runs, --files (at most 2000) and --batch-size must be >= 1, --kills >= 0")
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    ok = True
    for kind in kinds:
        rng = random.Random(f"{args.seed}-{kind}")
        totals: Counter[str] = Counter()
        start = time.monotonic()
        setup = "server with its pool of 2" if kind == "sqlite" else "server + 2 workers"
        print(f"== {kind} ({setup}), seed {args.seed}", flush=True)
        for run_no in range(1, args.runs + 1):
            ok = run_once(kind, run_no, rng, args, totals) and ok
        print(
            f"   {kind}: runs {totals['runs']}, kills {totals['kills']} (server {totals['server_kills']}, "
            f"worker {totals['worker_kills']}; {totals['cut']} in the middle of an audit), "
            f"files {totals['files']}, lost {totals['lost']}, duplicated "
            f"{totals['duplicated']}, findings not stored once {totals['findings_twice']}, corrupt originals "
            f"{totals['corrupt']}, {time.monotonic() - start:.0f} s",
            flush=True,
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
