"""The demand forecaster: estimator contract, patterns it must learn, quantiles and events."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import WEEKDAY_VOLUME, intraday_shape, synthetic_load
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from forecasting.calendar import PeakEvent
from forecasting.model import DemandForecaster


def expected_next_week(frame: pd.DataFrame, daily_volume: float = 2000.0) -> pd.Series:
    """The noise-free load of each interval of `frame` under the synthetic generator."""
    shape = intraday_shape(24)
    times = pd.DatetimeIndex(frame["ds"])
    slot = ((times - times.normalize()) / pd.Timedelta(minutes=30)).astype(int) - 14
    return pd.Series(
        daily_volume * WEEKDAY_VOLUME[times.day_of_week] * shape[slot], index=frame.index
    )


# -- scikit-learn estimator contract -------------------------------------------------------------
def test_init_only_stores_parameters_and_get_params_round_trips():
    """Parameters come back unchanged from get_params and survive clone and set_params."""
    model = DemandForecaster(freq="30min", quantiles=(0.2, 0.8), level_halflife_days=7.0)
    params = model.get_params()
    assert params["freq"] == "30min" and params["quantiles"] == (0.2, 0.8)
    assert clone(model).get_params() == params
    model.set_params(country="US")
    assert model.country == "US"
    assert not [name for name in vars(model) if name.endswith("_")]


@pytest.mark.parametrize(
    "check",
    [
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_scikit_learn_checks_that_need_no_tabular_data_pass(check):
    """The estimator checks that apply to a time-series frame estimator pass as they are."""
    check("DemandForecaster", DemandForecaster())


def test_predict_before_fit_raises_not_fitted():
    """An unfitted forecaster refuses to predict."""
    with pytest.raises(NotFittedError):
        DemandForecaster().predict(pd.DataFrame({"ds": [pd.Timestamp("2024-01-01 09:00")]}))


def test_fit_returns_self_and_learned_state_ends_in_underscore():
    """fit returns the estimator; what it learned lives in attributes ending with `_`."""
    model = DemandForecaster(freq="30min")
    assert model.fit(synthetic_load(weeks=6)) is model
    learned = {name for name in vars(model) if name.endswith("_")}
    assert {"models_", "interval_", "series_ids_", "quantiles_"} <= learned


def test_fit_accepts_y_separately_and_is_deterministic():
    """fit(X, y) equals fit(frame with y), and two fits give identical forecasts."""
    frame = synthetic_load(weeks=6)
    a = DemandForecaster(freq="30min").fit(frame).forecast()
    b = DemandForecaster(freq="30min").fit(frame[["unique_id", "ds"]], frame["y"]).forecast()
    pd.testing.assert_frame_equal(a, b)


def test_a_fitted_forecaster_pickles():
    """A fitted forecaster survives pickling with identical predictions."""
    model = DemandForecaster(freq="30min").fit(synthetic_load(weeks=6))
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(model.forecast(), again.forecast())


# -- what it learns ------------------------------------------------------------------------------
def test_forecast_covers_open_hours_only():
    """Learned opening: weekdays 07:00-19:00, no nights and no weekend rows."""
    fc = DemandForecaster(freq="30min").fit(synthetic_load(weeks=6)).forecast(horizon="7D")
    times = pd.DatetimeIndex(fc["ds"])
    assert set(times.day_of_week) == {0, 1, 2, 3, 4}
    assert times.hour.min() == 7 and (times + pd.Timedelta(minutes=30)).hour.max() == 19
    assert len(fc) == 5 * 24


def test_forecast_recovers_weekday_and_intraday_pattern():
    """On clean Poisson load the median forecast is within 5% WAPE of the true mean."""
    history = synthetic_load(weeks=12, seed=1)
    truth_frame = synthetic_load(weeks=13, seed=2)
    future = truth_frame[truth_frame["ds"] >= history["ds"].max().normalize() + pd.Timedelta("1D")]
    fc = DemandForecaster(freq="30min").fit(history).predict(future[["ds"]])
    truth = expected_next_week(future)
    wape = np.abs(fc - truth.to_numpy()).sum() / truth.sum()
    assert wape < 0.05


def test_forecast_follows_a_level_shift():
    """Three weeks after volume jumps 30%, the forecast has moved most of the way."""
    shift_day = dt.date(2024, 1, 1) + dt.timedelta(weeks=9)
    history = synthetic_load(weeks=12, level_shift=(shift_day, 1.3))
    fc = DemandForecaster(freq="30min").fit(history).forecast(horizon="7D")
    weekly_before = 2000.0 * WEEKDAY_VOLUME.sum()
    assert fc["forecast"].sum() > 1.2 * weekly_before


def test_a_damped_trend_extrapolates_steady_growth_when_switched_on():
    """Load growing 1% per open day: with the trend on, next week is forecast higher than without
    it, and both start from about the latest level."""
    history = synthetic_load(weeks=12, daily_volume=20000.0)
    day_number = (history["ds"].dt.normalize() - history["ds"].min().normalize()).dt.days
    history = history.assign(y=np.round(history["y"] * 1.01 ** (day_number * 5 / 7)))
    flat = DemandForecaster(freq="30min").fit(history).forecast()["forecast"].sum()
    trended = (
        DemandForecaster(freq="30min", trend_damping=0.9).fit(history).forecast()["forecast"].sum()
    )
    latest_week = history[history["ds"] >= history["ds"].max().normalize() - pd.Timedelta("6D")]
    assert trended > flat > 0.9 * latest_week["y"].sum()


def test_quantiles_are_ordered_and_cover_about_eighty_percent():
    """P10 <= P50 <= P90 everywhere, and the band holds roughly 80% of fresh load."""
    history = synthetic_load(weeks=20, seed=3)
    fresh = synthetic_load(weeks=21, seed=4)
    future = fresh[fresh["ds"] >= history["ds"].max().normalize() + pd.Timedelta("1D")]
    q = DemandForecaster(freq="30min").fit(history).predict_quantiles(future[["ds"]])
    assert (q["q0.1"] <= q["q0.5"]).all() and (q["q0.5"] <= q["q0.9"]).all()
    inside = (future["y"].to_numpy() >= q["q0.1"]) & (future["y"].to_numpy() <= q["q0.9"])
    assert 0.65 <= inside.mean() <= 0.95


def test_days_after_a_closure_get_the_learned_carry_over():
    """Closures followed by a 30% busier day teach the model to lift the day after the next one."""
    closures = tuple(dt.date(2024, 1, 1) + dt.timedelta(weeks=w) for w in (2, 5, 8, 11))
    history = synthetic_load(weeks=13, closures=closures, after_closure_uplift=1.3)
    next_monday = dt.date(2024, 1, 1) + dt.timedelta(weeks=13)
    closed = PeakEvent(name="closed", dates=(next_monday,), closed=True)
    fc = DemandForecaster(freq="30min", events=[closed]).fit(history).forecast(horizon="7D")
    per_day = fc.groupby(fc["ds"].dt.date)["forecast"].sum()
    assert next_monday not in per_day.index
    tuesday = per_day[next_monday + dt.timedelta(days=1)]
    assert tuesday / (2000.0 * WEEKDAY_VOLUME[1]) > 1.15


def test_event_uplift_is_learned_from_past_occurrences():
    """An evening event seen three times at +50% lifts its next occurrence's window."""
    start = dt.date(2024, 1, 1)
    past = tuple(start + dt.timedelta(weeks=w, days=2) for w in (3, 6, 9))
    coming = start + dt.timedelta(weeks=12, days=2)
    event = PeakEvent(
        name="billing", dates=(*past, coming), start_time=dt.time(17), end_time=dt.time(19)
    )
    history = synthetic_load(
        weeks=12,
        daily_volume=20000.0,
        event_days=past,
        event_window=(17 * 60, 19 * 60),
        event_uplift=1.5,
    )
    model = DemandForecaster(freq="30min", events=[event]).fit(history)
    assert model.models_["calls"].window_uplift["billing"] == pytest.approx(1.5, abs=0.1)
    fc = model.forecast(horizon="7D").set_index("ds")["forecast"]
    evening = fc[pd.Timestamp(coming) + pd.Timedelta(hours=17)]
    true_plain = 20000.0 * WEEKDAY_VOLUME[2] * intraday_shape(24)[20]
    assert evening / true_plain == pytest.approx(1.5, abs=0.1)


def test_manual_uplift_applies_to_an_event_without_history():
    """A new event with a manual +40% lifts exactly its window."""
    history = synthetic_load(weeks=8)
    day = dt.date(2024, 1, 1) + dt.timedelta(weeks=8, days=1)
    event = PeakEvent(name="tv-advert", dates=(day,), start_time=dt.time(18), uplift=1.4)
    plain = DemandForecaster(freq="30min").fit(history).forecast().set_index("ds")["forecast"]
    lifted = (
        DemandForecaster(freq="30min", events=[event])
        .fit(history)
        .forecast()
        .set_index("ds")["forecast"]
    )
    ratio = lifted / plain
    in_window = (ratio.index.normalize() == pd.Timestamp(day)) & (ratio.index.hour >= 18)
    assert np.allclose(ratio[in_window], 1.4, rtol=1e-3)
    assert np.allclose(ratio[~in_window], 1.0)


def test_public_holidays_close_the_operation_when_history_shows_it():
    """Closed on MLK Day last year, so closed on it next year; Memorial Day, unseen, stays open."""
    closures = (dt.date(2024, 1, 1), dt.date(2024, 1, 15), dt.date(2024, 2, 19))
    history = synthetic_load(weeks=10, closures=closures)
    model = DemandForecaster(freq="30min", country="US").fit(history)
    next_mlk = model.forecast(start="2025-01-20", horizon="2D")
    assert set(next_mlk["ds"].dt.date) == {dt.date(2025, 1, 21)}
    memorial = model.forecast(start="2024-05-27", horizon="1D")
    assert set(memorial["ds"].dt.date) == {dt.date(2024, 5, 27)}


def test_each_series_is_learned_on_its_own():
    """Two series of different size forecast to their own volumes; predict needs the id."""
    frame = pd.concat(
        [
            synthetic_load(weeks=6, series_id="calls", daily_volume=2000.0),
            synthetic_load(weeks=6, series_id="chat", daily_volume=300.0, seed=5),
        ]
    )
    model = DemandForecaster(freq="30min").fit(frame)
    fc = model.forecast()
    totals = fc.groupby("unique_id")["forecast"].sum()
    assert totals["calls"] / totals["chat"] == pytest.approx(2000 / 300, rel=0.1)
    with pytest.raises(ValueError, match="unique_id"):
        model.predict(fc[["ds"]])


@pytest.mark.parametrize(("native", "freq", "per_day"), [("15min", "60min", 12), ("30min", "D", 1)])
def test_other_intervals_aggregate_and_forecast(native, freq, per_day):
    """15-minute history planned hourly, and 30-minute history planned daily."""
    history = synthetic_load(weeks=6, freq=native)
    fc = DemandForecaster(freq=freq).fit(history).forecast(horizon="7D")
    assert len(fc) == 5 * per_day
    weekly = 2000.0 * WEEKDAY_VOLUME.sum()
    assert fc["forecast"].sum() == pytest.approx(weekly, rel=0.1)


def test_bad_history_is_rejected_with_a_clear_message():
    """Negative loads, too short a history and an unknown series each name the problem."""
    frame = synthetic_load(weeks=6)
    negative = frame.assign(y=frame["y"].where(frame.index != 5, -1.0))
    with pytest.raises(ValueError, match="negative"):
        DemandForecaster(freq="30min").fit(negative)
    with pytest.raises(ValueError, match="at least 14"):
        DemandForecaster(freq="30min").fit(frame[frame["ds"] < "2024-01-06"])
    model = DemandForecaster(freq="30min").fit(frame)
    with pytest.raises(ValueError, match="not seen in fit"):
        model.predict(pd.DataFrame({"unique_id": ["chat"], "ds": [pd.Timestamp("2024-03-01")]}))
