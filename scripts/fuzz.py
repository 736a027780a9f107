"""Fuzz one parser (and the rules and checks behind it) with atheris for a chosen time.

    .venv/bin/python scripts/fuzz.py --target pdf --seconds 600
    .venv/bin/python scripts/fuzz.py --target all --seconds 60      # each target in turn

Each input is audited as the target's format (``extractor.audit(data, filename="fuzz.<ext>")``, OCR off). A
typed refusal (an UNREADABLE report for a corrupt, unsafe or unsupported file) is the expected answer; an
``internal_error`` (an exception of ours caught by the library), an uncaught exception, a crash of the process,
an input taking more than ``--input-timeout`` seconds or more memory than ``--rss-mb`` is a finding. The seed
corpus is the target's files in samples/ and tests/data/ (the bad inputs included); the fuzzer runs in a child
process (libFuzzer ends the process when it finds something), and each finding is copied to
``tests/data/fuzz-regressions/<target>-<sha1>`` — the regression test (tests/fuzz/test_fuzz_regressions.py)
audits every file there. The last line printed is a summary: target, seconds, executions, findings.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGRESSIONS = ROOT / "tests" / "data" / "fuzz-regressions"
SEED_DIRS = [ROOT / "samples", ROOT / "tests" / "data"]
TARGETS = {"pdf": ("pdf",), "docx": ("docx",), "xlsx": ("xlsx",), "text": ("txt", "md", "tsv")}
MAX_SEED_BYTES = 2 * 1024 * 1024


def seeds(target: str) -> list[Path]:
    suffixes = TARGETS[target]
    found = [p for d in SEED_DIRS for p in d.rglob("*") if p.is_file() and p.suffix.lstrip(".") in suffixes]
    found += [p for p in REGRESSIONS.glob(f"{target}-*") if p.is_file()]
    return sorted(p for p in found if p.stat().st_size <= MAX_SEED_BYTES)


def child(target: str, argv: list[str]) -> None:
    """The fuzzing process: atheris over extractor.audit for one target (never returns)."""
    import atheris

    with atheris.instrument_imports(include=["extractor"]):
        import extractor
        from extractor.options import ParseOptions

    options = ParseOptions(ocr=False, max_pages=50, convert_timeout=10)
    filename = f"fuzz.{TARGETS[target][0]}"

    def one_input(data: bytes) -> None:
        report = extractor.audit(data, filename=filename, options=options)
        for finding in report.findings:
            found = finding.found if isinstance(finding.found, dict) else {}
            if finding.code == "UNREADABLE" and found.get("code") == "internal_error":
                raise RuntimeError(f"internal error: {found.get('detail')}")

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


def run(target: str, seconds: int, input_timeout: int, rss_mb: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{target}-") as tmp:
        corpus, artifacts = Path(tmp, "corpus"), Path(tmp, "artifacts")
        corpus.mkdir()
        artifacts.mkdir()
        for seed in seeds(target):
            shutil.copy(seed, corpus / hashlib.sha1(seed.read_bytes()).hexdigest())
        argv = [
            str(corpus),
            f"-max_total_time={seconds}",
            f"-timeout={input_timeout}",
            f"-rss_limit_mb={rss_mb}",
            "-max_len=1048576",
            f"-artifact_prefix={artifacts}/",
            "-print_final_stats=1",
        ]
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, __file__, "--child", target, "--", *argv],
            capture_output=True,
            text=True,
            cwd=tmp,
            check=False,
        )
        elapsed = time.monotonic() - started
        executions = _executions(proc.stderr)
        findings = []
        REGRESSIONS.mkdir(parents=True, exist_ok=True)
        for artifact in sorted(artifacts.iterdir()):
            data = artifact.read_bytes()
            kind = artifact.name.split("-", 1)[0]  # crash, timeout, oom, leak, slow-unit
            name = f"{target}-{hashlib.sha1(data).hexdigest()}"
            (REGRESSIONS / name).write_bytes(data)
            findings.append(f"{kind}:{name}")
        if proc.returncode not in (0, 1, 70, 71, 77) or (proc.returncode and not findings):
            sys.stderr.write(proc.stderr[-4000:])
        return {"target": target, "seconds": round(elapsed), "executions": executions, "findings": findings}


def _executions(log: str) -> int:
    done = re.findall(r"Done (\d+) runs", log)
    if done:
        return int(done[-1])
    stats = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    if stats:
        return int(stats[-1])
    progress = re.findall(r"#(\d+)\s", log)
    return int(progress[-1]) if progress else 0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[4:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=[*TARGETS, "all"], required=True)
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument("--input-timeout", type=int, default=30, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory the fuzzing process may use")
    args = parser.parse_args()
    targets = list(TARGETS) if args.target == "all" else [args.target]
    failed = False
    for target in targets:
        result = run(target, args.seconds, args.input_timeout, args.rss_mb)
        print(
            f"target={result['target']} seconds={result['seconds']} executions={result['executions']} "
            f"findings={len(result['findings'])} {' '.join(result['findings'])}".rstrip(),  # type: ignore[arg-type]
            flush=True,
        )
        failed = failed or bool(result["findings"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
