"""Layering checked by a machine: the import-linter contracts of pyproject.toml hold, and they can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (the dev extra)")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_the_layer_contracts_are_kept() -> None:
    done = _lint(ROOT / "pyproject.toml", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout and " 0 broken" in done.stdout


def test_a_broken_layer_is_reported(tmp_path: Path) -> None:
    """audit runs the checks, so a contract forbidding it must break: the linter does look."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["extractor"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "audit without checks"\ntype = "forbidden"\n'
        'source_modules = ["extractor.audit"]\nforbidden_modules = ["extractor.checks"]\n',
        encoding="utf-8",
    )
    done = _lint(config, tmp_path)
    assert done.returncode != 0 and "BROKEN" in done.stdout.upper()


def test_the_diff_library_no_longer_imports_the_command_line() -> None:
    graph = grimp.build_graph("extractor")
    assert not graph.chain_exists(importer="extractor.diff", imported="extractor.cli", as_packages=True)
    assert "extractor.diff" in graph.find_upstream_modules("extractor.cli", as_package=True)  # cli uses diff
    users_of_cli = graph.find_downstream_modules("extractor.cli", as_package=True)
    assert {m for m in users_of_cli if not m.startswith("extractor.cli.")} == set()


def test_the_lint_tool_is_pinned() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("import-linter==") for line in lock)
    assert shutil.which("lint-imports", path=str(LINT_IMPORTS.parent)) or not LINT_IMPORTS.exists()
