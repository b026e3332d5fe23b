"""The stored data: departments, people, shift templates, rules, demand, leave, rosters, jobs.

SQLAlchemy 2 declarative models; the schema itself is created and changed only by the Alembic
migrations in `api/migrations/`, which must be kept in step with this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

_logger = logging.getLogger(__name__)

ROLES = ("hr", "manager", "employee")
JOB_STATUSES = ("queued", "running", "finished", "failed", "cancelled")
DEFAULT_ANNUAL_LEAVE_DAYS = 25


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back time-zone aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")

    employees: Mapped[list[Employee]] = relationship(back_populates="department")


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    hourly_cost: Mapped[float] = mapped_column(Float, default=0.0)
    max_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[float] = mapped_column(Float, default=1.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    annual_leave_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANNUAL_LEAVE_DAYS)

    department: Mapped[Department] = relationship(back_populates="employees")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ShiftTemplate(Base):
    __tablename__ = "shift_templates"
    __table_args__ = (UniqueConstraint("department_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="day")
    start_minute: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    unpopular: Mapped[bool] = mapped_column(Boolean, default=False)
    flexible: Mapped[bool] = mapped_column(Boolean, default=False)


class LabourRules(Base):
    __tablename__ = "labour_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), unique=True)
    max_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    min_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    min_rest_minutes: Mapped[int | None] = mapped_column(Integer)
    max_consecutive_days: Mapped[int | None] = mapped_column(Integer)
    min_consecutive_days_off: Mapped[int | None] = mapped_column(Integer)
    max_weekends: Mapped[int | None] = mapped_column(Integer)
    overtime_after_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    overtime_rate: Mapped[float] = mapped_column(Float, default=1.5)


class Demand(Base):
    """People needed: per shift template and day, or per time interval of a day."""

    __tablename__ = "demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    shift_template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id"))
    start_minute: Mapped[int | None] = mapped_column(Integer)
    length_minutes: Mapped[int | None] = mapped_column(Integer)
    skill: Mapped[str | None] = mapped_column(String(60))
    required: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="upload")


class DemandHistory(Base):
    """Observed load (e.g. calls handled) per time interval, the forecaster's input."""

    __tablename__ = "demand_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_minute: Mapped[int] = mapped_column(Integer)
    length_minutes: Mapped[int] = mapped_column(Integer, default=30)
    volume: Mapped[float] = mapped_column(Float)


class Leave(Base):
    __tablename__ = "leave"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30), default="vacation")
    note: Mapped[str] = mapped_column(Text, default="")


class Preference(Base):
    __tablename__ = "preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    date: Mapped[dt.date | None] = mapped_column(Date)
    weekday: Mapped[int | None] = mapped_column(Integer)
    shift_template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id"))
    kind: Mapped[str] = mapped_column(String(10))
    weight: Mapped[int] = mapped_column(Integer, default=5)
    start_minute: Mapped[int | None] = mapped_column(Integer)
    end_minute: Mapped[int | None] = mapped_column(Integer)


class Roster(Base):
    """The current roster of one department and week, with the problem it was solved for."""

    __tablename__ = "rosters"
    __table_args__ = (UniqueConstraint("department_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    week_start: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    problem: Mapped[dict[str, Any]] = mapped_column()
    assignments: Mapped[list[Any]] = mapped_column(default=list)
    pinned: Mapped[list[Any]] = mapped_column(default=list)
    objective: Mapped[int | None] = mapped_column(Integer)
    breakdown: Mapped[list[Any]] = mapped_column(default=list)
    hard_violations: Mapped[list[Any]] = mapped_column(default=list)
    solve_job_id: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RosterPublication(Base):
    """A published roster as it was published: the history employees were shown."""

    __tablename__ = "roster_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    assignments: Mapped[list[Any]] = mapped_column()
    objective: Mapped[int | None] = mapped_column(Integer)
    breakdown: Mapped[list[Any]] = mapped_column(default=list)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(120))


class SolveJob(Base):
    """A solve in progress or done; the state lives here so that a restart loses nothing."""

    __tablename__ = "solve_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    week_start: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    problem: Mapped[dict[str, Any]] = mapped_column()
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warm_start: Mapped[list[Any]] = mapped_column(default=list)
    solution: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    roster_id: Mapped[int | None] = mapped_column(ForeignKey("rosters.id"))
    objective: Mapped[int | None] = mapped_column(Integer)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EmployeeRequest(Base):
    """A wish, flexible-shift or leave request: checked against the rules, then decided.

    A weekly wish has a `weekday`; its `start_date` (= `end_date`) is the first day it was
    checked for, its next occurrence when it was made.
    """

    __tablename__ = "employee_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    shift_template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id"))
    wish: Mapped[str] = mapped_column(String(10), default="want")
    weight: Mapped[int] = mapped_column(Integer, default=5)
    start_minute: Mapped[int | None] = mapped_column(Integer)
    end_minute: Mapped[int | None] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)  # a wish for every week; 0 = Monday
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    preference_id: Mapped[int | None] = mapped_column(Integer)
    leave_id: Mapped[int | None] = mapped_column(Integer)


class AttendanceEvent(Base):
    """One clock-in or clock-out, as recorded by a terminal, an app or an import."""

    __tablename__ = "attendance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    source: Mapped[str] = mapped_column(String(40), default="api")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WeeklyGoal(Base):
    """An employee's goal for a week on one metric (any unit), and what was achieved."""

    __tablename__ = "weekly_goals"
    __table_args__ = (UniqueConstraint("employee_id", "week_start", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    week_start: Mapped[dt.date] = mapped_column(Date, index=True)
    metric: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40), default="")
    target: Mapped[float] = mapped_column(Float)
    achieved: Mapped[float] = mapped_column(Float, default=0.0)


class KpiWeight(Base):
    """How much one metric counts in a department's scorecard (weights add up to 100)."""

    __tablename__ = "kpi_weights"
    __table_args__ = (UniqueConstraint("department_id", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    metric: Mapped[str] = mapped_column(String(40))
    weight: Mapped[float] = mapped_column(Float)


class ScoreAdjustment(Base):
    """A manual change of one scorecard metric: who, when, before, after and why."""

    __tablename__ = "score_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    week_start: Mapped[dt.date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(40))
    before: Mapped[float] = mapped_column(Float)
    after: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    adjusted_by: Mapped[str] = mapped_column(String(120))
    adjusted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PerformancePolicy(Base):
    """How goal completion turns into solver priority in a department, and its fairness limit."""

    __tablename__ = "performance_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), unique=True)
    high_performer_completion: Mapped[float] = mapped_column(Float, default=1.2)
    high_performer_priority: Mapped[float] = mapped_column(Float, default=1.5)
    fairness_weeks: Mapped[int] = mapped_column(Integer, default=2)
    fairness_priority: Mapped[float] = mapped_column(Float, default=2.0)
