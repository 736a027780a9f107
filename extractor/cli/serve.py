"""``extractor serve [--host H] [--port P] [--data-dir D]``: run the audit service (HTTP API, OpenAPI at /docs).

Settings come from the environment (``EXTRACTOR_*``, ``DATABASE_URL``; see api/settings.py), overridden by
the flags. On the very first start (no user yet) an admin token is created and the address to open is
printed with it, on stderr; later starts print the address alone.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from extractor.cli.args import positive_int
from extractor.exitcodes import EXIT_OK, EXIT_UNREADABLE

DATA_DIR_HELP = "thư mục dữ liệu / data directory (EXTRACTOR_DATA_DIR, mặc định / default: ./data)"


def add_parser(subparsers: Any) -> None:
    s = subparsers.add_parser("serve", help="chạy dịch vụ kiểm tra qua HTTP / run the audit service (HTTP API)")
    s.add_argument("--host", default=None, help="địa chỉ nghe / address to listen on (EXTRACTOR_HOST, 127.0.0.1)")
    s.add_argument("--port", type=positive_int, default=None, help="cổng / port (EXTRACTOR_PORT, 8000)")
    s.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    s.set_defaults(func=cmd_serve)


def settings_from(args: argparse.Namespace) -> Any:
    """The service's settings: the environment's, overridden by the flags given."""
    from api.settings import Settings

    overrides = {
        key: getattr(args, key) for key in ("host", "port", "data_dir") if getattr(args, key, None) is not None
    }
    return Settings(**overrides)


def public_address(host: str, port: int) -> str:
    """The address a person on this machine opens: a wildcard listen address is reached on loopback."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def data_dir_in_use(settings: Any) -> str | None:
    """Why this server cannot run its local pool (another server holds the SQLite data directory), or None.
    Checked before starting so the refusal is one clear message; the pool takes the lock itself at start."""
    if not settings.runs_local_worker or settings.is_postgres:
        return None
    import fcntl

    from api.local_pool import LOCK_NAME, DataDirBusyError

    settings.prepare()
    path = settings.data_dir / LOCK_NAME
    with path.open("a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            return str(DataDirBusyError(settings.data_dir, f.read().strip()))
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app, first_run
    from api.logging import configure

    configure(logging.INFO)  # every record a JSON line on stderr; requests are logged by api.security.RequestLog
    settings = settings_from(args)
    busy = data_dir_in_use(settings)
    if busy is not None:
        print(f"LỖI / ERROR: {busy}", file=sys.stderr)
        return EXIT_UNREADABLE
    secret = first_run(settings)
    app = create_app(settings)
    address = public_address(settings.host, settings.port)
    if secret is not None:
        print(
            "Lần chạy đầu: đã tạo người dùng admin; mã truy cập chỉ hiện một lần.\n"
            "First run: an admin user was created; its token is shown this once.\n"
            f"Mã / Token: {secret}\n"
            f"Mở / Open: {address}?token={secret}\n"
            f"API: {address}docs",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(f"Mở / Open: {address}\nAPI: {address}docs", file=sys.stderr, flush=True)
    # uvicorn's own access log is off (it would print the query string, where a first-run token travels) and
    # its logging setup is skipped, so its other records go through the JSON handler above.
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        print(
            f"Không khởi động được dịch vụ trên {settings.host}:{settings.port} (xem nhật ký ở trên)\n"
            f"the service could not start on {settings.host}:{settings.port} (see the log above)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    return EXIT_OK
