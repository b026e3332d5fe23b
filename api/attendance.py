"""Attendance against the roster: who turned up for which rostered shift, late arrivals,
no-shows, overtime per employee and week, and turn-up rates per weekday and shift.

Clock events are stored in UTC; shift times are wall-clock times of the department's time zone
(`api.time_zones`), turned into moments before they are compared. A rostered shift counts as
turned up when its employee clocked in between two hours before its start and its end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feedback_schemas import AttendanceEventIn, RejectedRow
from api.models import AttendanceEvent, Employee, Roster, ShiftTemplate
from api.time_zones import department_zone, local_date, local_moment

_logger = logging.getLogger(__name__)

LATE_GRACE_MINUTES = 5
EARLIEST_CLOCK_IN_MINUTES = 120
CSV_COLUMNS = ("employee_id", "kind", "at")
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class RosteredShift:
    """One shift of a roster, with its clock times."""

    employee_id: int
    date: dt.date
    template: ShiftTemplate
    zone: ZoneInfo = UTC_ZONE

    @property
    def start(self) -> dt.datetime:
        """The moment the shift starts (UTC)."""
        return local_moment(self.date, self.template.start_minute, self.zone)

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.template.duration_minutes)

    @property
    def window(self) -> str:
        """The shift's time slot as people write it, in local time: 20:00-22:00."""
        return f"{self.start.astimezone(self.zone):%H:%M}-{self.end.astimezone(self.zone):%H:%M}"


@dataclass
class ShiftAttendance:
    """What happened to one rostered shift: the first clock-in inside its window, if any."""

    shift: RosteredShift
    clock_in: dt.datetime | None

    @property
    def turned_up(self) -> bool:
        return self.clock_in is not None

    @property
    def minutes_late(self) -> int:
        if self.clock_in is None:
            return 0
        late = int((self.clock_in - self.shift.start).total_seconds() // 60)
        return late if late > LATE_GRACE_MINUTES else 0


@dataclass
class TurnUp:
    """Rostered shifts and how many of them were turned up for."""

    rostered: int = 0
    turned_up: int = 0
    window: str = ""

    @property
    def rate(self) -> float:
        return self.turned_up / self.rostered if self.rostered else 1.0


@dataclass
class AttendanceBook:
    """Every rostered shift of a period with its attendance, and the worked time per week."""

    shifts: list[ShiftAttendance] = field(default_factory=list)
    worked_minutes: dict[tuple[int, dt.date], int] = field(default_factory=dict)


def parse_attendance_csv(
    text: str,
) -> tuple[list[tuple[int, AttendanceEventIn]], list[RejectedRow]]:
    """Rows of `employee_id,kind,at[,source]`; bad rows come back with their line numbers."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"file: the header lacks the column(s) {', '.join(missing)}")
    good: list[tuple[int, AttendanceEventIn]] = []
    bad: list[RejectedRow] = []
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not values.get("source"):
            values["source"] = "import"
        try:
            good.append((line, AttendanceEventIn.model_validate(values)))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            bad.append(RejectedRow(line=line, reason=f"{where}: {message}" if where else message))
    return good, bad


def rostered_shifts(
    session: Session, department_id: int, first: dt.date, last: dt.date
) -> list[RosteredShift]:
    """Shifts of the department's current rosters that start between two dates."""
    zone = department_zone(session, department_id)
    templates = {
        t.code: t
        for t in session.scalars(
            select(ShiftTemplate).where(ShiftTemplate.department_id == department_id)
        )
    }
    shifts = []
    rosters = session.scalars(
        select(Roster).where(
            Roster.department_id == department_id,
            Roster.week_start >= first - dt.timedelta(days=6),
            Roster.week_start <= last,
        )
    )
    for roster in rosters:
        for item in roster.assignments or []:
            template = templates.get(item.get("shift_type"))
            date = roster.week_start + dt.timedelta(days=int(item["day"]))
            if template is not None and first <= date <= last:
                shifts.append(RosteredShift(int(item["employee"]), date, template, zone))
    return sorted(shifts, key=lambda s: (s.date, s.template.start_minute, s.employee_id))


def events_of(
    session: Session, employee_ids: list[int], first: dt.date, last: dt.date
) -> list[AttendanceEvent]:
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=2)
    return list(
        session.scalars(
            select(AttendanceEvent)
            .where(
                AttendanceEvent.employee_id.in_(employee_ids),
                AttendanceEvent.at >= start,
                AttendanceEvent.at < end,
            )
            .order_by(AttendanceEvent.at, AttendanceEvent.id)
        )
    )


def worked_minutes_per_week(
    events: list[AttendanceEvent], zone: ZoneInfo = UTC_ZONE
) -> dict[tuple[int, dt.date], int]:
    """Clocked time per employee and local week (Monday), pairing each clock-in with the next
    clock-out."""
    worked: dict[tuple[int, dt.date], int] = defaultdict(int)
    open_since: dict[int, dt.datetime] = {}
    for event in events:
        if event.kind == "in":
            open_since[event.employee_id] = event.at
        elif event.employee_id in open_since:
            since = open_since.pop(event.employee_id)
            day = local_date(since, zone)
            monday = day - dt.timedelta(days=day.weekday())
            worked[(event.employee_id, monday)] += int((event.at - since).total_seconds() // 60)
    return dict(worked)


def attendance_book(
    session: Session,
    department_id: int,
    first: dt.date,
    last: dt.date,
    as_of: dt.datetime | None = None,
) -> AttendanceBook:
    """Rostered shifts between two dates matched with the clock-ins; with `as_of`, only the
    shifts that had ended by then (a shift still to come is no no-show)."""
    shifts = rostered_shifts(session, department_id, first, last)
    if as_of is not None:
        shifts = [s for s in shifts if s.end <= as_of]
    staff = list(
        session.scalars(select(Employee.id).where(Employee.department_id == department_id))
    )
    events = events_of(session, staff, first, last)
    clock_ins: dict[int, list[dt.datetime]] = defaultdict(list)
    for event in events:
        if event.kind == "in":
            clock_ins[event.employee_id].append(event.at)
    zone = department_zone(session, department_id)
    book = AttendanceBook(worked_minutes=worked_minutes_per_week(events, zone))
    for shift in shifts:
        earliest = shift.start - dt.timedelta(minutes=EARLIEST_CLOCK_IN_MINUTES)
        inside = [t for t in clock_ins[shift.employee_id] if earliest <= t < shift.end]
        book.shifts.append(ShiftAttendance(shift, min(inside) if inside else None))
    return book


def turn_up_by_slot(book: AttendanceBook) -> dict[tuple[int, str], TurnUp]:
    """Turn-up per (weekday, shift code) over the book's shifts."""
    slots: dict[tuple[int, str], TurnUp] = {}
    for item in book.shifts:
        key = (item.shift.date.weekday(), item.shift.template.code)
        slot = slots.setdefault(key, TurnUp(window=item.shift.window))
        slot.rostered += 1
        slot.turned_up += item.turned_up
    return slots


def turn_up_by_employee(book: AttendanceBook) -> dict[int, TurnUp]:
    """Each employee's turn-up over the book's shifts: their reliability."""
    people: dict[int, TurnUp] = defaultdict(TurnUp)
    for item in book.shifts:
        people[item.shift.employee_id].rostered += 1
        people[item.shift.employee_id].turned_up += item.turned_up
    return dict(people)
