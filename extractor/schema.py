"""The JSON Schema of ``extractor audit --format json``, generated from the contract models.

The committed copy is extractor/data/audit.schema.json; regenerate it with
``python -m extractor.schema > extractor/data/audit.schema.json`` after changing extractor/contract.py
(a test fails while the two differ).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from extractor.contract import ContractModel, Report

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "audit.schema.json"


class AuditOutput(ContractModel):
    """What ``extractor audit --format json`` prints."""

    reports: list[Report]


def audit_schema() -> dict[str, Any]:
    schema = AuditOutput.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "extractor audit output"
    return schema


def schema_text() -> str:
    return json.dumps(audit_schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
