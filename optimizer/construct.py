"""A greedy first roster, built day by day, to hint CP-SAT's first search.

It fills each day's shift demand with the qualified employees who can still take it under
the rules a greedy can track (one shift a day, leave, skills, rest and successions, shift-type
caps, weekly and total hours, runs of working days and days off, weekends), preferring people
who asked for the day, avoiding those who asked not to work it, and spreading shifts evenly.
Minimum runs are planned as the days go: a run is only started where it can reach its minimum
length, someone in a run that is still too short keeps working (beyond cover if need be), and a
run of days off too short to end is not ended. Where weekends are capped, who works which
weekend is planned first (`optimizer.weekends`): the planned people are preferred on their
weekends, others kept off theirs, and the days before a planned weekend keep it within reach
(hours left, runs of days that can last through it). People short of their minimum hours are
preferred in proportion to how far behind they are. Everyone still short of their minimum hours
or with a too-short run is then planned again over the whole horizon (`optimizer.patterns`);
what the greedy still misses after that is left to CP-SAT. On large problems this gives a
feasible roster in a fraction of a second where a search from scratch needs minutes.

`ScheduleImprover` improves any roster by best responses: each employee planned again against
everyone else's shifts, the better schedule kept, on problems where the planner's score of a
schedule is exactly what it changes in the objective.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer import patterns
from optimizer.clock import Deadline
from optimizer.instance import Instance, Position
from optimizer.rematch import DayRematcher
from optimizer.rules.preferences import preference_weight
from optimizer.schema import MINUTES_PER_DAY, Assignment, Employee, Problem
from optimizer.swaps import BlockSwapper
from optimizer.weekends import PlannedWeekends, assign_weekends, weekend_quotas

_logger = logging.getLogger(__name__)

_CONTINUE_RUN = 40.0
"""Score bonus for working the day after a worked day: longer runs leave room for minimum hours
within minimum rest days, where short runs each cost a pair of days off."""
_MUST_WORK = 1e6
"""Score bonus of someone whose run of working days is too short to end today."""
_SCHEDULE_WEIGHTS = ("fair_hours", "fair_weekends", "fair_unpopular", "balanced_shifts")
_SCHEDULE_WEIGHTS += ("labour_cost",)
"""Weights of soft rules the planner does not score: fairness across employees, labour cost
and overtime."""
_PLANNED_WEEKEND = 500.0
"""Score bonus of working a weekend one is planned on (and cost of starting one one is not
planned on, or of a weekday shift that puts the planned one out of reach): see
`optimizer.weekends`."""
_BLOCKED = 1e12
"""Cost of a slot-employee pair the rules forbid: never chosen while any other filling exists."""


@dataclass
class _Person:
    """What the greedy tracks for one employee."""

    shift_on: dict[int, str] = field(default_factory=dict)
    per_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    week_minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    total_minutes: int = 0
    weekends: set[int] = field(default_factory=set)


class Eligibility:
    """Who may work which position on which day, without building the CP-SAT model.

    These are the cells the roster model creates variables for (skills, leave, shift types a
    contract caps at 0), so a greedy roster can be built and reported before the model exists.
    `RosterModel` answers the same questions, so the greedy runs on either.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.instance = Instance(problem)
        self.positions: list[Position] = self.instance.positions
        self.employees: list[Employee] = list(problem.employees)
        self.num_days = problem.num_days
        self._who: list[list[list[int]]] = [
            [[] for _ in self.positions] for _ in range(self.num_days)
        ]
        for e_idx, employee in enumerate(self.employees):
            for day, positions in enumerate(self.instance.open_positions_by_day(employee)):
                for p_idx in positions:
                    self._who[day][p_idx].append(e_idx)

    @property
    def num_cells(self) -> int:
        return sum(len(who) for day in self._who for who in day)

    def employees_on_position(self, day: int, p_idx: int) -> list[int]:
        return self._who[day][p_idx] if 0 <= day < self.num_days else []

    def on_position(self, day: int, p_idx: int) -> list[int]:
        return self.employees_on_position(day, p_idx)


def greedy_roster(m) -> set[tuple[int, int, int]]:
    """Keys (employee, day, position) chosen by the greedy, for a `RosterModel` or an
    `Eligibility`."""
    return _Greedy(m).run()


class ScheduleImprover:
    """Improves any roster (keys (employee, day, position)) by best responses, each employee
    planned again against everyone else's shifts, the better schedule kept (see
    `_Greedy.improve_schedules`), where `exact` holds; and by re-matching days, everyone's
    shift on one day chosen again at once (see `optimizer.rematch`), where that scores the
    objective exactly. `active` says whether either runs."""

    def __init__(self, m) -> None:
        self._greedy = _Greedy(m)
        self.exact = self._greedy.scores_exactly()
        self._days = DayRematcher(self._greedy)
        self._blocks = BlockSwapper(self._days)
        self.active = self.exact or self._days.applies

    def improve(
        self,
        chosen: set[tuple[int, int, int]],
        until: float,
        rng: random.Random,
        on_better: Callable[[set[tuple[int, int, int]]], None] | None = None,
        every: float = 0.0,
        stopped: Callable[[], bool] | None = None,
    ) -> set[tuple[int, int, int]]:
        """The improved roster: best responses, day re-matchings and block swaps (see
        `optimizer.swaps`), in turn while a round of them improves, time is left and
        `stopped` (polled between steps) says go on.

        `on_better` is called with the roster after a move that improved it, at most once
        every `every` seconds (a round on a year-long problem takes a minute)."""
        deadline = Deadline(until, stopped)
        self._greedy.load(chosen)
        reported = time.monotonic()

        def step_done() -> None:
            nonlocal reported
            if on_better is not None and time.monotonic() - reported >= every:
                on_better(set(self._greedy.chosen))
                reported = time.monotonic()

        moves = self._moves(deadline, rng, step_done)
        improved = True
        while improved and not deadline.passed():
            results = {name: move() for name, move in moves.items()}
            _logger.debug("improved by %s", results)
            improved = any(results.values())
        return set(self._greedy.chosen)

    def _moves(
        self, until: Deadline, rng: random.Random, step_done: Callable[[], None]
    ) -> dict[str, Callable[[], bool]]:
        """The moves that apply, by name; each says whether it improved the roster, and calls
        `step_done` after each step that did."""
        moves = {}
        if self.exact:
            moves["best responses"] = lambda: self._greedy.improve_schedules(until, rng, step_done)
        if self._days.applies:
            moves["days"] = lambda: self._days.sweep(until, rng, step_done)
            blocks = max(1, self._greedy.m.num_days)
            moves["blocks"] = lambda: self._blocks.sweep(until, rng, blocks, step_done)
        return moves


class SchedulePricer:
    """An employee's best schedule against a value on each (day, position) cell, by the
    planner, with the schedule's own cost: fast pricing for column generation.

    The planner is a heuristic (its schedule is good, not always the best), and exact in its
    score only where best responses are (`_Greedy.scores_exactly`) and no rest rule reaches
    past the next day; `usable` says whether that holds, and `plannable(e)` whether the
    planner keeps every rule of employee e's (no weekly hours, nothing pinned).
    """

    def __init__(self, m) -> None:
        self._greedy = _Greedy(m)
        self.m = m
        self.usable = self._greedy.scores_exactly() and self._greedy.rest_within_next_day()
        self._unmet_wants = np.zeros(len(m.employees))
        index = {e.id: i for i, e in enumerate(m.employees)}
        for pref in m.problem.preferences:
            if pref.kind == "want":
                e_idx = index[pref.employee]
                self._unmet_wants[e_idx] += preference_weight(m.problem, m.employees[e_idx], pref)

    def plannable(self, e_idx: int) -> bool:
        emp = self.m.employees[e_idx]
        return self._greedy._plannable(emp, self.m.instance.contract_of(emp))

    def best_schedule(
        self, e_idx: int, cell_value: np.ndarray
    ) -> tuple[tuple[tuple[int, int], ...], int] | None:
        """((day, position) pairs, own cost) of the planner's schedule for the employee, where
        `cell_value[day, position]` is what working there is worth; None if it finds none."""
        open_cells, position, wishes = self._greedy._cells_of(e_idx)
        days = np.arange(self.m.num_days)[:, None]
        worth = cell_value[days, np.maximum(position, 0)] - wishes
        value = np.where(open_cells, worth, patterns.NEG)
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        shifts = self._greedy.plan_shifts(e_idx, contract, value)
        if shifts is None:
            return None
        schedule = tuple(sorted((day, int(position[day, t])) for day, t in shifts.items()))
        return schedule, self.cost(e_idx, schedule)

    def cost(self, e_idx: int, schedule) -> int:
        """The employee's own cost (their wishes) of working the (day, position) pairs."""
        _, _, wishes = self._greedy._cells_of(e_idx)
        worked = sum(
            wishes[day, self._greedy.type_index[self.m.positions[p_idx][0]]]
            for day, p_idx in schedule
        )
        return round(self._unmet_wants[e_idx] + worked)


def as_assignments(m, chosen: set[tuple[int, int, int]]) -> list[Assignment]:
    """Greedy keys as roster assignments."""
    return [
        Assignment.model_construct(
            employee=m.employees[e].id, day=d, shift_type=m.positions[p][0], skill=m.positions[p][1]
        )
        for e, d, p in sorted(chosen)
    ]


class _Greedy:
    def __init__(self, m) -> None:
        self.m = m
        inst = m.instance
        self.types = inst.types
        self.week_of = {d: w for w, days in enumerate(m.problem.weeks()) for d in days}
        self.weekend_of = {d: k for k, days in enumerate(m.problem.weekends()) for d in days}
        self.people = [_Person() for _ in m.employees]
        self.conflicts = [self._conflicts_for(emp) for emp in m.employees]
        self._before: dict[int, dict[tuple[str, int], set[str]]] = {}
        self.wish = self._wishes()
        self.chosen: set[tuple[int, int, int]] = set()
        self.position_on: dict[tuple[int, int], int] = {}
        self.demand_by_day = defaultdict(list)
        for demand in m.problem.shift_demand:
            self.demand_by_day[demand.day].append(demand)
        self.positions_of_type = defaultdict(list)
        for p_idx, (type_id, skill) in enumerate(m.positions):
            self.positions_of_type[type_id].append((p_idx, skill))
        durations = sorted(t.duration_minutes for t in m.problem.shift_types)
        self.typical_minutes = max(1, durations[len(durations) // 2])
        self.demand_on: dict[tuple[int, str], int] = defaultdict(int)
        for demand in m.problem.shift_demand:
            self.demand_on[demand.day, demand.shift_type] += demand.required
        self.cover_weights = self._cover_weights()
        self.type_index = {t.id: i for i, t in enumerate(m.problem.shift_types)}
        self.type_wishes: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
        for (e_idx, day, type_id), weight in self.wish.items():
            if type_id is not None:
                self.type_wishes[e_idx, day].append((self.type_index[type_id], weight))
        self.type_ids = [t.id for t in m.problem.shift_types]
        self.type_minutes = np.array([t.duration_minutes for t in m.problem.shift_types])
        self.past_midnight = [
            np.array([t.span(day)[1] > (day + 1) * MINUTES_PER_DAY for t in m.problem.shift_types])
            for day in range(m.num_days)
        ]
        self.cover = _CoverTable(self)
        self._schedule_cells: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.pinned = {a.employee for a in m.problem.pinned}
        self.plan_memory: dict[int, dict[str, float]] = {}
        self.weekends_planned = self._weekend_plan()

    def _weekend_plan(self) -> PlannedWeekends:
        """The weekends planned for each employee whose worked weekends are capped below the
        horizon's weekends (see `optimizer.weekends`)."""
        weekends = self.m.problem.weekends()
        demand = [[self._day_need(d) for d in days] for days in weekends]
        left, available, cost = [], [], []
        wish = self.wish
        for e_idx, emp in enumerate(self.m.employees):
            cap = self.m.instance.contract_of(emp).max_weekends
            leave = self.m.instance.unavailable[emp.id]
            left.append(cap if cap is not None and cap < len(weekends) else 0)
            available.append([not any(d in leave for d in days) for days in weekends])
            cost.append([sum(wish.get((e_idx, d, None), 0.0) for d in days) for days in weekends])
        planned: list[list[tuple[int, int]] | None] = [[] if cap else None for cap in left]
        if any(left):
            plan = assign_weekends(weekend_quotas(demand, sum(left)), left, available, cost)
            for days, people in zip(weekends, plan, strict=True):
                for e_idx in people:
                    planned[e_idx].append((days[0], days[-1]))
        return PlannedWeekends(planned, self.m.num_days)

    def _day_need(self, day: int) -> int:
        """People the day's shift demand wants."""
        return sum(need for _, need in self._day_lines(day))

    def _weekend_steer(self, e_idx: int, day: int) -> float:
        """The weekend plan's part of `_score`: work planned weekends, not others, and keep
        the planned ones within reach on the days before them."""
        if not self.weekends_planned.planned_for(e_idx):
            return 0.0
        weekend = self.weekend_of.get(day)
        if weekend is None:
            return self._planned_weekend_reach(e_idx, day)
        if self.weekends_planned.works(e_idx, day):
            return -_PLANNED_WEEKEND
        return 0.0 if weekend in self.people[e_idx].weekends else _PLANNED_WEEKEND

    def _planned_weekend_reach(self, e_idx: int, day: int) -> float:
        """On a weekday: a cost where working it leaves too few hours for the weekends planned
        later or a run of working days too long to last through the next one; a bonus where
        stopping now leaves too few days off before it."""
        plan = self.weekends_planned
        person = self.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        room = (contract.max_minutes_total or 10**9) - person.total_minutes
        if room < (plan.days_ahead(e_idx, day) + 1) * self.typical_minutes:
            return _PLANNED_WEEKEND
        following = plan.following(e_idx, day)
        min_off = contract.min_consecutive_days_off or 0
        if following is None or day + min_off < following[0]:
            return 0.0
        first, last = following
        run = self._run_before(e_idx, day, working=True)[0] + 1
        longest = contract.max_consecutive_days
        if longest is not None and run + last - day > longest:
            return _PLANNED_WEEKEND
        if (day - 1) in person.shift_on and first - day < min_off:
            return -_PLANNED_WEEKEND
        return 0.0

    def _cover_weights(self) -> dict[tuple[int, str], tuple[int, int]]:
        """(day, shift type) -> cost of a person missing, of a person too many."""
        defaults = self.m.problem.rules.weights
        weights: dict[tuple[int, str], tuple[int, int]] = {}
        for d in self.m.problem.shift_demand:
            under = defaults.under_cover if d.weight_under is None else d.weight_under
            over = defaults.over_cover if d.weight_over is None else d.weight_over
            old_under, old_over = weights.get((d.day, d.shift_type), (0, over))
            weights[d.day, d.shift_type] = (max(old_under, under), min(old_over, over))
        return weights

    def _conflicts_for(self, emp) -> dict[tuple[str, int], set[str]]:
        """(type, day offset) -> types that may not be worked that many days later."""
        conflicts: dict[tuple[str, int], set[str]] = defaultdict(set)
        min_rest = self.m.instance.contract_of(emp).min_rest_minutes or 0
        for first, second, offset in self.m.instance.rest_conflicts(min_rest):
            conflicts[first, offset].add(second)
        for t in self.m.problem.shift_types:
            conflicts[t.id, 1].update(t.cannot_be_followed_by)
        return conflicts

    def _wishes(self) -> dict[tuple[int, int, str | None], float]:
        """Score bonus (negative = wanted) for (employee, day, shift type or None)."""
        index = {e.id: i for i, e in enumerate(self.m.employees)}
        wishes: dict[tuple[int, int, str | None], float] = defaultdict(float)
        for pref in self.m.problem.preferences:
            weight = preference_weight(self.m.problem, self.m.employees[index[pref.employee]], pref)
            if pref.per_minute:
                weight *= 480
            sign = -1.0 if pref.kind == "want" else 1.0
            wishes[index[pref.employee], pref.day, pref.shift_type] += sign * weight
        return wishes

    def run(self) -> set[tuple[int, int, int]]:
        for day in range(self.m.num_days):
            slots = [positions for positions, need in self._day_lines(day) for _ in range(need)]
            for e_idx, p_idx in self._match_day(day, slots).items():
                self._take(e_idx, day, p_idx)
            self._cover_intervals(day)
            self._continue_short_runs(day)
        self._lengthen_short_runs()
        self._top_up_minimum_hours()
        self._replan_broken_schedules()
        return self.chosen

    def _lengthen_short_runs(self) -> None:
        """Add a day before or after each run of working days still shorter than its minimum."""
        for e_idx, emp in enumerate(self.m.employees):
            need = self.m.instance.contract_of(emp).min_consecutive_days or 0
            for first, length in self._work_runs(e_idx):
                for _ in range(max(0, need - length)):
                    added = self._add_best_shift(e_idx, [first + length, first - 1])
                    if added is None:
                        break
                    first = min(first, added)
                    length += 1

    def _top_up_minimum_hours(self) -> None:
        """Add shifts, next to runs already worked, for everyone short of their minimum hours:
        where cover is missing first."""
        for e_idx, emp in enumerate(self.m.employees):
            minimum = self.m.instance.contract_of(emp).min_minutes_total or 0
            while self.people[e_idx].total_minutes < minimum:
                worked = self.people[e_idx].shift_on
                around = sorted({d for w in worked for d in (w - 1, w + 1)} - worked.keys())
                if self._add_best_shift(e_idx, around) is None and not self._add_run(e_idx):
                    break

    def _add_run(self, e_idx: int) -> bool:
        """Give the employee a new run of working days of their minimum length, in a stretch
        of days off long enough to keep the minimum rest days around it; whether one fit."""
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        length = max(1, contract.min_consecutive_days or 1)
        worked = self.people[e_idx].shift_on
        for first in range(self.m.num_days - length + 1):
            days = range(first, first + length)
            if any(d in worked or d - 1 in worked or d + 1 in worked for d in days):
                continue
            taken = []
            for day in days:
                if self._add_best_shift(e_idx, [day]) is None:
                    break
                taken.append(day)
            if len(taken) == length:
                return True
            for day in taken:
                self._untake(e_idx, day)
        return False

    def _work_runs(self, e_idx: int) -> list[tuple[int, int]]:
        """(first day, length) of the employee's runs of working days that touch neither end
        of the horizon."""
        worked = sorted(self.people[e_idx].shift_on)
        runs, start = [], None
        for i, day in enumerate(worked):
            if start is None:
                start = day
            if i + 1 == len(worked) or worked[i + 1] != day + 1:
                if start > 0 and day < self.m.num_days - 1:
                    runs.append((start, day - start + 1))
                start = None
        return runs

    def _add_best_shift(self, e_idx: int, days: list[int]) -> int | None:
        """Give the employee one more shift on one of `days`, where it keeps every rule the
        greedy tracks, on the position with the most cover missing; the day, or None."""
        best = None
        for day in days:
            if not 0 <= day < self.m.num_days or day in self.people[e_idx].shift_on:
                continue
            for p_idx in self.m.instance.workable_positions[day]:
                type_id = self.m.positions[p_idx][0]
                if e_idx not in self.m.employees_on_position(day, p_idx):
                    continue
                t_idx = self.type_index[type_id]
                missing = int(self.cover.demand[day, t_idx] - self.cover.staffed[day, t_idx])
                if best is not None and missing <= best[0]:
                    continue
                if self._fits_anywhere(e_idx, day, type_id):
                    best = (missing, day, p_idx)
        if best is None:
            return None
        self._take(e_idx, best[1], best[2])
        return best[1]

    def _fits_anywhere(self, e_idx: int, day: int, type_id: str) -> bool:
        """A shift added on any day, with shifts already on later days: the caps, rest both
        ways, and the runs of working days and days off around it."""
        person = self.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        if not self._within_caps(person, contract, day, type_id):
            return False
        if self._rest_conflict(e_idx, day, type_id):
            return False
        return self._runs_keep(person, contract, day)

    def _runs_keep(self, person: _Person, contract, day: int) -> bool:
        worked = person.shift_on.keys() | {day}
        n = self.m.num_days
        first = last = day
        while first - 1 in worked:
            first -= 1
        while last + 1 in worked:
            last += 1
        length = last - first + 1
        if contract.max_consecutive_days is not None and length > contract.max_consecutive_days:
            return False
        gap_before = first - 1 - max((d for d in worked if d < first), default=-1)
        gap_after = min((d for d in worked if d > last), default=n) - last - 1
        min_off = contract.min_consecutive_days_off or 0
        if 0 < gap_before < min_off and first - gap_before > 0:
            return False
        return not (0 < gap_after < min_off and last + gap_after < n - 1)

    def _continue_short_runs(self, day: int) -> None:
        """Everyone whose run of working days is still too short works today, beyond cover if
        no demand took them: on the shift type with the most demand they may work."""
        for e_idx in range(len(self.m.employees)):
            if day in self.people[e_idx].shift_on or not self._must_continue(e_idx, day):
                continue
            options = [
                (-self.demand_on.get((day, self.m.positions[p][0]), 0), p)
                for p in self.m.instance.workable_positions[day]
                if e_idx in self.m.employees_on_position(day, p)
                and self._allowed(e_idx, day, self.m.positions[p][0])
            ]
            if options:
                self._take(e_idx, day, min(options)[1])

    def _run_before(self, e_idx: int, day: int, working: bool) -> tuple[int, int]:
        """(length, first day) of the run of working days (or days off) that ends the day
        before `day`."""
        worked = self.people[e_idx].shift_on
        first = day
        while first > 0 and ((first - 1) in worked) == working:
            first -= 1
        return day - first, first

    def _must_continue(self, e_idx: int, day: int) -> bool:
        """The employee's run of working days ends yesterday, started after the first day, and
        is shorter than their contract's minimum."""
        need = self.m.instance.contract_of(self.m.employees[e_idx]).min_consecutive_days or 0
        length, first = self._run_before(e_idx, day, working=True)
        return 0 < length < need and first > 0

    def _cover_intervals(self, day: int) -> None:
        """Add shifts for the day's interval demand: again and again, the position whose hours
        cover the most still-uncovered person-intervals, worked by its best allowed employee."""
        lines = [d for d in self.m.problem.interval_demand if d.day == day]
        if not lines:
            return
        remaining = [d.required for d in lines]
        covers = {}
        for p_idx in self.m.instance.workable_positions[day]:
            type_id, skill = self.m.positions[p_idx]
            covers[p_idx] = [
                i
                for i, d in enumerate(lines)
                if (d.skill is None or d.skill == skill)
                and self.m.instance.covers_interval(type_id, day, *d.span())
            ]
        for _, d0, p_idx in self.chosen:
            if d0 == day:
                for i in covers.get(p_idx, ()):
                    remaining[i] -= 1
        while True:
            best = None
            for p_idx, indices in covers.items():
                gain = sum(1 for i in indices if remaining[i] > 0)
                if not gain or (best is not None and gain < best[0]):
                    continue
                pick = self._best_for_position(day, p_idx)
                if pick is None:
                    continue
                score, e_idx = pick
                if best is None or (gain, -score) > (best[0], -best[1]):
                    best = (gain, score, e_idx, p_idx)
            if best is None:
                return
            _, _, e_idx, p_idx = best
            self._take(e_idx, day, p_idx)
            for i in covers[p_idx]:
                remaining[i] -= 1

    def _best_for_position(self, day: int, p_idx: int) -> tuple[float, int] | None:
        """(score, employee) of the best employee free and allowed to work a position."""
        type_id = self.m.positions[p_idx][0]
        best = None
        for e_idx in self.m.employees_on_position(day, p_idx):
            if day in self.people[e_idx].shift_on or not self._allowed(e_idx, day, type_id):
                continue
            score = self._score(e_idx, day, type_id)
            if best is None or score < best[0]:
                best = (score, e_idx)
        return best

    def _match_day(self, day: int, slots: list[list[int]]) -> dict[int, int]:
        """Employee -> position for one day, by a minimum-cost assignment of employees to slots
        (each slot is one person a demand line needs): as many slots as the rules allow are
        filled, and among those fillings the one with the best scores is taken."""
        self._day_rows: dict[int, np.ndarray | None] = {}
        options = [self._candidates(day, positions) for positions in slots]
        people = sorted({e for candidates in options for e, _, _ in candidates})
        if not people:
            return {}
        column = {e: c for c, e in enumerate(people)}
        cost = np.full((len(slots), len(people)), _BLOCKED)
        position = {}
        for row, candidates in enumerate(options):
            for e_idx, p_idx, score in candidates:
                cost[row, column[e_idx]] = score
                position[row, e_idx] = p_idx
        rows, cols = linear_sum_assignment(cost)
        return {
            people[c]: position[r, people[c]]
            for r, c in zip(rows, cols, strict=True)
            if cost[r, c] < _BLOCKED
        }

    def _candidates(self, day: int, positions: list[int]) -> list[tuple[int, int, float]]:
        """(employee, position, score) for everyone who may take a slot of these positions."""
        found = []
        for p_idx in positions:
            t_idx = self.type_index[self.m.positions[p_idx][0]]
            for e_idx in self.m.employees_on_position(day, p_idx):
                if e_idx not in self._day_rows:
                    self._day_rows[e_idx] = self._scores(e_idx, day)
                row = self._day_rows[e_idx]
                if row is not None and row[t_idx] < _BLOCKED:
                    found.append((e_idx, p_idx, float(row[t_idx])))
        return found

    def _scores(self, e_idx: int, day: int) -> np.ndarray | None:
        """`_score` of each shift type on `day` for the employee, _BLOCKED where `_allowed`
        says no; None if no type is allowed. The same answers as those two, for all types at
        once."""
        person = self.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        if self._run_too_long(person, contract, day):
            return None
        if not self._runs_allow(e_idx, day, contract) or self._weekend_full(person, contract, day):
            return None
        blocked = self.blocked_types(e_idx, day)
        if blocked.all():
            return None
        row = self._wish_row(e_idx, day) + self._urgency(e_idx, day)
        row += 10.0 * len(person.shift_on)
        row += self.m.employees[e_idx].hourly_cost
        row[blocked] = _BLOCKED
        return row

    def blocked_types(self, e_idx: int, day: int) -> np.ndarray:
        """[shift type]: ruled out on `day` for the employee by a shift-type cap, their weekly
        or total maximum hours, or rest and successions against their nearby shifts."""
        person = self.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        blocked = np.zeros(len(self.type_ids), dtype=bool)
        for type_id, cap in contract.max_shifts_per_type.items():
            if person.per_type[type_id] >= cap:
                blocked[self.type_index[type_id]] = True
        if contract.max_minutes_total is not None:
            blocked |= person.total_minutes + self.type_minutes > contract.max_minutes_total
        if contract.max_minutes_per_week is not None:
            week = person.week_minutes[self.week_of[day]]
            blocked |= week + self.type_minutes > contract.max_minutes_per_week
        for type_id in self._rest_conflicts_on(e_idx, day):
            blocked[self.type_index[type_id]] = True
        return blocked

    def _rest_conflicts_on(self, e_idx: int, day: int) -> set[str]:
        """The types `_rest_conflict` rules out on `day` for the employee."""
        person = self.people[e_idx]
        conflicts = self.conflicts[e_idx]
        found: set[str] = set()
        for offset in range(1, self.m.instance.max_day_reach + 3):
            prior = person.shift_on.get(day - offset)
            if prior is not None:
                found |= conflicts.get((prior, offset), set())
            after = person.shift_on.get(day + offset)
            if after is not None:
                found |= self._conflicts_before(e_idx).get((after, offset), set())
        return found

    def _conflicts_before(self, e_idx: int) -> dict[tuple[str, int], set[str]]:
        """(type, day offset) -> types that may not be worked that many days before it."""
        if e_idx not in self._before:
            before: dict[tuple[str, int], set[str]] = defaultdict(set)
            for (first, offset), seconds in self.conflicts[e_idx].items():
                for second in seconds:
                    before[second, offset].add(first)
            self._before[e_idx] = dict(before)
        return self._before[e_idx]

    def _wish_row(self, e_idx: int, day: int) -> np.ndarray:
        """The wish part of `_score`, per shift type."""
        wish = self.wish
        row = np.full(len(self.type_ids), wish.get((e_idx, day, None), 0.0))
        for t_idx, weight in self.type_wishes.get((e_idx, day), ()):
            row[t_idx] += weight
        next_day = wish.get((e_idx, day + 1, None), 0.0)
        if next_day:
            row += np.where(self.past_midnight[day], next_day, 0.0)
        return row

    def _urgency(self, e_idx: int, day: int) -> float:
        """The part of `_score` that pushes people to work: a run to continue, hours behind."""
        person = self.people[e_idx]
        urgency = -_MUST_WORK if self._must_continue(e_idx, day) else 0.0
        urgency -= 100.0 * self._behind(e_idx, day)
        if (day - 1) in person.shift_on:
            urgency -= _CONTINUE_RUN
        return urgency + self._weekend_steer(e_idx, day)

    def _day_lines(self, day: int) -> list[tuple[list[int], int]]:
        """(position indices, people needed) per demand line of the day, hardest first."""
        lines = []
        for demand in self.demand_by_day.get(day, ()):
            need = max(demand.required, demand.minimum)
            if demand.maximum is not None:
                need = min(need, demand.maximum)
            if need <= 0:
                continue
            positions = [
                p
                for p, skill in self.positions_of_type[demand.shift_type]
                if demand.skill is None or skill == demand.skill
            ]
            supply = sum(len(self.m.on_position(day, p)) for p in positions)
            lines.append((demand.minimum == 0, supply, positions, need))
        lines.sort(key=lambda line: (line[0], line[1]))
        return [(positions, need) for _, _, positions, need in lines]

    def _allowed(self, e_idx: int, day: int, type_id: str) -> bool:
        """Whether the employee may take a shift on `day`, the days after it still empty."""
        person = self.people[e_idx]
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        if not self._within_caps(person, contract, day, type_id):
            return False
        if self._run_too_long(person, contract, day):
            return False
        if not self._runs_allow(e_idx, day, contract):
            return False
        return not self._rest_conflict(e_idx, day, type_id)

    def _run_too_long(self, person: _Person, contract, day: int) -> bool:
        """Working `day` would make the run of working days up to it longer than the maximum."""
        if contract.max_consecutive_days is None:
            return False
        run = 0
        while day - run - 1 in person.shift_on:
            run += 1
        return run + 1 > contract.max_consecutive_days

    def _within_caps(self, person: _Person, contract, day: int, type_id: str) -> bool:
        """Shift-type caps, total and weekly hours, and weekends."""
        minutes = self.types[type_id].duration_minutes
        cap = contract.max_shifts_per_type.get(type_id)
        if cap is not None and person.per_type[type_id] >= cap:
            return False
        if contract.max_minutes_total is not None and (
            person.total_minutes + minutes > contract.max_minutes_total
        ):
            return False
        week = self.week_of[day]
        if contract.max_minutes_per_week is not None and (
            person.week_minutes[week] + minutes > contract.max_minutes_per_week
        ):
            return False
        return not self._weekend_full(person, contract, day)

    def _runs_allow(self, e_idx: int, day: int, contract) -> bool:
        """Working `day` neither ends a too-short run of days off nor starts a run of working
        days that leave or the contract's caps cut short of its minimum."""
        if day in self.people[e_idx].shift_on or (day - 1) in self.people[e_idx].shift_on:
            return True
        off, first = self._run_before(e_idx, day, working=False)
        if first > 0 and off < (contract.min_consecutive_days_off or 0):
            return False
        need = contract.min_consecutive_days or 0
        if need <= 1 or day + need > self.m.num_days:
            return True
        room = (contract.max_minutes_total or 10**9) - self.people[e_idx].total_minutes
        if room < need * self.typical_minutes:
            return False
        leave = self.m.instance.unavailable[self.m.employees[e_idx].id]
        return not any(
            d in leave or self._weekend_full(self.people[e_idx], contract, d)
            for d in range(day + 1, day + need)
        )

    def _weekend_full(self, person: _Person, contract, day: int) -> bool:
        """`day` falls on a weekend the employee may no longer start working."""
        weekend = self.weekend_of.get(day)
        return (
            contract.max_weekends is not None
            and weekend is not None
            and weekend not in person.weekends
            and len(person.weekends) >= contract.max_weekends
        )

    def _rest_conflict(self, e_idx: int, day: int, type_id: str) -> bool:
        """A shift of `type_id` on `day` too close to one the employee works before or after."""
        person = self.people[e_idx]
        conflicts = self.conflicts[e_idx]
        reach = self.m.instance.max_day_reach + 2
        for offset in range(1, reach + 1):
            prior = person.shift_on.get(day - offset)
            if prior is not None and type_id in conflicts.get((prior, offset), ()):
                return True
            after = person.shift_on.get(day + offset)
            if after is not None and after in conflicts.get((type_id, offset), ()):
                return True
        return False

    def _score(self, e_idx: int, day: int, type_id: str) -> float:
        wish = self.wish.get((e_idx, day, None), 0.0) + self.wish.get((e_idx, day, type_id), 0.0)
        _, end = self.types[type_id].span(day)
        if end > (day + 1) * MINUTES_PER_DAY:
            wish += self.wish.get((e_idx, day + 1, None), 0.0)
        person = self.people[e_idx]
        emp = self.m.employees[e_idx]
        return wish + self._urgency(e_idx, day) + 10.0 * len(person.shift_on) + emp.hourly_cost

    def _behind(self, e_idx: int, day: int) -> float:
        """How far the employee is behind their minimum hours: the share of the remaining days
        they would need to work to reach it (0 when on track)."""
        contract = self.m.instance.contract_of(self.m.employees[e_idx])
        if not contract.min_minutes_total:
            return 0.0
        short = contract.min_minutes_total - self.people[e_idx].total_minutes
        days_left = self.m.num_days - day
        return max(0.0, short / (self.typical_minutes * days_left))

    def _take(self, e_idx: int, day: int, p_idx: int) -> None:
        type_id = self.m.positions[p_idx][0]
        person = self.people[e_idx]
        minutes = self.types[type_id].duration_minutes
        person.shift_on[day] = type_id
        person.per_type[type_id] += 1
        person.week_minutes[self.week_of[day]] += minutes
        person.total_minutes += minutes
        if day in self.weekend_of:
            person.weekends.add(self.weekend_of[day])
        self.chosen.add((e_idx, day, p_idx))
        self.position_on[e_idx, day] = p_idx
        self.cover.staffed[day, self.type_index[type_id]] += 1

    def _untake(self, e_idx: int, day: int) -> None:
        """Undo `_take` of the employee's shift on `day`."""
        person = self.people[e_idx]
        type_id = person.shift_on.pop(day)
        minutes = self.types[type_id].duration_minutes
        person.per_type[type_id] -= 1
        person.week_minutes[self.week_of[day]] -= minutes
        person.total_minutes -= minutes
        weekend = self.weekend_of.get(day)
        if weekend is not None and not any(
            self.weekend_of.get(d) == weekend for d in person.shift_on
        ):
            person.weekends.discard(weekend)
        self.chosen.discard((e_idx, day, self.position_on.pop((e_idx, day))))
        self.cover.staffed[day, self.type_index[type_id]] -= 1

    def load(self, chosen: set[tuple[int, int, int]]) -> None:
        """Forget every shift taken and take `chosen` instead."""
        self.people = [_Person() for _ in self.m.employees]
        self.chosen, self.position_on = set(), {}
        self.cover.staffed[:] = 0
        for e_idx, day, p_idx in sorted(chosen):
            self._take(e_idx, day, p_idx)

    def scores_exactly(self) -> bool:
        """Whether `_schedule_values` is exactly what a schedule changes in the objective:
        cover per shift type and day (demand lines for any skill) and whole-day or
        whole-shift wishes, nothing else that depends on who works (no fairness, labour cost,
        interval demand, reliability or softened rules), and no shift running past midnight."""
        problem = self.m.problem
        weights = problem.rules.weights
        if not self._plannable_problem() or problem.rules.soft_rules:
            return False
        if any(getattr(weights, w) for w in _SCHEDULE_WEIGHTS):
            return False
        if any(d.min_reliable or d.skill is not None for d in problem.shift_demand):
            return False
        if any(p.per_minute or p.start_minute is not None for p in problem.preferences):
            return False
        return all(
            (t.start_minute or 0) + t.duration_minutes <= MINUTES_PER_DAY
            for t in problem.shift_types
        )

    def improve_schedules(
        self, until: Deadline, rng: random.Random, step_done: Callable[[], None] = lambda: None
    ) -> bool:
        """Best responses: plan each employee again against everyone else's shifts, in a
        random order, keeping the new schedule where it is worth more; sweep again while a
        sweep improves anything and time is left. Whether any schedule changed; `step_done`
        is called after each schedule that did."""
        improved, changed = True, False
        while improved and not until.passed():
            improved = False
            order = list(range(len(self.m.employees)))
            rng.shuffle(order)
            for e_idx in order:
                if until.passed():
                    return changed
                if self._replan_if_better(e_idx):
                    improved = True
                    step_done()
            changed |= improved
        return changed

    def _replan_if_better(self, e_idx: int) -> bool:
        emp = self.m.employees[e_idx]
        contract = self.m.instance.contract_of(emp)
        if not self._plannable(emp, contract) or self._breaks_terms(e_idx, contract):
            return False
        return self._replan_or_restore(e_idx, contract, must_beat=True)

    def _replan_or_restore(self, e_idx: int, contract, must_beat: bool) -> bool:
        """Plan the employee again from no shifts; keep the new schedule where it keeps their
        minimum hours and runs and, with `must_beat`, is worth more to the roster than the old
        one; put the old one back otherwise. Whether the new one was kept."""
        before = {day: self.position_on[e_idx, day] for day in self.people[e_idx].shift_on}
        self._clear(e_idx)
        value, position = self._schedule_values(e_idx)
        kept = self._replan(e_idx, contract, value, position)
        kept = kept and not self._breaks_terms(e_idx, contract)
        if kept and must_beat:
            mine = [(d, self.position_on[e_idx, d]) for d in self.people[e_idx].shift_on]
            kept = self._worth(value, mine) > self._worth(value, before.items()) + 1e-9
        if not kept:
            self._clear(e_idx)
            for day, p_idx in before.items():
                self._take(e_idx, day, p_idx)
        return kept

    def _worth(self, value: np.ndarray, shifts) -> float:
        return float(sum(value[day, self.type_index[self.m.positions[p][0]]] for day, p in shifts))

    def rest_within_next_day(self) -> bool:
        """No rest rule keeps two shifts apart by more than a day (the planner checks the next
        day only)."""
        return all(offset <= 1 for conflicts in self.conflicts for _, offset in conflicts)

    def _plannable_problem(self) -> bool:
        """Re-planning one employee cannot break a hard cover bound."""
        problem = self.m.problem
        return not problem.interval_demand and not any(
            d.minimum or d.maximum is not None for d in problem.shift_demand
        )

    def _plannable(self, emp: Employee, contract) -> bool:
        """The planner keeps every rule of the employee's contract (it has no weekly hours)
        and nothing of theirs is pinned."""
        if contract.max_minutes_per_week or contract.min_minutes_per_week:
            return False
        return emp.id not in self.pinned

    def _replan_broken_schedules(self) -> None:
        """Plan again, over the whole horizon, everyone the day-by-day passes left short of
        their minimum hours or with a run of days shorter than its minimum (see
        `optimizer.patterns`); a plan is kept only where it keeps those rules."""
        if not self._plannable_problem():
            return
        for e_idx, emp in enumerate(self.m.employees):
            contract = self.m.instance.contract_of(emp)
            if self._plannable(emp, contract) and self._breaks_terms(e_idx, contract):
                self._replan_or_restore(e_idx, contract, must_beat=False)

    def _breaks_terms(self, e_idx: int, contract) -> bool:
        """Short of minimum hours, or a run of working days or days off (not touching the
        horizon's ends) shorter than its minimum."""
        if self.people[e_idx].total_minutes < (contract.min_minutes_total or 0):
            return True
        worked = self.people[e_idx].shift_on
        for working, minimum in (
            (True, contract.min_consecutive_days or 0),
            (False, contract.min_consecutive_days_off or 0),
        ):
            run = 0
            for day in range(self.m.num_days):
                if (day in worked) == working:
                    run += 1
                    continue
                if 0 < run < minimum and day - run > 0:
                    return True
                run = 0
        return False

    def _clear(self, e_idx: int) -> None:
        for day in list(self.people[e_idx].shift_on):
            self._untake(e_idx, day)

    def _replan(self, e_idx: int, contract, value: np.ndarray, position: np.ndarray) -> bool:
        """Give the employee (with no shifts) the schedule `patterns.plan` finds for the
        cells' `value` (see `_schedule_values`); whether it found one."""
        shifts = self.plan_shifts(e_idx, contract, value)
        if shifts is None:
            return False
        for day, t_idx in shifts.items():
            self._take(e_idx, day, int(position[day, t_idx]))
        return True

    def plan_shifts(self, e_idx: int, contract, value: np.ndarray) -> dict[int, int] | None:
        """Day -> shift type index of the schedule `patterns.plan` finds for the employee
        against `value` (day x shift type), ignoring the shifts they have now."""
        types = self.m.problem.shift_types
        caps = [contract.max_shifts_per_type.get(t.id, self.m.num_days) for t in types]
        terms = patterns.ScheduleTerms(
            min_consecutive_days=contract.min_consecutive_days or 0,
            max_consecutive_days=contract.max_consecutive_days,
            min_consecutive_days_off=contract.min_consecutive_days_off or 0,
            max_weekends=contract.max_weekends,
            min_minutes=contract.min_minutes_total or 0,
            max_minutes=contract.max_minutes_total,
            caps=np.array(caps),
        )
        may_follow = np.array(
            [[u.id not in self.conflicts[e_idx].get((t.id, 1), ()) for u in types] for t in types]
        )
        weekend_of = np.array([self.weekend_of.get(d, -1) for d in range(self.m.num_days)])
        minutes = np.array([t.duration_minutes for t in types])
        memory = self.plan_memory.setdefault(e_idx, {})
        return patterns.plan(terms, value, minutes, may_follow, weekend_of, memory)

    def _schedule_values(self, e_idx: int) -> tuple[np.ndarray, np.ndarray]:
        """What each (day, shift type) is worth to the roster if the employee works it (cover
        still missing, their wishes; `patterns.NEG` where they may not), and the position
        they would work it on."""
        open_cells, position, wishes = self._cells_of(e_idx)
        value = self.cover.worth() - wishes
        return np.where(open_cells, value, patterns.NEG), position

    def _cells_of(self, e_idx: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(day x type) arrays for the employee: where they may work, on which position, and
        their wishes' score (negative where wanted); computed once."""
        if e_idx in self._schedule_cells:
            return self._schedule_cells[e_idx]
        shape = (self.m.num_days, len(self.type_index))
        position = np.full(shape, -1, dtype=np.int64)
        emp = self.m.employees[e_idx]
        for day, open_positions in enumerate(self.m.instance.open_positions_by_day(emp)):
            for p_idx in open_positions:
                t_idx = self.type_index[self.m.positions[p_idx][0]]
                if position[day, t_idx] < 0:
                    position[day, t_idx] = p_idx
        wishes = np.zeros(shape)
        for (e, day, type_id), score in self.wish.items():
            if e == e_idx and 0 <= day < self.m.num_days:
                columns = slice(None) if type_id is None else self.type_index[type_id]
                wishes[day, columns] += score
        self._schedule_cells[e_idx] = (position >= 0, position, wishes)
        return self._schedule_cells[e_idx]


class _CoverTable:
    """Shift demand, its weights and the people on each (day, shift type), as arrays."""

    def __init__(self, greedy: _Greedy) -> None:
        shape = (greedy.m.num_days, len(greedy.type_index))
        self.demand = np.zeros(shape, dtype=np.int64)
        self.under = np.zeros(shape)
        self.over = np.zeros(shape)
        self.staffed = np.zeros(shape, dtype=np.int64)
        for (day, type_id), required in greedy.demand_on.items():
            self.demand[day, greedy.type_index[type_id]] = required
        for (day, type_id), (under, over) in greedy.cover_weights.items():
            t_idx = greedy.type_index[type_id]
            self.under[day, t_idx], self.over[day, t_idx] = under, over

    def worth(self) -> np.ndarray:
        """What one more person is worth on each (day, shift type): the cost of a missing
        person where cover is short, minus the cost of a surplus one elsewhere."""
        return np.where(self.demand > self.staffed, self.under, -self.over)
