"""Who works which weekend: a plan for the people whose worked weekends are capped.

On most rostering problems weekends are scarce: more people are wanted on Saturdays and
Sundays than the capped staff have weekends to give (16 of the 17 public Curtois & Qu
instances). Each weekend someone works on one day only then costs a weekend of cover. A
day-by-day roster cannot see this coming: it spends weekends early on half weekends and runs
out before the horizon ends.

The plan comes first: each weekend's quota of people (`weekend_quotas`, the capped staff's
weekends shared out where each one covers the most), then who fills it (`assign_weekends`,
everyone's weekends spread so that nobody is left with more than the weekends they can still
work). The construction (`optimizer.construct`) then prefers the planned people on their
weekends, keeps others off theirs, and keeps each planned weekend within reach on the days
before it (`PlannedWeekends` tells it what lies ahead of each day).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def weekend_quotas(demand: Sequence[Sequence[int]], weekends_to_give: int) -> list[int]:
    """People to plan on each weekend, given the people wanted on each of its days
    (`demand[k]`), and no more than `weekends_to_give` in all.

    Each weekend worked covers one person on each day of that weekend still short, so the
    weekends go one at a time to where they cover the most days (ties: the weekend wanting the
    most people, then the earlier one); a weekend never gets more people than its busiest
    day wants."""
    quotas = [0] * len(demand)
    heap = [(-_days_short(days, 0), -sum(days), k) for k, days in enumerate(demand)]
    heapq.heapify(heap)
    for _ in range(weekends_to_give):
        if not heap:
            break
        gain, order, k = heapq.heappop(heap)
        if gain == 0:
            break
        quotas[k] += 1
        heapq.heappush(heap, (-_days_short(demand[k], quotas[k]), order, k))
    return quotas


def _days_short(days: Sequence[int], planned: int) -> int:
    """Days of a weekend that want more than `planned` people."""
    return sum(1 for wanted in days if wanted > planned)


def assign_weekends(
    quotas: Sequence[int],
    weekends_left: Sequence[int],
    available: Sequence[Sequence[bool]],
    cost: Sequence[Sequence[float]],
) -> list[list[int]]:
    """The people (indices) planned on each weekend.

    `weekends_left[e]` is how many weekends person e may work, `available[e][k]` whether they
    can work all of weekend k, `cost[e][k]` what working it costs their wishes. Weekends are
    filled fewest candidates per place first; each takes the people with the most weekends
    left for the weekends they can still work, the cheaper first among equals. Where everyone
    can work every weekend this is Ryser's rule, which fills every quota whenever some plan
    can."""
    left = list(weekends_left)
    num_weekends = len(quotas)
    candidates = [
        [e for e in range(len(left)) if left[e] > 0 and available[e][k]]
        for k in range(num_weekends)
    ]
    order = sorted(
        (k for k in range(num_weekends) if quotas[k] > 0),
        key=lambda k: (len(candidates[k]) / quotas[k], k),
    )
    unplanned = {e: sum(1 for k in order if available[e][k]) for e in range(len(left))}
    plan: list[list[int]] = [[] for _ in range(num_weekends)]
    for k in order:
        ranked = sorted(
            (e for e in candidates[k] if left[e] > 0),
            key=lambda e: (-left[e] / max(1, unplanned[e]), cost[e][k], e),
        )
        plan[k] = sorted(ranked[: quotas[k]])
        for e in plan[k]:
            left[e] -= 1
        for e in candidates[k]:
            unplanned[e] -= 1
    return plan


class PlannedWeekends:
    """The plan seen from each day: for each planned employee, whether a day lies on a weekend
    planned for them, the next planned weekend after it, and the planned weekend days after it.
    Employees with no plan (`None` in `plan_by_employee`) are not `planned_for`."""

    def __init__(
        self, plan_by_employee: Sequence[Sequence[tuple[int, int]] | None], num_days: int
    ) -> None:
        self._on: list[set[int]] = []
        self._next: list[list[tuple[int, int] | None]] = []
        self._ahead: list[list[int]] = []
        self._planned = [weekends is not None for weekends in plan_by_employee]
        for weekends in plan_by_employee:
            spans = sorted(weekends or ())
            self._on.append({d for first, last in spans for d in range(first, last + 1)})
            following: list[tuple[int, int] | None] = [None] * num_days
            ahead = [0] * num_days
            starts = {span[0]: span for span in spans}
            upcoming, days_after = None, 0
            for day in range(num_days - 1, -1, -1):
                following[day], ahead[day] = upcoming, days_after
                days_after += day in self._on[-1]
                upcoming = starts.get(day, upcoming)
            self._next.append(following)
            self._ahead.append(ahead)

    def planned_for(self, e_idx: int) -> bool:
        return self._planned[e_idx]

    def works(self, e_idx: int, day: int) -> bool:
        """`day` lies on a weekend planned for the employee."""
        return day in self._on[e_idx]

    def following(self, e_idx: int, day: int) -> tuple[int, int] | None:
        """(first, last) days of the next weekend planned for the employee that starts after
        `day`."""
        return self._next[e_idx][day]

    def days_ahead(self, e_idx: int, day: int) -> int:
        """Planned weekend days after `day`."""
        return self._ahead[e_idx][day]
