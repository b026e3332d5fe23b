"""Where LNS starts and when it stops early: a start roster it cannot complete (its helper
variables set to their best values) is handed back as it is, never a crash half-way through the
search; a stall takes steps without a better roster as well as seconds."""

from __future__ import annotations

import logging
import re
import time

import numpy as np
from optimizer_builders import cover, run_lns, tiny_problem

from optimizer import lns
from optimizer.construct import greedy_roster
from optimizer.rules import build_model
from optimizer.solver import Incumbent


def two_shift_problem(**extra):
    """Three people on an early and a late shift, one of each wanted every day for two weeks;
    a weekend each at most."""
    shift_types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},
        {"id": "L", "start_minute": 840, "duration_minutes": 480},
    ]
    demand = [cover(day, 1, kind) for day in range(14) for kind in ("E", "L")]
    return tiny_problem(
        days=14,
        employees=3,
        contract={"max_weekends": 1},
        shift_types=shift_types,
        shift_demand=demand,
        **extra,
    )


def test_a_start_the_model_refuses_comes_back_unchanged():
    problem = two_shift_problem()
    m = build_model(problem)
    values = [0] * len(m.model.proto.variables)
    for day in (5, 6, 12):  # e0 on two weekends, one more than allowed
        values[m.x[0, day, 0].index] = 1
    start = Incumbent(values, 10**6, None)
    status, found = run_lns(problem, m, start, time_limit=5, workers=1)
    assert status == "feasible"
    assert found is start
    assert np.array_equal(found.values, values)


def search_from_greedy(stall: float) -> float:
    """LNS on the two-shift problem from its constructed roster with a `stall` time; the
    seconds it took."""
    # everyone would rather not work at all: rosters pay for wishes no count of people bounds
    wishes = [
        {"employee": f"e{e}", "day": day, "kind": "avoid", "weight": 1}
        for e in range(3)
        for day in range(14)
    ]
    problem = two_shift_problem(preferences=wishes)
    m = build_model(problem)
    start = Incumbent(lns._greedy_values(m, greedy_roster(m)), 10**6, None)
    started = time.monotonic()
    run_lns(problem, m, start, time_limit=30, workers=2, stall=stall)
    return time.monotonic() - started


def test_a_stall_takes_steps_without_a_better_roster_not_only_seconds(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="optimizer.lns")
    monkeypatch.setattr(lns, "STALL_STEPS", 12)
    seconds = search_from_greedy(stall=0.0)
    (steps,) = [int(n) for n in re.findall(r"LNS: (\d+) steps", caplog.text)]
    assert steps >= 12  # with no stall time, the steps alone decide
    assert seconds < 25  # and it stopped long before the time limit
