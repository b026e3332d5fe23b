"""`shiftopt scenario run` and `shiftopt scenario sweep`: files written, numbers present, and
bad input reported in one readable message."""

from __future__ import annotations

import json

from scenario_builders import chat_desk, write_scenario

from api.cli import main

REQUIRED = (
    "paid_hours",
    "labour_cost",
    "under_cover_person_hours",
    "service_level",
    "extra_shifts",
    "changed_assignments",
)


def test_scenario_run_writes_report_charts_and_comparison(tmp_path, capsys):
    path = write_scenario(tmp_path, chat_desk(), demand=[{"percent": 40, "start": "16:00"}])
    out = tmp_path / "out"
    code = main(["scenario", "run", str(path), "--time-limit", "1", "--out", str(out)])
    assert code == 0
    data = json.loads((out / "comparison.json").read_text())
    for side in ("baseline", "scenario"):
        for key in REQUIRED:
            assert key in data[side], f"{side}.{key} missing"
    assert data["scenario"]["service_level"] is not None
    report = (out / "report.md").read_text()
    assert "Extra shifts by template and day" in report
    assert (out / "cover.png").stat().st_size > 0
    assert (out / "service_level.png").stat().st_size > 0
    assert "report:" in capsys.readouterr().out


def test_scenario_run_writes_html_when_asked(tmp_path):
    path = write_scenario(tmp_path, chat_desk(), demand=[{"people": 1}])
    out = tmp_path / "out"
    code = main(
        ["scenario", "run", str(path), "--time-limit", "1", "--format", "html", "--out", str(out)]
    )
    assert code == 0
    assert "<table>" in (out / "report.html").read_text()


def test_scenario_sweep_writes_curves_and_sweep_json(tmp_path):
    path = write_scenario(tmp_path, chat_desk(), demand=[{"percent": 10, "start": "16:00"}])
    out = tmp_path / "sweep"
    code = main(
        [
            "scenario",
            "sweep",
            str(path),
            "--param",
            "uplift",
            "--values",
            "10,50",
            "--time-limit",
            "1",
            "--jobs",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads((out / "sweep.json").read_text())
    assert [p["value"] for p in data["points"]] == [10, 50]
    assert data["points"][1]["scenario"]["paid_hours"] >= data["baseline"]["paid_hours"]
    assert (out / "sweep.png").stat().st_size > 0
    assert "Sweep: test" in (out / "report.md").read_text()


def test_bad_scenario_file_gives_one_readable_message(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nbaseline: demo\ndemand:\n  - percent: 10\n    end: '7pm'\n")
    code = main(["scenario", "run", str(path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "demand.0" in err and "'7pm' is not a time of day" in err
    assert "Traceback" not in err


def test_sweeping_uplift_without_a_percent_change_is_refused(tmp_path, capsys):
    path = write_scenario(tmp_path, chat_desk(), staff={"absence_rate": 0.1})
    code = main(
        [
            "scenario",
            "sweep",
            str(path),
            "--param",
            "uplift",
            "--values",
            "10",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "no percent demand change to sweep" in capsys.readouterr().err


def test_missing_baseline_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nbaseline: nowhere.json\n")
    code = main(["scenario", "run", str(path), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "nowhere.json" in capsys.readouterr().err
