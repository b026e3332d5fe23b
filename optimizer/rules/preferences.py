"""Employee preferences: wanted and unwanted days, shifts and time windows, weighted by employee
priority."""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.model import RosterModel
from optimizer.rules.cost import whole
from optimizer.schema import Employee, Preference, Problem


def penalize_preferences(m: RosterModel) -> None:
    """SOFT "Preferences": an unmet `want` or a met `avoid` costs the preference's weight;
    per-minute preferences count each minute of worked time on the day; a time window is met by
    a shift covering it (`want`) or overlapping it (`avoid`)."""
    index = {e.id: i for i, e in enumerate(m.employees)}
    for pref in m.problem.preferences:
        e_idx = index[pref.employee]
        weight = preference_weight(m.problem, m.employees[e_idx], pref)
        if not weight:
            continue
        if pref.per_minute:
            _per_minute(m, e_idx, pref, weight)
            continue
        if pref.has_window:
            worked = _window_met(m, e_idx, pref)
        elif pref.shift_type is None:
            worked = m.works(e_idx, pref.day)
        else:
            worked = m.works_type(e_idx, pref.day, pref.shift_type)
        unmet = (1 - worked) if pref.kind == "want" else worked
        m.add_penalty("preferences", weight, unmet, pref.employee)


def preference_weight(problem: Problem, employee: Employee, pref: Preference) -> int:
    """What the preference costs when not honoured (per minute for per-minute ones): its
    weight, scaled by the preference weight of the rules and the employee's priority."""
    return whole(pref.weight * problem.rules.weights.preference * employee.priority)


def _per_minute(m: RosterModel, e_idx: int, pref: Preference, weight: int) -> None:
    """Minutes worked inside the preferred day: penalised for `avoid`, rewarded for `want`."""
    sign = -1 if pref.kind == "want" else 1
    reach = m.instance.max_day_reach
    terms = []
    for day in range(max(0, pref.day - reach), pref.day + 1):
        for p_idx, var in m.on_day(e_idx, day):
            minutes = m.instance.overlap_with_day(m.positions[p_idx][0], day, pref.day)
            if minutes:
                terms.append(minutes * var)
    if terms:
        m.add_penalty("preferences", sign * weight, sum(terms), pref.employee)


def _window_met(m: RosterModel, e_idx: int, pref: Preference) -> cp_model.LinearExprT:
    """1 when the employee works a shift that covers (`want`) or overlaps (`avoid`) the window."""
    start, end = pref.window()
    reach = m.instance.max_day_reach
    matching = []
    for day in range(max(0, pref.day - reach), min(m.num_days, pref.day + 2)):
        for p_idx, var in m.on_day(e_idx, day):
            shift_start, shift_end = m.instance.types[m.positions[p_idx][0]].span(day)
            if pref.kind == "want":
                hit = shift_start <= start and end <= shift_end
            else:
                hit = shift_start < end and start < shift_end
            if hit:
                matching.append(var)
    if not matching:
        return 0
    if len(matching) == 1:
        return matching[0]
    met = m.model.new_bool_var(f"{pref.employee}|{pref.day}|window")
    m.model.add_max_equality(met, matching)
    return met
