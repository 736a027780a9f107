"""Time the PDF parser against bare pdfplumber and bare pypdfium2 on the same files, in one run.

For every file: ``extractor.parse`` (tables, paragraphs, furniture, stitching), bare pdfplumber
(``extract_text()`` + ``extract_tables()`` per page, each page closed after use) and bare pypdfium2 text
extraction. The three take turns, ``--repeat`` rounds, and the median CPU time of each is kept: other
processes on a busy machine then slow none of them more than the others. Prints ms per page and the
ratios ours/pdfplumber and ours/pypdfium2, e.g.

    python scripts/bench_parse.py                       # samples/*.pdf and ../shared/realdocs/14_*
    python scripts/bench_parse.py report.pdf --repeat 5
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.reading import parse  # noqa: E402


def ours(data: bytes) -> None:
    parse(data)


def bare_pdfplumber(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()


def bare_pypdfium2(data: bytes) -> None:
    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        pdf.close()


RUNNERS: tuple[Callable[[bytes], None], ...] = (ours, bare_pdfplumber, bare_pypdfium2)


def median_seconds(data: bytes, repeat: int) -> list[float]:
    """Median CPU seconds of each runner, the runners taking turns round by round."""
    times: list[list[float]] = [[] for _ in RUNNERS]
    for _ in range(repeat):
        for i, run in enumerate(RUNNERS):
            started = time.process_time()
            run(data)
            times[i].append(time.process_time() - started)
    return [statistics.median(t) for t in times]


def page_count(data: bytes) -> int:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def default_files() -> list[Path]:
    files = sorted((ROOT / "samples").glob("*.pdf"))
    files += sorted((ROOT.parent / "shared" / "realdocs").glob("14_*.pdf"))
    return files


def bench(path: Path, repeat: int) -> tuple[int, float, float, float]:
    data = path.read_bytes()
    pages = page_count(data)
    ours(data)  # warm up: the first call imports the parser
    ms = [1000 * seconds / pages for seconds in median_seconds(data, repeat)]
    return pages, ms[0], ms[1], ms[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="PDF files (default: samples/*.pdf and realdoc 14)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is kept")
    args = parser.parse_args(argv)
    files = args.files or default_files()
    if not files:
        print("no PDF to measure", file=sys.stderr)
        return 1
    head = f"{'file':<44} {'pages':>5} {'ours':>9} {'plumber':>9} {'pdfium':>8}"
    head += f" {'ours/plumber':>13} {'ours/pdfium':>12}"
    print(head + "\n" + "-" * len(head))
    totals = [0.0, 0.0, 0.0]
    for path in files:
        pages, mine, plumber, pdfium = bench(path, max(3, args.repeat))
        for i, value in enumerate((mine, plumber, pdfium)):
            totals[i] += value * pages
        print(
            f"{path.name[:44]:<44} {pages:>5} {mine:>7.1f}ms {plumber:>7.1f}ms {pdfium:>6.1f}ms"
            f" {mine / plumber:>12.2f}x {mine / pdfium:>11.1f}x"
        )
    print(f"{'all files (time-weighted)':<50} {totals[0] / totals[1]:>30.2f}x {totals[0] / totals[2]:>11.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
