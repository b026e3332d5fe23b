"""Lower bounds on the objective that follow from the problem alone, before any search.

A search that never proves optimality (LNS on a big roster) still has to say how far from the
best its roster may be. Two counting arguments give a floor under the cost of missing people:

- **Weekends.** Where worked weekends are capped, the capped staff have only so many weekends
  to give; each covers at most one person on each day of one weekend. Sharing them out where
  they save the most (`weekend_cover_bound`) leaves a shortfall no roster can avoid.
- **Hours.** Where everyone's hours over the horizon are capped, the shifts wanted may hold
  more minutes than the staff can work; the missing minutes cost at least the cheapest
  shortfall that holds them (`hours_cover_bound`).

Every other term of the objective is a penalty of zero or more, so either is a lower bound on
the objective; `lower_bound` takes the larger. They count on the hard rules they rest on
(`max_weekends`, `max_minutes_total`) and are 0 where those are softened or absent.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from optimizer.schema import Problem, ShiftDemand


@dataclass(frozen=True)
class Slot:
    """One person wanted on a shift: what missing them costs, and the shift's minutes."""

    cost: int
    minutes: int


def lower_bound(problem: Problem) -> int:
    """The best of the bounds below: no roster of `problem` scores less."""
    return max(weekend_cover_bound(problem), hours_cover_bound(problem))


def with_floor(bound: int | None, floor: int) -> int | None:
    """A search's bound raised to the problem's own floor (`lower_bound`), if that is higher;
    None where neither says anything."""
    if bound is None:
        return floor or None
    return max(bound, floor)


def wanted_slots(problem: Problem) -> dict[int, list[Slot]]:
    """The people wanted on each day, one `Slot` each, dearest first.

    A person works one shift a day and counts on the lines of that shift type only. Lines for
    different skills of a type count different people; a line without a skill counts everyone
    on the type, so where one exists the type's other lines are left out (taking only the
    largest such line keeps the count of people wanted a floor)."""
    lines: dict[tuple[int, str], list[ShiftDemand]] = defaultdict(list)
    for demand in problem.shift_demand:
        lines[demand.day, demand.shift_type].append(demand)
    minutes = {t.id: t.duration_minutes for t in problem.shift_types}
    default = problem.rules.weights.under_cover
    slots: dict[int, list[Slot]] = defaultdict(list)
    for (day, type_id), demands in lines.items():
        open_lines = [d for d in demands if d.skill is None]
        counted = [max(open_lines, key=lambda d: d.required)] if open_lines else demands
        for demand in counted:
            cost = default if demand.weight_under is None else demand.weight_under
            slots[day] += [Slot(cost, minutes[type_id])] * demand.required
    for day_slots in slots.values():
        day_slots.sort(key=lambda slot: -slot.cost)
    return slots


def weekend_cover_bound(problem: Problem) -> int:
    """The cost of the people no roster can put on weekends, where worked weekends are capped.

    On each weekend day the people working are the uncapped staff available that day plus at
    most the capped people who work that weekend; the capped staff's weekends, summed, are
    shared out between weekends one at a time to where the next one saves the most (the saving
    of a weekend's next person never grows, so this sharing is the cheapest)."""
    if "max_weekends" in problem.rules.soft_rules:
        return 0
    weekends = problem.weekends()
    slots = wanted_slots(problem)
    contracts = {c.id: c for c in problem.contracts}
    uncapped = defaultdict(int)  # day -> uncapped people available
    capped = defaultdict(int)  # day -> capped people available
    to_give = 0
    for emp in problem.employees:
        cap = contracts[emp.contract].max_weekends
        leave = set(emp.unavailable_days)
        free = [[d for d in days if d not in leave] for days in weekends]
        if cap is None or cap >= sum(1 for days in free if days):
            for days in free:
                for day in days:
                    uncapped[day] += 1
            continue
        to_give += cap
        for days in free:
            for day in days:
                capped[day] += 1
    days_of = [
        [(slots.get(day, []), uncapped[day], capped[day]) for day in days] for days in weekends
    ]
    planned = _share_out(days_of, to_give)
    return sum(
        _cost_left(day_slots, base + min(planned[k], most))
        for k, days in enumerate(days_of)
        for day_slots, base, most in days
    )


def _share_out(days_of: list[list[tuple[list[Slot], int, int]]], to_give: int) -> list[int]:
    """Capped people per weekend: each next one where they save the most."""
    planned = [0] * len(days_of)
    heap = [(-_saving(days, 0), k) for k, days in enumerate(days_of)]
    heapq.heapify(heap)
    for _ in range(to_give):
        saving, k = heapq.heappop(heap)
        if saving == 0:
            break
        planned[k] += 1
        heapq.heappush(heap, (-_saving(days_of[k], planned[k]), k))
    return planned


def _saving(days: list[tuple[list[Slot], int, int]], planned: int) -> int:
    """What one more capped person on the weekend saves: the dearest slot still open on each
    of its days where one more of them is available."""
    return sum(
        day_slots[base + planned].cost
        for day_slots, base, most in days
        if planned < most and base + planned < len(day_slots)
    )


def _cost_left(day_slots: list[Slot], people: int) -> int:
    """The cost of a day's slots left open when `people` take the dearest."""
    return sum(slot.cost for slot in day_slots[people:])


def hours_cover_bound(problem: Problem) -> int:
    """The cost of the shift minutes the staff cannot work, where everyone's hours over the
    horizon are capped: the missing minutes left on the slots cheapest per minute (a
    fractional count, rounded up, so a floor)."""
    if "max_minutes_total" in problem.rules.soft_rules:
        return 0
    contracts = {c.id: c for c in problem.contracts}
    caps = [contracts[emp.contract].max_minutes_total for emp in problem.employees]
    if any(cap is None for cap in caps):
        return 0
    slots = [slot for day_slots in wanted_slots(problem).values() for slot in day_slots]
    missing = sum(slot.minutes for slot in slots) - sum(caps)
    cost = 0.0
    for slot in sorted(slots, key=lambda slot: slot.cost / slot.minutes):
        if missing <= 0:
            break
        share = min(missing, slot.minutes)
        cost += slot.cost * share / slot.minutes
        missing -= share
    return math.ceil(cost - 1e-9)
