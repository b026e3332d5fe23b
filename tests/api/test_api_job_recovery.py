"""What a starting service does with jobs a previous run left behind: re-queue and finish them,
or fail them with the reason once they have been started too often. SQLite and PostgreSQL.
"""

from __future__ import annotations

from api_helpers import HR, add_user, tiny_problem, token_for, wait_for_job
from fastapi.testclient import TestClient

from api.db import open_database
from api.main import create_app
from api.models import SolveJob


def leave_job_behind(database_url: str, job_id: str, status: str, attempts: int) -> None:
    """A job row as a killed service leaves it: owned by an instance that no longer runs."""
    engine, factory = open_database(database_url)
    with factory() as session:
        session.add(
            SolveJob(
                id=job_id,
                status=status,
                owner="a-service-that-died",
                attempts=attempts,
                problem=tiny_problem(),
                settings={"time_limit": 2},
            )
        )
        session.commit()
    engine.dispose()


def test_jobs_left_queued_or_running_are_finished_after_a_start(settings):
    """A queued and a once-started running job are re-queued and solved by the new service."""
    leave_job_behind(settings.database_url, "left-queued", "queued", 0)
    leave_job_behind(settings.database_url, "left-running", "running", 1)
    with TestClient(create_app(settings)) as client:
        add_user(client, HR[0], HR[1], role="hr")
        hr = token_for(client, HR[0])
        queued = wait_for_job(client, hr, "left-queued")
        running = wait_for_job(client, hr, "left-running")
    assert queued["status"] == running["status"] == "finished"
    assert running["attempts"] == 2
    assert "interrupted by a service restart; re-queued" in running["error"]


def test_job_interrupted_too_often_is_failed_with_the_reason(settings):
    """A job already started max_job_attempts times is not started again but failed."""
    leave_job_behind(settings.database_url, "unlucky", "running", settings.max_job_attempts)
    with TestClient(create_app(settings)) as client:
        add_user(client, HR[0], HR[1], role="hr")
        job = client.get("/api/v1/solve-jobs/unlucky", headers=token_for(client, HR[0])).json()
    assert job["status"] == "failed"
    assert "interrupted by a service restart after 2 start(s)" in job["error"]
    assert job["finished_at"] is not None
