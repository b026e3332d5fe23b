"""Persistence: the migrated schema on SQLite (WAL) and PostgreSQL, and data surviving a restart.

Each test runs on both backends.
"""

from __future__ import annotations

from api_helpers import HR, log_in
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from api.db import open_database
from api.main import create_app


def test_migration_creates_every_table(database_url):
    """Alembic brings an empty database to the newest schema, on both backends."""
    engine, _ = open_database(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "departments",
        "employees",
        "shift_templates",
        "labour_rules",
        "demand",
        "leave",
        "preferences",
        "rosters",
        "roster_publications",
        "solve_jobs",
        "users",
        "alembic_version",
    } <= tables


def test_migrating_twice_changes_nothing(database_url):
    """Starting the service on an up-to-date database is harmless."""
    open_database(database_url)[0].dispose()
    engine, _ = open_database(database_url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == "0007"  # the newest revision in api/migrations/versions


def test_sqlite_runs_in_wal_mode(tmp_path):
    """The embedded default keeps its journal in WAL mode so readers never wait for the solver."""
    engine, _ = open_database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with engine.connect() as conn:
        mode = conn.execute(text("PRAGMA journal_mode")).scalar_one()
    engine.dispose()
    assert mode == "wal"


def test_default_database_is_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    """Without DATABASE_URL the service uses a SQLite file under its data directory."""
    from api.settings import Settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SHIFTOPT_DATABASE_URL", raising=False)
    url = Settings(data_dir=tmp_path).resolved_database_url()
    assert url == f"sqlite:///{tmp_path / 'shiftopt.sqlite3'}"


def test_database_url_from_the_environment_selects_postgresql(monkeypatch, tmp_path):
    """DATABASE_URL (as platforms set it) switches to PostgreSQL with the psycopg driver."""
    from api.settings import Settings

    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@db:5432/shiftopt")
    url = Settings(data_dir=tmp_path).resolved_database_url()
    assert url == "postgresql+psycopg://postgres@db:5432/shiftopt"


def test_stored_data_survives_a_restart(settings, company):
    """A second service instance on the same database sees what the first one stored."""
    with TestClient(create_app(settings)) as again:
        hr = log_in(again, *HR)
        names = [d["name"] for d in again.get("/api/v1/departments", headers=hr).json()]
        people = again.get("/api/v1/employees", headers=hr).json()
    assert names == ["north", "south"]
    assert len(people) == 8
