"""How the roster model is built: the quick paths write the same constraints as CP-SAT's own API.

Long contract sums are written straight into the proto, and the cycle collector is paused while
a model is built; neither may change what the model says.
"""

from __future__ import annotations

import gc

from optimizer_builders import tiny_problem

from optimizer import SolverSettings, solve
from optimizer.model import RosterModel
from optimizer.rules import build_model

TWO_SHIFTS = [
    {"id": "E", "start_minute": 360, "duration_minutes": 480},
    {"id": "L", "start_minute": 840, "duration_minutes": 600},
]


def _linear(m: RosterModel, index: int) -> tuple[list[int], list[int], list[int]]:
    linear = m.model.proto.constraints[index].linear
    return list(linear.vars), list(linear.coeffs), list(linear.domain)


def test_direct_sums_write_the_constraint_model_add_writes():
    """`require_at_most` / `require_at_least` on terms give the row `model.add` gives for the
    same expression: same variables, coefficients and bounds."""
    m = RosterModel(tiny_problem(days=14, employees=2, shift_types=TWO_SHIFTS))
    for terms in (m.minutes_terms(1, range(14)), m.count(0, range(3, 9))):
        m.require_at_most("max_minutes_total", terms, 2400, 10**6, "e1")
        m.require_at_most("max_minutes_total", m.expression(terms), 2400, 10**6, "e1")
        m.require_at_least("min_minutes_total", terms, 960, "e1")
        m.require_at_least("min_minutes_total", m.expression(terms), 960, "e1")
    rows = [_linear(m, i) for i in range(len(m.model.proto.constraints))]
    assert len(rows) == 8
    for direct, through_api in zip(rows[::2], rows[1::2], strict=True):
        assert sorted(zip(direct[0], direct[1], strict=True)) == sorted(
            zip(through_api[0], through_api[1], strict=True)
        )
        assert direct[2] == through_api[2]
    assert rows[0][1] == [480, 600] * 14  # paid minutes of E and L on each day of e1


def test_terms_count_each_assignment_once_with_its_minutes():
    """Terms cover exactly the employee's variables on the given days, with their paid minutes."""
    problem = tiny_problem(
        days=7,
        employees=2,
        shift_types=TWO_SHIFTS,
        contract={"max_shifts_per_type": {"L": 2}},
    )
    problem.employees[0].unavailable_days = [2]
    m = RosterModel(problem)
    minutes = m.minutes_terms(0, range(7))
    expected = [var.index for (e, _, _), var in m.x.items() if e == 0]
    assert minutes.indices == expected
    assert len(expected) == 12  # 6 free days x 2 shift types
    assert sum(minutes.coefficients) == 6 * (480 + 600)
    shifts, days = m.count_by_type(0)["L"]
    assert days == 6 and shifts.coefficients == [1] * 6


def test_hard_rules_on_direct_sums_still_bind():
    """A horizon cap written straight into the proto is kept by the solver: 3 shifts of 8 h
    wanted, 16 h allowed, so one shift stays uncovered."""
    problem = tiny_problem(
        days=3,
        employees=1,
        contract={"max_minutes_total": 960},
        shift_demand=[{"day": d, "shift_type": "D", "required": 1} for d in range(3)],
    )
    solution = solve(problem, SolverSettings(time_limit=5, workers=1, strategy="cp-sat"))
    assert len(solution.assignments) == 2
    assert solution.objective == problem.rules.weights.under_cover


def test_build_model_leaves_the_cycle_collector_as_it_found_it():
    problem = tiny_problem()
    assert gc.isenabled()
    build_model(problem)
    assert gc.isenabled()
    gc.disable()
    try:
        build_model(problem)
        assert not gc.isenabled()
    finally:
        gc.enable()
