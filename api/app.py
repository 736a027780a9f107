"""The audit service's HTTP application.

    app = create_app(Settings(data_dir=Path("data")))   # or create_app() for the environment's settings
    uvicorn.run(app)                                     # what `extractor serve` does

At start: the database is opened and migrated to the newest revision; while the app runs, the local pool
audits queued reports when ``settings.runs_local_worker`` (the SQLite default). Routes: ``/health``,
``/health/ready``, the API under ``/api/`` (``api/routes/``), OpenAPI at ``/docs``, the web app's pages from
``/`` (``api/web/``).
Every error has one shape (``api/errors.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import extractor
from api import errors, jobs
from api.auth import ensure_first_admin
from api.db import make_engine, make_sessionmaker
from api.migrate import upgrade
from api.routes import admin, batches, findings, health, reports
from api.security import RequestLog, SecurityHeaders
from api.settings import Settings
from api.web import routes as web

log = logging.getLogger("api")

DESCRIPTION = """
Dịch vụ kiểm tra báo cáo chuyển đổi số cấp xã: tải lên một lô tệp (PDF, DOCX, DOC, XLSX, ảnh, văn bản hoặc
tệp .zip), theo dõi tiến độ, xem từng báo cáo với các phát hiện, rà soát (chấp nhận / bác bỏ) và xuất bảng
tổng hợp cho thành phố.

Mọi yêu cầu dưới `/api/` cần `Authorization: Bearer <mã>`. Vai trò: **admin** (người dùng, mã truy cập và
mọi việc của auditor), **auditor** (mọi báo cáo), **commune** (gắn với một xã: tải lên và chỉ xem báo cáo của
các lô của mình). Mọi lỗi có dạng `{"error": {"code", "message_vi", "message_en", "detail"}}`.

The audit service for commune digital-transformation reports: upload, progress, reports, review, exports.
"""

MAX_BODY_BYTES = 1024 * 1024  # any request but an upload: JSON of a review, a user, a token


class BodyLimit:
    """Request bodies other than uploads (``POST /api/batches``, which streams and limits its own) are
    refused past ``MAX_BODY_BYTES`` with 413 in the error shape: a declared length at once, a chunked body
    as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and scope["path"].rstrip("/") == "/api/batches"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await errors.error_response(errors.too_large(self.limit, "nội dung yêu cầu", "the request body"))(
                scope, receive, send
            )
            return
        seen, exceeded, started = 0, False, False

        async def counting() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not started:
                    exceeded = True
                    return {"type": "http.disconnect"}  # the app stops reading; its answer is replaced below
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await errors.error_response(errors.too_large(self.limit, "nội dung yêu cầu", "the request body"))(
                scope, receive, send
            )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for ``settings`` (default: from the environment): database opened and migrated now."""
    settings = settings or Settings()
    settings.prepare()
    engine = make_engine(settings)
    upgrade(engine)
    factory = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool: Any = jobs.start_local_pool(settings, factory) if settings.runs_local_worker else None
        try:
            yield
        finally:
            if pool is not None:
                pool.stop()
            engine.dispose()

    app = FastAPI(
        title="Kiểm tra báo cáo chuyển đổi số cấp xã / Commune report audit",
        description=DESCRIPTION,
        version=extractor.__version__,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "lô / batches", "description": "Tải lên, tiến độ, kiểm tra lại, xuất bảng tổng hợp"},
            {"name": "báo cáo / reports", "description": "Báo cáo, tệp gốc, ảnh trang, phát hiện"},
            {"name": "rà soát / review", "description": "Chấp nhận hoặc bác bỏ một phát hiện"},
            {"name": "quản trị / admin", "description": "Người dùng và mã truy cập"},
            {"name": "tình trạng / health", "description": "Dịch vụ chạy và sẵn sàng"},
        ],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.factory = factory
    errors.install(app)
    for module in (health, batches, reports, findings, admin):
        app.include_router(module.router)

    web.install(app)  # the web app's pages from /, its static files at /static (api/web/)

    app.add_middleware(BodyLimit)
    app.add_middleware(errors.CatchAll)  # any defect becomes a 500 in the error shape
    app.add_middleware(SecurityHeaders)  # outside CatchAll: every response has its headers (api/security.py)
    app.add_middleware(RequestLog)  # the outermost: a request id and one JSON log line per request
    return app


def first_run(settings: Settings) -> str | None:
    """The very first start (no user yet): an admin user and token, whose secret is returned; else None."""
    settings.prepare()
    engine = make_engine(settings)
    try:
        upgrade(engine)
        return ensure_first_admin(make_sessionmaker(engine))
    finally:
        engine.dispose()
