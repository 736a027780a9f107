"""Health (the process answers) and readiness (database reachable, migrations at head, data dir writable)."""

from __future__ import annotations

import tempfile
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.engine import Engine

import extractor
from api.errors import ApiError, ErrorBody
from api.migrate import alembic_config
from api.routes.common import SettingsDep
from api.settings import Settings

router = APIRouter(tags=["tình trạng / health"])


@router.get("/health", summary="Dịch vụ đang chạy / the service is up")
def health() -> dict[str, Any]:
    return {"status": "ok", "version": extractor.__version__}


def readiness(engine: Engine, settings: Settings) -> dict[str, str]:
    """Each check's result: "ok" or why not."""
    checks: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
        heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == heads else f"at {sorted(current)}, head {sorted(heads)}"
    except Exception as err:
        checks["database"] = f"{type(err).__name__}"
        checks.setdefault("migrations", "unknown")
    try:
        settings.prepare()
        with tempfile.NamedTemporaryFile(dir=settings.tmp_dir, prefix="ready-"):
            pass
        checks["data_dir"] = "ok"
    except OSError as err:
        checks["data_dir"] = f"{type(err).__name__}: not writable"
    return checks


@router.get(
    "/health/ready",
    summary="Sẵn sàng phục vụ / ready to serve",
    responses={503: {"model": ErrorBody, "description": "chưa sẵn sàng / not ready"}},
)
def ready(request: Request, settings: SettingsDep) -> dict[str, Any]:
    checks = readiness(request.app.state.engine, settings)
    if any(v != "ok" for v in checks.values()):
        raise ApiError(503, "not_ready", "Dịch vụ chưa sẵn sàng", "the service is not ready", checks)
    return {"status": "ready", "checks": checks}
