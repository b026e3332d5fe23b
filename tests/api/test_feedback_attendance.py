"""Attendance: CSV import keeps good rows and names bad lines, the reports count late
arrivals, no-shows, overtime and turn-up per slot, and a slot with 70% turn-up gets more
people in the next roster."""

from __future__ import annotations

import datetime as dt

from api_helpers import wait_for_job
from feedback_helpers import store_roster

from api.problem_builder import build_week_problem
from optimizer import Solution, validate

API = "/api/v1"
PAST_MONDAY = dt.date(2025, 11, 3)


def clock(client, headers, events):
    reply = client.post(f"{API}/attendance/events", json=events, headers=headers)
    assert reply.status_code == 201, reply.text


def at(date: dt.date, hhmm: str) -> str:
    return f"{date.isoformat()}T{hhmm}:00+00:00"


def test_csv_import_keeps_good_rows_and_rejects_bad_ones_with_line_numbers(client, company):
    mine, theirs = company.employees["north"][0], company.employees["south"][0]
    text = "\n".join(
        [
            "employee_id,kind,at,source",
            f"{mine},in,2025-11-03T07:01:00+00:00,terminal-1",
            f"{mine},lunch,2025-11-03T12:00:00+00:00,terminal-1",
            f"{mine},out,2025-11-03 15:00,terminal-1",
            f"{theirs},in,2025-11-03T07:00:00+00:00,terminal-1",
            f"{mine},out,2025-11-03T15:02:00+00:00,",
            "x,in,2025-11-03T07:00:00+00:00,terminal-1",
        ]
    )
    reply = client.post(
        f"{API}/attendance/import",
        files={"file": ("clock.csv", text.encode(), "text/csv")},
        headers=company.managers["north"],
    )
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["accepted"] == 2
    assert [(r["line"], r["reason"].split(":")[0]) for r in result["rejected"]] == [
        (3, "kind"),
        (4, "at"),
        (5, "employee_id"),
        (7, "employee_id"),
    ]
    assert "another department" in result["rejected"][2]["reason"]


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(client, company):
    reply = client.post(
        f"{API}/attendance/import",
        files={"file": ("clock.csv", b"who,when\n1,2025-11-03", "text/csv")},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert "employee_id, kind, at" in reply.text


def test_report_counts_late_arrivals_no_shows_overtime_and_turn_up_per_slot(client, company):
    dept = company.departments["north"]
    p0, p1, p2, _ = company.employees["north"]
    store_roster(client, dept, PAST_MONDAY, [(p0, 0, "early"), (p1, 0, "early"), (p2, 0, "late")])
    monday = PAST_MONDAY
    clock(
        client,
        company.managers["north"],
        [
            {"employee_id": p0, "kind": "in", "at": at(monday, "07:02")},
            {"employee_id": p0, "kind": "out", "at": at(monday, "17:02")},
            {"employee_id": p1, "kind": "in", "at": at(monday, "07:20")},
            {"employee_id": p1, "kind": "out", "at": at(monday, "15:00")},
        ],
    )
    reply = client.get(
        f"{API}/attendance/report",
        params={"department_id": dept, "first": "2025-11-03", "last": "2025-11-09"},
        headers=company.managers["north"],
    )
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert report["rostered_shifts"] == 3 and report["turn_up_rate"] == 0.667
    assert [(x["employee_id"], x["minutes_late"]) for x in report["late_arrivals"]] == [(p1, 20)]
    assert [(x["employee_id"], x["shift"]) for x in report["no_shows"]] == [(p2, "late")]
    assert [(x["employee_id"], x["overtime_hours"]) for x in report["overtime"]] == [(p0, 2.0)]
    assert [x["label"] for x in report["turn_up_by_slot"]] == [
        "Mon early 07:00-15:00: 100%",
        "Mon late 14:00-22:00: 0%",
    ]
    today = client.get(
        f"{API}/attendance/today",
        params={"department_id": dept, "date": "2025-11-03"},
        headers=company.managers["north"],
    ).json()
    assert [(x["employee_id"], x["state"]) for x in today] == [
        (p0, "in"),
        (p1, "late"),
        (p2, "not clocked in"),
    ]


def test_a_slot_with_70_percent_turn_up_gets_more_people_in_the_next_roster(client, company):
    """Ten Wednesday late shifts, seven turned up: the next week's Wednesday late needs two
    rostered for one expected, the solved roster has them, and the roster says why."""
    dept = company.departments["north"]
    p0, p1, _, _ = company.employees["north"]
    week = dt.date(2026, 1, 5)
    events = []
    for k in range(1, 6):
        monday = week - dt.timedelta(weeks=k)
        store_roster(client, dept, monday, [(p0, 2, "late"), (p1, 2, "late")])
        wednesday = monday + dt.timedelta(days=2)
        events.append({"employee_id": p0, "kind": "in", "at": at(wednesday, "13:55")})
        if k <= 2:
            events.append({"employee_id": p1, "kind": "in", "at": at(wednesday, "14:00")})
    clock(client, company.hr, events)
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
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, week)
    required = {(d.day, d.shift_type): d.required for d in problem.shift_demand}
    assert required[(2, "late")] == 2 and required[(2, "early")] == 1
    critical = {(d.day, d.shift_type): d.min_reliable for d in problem.shift_demand}
    assert critical[(2, "late")] == 1 and critical[(2, "early")] == 0
    reliability = {e.id: e.reliability for e in problem.employees}
    assert reliability[str(p0)] == 1.0 and reliability[str(p1)] == 0.4

    reply = client.post(
        f"{API}/solve-jobs",
        json={"department_id": dept, "week": week.isoformat(), "settings": {"time_limit": 2}},
        headers=company.hr,
    )
    assert reply.status_code == 202, reply.text
    job = wait_for_job(client, company.hr, reply.json()["id"])
    assert job["status"] == "finished", job
    roster = client.get(f"{API}/rosters/{job['roster_id']}", headers=company.hr).json()
    on_wednesday_late = [
        a for a in roster["assignments"] if a["date"] == "2026-01-07" and a["shift"] == "late"
    ]
    assert len(on_wednesday_late) == 2
    solution = Solution.model_validate(job["solution"])
    assert validate(problem, solution.assignments).hard_violations == []
    explained = client.get(
        f"{API}/rosters/{job['roster_id']}/attendance-feedback", headers=company.hr
    ).json()
    assert [line["reason"] for line in explained["raised_cover"]] == [
        "day 2 (Wed) late 14:00-22:00: 70% turn-up over 10 rostered shifts, "
        "so 2 rostered for 1 needed"
    ]
    assert explained["reliability"] == {str(p0): 1.0, str(p1): 0.4}
