"""The surface the service calls: ``extractor.audit`` mirrors ``extractor.parse``, never raises for the file,
and gives what ``extractor audit FILE --format json`` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import extractor
from extractor.contract import Report
from extractor.errors import RubricError
from extractor.files import report_files
from tests.conftest import DATA, SAMPLES

SAMPLE_FILES = report_files([SAMPLES])


@pytest.fixture(scope="module")
def cli_reports() -> dict[str, dict[str, Any]]:
    """``extractor audit samples/ --format json``, once, by file name."""
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "audit", str(SAMPLES), "--format", "json", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode in (0, 1), done.stderr
    return {Path(r["source"]["path"]).name: r for r in json.loads(done.stdout)["reports"]}


def _without_path(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "source": {**report["source"], "path": None}}


def test_the_package_exports_the_public_surface() -> None:
    for name in ("audit", "audit_many", "list_rubrics", "parse", "Report", "Finding", "Location"):
        assert name in extractor.__all__ and hasattr(extractor, name)
    assert callable(extractor.audit) and extractor.Report is Report
    assert any(r.id == "hp-cds-xa-quy-2026" for r in extractor.list_rubrics())


def test_the_name_audit_stays_the_function_beside_the_module_of_the_same_name() -> None:
    import importlib

    import extractor.audit  # importing the module again must not rebind the name

    module = importlib.import_module("extractor.audit")
    assert callable(extractor.audit) and extractor.audit is not module
    assert module.audit_file is not None


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_audit_of_bytes_equals_the_command_line(path: Path, cli_reports: dict[str, dict[str, Any]]) -> None:
    report = extractor.audit(path.read_bytes(), filename=path.name)
    assert report.source.path == path.name
    assert _without_path(report.model_dump(mode="json")) == _without_path(cli_reports[path.name])


def test_audit_of_a_path_equals_the_command_line(cli_reports: dict[str, dict[str, Any]]) -> None:
    path = SAMPLES / "000_cong-van-phu-luc.docx"
    report = extractor.audit(path)
    assert report.model_dump(mode="json") == cli_reports[path.name]
    assert report.status == "ok"


BAD = sorted((DATA / "bad").iterdir()) if (DATA / "bad").is_dir() else []


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_a_file_that_cannot_be_read_is_an_unreadable_report_not_an_exception(path: Path) -> None:
    report = extractor.audit(path.read_bytes(), filename=path.name)
    assert report.status == "unreadable"
    (finding,) = report.findings
    assert finding.code == "UNREADABLE" and finding.severity == "error"
    assert finding.found["code"] == path.name.split("__")[0]  # the files are named after their error
    assert finding.message.startswith("Không đọc được tệp: ")
    assert report.source.path == path.name and len(report.source.sha256) == 64


def test_unreadable_bytes_and_paths() -> None:
    empty = extractor.audit(b"", filename="trong.pdf")
    assert empty.status == "unreadable" and empty.source.path == "trong.pdf"
    assert empty.findings[0].found["code"] == "empty_file"
    missing = extractor.audit(SAMPLES / "khong-co-tep-nay.pdf")
    assert missing.status == "unreadable" and missing.source.sha256 == ""


def test_a_bad_rubric_is_the_callers_error_and_raises() -> None:
    with pytest.raises(RubricError):
        extractor.audit(SAMPLES / "000_86fb9651f283ba60.txt", rubric="khong-co-bo-tieu-chi-nay")


def test_status_is_partial_when_pages_were_left_unread() -> None:
    from extractor.options import ParseOptions

    path = SAMPLES / "004_bao-cao.pdf"
    whole = extractor.audit(path)
    part = extractor.audit(path, options=ParseOptions(max_pages=1))
    assert whole.status == "ok" and whole.source.pages and whole.source.pages > 1
    assert part.status == "partial"
