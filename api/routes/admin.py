"""Users and tokens (admin only), and ``/api/me`` for any token. A token's secret is shown once, when it is
created; lists show its prefix only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

import extractor
from api.auth import Admin, AnyUser, create_token, create_user, revoke_token
from api.db import Token, User
from api.errors import ERROR_RESPONSES, invalid, not_found
from api.routes.common import Id, SessionDep, iso

router = APIRouter(prefix="/api", tags=["quản trị / admin"], responses=ERROR_RESPONSES)

RoleName = Literal["admin", "auditor", "commune"]


class UserIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, description="tên / name")]
    role: RoleName
    commune: Annotated[str | None, Field(max_length=200, description="xã, cho vai trò commune / commune")] = None


class TokenIn(BaseModel):
    """Một mã cho người dùng có sẵn (`user_id`) hoặc cho người dùng mới (`name`, `role`, `commune`)."""

    user_id: int | None = None
    name: Annotated[str | None, Field(max_length=200)] = None
    role: RoleName | None = None
    commune: Annotated[str | None, Field(max_length=200)] = None
    label: Annotated[str | None, Field(max_length=200, description="nhãn của mã / label")] = None


def _iso(value: Any) -> str | None:
    return iso(value)


def user_out(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "role": u.role,
        "commune": u.commune,
        "active": u.active,
        "created_at": _iso(u.created_at),
    }


def token_out(t: Token, u: User | None) -> dict[str, Any]:
    return {
        "id": t.id,
        "prefix": t.prefix,
        "label": t.label,
        "user": user_out(u) if u is not None else None,
        "created_at": _iso(t.created_at),
        "last_used_at": _iso(t.last_used_at),
        "revoked_at": _iso(t.revoked_at),
    }


@router.get("/me", summary="Người dùng của mã này / who this token is")
def me(principal: AnyUser) -> dict[str, Any]:
    return {
        "user_id": principal.user_id,
        "name": principal.name,
        "role": principal.role,
        "commune": principal.commune,
        "token_id": principal.token_id,
    }


@router.get("/rubrics", summary="Các bộ tiêu chí / the rubrics an upload may name")
def rubrics(_principal: AnyUser) -> dict[str, Any]:
    found = extractor.list_rubrics()
    return {
        "total": len(found),
        "rubrics": [
            {
                "id": r.id,
                "version": r.version,
                "name": r.name,
                "criteria": len(r.criteria),
                "total_points": float(r.total_points),
                "pass_threshold": float(r.pass_threshold),
            }
            for r in found
        ],
    }


@router.get("/users", summary="Danh sách người dùng / list users")
def list_users(session: SessionDep, _admin: Admin) -> dict[str, Any]:
    rows = session.scalars(select(User).order_by(User.id)).all()
    return {"total": len(rows), "users": [user_out(u) for u in rows]}


@router.post("/users", status_code=201, summary="Tạo người dùng / create a user")
def new_user(payload: UserIn, session: SessionDep, _admin: Admin) -> dict[str, Any]:
    user = create_user(session, payload.name, payload.role, payload.commune)
    session.commit()
    return user_out(user)


@router.get("/tokens", summary="Danh sách mã truy cập (không có mã bí mật) / list tokens, never the secret")
def list_tokens(session: SessionDep, _admin: Admin) -> dict[str, Any]:
    rows = session.execute(select(Token, User).join(User, User.id == Token.user_id).order_by(Token.id)).all()
    return {"total": len(rows), "tokens": [token_out(t, u) for t, u in rows]}


@router.post(
    "/tokens",
    status_code=201,
    summary="Tạo mã truy cập / create a token",
    description="Mã bí mật (`token`) chỉ hiện một lần, trong câu trả lời này. / The secret is shown once, here.",
)
def new_token(payload: TokenIn, session: SessionDep, _admin: Admin) -> dict[str, Any]:
    if payload.user_id is not None:
        user = session.get(User, payload.user_id)
        if user is None:
            raise not_found("người dùng", "user", payload.user_id)
    elif payload.role is not None:
        user = create_user(session, payload.name or "", payload.role, payload.commune)
    else:
        raise invalid("Cần user_id, hoặc role (và commune) cho người dùng mới", "give user_id, or role for a new user")
    token, secret = create_token(session, user, payload.label)
    session.commit()
    return {**token_out(token, user), "token": secret}


@router.delete("/tokens/{token_id}", summary="Thu hồi mã truy cập / revoke a token")
def delete_token(token_id: Id, session: SessionDep, _admin: Admin) -> dict[str, Any]:
    token = revoke_token(session, token_id)
    if token is None:
        raise not_found("mã truy cập", "token", token_id)
    session.commit()
    return token_out(token, session.get(User, token.user_id))
