"""One error shape for every error the service returns, whatever raised it:

    {"error": {"code": "not_found", "message_vi": "…", "message_en": "…", "detail": …}}

Routes raise :class:`ApiError`; unknown routes (404), wrong methods (405), invalid parameters (422) and any
defect (500, logged, never a traceback in the body) are turned into the same shape by the handlers that
:func:`install` registers.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("api")


class ErrorInfo(BaseModel):
    code: str
    message_vi: str
    message_en: str
    detail: Any = None


class ErrorBody(BaseModel):
    """Mọi lỗi của dịch vụ có dạng này / every error of the service has this shape."""

    error: ErrorInfo


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message_vi: str, message_en: str, detail: Any = None, headers: Any = None
    ) -> None:
        super().__init__(f"{status} {code}: {message_en}")
        self.status, self.code, self.message_vi, self.message_en = status, code, message_vi, message_en
        self.detail, self.headers = detail, headers


def body(code: str, message_vi: str, message_en: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message_vi": message_vi, "message_en": message_en, "detail": detail}}


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(
        body(err.code, err.message_vi, err.message_en, err.detail), status_code=err.status, headers=err.headers
    )


# --- the errors routes raise -------------------------------------------------------------------------------


def not_found(what_vi: str, what_en: str, ident: Any = None) -> ApiError:
    return ApiError(404, "not_found", f"Không tìm thấy {what_vi}", f"{what_en} not found", {"id": ident})


def unauthorized(message_vi: str, message_en: str) -> ApiError:
    return ApiError(401, "unauthorized", message_vi, message_en, headers={"WWW-Authenticate": "Bearer"})


def forbidden() -> ApiError:
    return ApiError(
        403,
        "forbidden",
        "Vai trò của mã truy cập này không được làm việc này",
        "the role of this token may not do this",
    )


def too_large(limit: int, what_vi: str = "tệp", what_en: str = "file") -> ApiError:
    mb = f"{limit / 1024 / 1024:.1f}".rstrip("0").rstrip(".")
    return ApiError(
        413,
        "too_large",
        f"{what_vi[:1].upper()}{what_vi[1:]} vượt giới hạn {limit} byte ({mb} MB)",
        f"{what_en[:1].upper()}{what_en[1:]} exceeds the limit of {limit} bytes ({mb} MB)",
        {"limit": limit},
    )


def invalid(message_vi: str, message_en: str, detail: Any = None) -> ApiError:
    return ApiError(422, "invalid", message_vi, message_en, detail)


_STATUS_TEXT: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ", "bad request"),
    401: ("unauthorized", "Cần mã truy cập hợp lệ", "a valid token is required"),
    403: ("forbidden", "Không được phép", "forbidden"),
    404: ("not_found", "Không có đường dẫn này", "no such path"),
    405: ("method_not_allowed", "Đường dẫn này không nhận phương thức này", "method not allowed on this path"),
    406: ("not_acceptable", "Không có định dạng được yêu cầu", "not acceptable"),
    413: ("too_large", "Yêu cầu quá lớn", "request too large"),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ", "unsupported media type"),
}


# --- handlers ------------------------------------------------------------------------------------------------


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, vi, en = _STATUS_TEXT.get(exc.status_code, ("http_error", "Lỗi yêu cầu", "request error"))
    detail = exc.detail if isinstance(exc.detail, str | dict | list) and exc.status_code != 404 else None
    return JSONResponse(body(code, vi, en, detail), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()
    ]
    where = ", ".join(".".join(f["loc"]) for f in fields)
    return JSONResponse(
        body("invalid", f"Tham số không hợp lệ: {where}", f"invalid parameters: {where}", fields), status_code=422
    )


INTERNAL = body(
    "internal_error",
    "Lỗi nội bộ của dịch vụ; đã ghi lại để sửa",
    "internal error of the service; it was logged",
)


class CatchAll:
    """Any exception a route lets through becomes a 500 in the error shape (the traceback goes to the log,
    never to the client). Outermost middleware, so nothing escapes it; a response already started is left
    as it is (the connection is closed by the server)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            await JSONResponse(INTERNAL, status_code=500)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "Thiếu hoặc sai mã truy cập / missing or wrong token"),
        (403, "Vai trò không được phép / role not allowed"),
        (404, "Không tìm thấy / not found"),
        (422, "Tham số không hợp lệ / invalid parameters"),
    )
}
