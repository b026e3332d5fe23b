"""Database engine and sessions: SQLite (WAL mode) by default, PostgreSQL when configured.

`open_database` creates the engine, brings the schema to the newest migration and returns a
session factory; everything else takes sessions from that factory.
"""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

_logger = logging.getLogger(__name__)


def create_database_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL journaling, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> Config:
    """The Alembic configuration of the migrations shipped inside the `api` package."""
    folder = resources.files("api") / "migrations"
    config = Config(str(folder / "alembic.ini"))
    config.set_main_option("script_location", str(folder))
    return config


def upgrade_database(engine: Engine) -> None:
    """Apply every migration the database has not seen yet."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    _logger.info("database schema is up to date (%s)", engine.url.render_as_string())


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for `url`, with the schema migrated to the newest version."""
    engine = create_database_engine(url)
    upgrade_database(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
