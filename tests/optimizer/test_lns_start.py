"""Where LNS starts: a start roster it cannot complete (its helper variables set to their best
values) is handed back as it is, never a crash half-way through the search."""

from __future__ import annotations

import time

import numpy as np
from optimizer_builders import cover, tiny_problem

from optimizer import lns
from optimizer.rules import build_model
from optimizer.schema import SolverSettings
from optimizer.solver import Incumbent, _Reporter, _StopWatcher


def two_shift_problem():
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
    )


def test_a_start_the_model_refuses_comes_back_unchanged():
    problem = two_shift_problem()
    m = build_model(problem)
    values = [0] * len(m.model.proto.variables)
    for day in (5, 6, 12):  # e0 on two weekends, one more than allowed
        values[m.x[0, day, 0].index] = 1
    start = Incumbent(values, 10**6, None)
    settings = SolverSettings(time_limit=5, workers=1)
    started = time.monotonic()
    stop = _StopWatcher(None)
    try:
        status, found = lns.improve(
            m, settings, started, _Reporter(problem, started, None), stop, start=start
        )
    finally:
        stop.close()
    assert status == "feasible"
    assert found is start
    assert np.array_equal(found.values, values)
