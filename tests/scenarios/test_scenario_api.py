"""The scenario resources of the service: create against a department's week, list, run as a
job in a worker process, cancel, and fetch the comparison, on SQLite and PostgreSQL with the
real solver."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_helpers import (
    BACKENDS,
    HR,
    NEXT_MONDAY,
    add_user,
    fresh_postgres_database,
    make_department,
    token_for,
)

from api.main import create_app
from api.scenario_jobs import INTERRUPTED_RUN, ScenarioRecord
from api.settings import Settings


@pytest.fixture(params=BACKENDS)
def client(request, tmp_path):
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    else:
        database_url = fresh_postgres_database()
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="a-test-signing-key-that-is-long-enough-for-hs256",
        job_executor="process",
        workers=1,
        max_time_limit=30,
    )
    with TestClient(create_app(settings)) as test_client:
        add_user(test_client, HR[0], HR[1], role="hr")
        yield test_client


def _wait_for(client, scenario_id, headers, statuses: tuple[str, ...], seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/scenarios/{scenario_id}", headers=headers).json()
        if body["status"] in statuses:
            return body
        time.sleep(0.1)
    raise AssertionError(f"scenario {scenario_id} still {body['status']} after {seconds} s")


def _run_to_the_end(client, scenario_id, headers) -> dict:
    """Run the scenario for up to three seconds per solve (one second left a loaded machine
    without a baseline roster once); its status once finished."""
    url = f"/api/v1/scenarios/{scenario_id}/runs"
    run = client.post(url, json={"time_limit": 3}, headers=headers)
    assert run.status_code == 202, run.text
    done = _wait_for(client, scenario_id, headers, ("finished", "failed", "cancelled"), 90.0)
    assert done["status"] == "finished", done["error"]
    return done


def test_scenario_is_created_listed_run_as_a_job_and_compared(client):
    hr = token_for(client, HR[0])
    dept, _ = make_department(client, hr, "desk", people=5)
    body = {
        "department_id": dept,
        "week": NEXT_MONDAY.isoformat(),
        "scenario": {"name": "busy monday", "demand": [{"people": 1, "days": ["mon"]}]},
    }
    created = client.post("/api/v1/scenarios", json=body, headers=hr)
    assert created.status_code == 201, created.text
    scenario_id = created.json()["id"]
    assert created.json()["status"] == "created"
    listed = client.get("/api/v1/scenarios", headers=hr).json()
    assert [s["id"] for s in listed] == [scenario_id]

    early = client.get(f"/api/v1/scenarios/{scenario_id}/comparison", headers=hr)
    assert early.status_code == 409
    done = _run_to_the_end(client, scenario_id, hr)
    comparison = client.get(f"/api/v1/scenarios/{scenario_id}/comparison", headers=hr).json()
    assert comparison["scenario"]["hard_violations"] == 0
    assert comparison["scenario"]["paid_hours"] >= comparison["baseline"]["paid_hours"]
    assert sum(comparison["scenario"]["extra_shifts"].values()) == 2
    assert done["summary"]["scenario"]["labour_cost"] == comparison["scenario"]["labour_cost"]


def test_a_cancelled_run_stops_its_worker_keeps_no_comparison_and_can_run_again(client):
    hr = token_for(client, HR[0])
    body = {"scenario": {"name": "peak", "baseline": {"demo": {}}, "demand": [{"percent": 40}]}}
    scenario_id = client.post("/api/v1/scenarios", json=body, headers=hr).json()["id"]
    # The demo week (50 people) uses all its time: two solves of 25 s each, uncancelled.
    run = client.post(f"/api/v1/scenarios/{scenario_id}/runs", json={"time_limit": 25}, headers=hr)
    assert run.status_code == 202, run.text
    _wait_for(client, scenario_id, hr, ("running",), 60.0)

    cancelled = client.post(f"/api/v1/scenarios/{scenario_id}/cancel", headers=hr)
    asked = time.monotonic()

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/scenarios/{scenario_id}/cancel", headers=hr)
    assert again.status_code == 409
    assert "not running" in again.json()["detail"]
    comparison = client.get(f"/api/v1/scenarios/{scenario_id}/comparison", headers=hr)
    assert comparison.status_code == 409
    # The service runs one scenario at a time: the next run starts once the cancelled one
    # has let go of the worker, long before its 50 s would have passed.
    _run_to_the_end(client, scenario_id, hr)
    assert time.monotonic() - asked < 25
    assert client.get(f"/api/v1/scenarios/{scenario_id}/comparison", headers=hr).status_code == 200


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        ({"name": "x", "events_file": "/etc/events.yaml"}, "scenario.events_file"),
        ({"name": "x", "baseline": {"problem": "/etc/passwd"}}, "scenario.baseline"),
    ],
)
def test_scenario_naming_server_files_is_refused(client, scenario, field):
    hr = token_for(client, HR[0])
    dept, _ = make_department(client, hr, "desk", people=2)
    body = {"department_id": dept, "week": NEXT_MONDAY.isoformat(), "scenario": scenario}
    reply = client.post("/api/v1/scenarios", json=body, headers=hr)
    assert reply.status_code == 422
    assert field in reply.text


def test_manager_of_another_department_cannot_see_a_scenario(client):
    hr = token_for(client, HR[0])
    north, _ = make_department(client, hr, "north", people=2)
    south, _ = make_department(client, hr, "south", people=2)
    add_user(client, "manager-south", "password-1", role="manager", department_id=south)
    body = {"department_id": north, "week": NEXT_MONDAY.isoformat(), "scenario": {"name": "x"}}
    scenario_id = client.post("/api/v1/scenarios", json=body, headers=hr).json()["id"]
    south_manager = token_for(client, "manager-south")
    assert client.get(f"/api/v1/scenarios/{scenario_id}", headers=south_manager).status_code == 403
    assert client.get("/api/v1/scenarios", headers=south_manager).json() == []


def test_a_run_interrupted_by_a_restart_is_marked_failed_with_the_reason(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'service.sqlite3'}",
        data_dir=tmp_path,
        secret_key="a-test-signing-key-that-is-long-enough-for-hs256",
        job_executor="thread",
    )
    with TestClient(create_app(settings)) as first:
        add_user(first, HR[0], HR[1], role="hr")
        hr = token_for(first, HR[0])
        dept, _ = make_department(first, hr, "desk", people=2)
        body = {
            "department_id": dept,
            "week": NEXT_MONDAY.isoformat(),
            "scenario": {"name": "busy monday", "demand": [{"people": 1, "days": ["mon"]}]},
        }
        scenario_id = first.post("/api/v1/scenarios", json=body, headers=hr).json()["id"]
        with first.app.state.session_factory() as session:  # as a killed worker leaves it
            session.get(ScenarioRecord, scenario_id).status = "running"
            session.commit()
    with TestClient(create_app(settings)) as again:
        hr = token_for(again, HR[0])
        body = again.get(f"/api/v1/scenarios/{scenario_id}", headers=hr).json()
        assert body["status"] == "failed"
        assert body["error"] == INTERRUPTED_RUN
