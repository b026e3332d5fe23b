"""Department time zones: IANA names checked with zoneinfo, and shift times of a department as
moments in time, so that clock events (stored in UTC) meet shifts in local wall-clock time.

A shift starts at its template's wall-clock time on its date (07:00 stays 07:00 across a change
to or from summer time) and lasts its paid length in real minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Department

_logger = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "UTC"


def check_time_zone(name: str) -> str:
    """An IANA time zone name zoneinfo knows, e.g. Europe/Berlin; ValueError in words if not."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone, e.g. Europe/Berlin or UTC") from None
    return name


def department_zone(session: Session, department_id: int) -> ZoneInfo:
    """The department's time zone (UTC when the department does not say)."""
    name = session.scalar(select(Department.time_zone).where(Department.id == department_id))
    return ZoneInfo(name or DEFAULT_TIME_ZONE)


def local_moment(date: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    """The moment (in UTC) of a wall-clock minute after midnight on a date in a zone."""
    wall = dt.datetime.combine(date, dt.time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(dt.UTC)


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The date on the department's calendar at a moment."""
    return moment.astimezone(zone).date()
