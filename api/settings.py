"""Settings of the audit service, read from the environment (prefix ``EXTRACTOR_``) or given by the CLI.

Every setting has a safe default, so ``extractor serve`` runs with nothing configured: a SQLite database
and the uploaded files under ``./data``. ``DATABASE_URL`` (without the prefix, as hosting platforms set
it) or ``EXTRACTOR_DATABASE_URL`` switches to PostgreSQL (``postgresql://user@host/db``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="where the database (SQLite) and the uploaded files live")
    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("EXTRACTOR_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty: a SQLite file in data_dir. postgresql://… runs jobs on procrastinate",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        description="audits run at once by the server's local pool (SQLite) or by one `extractor worker`",
    )
    local_worker: bool | None = Field(
        None, description="run audits inside the server; default: yes on SQLite, no on PostgreSQL (workers do)"
    )
    max_upload_bytes: int = Field(50 * MB, description="largest single file accepted")
    max_batch_bytes: int = Field(1024 * MB, description="largest request body of one batch upload")
    max_batch_files: int = Field(1000, description="most files in one batch (zip members included)")
    max_zip_members: int = Field(2000, description="most members a zip may list")
    max_zip_ratio: int = Field(100, description="largest uncompressed/compressed ratio of a zip member")
    max_attempts: int = Field(3, description="an audit that crashes is retried this many times, then UNREADABLE")
    job_timeout: float = Field(300.0, description="seconds one file's audit may take before it is stopped")
    rubric: str | None = Field(None, description="rubric id used when an upload names none (None: chosen by rows)")
    memory_limit: int = Field(
        2048 * MB, description="address space (bytes) one audit's child process may use; 0: no limit"
    )
    poll_interval: float = Field(1.0, description="seconds an idle local runner waits before looking for work again")
    stale_margin: float = Field(
        60.0, description="a job running longer than job_timeout plus this many seconds is taken from its runner"
    )
    heartbeat_timeout: float = Field(
        30.0, description="PostgreSQL: a worker silent this many seconds is dead and its jobs are run again"
    )

    @property
    def database(self) -> str:
        """The SQLAlchemy URL actually used."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql://" + url.removeprefix("postgres://")
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'extractor.sqlite3').resolve()}"

    @property
    def is_postgres(self) -> bool:
        return self.database.startswith("postgresql")

    @property
    def runs_local_worker(self) -> bool:
        return (not self.is_postgres) if self.local_worker is None else self.local_worker

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    def prepare(self) -> None:
        """Create the data directories (idempotent)."""
        for d in (self.data_dir, self.files_dir, self.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
