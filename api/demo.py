"""The demo company: ~200 employees in customer service, operations, design services and
engineering, with 13 weeks of call history, forecast demand, preferences, leave and log-ins.

`seed_demo` fills an empty database; everything is drawn from a fixed seed, and dates are laid
out around the current week so that "next week" always has demand.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.demo_history import add_workforce_history
from api.forecast_demand import ForecastRequest, forecast_interval_demand
from api.models import (
    Demand,
    DemandHistory,
    Department,
    Employee,
    LabourRules,
    Leave,
    Preference,
    ShiftTemplate,
    User,
)
from api.security import hash_password

_logger = logging.getLogger(__name__)

HISTORY_WEEKS = 13
PLANNED_WEEKS = 4
DEMO_PASSWORDS = {"hr": "demo-hr", "manager": "demo-manager", "employee": "demo-employee"}

FIRST_NAMES = (
    "Ava",
    "Ben",
    "Chloe",
    "Dan",
    "Ella",
    "Finn",
    "Grace",
    "Hugo",
    "Iris",
    "Jack",
    "Kira",
    "Leo",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vic",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
    "Amir",
    "Bea",
    "Carl",
    "Dina",
    "Emil",
    "Fay",
    "Gus",
    "Hana",
    "Ivan",
    "Jana",
)
LAST_NAMES = (
    "Adams",
    "Berg",
    "Costa",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ito",
    "Jensen",
    "Kovacs",
    "Lopez",
    "Meyer",
    "Novak",
    "Olsen",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Urban",
    "Vogel",
    "Weber",
    "Young",
    "Zhang",
)


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    name: str
    kind: str
    start: int
    minutes: int


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    description: str
    people: int
    cost: tuple[float, float]
    skills: tuple[str, ...]
    templates: tuple[TemplateSpec, ...]
    weekday_need: dict[str, int]
    weekend_need: dict[str, int]


def _t(code: str, name: str, kind: str, start: str, minutes: int) -> TemplateSpec:
    hours, mins = start.split(":")
    return TemplateSpec(code, name, kind, int(hours) * 60 + int(mins), minutes)


CUSTOMER_SERVICE = DepartmentSpec(
    "Customer service",
    "Phone and chat support, 07:00-22:00 every day; demand forecast from call history.",
    80,
    (22.0, 30.0),
    ("phone", "chat"),
    (
        _t("early", "Early 07-15", "early", "07:00", 480),
        _t("flex", "Flexible 10-18", "flexible", "10:00", 480),
        _t("late", "Late 13-21", "late", "13:00", 480),
        _t("evening", "Evening 16-22", "evening", "16:00", 360),
    ),
    {},
    {},
)
DEPARTMENTS = (
    CUSTOMER_SERVICE,
    DepartmentSpec(
        "Operations",
        "Warehouse and dispatch in three shifts around the clock.",
        50,
        (20.0, 28.0),
        ("dispatch", "forklift"),
        (
            _t("early", "Early 06-14", "early", "06:00", 480),
            _t("late", "Late 14-22", "late", "14:00", 480),
            _t("night", "Night 22-06", "night", "22:00", 480),
        ),
        {"early": 8, "late": 7, "night": 4},
        {"early": 5, "late": 4, "night": 3},
    ),
    DepartmentSpec(
        "Design services",
        "Client design work on weekdays.",
        30,
        (35.0, 55.0),
        ("design",),
        (_t("day", "Day 09-17", "day", "09:00", 480),),
        {"day": 22},
        {},
    ),
    DepartmentSpec(
        "Engineering",
        "Product engineering with a late shift and weekend cover.",
        40,
        (45.0, 70.0),
        ("backend", "frontend"),
        (
            _t("day", "Day 09-17", "day", "09:00", 480),
            _t("late", "Late 12-20", "late", "12:00", 480),
        ),
        {"day": 28, "late": 4},
        {"day": 2},
    ),
)


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    note: str


def next_monday(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def call_volume(rng: random.Random, date: dt.date, minute: int, week_index: int) -> float:
    """Calls in a half hour: weekday level x intraday profile (morning and evening peaks)."""
    level = (130, 120, 115, 112, 105, 70, 55)[date.weekday()] * (1 + 0.01 * week_index)
    hour = minute / 60
    profile = (
        0.35 + math.exp(-(((hour - 11) / 2.6) ** 2)) + 0.55 * math.exp(-(((hour - 19) / 1.6) ** 2))
    )
    return max(0.0, rng.gauss(level * profile, math.sqrt(level * profile)))


def _add_department(session: Session, spec: DepartmentSpec, rng: random.Random) -> Department:
    department = Department(name=spec.name, description=spec.description)
    session.add(department)
    session.flush()
    session.add(
        LabourRules(
            department_id=department.id,
            max_minutes_per_week=2400,
            min_rest_minutes=660,
            max_consecutive_days=6,
            overtime_after_minutes_per_week=2400,
            overtime_rate=1.5,
        )
    )
    for t in spec.templates:
        session.add(
            ShiftTemplate(
                department_id=department.id,
                code=t.code,
                name=t.name,
                kind=t.kind,
                start_minute=t.start,
                duration_minutes=t.minutes,
                unpopular=t.kind in ("evening", "night"),
                flexible=t.kind == "flexible",
            )
        )
    for i in range(spec.people):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        skills = [spec.skills[0]] + [s for s in spec.skills[1:] if rng.random() < 0.5]
        part_time = rng.random() < 0.2
        session.add(
            Employee(
                department_id=department.id,
                name=name,
                email=f"{name.lower().replace(' ', '.')}.{i}@example.com",
                skills=skills,
                hourly_cost=round(rng.uniform(*spec.cost), 2),
                max_minutes_per_week=rng.choice((1200, 1440, 1920)) if part_time else None,
                priority=1.5 if rng.random() < 0.1 else 1.0,
                active=True,
            )
        )
    session.flush()
    return department


def _add_history(session: Session, department: Department, first_day: dt.date, rng) -> None:
    rows = []
    for d in range(HISTORY_WEEKS * 7):
        date = first_day + dt.timedelta(days=d)
        for minute in range(7 * 60, 22 * 60, 30):
            rows.append(
                DemandHistory(
                    department_id=department.id,
                    date=date,
                    start_minute=minute,
                    length_minutes=30,
                    volume=round(call_volume(rng, date, minute, d // 7), 1),
                )
            )
    session.add_all(rows)
    session.flush()


def _add_shift_demand(
    session: Session, department: Department, spec: DepartmentSpec, weeks: list[dt.date]
) -> None:
    templates = {
        t.code: t.id
        for t in session.scalars(
            select(ShiftTemplate).where(ShiftTemplate.department_id == department.id)
        )
    }
    for week in weeks:
        for d in range(7):
            date = week + dt.timedelta(days=d)
            needs = spec.weekday_need if date.weekday() < 5 else spec.weekend_need
            for code, required in needs.items():
                session.add(
                    Demand(
                        department_id=department.id,
                        date=date,
                        shift_template_id=templates[code],
                        required=required,
                        source="upload",
                    )
                )


def _add_forecast_demand(session: Session, department: Department, weeks: list[dt.date]) -> None:
    for week in weeks:
        lines = forecast_interval_demand(
            session, department.id, ForecastRequest(week=week, shrinkage=0.2)
        )
        for line in lines:
            session.add(
                Demand(
                    department_id=department.id,
                    date=week + dt.timedelta(days=line["day"]),
                    start_minute=line["start_minute"],
                    length_minutes=line["length_minutes"],
                    skill=line["skill"],
                    required=line["required"],
                    source="forecast",
                )
            )


def _add_leave_and_wishes(
    session: Session, department: Department, weeks: list[dt.date], rng: random.Random
) -> None:
    templates = list(
        session.scalars(select(ShiftTemplate).where(ShiftTemplate.department_id == department.id))
    )
    people = list(session.scalars(select(Employee).where(Employee.department_id == department.id)))
    for person in people:
        draw = rng.random()
        if draw < 0.08:
            start = rng.choice(weeks) + dt.timedelta(days=rng.randrange(5))
            session.add(
                Leave(
                    employee_id=person.id,
                    start_date=start,
                    end_date=start + dt.timedelta(days=rng.randrange(2, 7)),
                    kind="vacation",
                )
            )
        elif draw < 0.12:
            day = rng.choice(weeks) + dt.timedelta(days=rng.randrange(7))
            session.add(Leave(employee_id=person.id, start_date=day, end_date=day, kind="training"))
        if rng.random() < 0.35:
            session.add(
                Preference(
                    employee_id=person.id, weekday=rng.choice((5, 6)), kind="avoid", weight=4
                )
            )
        if rng.random() < 0.3 and len(templates) > 1:
            template = rng.choice(templates)
            session.add(
                Preference(
                    employee_id=person.id,
                    weekday=rng.randrange(5),
                    shift_template_id=template.id,
                    kind="avoid" if template.unpopular else "want",
                    weight=6,
                )
            )
        if rng.random() < 0.15:
            session.add(
                Preference(
                    employee_id=person.id,
                    date=rng.choice(weeks) + dt.timedelta(days=rng.randrange(7)),
                    kind="avoid",
                    weight=10,
                )
            )


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _add_logins(session: Session, departments: list[Department], hr_user: str, hr_pw: str):
    logins = [DemoLogin("hr", hr_user, hr_pw, "HR: every department")]
    hashed = {role: hash_password(pw) for role, pw in DEMO_PASSWORDS.items()}
    if session.scalar(select(User).where(User.username == hr_user)) is None:
        session.add(User(username=hr_user, password_hash=hash_password(hr_pw), role="hr"))
    for department in departments:
        username = f"manager.{_slug(department.name)}"
        session.add(
            User(
                username=username,
                password_hash=hashed["manager"],
                role="manager",
                department_id=department.id,
            )
        )
        logins.append(
            DemoLogin("manager", username, DEMO_PASSWORDS["manager"], f"plans {department.name}")
        )
    for department in departments:
        person = session.scalar(
            select(Employee).where(Employee.department_id == department.id).order_by(Employee.id)
        )
        username = f"employee.{_slug(department.name)}"
        session.add(
            User(
                username=username,
                password_hash=hashed["employee"],
                role="employee",
                employee_id=person.id,
            )
        )
        logins.append(
            DemoLogin(
                "employee",
                username,
                DEMO_PASSWORDS["employee"],
                f"{person.name} (employee {person.id}), {department.name}",
            )
        )
    return logins


def demo_logins(session: Session, hr_user: str, hr_pw: str) -> list[DemoLogin]:
    """The demo log-ins of an already seeded database."""
    logins = [DemoLogin("hr", hr_user, hr_pw, "HR: every department")]
    for user in session.scalars(select(User).where(User.role != "hr").order_by(User.id)):
        if user.username.startswith(("manager.", "employee.")):
            note = ""
            if user.department_id is not None:
                note = f"plans {session.get(Department, user.department_id).name}"
            elif user.employee_id is not None:
                person = session.get(Employee, user.employee_id)
                note = f"{person.name} (employee {person.id})"
            logins.append(DemoLogin(user.role, user.username, DEMO_PASSWORDS[user.role], note))
    return logins


def seed_demo(
    factory: sessionmaker[Session],
    *,
    today: dt.date | None = None,
    hr_user: str | None = None,
    hr_password: str | None = None,
    seed: int = 7,
) -> list[DemoLogin]:
    """Fill an empty database with the demo company; returns the demo log-ins.

    A database that already holds departments is left as it is.
    """
    hr_user = hr_user or "hr"
    hr_password = hr_password or DEMO_PASSWORDS["hr"]
    with factory() as session:
        if session.scalar(select(Department.id).limit(1)) is not None:
            _logger.info("the database already holds data; the demo is not seeded again")
            return demo_logins(session, hr_user, hr_password)
        rng = random.Random(seed)
        first_week = next_monday(today)
        this_week = first_week - dt.timedelta(days=7)
        weeks = [first_week + dt.timedelta(days=7 * w) for w in range(PLANNED_WEEKS)]
        history_start = this_week - dt.timedelta(days=7 * HISTORY_WEEKS)
        departments = []
        for spec in DEPARTMENTS:
            department = _add_department(session, spec, rng)
            departments.append(department)
            if spec is CUSTOMER_SERVICE:
                _add_history(session, department, history_start, rng)
                _add_forecast_demand(session, department, [this_week, *weeks])
            else:
                _add_shift_demand(session, department, spec, [this_week, *weeks])
            _add_leave_and_wishes(session, department, weeks, rng)
        add_workforce_history(session, this_week, seed + 1)
        logins = _add_logins(session, departments, hr_user, hr_password)
        session.commit()
    _logger.info("seeded the demo company: %d departments", len(departments))
    return logins
