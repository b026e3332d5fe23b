"""The problem's own lower bounds (`optimizer.bounds`): exact on the smallest cases that have
them, never above the optimum CP-SAT proves on random problems, and reported by `solve` as the
bound when the search proves none."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_builders import cover, run_lns, tiny_problem
from ortools.sat.python import cp_model

from optimizer import SolverSettings, solve
from optimizer.bounds import hours_cover_bound, lower_bound, weekend_cover_bound
from optimizer.rules import build_model
from optimizer.schema import Problem
from optimizer.solver import Incumbent, incumbent_of

WEEKEND_DAYS = [5, 6, 12, 13]


def two_weekends(cap: int, employees: int = 1, **rules) -> Problem:
    """Two weeks, each weekend day wanting one person; everyone may work `cap` weekends."""
    return tiny_problem(
        days=14,
        employees=employees,
        contract={"max_weekends": cap},
        shift_demand=[cover(day, 1, weight_under=100) for day in WEEKEND_DAYS],
        **rules,
    )


def test_a_weekend_the_capped_staff_cannot_give_is_missed_in_full():
    assert weekend_cover_bound(two_weekends(cap=1)) == 200
    assert weekend_cover_bound(two_weekends(cap=2)) == 0
    assert weekend_cover_bound(two_weekends(cap=1, employees=2)) == 0


def test_weekends_go_where_they_save_the_most():
    # One weekend to give: the first weekend's days cost 100 and 50, the second's 10 and 10.
    problem = tiny_problem(
        days=14,
        employees=1,
        contract={"max_weekends": 1},
        shift_demand=[
            cover(5, 1, weight_under=100),
            cover(6, 1, weight_under=50),
            cover(12, 1, weight_under=10),
            cover(13, 1, weight_under=10),
        ],
    )
    assert weekend_cover_bound(problem) == 20


def test_a_softened_weekend_cap_gives_no_bound():
    problem = two_weekends(cap=1, rules={"soft_rules": ["max_weekends"]})
    assert weekend_cover_bound(problem) == 0


def test_minutes_the_staff_cannot_work_are_missed_at_the_cheapest_per_minute():
    problem = tiny_problem(
        days=3,
        employees=1,
        contract={"max_minutes_total": 480},
        shift_demand=[cover(0, 1, weight_under=100), cover(1, 1, weight_under=30)],
    )
    assert hours_cover_bound(problem) == 30
    uncapped = tiny_problem(days=3, employees=1, shift_demand=problem.shift_demand)
    assert hours_cover_bound(uncapped) == 0


def test_solve_reports_the_floor_while_the_search_has_proved_nothing():
    problem = two_weekends(cap=1)
    bounds = []
    solution = solve(
        problem,
        SolverSettings(time_limit=5, workers=1),
        on_solution=lambda found: bounds.append(found.best_bound),
    )
    assert solution.objective == 200
    assert bounds and all(bound is not None and bound >= 200 for bound in bounds)
    assert solution.best_bound == 200


def test_lns_stops_with_a_proof_once_its_roster_meets_the_floor():
    problem = two_weekends(cap=1)
    m = build_model(problem)
    solver = cp_model.CpSolver()
    start = incumbent_of(solver, solver.solve(m.model))
    assert start.objective == 200
    unproven = Incumbent(start.values, start.objective, bound=None)
    status, found = run_lns(problem, m, unproven, time_limit=60, workers=1)
    assert status == "optimal"
    assert found.objective == found.bound == 200


@st.composite
def weekend_problems(draw) -> Problem:
    n_types = draw(st.integers(1, 2))
    types = [
        {"id": f"T{i}", "start_minute": 480, "duration_minutes": draw(st.sampled_from([240, 480]))}
        for i in range(n_types)
    ]
    n_emp = draw(st.integers(1, 3))
    contracts = [
        {
            "id": f"c{i}",
            "max_weekends": draw(st.one_of(st.none(), st.integers(0, 2))),
            "max_minutes_total": draw(st.one_of(st.none(), st.integers(240, 1440))),
        }
        for i in range(2)
    ]
    employees = [
        {
            "id": f"e{i}",
            "contract": draw(st.sampled_from(["c0", "c1"])),
            "skills": draw(st.lists(st.sampled_from(["chat", "phone"]), max_size=2, unique=True)),
            "unavailable_days": draw(st.lists(st.integers(0, 13), max_size=2, unique=True)),
        }
        for i in range(n_emp)
    ]
    shift_demand = [
        {
            "day": day,
            "shift_type": t["id"],
            "skill": skill,
            "required": draw(st.integers(0, 2)),
            "weight_under": draw(st.one_of(st.none(), st.integers(0, 60))),
        }
        for day in range(14)
        for t in types
        for skill in draw(
            st.sampled_from([[], [None], ["chat"], ["chat", "phone"], [None, "chat"]])
        )
    ]
    return Problem(
        num_days=14,
        shift_types=types,
        contracts=contracts,
        employees=employees,
        shift_demand=shift_demand,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weekend_problems())
def test_no_roster_scores_below_the_bound(problem):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 2
    status = solver.solve(build_model(problem).model)
    assert status == cp_model.OPTIMAL
    assert lower_bound(problem) <= round(solver.objective_value)
