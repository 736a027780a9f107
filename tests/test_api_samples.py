"""The samples uploaded as one batch, on SQLite and PostgreSQL: every file gets its report, each report equals
what ``extractor audit FILE --format json`` prints for the same file, and uploading the batch again creates
no second audit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from api.db import Report
from tests.api_fixtures import Service, pg_admin_url, service

__all__ = ["pg_admin_url", "service"]  # fixtures used by the tests below

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
REPORT_SUFFIXES = {".pdf", ".docx", ".doc", ".xlsx", ".txt", ".md"}


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
    if len(files) < 5:
        pytest.skip(f"{SAMPLES} holds no samples (regenerate them with ./dev samples)")
    return files


@pytest.fixture(scope="session")
def cli_reports() -> dict[str, dict[str, Any]]:
    """``extractor audit … --format json`` of every sample, run once per session from samples/ (so that each
    report's source.path is the bare file name, as an upload names it)."""
    files = sample_files()
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "audit", *[p.name for p in files], "--format", "json"],
        cwd=SAMPLES,
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr.decode(errors="replace")
    reports = json.loads(done.stdout)["reports"]
    return {r["source"]["path"]: r for r in reports}


def test_samples_as_one_batch_equal_the_cli_and_are_audited_once(
    service: Service, cli_reports: dict[str, dict[str, Any]]
) -> None:
    files = sample_files()
    body = service.upload("auditor", [(p.name, p.read_bytes()) for p in files], name="samples")
    assert [i["filename"] for i in body["items"]] == [p.name for p in files]
    progress = service.wait(body["id"], seconds=600)
    assert progress["total"] == len(files) and progress["queued"] == progress["running"] == 0
    assert progress["refused"] == progress["failed"] == 0
    headers = service.headers("auditor")
    for item in body["items"]:
        got = service.client.get(f"/api/reports/{item['report_id']}", headers=headers)
        assert got.status_code == 200, got.text
        assert got.json() == cli_reports[item["filename"]], item["filename"]

    listed = service.client.get("/api/reports", headers=headers, params={"batch": body["id"], "per_page": 500})
    assert listed.json()["total"] == len(files)

    app: Any = service.client.app
    with app.state.factory() as session:
        before = session.scalar(select(func.count()).select_from(Report))
    again = service.upload("auditor", [(p.name, p.read_bytes()) for p in files])
    assert [i["report_id"] for i in again["items"]] == [i["report_id"] for i in body["items"]]
    assert all(i["state"] in ("done", "unreadable") for i in again["items"])
    with app.state.factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == before
