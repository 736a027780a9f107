"""Every input the fuzzers found (tests/data/fuzz-regressions/<target>-<sha1>) is audited in the isolated
runner and gets a report that is neither an internal error nor a crash nor a timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.batch import audit_many

REGRESSIONS = Path(__file__).resolve().parents[1] / "data" / "fuzz-regressions"
TARGETS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "text": "txt"}
FOUND = sorted(p for p in REGRESSIONS.glob("*-*") if p.is_file() and p.name.split("-", 1)[0] in TARGETS)
# Findings whose fix lies outside the parsers, asked of the lead: strict, so a fix turns them into failures
# until the entry is removed.
KNOWN: dict[str, str] = {}  # regression files of crashes not fixed yet: name -> why
CASES = [
    pytest.param(p, id=p.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[p.name])] if p.name in KNOWN else [])
    for p in FOUND
]


def test_the_regression_folder_is_named_as_the_fuzz_script_writes_it() -> None:
    assert (REGRESSIONS / "README.md").is_file()
    assert set(KNOWN) <= {p.name for p in FOUND}
    for path in REGRESSIONS.iterdir():
        assert path.name == "README.md" or path.name.split("-", 1)[0] in TARGETS, path.name


@pytest.mark.parametrize("path", CASES)
def test_a_fuzz_finding_is_audited_without_a_defect(path: Path, tmp_path: Path) -> None:
    named = tmp_path / f"{path.name}.{TARGETS[path.name.split('-', 1)[0]]}"
    named.write_bytes(path.read_bytes())
    (report,) = audit_many([named], workers=1, timeout=60)
    codes = [f.found.get("code") for f in report.findings if f.code == "UNREADABLE" and isinstance(f.found, dict)]
    assert not set(codes) & {"internal_error", "worker_crashed", "timeout", "audit_aborted"}, codes
