"""Each employee's own annual leave allowance: 25 working days unless HR or their manager sets
another (never negative), and the leave balance check counts against it."""

from __future__ import annotations

API = "/api/v1"


def set_allowance(client, headers, employee: int, days):
    return client.patch(
        f"{API}/employees/{employee}", json={"annual_leave_days": days}, headers=headers
    )


def ask_leave(client, company, first: str, last: str):
    employee = company.employees["north"][0]
    return client.post(
        f"{API}/requests",
        json={"employee_id": employee, "kind": "leave", "start_date": first, "end_date": last},
        headers=company.staff["north"],
    )


def test_the_allowance_defaults_to_25_days_and_is_set_by_the_manager(client, company):
    person = company.employees["north"][0]
    record = client.get(f"{API}/employees/{person}", headers=company.staff["north"]).json()
    assert record["annual_leave_days"] == 25
    assert set_allowance(client, company.staff["north"], person, 40).status_code == 403
    assert set_allowance(client, company.managers["south"], person, 40).status_code == 403
    reply = set_allowance(client, company.managers["north"], person, 30)
    assert reply.status_code == 200, reply.text
    assert reply.json()["annual_leave_days"] == 30


def test_a_negative_allowance_is_refused_naming_the_field(client, company):
    person = company.employees["north"][0]
    reply = set_allowance(client, company.hr, person, -1)
    assert reply.status_code == 422
    assert reply.json()["message"] == (
        "annual_leave_days: Input should be greater than or equal to 0"
    )
    reply = client.post(
        f"{API}/employees",
        json={"department_id": company.departments["north"], "name": "X", "annual_leave_days": -3},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert reply.json()["message"].startswith("annual_leave_days:")


def test_the_leave_balance_counts_against_the_employees_own_allowance(client, company):
    person = company.employees["north"][0]
    assert set_allowance(client, company.hr, person, 30).status_code == 200
    reply = client.post(
        f"{API}/leave",
        json={"employee_id": person, "start_date": "2030-01-07", "end_date": "2030-02-01"},
        headers=company.managers["north"],
    )
    assert reply.status_code == 201, reply.text
    # 20 days taken: 6 more fit into 30 (they would not into 25) ...
    assert ask_leave(client, company, "2030-03-04", "2030-03-11").status_code == 201
    # ... and with those 6 pending, 10 more do not.
    reply = ask_leave(client, company, "2030-04-01", "2030-04-12")
    assert reply.status_code == 409
    assert reply.json()["detail"] == (
        "leave balance: this leave needs 10 days but only 4 of your 30 days for 2030 are left"
    )


def test_no_allowance_means_no_vacation(client, company):
    person = company.employees["north"][0]
    assert set_allowance(client, company.hr, person, 0).status_code == 200
    reply = ask_leave(client, company, "2030-05-06", "2030-05-06")
    assert reply.status_code == 409
    assert reply.json()["detail"] == (
        "leave balance: this leave needs 1 day but only 0 of your 0 days for 2030 are left"
    )
