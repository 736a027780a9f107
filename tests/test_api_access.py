"""Access control: tokens (missing, wrong, malformed, revoked) and the role × endpoint matrix, on SQLite and
PostgreSQL. A commune reads only the reports of its own batches: another commune's report, file, page image,
findings or export is "not found" in the error shape, never its data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api_fixtures import COMMUNE_A, Service, assert_error, pg_admin_url, service

__all__ = ["pg_admin_url", "service"]  # fixtures used by the tests below

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TEXT_REPORT = "000_86fb9651f283ba60.txt"
PDF_REPORT = "001_cong-van.pdf"
ROLES = ("anonymous", "admin", "auditor", "commune", "commune_b")

OK, CREATED, ACCEPTED = 200, 201, 202


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (regenerate samples/ with ./dev samples)")
    return path.read_bytes()


@pytest.fixture(scope="module")
def world(service: Service) -> dict[str, Any]:
    """Commune A's batch (a text report and a PDF), audited; a finding id; a spare token to revoke."""
    body = service.upload("commune", [(TEXT_REPORT, sample(TEXT_REPORT)), (PDF_REPORT, sample(PDF_REPORT))])
    service.wait(body["id"], "commune")
    ids = {i["filename"]: i["report_id"] for i in body["items"]}
    findings = service.client.get(f"/api/reports/{ids[TEXT_REPORT]}/findings", headers=service.headers("auditor"))
    spare = service.client.post("/api/tokens", headers=service.headers("admin"), json={"role": "auditor"})
    return {
        "batch": body["id"],
        "report": ids[TEXT_REPORT],
        "pdf": ids[PDF_REPORT],
        "finding": findings.json()["findings"][0]["id"],
        "spare_token": spare.json()["id"],
    }


def _all(status: int) -> dict[str, int]:
    return {"anonymous": 401, "admin": status, "auditor": status, "commune": status, "commune_b": status}


def _admin_only(status: int) -> dict[str, int]:
    return {"anonymous": 401, "admin": status, "auditor": 403, "commune": 403, "commune_b": 403}


def _auditors(status: int) -> dict[str, int]:
    return {"anonymous": 401, "admin": status, "auditor": status, "commune": 403, "commune_b": 403}


def _commune_a(status: int) -> dict[str, int]:
    """Readable by auditors and by commune A whose batch it is; commune B gets 404."""
    return {"anonymous": 401, "admin": status, "auditor": status, "commune": status, "commune_b": 404}


# (method, path, json body, expected status per role); {batch} {report} {pdf} {finding} {token} are filled in
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/health", None, {role: OK for role in ROLES}),
    ("GET", "/health/ready", None, {role: OK for role in ROLES}),
    ("GET", "/api/me", None, _all(OK)),
    ("GET", "/api/rubrics", None, _all(OK)),
    ("GET", "/api/users", None, _admin_only(OK)),
    ("POST", "/api/users", {"name": "Người mới", "role": "auditor"}, _admin_only(CREATED)),
    ("GET", "/api/tokens", None, _admin_only(OK)),
    ("POST", "/api/tokens", {"role": "auditor", "name": "Mã mới"}, _admin_only(CREATED)),
    ("DELETE", "/api/tokens/{token}", None, _admin_only(OK)),
    ("GET", "/api/batches", None, _all(OK)),
    ("GET", "/api/batches/{batch}", None, _commune_a(OK)),
    ("GET", "/api/batches/{batch}/events?timeout=5", None, _commune_a(OK)),
    ("POST", "/api/batches/{batch}/reaudit", None, _auditors(ACCEPTED)),
    ("GET", "/api/batches/{batch}/findings", None, _commune_a(OK)),
    ("GET", "/api/batches/{batch}/findings?format=csv", None, _commune_a(OK)),
    ("GET", "/api/batches/{batch}/export.xlsx", None, _commune_a(OK)),
    ("GET", "/api/batches/{batch}/export.csv", None, _commune_a(OK)),
    ("GET", "/api/reports", None, _all(OK)),
    ("GET", "/api/reports/{report}", None, _commune_a(OK)),
    ("GET", "/api/reports/{report}/review", None, _commune_a(OK)),
    ("GET", "/api/reports/{report}/file", None, _commune_a(OK)),
    ("GET", "/api/reports/{pdf}/pages/1.png?dpi=40", None, _commune_a(OK)),
    ("GET", "/api/reports/{report}/findings", None, _commune_a(OK)),
    ("POST", "/api/findings/{finding}/review", {"decision": "accept", "note": "đúng"}, _auditors(CREATED)),
    ("GET", "/api/findings/{finding}/reviews", None, _commune_a(OK)),
]


@pytest.mark.parametrize(("method", "path", "payload", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_endpoint_matrix(
    service: Service, world: dict[str, Any], method: str, path: str, payload: Any, expected: dict[str, int]
) -> None:
    url = path.format(
        batch=world["batch"], report=world["report"], pdf=world["pdf"], finding=world["finding"],
        token=world["spare_token"],
    )  # fmt: skip
    for role in ROLES:
        headers = {} if role == "anonymous" else service.headers(role)
        response = service.client.request(method, url, headers=headers, json=payload)
        assert response.status_code == expected[role], f"{role}: {method} {url} -> {response.text[:300]}"
        if response.status_code >= 400:
            assert_error(response, expected[role])
        if role == "commune_b" and expected[role] == 404:
            assert TEXT_REPORT not in response.text and COMMUNE_A not in response.text


def test_upload_is_allowed_to_every_role_and_a_communes_batch_is_its_own(service: Service) -> None:
    data = "Báo cáo thử quyền tải lên".encode()
    files = [("files", ("quyen.txt", data, "text/plain"))]
    assert_error(service.client.post("/api/batches", files=files), 401, "unauthorized")
    batches = {}
    for role in ("admin", "auditor", "commune", "commune_b"):
        body = service.upload(role, [(f"{role}.txt", data + role.encode())])
        batches[role] = body
        assert body["commune"] == {"commune": COMMUNE_A, "commune_b": "Xã An Lão"}.get(role)
    seen_by_b = {
        b["id"] for b in service.client.get("/api/batches", headers=service.headers("commune_b")).json()["batches"]
    }
    assert batches["commune_b"]["id"] in seen_by_b
    assert not {batches[r]["id"] for r in ("admin", "auditor", "commune")} & seen_by_b
    service.wait(batches["commune_b"]["id"], "commune_b")


def test_a_commune_lists_only_reports_of_its_own_batches(service: Service, world: dict[str, Any]) -> None:
    def listed(role: str) -> set[int]:
        body = service.client.get("/api/reports", headers=service.headers(role), params={"per_page": 500}).json()
        return {r["id"] for r in body["reports"]}

    assert {world["report"], world["pdf"]} <= listed("commune")
    assert not {world["report"], world["pdf"]} & listed("commune_b")
    assert {world["report"], world["pdf"]} <= listed("auditor")
    by_batch = service.client.get(
        "/api/reports", headers=service.headers("commune_b"), params={"batch": world["batch"]}
    ).json()
    assert by_batch["total"] == 0 and by_batch["reports"] == []


def test_the_same_file_uploaded_by_another_commune_becomes_visible_to_it(
    service: Service, world: dict[str, Any]
) -> None:
    body = service.upload("commune_b", [("cua-toi.txt", sample(TEXT_REPORT))])
    assert body["items"][0]["report_id"] == world["report"]  # audited once, shared
    response = service.client.get(f"/api/reports/{world['report']}", headers=service.headers("commune_b"))
    assert response.status_code == 200
    # …but not commune A's other report
    assert_error(service.client.get(f"/api/reports/{world['pdf']}", headers=service.headers("commune_b")), 404)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "missing"),
        ("Bearer ", "empty"),
        ("Basic dXNlcjpwYXNz", "not bearer"),
        ("Bearer khong-phai-ma-that", "wrong"),
        ("Bearer " + "x" * 5000, "absurdly long"),
    ],
)
def test_missing_wrong_or_malformed_tokens_are_401(service: Service, header: str | None, why: str) -> None:
    headers = {} if header is None else {"Authorization": header}
    for path in ("/api/me", "/api/reports", "/api/batches"):
        response = service.client.get(path, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers.get("www-authenticate") == "Bearer", why


def test_a_revoked_token_is_refused(service: Service) -> None:
    admin = service.headers("admin")
    created = service.client.post("/api/tokens", headers=admin, json={"role": "commune", "commune": "Xã Kiến Thụy"})
    secret = created.json()["token"]
    mine = {"Authorization": f"Bearer {secret}"}
    assert service.client.get("/api/me", headers=mine).status_code == 200
    service.client.delete(f"/api/tokens/{created.json()['id']}", headers=admin)
    error = assert_error(service.client.get("/api/me", headers=mine), 401, "unauthorized")
    assert "thu hồi" in error["message_vi"]


def test_tokens_are_stored_hashed(service: Service) -> None:
    from sqlalchemy import select

    from api.db import Token

    app: Any = service.client.app
    with app.state.factory() as session:
        stored = session.scalars(select(Token.token_hash)).all()
    for secret in service.tokens.values():
        assert secret not in stored
        assert not any(secret in h for h in stored)
