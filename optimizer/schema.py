"""The rostering problem and its solution, as validated pydantic models.

A `Problem` is a horizon of days, shift types (templates), demand (per day and shift type, or per
time interval), employees with contracts, preferences and pinned assignments, and the rule
configuration (which rules are hard, and every weight). A `Solution` is a roster (a list of
assignments) with the solver's status, objective, bound and a per-rule breakdown.

Times inside a problem are minutes: a shift type starts `start_minute` after midnight of its day
and lasts `duration_minutes`; day `d` covers minutes `[d*1440, (d+1)*1440)` of the horizon.
Cross-field invariants (unique ids, known references, days inside the horizon) are checked here so
that bad input fails with a message naming the offending field.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MINUTES_PER_DAY = 1440

NonNegInt = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


def _hours_to_minutes(data: Any, names: Iterable[str]) -> Any:
    """Accept `*_hours_*` spellings of minute fields ("max_hours_per_week: 40")."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for name in names:
        hours_name = name.replace("minutes", "hours")
        if hours_name in data:
            if data.get(name) is not None:
                raise ValueError(f"give either {name} or {hours_name}, not both")
            hours = data.pop(hours_name)
            data[name] = None if hours is None else round(float(hours) * 60)
    return data


class ShiftType(_Model):
    """A shift template, e.g. "early" 08:00-16:00, that can be worked on any day of the horizon."""

    id: str = Field(min_length=1, description="Unique id, e.g. 'E' or 'early'.")
    name: str | None = Field(None, description="Label shown to people; defaults to the id.")
    start_minute: int | None = Field(
        None,
        ge=0,
        lt=MINUTES_PER_DAY,
        description="Start, in minutes after midnight of the shift's day (480 = 08:00). "
        "None when only the length is known (benchmark instances): such shifts are taken to "
        "lie inside their own day.",
    )
    duration_minutes: int = Field(gt=0, le=2 * MINUTES_PER_DAY, description="Paid length.")
    cannot_be_followed_by: list[str] = Field(
        default_factory=list,
        description="Shift types that may not be worked on the day after this one.",
    )
    unpopular: bool = Field(
        False, description="Counts for fairness: unpopular shifts (nights, evenings) are spread."
    )
    flexible: bool = Field(
        False, description="A flexible shift: requests for it are decided by employee priority."
    )
    location: str | None = Field(None, description="Where the shift is worked, if it matters.")

    @property
    def label(self) -> str:
        return self.name or self.id

    def span(self, day: int) -> tuple[int, int]:
        """Absolute [start, end) minute of this shift when worked on `day`."""
        start = day * MINUTES_PER_DAY + (self.start_minute or 0)
        return start, start + self.duration_minutes


class Contract(_Model):
    """Labour rules for a group of employees. `None` means "no limit"."""

    id: str = Field(min_length=1)
    max_minutes_per_week: NonNegInt | None = Field(
        None, description="Most minutes in any calendar week (Mon-Sun); 2400 = 40 h."
    )
    min_minutes_per_week: NonNegInt | None = Field(
        None, description="Fewest minutes in each full calendar week of the horizon."
    )
    max_minutes_total: NonNegInt | None = Field(None, description="Most minutes over the horizon.")
    min_minutes_total: NonNegInt | None = Field(
        None, description="Fewest minutes over the horizon."
    )
    max_shifts_per_type: dict[str, NonNegInt] = Field(
        default_factory=dict, description="Most shifts of each type over the horizon (0 = never)."
    )
    min_rest_minutes: NonNegInt | None = Field(
        None, description="Least rest between the end of one shift and the start of the next."
    )
    max_consecutive_days: NonNegInt | None = Field(None, description="Most working days in a row.")
    min_consecutive_days: NonNegInt | None = Field(
        None,
        description="Fewest working days in a row (a block touching the horizon's edge is exempt).",
    )
    min_consecutive_days_off: NonNegInt | None = Field(
        None,
        description="Fewest days off in a row (a block touching the horizon's edge is exempt).",
    )
    max_weekends: NonNegInt | None = Field(
        None, description="Most weekends worked (a weekend is worked if Saturday or Sunday is)."
    )
    overtime_after_minutes_per_week: NonNegInt | None = Field(
        None, description="Minutes per week after which overtime pay applies."
    )
    overtime_rate: float = Field(1.5, ge=1.0, description="Pay multiplier for overtime minutes.")

    @model_validator(mode="before")
    @classmethod
    def _accept_hours(cls, data: Any) -> Any:
        return _hours_to_minutes(
            data,
            (
                "max_minutes_per_week",
                "min_minutes_per_week",
                "max_minutes_total",
                "min_minutes_total",
                "min_rest_minutes",
                "overtime_after_minutes_per_week",
            ),
        )

    @model_validator(mode="after")
    def _check_bounds(self) -> Contract:
        for low, high in (
            ("min_minutes_per_week", "max_minutes_per_week"),
            ("min_minutes_total", "max_minutes_total"),
            ("min_consecutive_days", "max_consecutive_days"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"contract {self.id!r}: {low} ({lo}) is above {high} ({hi})")
        return self


class Employee(_Model):
    """A person who can be rostered."""

    id: str = Field(min_length=1)
    name: str | None = None
    contract: str = Field(description="Id of the employee's contract.")
    skills: list[str] = Field(default_factory=list, description="Skills held, e.g. ['chat'].")
    unavailable_days: list[NonNegInt] = Field(
        default_factory=list,
        description="Days off and leave: no shift may start on, or run into, these days.",
    )
    priority: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Multiplier on the weight of this employee's preferences (a high performer "
        "might have 1.5).",
    )
    hourly_cost: float = Field(0.0, ge=0.0, description="Cost of one paid hour, before overtime.")
    reliability: float | None = Field(
        None, ge=0.0, le=1.0, description="Observed turn-up rate, when attendance data is known."
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class ShiftDemand(_Model):
    """How many people a shift type needs on a day (optionally: holding a given skill)."""

    day: NonNegInt
    shift_type: str
    skill: str | None = Field(None, description="Only people working this skill count.")
    required: NonNegInt = Field(description="People wanted; shortfall and excess are penalised.")
    minimum: NonNegInt = Field(0, description="Hard lower bound on people.")
    maximum: NonNegInt | None = Field(None, description="Hard upper bound on people.")
    weight_under: NonNegInt | None = Field(
        None, description="Penalty per missing person; defaults to the rules' under-cover weight."
    )
    weight_over: NonNegInt | None = Field(
        None, description="Penalty per surplus person; defaults to the rules' over-cover weight."
    )
    min_reliable: NonNegInt = Field(
        0,
        description="People with reliability at or above rules.reliable_at wanted on the shift "
        "(e.g. 1 on a critical slot); each one missing costs weights.reliable_cover.",
    )
    shift_ids: list[str] = Field(
        default_factory=list,
        description="External ids of the concrete shifts this line stands for (e.g. from an "
        "imported Timefold data set); exports fill each with one assigned employee.",
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> ShiftDemand:
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError(f"maximum ({self.maximum}) is below minimum ({self.minimum})")
        return self


class IntervalDemand(_Model):
    """People needed during one time interval of a day, e.g. 3 chat agents 18:00-18:30."""

    day: NonNegInt
    start_minute: int = Field(ge=0, lt=MINUTES_PER_DAY, description="Minutes after midnight.")
    length_minutes: int = Field(30, gt=0, le=MINUTES_PER_DAY)
    skill: str | None = Field(None, description="Only people working this skill count.")
    required: NonNegInt
    weight_under: NonNegInt | None = Field(
        None, description="Penalty per missing person in this interval; defaults to the rules'."
    )
    weight_over: NonNegInt | None = Field(
        None, description="Penalty per surplus person in this interval; defaults to the rules'."
    )
    min_reliable: NonNegInt = Field(
        0,
        description="People with reliability at or above rules.reliable_at wanted in the "
        "interval; each one missing costs weights.reliable_cover.",
    )

    def span(self) -> tuple[int, int]:
        start = self.day * MINUTES_PER_DAY + self.start_minute
        return start, start + self.length_minutes


class Preference(_Model):
    """An employee's wish to work, or not to work, a day, a shift or a time window.

    `want` is penalised when not met, `avoid` when it is. With `per_minute`, the weight counts per
    minute of worked shift time that falls on the day (a `want` then earns a reward instead of
    paying a penalty), which is how the Timefold quickstart scores desired and undesired dates.

    A time window (`start_minute`, `end_minute`, minutes after midnight of `day`; the end may run
    into the next day, e.g. 1320-1800 for 22:00-06:00) narrows the wish to those hours: an
    `avoid` is broken by any worked shift that overlaps the window by at least a minute; a `want`
    is honoured only by a worked shift that covers the whole window.
    """

    employee: str
    day: NonNegInt
    shift_type: str | None = Field(None, description="None means the whole day.")
    kind: Literal["want", "avoid"]
    weight: NonNegInt = Field(1, description="Penalty (before employee priority) if not honoured.")
    per_minute: bool = False
    start_minute: int | None = Field(
        None,
        ge=0,
        lt=2 * MINUTES_PER_DAY,
        description="Start of the time window, in minutes after midnight of the day (1080 = "
        "18:00); None for a whole-day or shift wish.",
    )
    end_minute: int | None = Field(
        None,
        gt=0,
        le=2 * MINUTES_PER_DAY,
        description="End of the time window (exclusive), in minutes after midnight of the day; "
        "above 1440 it runs into the next day.",
    )

    @property
    def has_window(self) -> bool:
        return self.start_minute is not None

    @model_validator(mode="after")
    def _check_per_minute(self) -> Preference:
        if self.per_minute and self.shift_type is not None:
            raise ValueError("per_minute preferences apply to a whole day: leave shift_type empty")
        return self

    @model_validator(mode="after")
    def _check_window(self) -> Preference:
        start, end = self.start_minute, self.end_minute
        if (start is None) != (end is None):
            missing = "end_minute" if end is None else "start_minute"
            raise ValueError(f"{missing}: a time window needs both start_minute and end_minute")
        if start is None or end is None:
            return self
        if end <= start:
            raise ValueError(f"end_minute: the window must end after it starts ({end} <= {start})")
        if self.shift_type is not None:
            raise ValueError("shift_type: a time-window preference names no shift type")
        if self.per_minute:
            raise ValueError("per_minute: a time-window preference cannot count per minute")
        return self

    def window(self) -> tuple[int, int]:
        """Absolute [start, end) minute of the window in the horizon (a window preference)."""
        base = self.day * MINUTES_PER_DAY
        return base + (self.start_minute or 0), base + (self.end_minute or MINUTES_PER_DAY)


class Assignment(_Model):
    """One worked shift: employee, day and shift type (and the skill worked, if it matters)."""

    employee: str
    day: NonNegInt
    shift_type: str
    skill: str | None = None

    def key(self) -> tuple[str, int]:
        return self.employee, self.day


RuleName = Literal[
    "one_shift_per_day",
    "unavailable_days",
    "pinned_assignments",
    "required_skill",
    "cover_bounds",
    "forbidden_successions",
    "min_rest",
    "max_shifts_per_type",
    "max_minutes_total",
    "min_minutes_total",
    "max_minutes_per_week",
    "min_minutes_per_week",
    "max_consecutive_days",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
]


class Weights(_Model):
    """Weights of the soft rules. Every penalty in the objective is one of these times a count."""

    under_cover: NonNegInt = Field(
        100, description="Per missing person on a shift (shift demand without its own weight)."
    )
    over_cover: NonNegInt = Field(
        10, description="Per surplus person on a shift (shift demand without its own weight)."
    )
    interval_under_cover: NonNegInt = Field(
        50, description="Per missing person per interval (interval demand without its own weight)."
    )
    interval_over_cover: NonNegInt = Field(
        5, description="Per surplus person per interval (interval demand without its own weight)."
    )
    preference: NonNegInt = Field(
        1, description="Multiplier on preference weights (before employee priority)."
    )
    fair_hours: NonNegInt = Field(
        0, description="Per hour of spread (max - min) of paid hours within a contract group."
    )
    fair_weekends: NonNegInt = Field(
        0, description="Per weekend of spread of worked weekends within a contract group."
    )
    fair_unpopular: NonNegInt = Field(
        0, description="Per shift of spread of unpopular shifts within a contract group."
    )
    balanced_shifts: NonNegInt = Field(
        0,
        description="Per unit of the sum over employees of (shift count)^2 - a convex "
        "load-balancing term, the quickstart's 'balance shift assignments'.",
    )
    reliable_cover: NonNegInt = Field(
        200, description="Per reliable person missing where demand asks for min_reliable."
    )
    labour_cost: NonNegInt = Field(
        0, description="Per currency unit of labour cost (paid hours x hourly cost, overtime)."
    )
    soft_rule: NonNegInt = Field(
        1000, description="Per unit of excess of a labour rule that was made soft (minutes, days)."
    )


def weekly_roster_weights() -> Weights:
    """Weights for a weekly service roster: a missing person costs more than the wage of the
    shift that would cover them, so cover comes first, then labour cost, then fairness and
    wishes (the service and the scenarios use these)."""
    return Weights(
        under_cover=1000,
        over_cover=20,
        interval_under_cover=100,
        interval_over_cover=2,
        preference=1,
        fair_hours=2,
        fair_weekends=20,
        fair_unpopular=20,
        labour_cost=1,
    )


class Rules(_Model):
    """Which labour rules are hard, and the soft weights."""

    soft_rules: list[RuleName] = Field(
        default_factory=list,
        description="Hard-by-default labour rules to treat as soft, penalised by weights.soft_rule "
        "per unit of excess. Only rules with a measurable excess can be softened.",
    )
    weights: Weights = Field(default_factory=Weights)
    reliable_at: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Reliability (observed turn-up rate) from which an employee counts as "
        "reliable; employees without attendance data never do.",
    )

    @model_validator(mode="after")
    def _check_softenable(self) -> Rules:
        fixed = {"one_shift_per_day", "required_skill", "pinned_assignments", "unavailable_days"}
        bad = sorted(set(self.soft_rules) & fixed)
        if bad:
            raise ValueError(f"soft_rules: {', '.join(bad)} cannot be made soft")
        return self


class Problem(_Model):
    """A complete rostering problem over a horizon of days."""

    name: str = Field("roster", description="A name for reports.")
    start_date: dt.date = Field(
        dt.date(2024, 1, 1), description="Calendar date of day 0 (weeks run Monday to Sunday)."
    )
    num_days: int = Field(gt=0, le=3 * 366, description="Length of the horizon in days.")
    shift_types: list[ShiftType] = Field(min_length=1)
    contracts: list[Contract] = Field(min_length=1)
    employees: list[Employee]
    shift_demand: list[ShiftDemand] = Field(default_factory=list)
    interval_demand: list[IntervalDemand] = Field(default_factory=list)
    preferences: list[Preference] = Field(default_factory=list)
    pinned: list[Assignment] = Field(
        default_factory=list, description="Assignments that must stay in any roster."
    )
    rules: Rules = Field(default_factory=Rules)
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="Free-form data that importers keep for a lossless round trip.",
    )

    # -- derived look-ups (cheap, recomputed on demand) -------------------------------------
    def shift_type_by_id(self) -> dict[str, ShiftType]:
        return {t.id: t for t in self.shift_types}

    def contract_by_id(self) -> dict[str, Contract]:
        return {c.id: c for c in self.contracts}

    def employee_by_id(self) -> dict[str, Employee]:
        return {e.id: e for e in self.employees}

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def weekday(self, day: int) -> int:
        """0 = Monday ... 6 = Sunday."""
        return self.date_of(day).weekday()

    def weeks(self) -> list[list[int]]:
        """Days grouped by calendar week (Monday to Sunday); the edge weeks may be partial."""
        weeks: list[list[int]] = []
        for day in range(self.num_days):
            if not weeks or self.weekday(day) == 0:
                weeks.append([])
            weeks[-1].append(day)
        return weeks

    def weekends(self) -> list[list[int]]:
        """Days of each Saturday/Sunday weekend that falls (at least partly) in the horizon."""
        weekends: dict[int, list[int]] = {}
        for day in range(self.num_days):
            if self.weekday(day) >= 5:
                monday = day - self.weekday(day)
                weekends.setdefault(monday, []).append(day)
        return list(weekends.values())

    @model_validator(mode="after")
    def _check_references(self) -> Problem:
        _check_unique("shift_types", (t.id for t in self.shift_types))
        _check_unique("contracts", (c.id for c in self.contracts))
        _check_unique("employees", (e.id for e in self.employees))
        types = {t.id for t in self.shift_types}
        contracts = {c.id for c in self.contracts}
        employees = {e.id for e in self.employees}
        days = self.num_days

        for i, t in enumerate(self.shift_types):
            for j, other in enumerate(t.cannot_be_followed_by):
                _check_ref(f"shift_types[{i}].cannot_be_followed_by[{j}]", other, types)
        for i, c in enumerate(self.contracts):
            for type_id in c.max_shifts_per_type:
                _check_ref(f"contracts[{i}].max_shifts_per_type", type_id, types)
        for i, e in enumerate(self.employees):
            _check_ref(f"employees[{i}].contract", e.contract, contracts)
            for j, day in enumerate(e.unavailable_days):
                _check_day(f"employees[{i}].unavailable_days[{j}]", day, days)
        seen_cover: set[tuple[int, str, str | None]] = set()
        for i, d in enumerate(self.shift_demand):
            _check_day(f"shift_demand[{i}].day", d.day, days)
            _check_ref(f"shift_demand[{i}].shift_type", d.shift_type, types)
            key = (d.day, d.shift_type, d.skill)
            if key in seen_cover:
                raise ValueError(
                    f"shift_demand[{i}]: a second line for day {d.day}, shift type "
                    f"{d.shift_type!r}, skill {d.skill!r}; merge them into one"
                )
            seen_cover.add(key)
        if self.interval_demand and any(t.start_minute is None for t in self.shift_types):
            raise ValueError(
                "interval_demand needs every shift type to have a start_minute, so that shifts "
                "can be matched to intervals"
            )
        for i, interval in enumerate(self.interval_demand):
            _check_day(f"interval_demand[{i}].day", interval.day, days)
        for i, p in enumerate(self.preferences):
            _check_ref(f"preferences[{i}].employee", p.employee, employees)
            _check_day(f"preferences[{i}].day", p.day, days)
            if p.shift_type is not None:
                _check_ref(f"preferences[{i}].shift_type", p.shift_type, types)
        for i, a in enumerate(self.pinned):
            _check_assignment(f"pinned[{i}]", a, employees, types, days)
        return self


class SolverSettings(_Model):
    """How long and how hard to search."""

    time_limit: float = Field(10.0, gt=0, description="Wall-clock seconds for the whole solve.")
    workers: int = Field(2, ge=1, le=64, description="CP-SAT search workers (threads).")
    seed: int = Field(0, ge=0, description="Random seed; the same seed repeats a run's choices.")
    relative_gap: float = Field(
        0.0, ge=0.0, le=1.0, description="Stop once (objective - bound) / objective is below this."
    )
    strategy: Literal["auto", "cp-sat", "lns", "colgen"] = Field(
        "auto",
        description="'cp-sat': one CP-SAT call; 'lns': CP-SAT start then large-neighbourhood "
        "search over windows of days and groups of employees; 'colgen': column generation over "
        "individual schedules (a strong lower bound), an integer master over them, then LNS; "
        "'auto' picks by problem size.",
    )
    log_search: bool = Field(False, description="Send CP-SAT's search log to the logger.")


Status = Literal["optimal", "feasible", "infeasible", "unknown", "model_invalid"]


class RuleScore(_Model):
    """How one rule fared in a roster."""

    rule: str = Field(description="Rule id, e.g. 'under_cover'.")
    label: str = Field(description="The rule in a scheduling manager's words.")
    hard: bool
    violations: int = Field(description="Count of violating units (people, minutes, days ...).")
    penalty: int = Field(description="Contribution to the objective (0 for hard rules).")


class Conflict(_Model):
    """One reason a problem has no roster, in business terms."""

    rule: str
    label: str
    employees: list[str] = Field(default_factory=list)
    days: list[int] = Field(default_factory=list)
    message: str


class Solution(_Model):
    """A roster and what the solver knows about it."""

    status: Status
    assignments: list[Assignment] = Field(default_factory=list)
    objective: int | None = Field(None, description="Objective of the roster (lower is better).")
    best_bound: int | None = Field(None, description="Proven lower bound on the objective.")
    gap: float | None = Field(None, description="(objective - bound) / max(1, |objective|).")
    breakdown: list[RuleScore] = Field(default_factory=list)
    hard_violations: int = Field(0, description="Hard-rule violations the validator found.")
    conflicts: list[Conflict] = Field(
        default_factory=list, description="For an infeasible problem: which rules conflict."
    )
    wall_time: float = Field(0.0, description="Seconds spent solving.")
    solver_version: str = ""
    problem_name: str | None = None
    problem: Problem | None = Field(
        None,
        description="The problem this roster solves, when embedded (the CLI embeds it), so that "
        "a solution file can be validated and exported on its own.",
    )


# -- helpers for validators -------------------------------------------------------------------
def _check_unique(field: str, ids: Iterable[str]) -> None:
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    if duplicates:
        raise ValueError(f"{field}: duplicate id(s) {', '.join(map(repr, sorted(duplicates)))}")


def _check_ref(field: str, value: str, known: set[str]) -> None:
    if value not in known:
        raise ValueError(f"{field}: unknown id {value!r}")


def _check_day(field: str, day: int, num_days: int) -> None:
    if not 0 <= day < num_days:
        raise ValueError(f"{field}: day {day} is outside the horizon 0..{num_days - 1}")


def _check_assignment(
    field: str, a: Assignment, employees: set[str], types: set[str], num_days: int
) -> None:
    _check_ref(f"{field}.employee", a.employee, employees)
    _check_ref(f"{field}.shift_type", a.shift_type, types)
    _check_day(f"{field}.day", a.day, num_days)
