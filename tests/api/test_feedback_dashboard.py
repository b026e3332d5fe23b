"""The weekly dashboard: its sections come from the stored roster, demand, goals and clock
data, a manager sees only their department, and each section exports as CSV."""

from __future__ import annotations

import datetime as dt

from feedback_helpers import store_roster

API = "/api/v1"


def test_dashboard_sections_reflect_roster_goals_and_attendance(client, company):
    dept = company.departments["north"]
    p0, p1, p2, _ = company.employees["north"]
    week = dt.date(2025, 11, 3)
    lines = [
        {"date": (week + dt.timedelta(days=d)).isoformat(), "shift": code, "required": 1}
        for d in range(7)
        for code in ("early", "late")
    ]
    reply = client.put(
        f"{API}/departments/{dept}/demand",
        json={"week": week.isoformat(), "lines": lines},
        headers=company.hr,
    )
    assert reply.status_code == 200, reply.text
    problem = {
        "preferences": [
            {"employee": str(p0), "day": 0, "shift_type": "early", "kind": "want", "weight": 5},
            {"employee": str(p1), "day": 0, "shift_type": None, "kind": "avoid", "weight": 5},
        ]
    }
    store_roster(
        client, dept, week, [(p0, 0, "early"), (p1, 0, "late"), (p2, 1, "early")], problem=problem
    )
    for person, achieved in ((p0, 130), (p1, 90)):
        reply = client.put(
            f"{API}/goals",
            json={
                "employee_id": person,
                "week": week.isoformat(),
                "target": 100,
                "achieved": achieved,
            },
            headers=company.hr,
        )
        assert reply.status_code == 200, reply.text
    monday = week.isoformat()
    reply = client.post(
        f"{API}/attendance/events",
        json=[{"employee_id": p0, "kind": "in", "at": f"{monday}T07:00:00+00:00"}],
        headers=company.hr,
    )
    assert reply.status_code == 201
    reply = client.get(
        f"{API}/dashboard/weekly",
        params={"week": monday},
        headers=company.managers["north"],
    )
    assert reply.status_code == 200, reply.text
    board = reply.json()
    assert [(g["employee_id"], g["completion"], g["tier"]) for g in board["goals"]] == [
        (p0, 1.3, "high performer"),
        (p1, 0.9, "standard"),
    ]
    assert board["goals_by_department"] == [
        {"department": "north", "employees": 2, "completion": 1.1}
    ]
    cover = {(c["date"], c["shift"]): (c["required"], c["rostered"]) for c in board["coverage"]}
    assert cover[(monday, "early")] == (1, 1)
    assert cover[((week + dt.timedelta(days=2)).isoformat(), "late")] == (1, 0)
    assert board["cost"] == [
        {"department": "north", "hours": 24.0, "cost": 8 * (20 + 21 + 22), "overtime_hours": 0.0}
    ]
    assert [(a["weekday"], a["shift"], a["rate"]) for a in board["attendance"]] == [
        ("Mon", "early", 1.0),
        ("Mon", "late", 0.0),
        ("Tue", "early", 0.0),
    ]
    assert board["preferences"] == [
        {"department": "north", "wishes": 2, "honoured": 1, "rate": 0.5}
    ]
    csv_reply = client.get(
        f"{API}/dashboard/weekly.csv",
        params={"week": monday, "section": "goals"},
        headers=company.hr,
    )
    assert csv_reply.status_code == 200
    assert csv_reply.headers["content-type"].startswith("text/csv")
    assert csv_reply.text.splitlines() == [
        "department,employee_id,employee,completion,tier",
        f"north,{p0},north person 0,1.3,high performer",
        f"north,{p1},north person 1,0.9,standard",
    ]


def test_a_manager_sees_only_their_own_department_and_employees_none(client, company):
    north = company.departments["north"]
    week = company.week.isoformat()
    reply = client.get(
        f"{API}/dashboard/weekly",
        params={"week": week, "department_id": north},
        headers=company.managers["south"],
    )
    assert reply.status_code == 403
    staff = client.get(
        f"{API}/dashboard/weekly", params={"week": week}, headers=company.staff["north"]
    )
    assert staff.status_code == 403
    hr = client.get(f"{API}/dashboard/weekly", params={"week": week}, headers=company.hr).json()
    assert {row["department"] for row in hr["cost"]} == {"north", "south"}
