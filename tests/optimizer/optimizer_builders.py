"""Small problem builders shared by the optimizer tests."""

from __future__ import annotations

from typing import Any

from optimizer.schema import Problem


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
