"""The compact rows of "Forbidden successions" and "Max working days in a row" keep exactly the
rosters the rules allow.

Forbidden successions are one at-most-one per day for all first shift types that forbid the same
next-day types; runs of days are sums of one "works that day" literal per day. Both lean on
"one shift a day", so they are checked against the validator on every roster of a small problem,
including days with no variable, with one, and with several of the same shift type.
"""

from __future__ import annotations

import itertools

import pytest
from optimizer_builders import cover, tiny_problem
from ortools.sat.python import cp_model

from optimizer import Assignment, SolverSettings, solve, validate
from optimizer.rules import build_model
from optimizer.rules.daily import add_forbidden_successions
from optimizer.schema import Problem

FAST = SolverSettings(time_limit=5, workers=1)

FOUR_TYPES = [
    {"id": "E", "start_minute": 360, "duration_minutes": 480},
    {"id": "D", "start_minute": 540, "duration_minutes": 480, "cannot_be_followed_by": ["E"]},
    {"id": "L", "start_minute": 840, "duration_minutes": 480, "cannot_be_followed_by": ["E"]},
    {"id": "N", "start_minute": 1320, "duration_minutes": 480, "cannot_be_followed_by": ["E", "D"]},
]


def four_type_problem(leave: list[int]) -> Problem:
    """One employee over 4 days, at most 2 in a row. D is only offered (as skill "s") on days 1
    and 3, so N forbids the same next-day types as D and L where no D follows; E is offered
    both with and without the skill on day 2."""
    problem = tiny_problem(
        days=4,
        employees=1,
        shift_types=FOUR_TYPES,
        contract={"max_consecutive_days": 2},
        shift_demand=[
            cover(1, 1, "D", skill="s"),
            cover(3, 1, "D", skill="s"),
            cover(2, 1, "E", skill="s"),
            cover(0, 1, "E"),
        ],
    )
    problem.employees[0].skills = ["s"]
    problem.employees[0].unavailable_days = leave
    return problem


def one_type_problem(leave: list[int]) -> Problem:
    """One employee, one shift type (one variable a day), 5 days, at most 2 in a row."""
    problem = tiny_problem(days=5, employees=1, contract={"max_consecutive_days": 2})
    problem.employees[0].unavailable_days = leave
    return problem


def model_allows_exactly_what_the_validator_allows(problem: Problem) -> int:
    """Check every roster of the problem's variables (one shift or none a day): the model is
    feasible with it fixed exactly when the validator finds no hard violation. Returns how many
    rosters were checked."""
    m = build_model(problem)
    m.model.clear_objective()
    by_day: dict[int, list[tuple[tuple[int, int, int], cp_model.IntVar]]] = {}
    for key, var in m.x.items():
        by_day.setdefault(key[1], []).append((key, var))
    options = [[None, *by_day.get(day, [])] for day in range(problem.num_days)]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    checked = 0
    for roster in itertools.product(*options):
        chosen = {key for key, _ in filter(None, roster)}
        m.model.clear_assumptions()
        m.model.add_assumptions([var if key in chosen else var.Not() for key, var in m.x.items()])
        feasible = solver.solve(m.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        assignments = [
            Assignment(
                employee=problem.employees[e].id,
                day=day,
                shift_type=m.positions[p][0],
                skill=m.positions[p][1],
            )
            for e, day, p in chosen
        ]
        allowed = not validate(problem, assignments).hard_violations
        assert feasible == allowed, assignments
        checked += 1
    return checked


@pytest.mark.parametrize("leave", [[], [3], [1]])
def test_every_roster_of_four_shift_types_is_judged_as_the_validator_does(leave):
    m = build_model(four_type_problem(leave))
    cell_sizes = {len(m.day_vars(0, day)) for day in range(4)}
    assert max(cell_sizes) > len(FOUR_TYPES) - 1  # a day with E twice
    assert model_allows_exactly_what_the_validator_allows(four_type_problem(leave)) >= 75


@pytest.mark.parametrize("leave", [[], [2], [0, 4]])
def test_every_roster_of_one_shift_type_is_judged_as_the_validator_does(leave):
    assert model_allows_exactly_what_the_validator_allows(one_type_problem(leave)) == 2 ** (
        5 - len(leave)
    )


def test_first_types_forbidding_the_same_next_types_share_one_row():
    """D and L forbid E the next day, N forbids E and D. Where D is offered the next day (days 1
    and 3) L and N each get a row; where it is not (day 2), D, L and N on day 1 share one row
    with both E variables of day 2 (E is offered with and without the skill that day)."""
    m = build_model(four_type_problem([]))
    before = len(m.model.proto.constraints)
    add_forbidden_successions(m)
    rows = [m.model.proto.constraints[i] for i in range(before, len(m.model.proto.constraints))]
    assert all(row.has_at_most_one() for row in rows)
    key_of = {var.index: key for key, var in m.x.items()}
    by_day: dict[int, list[list[tuple[int, str, str]]]] = {}
    for row in rows:
        cells = sorted(
            (day, *(s or "" for s in m.positions[p]))
            for _, day, p in (key_of[i] for i in row.at_most_one.literals)
        )
        by_day.setdefault(cells[0][0], []).append(cells)
    next_day_has_d = [
        [(0, "L", ""), (1, "E", "")],
        [(0, "N", ""), (1, "D", "s"), (1, "E", "")],
    ]
    assert sorted(by_day[0]) == next_day_has_d
    assert by_day[1] == [[(1, "D", "s"), (1, "L", ""), (1, "N", ""), (2, "E", ""), (2, "E", "s")]]
    assert sorted(by_day[2]) == [[(d + 2, t, s) for d, t, s in row] for row in next_day_has_d]


def test_runs_of_days_are_rows_of_one_literal_a_day():
    """Each "k+1 days" row holds one term per workable day, however many shifts a day offers."""
    problem = four_type_problem([])
    m = build_model(problem)
    windows = [
        c.linear
        for c in m.model.proto.constraints
        if c.has_linear() and list(c.linear.domain)[-1] == 2 and len(c.linear.vars) == 3
    ]
    work = {m.work_literal(0, day).index for day in range(4)}
    assert len(windows) == 2
    assert all(set(row.vars) <= work and list(row.coeffs) == [1, 1, 1] for row in windows)


def test_soft_max_consecutive_days_costs_each_run_too_long():
    """5 days wanted, at most 2 in a row, soft at 7: the runs 0-2, 1-3 and 2-4 are each one over."""
    problem = tiny_problem(
        days=5,
        employees=1,
        shift_types=[*FOUR_TYPES[:1], {"id": "L", "start_minute": 840, "duration_minutes": 480}],
        contract={"max_consecutive_days": 2},
        shift_demand=[cover(d, 1, "E", weight_under=1000) for d in range(5)],
        rules={"soft_rules": ["max_consecutive_days"], "weights": {"soft_rule": 7}},
    )
    solution = solve(problem, FAST)
    assert solution.status == "optimal"
    assert len(solution.assignments) == 5
    assert solution.objective == 21


def test_pins_breaking_a_run_or_a_succession_are_explained():
    pins = [{"employee": "e0", "day": d, "shift_type": "E"} for d in range(3)]
    problem = tiny_problem(
        days=4,
        employees=1,
        shift_types=FOUR_TYPES,
        contract={"max_consecutive_days": 2},
        pinned=pins,
    )
    solution = solve(problem, FAST)
    assert solution.status == "infeasible"
    assert "max_consecutive_days" in {c.rule for c in solution.conflicts}

    pins = [
        {"employee": "e0", "day": 0, "shift_type": "N"},
        {"employee": "e0", "day": 1, "shift_type": "E"},
    ]
    problem = tiny_problem(days=2, employees=1, shift_types=FOUR_TYPES, pinned=pins)
    solution = solve(problem, FAST)
    assert solution.status == "infeasible"
    assert "forbidden_successions" in {c.rule for c in solution.conflicts}
