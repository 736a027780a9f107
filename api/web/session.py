"""The browser's session: a signed cookie, its CSRF token, and a rate limit on sign-in attempts.

- The cookie holds ``{"t": token id, "c": csrf, "i": issued}`` as base64url JSON and an HMAC-SHA256 of it, keyed
  by a secret kept in the data directory (``web-secret``, created at the first start with mode 0600). It is
  HttpOnly, SameSite=Lax, Secure when the request came over https, and lives ``SESSION_SECONDS`` at most.
- The session names the token it was opened with; the token is looked up again on every request
  (``api.auth.principal_for_token``), so revoking the token or disabling its user ends the session.
- CSRF: a random token per session, in a hidden field of every form and in the ``X-CSRF-Token`` header of the
  page's fetch requests, compared in constant time. Sign-in (before any session) uses a double-submit cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "extractor_session"
LOGIN_COOKIE = "extractor_login"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SESSION_SECONDS = 12 * 3600
SECRET_FILE = "web-secret"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def load_secret(data_dir: Path) -> bytes:
    """The signing key: read from the data directory, or created there (mode 0600) on the first start."""
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if len(key) >= 32:
            return key
        raise RuntimeError(f"{path}: khóa phiên quá ngắn / the session key is too short") from None
    key = secrets.token_hex(32).encode("ascii")
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class WebSession:
    token_id: int
    csrf: str
    issued: float


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest()


def encode(key: bytes, session: WebSession) -> str:
    payload = _b64(json.dumps({"t": session.token_id, "c": session.csrf, "i": int(session.issued)}).encode())
    return f"{payload}.{_sign(key, payload)}"


def decode(key: bytes, value: str | None, now: float | None = None) -> WebSession | None:
    """The session in a cookie value, or None when it is absent, forged, malformed or expired."""
    if not value or len(value) > 1000 or "." not in value:
        return None
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        data: Any = json.loads(_unb64(payload))
        session = WebSession(int(data["t"]), str(data["c"]), float(data["i"]))
    except (ValueError, KeyError, TypeError):
        return None
    if (now if now is not None else time.time()) - session.issued > SESSION_SECONDS:
        return None
    return session


_KEY_LOCK = threading.Lock()


def secret_key(request: Request) -> bytes:
    """The app's signing key, loaded from its data directory once."""
    state = request.app.state
    key: bytes | None = getattr(state, "web_secret", None)
    if key is None:
        with _KEY_LOCK:
            key = getattr(state, "web_secret", None)
            if key is None:
                key = load_secret(Path(state.settings.data_dir))
                state.web_secret = key
    return key


def current(request: Request) -> WebSession | None:
    """The request's session (signature and age checked; the token itself is checked by the caller)."""
    return decode(secret_key(request), request.cookies.get(COOKIE))


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def start(request: Request, response: Response, token_id: int) -> WebSession:
    """Open a session for ``token_id`` on ``response`` (a new CSRF token each time)."""
    session = WebSession(token_id, secrets.token_urlsafe(24), time.time())
    response.set_cookie(
        COOKIE,
        encode(secret_key(request), session),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return session


def end(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))


def csrf_ok(session: WebSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf.encode(), (given or "").encode())


def login_csrf_value(request: Request) -> str:
    """The double-submit value of the sign-in form (reused while its cookie lives)."""
    value = request.cookies.get(LOGIN_COOKIE) or ""
    return value if 20 <= len(value) <= 100 else secrets.token_urlsafe(24)


def set_login_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, value, max_age=3600, httponly=True, samesite="lax", secure=is_https(request), path="/"
    )


def login_csrf_ok(request: Request, given: str | None) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE) or ""
    return bool(cookie) and bool(given) and hmac.compare_digest(cookie.encode(), (given or "").encode())


class RateLimit:
    """A fixed window: at most ``limit`` failed attempts per client address per ``window`` seconds (an office
    behind one address signs in freely; guessing is slowed to ``limit`` tries a window)."""

    def __init__(self, limit: int = 10, window: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, client: str, now: float | None = None) -> bool:
        """Count one attempt; False when the client is over its limit in this window."""
        slot = int((now if now is not None else time.monotonic()) // self.window)
        with self._lock:
            if len(self._counts) >= self.max_clients:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == slot}
            start, count = self._counts.get(client, (slot, 0))
            if start != slot:
                count = 0
            count += 1
            self._counts[client] = (slot, count)
            return count <= self.limit

    def over(self, client: str, now: float | None = None) -> bool:
        """The client has used up its attempts in this window (nothing is counted)."""
        slot = int((now if now is not None else time.monotonic()) // self.window)
        with self._lock:
            start, count = self._counts.get(client, (slot, 0))
            return start == slot and count >= self.limit

    def retry_after(self, now: float | None = None) -> int:
        moment = now if now is not None else time.monotonic()
        return max(1, int(self.window - moment % self.window))
