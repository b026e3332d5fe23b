"""Tests of the Curtois & Qu benchmark text format: mapping, lossless round trips, errors.

The public instances are read from ../shared/benchmarks/curtois (never copied into the repo).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from optimizer.formats.curtois import BEST_KNOWN, read_curtois, write_curtois
from optimizer.schema import (
    Contract,
    Employee,
    Preference,
    Problem,
    Rules,
    ShiftDemand,
    ShiftType,
)

CURTOIS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "curtois"
INSTANCES = sorted(CURTOIS_DIR.glob("Instance*.txt"), key=lambda p: int(p.stem[8:]))
needs_instances = pytest.mark.skipif(not INSTANCES, reason=f"no instances in {CURTOIS_DIR}")

TINY = """\
# A tiny instance written for these tests.
SECTION_HORIZON
7

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,600,E

SECTION_STAFF
A,E=7|L=0,2400,960,5,2,2,1
B,E=7|L=3,2880,0,4,1,1,1
C,E=7|L=0,2400,960,5,2,2,1

SECTION_DAYS_OFF
A,0,6
C,3

SECTION_SHIFT_ON_REQUESTS
B,2,L,3

SECTION_SHIFT_OFF_REQUESTS
A,1,E,2
C,4,E,1

SECTION_COVER
0,E,2,100,1
0,L,1,50,2
"""


def _data_lines(text: str) -> list[str]:
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


@needs_instances
def test_all_seventeen_public_instances_are_found() -> None:
    """The round-trip tests below really run on the 17 public instances."""
    assert [p.stem for p in INSTANCES] == list(BEST_KNOWN)


@needs_instances
@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.stem)
def test_instance_round_trips_losslessly(path: Path) -> None:
    """text -> problem -> text -> problem gives the same problem and the same data lines."""
    problem = read_curtois(path)
    text = write_curtois(problem)
    assert read_curtois(text, name=problem.name) == problem
    assert _data_lines(text) == _data_lines(path.read_text())


@needs_instances
def test_instance_1_maps_to_the_benchmark_objective() -> None:
    """Instance1: named after its file, day 0 a Monday, no fairness or cost weights in play."""
    problem = read_curtois(CURTOIS_DIR / "Instance1.txt")
    assert problem.name == "Instance1"
    assert problem.start_date == dt.date(2024, 1, 1) and problem.weekday(0) == 0
    assert (problem.num_days, len(problem.employees), len(problem.contracts)) == (14, 8, 1)
    weights = problem.rules.weights
    assert (weights.fair_hours, weights.fair_weekends, weights.fair_unpopular) == (0, 0, 0)
    assert (weights.balanced_shifts, weights.labour_cost, weights.preference) == (0, 0, 1)
    assert all(d.weight_under == 100 and d.weight_over == 1 for d in problem.shift_demand)


def test_tiny_instance_maps_field_by_field() -> None:
    """Every section lands in the schema field the format's README names."""
    problem = read_curtois(TINY, name="tiny")
    assert problem.name == "tiny"
    assert problem.start_date == dt.date(2024, 1, 1)
    assert problem.num_days == 7
    assert problem.shift_types == [
        ShiftType(id="E", duration_minutes=480),
        ShiftType(id="L", duration_minutes=600, cannot_be_followed_by=["E"]),
    ]
    assert problem.contracts == [
        Contract(
            id="contract-1",
            max_shifts_per_type={"E": 7, "L": 0},
            max_minutes_total=2400,
            min_minutes_total=960,
            max_consecutive_days=5,
            min_consecutive_days=2,
            min_consecutive_days_off=2,
            max_weekends=1,
        ),
        Contract(
            id="contract-2",
            max_shifts_per_type={"E": 7, "L": 3},
            max_minutes_total=2880,
            min_minutes_total=0,
            max_consecutive_days=4,
            min_consecutive_days=1,
            min_consecutive_days_off=1,
            max_weekends=1,
        ),
    ]
    assert problem.employees == [
        Employee(id="A", contract="contract-1", unavailable_days=[0, 6]),
        Employee(id="B", contract="contract-2"),
        Employee(id="C", contract="contract-1", unavailable_days=[3]),
    ]
    assert problem.preferences == [
        Preference(employee="B", day=2, shift_type="L", kind="want", weight=3),
        Preference(employee="A", day=1, shift_type="E", kind="avoid", weight=2),
        Preference(employee="C", day=4, shift_type="E", kind="avoid", weight=1),
    ]
    assert problem.shift_demand == [
        ShiftDemand(day=0, shift_type="E", required=2, weight_under=100, weight_over=1),
        ShiftDemand(day=0, shift_type="L", required=1, weight_under=50, weight_over=2),
    ]
    assert problem.rules == Rules()
    assert problem.meta == {}


def test_tiny_instance_round_trips_from_text_and_from_problem() -> None:
    """problem -> text -> problem is the identity for a problem the format can hold."""
    problem = read_curtois(TINY, name="tiny")
    again = read_curtois(write_curtois(problem), name="tiny")
    assert again == problem
    assert _data_lines(write_curtois(again)) == _data_lines(TINY)


def test_hand_built_problem_round_trips() -> None:
    """A problem built in code (canonical contract ids, explicit cover weights) survives text."""
    problem = Problem(
        name="built",
        num_days=14,
        shift_types=[ShiftType(id="N", duration_minutes=720)],
        contracts=[
            Contract(
                id="contract-1",
                max_shifts_per_type={"N": 5},
                max_minutes_total=4000,
                min_minutes_total=0,
                max_consecutive_days=3,
                min_consecutive_days=1,
                min_consecutive_days_off=1,
                max_weekends=2,
            )
        ],
        employees=[
            Employee(id="X", contract="contract-1"),
            Employee(id="Y", contract="contract-1"),
        ],
        shift_demand=[
            ShiftDemand(day=d, shift_type="N", required=1, weight_under=80, weight_over=3)
            for d in range(14)
        ],
        preferences=[Preference(employee="Y", day=13, shift_type="N", kind="avoid", weight=4)],
    )
    assert read_curtois(write_curtois(problem), name="built") == problem


def test_cover_without_own_weights_is_written_with_the_rules_weights() -> None:
    """A demand line without weights is written with the problem's default cover weights."""
    problem = read_curtois(TINY, name="tiny")
    problem.shift_demand[0].weight_under = None
    problem.rules.weights.under_cover = 77
    assert "0,E,2,77,1" in write_curtois(problem).splitlines()


def test_a_path_given_as_text_is_read_from_disk(tmp_path: Path) -> None:
    """A str without a line break is a path; the problem is named after the file."""
    path = tmp_path / "Mine.txt"
    path.write_text(TINY)
    assert read_curtois(str(path)).name == "Mine"
    assert read_curtois(str(path)) == read_curtois(TINY, name="Mine")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "B,E=7|L=3,2880,0,4,1,1,1",
            "B,E=7|L=3,2880,0,4,1,1",
            "SECTION_STAFF line 12: expected 8 comma-separated fields",
        ),
        ("B,E=7|L=3,2880,0", "B,E=7|L=3,lots,0", "SECTION_STAFF line 12: MaxTotalMinutes 'lots'"),
        ("B,E=7|L=3,", "B,E=7|X=3,", "SECTION_STAFF line 12: unknown shift type 'X' in MaxShifts"),
        ("B,E=7|L=3,", "B,E=7|L3,", "SECTION_STAFF line 12: MaxShifts item 'L3'"),
        ("L,600,E", "L,600,Q", "SECTION_SHIFTS line 8: unknown shift type 'Q'"),
        ("L,600,E", "E,600,E", "SECTION_SHIFTS line 8: shift type 'E' is defined twice"),
        ("A,0,6", "A,0,7", "SECTION_DAYS_OFF line 16: day 7 is outside the horizon 0..6"),
        ("C,3", "Z,3", "SECTION_DAYS_OFF line 17: unknown employee 'Z'"),
        ("B,2,L,3", "B,2,L", "SECTION_SHIFT_ON_REQUESTS line 20: expected 4 comma-separated"),
        ("C,4,E,1", "C,4,E,-1", "SECTION_SHIFT_OFF_REQUESTS line 24: Weight -1 is negative"),
        ("0,L,1,50,2", "0,X,1,50,2", "SECTION_COVER line 28: unknown shift type 'X'"),
        ("0,L,1,50,2", "0,E,1,50,2", "SECTION_COVER line 28: a second cover line for day 0"),
        ("SECTION_COVER", "SECTION_DEMAND", "line 26: unknown section 'SECTION_DEMAND'"),
        ("SECTION_HORIZON\n7", "SECTION_HORIZON\nseven", "SECTION_HORIZON line 3: number of days"),
        ("SECTION_HORIZON\n7\n", "", "SECTION_HORIZON is missing"),
    ],
)
def test_malformed_line_is_reported_with_section_and_line_number(
    old: str, new: str, message: str
) -> None:
    """Each malformed line is named by section and 1-based line number, with the reason."""
    assert old in TINY
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        read_curtois(TINY.replace(old, new, 1), name="bad")


def test_contract_with_min_above_max_is_reported_on_its_line() -> None:
    """Limits the schema rejects (min total above max total) still point at the staff line."""
    text = TINY.replace("B,E=7|L=3,2880,0,", "B,E=7|L=3,2880,3000,")
    with pytest.raises(ValueError, match=r"SECTION_STAFF line 12: .*min_minutes_total"):
        read_curtois(text)


def test_problem_the_format_cannot_hold_is_refused_with_the_reasons() -> None:
    """Start times, skills and fairness weights have no place in the format: say which."""
    problem = read_curtois(TINY, name="tiny")
    problem.shift_types[0].start_minute = 360
    problem.employees[1].skills = ["triage"]
    problem.rules.weights.fair_hours = 2
    with pytest.raises(ValueError) as error:
        write_curtois(problem)
    text = str(error.value)
    assert "shift type 'E' has a start_minute" in text
    assert "employee 'B' has skills" in text
    assert "weights.fair_hours is 2" in text


def test_best_known_values_are_the_public_table() -> None:
    """BEST_KNOWN holds the README's 17 public values, e.g. Instance1 607 and Instance20 4769."""
    assert len(BEST_KNOWN) == 17
    assert BEST_KNOWN["Instance1"] == 607
    assert BEST_KNOWN["Instance20"] == 4769
    assert "Instance15" not in BEST_KNOWN
