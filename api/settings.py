"""The service's configuration, read once from the environment (and `shiftopt serve` flags).

Every setting has a `SHIFTOPT_` environment variable; the database also honours the conventional
`DATABASE_URL`. Without one, the service keeps its data in SQLite under the user's data directory.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_logger = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """Where the service keeps its SQLite file and signing key when nothing else is said."""
    return Path(platformdirs.user_data_dir("shiftopt", appauthor=False))


class Settings(BaseSettings):
    """Settings of one service instance."""

    model_config = SettingsConfigDict(env_prefix="SHIFTOPT_", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "SHIFTOPT_DATABASE_URL"),
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; "
        "default: SQLite in the data directory.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Folder for the SQLite file and secrets."
    )
    host: str = Field("127.0.0.1", description="Interface the service listens on.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port the service listens on.")
    workers: int = Field(1, ge=1, le=64, description="Solve jobs that run at the same time.")
    demo: bool = Field(False, description="Seed and serve the demo company.")
    admin_user: str | None = Field(None, description="User name of the first HR account.")
    admin_password: str | None = Field(None, description="Password of the first HR account.")
    secret_key: str | None = Field(
        None, description="Key that signs access tokens; default: one kept in the data directory."
    )
    token_minutes: int = Field(8 * 60, gt=0, description="How long an access token is valid.")
    job_executor: str = Field(
        "process",
        pattern="^(process|thread)$",
        description="Where solve jobs run: 'process' (a process pool) or 'thread'.",
    )
    max_time_limit: float = Field(
        600.0, gt=0, description="Longest time limit (seconds) a solve job may ask for."
    )
    max_job_attempts: int = Field(
        2, ge=1, description="Starts a solve job gets before a restart marks it failed."
    )

    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, or the default SQLite file."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        name = "demo.sqlite3" if self.demo else "shiftopt.sqlite3"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / name}"

    def resolved_secret_key(self) -> str:
        """The token signing key: the configured one, or one created once in the data directory."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
            _logger.info("created a token signing key in %s", path)
        return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgres://` and `postgresql://` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
