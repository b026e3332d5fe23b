"""The demo company's recent past: 13 published weekly rosters per department with the clock-ins
and clock-outs they produced, weekly goals, and scorecard weights, so that the dashboard,
the attendance reports and the solver's feedback have something real to show on a fresh start.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections import defaultdict

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.models import (
    AttendanceEvent,
    Department,
    Employee,
    KpiWeight,
    Roster,
    RosterPublication,
    ShiftTemplate,
    WeeklyGoal,
)

_logger = logging.getLogger(__name__)

HISTORY_WEEKS = 13
SHIFTS_PER_WEEK = 5
KPI_WEIGHTS = {"output": 30, "quality": 25, "sales": 20, "attendance": 10, "teamwork": 15}
# Evening and night slots lose more people, which is what the solver's feedback should pick up.
SLOT_TURN_UP = {"evening": 0.8, "night": 0.88}
DEFAULT_NEED_SHARE = 0.12


def daily_need(templates: list[ShiftTemplate], staff: int, date: dt.date) -> dict[str, int]:
    """People per shift on a day: a share of the staff, fewer at weekends."""
    share = DEFAULT_NEED_SHARE * (0.6 if date.weekday() >= 5 else 1.0)
    return {t.code: max(1, round(staff * share)) for t in templates}


def week_roster(
    templates: list[ShiftTemplate], people: list[int], week: dt.date, offset: int
) -> list[dict]:
    """A plausible published week: each person keeps one shift type all week, works at most
    five days, and the shift types are staffed in turn."""
    rotated = people[offset % len(people) :] + people[: offset % len(people)]
    needs = [daily_need(templates, len(people), week + dt.timedelta(days=d)) for d in range(7)]
    groups: dict[str, list[int]] = {}
    start = 0
    for t in templates:
        size = math.ceil(sum(n[t.code] for n in needs) / SHIFTS_PER_WEEK)
        groups[t.code] = rotated[start : start + size]
        start += size
    worked: dict[int, int] = defaultdict(int)
    assignments = []
    for day, need in enumerate(needs):
        for t in templates:
            group = sorted(groups[t.code], key=lambda p: worked[p])
            for person in group[: need[t.code]]:
                if worked[person] < SHIFTS_PER_WEEK:
                    worked[person] += 1
                    assignments.append({"employee": str(person), "day": day, "shift_type": t.code})
    return assignments


def clock_events(
    rng: random.Random,
    assignments: list[dict],
    templates: dict[str, ShiftTemplate],
    week: dt.date,
    reliability: dict[int, float],
) -> list[dict]:
    """Clock-ins and outs for a week's shifts: some late, some missing, some overtime."""
    rows = []
    for item in assignments:
        person, template = int(item["employee"]), templates[item["shift_type"]]
        chance = reliability[person] * SLOT_TURN_UP.get(template.kind, 1.0)
        if rng.random() > chance:
            continue
        midnight = dt.datetime.combine(
            week + dt.timedelta(days=item["day"]), dt.time(), tzinfo=dt.UTC
        )
        start = midnight + dt.timedelta(minutes=template.start_minute)
        late = rng.randint(6, 30) if rng.random() < 0.08 else rng.randint(-10, 4)
        extra = rng.randint(30, 90) if rng.random() < 0.1 else rng.randint(-5, 10)
        clock_in = start + dt.timedelta(minutes=late)
        clock_out = start + dt.timedelta(minutes=template.duration_minutes + extra)
        for kind, at in (("in", clock_in), ("out", clock_out)):
            rows.append({"employee_id": person, "kind": kind, "at": at, "source": "demo"})
    return rows


def goal_rows(
    rng: random.Random, people: list[int], week: dt.date, reliability: dict[int, float]
) -> list[dict]:
    """One output goal per person and week; reliable people tend to reach more of it."""
    rows = []
    for person in people:
        achieved = max(0.0, rng.gauss(95 + 250 * (reliability[person] - 0.93), 14))
        rows.append(
            {
                "employee_id": person,
                "week_start": week,
                "metric": "output",
                "unit": "points",
                "target": 100.0,
                "achieved": round(achieved, 1),
            }
        )
    return rows


def add_workforce_history(session: Session, this_week: dt.date, seed: int) -> None:
    """Thirteen past weeks of rosters, attendance and goals for every demo department."""
    rng = random.Random(seed)
    for department in session.scalars(select(Department).order_by(Department.id)):
        templates = list(
            session.scalars(
                select(ShiftTemplate)
                .where(ShiftTemplate.department_id == department.id)
                .order_by(ShiftTemplate.start_minute)
            )
        )
        people = list(
            session.scalars(
                select(Employee.id)
                .where(Employee.department_id == department.id)
                .order_by(Employee.id)
            )
        )
        if not templates or not people:
            continue
        for metric, weight in KPI_WEIGHTS.items():
            session.add(KpiWeight(department_id=department.id, metric=metric, weight=weight))
        reliability = {p: rng.uniform(0.85, 0.995) for p in people}
        by_code = {t.code: t for t in templates}
        events: list[dict] = []
        goals: list[dict] = []
        for k in range(HISTORY_WEEKS, 0, -1):
            week = this_week - dt.timedelta(weeks=k)
            assignments = week_roster(templates, people, week, offset=k * 7)
            published = dt.datetime.combine(week - dt.timedelta(days=4), dt.time(12), tzinfo=dt.UTC)
            roster = Roster(
                department_id=department.id,
                week_start=week,
                status="published",
                problem={},
                assignments=assignments,
                updated_at=published,
                published_at=published,
            )
            session.add(roster)
            session.flush()
            session.add(
                RosterPublication(
                    roster_id=roster.id,
                    version=1,
                    assignments=assignments,
                    published_at=published,
                    published_by="demo",
                )
            )
            events += clock_events(rng, assignments, by_code, week, reliability)
            goals += goal_rows(rng, people, week, reliability)
        session.execute(insert(AttendanceEvent), events)
        session.execute(insert(WeeklyGoal), goals)
        _logger.info(
            "demo history for %s: %d clock events, %d goals",
            department.name,
            len(events),
            len(goals),
        )
