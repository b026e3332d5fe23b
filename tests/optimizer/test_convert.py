"""Tests of `convert_file` (formats by extension and content) and of the roster CSV format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.formats.convert import convert_file
from optimizer.formats.curtois import read_curtois
from optimizer.formats.roster_csv import read_roster_csv, write_roster_csv
from optimizer.formats.timefold import read_timefold
from optimizer.schema import Assignment, Problem, Solution

TINY = """\
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,480,E

SECTION_STAFF
A,E=7|L=7,2400,0,5,1,1,2
B,E=7|L=0,2400,0,5,1,1,2

SECTION_DAYS_OFF
B,6

SECTION_SHIFT_ON_REQUESTS
A,0,L,2

SECTION_COVER
0,E,1,100,1
0,L,1,100,1
1,E,1,100,1
"""

QUICKSTART = {
    "employees": [
        {
            "name": "Ann",
            "skills": ["Nurse"],
            "unavailableDates": [],
            "undesiredDates": [],
            "desiredDates": ["2025-01-06"],
        },
        {
            "name": "Bob",
            "skills": ["Nurse"],
            "unavailableDates": [],
            "undesiredDates": [],
            "desiredDates": [],
        },
    ],
    "shifts": [
        {
            "id": "0",
            "start": "2025-01-06T06:00:00",
            "end": "2025-01-06T14:00:00",
            "location": "Ward",
            "requiredSkill": "Nurse",
            "employee": None,
        },
        {
            "id": "1",
            "start": "2025-01-07T06:00:00",
            "end": "2025-01-07T14:00:00",
            "location": "Ward",
            "requiredSkill": "Nurse",
            "employee": None,
        },
    ],
    "score": None,
    "solverStatus": None,
}


def _write(path: Path, content: str | dict) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


# -- benchmark text and problem JSON ----------------------------------------------------------
def test_benchmark_text_to_problem_json_and_back(tmp_path: Path) -> None:
    """.txt -> problem .json -> .txt keeps the problem, named after the input file."""
    src = _write(tmp_path / "Tiny.txt", TINY)
    summary = convert_file(src, tmp_path / "tiny.json")
    problem = Problem.model_validate_json((tmp_path / "tiny.json").read_text())
    assert problem == read_curtois(TINY, name="Tiny")
    assert summary == "Tiny.txt -> tiny.json: problem 'Tiny' (7 days, 2 employees, 2 shift types)"

    convert_file(tmp_path / "tiny.json", tmp_path / "again.txt")
    assert read_curtois(tmp_path / "again.txt", name="Tiny") == problem


# -- solution JSON to roster CSV --------------------------------------------------------------
def _solution(problem: Problem | None) -> Solution:
    return Solution(
        status="feasible",
        objective=2,
        assignments=[
            Assignment(employee="B", day=1, shift_type="E"),
            Assignment(employee="A", day=1, shift_type="L"),
            Assignment(employee="B", day=0, shift_type="E"),
            Assignment(employee="A", day=0, shift_type="E"),
        ],
        problem=problem,
    )


def test_solution_json_to_roster_csv_sorted_by_employee_then_day(tmp_path: Path) -> None:
    """The CSV has the header employee,day,shift and rows in problem employee order, then day."""
    solution = _solution(read_curtois(TINY, name="tiny"))
    src = _write(tmp_path / "solution.json", solution.model_dump_json())
    summary = convert_file(src, tmp_path / "roster.csv")
    assert (
        tmp_path / "roster.csv"
    ).read_text() == "employee,day,shift\nA,0,E\nA,1,L\nB,0,E\nB,1,E\n"
    assert summary == "solution.json -> roster.csv: roster of 4 shifts (feasible)"


# -- Timefold quickstart JSON -----------------------------------------------------------------
def test_quickstart_json_to_problem_json(tmp_path: Path) -> None:
    """source_format='timefold' imports the quickstart's data set as a problem JSON."""
    src = _write(tmp_path / "ward.json", QUICKSTART)
    summary = convert_file(src, tmp_path / "problem.json", source_format="timefold")
    problem = Problem.model_validate_json((tmp_path / "problem.json").read_text())
    assert problem == read_timefold(QUICKSTART, name="ward")
    assert summary.startswith("ward.json -> problem.json: 2 quickstart shifts as 2 demand lines")


def test_solution_to_solved_quickstart_json_and_its_roster(tmp_path: Path) -> None:
    """target_format='timefold' fills the shifts; the solved JSON converts to a roster CSV."""
    problem = read_timefold(QUICKSTART, name="ward")
    day0, day1 = (d.shift_type for d in problem.shift_demand)
    solution = Solution(
        status="optimal",
        assignments=[
            Assignment(employee="Ann", day=0, shift_type=day0, skill="Nurse"),
            Assignment(employee="Bob", day=1, shift_type=day1, skill="Nurse"),
        ],
        problem=problem,
    )
    src = _write(tmp_path / "solution.json", solution.model_dump_json())
    convert_file(src, tmp_path / "solved.json", target_format="timefold")
    solved = json.loads((tmp_path / "solved.json").read_text())
    assert [s["employee"]["name"] for s in solved["shifts"]] == ["Ann", "Bob"]
    assert solved["score"] == "0hard/480soft"

    convert_file(tmp_path / "solved.json", tmp_path / "roster.csv", source_format="timefold")
    roster = (tmp_path / "roster.csv").read_text()
    assert roster == f"employee,day,shift\nAnn,0,{day0}\nBob,1,{day1}\n"


# -- errors -----------------------------------------------------------------------------------
def test_unknown_output_extension_says_what_is_expected(tmp_path: Path) -> None:
    """An output extension that names no format lists the ones that do."""
    src = _write(tmp_path / "tiny.txt", TINY)
    with pytest.raises(ValueError, match=r"unknown output extension '\.xlsx'; expected \.json"):
        convert_file(src, tmp_path / "tiny.xlsx")


def test_unknown_input_extension_says_what_is_expected(tmp_path: Path) -> None:
    """An input extension that names no format lists the ones that do."""
    src = _write(tmp_path / "roster.csv", "employee,day,shift\n")
    with pytest.raises(ValueError, match=r"unknown input extension '\.csv'; expected \.txt"):
        convert_file(src, tmp_path / "out.json")


def test_problem_json_has_no_roster_to_write_as_csv(tmp_path: Path) -> None:
    """A problem holds no roster, so it cannot become a roster CSV."""
    src = _write(tmp_path / "p.json", read_curtois(TINY).model_dump_json())
    with pytest.raises(ValueError, match=r"cannot convert a problem JSON .* into a roster CSV"):
        convert_file(src, tmp_path / "roster.csv")


def test_named_source_format_must_match_the_content(tmp_path: Path) -> None:
    """Naming the source format checks the file really holds that format."""
    src = _write(tmp_path / "p.json", read_curtois(TINY).model_dump_json())
    with pytest.raises(
        ValueError, match=r"expected the Timefold quickstart's JSON .* holds a prob"
    ):
        convert_file(src, tmp_path / "out.json", source_format="timefold")


def test_timefold_export_needs_the_embedded_problem(tmp_path: Path) -> None:
    """Without its problem a roster cannot be laid onto the quickstart's shifts."""
    src = _write(tmp_path / "s.json", _solution(None).model_dump_json())
    with pytest.raises(ValueError, match="the solution does not embed its problem"):
        convert_file(src, tmp_path / "out.json", target_format="timefold")


def test_json_of_unknown_shape_and_broken_json_are_refused(tmp_path: Path) -> None:
    """JSON of no known shape, and text that is not JSON, are refused with the expectation."""
    with pytest.raises(ValueError, match=r"expected a problem JSON .*, a solution JSON"):
        convert_file(_write(tmp_path / "x.json", {"rows": []}), tmp_path / "out.txt")
    with pytest.raises(ValueError, match="not valid JSON"):
        convert_file(_write(tmp_path / "y.json", "{oops"), tmp_path / "out.txt")


def test_unknown_format_name_is_refused(tmp_path: Path) -> None:
    """A format name outside the known ones is refused with the list of known ones."""
    src = _write(tmp_path / "tiny.txt", TINY)
    with pytest.raises(ValueError, match="unknown target format 'xlsx'; expected one of"):
        convert_file(src, tmp_path / "out.json", target_format="xlsx")


# -- roster CSV -------------------------------------------------------------------------------
def test_roster_csv_round_trips_and_orders_rows() -> None:
    """Rows follow the given employee order, then day; reading gives the assignments back."""
    roster = _solution(None).assignments
    text = write_roster_csv(roster, employee_order=["B", "A"])
    assert text.splitlines() == ["employee,day,shift", "B,0,E", "B,1,E", "A,0,E", "A,1,L"]
    assert sorted(read_roster_csv(text), key=repr) == sorted(roster, key=repr)


def test_roster_csv_quotes_names_with_commas() -> None:
    """A name with a comma is quoted on write and read back whole."""
    roster = [Assignment(employee="Li, Beth", day=3, shift_type="N")]
    text = write_roster_csv(roster)
    assert text == 'employee,day,shift\n"Li, Beth",3,N\n'
    assert read_roster_csv(text) == roster


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,day,shift\nA,0,E\n", "line 1: expected the header 'employee,day,shift'"),
        ("employee,day,shift\nA,0,E\nA,x,E\n", "line 3: day 'x' is not a whole number"),
        ("employee,day,shift\nA,0\n", r"line 2: expected 3 fields \(employee, day, shift\), got 2"),
        ("employee,day,shift\nA,-1,E\n", "line 2: day -1 is negative"),
        ("employee,day,shift\n,1,E\n", "line 2: the employee is empty"),
    ],
)
def test_roster_csv_errors_name_the_line(text: str, message: str) -> None:
    """Each malformed roster line is named by its 1-based line number and the reason."""
    with pytest.raises(ValueError, match=message):
        read_roster_csv(text)
