"""The demo company and demand forecast from uploaded history. Each test runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import math

from api_helpers import log_in
from sqlalchemy import func, select

from api.demo import HISTORY_WEEKS, seed_demo
from api.models import DemandHistory, Department, Employee, Leave, Preference


def test_demo_company_has_four_departments_and_about_200_people(client):
    """The demo seeds customer service, operations, design services and engineering, with call
    history, preferences, leave and a log-in for every role; next week's customer-service demand
    is forecast per half hour; seeding again changes nothing."""
    factory = client.app.state.session_factory
    logins = seed_demo(factory, today=dt.date(2030, 1, 2))
    with factory() as session:
        names = list(session.scalars(select(Department.name).order_by(Department.id)))
        people = session.scalar(select(func.count(Employee.id)))
        days = session.scalar(select(func.count(func.distinct(DemandHistory.date))))
        wishes = session.scalar(select(func.count(Preference.id)))
        leave = session.scalar(select(func.count(Leave.id)))
    assert names == ["Customer service", "Operations", "Design services", "Engineering"]
    assert 180 <= people <= 220
    assert days == HISTORY_WEEKS * 7
    assert wishes > 50 and leave > 5
    assert {login.role for login in logins} == {"hr", "manager", "employee"}
    manager = next(x for x in logins if x.username == "manager.customer-service")
    headers = log_in(client, manager.username, manager.password)
    visible = client.get("/api/v1/departments", headers=headers).json()
    assert [d["name"] for d in visible] == ["Customer service"]
    again = seed_demo(factory, today=dt.date(2030, 1, 2))
    with factory() as session:
        assert session.scalar(select(func.count(Employee.id))) == people
    assert [x.username for x in again] == [x.username for x in logins]
    lines = client.get(
        f"/api/v1/departments/{visible[0]['id']}/demand?week=2030-01-07", headers=headers
    ).json()
    assert lines and all(line["source"] == "forecast" for line in lines)
    assert {line["length_minutes"] for line in lines} == {30}
    assert max(line["required"] for line in lines) > 10


def test_forecast_replaces_the_week_with_interval_demand(client, company):
    """Uploaded half-hourly history is forecast and staffed into interval demand for a week:
    busier intervals need more people."""
    dept = company.departments["north"]
    start = company.week - dt.timedelta(weeks=8)
    lines = []
    for d in range(8 * 7):
        date = start + dt.timedelta(days=d)
        for minute in range(8 * 60, 20 * 60, 30):
            peak = 60 if 11 * 60 <= minute < 14 * 60 else 20
            lines.append({"date": date.isoformat(), "start_minute": minute, "volume": peak})
    summary = client.post(
        f"/api/v1/departments/{dept}/demand-history", json={"lines": lines}, headers=company.hr
    ).json()
    assert summary["intervals"] == len(lines)
    reply = client.post(
        f"/api/v1/departments/{dept}/demand/forecast",
        json={"week": company.week.isoformat(), "aht_seconds": 600, "shrinkage": 0},
        headers=company.managers["north"],
    )
    assert reply.status_code == 200, reply.text
    demand = reply.json()
    monday = {
        line["start_minute"]: line["required"]
        for line in demand
        if line["date"] == company.week.isoformat()
    }
    assert monday[12 * 60] > monday[9 * 60]
    # 60 calls x 600 s in 1800 s is 20 Erlangs: Erlang C needs more than 20 agents.
    assert monday[12 * 60] > 20
    assert math.isclose(len(monday), 24, abs_tol=2)
    stored = client.get(
        f"/api/v1/departments/{dept}/demand?week={company.week.isoformat()}", headers=company.hr
    ).json()
    assert {line["source"] for line in stored} == {"forecast"}


def test_forecast_without_history_says_so(client, company):
    """Asking for a forecast before any history is uploaded names the problem."""
    dept = company.departments["south"]
    reply = client.post(
        f"/api/v1/departments/{dept}/demand/forecast",
        json={"week": company.week.isoformat()},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert "history" in reply.json()["message"]


def test_history_csv_is_summed_into_intervals(client, company):
    """A CSV of calls per 15 minutes becomes half-hourly history; a bad column is named."""
    dept = company.departments["north"]
    rows = ["when,calls"] + [
        f"2029-12-03 {8 + q // 4:02d}:{15 * (q % 4):02d}:00,{q % 3}" for q in range(8)
    ]
    reply = client.post(
        f"/api/v1/departments/{dept}/demand-history/csv",
        files={"file": ("calls.csv", "\n".join(rows), "text/csv")},
        data={"time_column": "when", "value_column": "calls", "interval_minutes": "30"},
        headers=company.hr,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["intervals"] == 4
    bad = client.post(
        f"/api/v1/departments/{dept}/demand-history/csv",
        files={"file": ("calls.csv", "\n".join(rows), "text/csv")},
        data={"time_column": "time", "value_column": "calls"},
        headers=company.hr,
    )
    assert bad.status_code == 422
    assert "time" in bad.json()["message"] and "when" in bad.json()["message"]
