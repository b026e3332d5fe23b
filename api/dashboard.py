"""The weekly HR dashboard's figures: goal completion by department and employee, cover against
demand per slot, cost and overtime, turn-up per slot, preference satisfaction, and how
attendance and goal completion go together.

Every section is a list of flat rows, so that each can also be exported as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.attendance import attendance_book, turn_up_by_employee, turn_up_by_slot
from api.feedback import WEEKDAYS
from api.models import Demand, Department, Employee, LabourRules, Roster, ShiftTemplate, WeeklyGoal
from api.performance import goal_completion, policy_of, preference_outcomes, tier_of

_logger = logging.getLogger(__name__)

CORRELATION_WEEKS = 13
SECTIONS = ("goals", "coverage", "cost", "attendance", "preferences")


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation of two equally long series; None when it is undefined."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 3)


def goal_rows(session: Session, department: Department, week: dt.date) -> list[dict[str, Any]]:
    """Each employee's goal completion of the week, with their tier."""
    policy = policy_of(session, department.id)
    people = {
        e.id: e
        for e in session.scalars(select(Employee).where(Employee.department_id == department.id))
    }
    goals: dict[int, list[WeeklyGoal]] = defaultdict(list)
    for goal in session.scalars(
        select(WeeklyGoal).where(
            WeeklyGoal.employee_id.in_(list(people)), WeeklyGoal.week_start == week
        )
    ):
        goals[goal.employee_id].append(goal)
    rows = []
    for employee_id, items in sorted(goals.items()):
        completion = goal_completion(items)
        rows.append(
            {
                "department": department.name,
                "employee_id": employee_id,
                "employee": people[employee_id].name,
                "completion": round(completion, 3) if completion is not None else None,
                "tier": tier_of(completion, policy),
            }
        )
    return rows


def coverage_rows(session: Session, department: Department, week: dt.date) -> list[dict]:
    """People rostered against people required, per day and shift of the week's demand."""
    roster = session.scalar(
        select(Roster).where(Roster.department_id == department.id, Roster.week_start == week)
    )
    rostered: dict[tuple[int, str], int] = defaultdict(int)
    for item in roster.assignments if roster is not None else []:
        rostered[(int(item["day"]), item["shift_type"])] += 1
    codes = {
        t.id: t.code
        for t in session.scalars(
            select(ShiftTemplate).where(ShiftTemplate.department_id == department.id)
        )
    }
    required: dict[tuple[int, str], int] = defaultdict(int)
    for line in session.scalars(
        select(Demand).where(
            Demand.department_id == department.id,
            Demand.date >= week,
            Demand.date < week + dt.timedelta(days=7),
            Demand.shift_template_id.is_not(None),
        )
    ):
        required[((line.date - week).days, codes.get(line.shift_template_id or 0, "?"))] += (
            line.required
        )
    rows = []
    for day, code in sorted(set(required) | set(rostered)):
        need, have = required.get((day, code), 0), rostered.get((day, code), 0)
        rows.append(
            {
                "department": department.name,
                "date": (week + dt.timedelta(days=day)).isoformat(),
                "shift": code,
                "required": need,
                "rostered": have,
                "gap": have - need,
            }
        )
    return rows


def cost_rows(session: Session, department: Department, week: dt.date) -> list[dict]:
    """Paid hours, wage cost and overtime of the week's roster, per department."""
    roster = session.scalar(
        select(Roster).where(Roster.department_id == department.id, Roster.week_start == week)
    )
    rules = session.scalar(select(LabourRules).where(LabourRules.department_id == department.id))
    minutes_of = {
        t.code: t.duration_minutes
        for t in session.scalars(
            select(ShiftTemplate).where(ShiftTemplate.department_id == department.id)
        )
    }
    people = {
        str(e.id): e
        for e in session.scalars(select(Employee).where(Employee.department_id == department.id))
    }
    worked: dict[str, int] = defaultdict(int)
    for item in roster.assignments if roster is not None else []:
        worked[item["employee"]] += minutes_of.get(item["shift_type"], 0)
    threshold = rules.overtime_after_minutes_per_week if rules is not None else None
    rate = rules.overtime_rate if rules is not None else 1.5
    cost = overtime = 0.0
    for employee_id, minutes in worked.items():
        wage = people[employee_id].hourly_cost if employee_id in people else 0.0
        extra = max(0, minutes - threshold) if threshold is not None else 0
        cost += wage * ((minutes - extra) + extra * rate) / 60
        overtime += extra / 60
    return [
        {
            "department": department.name,
            "hours": round(sum(worked.values()) / 60, 1),
            "cost": round(cost, 2),
            "overtime_hours": round(overtime, 1),
        }
    ]


def attendance_rows(session: Session, department: Department, week: dt.date) -> list[dict]:
    """Turn-up per weekday and shift in the week, over the shifts that have ended."""
    now = dt.datetime.now(dt.UTC)
    book = attendance_book(session, department.id, week, week + dt.timedelta(days=6), as_of=now)
    return [
        {
            "department": department.name,
            "weekday": WEEKDAYS[weekday],
            "shift": code,
            "window": slot.window,
            "rostered": slot.rostered,
            "turned_up": slot.turned_up,
            "rate": round(slot.rate, 3),
        }
        for (weekday, code), slot in sorted(turn_up_by_slot(book).items())
    ]


def preference_rows(session: Session, department: Department, week: dt.date) -> list[dict]:
    """How many wishes the week's roster honoured."""
    roster = session.scalar(
        select(Roster).where(Roster.department_id == department.id, Roster.week_start == week)
    )
    outcomes = preference_outcomes(roster.problem or {}, roster.assignments or []) if roster else []
    honoured = sum(o["honoured"] for o in outcomes)
    return [
        {
            "department": department.name,
            "wishes": len(outcomes),
            "honoured": honoured,
            "rate": round(honoured / len(outcomes), 3) if outcomes else None,
        }
    ]


def attendance_goal_correlation(
    session: Session, departments: list[Department], week: dt.date
) -> dict[str, Any]:
    """Across employees, over the weeks up to `week`: turn-up rate against goal completion."""
    first = week - dt.timedelta(weeks=CORRELATION_WEEKS - 1)
    xs, ys = [], []
    for department in departments:
        last = week + dt.timedelta(days=6)
        book = attendance_book(session, department.id, first, last, as_of=dt.datetime.now(dt.UTC))
        turn_up = turn_up_by_employee(book)
        goals: dict[int, list[WeeklyGoal]] = defaultdict(list)
        for goal in session.scalars(
            select(WeeklyGoal).where(
                WeeklyGoal.employee_id.in_(list(turn_up)),
                WeeklyGoal.week_start >= first,
                WeeklyGoal.week_start <= week,
            )
        ):
            goals[goal.employee_id].append(goal)
        for employee_id, record in turn_up.items():
            completion = goal_completion(goals.get(employee_id, []))
            if completion is not None and record.rostered:
                xs.append(record.rate)
                ys.append(completion)
    return {
        "weeks": CORRELATION_WEEKS,
        "employees": len(xs),
        "pearson_r": pearson(xs, ys),
    }


def weekly_dashboard(
    session: Session, departments: list[Department], week: dt.date
) -> dict[str, Any]:
    """Every section of the weekly dashboard for the given departments."""
    builders = {
        "goals": goal_rows,
        "coverage": coverage_rows,
        "cost": cost_rows,
        "attendance": attendance_rows,
        "preferences": preference_rows,
    }
    result: dict[str, Any] = {"week": week.isoformat()}
    for section, build in builders.items():
        result[section] = [row for d in departments for row in build(session, d, week)]
    by_department = defaultdict(list)
    for row in result["goals"]:
        if row["completion"] is not None:
            by_department[row["department"]].append(row["completion"])
    result["goals_by_department"] = [
        {
            "department": name,
            "employees": len(values),
            "completion": round(sum(values) / len(values), 3),
        }
        for name, values in sorted(by_department.items())
    ]
    result["attendance_goal_correlation"] = attendance_goal_correlation(session, departments, week)
    return result


def rows_as_csv(rows: list[dict[str, Any]]) -> str:
    """Flat rows as CSV with a header (an empty section gives an empty file)."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
