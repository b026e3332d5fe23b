"""The planner as column generation's fast pricing: its schedules keep every rule of their
employee and cost exactly what the validator says, and a roster's schedules cost in the master
what the validator says of the roster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer import validate
from optimizer.colgen import cover_rows, master_cost, roster_columns, rows_by_cell
from optimizer.construct import SchedulePricer, greedy_roster
from optimizer.formats.curtois import read_curtois
from optimizer.rules import build_model
from optimizer.schema import Assignment, Problem

CURTOIS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"


def weighted(problem: Problem) -> Problem:
    """The problem with wishes weighted up by the rules and by two employees' priorities, so
    that a cost computed from the bare weights would differ."""
    employees = [
        e.model_copy(update={"priority": 1.5 if i % 2 else 2.0}) if i < 2 else e
        for i, e in enumerate(problem.employees)
    ]
    weights = problem.rules.weights.model_copy(update={"preference": 3})
    rules = problem.rules.model_copy(update={"weights": weights})
    return problem.model_copy(update={"employees": employees, "rules": rules})


def alone(problem: Problem, e_idx: int) -> Problem:
    """One employee with their wishes and no demand: the validator's objective is their own
    cost."""
    emp = problem.employees[e_idx]
    return problem.model_copy(
        update={
            "employees": [emp],
            "preferences": [p for p in problem.preferences if p.employee == emp.id],
            "shift_demand": [],
        }
    )


@pytest.mark.parametrize("name", ["Instance2", "Instance8"])
def test_planned_schedules_keep_the_rules_and_cost_what_the_validator_says(name):
    problem = weighted(read_curtois(CURTOIS / f"{name}.txt"))
    m = build_model(problem)
    pricer = SchedulePricer(m)
    assert pricer.usable
    rng = np.random.default_rng(7)
    for _ in range(3):
        cell_value = rng.uniform(-20, 120, (m.num_days, len(m.positions)))
        for e_idx, emp in enumerate(m.employees):
            found = pricer.best_schedule(e_idx, cell_value)
            assert found is not None
            schedule, cost = found
            roster = [
                Assignment(employee=emp.id, day=day, shift_type=m.positions[p_idx][0])
                for day, p_idx in schedule
            ]
            report = validate(alone(problem, e_idx), roster)
            assert report.hard_violations == []
            assert cost == report.objective


def test_planner_is_not_used_where_rest_reaches_past_the_next_day():
    problem = read_curtois(CURTOIS / "Instance2.txt")
    contracts = [c.model_copy(update={"min_rest_minutes": 48 * 60}) for c in problem.contracts]
    m = build_model(problem.model_copy(update={"contracts": contracts}))
    assert not SchedulePricer(m).usable


def test_a_rosters_master_cost_is_the_validators_objective():
    problem = weighted(read_curtois(CURTOIS / "Instance8.txt"))
    m = build_model(problem)
    roster = greedy_roster(m)
    columns = roster_columns(m, SchedulePricer(m), roster, rows_by_cell(m))
    assert len(columns) == len(m.employees)
    assignments = [
        Assignment(employee=m.employees[e].id, day=d, shift_type=m.positions[p][0])
        for e, d, p in roster
    ]
    report = validate(problem, assignments)
    assert report.hard_violations == []
    assert master_cost(cover_rows(problem), columns) == report.objective
