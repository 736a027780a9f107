"""Precision of the audit's findings on the seeds and the real documents, against the reviewed table.

Audits every seed (../shared/seeds/*.txt) and every real document (../shared/realdocs/), matches each finding
to tests/data/findings_review.tsv and prints, per code, how many were judged true and false and the precision
(true / all raised), for warnings and errors together and overall; "before" counts the false alarms the rules
no longer raise (verdict "fixed") as still raised, i.e. the precision before they were fixed. Findings not in
the table are listed as lines to add (verdict "?"); lines judged true that are no longer raised are listed too.
e.g.

    python scripts/findings_precision.py
    python scripts/findings_precision.py --unreviewed      # only the lines to add, ready to paste
    python scripts/findings_precision.py --files 17_ 004_  # only files whose name starts so
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.batch import audit_many  # noqa: E402
from extractor.checks.findings import SEVERITY  # noqa: E402
from tests.findings_review import (  # noqa: E402
    TABLE,
    Raised,
    compare,
    precision,
    raised,
    read_table,
    review_files,
)

TIMEOUT = 300.0


def collect(prefixes: list[str], workers: int) -> list[Raised]:
    files = [p for p in review_files() if not prefixes or p.name.startswith(tuple(prefixes))]
    reports = audit_many(files, workers=workers, timeout=TIMEOUT)
    return [r for path, report in zip(files, reports, strict=True) for r in raised(path.name, report)]


def _ratio(c: Counter) -> str:
    judged = c["true"] + c["false"]
    return f"{c['true'] / judged:.3f}".replace(".", ",") if judged else "—"


def _before(c: Counter) -> str:
    return _ratio(Counter(true=c["true"], false=c["false"] + c["fixed"]))


def print_precision(found: list[Raised], files: set[str], severities: tuple[str, ...], title: str) -> None:
    per = precision(found, read_table(), severities)
    for j in read_table():
        if j.verdict == "fixed" and j.file in files and SEVERITY[j.code] in severities:
            per.setdefault(j.code, Counter())["fixed"] += 1
    total: Counter = Counter()
    print(f"\n{title}")
    print(f"{'code':<28}{'true':>6}{'false':>7}{'unrev.':>8}{'precision':>11}{'fixed':>7}{'before':>8}")
    for code in sorted(per):
        c = per[code]
        total.update(c)
        print(
            f"{code:<28}{c['true']:>6}{c['false']:>7}{c['unreviewed']:>8}{_ratio(c):>11}{c['fixed']:>7}{_before(c):>8}"
        )
    row = f"{total['true']:>6}{total['false']:>7}{total['unreviewed']:>8}{_ratio(total):>11}"
    print(f"{'ALL':<28}{row}{total['fixed']:>7}{_before(total):>8}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="*", default=[], help="file name prefixes (default: all)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--unreviewed", action="store_true", help="print only the table lines still to judge")
    args = ap.parse_args()
    found = collect(args.files, args.workers)
    c = compare(found, read_table(), {r.file for r in found} | _names(args.files))
    if args.unreviewed:
        for r in c.unreviewed:
            print(r.line(), "\t#", r.severity, r.message, sep="")
        return 0
    audited = _names(args.files)
    print_precision(found, audited, ("error", "warning"), "Warnings and errors")
    print_precision(found, audited, ("info",), "Notices (info)")
    for title, rows in (
        ("Not in the table (to review):", c.unreviewed),
        ("Fixed false alarms raised again:", c.false_back),
    ):
        if rows:
            print(f"\n{title}")
            for r in rows:
                print(f"  {r.line()}\n      {r.severity}: {r.message}")
    if c.true_gone:
        print("\nJudged true, no longer raised:")
        for j in c.true_gone:
            print(f"  {j.file}\t{j.code}\t{j.key}")
    if c.false_gone:
        print("\nJudged false, no longer raised (mark them fixed):")
        for j in c.false_gone:
            print(f"  {j.file}\t{j.code}\t{j.key}")
    print(f"\nTable: {TABLE.relative_to(ROOT)}")
    return 0


def _names(prefixes: list[str]) -> set[str]:
    files = review_files()
    return {p.name for p in files if not prefixes or p.name.startswith(tuple(prefixes))}


if __name__ == "__main__":
    raise SystemExit(main())
