"""Reading and checking load histories, and summing them to the planning interval."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.history import aggregate_load, load_frame, parse_interval, read_load_csv


def five_minute_table() -> pd.DataFrame:
    times = pd.date_range("2024-03-04 07:00", periods=12, freq="5min")
    return pd.DataFrame({"when": times.strftime("%Y-%m-%dT%H:%M:%SZ"), "calls": range(12)})


def test_intervals_are_left_closed_and_labelled_by_their_start():
    """07:00-07:25 sums into the 07:00 half-hour, 07:30-07:55 into 07:30."""
    frame = load_frame(five_minute_table(), time_col="when", value_col="calls")
    half_hours = aggregate_load(frame, "30min")
    assert half_hours["ds"].dt.strftime("%H:%M").tolist() == ["07:00", "07:30"]
    assert half_hours["y"].tolist() == [sum(range(6)), sum(range(6, 12))]


def test_a_trailing_zone_marker_is_read_as_local_time():
    """'07:00:00Z' stays 07:00, it is not shifted to another zone."""
    frame = load_frame(five_minute_table(), time_col="when", value_col="calls")
    assert frame["ds"].iloc[0] == pd.Timestamp("2024-03-04 07:00")


def test_unknown_columns_are_named(tmp_path):
    """A missing time, value or series column is named along with the columns that exist."""
    path = tmp_path / "h.csv"
    five_minute_table().to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"time-col: no column 'DateTime'.*when, calls"):
        read_load_csv(path, "DateTime", "calls")
    with pytest.raises(ValueError, match="value-col: no column 'Calls'"):
        read_load_csv(path, "when", "Calls")
    with pytest.raises(ValueError, match="series-col: no column 'queue'"):
        read_load_csv(path, "when", "calls", "queue")


def test_unparsable_timestamps_and_loads_are_rejected():
    """Text in the time or value column gives a message naming the column."""
    table = five_minute_table()
    table.loc[3, "when"] = "tuesday morning"
    with pytest.raises(ValueError, match="when: cannot parse timestamps"):
        load_frame(table, time_col="when", value_col="calls")
    table = five_minute_table().astype({"calls": object})
    table.loc[2, "calls"] = "many"
    with pytest.raises(ValueError, match="calls: 1 values are not numbers"):
        load_frame(table, time_col="when", value_col="calls")


def test_negative_loads_are_rejected():
    """A negative count names the column and the first offending time."""
    table = five_minute_table()
    table.loc[4, "calls"] = -3
    with pytest.raises(ValueError, match=r"calls: loads must not be negative.*07:20"):
        load_frame(table, time_col="when", value_col="calls")


def test_irregular_timestamps_are_rejected():
    """A timestamp off the history's grid cannot be summed into intervals."""
    table = five_minute_table()
    table.loc[5, "when"] = "2024-03-04T07:27:00Z"
    frame = load_frame(table, time_col="when", value_col="calls")
    with pytest.raises(ValueError, match="irregular spacing"):
        aggregate_load(frame, "30min")


def test_duplicate_timestamps_are_rejected():
    """The same interval twice in one series is an error, not a silent sum."""
    table = pd.concat([five_minute_table(), five_minute_table().iloc[:1]])
    with pytest.raises(ValueError, match="appears more than once"):
        load_frame(table, time_col="when", value_col="calls")


def test_interval_must_divide_the_day_and_not_be_finer_than_the_history():
    """7-minute plans are refused, and so is planning at 5 minutes from 30-minute history."""
    with pytest.raises(ValueError, match="must divide a day"):
        parse_interval("7min")
    with pytest.raises(ValueError, match="cannot read"):
        parse_interval("half an hour")
    frame = aggregate_load(
        load_frame(five_minute_table(), time_col="when", value_col="calls"), "30min"
    )
    with pytest.raises(ValueError, match="not a multiple"):
        aggregate_load(frame, "5min")
