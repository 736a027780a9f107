"""How often a handwritten number and day are read right, with Tesseract alone and with the second reader.

Letters whose number ("Số: 932/BC-UBND") and day ("ngày 15 tháng 5") are written in each installed
handwriting font (``samples/generator/handwritten.py``) are scanned and audited twice, ``ocr_second_reader``
off and on; the script prints, per font and in all, how many numbers and dates came out right, and how many
were wrong without being marked uncertain (the worst case: a misread taken for certain).

    python scripts/handwriting_eval.py [--per-font 4] [--fonts kristi,breip] [--workers 2]
"""

from __future__ import annotations

import argparse
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor import ParseOptions, audit
from samples.generator.handwritten import available_fonts, letter, scanned


def _same_number(read: str | None, truth: str) -> bool:
    """The number read is the one written, digits and sign, spaces aside ("932 /BC-UBND" is "932/BC-UBND")."""
    return (read or "").replace(" ", "") == truth


def _one(args: tuple[str, int, int, int, int]) -> dict[str, Any]:
    font, number, day, month, seed = args
    item = letter(number, day, month, font, seed=seed)
    data = scanned(item, seed=seed)
    out: dict[str, Any] = {"font": font, "number": number, "date": item.date.isoformat()}
    for mode, second in (("tesseract", False), ("second", True)):
        report = audit(data, filename="scan.pdf", options=ParseOptions(ocr_second_reader=second))
        uncertain = {
            str(u["fact"])
            for f in report.findings
            if f.code == "OCR_USED" and f.found
            for u in f.found.get("uncertain", [])
        }
        got_date = report.document.date.isoformat() if report.document.date else None
        number_ok = _same_number(report.document.number, item.number)
        date_ok = got_date == item.date.isoformat()
        out[mode] = {
            "number": report.document.number,
            "date": got_date,
            "number_ok": number_ok,
            "date_ok": date_ok,
            "number_silent_wrong": not number_ok and report.document.number is not None and "number" not in uncertain,
            "date_silent_wrong": not date_ok and got_date is not None and "date" not in uncertain,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-font", type=int, default=4)
    parser.add_argument("--fonts", default="", help="comma-separated HAND_FONTS names (default: all installed)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true")
    a = parser.parse_args()
    fonts = sorted(available_fonts())
    if a.fonts:
        fonts = [f for f in a.fonts.split(",") if f in fonts]
    if not fonts:
        sys.exit("no handwriting font installed (Debian: fonts-bwht fonts-breip fonts-kristi …)")
    rng = random.Random(a.seed)
    jobs = []
    for font in fonts:
        for k in range(a.per_font):
            digits = rng.choice((1, 2, 3, 3, 4))
            number = rng.randrange(10 ** (digits - 1) if digits > 1 else 1, 10**digits)
            jobs.append((font, number, rng.randint(1, 28), rng.randint(1, 12), a.seed * 1000 + k))
    with ProcessPoolExecutor(a.workers) as pool:
        results = list(pool.map(_one, jobs))
    modes = ("tesseract", "second")
    print(f"{len(results)} letters, {len(fonts)} fonts, {a.per_font} per font")
    print(f"{'font':<14}" + "".join(f"{m + ' number':>18}{m + ' date':>16}" for m in modes))
    for font in fonts:
        rows = [r for r in results if r["font"] == font]
        cells = ""
        for m in modes:
            n_ok = sum(1 for r in rows if r[m]["number_ok"])
            d_ok = sum(1 for r in rows if r[m]["date_ok"])
            cells += f"{n_ok:>13}/{len(rows):<4}{d_ok:>11}/{len(rows):<4}"
        print(f"{font:<14}{cells}")
    for m in modes:
        n_ok = sum(1 for r in results if r[m]["number_ok"])
        d_ok = sum(1 for r in results if r[m]["date_ok"])
        n_bad = sum(1 for r in results if r[m]["number_silent_wrong"])
        d_bad = sum(1 for r in results if r[m]["date_silent_wrong"])
        total = len(results)
        print(
            f"{m:<10} numbers right {n_ok}/{total} ({100 * n_ok / total:.0f} %), dates right {d_ok}/{total} "
            f"({100 * d_ok / total:.0f} %); wrong and not marked uncertain: numbers {n_bad}, dates {d_bad}"
        )
    if a.verbose:
        for r in results:
            print(r)


if __name__ == "__main__":
    main()
