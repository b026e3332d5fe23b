"""The solve() entry point: known optimum, progress callback, warm start, stop, LNS, and
infeasibility explained in business terms. Every roster is checked by the validator."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from optimizer_builders import cover, tiny_problem

from optimizer import SolverSettings, solve, solver, validate
from optimizer.formats.curtois import read_curtois

CURTOIS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"


def instance(name: str):
    path = CURTOIS / f"{name}.txt"
    if not path.is_file():
        pytest.fail(f"benchmark instance missing: {path}")
    return read_curtois(path)


def test_instance1_is_solved_to_its_known_optimum():
    problem = instance("Instance1")
    solution = solve(problem, SolverSettings(time_limit=20, workers=2))
    report = validate(problem, solution.assignments)
    assert report.hard_violations == []
    assert report.objective == solution.objective == 607
    assert solution.status == "optimal" and solution.gap == 0.0
    assert solution.solver_version.startswith("OR-Tools CP-SAT")


def test_callback_reports_each_improving_roster():
    problem = instance("Instance2")
    seen = []
    solution = solve(problem, SolverSettings(time_limit=3, workers=2), on_solution=seen.append)
    objectives = [s.objective for s in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert len(set(objectives)) == len(objectives)
    assert objectives[-1] == solution.objective
    assert all(s.assignments for s in seen)


def test_lns_returns_a_valid_roster_that_improves_on_its_start():
    problem = instance("Instance4")
    seen = []
    solution = solve(
        problem, SolverSettings(time_limit=8, workers=2, strategy="lns"), on_solution=seen.append
    )
    assert validate(problem, solution.assignments).hard_violations == []
    assert solution.objective == validate(problem, solution.assignments).objective
    assert solution.objective <= seen[0].objective


def test_warm_start_from_a_previous_roster_starts_there():
    problem = instance("Instance2")
    first = solve(problem, SolverSettings(time_limit=3, workers=2))
    seen = []
    again = solve(
        problem,
        SolverSettings(time_limit=0.5, workers=1),
        warm_start=first,
        on_solution=seen.append,
    )
    assert seen and seen[0].objective <= first.objective
    assert again.objective <= first.objective


def test_should_stop_ends_the_search_and_keeps_the_best_roster():
    problem = instance("Instance7")
    started = time.monotonic()
    solution = solve(
        problem,
        SolverSettings(time_limit=60, workers=2),
        should_stop=lambda: time.monotonic() - started > 2,
    )
    assert solution.wall_time < 10
    assert solution.assignments
    assert validate(problem, solution.assignments).hard_violations == []


def test_should_stop_while_improving_the_constructed_roster_returns_it(monkeypatch):
    # A dear model: the moves on the constructed roster would run until they stall.
    monkeypatch.setattr(solver, "DEAR_MODEL_SHARE", 0.0)
    problem = instance("Instance10")
    reported = []
    solution = solve(
        problem,
        SolverSettings(time_limit=60, workers=2),
        on_solution=reported.append,
        should_stop=lambda: True,
    )
    # The constructed roster, reported first, stands: the moves stopped at the request.
    assert [r.objective for r in reported] == [solution.objective]
    assert solution.assignments
    assert validate(problem, solution.assignments).objective == solution.objective


def test_infeasible_hours_are_explained_by_rule_and_employee():
    problem = tiny_problem(
        days=7,
        employees=2,
        contract={"min_minutes_total": 480 * 5},
        shift_demand=[cover(d, 1) for d in range(7)],
    )
    problem.employees[1].unavailable_days = [0, 1, 2, 3]
    solution = solve(problem, SolverSettings(time_limit=5, workers=1))
    assert solution.status == "infeasible"
    assert solution.assignments == []
    assert [(c.rule, c.employees) for c in solution.conflicts] == [("min_minutes_total", ["e1"])]
    assert "Min hours over the horizon" in solution.conflicts[0].message


def test_exact_cover_under_forced_column_generation_still_gives_a_valid_roster():
    problem = tiny_problem(
        days=7,
        employees=3,
        shift_demand=[cover(d, 2, minimum=2, maximum=2) for d in range(7)],
        contract={"max_consecutive_days": 5},
    )
    solution = solve(problem, SolverSettings(time_limit=5, workers=2, strategy="colgen"))
    report = validate(problem, solution.assignments)
    assert report.hard_violations == [] and len(solution.assignments) == 14
