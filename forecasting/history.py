"""Historical load: reading it from CSV, checking it, and summing it to the planning interval.

The forecaster works on a long frame with one row per series and interval, columns `unique_id`,
`ds` (interval start) and `y` (load: calls, chats, tickets, orders). Intervals are left-closed and
labelled by their start.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

_logger = logging.getLogger(__name__)

SERIES = "unique_id"
TIME = "ds"
VALUE = "y"
DEFAULT_SERIES_ID = "load"

_MINUTE = pd.Timedelta(minutes=1)
_DAY = pd.Timedelta(days=1)


def parse_interval(freq: str | pd.Timedelta) -> pd.Timedelta:
    """The planning interval ("30min", "1h", "D") as a length that divides the day."""
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"freq: cannot read {freq!r} as an interval such as 30min or 1D") from exc
    if step <= pd.Timedelta(0) or step > _DAY or _DAY % step != pd.Timedelta(0):
        raise ValueError(f"freq: {freq!r} must divide a day (5min, 15min, 30min, 60min or 1D)")
    if step % _MINUTE != pd.Timedelta(0):
        raise ValueError(f"freq: {freq!r} must be a whole number of minutes")
    return step


def parse_horizon(horizon: str | pd.Timedelta) -> pd.Timedelta:
    """The forecast horizon ("7D", "14D") as a positive length."""
    try:
        length = pd.Timedelta(horizon)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"horizon: cannot read {horizon!r} as a length such as 7D") from exc
    if length <= pd.Timedelta(0):
        raise ValueError(f"horizon: must be positive, got {horizon!r}")
    return length


def read_load_csv(
    path: str | Path, time_col: str, value_col: str, series_col: str | None = None
) -> pd.DataFrame:
    """Read a load history CSV into the long frame (`unique_id`, `ds`, `y`), checked."""
    raw = pd.read_csv(path)
    return load_frame(raw, time_col=time_col, value_col=value_col, series_col=series_col)


def load_frame(
    raw: pd.DataFrame, time_col: str, value_col: str, series_col: str | None = None
) -> pd.DataFrame:
    """Turn a user's table into the long frame, naming the column at fault for bad input."""
    known = ", ".join(map(str, raw.columns))
    options = [("time-col", time_col), ("value-col", value_col), ("series-col", series_col)]
    for option, column in options:
        if column is not None and column not in raw.columns:
            raise ValueError(f"{option}: no column {column!r} in the history (columns: {known})")
    if raw.empty:
        raise ValueError("history: the file has no rows")
    times = _parse_timestamps(raw[time_col], time_col)
    values = pd.to_numeric(raw[value_col], errors="coerce")
    bad = values.isna() & raw[value_col].notna()
    if bad.any():
        first = raw.loc[bad, value_col].iloc[0]
        raise ValueError(f"{value_col}: {int(bad.sum())} values are not numbers (first: {first!r})")
    if (values < 0).any():
        first_row = int(np.flatnonzero((values < 0).to_numpy())[0])
        raise ValueError(
            f"{value_col}: loads must not be negative "
            f"({int((values < 0).sum())} are, first at {times.iloc[first_row]})"
        )
    ids = (
        raw[series_col].astype(str)
        if series_col is not None
        else pd.Series(DEFAULT_SERIES_ID, index=raw.index)
    )
    frame = pd.DataFrame({SERIES: ids.to_numpy(), TIME: times.to_numpy(), VALUE: values.to_numpy()})
    frame = frame.dropna(subset=[VALUE])
    duplicated = frame.duplicated(subset=[SERIES, TIME])
    if duplicated.any():
        example = frame.loc[duplicated].iloc[0]
        raise ValueError(
            f"{time_col}: timestamp {example[TIME]} appears more than once"
            + (f" in series {example[SERIES]!r}" if series_col else "")
        )
    return frame.sort_values([SERIES, TIME], ignore_index=True)


def _parse_timestamps(column: pd.Series, name: str) -> pd.Series:
    """Timestamps as naive local times; a trailing zone marker is dropped, not converted."""
    try:
        parsed = pd.to_datetime(column, errors="raise", format="mixed")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: cannot parse timestamps ({exc})") from exc
    if parsed.isna().any():
        first = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ValueError(f"{name}: row {first + 1} has no timestamp")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def native_interval(frame: pd.DataFrame) -> pd.Timedelta:
    """The step the history was recorded at, checked to be regular (every timestamp on its grid)."""
    steps = []
    for _, times in frame.groupby(SERIES, sort=False)[TIME]:
        diffs = times.sort_values().diff().dropna()
        diffs = diffs[diffs > pd.Timedelta(0)]
        if not diffs.empty:
            steps.append(diffs.min())
    if not steps:
        return _DAY
    step = min(steps)
    if step > _DAY or (step < _DAY and _DAY % step != pd.Timedelta(0)):
        raise ValueError(
            f"timestamps: irregular spacing (smallest step {step} does not divide a day)"
        )
    offset = (frame[TIME] - frame[TIME].dt.normalize()) % step
    if (offset != pd.Timedelta(0)).any():
        example = frame.loc[offset != pd.Timedelta(0), TIME].iloc[0]
        raise ValueError(
            f"timestamps: irregular spacing ({example} is off the {_describe(step)} grid)"
        )
    return step


def aggregate_load(frame: pd.DataFrame, freq: str | pd.Timedelta) -> pd.DataFrame:
    """Sum a checked long frame to `freq` intervals (left-closed, labelled by their start)."""
    step = parse_interval(freq)
    native = native_interval(frame)
    if step < native or step % native != pd.Timedelta(0):
        raise ValueError(
            f"freq: {_describe(step)} is not a multiple of the history's own interval "
            f"({_describe(native)})"
        )
    out = frame.assign(**{TIME: frame[TIME].dt.floor(step)})
    return out.groupby([SERIES, TIME], as_index=False, sort=True)[VALUE].sum()


def _describe(step: pd.Timedelta) -> str:
    minutes = int(step / _MINUTE)
    return "1 day" if minutes == 1440 else f"{minutes} min"
