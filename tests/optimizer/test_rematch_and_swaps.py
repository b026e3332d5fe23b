"""Day re-matching (`optimizer.rematch`) and block swaps (`optimizer.swaps`).

Both claim to score the objective exactly and keep every hard rule on the problems `applies`
accepts. hypothesis draws such problems with every hard rule of a contract, night shifts, skills,
hard cover bounds and per-minute wishes; from a feasible roster, each move the two report as an
improvement must lower the validator's objective and leave it no hard violation.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_builders import cover, tiny_problem
from ortools.sat.python import cp_model

from optimizer import validate
from optimizer.construct import _Greedy, as_assignments
from optimizer.rematch import DayRematcher, applies
from optimizer.rules import build_model
from optimizer.schema import Problem
from optimizer.swaps import BlockSwapper

SKILLS = ["chat", "phone"]


@st.composite
def problems(draw) -> Problem:
    days = draw(st.integers(4, 10))
    types = [
        {
            "id": f"T{i}",
            "start_minute": draw(st.sampled_from([360, 480, 840, 1320])),
            "duration_minutes": draw(st.sampled_from([240, 480, 600])),
            "cannot_be_followed_by": draw(
                st.lists(st.sampled_from(["T0", "T1", "T2"]), max_size=1, unique=True)
            ),
        }
        for i in range(3)
    ]
    optional = lambda strategy: draw(st.one_of(st.none(), strategy))  # noqa: E731
    contract = {
        "id": "c",
        "max_minutes_per_week": optional(st.integers(1440, 2880)),
        "min_minutes_per_week": optional(st.integers(0, 480)),
        "max_minutes_total": optional(st.integers(2400, 4800)),
        "min_minutes_total": optional(st.integers(0, 960)),
        "max_shifts_per_type": draw(
            st.dictionaries(st.sampled_from(["T0", "T1", "T2"]), st.integers(1, 4), max_size=2)
        ),
        "min_rest_minutes": optional(st.sampled_from([0, 600, 660])),
        "max_consecutive_days": optional(st.integers(3, 5)),
        "min_consecutive_days": optional(st.integers(1, 3)),
        "min_consecutive_days_off": optional(st.integers(1, 2)),
        "max_weekends": optional(st.integers(1, 2)),
    }
    n_emp = draw(st.integers(3, 6))
    employees = [
        {
            "id": f"e{i}",
            "contract": draw(st.sampled_from(["c", "d"])),
            "skills": draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True)),
            "unavailable_days": draw(st.lists(st.integers(0, days - 1), max_size=2, unique=True)),
            "priority": draw(st.sampled_from([0.5, 1.0, 1.5])),
        }
        for i in range(n_emp)
    ]
    shift_demand = []
    for day in range(days):
        for t in types:
            if draw(st.booleans()):
                required = draw(st.integers(0, 2))
                shift_demand.append(
                    {
                        "day": day,
                        "shift_type": t["id"],
                        "skill": draw(st.sampled_from([None, *SKILLS])),
                        "required": required,
                        "minimum": draw(st.integers(0, required)),
                        "maximum": draw(st.sampled_from([None, required, required + 1])),
                        "weight_under": draw(st.one_of(st.none(), st.integers(0, 50))),
                    }
                )
    wish = lambda per_minute: {  # noqa: E731
        "employee": f"e{draw(st.integers(0, n_emp - 1))}",
        "day": draw(st.integers(0, days - 1)),
        "shift_type": None if per_minute else draw(st.sampled_from([None, "T0", "T1", "T2"])),
        "kind": draw(st.sampled_from(["want", "avoid"])),
        "weight": draw(st.integers(1, 5)) if not per_minute else 1,
        "per_minute": per_minute,
    }
    preferences = [wish(draw(st.booleans())) for _ in range(draw(st.integers(0, 8)))]
    return Problem(
        start_date=draw(st.sampled_from(["2024-01-01", "2024-01-04"])),
        num_days=days,
        shift_types=types,
        contracts=[contract, {"id": "d"}],
        employees=employees,
        shift_demand=shift_demand,
        preferences=preferences,
        rules={"weights": {"balanced_shifts": draw(st.integers(0, 3))}},
    )


def feasible_roster(problem: Problem, seed: int):
    """A roster keeping every hard rule, found by CP-SAT without the objective; None if none."""
    m = build_model(problem)
    m.model.proto.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.stop_after_first_solution = True
    if solver.solve(m.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    return m, {key for key, var in m.x.items() if solver.value(var)}


def objective_of(m, greedy: _Greedy) -> int:
    report = validate(m.problem, as_assignments(m, greedy.chosen))
    assert report.hard_violations == []
    return report.objective


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_every_reported_improvement_lowers_the_validators_objective_and_keeps_hard_rules(
    problem, seed
):
    assert applies(problem)
    m, chosen = feasible_roster(problem, seed)
    if m is None:
        return
    greedy = _Greedy(m)
    greedy.load(chosen)
    days = DayRematcher(greedy)
    blocks = BlockSwapper(days)
    objective = objective_of(m, greedy)
    rng = random.Random(seed)
    for _ in range(3):
        for day in range(problem.num_days):
            if days.rematch(day):
                after = objective_of(m, greedy)
                assert after < objective
                objective = after
            else:
                assert objective_of(m, greedy) == objective
        for _ in range(problem.num_days):
            length = rng.randint(1, problem.num_days)
            if blocks.swap(rng.randint(0, problem.num_days - length), length):
                after = objective_of(m, greedy)
                assert after < objective
                objective = after
            else:
                assert objective_of(m, greedy) == objective


EARLY_LATE = [
    {"id": "E", "start_minute": 360, "duration_minutes": 480},
    {"id": "L", "start_minute": 840, "duration_minutes": 480},
]


def test_a_day_is_rematched_to_grant_a_wish_and_keep_its_cover():
    problem = tiny_problem(
        employees=2,
        days=1,
        shift_types=EARLY_LATE,
        shift_demand=[cover(0, 1, "E"), cover(0, 1, "L")],
        preferences=[{"employee": "e0", "day": 0, "shift_type": "L", "kind": "want", "weight": 7}],
    )
    m = build_model(problem)
    greedy = _Greedy(m)
    early = m.positions.index(("E", None))
    late = m.positions.index(("L", None))
    greedy.load({(0, 0, early), (1, 0, late)})

    assert DayRematcher(greedy).rematch(0)

    assert greedy.chosen == {(0, 0, late), (1, 0, early)}
    assert validate(problem, as_assignments(m, greedy.chosen)).objective == 0


def test_a_block_swap_moves_a_late_shift_that_rest_keeps_from_a_wished_early_one():
    # e0 works late on day 0 and wants day 1, where only the early shift is needed: 11 h rest
    # forbid it, and a late one costs more in over-cover (10) than the wish is worth (9).
    # Handing e0's two days to e1 (off on day 0) and e1's to e0 grants the wish.
    problem = tiny_problem(
        employees=2,
        days=2,
        shift_types=EARLY_LATE,
        shift_demand=[cover(0, 1, "L"), cover(1, 1, "E"), cover(0, 0, "E"), cover(1, 0, "L")],
        preferences=[{"employee": "e0", "day": 1, "kind": "want", "weight": 9}],
        contract={"min_rest_minutes": 660},
    )
    m = build_model(problem)
    greedy = _Greedy(m)
    early = m.positions.index(("E", None))
    late = m.positions.index(("L", None))
    greedy.load({(0, 0, late), (1, 1, early)})
    days = DayRematcher(greedy)
    assert not days.rematch(1)

    assert BlockSwapper(days).swap(0, 2)

    assert greedy.chosen == {(1, 0, late), (0, 1, early)}
    assert validate(problem, as_assignments(m, greedy.chosen)).objective == 0


def test_problems_whose_day_costs_do_not_split_are_not_rematched():
    fair = tiny_problem(employees=2, days=2, shift_demand=[cover(0, 1)])
    assert applies(fair)
    fair.rules.weights.fair_hours = 1
    assert not applies(fair)
