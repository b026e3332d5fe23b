"""What a roster means for the business: paid hours, labour cost with overtime, cover per slot,
service level per slot, wishes met, fairness, and how it differs from the baseline roster.

Everything is recomputed from the problem and the roster alone (like the validator), in hours
and currency rather than in objective points.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

import numpy as np
from pydantic import BaseModel, Field

from forecasting.erlang import service_level
from optimizer.schema import MINUTES_PER_DAY, Assignment, Problem
from scenarios.apply import STAFFING

_logger = logging.getLogger(__name__)


class SlotCover(BaseModel):
    """Cover of one demand slot: people asked for, people rostered, and the service level."""

    day: int
    start_minute: int
    length_minutes: int
    skill: str | None
    required: int
    rostered: int
    volume: float | None = Field(None, description="Forecast contacts, where a model applies.")
    service_level: float | None = Field(
        None, description="Share answered in time with the rostered heads (Erlang C)."
    )


class Fairness(BaseModel):
    """Spread (most minus fewest) within each contract group, the worst group reported."""

    hours_spread: float = Field(description="Paid hours, most minus fewest, in one contract.")
    unpopular_spread: int = Field(description="Unpopular shifts (evenings), most minus fewest.")
    weekends_spread: int = Field(description="Weekend days worked, most minus fewest.")


class RosterMeasures(BaseModel):
    """The figures a comparison reports for one roster."""

    shifts: int = Field(description="Shifts worked.")
    shifts_by_template: dict[str, int]
    paid_hours: float
    labour_cost: float = Field(description="Paid hours at hourly cost, plus overtime premium.")
    overtime_hours: float
    overtime_cost: float = Field(description="The premium part of overtime pay.")
    temporary_hours: float = Field(description="Hours worked by temporary hires.")
    covered_person_hours: float = Field(
        description="Person-hours of demand met (rostered, up to what was asked for)."
    )
    under_cover_person_hours: float = Field(description="Missing people x hours, all slots.")
    over_cover_person_hours: float
    service_level: float | None = Field(
        None, description="Mean over slots with a staffing model of the share answered in time."
    )
    service_level_weighted: float | None = Field(
        None, description="Share of all contacts answered in time (slots weighted by volume)."
    )
    slots_meeting_target: float | None = Field(
        None, description="Share of slots that reach the service-level target."
    )
    preference_satisfaction: float | None = Field(
        None, description="Share of employee wishes honoured (None when there are none)."
    )
    fairness: Fairness
    hard_violations: int = Field(0, description="Hard-rule violations the validator found.")
    objective: int | None = None
    status: str | None = None
    wall_time: float | None = None


def span(problem: Problem, a: Assignment) -> tuple[int, int]:
    return problem.shift_type_by_id()[a.shift_type].span(a.day)


def slot_cover(problem: Problem, roster: list[Assignment]) -> list[SlotCover]:
    """People asked for and rostered in every interval slot, with the service level reached."""
    types = problem.shift_type_by_id()
    spans = [(types[a.shift_type].span(a.day), a.skill) for a in roster]
    staffing = problem.meta.get(STAFFING)
    volumes = {}
    if staffing:
        volumes = {
            (s["day"], s["start_minute"], s["length_minutes"], s["skill"]): s
            for s in staffing["slots"]
        }
    required = {
        (d.day, d.start_minute, d.length_minutes, d.skill): d.required
        for d in problem.interval_demand
    }
    keys = sorted(set(required) | set(volumes), key=lambda k: (k[0], k[1], k[3] or ""))
    slots = []
    for key in keys:
        day, minute, length, skill = key
        start = day * MINUTES_PER_DAY + minute
        heads = sum(
            1
            for (s, e), worked in spans
            if s <= start and start + length <= e and (skill is None or worked == skill)
        )
        slot = volumes.get(key)
        slots.append(
            SlotCover(
                day=day,
                start_minute=minute,
                length_minutes=length,
                skill=skill,
                required=required.get(key, 0),
                rostered=heads,
                volume=None if slot is None else slot["volume"],
            )
        )
    if staffing:
        _add_service_levels(slots, volumes, staffing)
    return slots


def _add_service_levels(slots: list[SlotCover], volumes: dict, staffing: dict) -> None:
    """Erlang C service level from the heads left on the phones after shrinkage."""
    modelled = [s for s in slots if s.volume]  # a closed slot has no contacts to answer
    if not modelled:
        return
    keys = [(s.day, s.start_minute, s.length_minutes, s.skill) for s in modelled]
    volume = np.array([s.volume for s in modelled], dtype=float)
    aht = np.array([volumes[k]["aht_seconds"] for k in keys], dtype=float)
    length = np.array([s.length_minutes * 60 for s in modelled], dtype=float)
    heads = np.array([s.rostered for s in modelled], dtype=float)
    agents = np.floor(heads * (1.0 - staffing["shrinkage"]) + 1e-9).astype(np.int64)
    levels = service_level(volume * aht / length, agents, aht, staffing["answer_within_seconds"])
    for slot, level in zip(modelled, levels, strict=True):
        slot.service_level = round(float(level), 4)


def measure(
    problem: Problem, roster: list[Assignment], slots: list[SlotCover] | None = None
) -> RosterMeasures:
    """Every business figure of `roster` as a solution of `problem`."""
    types = problem.shift_type_by_id()
    people = problem.employee_by_id()
    contracts = problem.contract_by_id()
    slots = slot_cover(problem, roster) if slots is None else slots
    minutes_by_week: dict[tuple[str, int], int] = defaultdict(int)
    week_of = {d: w for w, days in enumerate(problem.weeks()) for d in days}
    for a in roster:
        minutes_by_week[a.employee, week_of[a.day]] += types[a.shift_type].duration_minutes
    cost = overtime_minutes = overtime_cost = temporary = 0.0
    for (employee, _), minutes in minutes_by_week.items():
        person = people[employee]
        contract = contracts[person.contract]
        cost += person.hourly_cost * minutes / 60
        if contract.id.startswith("temporary"):
            temporary += minutes / 60
        threshold = contract.overtime_after_minutes_per_week
        if threshold is not None and minutes > threshold:
            extra = minutes - threshold
            overtime_minutes += extra
            overtime_cost += person.hourly_cost * (contract.overtime_rate - 1.0) * extra / 60
    paid_minutes = sum(types[a.shift_type].duration_minutes for a in roster)
    under, over, covered = _cover_gaps(problem, roster, slots)
    modelled = [s for s in slots if s.service_level is not None]
    target = (problem.meta.get(STAFFING) or {}).get("service_level")
    return RosterMeasures(
        shifts=len(roster),
        shifts_by_template=dict(sorted(Counter(a.shift_type for a in roster).items())),
        paid_hours=round(paid_minutes / 60, 2),
        labour_cost=round(cost + overtime_cost, 2),
        overtime_hours=round(overtime_minutes / 60, 2),
        overtime_cost=round(overtime_cost, 2),
        temporary_hours=round(temporary, 2),
        covered_person_hours=round(covered, 2),
        under_cover_person_hours=round(under, 2),
        over_cover_person_hours=round(over, 2),
        service_level=_mean([s.service_level for s in modelled]),
        service_level_weighted=_weighted(modelled),
        slots_meeting_target=(
            _mean([float(s.service_level >= target - 1e-9) for s in modelled])
            if modelled and target
            else None
        ),
        preference_satisfaction=preference_satisfaction(problem, roster),
        fairness=fairness(problem, roster),
    )


def _cover_gaps(
    problem: Problem, roster: list[Assignment], slots: list[SlotCover]
) -> tuple[float, float, float]:
    """Missing, surplus and met person-hours over interval slots and shift demand lines."""
    under = sum(max(0, s.required - s.rostered) * s.length_minutes / 60 for s in slots)
    covered = sum(min(s.required, s.rostered) * s.length_minutes / 60 for s in slots)
    over = sum(max(0, s.rostered - s.required) * s.length_minutes / 60 for s in slots if s.required)
    types = problem.shift_type_by_id()
    worked = Counter((a.day, a.shift_type, a.skill) for a in roster)
    for line in problem.shift_demand:
        if line.skill is None:
            count = sum(
                n for (d, t, _), n in worked.items() if d == line.day and t == line.shift_type
            )
        else:
            count = worked[line.day, line.shift_type, line.skill]
        hours = types[line.shift_type].duration_minutes / 60
        under += max(0, line.required - count) * hours
        over += max(0, count - line.required) * hours
        covered += min(line.required, count) * hours
    return under, over, covered


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def _weighted(slots: list[SlotCover]) -> float | None:
    total = sum(s.volume or 0.0 for s in slots)
    if not total:
        return None
    return round(sum((s.volume or 0.0) * (s.service_level or 0.0) for s in slots) / total, 4)


def preference_satisfaction(problem: Problem, roster: list[Assignment]) -> float | None:
    """Share of wishes honoured: a 'want' is met by working that day (and shift), an 'avoid'
    by not working it."""
    if not problem.preferences:
        return None
    worked = {(a.employee, a.day): a.shift_type for a in roster}
    met = 0
    for pref in problem.preferences:
        shift = worked.get((pref.employee, pref.day))
        hit = shift is not None and (pref.shift_type is None or shift == pref.shift_type)
        met += hit if pref.kind == "want" else not hit
    return round(met / len(problem.preferences), 4)


def fairness(problem: Problem, roster: list[Assignment]) -> Fairness:
    """The largest spread of hours, unpopular shifts and weekend days within a contract group."""
    types = problem.shift_type_by_id()
    hours: Counter[str] = Counter()
    unpopular: Counter[str] = Counter()
    weekends: Counter[str] = Counter()
    for a in roster:
        hours[a.employee] += types[a.shift_type].duration_minutes / 60
        unpopular[a.employee] += types[a.shift_type].unpopular
        weekends[a.employee] += problem.weekday(a.day) >= 5
    groups: dict[str, list[str]] = defaultdict(list)
    for person in problem.employees:
        groups[person.contract].append(person.id)
    spreads = [0.0, 0, 0]
    for members in groups.values():
        if len(members) < 2:
            continue
        for i, counter in enumerate((hours, unpopular, weekends)):
            values = [counter[m] for m in members]
            spreads[i] = max(spreads[i], max(values) - min(values))
    return Fairness(
        hours_spread=round(float(spreads[0]), 2),
        unpopular_spread=int(spreads[1]),
        weekends_spread=int(spreads[2]),
    )


def changed_assignments(baseline: list[Assignment], roster: list[Assignment]) -> int:
    """Baseline shifts that are not in the new roster as they were (dropped or moved)."""
    kept = {(a.employee, a.day, a.shift_type) for a in roster}
    return sum((a.employee, a.day, a.shift_type) not in kept for a in baseline)


def added_assignments(baseline: list[Assignment], roster: list[Assignment]) -> int:
    """Shifts of the new roster that the baseline roster did not have."""
    before = {(a.employee, a.day, a.shift_type) for a in baseline}
    return sum((a.employee, a.day, a.shift_type) not in before for a in roster)


def extra_shifts(
    baseline: list[Assignment], roster: list[Assignment]
) -> tuple[dict[str, int], dict[str, dict[int, int]]]:
    """Shifts more (or fewer) than the baseline, by template and by template and day."""
    before = Counter((a.shift_type, a.day) for a in baseline)
    after = Counter((a.shift_type, a.day) for a in roster)
    by_day: dict[str, dict[int, int]] = defaultdict(dict)
    for key in sorted(set(before) | set(after)):
        delta = after[key] - before[key]
        if delta:
            by_day[key[0]][key[1]] = delta
    by_template = {t: sum(days.values()) for t, days in by_day.items()}
    return dict(sorted(by_template.items())), dict(sorted(by_day.items()))
