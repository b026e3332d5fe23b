"""Small synthetic load histories the forecasting tests learn from.

A weekday operation open 07:00-19:00 whose calls follow a known daily volume (weekday effect,
level, optional closures and events) times a known intraday profile, with Poisson noise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

WEEKDAY_VOLUME = np.array([1.25, 1.05, 1.0, 0.95, 0.9, 0.0, 0.0])


def intraday_shape(slots_open: int) -> np.ndarray:
    """A morning-peaked profile over the open slots, summing to 1."""
    x = np.linspace(0, 1, slots_open)
    shape = 0.4 + np.exp(-((x - 0.25) ** 2) / 0.02) + 0.5 * np.exp(-((x - 0.7) ** 2) / 0.03)
    return shape / shape.sum()


def synthetic_load(
    weeks: int = 10,
    freq: str = "30min",
    start: str = "2024-01-01",
    daily_volume: float = 2000.0,
    closures: tuple[dt.date, ...] = (),
    level_shift: tuple[dt.date, float] | None = None,
    event_days: tuple[dt.date, ...] = (),
    event_window: tuple[int, int] = (7 * 60, 19 * 60),
    event_uplift: float = 1.0,
    after_closure_uplift: float = 1.0,
    seed: int = 0,
    series_id: str = "calls",
) -> pd.DataFrame:
    """Long frame (unique_id, ds, y) of a weekday operation open 07:00-19:00."""
    rng = np.random.default_rng(seed)
    step = pd.Timedelta(freq)
    opening, closing = pd.Timedelta(hours=7), pd.Timedelta(hours=19)
    slots = pd.timedelta_range(opening, closing - step, freq=step)
    shape = intraday_shape(len(slots))
    minutes = np.array([int(s / pd.Timedelta(minutes=1)) for s in slots])
    rows = []
    closed_yesterday = False
    for day in pd.date_range(start, periods=7 * weeks, freq="D"):
        date = day.date()
        factor = WEEKDAY_VOLUME[day.weekday()]
        if factor == 0:
            continue
        if date in closures:
            closed_yesterday = True
            continue
        volume = daily_volume * factor
        if closed_yesterday:
            volume *= after_closure_uplift
            closed_yesterday = False
        if level_shift is not None and date >= level_shift[0]:
            volume *= level_shift[1]
        expected = volume * shape
        if date in event_days:
            inside = (minutes >= event_window[0]) & (minutes < event_window[1])
            expected = np.where(inside, expected * event_uplift, expected)
        counts = rng.poisson(expected)
        rows.append(
            pd.DataFrame({"unique_id": series_id, "ds": day + slots, "y": counts.astype(float)})
        )
    return pd.concat(rows, ignore_index=True)
