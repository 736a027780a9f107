"""The reviewed findings table (tests/data/findings_review.tsv): every finding the audit raises on the seeds and
the real documents, judged by hand as true or false.

A finding is keyed by its file, code, criterion and a key that survives small changes elsewhere: what it found
(a value, a pair of numbers) and the start of its quote, folded (lower case, no diacritics, single spaces).
The same key may occur more than once in a file: the table then holds as many lines.

Verdicts: "true" (an inconsistency an auditor should see), "false" (a false alarm still raised), "fixed" (a false
alarm the rules no longer raise: the line stays so that it cannot come back unnoticed).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from extractor.contract import Finding, Report
from extractor.textnorm import fold

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path(__file__).resolve().parent / "data" / "findings_review.tsv"
SHARED = ROOT.parent / "shared"
FOLDERS = {"seeds": SHARED / "seeds", "realdocs": SHARED / "realdocs"}
REVIEWED = ("error", "warning", "info")
QUOTE_CHARS = 90
VERDICTS = ("true", "false", "fixed")
COLUMNS = ("file", "code", "criterion", "key", "verdict", "reason")


@dataclass(frozen=True)
class Raised:
    file: str
    code: str
    criterion: str
    key: str
    severity: str
    message: str

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return self.file, self.code, self.criterion, self.key

    def line(self, verdict: str = "?", reason: str = "?") -> str:
        return "\t".join((*self.ident, verdict, reason))


@dataclass(frozen=True)
class Judged:
    file: str
    code: str
    criterion: str
    key: str
    verdict: str  # true | false | fixed
    reason: str

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return self.file, self.code, self.criterion, self.key


def review_files() -> list[Path]:
    """The seeds (text) and every real document, in a stable order; absent folders give nothing."""
    out: list[Path] = []
    seeds, real = FOLDERS["seeds"], FOLDERS["realdocs"]
    if seeds.is_dir():
        out += sorted(seeds.glob("*.txt"))
    if real.is_dir():
        out += sorted(p for p in real.iterdir() if p.is_file() and p.name not in ("README.md", "MANIFEST.tsv"))
    return out


def _scalars(value: object) -> list[str]:
    """The values a finding found, without quotes and locations: {"lower": {"number": 1302, …}} -> ["1302", …]."""
    if isinstance(value, dict):
        if "value" in value:
            return _scalars(value["value"])
        return [s for k, v in sorted(value.items()) if k not in ("quote", "location", "text") for s in _scalars(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _scalars(v)]
    return [] if value is None else [str(value)]


def _brief(value: object) -> list[str]:
    """A finding without a place: its error code, or a lone value (not a list that other changes may grow)."""
    if isinstance(value, dict):
        return [str(value["code"])] if "code" in value else []
    return [] if isinstance(value, list | tuple) else _scalars(value)


def finding_key(f: Finding) -> str:
    """What was found and where, folded: "80.9 @ 24.152/29.950 truong hop, dat 80,9%"."""
    quote = fold(f.location.quote)[:QUOTE_CHARS] if f.location and f.location.quote else ""
    found = fold(" ".join(_scalars(f.found) if quote else _brief(f.found)))[:60]
    if quote and (quote.startswith(found) or found.startswith(quote)):
        found = ""
    if not found and not quote:
        found = fold(" ".join(_scalars(f.expected)))[:60]
    return " @ ".join(p for p in (found, quote) if p).replace("\t", " ")


def raised(file: str, report: Report) -> list[Raised]:
    return [
        Raised(file, f.code, f.criterion_id or "", finding_key(f), f.severity, f.message)
        for f in report.findings
        if f.severity in REVIEWED
    ]


def read_table(path: Path = TABLE) -> list[Judged]:
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    out = []
    for r in rows:
        verdict = r["verdict"].strip().lower()
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}: {r}")
        out.append(Judged(r["file"], r["code"], r["criterion"], r["key"], verdict, r["reason"]))
    return out


@dataclass
class Comparison:
    unreviewed: list[Raised]  # raised, not in the table
    false_back: list[Raised]  # raised, judged false and fixed: the false alarm came back
    true_gone: list[Judged]  # judged true, no longer raised
    false_gone: list[Judged]  # judged false, no longer raised: to be marked fixed
    matched: list[tuple[Raised, Judged]]


def compare(found: Iterable[Raised], table: Iterable[Judged], files: set[str]) -> Comparison:
    """Match raised findings to the table's lines for ``files`` (as many times as each key occurs)."""
    pending: dict[tuple[str, str, str, str], list[Judged]] = {}
    for j in table:
        if j.file in files:
            pending.setdefault(j.ident, []).append(j)
    c = Comparison([], [], [], [], [])
    for r in found:
        lines = pending.get(r.ident)
        if not lines:
            c.unreviewed.append(r)
            continue
        j = lines.pop(0)
        c.matched.append((r, j))
        if j.verdict == "fixed":
            c.false_back.append(r)
    for rest in pending.values():
        for j in rest:
            if j.verdict != "fixed":
                (c.true_gone if j.verdict == "true" else c.false_gone).append(j)
    return c


def precision(found: Iterable[Raised], table: Iterable[Judged], severities: tuple[str, ...]) -> dict[str, Counter]:
    """Per code: how many raised findings of these severities were judged true, false, or are unreviewed."""
    found = list(found)
    files = {r.file for r in found}
    c = compare(found, table, files)
    per: dict[str, Counter] = {}
    for r, j in c.matched:
        if r.severity in severities:
            per.setdefault(r.code, Counter())["false" if j.verdict == "fixed" else j.verdict] += 1
    for r in c.unreviewed:
        if r.severity in severities:
            per.setdefault(r.code, Counter())["unreviewed"] += 1
    return per
