"""Rules about single days and the step from one day to the next.

One shift a day, pinned assignments, forbidden successions ("no early after a late") and the
minimum rest between two shifts.
"""

from __future__ import annotations

from optimizer.model import RosterModel


def add_one_shift_per_day(m: RosterModel) -> None:
    """HARD "One shift a day": nobody works two shifts starting on the same day."""
    for e_idx in range(len(m.employees)):
        for day in range(m.num_days):
            variables = [v for _, v in m.on_day(e_idx, day)]
            if len(variables) > 1:
                if m.explain:
                    m.require_at_most(
                        "one_shift_per_day",
                        sum(variables),
                        1,
                        len(variables),
                        m.employees[e_idx].id,
                    )
                else:
                    m.model.add_at_most_one(variables)


def add_pinned_assignments(m: RosterModel) -> None:
    """HARD "Pinned shifts stay": every pinned assignment is in the roster."""
    index = {e.id: i for i, e in enumerate(m.employees)}
    for a in m.problem.pinned:
        e_idx = index[a.employee]
        matching = [
            v
            for p, v in m.on_day(e_idx, a.day)
            if m.positions[p][0] == a.shift_type
            and (a.skill is None or m.positions[p][1] == a.skill)
        ]
        # An impossible pin (leave, missing skill) is reported before solving, see explain.py.
        m.require_at_least("pinned_assignments", sum(matching), 1, a.employee)


def add_forbidden_successions(m: RosterModel) -> None:
    """HARD "Forbidden successions": shift type B may not be worked the day after type A."""
    for first in m.problem.shift_types:
        for second_id in first.cannot_be_followed_by:
            for e_idx, emp in enumerate(m.employees):
                for day in range(m.num_days - 1):
                    if m.has_type(e_idx, day, first.id) and m.has_type(e_idx, day + 1, second_id):
                        a = [v for p, v in m.on_day(e_idx, day) if m.positions[p][0] == first.id]
                        b = [
                            v for p, v in m.on_day(e_idx, day + 1) if m.positions[p][0] == second_id
                        ]
                        _at_most_one_of(m, "forbidden_successions", a, b, emp.id)


def add_min_rest(m: RosterModel) -> None:
    """HARD "Minimum rest": shifts never overlap, and the gap between two is at least the
    contract's `min_rest_minutes`."""
    conflicts_by_rest: dict[int, list[tuple[str, str, int]]] = {}
    for e_idx, emp in enumerate(m.employees):
        min_rest = m.instance.contract_of(emp).min_rest_minutes or 0
        if min_rest not in conflicts_by_rest:
            conflicts_by_rest[min_rest] = m.instance.rest_conflicts(min_rest)
        for first, second, offset in conflicts_by_rest[min_rest]:
            for day in range(m.num_days - offset):
                if m.has_type(e_idx, day, first) and m.has_type(e_idx, day + offset, second):
                    a = [v for p, v in m.on_day(e_idx, day) if m.positions[p][0] == first]
                    b = [v for p, v in m.on_day(e_idx, day + offset) if m.positions[p][0] == second]
                    _at_most_one_of(m, "min_rest", a, b, emp.id)


def _at_most_one_of(m: RosterModel, rule: str, a: list, b: list, employee: str) -> None:
    """Not (any of `a` and any of `b`): one clause per pair, cheap and propagation-friendly."""
    for va in a:
        for vb in b:
            m.require_clause(rule, [va.Not(), vb.Not()], employee)
