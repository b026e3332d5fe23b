"""Build the optimizer's `Problem` for one department and week from the stored data.

Shift templates become shift types, the department's labour rules become contracts (one per
weekly cap, so part-timers keep theirs), demand lines become shift or interval demand, leave
becomes unavailable days, and pinned roster lines become `Problem.pinned`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feedback import apply_attendance_feedback
from api.models import (
    Demand,
    Department,
    Employee,
    LabourRules,
    Leave,
    Preference,
    Roster,
    ShiftTemplate,
)
from api.performance import apply_performance_priority
from optimizer.schema import (
    Assignment,
    Contract,
    IntervalDemand,
    Problem,
    Rules,
    ShiftDemand,
    ShiftType,
    weekly_roster_weights,
)
from optimizer.schema import Employee as PlannedEmployee
from optimizer.schema import Preference as PlannedPreference

_logger = logging.getLogger(__name__)

DAYS_PER_WEEK = 7
DEFAULT_MAX_MINUTES_PER_WEEK = 2400
DEFAULT_MIN_REST_MINUTES = 660
UNPOPULAR_KINDS = ("evening", "night")


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=d) for d in range(DAYS_PER_WEEK)]


def shift_types_of(templates: list[ShiftTemplate]) -> list[ShiftType]:
    """Shift templates as the optimizer's shift types."""
    return [
        ShiftType(
            id=t.code,
            name=t.name,
            start_minute=t.start_minute,
            duration_minutes=t.duration_minutes,
            unpopular=t.unpopular,
            flexible=t.flexible,
        )
        for t in templates
    ]


def contract_id_for(employee: Employee, rules: LabourRules | None) -> str:
    """Employees share a contract unless their weekly cap differs from the department's."""
    if employee.max_minutes_per_week is None:
        return "standard"
    return f"up-to-{employee.max_minutes_per_week}-min"


def contracts_of(employees: list[Employee], rules: LabourRules | None) -> list[Contract]:
    """The department's labour rules, once for the standard cap and once per part-time cap."""
    weekly_cap = DEFAULT_MAX_MINUTES_PER_WEEK
    min_rest = DEFAULT_MIN_REST_MINUTES
    extra: dict[str, object] = {}
    if rules is not None:
        weekly_cap = rules.max_minutes_per_week
        min_rest = rules.min_rest_minutes
        extra = {
            "max_consecutive_days": rules.max_consecutive_days,
            "min_consecutive_days_off": rules.min_consecutive_days_off,
            "max_weekends": rules.max_weekends,
            "overtime_after_minutes_per_week": rules.overtime_after_minutes_per_week,
            "overtime_rate": rules.overtime_rate,
        }
    weekly_min = rules.min_minutes_per_week if rules is not None else None
    caps: dict[str, int | None] = {"standard": weekly_cap}
    for employee in employees:
        if employee.max_minutes_per_week is not None:
            caps[contract_id_for(employee, rules)] = employee.max_minutes_per_week
    contracts = []
    for contract_id, cap in caps.items():
        minimum = weekly_min if weekly_min is None or cap is None else min(weekly_min, cap)
        contracts.append(
            Contract(
                id=contract_id,
                max_minutes_per_week=cap,
                min_minutes_per_week=minimum,
                min_rest_minutes=min_rest,
                **extra,
            )
        )
    return contracts


def unavailable_days_of(leave: list[Leave], week_start: dt.date) -> list[int]:
    """Days of the week an employee is on leave."""
    days = set()
    for day, date in enumerate(week_days(week_start)):
        if any(item.start_date <= date <= item.end_date for item in leave):
            days.add(day)
    return sorted(days)


def demand_of(
    lines: list[Demand], codes: dict[int, str], week_start: dt.date
) -> tuple[list[ShiftDemand], list[IntervalDemand]]:
    """Stored demand lines as shift demand (per template) and interval demand."""
    per_shift: dict[tuple[int, str, str | None], int] = defaultdict(int)
    per_interval: dict[tuple[int, int, int, str | None], int] = defaultdict(int)
    for line in lines:
        day = (line.date - week_start).days
        if line.shift_template_id is not None:
            code = codes.get(line.shift_template_id)
            if code is not None:
                per_shift[(day, code, line.skill)] += line.required
        elif line.start_minute is not None:
            length = line.length_minutes or 30
            per_interval[(day, line.start_minute, length, line.skill)] += line.required
    shift_demand = [
        ShiftDemand(day=day, shift_type=code, skill=skill, required=required)
        for (day, code, skill), required in sorted(per_shift.items(), key=str)
    ]
    interval_demand = [
        IntervalDemand(
            day=day, start_minute=start, length_minutes=length, skill=skill, required=required
        )
        for (day, start, length, skill), required in sorted(per_interval.items(), key=str)
    ]
    return shift_demand, interval_demand


def preferences_of(
    preferences: list[Preference], codes: dict[int, str], week_start: dt.date
) -> list[PlannedPreference]:
    """Wishes dated inside the week, and weekly wishes repeated on their weekday (a time window
    kept as minutes after the day's midnight)."""
    planned = []
    end = week_start + dt.timedelta(days=DAYS_PER_WEEK)
    for pref in preferences:
        if pref.date is not None:
            if not week_start <= pref.date < end:
                continue
            day = (pref.date - week_start).days
        elif pref.weekday is not None:
            day = pref.weekday
        else:
            continue
        shift = None
        if pref.shift_template_id is not None:
            shift = codes.get(pref.shift_template_id)
            if shift is None:
                continue
        planned.append(
            PlannedPreference(
                employee=str(pref.employee_id),
                day=day,
                shift_type=shift,
                kind=pref.kind,
                weight=pref.weight,
                start_minute=pref.start_minute,
                end_minute=pref.end_minute,
            )
        )
    return planned


def pinned_of(stored: list | None, employees: set[str], codes: set[str]) -> list[Assignment]:
    """Pinned lines of the week's current roster that still make sense."""
    pinned = []
    for item in stored or []:
        assignment = Assignment.model_validate(item)
        if assignment.employee in employees and assignment.shift_type in codes:
            pinned.append(assignment)
    return pinned


def build_week_problem(session: Session, department_id: int, week_start: dt.date) -> Problem:
    """The optimizer problem for a department's week; ValueError says what is missing."""
    department = session.get(Department, department_id)
    if department is None:
        raise ValueError(f"department_id: department {department_id} does not exist")
    templates = list(
        session.scalars(
            select(ShiftTemplate)
            .where(ShiftTemplate.department_id == department_id)
            .order_by(ShiftTemplate.start_minute, ShiftTemplate.id)
        )
    )
    if not templates:
        raise ValueError(f"department_id: {department.name} has no shift templates yet")
    employees = list(
        session.scalars(
            select(Employee)
            .where(Employee.department_id == department_id, Employee.active.is_(True))
            .order_by(Employee.id)
        )
    )
    end = week_start + dt.timedelta(days=DAYS_PER_WEEK)
    demand = list(
        session.scalars(
            select(Demand).where(
                Demand.department_id == department_id,
                Demand.date >= week_start,
                Demand.date < end,
            )
        )
    )
    if not demand:
        raise ValueError(
            f"week: {department.name} has no demand for the week of {week_start}; "
            "upload demand for it first"
        )
    rules = session.scalar(select(LabourRules).where(LabourRules.department_id == department_id))
    employee_ids = [e.id for e in employees]
    leave_by_employee: dict[int, list[Leave]] = defaultdict(list)
    for item in session.scalars(
        select(Leave).where(
            Leave.employee_id.in_(employee_ids),
            Leave.start_date < end,
            Leave.end_date >= week_start,
        )
    ):
        leave_by_employee[item.employee_id].append(item)
    preferences = list(
        session.scalars(select(Preference).where(Preference.employee_id.in_(employee_ids)))
    )
    stored_pins = session.scalar(
        select(Roster.pinned).where(
            Roster.department_id == department_id, Roster.week_start == week_start
        )
    )
    codes = {t.id: t.code for t in templates}
    shift_demand, interval_demand = demand_of(demand, codes, week_start)
    planned_employees = [
        PlannedEmployee(
            id=str(e.id),
            name=e.name,
            contract=contract_id_for(e, rules),
            skills=list(e.skills or []),
            unavailable_days=unavailable_days_of(leave_by_employee[e.id], week_start),
            priority=e.priority,
            hourly_cost=e.hourly_cost,
        )
        for e in employees
    ]
    problem = Problem(
        name=f"{department.name}, week of {week_start.isoformat()}",
        start_date=week_start,
        num_days=DAYS_PER_WEEK,
        shift_types=shift_types_of(templates),
        contracts=contracts_of(employees, rules),
        employees=planned_employees,
        shift_demand=shift_demand,
        interval_demand=interval_demand,
        preferences=preferences_of(preferences, codes, week_start),
        pinned=pinned_of(stored_pins, {str(i) for i in employee_ids}, set(codes.values())),
        rules=Rules(weights=weekly_roster_weights()),
        meta={"department_id": department_id, "week_start": week_start.isoformat()},
    )
    apply_attendance_feedback(session, problem, department_id, week_start)
    apply_performance_priority(session, problem, department_id, week_start)
    _logger.info(
        "built %s: %d employees, %d shift types, %d shift and %d interval demand lines",
        problem.name,
        len(problem.employees),
        len(problem.shift_types),
        len(shift_demand),
        len(interval_demand),
    )
    return problem


def warm_start_of(session: Session, department_id: int, week_start: dt.date) -> list[Assignment]:
    """The week's current roster, as a hint for the next solve."""
    stored = session.scalar(
        select(Roster.assignments).where(
            Roster.department_id == department_id, Roster.week_start == week_start
        )
    )
    return [Assignment.model_validate(item) for item in stored or []]
