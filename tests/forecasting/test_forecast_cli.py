"""The `shiftopt forecast` command, run through the real `shiftopt` entry point."""

from __future__ import annotations

import pandas as pd
import pytest
from forecast_synthetic import synthetic_load

from api.cli import main


@pytest.fixture
def history_csv(tmp_path):
    frame = synthetic_load(weeks=6).drop(columns="unique_id")
    path = tmp_path / "history.csv"
    frame.rename(columns={"ds": "DateTime", "y": "Calls"}).to_csv(path, index=False)
    return path


def run(history, tmp_path, *extra):
    out = tmp_path / "forecast.csv"
    argv = [
        "forecast",
        str(history),
        "--time-col",
        "DateTime",
        "--value-col",
        "Calls",
        "--freq",
        "30min",
        "--train-until",
        "2024-02-02",
        "--horizon",
        "7D",
        "-o",
        str(out),
        *extra,
    ]
    return main(argv), out


def test_forecast_writes_one_row_per_open_interval_with_quantiles(history_csv, tmp_path, capsys):
    """Columns timestamp, forecast, q0.1, q0.5, q0.9; rows for the next week's open hours."""
    code, out = run(history_csv, tmp_path)
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["timestamp", "forecast", "q0.1", "q0.5", "q0.9"]
    assert table["timestamp"].iloc[0] == "2024-02-05T07:00:00"
    assert len(table) == 5 * 24
    assert "120 open intervals" in capsys.readouterr().out


def test_train_until_is_inclusive_of_the_whole_day(history_csv, tmp_path):
    """Training until Thursday forecasts from Friday, the day after."""
    out = tmp_path / "f.csv"
    code = main(
        [
            "forecast",
            str(history_csv),
            "--time-col",
            "DateTime",
            "--value-col",
            "Calls",
            "--freq",
            "60min",
            "--train-until",
            "2024-02-01",
            "--horizon",
            "1D",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out)
    assert table["timestamp"].str[:10].unique().tolist() == ["2024-02-02"]
    assert len(table) == 12


def test_staffing_flags_add_required_staff_and_a_chart(history_csv, tmp_path):
    """--aht and targets add required_staff; --plot writes a PNG."""
    chart = tmp_path / "chart.png"
    code, out = run(
        history_csv,
        tmp_path,
        "--aht",
        "300",
        "--service-level",
        "0.8",
        "--answer-within",
        "20",
        "--max-occupancy",
        "0.85",
        "--shrinkage",
        "0.3",
        "--plot",
        str(chart),
    )
    assert code == 0
    table = pd.read_csv(out)
    assert table.columns[-1] == "required_staff"
    assert (table["required_staff"] > 0).all()
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--time-col", "Stamp"], "time-col: no column 'Stamp'"),
        (["--train-until", "2020-01-01"], "train-until: no history on or before 2020-01-01"),
        (["--quantiles", "0.1,1.5"], "quantiles: each level must lie strictly between 0 and 1"),
        (["--shrinkage", "0.3"], "aht: staffing options (--shrinkage) need --aht SECONDS"),
        (["--freq", "7min"], "freq: '7min' must divide a day"),
        (["--horizon", "1D"], "horizon: the operation is closed for the whole window"),
    ],
)
def test_bad_input_gets_one_readable_message(history_csv, tmp_path, capsys, extra, message):
    """Each mistake exits with code 2 and a message naming the flag, no traceback."""
    code, _ = run(history_csv, tmp_path, *extra)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_negative_loads_in_the_file_are_reported(tmp_path, capsys):
    """A negative load in the CSV names the value column."""
    frame = synthetic_load(weeks=6).drop(columns="unique_id")
    frame.loc[10, "y"] = -5
    path = tmp_path / "bad.csv"
    frame.rename(columns={"ds": "DateTime", "y": "Calls"}).to_csv(path, index=False)
    code, _ = run(path, tmp_path)
    assert code == 2
    assert "Calls: loads must not be negative" in capsys.readouterr().err


def test_events_file_and_series_column(tmp_path):
    """A YAML calendar closes a day for one channel; --series-col keeps one row set per series."""
    frame = pd.concat(
        [
            synthetic_load(weeks=6, series_id="calls"),
            synthetic_load(weeks=6, series_id="chat", daily_volume=300.0, seed=9),
        ]
    )
    history = tmp_path / "multi.csv"
    frame.rename(columns={"unique_id": "queue"}).to_csv(history, index=False)
    events = tmp_path / "events.yaml"
    events.write_text(
        "events:\n"
        "  - name: chat outage\n"
        "    dates: [2024-02-12]\n"
        "    channel: chat\n"
        "    closed: true\n"
        "  - name: mailing\n"
        "    dates: [2024-02-13]\n"
        "    start_time: '17:00'\n"
        "    uplift: 1.5\n"
    )
    out = tmp_path / "multi-forecast.csv"
    code = main(
        [
            "forecast",
            str(history),
            "--time-col",
            "ds",
            "--value-col",
            "y",
            "--series-col",
            "queue",
            "--freq",
            "30min",
            "--train-until",
            "2024-02-09",
            "--events",
            str(events),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out)
    assert table.columns[0] == "queue"
    days = table.assign(day=table["timestamp"].str[:10]).groupby("queue")["day"].unique()
    assert "2024-02-12" not in days["chat"] and "2024-02-12" in days["calls"]
    calls = table[table["queue"] == "calls"].set_index("timestamp")["forecast"]
    assert calls["2024-02-13T17:00:00"] / calls["2024-02-14T17:00:00"] > 1.3


def test_a_malformed_events_file_is_reported(history_csv, tmp_path, capsys):
    """An event ending before it starts is named in the message."""
    events = tmp_path / "bad.yaml"
    events.write_text(
        "- name: late\n  dates: [2024-02-06]\n  start_time: '18:00'\n  end_time: '17:00'\n"
    )
    code, _ = run(history_csv, tmp_path, "--events", str(events))
    assert code == 2
    assert "end_time 17:00:00 is not after start_time 18:00:00" in capsys.readouterr().err
