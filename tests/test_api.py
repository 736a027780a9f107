"""The HTTP API through a real HTTP client, on SQLite and on PostgreSQL: every endpoint, and its error paths
with the one error shape checked."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import func, select

import extractor
from api.db import Report
from tests.api_fixtures import COMMUNE_A, Service, assert_error, pg_admin_url, service
from tests.test_planted_faults import TEMPLATE, apply, total

__all__ = ["pg_admin_url", "service"]  # fixtures used by the tests below

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEXT_REPORT = "000_86fb9651f283ba60.txt"  # a commune's letter and scored appendix, as text
PDF_REPORT = "001_cong-van.pdf"
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00\xff" * 40  # no xref, no pages


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (regenerate samples/ with ./dev samples)")
    return path.read_bytes()


@pytest.fixture(scope="module")
def batch(service: Service) -> dict[str, Any]:
    """One batch uploaded by commune A: a text report, a PDF and a broken file, audited."""
    files = [(TEXT_REPORT, sample(TEXT_REPORT)), (PDF_REPORT, sample(PDF_REPORT)), ("hong.pdf", BROKEN_PDF)]
    body = service.upload("commune", files, name="Quý II")
    progress = service.wait(body["id"], "commune")
    return {"upload": body, "progress": progress, "ids": {i["filename"]: i["report_id"] for i in body["items"]}}


def get(service: Service, path: str, role: str = "auditor", **params: Any) -> Any:
    return service.client.get(path, headers=service.headers(role), params=params)


def report_count(service: Service) -> int:
    app: Any = service.client.app
    with app.state.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Report)) or 0)


# --- health and the page ---------------------------------------------------------------------------------------


def test_health_and_readiness_need_no_token(service: Service) -> None:
    health = service.client.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok", "version": extractor.__version__}
    ready = service.client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "data_dir": "ok"}


def test_readiness_is_503_in_the_error_shape_when_the_data_dir_is_not_writable(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr("api.routes.health.tempfile.NamedTemporaryFile", refuse)
    error = assert_error(service.client.get("/health/ready"), 503, "not_ready")
    assert error["detail"]["data_dir"] != "ok" and error["detail"]["database"] == "ok"


def test_root_page_sends_to_the_vietnamese_sign_in_page_and_links_the_docs(service: Service) -> None:
    page = service.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert str(page.url).endswith("/dang-nhap?next=/")
    assert 'lang="vi"' in page.text and 'href="/docs"' in page.text
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", page.text))
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert service.client.get("/docs").status_code == 200
    spec = service.client.get("/openapi.json").json()
    assert "/api/batches" in spec["paths"] and "/api/reports/{report_id}/pages/{page}.png" in spec["paths"]
    assert "multipart/form-data" in spec["paths"]["/api/batches"]["post"]["requestBody"]["content"]


# --- errors of any route ---------------------------------------------------------------------------------------


def test_unknown_route_wrong_method_and_bad_parameters_use_the_error_shape(service: Service) -> None:
    assert_error(get(service, "/api/khong-co"), 404, "not_found")
    assert_error(service.client.get("/khong-co"), 404, "not_found")
    assert_error(service.client.delete("/health"), 405, "method_not_allowed")
    error = assert_error(get(service, "/api/reports", page=0), 422, "invalid")
    assert error["detail"][0]["loc"] == ["query", "page"]
    assert_error(get(service, "/api/reports/abc"), 422, "invalid")
    assert_error(get(service, "/api/reports", verdict="tot"), 422, "invalid")


def test_a_defect_is_a_500_in_the_error_shape_without_a_traceback(service: Service) -> None:
    app: Any = service.client.app

    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/boom-for-test", boom)
    try:
        response = get(service, "/api/boom-for-test")
        assert_error(response, 500, "internal_error")
        assert "secret internal detail" not in response.text and "RuntimeError" not in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", "") != "/api/boom-for-test"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/999999",
        "/api/reports/999999/file",
        "/api/reports/999999/review",
        "/api/reports/999999/findings",
        "/api/reports/999999/pages/1.png",
        "/api/batches/nope",
        "/api/batches/nope/events",
        "/api/batches/nope/findings",
        "/api/batches/nope/export.xlsx",
        "/api/batches/nope/export.csv",
        "/api/findings/999999/reviews",
    ],
)
def test_unknown_ids_are_404_in_the_error_shape(service: Service, path: str) -> None:
    assert_error(get(service, path), 404, "not_found")


def test_unknown_ids_on_writes_are_404(service: Service) -> None:
    client, headers = service.client, service.headers("admin")
    assert_error(client.post("/api/findings/999999/review", headers=headers, json={"decision": "accept"}), 404)
    assert_error(client.post("/api/batches/nope/reaudit", headers=headers), 404)
    assert_error(client.delete("/api/tokens/999999", headers=headers), 404)
    assert_error(client.post("/api/tokens", headers=headers, json={"user_id": 999999}), 404)


# --- batches -------------------------------------------------------------------------------------------------


def test_upload_gives_items_and_progress_counts_every_state(service: Service, batch: dict[str, Any]) -> None:
    upload, progress = batch["upload"], batch["progress"]
    assert [i["filename"] for i in upload["items"]] == [TEXT_REPORT, PDF_REPORT, "hong.pdf"]
    assert all(i["report_id"] and len(i["sha256"]) == 64 and i["error"] is None for i in upload["items"])
    assert upload["commune"] == COMMUNE_A
    assert progress["total"] == 3 and progress["finished"]
    assert (progress["done"], progress["unreadable"], progress["queued"], progress["running"]) == (2, 1, 0, 0)
    states = {i["filename"]: i["state"] for i in progress["items"]}
    assert states == {TEXT_REPORT: "done", PDF_REPORT: "done", "hong.pdf": "unreadable"}
    listed = get(service, "/api/batches", "commune").json()
    assert batch["upload"]["id"] in [b["id"] for b in listed["batches"]] and listed["total"] >= 1


def test_a_broken_file_is_unreadable_with_its_reason_and_the_batch_goes_on(
    service: Service, batch: dict[str, Any]
) -> None:
    report = get(service, f"/api/reports/{batch['ids']['hong.pdf']}").json()
    assert report["status"] == "unreadable"
    unreadable = [f for f in report["findings"] if f["code"] == "UNREADABLE"]
    assert len(unreadable) == 1 and unreadable[0]["message"]
    assert get(service, f"/api/reports/{batch['ids'][TEXT_REPORT]}").json()["status"] == "ok"


def test_report_is_the_contracts_report_of_the_same_file(service: Service, batch: dict[str, Any]) -> None:
    for name in (TEXT_REPORT, PDF_REPORT):
        got = get(service, f"/api/reports/{batch['ids'][name]}").json()
        expected = extractor.audit(sample(name), filename=name).model_dump(mode="json")
        assert got == expected, name


def test_the_same_file_uploaded_again_is_not_audited_again(service: Service, batch: dict[str, Any]) -> None:
    before = report_count(service)
    again = service.upload("auditor", [("ten-khac.txt", sample(TEXT_REPORT))])
    assert again["items"][0]["report_id"] == batch["ids"][TEXT_REPORT]
    assert again["items"][0]["state"] == "done"
    assert report_count(service) == before


def test_rubrics_lists_the_ids_an_upload_may_name(service: Service) -> None:
    body = get(service, "/api/rubrics", "commune").json()
    assert [r["id"] for r in body["rubrics"]] == [r.id for r in extractor.list_rubrics()]
    assert all(r["criteria"] > 0 and r["total_points"] > r["pass_threshold"] > 0 for r in body["rubrics"])


def test_upload_refuses_a_bad_rubric_and_a_request_without_files(service: Service) -> None:
    client, headers = service.client, service.headers("auditor")
    files = [("files", ("a.txt", b"x", "text/plain"))]
    error = assert_error(client.post("/api/batches", headers=headers, files=files, params={"rubric": "khong-co"}), 422)
    assert "khong-co" in error["message_vi"] and "hp-cds-xa-quy-2026" in error["detail"]["rubrics"]
    form = assert_error(client.post("/api/batches", headers=headers, files=files, data={"rubric": "../x"}), 422)
    assert form["code"] == "invalid"
    only_a_field = b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nr\xe1\xbb\x97ng\r\n--b--\r\n'
    multipart = {**headers, "Content-Type": "multipart/form-data; boundary=b"}
    assert_error(client.post("/api/batches", headers=multipart, content=only_a_field), 422, "invalid")
    assert_error(client.post("/api/batches", headers=headers, content=b"{}"), 415, "unsupported_media_type")


def test_batch_events_stream_progress_then_done(service: Service, batch: dict[str, Any]) -> None:
    path = f"/api/batches/{batch['upload']['id']}/events"
    with service.client.stream("GET", path, headers=service.headers("commune")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode("utf-8")
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names == ["progress", "done"]
    assert json.loads(events[-1][1].removeprefix("data: "))["done"] == 2


def test_batch_events_end_after_the_timeout_while_work_is_pending(service: Service) -> None:
    body = service.upload("auditor", [("cho.txt", "Báo cáo đang chờ số 1".encode())])
    service.wait(body["id"])
    with held(service, body["items"][0]["report_id"]):  # as if a runner were still on it
        path = f"/api/batches/{body['id']}/events"
        with service.client.stream("GET", path, headers=service.headers("auditor"), params={"timeout": 1}) as r:
            text = r.read().decode("utf-8")
    assert text.startswith("event: progress") and "event: timeout" in text and "event: done" not in text
    assert '"running": 1' in text


@contextlib.contextmanager
def held(service: Service, report_id: int, clear: bool = False) -> Iterator[None]:
    """A finished report shown as running (and without its result with ``clear``) for the duration."""
    app: Any = service.client.app
    with app.state.factory.begin() as session:
        row = session.get(Report, report_id)
        saved = (row.state, row.report_json)
        row.state, row.worker = "running", "test-holder"
        if clear:
            row.report_json = None
    try:
        yield
    finally:
        with app.state.factory.begin() as session:
            row = session.get(Report, report_id)
            row.state, row.report_json = saved


def test_batch_findings_long_form_and_csv(service: Service, batch: dict[str, Any]) -> None:
    batch_id = batch["upload"]["id"]
    body = get(service, f"/api/batches/{batch_id}/findings", "commune", per_page=2).json()
    all_findings = get(service, f"/api/batches/{batch_id}/findings", "commune", per_page=500).json()
    assert body["total"] == all_findings["total"] == len(all_findings["findings"]) > 2
    assert len(body["findings"]) == 2 and body["findings"] == all_findings["findings"][:2]
    expected = sum(len(get(service, f"/api/reports/{rid}").json()["findings"]) for rid in batch["ids"].values())
    assert body["total"] == expected
    assert {"filename", "code", "severity", "message", "report_id", "decision"} <= set(body["findings"][0])
    csv = get(service, f"/api/batches/{batch_id}/findings", "commune", format="csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == expected + 1
    assert_error(get(service, f"/api/batches/{batch_id}/findings", format="pdf"), 422)


def test_exports_match_extractor_diff_for_the_batch(service: Service, batch: dict[str, Any]) -> None:
    batch_id = batch["upload"]["id"]
    response = get(service, f"/api/batches/{batch_id}/export.xlsx", "commune")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Bảng tổng hợp"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    got = {r[header.index("Tệp")]: r for r in rows[1:]}
    assert set(got) == {TEXT_REPORT, PDF_REPORT, "hong.pdf"}
    diff = _diff_json({name: sample(name) for name in (TEXT_REPORT, PDF_REPORT)}, {"hong.pdf": BROKEN_PDF})
    for row in diff:
        name = Path(row["file"]).name
        assert got[name][header.index("Tự chấm")] == row["claimed_total"], name
        assert got[name][header.index("Tính lại")] == row["recomputed_total"], name
        assert got[name][header.index("Lỗi")] == row["errors"], name
        assert got[name][header.index("Cảnh báo")] == row["warnings"], name
    csv = get(service, f"/api/batches/{batch_id}/export.csv", "commune")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 4


def _diff_json(files: dict[str, bytes], broken: dict[str, bytes]) -> list[dict[str, Any]]:
    """What ``extractor diff --format json`` prints for the same files (written to a temporary folder)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, data in {**files, **broken}.items():
            (Path(tmp) / name).write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-m", "extractor.cli", "diff", tmp, "--format", "json", "--workers", "1"],
            capture_output=True,
            timeout=300,
            check=False,
        )
    assert done.returncode in (0, 1, 2), done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def test_reaudit_with_the_same_rubric_creates_nothing_and_with_another_audits_again(
    service: Service, batch: dict[str, Any]
) -> None:
    client, headers = service.client, service.headers("auditor")
    body = service.upload("auditor", [("lai.txt", sample(TEXT_REPORT) + b"\n")])
    service.wait(body["id"])
    path = f"/api/batches/{body['id']}/reaudit"
    same = client.post(path, headers=headers)
    assert same.status_code == 202 and same.json()["created"] == []
    assert_error(client.post(path, headers=headers, json={"rubric": "khong-co"}), 422)
    other = client.post(path, headers=headers, json={"rubric": "hp-cds-xa-quy-2026"})
    assert other.status_code == 202 and len(other.json()["created"]) == 1
    progress = service.wait(body["id"])
    assert progress["items"][0]["report_id"] == other.json()["created"][0] != body["items"][0]["report_id"]
    assert progress["rubric"] == "hp-cds-xa-quy-2026"


# --- reports ---------------------------------------------------------------------------------------------------


def test_report_list_filters_and_pagination(service: Service, batch: dict[str, Any]) -> None:
    text_id = batch["ids"][TEXT_REPORT]
    report = get(service, f"/api/reports/{text_id}").json()
    commune = report["document"]["commune"]  # "Nguyễn Lương Bằng"

    def ids(**params: Any) -> set[int]:
        body = get(service, "/api/reports", per_page=500, **params).json()
        assert body["total"] == len(body["reports"])
        return {r["id"] for r in body["reports"]}

    assert text_id in ids(commune=extractor_fold(commune).upper())
    assert text_id not in ids(commune="khong co xa nay")
    assert text_id in ids(q=report["document"]["number"].split("/")[0])
    assert text_id in ids(q="luong bang")
    label = report["document"]["period"]["label"]
    assert text_id in ids(period=label) and text_id in ids(period=extractor_fold(label).upper())
    start = dt.date.fromisoformat(report["document"]["period"]["start"])
    assert text_id in ids(period=f"{start.year}-Q{(start.month - 1) // 3 + 1}")
    assert text_id not in ids(period=f"{start.year - 1}-Q1") and text_id not in ids(period="Quý V")
    assert text_id in ids(verdict=report["scorecard"]["recomputed_verdict"])
    assert text_id in ids(has_errors=False) and text_id not in ids(has_errors=True)
    assert text_id in ids(code=report["findings"][0]["code"]) and text_id not in ids(code="KHONG_CO")
    assert ids(batch=batch["upload"]["id"]) == set(batch["ids"].values())
    assert ids(status="unreadable") >= {batch["ids"]["hong.pdf"]} and text_id not in ids(status="unreadable")
    assert text_id in ids(state="done")
    first = get(service, "/api/reports", per_page=1, page=1).json()
    second = get(service, "/api/reports", per_page=1, page=2).json()
    assert first["total"] == second["total"] >= 3 and first["reports"][0]["id"] != second["reports"][0]["id"]
    row = next(r for r in get(service, "/api/reports", per_page=500).json()["reports"] if r["id"] == text_id)
    assert row["claimed_total"] == report["scorecard"]["claimed_total"]
    assert row["recomputed_total"] == report["scorecard"]["recomputed_total"]
    assert row["filename"] == TEXT_REPORT and row["commune"] == commune


def extractor_fold(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c))


def test_a_report_not_audited_yet_is_409(service: Service) -> None:
    body = service.upload("auditor", [("cho-409.txt", "Báo cáo số 409".encode())])
    service.wait(body["id"])
    report_id = body["items"][0]["report_id"]
    with held(service, report_id, clear=True):
        error = assert_error(get(service, f"/api/reports/{report_id}"), 409, "not_ready")
        assert error["detail"]["state"] == "running"
    assert get(service, f"/api/reports/{report_id}").status_code == 200


def test_original_file_is_returned_with_safe_headers(service: Service, batch: dict[str, Any]) -> None:
    response = get(service, f"/api/reports/{batch['ids'][PDF_REPORT]}/file", "commune")
    assert response.status_code == 200 and response.content == sample(PDF_REPORT)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{PDF_REPORT}" in disposition


def test_file_names_are_quoted_safely_in_content_disposition(service: Service) -> None:
    body = service.upload("auditor", [('Báo cáo "quý" II; x=1.txt', "Báo cáo tên lạ".encode())])
    service.wait(body["id"])
    stored = body["items"][0]["filename"]
    response = get(service, f"/api/reports/{body['items'][0]['report_id']}/file")
    disposition = response.headers["content-disposition"]
    fallback = re.search(r'filename="([^"]*)"', disposition)
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
    assert fallback and encoded, disposition
    assert fallback.group(1).isascii() and ";" not in fallback.group(1) and fallback.group(1).startswith("Bao cao")
    assert re.fullmatch(r"[A-Za-z0-9%._~!$&'()*+,-]+", encoded.group(1)) and unquote(encoded.group(1)) == stored


def test_page_image_of_a_pdf_and_its_errors(service: Service, batch: dict[str, Any]) -> None:
    pdf_id = batch["ids"][PDF_REPORT]
    response = get(service, f"/api/reports/{pdf_id}/pages/1.png", "commune", dpi=50)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert_error(get(service, f"/api/reports/{pdf_id}/pages/99.png"), 404, "page_out_of_range")
    assert_error(get(service, f"/api/reports/{pdf_id}/pages/0.png"), 404)
    assert_error(get(service, f"/api/reports/{pdf_id}/pages/1.png", dpi=5000), 422, "invalid")
    assert_error(get(service, f"/api/reports/{batch['ids'][TEXT_REPORT]}/pages/1.png"), 404, "not_paged")


# --- review ----------------------------------------------------------------------------------------------------


def test_dismissing_a_finding_changes_the_reviewed_totals_and_is_recorded(service: Service) -> None:
    # the planted-fault template with one rate row claimed 0,02 below max × rate: RATIO_SCORE_MISMATCH
    data = apply(TEMPLATE, (("HPnet\t4,62", "HPnet\t4,60"), *total("99,16"))).encode("utf-8")
    body = service.upload("auditor", [("sai-ty-le.txt", data)])
    service.wait(body["id"])
    report_id = body["items"][0]["report_id"]
    report = extractor.audit(data, filename="sai-ty-le.txt")
    # a finding that disputes points: dismissing it must move the reviewed total
    disputed = [
        i
        for i, f in enumerate(report.findings)
        if extractor.reviewed_totals(report, [i]).reviewed_total != extractor.reviewed_totals(report, []).reviewed_total
    ]
    assert disputed, [f.code for f in report.findings]
    findings = get(service, f"/api/reports/{report_id}/findings").json()["findings"]
    target = next(f for f in findings if f["idx"] == disputed[0])
    client = service.client
    posted = client.post(
        f"/api/findings/{target['id']}/review",
        headers=service.headers("auditor"),
        json={"decision": "dismiss", "note": "Đã có minh chứng"},
    )
    assert posted.status_code == 201, posted.text
    decision = posted.json()
    assert decision["decision"] == "dismiss" and decision["user"]["name"] == "Kiểm tra viên" and decision["created_at"]
    review = get(service, f"/api/reports/{report_id}/review", "admin").json()
    expected_after = extractor.reviewed_totals(report, [disputed[0]]).model_dump(mode="json")
    assert review["after"] == expected_after and review["after"]["dismissed"] == [disputed[0]]
    assert review["before"]["reviewed_total"] != review["after"]["reviewed_total"]
    assert review["decisions"][-1]["user"]["name"] == "Kiểm tra viên" and review["decisions"][-1]["note"]
    # the batch's export and long-form findings carry the decision
    book = openpyxl.load_workbook(io.BytesIO(get(service, f"/api/batches/{body['id']}/export.xlsx").content))
    rows = list(book["Bảng tổng hợp"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("Tổng sau rà soát")] == review["after"]["reviewed_total"]
    long_form = get(service, f"/api/batches/{body['id']}/findings").json()["findings"]
    assert next(f for f in long_form if f["id"] == target["id"])["decision"] == "dismiss"
    # the latest decision counts; the history keeps both
    client.post(f"/api/findings/{target['id']}/review", headers=service.headers("admin"), json={"decision": "accept"})
    review = get(service, f"/api/reports/{report_id}/review").json()
    assert review["after"]["dismissed"] == [] and review["after"] == review["before"]
    history = get(service, f"/api/findings/{target['id']}/reviews").json()
    assert [r["decision"] for r in history["reviews"]] == ["dismiss", "accept"]
    assert [r["user"]["name"] for r in history["reviews"]] == ["Kiểm tra viên", "Quản trị"]
    assert history["finding"]["decision"] == "accept"


def test_a_json_body_over_the_limit_is_413(service: Service, batch: dict[str, Any]) -> None:
    finding = get(service, f"/api/reports/{batch['ids'][TEXT_REPORT]}/findings").json()["findings"][0]
    path = f"/api/findings/{finding['id']}/review"
    headers = {**service.headers("auditor"), "Content-Type": "application/json"}
    huge = b'{"decision": "accept", "note": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    error = assert_error(service.client.post(path, headers=headers, content=huge), 413, "too_large")
    assert str(1024 * 1024) in error["message_vi"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: stopped while reading
        yield b'{"decision": "accept", "note": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    assert_error(service.client.post(path, headers=headers, content=chunked()), 413, "too_large")
    history = get(service, f"/api/findings/{finding['id']}/reviews").json()["reviews"]
    assert all(len(r["note"] or "") < 1024 * 1024 for r in history)


def test_review_refuses_a_bad_decision(service: Service, batch: dict[str, Any]) -> None:
    finding = get(service, f"/api/reports/{batch['ids'][TEXT_REPORT]}/findings").json()["findings"][0]
    path = f"/api/findings/{finding['id']}/review"
    headers = service.headers("auditor")
    assert_error(service.client.post(path, headers=headers, json={"decision": "maybe"}), 422, "invalid")
    assert_error(service.client.post(path, headers=headers, json={}), 422, "invalid")
    assert_error(service.client.post(path, headers=headers, content=b"not json"), 422, "invalid")


# --- users and tokens ------------------------------------------------------------------------------------------


def test_admin_creates_users_and_tokens_shown_once_and_revokes_them(service: Service) -> None:
    client, headers = service.client, service.headers("admin")
    created = client.post("/api/users", headers=headers, json={"name": "Cán bộ Vĩnh Bảo", "role": "commune",
                                                                "commune": "Xã Vĩnh Bảo"})  # fmt: skip
    assert created.status_code == 201 and created.json()["commune"] == "Xã Vĩnh Bảo"
    assert_error(client.post("/api/users", headers=headers, json={"name": "x", "role": "commune"}), 422)
    assert_error(client.post("/api/users", headers=headers, json={"name": "x", "role": "boss"}), 422)
    assert_error(client.post("/api/users", headers=headers, json={"name": "x", "role": "auditor", "commune": "A"}), 422)
    token = client.post("/api/tokens", headers=headers, json={"user_id": created.json()["id"], "label": "máy 1"})
    assert token.status_code == 201
    secret = token.json()["token"]
    assert secret.startswith(token.json()["prefix"]) and len(secret) >= 40
    me = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me["role"] == "commune" and me["commune"] == "Xã Vĩnh Bảo"
    listed = client.get("/api/tokens", headers=headers)
    assert secret not in listed.text and token.json()["prefix"] in listed.text
    row = next(t for t in listed.json()["tokens"] if t["id"] == token.json()["id"])
    assert row["last_used_at"] is not None and row["revoked_at"] is None
    revoked = client.delete(f"/api/tokens/{token.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}), 401, "unauthorized")
    both = client.post("/api/tokens", headers=headers, json={"role": "auditor", "name": "Thanh tra"})
    assert both.status_code == 201 and both.json()["user"]["role"] == "auditor"
    assert_error(client.post("/api/tokens", headers=headers, json={}), 422)
    users = client.get("/api/users", headers=headers).json()
    assert {"Cán bộ Vĩnh Bảo", "Thanh tra"} <= {u["name"] for u in users["users"]}
