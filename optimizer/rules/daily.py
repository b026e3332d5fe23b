"""Rules about single days and the step from one day to the next.

One shift a day, pinned assignments, forbidden successions ("no early after a late") and the
minimum rest between two shifts.
"""

from __future__ import annotations

from optimizer.model import RosterModel, total


def add_one_shift_per_day(m: RosterModel) -> None:
    """HARD "One shift a day": nobody works two shifts starting on the same day."""
    for e_idx in range(len(m.employees)):
        for day in range(m.num_days):
            variables = m.day_vars(e_idx, day)
            if len(variables) > 1:
                if m.explain:
                    m.require_at_most(
                        "one_shift_per_day",
                        total(variables),
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
        m.require_at_least("pinned_assignments", total(matching), 1, a.employee)


def add_forbidden_successions(m: RosterModel) -> None:
    """HARD "Forbidden successions": shift type B may not be worked the day after type A."""
    conflicts: dict[tuple[str, int], set[str]] = {
        (t.id, 1): set(t.cannot_be_followed_by)
        for t in m.problem.shift_types
        if t.cannot_be_followed_by
    }
    if conflicts:
        for e_idx in range(len(m.employees)):
            _forbid_pairs(m, "forbidden_successions", e_idx, conflicts)


def add_min_rest(m: RosterModel) -> None:
    """HARD "Minimum rest": shifts never overlap, and the gap between two is at least the
    contract's `min_rest_minutes`."""
    by_rest: dict[int, dict[tuple[str, int], set[str]]] = {}
    for e_idx, emp in enumerate(m.employees):
        min_rest = m.instance.contract_of(emp).min_rest_minutes or 0
        if min_rest not in by_rest:
            conflicts: dict[tuple[str, int], set[str]] = {}
            for first, second, offset in m.instance.rest_conflicts(min_rest):
                conflicts.setdefault((first, offset), set()).add(second)
            by_rest[min_rest] = conflicts
        if by_rest[min_rest]:
            _forbid_pairs(m, "min_rest", e_idx, by_rest[min_rest])


def _forbid_pairs(
    m: RosterModel, rule: str, e_idx: int, conflicts: dict[tuple[str, int], set[str]]
) -> None:
    """For each (type A, day offset) -> types B: never A on a day and a B `offset` days later.

    Hard: one at-most-one over A and B per day and A (valid because each day holds at most one
    shift), tighter and far smaller than a clause per pair. Soft: one clause per pair
    of variables, each broken clause paying the soft-rule weight.
    """
    employee = m.employees[e_idx].id
    by_first: dict[str, list[tuple[int, set[str]]]] = {}
    for (type_id, offset), seconds in conflicts.items():
        by_first.setdefault(type_id, []).append((offset, seconds))
    soft, explain = m.is_soft(rule), m.explain
    for day in range(m.num_days):
        for first, first_vars in m.vars_by_type(e_idx, day).items():
            for offset, seconds in by_first.get(first, ()):
                if day + offset >= m.num_days:
                    continue
                later = m.vars_by_type(e_idx, day + offset)
                second_vars = [v for t in seconds if t in later for v in later[t]]
                if not second_vars:
                    continue
                if soft:
                    for va in first_vars:
                        for vb in second_vars:
                            m.require_clause(rule, [va.Not(), vb.Not()], employee)
                elif explain:
                    both = first_vars + second_vars
                    m.require_at_most(rule, total(both), 1, len(both), employee)
                else:
                    m.model.add_at_most_one(first_vars + second_vars)
