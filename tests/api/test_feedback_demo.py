"""The demo company's past: 13 published weeks with clock data and goals, so that a fresh
start shows a non-trivial dashboard, turn-up feedback and tiers."""

from __future__ import annotations

import datetime as dt

from api_helpers import HR, token_for
from sqlalchemy import func, select

from api.demo import seed_demo
from api.demo_history import HISTORY_WEEKS
from api.models import AttendanceEvent, Department, Roster, WeeklyGoal
from api.problem_builder import build_week_problem

API = "/api/v1"
TODAY = dt.date(2026, 1, 7)
LAST_WEEK = dt.date(2025, 12, 29)


def test_demo_has_13_weeks_of_attendance_and_goals_behind_a_non_trivial_dashboard(client):
    """Every department has 13 published past weeks with clock data and goals; night shifts
    lose people, so next week's night cover is raised; the dashboard shows both tiers, lower
    evening turn-up and a positive attendance/goal correlation."""
    factory = client.app.state.session_factory
    seed_demo(factory, today=TODAY)
    with factory() as session:
        weeks = session.scalar(select(func.count(func.distinct(Roster.week_start))))
        goal_weeks = session.scalar(select(func.count(func.distinct(WeeklyGoal.week_start))))
        events = session.scalar(select(func.count(AttendanceEvent.id)))
        operations = session.scalar(select(Department.id).where(Department.name == "Operations"))
        problem = build_week_problem(session, operations, dt.date(2026, 1, 12))
    assert weeks == goal_weeks == HISTORY_WEEKS
    assert events > 10_000
    raised = problem.meta["attendance_feedback"]["raised_cover"]
    assert raised and any("night" in line["slot"] for line in raised)
    assert problem.meta["attendance_feedback"]["reliability"]

    board = client.get(
        f"{API}/dashboard/weekly",
        params={"week": LAST_WEEK.isoformat()},
        headers=token_for(client, HR[0]),
    ).json()
    assert {row["tier"] for row in board["goals"]} == {"high performer", "standard"}
    assert len(board["goals_by_department"]) == 4
    rates = {(row["department"], row["shift"]): row["rate"] for row in board["attendance"]}
    assert rates[("Customer service", "evening")] < rates[("Customer service", "early")]
    assert board["attendance_goal_correlation"]["pearson_r"] > 0.2
    assert all(row["hours"] > 0 for row in board["cost"])
