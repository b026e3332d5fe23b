"""Cover rules: enough people, and not too many, on each shift and in each time interval."""

from __future__ import annotations

from optimizer.model import RosterModel, total
from optimizer.schema import IntervalDemand, ShiftDemand


def shift_headcount(m: RosterModel, demand: ShiftDemand) -> list:
    """Variables of everyone who would count towards a shift demand line."""
    return [
        v
        for p_idx, skill in m.positions_of_type(demand.shift_type)
        if demand.skill is None or skill == demand.skill
        for v in m.on_position(demand.day, p_idx)
    ]


def interval_headcount(m: RosterModel, demand: IntervalDemand) -> list:
    """Variables of everyone whose shift spans a demand interval, working a matching skill."""
    start, end = demand.span()
    reach = m.instance.max_day_reach
    variables = []
    for day in range(max(0, demand.day - reach), demand.day + 1):
        for p_idx, (type_id, skill) in enumerate(m.positions):
            if demand.skill is not None and skill != demand.skill:
                continue
            if m.instance.covers_interval(type_id, day, start, end):
                variables.extend(m.on_position(day, p_idx))
    return variables


def add_cover_bounds(m: RosterModel) -> None:
    """HARD "Cover bounds": a shift's hard minimum and maximum number of people."""
    for demand in m.problem.shift_demand:
        people = shift_headcount(m, demand)
        label = f"day {demand.day} {demand.shift_type}"
        if demand.minimum:
            m.require_at_least("cover_bounds", total(people), demand.minimum, label)
        if demand.maximum is not None and demand.maximum < len(people):
            m.require_at_most("cover_bounds", total(people), demand.maximum, len(people), label)


def penalize_shift_cover(m: RosterModel) -> None:
    """SOFT "Under-cover" / "Over-cover": each missing or surplus person on a shift costs the
    line's weight (or the rules' default)."""
    weights = m.problem.rules.weights
    for demand in m.problem.shift_demand:
        people = shift_headcount(m, demand)
        w_under = weights.under_cover if demand.weight_under is None else demand.weight_under
        w_over = weights.over_cover if demand.weight_over is None else demand.weight_over
        _penalize_gap(
            m,
            "under_cover",
            "over_cover",
            people,
            demand.required,
            w_under,
            w_over,
            demand.minimum,
            demand.maximum,
            demand.day,
        )


def penalize_interval_cover(m: RosterModel) -> None:
    """SOFT "Interval under-cover" / "over-cover": per missing or surplus person per interval."""
    weights = m.problem.rules.weights
    for demand in m.problem.interval_demand:
        people = interval_headcount(m, demand)
        w_under = (
            weights.interval_under_cover if demand.weight_under is None else demand.weight_under
        )
        w_over = weights.interval_over_cover if demand.weight_over is None else demand.weight_over
        _penalize_gap(
            m,
            "interval_under_cover",
            "interval_over_cover",
            people,
            demand.required,
            w_under,
            w_over,
            0,
            None,
            demand.day,
        )


def _penalize_gap(
    m, under_rule, over_rule, people, required, w_under, w_over, low, high, day
) -> None:
    """count + under - over == required, with under and over penalised."""
    most = len(people) if high is None else min(high, len(people))
    max_under = max(0, required - low)
    max_over = max(0, most - required)
    if (w_under == 0 or max_under == 0) and (w_over == 0 or max_over == 0):
        return
    under = m.model.new_int_var(0, max_under, "under") if w_under and max_under else 0
    over = m.model.new_int_var(0, max_over, "over") if w_over and max_over else 0
    count = total(people)
    if isinstance(under, int):
        m.model.add(count - over <= required)
    elif isinstance(over, int):
        m.model.add(count + under >= required)
    else:
        m.model.add(count + under - over == required)
    m.add_penalty(under_rule, w_under, under, day=day)
    m.add_penalty(over_rule, w_over, over, day=day)


def penalize_missing_reliable_people(m: RosterModel) -> None:
    """SOFT "Reliable people on critical slots": where demand asks for `min_reliable` people
    whose observed turn-up is at least `rules.reliable_at`, each one missing costs
    `weights.reliable_cover`."""
    weight = m.problem.rules.weights.reliable_cover
    threshold = m.problem.rules.reliable_at
    lines = [(d, shift_headcount(m, d)) for d in m.problem.shift_demand if d.min_reliable]
    lines += [(d, interval_headcount(m, d)) for d in m.problem.interval_demand if d.min_reliable]
    if not lines:
        return
    reliable = {
        var.index
        for (e_idx, _, _), var in m.x.items()
        if (m.employees[e_idx].reliability or 0.0) >= threshold
        and m.employees[e_idx].reliability is not None
    }
    for demand, people in lines:
        trusted = [v for v in people if v.index in reliable]
        short = m.model.new_int_var(0, demand.min_reliable, "reliable_short")
        m.model.add(total(trusted) + short >= demand.min_reliable)
        m.add_penalty("reliable_cover", weight, short, day=demand.day)
