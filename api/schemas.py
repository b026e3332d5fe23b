"""The API's request and response shapes: separate Create / Update / Public models per resource.

Times of day are minutes after midnight (480 = 08:00) as in the optimizer's schema; weeks are
given by their Monday.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from api.models import DEFAULT_ANNUAL_LEAVE_DAYS
from api.time_windows import TimeWindow
from api.time_zones import DEFAULT_TIME_ZONE, check_time_zone
from optimizer.schema import Problem, RuleScore, Solution, SolverSettings

_logger = logging.getLogger(__name__)

LocalDateTime = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: value.isoformat(timespec="minutes"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "Local wall-clock time of the department (no time zone), ISO 8601.",
            "examples": ["2030-01-07T07:00"],
        }
    ),
]
Role = Literal["hr", "manager", "employee"]
RosterStatus = Literal["draft", "published"]
ShiftKind = Literal["early", "day", "late", "evening", "night", "flexible"]
JobStatus = Literal["queued", "running", "finished", "failed", "cancelled"]
MinuteOfDay = int


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


MAX_ID = 2**31 - 1
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


def check_plan_date(value: dt.date) -> dt.date:
    """Dates the service plans with lie between 1970 and 2199."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"{value.isoformat()} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PlanDate = Annotated[dt.date, AfterValidator(check_plan_date)]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_number(value: Any) -> int:
    """A day of the week as 0 (Monday) ... 6 (Sunday), from that number or the day's English
    name or its first three letters (any case); ValueError in words for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        for number, name in enumerate(WEEKDAY_NAMES):
            if text in (name.lower(), name[:3].lower()):
                return number
    raise ValueError(
        f"give a day of the week as monday ... sunday, or 0 (Monday) to 6 (Sunday), not {value!r}"
    )


Weekday = Annotated[
    int,
    BeforeValidator(weekday_number),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 6},
                {"type": "string", "examples": ["wednesday", "Wed"]},
            ],
            "description": "Day of the week: 0 = Monday ... 6 = Sunday, or its name.",
        }
    ),
]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="Id of the resource.")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this id.")]


def check_monday(value: dt.date) -> dt.date:
    """A week is named by its Monday."""
    if value.weekday() != 0:
        raise ValueError(
            f"{value.isoformat()} is a {value.strftime('%A')}; give the Monday that starts the week"
        )
    return value


class ErrorMessage(BaseModel):
    """The body of a refusal that is not about a single field (400, 401, 403, 404, 409)."""

    detail: str = Field(description="What went wrong, e.g. 'employee 7 does not exist'.")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorMessage, "description": "The body cannot be read (not UTF-8 JSON)."},
    401: {"model": ErrorMessage, "description": "Not signed in, or the token has expired."},
    403: {"model": ErrorMessage, "description": "The signed-in role may not do this."},
    404: {"model": ErrorMessage, "description": "No such resource."},
    409: {"model": ErrorMessage, "description": "The change conflicts with stored data."},
}


# -- auth and users -------------------------------------------------------------------------------
class Token(BaseModel):
    access_token: str = Field(description="Bearer token for the Authorization header.")
    token_type: str = Field("bearer", description="Always 'bearer'.")


class UserCreate(_In):
    username: str = Field(min_length=1, max_length=120, description="Log-in name.")
    password: str = Field(min_length=8, max_length=200, description="At least 8 characters.")
    role: Role = Field(description="hr, manager (of department_id) or employee (employee_id).")
    department_id: Id | None = Field(None, description="The department a manager plans.")
    employee_id: Id | None = Field(None, description="The employee record of an employee.")

    @model_validator(mode="after")
    def _check_links(self) -> UserCreate:
        if self.role == "manager" and self.department_id is None:
            raise ValueError("department_id: a manager needs the department they plan")
        if self.role == "employee" and self.employee_id is None:
            raise ValueError("employee_id: an employee account needs its employee record")
        return self


class UserPublic(_Out):
    id: int
    username: str
    role: Role
    department_id: int | None
    employee_id: int | None


# -- departments and people -----------------------------------------------------------------------
TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(check_time_zone)]
LeaveDays = Annotated[int, Field(ge=0, le=366)]


class DepartmentCreate(_In):
    name: str = Field(min_length=1, max_length=120, description="Unique department name.")
    description: str = Field("", max_length=2000, description="What the department does.")
    time_zone: TimeZoneName = Field(
        DEFAULT_TIME_ZONE,
        description="IANA time zone of the shift times, e.g. Europe/Berlin: clock events are "
        "compared with shifts in this zone's wall-clock time.",
    )


class DepartmentUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=120, description="New name.")
    description: str | None = Field(None, max_length=2000, description="New description.")
    time_zone: TimeZoneName | None = Field(None, description="IANA time zone, e.g. Europe/Berlin.")


class DepartmentPublic(_Out):
    id: int
    name: str
    description: str
    time_zone: str


class EmployeeCreate(_In):
    department_id: Id = Field(description="Department the employee works in.")
    name: str = Field(min_length=1, max_length=200, description="Full name.")
    email: str | None = Field(None, max_length=200, description="Address for calendar invites.")
    skills: list[str] = Field(default_factory=list, description="Skills held, e.g. ['chat'].")
    hourly_cost: float = Field(0.0, ge=0, le=10000, description="Cost of one paid hour.")
    max_minutes_per_week: int | None = Field(
        None, ge=0, le=7 * 1440, description="Contracted most minutes a week (part-time)."
    )
    priority: float = Field(1.0, ge=0, le=10, description="Weight of this person's preferences.")
    annual_leave_days: LeaveDays = Field(
        DEFAULT_ANNUAL_LEAVE_DAYS, description="Working days of vacation a calendar year."
    )


class EmployeeUpdate(_In):
    department_id: Id | None = Field(None, description="Move to another department (HR only).")
    name: str | None = Field(None, min_length=1, max_length=200, description="Full name.")
    email: str | None = Field(None, max_length=200, description="Address for calendar invites.")
    skills: list[str] | None = Field(None, description="Skills held.")
    hourly_cost: float | None = Field(None, ge=0, le=10000, description="Cost of one paid hour.")
    max_minutes_per_week: int | None = Field(None, ge=0, le=7 * 1440, description="Part-time cap.")
    priority: float | None = Field(None, ge=0, le=10, description="Weight of preferences.")
    active: bool | None = Field(None, description="False takes the employee out of rostering.")
    annual_leave_days: LeaveDays | None = Field(
        None, description="Working days of vacation a calendar year."
    )


class EmployeePublic(_Out):
    id: int
    department_id: int
    name: str
    email: str | None
    skills: list[str]
    hourly_cost: float
    max_minutes_per_week: int | None
    priority: float
    active: bool
    annual_leave_days: int


# -- shift templates and labour rules -------------------------------------------------------------
class ShiftTemplateCreate(_In):
    code: str = Field(
        min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Short id, 'early'."
    )
    name: str = Field(min_length=1, max_length=120, description="Label, e.g. 'Early 07-15'.")
    kind: ShiftKind = Field("day", description="Evening and night shifts count as unpopular.")
    start_minute: MinuteOfDay = Field(ge=0, lt=1440, description="Start (420 = 07:00).")
    duration_minutes: int = Field(gt=0, le=1440, description="Paid length in minutes.")
    unpopular: bool | None = Field(None, description="Default: true for evening and night.")
    flexible: bool | None = Field(None, description="Default: true for kind 'flexible'.")


class ShiftTemplateUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=120, description="Label.")
    kind: ShiftKind | None = Field(None, description="Shift kind.")
    start_minute: MinuteOfDay | None = Field(None, ge=0, lt=1440, description="Start minute.")
    duration_minutes: int | None = Field(None, gt=0, le=1440, description="Paid length.")
    unpopular: bool | None = Field(None, description="Counts for fairness of unpopular shifts.")
    flexible: bool | None = Field(None, description="Requests decided by employee priority.")


class ShiftTemplatePublic(_Out):
    id: int
    department_id: int
    code: str
    name: str
    kind: str
    start_minute: int
    duration_minutes: int
    unpopular: bool
    flexible: bool


class LabourRulesUpdate(_In):
    max_minutes_per_week: int | None = Field(
        2400, ge=0, le=7 * 1440, description="Most minutes a week (2400 = 40 h)."
    )
    min_minutes_per_week: int | None = Field(None, ge=0, le=7 * 1440, description="Fewest.")
    min_rest_minutes: int | None = Field(
        660, ge=0, le=2880, description="Least rest between shifts (660 = 11 h)."
    )
    max_consecutive_days: int | None = Field(None, ge=1, le=366, description="Most days in a row.")
    min_consecutive_days_off: int | None = Field(None, ge=1, le=366, description="Days off.")
    max_weekends: int | None = Field(None, ge=0, le=60, description="Most weekends worked.")
    overtime_after_minutes_per_week: int | None = Field(
        None, ge=0, le=7 * 1440, description="Minutes a week after which overtime is paid."
    )
    overtime_rate: float = Field(1.5, ge=1, le=10, description="Pay multiplier for overtime.")

    @model_validator(mode="after")
    def _check_bounds(self) -> LabourRulesUpdate:
        low, high = self.min_minutes_per_week, self.max_minutes_per_week
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_minutes_per_week ({low}) is above max_minutes_per_week ({high})")
        return self


class LabourRulesPublic(_Out):
    department_id: int
    max_minutes_per_week: int | None
    min_minutes_per_week: int | None
    min_rest_minutes: int | None
    max_consecutive_days: int | None
    min_consecutive_days_off: int | None
    max_weekends: int | None
    overtime_after_minutes_per_week: int | None
    overtime_rate: float


# -- demand ---------------------------------------------------------------------------------------
class DemandLine(_In):
    """People needed on a date: for a shift template (`shift`), or in an interval of the day."""

    date: PlanDate = Field(description="Calendar date.")
    shift: str | None = Field(None, description="Shift template code; omit for interval demand.")
    start_minute: MinuteOfDay | None = Field(
        None, ge=0, lt=1440, description="Interval start (interval demand)."
    )
    length_minutes: int | None = Field(
        None, gt=0, le=1440, description="Interval length (interval demand, default 30)."
    )
    skill: str | None = Field(None, max_length=60, description="Only people with this skill.")
    required: int = Field(ge=0, le=10000, description="People needed.")

    @model_validator(mode="after")
    def _check_kind(self) -> DemandLine:
        if self.shift is None and self.start_minute is None:
            raise ValueError("give either shift (a template code) or start_minute (an interval)")
        if self.shift is not None and (
            self.start_minute is not None or self.length_minutes is not None
        ):
            raise ValueError("a shift demand line takes no start_minute or length_minutes")
        return self


class DemandUpload(_In):
    week: PlanDate = Field(description="Monday of the week whose demand is replaced.")
    lines: list[DemandLine] = Field(description="Every demand line of that week.")

    @field_validator("week")
    @classmethod
    def _check_week(cls, value: dt.date) -> dt.date:
        return check_monday(value)

    @model_validator(mode="after")
    def _check_dates(self) -> DemandUpload:
        end = self.week + dt.timedelta(days=7)
        for i, line in enumerate(self.lines):
            if not self.week <= line.date < end:
                raise ValueError(
                    f"lines[{i}].date: {line.date} is outside the week {self.week}..{end}"
                )
        return self


class DemandPublic(_Out):
    id: int
    date: dt.date
    shift: str | None = Field(None, description="Shift template code (shift demand).")
    start_minute: int | None
    length_minutes: int | None
    skill: str | None
    required: int
    source: str


class HistoryLine(_In):
    date: PlanDate = Field(description="Calendar date.")
    start_minute: MinuteOfDay = Field(ge=0, lt=1440, description="Interval start.")
    length_minutes: int = Field(30, gt=0, le=1440, description="Interval length.")
    volume: float = Field(ge=0, le=1e9, description="Load observed, e.g. calls handled.")


class HistoryUpload(_In):
    lines: list[HistoryLine] = Field(description="Observed load per interval.")


class HistorySummary(BaseModel):
    department_id: int
    intervals: int = Field(description="Stored intervals of history.")
    first_date: dt.date | None
    last_date: dt.date | None


# -- leave and preferences ------------------------------------------------------------------------
class LeaveCreate(_In):
    employee_id: Id = Field(description="Who is away.")
    start_date: PlanDate = Field(description="First day away.")
    end_date: PlanDate = Field(description="Last day away (inclusive).")
    kind: Literal["vacation", "sick", "training", "other"] = Field("vacation")
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _check_order(self) -> LeaveCreate:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date ({self.end_date}) is before start_date ({self.start_date})")
        return self


class LeavePublic(_Out):
    id: int
    employee_id: int
    start_date: dt.date
    end_date: dt.date
    kind: str
    note: str


class PreferenceCreate(_In):
    employee_id: Id = Field(description="Whose wish this is.")
    date: PlanDate | None = Field(None, description="A date; or give weekday for every week.")
    weekday: Weekday | None = Field(
        None, description="Every week on this day: 0 = Monday ... 6 = Sunday, or monday ... sunday."
    )
    shift: str | None = Field(None, description="Shift template code; omit for the whole day.")
    window: TimeWindow | None = Field(
        None,
        description='Only these hours, e.g. {"start": "18:00", "end": "22:00"}; an end earlier '
        "than the start runs into the next day (22:00-06:00).",
    )
    kind: Literal["want", "avoid"] = Field(description="Work it, or rather not.")
    weight: int = Field(5, ge=0, le=1000, description="How much it matters.")

    @model_validator(mode="after")
    def _check_when(self) -> PreferenceCreate:
        if (self.date is None) == (self.weekday is None):
            raise ValueError("give exactly one of date and weekday")
        if self.window is not None and self.shift is not None:
            raise ValueError("window: give a shift or a time window, not both")
        return self


class PreferencePublic(_Out):
    id: int
    employee_id: int
    date: dt.date | None
    weekday: int | None
    shift: str | None
    window: TimeWindow | None = None
    kind: str
    weight: int


# -- rosters --------------------------------------------------------------------------------------
class RosterAssignment(BaseModel):
    employee_id: Id = Field(description="Employee id.")
    date: PlanDate = Field(description="Date the shift starts.")
    shift: str = Field(description="Shift template code.")
    skill: str | None = Field(None, description="Skill worked, if it matters.")
    pinned: bool = Field(False, description="Kept by every later solve of this week.")


class RosterAssignmentOut(RosterAssignment):
    employee_name: str | None = None
    start: LocalDateTime = Field(description="Shift start (local time).")
    end: LocalDateTime = Field(description="Shift end (local time).")


class Violation(BaseModel):
    rule: str
    employee: str | None = None
    day: int | None = None
    message: str


class RosterPublic(BaseModel):
    id: int
    department_id: int
    week_start: dt.date
    status: RosterStatus
    version: int
    objective: int | None
    breakdown: list[RuleScore]
    hard_violations: list[Violation]
    assignments: list[RosterAssignmentOut]
    solve_job_id: str | None
    updated_at: dt.datetime
    published_at: dt.datetime | None


class RosterSummary(BaseModel):
    id: int
    department_id: int
    week_start: dt.date
    status: RosterStatus
    version: int
    objective: int | None
    hard_violations: int
    updated_at: dt.datetime


class RosterEdit(_In):
    assignments: list[RosterAssignment] = Field(
        description="The whole roster after the edit; it is re-validated at once."
    )


class PublicationPublic(_Out):
    id: int
    roster_id: int
    version: int
    objective: int | None
    published_at: dt.datetime
    published_by: str
    assignments: list[dict[str, Any]]


class ScheduleEntry(BaseModel):
    roster_id: int
    department_id: int
    date: dt.date
    shift: str
    shift_name: str
    start: LocalDateTime
    end: LocalDateTime


# -- solve jobs -----------------------------------------------------------------------------------
class SolveJobCreate(_In):
    department_id: Id | None = Field(None, description="Solve this department's week ...")
    week: PlanDate | None = Field(None, description="... starting on this Monday.")
    problem: Problem | None = Field(None, description="... or this problem, as given.")
    settings: SolverSettings | None = Field(None, description="Time limit, workers, seed, gap.")

    @model_validator(mode="after")
    def _check_target(self) -> SolveJobCreate:
        stored = self.department_id is not None or self.week is not None
        if stored and self.problem is not None:
            raise ValueError("give either department_id and week, or problem, not both")
        if not stored and self.problem is None:
            raise ValueError("give department_id and week, or a problem")
        if stored and (self.department_id is None or self.week is None):
            missing = "week" if self.week is None else "department_id"
            raise ValueError(f"{missing}: needed to solve a stored department week")
        if self.week is not None:
            check_monday(self.week)
        return self


class SolveJobAccepted(BaseModel):
    id: str = Field(description="Job id, for GET and DELETE /api/v1/solve-jobs/{id}.")
    status: JobStatus


class SolveJobPublic(BaseModel):
    id: str
    status: JobStatus
    progress: float = Field(description="Share of the time limit used (1.0 when done).")
    department_id: int | None
    week: dt.date | None
    objective: int | None = Field(description="Objective of the best roster so far.")
    solution: Solution | None = Field(description="Best roster so far, optimizer schema.")
    roster_id: Id | None = Field(None, description="The stored roster this job produced.")
    error: str | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
