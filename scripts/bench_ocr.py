"""OCR cost: the engine's per-call overhead, seconds per page by resolution, 1 against all processes, and the
share of each real document's pages that goes to OCR.

    .venv/bin/python scripts/bench_ocr.py [--pages N] [--calls N]

Every figure is measured in this run and compared with a baseline of the same run (ratios), never with a
number written down: the machine may be shared.

1. Engine: tesserocr (Tesseract's API in-process, model loaded once) against pytesseract (one ``tesseract``
   process per call) on a small cell image (the per-cell OCR of tables) and on a whole page.
2. Resolution: OCR seconds per page (render, deskew, tables, words) at 200 and 300 dpi on realdocs 18 and 30.
3. Processes: seconds per page for realdocs 18 on 1 process and on one per core (the pool of
   ``extractor.parsers.ocr.read_pages``), with the speed-up, next to the speed-up a pure-Python loop gets
   from the same split at the same moment (the machine's free cores, which other users' load reduces).
4. Second reader: seconds per page of realdocs 18, 30 and 50 without and with ``ocr_second`` (PP-OCR).
5. For every PDF and image of ../shared/realdocs: pages, pages chosen for OCR, share.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import ParseOptions  # noqa: E402
from extractor.parsers import ocr  # noqa: E402
from extractor.parsers.image import frame_count  # noqa: E402
from extractor.parsers.pdf import pages_for_ocr  # noqa: E402
from extractor.sniff import sniff  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
SAMPLE = ROOT / "samples" / "000_cong-van-phu-luc.pdf"


def _find(prefix: str) -> Path | None:
    matches = sorted(REALDOCS.glob(f"{prefix}*")) if REALDOCS.is_dir() else []
    return matches[0] if matches else None


def _timed(fn: Callable[[], object], repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def engines(calls: int) -> None:
    print("== engine: seconds per call (tesserocr keeps the model loaded; pytesseract starts tesseract each call)")
    page = ocr.render_page(SAMPLE.read_bytes(), 0, 300)
    words = [w for w in ocr.ocr_words(page) if "1498" in w.text]
    w = words[0]
    cell = page[w.top - 8 : w.bottom + 8, w.x0 - 8 : w.x1 + 8]
    rows = []
    for name in ("tesserocr", "pytesseract"):
        ocr._backend.cache_clear()
        os.environ["EXTRACTOR_OCR_BACKEND"] = name
        if ocr.backend() != name:
            print(f"   {name}: not installed")
            continue
        ocr.ocr_text(cell)  # warm: the model loaded once
        per_cell = _timed(lambda: ocr.ocr_text(cell, psm=7), calls)
        per_page = _timed(lambda: ocr.ocr_words(page), 2)
        rows.append((name, per_cell, per_page))
    os.environ.pop("EXTRACTOR_OCR_BACKEND", None)
    ocr._backend.cache_clear()
    base = rows[0]
    for name, per_cell, per_page in rows:
        print(
            f"   {name:<12} cell {per_cell * 1000:8.1f} ms ({per_cell / base[1]:5.2f}×)"
            f"   page {per_page:6.2f} s ({per_page / base[2]:5.2f}×)"
        )


def _scans(prefixes: tuple[str, ...], pages: int) -> Iterator[tuple[Path, bytes, list[int]]]:
    """Each real scan of ``prefixes`` there is: its path, bytes and its first ``pages`` OCR page indices."""
    for prefix in prefixes:
        path = _find(prefix)
        if path is None:
            print(f"   {prefix}: absent")
            continue
        data = path.read_bytes()
        yield path, data, list(range(min(pages, pages_for_ocr(data)[0])))


def resolutions(pages: int) -> None:
    print("== resolution: OCR seconds per page (render, deskew, tables, words), one process")
    for path, data, indices in _scans(("18_", "30_"), pages):
        figures = {}
        for dpi in (200, 300):
            seconds = _timed(functools.partial(ocr.read_pages, "pdf", data, indices, dpi, workers=1))
            figures[dpi] = seconds / len(indices)
        print(
            f"   {path.name[:40]:<40} {len(indices)} pages: 200 dpi {figures[200]:5.2f} s/page,"
            f" 300 dpi {figures[300]:5.2f} s/page ({figures[300] / figures[200]:4.2f}×)"
        )


def second_reader(pages: int) -> None:
    print("== second reader (PP-OCR on doubted digits and header blanks): seconds per page without and with")
    for path, data, indices in _scans(("18_", "30_", "50_"), pages):
        ocr.read_pages("pdf", data, indices[:1], 200, workers=1)  # both engines loaded before timing
        off = _timed(functools.partial(ocr.read_pages, "pdf", data, indices, 200, workers=1, second=False))
        on = _timed(functools.partial(ocr.read_pages, "pdf", data, indices, 200, workers=1, second=True))
        print(
            f"   {path.name[:40]:<40} {len(indices)} pages: without {off / len(indices):5.2f} s/page,"
            f" with {on / len(indices):5.2f} s/page ({on / off:4.2f}×)"
        )


def processes(pages: int) -> None:
    cores = os.cpu_count() or 1
    print(f"== processes: OCR seconds per page of realdocs 18 on 1 and on {cores} processes")
    path = _find("18_")
    if path is None:
        print("   18_: absent")
        return
    data = path.read_bytes()
    indices = list(range(min(pages, pages_for_ocr(data)[0])))
    dpi = ParseOptions().ocr_dpi
    one = _timed(lambda: ocr.read_pages("pdf", data, indices, dpi, workers=1)) / len(indices)
    many = _timed(lambda: ocr.read_pages("pdf", data, indices, dpi, workers=cores)) / len(indices)
    print(
        f"   {len(indices)} pages at {dpi} dpi: 1 process {one:5.2f} s/page, {cores} processes {many:5.2f} s/page"
        f" (speed-up {one / many:4.2f}×, pool start-up included)"
    )
    # What the machine gives right now: the same split of a pure-Python loop (other users' load shows here).
    import multiprocessing

    serial = _timed(lambda: [_spin(_SPIN) for _ in range(cores)])
    context = multiprocessing.get_context("forkserver")
    with context.Pool(cores) as pool:
        pool.map(_spin, [1] * cores)  # started and warm
        parallel = _timed(lambda: pool.map(_spin, [_SPIN] * cores))
    print(f"   baseline, a CPU loop on 1 and {cores} processes: speed-up {serial / parallel:4.2f}× (load {_load()})")


_SPIN = 10_000_000


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def _load() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def shares() -> None:
    print("== pages chosen for OCR, per real document (PDF and image)")
    if not REALDOCS.is_dir():
        print(f"   {REALDOCS} absent")
        return
    total_pages = total_ocr = 0
    for path in sorted(REALDOCS.iterdir()):
        data = path.read_bytes()
        try:
            fmt = sniff(data).format
        except Exception:
            continue
        if fmt == "pdf":
            pages, chosen = pages_for_ocr(data)
        elif fmt == "image":
            pages = frame_count(data)
            chosen = list(range(1, pages + 1))
        else:
            continue
        total_pages, total_ocr = total_pages + pages, total_ocr + len(chosen)
        print(f"   {path.name[:60]:<60} {len(chosen):3}/{pages:<3} {len(chosen) / pages:6.1%}")
    print(f"   all: {total_ocr}/{total_pages} pages ({total_ocr / max(total_pages, 1):.1%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=6, help="pages of each scan to time (default 6)")
    ap.add_argument("--calls", type=int, default=20, help="cell OCR calls per engine (default 20)")
    args = ap.parse_args()
    engines(args.calls)
    resolutions(args.pages)
    processes(args.pages)
    second_reader(args.pages)
    shares()


if __name__ == "__main__":
    main()
