"""Schemathesis against the live OpenAPI schema of a running service (uvicorn, SQLite): no
request it generates may get a server error (5xx) or a reply that breaks the documented schema.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from api_helpers import NEXT_MONDAY, make_department, start_service, stop_group, wait_for_job

EXAMPLES_PER_OPERATION = 5
CHECKS = (
    "not_a_server_error,response_schema_conformance,content_type_conformance,"
    "status_code_conformance"
)


@pytest.mark.slow
def test_no_server_errors_and_replies_match_the_schema(tmp_path):
    """Every operation, fed generated input as HR, answers without 5xx and as documented."""
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
    process, base = start_service(url, tmp_path, {"SHIFTOPT_MAX_TIME_LIMIT": "1"})
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "hr", "password": "hr-password"}
            ).json()["access_token"]
            hr = {"Authorization": f"Bearer {token}"}
            department, people = make_department(client, hr, "north", people=3)
            job = client.post(
                "/api/v1/solve-jobs",
                json={
                    "department_id": department,
                    "week": NEXT_MONDAY.isoformat(),
                    "settings": {"time_limit": 1},
                },
                headers=hr,
            ).json()
            roster = wait_for_job(client, hr, job["id"])["roster_id"]
            template = client.get(
                f"/api/v1/departments/{department}/shift-templates", headers=hr
            ).json()[0]["id"]
        # Real ids in the paths, so that generated bodies reach the rosters, demand and
        # people behind them instead of stopping at 404.
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            "[parameters]\n"
            f'"path.department_id" = {department}\n'
            f'"path.employee_id" = {people[0]}\n'
            f'"path.roster_id" = {roster}\n'
            f'"path.template_id" = {template}\n'
            f'"path.job_id" = "{job["id"]}"\n'
        )
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{base}/openapi.json",
                "--checks",
                CHECKS,
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                "1",
                "--workers",
                "2",
                "--generation-database",
                "none",
                "--no-color",
                "--report-dir",
                str(tmp_path / "report"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        stop_group(process)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "generated" in run.stdout and " failed" not in run.stdout.split("Test cases:")[-1]
