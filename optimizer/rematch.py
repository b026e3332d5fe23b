"""Day re-matching: everyone's shift on one day chosen again at once, every other day kept.

With the rest of the roster fixed, what a day's shifts cost splits into one term per
(employee, shift) pair (their wishes, their shift count, whether their rules still hold around
that day) plus the day's cover, so the best filling of the day is a minimum-cost assignment of
employees to the day's slots (one column per person a demand line asks for, and one "day off"
column per employee). Sweeping the days moves shifts between people in a way that re-planning
one employee at a time cannot when every shift needs exactly one person: a swap keeps the
cover, a single re-plan breaks it.

The cost is exact only for rules that split this way; `applies` says whether the problem has
only such rules. Whatever the sweeps find is checked again by the full model before it is kept.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.clock import Deadline
from optimizer.rules.preferences import preference_weight
from optimizer.schema import Problem, ShiftDemand

_BLOCKED = 1e12
"""Cost of a pair the rules forbid."""
_MUST_FILL = 1e8
"""Reward for filling a slot of a hard minimum: every such slot is filled if it can be."""
_EXTRA_SLOTS = 2
"""Slots for people beyond what a demand line asks for (over-cover), when it has no maximum."""


def applies(problem: Problem) -> bool:
    """Whether a day's cost splits into (employee, shift) terms plus cover, so that re-matching
    scores the objective exactly: shift demand only, each (day, shift type) counted by demand
    lines that do not overlap; whole-day, whole-shift or per-minute wishes; no fairness spread,
    no labour cost, no reliability, no rule made soft, nothing pinned."""
    weights = problem.rules.weights
    if problem.rules.soft_rules or problem.interval_demand or problem.pinned:
        return False
    if weights.fair_hours or weights.fair_weekends or weights.fair_unpopular:
        return False
    if weights.labour_cost and any(e.hourly_cost for e in problem.employees):
        return False
    if any(p.start_minute is not None for p in problem.preferences):
        return False
    lines: dict[tuple[int, str], list] = defaultdict(list)
    for demand in problem.shift_demand:
        if demand.min_reliable:
            return False
        lines[demand.day, demand.shift_type].append(demand.skill)
    return all(_disjoint(skills) for skills in lines.values())


def _disjoint(skills: list[str | None]) -> bool:
    """Demand lines of one shift type on one day count different people."""
    return len(skills) == 1 or (None not in skills and len(set(skills)) == len(skills))


@dataclass
class _Line:
    """A demand line of one day (or a shift type no line counts there): its positions, one
    shift type, and what filling each of its slots changes in the objective."""

    positions: list[int]
    type_idx: int
    demand: ShiftDemand | None


@dataclass
class _Day:
    """What stays the same between re-matchings of one day: its lines, and who may work each
    (`position[row, line]`: the position they would work, -1 if none)."""

    lines: list[_Line]
    people: list[int]
    position: np.ndarray


class DayRematcher:
    """Re-matches days of the roster held by a greedy (`construct._Greedy`), whose state
    (shifts, hours, weekends) it reads and changes through the greedy's own take and untake."""

    def __init__(self, greedy) -> None:
        self.g = greedy
        self.m = greedy.m
        problem = self.m.problem
        self.applies = applies(problem)
        self.balance = problem.rules.weights.balanced_shifts
        self.weights = problem.rules.weights
        self.wants = self._wishes(problem)
        self.lines_by_day: dict[int, list[ShiftDemand]] = defaultdict(list)
        for demand in problem.shift_demand:
            self.lines_by_day[demand.day].append(demand)
        self.full_weeks = {w for w, days in enumerate(problem.weeks()) if len(days) == 7}
        self._days: dict[int, _Day] = {}
        self._wish_rows: dict[tuple[int, int], np.ndarray] = {}

    def _wishes(self, problem: Problem) -> dict[tuple[int, int], list]:
        """(employee, day) -> [(shift type or None, cost of working it, per minute)]."""
        index = {e.id: i for i, e in enumerate(self.m.employees)}
        wishes: dict[tuple[int, int], list] = defaultdict(list)
        for pref in problem.preferences:
            e_idx = index[pref.employee]
            weight = preference_weight(problem, self.m.employees[e_idx], pref)
            if weight:
                sign = -1 if pref.kind == "want" else 1
                wishes[e_idx, pref.day].append((pref.shift_type, sign * weight, pref.per_minute))
        return wishes

    def sweep(
        self, until: Deadline, rng: random.Random, step_done: Callable[[], None] = lambda: None
    ) -> bool:
        """Re-match every day once, in a random order; whether any day improved (`step_done`
        is called after each that did)."""
        days = list(range(self.m.num_days))
        rng.shuffle(days)
        improved = False
        for day in days:
            if until.passed():
                break
            if self.rematch(day):
                improved = True
                step_done()
        return improved

    def rematch(self, day: int) -> bool:
        """Fill `day` again by a minimum-cost assignment; whether the roster improved (it is
        left as it was otherwise)."""
        table = self._day(day)
        if not table.people:
            return False
        before = {e: p for (e, d), p in self.g.position_on.items() if d == day}
        row_of = {e: r for r, e in enumerate(table.people)}
        if any(e not in row_of or p not in table.position[row_of[e]] for e, p in before.items()):
            return False  # a shift this day's slots do not hold: leave the day as it is
        for e_idx in before:
            self.g._untake(e_idx, day)
        line_of_slot, values = self._slots(table.lines, table.position, before, row_of)
        work = self._work_costs(day, table)
        cost, off = self._cost_matrix(day, table, work, line_of_slot, values)
        rows, cols = linear_sum_assignment(cost)
        chosen = cost[rows, cols]
        now = self._cost_before(table, work, line_of_slot, values, before, row_of)
        if chosen.max() >= _BLOCKED or chosen.sum() >= now - 1e-6:
            for e_idx, p_idx in before.items():
                self.g._take(e_idx, day, p_idx)
            return False
        for row, col in zip(rows, cols, strict=True):
            if col < off:
                self.g._take(table.people[row], day, int(table.position[row, line_of_slot[col]]))
        return True

    def _day(self, day: int) -> _Day:
        if day not in self._days:
            lines, counted = [], set()
            for demand in self.lines_by_day.get(day, ()):
                positions = [
                    p
                    for p, skill in self.g.positions_of_type[demand.shift_type]
                    if demand.skill is None or skill == demand.skill
                ]
                counted.update(positions)
                lines.append(_Line(positions, self.g.type_index[demand.shift_type], demand))
            free = defaultdict(list)
            for p_idx in self.m.instance.workable_positions[day]:
                if p_idx not in counted:
                    free[self.m.positions[p_idx][0]].append(p_idx)
            for type_id, positions in free.items():
                lines.append(_Line(positions, self.g.type_index[type_id], None))
            who = defaultdict(dict)
            for l_idx, line in enumerate(lines):
                for p_idx in line.positions:
                    for e_idx in self.m.employees_on_position(day, p_idx):
                        who[e_idx].setdefault(l_idx, p_idx)
            people = sorted(who)
            position = np.full((len(people), len(lines)), -1, dtype=np.int64)
            for row, e_idx in enumerate(people):
                for l_idx, p_idx in who[e_idx].items():
                    position[row, l_idx] = p_idx
            self._days[day] = _Day(lines, people, position)
        return self._days[day]

    def _slots(self, lines: list[_Line], position, before, row_of) -> tuple[np.ndarray, np.ndarray]:
        """(line, value) of each slot: one per person a line asks for, best first, and room for
        people beyond it up to its maximum (a few more, or as many as it has now, without)."""
        now = np.zeros(len(lines), dtype=np.int64)
        for e_idx, p_idx in before.items():
            now[np.flatnonzero(position[row_of[e_idx]] == p_idx)[0]] += 1
        line_of_slot, values = [], []
        for l_idx, line in enumerate(lines):
            demand = line.demand
            if demand is None:
                count, line_values = int(now[l_idx]) + _EXTRA_SLOTS, None
            else:
                under = (
                    self.weights.under_cover if demand.weight_under is None else demand.weight_under
                )
                over = self.weights.over_cover if demand.weight_over is None else demand.weight_over
                need = max(demand.required, demand.minimum)
                most = demand.maximum
                count = max(need + _EXTRA_SLOTS if most is None else most, int(now[l_idx]))
                line_values = [
                    -_MUST_FILL
                    if k < demand.minimum
                    else -float(under)
                    if k < demand.required
                    else float(over)
                    for k in range(count)
                ]
            line_of_slot += [l_idx] * count
            values += line_values or [0.0] * count
        return np.array(line_of_slot, dtype=np.int64), np.array(values)

    def _cost_matrix(self, day: int, table: _Day, work: np.ndarray, line_of_slot, values):
        """Rows: people; columns: the slots, then one day-off column per person (the first of
        those is returned with the matrix)."""
        people = len(table.people)
        line_cost = work[:, [line.type_idx for line in table.lines]]
        line_cost[table.position < 0] = _BLOCKED
        off = len(line_of_slot)
        cost = np.full((people, off + people), _BLOCKED)
        cost[:, :off] = np.minimum(line_cost[:, line_of_slot] + values[None, :], _BLOCKED)
        for row, e_idx in enumerate(table.people):
            if self._off_fits(e_idx, day):
                cost[row, off + row] = 0.0
        return cost, off

    def _cost_before(self, table, work, line_of_slot, values, before, row_of) -> float:
        """The cost of the day as it was, in the assignment's terms (a roster that breaks a
        rule of the day costs more than any other)."""
        total = 0.0
        filled: dict[int, int] = defaultdict(int)
        for e_idx, p_idx in before.items():
            row = row_of[e_idx]
            l_idx = int(np.flatnonzero(table.position[row] == p_idx)[0])
            slots = np.flatnonzero(line_of_slot == l_idx)
            slot = slots[filled[l_idx]]
            filled[l_idx] += 1
            total += work[row, table.lines[l_idx].type_idx] + values[slot]
        return total

    def _work_costs(self, day: int, table: _Day) -> np.ndarray:
        """[person, shift type]: what working that type on `day` costs each person against a
        day off (wishes, shift count), _BLOCKED where their rules forbid it."""
        work = np.full((len(table.people), len(self.g.type_ids)), _BLOCKED)
        for row, e_idx in enumerate(table.people):
            if not self._runs_fit(e_idx, day):
                continue
            person = self.g.people[e_idx]
            work[row] = self.balance * (2 * len(person.shift_on) + 1) + self._wish_row(e_idx, day)
            work[row, self._blocked_types(e_idx, day)] = _BLOCKED
        return work

    def _wish_row(self, e_idx: int, day: int) -> np.ndarray | float:
        """What the employee's wishes add per shift type worked on `day`."""
        key = (e_idx, day)
        if key not in self._wish_rows:
            row = np.zeros(len(self.g.type_ids))
            for wish_day in range(day, day + self.m.instance.max_day_reach + 1):
                for shift_type, weight, per_minute in self.wants.get((e_idx, wish_day), ()):
                    for t_idx, type_id in enumerate(self.g.type_ids):
                        if per_minute:
                            minutes = self.m.instance.overlap_with_day(type_id, day, wish_day)
                            row[t_idx] += weight * minutes
                        elif wish_day == day and shift_type in (None, type_id):
                            row[t_idx] += weight
            self._wish_rows[key] = row if row.any() else 0.0
        return self._wish_rows[key]

    def _blocked_types(self, e_idx: int, day: int) -> np.ndarray:
        """Shift types the employee may not work on `day`: those the construction rules out
        (caps, maximum hours, rest), those that leave them short of their minimum hours, and
        all of them on a weekend too many."""
        g = self.g
        person = g.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        blocked = g.blocked_types(e_idx, day)
        if contract.min_minutes_total:
            blocked |= person.total_minutes + g.type_minutes < contract.min_minutes_total
        week = person.week_minutes[g.week_of[day]] + g.type_minutes
        if contract.min_minutes_per_week and g.week_of[day] in self.full_weeks:
            blocked |= week < contract.min_minutes_per_week
        if g._weekend_full(person, contract, day):
            blocked[:] = True
        return blocked

    def _runs_fit(self, e_idx: int, day: int) -> bool:
        """Whether working `day` keeps the employee's runs of working days and days off."""
        shift_on = self.g.people[e_idx].shift_on
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        return runs_keep_limits(
            contract, lambda d: d == day or d in shift_on, range(day, day + 1), self.m.num_days
        )

    def _off_fits(self, e_idx: int, day: int) -> bool:
        """Whether a day off on `day` keeps the employee's hard rules."""
        person = self.g.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        if contract.min_minutes_total and person.total_minutes < contract.min_minutes_total:
            return False
        week = self.g.week_of[day]
        if (
            contract.min_minutes_per_week
            and week in self.full_weeks
            and person.week_minutes[week] < contract.min_minutes_per_week
        ):
            return False
        shift_on = person.shift_on
        return runs_keep_limits(
            contract, lambda d: d != day and d in shift_on, range(day, day + 1), self.m.num_days
        )


def runs_keep_limits(contract, works, days: range, num_days: int) -> bool:
    """Whether the runs of working days and of days off that touch `days` (or the days just
    around them) keep the contract's maximum and minimum lengths, `works(day)` telling which
    days are worked. Runs touching either end of the horizon may be shorter than a minimum
    (they may continue outside it), as in the validator."""
    lo, hi = max(0, days.start - 1), min(num_days - 1, days.stop)
    while lo > 0 and works(lo - 1) == works(lo):
        lo -= 1
    while hi < num_days - 1 and works(hi + 1) == works(hi):
        hi += 1
    start = lo
    for day in range(lo, hi + 2):
        if day <= hi and works(day) == works(start):
            continue
        length, inner = day - start, start > 0 and day < num_days
        if works(start):
            most, least = contract.max_consecutive_days, contract.min_consecutive_days
            if most is not None and length > most:
                return False
            if inner and least and length < least:
                return False
        elif (
            inner
            and contract.min_consecutive_days_off
            and length < contract.min_consecutive_days_off
        ):
            return False
        start = day
    return True
