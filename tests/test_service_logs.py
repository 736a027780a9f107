"""Access review of the service: structured logs (one JSON line per request and per audit attempt, never a
token), security headers on every response, and no endpoint open to an anonymous caller but health."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from api import logging as service_logging
from api.security import CSP
from tests.api_fixtures import Service, start_service

REQUEST_FIELDS = {"ts", "level", "logger", "event", "request_id", "method", "path", "status", "duration_ms"}
JOB_FIELDS = {"report_id", "sha256", "worker", "attempt", "duration_ms", "outcome", "state"}
TEXT = "Báo cáo số 12/BC-UBND của xã Tiên Lãng về chuyển đổi số quý II năm 2026: 85,5% hồ sơ trực tuyến.\n"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    yield from start_service(tmp_path_factory.mktemp("logs"), None)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record of the process, as the service writes them (api.logging.configure's JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(service_logging.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_one_json_line_per_request_with_its_id_and_never_the_token(svc: Service, log_lines: io.StringIO) -> None:
    token = svc.tokens["auditor"]
    listed = svc.client.get("/api/batches", headers=svc.headers("auditor"), params={"token": token, "q": "x"})
    assert listed.status_code == 200
    refused = svc.client.get("/api/batches", headers={"Authorization": "Bearer not-a-token-" + token[:6]})
    assert refused.status_code == 401
    batch = svc.upload("auditor", [("bao-cao.txt", TEXT.encode())])
    svc.wait(batch["id"])
    report_id = batch["items"][0]["report_id"]
    report = svc.client.get(f"/api/reports/{report_id}", headers=svc.headers("auditor"))
    assert report.status_code == 200

    lines = _parsed(log_lines)  # every line is JSON, or this raises
    requests = [line for line in lines if line.get("event") == "request"]
    by_id = {line["request_id"]: line for line in requests}
    first = by_id[listed.headers["x-request-id"]]
    assert set(first) >= REQUEST_FIELDS
    assert (first["method"], first["path"], first["status"]) == ("GET", "/api/batches", 200)
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert by_id[refused.headers["x-request-id"]]["status"] == 401
    assert len(by_id) == len(requests), "a request id is used once"

    jobs = [line for line in lines if line.get("event") == "job"]
    assert jobs, "the audit attempt logged no line"
    job = jobs[-1]
    assert set(job) >= JOB_FIELDS
    assert (job["report_id"], job["outcome"], job["state"], job["attempt"]) == (report_id, "done", "done", 1)
    assert len(job["sha256"]) == 8 and report.json()["source"]["sha256"].startswith(job["sha256"])

    # the service's lines (the test client's own httpx logger prints the addresses it was given)
    everything = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines if not x["logger"].startswith("httpx"))
    assert token not in everything and token[:12] not in everything
    assert "?" not in "".join(line["path"] for line in requests)  # no query string, where tokens travel
    assert "85,5%" not in everything and "Tiên Lãng" not in everything  # no report contents


def test_a_request_line_names_the_principal(svc: Service, log_lines: io.StringIO) -> None:
    response = svc.client.get("/api/batches", headers=svc.headers("auditor"))
    (line,) = [x for x in _parsed(log_lines) if x.get("request_id") == response.headers["x-request-id"]]
    assert line["role"] == "auditor" and isinstance(line["principal_id"], int)


def test_the_json_formatter_keeps_plain_records_and_exceptions() -> None:
    formatter = service_logging.JsonFormatter()
    record = logging.makeLogRecord({"name": "uvicorn.error", "levelname": "INFO", "msg": "Started %s", "args": (1,)})
    assert json.loads(formatter.format(record))["message"] == "Started 1"
    try:
        raise ValueError("bad\nline")
    except ValueError:
        import sys

        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    line = formatter.format(record)
    assert "\n" not in line and "ValueError" in json.loads(line)["exception"]


# --- headers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/api/batches", "/api/nothing-here", "/openapi.json"])
def test_every_response_has_the_security_headers(svc: Service, path: str) -> None:
    response = svc.client.get(path)
    assert response.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])


def test_the_openapi_page_runs_only_its_own_inline_script(svc: Service) -> None:
    response = svc.client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    scripts = re.findall(rb"<script>(.*?)</script>", response.content, re.S)
    assert scripts, "the page's inline script was not found"
    for script in scripts:
        assert "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'" in policy
    assert int(response.headers["content-length"]) == len(response.content)


# --- who may call what ------------------------------------------------------------------------------------

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/health/ready"),
    ("GET", "/dang-nhap"),  # the sign-in form itself
    ("POST", "/dang-nhap"),  # signing in (rate limited, CSRF-checked form)
    ("POST", "/dang-xuat"),  # signing out ends nothing when nobody is signed in
    # the API's description (no data): FastAPI serves it without the app's dependencies
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}


def _routes(app: Any) -> list[tuple[str, str, bool, dict[str, str]]]:
    """(method, path with every parameter filled, is a web page, a form with every field filled) of every
    route of the app, the routes of included routers too."""
    found: list[tuple[str, str, bool, dict[str, str]]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                continue  # static files: the web app's CSS and script, public by design
            included = getattr(route, "original_router", None)
            if included is not None:  # an included router (FastAPI keeps it whole)
                walk(included.routes, prefix + route.include_context.prefix)
                continue
            assert isinstance(route, Route | APIRoute), route
            full = prefix + route.path
            path = re.sub(r"\{[^}]+\}", "1", full)
            web = not full.startswith(("/api", "/health", "/docs", "/redoc", "/openapi"))
            dependant = getattr(route, "dependant", None)
            form = {param.alias: "1" for param in (dependant.body_params if dependant else [])}
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((method, path, web, form))

    walk(app.routes, "")
    return found


def test_no_endpoint_answers_an_anonymous_caller_but_health_and_sign_in(svc: Service) -> None:
    routes = _routes(svc.client.app)
    assert len(routes) > 20
    open_routes = []
    for method, path, web, form in routes:
        if (method, path) in PUBLIC:
            continue
        response = svc.client.request(method, path, follow_redirects=False)
        if web and response.status_code == 422:  # a form checked before its sender: send a whole one
            response = svc.client.request(method, path, data=form, follow_redirects=False)
        if web:
            refused = response.status_code in (302, 303, 307) and "/dang-nhap" in response.headers["location"]
        else:
            refused = response.status_code in (401, 403)
        if not refused:
            open_routes.append((method, path, response.status_code))
    assert open_routes == []


def test_the_public_list_names_routes_that_exist(svc: Service) -> None:
    """A public exception that no longer exists would hide a new route under its name."""
    present = {(method, path) for method, path, _, _ in _routes(svc.client.app)}
    assert present >= PUBLIC
