"""Roster exports people expect: a CSV of the week, and an iCalendar feed per employee.

Times are local wall-clock times of the department. Calendar events of a department with a time
zone other than UTC carry that zone (TZID, with its VTIMEZONE), so that a phone abroad shows the
shift at the right moment; a UTC department's events keep floating local times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from api.schemas import RosterAssignmentOut

_logger = logging.getLogger(__name__)

CSV_COLUMNS = (
    "date",
    "weekday",
    "employee_id",
    "employee",
    "shift",
    "start",
    "end",
    "skill",
    "pinned",
)


def roster_csv(lines: list[RosterAssignmentOut]) -> str:
    """One row per worked shift, in start order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            (
                line.date.isoformat(),
                line.date.strftime("%a"),
                line.employee_id,
                line.employee_name or "",
                line.shift,
                line.start.strftime("%H:%M") if line.start else "",
                line.end.strftime("%H:%M") if line.end else "",
                line.skill or "",
                "yes" if line.pinned else "",
            )
        )
    return out.getvalue()


def employee_calendar(
    employee_name: str,
    shifts: list[tuple[int, RosterAssignmentOut, str]],
    *,
    draft: bool = False,
    time_zone: str = "UTC",
) -> bytes:
    """An iCalendar feed with one event per shift: (roster id, line, shift label)."""
    calendar = Calendar()
    calendar.add("prodid", "-//shiftopt//roster//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Shifts of {employee_name}")
    stamp = dt.datetime.now(dt.UTC)
    for roster_id, line, label in shifts:
        event = Event()
        event.add("uid", f"shift-{roster_id}-{line.employee_id}-{line.date}-{line.shift}@shiftopt")
        event.add("summary", f"{label} shift" + (" (draft)" if draft else ""))
        start, end = event_times(line, time_zone)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", stamp)
        if line.skill:
            event.add("description", f"skill: {line.skill}")
        calendar.add_component(event)
    if time_zone != "UTC":
        calendar.add_missing_timezones()
    return calendar.to_ical()


def event_times(line: RosterAssignmentOut, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of a shift's event: floating local times on UTC, else the line's wall-clock
    times in the zone (`roster_lines` already puts the end a paid length after the start, also
    across a change to or from summer time, with `fold` set in the repeated hour)."""
    if time_zone == "UTC":
        return line.start, line.end
    zone = ZoneInfo(time_zone)
    return line.start.replace(tzinfo=zone), line.end.replace(tzinfo=zone)
