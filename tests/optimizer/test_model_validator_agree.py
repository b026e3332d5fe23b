"""The CP-SAT model and the independent validator agree on random problems.

hypothesis draws small problems that use every rule (hard, softened and soft, with start times,
night shifts, skills, interval demand, preferences for days, shifts and time windows, fairness and
cost); whatever roster CP-SAT finds, the validator must see no hard violation and compute the same
objective.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer import validate
from optimizer.rules import build_model
from optimizer.schema import Problem
from optimizer.solver import roster_from_values

SOFTENABLE = [
    "forbidden_successions",
    "min_rest",
    "max_shifts_per_type",
    "max_minutes_total",
    "min_minutes_total",
    "max_minutes_per_week",
    "min_minutes_per_week",
    "max_consecutive_days",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
]
SKILLS = ["chat", "phone"]


def window_preference(draw, n_emp: int, days: int) -> dict:
    """A wish for a time window, possibly running past midnight (e.g. 22:00-06:00)."""
    start = draw(st.sampled_from([0, 360, 480, 720, 1080, 1320]))
    return {
        "employee": f"e{draw(st.integers(0, n_emp - 1))}",
        "day": draw(st.integers(0, days - 1)),
        "kind": draw(st.sampled_from(["want", "avoid"])),
        "weight": draw(st.integers(1, 5)),
        "start_minute": start,
        "end_minute": start + draw(st.sampled_from([60, 240, 480])),
    }


@st.composite
def problems(draw) -> Problem:
    days = draw(st.integers(3, 10))
    n_types = draw(st.integers(1, 3))
    types = []
    for i in range(n_types):
        types.append(
            {
                "id": f"T{i}",
                "start_minute": draw(st.sampled_from([360, 480, 840, 1320])),
                "duration_minutes": draw(st.sampled_from([240, 480, 600])),
                "unpopular": draw(st.booleans()),
                "cannot_be_followed_by": draw(
                    st.lists(
                        st.sampled_from([f"T{j}" for j in range(n_types)]), max_size=2, unique=True
                    )
                ),
            }
        )
    optional = lambda strategy: draw(st.one_of(st.none(), strategy))  # noqa: E731
    contract = {
        "id": "c",
        "max_minutes_per_week": optional(st.integers(960, 2880)),
        "min_minutes_per_week": optional(st.integers(0, 960)),
        "max_minutes_total": optional(st.integers(1440, 4800)),
        "min_minutes_total": optional(st.integers(0, 960)),
        "max_shifts_per_type": draw(
            st.dictionaries(
                st.sampled_from([t["id"] for t in types]), st.integers(0, 4), max_size=2
            )
        ),
        "min_rest_minutes": optional(st.sampled_from([0, 600, 660])),
        "max_consecutive_days": optional(st.integers(2, 5)),
        "min_consecutive_days": optional(st.integers(1, 3)),
        "min_consecutive_days_off": optional(st.integers(1, 2)),
        "max_weekends": optional(st.integers(0, 2)),
        "overtime_after_minutes_per_week": optional(st.integers(480, 2400)),
    }
    if (contract["min_minutes_per_week"] or 0) > (contract["max_minutes_per_week"] or 10**9):
        contract["min_minutes_per_week"] = None
    if (contract["min_minutes_total"] or 0) > (contract["max_minutes_total"] or 10**9):
        contract["min_minutes_total"] = None
    if (contract["min_consecutive_days"] or 0) > (contract["max_consecutive_days"] or 10**9):
        contract["min_consecutive_days"] = None
    contracts = [contract, {"id": "d"}]
    n_emp = draw(st.integers(1, 4))
    employees = [
        {
            "id": f"e{i}",
            "contract": draw(st.sampled_from(["c", "d"])),
            "skills": draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)),
            "unavailable_days": draw(st.lists(st.integers(0, days - 1), max_size=2, unique=True)),
            "priority": draw(st.sampled_from([0.5, 1.0, 1.5])),
            "hourly_cost": draw(st.sampled_from([0.0, 15.0, 22.5])),
            "reliability": draw(st.sampled_from([None, 0.7, 0.95])),
        }
        for i in range(n_emp)
    ]
    use_skills = draw(st.booleans())
    shift_demand = []
    for day in range(days):
        for t in types:
            if draw(st.booleans()):
                shift_demand.append(
                    {
                        "day": day,
                        "shift_type": t["id"],
                        "skill": draw(st.sampled_from(SKILLS)) if use_skills else None,
                        "required": draw(st.integers(0, 2)),
                        "weight_under": draw(st.one_of(st.none(), st.integers(0, 50))),
                        "weight_over": draw(st.one_of(st.none(), st.integers(0, 5))),
                        "min_reliable": draw(st.integers(0, 1)),
                    }
                )
    interval_demand = [
        {
            "day": draw(st.integers(0, days - 1)),
            "start_minute": draw(st.sampled_from([420, 600, 900, 1200, 1380])),
            "skill": draw(st.sampled_from([None, *SKILLS])),
            "required": draw(st.integers(0, 2)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    preferences = [
        {
            "employee": f"e{draw(st.integers(0, n_emp - 1))}",
            "day": draw(st.integers(0, days - 1)),
            "shift_type": draw(st.sampled_from([None, *[t["id"] for t in types]])),
            "kind": draw(st.sampled_from(["want", "avoid"])),
            "weight": draw(st.integers(0, 5)),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    preferences += [
        {
            "employee": f"e{draw(st.integers(0, n_emp - 1))}",
            "day": draw(st.integers(0, days - 1)),
            "kind": draw(st.sampled_from(["want", "avoid"])),
            "per_minute": True,
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    preferences += [window_preference(draw, n_emp, days) for _ in range(draw(st.integers(0, 3)))]
    weights = {
        name: draw(st.integers(0, 3))
        for name in (
            "fair_hours",
            "fair_weekends",
            "fair_unpopular",
            "balanced_shifts",
            "labour_cost",
            "preference",
            "reliable_cover",
        )
    }
    weights["soft_rule"] = draw(st.integers(1, 20))
    return Problem(
        start_date=draw(st.sampled_from(["2024-01-01", "2024-01-04"])),
        num_days=days,
        shift_types=types,
        contracts=contracts,
        employees=employees,
        shift_demand=shift_demand,
        interval_demand=interval_demand,
        preferences=preferences,
        rules={
            "soft_rules": draw(st.lists(st.sampled_from(SOFTENABLE), unique=True)),
            "weights": weights,
        },
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_validator_reproduces_the_model_objective_and_finds_no_hard_violation(problem):
    m = build_model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 2
    solver.parameters.num_workers = 1
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    roster = roster_from_values(m, list(solver.response_proto.solution))
    report = validate(problem, roster)
    assert report.hard_violations == []
    if status == cp_model.OPTIMAL:
        assert report.objective == round(solver.objective_value)
    else:  # penalty variables of a non-optimal roster may sit above their true value
        assert report.objective <= round(solver.objective_value)
