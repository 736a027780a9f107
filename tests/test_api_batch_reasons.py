"""The batch status names why each file was not audited (unreadable, failed, refused) as its report stores it,
without reading every report's stored JSON, and its OpenAPI schema says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, update

from api.db import Report
from tests.api_fixtures import Service, pg_admin_url, service, zip_bytes

__all__ = ["pg_admin_url", "service"]  # fixtures used by the tests below

REPORT = ("ỦY BAN NHÂN DÂN XÃ TIÊN LÃNG\nSố: 12/BC-UBND\nBÁO CÁO\nKết quả chuyển đổi số quý II năm 2026\n").encode()
GARBAGE_DOCX = b"PK\x03\x04" + bytes(range(256)) * 2  # a .docx that is no zip at all


@pytest.fixture(scope="module")
def mixed(service: Service) -> dict[str, Any]:
    """A good text file, an empty .docx, a garbage .docx and an empty zip (refused before storing)."""
    files = [("tot.txt", REPORT), ("rong.docx", b""), ("rac.docx", GARBAGE_DOCX), ("rong.zip", zip_bytes([]))]
    upload = service.upload("auditor", files)
    progress = service.wait(upload["id"])
    return {"upload": upload, "items": {i["filename"]: i for i in progress["items"]}}


def _unreadable_finding(service: Service, report_id: int) -> dict[str, Any]:
    report = service.client.get(f"/api/reports/{report_id}", headers=service.headers("auditor")).json()
    (finding,) = [f for f in report["findings"] if f["code"] == "UNREADABLE"]
    return finding  # type: ignore[no-any-return]


def test_an_unreadable_file_carries_the_reason_its_report_stores(service: Service, mixed: dict[str, Any]) -> None:
    items = mixed["items"]
    for name, code in (("rong.docx", "empty_file"), ("rac.docx", None)):
        item = items[name]
        assert item["state"] == "unreadable" and item["status"] == "unreadable", item
        finding = _unreadable_finding(service, item["report_id"])
        reason = item["reason"]
        assert reason == {
            "code": finding["found"]["code"],
            "message_vi": finding["message"],
            "message_en": finding["found"]["message_en"],
        }
        assert code is None or reason["code"] == code
        assert reason["message_vi"].startswith("Không đọc được tệp") and reason["message_en"]
        assert item["error"] == f"{reason['message_vi']} / {reason['message_en']}"


def test_a_refused_file_has_its_reason_and_a_readable_one_none(mixed: dict[str, Any]) -> None:
    refused = mixed["items"]["rong.zip"]
    assert refused["state"] == "refused" and refused["reason"]["code"] == "refused"
    assert refused["reason"]["message_en"] == "the zip holds no file" and refused["reason"]["message_vi"]
    good = mixed["items"]["tot.txt"]
    assert good["state"] == "done" and good["reason"] is None and good["error"] is None
    upload = {i["filename"]: i for i in mixed["upload"]["items"]}
    assert upload["rong.zip"]["reason"] == refused["reason"] and upload["tot.txt"]["reason"] is None


def test_a_failed_audit_gives_its_stored_error_as_the_reason(service: Service) -> None:
    upload = service.upload("auditor", [("hong.txt", REPORT + b"failed")])
    service.wait(upload["id"])
    app: Any = service.client.app
    with app.state.factory.begin() as session:
        session.execute(
            update(Report)
            .where(Report.id == upload["items"][0]["report_id"])
            .values(state="failed", error="Tiến trình dừng đột ngột / the process died")
        )
    body = service.client.get(f"/api/batches/{upload['id']}", headers=service.headers("auditor")).json()
    (item,) = body["items"]
    assert body["failed"] == 1 and item["state"] == "failed"
    assert item["reason"] == {
        "code": "audit_failed",
        "message_vi": "Tiến trình dừng đột ngột",
        "message_en": "the process died",
    }


@contextmanager
def _statements(service: Service) -> Iterator[list[str]]:
    app: Any = service.client.app
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)


def test_the_status_reads_the_stored_json_of_unreadable_reports_only(service: Service, mixed: dict[str, Any]) -> None:
    batch_id = mixed["upload"]["id"]
    with _statements(service) as seen:
        response = service.client.get(f"/api/batches/{batch_id}", headers=service.headers("auditor"))
    assert response.status_code == 200
    reading_json = [s for s in seen if "report_json" in s]
    assert len(reading_json) == 1 and "IN" in reading_json[0].upper(), reading_json  # the two unreadable ones
    good = service.upload("auditor", [("chi-tot.txt", REPORT + b"good only")])
    service.wait(good["id"])
    with _statements(service) as seen:
        service.client.get(f"/api/batches/{good['id']}", headers=service.headers("auditor"))
        service.client.get("/api/batches", headers=service.headers("auditor"))
    assert [s for s in seen if "report_json" in s] == []


def test_the_openapi_schema_describes_the_batch_status_and_its_reasons(service: Service) -> None:
    spec = service.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def ref(response: dict[str, Any]) -> str:
        return str(response["content"]["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]

    status = ref(spec["paths"]["/api/batches/{batch_id}"]["get"]["responses"]["200"])
    listed = ref(spec["paths"]["/api/batches"]["get"]["responses"]["200"])
    uploaded = ref(spec["paths"]["/api/batches"]["post"]["responses"]["201"])
    assert {"items", "total", "unreadable", "failed", "refused", "finished"} <= set(schemas[status]["required"])
    assert "batches" in schemas[listed]["properties"] and "items" in schemas[uploaded]["properties"]
    item = schemas[schemas[status]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert "reason" in item["required"] and "error" in item["required"]
    assert set(item["properties"]["state"]["enum"]) == {"queued", "running", "done", "unreadable", "failed", "refused"}
    reason = next(s["$ref"] for s in item["properties"]["reason"]["anyOf"] if "$ref" in s).rsplit("/", 1)[-1]
    assert set(schemas[reason]["required"]) == {"code", "message_vi", "message_en"}
