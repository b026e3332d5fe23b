"""Block swaps: the employees' schedules over a block of days handed round at once.

Over a block of a few days, each employee's shifts form one piece of schedule. Giving every
piece to someone (possibly its owner) keeps the cover of every day exactly as it is, so the best
hand-round is a minimum-cost assignment of employees to pieces: what a piece costs its new
holder is their wishes on those days and their shift count, and it is forbidden where they lack
the skill or where it breaks their rules around the block (rest against the shifts just before
and after it, caps, hours, runs, weekends). This moves several days of two or more people's
work together, which a day re-matching (`optimizer.rematch`) cannot when a rest rule ties the
days: a wish for a day that someone's late shift the evening before rules out.

It is exact under the same conditions as day re-matching (`rematch.applies`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.clock import Deadline
from optimizer.rematch import runs_keep_limits

_BLOCKED = 1e12
"""Cost of a piece its new holder may not work."""
BLOCK_LENGTHS = (2, 2, 3, 4, 7)
"""Lengths of the blocks tried, drawn at random."""


class BlockSwapper:
    """Block swaps on the roster of a greedy (`construct._Greedy`), with the wish costs of a
    `rematch.DayRematcher` on the same greedy."""

    def __init__(self, days) -> None:
        self.days = days
        self.g = days.g
        self.m = days.m
        self.num_types = len(self.g.type_ids)
        self.reach = self.m.instance.max_day_reach + 2
        self._open: dict[int, np.ndarray] = {}
        self._conflict: dict[int, np.ndarray] = {}

    def sweep(
        self,
        until: Deadline,
        rng: random.Random,
        blocks: int,
        step_done: Callable[[], None] = lambda: None,
    ) -> bool:
        """Try up to `blocks` blocks of random lengths and starts, stopping at `until`;
        whether any improved (`step_done` is called after each that did)."""
        improved = False
        for _ in range(blocks):
            if until.passed():
                break
            length = min(self.m.num_days, rng.choice(BLOCK_LENGTHS))
            if self.swap(rng.randint(0, self.m.num_days - length), length):
                improved = True
                step_done()
        return improved

    def swap(self, start: int, length: int) -> bool:
        """Hand round the schedules of days start..start+length-1; whether the roster improved
        (it is left as it was otherwise)."""
        days = range(start, start + length)
        people = [e for e in range(len(self.m.employees)) if e not in self._pinned()]
        pieces = [
            _Piece(
                self.g, {d: self.g.position_on[e, d] for d in days if (e, d) in self.g.position_on}
            )
            for e in people
        ]
        cost = self._costs(people, pieces, days)
        rows, cols = linear_sum_assignment(cost)
        chosen = cost[rows, cols]
        now = float(np.trace(cost))
        if chosen.max() >= _BLOCKED or chosen.sum() >= now - 1e-6:
            return False
        moved = [(people[r], pieces[c].shifts) for r, c in zip(rows, cols, strict=True) if r != c]
        for e_idx, _ in moved:
            for day in days:
                if day in self.g.people[e_idx].shift_on:
                    self.g._untake(e_idx, day)
        for e_idx, piece in moved:
            for day, p_idx in piece.items():
                self.g._take(e_idx, day, p_idx)
        return True

    def _pinned(self) -> set[int]:
        return {i for i, e in enumerate(self.m.employees) if e.id in self.g.pinned}

    def _costs(self, people: list[int], pieces: list[_Piece], days: range) -> np.ndarray:
        """[person, piece]: what holding the piece costs the person; _BLOCKED where not allowed."""
        n = len(people)
        types = np.full((n, len(days)), -1, dtype=np.int64)
        for j, piece in enumerate(pieces):
            for day, p_idx in piece.shifts.items():
                types[j, day - days.start] = self.g.type_index[self.m.positions[p_idx][0]]
        worked = (types >= 0).sum(axis=1)
        cost = np.zeros((n, n))
        allowed = np.ones((n, n), dtype=bool)
        for offset, day in enumerate(days):
            allowed &= self._may_hold(people, pieces, day)
            cost += self._wishes(people, day, types[:, offset])
        for row, e_idx in enumerate(people):
            own = sum(1 for d in days if d in self.g.people[e_idx].shift_on)
            outside = len(self.g.people[e_idx].shift_on) - own
            cost[row] += self.days.balance * (outside + worked) ** 2
            allowed[row] &= self._rest_fits(e_idx, types, days)
            if self._has_limits(e_idx):
                allowed[row] &= [self._limits_fit(e_idx, piece, days) for piece in pieces]
        cost[~allowed] = _BLOCKED
        return cost

    def _may_hold(self, people, pieces, day: int) -> np.ndarray:
        """[person, piece]: whether the person may work the piece's position on `day`."""
        open_cells = self._open_cells(day)[people]
        result = np.ones((len(people), len(pieces)), dtype=bool)
        for j, piece in enumerate(pieces):
            p_idx = piece.shifts.get(day)
            if p_idx is not None:
                result[:, j] = open_cells[:, p_idx]
        return result

    def _open_cells(self, day: int) -> np.ndarray:
        """[employee, position]: the cells of `day` (skills, leave)."""
        if day not in self._open:
            table = np.zeros((len(self.m.employees), len(self.m.positions)), dtype=bool)
            for p_idx in range(len(self.m.positions)):
                table[self.m.employees_on_position(day, p_idx), p_idx] = True
            self._open[day] = table
        return self._open[day]

    def _wishes(self, people, day: int, types: np.ndarray) -> np.ndarray:
        """[person, piece]: what the person's wishes add for the piece's shift on `day`."""
        result = np.zeros((len(people), len(types)))
        working = types >= 0
        for row, e_idx in enumerate(people):
            wish = self.days._wish_row(e_idx, day)
            if isinstance(wish, np.ndarray):
                result[row, working] = wish[types[working]]
        return result

    def _rest_fits(self, e_idx: int, types: np.ndarray, days: range) -> np.ndarray:
        """[piece]: whether the pieces keep rest and successions against the employee's shifts
        just before and after the block."""
        fits = np.ones(len(types), dtype=bool)
        conflict = self._conflicts(e_idx)
        shift_on = self.g.people[e_idx].shift_on
        for offset in range(1, self.reach + 1):
            for inside in days:
                column = types[:, inside - days.start]
                working = column >= 0
                before = shift_on.get(inside - offset) if inside - offset < days.start else None
                if before is not None:
                    t = self.g.type_index[before]
                    fits[working] &= ~conflict[offset, t, column[working]]
                after = shift_on.get(inside + offset) if inside + offset >= days.stop else None
                if after is not None:
                    t = self.g.type_index[after]
                    fits[working] &= ~conflict[offset, column[working], t]
                if inside + offset < days.stop:  # within the piece, for a stricter contract
                    later = types[:, inside + offset - days.start]
                    both = working & (later >= 0)
                    fits[both] &= ~conflict[offset, column[both], later[both]]
        return fits

    def _conflicts(self, e_idx: int) -> np.ndarray:
        """[offset, first type, second type]: the second may not follow the first that many
        days later (rest, successions)."""
        key = id(self.m.instance.contract_of(self.m.employees[e_idx]))
        if key not in self._conflict:
            table = np.zeros((self.reach + 1, self.num_types, self.num_types), dtype=bool)
            for (first, offset), seconds in self.g.conflicts[e_idx].items():
                if offset <= self.reach:
                    for second in seconds:
                        table[offset, self.g.type_index[first], self.g.type_index[second]] = True
            self._conflict[key] = table
        return self._conflict[key]

    def _has_limits(self, e_idx: int) -> bool:
        c = self.m.instance.contract_of(self.m.employees[e_idx])
        return bool(
            c.max_shifts_per_type
            or c.max_minutes_total is not None
            or c.min_minutes_total
            or c.max_minutes_per_week is not None
            or c.min_minutes_per_week
            or c.max_consecutive_days is not None
            or c.min_consecutive_days
            or c.min_consecutive_days_off
            or c.max_weekends is not None
        )

    def _limits_fit(self, e_idx: int, piece: _Piece, days: range) -> bool:
        """Whether the employee keeps their caps, hours, runs and weekends holding `piece`
        instead of their own shifts on `days`."""
        c = self.m.instance.contract_of(self.m.employees[e_idx])
        own = _Piece(
            self.g,
            {d: self.g.position_on[e_idx, d] for d in days if (e_idx, d) in self.g.position_on},
        )
        person = self.g.people[e_idx]
        for type_id, cap in c.max_shifts_per_type.items():
            if (
                person.per_type[type_id]
                - own.per_type.get(type_id, 0)
                + piece.per_type.get(type_id, 0)
                > cap
            ):
                return False
        total = person.total_minutes - own.minutes + piece.minutes
        if c.max_minutes_total is not None and total > c.max_minutes_total:
            return False
        if c.min_minutes_total and total < c.min_minutes_total:
            return False
        for week in own.week_minutes.keys() | piece.week_minutes.keys():
            worked = (
                person.week_minutes[week]
                - own.week_minutes.get(week, 0)
                + piece.week_minutes.get(week, 0)
            )
            if c.max_minutes_per_week is not None and worked > c.max_minutes_per_week:
                return False
            if (
                c.min_minutes_per_week
                and week in self.days.full_weeks
                and worked < c.min_minutes_per_week
            ):
                return False
        if c.max_weekends is not None:
            weekends = person.weekends - own.weekends_only(person, days) | piece.weekends
            if len(weekends) > c.max_weekends:
                return False
        shift_on = person.shift_on

        def works(day: int) -> bool:
            return day in piece.shifts if day in days else day in shift_on

        return runs_keep_limits(c, works, days, self.m.num_days)


class _Piece:
    """One employee's shifts over a block: (day -> position), with its counts."""

    def __init__(self, g, shifts: dict[int, int]) -> None:
        self.shifts = shifts
        self.per_type: dict[str, int] = {}
        self.week_minutes: dict[int, int] = {}
        self.minutes = 0
        self.weekends = set()
        for day, p_idx in shifts.items():
            type_id = g.m.positions[p_idx][0]
            minutes = g.types[type_id].duration_minutes
            self.per_type[type_id] = self.per_type.get(type_id, 0) + 1
            week = g.week_of[day]
            self.week_minutes[week] = self.week_minutes.get(week, 0) + minutes
            self.minutes += minutes
            if day in g.weekend_of:
                self.weekends.add(g.weekend_of[day])
        self._g = g

    def weekends_only(self, person, days: range) -> set[int]:
        """Weekends the holder works only on days of this block (lost if they give it up)."""
        lost = set()
        for weekend in self.weekends:
            if not any(
                self._g.weekend_of.get(d) == weekend for d in person.shift_on if d not in days
            ):
                lost.add(weekend)
        return lost
