"""Time-window preferences: an `avoid` window is broken by any worked shift that overlaps it, a
`want` window is honoured only by a worked shift that covers it whole; the solver and the
independent validator agree on the exact penalty."""

from __future__ import annotations

import pytest
from optimizer_builders import cover, tiny_problem
from pydantic import ValidationError

from optimizer import Assignment, SolverSettings, solve, validate
from optimizer.schema import Preference

FAST = SolverSettings(time_limit=5, workers=1)
TYPES = [
    {"id": "early", "start_minute": 360, "duration_minutes": 480},  # 06:00-14:00
    {"id": "mid", "start_minute": 600, "duration_minutes": 480},  # 10:00-18:00
    {"id": "late", "start_minute": 840, "duration_minutes": 480},  # 14:00-22:00
    {"id": "night", "start_minute": 1320, "duration_minutes": 480},  # 22:00-06:00
]


def window_problem(kind: str, start: int, end: int, day: int = 0, days: int = 2, **extra):
    wish = {"employee": "e0", "day": day, "kind": kind, "weight": 4}
    problem = tiny_problem(
        days=days,
        employees=1,
        shift_types=TYPES,
        preferences=[{**wish, "start_minute": start, "end_minute": end}],
        **extra,
    )
    problem.employees[0].priority = 1.5
    return problem


def penalty(problem, *shifts: tuple[int, str]) -> int:
    roster = [Assignment(employee="e0", day=d, shift_type=t) for d, t in shifts]
    return validate(problem, roster).objective


@pytest.mark.parametrize(
    ("shift_type", "expected"), [("late", 6), ("mid", 0), ("early", 0), ("night", 0)]
)
def test_avoid_window_is_broken_by_a_shift_that_overlaps_it(shift_type, expected):
    """18:00-22:00 avoided: the late shift overlaps it; mid ends at 18:00 and night starts at
    22:00, so neither shares a minute with it."""
    problem = window_problem("avoid", 1080, 1320)
    assert penalty(problem, (0, shift_type)) == expected


@pytest.mark.parametrize(
    ("shift_type", "expected"), [("early", 0), ("mid", 6), ("late", 6), (None, 6)]
)
def test_want_window_is_honoured_only_by_a_shift_covering_it(shift_type, expected):
    """08:00-12:00 wanted: early (06:00-14:00) covers it; mid (10:00-18:00) only overlaps."""
    problem = window_problem("want", 480, 720)
    shifts = [(0, shift_type)] if shift_type else []
    assert penalty(problem, *shifts) == expected


def test_window_past_midnight_meets_the_next_days_shifts():
    """22:00-06:00 on day 0 avoided: day 0's night shift overlaps it, day 1's early shift starts
    at 06:00 and does not."""
    problem = window_problem("avoid", 1320, 1800)
    assert penalty(problem, (0, "night")) == 6
    assert penalty(problem, (1, "early")) == 0


def test_night_shift_from_the_day_before_breaks_an_early_morning_window():
    problem = window_problem("avoid", 0, 240, day=1)  # 00:00-04:00 on day 1
    assert penalty(problem, (0, "night")) == 6
    assert penalty(problem, (0, "late")) == 0


@pytest.mark.parametrize("kind", ["want", "avoid"])
def test_solver_pays_the_same_window_penalty_as_the_validator(kind):
    """One person, early and late both wanted (10 per missing person): an avoided evening
    sends them to the early shift, a wanted evening to the late one."""
    demand = [cover(0, 1, "early", weight_under=10), cover(0, 1, "late", weight_under=10)]
    problem = window_problem(kind, 1080, 1320, days=1, shift_demand=demand)
    solution = solve(problem, FAST)
    assert solution.status == "optimal"
    chosen = "late" if kind == "want" else "early"
    assert [a.shift_type for a in solution.assignments] == [chosen]
    assert solution.objective == 10
    assert validate(problem, solution.assignments).objective == 10


def test_solver_keeps_an_avoid_window_when_cover_needs_it_more():
    demand = [cover(0, 1, "late", weight_under=10)]
    problem = window_problem("avoid", 1080, 1320, days=1, shift_demand=demand)
    solution = solve(problem, FAST)
    assert [a.shift_type for a in solution.assignments] == ["late"]
    assert solution.objective == 6


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start_minute": 600}, "end_minute: a time window needs both"),
        ({"end_minute": 600}, "start_minute: a time window needs both"),
        ({"start_minute": 600, "end_minute": 600}, "end_minute: the window must end after"),
        ({"start_minute": 600, "end_minute": 2881}, "less than or equal to 2880"),
        ({"start_minute": 60, "end_minute": 120, "shift_type": "D"}, "shift_type: a time-window"),
        ({"start_minute": 60, "end_minute": 120, "per_minute": True}, "per_minute: a time-window"),
    ],
)
def test_bad_windows_are_refused_naming_the_field(fields, message):
    with pytest.raises(ValidationError) as error:
        Preference(employee="e0", day=0, kind="avoid", **fields)
    assert message in str(error.value)
