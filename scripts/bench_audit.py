"""Time the audit: a batch serial vs across all cores, and per PDF page against bare pdfplumber, in one run.

1. A batch of ``--files`` (default 50) files made by repeating the report files in samples/; ``audit_many``
   with workers=1 (in this process, no pool) and workers=os.cpu_count() take turns, ``--repeat`` rounds;
   the median wall-clock time of each gives files/s and the speed-up ratio.
2. Every sample PDF: ``audit_file`` (parse + extraction + checks) beside bare pdfplumber
   (``extract_text()`` + ``extract_tables()`` per page, each page closed after use); the median CPU time of
   each gives ms per page and the ratio audit/pdfplumber (target ≤ 1.5×). e.g.

    python scripts/bench_audit.py
    python scripts/bench_audit.py --files 100 --repeat 5
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.audit import audit_file  # noqa: E402
from extractor.batch import audit_many  # noqa: E402
from extractor.files import report_files  # noqa: E402

TARGET_RATIO = 1.5


def batch_files(count: int) -> list[Path]:
    samples = [p for p in report_files([ROOT / "samples"]) if p.name[:1].isdigit()]
    return list(itertools.islice(itertools.cycle(samples), count))


def wall_seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cpu_seconds(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def all_cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers, once shut down)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed_batch(files: list[Path], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process involved) of one audit_many run."""
    cpu, wall = all_cpu_seconds(), time.perf_counter()
    audit_many(files, workers=workers)
    return time.perf_counter() - wall, all_cpu_seconds() - cpu


def spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def available_speedup(cores: int, n: int = 10_000_000) -> float:
    """What the machine gives right now: pure-CPU work, serial vs a process pool (other users share the cores)."""
    serial = wall_seconds(lambda: [spin(n) for _ in range(cores)])
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(spin, [1] * cores))  # start the workers
        parallel = wall_seconds(lambda: list(pool.map(spin, [n] * cores)))
    return serial / parallel


def bench_batch(files: list[Path], repeat: int) -> None:
    cores = os.cpu_count() or 1
    audit_many(files[:2], workers=1)  # warm up: imports, the rubric
    runs: dict[int, list[tuple[float, float]]] = {1: [], cores: []}
    ceilings: list[float] = []
    for _ in range(repeat):  # taking turns, so that a change in the machine's load touches all alike
        for workers in runs:
            runs[workers].append(timed_batch(files, workers))
        ceilings.append(available_speedup(cores))
    kinds = sorted({p.suffix for p in files})
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"batch of {len(files)} files ({', '.join(kinds)}), median of {repeat} runs; load average {load}")
    wall = {w: statistics.median(t for t, _ in r) for w, r in runs.items()}
    cpu = {w: statistics.median(c for _, c in r) for w, r in runs.items()}
    for workers in runs:
        print(
            f"  workers={workers:<3} {wall[workers]:7.2f} s wall  {len(files) / wall[workers]:6.1f} files/s"
            f"  {cpu[workers]:7.2f} s CPU in all processes"
        )
    speedup, ceiling = wall[1] / wall[cores], statistics.median(ceilings)
    print(f"  speed-up {speedup:.2f}x wall on {cores} cores; CPU with pool / without: {cpu[cores] / cpu[1]:.2f}x")
    print(
        f"  the machine's own speed-up meanwhile (pure CPU work in a pool): {ceiling:.2f}x;"
        f" the audit reaches {speedup / ceiling:.0%} of it"
    )


def bare_pdfplumber(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
        return len(pdf.pages)


def bench_pages(pdfs: list[Path], repeat: int) -> None:
    print(f"\naudit vs bare pdfplumber per page, median CPU time of {repeat} runs (target ≤ {TARGET_RATIO}x)")
    head = f"  {'file':<40} {'pages':>5} {'audit':>9} {'plumber':>9} {'ratio':>7}"
    print(head + "\n  " + "-" * (len(head) - 2))
    totals = [0.0, 0.0]
    for path in pdfs:
        pages = bare_pdfplumber(path)
        audit_file(path)  # warm up
        audit: list[float] = []
        plumber: list[float] = []
        for _ in range(repeat):  # taking turns, so a busy machine slows both alike
            audit.append(cpu_seconds(partial(audit_file, path)))
            plumber.append(cpu_seconds(partial(bare_pdfplumber, path)))
        mine, bare = statistics.median(audit), statistics.median(plumber)
        totals[0] += mine
        totals[1] += bare
        print(
            f"  {path.name[:40]:<40} {pages:>5} {1000 * mine / pages:>7.1f}ms {1000 * bare / pages:>7.1f}ms"
            f" {mine / bare:>6.2f}x"
        )
    verdict = "within" if totals[0] / totals[1] <= TARGET_RATIO else "OVER"
    print(f"  {'all PDFs (time-weighted)':<58} {totals[0] / totals[1]:>6.2f}x  ({verdict} the {TARGET_RATIO}x target)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50, help="files in the batch (samples repeated)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (at least 3); the median")
    args = parser.parse_args(argv)
    repeat = max(3, args.repeat)
    files = batch_files(args.files)
    if not files:
        print("no sample report in samples/", file=sys.stderr)
        return 1
    bench_batch(files, repeat)
    bench_pages(sorted((ROOT / "samples").glob("[0-9]*.pdf")), repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
