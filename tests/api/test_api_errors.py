"""Bad input gets a 422 whose JSON names the field and the reason."""

from __future__ import annotations


def test_missing_and_unknown_fields_are_named(client, company):
    """A department without a name, with a misspelt field, names both fields."""
    reply = client.post("/api/v1/departments", json={"nam": "x"}, headers=company.hr)
    assert reply.status_code == 422
    body = reply.json()
    assert {item["field"] for item in body["detail"]} == {"name", "nam"}
    assert "name: Field required" in body["message"]


def test_week_that_is_not_a_monday_is_explained(client, company):
    """Solving a week given by a Tuesday says which day it is and what to give instead."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"department_id": company.departments["north"], "week": "2030-01-08"},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert "Tuesday" in reply.json()["message"]
    assert "Monday" in reply.json()["message"]


def test_demand_for_an_unknown_shift_names_the_line(client, company):
    """A demand line for a shift the department does not have names its index and field."""
    dept = company.departments["north"]
    reply = client.put(
        f"/api/v1/departments/{dept}/demand",
        json={
            "week": "2030-01-07",
            "lines": [
                {"date": "2030-01-07", "shift": "early", "required": 1},
                {"date": "2030-01-08", "shift": "night", "required": 1},
            ],
        },
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["field"] == "lines[1].shift"
    assert "night" in reply.json()["detail"][0]["msg"]


def test_problem_with_a_bad_reference_is_rejected_with_its_path(client, company):
    """A posted problem whose employee names an unknown contract is refused before solving."""
    problem = {
        "num_days": 1,
        "shift_types": [{"id": "D", "duration_minutes": 480}],
        "contracts": [{"id": "full"}],
        "employees": [{"id": "ann", "contract": "part"}],
    }
    reply = client.post("/api/v1/solve-jobs", json={"problem": problem}, headers=company.hr)
    assert reply.status_code == 422
    assert "employees[0].contract" in reply.json()["message"]


def test_solve_week_without_demand_says_what_is_missing(client, company):
    """Solving a week with no stored demand explains that demand must be uploaded first."""
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"department_id": company.departments["north"], "week": "2031-01-06"},
        headers=company.hr,
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["field"] == "week"
    assert "no demand" in reply.json()["detail"][0]["msg"]
