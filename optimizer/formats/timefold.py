"""The Timefold employee-scheduling quickstart's JSON: import, export of a roster, and its score.

`read_timefold` turns the quickstart's REST JSON into a `Problem`, `write_timefold` fills a roster
back into that JSON, and `score_timefold` scores a solved JSON by the quickstart's own rules,
without the optimizer's model or validator, so that benchmark figures can be checked on their own.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from optimizer.schema import (
    MINUTES_PER_DAY,
    Assignment,
    Contract,
    Employee,
    Preference,
    Problem,
    Rules,
    ShiftDemand,
    ShiftType,
    Weights,
)

_logger = logging.getLogger(__name__)

META_KEY = "timefold"
"""Key in `Problem.meta` under which the importer keeps what a lossless export needs."""

CONTRACT_ID = "quickstart"
MIN_REST_MINUTES = 600
_DATE_FIELDS = ("unavailableDates", "undesiredDates", "desiredDates")


# -- the quickstart's JSON shape --------------------------------------------------------------
class _QuickstartModel(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class QuickstartEmployee(_QuickstartModel):
    """An employee as the quickstart serves it (names are the ids)."""

    name: str = Field(min_length=1, description="Unique name; the quickstart's planning id.")
    skills: list[str] = Field(default_factory=list, description="Skills held.")
    unavailable_dates: list[dt.date] = Field(
        default_factory=list, description="Dates on which no shift may touch (hard)."
    )
    undesired_dates: list[dt.date] = Field(
        default_factory=list, description="Dates whose worked minutes cost one soft point each."
    )
    desired_dates: list[dt.date] = Field(
        default_factory=list, description="Dates whose worked minutes earn one soft point each."
    )


class QuickstartShift(_QuickstartModel):
    """A concrete shift, with the employee assigned to it (the whole employee, or a name)."""

    id: str = Field(min_length=1, description="Unique shift id.")
    start: dt.datetime = Field(description="Local start date and time.")
    end: dt.datetime = Field(description="Local end date and time.")
    location: str = Field(description="Where the shift is worked.")
    required_skill: str = Field(description="Skill the assigned employee must hold.")
    employee: QuickstartEmployee | str | None = Field(
        None, description="The assigned employee: its full record (as served) or its name."
    )

    @model_validator(mode="after")
    def _check_times(self) -> QuickstartShift:
        for name in ("start", "end"):
            moment = getattr(self, name)
            if moment.tzinfo is not None:
                raise ValueError(f"{name} {moment} has a time zone; the quickstart's are local")
            if moment.second or moment.microsecond:
                raise ValueError(f"{name} {moment} is not on a whole minute")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self

    @property
    def employee_name(self) -> str | None:
        if isinstance(self.employee, QuickstartEmployee):
            return self.employee.name
        return self.employee


class QuickstartSchedule(_QuickstartModel):
    """The quickstart's `EmployeeSchedule`: employees, shifts, and the score as a string."""

    employees: list[QuickstartEmployee]
    shifts: list[QuickstartShift]
    score: str | None = Field(None, description="As served, e.g. '0hard/-12.5soft'.")
    solver_status: str | None = Field(None, description="As served, e.g. 'NOT_SOLVING'.")

    @model_validator(mode="after")
    def _check_ids(self) -> QuickstartSchedule:
        for what, ids in (
            ("employees", [e.name for e in self.employees]),
            ("shifts", [s.id for s in self.shifts]),
        ):
            duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
            if duplicates:
                raise ValueError(f"{what}: duplicate id(s) {', '.join(map(repr, duplicates))}")
        names = {e.name for e in self.employees}
        for i, shift in enumerate(self.shifts):
            name = shift.employee_name
            if name is not None and name not in names:
                raise ValueError(f"shifts[{i}].employee: {name!r} is not in employees")
        return self


def parse_quickstart(data: Mapping[str, Any]) -> QuickstartSchedule:
    """Validate the quickstart's JSON; errors name the offending field."""
    if not isinstance(data, Mapping):
        raise ValueError("expected the quickstart's JSON object (employees, shifts)")
    return QuickstartSchedule.model_validate(data)


# -- import -----------------------------------------------------------------------------------
def read_timefold(data: Mapping[str, Any], name: str = "timefold-quickstart") -> Problem:
    """The quickstart's data set as a `Problem` whose rules are the quickstart's.

    The horizon runs from the Monday on or before the first shift's date to the last date a
    shift starts on (one day longer if a shift running past midnight touches a date some employee
    lists). Concrete shifts with the same day, time, location and skill become one demand line
    with min = max = required = number of shifts, which makes cover hard; their ids are kept in
    `shift_ids`. Dates outside the horizon and the original order of the shifts are kept in
    `Problem.meta["timefold"]`, so that `write_timefold` gives the same JSON back.
    """
    schedule = parse_quickstart(data)
    if not schedule.shifts:
        raise ValueError("shifts: empty; the horizon is taken from the shifts")
    start_date, num_days = _horizon(schedule)
    shift_types, type_of = _shift_types(schedule.shifts)
    last_day = num_days - 1

    def day_of(date: dt.date) -> int | None:
        day = (date - start_date).days
        return day if 0 <= day <= last_day else None

    employees, preferences, outside = [], [], {}
    for e in schedule.employees:
        employee, wishes, far = _employee_from_record(e, day_of)
        employees.append(employee)
        preferences += wishes
        if far:
            outside[e.name] = far

    problem = Problem(
        name=name,
        start_date=start_date,
        num_days=num_days,
        shift_types=shift_types,
        contracts=[Contract(id=CONTRACT_ID, min_rest_minutes=MIN_REST_MINUTES)],
        employees=employees,
        shift_demand=_demand_lines(schedule.shifts, type_of, shift_types, start_date),
        preferences=preferences,
        rules=Rules(weights=Weights(balanced_shifts=1)),
        meta={
            META_KEY: {
                "shift_order": [s.id for s in schedule.shifts],
                "dates_outside_horizon": outside,
                "score": schedule.score,
                "solverStatus": schedule.solver_status,
            }
        },
    )
    _logger.debug(
        "read quickstart data: %d employees, %d shifts as %d demand lines over %d days",
        len(problem.employees),
        len(schedule.shifts),
        len(problem.shift_demand),
        problem.num_days,
    )
    return problem


def _dates(e: QuickstartEmployee) -> dict[str, list[dt.date]]:
    """The employee's three date lists under their JSON names."""
    return {
        "unavailableDates": e.unavailable_dates,
        "undesiredDates": e.undesired_dates,
        "desiredDates": e.desired_dates,
    }


def _employee_from_record(
    e: QuickstartEmployee, day_of: Callable[[dt.date], int | None]
) -> tuple[Employee, list[Preference], dict[str, list[str]]]:
    """(employee, per-minute wishes, dates outside the horizon by JSON field) of one record."""
    dates = _dates(e)
    days = {
        field: sorted({d for d in map(day_of, listed) if d is not None})
        for field, listed in dates.items()
    }
    employee = Employee(
        id=e.name,
        contract=CONTRACT_ID,
        skills=list(e.skills),
        unavailable_days=days["unavailableDates"],
    )
    kinds: tuple[tuple[str, Literal["avoid", "want"]], ...] = (
        ("undesiredDates", "avoid"),
        ("desiredDates", "want"),
    )
    wishes = [
        Preference(employee=e.name, day=day, kind=kind, weight=1, per_minute=True)
        for field, kind in kinds
        for day in days[field]
    ]
    far = {
        field: [d.isoformat() for d in listed if day_of(d) is None]
        for field, listed in dates.items()
    }
    return employee, wishes, {field: listed for field, listed in far.items() if listed}


def _horizon(schedule: QuickstartSchedule) -> tuple[dt.date, int]:
    """(Monday on or before the first shift date, number of days up to the last one needed)."""
    first = min(s.start.date() for s in schedule.shifts)
    last = max(s.start.date() for s in schedule.shifts)
    monday = first - dt.timedelta(days=first.weekday())
    listed = {d for e in schedule.employees for dates in _dates(e).values() for d in dates}
    touched_later = {
        d
        for s in schedule.shifts
        for d in _dates_touched(s.start, s.end)
        if d > last and d in listed
    }
    if touched_later:
        last = max(touched_later)
    return monday, (last - monday).days + 1


def _dates_touched(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """Calendar dates holding at least one minute of [start, end)."""
    dates, date = [], start.date()
    while dt.datetime.combine(date, dt.time()) < end:
        dates.append(date)
        date += dt.timedelta(days=1)
    return dates


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "shift"


def _clock(minute: int, separator: str = "") -> str:
    """Wall-clock time of a minute offset: 1320 -> '2200' (or '22:00'); wraps past midnight."""
    minute %= MINUTES_PER_DAY
    return f"{minute // 60:02d}{separator}{minute % 60:02d}"


def _shift_types(
    shifts: list[QuickstartShift],
) -> tuple[list[ShiftType], dict[tuple[int, int, str], str]]:
    """One shift type per (start time, length, location), with ids like 'surgery-0600-1400'."""
    keys = sorted(
        {(_minute_of_day(s.start), _minutes(s.end - s.start), s.location) for s in shifts},
        key=lambda k: (k[2], k[0], k[1]),
    )
    types, type_of, used = [], {}, set()
    for start, duration, location in keys:
        base = f"{_slug(location)}-{_clock(start)}-{_clock(start + duration)}"
        type_id, n = base, 1
        while type_id in used:
            n += 1
            type_id = f"{base}-{n}"
        used.add(type_id)
        type_of[(start, duration, location)] = type_id
        end = start + duration
        label = f"{location} {_clock(start, ':')}-{_clock(end, ':')}"
        types.append(
            ShiftType(
                id=type_id,
                name=label,
                start_minute=start,
                duration_minutes=duration,
                location=location,
            )
        )
    return types, type_of


def _minute_of_day(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _demand_lines(
    shifts: list[QuickstartShift],
    type_of: dict[tuple[int, int, str], str],
    shift_types: list[ShiftType],
    start_date: dt.date,
) -> list[ShiftDemand]:
    """Shifts merged by (day, shift type, skill) into hard demand lines carrying their ids."""
    groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for s in shifts:
        type_id = type_of[(_minute_of_day(s.start), _minutes(s.end - s.start), s.location)]
        day = (s.start.date() - start_date).days
        groups[(day, type_id, s.required_skill)].append(s.id)
    order = {t.id: i for i, t in enumerate(shift_types)}
    return [
        ShiftDemand(
            day=day,
            shift_type=type_id,
            skill=skill,
            required=len(ids),
            minimum=len(ids),
            maximum=len(ids),
            shift_ids=ids,
        )
        for (day, type_id, skill), ids in sorted(
            groups.items(), key=lambda item: (item[0][0], order[item[0][1]], item[0][2])
        )
    ]


def timefold_assignments(data: Mapping[str, Any], problem: Problem) -> list[Assignment]:
    """The employees already on the shifts of a quickstart JSON, as assignments of `problem`.

    `problem` is the import of the same data set (`read_timefold`); shifts are found by id.
    """
    schedule = parse_quickstart(data)
    line_of = {sid: d for d in problem.shift_demand for sid in d.shift_ids}
    assignments = []
    for i, shift in enumerate(schedule.shifts):
        name = shift.employee_name
        if name is None:
            continue
        line = line_of.get(shift.id)
        if line is None:
            raise ValueError(f"shifts[{i}]: shift id {shift.id!r} is not in the problem")
        assignments.append(
            Assignment(employee=name, day=line.day, shift_type=line.shift_type, skill=line.skill)
        )
    return assignments


# -- export -----------------------------------------------------------------------------------
def write_timefold(problem: Problem, assignments: Iterable[Assignment]) -> dict[str, Any]:
    """The quickstart's JSON for `problem`, with each shift's `employee` filled from the roster.

    Each shift's `employee` is the employee's full record, as the quickstart's REST API serves
    it. Assignments on (day, shift type, skill) take that demand line's `shift_ids` in order,
    employees in problem order; an assignment without a skill takes the first line of its day
    and shift type with a free shift, preferring one whose skill the employee holds. With a
    roster, `score` is the quickstart's score of it (`score_timefold`); without, the imported
    score and solver status are kept.
    """
    assignments = list(assignments)
    meta = problem.meta.get(META_KEY, {})
    types = problem.shift_type_by_id()
    employees = {e.id: _employee_record(problem, e, meta) for e in problem.employees}
    concrete = _concrete_shifts(problem, types)
    filled = _match_assignments(problem, assignments, concrete)

    order = {sid: i for i, sid in enumerate(meta.get("shift_order", []))}
    ids = sorted(concrete, key=lambda sid: order.get(sid, len(order)))  # stable: demand order
    shifts = []
    for sid in ids:
        day, type_id, skill = concrete[sid]
        start = dt.datetime.combine(problem.date_of(day), dt.time()) + dt.timedelta(
            minutes=types[type_id].start_minute or 0
        )
        end = start + dt.timedelta(minutes=types[type_id].duration_minutes)
        employee = filled.get(sid)
        shifts.append(
            {
                "id": sid,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "location": types[type_id].location or "",
                "requiredSkill": skill,
                "employee": copy.deepcopy(employees[employee]) if employee is not None else None,
            }
        )
    result: dict[str, Any] = {
        "employees": list(employees.values()),
        "shifts": shifts,
        "score": meta.get("score"),
        "solverStatus": meta.get("solverStatus"),
    }
    if assignments:
        result["score"] = str(score_timefold(result))
        result["solverStatus"] = "NOT_SOLVING"
    return result


def _employee_record(problem: Problem, employee: Employee, meta: Mapping[str, Any]) -> dict:
    """The quickstart's record of one employee: in-horizon dates from the problem, others kept."""
    far = meta.get("dates_outside_horizon", {}).get(employee.id, {})
    inside = {
        "unavailableDates": set(employee.unavailable_days),
        "undesiredDates": set(),
        "desiredDates": set(),
    }
    for p in problem.preferences:
        if p.employee != employee.id:
            continue
        if not p.per_minute:
            _logger.warning(
                "preference of %s on day %d is not per minute: the quickstart has no place "
                "for it; left out",
                p.employee,
                p.day,
            )
            continue
        inside["undesiredDates" if p.kind == "avoid" else "desiredDates"].add(p.day)
    record: dict[str, Any] = {"name": employee.id, "skills": list(employee.skills)}
    for field in _DATE_FIELDS:
        dates = {problem.date_of(day).isoformat() for day in inside[field]}
        record[field] = sorted(dates | set(far.get(field, [])))
    return record


def _concrete_shifts(
    problem: Problem, types: Mapping[str, ShiftType]
) -> dict[str, tuple[int, str, str]]:
    """Shift id -> (day, shift type, skill) for every shift the demand stands for."""
    concrete: dict[str, tuple[int, str, str]] = {}
    for i, d in enumerate(problem.shift_demand):
        if types[d.shift_type].start_minute is None:
            raise ValueError(
                f"shift type {d.shift_type!r} has no start_minute: the quickstart's shifts need "
                "a start time"
            )
        if d.skill is None:
            raise ValueError(
                f"shift_demand[{i}] has no skill: each of the quickstart's shifts needs a "
                "requiredSkill"
            )
        ids = d.shift_ids or [f"{d.shift_type}-{d.day}-{d.skill}-{k}" for k in range(d.required)]
        for sid in ids:
            if sid in concrete:
                raise ValueError(f"shift_demand[{i}]: shift id {sid!r} is used twice")
            concrete[sid] = (d.day, d.shift_type, d.skill)
    return concrete


def _match_assignments(
    problem: Problem,
    assignments: list[Assignment],
    concrete: Mapping[str, tuple[int, str, str]],
) -> dict[str, str]:
    """Shift id -> employee, in a deterministic order (skilled assignments first)."""
    free: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for sid, line in concrete.items():
        free[line].append(sid)
    lines_of: dict[tuple[int, str], list[str]] = defaultdict(list)
    for day, type_id, skill in free:
        lines_of[(day, type_id)].append(skill)
    rank = {e.id: i for i, e in enumerate(problem.employees)}
    skills = {e.id: set(e.skills) for e in problem.employees}
    for a in assignments:
        if a.employee not in rank:
            raise ValueError(f"assignment to unknown employee {a.employee!r}")
    ordered = sorted(
        assignments,
        key=lambda a: (a.skill is None, rank[a.employee], a.day, a.shift_type, a.skill or ""),
    )
    filled: dict[str, str] = {}
    for a in ordered:
        taken = _open_line(a, free, lines_of, skills[a.employee])
        if taken is None:
            raise ValueError(
                f"assignment of {a.employee!r} on day {a.day} to shift type {a.shift_type!r}"
                f"{'' if a.skill is None else f' (skill {a.skill!r})'} has no open shift left"
            )
        filled[free[taken].pop(0)] = a.employee
    return filled


def _open_line(
    a: Assignment,
    free: Mapping[tuple[int, str, str], list[str]],
    lines_of: Mapping[tuple[int, str], list[str]],
    held_skills: set[str],
) -> tuple[int, str, str] | None:
    """The demand line (day, shift type, skill) with a free shift that this assignment takes."""
    if a.skill is not None:
        key = (a.day, a.shift_type, a.skill)
        return key if free.get(key) else None
    open_skills = [
        s for s in lines_of.get((a.day, a.shift_type), []) if free[(a.day, a.shift_type, s)]
    ]
    held = [s for s in open_skills if s in held_skills]
    for skill in held + open_skills:
        return a.day, a.shift_type, skill
    return None


# -- the quickstart's score -------------------------------------------------------------------
class TimefoldScore(BaseModel):
    """A quickstart score: hard (0 = feasible) and soft (higher is better), per constraint."""

    hard: int = Field(description="Sum of hard penalties (negative, or 0 when feasible).")
    soft: float = Field(description="Desired minus undesired minutes minus unfairness.")
    constraints: dict[str, float] = Field(
        default_factory=dict,
        description="Each constraint's contribution, by the quickstart's constraint names.",
    )

    def __str__(self) -> str:
        soft = f"{self.soft:.6f}".rstrip("0").rstrip(".")
        return f"{self.hard}hard/{soft}soft"


def score_timefold(data: Mapping[str, Any]) -> TimefoldScore:
    """Score a solved quickstart JSON by the quickstart's rules, from the JSON alone.

    Hard: -1 per shift whose employee lacks its skill; -overlap minutes per pair of overlapping
    shifts of one employee; -(600 - gap) per ordered pair of one employee's shifts whose gap is
    under 10 hours; -1 per pair of one employee's shifts starting on the same date; -minutes of a
    shift inside each of its employee's unavailable dates; -1 per shift with no employee.
    Soft: -minutes on undesired dates, +minutes on desired dates, and minus the unfairness
    sqrt(sum over all employees of (shift count - mean)^2).
    """
    schedule = parse_quickstart(data)
    employees = {e.name: e for e in schedule.employees}
    by_employee: dict[str, list[QuickstartShift]] = defaultdict(list)
    unassigned = 0
    for shift in schedule.shifts:
        name = shift.employee_name
        if name is None:
            unassigned += 1
        else:
            by_employee[name].append(shift)

    hard = {
        "Unassigned shift": -unassigned,
        "Missing required skill": -sum(
            1
            for name, shifts in by_employee.items()
            for s in shifts
            if s.required_skill not in employees[name].skills
        ),
        "Overlapping shift": 0,
        "At least 10 hours between 2 shifts": 0,
        "Max one shift per day": 0,
        "Unavailable employee": 0,
    }
    soft = {
        "Undesired day for employee": 0.0,
        "Desired day for employee": 0.0,
        "Balance employee shift assignments": -_unfairness(
            [len(by_employee.get(name, [])) for name in employees]
        ),
    }
    for name, shifts in by_employee.items():
        employee = employees[name]
        hard["Overlapping shift"] -= _overlap_minutes(shifts)
        hard["At least 10 hours between 2 shifts"] -= _short_rest_minutes(shifts)
        hard["Max one shift per day"] -= _same_date_pairs(shifts)
        hard["Unavailable employee"] -= _minutes_on(shifts, employee.unavailable_dates)
        soft["Undesired day for employee"] -= _minutes_on(shifts, employee.undesired_dates)
        soft["Desired day for employee"] += _minutes_on(shifts, employee.desired_dates)
    return TimefoldScore(
        hard=sum(hard.values()),
        soft=math.fsum(soft.values()),
        constraints={**{k: float(v) for k, v in hard.items()}, **soft},
    )


def _overlap_minutes(shifts: list[QuickstartShift]) -> int:
    total = 0
    for i, a in enumerate(shifts):
        for b in shifts[i + 1 :]:
            if a.start < b.end and b.start < a.end:
                total += _minutes(min(a.end, b.end) - max(a.start, b.start))
    return total


def _short_rest_minutes(shifts: list[QuickstartShift]) -> int:
    """Sum of (600 - gap) over ordered pairs (first ends before second starts) under 10 h apart."""
    total = 0
    for first in shifts:
        for second in shifts:
            if first is second or first.end > second.start:
                continue
            gap = second.start - first.end
            if gap.total_seconds() // 3600 < 10:
                total += MIN_REST_MINUTES - _minutes(gap)
    return total


def _same_date_pairs(shifts: list[QuickstartShift]) -> int:
    per_date = Counter(s.start.date() for s in shifts)
    return sum(n * (n - 1) // 2 for n in per_date.values())


def _minutes_on(shifts: list[QuickstartShift], dates: Iterable[dt.date]) -> int:
    """Minutes of the shifts that fall inside the given calendar dates (each date once)."""
    total = 0
    for date in set(dates):
        day_start = dt.datetime.combine(date, dt.time())
        day_end = day_start + dt.timedelta(days=1)
        for s in shifts:
            overlap = min(s.end, day_end) - max(s.start, day_start)
            if overlap > dt.timedelta(0):
                total += _minutes(overlap)
    return total


def _unfairness(counts: list[int]) -> float:
    if not counts:
        return 0.0
    mean = sum(counts) / len(counts)
    return math.sqrt(math.fsum((n - mean) ** 2 for n in counts))
