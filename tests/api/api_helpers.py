"""Helpers shared by the service tests: test databases, log-ins and a tiny company made
through the API itself.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field

import httpx
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "SHIFTOPT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/shiftopt_test"
)
BACKENDS = ("sqlite", "postgresql")
HR = ("hr", "hr-password")
NEXT_MONDAY = dt.date(2030, 1, 7)


def _admin_conninfo(url: str) -> str:
    return (
        make_url(url)
        .set(database="postgres", drivername="postgresql")
        .render_as_string(hide_password=False)
    )


_CREATED: dict[str, str] = {}


def own_test_database_url(url: str = POSTGRES_URL) -> str:
    """This test run's own PostgreSQL database (the configured name plus the process id), so
    that test runs in parallel never empty each other's tables. Created once per run."""
    if url not in _CREATED:
        parsed = make_url(url)
        name = f"{parsed.database}_{os.getpid()}"
        with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        _CREATED[url] = parsed.set(database=name).render_as_string(hide_password=False)
        atexit.register(drop_test_databases)
    return _CREATED[url]


def drop_test_databases() -> None:
    """Remove the databases this run created."""
    for url, own in list(_CREATED.items()):
        name = make_url(own).database
        with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        del _CREATED[url]


def fresh_postgres_database(url: str = POSTGRES_URL) -> str:
    """This run's test database with every table emptied (or the schema dropped); its URL."""
    own = own_test_database_url(url)
    target = make_url(own).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(target, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        if "alembic_version" in tables and len(tables) > 1:
            emptied = ", ".join(f'"{t}"' for t in tables if t != "alembic_version")
            conn.execute(f"TRUNCATE {emptied} RESTART IDENTITY CASCADE")
        else:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    return own


_PASSWORD_HASH: dict[str, str] = {}


def add_user(client: TestClient, username: str, password: str, **fields) -> None:
    """Store an account directly (hashing each test password once per test run)."""
    from api.models import User
    from api.security import hash_password

    if password not in _PASSWORD_HASH:
        _PASSWORD_HASH[password] = hash_password(password)
    with client.app.state.session_factory() as session:
        session.add(User(username=username, password_hash=_PASSWORD_HASH[password], **fields))
        session.commit()


def token_for(client: TestClient, username: str) -> dict[str, str]:
    """Authorization headers for a stored user, as the token endpoint would issue them."""
    from sqlalchemy import select

    from api.models import User
    from api.security import create_access_token

    with client.app.state.session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
    token = create_access_token(user.id, user.role, client.app.state.secret_key, 60)
    return {"Authorization": f"Bearer {token}"}


def log_in(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Authorization headers for a user."""
    reply = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@dataclass
class Company:
    """Two small departments, their people and log-ins."""

    hr: dict[str, str]
    departments: dict[str, int] = field(default_factory=dict)
    employees: dict[str, list[int]] = field(default_factory=dict)
    managers: dict[str, dict[str, str]] = field(default_factory=dict)
    staff: dict[str, dict[str, str]] = field(default_factory=dict)
    week: dt.date = NEXT_MONDAY


def make_department(client: TestClient, hr: dict[str, str], name: str, people: int) -> tuple:
    """A department with early and late shifts, `people` employees and a week of demand."""
    dept = client.post("/api/v1/departments", json={"name": name}, headers=hr).json()["id"]
    for code, start in (("early", 7 * 60), ("late", 14 * 60)):
        reply = client.post(
            f"/api/v1/departments/{dept}/shift-templates",
            json={
                "code": code,
                "name": code.title(),
                "kind": code,
                "start_minute": start,
                "duration_minutes": 480,
            },
            headers=hr,
        )
        assert reply.status_code == 201, reply.text
    ids = []
    for i in range(people):
        reply = client.post(
            "/api/v1/employees",
            json={
                "department_id": dept,
                "name": f"{name} person {i}",
                "skills": ["desk"],
                "hourly_cost": 20 + i,
            },
            headers=hr,
        )
        assert reply.status_code == 201, reply.text
        ids.append(reply.json()["id"])
    lines = [
        {"date": (NEXT_MONDAY + dt.timedelta(days=d)).isoformat(), "shift": code, "required": 1}
        for d in range(7)
        for code in ("early", "late")
    ]
    reply = client.put(
        f"/api/v1/departments/{dept}/demand",
        json={"week": NEXT_MONDAY.isoformat(), "lines": lines},
        headers=hr,
    )
    assert reply.status_code == 200, reply.text
    return dept, ids


def busy_problem(people: int = 24, days: int = 14) -> dict:
    """A problem CP-SAT needs several seconds to prove optimal (fairness over two weeks)."""
    shift_types = [
        {"id": "E", "start_minute": 420, "duration_minutes": 480},
        {"id": "L", "start_minute": 780, "duration_minutes": 480},
        {"id": "N", "start_minute": 1320, "duration_minutes": 480, "unpopular": True},
    ]
    return {
        "name": "busy fortnight",
        "num_days": days,
        "shift_types": shift_types,
        "contracts": [
            {
                "id": "c",
                "max_minutes_per_week": 2400,
                "min_rest_minutes": 660,
                "max_consecutive_days": 5,
            }
        ],
        "employees": [
            {"id": f"p{i}", "contract": "c", "hourly_cost": 20 + i % 7} for i in range(people)
        ],
        "shift_demand": [
            {"day": d, "shift_type": t, "required": r}
            for d in range(days)
            for t, r in (("E", 5), ("L", 4), ("N", 3))
        ],
        "preferences": [
            {"employee": f"p{i}", "day": (i * 3) % days, "kind": "avoid", "weight": 3}
            for i in range(people)
        ],
        "rules": {
            "weights": {
                "fair_hours": 3,
                "fair_unpopular": 10,
                "fair_weekends": 10,
                "labour_cost": 1,
                "under_cover": 1000,
            }
        },
    }


def tiny_problem() -> dict:
    """Three people, two shift types, three days: solved to optimality in a blink."""
    return {
        "name": "tiny",
        "num_days": 3,
        "shift_types": [
            {"id": "E", "start_minute": 420, "duration_minutes": 480},
            {"id": "L", "start_minute": 840, "duration_minutes": 480},
        ],
        "contracts": [{"id": "c", "max_minutes_per_week": 2400, "min_rest_minutes": 660}],
        "employees": [
            {"id": "ann", "contract": "c", "hourly_cost": 20},
            {"id": "bob", "contract": "c", "hourly_cost": 25},
            {"id": "cas", "contract": "c", "hourly_cost": 30, "unavailable_days": [1]},
        ],
        "shift_demand": [
            {"day": d, "shift_type": t, "required": 1} for d in range(3) for t in ("E", "L")
        ],
        "preferences": [{"employee": "ann", "day": 2, "kind": "avoid", "weight": 50}],
        "rules": {"weights": {"labour_cost": 1}},
    }


def wait_for_job(client, headers, job_id: str, until=None, timeout: float = 60.0) -> dict:
    """Poll a job until `until(job)` holds (default: it has ended); fails after `timeout`."""
    import time

    def ended(job):
        return job["status"] not in ("queued", "running")

    until = until or ended
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/v1/solve-jobs/{job_id}", headers=headers).json()
        if until(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.2)


SECRET = "a-test-signing-key-that-is-long-enough-for-hs256"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(
    database_url: str, data_dir, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """`shiftopt serve` in its own process group; returns it and its base URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "SHIFTOPT_SECRET_KEY": SECRET,
        "SHIFTOPT_ADMIN_USER": "hr",
        "SHIFTOPT_ADMIN_PASSWORD": "hr-password",
        "SHIFTOPT_DATA_DIR": str(data_dir),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited while starting"
        with suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        time.sleep(0.2)
    raise AssertionError("the service did not answer within 60 s")


def stop_group(process: subprocess.Popen) -> None:
    """Kill what is left of a service's process group (its workers included)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
