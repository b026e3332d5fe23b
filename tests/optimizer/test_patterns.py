"""The schedule planner (`optimizer.patterns`): its work patterns are the best that keep the
rules (checked against every pattern of a short horizon), its shift types keep successions,
caps and hours, and with it the constructed first roster keeps every hard rule on the public
instances where filling demand day by day leaves people short of their minimum hours; best
responses (re-planning one employee at a time) improve that roster where the planner scores
the objective exactly, and only there."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from random import Random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_builders import cover, tiny_problem

from optimizer import patterns
from optimizer.construct import (
    Eligibility,
    ScheduleImprover,
    _Greedy,
    as_assignments,
    greedy_roster,
)
from optimizer.formats.curtois import read_curtois
from optimizer.schema import Problem
from optimizer.validator import validate

CURTOIS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "curtois"


def _terms(min_work=1, max_work=None, min_off=1, max_weekends=None, fewest=0, most=None, caps=()):
    return patterns.ScheduleTerms(
        min_consecutive_days=min_work,
        max_consecutive_days=max_work,
        min_consecutive_days_off=min_off,
        max_weekends=max_weekends,
        min_minutes=fewest,
        max_minutes=most,
        caps=np.array(caps if len(caps) else [1000]),
    )


def _weekends(num_days: int) -> np.ndarray:
    """Day 0 is a Monday: days 5 and 6 are weekend 0, and so on."""
    return np.array([d // 7 if d % 7 >= 5 else -1 for d in range(num_days)])


def _runs(worked: list[bool], working: bool) -> list[tuple[int, int]]:
    runs, start = [], None
    for day, flag in enumerate([*worked, not working]):
        if flag == working and start is None:
            start = day
        elif flag != working and start is not None:
            runs.append((start, day - 1))
            start = None
    return runs


def _keeps_rules(worked: list[bool], terms, day_value, weekend_of) -> bool:
    last = len(worked) - 1
    if any(w and day_value[d] <= patterns.NEG / 2 for d, w in enumerate(worked)):
        return False
    for first, end in _runs(worked, True):
        length = end - first + 1
        if terms.max_consecutive_days is not None and length > terms.max_consecutive_days:
            return False
        if first > 0 and end < last and length < terms.min_consecutive_days:
            return False
    for first, end in _runs(worked, False):
        if first > 0 and end < last and end - first + 1 < terms.min_consecutive_days_off:
            return False
    weekends = {weekend_of[d] for d, w in enumerate(worked) if w and weekend_of[d] >= 0}
    return terms.max_weekends is None or len(weekends) <= terms.max_weekends


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    num_days=st.integers(3, 11),
    min_work=st.integers(1, 3),
    max_work=st.one_of(st.none(), st.integers(1, 5)),
    min_off=st.integers(1, 3),
    max_weekends=st.one_of(st.none(), st.integers(0, 1)),
    reward=st.sampled_from([0.0, 3.0]),
    data=st.data(),
)
def test_work_pattern_is_the_best_that_keeps_the_rules(
    num_days, min_work, max_work, min_off, max_weekends, reward, data
):
    values = data.draw(st.lists(st.integers(-5, 5), min_size=num_days, max_size=num_days))
    leave = data.draw(st.sets(st.integers(0, num_days - 1), max_size=3))
    day_value = np.array([patterns.NEG if d in leave else v for d, v in enumerate(values)], float)
    terms = _terms(min_work, max_work, min_off, max_weekends)
    weekend_of = _weekends(num_days)

    found = patterns._pattern(terms, day_value, weekend_of, reward)

    best = max(
        sum(day_value[d] + reward for d in range(num_days) if worked[d])
        for worked in itertools.product([False, True], repeat=num_days)
        if _keeps_rules(list(worked), terms, day_value, weekend_of)
    )
    assert found is not None  # working no day at all always keeps these rules
    worked = [d in found for d in range(num_days)]
    assert _keeps_rules(worked, terms, day_value, weekend_of)
    assert sum(day_value[d] + reward for d in found) == pytest.approx(best)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    num_days=st.integers(3, 21),
    min_work=st.integers(1, 3),
    max_work=st.one_of(st.none(), st.integers(1, 6)),
    max_weekends=st.one_of(st.none(), st.integers(0, 2)),
    fewest=st.integers(0, 21),
    start=st.sampled_from([0.0, 0.5, 8.0]),
    data=st.data(),
)
def test_rewards_tried_together_find_what_trying_them_in_turn_finds(
    num_days, min_work, max_work, max_weekends, fewest, start, data
):
    values = data.draw(st.lists(st.integers(-40, 5), min_size=num_days, max_size=num_days))
    day_value = np.array(values, float)
    terms = _terms(min_work, max_work, 2, max_weekends)
    weekend_of = _weekends(num_days)
    rewards = patterns._day_rewards(start)

    together = patterns._patterns(terms, day_value, weekend_of, np.array(rewards))
    one_by_one = [patterns._pattern(terms, day_value, weekend_of, r) for r in rewards]
    in_turn = next(
        ((r, days) for r, days in zip(rewards, one_by_one, strict=True) if len(days) >= fewest),
        (rewards[-1], one_by_one[-1]),
    )

    assert together == one_by_one
    assert patterns._fewest_rewarded(terms, day_value, weekend_of, fewest, rewards) == in_turn


def test_a_remembered_reward_too_high_for_enough_days_keeps_rewards_finite():
    """A contract whose minimum days cannot fit leaves the highest reward in memory; the next
    plan's rewards start from it and must stay clear of the impossible value."""
    num_days = 28
    terms = _terms(min_work=2, max_work=3, min_off=2, max_weekends=0)
    memory: dict[str, float] = {}
    for _ in range(3):
        days = patterns.work_pattern(terms, np.ones(num_days), _weekends(num_days), 28, 28, memory)
        assert days is not None
        assert _keeps_rules([d in days for d in range(num_days)], terms, np.ones(28), _weekends(28))
    assert memory["day_reward"] == patterns._MOST_DAY_REWARD


def test_a_pattern_works_every_other_weekend_at_most_when_capped():
    num_days = 28
    terms = _terms(min_work=2, max_work=5, min_off=2, max_weekends=2)
    days = patterns.work_pattern(terms, np.ones(num_days), _weekends(num_days), 20, 20)

    weekends = {d // 7 for d in days if d % 7 >= 5}
    assert len(days) == 20
    assert len(weekends) <= 2
    assert _keeps_rules(
        [d in days for d in range(num_days)], terms, np.ones(num_days), _weekends(28)
    )


def test_too_many_days_are_trimmed_at_the_ends_of_runs():
    day_value = np.array([5.0, 1, 5, 5, 5, 0, 0, 5, 5, 5, 5, 1, 0, 0])
    terms = _terms(min_work=2, max_work=5, min_off=2)
    days = patterns.work_pattern(terms, day_value, np.full(14, -1), 6, 6)

    assert len(days) == 6
    assert _keeps_rules([d in days for d in range(14)], terms, day_value, np.full(14, -1))


@settings(max_examples=60, deadline=None)
@given(
    num_days=st.integers(5, 20),
    num_types=st.integers(2, 4),
    data=st.data(),
)
def test_shift_types_keep_successions_caps_and_hours(num_days, num_types, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 10**6)))
    value = rng.integers(-3, 4, size=(num_days, num_types)).astype(float)
    value[rng.random(value.shape) < 0.2] = patterns.NEG
    minutes = rng.choice([240, 480, 600, 720], size=num_types)
    may_follow = rng.random((num_types, num_types)) < 0.7
    caps = rng.integers(num_days // 3, num_days + 1, size=num_types)
    days = sorted(rng.choice(num_days, size=rng.integers(1, num_days + 1), replace=False))
    days = [int(d) for d in days if (value[d] > patterns.NEG / 2).any()]
    fewest = int(len(days) * 300)
    most = fewest + 600
    terms = _terms(fewest=fewest, most=most, caps=caps)

    shifts = patterns.shift_types(terms, value, minutes, may_follow, days)

    if shifts is None:
        return
    assert sorted(shifts) == days
    assert all(value[d, t] > patterns.NEG / 2 for d, t in shifts.items())
    assert all(may_follow[shifts[d], shifts[d + 1]] for d in days if d + 1 in shifts)
    assert (np.bincount(list(shifts.values()), minlength=num_types) <= caps).all()
    assert fewest <= sum(minutes[t] for t in shifts.values()) <= most


def test_plan_reaches_minimum_hours_with_long_shifts_when_days_are_few():
    num_days = 14
    value = np.zeros((num_days, 2))
    minutes = np.array([480, 720])
    terms = _terms(min_work=1, max_work=3, min_off=2, fewest=5 * 720, most=6 * 720, caps=[14, 14])

    shifts = patterns.plan(terms, value, minutes, np.ones((2, 2), bool), np.full(num_days, -1))

    assert shifts is not None
    assert 5 * 720 <= sum(minutes[t] for t in shifts.values()) <= 6 * 720
    assert _keeps_rules(
        [d in shifts for d in range(num_days)], terms, np.zeros(14), np.full(14, -1)
    )


@pytest.mark.skipif(not CURTOIS_DIR.is_dir(), reason=f"no instances in {CURTOIS_DIR}")
@pytest.mark.parametrize("name", ["Instance8", "Instance14", "Instance16"])
def test_constructed_roster_keeps_every_hard_rule_on_public_instances(name):
    problem = read_curtois(CURTOIS_DIR / f"{name}.txt")
    cells = Eligibility(problem)

    report = validate(problem, as_assignments(cells, greedy_roster(cells)))

    assert report.hard_violations == []


@pytest.mark.skipif(not CURTOIS_DIR.is_dir(), reason=f"no instances in {CURTOIS_DIR}")
def test_best_responses_improve_the_constructed_roster_and_keep_its_rules():
    problem = read_curtois(CURTOIS_DIR / "Instance12.txt")
    cells = Eligibility(problem)
    plain = validate(problem, as_assignments(cells, greedy_roster(cells)))

    improved = ScheduleImprover(cells).improve(
        greedy_roster(cells), time.monotonic() + 5, Random(0)
    )
    report = validate(problem, as_assignments(cells, improved))

    assert report.hard_violations == []
    assert report.objective < plain.objective


@pytest.mark.skipif(not CURTOIS_DIR.is_dir(), reason=f"no instances in {CURTOIS_DIR}")
def test_improvement_moves_stop_when_the_caller_asks():
    problem = read_curtois(CURTOIS_DIR / "Instance12.txt")
    cells = Eligibility(problem)
    chosen = greedy_roster(cells)
    later = time.monotonic() + 5

    stopped = ScheduleImprover(cells).improve(chosen, later, Random(0), stopped=lambda: True)
    going_on = ScheduleImprover(cells).improve(
        chosen, time.monotonic() + 5, Random(0), stopped=lambda: False
    )

    assert stopped == chosen
    assert going_on != chosen


@pytest.mark.parametrize(
    "change",
    [
        {"rules": {"weights": {"fair_hours": 1}}},
        {"rules": {"weights": {"labour_cost": 1}}},
        {"preferences": [{"employee": "e0", "day": 1, "kind": "avoid", "per_minute": True}]},
        {"shift_types": [{"id": "D", "start_minute": 1200, "duration_minutes": 480}]},
        {"shift_demand": [cover(0, 1, skill="chat")]},
    ],
    ids=["fairness", "labour cost", "per-minute wish", "night shift", "skill"],
)
def test_best_responses_only_run_where_the_planner_scores_the_objective_exactly(change):
    exact = tiny_problem(days=7, employees=2, shift_demand=[cover(d, 1) for d in range(7)])
    assert _Greedy(Eligibility(exact)).scores_exactly()

    problem = Problem.model_validate({**exact.model_dump(), **change})

    assert not _Greedy(Eligibility(problem)).scores_exactly()
