"""Rules about single days and the step from one day to the next.

One shift a day, pinned assignments, forbidden successions ("no early after a late") and the
minimum rest between two shifts.
"""

from __future__ import annotations

from optimizer.model import RosterModel, total

Conflicts = dict[tuple[str, int], set[str]]
"""(first shift type, day offset) -> shift types that may not be worked that many days later."""


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
        conflicts = by_rest[min_rest]
        if not conflicts:
            continue
        thresholds = None if m.explain or m.is_soft("min_rest") else _start_thresholds(m, conflicts)
        if thresholds is None:
            _forbid_pairs(m, "min_rest", e_idx, conflicts)
        else:
            _forbid_early_starts(m, e_idx, thresholds)


def _start_thresholds(m: RosterModel, conflicts: Conflicts) -> dict[tuple[str, int], int] | None:
    """(first type, offset) -> latest start among the types it conflicts with, when every
    conflict set holds exactly the types starting no later than that (rest is about how soon
    the next shift starts, so it does unless shifts are longer than a day); None otherwise."""
    start = {t.id: t.start_minute or 0 for t in m.problem.shift_types}
    thresholds = {}
    for key, seconds in conflicts.items():
        latest = max(start[t] for t in seconds)
        if {t for t, s in start.items() if s <= latest} != seconds:
            return None
        thresholds[key] = latest
    return thresholds


def _forbid_early_starts(
    m: RosterModel, e_idx: int, thresholds: dict[tuple[str, int], int]
) -> None:
    """Minimum rest as "after type A, nothing starting by its threshold `offset` days later".

    Per day and threshold one literal says the employee works a shift starting by then (a chain
    of sums, valid because a day holds at most one shift), and one at-most-one joins it with the
    first shifts. The same cliques as a pairwise at-most-one, in a model a fraction of the size.
    """
    start = {t.id: t.start_minute or 0 for t in m.problem.shift_types}
    by_offset: dict[int, dict[int, list[str]]] = {}
    for (first, offset), latest in thresholds.items():
        by_offset.setdefault(offset, {}).setdefault(latest, []).append(first)
    for day in range(m.num_days):
        for offset, firsts_by_threshold in by_offset.items():
            if day + offset >= m.num_days:
                continue
            starting_by = _starting_by(m, e_idx, day + offset, sorted(firsts_by_threshold), start)
            today = m.vars_by_type(e_idx, day)
            for latest, firsts in firsts_by_threshold.items():
                first_vars = [v for t in firsts for v in today.get(t, ())]
                if first_vars and latest in starting_by:
                    m.model.add_at_most_one([*first_vars, starting_by[latest]])


def _starting_by(
    m: RosterModel, e_idx: int, day: int, thresholds: list[int], start: dict[str, int]
) -> dict[int, object]:
    """threshold -> a literal (or variable) true when the employee works, on `day`, a shift
    starting no later than the threshold; thresholds with no such shift are left out."""
    by_start = sorted(
        ((start[t], v) for t, variables in m.vars_by_type(e_idx, day).items() for v in variables),
        key=lambda item: item[0],
    )
    literals: dict[int, object] = {}
    previous, taken = None, 0
    for latest in thresholds:
        added = []
        while taken < len(by_start) and by_start[taken][0] <= latest:
            added.append(by_start[taken][1])
            taken += 1
        if previous is None and len(added) == 1:
            literal = added[0]
        elif previous is None and not added:
            continue
        elif not added:
            literal = previous
        else:
            literal = m.model.new_bool_var("")
            m.model.add(literal == total([*([previous] if previous is not None else []), *added]))
        literals[latest] = literal
        previous = literal
    return literals


def _forbid_pairs(
    m: RosterModel, rule: str, e_idx: int, conflicts: dict[tuple[str, int], set[str]]
) -> None:
    """For each (type A, day offset) -> types B: never A on a day and a B `offset` days later.

    Hard: one at-most-one per day over the first types that share the same offset and the same
    set of types B, and those B (valid because each day holds at most one shift, so at most one
    of the first types is worked): tighter and far smaller than a clause per pair. Explain: one
    guarded sum per day and type A. Soft: one clause per pair of variables, each broken clause
    paying the soft-rule weight.
    """
    if not m.explain and not m.is_soft(rule):
        _forbid_pairs_by_group(m, e_idx, conflicts)
        return
    employee = m.employees[e_idx].id
    by_first: dict[str, list[tuple[int, set[str]]]] = {}
    for (type_id, offset), seconds in conflicts.items():
        by_first.setdefault(type_id, []).append((offset, seconds))
    soft = m.is_soft(rule)
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
                else:
                    both = first_vars + second_vars
                    m.require_at_most(rule, total(both), 1, len(both), employee)


def _forbid_pairs_by_group(m: RosterModel, e_idx: int, conflicts: Conflicts) -> None:
    """The hard form of `_forbid_pairs`: per day and offset, one at-most-one per set of types B
    the employee can work `offset` days later, over every type A that forbids exactly that set
    (among the types B on offer that day) and those B."""
    by_offset: dict[int, list[tuple[str, list[str]]]] = {}
    for (type_id, offset), seconds in conflicts.items():
        by_offset.setdefault(offset, []).append((type_id, sorted(seconds)))
    for day in range(m.num_days):
        today = m.vars_by_type(e_idx, day)
        if not today:
            continue
        for offset, firsts in by_offset.items():
            later = m.vars_by_type(e_idx, day + offset)
            if not later:
                continue
            groups: dict[tuple[str, ...], list] = {}
            for first, seconds in firsts:
                if first in today:
                    forbidden = tuple(t for t in seconds if t in later)
                    if forbidden:
                        groups.setdefault(forbidden, []).extend(today[first])
            for forbidden, first_vars in groups.items():
                m.model.add_at_most_one([*first_vars, *(v for t in forbidden for v in later[t])])
