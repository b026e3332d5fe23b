"""The independent validator: reads only a problem and a roster, and recomputes every hard rule
and the objective.

It shares no code with the CP-SAT model (only the schema and the rule labels): it walks the
roster directly. Every solver test and every benchmark figure goes through it, and the objective
it computes is the one reported.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.schema import MINUTES_PER_DAY, Assignment, Preference, Problem, RuleScore

LABELS = {
    "one_shift_per_day": "One shift a day",
    "unavailable_days": "No work on days off or leave",
    "required_skill": "Required skill",
    "unknown_reference": "Roster names a known employee, day and shift type",
    "pinned_assignments": "Pinned shifts stay",
    "cover_bounds": "Hard minimum / maximum on a shift",
    "forbidden_successions": "Forbidden shift successions",
    "min_rest": "Minimum rest between shifts",
    "max_shifts_per_type": "Max shifts per type",
    "max_minutes_total": "Max hours over the horizon",
    "min_minutes_total": "Min hours over the horizon",
    "max_minutes_per_week": "Max hours a week",
    "min_minutes_per_week": "Min hours a week",
    "max_consecutive_days": "Max working days in a row",
    "min_consecutive_days": "Min working days in a row",
    "min_consecutive_days_off": "Min days off in a row",
    "max_weekends": "Max weekends worked",
    "under_cover": "Under-cover on shifts",
    "over_cover": "Over-cover on shifts",
    "interval_under_cover": "Under-cover in intervals",
    "interval_over_cover": "Over-cover in intervals",
    "reliable_cover": "Reliable people on critical slots",
    "preferences": "Employee preferences",
    "fair_hours": "Fair hours",
    "fair_weekends": "Fair weekends",
    "fair_unpopular": "Fair unpopular shifts",
    "balanced_shifts": "Balanced shift counts",
    "labour_cost": "Labour cost",
    "overtime": "Overtime premium",
}
HARD_RULES = tuple(list(LABELS)[:17])
SOFT_RULES = tuple(list(LABELS)[17:])


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, for one employee (or shift) and day."""

    rule: str
    employee: str | None
    day: int | None
    message: str


@dataclass
class ValidationReport:
    """What the validator found: hard violations, the objective and its breakdown."""

    hard_violations: list[Violation]
    objective: int
    breakdown: list[RuleScore]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.hard_violations


def validate(problem: Problem, roster: list[Assignment]) -> ValidationReport:
    """Check `roster` against every rule of `problem` and compute its objective."""
    return _Checker(problem, roster).run()


class _Checker:
    def __init__(self, problem: Problem, roster: list[Assignment]) -> None:
        self.p = problem
        self.types = problem.shift_type_by_id()
        self.contracts = problem.contract_by_id()
        self.employees = problem.employee_by_id()
        self.weights = problem.rules.weights
        self.soft = set(problem.rules.soft_rules)
        self.weekend_days = [set(days) for days in problem.weekends()]
        self.violations: list[Violation] = []
        self.penalty: Counter[str] = Counter()
        self.count: Counter[str] = Counter()
        self.roster = [a for a in roster if self._known(a)]
        self.shifts: dict[str, list[Assignment]] = defaultdict(list)
        for a in self.roster:
            self.shifts[a.employee].append(a)
        for items in self.shifts.values():
            items.sort(key=lambda a: a.day)

    def run(self) -> ValidationReport:
        for check in (
            self.one_shift_per_day,
            self.unavailable_days,
            self.required_skill,
            self.pinned_assignments,
            self.cover,
            self.interval_cover,
            self.forbidden_successions,
            self.min_rest,
            self.contract_limits,
            self.runs_of_days,
            self.weekends,
            self.preferences,
            self.fairness,
            self.balanced_shifts,
            self.labour_cost,
        ):
            check()
        breakdown = [
            RuleScore(
                rule=rule,
                label=LABELS[rule],
                hard=rule in HARD_RULES and rule not in self.soft,
                violations=self.count[rule],
                penalty=self.penalty[rule],
            )
            for rule in LABELS
            if self.count[rule] or self.penalty[rule]
        ]
        return ValidationReport(
            self.violations, sum(self.penalty.values()), breakdown, dict(self.count)
        )

    # -- bookkeeping -------------------------------------------------------------------------
    def _known(self, a: Assignment) -> bool:
        ok = a.employee in self.employees and a.shift_type in self.types
        ok = ok and 0 <= a.day < self.p.num_days
        if not ok:
            self._hard(
                "unknown_reference",
                a.employee,
                a.day,
                f"{a.employee} on day {a.day} works unknown or out-of-horizon {a.shift_type!r}",
            )
        return ok

    def _hard(
        self, rule: str, employee: str | None, day: int | None, message: str, units: int = 1
    ) -> None:
        """Record `units` of a hard rule's violation, or its penalty when the rule is soft."""
        if units <= 0:
            return
        self.count[rule] += units
        if rule in self.soft:
            self.penalty[rule] += self.weights.soft_rule * units
        else:
            self.violations.append(Violation(rule, employee, day, message))

    def _soft(self, rule: str, units: int, penalty: int) -> None:
        self.count[rule] += units
        self.penalty[rule] += penalty

    def _span(self, a: Assignment) -> tuple[int, int]:
        t = self.types[a.shift_type]
        start = a.day * MINUTES_PER_DAY + (t.start_minute or 0)
        return start, start + t.duration_minutes

    def _minutes(self, items: list[Assignment]) -> int:
        return sum(self.types[a.shift_type].duration_minutes for a in items)

    def _worked_days(self, employee: str) -> set[int]:
        return {a.day for a in self.shifts[employee]}

    def _weekends_worked(self, employee: str) -> int:
        """Weekends on which the employee works Saturday or Sunday."""
        worked = self._worked_days(employee)
        return sum(1 for days in self.weekend_days if worked & days)

    # -- hard rules ----------------------------------------------------------------------------
    def one_shift_per_day(self) -> None:
        per_day = Counter((a.employee, a.day) for a in self.roster)
        for (emp, day), n in per_day.items():
            if n > 1:
                self.violations.append(
                    Violation("one_shift_per_day", emp, day, f"{emp} has {n} shifts on day {day}")
                )
                self.count["one_shift_per_day"] += n - 1

    def unavailable_days(self) -> None:
        for a in self.roster:
            off = set(self.employees[a.employee].unavailable_days)
            start, end = self._span(a)
            touched = {d for d in range(start // MINUTES_PER_DAY, (end - 1) // MINUTES_PER_DAY + 1)}
            hit = sorted(touched & off)
            if hit:
                self.violations.append(
                    Violation(
                        "unavailable_days",
                        a.employee,
                        a.day,
                        f"{a.employee} works {a.shift_type} on day {a.day}, "
                        f"touching day off {hit[0]}",
                    )
                )
                self.count["unavailable_days"] += 1

    def required_skill(self) -> None:
        for a in self.roster:
            if a.skill is not None and a.skill not in self.employees[a.employee].skills:
                self.violations.append(
                    Violation(
                        "required_skill",
                        a.employee,
                        a.day,
                        f"{a.employee} works {a.shift_type} as {a.skill!r} without that skill",
                    )
                )
                self.count["required_skill"] += 1

    def pinned_assignments(self) -> None:
        for pin in self.p.pinned:
            if not any(
                a.day == pin.day
                and a.shift_type == pin.shift_type
                and (pin.skill is None or a.skill == pin.skill)
                for a in self.shifts[pin.employee]
            ):
                self.violations.append(
                    Violation(
                        "pinned_assignments",
                        pin.employee,
                        pin.day,
                        f"pinned {pin.shift_type} for {pin.employee} on day {pin.day} is missing",
                    )
                )
                self.count["pinned_assignments"] += 1

    def forbidden_successions(self) -> None:
        for emp, items in self.shifts.items():
            by_day = {a.day: a.shift_type for a in items}
            for day, type_id in by_day.items():
                following = by_day.get(day + 1)
                if following in self.types[type_id].cannot_be_followed_by:
                    self._hard(
                        "forbidden_successions",
                        emp,
                        day,
                        f"{emp}: {following} on day {day + 1} follows {type_id}",
                    )

    def min_rest(self) -> None:
        for emp, items in self.shifts.items():
            need = self.contracts[self.employees[emp].contract].min_rest_minutes or 0
            spans = [(self._span(a), a) for a in items]
            for i, ((s1, e1), a1) in enumerate(spans):
                for (s2, e2), a2 in spans[i + 1 :]:
                    if a2.day == a1.day:
                        continue  # counted by one shift a day
                    rest = max(s2 - e1, s1 - e2)
                    if rest < need:
                        self._hard(
                            "min_rest",
                            emp,
                            a2.day,
                            f"{emp}: only {rest} min between day {a1.day} "
                            f"{a1.shift_type} and day {a2.day} {a2.shift_type} "
                            f"(minimum {need})",
                        )

    def contract_limits(self) -> None:
        weeks = self.p.weeks()
        for emp_id, emp in self.employees.items():
            c = self.contracts[emp.contract]
            items = self.shifts[emp_id]
            per_type = Counter(a.shift_type for a in items)
            for type_id, cap in c.max_shifts_per_type.items():
                self._hard(
                    "max_shifts_per_type",
                    emp_id,
                    None,
                    f"{emp_id} works {per_type[type_id]} {type_id} shifts (max {cap})",
                    per_type[type_id] - cap,
                )
            total = self._minutes(items)
            if c.max_minutes_total is not None:
                self._hard(
                    "max_minutes_total",
                    emp_id,
                    None,
                    f"{emp_id} works {total} min (max {c.max_minutes_total})",
                    total - c.max_minutes_total,
                )
            if c.min_minutes_total:
                self._hard(
                    "min_minutes_total",
                    emp_id,
                    None,
                    f"{emp_id} works {total} min (min {c.min_minutes_total})",
                    c.min_minutes_total - total,
                )
            for week in weeks:
                minutes = self._minutes([a for a in items if a.day in week])
                if c.max_minutes_per_week is not None:
                    self._hard(
                        "max_minutes_per_week",
                        emp_id,
                        week[0],
                        f"{emp_id} works {minutes} min in the week of day {week[0]} "
                        f"(max {c.max_minutes_per_week})",
                        minutes - c.max_minutes_per_week,
                    )
                if c.min_minutes_per_week and len(week) == 7:
                    self._hard(
                        "min_minutes_per_week",
                        emp_id,
                        week[0],
                        f"{emp_id} works {minutes} min in the week of day {week[0]} "
                        f"(min {c.min_minutes_per_week})",
                        c.min_minutes_per_week - minutes,
                    )

    def runs_of_days(self) -> None:
        n = self.p.num_days
        for emp_id, emp in self.employees.items():
            c = self.contracts[emp.contract]
            worked = self._worked_days(emp_id)
            pattern = [d in worked for d in range(n)]
            if c.max_consecutive_days is not None:
                k = c.max_consecutive_days
                for start in range(n - k):
                    if all(pattern[start : start + k + 1]):
                        self._hard(
                            "max_consecutive_days",
                            emp_id,
                            start,
                            f"{emp_id} works more than {k} days in a row from day {start}",
                        )
            for value, rule, k in (
                (True, "min_consecutive_days", c.min_consecutive_days or 0),
                (False, "min_consecutive_days_off", c.min_consecutive_days_off or 0),
            ):
                for start, length in _runs(pattern, value):
                    if length < k and start > 0 and start + length < n:
                        what = "working days" if value else "days off"
                        self._hard(
                            rule,
                            emp_id,
                            start,
                            f"{emp_id}: a run of {length} {what} from day {start} (min {k})",
                        )

    def weekends(self) -> None:
        for emp_id, emp in self.employees.items():
            cap = self.contracts[emp.contract].max_weekends
            if cap is None:
                continue
            count = self._weekends_worked(emp_id)
            self._hard(
                "max_weekends",
                emp_id,
                None,
                f"{emp_id} works {count} weekends (max {cap})",
                count - cap,
            )

    def cover(self) -> None:
        worked: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
        for a in self.roster:
            worked[a.day, a.shift_type].append(a)
        for demand in self.p.shift_demand:
            people = [
                a.employee
                for a in worked[demand.day, demand.shift_type]
                if demand.skill is None or a.skill == demand.skill
            ]
            n = len(people)
            self._reliable_people(demand.min_reliable, people)
            label = f"day {demand.day} {demand.shift_type}"
            if n < demand.minimum or (demand.maximum is not None and n > demand.maximum):
                self.violations.append(
                    Violation(
                        "cover_bounds",
                        None,
                        demand.day,
                        f"{label}: {n} people, allowed {demand.minimum}..{demand.maximum}",
                    )
                )
                self.count["cover_bounds"] += 1
            w_under = (
                self.weights.under_cover if demand.weight_under is None else demand.weight_under
            )
            w_over = self.weights.over_cover if demand.weight_over is None else demand.weight_over
            under, over = max(0, demand.required - n), max(0, n - demand.required)
            self._soft("under_cover", under, w_under * under)
            self._soft("over_cover", over, w_over * over)

    def interval_cover(self) -> None:
        if not self.p.interval_demand:
            return
        spans = [(self._span(a), a.skill, a.employee) for a in self.roster]
        for demand in self.p.interval_demand:
            start = demand.day * MINUTES_PER_DAY + demand.start_minute
            end = start + demand.length_minutes
            people = [
                employee
                for (s, e), skill, employee in spans
                if s <= start and end <= e and (demand.skill is None or skill == demand.skill)
            ]
            n = len(people)
            self._reliable_people(demand.min_reliable, people)
            w = self.weights
            w_under = w.interval_under_cover if demand.weight_under is None else demand.weight_under
            w_over = w.interval_over_cover if demand.weight_over is None else demand.weight_over
            under, over = max(0, demand.required - n), max(0, n - demand.required)
            self._soft("interval_under_cover", under, w_under * under)
            self._soft("interval_over_cover", over, w_over * over)

    def _reliable_people(self, wanted: int, people: list[str]) -> None:
        """Reliable people missing where demand asks for `wanted` of them."""
        if not wanted:
            return
        threshold = self.p.rules.reliable_at
        reliable = sum(
            1
            for e in people
            if self.employees[e].reliability is not None
            and self.employees[e].reliability >= threshold
        )
        missing = max(0, wanted - reliable)
        self._soft("reliable_cover", missing, self.weights.reliable_cover * missing)

    # -- soft rules ----------------------------------------------------------------------------
    def preferences(self) -> None:
        for pref in self.p.preferences:
            priority = self.employees[pref.employee].priority
            weight = _whole(pref.weight * self.weights.preference * priority)
            if not weight:
                continue
            items = self.shifts[pref.employee]
            if pref.per_minute:
                lo, hi = pref.day * MINUTES_PER_DAY, (pref.day + 1) * MINUTES_PER_DAY
                minutes = sum(max(0, min(e, hi) - max(s, lo)) for s, e in map(self._span, items))
                sign = -1 if pref.kind == "want" else 1
                self._soft("preferences", minutes if sign > 0 else 0, sign * weight * minutes)
                continue
            if pref.start_minute is not None:
                met = self._window_met(pref, items)
            else:
                met = any(
                    a.day == pref.day
                    and (pref.shift_type is None or a.shift_type == pref.shift_type)
                    for a in items
                )
            unmet = (not met) if pref.kind == "want" else met
            self._soft("preferences", int(unmet), weight * int(unmet))

    def _window_met(self, pref: Preference, items: list[Assignment]) -> bool:
        """A worked shift covers the whole window (`want`) or shares a minute with it (`avoid`)."""
        midnight = pref.day * MINUTES_PER_DAY
        lo, hi = midnight + (pref.start_minute or 0), midnight + (pref.end_minute or 0)
        for a in items:
            s, e = self._span(a)
            if pref.kind == "want" and s <= lo and hi <= e:
                return True
            if pref.kind == "avoid" and min(e, hi) > max(s, lo):
                return True
        return False

    def fairness(self) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for emp in self.p.employees:
            groups[emp.contract].append(emp.id)
        unpopular = {t.id for t in self.p.shift_types if t.unpopular}
        w = self.weights
        for members in groups.values():
            if len(members) < 2:
                continue
            if w.fair_hours:
                minutes = [self._minutes(self.shifts[e]) for e in members]
                spread = math.ceil((max(minutes) - min(minutes)) / 60)
                self._soft("fair_hours", spread, w.fair_hours * spread)
            if w.fair_weekends and self.weekend_days:
                counts = [self._weekends_worked(e) for e in members]
                spread = max(counts) - min(counts)
                self._soft("fair_weekends", spread, w.fair_weekends * spread)
            if w.fair_unpopular and unpopular:
                counts = [
                    sum(1 for a in self.shifts[e] if a.shift_type in unpopular) for e in members
                ]
                spread = max(counts) - min(counts)
                self._soft("fair_unpopular", spread, w.fair_unpopular * spread)

    def balanced_shifts(self) -> None:
        if not self.weights.balanced_shifts:
            return
        squares = sum(len(self.shifts[e.id]) ** 2 for e in self.p.employees)
        self._soft("balanced_shifts", squares, self.weights.balanced_shifts * squares)

    def labour_cost(self) -> None:
        weight = self.weights.labour_cost
        if not weight:
            return
        weeks = self.p.weeks()
        for emp_id, emp in self.employees.items():
            items = self.shifts[emp_id]
            cost = sum(
                _whole(weight * emp.hourly_cost * self.types[a.shift_type].duration_minutes / 60)
                for a in items
            )
            self._soft("labour_cost", len(items), cost)
            c = self.contracts[emp.contract]
            per_quarter = _whole(weight * emp.hourly_cost * (c.overtime_rate - 1.0) / 4)
            if c.overtime_after_minutes_per_week is None or not per_quarter:
                continue
            for week in weeks:
                extra = (
                    self._minutes([a for a in items if a.day in week])
                    - c.overtime_after_minutes_per_week
                )
                if extra > 0:
                    quarters = math.ceil(extra / 15)
                    self._soft("overtime", quarters, per_quarter * quarters)


def _runs(pattern: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of `value` in `pattern`."""
    runs, start = [], None
    for day, v in enumerate([*pattern, not value]):
        if v == value and start is None:
            start = day
        elif v != value and start is not None:
            runs.append((start, day - start))
            start = None
    return runs


def _whole(amount: float) -> int:
    """Round half up (2.5 -> 3), as every penalty is rounded."""
    return math.floor(amount + 0.5)
