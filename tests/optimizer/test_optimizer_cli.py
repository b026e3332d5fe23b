"""`shiftopt solve`, `convert` and `bench` run end to end, and bad input gets a clear message."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from api.cli import main

CURTOIS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"


def test_solve_writes_a_solution_with_its_problem_and_prints_the_roster(tmp_path, capsys):
    out = tmp_path / "solution.json"
    code = main(["solve", str(CURTOIS / "Instance1.txt"), "--time-limit", "10", "-o", str(out)])
    assert code == 0
    solution = json.loads(out.read_text())
    assert solution["objective"] == 607
    assert solution["problem"]["num_days"] == 14
    printed = capsys.readouterr().out
    assert "objective: 607" in printed and "Under-cover on shifts" in printed


def test_convert_solution_to_roster_csv(tmp_path):
    solution = tmp_path / "s.json"
    main(
        [
            "solve",
            str(CURTOIS / "Instance1.txt"),
            "--time-limit",
            "5",
            "--quiet",
            "-o",
            str(solution),
        ]
    )
    roster = tmp_path / "roster.csv"
    assert main(["convert", str(solution), str(roster)]) == 0
    rows = list(csv.reader(roster.open()))
    assert rows[0] == ["employee", "day", "shift"]
    assert len(rows) - 1 == len(json.loads(solution.read_text())["assignments"])


def test_bench_writes_results_and_rosters(tmp_path, capsys):
    code = main(
        [
            "bench",
            "curtois",
            str(CURTOIS),
            "--instances",
            "Instance1",
            "--time-limit",
            "10",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "results.csv").open()))
    assert rows[0]["instance"] == "Instance1"
    assert float(rows[0]["objective"]) == 607 and float(rows[0]["best_known"]) == 607
    assert rows[0]["hard_violations"] == "0"
    assert float(rows[0]["bound"]) == 607  # proved optimal
    assert (tmp_path / "Instance1.roster.csv").read_text().startswith("employee,day,shift\n")
    assert "Instance1" in capsys.readouterr().out


def test_solve_with_a_bad_problem_names_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "num_days": 7,
                "shift_types": [{"id": "D", "duration_minutes": 480}],
                "contracts": [{"id": "c"}],
                "employees": [{"id": "a", "contract": "nope"}],
            }
        )
    )
    assert main(["solve", str(bad), "-o", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "employees[0].contract: unknown id 'nope'" in err
    assert "Traceback" not in err


def test_solve_with_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "none.json"), "-o", str(tmp_path / "s.json")]) == 2
    assert "none.json" in capsys.readouterr().err


def test_solve_takes_every_strategy_the_settings_know(tmp_path):
    out = tmp_path / "solution.json"
    args = ["solve", str(CURTOIS / "Instance1.txt"), "--time-limit", "5", "--quiet"]
    assert main([*args, "--strategy", "colgen", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["hard_violations"] == 0
