"""Weekly wishes as requests ("no evenings on Wednesdays", "the early shift on Saturdays"):
readable 422s for a bad weekday, no labour check for an avoid, a want checked on each of its days
from the next one to the end of the last planned week, the manager's approval, and the weekly
preference the solver gets.

The test company's shifts are early 07:00-15:00 and late 14:00-22:00; its rosters are in 2030,
after today, so every test roster lies in the weekly wish's horizon.
"""

from __future__ import annotations

import datetime as dt

import pytest
from feedback_helpers import store_roster

from api.problem_builder import build_week_problem

API = "/api/v1"
EVENING = {"start": "18:00", "end": "22:00"}
BAD_WEEKDAY = "give a day of the week as monday ... sunday, or 0 (Monday) to 6 (Sunday), not "


def ask(client, company, **body):
    employee = company.employees["north"][0]
    return client.post(
        f"{API}/requests", json={"employee_id": employee, **body}, headers=company.staff["north"]
    )


def decide(client, company, reply, verdict: str = "approve"):
    assert reply.status_code == 201, reply.text
    url = f"{API}/requests/{reply.json()['id']}/{verdict}"
    return client.post(url, json={"note": "ok"}, headers=company.managers["north"])


def next_day_on(weekday: int) -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def earlies(client, company, days, week: dt.date | None = None, status: str = "draft") -> None:
    person = company.employees["north"][0]
    shifts = [(person, d, "early") for d in days]
    store_roster(client, company.departments["north"], week or company.week, shifts, status)


@pytest.mark.parametrize(
    ("weekday", "shown"), [("funday", "'funday'"), (7, "7"), (-1, "-1"), (True, "True")]
)
def test_a_bad_weekday_is_refused_naming_the_field(client, company, weekday, shown):
    reply = ask(client, company, kind="preference", wish="avoid", weekday=weekday)
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"] == f"weekday: {BAD_WEEKDAY}{shown}"
    person = company.employees["north"][0]
    reply = client.post(
        f"{API}/preferences",
        json={"employee_id": person, "weekday": weekday, "kind": "avoid"},
        headers=company.staff["north"],
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"] == f"weekday: {BAD_WEEKDAY}{shown}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "preference", "weekday": 2, "start_date": "2030-01-09"},
            "weekday: give start_date for one day or weekday for every week, not both",
        ),
        (
            {"kind": "leave", "weekday": "friday"},
            "weekday: only preference and flexible requests repeat every week, not leave; "
            "give start_date",
        ),
        (
            {"kind": "overtime", "weekday": 4, "shift": "early"},
            "weekday: only preference and flexible requests repeat every week, not overtime; "
            "give start_date",
        ),
        (
            {"kind": "preference", "weekday": 4, "end_date": "2030-01-11"},
            "end_date: a weekly wish has no end_date",
        ),
        (
            {"kind": "preference"},
            "start_date: give the day asked for, or weekday for a wish every week",
        ),
    ],
)
def test_a_weekly_request_has_a_weekday_and_nothing_else_of_a_date(client, company, body, message):
    reply = ask(client, company, **body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"] == f"request: {message}"


def test_no_evenings_on_wednesdays_needs_no_labour_check_and_becomes_a_weekly_preference(
    client, company
):
    earlies(client, company, range(5))
    earlies(client, company, range(5), week=company.week + dt.timedelta(weeks=1))
    reply = ask(
        client, company, kind="preference", wish="avoid", weekday="Wednesday", window=EVENING
    )
    assert reply.status_code == 201, reply.text
    request = reply.json()
    assert (request["weekday"], request["window"], request["status"]) == (2, EVENING, "pending")
    assert request["start_date"] == request["end_date"] == next_day_on(2).isoformat()
    decided = decide(client, company, reply)
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("approved", "manager-north")
    [preference] = client.get(f"{API}/preferences", headers=company.staff["north"]).json()
    assert (preference["date"], preference["weekday"], preference["window"]) == (None, 2, EVENING)
    person = str(company.employees["north"][0])
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    assert [
        (p.employee, p.day, p.kind, p.start_minute, p.end_minute) for p in problem.preferences
    ] == [(person, 2, "avoid", 1080, 1320)]


def test_fridays_off_as_a_whole_day_avoid_reaches_the_solver(client, company):
    reply = ask(client, company, kind="preference", wish="avoid", weekday="fri", weight=9)
    assert decide(client, company, reply).status_code == 200
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    assert [(p.day, p.shift_type, p.kind, p.weight) for p in problem.preferences] == [
        (4, None, "avoid", 9)
    ]


def test_a_weekly_want_is_checked_on_each_day_of_the_planned_horizon(client, company):
    """The early shift on Saturdays: fine in the first planned week (32 h), 48 h in the second
    one, which is named."""
    earlies(client, company, range(4))
    second_week = company.week + dt.timedelta(weeks=1)
    earlies(client, company, range(5), week=second_week)
    reply = ask(client, company, kind="preference", weekday=5, shift="early")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "weekly hour limit: on Saturday 2030-01-19, this would bring your week to 48 h; "
        "the limit is 40 h"
    )


def test_weeks_before_today_are_not_checked(client, company):
    earlies(client, company, range(5), week=dt.date(2020, 1, 6))
    reply = ask(client, company, kind="preference", weekday=5, shift="early")
    assert reply.status_code == 201, reply.text


def test_a_published_week_counts_its_shifts_but_does_not_refuse_a_weekly_wish(client, company):
    """A late shift on Tuesday 2030-01-08 of a published roster leaves 9 h before a weekly
    early shift on Wednesdays; the evening avoid is not refused for the published week."""
    person = company.employees["north"][0]
    dept = company.departments["north"]
    store_roster(client, dept, company.week, [(person, 1, "late")], status="published")
    reply = ask(client, company, kind="preference", weekday=2, shift="early")
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "rest between shifts: on Wednesday 2030-01-09, this would leave 9 h of rest next to "
        "your Late shift on 2030-01-08; the minimum is 11 h"
    )
    reply = ask(client, company, kind="preference", weekday=2, shift="late")
    assert reply.status_code == 201, reply.text
    dated = ask(client, company, kind="preference", start_date="2030-01-09", shift="late")
    assert dated.status_code == 409
    assert dated.json()["detail"].startswith("published roster: the roster for the week of")


def test_a_pending_weekly_want_uses_hours_for_the_next_request(client, company):
    earlies(client, company, range(4))
    weekly = ask(client, company, kind="preference", weekday=5, shift="early")
    assert weekly.status_code == 201, weekly.text
    dated = ask(client, company, kind="overtime", start_date="2030-01-13", shift="early")
    assert dated.status_code == 409, dated.text
    assert dated.json()["detail"] == (
        "weekly hour limit: this would bring your week to 48 h; the limit is 40 h"
    )
    assert decide(client, company, weekly, "reject").json()["status"] == "rejected"
    dated = ask(client, company, kind="overtime", start_date="2030-01-13", shift="early")
    assert dated.status_code == 201, dated.text


def test_approval_checks_a_weekly_want_again(client, company):
    reply = ask(client, company, kind="preference", weekday="saturday", shift="early")
    assert reply.status_code == 201, reply.text
    earlies(client, company, range(5))
    decided = decide(client, company, reply)
    assert decided.status_code == 409, decided.text
    assert decided.json()["detail"] == (
        "weekly hour limit: on Saturday 2030-01-12, this would bring your week to 48 h; "
        "the limit is 40 h"
    )
    listed = client.get(f"{API}/requests", headers=company.staff["north"]).json()
    assert [r["status"] for r in listed] == ["pending"]


def test_a_weekly_window_no_shift_covers_is_refused_naming_the_weekday(client, company):
    window = {"start": "06:00", "end": "10:00"}
    reply = ask(client, company, kind="preference", weekday="wed", window=window)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "time window: no shift of your department covers 06:00-10:00 on Wednesdays; "
        "ask for a window inside one shift, or for the shift itself"
    )


def test_flexible_hours_every_wednesday_become_a_weekly_wish_for_the_flexible_shift(
    client, company
):
    dept = company.departments["north"]
    reply = client.post(
        f"{API}/departments/{dept}/shift-templates",
        json={
            "code": "flex",
            "name": "Flexible",
            "kind": "flexible",
            "start_minute": 600,
            "duration_minutes": 360,
        },
        headers=company.hr,
    )
    assert reply.status_code == 201, reply.text
    reply = ask(client, company, kind="flexible", weekday="wednesday", shift="flex")
    assert reply.status_code == 201, reply.text
    assert (reply.json()["weekday"], reply.json()["wish"]) == (2, "want")
    assert decide(client, company, reply).status_code == 200
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, company.week)
    assert [(p.day, p.shift_type, p.kind) for p in problem.preferences] == [(2, "flex", "want")]
