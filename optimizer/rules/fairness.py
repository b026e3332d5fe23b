"""Fairness: hours, weekends and unpopular shifts spread evenly across comparable employees.

Comparable employees are those on the same contract. Each spread is max - min over the group.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.model import RosterModel, total


def _groups(m: RosterModel) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for e_idx, emp in enumerate(m.employees):
        groups[emp.contract].append(e_idx)
    return [g for g in groups.values() if len(g) > 1]


def _penalize_spread(
    m: RosterModel, rule: str, weight: int, values: list, ub: int, unit: int = 1
) -> None:
    """weight x ceil((max - min) / unit) over one group's values."""
    high = m.model.new_int_var(0, ub, f"{rule}|max")
    low = m.model.new_int_var(0, ub, f"{rule}|min")
    m.model.add_max_equality(high, values)
    m.model.add_min_equality(low, values)
    spread = m.model.new_int_var(0, (ub + unit - 1) // unit, f"{rule}|spread")
    m.model.add(unit * spread >= high - low)
    m.add_penalty(rule, weight, spread)


def penalize_unfair_hours(m: RosterModel) -> None:
    """SOFT "Fair hours": per hour of spread of paid hours within a contract group."""
    weight = m.problem.rules.weights.fair_hours
    if not weight:
        return
    days = list(range(m.num_days))
    for group in _groups(m):
        ub = max(m.max_minutes(e, days) for e in group)
        _penalize_spread(m, "fair_hours", weight, [m.minutes(e, days) for e in group], ub, 60)


def penalize_unfair_weekends(m: RosterModel) -> None:
    """SOFT "Fair weekends": per weekend of spread of worked weekends within a contract group."""
    weight = m.problem.rules.weights.fair_weekends
    weekends = m.problem.weekends()
    if not weight or not weekends:
        return
    for group in _groups(m):
        counts = []
        for e_idx in group:
            worked = [m.weekend_worked(e_idx, days) for days in weekends]
            counts.append(total([w for w in worked if w is not False]))
        _penalize_spread(m, "fair_weekends", weight, counts, len(weekends))


def penalize_unfair_unpopular(m: RosterModel) -> None:
    """SOFT "Fair unpopular shifts": per shift of spread of unpopular shifts (nights,
    evenings) within a contract group."""
    weight = m.problem.rules.weights.fair_unpopular
    unpopular = {t.id for t in m.problem.shift_types if t.unpopular}
    if not weight or not unpopular:
        return
    for group in _groups(m):
        counts = [
            total(
                [
                    v
                    for d in range(m.num_days)
                    for p, v in m.on_day(e_idx, d)
                    if m.positions[p][0] in unpopular
                ]
            )
            for e_idx in group
        ]
        _penalize_spread(m, "fair_unpopular", weight, counts, m.num_days)


def penalize_unbalanced_shifts(m: RosterModel) -> None:
    """SOFT "Balanced shift counts": the sum over all employees of (shifts worked)^2, so that
    shifts spread evenly (the Timefold quickstart's load balancing).

    n^2 is written as the maximum of its tangents (2k+1)n - k(k+1), exact at whole numbers and
    tight in the LP relaxation.
    """
    weight = m.problem.rules.weights.balanced_shifts
    if not weight:
        return
    for e_idx, emp in enumerate(m.employees):
        days = [d for d in range(m.num_days) if m.on_day(e_idx, d)]
        if not days:
            continue
        most = len(days)
        count = m.model.new_int_var(0, most, f"{emp.id}|shifts")
        m.model.add(count == total([v for d in days for v in m.day_vars(e_idx, d)]))
        square = m.model.new_int_var(0, most * most, f"{emp.id}|shifts^2")
        for k in range(most):
            m.model.add(square >= (2 * k + 1) * count - k * (k + 1))
        m.add_penalty("balanced_shifts", weight, square, emp.id)
