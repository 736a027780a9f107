"""A PostgreSQL server for the tests, whatever the machine has.

``TEST_DATABASE_URL`` (or ``DATABASE_URL``) names a server to use; otherwise the tests start their own,
private one from Debian's PostgreSQL binaries (``/usr/lib/postgresql/<v>/bin``, package ``postgresql``,
installed by ``./dev test``) in a temporary directory on a free port of 127.0.0.1, and stop it at the end.
They never rely on a server that happens to run on the machine. Each caller gets a fresh database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

STARTUP_SECONDS = 60


class NoPostgres(Exception):
    """No PostgreSQL server could be configured or started (the reason says why)."""


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` system user then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as err:
        raise NoPostgres("running as root and there is no 'postgres' user to run the server as") from err
    return ["runuser", "-u", "postgres", "--"]


class PrivateServer:
    """A throw-away PostgreSQL cluster: ``url`` is its admin connection (user postgres, trust auth)."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            raise NoPostgres("PostgreSQL's initdb was not found (Debian package 'postgresql')")
        self.dir = Path(tempfile.mkdtemp(prefix="extractor-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        user = _as_user()
        if user:
            shutil.chown(self.dir, "postgres", "postgres")
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        subprocess.run(
            [*user, str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c fsync=off"
        )
        subprocess.run(
            [*user, str(bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w",
             "-t", str(STARTUP_SECONDS), "start"],
            check=True,
            capture_output=True,
            env=env,
            timeout=STARTUP_SECONDS + 10,
        )  # fmt: skip
        self.bindir, self.user = bindir, user
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [*self.user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def configured_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The admin URL of a server: the configured one, else a private one for the duration."""
    url = configured_url()
    if url:
        yield url
        return
    server = PrivateServer()
    try:
        yield server.url
    finally:
        server.stop()


def fresh_database(admin_url: str) -> str:
    """Create an empty database on the server and return its URL."""
    name = f"extractor_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
