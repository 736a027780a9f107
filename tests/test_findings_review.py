"""Every finding the audit raises on the seeds and the real documents is in the reviewed table, judged by hand.

A finding judged true must not disappear; a false alarm the rules no longer raise is marked "fixed" and must
not come back; a finding not in the table fails the test with the line to add (judge it, then add it). The
precision of warnings and errors together (true / all raised) must stay at or above PRECISION.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractor.audit import audit_file
from extractor.checks.findings import SEVERITY
from tests.findings_review import FOLDERS, TABLE, compare, raised, read_table, review_files

PRECISION = 0.95
MUST_STAY = {  # the true findings the seeds and documents are known for: (file prefix, code, key contains)
    ("004_", "PERCENT_FRACTION_MISMATCH", "24.152/29.950"),
    ("004_", "CONFLICTING_VALUES", "88,2%"),
    ("01_", "PERCENT_FRACTION_MISMATCH", "552.693/513.672"),
    ("17_", "PERCENT_FRACTION_MISMATCH", "17.019/17.525"),
    ("17_", "PARTS_SUM_MISMATCH", "305.712"),
    ("17_", "PARTS_SUM_MISMATCH", "82.438"),
}

FILES = review_files()


def test_table_is_well_formed() -> None:
    table = read_table()
    assert table, f"{TABLE} holds no judged finding"
    unknown = {j.code for j in table} - set(SEVERITY)
    assert not unknown, f"codes the audit does not know: {unknown}"
    assert all(j.reason.strip() and j.reason != "?" for j in table), "every verdict needs its reason"


def test_precision_of_warnings_and_errors() -> None:
    """The table holds what the audit raises (the tests below), so its verdicts give the audit's precision."""
    judged = Counter(j.verdict for j in read_table() if SEVERITY[j.code] in ("warning", "error"))
    raised_now = judged["true"] + judged["false"]
    assert raised_now, "no warning or error judged"
    assert judged["true"] / raised_now >= PRECISION, judged


@pytest.mark.parametrize(("prefix", "code", "needle"), sorted(MUST_STAY))
def test_known_true_findings_are_judged_true(prefix: str, code: str, needle: str) -> None:
    lines = [j for j in read_table() if j.file.startswith(prefix) and j.code == code and needle in j.key]
    assert lines and all(j.verdict == "true" for j in lines), (prefix, code, needle)


@pytest.mark.slow
@pytest.mark.realdocs
@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: p.name[:24] if isinstance(p, Path) else "absent")
def test_findings_match_the_review(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"neither {FOLDERS['seeds']} nor {FOLDERS['realdocs']} is checked out beside the project")
    found = raised(path.name, audit_file(path))
    c = compare(found, read_table(), {path.name})
    problems = [f"not reviewed yet, judge it and add:\n{r.line()}\t# {r.message}" for r in c.unreviewed]
    problems += [f"a fixed false alarm is raised again: {r.code} {r.key}\n  {r.message}" for r in c.false_back]
    problems += [f"judged true, no longer raised: {j.code} {j.key}" for j in c.true_gone]
    problems += [f"judged false and no longer raised, mark it fixed: {j.code} {j.key}" for j in c.false_gone]
    assert not problems, "\n".join(problems)
