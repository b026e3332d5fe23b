"""Killing the real service (uvicorn, SIGKILL) in the middle of a solve and starting it again
loses no stored data and leaves no job stuck "running".

Runs on the embedded default, SQLite in WAL mode, where an abrupt kill matters most; the
recovery rules themselves are tested on both backends in test_api_job_recovery.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest
from api_helpers import busy_problem, make_department, start_service, stop_group, wait_for_job
from sqlalchemy import create_engine, text

from optimizer import Problem, Solution, validate


def job_status(database_url: str, job_id: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM solve_jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()
    engine.dispose()
    return status


@pytest.mark.slow
def test_killed_service_resumes_its_job_after_a_restart(tmp_path):
    """SIGKILL mid-solve leaves the job 'running' in the database; the restarted service
    re-queues it, solves it to the end, and every stored department is still there."""
    database_url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    first, base = start_service(database_url, tmp_path)
    second = None
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "hr", "password": "hr-password"}
            ).json()
            hr = {"Authorization": f"Bearer {token['access_token']}"}
            make_department(client, hr, "north", people=3)
            reply = client.post(
                "/api/v1/solve-jobs",
                json={"problem": busy_problem(), "settings": {"time_limit": 5}},
                headers=hr,
            )
            job_id = reply.json()["id"]
            wait_for_job(client, hr, job_id, until=lambda j: j["objective"] is not None)
        first.kill()
        first.wait(timeout=10)
        assert job_status(database_url, job_id) == "running"

        second, base = start_service(database_url, tmp_path)
        with httpx.Client(base_url=base, timeout=30) as client:
            job = wait_for_job(client, hr, job_id, timeout=60)
            departments = client.get("/api/v1/departments", headers=hr).json()
            people = client.get("/api/v1/employees", headers=hr).json()
        assert job["status"] == "finished", job
        assert job["attempts"] == 2
        assert "interrupted" in job["error"]
        report = validate(
            Problem.model_validate(busy_problem()),
            Solution.model_validate(job["solution"]).assignments,
        )
        assert report.hard_violations == []
        assert [d["name"] for d in departments] == ["north"]
        assert len(people) == 3
    finally:
        stop_group(first)
        if second is not None:
            stop_group(second)


@pytest.mark.slow
def test_stopping_the_service_hands_its_running_job_back_to_the_queue(tmp_path):
    """SIGTERM (Ctrl-C) stops the service within seconds; the job it was solving is queued
    again with its best roster, for the next start to resume, and a second service on the
    same port is refused before it can take the job over."""
    database_url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    service, base = start_service(database_url, tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "hr", "password": "hr-password"}
            ).json()
            hr = {"Authorization": f"Bearer {token['access_token']}"}
            reply = client.post(
                "/api/v1/solve-jobs",
                json={"problem": busy_problem(), "settings": {"time_limit": 30}},
                headers=hr,
            )
            job_id = reply.json()["id"]
            wait_for_job(client, hr, job_id, until=lambda j: j["objective"] is not None)
        port = base.rsplit(":", 1)[1]
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--port",
                port,
                "--database-url",
                database_url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert "in use" in second.stderr
        assert job_status(database_url, job_id) == "running"
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=20)
        assert job_status(database_url, job_id) == "queued"
    finally:
        stop_group(service)
