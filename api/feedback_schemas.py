"""Request and response shapes of the workforce feedback endpoints: employee requests,
attendance events and reports, and the feedback a roster was built with.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas import Id, PlanDate, Weekday, check_plan_date
from api.time_windows import TimeWindow

_logger = logging.getLogger(__name__)

RequestKind = Literal["preference", "flexible", "overtime", "leave"]
RequestStatus = Literal["pending", "approved", "rejected"]
MAX_LEAVE_DAYS = 366
WEEKLY_KINDS = ("preference", "flexible")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestCreate(_In):
    employee_id: Id = Field(description="Whose request this is.")
    kind: RequestKind = Field(
        description="preference: want or avoid a day, a shift or a time window; flexible: work "
        "a flexible shift; "
        "overtime: work an extra shift; leave: days of vacation."
    )
    start_date: PlanDate | None = Field(
        None, description="The day asked for (first day of leave); or give weekday instead."
    )
    end_date: PlanDate | None = Field(None, description="Last day of leave (inclusive).")
    weekday: Weekday | None = Field(
        None,
        description="For a wish every week (preference or flexible) instead of start_date: "
        "monday ... sunday, or 0 (Monday) to 6 (Sunday). It is checked for each of its days "
        "from the next one to the end of the department's last planned week; once approved it "
        "becomes a weekly preference.",
    )
    shift: str | None = Field(None, description="Shift template code; omit for the whole day.")
    window: TimeWindow | None = Field(
        None,
        description="For preferences: only these hours of the day, e.g. "
        '{"start": "18:00", "end": "22:00"}. An avoided window is kept free of any shift that '
        "touches it; a wanted one asks for a shift that covers it whole. An end earlier than the "
        "start runs into the next day (22:00-06:00).",
    )
    wish: Literal["want", "avoid"] = Field("want", description="For preferences: work it or not.")
    weight: int = Field(5, ge=0, le=1000, description="How much the wish matters.")
    note: str = Field("", max_length=2000, description="Anything the manager should know.")

    @model_validator(mode="after")
    def _check_shape(self) -> RequestCreate:
        self._check_when()
        if self.start_date is None:
            return self._check_what()
        if self.end_date is None:
            self.end_date = self.start_date
        if self.end_date < self.start_date:
            raise ValueError(f"end_date ({self.end_date}) is before start_date ({self.start_date})")
        if self.kind != "leave" and self.end_date != self.start_date:
            raise ValueError("only leave requests span several days: drop end_date")
        if (self.end_date - self.start_date).days >= MAX_LEAVE_DAYS:
            raise ValueError(f"end_date: one request covers at most {MAX_LEAVE_DAYS} days")
        return self._check_what()

    def _check_when(self) -> None:
        """A day (start_date), or every week (weekday) for wishes only."""
        if self.weekday is None:
            if self.start_date is None:
                raise ValueError(
                    "start_date: give the day asked for, or weekday for a wish every week"
                )
            return
        if self.start_date is not None:
            raise ValueError(
                "weekday: give start_date for one day or weekday for every week, not both"
            )
        if self.kind not in WEEKLY_KINDS:
            raise ValueError(
                f"weekday: only preference and flexible requests repeat every week, not "
                f"{self.kind}; give start_date"
            )
        if self.end_date is not None:
            raise ValueError("end_date: a weekly wish has no end_date")

    def _check_what(self) -> RequestCreate:
        """The shift or hours asked for fit the kind of request."""
        if self.kind in ("flexible", "overtime") and self.shift is None:
            raise ValueError(f"a {self.kind} request names the shift asked for")
        if self.kind == "leave" and self.shift is not None:
            raise ValueError("leave covers whole days: drop shift")
        if self.window is not None and self.kind != "preference":
            raise ValueError(f"window: only preferences take a time window, not {self.kind}")
        if self.window is not None and self.shift is not None:
            raise ValueError("window: give a shift or a time window, not both")
        return self


class RequestDecision(_In):
    note: str = Field(
        "", max_length=2000, description="Why, in a sentence (shown to the employee)."
    )


class RequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int
    kind: RequestKind
    start_date: dt.date = Field(
        description="The day asked for; for a weekly wish its first day (the next one when it "
        "was made)."
    )
    end_date: dt.date
    weekday: int | None = Field(None, description="A weekly wish's day: 0 = Monday ... 6 = Sunday.")
    shift: str | None = Field(description="Shift template code, if one was named.")
    window: TimeWindow | None = Field(description="The hours of a time-window wish.")
    wish: str
    weight: int
    note: str
    status: RequestStatus
    submitted_by: str
    submitted_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class AttendanceEventIn(_In):
    employee_id: Id = Field(description="Who clocked.")
    kind: Literal["in", "out"] = Field(description="Clock-in or clock-out.")
    at: dt.datetime = Field(description="When, with its time zone (ISO 8601).")
    source: str = Field("api", min_length=1, max_length=40, description="Terminal, app, import.")

    @model_validator(mode="after")
    def _check_zone(self) -> AttendanceEventIn:
        if self.at.tzinfo is None:
            raise ValueError("at: give the time zone, e.g. 2030-01-07T07:02:00+00:00")
        check_plan_date(self.at.date())
        self.at = self.at.astimezone(dt.UTC)
        return self


class AttendanceEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int
    kind: str
    at: dt.datetime
    source: str


class RejectedRow(BaseModel):
    line: int = Field(description="Line number in the file (the header is line 1).")
    reason: str


class ImportResult(BaseModel):
    accepted: int = Field(description="Events stored.")
    rejected: list[RejectedRow] = Field(description="Rows left out, with their line numbers.")
