"""Employee requests: each rule check refuses with the rule and the numbers, accepted
requests wait for the manager, and approved ones reach the solver's problem."""

from __future__ import annotations

import datetime as dt

from feedback_helpers import store_roster

from api.problem_builder import build_week_problem

API = "/api/v1"


def day(company, offset: int) -> str:
    return (company.week + dt.timedelta(days=offset)).isoformat()


def ask(client, company, **body):
    employee = company.employees["north"][0]
    return client.post(
        f"{API}/requests", json={"employee_id": employee, **body}, headers=company.staff["north"]
    )


def test_overtime_beyond_the_weekly_hour_limit_is_refused_with_the_hours(client, company):
    person = company.employees["north"][0]
    store_roster(
        client, company.departments["north"], company.week, [(person, d, "early") for d in range(5)]
    )
    reply = ask(client, company, kind="overtime", start_date=day(company, 5), shift="early")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "weekly hour limit: this would bring your week to 48 h; the limit is 40 h"
    )


def test_a_shift_too_close_to_the_previous_one_is_refused_with_the_rest_hours(client, company):
    person = company.employees["north"][0]
    store_roster(client, company.departments["north"], company.week, [(person, 0, "late")])
    reply = ask(client, company, kind="preference", start_date=day(company, 1), shift="early")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "rest between shifts: this would leave 9 h of rest next to your Late shift on "
        "2030-01-07; the minimum is 11 h"
    )


def test_a_run_of_days_longer_than_the_rules_allow_is_refused(client, company):
    dept = company.departments["north"]
    reply = client.put(
        f"{API}/departments/{dept}/labour-rules",
        json={"max_consecutive_days": 3},
        headers=company.hr,
    )
    assert reply.status_code == 200, reply.text
    person = company.employees["north"][0]
    store_roster(client, dept, company.week, [(person, d, "early") for d in range(3)])
    reply = ask(client, company, kind="preference", start_date=day(company, 3), shift="early")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "consecutive working days: this would make 4 working days in a row; the limit is 3"
    )
    reply = ask(client, company, kind="preference", start_date=day(company, 4), shift="early")
    assert reply.status_code == 201, reply.text


def test_leave_beyond_the_annual_allowance_is_refused_with_the_days_left(client, company):
    person = company.employees["north"][0]
    reply = client.post(
        f"{API}/leave",
        json={"employee_id": person, "start_date": "2030-01-07", "end_date": "2030-02-01"},
        headers=company.managers["north"],
    )
    assert reply.status_code == 201, reply.text
    reply = ask(client, company, kind="leave", start_date="2030-03-04", end_date="2030-03-11")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "leave balance: this leave needs 6 days but only 5 of your 25 days for 2030 are left"
    )
    assert (
        ask(
            client, company, kind="leave", start_date="2030-03-04", end_date="2030-03-08"
        ).status_code
        == 201
    )


def test_a_request_in_a_published_week_is_refused(client, company):
    store_roster(client, company.departments["north"], company.week, [], status="published")
    reply = ask(client, company, kind="preference", wish="avoid", start_date=day(company, 2))
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "published roster: the roster for the week of 2030-01-07 is already published; "
        "ask your manager to change it"
    )


def test_an_approved_wish_becomes_a_preference_in_the_solvers_problem(client, company):
    reply = ask(
        client, company, kind="preference", wish="avoid", start_date=day(company, 2), weight=9
    )
    assert reply.status_code == 201, reply.text
    request = reply.json()
    assert request["status"] == "pending" and request["submitted_by"] == "staff-north"
    url = f"{API}/requests/{request['id']}/approve"
    assert client.post(url, json={}, headers=company.staff["north"]).status_code == 403
    assert client.post(url, json={}, headers=company.managers["south"]).status_code == 403
    pending = client.get(f"{API}/requests?state=pending", headers=company.managers["north"])
    assert [r["id"] for r in pending.json()] == [request["id"]]
    reply = client.post(url, json={"note": "fine"}, headers=company.managers["north"])
    assert reply.status_code == 200, reply.text
    decided = reply.json()
    assert decided["status"] == "approved"
    assert decided["decided_by"] == "manager-north" and decided["decided_at"] is not None
    again = client.post(url, json={}, headers=company.hr)
    assert again.status_code == 409
    assert "already approved by manager-north" in again.json()["detail"]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    person = str(company.employees["north"][0])
    assert [(p.employee, p.day, p.kind, p.weight) for p in problem.preferences] == [
        (person, 2, "avoid", 9)
    ]


def test_approved_leave_becomes_unavailable_days(client, company):
    reply = ask(client, company, kind="leave", start_date=day(company, 1), end_date=day(company, 2))
    assert reply.status_code == 201, reply.text
    url = f"{API}/requests/{reply.json()['id']}/approve"
    assert client.post(url, json={}, headers=company.hr).status_code == 200
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    person = str(company.employees["north"][0])
    planned = {e.id: e.unavailable_days for e in problem.employees}
    assert planned[person] == [1, 2]


def test_a_rejected_request_keeps_the_reason_and_changes_nothing(client, company):
    reply = ask(client, company, kind="preference", start_date=day(company, 3), shift="late")
    url = f"{API}/requests/{reply.json()['id']}/reject"
    decided = client.post(url, json={"note": "cover"}, headers=company.managers["north"]).json()
    assert (decided["status"], decided["decision_note"]) == ("rejected", "cover")
    preferences = client.get(f"{API}/preferences", headers=company.staff["north"]).json()
    assert preferences == []


def test_a_flexible_request_must_name_a_flexible_shift(client, company):
    reply = ask(client, company, kind="flexible", start_date=day(company, 2), shift="early")
    assert reply.status_code == 422
    assert "not a flexible shift" in reply.text


def test_approval_checks_the_rules_again_and_refuses_once_the_week_is_published(client, company):
    reply = ask(client, company, kind="preference", start_date=day(company, 4), shift="late")
    assert reply.status_code == 201, reply.text
    store_roster(client, company.departments["north"], company.week, [], status="published")
    url = f"{API}/requests/{reply.json()['id']}/approve"
    refused = client.post(url, json={}, headers=company.managers["north"])
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("published roster: the roster for the week of")
    listed = client.get(f"{API}/requests", headers=company.managers["north"]).json()
    assert [r["status"] for r in listed] == ["pending"]


def test_a_pending_wish_counts_against_the_next_one(client, company):
    """Two overtime wishes in one week: the first pending one already uses hours."""
    person = company.employees["north"][0]
    store_roster(
        client, company.departments["north"], company.week, [(person, d, "early") for d in range(4)]
    )
    first = ask(client, company, kind="overtime", start_date=day(company, 4), shift="early")
    assert first.status_code == 201, first.text
    second = ask(client, company, kind="overtime", start_date=day(company, 6), shift="early")
    assert second.status_code == 409
    assert second.json()["detail"] == (
        "weekly hour limit: this would bring your week to 48 h; the limit is 40 h"
    )
    others = client.get(f"{API}/requests", headers=company.staff["south"]).json()
    assert others == []
