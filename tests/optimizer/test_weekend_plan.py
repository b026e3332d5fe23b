"""The weekend plan (`optimizer.weekends`): each weekend's quota covers the most weekend days
the capped staff's weekends can, the people planned keep to their caps and leave, and the
construction works the planned weekends whole."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st
from optimizer_builders import cover, tiny_problem

from optimizer.construct import Eligibility, as_assignments, greedy_roster
from optimizer.validator import validate
from optimizer.weekends import PlannedWeekends, assign_weekends, weekend_quotas


def covered(demand: list[list[int]], quotas: list[int]) -> int:
    """Weekend days' people covered when `quotas[k]` people work all of weekend k."""
    return sum(min(q, wanted) for days, q in zip(demand, quotas, strict=True) for wanted in days)


@given(
    st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=2), min_size=1, max_size=4),
    st.integers(0, 12),
)
def test_quotas_cover_the_most_weekend_days_the_weekends_to_give_can(demand, weekends):
    quotas = weekend_quotas(demand, weekends)
    assert sum(quotas) <= weekends
    assert all(q <= max(days) for q, days in zip(quotas, demand, strict=True))
    best = max(
        covered(demand, list(choice))
        for choice in itertools.product(*(range(max(days) + 1) for days in demand))
        if sum(choice) <= weekends
    )
    assert covered(demand, quotas) == best


def test_weekends_are_shared_so_that_every_quota_is_filled():
    # Taking the first people with weekends left would plan e0 and e1 twice, then e2 alone.
    plan = assign_weekends([2, 2, 2], [2, 2, 2], [[True] * 3] * 3, [[0.0] * 3] * 3)
    assert [len(people) for people in plan] == [2, 2, 2]
    assert sorted(e for people in plan for e in people) == [0, 0, 1, 1, 2, 2]


def test_nobody_is_planned_beyond_their_weekends_or_on_a_weekend_they_cannot_work():
    available = [[False, True], [True, True], [True, True]]
    plan = assign_weekends([2, 2], [1, 1, 2], available, [[0.0, 0.0]] * 3)
    assert 0 not in plan[0]
    worked = [sum(e in people for people in plan) for e in range(3)]
    assert worked[0] <= 1 and worked[1] <= 1 and worked[2] <= 2
    assert [len(people) for people in plan] == [2, 2]


def test_wishes_break_ties_between_people():
    plan = assign_weekends([1], [1, 1], [[True], [True]], [[5.0], [-5.0]])
    assert plan == [[1]]


def test_the_plan_tells_each_day_what_is_ahead():
    planned = PlannedWeekends([[(5, 6), (19, 20)], None], num_days=28)
    assert planned.planned_for(0) and not planned.planned_for(1)
    assert planned.works(0, 6) and not planned.works(0, 12)
    assert planned.following(0, 0) == (5, 6)
    assert planned.following(0, 5) == (19, 20)
    assert planned.following(0, 19) is None
    assert planned.days_ahead(0, 0) == 4
    assert planned.days_ahead(0, 5) == 3
    assert planned.days_ahead(0, 20) == 0


def test_the_construction_works_scarce_weekends_whole():
    # Four people, two weekends each out of four; two wanted on every day: only whole
    # weekends cover every weekend day.
    problem = tiny_problem(
        days=28,
        employees=4,
        contract={"max_weekends": 2, "max_consecutive_days": 5, "min_consecutive_days_off": 2},
        shift_demand=[cover(day, 2) for day in range(28)],
    )
    cells = Eligibility(problem)
    roster = as_assignments(cells, greedy_roster(cells))
    report = validate(problem, roster)
    assert report.feasible
    worked = {(a.employee, a.day) for a in roster}
    weekend_days = [day for days in problem.weekends() for day in days]
    staffed = [sum((f"e{i}", day) in worked for i in range(4)) for day in weekend_days]
    assert staffed == [2] * len(weekend_days)
