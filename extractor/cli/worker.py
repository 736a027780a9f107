"""``extractor worker [--data-dir D] [--concurrency N]``: run audit jobs of the service.

With PostgreSQL (``DATABASE_URL``) a procrastinate worker: start as many as wanted on as many machines as
wanted, all against the same database. With the SQLite default it runs the audits of a data directory in
the foreground (only when no server runs its own pool on that directory)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from extractor.cli.args import positive_int
from extractor.exitcodes import EXIT_OK, EXIT_UNREADABLE


def add_parser(subparsers: Any) -> None:
    w = subparsers.add_parser("worker", help="chạy các việc kiểm tra của dịch vụ / run the service's audit jobs")
    w.add_argument("--data-dir", type=Path, default=None, help="thư mục dữ liệu / data directory (EXTRACTOR_DATA_DIR)")
    w.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        help="số tệp kiểm tra cùng lúc / audits at once (EXTRACTOR_WORKERS, mặc định: số lõi / default: cores)",
    )
    w.add_argument(
        "--stop-when-idle",
        action="store_true",
        help="dừng khi hết việc / stop when no job is left",
    )
    w.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    from psycopg import OperationalError as PgOperationalError
    from sqlalchemy.exc import OperationalError as SaOperationalError

    from api.jobs import DataDirBusyError, MissingOriginalsError, run_worker
    from api.logging import configure
    from api.settings import Settings

    OperationalError = (SaOperationalError, PgOperationalError)

    configure(logging.INFO)  # one JSON line per job, as the server writes them
    overrides: dict[str, Any] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    try:
        run_worker(settings, concurrency=args.concurrency, stop_when_idle=args.stop_when_idle)
    except (DataDirBusyError, MissingOriginalsError) as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    except OperationalError as err:
        print(
            f"Không kết nối được cơ sở dữ liệu / cannot connect to the database: {str(err).splitlines()[0]}",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    return EXIT_OK
