"""How the cost of reading and auditing grows with the input: it should grow linearly.

For each kind of input (a line of digits and dots, ratios, percentages, a numeric sheet, …) and each size
(4, 8, 16, 32, 64 KB by default) one child process builds the input, parses and audits it, and reports
its wall and CPU time and peak memory. The table gives each step's ratio to the previous size (of the CPU
time, which other work on the machine does not inflate): doubling the input should about double the time
(a ratio near 2); a ratio near 4 means a quadratic part.

    .venv/bin/python scripts/bench_growth.py                  # every kind, 4..64 KB
    .venv/bin/python scripts/bench_growth.py --kinds dots ratios --sizes 16 32 64 128
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time

# Each kind is a unit repeated up to the size; "sheet" is an XLSX of numbers whose XML is about that size.
TEXT_KINDS = {
    "dots": "1.",  # one line "1.1.1.1…"
    "ratios": "12/34 ",
    "percents": "12,5% ",
    "fractions": "862/1.266 (68,1%) ",
    "slashes": "1/",
    "digits": "1 ",
    "rates": "Tỷ lệ hồ sơ trực tuyến đạt 50%, ",
    "lines": "1.1. Tỷ lệ 12/34 đạt 35,29%\n",
    "citations": "Kế hoạch số 12/KH-UBND ngày 01/02/2025 của UBND xã; ",
    "dates": "ngày 1 tháng 2 năm 2025, ",
    "periods": "quý I năm 2025 ",
}
KINDS = [*TEXT_KINDS, "sheet"]


def make_input(kind: str, size: int) -> tuple[bytes, str]:
    """(bytes, file name) of about ``size`` bytes of ``kind``."""
    if kind == "sheet":
        return _sheet(size), "sheet.xlsx"
    unit = TEXT_KINDS[kind].encode()
    return unit * max(1, size // len(unit)), "input.txt"


def _sheet(size: int) -> bytes:
    """A workbook of numbers in 10 columns; about 12 bytes of sheet XML per cell before compression."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Số liệu")
    cells = max(10, size // 12)
    for r in range(cells // 10):
        ws.append([r * 10 + c + 0.5 for c in range(10)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _child(kind: str, size: int) -> None:
    """Run in a child process: build, parse, audit; print a JSON line with seconds and peak MB."""
    import resource

    from extractor.audit import audit_document
    from extractor.errors import ExtractorError
    from extractor.reading import parse

    data, name = make_input(kind, size)
    t0, cpu0 = time.perf_counter(), _cpu()
    outcome = "ok"
    try:
        audit_document(parse(data, filename=name))
    except ExtractorError as err:
        outcome = err.code
    seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "bytes": len(data), "outcome": outcome}))


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(kind: str, size: int, timeout: float) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", kind, str(size)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "cpu": None, "peak_mb": None, "bytes": None, "outcome": f"> {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {
            "seconds": None,
            "cpu": None,
            "peak_mb": None,
            "bytes": None,
            "outcome": f"failed: {done.stderr[-200:]}",
        }
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", nargs="*", default=KINDS, choices=KINDS)
    ap.add_argument("--sizes", nargs="*", type=int, default=[4, 8, 16, 32, 64], help="sizes in KB")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per measurement")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    head = f"{'kind':10} {'KB':>5} {'bytes':>8} {'wall s':>8} {'cpu s':>8} {'×prev':>6} {'peak MB':>8} {'×prev':>6}"
    print(head + "  outcome")
    for kind in args.kinds:
        prev: dict[str, object] | None = None
        for kb in args.sizes:
            row = measure(kind, kb * 1024, args.timeout)
            print(_line(kind, kb, row, prev), flush=True)
            prev = row


def _line(kind: str, kb: int, row: dict[str, object], prev: dict[str, object] | None) -> str:
    def ratio(key: str) -> str:
        a, b = row.get(key), prev.get(key) if prev else None
        return f"{a / b:6.2f}" if isinstance(a, float) and isinstance(b, float) and b > 0 else f"{'':6}"

    secs, cpu, peak = row["seconds"], row.get("cpu"), row["peak_mb"]
    secs_s = f"{secs:8.2f}" if isinstance(secs, float) else f"{'-':>8}"
    cpu_s = f"{cpu:8.2f}" if isinstance(cpu, float) else f"{'-':>8}"
    peak_s = f"{peak:8.0f}" if isinstance(peak, float) else f"{'-':>8}"
    size = row["bytes"] or "-"
    return f"{kind:10} {kb:5d} {size:>8} {secs_s} {cpu_s} {ratio('cpu')} {peak_s} {ratio('peak_mb')}  {row['outcome']}"


if __name__ == "__main__":
    main()
