"""The rules an employee request is checked against the moment it is made: weekly hour limit,
rest between shifts, consecutive working days, leave balance and already-published rosters.

Each check returns a `Refusal` naming the rule and the numbers, or None when the request fits.

A weekly wish ("late shift on Wednesdays") that puts the employee on a shift is checked like a
dated one on each of its days from the next one (after the department's today) to the end of
the department's last planned week, draft or published; the refusal names the first day that
breaks a rule. A published week does not refuse it: the wish counts from the week's next plan.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.models import Employee, EmployeeRequest, LabourRules, Leave, Roster, ShiftTemplate
from api.problem_builder import DEFAULT_MAX_MINUTES_PER_WEEK, DEFAULT_MIN_REST_MINUTES
from api.schemas import WEEKDAY_NAMES
from api.time_windows import covering_template, window_label
from api.time_zones import department_zone, local_date

_logger = logging.getLogger(__name__)

WORKING_KINDS = ("flexible", "overtime")
MINUTES_PER_DAY = 1440
AROUND = dt.timedelta(days=14)  # planned shifts this far either side matter to the checks
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Refusal:
    """Why a request cannot be accepted: the rule it breaks and a sentence with the numbers."""

    rule: str
    message: str


@dataclass(frozen=True)
class PlannedShift:
    """A shift the employee is already set to work (rostered, or a wish already accepted)."""

    date: dt.date
    template: ShiftTemplate

    @property
    def start(self) -> int:
        """Minutes since 1970-01-01 local time, to measure rest across midnight."""
        epoch_day = (self.date - dt.date(1970, 1, 1)).days
        return epoch_day * MINUTES_PER_DAY + self.template.start_minute

    @property
    def end(self) -> int:
        return self.start + self.template.duration_minutes


def hours(minutes: int) -> str:
    """Minutes as hours the way people say them: 44 h, 7.5 h."""
    value = minutes / 60
    return f"{value:g} h" if value == int(value) else f"{value:.1f} h"


def day_count(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


def week_of(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=date.weekday())


def wants_to_work(request: EmployeeRequest) -> bool:
    """Requests that would put the employee on a shift (so hour and rest rules apply): a named
    shift, or a wanted time window (worked as the shortest shift that covers it)."""
    if request.shift_template_id is None and request.start_minute is None:
        return False
    return request.kind in WORKING_KINDS or (
        request.kind == "preference" and request.wish == "want"
    )


def shift_implied_by(
    request: EmployeeRequest, templates: dict[int, ShiftTemplate]
) -> ShiftTemplate | None:
    """The shift a request to work would be worked as: the one it names, else the shortest
    one covering its time window."""
    if request.shift_template_id is not None:
        return templates.get(request.shift_template_id)
    if request.start_minute is None or request.end_minute is None:
        return None
    return covering_template(templates.values(), request.start_minute, request.end_minute)


def labour_rules_of(session: Session, employee: Employee) -> LabourRules | None:
    return session.scalar(
        select(LabourRules).where(LabourRules.department_id == employee.department_id)
    )


def weekly_limit_of(employee: Employee, rules: LabourRules | None) -> int:
    """The employee's weekly cap in minutes: their own, else the department's, else 40 h."""
    if employee.max_minutes_per_week is not None:
        return employee.max_minutes_per_week
    if rules is not None and rules.max_minutes_per_week is not None:
        return rules.max_minutes_per_week
    return DEFAULT_MAX_MINUTES_PER_WEEK


def templates_of(session: Session, employee: Employee) -> dict[int, ShiftTemplate]:
    return {
        t.id: t
        for t in session.scalars(
            select(ShiftTemplate).where(ShiftTemplate.department_id == employee.department_id)
        )
    }


def uncovered_window(request: EmployeeRequest) -> Refusal | None:
    """A wanted window that no shift covers cannot be rostered: say so, naming the window."""
    if request.start_minute is None or request.end_minute is None:
        return None
    window = window_label(request.start_minute, request.end_minute)
    when = (
        request.start_date.isoformat()
        if request.weekday is None
        else f"{WEEKDAY_NAMES[request.weekday]}s"
    )
    return Refusal(
        "time window",
        f"no shift of your department covers {window} on {when}; "
        "ask for a window inside one shift, or for the shift itself",
    )


def next_occurrence(session: Session, employee: Employee, weekday: int) -> dt.date:
    """The first day after today (on the department's calendar) that falls on the weekday."""
    today = local_date(dt.datetime.now(dt.UTC), department_zone(session, employee.department_id))
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def weekly_dates(session: Session, employee: Employee, weekday: int) -> list[dt.date]:
    """The days a weekly wish is checked for: its next occurrence, and each later one up to the
    end of the department's last planned week (a roster, draft or published)."""
    first = next_occurrence(session, employee, weekday)
    last_week = session.scalar(
        select(func.max(Roster.week_start)).where(Roster.department_id == employee.department_id)
    )
    last = first if last_week is None else max(first, last_week + dt.timedelta(days=6))
    return [first + k * WEEK for k in range((last - first).days // 7 + 1)]


def wish_dates(request: EmployeeRequest, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days between two dates a request asks for: its date, or (a weekly wish) each day of
    its weekday from its start_date on."""
    if request.weekday is None:
        return [request.start_date] if first <= request.start_date <= last else []
    date = max(first, request.start_date)
    date += dt.timedelta(days=(request.weekday - date.weekday()) % 7)
    dates = []
    while date <= last:
        dates.append(date)
        date += WEEK
    return dates


def planned_shifts(
    session: Session,
    employee: Employee,
    first: dt.date,
    last: dt.date,
    leave_out: int | None = None,
) -> dict[dt.date, PlannedShift]:
    """Shifts the employee works between two dates: the current rosters, overlaid with
    accepted and approved wishes to work (a wish replaces the rostered shift of its day; a
    weekly wish each of its days, a dated wish its own day even over a weekly one)."""
    templates = templates_of(session, employee)
    by_code = {t.code: t for t in templates.values()}
    shifts: dict[dt.date, PlannedShift] = {}
    rosters = session.scalars(
        select(Roster).where(
            Roster.department_id == employee.department_id,
            Roster.week_start >= week_of(first),
            Roster.week_start <= last,
        )
    )
    for roster in rosters:
        for item in roster.assignments or []:
            if item.get("employee") != str(employee.id) or item.get("shift_type") not in by_code:
                continue
            date = roster.week_start + dt.timedelta(days=int(item["day"]))
            if first <= date <= last:
                shifts[date] = PlannedShift(date, by_code[item["shift_type"]])
    requests = session.scalars(
        select(EmployeeRequest).where(
            EmployeeRequest.employee_id == employee.id,
            EmployeeRequest.status.in_(("pending", "approved")),
            EmployeeRequest.start_date <= last,
            or_(EmployeeRequest.weekday.is_not(None), EmployeeRequest.start_date >= first),
        )
    )
    wishes = [r for r in requests if r.id != leave_out and wants_to_work(r)]
    for request in sorted(wishes, key=lambda r: (r.weekday is None, r.id)):
        template = shift_implied_by(request, templates)
        if template is None:
            continue
        for date in wish_dates(request, first, last):
            shifts[date] = PlannedShift(date, template)
    return shifts


def check_published_roster(session: Session, employee: Employee, request: EmployeeRequest):
    """A week whose roster is published is settled: changes go through the manager."""
    week = week_of(request.start_date)
    while week <= request.end_date:
        status = session.scalar(
            select(Roster.status).where(
                Roster.department_id == employee.department_id, Roster.week_start == week
            )
        )
        if status == "published":
            return Refusal(
                "published roster",
                f"the roster for the week of {week.isoformat()} is already published; "
                "ask your manager to change it",
            )
        week += dt.timedelta(days=7)
    return None


def check_weekly_hours(
    employee: Employee, rules: LabourRules | None, wanted: PlannedShift, planned: dict
) -> Refusal | None:
    """The week's shifts plus the wished one must stay within the weekly hour limit."""
    week = week_of(wanted.date)
    days = {week + dt.timedelta(days=d) for d in range(7)}
    minutes = wanted.template.duration_minutes + sum(
        shift.template.duration_minutes
        for date, shift in planned.items()
        if date in days and date != wanted.date
    )
    limit = weekly_limit_of(employee, rules)
    if minutes > limit:
        return Refusal(
            "weekly hour limit",
            f"this would bring your week to {hours(minutes)}; the limit is {hours(limit)}",
        )
    return None


def check_rest(rules: LabourRules | None, wanted: PlannedShift, planned: dict) -> Refusal | None:
    """The wished shift must leave the minimum rest to the shifts of the days around it."""
    minimum = DEFAULT_MIN_REST_MINUTES
    if rules is not None and rules.min_rest_minutes is not None:
        minimum = rules.min_rest_minutes
    for offset in (-1, 1):
        other = planned.get(wanted.date + dt.timedelta(days=offset))
        if other is None:
            continue
        rest = wanted.start - other.end if offset < 0 else other.start - wanted.end
        if rest < minimum:
            return Refusal(
                "rest between shifts",
                f"this would leave {hours(rest)} of rest next to your {other.template.name} "
                f"shift on {other.date.isoformat()}; the minimum is {hours(minimum)}",
            )
    return None


def check_consecutive_days(
    rules: LabourRules | None, wanted: PlannedShift, planned: dict
) -> Refusal | None:
    """The wished shift must not make a run of working days longer than the rules allow."""
    if rules is None or rules.max_consecutive_days is None:
        return None
    run = 1
    for step in (-1, 1):
        date = wanted.date + dt.timedelta(days=step)
        while date in planned:
            run += 1
            date += dt.timedelta(days=step)
    if run > rules.max_consecutive_days:
        return Refusal(
            "consecutive working days",
            f"this would make {run} working days in a row; "
            f"the limit is {rules.max_consecutive_days}",
        )
    return None


def leave_days(first: dt.date, last: dt.date, year: int) -> int:
    """Working days (Monday to Friday) of a leave period that fall in a calendar year."""
    days = 0
    date = max(first, dt.date(year, 1, 1))
    while date <= min(last, dt.date(year, 12, 31)):
        days += date.weekday() < 5
        date += dt.timedelta(days=1)
    return days


def check_leave_balance(session: Session, employee: Employee, request: EmployeeRequest):
    """Vacation taken, approved and asked for in a year must fit the employee's own annual
    allowance."""
    for year in range(request.start_date.year, request.end_date.year + 1):
        wanted = leave_days(request.start_date, request.end_date, year)
        taken = sum(
            leave_days(item.start_date, item.end_date, year)
            for item in session.scalars(
                select(Leave).where(Leave.employee_id == employee.id, Leave.kind == "vacation")
            )
        )
        asked = sum(
            leave_days(item.start_date, item.end_date, year)
            for item in session.scalars(
                select(EmployeeRequest).where(
                    EmployeeRequest.employee_id == employee.id,
                    EmployeeRequest.kind == "leave",
                    EmployeeRequest.status == "pending",
                    EmployeeRequest.id != (request.id or 0),
                )
            )
        )
        allowance = employee.annual_leave_days
        left = allowance - taken - asked
        if wanted > left:
            return Refusal(
                "leave balance",
                f"this leave needs {day_count(wanted)} but only {max(left, 0)} of your "
                f"{allowance} days for {year} are left",
            )
    return None


def labour_refusal(
    employee: Employee, rules: LabourRules | None, wanted: PlannedShift, planned: dict
) -> Refusal | None:
    """The first labour rule a wished shift breaks next to the planned ones."""
    for refusal in (
        check_weekly_hours(employee, rules, wanted, planned),
        check_rest(rules, wanted, planned),
        check_consecutive_days(rules, wanted, planned),
    ):
        if refusal is not None:
            return refusal
    return None


def check_weekly_wish(session: Session, employee: Employee, request: EmployeeRequest):
    """A wish for every week: an avoided day, shift or window, or a whole day wanted, needs no
    check; a wanted shift or window is checked on each day of `weekly_dates`, and the first day
    that breaks a rule is named."""
    if not wants_to_work(request) or request.weekday is None:
        return None
    template = shift_implied_by(request, templates_of(session, employee))
    if template is None:
        return uncovered_window(request)
    dates = weekly_dates(session, employee, request.weekday)
    planned = planned_shifts(session, employee, dates[0] - AROUND, dates[-1] + AROUND, request.id)
    rules = labour_rules_of(session, employee)
    for date in dates:
        refusal = labour_refusal(employee, rules, PlannedShift(date, template), planned)
        if refusal is not None:
            day = f"{WEEKDAY_NAMES[date.weekday()]} {date.isoformat()}"
            return Refusal(refusal.rule, f"on {day}, {refusal.message}")
    return None


def first_refusal(session: Session, employee: Employee, request: EmployeeRequest) -> Refusal | None:
    """Every rule that applies to the request, in order; the first one it breaks."""
    if request.weekday is not None:
        return check_weekly_wish(session, employee, request)
    refusal = check_published_roster(session, employee, request)
    if refusal is not None:
        return refusal
    if request.kind == "leave":
        return check_leave_balance(session, employee, request)
    if not wants_to_work(request):
        return None
    template = shift_implied_by(request, templates_of(session, employee))
    if template is None:
        return uncovered_window(request)
    wanted = PlannedShift(request.start_date, template)
    planned = planned_shifts(
        session, employee, request.start_date - AROUND, request.start_date + AROUND, request.id
    )
    return labour_refusal(employee, labour_rules_of(session, employee), wanted, planned)
