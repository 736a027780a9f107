"""Access control: bearer tokens, roles and the commune scope.

- A token is ``secrets.token_urlsafe(32)``, shown once; only its sha256 is stored (``Token.token_hash``) and a
  request's token is found by looking its hash up, so the secret is never compared byte by byte.
- Roles: ``admin`` (users and tokens, and everything an auditor can), ``auditor`` (everything on every
  report), ``commune`` (bound to one commune: uploads, and reads only the reports reachable through its own
  batches — any other report, file or page is "not found", never its data).
- A browser signs in once and then sends its session cookie (``api/web/session.py``) instead of the header;
  the session names its token, which is checked again on every request. A session's POST/DELETE needs its
  CSRF token in ``X-CSRF-Token``; a bearer request needs none (no browser sends it by itself).
- :func:`visible_reports` / :func:`visible_batches` are the commune scope as query filters, used by every
  route that reads reports, so one place decides what a commune sees.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.orm import Session, sessionmaker

from api.db import ROLES, Batch, BatchItem, Report, Token, User, utcnow
from api.errors import ApiError, forbidden, invalid, unauthorized
from api.web import session as web_session

TOKEN_BYTES = 32
PREFIX_CHARS = 8
LAST_USED_EVERY = dt.timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user behind the token."""

    user_id: int
    name: str
    role: str
    commune: str | None
    token_id: int

    @property
    def is_commune(self) -> bool:
        return self.role == "commune"

    @property
    def can_audit(self) -> bool:
        return self.role in ("admin", "auditor")


# --- users and tokens --------------------------------------------------------------------------------------


def create_user(session: Session, name: str, role: str, commune: str | None = None) -> User:
    """A new user (flushed, committed by the caller); a commune user needs its commune, others have none."""
    if role not in ROLES:
        raise invalid(f"Vai trò không hợp lệ: {role}", f"invalid role: {role}", {"roles": list(ROLES)})
    commune = (commune or "").strip() or None
    if role == "commune" and commune is None:
        raise invalid("Vai trò commune cần tên xã", "the commune role needs a commune name")
    if role != "commune" and commune is not None:
        raise invalid("Chỉ vai trò commune mới gắn với một xã", "only the commune role is bound to a commune")
    name = name.strip() or (commune or role)
    user = User(name=name[:200], role=role, commune=commune)
    session.add(user)
    session.flush()
    return user


def create_token(session: Session, user: User, label: str | None = None) -> tuple[Token, str]:
    """A new token for ``user``: (row, secret). The secret is returned once and never stored."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = Token(user_id=user.id, token_hash=hash_token(secret), prefix=secret[:PREFIX_CHARS], label=label)
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, token_id: int) -> Token | None:
    token = session.get(Token, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def ensure_first_admin(factory: sessionmaker[Session]) -> str | None:
    """On the very first start (no user at all): an admin user and token; returns its secret, else None."""
    with factory.begin() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        admin = create_user(session, "admin", "admin")
        _token, secret = create_token(session, admin, "lần chạy đầu / first run")
        return secret


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of a live token, or None (unknown, revoked, or its user disabled)."""
    digest = hash_token(secret)
    token = session.scalars(select(Token).where(Token.token_hash == digest)).first()
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, digest):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite gives naive datetimes back
        last = last.replace(tzinfo=dt.UTC)
    if last is None or now - last >= LAST_USED_EVERY:
        token.last_used_at = now
        session.commit()
    return Principal(user.id, user.name, user.role, user.commune, token.id)


# --- FastAPI dependencies ----------------------------------------------------------------------------------


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized("Thiếu mã truy cập (Authorization: Bearer …)", "missing token (Authorization: Bearer …)")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > 200:
        raise unauthorized("Mã truy cập phải có dạng Bearer <mã>", "the token must be given as Bearer <token>")
    return secret


def principal_for_token(session: Session, token_id: int) -> Principal | None:
    """The principal of a live token found by its id (a browser session names its token), or None."""
    token = session.get(Token, token_id)
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return Principal(user.id, user.name, user.role, user.commune, token.id)


def session_principal(request: Request) -> Principal | None:
    """The principal of the request's browser session (signed cookie, live token), or None."""
    opened = web_session.current(request)
    if opened is None:
        return None
    factory: sessionmaker[Session] = request.app.state.factory
    with factory() as session:
        return principal_for_token(session, opened.token_id)


def _from_cookie(request: Request) -> Principal | None:
    opened = web_session.current(request)
    if opened is None:
        return None
    if request.method not in web_session.SAFE_METHODS and not web_session.csrf_ok(
        opened, request.headers.get(web_session.CSRF_HEADER)
    ):
        raise ApiError(
            403,
            "csrf",
            "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token); hãy tải lại trang",
            "missing or wrong CSRF token (X-CSRF-Token); reload the page",
        )
    factory: sessionmaker[Session] = request.app.state.factory
    with factory() as session:
        principal = principal_for_token(session, opened.token_id)
    if principal is None:
        raise unauthorized("Phiên đăng nhập đã hết hiệu lực", "the session has ended")
    return principal


def current_principal(request: Request) -> Principal:
    """The bearer token's principal; without an Authorization header, the browser session's (a POST or DELETE
    of a session must carry its CSRF token in ``X-CSRF-Token``)."""
    if "authorization" not in request.headers:
        principal = _from_cookie(request)
        if principal is not None:
            request.state.principal = principal  # named in the request's log line
            return principal
    secret = _bearer(request)
    factory: sessionmaker[Session] = request.app.state.factory
    with factory() as session:
        principal = authenticate(session, secret)
    if principal is None:
        raise unauthorized("Mã truy cập sai hoặc đã bị thu hồi", "the token is wrong or was revoked")
    request.state.principal = principal  # named in the request's log line
    return principal


def _auditor(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not principal.can_audit:
        raise forbidden()
    return principal


def _admin(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.role != "admin":
        raise forbidden()
    return principal


AnyUser = Annotated[Principal, Depends(current_principal)]
Auditor = Annotated[Principal, Depends(_auditor)]
Admin = Annotated[Principal, Depends(_admin)]


# --- the commune scope ---------------------------------------------------------------------------------------


def visible_batches(principal: Principal) -> ColumnElement[bool]:
    """A filter on Batch: every batch for auditors, a commune's own batches for a commune token."""
    if not principal.is_commune:
        return true()
    return Batch.commune == principal.commune


def visible_reports(principal: Principal) -> ColumnElement[bool]:
    """A filter on Report: a commune sees a report only through an item of one of its own batches."""
    if not principal.is_commune:
        return true()
    own = (
        select(BatchItem.id)
        .join(Batch, Batch.id == BatchItem.batch_id)
        .where(BatchItem.report_id == Report.id, Batch.commune == principal.commune)
    )
    return exists(own)


def can_see_report(session: Session, principal: Principal, report_id: int) -> bool:
    found: Any = session.scalar(select(Report.id).where(Report.id == report_id, visible_reports(principal)))
    return found is not None
