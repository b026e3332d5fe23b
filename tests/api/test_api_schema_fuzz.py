"""Schemathesis against the live OpenAPI schema of a running service (uvicorn, SQLite): no
request it generates may get a server error (5xx) or a reply that breaks the documented schema.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from api_helpers import make_department, start_service, stop_group

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
            make_department(client, {"Authorization": f"Bearer {token}"}, "north", people=3)
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
