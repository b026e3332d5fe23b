"""Rolling-origin backtests: baselines, scores and the staffing consequence of error."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import synthetic_load

from forecasting.backtest import (
    forecaster_method,
    mean_of_recent_weeks,
    overall,
    rolling_origin_backtest,
    score,
    seasonal_naive,
    seasonal_naive_scale,
    staffing_consequences,
    weekly_origins,
)
from forecasting.model import DemandForecaster
from forecasting.staffing import StaffingTargets


def test_seasonal_naive_repeats_last_week_and_skips_a_missing_day():
    """Next Monday copies last Monday; with last Monday closed, the Monday before."""
    closures = (dt.date(2024, 1, 29),)
    history = synthetic_load(weeks=5, closures=closures)
    request = pd.DataFrame(
        {
            "unique_id": "calls",
            "ds": [pd.Timestamp("2024-02-05 09:00"), pd.Timestamp("2024-02-06 09:00")],
        }
    )
    out = seasonal_naive(history, request)["forecast"].tolist()
    known = history.set_index("ds")["y"]
    assert out == [known[pd.Timestamp("2024-01-22 09:00")], known[pd.Timestamp("2024-01-30 09:00")]]


def test_mean_of_recent_weeks_averages_the_same_weekday_interval():
    """The 4-week mean equals the mean of the four earlier same-weekday intervals."""
    history = synthetic_load(weeks=5)
    target = pd.Timestamp("2024-02-05 10:30")
    request = pd.DataFrame({"unique_id": ["calls"], "ds": [target]})
    known = history.set_index("ds")["y"]
    expected = np.mean([known[target - pd.Timedelta(weeks=k)] for k in range(1, 5)])
    assert mean_of_recent_weeks(history, request)["forecast"].iloc[0] == pytest.approx(expected)


def test_scores_are_the_textbook_definitions():
    """MAE, WAPE, MASE and band coverage on a four-point example."""
    actual = np.array([10.0, 20.0, 30.0, 40.0])
    predicted = pd.DataFrame(
        {
            "forecast": [12.0, 18.0, 30.0, 36.0],
            "lower": [9.0, 19.0, 25.0, 41.0],
            "upper": [11.0, 21.0, 35.0, 45.0],
        }
    )
    result = score(actual, predicted, scale=4.0)
    assert result["mae"] == pytest.approx(2.0)
    assert result["wape"] == pytest.approx(8.0 / 100.0)
    assert result["mase"] == pytest.approx(0.5)
    assert result["coverage"] == pytest.approx(0.75)


def test_seasonal_naive_scale_is_zero_for_a_series_that_repeats_every_week():
    """A load identical every week has a zero in-sample seasonal-naive error."""
    history = synthetic_load(weeks=3)
    first_week = history[history["ds"] < "2024-01-08"]
    repeated = pd.concat(
        [first_week.assign(ds=first_week["ds"] + pd.Timedelta(weeks=k)) for k in range(3)]
    )
    assert seasonal_naive_scale(repeated) == 0.0


def test_understaffing_is_counted_when_the_forecast_is_too_low():
    """Forecasting half the load under-staffs every busy interval and misses the target."""
    targets = StaffingTargets(aht_seconds=180)
    actual = np.array([200.0, 300.0, 400.0])
    low = staffing_consequences(actual, actual / 2, pd.Timedelta(minutes=30), targets)
    exact = staffing_consequences(actual, actual, pd.Timedelta(minutes=30), targets)
    assert low["understaffed_share"] == 1.0 and low["service_level_reached"] < 0.5
    assert exact["understaffed_share"] == 0.0 and exact["service_level_reached"] >= 0.8


def test_weekly_origins_are_the_last_recorded_day_before_each_week():
    """For a weekday operation each origin is a Friday, one per week, oldest first."""
    history = synthetic_load(weeks=10)
    origins = weekly_origins(history, 3)
    assert [o.weekday() for o in origins] == [4, 4, 4]
    assert np.diff([o.toordinal() for o in origins]).tolist() == [7, 7]


def test_rolling_origin_backtest_scores_each_origin():
    """One row per origin; the project's forecaster beats seasonal naive on clean load."""
    history = synthetic_load(weeks=14, seed=7)
    origins = weekly_origins(history, 3)
    targets = StaffingTargets(aht_seconds=240, shrinkage=0.3)
    ours = rolling_origin_backtest(
        history, forecaster_method(lambda: DemandForecaster(freq="30min")), origins, targets=targets
    )
    naive = rolling_origin_backtest(history, seasonal_naive, origins)
    assert len(ours) == 3 and ours["intervals"].eq(5 * 24).all()
    assert {"mae", "wape", "mase", "coverage", "understaffed_share"} <= set(ours.columns)
    assert overall(ours)["mae"] < overall(naive)["mae"]
