"""Column generation over individual schedules: it finds the optimum on small problems, its
Lagrangian bound never exceeds the optimum, and it closes a benchmark instance quickly.
Every roster is checked by the independent validator."""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from optimizer_builders import cover, tiny_problem
from test_model_validator_agree import problems

from optimizer import SolverSettings, colgen, solve, validate
from optimizer.colgen import (
    BIG_M,
    COMPLETION_SHARE_EMPLOYEES,
    DIVE_STEPS,
    Column,
    ColumnResult,
    CoverRow,
    Dive,
    complete_dive,
    dive,
    full_values,
    generate_columns,
    integer_master,
    master_cost,
    price_and_branch,
    promising_columns,
    roster_of,
    suits,
)
from optimizer.colgen import _dive_step as dive_step
from optimizer.formats.curtois import BEST_KNOWN, read_curtois
from optimizer.model import RosterModel
from optimizer.rules import build_model
from optimizer.schema import Problem
from optimizer.solver import _Reporter, _StopWatcher, roster_from_values

CURTOIS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"


def cp_sat_optimum(problem: Problem) -> int:
    solution = solve(problem, SolverSettings(time_limit=10, workers=2, strategy="cp-sat"))
    assert solution.status == "optimal"
    return solution.objective


def nurse_problem() -> Problem:
    """Three people, early and late shifts with no early after a late, uneven cover and wishes."""
    shift_types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},
        {"id": "L", "start_minute": 840, "duration_minutes": 480, "cannot_be_followed_by": ["E"]},
    ]
    demand = [cover(d, 1 + d % 2, "E") for d in range(7)] + [cover(d, 1, "L") for d in range(7)]
    return tiny_problem(
        days=7,
        employees=3,
        shift_types=shift_types,
        contract={"max_consecutive_days": 4, "min_consecutive_days_off": 2, "max_weekends": 1},
        shift_demand=demand,
        preferences=[
            {"employee": "e0", "day": 2, "kind": "avoid", "weight": 3},
            {"employee": "e1", "day": 5, "shift_type": "L", "kind": "want", "weight": 2},
            {"employee": "e2", "day": 0, "kind": "avoid", "weight": 5},
        ],
    )


def test_colgen_reaches_the_cp_sat_optimum_on_a_small_roster():
    problem = nurse_problem()
    optimum = cp_sat_optimum(problem)
    solution = solve(problem, SolverSettings(time_limit=5, workers=2, strategy="colgen"))
    report = validate(problem, solution.assignments)
    assert report.hard_violations == []
    assert report.objective == solution.objective == optimum


def test_price_and_branch_bound_is_below_its_roster_and_the_optimum():
    problem = nurse_problem()
    optimum = cp_sat_optimum(problem)
    result, roster = price_and_branch(problem, SolverSettings(time_limit=5, workers=2))
    assert roster is not None
    report = validate(problem, roster)
    assert report.hard_violations == []
    assert result.bound is not None
    assert result.bound <= optimum + 1e-6 <= report.objective + 1e-6
    assert result.bound <= result.lp_value + 1e-6


def test_hard_cover_minimum_is_kept_by_the_integer_master():
    problem = tiny_problem(
        days=5,
        employees=3,
        contract={"max_minutes_total": 3 * 480},
        shift_demand=[cover(d, 1, minimum=1) for d in range(5)],
        preferences=[{"employee": "e0", "day": d, "kind": "avoid", "weight": 9} for d in range(5)],
    )
    optimum = cp_sat_optimum(problem)
    result, roster = price_and_branch(problem, SolverSettings(time_limit=5, workers=2))
    assert validate(problem, roster).hard_violations == []
    assert result.bound <= optimum + 1e-6
    solution = solve(problem, SolverSettings(time_limit=5, workers=2, strategy="colgen"))
    assert validate(problem, solution.assignments).objective == solution.objective == optimum


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problems())
def test_lagrangian_bound_never_exceeds_the_optimum(problem):
    reference = solve(problem, SolverSettings(time_limit=5, workers=2, strategy="cp-sat"))
    if reference.status != "optimal":
        return
    result, roster = price_and_branch(problem, SolverSettings(time_limit=3, workers=2))
    if result.bound is not None:
        assert result.bound <= reference.objective + 1e-6
    if roster is not None:
        assert validate(problem, roster).objective >= reference.objective


def test_instance2_reaches_its_best_known_value_with_a_matching_bound():
    path = CURTOIS / "Instance2.txt"
    if not path.is_file():
        pytest.fail(f"benchmark instance missing: {path}")
    problem = read_curtois(path)
    solution = solve(problem, SolverSettings(time_limit=20, workers=2, strategy="colgen"))
    assert validate(problem, solution.assignments).hard_violations == []
    assert solution.objective == BEST_KNOWN["Instance2"]
    assert solution.best_bound == BEST_KNOWN["Instance2"]


def test_auto_takes_column_generation_for_longer_horizons_when_given_more_time():
    six_weeks = tiny_problem(days=42, employees=10, shift_demand=[cover(d, 3) for d in range(42)])
    cells = 42 * 10
    assert not suits(six_weeks, cells, SolverSettings(time_limit=60))
    assert suits(six_weeks, cells, SolverSettings(time_limit=300))
    four_weeks = tiny_problem(days=28, employees=12, shift_demand=[cover(d, 3) for d in range(28)])
    assert suits(four_weeks, 28 * 12, SolverSettings(time_limit=60))
    assert suits(four_weeks, 28 * 12, SolverSettings(time_limit=30))


def test_integer_master_is_offered_only_columns_that_could_beat_its_hint():
    rows = [CoverRow(1, 10, 1, (0, 1), (0, math.inf), BIG_M, False)]
    hint = Column(0, ((0, 0),), 5, {0: 1})  # the master scores it 5: own cost, cover met
    cheap = Column(0, ((1, 0),), 3, {})
    dear = Column(0, ((2, 0),), 50, {})
    later = Column(0, ((3, 0),), 80, {})  # added after the last LP priced the others
    result = ColumnResult([hint, cheap, dear, later], 4.0, None, reduced=[0.0, 0.5, 46.0])
    assert master_cost(rows, [hint]) == 5
    # A roster better than the hint costs less than 5 = LP 4 + reduced costs: `dear` cannot
    # be in one.
    assert [col for _, col in promising_columns(result, rows, [hint])] == [hint, cheap, later]
    assert [col for _, col in promising_columns(result, rows, None)] == [hint, cheap, dear, later]


def test_a_dive_fixes_as_many_schedules_per_step_as_the_time_left_requires():
    assert dive_step(40, 10.0, None) == math.ceil(40 / DIVE_STEPS)  # before a step is timed
    assert dive_step(40, 10.0, 0.5) == 2  # twenty steps fit
    assert dive_step(40, 100.0, 0.5) == 1
    assert dive_step(40, 0.2, 0.5) == 40  # no step fits: everyone at once


def priced_and_dived(
    problem: Problem, settings: SolverSettings, pricing_seconds: float, dive_seconds: float
) -> tuple[RosterModel, Dive | None]:
    """Column generation for `pricing_seconds`, then a dive with `dive_seconds` (negative: a
    dive already out of time)."""
    m = build_model(problem)
    stop = _StopWatcher(None)
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        result = generate_columns(m, settings, time.monotonic() + pricing_seconds, stop, pool)
        return m, dive(result, settings, time.monotonic() + dive_seconds, stop, pool)


def test_a_dive_out_of_time_still_ends_in_a_roster_of_one_schedule_each():
    problem = nurse_problem()
    m, dived = priced_and_dived(problem, SolverSettings(time_limit=5, workers=2), 2, -1)
    assert dived is not None
    everyone = list(range(len(problem.employees)))
    assert sorted(col.employee for col in dived.chosen) == everyone
    assert sorted(dived.unpriced) == everyone  # none was fixed after re-pricing
    assert validate(problem, roster_of(m, dived.chosen)).hard_violations == []


def ward_problem() -> Problem:
    """Eight people on early and late shifts for two weeks, with wishes that pull apart."""
    problem = nurse_problem()
    demand = [cover(d, 3, "E") for d in range(14)] + [cover(d, 2, "L") for d in range(14)]
    wishes = [
        {"employee": f"e{e}", "day": (3 * e + k) % 14, "kind": "avoid", "weight": 2 + e % 3}
        for e in range(8)
        for k in range(2)
    ]
    return tiny_problem(
        days=14,
        employees=8,
        shift_types=[t.model_dump() for t in problem.shift_types],
        contract={"max_consecutive_days": 4, "min_consecutive_days_off": 2, "max_weekends": 1},
        shift_demand=demand,
        preferences=wishes,
    )


def test_cp_sat_plans_the_schedules_a_dive_left_and_keeps_the_others():
    problem = ward_problem()
    settings = SolverSettings(time_limit=20, workers=2)
    m, dived = priced_and_dived(problem, settings, 5, 5)
    assert dived is not None
    assert len(dived.unpriced) == int(COMPLETION_SHARE_EMPLOYEES * 8) == 2
    as_dived = full_values(m, dived.chosen, 5.0)
    completed = complete_dive(m, dived, settings, time.monotonic() + 10)
    assert as_dived is not None and completed is not None
    roster = roster_from_values(m, completed.values)
    report = validate(problem, roster)
    assert report.hard_violations == []
    assert report.objective == completed.objective <= as_dived.objective
    unpriced = {problem.employees[e].id for e in dived.unpriced}

    def kept(assignments):
        return {
            (a.employee, a.day, a.shift_type) for a in assignments if a.employee not in unpriced
        }

    assert kept(roster) == kept(roster_of(m, dived.chosen))
    # Left with no shifts, the two are planned again, not kept idle.
    idle = [
        col if col.employee not in dived.unpriced else Column(col.employee, (), 0, {})
        for col in dived.chosen
    ]
    as_idle = full_values(m, idle, 5.0)
    replanned = complete_dive(m, Dive(idle, dived.unpriced), settings, time.monotonic() + 10)
    assert replanned.objective < as_idle.objective


def improve_with_pricing(problem: Problem, monkeypatch, column_share: float, caplog) -> None:
    """`colgen.improve` from a CP-SAT roster of `problem`, pricing for `column_share` of the
    time limit; its roster must keep every hard rule and cost no more than the start."""
    monkeypatch.setattr(colgen, "COLUMN_SHARE", column_share)
    first = solve(problem, SolverSettings(time_limit=2, workers=2, strategy="cp-sat"))
    m = build_model(problem)
    positions = {pos: i for i, pos in enumerate(m.positions)}
    employees = {e.id: i for i, e in enumerate(problem.employees)}
    greedy = {
        (employees[a.employee], a.day, positions[a.shift_type, a.skill]) for a in first.assignments
    }
    started = time.monotonic()
    reporter = _Reporter(problem, started, None)
    reporter.m = m
    stop = _StopWatcher(None)
    settings = SolverSettings(time_limit=6, workers=2)
    with caplog.at_level(logging.INFO, logger="optimizer.colgen"):
        try:
            _, incumbent = colgen.improve(m, settings, started, reporter, stop, greedy=greedy)
        finally:
            stop.close()
    report = validate(problem, roster_from_values(m, incumbent.values))
    assert report.hard_violations == []
    assert report.objective == incumbent.objective <= first.objective


def test_the_integer_master_runs_only_where_pricing_ended_with_a_bound(monkeypatch, caplog):
    problem = ward_problem()
    improve_with_pricing(problem, monkeypatch, 0.5, caplog)
    assert "integer master over" in caplog.text
    caplog.clear()
    # No time to price: the LP holds the constructed roster's schedules only, with no bound.
    improve_with_pricing(problem, monkeypatch, 0.0, caplog)
    assert "no integer master" in caplog.text
    assert "integer master over" not in caplog.text


def test_the_integer_master_declines_a_pool_too_big_to_close_when_it_has_a_hint(monkeypatch):
    problem = ward_problem()
    settings = SolverSettings(time_limit=20, workers=2)
    m = build_model(problem)
    stop = _StopWatcher(None)
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        result = generate_columns(m, settings, time.monotonic() + 5, stop, pool)
        dived = dive(result, settings, time.monotonic() + 5, stop, pool)
    assert dived is not None and result.bound is not None
    rows = result.rows(problem)
    offered = len(promising_columns(result, rows, dived.chosen))
    monkeypatch.setattr(colgen, "MASTER_MAX_COLUMNS", offered - 1)
    assert integer_master(m, result, settings, 5.0, stop, hint=dived.chosen) is None
    # Without a roster to fall back on it still picks one.
    assert integer_master(m, result, settings, 5.0, stop) is not None
    monkeypatch.setattr(colgen, "MASTER_MAX_COLUMNS", offered)
    chosen = integer_master(m, result, settings, 5.0, stop, hint=dived.chosen)
    stop.close()
    assert chosen is not None
    assert master_cost(rows, chosen) <= master_cost(rows, dived.chosen)
    assert validate(problem, roster_of(m, chosen)).hard_violations == []


def test_reduced_costs_of_schedules_priced_after_the_last_lp_come_from_its_duals():
    rows = [CoverRow(1, 10, 1, (0, 1), (0, math.inf), BIG_M, False)]
    hint = Column(0, ((0, 0),), 5, {0: 1})
    later_cheap = Column(0, ((1, 0),), 4, {0: 1})  # 4 - dual 3 - convex 0.5 = 0.5
    later_dear = Column(0, ((2, 0),), 40, {})  # 40 - 0.5 = 39.5
    result = ColumnResult(
        [hint, later_cheap, later_dear], 4.0, None, reduced=[0.0], duals=[3.0], convex=[0.5]
    )
    assert result.reduced_cost(1) == 0.5 and result.reduced_cost(2) == 39.5
    offered = [col for _, col in promising_columns(result, rows, [hint])]
    assert offered == [hint, later_cheap]


def test_the_master_lp_reloaded_into_a_new_solver_agrees_with_its_warm_start():
    """The fallback when GLOP fails: the LP reloaded into a new solver has the same value,
    duals that price it exactly, and takes later fixings and columns."""
    problem = ward_problem()
    m = build_model(problem)
    stop = _StopWatcher(None)
    settings = SolverSettings(time_limit=10, workers=2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = generate_columns(m, settings, time.monotonic() + 3, stop, pool)
    master = result.master
    for k in (0, len(master.columns) // 2):  # fixings as a dive makes them
        master.fix(k)
    warm_value, _, _ = master.solve()
    master.reload()
    value, cover_duals, convex_duals = master.solve()
    assert value == pytest.approx(warm_value)
    # the LP may be degenerate: duals can differ, the dual objective may not
    dual_value = master.lagrangian_constant(cover_duals) + sum(convex_duals)
    assert dual_value == pytest.approx(value, abs=1e-6)
    # the reloaded LP is the one fixings and new columns reach
    fixed = {master.columns[j].employee for j in (0, len(master.columns) // 2)}
    k = next(j for j, c in enumerate(master.columns) if c.employee not in fixed)
    employee = master.columns[k].employee
    master.fix(k)
    master.solve()
    assert master.vars[k].solution_value() == pytest.approx(1.0)
    others = [v for c, v in zip(master.columns, master.vars, strict=True) if c.employee == employee]
    assert sum(v.solution_value() for v in others) == pytest.approx(1.0)
    variables = master.lp.NumVariables()
    master.add(master.columns[0])
    assert master.lp.NumVariables() == variables + 1


def test_the_lp_roster_gives_each_assignment_its_share_of_the_lp_schedules():
    problem = tiny_problem(days=7, employees=2, shift_demand=[cover(d, 1) for d in range(7)])
    m = build_model(problem)
    (p_idx,) = range(len(m.positions))
    columns = [
        Column(0, ((0, p_idx), (1, p_idx)), 0, {}),
        Column(0, ((1, p_idx), (2, p_idx)), 0, {}),
        Column(1, ((3, p_idx),), 0, {}),
    ]
    result = ColumnResult(columns, 0.0, None, shares=[0.25, 0.75, 1.0])
    values = colgen.lp_roster(m, result)
    assert values[m.x[0, 0, p_idx].index] == pytest.approx(0.25)
    assert values[m.x[0, 1, p_idx].index] == pytest.approx(1.0)
    assert values[m.x[0, 2, p_idx].index] == pytest.approx(0.75)
    assert values[m.x[1, 3, p_idx].index] == pytest.approx(1.0)
    assert values.sum() == pytest.approx(3.0)  # two shifts for e0 either way, one for e1
    assert colgen.lp_roster(m, ColumnResult([], 0.0, None)) is None
