"""Fixtures for the service tests: each test gets a fresh database on SQLite and on PostgreSQL,
a running app, and a tiny company (two departments) made through the API itself.

PostgreSQL is the real server at localhost:5432 (SHIFTOPT_TEST_POSTGRES_URL to change it).
"""

from __future__ import annotations

import pytest
from api_helpers import (
    BACKENDS,
    HR,
    Company,
    add_user,
    fresh_postgres_database,
    make_department,
    token_for,
)
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.sqlite3'}"
    return fresh_postgres_database()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="a-test-signing-key-that-is-long-enough-for-hs256",
        job_executor="process",
        workers=1,
        max_time_limit=30,
    )


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as test_client:
        add_user(test_client, HR[0], HR[1], role="hr")
        yield test_client


@pytest.fixture
def company(client) -> Company:
    hr = token_for(client, HR[0])
    result = Company(hr=hr)
    for name in ("north", "south"):
        dept, ids = make_department(client, hr, name, people=4)
        result.departments[name] = dept
        result.employees[name] = ids
        add_user(client, f"manager-{name}", "password-1", role="manager", department_id=dept)
        add_user(client, f"staff-{name}", "password-1", role="employee", employee_id=ids[0])
        result.managers[name] = token_for(client, f"manager-{name}")
        result.staff[name] = token_for(client, f"staff-{name}")
    return result
