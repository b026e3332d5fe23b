"""The Curtois & Qu (2014) employee shift scheduling benchmark's text format, read and written.

`read_curtois` turns an instance file into a `Problem` whose objective is exactly the benchmark's;
`write_curtois` writes a problem of that shape back, so that text -> problem -> text is lossless.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from optimizer.schema import (
    Contract,
    Employee,
    Preference,
    Problem,
    Rules,
    ShiftDemand,
    ShiftType,
)

_logger = logging.getLogger(__name__)

BENCHMARK_START_DATE = dt.date(2024, 1, 1)
"""Day 0 of every instance is a Monday; this Monday anchors the horizon in the calendar."""

BEST_KNOWN: dict[str, int] = {
    "Instance1": 607,
    "Instance2": 828,
    "Instance3": 1001,
    "Instance4": 1716,
    "Instance5": 1143,
    "Instance6": 1950,
    "Instance7": 1056,
    "Instance8": 1300,
    "Instance9": 439,
    "Instance10": 4631,
    "Instance11": 3443,
    "Instance12": 4040,
    "Instance13": 1348,
    "Instance14": 1278,
    "Instance16": 3225,
    "Instance18": 4459,
    "Instance20": 4769,
}
"""Best known objective values (upper bounds) of the public instances, from the benchmark."""

HORIZON = "SECTION_HORIZON"
SHIFTS = "SECTION_SHIFTS"
STAFF = "SECTION_STAFF"
DAYS_OFF = "SECTION_DAYS_OFF"
SHIFT_ON_REQUESTS = "SECTION_SHIFT_ON_REQUESTS"
SHIFT_OFF_REQUESTS = "SECTION_SHIFT_OFF_REQUESTS"
COVER = "SECTION_COVER"
SECTIONS = (
    HORIZON,
    SHIFTS,
    STAFF,
    DAYS_OFF,
    SHIFT_ON_REQUESTS,
    SHIFT_OFF_REQUESTS,
    COVER,
)
_REQUIRED_SECTIONS = (HORIZON, SHIFTS, STAFF)

_COLUMNS = {
    HORIZON: "number of days",
    SHIFTS: "ShiftID, LengthMins, ShiftsThatCannotFollow",
    STAFF: "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
    "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends",
    DAYS_OFF: "EmployeeID, day, day, ...",
    SHIFT_ON_REQUESTS: "EmployeeID, Day, ShiftID, Weight",
    SHIFT_OFF_REQUESTS: "EmployeeID, Day, ShiftID, Weight",
    COVER: "Day, ShiftID, Requirement, WeightUnder, WeightOver",
}

# Contract limits in the order of the SECTION_STAFF columns after MaxShifts.
_STAFF_LIMITS = (
    ("MaxTotalMinutes", "max_minutes_total"),
    ("MinTotalMinutes", "min_minutes_total"),
    ("MaxConsecutiveShifts", "max_consecutive_days"),
    ("MinConsecutiveShifts", "min_consecutive_days"),
    ("MinConsecutiveDaysOff", "min_consecutive_days_off"),
    ("MaxWeekends", "max_weekends"),
)


@dataclass
class _Line:
    """One data line of a section: its 1-based line number in the file and its fields."""

    section: str
    number: int
    fields: list[str]

    def error(self, reason: str) -> ValueError:
        return ValueError(f"{self.section} line {self.number}: {reason}")

    def expect_fields(self, count: int) -> None:
        if len(self.fields) != count:
            raise self.error(
                f"expected {count} comma-separated fields ({_COLUMNS[self.section]}), "
                f"got {len(self.fields)}"
            )

    def whole_number(self, index: int, what: str) -> int:
        text = self.fields[index]
        try:
            value = int(text)
        except ValueError:
            raise self.error(f"{what} {text!r} is not a whole number") from None
        if value < 0:
            raise self.error(f"{what} {value} is negative")
        return value


@dataclass
class _Instance:
    """What has been read so far, with the look-ups the later sections need."""

    num_days: int = 0
    shift_types: list[ShiftType] = field(default_factory=list)
    contracts: dict[tuple, Contract] = field(default_factory=dict)
    employees: list[Employee] = field(default_factory=list)
    preferences: list[Preference] = field(default_factory=list)
    cover: list[ShiftDemand] = field(default_factory=list)

    def known_shift_type(self, line: _Line, index: int) -> str:
        type_id = line.fields[index]
        if type_id not in {t.id for t in self.shift_types}:
            raise line.error(f"unknown shift type {type_id!r} (not in {SHIFTS})")
        return type_id

    def known_employee(self, line: _Line, index: int) -> Employee:
        employee_id = line.fields[index]
        for employee in self.employees:
            if employee.id == employee_id:
                return employee
        raise line.error(f"unknown employee {employee_id!r} (not in {STAFF})")

    def day_in_horizon(self, line: _Line, index: int, what: str = "day") -> int:
        day = line.whole_number(index, what)
        if day >= self.num_days:
            raise line.error(f"{what} {day} is outside the horizon 0..{self.num_days - 1}")
        return day


# -- reading ----------------------------------------------------------------------------------
def read_curtois(source: str | Path, name: str | None = None) -> Problem:
    """Read a benchmark instance from a path or from its text.

    A `str` holding a line break is taken as the text itself, any other `str` as a path. The
    problem is named `name`, else after the file (`Instance1`), else "roster". Errors name the
    section, the line number and the reason.
    """
    if isinstance(source, Path) or "\n" not in source:
        path = Path(source)
        text = path.read_text(encoding="utf-8")
        name = name or path.stem
    else:
        text = source
    sections = _split_sections(text)
    instance = _Instance()
    instance.num_days = _read_horizon(sections[HORIZON])
    instance.shift_types = _read_shift_types(sections[SHIFTS])
    _read_staff(sections[STAFF], instance)
    _read_days_off(sections.get(DAYS_OFF, []), instance)
    _read_requests(sections.get(SHIFT_ON_REQUESTS, []), instance, kind="want")
    _read_requests(sections.get(SHIFT_OFF_REQUESTS, []), instance, kind="avoid")
    _read_cover(sections.get(COVER, []), instance)
    problem = Problem(
        name=name or "roster",
        start_date=BENCHMARK_START_DATE,
        num_days=instance.num_days,
        shift_types=instance.shift_types,
        contracts=list(instance.contracts.values()),
        employees=instance.employees,
        shift_demand=instance.cover,
        preferences=instance.preferences,
        rules=Rules(),
    )
    _logger.debug(
        "read benchmark instance %s: %d days, %d shift types, %d employees",
        problem.name,
        problem.num_days,
        len(problem.shift_types),
        len(problem.employees),
    )
    return problem


def _split_sections(text: str) -> dict[str, list[_Line]]:
    """Group the data lines (not blank, not comments) under their SECTION_ headers."""
    sections: dict[str, list[_Line]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("SECTION_"):
            if stripped not in SECTIONS:
                raise ValueError(
                    f"line {number}: unknown section {stripped!r}; expected one of "
                    f"{', '.join(SECTIONS)}"
                )
            if stripped in sections:
                raise ValueError(f"line {number}: {stripped} appears a second time")
            current = stripped
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"line {number}: data before the first SECTION_ header")
        fields = [part.strip() for part in stripped.split(",")]
        sections[current].append(_Line(current, number, fields))
    for required in _REQUIRED_SECTIONS:
        if required not in sections:
            raise ValueError(f"{required} is missing: a benchmark instance needs it")
    return sections


def _read_horizon(lines: list[_Line]) -> int:
    if len(lines) != 1:
        where = f" (line {lines[1].number})" if len(lines) > 1 else ""
        raise ValueError(f"{HORIZON}: expected exactly one line, the number of days{where}")
    line = lines[0]
    line.expect_fields(1)
    days = line.whole_number(0, "number of days")
    if days == 0:
        raise line.error("the horizon must have at least one day")
    return days


def _read_shift_types(lines: list[_Line]) -> list[ShiftType]:
    if not lines:
        raise ValueError(f"{SHIFTS}: no shift types")
    ids = [line.fields[0] for line in lines]
    shift_types: list[ShiftType] = []
    for line in lines:
        if len(line.fields) == 2:
            line.fields.append("")  # no successor list, not even an empty one
        line.expect_fields(3)
        type_id = line.fields[0]
        if not type_id:
            raise line.error("empty ShiftID")
        if type_id in {t.id for t in shift_types}:
            raise line.error(f"shift type {type_id!r} is defined twice")
        duration = line.whole_number(1, "LengthMins")
        if duration == 0:
            raise line.error("LengthMins must be positive")
        followers = [f.strip() for f in line.fields[2].split("|") if f.strip()]
        for other in followers:
            if other not in ids:
                raise line.error(f"unknown shift type {other!r} in ShiftsThatCannotFollow")
        shift_types.append(
            ShiftType(id=type_id, duration_minutes=duration, cannot_be_followed_by=followers)
        )
    return shift_types


def _read_staff(lines: list[_Line], instance: _Instance) -> None:
    for line in lines:
        line.expect_fields(8)
        employee_id = line.fields[0]
        if not employee_id:
            raise line.error("empty employee ID")
        if employee_id in {e.id for e in instance.employees}:
            raise line.error(f"employee {employee_id!r} is listed twice")
        max_shifts = _read_max_shifts(line, instance)
        limits = {
            attr: line.whole_number(index, column)
            for index, (column, attr) in enumerate(_STAFF_LIMITS, start=2)
        }
        contract = _contract_for(instance, max_shifts, limits, line)
        instance.employees.append(Employee(id=employee_id, contract=contract.id))


def _read_max_shifts(line: _Line, instance: _Instance) -> dict[str, int]:
    """`E=28|L=0` -> {"E": 28, "L": 0}."""
    max_shifts: dict[str, int] = {}
    for item in line.fields[1].split("|"):
        item = item.strip()
        if not item:
            continue
        type_id, sep, count = item.partition("=")
        type_id = type_id.strip()
        if not sep:
            raise line.error(f"MaxShifts item {item!r} is not of the form ShiftID=number")
        if type_id not in {t.id for t in instance.shift_types}:
            raise line.error(f"unknown shift type {type_id!r} in MaxShifts")
        if type_id in max_shifts:
            raise line.error(f"shift type {type_id!r} appears twice in MaxShifts")
        try:
            max_shifts[type_id] = int(count)
        except ValueError:
            raise line.error(
                f"MaxShifts for {type_id!r}: {count!r} is not a whole number"
            ) from None
        if max_shifts[type_id] < 0:
            raise line.error(f"MaxShifts for {type_id!r} is negative")
    return max_shifts


def _contract_for(
    instance: _Instance, max_shifts: dict[str, int], limits: dict[str, int], line: _Line
) -> Contract:
    """The contract shared by every employee with exactly these limits (made on first use)."""
    key = (tuple(sorted(max_shifts.items())), tuple(sorted(limits.items())))
    if key not in instance.contracts:
        try:
            instance.contracts[key] = Contract(
                id=f"contract-{len(instance.contracts) + 1}",
                max_shifts_per_type=max_shifts,
                **limits,
            )
        except ValueError as exc:
            raise line.error(_first_error(exc)) from None
    return instance.contracts[key]


def _read_days_off(lines: list[_Line], instance: _Instance) -> None:
    for line in lines:
        while len(line.fields) > 1 and not line.fields[-1]:
            line.fields.pop()  # a trailing comma
        employee = instance.known_employee(line, 0)
        for index in range(1, len(line.fields)):
            employee.unavailable_days.append(instance.day_in_horizon(line, index))


def _read_requests(lines: list[_Line], instance: _Instance, kind: Literal["want", "avoid"]) -> None:
    for line in lines:
        line.expect_fields(4)
        employee = instance.known_employee(line, 0)
        day = instance.day_in_horizon(line, 1, "Day")
        shift_type = instance.known_shift_type(line, 2)
        weight = line.whole_number(3, "Weight")
        instance.preferences.append(
            Preference(
                employee=employee.id, day=day, shift_type=shift_type, kind=kind, weight=weight
            )
        )


def _read_cover(lines: list[_Line], instance: _Instance) -> None:
    seen: set[tuple[int, str]] = set()
    for line in lines:
        line.expect_fields(5)
        day = instance.day_in_horizon(line, 0, "Day")
        shift_type = instance.known_shift_type(line, 1)
        if (day, shift_type) in seen:
            raise line.error(f"a second cover line for day {day}, shift type {shift_type!r}")
        seen.add((day, shift_type))
        instance.cover.append(
            ShiftDemand(
                day=day,
                shift_type=shift_type,
                required=line.whole_number(2, "Requirement"),
                weight_under=line.whole_number(3, "WeightUnder"),
                weight_over=line.whole_number(4, "WeightOver"),
            )
        )


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        messages = [str(e.get("msg", "")) for e in errors()]
        if messages:
            return messages[0].removeprefix("Value error, ")
    return str(exc)


# -- writing ----------------------------------------------------------------------------------
def write_curtois(problem: Problem) -> str:
    """The problem as benchmark text; raises ValueError if it uses anything the format lacks.

    What the format has no place for but does not change the rules (names, contract ids, the
    calendar Monday of day 0) is not written; reading the text back gives contracts named
    `contract-1`, `contract-2`, ... in order of first use.
    """
    _check_expressible(problem)
    contracts = problem.contract_by_id()
    weights = problem.rules.weights
    out: list[str] = [
        "# Employee shift scheduling benchmark instance (Curtois & Qu format).",
        HORIZON,
        "# The horizon length in days:",
        str(problem.num_days),
        "",
        SHIFTS,
        "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated",
    ]
    out += [
        f"{t.id},{t.duration_minutes},{'|'.join(t.cannot_be_followed_by)}"
        for t in problem.shift_types
    ]
    out += ["", STAFF, "# " + _COLUMNS[STAFF]]
    for employee in problem.employees:
        contract = contracts[employee.contract]
        max_shifts = "|".join(f"{k}={v}" for k, v in contract.max_shifts_per_type.items())
        limits = [str(getattr(contract, attr)) for _, attr in _STAFF_LIMITS]
        out.append(",".join([employee.id, max_shifts, *limits]))
    out += ["", DAYS_OFF, "# EmployeeID, DayIndexes (start at zero)"]
    out += [
        ",".join([e.id, *map(str, e.unavailable_days)])
        for e in problem.employees
        if e.unavailable_days
    ]
    for section, kind in ((SHIFT_ON_REQUESTS, "want"), (SHIFT_OFF_REQUESTS, "avoid")):
        out += ["", section, "# EmployeeID, Day, ShiftID, Weight"]
        out += [
            f"{p.employee},{p.day},{p.shift_type},{p.weight}"
            for p in problem.preferences
            if p.kind == kind
        ]
    out += ["", COVER, "# Day, ShiftID, Requirement, Weight for under, Weight for over"]
    for d in problem.shift_demand:
        under = weights.under_cover if d.weight_under is None else d.weight_under
        over = weights.over_cover if d.weight_over is None else d.weight_over
        out.append(f"{d.day},{d.shift_type},{d.required},{under},{over}")
    return "\n".join(out) + "\n"


def _check_expressible(problem: Problem) -> None:
    """Raise ValueError listing every rule-bearing part of the problem the format cannot hold."""
    reasons = list(_inexpressible(problem))
    if reasons:
        shown = "; ".join(reasons[:8]) + ("; ..." if len(reasons) > 8 else "")
        raise ValueError(f"problem {problem.name!r} cannot be written as benchmark text: {shown}")


def _inexpressible(problem: Problem) -> Iterable[str]:
    if problem.start_date.weekday() != 0:
        yield f"start_date {problem.start_date} is not a Monday (day 0 of the format is)"
    for t in problem.shift_types:
        if t.start_minute is not None:
            yield f"shift type {t.id!r} has a start_minute (the format knows lengths only)"
    for c in problem.contracts:
        for attr in (
            "max_minutes_per_week",
            "min_minutes_per_week",
            "min_rest_minutes",
            "overtime_after_minutes_per_week",
        ):
            if getattr(c, attr) is not None:
                yield f"contract {c.id!r} sets {attr}"
        for _, attr in _STAFF_LIMITS:
            if getattr(c, attr) is None:
                yield f"contract {c.id!r} leaves {attr} open (the format needs a number)"
    for e in problem.employees:
        if e.skills:
            yield f"employee {e.id!r} has skills"
        if e.priority != 1.0:
            yield f"employee {e.id!r} has priority {e.priority}"
    for i, d in enumerate(problem.shift_demand):
        if d.skill is not None or d.minimum != 0 or d.maximum is not None or d.shift_ids:
            yield f"shift_demand[{i}] uses skill, minimum, maximum or shift_ids"
    if problem.interval_demand:
        yield "interval_demand is not part of the format"
    for i, p in enumerate(problem.preferences):
        if p.shift_type is None or p.per_minute:
            yield f"preferences[{i}] is not about one shift type on one day"
    if problem.pinned:
        yield "pinned assignments are not part of the format"
    rules = problem.rules
    if rules.soft_rules:
        yield f"soft_rules {rules.soft_rules} (every rule of the format is hard)"
    defaults = Rules().weights
    for name in (
        "preference",
        "fair_hours",
        "fair_weekends",
        "fair_unpopular",
        "balanced_shifts",
        "labour_cost",
    ):
        if getattr(rules.weights, name) != getattr(defaults, name):
            yield f"weights.{name} is {getattr(rules.weights, name)}, not {getattr(defaults, name)}"
