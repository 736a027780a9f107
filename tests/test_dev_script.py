"""The set-up never hangs silently: every network step of ./dev is bounded, retried and says what it waits for."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from tests.conftest import ROOT

DEV = ROOT / "dev"


def _step(*command: str) -> subprocess.CompletedProcess[str]:
    """Run ./dev's ``step`` function alone (taken from the script) with ``command``."""
    if shutil.which("bash") is None or shutil.which("timeout") is None:
        pytest.skip("bash and coreutils' timeout are needed")
    script = DEV.read_text(encoding="utf-8")
    function = re.search(r"^step\(\) \{.*?^\}", script, re.DOTALL | re.MULTILINE)
    assert function, "./dev has no step function"
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail\n{function.group()}\nstep "$@"', "step", *command],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_script_parses() -> None:
    assert subprocess.run(["bash", "-n", str(DEV)], capture_output=True).returncode == 0


def test_every_apt_and_pip_call_is_a_bounded_step_with_timeouts_and_retries() -> None:
    script = DEV.read_text(encoding="utf-8")
    assert "Acquire::Retries=3" in script and "Acquire::http::Timeout=30" in script
    assert "--timeout 30 --retries 3" in script
    logical = [line.strip() for line in script.replace("\\\n", " ").splitlines()]
    calls = [line for line in logical if re.search(r"apt-get|pip install", line) and not line.startswith(("echo", "#"))]
    assert len(calls) >= 4, calls  # apt update, apt install, the lock's packages, extractor itself
    for line in calls:
        assert line.startswith("step "), line
        assert "APT_OPTS" in line or "PIP_OPTS" in line, line


def test_a_step_that_outlasts_its_limit_stops_with_a_message_in_both_languages() -> None:
    began = time.monotonic()
    done = _step("1", "tải thử / trying a download", "sleep", "30")
    assert time.monotonic() - began < 20
    assert done.returncode == 1
    assert "==> tải thử / trying a download (chờ tối đa / waiting at most 1 s)" in done.stderr
    assert "quá 1 giây" in done.stderr and "gave up after 1 s" in done.stderr
    assert "Kiểm tra mạng" in done.stderr and "Check the network" in done.stderr


def test_a_failing_step_names_its_status_and_a_good_one_is_silent_after_its_line() -> None:
    failed = _step("10", "cài / installing", "false")
    assert failed.returncode == 1 and "mã 1" in failed.stderr and "status 1" in failed.stderr
    ok = _step("10", "cài / installing", "true")
    assert ok.returncode == 0 and ok.stderr.strip() == "==> cài / installing (chờ tối đa / waiting at most 10 s)"
