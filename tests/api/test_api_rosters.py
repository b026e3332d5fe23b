"""Rosters from stored data: solve a department week, edit with re-validation, pin, publish,
history, and the CSV and iCalendar exports. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io

import pytest
from api_helpers import wait_for_job
from icalendar import Calendar


@pytest.fixture
def solved(client, company) -> dict:
    """North's week, solved by its manager."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={
            "department_id": company.departments["north"],
            "week": company.week.isoformat(),
            "settings": {"time_limit": 2},
        },
        headers=company.managers["north"],
    )
    assert reply.status_code == 202, reply.text
    job = wait_for_job(client, company.managers["north"], reply.json()["id"])
    assert job["status"] == "finished", job
    roster = client.get(f"/api/v1/rosters/{job['roster_id']}", headers=company.managers["north"])
    return roster.json()


def test_solved_week_becomes_a_draft_roster_that_covers_demand(client, company, solved):
    """Four people cover one early and one late shift a day, with no hard violation."""
    assert solved["status"] == "draft"
    assert solved["hard_violations"] == []
    assert len(solved["assignments"]) == 14
    assert "under_cover" not in {r["rule"] for r in solved["breakdown"]}
    assert "labour_cost" in {r["rule"] for r in solved["breakdown"]}
    assert {a["employee_id"] for a in solved["assignments"]} <= set(company.employees["north"])


def _lines(roster: dict) -> list[dict]:
    return [
        {k: a[k] for k in ("employee_id", "date", "shift", "skill", "pinned")}
        for a in roster["assignments"]
    ]


def test_hand_edit_is_revalidated_at_once(client, company, solved):
    """Giving someone a second shift on the same day shows up as a hard violation, and the
    roster cannot be published until it is undone."""
    north = company.managers["north"]
    lines = _lines(solved)
    first = lines[0]
    other = "late" if first["shift"] == "early" else "early"
    broken = [*lines, {**first, "shift": other}]
    reply = client.put(
        f"/api/v1/rosters/{solved['id']}/assignments", json={"assignments": broken}, headers=north
    )
    assert reply.status_code == 200, reply.text
    edited = reply.json()
    assert "one_shift_per_day" in {v["rule"] for v in edited["hard_violations"]}
    refused = client.post(f"/api/v1/rosters/{solved['id']}/publish", headers=north)
    assert refused.status_code == 422
    assert "one_shift_per_day" in refused.json()["message"]
    fixed = client.put(
        f"/api/v1/rosters/{solved['id']}/assignments", json={"assignments": lines}, headers=north
    ).json()
    assert fixed["hard_violations"] == []
    assert fixed["objective"] == solved["objective"]


def test_dropping_a_shift_raises_the_under_cover_penalty(client, company, solved):
    """Removing one shift leaves one person missing, and the breakdown says so."""
    lines = _lines(solved)[1:]
    edited = client.put(
        f"/api/v1/rosters/{solved['id']}/assignments",
        json={"assignments": lines},
        headers=company.managers["north"],
    ).json()
    under = next(r for r in edited["breakdown"] if r["rule"] == "under_cover")
    assert under["violations"] == 1
    assert edited["objective"] > solved["objective"]


def test_pinned_shift_survives_the_next_solve(client, company, solved):
    """A pinned line is kept by the next solve of the week even though it costs more."""
    north = company.managers["north"]
    lines = _lines(solved)
    dearest = max(company.employees["north"])
    taken = {(line["date"], line["shift"]) for line in lines if line["employee_id"] == dearest}
    day = next(line["date"] for line in lines if (line["date"], "early") not in taken)
    keep = [line for line in lines if line["date"] != day or line["shift"] != "early"]
    keep = [line for line in keep if not (line["employee_id"] == dearest and line["date"] == day)]
    keep.append(
        {"employee_id": dearest, "date": day, "shift": "early", "skill": None, "pinned": True}
    )
    reply = client.put(
        f"/api/v1/rosters/{solved['id']}/assignments", json={"assignments": keep}, headers=north
    )
    assert reply.status_code == 200, reply.text
    job = client.post(
        "/api/v1/solve-jobs",
        json={
            "department_id": company.departments["north"],
            "week": company.week.isoformat(),
            "settings": {"time_limit": 2},
        },
        headers=north,
    ).json()
    assert wait_for_job(client, north, job["id"])["status"] == "finished"
    again = client.get(f"/api/v1/rosters/{solved['id']}", headers=north).json()
    pinned = [a for a in again["assignments"] if a["pinned"]]
    assert [(a["employee_id"], a["date"], a["shift"]) for a in pinned] == [(dearest, day, "early")]


def test_publishing_keeps_history_and_shows_the_employee_their_shifts(client, company, solved):
    """A published roster appears in the history, in the employee's schedule and iCal feed."""
    north, me = company.managers["north"], company.staff["north"]
    own = company.employees["north"][0]
    published = client.post(f"/api/v1/rosters/{solved['id']}/publish", headers=north).json()
    assert published["status"] == "published"
    history = client.get(f"/api/v1/rosters/{solved['id']}/history", headers=north).json()
    assert [h["version"] for h in history] == [1]
    mine = [a for a in solved["assignments"] if a["employee_id"] == own]
    schedule = client.get(f"/api/v1/employees/{own}/schedule", headers=me).json()
    assert [(s["date"], s["shift"]) for s in schedule] == [(a["date"], a["shift"]) for a in mine]
    feed = client.get(f"/api/v1/employees/{own}/calendar.ics", headers=me)
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == len(mine)
    edited = client.put(
        f"/api/v1/rosters/{solved['id']}/assignments",
        json={"assignments": _lines(solved)},
        headers=north,
    ).json()
    assert (edited["status"], edited["version"]) == ("draft", 2)


def test_roster_csv_has_one_row_per_shift(client, company, solved):
    """The CSV export lists every shift with its times."""
    reply = client.get(
        f"/api/v1/rosters/{solved['id']}/roster.csv", headers=company.managers["north"]
    )
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert len(rows) == len(solved["assignments"])
    assert {(r["shift"], r["start"], r["end"]) for r in rows} <= {
        ("early", "07:00", "15:00"),
        ("late", "14:00", "22:00"),
    }


def test_draft_calendar_of_one_employee(client, company, solved):
    """A planner downloads one employee's shifts of a draft roster as iCalendar."""
    person = solved["assignments"][0]["employee_id"]
    reply = client.get(
        f"/api/v1/rosters/{solved['id']}/employees/{person}/calendar.ics",
        headers=company.managers["north"],
    )
    events = Calendar.from_ical(reply.content).walk("VEVENT")
    expected = [a for a in solved["assignments"] if a["employee_id"] == person]
    assert len(events) == len(expected)
    assert all("(draft)" in str(e["SUMMARY"]) for e in events)
