"""Rolling-origin backtests: forecast accuracy and what forecast error does to staffing.

For each origin the method trains on everything up to and including the origin day, forecasts
the following horizon, and is scored on the intervals that were actually recorded: MAE, WAPE,
MASE (scaled by the in-sample seasonal naive with a one-week season), 80%-band coverage, the
share of intervals staffed below what the real load needed, and the service level reached.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from forecasting.history import SERIES, TIME, VALUE
from forecasting.model import DemandForecaster, quantile_column
from forecasting.staffing import StaffingTargets, agents_needed, service_level_reached

_logger = logging.getLogger(__name__)

_WEEK = pd.Timedelta(days=7)

# A method takes the training frame and the requested (unique_id, ds) rows and returns a frame
# aligned to the request with a `forecast` column and, when it has them, `lower`/`upper` bands.
Method = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]


def seasonal_naive(train: pd.DataFrame, request: pd.DataFrame, max_weeks: int = 4) -> pd.DataFrame:
    """Same interval one week earlier (or the most recent earlier week that has it)."""
    known = train.set_index([SERIES, TIME])[VALUE]
    values = np.full(len(request), np.nan)
    for weeks in range(max_weeks, 0, -1):
        keys = pd.MultiIndex.from_arrays([request[SERIES], request[TIME] - weeks * _WEEK])
        found = known.reindex(keys).to_numpy()
        values = np.where(np.isfinite(found), found, values)
    return pd.DataFrame({"forecast": np.nan_to_num(values)}, index=request.index)


def mean_of_recent_weeks(
    train: pd.DataFrame, request: pd.DataFrame, weeks: int = 4
) -> pd.DataFrame:
    """Mean of the same weekday and interval over the last `weeks` weeks that recorded it."""
    known = train.set_index([SERIES, TIME])[VALUE]
    stack = []
    for lag in range(1, weeks + 1):
        keys = pd.MultiIndex.from_arrays([request[SERIES], request[TIME] - lag * _WEEK])
        stack.append(known.reindex(keys).to_numpy())
    with np.errstate(invalid="ignore"):
        values = np.nanmean(np.vstack(stack), axis=0) if stack else np.zeros(len(request))
    return pd.DataFrame({"forecast": np.nan_to_num(values)}, index=request.index)


def forecaster_method(make: Callable[[], DemandForecaster], lower: float = 0.1) -> Method:
    """Wrap a forecaster factory as a backtest method with its central band as lower/upper."""

    def method(train: pd.DataFrame, request: pd.DataFrame) -> pd.DataFrame:
        model = make().fit(train)
        quantiles = model.predict_quantiles(request)
        out = pd.DataFrame(index=request.index)
        out["forecast"] = quantiles[quantile_column(0.5)]
        for name, level in (("lower", lower), ("upper", 1.0 - lower)):
            column = quantile_column(level)
            if column in quantiles:
                out[name] = quantiles[column]
        return out

    return method


def seasonal_naive_scale(train: pd.DataFrame) -> float:
    """In-sample MAE of the one-week seasonal naive: the denominator of MASE."""
    known = train.set_index([SERIES, TIME])[VALUE]
    keys = pd.MultiIndex.from_arrays([train[SERIES], train[TIME] - _WEEK])
    previous = known.reindex(keys).to_numpy()
    errors = np.abs(train[VALUE].to_numpy() - previous)
    errors = errors[np.isfinite(errors)]
    if errors.size == 0:
        raise ValueError("history: less than a week of data, MASE cannot be scaled")
    return float(errors.mean())


def weekly_origins(frame: pd.DataFrame, weeks: int) -> list[dt.date]:
    """Origins for the last `weeks` calendar weeks: the last recorded day before each week."""
    days = pd.DatetimeIndex(frame[TIME]).normalize().unique().sort_values()
    last_monday = days[-1] - pd.Timedelta(days=days[-1].weekday())
    origins = []
    for k in range(weeks, 0, -1):
        week_start = last_monday - (k - 1) * _WEEK
        before = days[days < week_start]
        if len(before):
            origins.append(before[-1].date())
    return origins


def rolling_origin_backtest(
    frame: pd.DataFrame,
    method: Method,
    origins: Sequence[dt.date],
    horizon_days: int = 7,
    targets: StaffingTargets | None = None,
    interval: pd.Timedelta | None = None,
) -> pd.DataFrame:
    """One row of scores per origin (see the module docstring); `frame` is a long frame."""
    if not origins:
        raise ValueError("origins: no backtest origin given")
    rows = []
    for origin in origins:
        cut = pd.Timestamp(origin) + pd.Timedelta(days=1)
        train = frame[frame[TIME] < cut]
        test = frame[(frame[TIME] >= cut) & (frame[TIME] < cut + pd.Timedelta(days=horizon_days))]
        if train.empty or test.empty:
            raise ValueError(f"origins: {origin} leaves an empty training or test window")
        request = test[[SERIES, TIME]].reset_index(drop=True)
        started = time.perf_counter()
        predicted = method(train, request)
        seconds = time.perf_counter() - started
        actual = test[VALUE].to_numpy(dtype=float)
        row = {"origin": origin, "intervals": len(actual), "fit_predict_seconds": seconds}
        row.update(score(actual, predicted, seasonal_naive_scale(train)))
        if targets is not None:
            step = interval if interval is not None else _interval_of(frame)
            row.update(
                staffing_consequences(actual, predicted["forecast"].to_numpy(), step, targets)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def score(actual: np.ndarray, predicted: pd.DataFrame, scale: float) -> dict[str, float]:
    """MAE, WAPE, MASE, and coverage of the lower-upper band when the method has one."""
    point = predicted["forecast"].to_numpy(dtype=float)
    error = np.abs(actual - point)
    out = {
        "mae": float(error.mean()),
        "wape": float(error.sum() / max(np.abs(actual).sum(), 1e-12)),
        "mase": float(error.mean() / scale),
        "abs_error_sum": float(error.sum()),
        "actual_sum": float(np.abs(actual).sum()),
    }
    if "lower" in predicted and "upper" in predicted:
        inside = (actual >= predicted["lower"].to_numpy()) & (
            actual <= predicted["upper"].to_numpy()
        )
        out["coverage"] = float(inside.mean())
    return out


def staffing_consequences(
    actual: np.ndarray, forecast: np.ndarray, interval: pd.Timedelta, targets: StaffingTargets
) -> dict[str, float]:
    """Share of intervals with fewer agents than the real load needed, and the service level
    reached (contact-weighted) had the forecast's agents met the real load."""
    planned = agents_needed(np.maximum(forecast, 0.0), interval, targets)
    needed = agents_needed(actual, interval, targets)
    reached = service_level_reached(actual, planned, interval, targets)
    weight = actual.sum()
    return {
        "understaffed_share": float(np.mean(planned < needed)),
        "service_level_reached": float((reached * actual).sum() / weight) if weight > 0 else 1.0,
        "target_service_level": float(targets.service_level or np.nan),
    }


def overall(results: pd.DataFrame) -> dict[str, float]:
    """Scores over all origins: pooled MAE and WAPE, interval-weighted MASE and coverage."""
    weights = results["intervals"].to_numpy(dtype=float)
    out = {
        "mae": float(results["abs_error_sum"].sum() / weights.sum()),
        "wape": float(results["abs_error_sum"].sum() / results["actual_sum"].sum()),
        "mase": float(np.average(results["mase"], weights=weights)),
        "fit_predict_seconds_median": float(results["fit_predict_seconds"].median()),
    }
    for column in ("coverage", "understaffed_share", "service_level_reached"):
        if column in results:
            out[column] = float(np.average(results[column], weights=weights))
    return out


def _interval_of(frame: pd.DataFrame) -> pd.Timedelta:
    diffs = frame[TIME].sort_values().diff().dropna()
    diffs = diffs[diffs > pd.Timedelta(0)]
    return diffs.min() if not diffs.empty else pd.Timedelta(days=1)
