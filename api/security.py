"""Headers every response gets, and one structured log line per request.

- :class:`SecurityHeaders`: a Content-Security-Policy without inline script (``script-src 'self'``) that
  forbids framing (``frame-ancestors 'none'``), plugins and ``<base>``; ``X-Content-Type-Options: nosniff``;
  ``Referrer-Policy: no-referrer`` (a first-run address carries a token); ``X-Frame-Options: DENY`` for old
  browsers. A response that sets its own (stricter) policy keeps it. The OpenAPI pages (``/docs``,
  ``/redoc``) are the only ones with an inline script, written by FastAPI: their policy allows exactly that
  script, by its sha256, and the CDN their assets come from — no other inline script runs anywhere.
- :class:`RequestLog`: a request id (a fresh random one, returned as ``X-Request-Id``) and one JSON line per
  request through :func:`api.logging.request_event` — method, path without the query string, status,
  duration, the principal's id and role when the request was authenticated; never a header, a token or a
  body.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logging import request_event

CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_PATHS = frozenset({"/docs", "/redoc"})
DOCS_CDN = "https://cdn.jsdelivr.net"
REQUEST_ID_HEADER = b"x-request-id"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def docs_policy(body: bytes) -> str:
    """The policy of an OpenAPI page: its inline scripts by hash, its assets from the CDN, nothing else."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    return (
        f"default-src 'self'; script-src 'self' {DOCS_CDN} {hashes}; style-src 'self' {DOCS_CDN}; "
        f"img-src 'self' data: https://fastapi.tiangolo.com; worker-src blob:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def _with_headers(headers: list[tuple[bytes, bytes]], extra: tuple[tuple[bytes, bytes], ...]) -> None:
    present = {k.lower() for k, _ in headers}
    headers.extend((key, value) for key, value in extra if key not in present)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                _with_headers(headers, HEADERS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An OpenAPI page is small: held whole, so that its policy can name its inline script's hash."""
        start: Message | None = None
        body = bytearray()

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                assert start is not None
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                csp = (b"content-security-policy", docs_policy(bytes(body)).encode())
                _with_headers(headers, (csp, *HEADERS[1:]))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": bytes(body)})
                return
            await send(message)

        await self.app(scope, receive, hold)


def _principal(scope: Scope) -> tuple[int | None, str | None]:
    """The principal the auth dependency left in the request's state (``request.state.principal``)."""
    state: Any = scope.get("state") or {}
    principal = state.get("principal") if isinstance(state, dict) else getattr(state, "principal", None)
    if principal is None:
        return None, None
    return getattr(principal, "user_id", None), getattr(principal, "role", None)


class RequestLog:
    """The outermost middleware: the request id, and one log line when the response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.monotonic()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            principal_id, role = _principal(scope)
            request_event(
                request_id, scope["method"], scope["path"], status, time.monotonic() - started, principal_id, role
            )
