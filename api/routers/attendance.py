"""Attendance: clock-in/out events (one by one or a CSV file), who is in today, late arrivals,
no-shows, overtime and turn-up rates, and the attendance feedback a roster was built with.

Planners record and read their department's attendance; employees may clock themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.access import (
    get_department,
    get_employee_for,
    require_department_planner,
    require_staff_planner,
)
from api.attendance import (
    attendance_book,
    events_of,
    parse_attendance_csv,
    turn_up_by_slot,
)
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.feedback import WEEKDAYS
from api.feedback_schemas import (
    AttendanceEventIn,
    AttendanceEventPublic,
    ImportResult,
    RejectedRow,
)
from api.models import AttendanceEvent, Employee, User
from api.roster_book import get_roster
from api.schemas import PathId, PlanDate
from api.time_zones import department_zone, local_date

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["attendance"])

DepartmentQuery = Annotated[int, Query(ge=1, description="The department.")]


class PresenceLine(BaseModel):
    employee_id: int
    shift: str | None = Field(description="Rostered shift code, None when not rostered today.")
    window: str | None = Field(description="Rostered time slot, e.g. 14:00-22:00.")
    clock_in: dt.datetime | None = Field(description="First clock-in, in the department's zone.")
    state: str = Field(description="in, late, not clocked in, or in without a rostered shift.")


class LateArrival(BaseModel):
    employee_id: int
    date: dt.date
    shift: str
    minutes_late: int


class NoShow(BaseModel):
    employee_id: int
    date: dt.date
    shift: str


class OvertimeLine(BaseModel):
    employee_id: int
    week: dt.date = Field(description="Monday of the week.")
    rostered_hours: float
    worked_hours: float
    overtime_hours: float = Field(description="Clocked hours beyond the rostered ones.")


class TurnUpLine(BaseModel):
    weekday: int = Field(description="0 = Monday ... 6 = Sunday.")
    shift: str
    window: str
    rostered: int
    turned_up: int
    rate: float
    label: str = Field(description='For people, e.g. "Wed late 14:00-22:00: 70%".')


class AttendanceReport(BaseModel):
    department_id: int
    first: dt.date
    last: dt.date
    rostered_shifts: int
    turn_up_rate: float
    late_arrivals: list[LateArrival]
    no_shows: list[NoShow]
    overtime: list[OvertimeLine]
    turn_up_by_slot: list[TurnUpLine]


def store_event(session: SessionDep, user: User, event: AttendanceEventIn) -> AttendanceEvent:
    """One event, if the user may record it for that employee."""
    get_employee_for(user, session, event.employee_id)
    stored = AttendanceEvent(**event.model_dump())
    session.add(stored)
    return stored


@router.post(
    "/attendance/events",
    response_model=list[AttendanceEventPublic],
    status_code=status.HTTP_201_CREATED,
)
def record_events(
    body: list[AttendanceEventIn], session: SessionDep, user: CurrentUser
) -> list[AttendanceEvent]:
    """Record clock-ins and clock-outs (planners for their staff, employees for themselves)."""
    stored = [store_event(session, user, event) for event in body]
    session.commit()
    return stored


@router.post("/attendance/import", response_model=ImportResult)
def import_events(
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV: employee_id,kind,at[,source].")],
) -> ImportResult:
    """Import a clock file: good rows are kept, bad rows come back with their line numbers."""
    require_staff_planner(user)
    try:
        text = file.file.read().decode("utf-8-sig")
        rows, rejected = parse_attendance_csv(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise unprocessable("file", str(exc).partition(": ")[2] or str(exc)) from None
    accepted = 0
    for line, event in rows:
        try:
            store_event(session, user, event)
            accepted += 1
        except HTTPException as exc:
            rejected.append(RejectedRow(line=line, reason=f"employee_id: {exc.detail}"))
    session.commit()
    rejected.sort(key=lambda r: r.line)
    _logger.info("attendance import: %d rows kept, %d rejected", accepted, len(rejected))
    return ImportResult(accepted=accepted, rejected=rejected)


@router.get("/attendance/today", response_model=list[PresenceLine])
def who_is_in(
    department_id: DepartmentQuery,
    session: SessionDep,
    user: CurrentUser,
    date: Annotated[PlanDate | None, Query(description="The day; today if left out.")] = None,
) -> list[PresenceLine]:
    """Who is in on a day against the roster: rostered and clocked in, late, not in yet, and
    clocked in without a rostered shift. Days and clock times are the department's local ones."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    zone = department_zone(session, department_id)
    day = date or local_date(dt.datetime.now(dt.UTC), zone)
    book = attendance_book(session, department_id, day, day)
    lines = []
    for item in book.shifts:
        state = "not clocked in"
        if item.turned_up:
            state = "late" if item.minutes_late else "in"
        lines.append(
            PresenceLine(
                employee_id=item.shift.employee_id,
                shift=item.shift.template.code,
                window=item.shift.window,
                clock_in=item.clock_in.astimezone(zone) if item.clock_in else None,
                state=state,
            )
        )
    rostered = {line.employee_id for line in lines}
    staff = list(
        session.scalars(select(Employee.id).where(Employee.department_id == department_id))
    )
    for event in events_of(session, staff, day, day):
        if (
            event.kind == "in"
            and local_date(event.at, zone) == day
            and event.employee_id not in rostered
        ):
            rostered.add(event.employee_id)
            lines.append(
                PresenceLine(
                    employee_id=event.employee_id,
                    shift=None,
                    window=None,
                    clock_in=event.at.astimezone(zone),
                    state="in without a rostered shift",
                )
            )
    return lines


@router.get("/attendance/report", response_model=AttendanceReport)
def attendance_report(
    department_id: DepartmentQuery,
    first: Annotated[PlanDate, Query(description="First day of the period.")],
    last: Annotated[PlanDate, Query(description="Last day of the period.")],
    session: SessionDep,
    user: CurrentUser,
) -> AttendanceReport:
    """Late arrivals, no-shows, overtime per employee and week, and turn-up per slot."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    if last < first:
        raise unprocessable("last", f"{last} is before first ({first})")
    book = attendance_book(session, department_id, first, last, as_of=dt.datetime.now(dt.UTC))
    rostered: dict[tuple[int, dt.date], int] = {}
    for item in book.shifts:
        key = (item.shift.employee_id, item.shift.date - dt.timedelta(item.shift.date.weekday()))
        rostered[key] = rostered.get(key, 0) + item.shift.template.duration_minutes
    overtime = []
    for (employee_id, week), worked in sorted(book.worked_minutes.items()):
        extra = worked - rostered.get((employee_id, week), 0)
        if extra > 0 and first - dt.timedelta(days=6) <= week <= last:
            overtime.append(
                OvertimeLine(
                    employee_id=employee_id,
                    week=week,
                    rostered_hours=round(rostered.get((employee_id, week), 0) / 60, 2),
                    worked_hours=round(worked / 60, 2),
                    overtime_hours=round(extra / 60, 2),
                )
            )
    slots = [
        TurnUpLine(
            weekday=weekday,
            shift=code,
            window=slot.window,
            rostered=slot.rostered,
            turned_up=slot.turned_up,
            rate=round(slot.rate, 3),
            label=f"{WEEKDAYS[weekday]} {code} {slot.window}: {slot.rate:.0%}",
        )
        for (weekday, code), slot in sorted(turn_up_by_slot(book).items())
    ]
    turned_up = sum(item.turned_up for item in book.shifts)
    return AttendanceReport(
        department_id=department_id,
        first=first,
        last=last,
        rostered_shifts=len(book.shifts),
        turn_up_rate=round(turned_up / len(book.shifts), 3) if book.shifts else 1.0,
        late_arrivals=[
            LateArrival(
                employee_id=item.shift.employee_id,
                date=item.shift.date,
                shift=item.shift.template.code,
                minutes_late=item.minutes_late,
            )
            for item in book.shifts
            if item.minutes_late
        ],
        no_shows=[
            NoShow(
                employee_id=item.shift.employee_id,
                date=item.shift.date,
                shift=item.shift.template.code,
            )
            for item in book.shifts
            if not item.turned_up
        ],
        overtime=overtime,
        turn_up_by_slot=slots,
    )


@router.get("/rosters/{roster_id}/attendance-feedback")
def roster_attendance_feedback(roster_id: PathId, session: SessionDep, user: CurrentUser) -> dict:
    """Why the roster has the cover it has: slots raised for observed turn-up, and the
    reliability of each employee the solver was given."""
    roster = get_roster(session, roster_id)
    require_staff_planner(user)
    require_department_planner(user, roster.department_id)
    meta = (roster.problem or {}).get("meta", {})
    return meta.get("attendance_feedback") or {"raised_cover": [], "reliability": {}}
