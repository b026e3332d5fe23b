"""Roles and access: HR sees everything, a manager only their department, an employee only
their own data. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from api_helpers import HR, log_in
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


def test_log_in_with_a_wrong_password_is_refused(client, company):
    """The token endpoint answers 401 for a wrong password."""
    reply = client.post("/api/v1/auth/token", data={"username": HR[0], "password": "wrong"})
    assert reply.status_code == 401
    assert "password" in reply.json()["detail"]


def test_requests_without_a_token_are_refused(client, company):
    """Every resource needs a bearer token."""
    assert client.get("/api/v1/departments").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/employees", headers=bad).status_code == 401


def test_first_hr_account_comes_from_the_environment(settings, monkeypatch):
    """SHIFTOPT_ADMIN_USER / SHIFTOPT_ADMIN_PASSWORD create the first HR account."""
    monkeypatch.setenv("SHIFTOPT_ADMIN_USER", "boss")
    monkeypatch.setenv("SHIFTOPT_ADMIN_PASSWORD", "first-password")
    configured = Settings(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        secret_key=settings.secret_key,
    )
    with TestClient(create_app(configured)) as client:
        me = client.get("/api/v1/users/me", headers=log_in(client, "boss", "first-password"))
    assert me.json()["role"] == "hr"
    assert me.json()["username"] == "boss"


def test_hr_creates_an_account_that_can_log_in(client, company):
    """An account made through POST /users logs in with its password and gets its role."""
    reply = client.post(
        "/api/v1/users",
        json={
            "username": "planner",
            "password": "planner-pw-1",
            "role": "manager",
            "department_id": company.departments["south"],
        },
        headers=company.hr,
    )
    assert reply.status_code == 201, reply.text
    me = client.get("/api/v1/users/me", headers=log_in(client, "planner", "planner-pw-1")).json()
    assert (me["role"], me["department_id"]) == ("manager", company.departments["south"])


def test_manager_lists_only_their_own_department(client, company):
    """Listing departments and employees as a manager shows only their own."""
    north = company.managers["north"]
    departments = client.get("/api/v1/departments", headers=north).json()
    assert [d["id"] for d in departments] == [company.departments["north"]]
    people = client.get("/api/v1/employees", headers=north).json()
    assert sorted(p["id"] for p in people) == sorted(company.employees["north"])


def test_manager_cannot_read_another_department(client, company):
    """A manager reading another department's data is refused with 403, wherever it lives."""
    south, person = company.departments["south"], company.employees["south"][1]
    week = company.week.isoformat()
    paths = [
        f"/api/v1/departments/{south}",
        f"/api/v1/departments/{south}/demand?week={week}",
        f"/api/v1/departments/{south}/demand-history",
        f"/api/v1/departments/{south}/labour-rules",
        f"/api/v1/departments/{south}/shift-templates",
        f"/api/v1/employees/{person}",
        f"/api/v1/employees?department_id={south}",
        f"/api/v1/employees/{person}/schedule",
        f"/api/v1/leave?employee_id={person}",
        f"/api/v1/preferences?employee_id={person}",
        f"/api/v1/rosters?department_id={south}",
    ]
    refused = {p: client.get(p, headers=company.managers["north"]).status_code for p in paths}
    assert refused == dict.fromkeys(paths, 403)


def test_manager_cannot_change_another_department(client, company):
    """Writes into another department (people, templates, demand, rules, leave, solves) get 403."""
    north, south = company.managers["north"], company.departments["south"]
    person = company.employees["south"][1]
    week = company.week.isoformat()
    attempts = [
        client.post("/api/v1/employees", json={"department_id": south, "name": "x"}, headers=north),
        client.patch(f"/api/v1/employees/{person}", json={"hourly_cost": 1}, headers=north),
        client.delete(f"/api/v1/employees/{person}", headers=north),
        client.post(
            f"/api/v1/departments/{south}/shift-templates",
            json={"code": "n", "name": "N", "start_minute": 0, "duration_minutes": 60},
            headers=north,
        ),
        client.put(
            f"/api/v1/departments/{south}/demand", json={"week": week, "lines": []}, headers=north
        ),
        client.put(f"/api/v1/departments/{south}/labour-rules", json={}, headers=north),
        client.post(
            "/api/v1/leave",
            json={"employee_id": person, "start_date": week, "end_date": week},
            headers=north,
        ),
        client.post(
            "/api/v1/solve-jobs", json={"department_id": south, "week": week}, headers=north
        ),
        client.patch(f"/api/v1/departments/{south}", json={"name": "mine"}, headers=north),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    after = client.get(f"/api/v1/employees/{person}", headers=company.hr).json()
    assert after["hourly_cost"] != 1 and after["active"]


def test_manager_can_change_their_own_department(client, company):
    """The same writes in the manager's own department succeed."""
    north, dept = company.managers["north"], company.departments["north"]
    person = company.employees["north"][1]
    reply = client.patch(f"/api/v1/employees/{person}", json={"hourly_cost": 31.5}, headers=north)
    assert reply.status_code == 200 and reply.json()["hourly_cost"] == 31.5
    reply = client.put(
        f"/api/v1/departments/{dept}/labour-rules",
        json={"max_minutes_per_week": 2100},
        headers=north,
    )
    assert reply.status_code == 200 and reply.json()["max_minutes_per_week"] == 2100


def test_employee_sees_only_their_own_record(client, company):
    """An employee lists only themself and cannot open a colleague's record."""
    me = company.staff["north"]
    own = company.employees["north"][0]
    colleague = company.employees["north"][1]
    listed = client.get("/api/v1/employees", headers=me).json()
    assert [p["id"] for p in listed] == [own]
    assert client.get(f"/api/v1/employees/{own}", headers=me).status_code == 200
    assert client.get(f"/api/v1/employees/{colleague}", headers=me).status_code == 403
    assert client.get(f"/api/v1/employees/{colleague}/schedule", headers=me).status_code == 403
    assert client.get(f"/api/v1/employees/{colleague}/calendar.ics", headers=me).status_code == 403


def test_employee_cannot_see_colleagues_preferences_or_leave(client, company):
    """Preferences and leave of colleagues stay hidden from an employee."""
    hr, me = company.hr, company.staff["north"]
    colleague = company.employees["north"][1]
    week = company.week.isoformat()
    client.post(
        "/api/v1/preferences",
        json={"employee_id": colleague, "weekday": 0, "kind": "avoid"},
        headers=hr,
    )
    client.post(
        "/api/v1/leave",
        json={"employee_id": colleague, "start_date": week, "end_date": week},
        headers=hr,
    )
    assert client.get("/api/v1/preferences", headers=me).json() == []
    assert client.get("/api/v1/leave", headers=me).json() == []
    assert client.get(f"/api/v1/preferences?employee_id={colleague}", headers=me).status_code == 403
    assert client.get(f"/api/v1/leave?employee_id={colleague}", headers=me).status_code == 403


def test_employee_manages_their_own_preferences(client, company):
    """An employee states and withdraws their own wishes, but not a colleague's."""
    me = company.staff["north"]
    own, colleague = company.employees["north"][0], company.employees["north"][1]
    reply = client.post(
        "/api/v1/preferences",
        json={"employee_id": own, "weekday": 5, "shift": "late", "kind": "avoid", "weight": 8},
        headers=me,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["shift"] == "late"
    forbidden = client.post(
        "/api/v1/preferences",
        json={"employee_id": colleague, "weekday": 5, "kind": "want"},
        headers=me,
    )
    assert forbidden.status_code == 403
    assert client.delete(f"/api/v1/preferences/{reply.json()['id']}", headers=me).status_code == 204


def test_employee_cannot_plan(client, company):
    """Employees cannot read demand, rosters or solve jobs, nor record leave."""
    me, dept = company.staff["north"], company.departments["north"]
    week = company.week.isoformat()
    assert (
        client.get(f"/api/v1/departments/{dept}/demand?week={week}", headers=me).status_code == 403
    )
    assert client.get("/api/v1/rosters", headers=me).status_code == 403
    assert client.get("/api/v1/solve-jobs", headers=me).status_code == 403
    reply = client.post(
        "/api/v1/solve-jobs", json={"department_id": dept, "week": week}, headers=me
    )
    assert reply.status_code == 403


def test_only_hr_creates_departments_and_accounts(client, company):
    """Managers can create neither departments nor log-ins."""
    north = company.managers["north"]
    assert (
        client.post("/api/v1/departments", json={"name": "new"}, headers=north).status_code == 403
    )
    reply = client.post(
        "/api/v1/users",
        json={"username": "x", "password": "password-1", "role": "hr"},
        headers=north,
    )
    assert reply.status_code == 403
