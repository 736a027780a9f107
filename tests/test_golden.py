"""Golden audits of the samples: what the product says about each, reviewed by hand.

A golden file holds a compact view of the audit (header, rows claimed vs recomputed, totals, every
finding with its place and quote), small enough to read in full before committing. Regenerate with
``EXTRACTOR_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_golden.py``, then read the diff: a golden file
that records a wrong answer protects the bug. The switch must not stay on (a test fails while it is).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from extractor.audit import audit_file
from extractor.contract import Report
from extractor.files import report_files

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("EXTRACTOR_REGEN_GOLDEN") == "1"
SAMPLES = [p for p in report_files([ROOT / "samples"]) if p.name[:1].isdigit()]


def golden_view(report: Report) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    card = data["scorecard"] or {}
    return {
        "document": {k: v for k, v in data["document"].items() if v is not None},
        "scorecard": {
            "estimated": card.get("estimated"),
            "rubric": card.get("rubric"),
            "rows": [_row(r) for r in card.get("rows", [])],
            "totals": {k: card.get(k) for k in ("claimed_total", "recomputed_total", "threshold")},
            "verdicts": {k: card.get(k) for k in ("claimed_verdict", "recomputed_verdict")},
        },
        "letter_total": data["letter_total"],
        "citations": len(data["citations"]),
        "metrics": len(data["metrics"]),
        "findings": [
            {
                "code": f["code"],
                "criterion_id": f["criterion_id"],
                "message": f["message"],
                "where": [f["location"]["page"], f["location"]["line"], f["location"]["table"], f["location"]["row"]]
                if f["location"]
                else None,
                "quote": " ".join(f["location"]["quote"].split())[:120] if f["location"] else None,
            }
            for f in data["findings"]
        ],
    }


def _row(r: dict[str, Any]) -> str:
    """One line a reader can check: "9 C09 max 5.0 claimed 4.63 recomputed 4.63 | 5 × 92,5% (…)"."""
    points = f"max {r['max_points']} claimed {r['claimed_points']} recomputed {r['recomputed_points']}"
    return f"{r['stt']} {r['criterion_id']} {points} | {r['note']}"


def test_regeneration_switch_is_off() -> None:
    assert not REGEN, "EXTRACTOR_REGEN_GOLDEN=1 rewrites the golden files: review them and unset the switch"


def test_every_sample_has_a_golden_file() -> None:
    assert SAMPLES, "samples/ holds no report"
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(f"{p.name}.json" for p in SAMPLES)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_audit_matches_golden(path: Path) -> None:
    view = golden_view(audit_file(path))
    golden = GOLDEN / f"{path.name}.json"
    text = json.dumps(view, ensure_ascii=False, indent=1) + "\n"
    if REGEN:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: regenerate with EXTRACTOR_REGEN_GOLDEN=1"
    assert json.loads(golden.read_text(encoding="utf-8")) == json.loads(text)
