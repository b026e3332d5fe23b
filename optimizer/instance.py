"""Pre-processing of a `Problem` into the plain look-up tables the CP-SAT model is built from.

Nothing here knows about CP-SAT: it answers "who may work what, when" (positions, spans, rest
conflicts, cover membership) once, before the model is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from optimizer.schema import MINUTES_PER_DAY, Contract, Employee, Problem, ShiftType

Position = tuple[str, str | None]
"""A shift type and the skill worked on it (None: no particular skill)."""


@dataclass
class Instance:
    """Index of a problem: positions, allowed assignments and rule look-ups."""

    problem: Problem
    types: dict[str, ShiftType] = field(init=False)
    contracts: dict[str, Contract] = field(init=False)

    def __post_init__(self) -> None:
        self.types = self.problem.shift_type_by_id()
        self.contracts = self.problem.contract_by_id()
        self._rest_cache: dict[int, list[tuple[str, str, int]]] = {}

    # -- positions -----------------------------------------------------------------------------
    @cached_property
    def positions(self) -> list[Position]:
        """Every (shift type, skill) an assignment can take.

        A shift type is worked "as" a skill when some demand asks for that skill on it; it is
        worked without a skill when demand on it does not name one, or when no demand names it.
        """
        skills_of: dict[str, set[str | None]] = {t.id: set() for t in self.problem.shift_types}
        for d in self.problem.shift_demand:
            skills_of[d.shift_type].add(d.skill)
        interval_skills = {d.skill for d in self.problem.interval_demand}
        for t in self.problem.shift_types:
            skills_of[t.id] |= interval_skills
            if not skills_of[t.id]:
                skills_of[t.id].add(None)
        return [
            (t.id, s)
            for t in self.problem.shift_types
            for s in sorted(skills_of[t.id], key=lambda x: (x is not None, x or ""))
        ]

    @cached_property
    def workable_positions(self) -> list[list[int]]:
        """Per day, the indices of the positions that can be worked that day.

        A position without a skill can be worked on any day. A skill is worked only where demand
        asks for it: a shift-demand line for that day, shift type and skill, or interval demand
        for that skill on that day. So a concrete-shift data set (one demand line per shift, as
        the Timefold quickstart's) offers exactly its shifts, and nobody works a skill nobody
        needs.
        """
        shift_skills = {(d.day, d.shift_type, d.skill) for d in self.problem.shift_demand}
        interval_skills = {(d.day, d.skill) for d in self.problem.interval_demand}
        days = []
        for day in range(self.problem.num_days):
            days.append(
                [
                    p_idx
                    for p_idx, (type_id, skill) in enumerate(self.positions)
                    if skill is None
                    or (day, type_id, skill) in shift_skills
                    or (day, skill) in interval_skills
                    or (day + 1, skill) in interval_skills
                ]
            )
        return days

    def contract_of(self, employee: Employee) -> Contract:
        return self.contracts[employee.contract]

    def can_work(self, employee: Employee, day: int, position: Position) -> bool:
        """Whether a variable exists for this (employee, day, position): skills, leave, 0-caps."""
        type_id, skill = position
        if skill is not None and skill not in employee.skills:
            return False
        if self.contract_of(employee).max_shifts_per_type.get(type_id, 1) == 0:
            return False
        return not self.touches_unavailable(employee, day, type_id)

    def open_positions(self, employee: Employee) -> set[int]:
        """Indices of the positions `can_work` allows the employee on a day free of leave: a
        skill they hold (or none), and a shift type their contract does not cap at 0."""
        caps = self.contract_of(employee).max_shifts_per_type
        skills = set(employee.skills)
        return {
            p_idx
            for p_idx, (type_id, skill) in enumerate(self.positions)
            if (skill is None or skill in skills) and caps.get(type_id, 1) != 0
        }

    def open_positions_by_day(self, employee: Employee) -> list[list[int]]:
        """Per day, the positions the employee may work that day (`can_work`): those workable
        that day, open to them, and neither on nor running into their leave."""
        allowed = self.open_positions(employee)
        off = self.unavailable[employee.id]
        reach = self.position_reach
        open_on: dict[tuple[int, ...], list[int]] = {}
        days = []
        for day, workable in enumerate(self.workable_positions):
            if day in off:
                days.append([])
                continue
            key = tuple(workable)
            positions = open_on.get(key) or open_on.setdefault(
                key, [p for p in workable if p in allowed]
            )
            if any(reach[p] for p in positions):
                positions = [
                    p for p in positions if not self.runs_into_unavailable(employee, day, p)
                ]
            days.append(positions)
        return days

    def runs_into_unavailable(self, employee: Employee, day: int, p_idx: int) -> bool:
        """`touches_unavailable` for a position, with each shift type's reach worked out once."""
        off = self.unavailable[employee.id]
        if day in off:
            return True
        reach = self.position_reach[p_idx]
        return reach > 0 and any(d in off for d in range(day + 1, day + reach + 1))

    @cached_property
    def position_reach(self) -> list[int]:
        """Per position, how many days after its start day its shift can still be running."""
        return [self.type_reach(type_id) for type_id, _ in self.positions]

    def type_reach(self, type_id: str) -> int:
        """How many days after its start day a shift of this type runs into (0 for most)."""
        _, end = self.types[type_id].span(0)
        return (end - 1) // MINUTES_PER_DAY

    def touches_unavailable(self, employee: Employee, day: int, type_id: str) -> bool:
        """A shift that starts on, or runs into, one of the employee's unavailable days."""
        off = self.unavailable[employee.id]
        if day in off:
            return True
        _, end = self.types[type_id].span(day)
        last_day = (end - 1) // MINUTES_PER_DAY
        return any(d in off for d in range(day + 1, last_day + 1))

    @cached_property
    def unavailable(self) -> dict[str, set[int]]:
        return {e.id: set(e.unavailable_days) for e in self.problem.employees}

    # -- time -------------------------------------------------------------------------------
    def overlap_with_day(self, type_id: str, day: int, target_day: int) -> int:
        """Minutes of shift `type_id` worked on `day` that fall inside `target_day`."""
        start, end = self.types[type_id].span(day)
        lo, hi = target_day * MINUTES_PER_DAY, (target_day + 1) * MINUTES_PER_DAY
        return max(0, min(end, hi) - max(start, lo))

    @cached_property
    def max_day_reach(self) -> int:
        """How many days after its start day a shift can still be running (0 for most)."""
        return max(
            ((t.start_minute or 0) + t.duration_minutes - 1) // MINUTES_PER_DAY
            for t in self.problem.shift_types
        )

    def rest_conflicts(self, min_rest: int) -> list[tuple[str, str, int]]:
        """Pairs (first type, second type, day offset >= 1) too close for `min_rest` minutes.

        Two shifts conflict when they overlap or when the gap between them is below the minimum
        rest. Same-day pairs are already excluded by "one shift per day".
        """
        if min_rest in self._rest_cache:
            return self._rest_cache[min_rest]
        conflicts = []
        span_days = self.max_day_reach + (min_rest + MINUTES_PER_DAY - 1) // MINUTES_PER_DAY + 1
        for a in self.problem.shift_types:
            a_start, a_end = a.span(0)
            for b in self.problem.shift_types:
                for offset in range(1, span_days + 1):
                    b_start, b_end = b.span(offset)
                    rest = max(b_start - a_end, a_start - b_end)
                    if rest < min_rest:
                        conflicts.append((a.id, b.id, offset))
        self._rest_cache[min_rest] = conflicts
        return conflicts

    def covers_interval(self, type_id: str, day: int, start: int, end: int) -> bool:
        """A shift worked on `day` spans the whole interval [start, end) (absolute minutes)."""
        s, e = self.types[type_id].span(day)
        return s <= start and end <= e

    def full_weeks(self) -> list[list[int]]:
        return [w for w in self.problem.weeks() if len(w) == 7]
