"""``extractor token create|list|revoke``: the service's access tokens, managed on the server's machine.

    extractor token create --role auditor --name "Sở KH&CN"          # prints the new token alone on stdout
    extractor token create --role commune --commune "Tiên Lãng"
    extractor token list                                             # id, prefix, user, role, commune, …
    extractor token revoke 3

A token's secret is printed once, when it is created; only its sha256 is stored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from extractor.cli.args import positive_int
from extractor.exitcodes import EXIT_OK, EXIT_UNREADABLE
from extractor.render import terminal_safe

DATA_DIR_HELP = "thư mục dữ liệu / data directory (EXTRACTOR_DATA_DIR, mặc định / default: ./data)"


def add_parser(subparsers: Any) -> None:
    t = subparsers.add_parser("token", help="quản lý mã truy cập của dịch vụ / manage the service's tokens")
    sub = t.add_subparsers(dest="action", required=True, title="việc / actions")
    c = sub.add_parser("create", help="tạo mã mới, in ra một lần / create a token, printed once")
    c.add_argument("--role", choices=["admin", "auditor", "commune"], required=True, help="vai trò / role")
    c.add_argument("--commune", default=None, help="tên xã, cho vai trò commune / commune, for the commune role")
    c.add_argument("--name", default=None, help="tên người dùng / user name")
    c.add_argument("--label", default=None, help="nhãn của mã / token label")
    c.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    c.set_defaults(func=cmd_create)
    lst = sub.add_parser("list", help="liệt kê mã (không có mã bí mật) / list tokens, never the secret")
    lst.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    lst.set_defaults(func=cmd_list)
    r = sub.add_parser("revoke", help="thu hồi một mã / revoke a token")
    r.add_argument("id", type=positive_int, help="số của mã (xem token list) / token id")
    r.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    r.set_defaults(func=cmd_revoke)


def _factory(args: argparse.Namespace) -> Any:
    from api.db import make_engine, make_sessionmaker
    from api.migrate import upgrade
    from api.settings import Settings

    settings = Settings(data_dir=args.data_dir) if args.data_dir is not None else Settings()
    engine = make_engine(settings)
    upgrade(engine)
    return make_sessionmaker(engine)


def cmd_create(args: argparse.Namespace) -> int:
    from api.auth import create_token, create_user
    from api.errors import ApiError

    factory = _factory(args)
    try:
        with factory.begin() as session:
            user = create_user(session, args.name or "", args.role, args.commune)
            _token, secret = create_token(session, user, args.label)
    except ApiError as err:
        print(f"LỖI / ERROR: {err.message_vi}\n{err.message_en}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(secret)
    return EXIT_OK


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from api.db import Token, User

    factory = _factory(args)
    with factory() as session:
        rows = session.execute(select(Token, User).join(User, User.id == Token.user_id).order_by(Token.id)).all()
    print("id\tmã đầu / prefix\tngười dùng / user\tvai trò / role\txã / commune\ttạo / created\tdùng / last used\t"
          "thu hồi / revoked")  # fmt: skip
    for token, user in rows:
        cells = [
            str(token.id),
            token.prefix + "…",
            user.name,
            user.role,
            user.commune or "-",
            _when(token.created_at),
            _when(token.last_used_at),
            _when(token.revoked_at),
        ]
        print("\t".join(terminal_safe(c) for c in cells))
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    from api.auth import revoke_token

    factory = _factory(args)
    with factory.begin() as session:
        token = revoke_token(session, args.id)
        if token is None:
            print(f"LỖI / ERROR: không có mã số {args.id}\nno token with id {args.id}", file=sys.stderr)
            return EXIT_UNREADABLE
    print(f"Đã thu hồi mã {args.id} / token {args.id} revoked", file=sys.stderr)
    return EXIT_OK
