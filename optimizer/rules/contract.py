"""Labour rules from an employee's contract: hours, shift counts, runs of days, weekends.

Each is hard by default; listing it in `Rules.soft_rules` turns it into a penalised excess.
"""

from __future__ import annotations

from optimizer.model import RosterModel, Terms, total


def add_max_shifts_per_type(m: RosterModel) -> None:
    """HARD "Max shifts per type": e.g. at most 8 night shifts over the horizon."""
    for e_idx, emp in enumerate(m.employees):
        caps = m.instance.contract_of(emp).max_shifts_per_type
        if not caps:
            continue
        by_type = m.count_by_type(e_idx)
        for type_id, cap in caps.items():
            if type_id in by_type:
                shifts, days = by_type[type_id]
                m.require_at_most("max_shifts_per_type", shifts, cap, days, emp.id)


def add_max_minutes_total(m: RosterModel) -> None:
    """HARD "Max hours over the horizon"."""
    days = list(range(m.num_days))
    for e_idx, emp in enumerate(m.employees):
        cap = m.instance.contract_of(emp).max_minutes_total
        if cap is not None:
            ub = m.max_minutes(e_idx, days)
            minutes = m.minutes_terms(e_idx, days)
            m.require_at_most("max_minutes_total", minutes, cap, ub, emp.id)


def add_min_minutes_total(m: RosterModel) -> None:
    """HARD "Min hours over the horizon"."""
    days = list(range(m.num_days))
    for e_idx, emp in enumerate(m.employees):
        floor = m.instance.contract_of(emp).min_minutes_total
        if floor:
            minutes = m.minutes_terms(e_idx, days)
            m.require_at_least("min_minutes_total", minutes, floor, emp.id)


def add_max_minutes_per_week(m: RosterModel) -> None:
    """HARD "Max hours a week": e.g. at most 40 h in every calendar week."""
    for e_idx, emp in enumerate(m.employees):
        cap = m.instance.contract_of(emp).max_minutes_per_week
        if cap is None:
            continue
        for week in m.problem.weeks():
            ub = m.max_minutes(e_idx, week)
            minutes = m.minutes_terms(e_idx, week)
            m.require_at_most("max_minutes_per_week", minutes, cap, ub, emp.id)


def add_min_minutes_per_week(m: RosterModel) -> None:
    """HARD "Min hours a week": in every full calendar week of the horizon."""
    for e_idx, emp in enumerate(m.employees):
        floor = m.instance.contract_of(emp).min_minutes_per_week
        if not floor:
            continue
        for week in m.instance.full_weeks():
            minutes = m.minutes_terms(e_idx, week)
            m.require_at_least("min_minutes_per_week", minutes, floor, emp.id)


def add_max_consecutive_days(m: RosterModel) -> None:
    """HARD "Max working days in a row": every run of k+1 days holds a day off.

    Each run is a sum of the days' "works that day" literals, k+1 terms rather than every
    shift of those days (the same count, as a day holds at most one shift). When the model is
    built to explain infeasibility "one shift a day" may be switched off, so there the runs
    count the shifts themselves.
    """
    from_literals = not m.explain
    for e_idx, emp in enumerate(m.employees):
        k = m.instance.contract_of(emp).max_consecutive_days
        if k is None or k >= m.num_days:
            continue
        days_worked = _work_literal_indices(m, e_idx) if from_literals else None
        for start in range(m.num_days - k):
            if days_worked is None:
                window = m.count(e_idx, range(start, start + k + 1))
            else:
                indices = [i for i in days_worked[start : start + k + 1] if i is not None]
                window = Terms(indices, [1] * len(indices))
            m.require_at_most("max_consecutive_days", window, k, len(window.indices), emp.id)


def _work_literal_indices(m: RosterModel, e_idx: int) -> list[int | None]:
    """Per day, the proto index of the employee's "works that day" literal (None on days they
    cannot work)."""
    literals = [m.work_literal(e_idx, day) for day in range(m.num_days)]
    return [None if lit is False else lit.index for lit in literals]


def add_min_consecutive_days(m: RosterModel) -> None:
    """HARD "Min working days in a row": no run of work shorter than k, unless it touches the
    first or last day of the horizon."""
    for e_idx, emp in enumerate(m.employees):
        k = m.instance.contract_of(emp).min_consecutive_days or 0
        for start, length in _inner_blocks(m.num_days, k):
            works = [m.work_literal(e_idx, d) for d in range(start, start + length)]
            before, after = m.work_literal(e_idx, start - 1), m.work_literal(e_idx, start + length)
            literals = [before, *(_negate(w) for w in works), after]
            m.require_clause_of("min_consecutive_days", literals, emp.id)


def add_min_consecutive_days_off(m: RosterModel) -> None:
    """HARD "Min days off in a row": no run of days off shorter than k, unless it touches the
    first or last day of the horizon."""
    for e_idx, emp in enumerate(m.employees):
        k = m.instance.contract_of(emp).min_consecutive_days_off or 0
        for start, length in _inner_blocks(m.num_days, k):
            works = [m.work_literal(e_idx, d) for d in range(start, start + length)]
            before, after = m.work_literal(e_idx, start - 1), m.work_literal(e_idx, start + length)
            literals = [_negate(before), *works, _negate(after)]
            m.require_clause_of("min_consecutive_days_off", literals, emp.id)


def add_max_weekends(m: RosterModel) -> None:
    """HARD "Max weekends worked": a weekend counts if Saturday or Sunday is worked."""
    for e_idx, emp in enumerate(m.employees):
        cap = m.instance.contract_of(emp).max_weekends
        if cap is None:
            continue
        worked = [m.weekend_worked(e_idx, days) for days in m.problem.weekends()]
        worked = [w for w in worked if w is not False]
        m.require_at_most("max_weekends", total(worked), cap, len(worked), emp.id)


def _inner_blocks(num_days: int, k: int) -> list[tuple[int, int]]:
    """(start, length) of every block shorter than k that touches neither horizon edge."""
    return [(start, length) for length in range(1, k) for start in range(1, num_days - length)]


def _negate(literal):
    if isinstance(literal, bool):
        return not literal
    return literal.Not()
