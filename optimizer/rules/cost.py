"""Labour cost: paid hours at each employee's hourly cost, plus the overtime premium.

Costs enter the objective in whole currency units times `weights.labour_cost`: a shift costs
whole(weight x hourly cost x paid hours); overtime is paid per started quarter hour beyond the
contract's weekly threshold, at whole(weight x hourly cost x (rate - 1) / 4) a quarter.
"""

from __future__ import annotations

import math

from optimizer.model import RosterModel

QUARTER_HOUR = 15


def whole(amount: float) -> int:
    """Round half up to a whole number (2.5 -> 3), the rounding used for every penalty."""
    return math.floor(amount + 0.5)


def shift_cost(weight: int, hourly_cost: float, minutes: int) -> int:
    return whole(weight * hourly_cost * minutes / 60)


def overtime_quarter_cost(weight: int, hourly_cost: float, rate: float) -> int:
    return whole(weight * hourly_cost * (rate - 1.0) / 4)


def penalize_labour_cost(m: RosterModel) -> None:
    """SOFT "Labour cost": every paid hour at the employee's hourly cost."""
    weight = m.problem.rules.weights.labour_cost
    if not weight:
        return
    types = m.instance.types
    for e_idx, emp in enumerate(m.employees):
        if not emp.hourly_cost:
            continue
        for day in range(m.num_days):
            for p_idx, var in m.on_day(e_idx, day):
                minutes = types[m.positions[p_idx][0]].duration_minutes
                m.add_penalty(
                    "labour_cost", shift_cost(weight, emp.hourly_cost, minutes), var, emp.id
                )


def penalize_overtime(m: RosterModel) -> None:
    """SOFT "Overtime": the premium on minutes beyond the weekly overtime threshold."""
    weight = m.problem.rules.weights.labour_cost
    if not weight:
        return
    for e_idx, emp in enumerate(m.employees):
        contract = m.instance.contract_of(emp)
        threshold = contract.overtime_after_minutes_per_week
        per_quarter = overtime_quarter_cost(weight, emp.hourly_cost, contract.overtime_rate)
        if threshold is None or not per_quarter:
            continue
        for week in m.problem.weeks():
            most = m.max_minutes(e_idx, week)
            if most <= threshold:
                continue
            quarters = m.model.new_int_var(0, (most - threshold) // QUARTER_HOUR + 1, "overtime")
            m.model.add(QUARTER_HOUR * quarters >= m.minutes(e_idx, week) - threshold)
            m.add_penalty("overtime", per_quarter, quarters, emp.id)
