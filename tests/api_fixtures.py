"""Fixtures for the HTTP API tests: the service on SQLite and on a real PostgreSQL, clients and tokens.

Import the fixtures into a test module by name
(``from tests.api_fixtures import service, pg_admin_url``). ``service`` is parametrized over the
two databases (a fresh SQLite data directory, or a fresh database on a private PostgreSQL server started
once per session by tests/pgserver.py); on PostgreSQL the server runs its own local pool too
(``local_worker=True``), so no procrastinate worker is needed. ``service.tokens`` holds a token per role.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import create_token, create_user
from api.settings import Settings
from tests.pgserver import NoPostgres, fresh_database, postgres_server

BACKENDS = ("sqlite", "postgresql")
COMMUNE_A = "Xã Tiên Lãng"
COMMUNE_B = "Xã An Lão"
WAIT_SECONDS = 180


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except NoPostgres as err:
        pytest.skip(f"no PostgreSQL for the API tests: {err}")


def make_settings(data_dir: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "workers": 1,
        "local_worker": True,
        "poll_interval": 0.2,
        "job_timeout": 120.0,
        "memory_limit": 0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Service:
    """A running app (TestClient) and a token per role."""

    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def upload(self, role: str, files: list[tuple[str, bytes]], expect: int = 201, **params: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/batches",
            headers=self.headers(role),
            files=[("files", (name, data, "application/octet-stream")) for name, data in files],
            params=params,
        )
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait(self, batch_id: str, role: str = "auditor", seconds: float = WAIT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            response = self.client.get(f"/api/batches/{batch_id}", headers=self.headers(role))
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["finished"]:
                return body
            assert time.monotonic() < deadline, f"batch not finished after {seconds} s: {body}"
            time.sleep(0.2)


def add_tokens(app: Any) -> dict[str, str]:
    tokens: dict[str, str] = {}
    with app.state.factory.begin() as session:
        for role, name, commune in (
            ("admin", "Quản trị", None),
            ("auditor", "Kiểm tra viên", None),
            ("commune", "Cán bộ Tiên Lãng", COMMUNE_A),
            ("commune_b", "Cán bộ An Lão", COMMUNE_B),
        ):
            user = create_user(session, name, "commune" if role == "commune_b" else role, commune)
            tokens[role] = create_token(session, user)[1]
    return tokens


def database_for(backend: str, request: pytest.FixtureRequest) -> str | None:
    if backend == "sqlite":
        return None
    return fresh_database(request.getfixturevalue("pg_admin_url"))


def start_service(data_dir: Path, database_url: str | None, **overrides: Any) -> Iterator[Service]:
    settings = make_settings(data_dir, database_url, **overrides)
    app = create_app(settings)
    tokens = add_tokens(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(client, settings, tokens)


@pytest.fixture(scope="module", params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    url = database_for(request.param, request)
    yield from start_service(tmp_path_factory.mktemp(f"api-{request.param}"), url)


def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name) if name.endswith("/") else name, data)
    return buf.getvalue()


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the one error shape (both messages non-empty)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message_vi", "message_en", "detail"}, error
    assert error["message_vi"] and error["message_en"], error
    assert error["message_vi"] != error["message_en"], error
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code, error
    result: dict[str, Any] = error
    return result
