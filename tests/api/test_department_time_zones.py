"""Department time zones: an IANA name (UTC by default, 422 naming the field otherwise), and
attendance compared with shifts in the department's wall-clock time, across the change to
summer time in Berlin (Sunday 2026-03-29, 02:00 CET -> 03:00 CEST).

The test company's shifts are early 07:00-15:00 and late 14:00-22:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
from feedback_helpers import store_roster
from icalendar import Calendar

API = "/api/v1"
WEEK = dt.date(2026, 3, 23)  # Saturday 28th is on CET (UTC+1), Sunday 29th on CEST (UTC+2)


def set_zone(client, company, zone: str):
    dept = company.departments["north"]
    return client.patch(f"{API}/departments/{dept}", json={"time_zone": zone}, headers=company.hr)


def test_a_department_is_on_utc_unless_told_otherwise(client, company):
    dept = company.departments["north"]
    assert client.get(f"{API}/departments/{dept}", headers=company.hr).json()["time_zone"] == "UTC"
    reply = client.post(
        f"{API}/departments", json={"name": "east", "time_zone": "Asia/Tokyo"}, headers=company.hr
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["time_zone"] == "Asia/Tokyo"
    reply = set_zone(client, company, "Europe/Berlin")
    assert reply.status_code == 200 and reply.json()["time_zone"] == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "CEST+2", "", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_naming_the_field(client, company, zone):
    reply = set_zone(client, company, zone)
    assert reply.status_code == 422, reply.text
    assert reply.json()["message"] == (
        f"time_zone: {zone!r} is not an IANA time zone, e.g. Europe/Berlin or UTC"
    )
    reply = client.post(
        f"{API}/departments", json={"name": "west", "time_zone": zone}, headers=company.hr
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["field"] == "time_zone"


def clock_weekend_across_the_change(client, company) -> tuple[int, int, int]:
    """p0 early on Saturday and Sunday, p1 late on Sunday; p2 clocks in after midnight local
    time without a shift. Clock times are UTC, as terminals send them."""
    dept = company.departments["north"]
    p0, p1, p2, _ = company.employees["north"]
    store_roster(client, dept, WEEK, [(p0, 5, "early"), (p0, 6, "early"), (p1, 6, "late")])
    events = [
        (p0, "in", "2026-03-28T06:03"),  # 07:03 CET: in time
        (p0, "out", "2026-03-28T14:00"),
        (p0, "in", "2026-03-29T05:40"),  # 07:40 CEST: 40 minutes late
        (p0, "out", "2026-03-29T13:00"),
        (p1, "in", "2026-03-29T12:30"),  # 14:30 CEST: 30 minutes late
        (p2, "in", "2026-03-28T23:30"),  # 00:30 CET on Sunday
    ]
    body = [{"employee_id": e, "kind": k, "at": f"{t}:00+00:00"} for e, k, t in events]
    reply = client.post(f"{API}/attendance/events", json=body, headers=company.hr)
    assert reply.status_code == 201, reply.text
    return p0, p1, p2


def report(client, company) -> dict:
    reply = client.get(
        f"{API}/attendance/report",
        params={
            "department_id": company.departments["north"],
            "first": "2026-03-23",
            "last": "2026-03-29",
        },
        headers=company.managers["north"],
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_lateness_is_measured_in_berlin_time_across_the_change_to_summer_time(client, company):
    p0, p1, _ = clock_weekend_across_the_change(client, company)
    on_utc = report(client, company)
    assert on_utc["late_arrivals"] == []  # read as UTC, everyone was early
    assert set_zone(client, company, "Europe/Berlin").status_code == 200
    berlin = report(client, company)
    assert [
        (x["employee_id"], x["date"], x["shift"], x["minutes_late"])
        for x in berlin["late_arrivals"]
    ] == [
        (p0, "2026-03-29", "early", 40),
        (p1, "2026-03-29", "late", 30),
    ]
    assert berlin["no_shows"] == [] and berlin["turn_up_rate"] == 1.0
    assert [x["label"] for x in berlin["turn_up_by_slot"]] == [
        "Sat early 07:00-15:00: 100%",
        "Sun early 07:00-15:00: 100%",
        "Sun late 14:00-22:00: 100%",
    ]


def test_who_is_in_uses_the_departments_day_and_clock(client, company):
    p0, p1, p2 = clock_weekend_across_the_change(client, company)
    assert set_zone(client, company, "Europe/Berlin").status_code == 200
    today = client.get(
        f"{API}/attendance/today",
        params={"department_id": company.departments["north"], "date": "2026-03-29"},
        headers=company.managers["north"],
    )
    assert today.status_code == 200, today.text
    assert [(x["employee_id"], x["window"], x["clock_in"], x["state"]) for x in today.json()] == [
        (p0, "07:00-15:00", "2026-03-29T07:40:00+02:00", "late"),
        (p1, "14:00-22:00", "2026-03-29T14:30:00+02:00", "late"),
        (p2, None, "2026-03-29T00:30:00+01:00", "in without a rostered shift"),
    ]


def test_calendar_events_carry_the_departments_zone_across_the_change(client, company):
    """A night shift from Saturday 22:00 CET lasts 8 real hours: it ends at 07:00 CEST."""
    dept = company.departments["north"]
    reply = client.post(
        f"{API}/departments/{dept}/shift-templates",
        json={
            "code": "night",
            "name": "Night",
            "kind": "night",
            "start_minute": 1320,
            "duration_minutes": 480,
        },
        headers=company.hr,
    )
    assert reply.status_code == 201, reply.text
    p0 = company.employees["north"][0]
    problem = {
        "employees": [{"id": str(p0), "name": "p0"}],
        "shift_types": [
            {"id": "early", "start_minute": 420, "duration_minutes": 480},
            {"id": "night", "start_minute": 1320, "duration_minutes": 480},
        ],
    }
    roster = store_roster(client, dept, WEEK, [(p0, 5, "night")], problem=problem)
    url = f"{API}/rosters/{roster}/employees/{p0}/calendar.ics"
    floating = Calendar.from_ical(client.get(url, headers=company.hr).content)
    [event] = floating.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 3, 28, 22, 0)  # no zone on UTC
    assert set_zone(client, company, "Europe/Berlin").status_code == 200
    zoned = Calendar.from_ical(client.get(url, headers=company.hr).content)
    [event] = zoned.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.isoformat(), end.isoformat()) == (
        "2026-03-28T22:00:00+01:00",
        "2026-03-29T07:00:00+02:00",
    )
    assert [str(tz["TZID"]) for tz in zoned.walk("VTIMEZONE")] == ["Europe/Berlin"]


NIGHT_TEMPLATES = {
    "shift_types": [
        {"id": "night", "name": "Night", "start_minute": 1320, "duration_minutes": 480},
        {"id": "small", "name": "Small hours", "start_minute": 60, "duration_minutes": 240},
    ],
}


def night_roster(client, company, week: dt.date, shifts: list[tuple[int, str]]) -> int:
    p0 = company.employees["north"][0]
    problem = {**NIGHT_TEMPLATES, "employees": [{"id": str(p0), "name": "p0"}]}
    dept = company.departments["north"]
    return store_roster(client, dept, week, [(p0, d, s) for d, s in shifts], problem=problem)


def roster_times(client, company, roster: int) -> list[tuple[str, str]]:
    reply = client.get(f"{API}/rosters/{roster}", headers=company.hr)
    assert reply.status_code == 200, reply.text
    return [(line["start"], line["end"]) for line in reply.json()["assignments"]]


def test_roster_lines_end_a_paid_length_after_the_start_across_summer_time(client, company):
    """Berlin, Sunday 2026-03-29: the clock jumps from 02:00 to 03:00. A night from Saturday
    22:00 (8 h) ends at 07:00 on the clock, a 4 h shift from 01:00 at 06:00; on UTC they end at
    06:00 and 05:00. The CSV, the schedule and the calendar agree with the roster."""
    roster = night_roster(client, company, WEEK, [(5, "night"), (6, "small")])
    assert roster_times(client, company, roster) == [
        ("2026-03-28T22:00", "2026-03-29T06:00"),
        ("2026-03-29T01:00", "2026-03-29T05:00"),
    ]
    assert set_zone(client, company, "Europe/Berlin").status_code == 200
    assert roster_times(client, company, roster) == [
        ("2026-03-28T22:00", "2026-03-29T07:00"),
        ("2026-03-29T01:00", "2026-03-29T06:00"),
    ]
    csv = client.get(f"{API}/rosters/{roster}/roster.csv", headers=company.hr).text
    assert [row.split(",")[5:7] for row in csv.splitlines()[1:]] == [
        ["22:00", "07:00"],
        ["01:00", "06:00"],
    ]
    reply = client.post(f"{API}/rosters/{roster}/publish", headers=company.hr)
    assert reply.status_code == 200, reply.text
    p0 = company.employees["north"][0]
    schedule = client.get(f"{API}/employees/{p0}/schedule", headers=company.hr).json()
    assert [(s["start"], s["end"]) for s in schedule] == [
        ("2026-03-28T22:00", "2026-03-29T07:00"),
        ("2026-03-29T01:00", "2026-03-29T06:00"),
    ]
    feed = Calendar.from_ical(
        client.get(f"{API}/employees/{p0}/calendar.ics", headers=company.hr).content
    )
    events = sorted(feed.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [(e.decoded("DTSTART").isoformat(), e.decoded("DTEND").isoformat()) for e in events] == [
        ("2026-03-28T22:00:00+01:00", "2026-03-29T07:00:00+02:00"),
        ("2026-03-29T01:00:00+01:00", "2026-03-29T06:00:00+02:00"),
    ]
    in_utc = [(e.decoded("DTSTART").astimezone(dt.UTC), e.decoded("DTEND")) for e in events]
    assert {end.astimezone(dt.UTC) - start for start, end in in_utc} == {
        dt.timedelta(hours=8),
        dt.timedelta(hours=4),
    }


def test_a_night_across_the_end_of_summer_time_ends_an_hour_earlier_on_the_clock(client, company):
    """Berlin, Sunday 2026-10-25: the clock goes back from 03:00 to 02:00, so a night from
    Saturday 22:00 (8 h) ends at 05:00."""
    assert set_zone(client, company, "Europe/Berlin").status_code == 200
    roster = night_roster(client, company, dt.date(2026, 10, 19), [(5, "night")])
    assert roster_times(client, company, roster) == [("2026-10-24T22:00", "2026-10-25T05:00")]
