"""The isolated runner (extractor.isolation) as the CLI's batch uses it: a file that hangs, crashes or runs
its child out of memory costs that file only, with its reason; the rest of the batch is audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import isolation
from extractor.audit import audit_file
from extractor.batch import audit_many
from extractor.contract import Report
from extractor.rules.rubric import Rubric

REPORT = "UBND XÃ AN HÒA\nBÁO CÁO kết quả chuyển đổi số quý I năm 2026 (tệp {i})\n"
ROOT = Path(__file__).resolve().parents[1]


def _files(tmp_path: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        files.append(tmp_path / f"bao-cao-{i}.txt")
        files[-1].write_text(REPORT.format(i=i), encoding="utf-8")
    return files


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unreadable(report: Report) -> dict[str, str] | None:
    found = [f for f in report.findings if f.code == "UNREADABLE"]
    return None if not found else {"code": found[0].found["code"], "message": found[0].message}


def test_the_cli_batch_gives_a_hanging_file_its_timeout_and_audits_the_rest(tmp_path: Path) -> None:
    files = _files(tmp_path, 4)
    env = dict(os.environ, **{isolation.TEST_HOOKS_ENV: json.dumps({_sha(files[1]): "hang"})})
    started = time.monotonic()
    command = ["diff", str(tmp_path), "--format", "json", "--timeout", "2", "--workers", "2"]
    run = subprocess.run(
        [sys.executable, "-m", "extractor.cli", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    rows = {Path(row["file"]).name: row for row in json.loads(run.stdout)}
    assert sorted(rows) == [f.name for f in files]
    hung = rows["bao-cao-1.txt"]
    assert hung["verdict"] == "unreadable"
    assert "Quá thời gian xử lý (2 giây)" in hung["unreadable"]
    for name in ("bao-cao-0.txt", "bao-cao-2.txt", "bao-cao-3.txt"):
        assert rows[name]["unreadable"] is None and rows[name]["period"] == "quý I năm 2026"
    assert elapsed < 60, f"the batch took {elapsed:.0f} s: the hanging file held it up"


def test_hang_crash_and_memory_cost_one_file_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path, 6)
    hooks = {_sha(files[0]): "hang", _sha(files[2]): "crash", _sha(files[4]): "oom"}
    monkeypatch.setenv(isolation.TEST_HOOKS_ENV, json.dumps(hooks))
    reports = audit_many(files, workers=2, timeout=2, memory_limit=1 << 30)
    assert [r.source.path for r in reports] == [str(f) for f in files]
    reasons = [_unreadable(r) for r in reports]
    assert [r and r["code"] for r in reasons] == ["timeout", None, "worker_crashed", None, "audit_aborted", None]
    oom = reasons[4]
    assert oom is not None
    assert "hết bộ nhớ (giới hạn 1 GiB)" in oom["message"]
    assert all(reports[i].status != "unreadable" for i in (1, 3, 5))


def greedy_audit(path: str | Path, rubric: Rubric | None) -> Report:
    """An auditor that wants 8 GiB at once, as a file that inflates in a parser would."""
    hoard = bytearray(8 << 30)
    hoard[-1] = 1
    return audit_file(path, rubric)


def sleepy_audit(path: str | Path, rubric: Rubric | None) -> Report:
    time.sleep(1.0)
    return audit_file(path, rubric)


def test_the_memory_cap_is_real_not_only_a_hook(tmp_path: Path) -> None:
    files = _files(tmp_path, 2)
    reports = audit_many(files, workers=1, timeout=30, memory_limit=512 << 20, auditor=greedy_audit)
    for report in reports:
        reason = _unreadable(report)
        assert reason is not None and reason["code"] == "audit_aborted"
        assert "hết bộ nhớ (giới hạn 512 MiB)" in reason["message"]


def test_a_files_clock_starts_when_a_child_takes_it(tmp_path: Path) -> None:
    """Three files of one second each through one child with a 1.8 s limit: queued time is not counted."""
    files = _files(tmp_path, 3)
    reports = audit_many(files, workers=1, timeout=1.8, auditor=sleepy_audit)
    assert [_unreadable(r) for r in reports] == [None, None, None]


def test_without_the_environment_no_hook_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(isolation.TEST_HOOKS_ENV, raising=False)
    init, args = isolation.child_initializer(1 << 30)
    assert init is isolation._child_init and args == (1 << 30, os.getpid())
    monkeypatch.setenv(isolation.TEST_HOOKS_ENV, json.dumps({"ab": "hang"}))
    init, args = isolation.child_initializer(1 << 30)
    assert init is isolation._test_child_init and args[-1] == {"ab": "hang"}


def test_reasons_are_given_in_both_languages() -> None:
    assert isolation.timeout_reason(2.5) == ("quá thời gian 2.5 giây", "timed out after 2.5 seconds")
    assert isolation.memory_reason(3 << 29) == ("hết bộ nhớ (giới hạn 1536 MiB)", "out of memory (limit 1536 MiB)")
    vi, en = isolation.crash_reason(-9)
    assert "(mã -9, SIGKILL)" in vi and "(code -9, SIGKILL)" in en
