"""Time-window wishes ("not 18:00-22:00 on Wednesday"): readable 422s for bad windows, labour
checks for a wanted window as the shortest shift covering it, none for an avoided one, the
solver's problem, a roster that keeps an avoided evening free, and the honoured/why-not report.

The test company's shifts are early 07:00-15:00 and late 14:00-22:00; the tests of windows
past midnight add a night shift 22:00-06:00 and a small-hours one 01:00-05:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
from feedback_helpers import store_roster

from api.problem_builder import build_week_problem
from optimizer import SolverSettings, solve

API = "/api/v1"
EVENING = {"start": "18:00", "end": "22:00"}


def day(company, offset: int) -> str:
    return (company.week + dt.timedelta(days=offset)).isoformat()


def ask(client, company, **body):
    employee = company.employees["north"][0]
    return client.post(
        f"{API}/requests", json={"employee_id": employee, **body}, headers=company.staff["north"]
    )


def approve(client, company, reply) -> None:
    assert reply.status_code == 201, reply.text
    url = f"{API}/requests/{reply.json()['id']}/approve"
    decided = client.post(url, json={}, headers=company.managers["north"])
    assert decided.status_code == 200, decided.text


def full_week_of_earlies(client, company) -> None:
    person = company.employees["north"][0]
    store_roster(
        client, company.departments["north"], company.week, [(person, d, "early") for d in range(5)]
    )


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"start": "18:00", "end": "18:00"},
            "window.end: a window ends after it starts (18:00 is its start); an end earlier "
            "than the start runs into the next day, e.g. 22:00-06:00",
        ),
        ({"start": "6pm", "end": "22:00"}, "window.start: give a time of day as HH:MM"),
        ({"start": "18:00", "end": "25:00"}, "window.end: give a time of day as HH:MM"),
        (
            {"start": "22:00", "end": "30:00"},
            "window.end: give a time of day as HH:MM, e.g. 18:00 (not '30:00'); an end earlier "
            "than the start runs into the next day, e.g. 22:00-06:00",
        ),
        ({"start": "24:00", "end": "24:00"}, "window.start: a window starts before 24:00"),
        ({"start": "18:00"}, "window.end: Field required"),
    ],
)
def test_a_bad_window_is_refused_naming_the_field(client, company, window, message):
    reply = ask(client, company, kind="preference", start_date=day(company, 2), window=window)
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"].startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "preference", "shift": "late"},
            "window: give a shift or a time window, not both",
        ),
        ({"kind": "leave"}, "window: only preferences take a time window, not leave"),
    ],
)
def test_a_window_goes_with_preferences_only_and_not_with_a_shift(client, company, body, message):
    reply = ask(client, company, start_date=day(company, 2), window=EVENING, **body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"] == f"request: {message}"


def test_an_avoided_evening_needs_no_labour_check(client, company):
    full_week_of_earlies(client, company)
    reply = ask(
        client, company, kind="preference", wish="avoid", start_date=day(company, 5), window=EVENING
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["window"] == EVENING and reply.json()["shift"] is None


def test_a_wanted_window_counts_as_the_shortest_shift_covering_it(client, company):
    """15:00-20:00 on Saturday is covered by the late shift only: 8 h more in a 40 h week."""
    full_week_of_earlies(client, company)
    window = {"start": "15:00", "end": "20:00"}
    reply = ask(client, company, kind="preference", start_date=day(company, 5), window=window)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "weekly hour limit: this would bring your week to 48 h; the limit is 40 h"
    )


def test_a_wanted_morning_after_a_late_shift_is_refused_for_rest(client, company):
    person = company.employees["north"][0]
    store_roster(client, company.departments["north"], company.week, [(person, 0, "late")])
    window = {"start": "08:00", "end": "12:00"}
    reply = ask(client, company, kind="preference", start_date=day(company, 1), window=window)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "rest between shifts: this would leave 9 h of rest next to your Late shift on "
        "2030-01-07; the minimum is 11 h"
    )


def test_a_wanted_window_no_shift_covers_is_refused_naming_the_window(client, company):
    window = {"start": "06:00", "end": "10:00"}
    reply = ask(client, company, kind="preference", start_date=day(company, 2), window=window)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "time window: no shift of your department covers 06:00-10:00 on 2030-01-09; "
        "ask for a window inside one shift, or for the shift itself"
    )


def test_a_pending_wanted_window_uses_hours_for_the_next_request(client, company):
    person = company.employees["north"][0]
    store_roster(
        client, company.departments["north"], company.week, [(person, d, "early") for d in range(4)]
    )
    window = {"start": "16:00", "end": "21:00"}
    first = ask(client, company, kind="preference", start_date=day(company, 4), window=window)
    assert first.status_code == 201, first.text
    second = ask(client, company, kind="overtime", start_date=day(company, 6), shift="early")
    assert second.status_code == 409
    assert second.json()["detail"] == (
        "weekly hour limit: this would bring your week to 48 h; the limit is 40 h"
    )


def test_a_weekly_window_preference_reaches_the_solver_on_its_weekday(client, company):
    person = company.employees["north"][0]
    reply = client.post(
        f"{API}/preferences",
        json={"employee_id": person, "weekday": 2, "kind": "avoid", "window": EVENING},
        headers=company.staff["north"],
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["window"] == EVENING
    listed = client.get(f"{API}/preferences", headers=company.staff["north"]).json()
    assert [(p["weekday"], p["window"]) for p in listed] == [(2, EVENING)]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    assert [
        (p.employee, p.day, p.kind, p.start_minute, p.end_minute) for p in problem.preferences
    ] == [(str(person), 2, "avoid", 1080, 1320)]


def only_two_at_work_on_wednesday(client, company) -> tuple[int, int]:
    """Everyone but the first two of north on leave on Wednesday: one works early, one late."""
    p0, p1, *others = company.employees["north"]
    for person in others:
        reply = client.post(
            f"{API}/leave",
            json={
                "employee_id": person,
                "start_date": day(company, 2),
                "end_date": day(company, 2),
            },
            headers=company.managers["north"],
        )
        assert reply.status_code == 201, reply.text
    return p0, p1


def test_the_roster_keeps_an_avoided_evening_free_and_reports_it(client, company):
    p0, p1 = only_two_at_work_on_wednesday(client, company)
    approve(
        client,
        company,
        ask(
            client,
            company,
            kind="preference",
            wish="avoid",
            start_date=day(company, 2),
            window=EVENING,
            weight=20,
        ),
    )
    dept = company.departments["north"]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, company.week)
    solution = solve(problem, SolverSettings(time_limit=5, workers=1, seed=1))
    assert solution.status in ("optimal", "feasible")
    wednesday = {(int(a.employee), a.shift_type) for a in solution.assignments if a.day == 2}
    assert wednesday == {(p0, "early"), (p1, "late")}
    shifts = [(int(a.employee), a.day, a.shift_type) for a in solution.assignments]
    stored = problem.model_dump(mode="json")
    roster_id = store_roster(client, dept, company.week, shifts, problem=stored)
    report = client.get(f"{API}/rosters/{roster_id}/preferences", headers=company.hr).json()
    [wish] = report["preferences"]
    assert (wish["employee"], wish["window"], wish["honoured"]) == (str(p0), "18:00-22:00", True)
    assert "reason" not in wish
    next_week = company.week + dt.timedelta(weeks=1)
    overruled = store_roster(client, dept, next_week, [(p0, 2, "late")], problem=stored)
    report = client.get(f"{API}/rosters/{overruled}/preferences", headers=company.hr).json()
    [wish] = report["preferences"]
    assert (wish["honoured"], wish["reason"]) == (
        False,
        "the slot was needed for cover: the late shift overlaps 18:00-22:00",
    )
    assert report["by_employee"] == {str(p0): {"honoured": 0, "not_honoured": 1}}


def test_a_wanted_window_only_partly_worked_is_not_honoured(client, company):
    """09:00-14:00 wanted: the early shift (07:00-15:00) covers it, the late one (14:00-22:00)
    only touches it."""
    window = {"start": "09:00", "end": "14:00"}
    approve(
        client,
        company,
        ask(client, company, kind="preference", start_date=day(company, 3), window=window),
    )
    p0 = company.employees["north"][0]
    dept = company.departments["north"]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, company.week).model_dump(mode="json")
    late = store_roster(client, dept, company.week, [(p0, 3, "late")], problem=problem)
    report = client.get(f"{API}/rosters/{late}/preferences", headers=company.hr).json()
    [wish] = report["preferences"]
    assert (wish["honoured"], wish["reason"]) == (
        False,
        "not rostered on a shift covering 09:00-14:00: cover, labour rules or cost came first",
    )
    next_week = company.week + dt.timedelta(weeks=1)
    early = store_roster(client, dept, next_week, [(p0, 3, "early")], problem=problem)
    report = client.get(f"{API}/rosters/{early}/preferences", headers=company.hr).json()
    assert [(w["honoured"], w["worked_shift"]) for w in report["preferences"]] == [(True, "early")]


def add_night_shifts(client, company) -> None:
    dept = company.departments["north"]
    for code, start, length in (("night", 1320, 480), ("small", 60, 240)):
        reply = client.post(
            f"{API}/departments/{dept}/shift-templates",
            json={
                "code": code,
                "name": code.title(),
                "kind": "night",
                "start_minute": start,
                "duration_minutes": length,
            },
            headers=company.hr,
        )
        assert reply.status_code == 201, reply.text


def test_a_window_ending_before_its_start_runs_into_the_next_day(client, company):
    """22:00-06:00 is kept as minutes 1320-1800 of its day; 20:00-00:00 ends at midnight. The
    pending dated wish does not reach the solver, the weekly one and the approved one do."""
    night = {"start": "22:00", "end": "06:00"}
    reply = ask(
        client, company, kind="preference", wish="avoid", start_date=day(company, 2), window=night
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["window"] == night
    person = company.employees["north"][0]
    reply = client.post(
        f"{API}/preferences",
        json={"employee_id": person, "weekday": 4, "kind": "avoid", "window": night},
        headers=company.staff["north"],
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["window"] == night
    to_midnight = ask(
        client,
        company,
        kind="preference",
        wish="avoid",
        start_date=day(company, 0),
        window={"start": "20:00", "end": "00:00"},
    )
    assert to_midnight.json()["window"] == {"start": "20:00", "end": "24:00"}
    approve(client, company, to_midnight)
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, company.departments["north"], company.week)
    assert sorted((p.day, p.start_minute, p.end_minute) for p in problem.preferences) == [
        (0, 1200, 1440),
        (4, 1320, 1800),
    ]


def test_a_wanted_night_window_is_checked_as_the_night_shift(client, company):
    """23:00-05:00 on Wednesday is covered by the night shift (22:00-06:00), which leaves 1 h of
    rest before Thursday's early shift; no shift covers 21:00-07:00."""
    add_night_shifts(client, company)
    person = company.employees["north"][0]
    store_roster(client, company.departments["north"], company.week, [(person, 3, "early")])
    window = {"start": "23:00", "end": "05:00"}
    reply = ask(client, company, kind="preference", start_date=day(company, 2), window=window)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "rest between shifts: this would leave 1 h of rest next to your Early shift on "
        "2030-01-10; the minimum is 11 h"
    )
    reply = ask(client, company, kind="preference", start_date=day(company, 4), window=window)
    assert reply.status_code == 201, reply.text
    wide = {"start": "21:00", "end": "07:00"}
    reply = ask(client, company, kind="preference", start_date=day(company, 5), window=wide)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "time window: no shift of your department covers 21:00-07:00 on 2030-01-12; "
        "ask for a window inside one shift, or for the shift itself"
    )


def test_the_wish_report_sees_the_next_days_shift_in_a_window_past_midnight(client, company):
    """Avoid 22:00-02:00 on Wednesday: Thursday's small-hours shift (01:00-05:00) breaks it,
    Thursday's early shift does not. Want 23:00-05:00 on Friday: the night shift meets it."""
    add_night_shifts(client, company)
    avoid = {"start": "22:00", "end": "02:00"}
    approve(
        client,
        company,
        ask(
            client,
            company,
            kind="preference",
            wish="avoid",
            start_date=day(company, 2),
            window=avoid,
        ),
    )
    want = {"start": "23:00", "end": "05:00"}
    approve(
        client,
        company,
        ask(client, company, kind="preference", start_date=day(company, 4), window=want),
    )
    p0 = company.employees["north"][0]
    dept = company.departments["north"]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, company.week).model_dump(mode="json")
    broken = store_roster(client, dept, company.week, [(p0, 3, "small")], problem=problem)
    report = client.get(f"{API}/rosters/{broken}/preferences", headers=company.hr).json()
    assert [(w["window"], w["honoured"], w.get("reason")) for w in report["preferences"]] == [
        (
            "22:00-02:00",
            False,
            "the slot was needed for cover: the small shift overlaps 22:00-02:00",
        ),
        (
            "23:00-05:00",
            False,
            "not rostered on a shift covering 23:00-05:00: cover, labour rules or cost came first",
        ),
    ]
    next_week = company.week + dt.timedelta(weeks=1)
    kept = store_roster(
        client, dept, next_week, [(p0, 3, "early"), (p0, 4, "night")], problem=problem
    )
    report = client.get(f"{API}/rosters/{kept}/preferences", headers=company.hr).json()
    assert [(w["honoured"], w["worked_shift"]) for w in report["preferences"]] == [
        (True, None),
        (True, "night"),
    ]
