"""Small problem builders shared by the optimizer tests, and a way to run LNS on one."""

from __future__ import annotations

import time
from typing import Any

from optimizer import lns
from optimizer.schema import Problem, SolverSettings
from optimizer.solver import Incumbent, _Reporter, _StopWatcher


def tiny_problem(
    days: int = 7,
    employees: int = 2,
    contract: dict[str, Any] | None = None,
    shift_types: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Problem:
    """A problem with `employees` people on one contract and one 8-hour day shift by default.

    Day 0 is Monday 2024-01-01. Anything else (demand, preferences, rules ...) comes in `extra`.
    """
    return Problem(
        num_days=days,
        shift_types=shift_types or [{"id": "D", "start_minute": 480, "duration_minutes": 480}],
        contracts=[{"id": "c", **(contract or {})}],
        employees=[{"id": f"e{i}", "contract": "c"} for i in range(employees)],
        **extra,
    )


def cover(day: int, required: int, shift_type: str = "D", **extra: Any) -> dict[str, Any]:
    return {"day": day, "shift_type": shift_type, "required": required, **extra}


def run_lns(problem: Problem, m, start: Incumbent, time_limit: float, workers: int, **options):
    """`lns.improve` on `m` (the model of `problem`) from `start`: (status, incumbent)."""
    settings = SolverSettings(time_limit=time_limit, workers=workers)
    started = time.monotonic()
    stop = _StopWatcher(None)
    try:
        return lns.improve(
            m, settings, started, _Reporter(problem, started, None), stop, start=start, **options
        )
    finally:
        stop.close()
