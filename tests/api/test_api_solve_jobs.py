"""Solve jobs end to end with the real solver in worker processes: submit, watch, stop, and the
roster a department week produces. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

from api_helpers import busy_problem, tiny_problem, wait_for_job

from api.cli import main as cli_main
from optimizer import Problem, Solution, SolverSettings, solve, validate


def test_posted_problem_comes_back_as_a_valid_roster_with_the_direct_objective(client, company):
    """A problem posted as JSON is solved to the objective a direct solve reaches, and the
    independent validator accepts the roster."""
    settings = {"time_limit": 5, "workers": 1, "seed": 3}
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"problem": tiny_problem(), "settings": settings},
        headers=company.hr,
    )
    assert reply.status_code == 202, reply.text
    job = wait_for_job(client, company.hr, reply.json()["id"])
    assert job["status"] == "finished", job
    assert job["progress"] == 1.0
    solution = Solution.model_validate(job["solution"])
    problem = Problem.model_validate(tiny_problem())
    report = validate(problem, solution.assignments)
    assert report.hard_violations == []
    assert report.objective == solution.objective == job["objective"]
    direct = solve(problem, SolverSettings(**settings))
    assert direct.status == solution.status == "optimal"
    assert solution.objective == direct.objective


def test_job_solution_converts_to_a_roster_csv_with_the_cli(client, company, tmp_path):
    """The job's `solution` is the optimizer's solution JSON: `shiftopt convert` reads it."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"problem": tiny_problem(), "settings": {"time_limit": 2}},
        headers=company.hr,
    )
    job = wait_for_job(client, company.hr, reply.json()["id"])
    source, target = tmp_path / "solution.json", tmp_path / "roster.csv"
    source.write_text(json.dumps(job["solution"]))
    assert cli_main(["convert", str(source), str(target)]) == 0
    rows = target.read_text().strip().splitlines()
    assert len(rows) == 1 + len(job["solution"]["assignments"])


def test_stopping_a_job_keeps_the_best_roster_found(client, company):
    """DELETE stops a running solve; the job is cancelled and keeps its best roster so far."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"problem": busy_problem(), "settings": {"time_limit": 25}},
        headers=company.hr,
    )
    job_id = reply.json()["id"]
    running = wait_for_job(
        client, company.hr, job_id, until=lambda j: j["objective"] is not None, timeout=30
    )
    assert running["status"] == "running"
    stopped = client.delete(f"/api/v1/solve-jobs/{job_id}", headers=company.hr).json()
    assert stopped["status"] == "cancelled"
    assert stopped["objective"] is not None
    assert stopped["solution"]["assignments"]
    report = validate(
        Problem.model_validate(busy_problem()),
        Solution.model_validate(stopped["solution"]).assignments,
    )
    assert report.hard_violations == []


def test_time_limit_above_the_service_maximum_is_refused(client, company):
    """A solve asking for more time than the service allows gets a 422 naming the setting."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"problem": tiny_problem(), "settings": {"time_limit": 3600}},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["field"] == "settings.time_limit"


def test_manager_cannot_see_another_departments_job(client, company):
    """A job on north's week is invisible to south's manager."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={
            "department_id": company.departments["north"],
            "week": company.week.isoformat(),
            "settings": {"time_limit": 2},
        },
        headers=company.managers["north"],
    )
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["id"]
    assert (
        client.get(f"/api/v1/solve-jobs/{job_id}", headers=company.managers["south"]).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/solve-jobs/{job_id}", headers=company.managers["south"]).status_code
        == 403
    )
    assert wait_for_job(client, company.managers["north"], job_id)["status"] == "finished"


def test_benchmark_instance_posted_as_json_reaches_the_cli_objective(client, company):
    """Instance1 of the public benchmark, converted to problem JSON and posted, comes back as a
    roster the validator accepts, with the objective the command line reaches (its optimum)."""
    from pathlib import Path

    from optimizer.formats.curtois import read_curtois

    path = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"
    problem = read_curtois(path / "Instance1.txt")
    settings = {"time_limit": 10, "workers": 1, "seed": 0}
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"problem": problem.model_dump(mode="json"), "settings": settings},
        headers=company.hr,
    )
    assert reply.status_code == 202, reply.text
    job = wait_for_job(client, company.hr, reply.json()["id"])
    assert job["status"] == "finished", job
    solution = Solution.model_validate(job["solution"])
    assert validate(problem, solution.assignments).hard_violations == []
    direct = solve(problem, SolverSettings(**settings))
    assert solution.objective == direct.objective == 607
