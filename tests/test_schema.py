"""The audit JSON output follows the committed JSON Schema, which follows the contract models."""

from __future__ import annotations

import json

import jsonschema
import pytest

from extractor.cli import main
from extractor.schema import SCHEMA_PATH, schema_text


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python -m extractor.schema > extractor/data/audit.schema.json"
    )


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_audit_json_validates_against_schema(seed, prefix: str, capsys) -> None:
    main(["audit", str(seed(prefix)), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert len(out["reports"]) == 1


def test_unreadable_file_report_validates_too(capsys) -> None:
    from pathlib import Path

    bad = Path(__file__).parent / "data" / "bad" / "unsupported_format__garbage.bin"
    code = main(["audit", str(bad), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert code == 2 and out["reports"][0]["findings"][0]["code"] == "UNREADABLE"


def test_schema_rejects_a_report_missing_a_contract_field(seed, capsys) -> None:
    main(["audit", str(seed("000")), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    del out["reports"][0]["scorecard"]["rows"][0]["claimed_points"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(out, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
