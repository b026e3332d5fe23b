"""Performance: weighted scorecards with an audit trail of manual adjustments, high performers'
wishes winning a conflict, and the fairness limit keeping others from losing week after week."""

from __future__ import annotations

import datetime as dt

from feedback_helpers import store_roster

from api.problem_builder import build_week_problem
from optimizer import SolverSettings, solve

API = "/api/v1"
PAST_MONDAY = dt.date(2025, 11, 3)


def set_goal(client, headers, employee, week, metric, target, achieved):
    reply = client.put(
        f"{API}/goals",
        json={
            "employee_id": employee,
            "week": week.isoformat(),
            "metric": metric,
            "target": target,
            "achieved": achieved,
        },
        headers=headers,
    )
    assert reply.status_code == 200, reply.text


def test_weights_that_do_not_add_up_to_100_are_refused(client, company):
    dept = company.departments["north"]
    reply = client.put(
        f"{API}/departments/{dept}/kpi-weights",
        json={"weights": {"output": 30, "quality": 25}},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert "they add up to 55, not 100" in reply.json()["message"]


def test_scorecard_weighs_metrics_and_an_adjustment_is_audited_and_recomputed(client, company):
    dept = company.departments["north"]
    person = company.employees["north"][0]
    manager = company.managers["north"]
    weights = {"output": 30, "quality": 25, "sales": 20, "attendance": 10, "teamwork": 15}
    reply = client.put(
        f"{API}/departments/{dept}/kpi-weights", json={"weights": weights}, headers=manager
    )
    assert reply.status_code == 200, reply.text
    for metric, achieved in (("output", 120), ("quality", 80), ("sales", 50), ("teamwork", 100)):
        set_goal(client, manager, person, PAST_MONDAY, metric, 100, achieved)
    store_roster(client, dept, PAST_MONDAY, [(person, 0, "early")])
    reply = client.post(
        f"{API}/attendance/events",
        json=[{"employee_id": person, "kind": "in", "at": "2025-11-03T06:58:00+00:00"}],
        headers=manager,
    )
    assert reply.status_code == 201
    url = f"{API}/employees/{person}/scorecard"
    card = client.get(url, params={"week": "2025-11-03"}, headers=company.staff["north"]).json()
    assert {m["metric"]: m["score"] for m in card["metrics"]}["attendance"] == 100.0
    assert card["total"] == 91.0

    change = {"week": "2025-11-03", "metric": "quality", "score": 90, "reason": "praise missed"}
    assert (
        client.post(f"{url}/adjustments", json=change, headers=company.staff["north"]).status_code
        == 403
    )
    no_reason = client.post(f"{url}/adjustments", json={**change, "reason": ""}, headers=manager)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["message"]
    card = client.post(f"{url}/adjustments", json=change, headers=manager).json()
    assert card["total"] == 93.5
    trail = client.get(f"{url}/adjustments", headers=company.hr).json()
    assert [
        (t["metric"], t["before"], t["after"], t["reason"], t["adjusted_by"]) for t in trail
    ] == [("quality", 80.0, 90.0, "praise missed", "manager-north")]
    assert trail[0]["adjusted_at"] is not None


def both_want_wednesday_early(client, company) -> tuple[int, int]:
    p0, p1 = company.employees["north"][:2]
    for person, weight in ((p0, 120), (p1, 100)):
        reply = client.post(
            f"{API}/preferences",
            json={
                "employee_id": person,
                "weekday": 2,
                "shift": "early",
                "kind": "want",
                "weight": weight,
            },
            headers=company.hr,
        )
        assert reply.status_code == 201, reply.text
    return p0, p1


def roster_week(client, company, week: dt.date) -> tuple[dict, list, int]:
    """Build, solve (tiny, 2 s) and store a department week; the problem and assignments."""
    dept = company.departments["north"]
    with client.app.state.session_factory() as session:
        problem = build_week_problem(session, dept, week)
    solution = solve(problem, SolverSettings(time_limit=2, workers=1, seed=1))
    assert solution.status in ("optimal", "feasible")
    shifts = [(int(a.employee), a.day, a.shift_type) for a in solution.assignments]
    roster_id = store_roster(client, dept, week, shifts, problem=problem.model_dump(mode="json"))
    return problem.model_dump(mode="json"), shifts, roster_id


def wednesday_early(shifts) -> list[int]:
    return [e for e, d, s in shifts if d == 2 and s == "early"]


def test_a_high_performers_conflicting_request_beats_an_ordinary_one(client, company):
    """Both want Wednesday early; the ordinary one's wish weighs 120 against 100, so without
    goals they get it; with 130% of last week's goals the other's weighs 1.5 times and wins."""
    p0, p1 = both_want_wednesday_early(client, company)
    week = company.week
    with client.app.state.session_factory() as session:
        plain = build_week_problem(session, company.departments["north"], week)
    assert wednesday_early(
        [
            (int(a.employee), a.day, a.shift_type)
            for a in solve(plain, SolverSettings(time_limit=2, workers=1, seed=1)).assignments
        ]
    ) == [p0]
    set_goal(client, company.hr, p1, week - dt.timedelta(weeks=1), "output", 100, 130)
    _, shifts, roster_id = roster_week(client, company, week)
    assert wednesday_early(shifts) == [p1]
    explained = client.get(f"{API}/rosters/{roster_id}/preferences", headers=company.hr).json()
    assert explained["priority"] == {
        str(p1): {"priority": 1.5, "reason": "high performer: 130% of last week's goals"}
    }
    assert explained["by_employee"] == {
        str(p0): {"honoured": 0, "not_honoured": 1},
        str(p1): {"honoured": 1, "not_honoured": 0},
    }
    lost = [p for p in explained["preferences"] if not p["honoured"]]
    assert [(p["employee"], p["reason"]) for p in lost] == [
        (
            str(p0),
            f"a higher-priority colleague's request won: employee {p1} (priority 1.5 against 1)",
        )
    ]


def test_the_fairness_limit_stops_a_wish_losing_more_than_two_weeks_in_a_row(client, company):
    p0, p1 = both_want_wednesday_early(client, company)
    weeks = [company.week + dt.timedelta(weeks=k) for k in range(4)]
    lines = [
        {"date": (week + dt.timedelta(days=d)).isoformat(), "shift": code, "required": 1}
        for week in weeks[1:]
        for d in range(7)
        for code in ("early", "late")
    ]
    for week in weeks[1:]:
        week_lines = [
            line
            for line in lines
            if week.isoformat() <= line["date"] < (week + dt.timedelta(days=7)).isoformat()
        ]
        reply = client.put(
            f"{API}/departments/{company.departments['north']}/demand",
            json={"week": week.isoformat(), "lines": week_lines},
            headers=company.hr,
        )
        assert reply.status_code == 200, reply.text
    winners = []
    for week in weeks:
        set_goal(client, company.hr, p1, week - dt.timedelta(weeks=1), "output", 100, 130)
        _, shifts, _ = roster_week(client, company, week)
        winners.append(wednesday_early(shifts))
    assert winners == [[p1], [p1], [p0], [p1]]
