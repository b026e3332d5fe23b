"""Tests of the Timefold quickstart JSON: import, lossless export, and the quickstart's score.

The demo data sets are read from ../shared/benchmarks/timefold (never copied into the repo).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from optimizer.formats.timefold import (
    read_timefold,
    score_timefold,
    timefold_assignments,
    write_timefold,
)
from optimizer.schema import Assignment, Contract, Employee, Preference, Problem, ShiftDemand

TIMEFOLD_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "timefold"
DATA_SETS = [TIMEFOLD_DIR / f"{name}.json" for name in ("small", "large", "xl")]
needs_data = pytest.mark.skipif(
    not all(p.exists() for p in DATA_SETS), reason=f"no data sets in {TIMEFOLD_DIR}"
)


def _employee(name: str, skills: list[str], **dates: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "skills": skills,
        "unavailableDates": dates.get("unavailable", []),
        "undesiredDates": dates.get("undesired", []),
        "desiredDates": dates.get("desired", []),
    }


def _shift(sid: str, start: str, end: str, skill: str = "Nurse", employee: Any = None) -> dict:
    return {
        "id": sid,
        "start": start,
        "end": end,
        "location": "Ward",
        "requiredSkill": skill,
        "employee": employee,
    }


def _tiny() -> dict[str, Any]:
    """Two employees, four shifts from Wednesday 2025-01-08, a night shift on the last date."""
    return {
        "employees": [
            _employee(
                "Ann",
                ["Nurse"],
                unavailable=["2025-01-09"],
                undesired=["2025-01-01"],
                desired=["2025-01-08"],
            ),
            _employee(
                "Bob", ["Doctor", "Nurse"], unavailable=["2025-01-10"], desired=["2025-02-01"]
            ),
        ],
        "shifts": [
            _shift("s3", "2025-01-08T06:00:00", "2025-01-08T14:00:00", "Doctor"),
            _shift("s1", "2025-01-08T06:00:00", "2025-01-08T14:00:00"),
            _shift("s4", "2025-01-09T22:00:00", "2025-01-10T06:00:00"),
            _shift("s2", "2025-01-08T06:00:00", "2025-01-08T14:00:00"),
        ],
        "score": None,
        "solverStatus": None,
    }


# -- import -----------------------------------------------------------------------------------
def test_tiny_data_set_maps_field_by_field() -> None:
    """Horizon, shift types, merged hard demand lines, employees, dated wishes and meta."""
    problem = read_timefold(_tiny(), name="tiny")
    assert problem.start_date == dt.date(2025, 1, 6)  # the Monday before Wednesday 8 January
    # Bob's unavailable 10 January is touched by the night shift, so the horizon reaches it.
    assert problem.num_days == 5
    assert [(t.id, t.name, t.start_minute, t.duration_minutes, t.location) for t in
            problem.shift_types] == [
        ("ward-0600-1400", "Ward 06:00-14:00", 360, 480, "Ward"),
        ("ward-2200-0600", "Ward 22:00-06:00", 1320, 480, "Ward"),
    ]  # fmt: skip
    assert problem.shift_demand == [
        ShiftDemand(day=2, shift_type="ward-0600-1400", skill="Doctor", required=1, minimum=1,
                    maximum=1, shift_ids=["s3"]),
        ShiftDemand(day=2, shift_type="ward-0600-1400", skill="Nurse", required=2, minimum=2,
                    maximum=2, shift_ids=["s1", "s2"]),
        ShiftDemand(day=3, shift_type="ward-2200-0600", skill="Nurse", required=1, minimum=1,
                    maximum=1, shift_ids=["s4"]),
    ]  # fmt: skip
    assert problem.contracts == [Contract(id="quickstart", min_rest_minutes=600)]
    assert problem.employees == [
        Employee(id="Ann", contract="quickstart", skills=["Nurse"], unavailable_days=[3]),
        Employee(id="Bob", contract="quickstart", skills=["Doctor", "Nurse"], unavailable_days=[4]),
    ]
    assert problem.preferences == [
        Preference(employee="Ann", day=2, kind="want", weight=1, per_minute=True)
    ]
    assert problem.rules.weights.balanced_shifts == 1
    assert problem.meta["timefold"] == {
        "shift_order": ["s3", "s1", "s4", "s2"],
        "dates_outside_horizon": {
            "Ann": {"undesiredDates": ["2025-01-01"]},
            "Bob": {"desiredDates": ["2025-02-01"]},
        },
        "score": None,
        "solverStatus": None,
    }


def test_horizon_ends_on_the_last_start_date_when_nothing_later_matters() -> None:
    """A date after the last start date that no shift touches stays outside the horizon."""
    data = _tiny()
    data["employees"][1]["unavailableDates"] = ["2025-01-11"]
    problem = read_timefold(data)
    assert problem.num_days == 4
    assert problem.employees[1].unavailable_days == []
    outside = problem.meta["timefold"]["dates_outside_horizon"]["Bob"]
    assert outside["unavailableDates"] == ["2025-01-11"]


def test_tiny_data_set_round_trips_through_problem_json() -> None:
    """quickstart JSON -> problem -> problem JSON -> problem -> quickstart JSON is the identity."""
    data = _tiny()
    problem = read_timefold(data)
    again = Problem.model_validate_json(problem.model_dump_json())
    assert again == problem
    assert write_timefold(again, []) == data


@needs_data
@pytest.mark.parametrize("path", DATA_SETS, ids=lambda p: p.stem)
def test_demo_data_set_round_trips_to_the_same_json(path: Path) -> None:
    """The quickstart's demo data comes back byte for byte (same JSON, same field order)."""
    data = json.loads(path.read_text())
    exported = write_timefold(read_timefold(data), [])
    assert json.dumps(exported, indent=1) == json.dumps(data, indent=1)


@needs_data
def test_small_demo_data_becomes_a_hard_cover_problem() -> None:
    """small.json: 14 days from Monday 2025-01-06, 139 shifts, every line min = max = required."""
    data = json.loads(DATA_SETS[0].read_text())
    problem = read_timefold(data)
    assert (problem.start_date, problem.num_days) == (dt.date(2025, 1, 6), 14)
    assert len(problem.employees) == 15
    ids = [sid for d in problem.shift_demand for sid in d.shift_ids]
    assert sorted(ids) == sorted(s["id"] for s in data["shifts"])
    assert all(
        d.minimum == d.maximum == d.required == len(d.shift_ids) for d in problem.shift_demand
    )
    assert all(t.start_minute is not None and t.location for t in problem.shift_types)


def test_malformed_quickstart_json_names_the_field() -> None:
    """A shift ending before it starts, or an unknown field, is reported with its place."""
    data = _tiny()
    data["shifts"][2]["end"] = "2025-01-09T21:00:00"
    with pytest.raises(ValueError, match=r"(?s)shifts\.2.*end .* is not after start"):
        read_timefold(data)
    data = _tiny()
    data["employees"][0]["shoeSize"] = 42
    with pytest.raises(ValueError, match=r"employees\.0\.shoeSize"):
        read_timefold(data)


# -- export -----------------------------------------------------------------------------------
def test_export_fills_each_shift_with_the_full_employee_record() -> None:
    """Assignments take their line's shift ids in order; `employee` is the employee's record."""
    data = _tiny()
    problem = read_timefold(data)
    roster = [
        Assignment(employee="Bob", day=2, shift_type="ward-0600-1400", skill="Doctor"),
        Assignment(employee="Ann", day=2, shift_type="ward-0600-1400"),  # no skill: takes Nurse
        Assignment(employee="Bob", day=3, shift_type="ward-2200-0600", skill="Nurse"),
    ]
    solved = write_timefold(problem, roster)
    by_id = {s["id"]: s["employee"] for s in solved["shifts"]}
    assert by_id == {
        "s3": data["employees"][1],
        "s1": data["employees"][0],
        "s4": data["employees"][1],
        "s2": None,
    }
    assert [s["id"] for s in solved["shifts"]] == ["s3", "s1", "s4", "s2"]
    # s2 unassigned (-1); s4 runs 6 h into Bob's unavailable 10 January (-360); Ann's desired
    # 8 January earns 480; counts 1 and 2 around a mean of 1.5 cost sqrt(0.5).
    assert solved["score"] == f"-361hard/{480 - math.sqrt(0.5):.6f}soft"
    assert solved["solverStatus"] == "NOT_SOLVING"


def test_exported_roster_reads_back_as_the_same_assignments() -> None:
    """timefold_assignments recovers exactly the roster that write_timefold filled in."""
    problem = read_timefold(_tiny())
    roster = [
        Assignment(employee="Bob", day=2, shift_type="ward-0600-1400", skill="Doctor"),
        Assignment(employee="Ann", day=2, shift_type="ward-0600-1400", skill="Nurse"),
        Assignment(employee="Bob", day=2, shift_type="ward-0600-1400", skill="Nurse"),
    ]
    solved = write_timefold(problem, roster)
    assert sorted(timefold_assignments(solved, problem), key=repr) == sorted(roster, key=repr)


def test_export_refuses_more_people_than_shifts() -> None:
    """A line with one shift cannot take two people: the error names employee, day and type."""
    problem = read_timefold(_tiny())
    roster = [
        Assignment(employee="Ann", day=2, shift_type="ward-0600-1400", skill="Doctor"),
        Assignment(employee="Bob", day=2, shift_type="ward-0600-1400", skill="Doctor"),
    ]
    with pytest.raises(ValueError, match=r"'Bob' on day 2 .* has no open shift left"):
        write_timefold(problem, roster)


# -- the quickstart's score -------------------------------------------------------------------
def _score(employees: list[dict], shifts: list[dict]) -> Any:
    return score_timefold({"employees": employees, "shifts": shifts})


ANN = _employee("Ann", ["Nurse"])


def test_score_overlapping_shifts_cost_their_overlap_minutes_and_the_same_date() -> None:
    """08-16 and 12-20 on one date: 240 overlapping minutes and one same-date pair."""
    score = _score(
        [ANN],
        [
            _shift("a", "2025-01-06T08:00:00", "2025-01-06T16:00:00", employee=ANN),
            _shift("b", "2025-01-06T12:00:00", "2025-01-06T20:00:00", employee="Ann"),
        ],
    )
    assert (score.hard, score.soft) == (-241, 0.0)
    assert score.constraints["Overlapping shift"] == -240
    assert score.constraints["Max one shift per day"] == -1


@pytest.mark.parametrize(
    ("second_start", "penalty"),
    [("2025-01-07T06:00:00", 120), ("2025-01-07T07:59:00", 1), ("2025-01-07T08:00:00", 0)],
)
def test_score_short_rest_costs_600_minus_the_gap(second_start: str, penalty: int) -> None:
    """A shift ending 22:00 then one starting 06:00 (8 h), 07:59 (9 h 59) or 08:00 (10 h)."""
    end = dt.datetime.fromisoformat(second_start) + dt.timedelta(hours=8)
    score = _score(
        [ANN],
        [
            _shift("a", "2025-01-06T14:00:00", "2025-01-06T22:00:00", employee=ANN),
            _shift("b", second_start, end.isoformat(), employee=ANN),
        ],
    )
    assert score.hard == -penalty


def test_score_counts_every_pair_of_shifts_starting_on_one_date() -> None:
    """Three one-hour shifts one hour apart: 3 same-date pairs, rests of 1 h, 3 h and 1 h."""
    shifts = [
        _shift(str(h), f"2025-01-06T{h:02d}:00:00", f"2025-01-06T{h + 1:02d}:00:00", employee=ANN)
        for h in (0, 2, 4)
    ]
    score = _score([ANN], shifts)
    assert score.constraints["Max one shift per day"] == -3
    assert score.constraints["At least 10 hours between 2 shifts"] == -(540 + 420 + 540)
    assert score.hard == -1503


def test_score_missing_skill_and_unassigned_shift_cost_one_each() -> None:
    """A Doctor shift worked by a nurse and a shift with nobody on it: -1 hard each."""
    score = _score(
        [ANN],
        [
            _shift("a", "2025-01-06T06:00:00", "2025-01-06T14:00:00", "Doctor", employee=ANN),
            _shift("b", "2025-01-08T06:00:00", "2025-01-08T14:00:00"),
        ],
    )
    assert score.hard == -2
    assert score.constraints["Missing required skill"] == -1
    assert score.constraints["Unassigned shift"] == -1


@pytest.mark.parametrize(("date", "minutes"), [("2025-01-06", 120), ("2025-01-07", 360)])
def test_score_unavailable_date_costs_the_minutes_inside_it(date: str, minutes: int) -> None:
    """A 22:00-06:00 night: 120 minutes on its start date, 360 on the next."""
    ann = _employee("Ann", ["Nurse"], unavailable=[date])
    score = _score([ann], [_shift("n", "2025-01-06T22:00:00", "2025-01-07T06:00:00", employee=ann)])
    assert score.hard == -minutes


def test_score_soft_is_desired_minus_undesired_minus_unfairness() -> None:
    """+480 desired, -120 undesired (night start date), and counts 1, 1, 0 cost sqrt(2/3)."""
    ann = _employee("Ann", ["Nurse"], desired=["2025-01-06"])
    bob = _employee("Bob", ["Nurse"], undesired=["2025-01-06"])
    cy = _employee("Cy", ["Nurse"])
    score = _score(
        [ann, bob, cy],
        [
            _shift("d", "2025-01-06T06:00:00", "2025-01-06T14:00:00", employee=ann),
            _shift("n", "2025-01-06T22:00:00", "2025-01-07T06:00:00", employee="Bob"),
        ],
    )
    assert score.hard == 0
    assert score.constraints["Desired day for employee"] == 480
    assert score.constraints["Undesired day for employee"] == -120
    assert score.constraints["Balance employee shift assignments"] == pytest.approx(
        -math.sqrt(2 / 3), abs=1e-12
    )
    assert score.soft == pytest.approx(360 - math.sqrt(2 / 3), abs=1e-9)
    assert str(score) == f"0hard/{360 - math.sqrt(2 / 3):.6f}soft"


def test_score_rejects_a_shift_worked_by_someone_not_listed() -> None:
    """An employee on a shift must be one of the data set's employees."""
    with pytest.raises(ValueError, match=r"shifts\[0\]\.employee: 'Zed' is not in employees"):
        _score([ANN], [_shift("a", "2025-01-06T06:00:00", "2025-01-06T14:00:00", employee="Zed")])


@needs_data
def test_score_of_the_unsolved_small_data_set_counts_every_shift_unassigned() -> None:
    """With nobody on any of its 139 shifts, small.json scores -139 hard and 0 soft."""
    score = score_timefold(json.loads(DATA_SETS[0].read_text()))
    assert (score.hard, score.soft) == (-139, 0.0)
