"""Turn a baseline problem and a scenario into the scenario's problem.

Demand changes scale the load of the chosen slots (re-staffed with Erlang C where the baseline
carries a staffing model) or the heads asked for; staff changes add temporary hires, leave and
sickness absence; rule changes allow overtime or change the weekly limit. The baseline is never
modified: every function returns a new `Problem`.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass

import numpy as np

from forecasting.erlang import agents_for_target, rostered_heads
from optimizer.schema import (
    Assignment,
    Contract,
    Employee,
    IntervalDemand,
    Preference,
    Problem,
    ShiftDemand,
)
from scenarios.spec import WEEKDAYS, DemandChange, RuleChange, Scenario, StaffChange

_logger = logging.getLogger(__name__)

STAFFING = "staffing"


@dataclass
class SlotChange:
    """The combined effect of every demand change on one demand line."""

    factor: float = 1.0
    people: int = 0
    closed: bool = False

    @property
    def changed(self) -> bool:
        return self.factor != 1.0 or self.people != 0 or self.closed


def horizon_days(problem: Problem, days: list[int | str] | None, field: str) -> set[int]:
    """Horizon days named by weekday names or day numbers (None: every day)."""
    if days is None:
        return set(range(problem.num_days))
    chosen: set[int] = set()
    for day in days:
        if isinstance(day, int):
            if day >= problem.num_days:
                raise ValueError(
                    f"{field}: day {day} is outside the horizon 0..{problem.num_days - 1}"
                )
            chosen.add(day)
        else:
            name = day.strip().lower()[:3]
            if name not in WEEKDAYS:
                raise ValueError(f"{field}: {day!r} is not a weekday name (mon ... sun)")
            weekday = WEEKDAYS.index(name)
            chosen |= {d for d in range(problem.num_days) if problem.weekday(d) == weekday}
    return chosen


def _change_days(problem: Problem, change: DemandChange, field: str) -> set[int]:
    days = horizon_days(problem, change.days, f"{field}.days")
    if change.dates is not None:
        by_date = {problem.date_of(d): d for d in range(problem.num_days)}
        dated = {by_date[d] for d in change.dates if d in by_date}
        days = dated if change.days is None else days & dated
        if not days:
            first, last = problem.date_of(0), problem.date_of(problem.num_days - 1)
            raise ValueError(
                f"{field}.dates: none of {', '.join(map(str, change.dates))} is in the baseline "
                f"week ({first} .. {last}){' among the chosen days' if change.days else ''}"
            )
    return days


def resolved_changes(scenario: Scenario, problem: Problem) -> list[DemandChange]:
    """The scenario's demand changes with named events spelled out as dates, window and skill."""
    events = scenario.all_events() if any(c.event for c in scenario.demand) else {}
    changes = []
    for i, change in enumerate(scenario.demand):
        if change.event is None:
            changes.append(change)
            continue
        event = events.get(change.event)
        if event is None:
            raise ValueError(f"demand[{i}].event: unknown event {change.event!r}")
        update: dict = {"event": None, "dates": list(event.dates)}
        if change.percent is None and change.people is None and not change.closed:
            if event.closed:
                update["closed"] = True
            elif event.uplift is not None:
                update["percent"] = (event.uplift - 1.0) * 100.0
            else:
                raise ValueError(
                    f"demand[{i}]: event {event.name!r} has no uplift; give a percent in the change"
                )
        if change.start is None and event.start_time is not None:
            update["start"] = event.start_time.strftime("%H:%M")
        if change.end is None and event.end_time is not None:
            update["end"] = event.end_time.strftime("%H:%M")
        if change.skills is None and event.channel is not None:
            update["skills"] = [event.channel]
        changes.append(change.model_copy(update=update))
    return changes


def _matches_skill(change: DemandChange, skill: str | None) -> bool:
    return change.skills is None or skill in change.skills


def _add_effect(effect: SlotChange, change: DemandChange) -> None:
    if change.closed:
        effect.closed = True
    elif change.percent is not None:
        effect.factor *= 1.0 + change.percent / 100.0
    elif change.people is not None:
        effect.people += change.people


def change_demand(problem: Problem, changes: list[DemandChange]) -> Problem:
    """The problem with every demand change applied (interval and per-shift demand)."""
    staffing = problem.meta.get(STAFFING)
    slot_volume = {}
    if staffing:
        slot_volume = {
            (s["day"], s["start_minute"], s["length_minutes"], s["skill"]): s
            for s in staffing["slots"]
        }
    interval_effects: dict[tuple, SlotChange] = {}
    keys = {(d.day, d.start_minute, d.length_minutes, d.skill) for d in problem.interval_demand}
    keys |= set(slot_volume)
    shift_effects = [SlotChange() for _ in problem.shift_demand]
    types = problem.shift_type_by_id()
    for i, change in enumerate(changes):
        days = _change_days(problem, change, f"demand[{i}]")
        start, end = change.window()
        for key in keys:
            day, minute, _, skill = key
            if day in days and start <= minute < end and _matches_skill(change, skill):
                _add_effect(interval_effects.setdefault(key, SlotChange()), change)
        for line, effect in zip(problem.shift_demand, shift_effects, strict=True):
            begins = types[line.shift_type].start_minute or 0
            if (
                line.day in days
                and start <= begins < end
                and _matches_skill(change, line.skill)
                and (change.shift_types is None or line.shift_type in change.shift_types)
            ):
                _add_effect(effect, change)
    new = problem.model_copy(deep=True)
    new.shift_demand = [
        _changed_shift_line(line, effect)
        for line, effect in zip(problem.shift_demand, shift_effects, strict=True)
    ]
    new.interval_demand, slots = _changed_intervals(problem, interval_effects, slot_volume)
    if staffing:
        new.meta[STAFFING] = {**staffing, "slots": slots}
    return new


def _scaled(required: int, factor: float) -> int:
    return max(0, math.ceil(required * factor - 1e-9))


def _changed_shift_line(line: ShiftDemand, effect: SlotChange) -> ShiftDemand:
    if not effect.changed:
        return line
    if effect.closed:
        return line.model_copy(update={"required": 0, "minimum": 0})
    required = max(0, _scaled(line.required, effect.factor) + effect.people)
    minimum = min(line.minimum, required)
    maximum = None if line.maximum is None else max(line.maximum, required)
    return line.model_copy(update={"required": required, "minimum": minimum, "maximum": maximum})


def restaff(slots: list[dict], staffing: dict) -> list[int]:
    """Rostered heads per slot for its volume (Erlang C to the baseline's target, shrinkage)."""
    if not slots:
        return []
    volume = np.array([s["volume"] for s in slots], dtype=float)
    aht = np.array([s["aht_seconds"] for s in slots], dtype=float)
    length = np.array([s["length_minutes"] * 60 for s in slots], dtype=float)
    traffic = volume * aht / length
    agents = agents_for_target(
        traffic,
        aht,
        service_level_target=staffing["service_level"],
        answer_within_seconds=staffing["answer_within_seconds"],
    )
    return [int(h) for h in rostered_heads(agents, staffing["shrinkage"])]


def _changed_intervals(
    problem: Problem, effects: dict[tuple, SlotChange], slot_volume: dict[tuple, dict]
) -> tuple[list[IntervalDemand], list[dict]]:
    """New interval demand lines and staffing slots after the demand changes."""
    staffing = problem.meta.get(STAFFING)
    lines = {(d.day, d.start_minute, d.length_minutes, d.skill): d for d in problem.interval_demand}
    slots = {key: dict(slot) for key, slot in slot_volume.items()}
    rescaled = [key for key, effect in effects.items() if key in slots and effect.factor != 1.0]
    for key in rescaled:
        slots[key]["volume"] = round(slots[key]["volume"] * effects[key].factor, 3)
    heads = dict(zip(rescaled, restaff([slots[k] for k in rescaled], staffing or {}), strict=True))
    result = []
    for key in sorted(set(lines) | set(effects), key=lambda k: (k[0], k[1], k[3] or "")):
        line = lines.get(key)
        effect = effects.get(key, SlotChange())
        required = 0 if line is None else line.required
        if key in heads:
            required = heads[key]
        elif effect.factor != 1.0:
            required = _scaled(required, effect.factor)
        required = max(0, required + effect.people)
        if effect.closed:
            required = 0
            if key in slots:
                slots[key]["volume"] = 0.0
        if required == 0 and line is None:
            continue
        base = line or IntervalDemand(
            day=key[0], start_minute=key[1], length_minutes=key[2], skill=key[3], required=0
        )
        result.append(base.model_copy(update={"required": required}))
    return result, list(slots.values())


def change_staff(problem: Problem, staff: StaffChange) -> Problem:
    """The problem with temporary hires added, leave taken and sickness absence drawn."""
    new = problem.model_copy(deep=True)
    people = {e.id: e for e in new.employees}
    for i, leave in enumerate(staff.leave):
        if leave.employee not in people:
            raise ValueError(f"staff.leave[{i}].employee: unknown employee {leave.employee!r}")
        days = horizon_days(problem, leave.days, f"staff.leave[{i}].days")
        person = people[leave.employee]
        person.unavailable_days = sorted(set(person.unavailable_days) | days)
    if staff.absence_rate:
        draw_absence(new.employees, problem.num_days, staff.absence_rate, staff.seed)
    for i, hire in enumerate(staff.hires):
        contract = _temporary_contract(new, hire.max_hours_per_week, hire.shift_types, i)
        new.contracts.append(contract)
        for k in range(hire.count):
            person_id = f"{hire.name}-{i + 1}-{k + 1:02d}"
            if person_id in people:
                raise ValueError(f"staff.hires[{i}].name: id {person_id!r} is already taken")
            new.employees.append(
                Employee(
                    id=person_id,
                    name=f"Temporary {hire.name} {i + 1}.{k + 1}",
                    contract=contract.id,
                    skills=list(hire.skills),
                    hourly_cost=hire.hourly_cost,
                )
            )
    return new


def draw_absence(employees: list[Employee], num_days: int, rate: float, seed: int) -> None:
    """Make each person's days unavailable at `rate` (a reproducible draw per person and day)."""
    rng = random.Random(seed)
    for person in sorted(employees, key=lambda e: e.id):
        sick = {d for d in range(num_days) if rng.random() < rate}
        person.unavailable_days = sorted(set(person.unavailable_days) | sick)


def _temporary_contract(
    problem: Problem, hours: float, shift_types: list[str] | None, index: int
) -> Contract:
    template = max(problem.contracts, key=lambda c: c.max_minutes_per_week or 10**9)
    known = {t.id for t in problem.shift_types}
    for name in shift_types or []:
        if name not in known:
            raise ValueError(f"staff.hires[{index}].shift_types: unknown shift type {name!r}")
    barred = {t: 0 for t in known - set(shift_types)} if shift_types else {}
    return template.model_copy(
        update={
            "id": f"temporary-{index + 1}",
            "max_minutes_per_week": round(hours * 60),
            "min_minutes_per_week": None,
            "min_minutes_total": None,
            "overtime_after_minutes_per_week": None,
            "max_shifts_per_type": barred,
        }
    )


def change_rules(problem: Problem, rules: RuleChange) -> Problem:
    """The problem with a different weekly limit and, or, overtime allowed."""
    new = problem.model_copy(deep=True)
    if rules.max_hours_per_week is not None:
        limits = [c.max_minutes_per_week for c in new.contracts if not c.id.startswith("temporary")]
        full_time = max((m for m in limits if m is not None), default=None)
        for c in new.contracts:
            if c.max_minutes_per_week == full_time and not c.id.startswith("temporary"):
                c.max_minutes_per_week = round(rules.max_hours_per_week * 60)
                if c.min_minutes_per_week is not None:
                    c.min_minutes_per_week = min(c.min_minutes_per_week, c.max_minutes_per_week)
    if rules.overtime_hours:
        extra = round(rules.overtime_hours * 60)
        for c in new.contracts:
            if c.max_minutes_per_week is None or c.id.startswith("temporary"):
                continue
            if c.overtime_after_minutes_per_week is None:
                c.overtime_after_minutes_per_week = c.max_minutes_per_week
            c.max_minutes_per_week += extra
    return new


def scenario_problem(scenario: Scenario, baseline: Problem) -> Problem:
    """The baseline with every change of the scenario applied."""
    problem = change_demand(baseline, resolved_changes(scenario, baseline))
    problem = change_rules(problem, scenario.rules)
    problem = change_staff(problem, scenario.staff)
    problem.name = f"{baseline.name} - {scenario.name}"
    return Problem.model_validate(problem.model_dump())


def keep_baseline(problem: Problem, roster: list[Assignment], weight: int) -> Problem:
    """The problem with a wish, worth `weight`, to keep each baseline shift (minimal change)."""
    new = problem.model_copy(deep=True)
    people = problem.employee_by_id()
    for a in roster:
        person = people.get(a.employee)
        if person is None or a.day in person.unavailable_days or a.day >= problem.num_days:
            continue
        new.preferences.append(
            Preference(
                employee=a.employee, day=a.day, shift_type=a.shift_type, kind="want", weight=weight
            )
        )
    return new


def default_keep_weight(problem: Problem) -> int:
    """One kept shift is worth one missing person in one slot (or on one shift)."""
    weights = problem.rules.weights
    return weights.interval_under_cover if problem.interval_demand else weights.under_cover
