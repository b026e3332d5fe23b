"""The demand forecaster: daily volume x intraday profile, with calibrated quantiles.

Each series is modelled multiplicatively. A day's total load is a local level times a weekday
effect times learned calendar effects (the days after a closure, the turn of the month, holidays
the operation stays open on, whole-day events); the total is spread over the day's open
intervals by a recent, weekday-specific intraday profile; events with a time window lift their
window. Quantiles come from the errors the same model made in rolling backtests over the last
weeks of the training data, so an 80% band is as wide as the model's own recent errors.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from forecasting.calendar import PeakEvent, public_holidays
from forecasting.history import (
    DEFAULT_SERIES_ID,
    SERIES,
    TIME,
    VALUE,
    aggregate_load,
    native_interval,
    parse_horizon,
    parse_interval,
)

_logger = logging.getLogger(__name__)

_DAY = pd.Timedelta(days=1)
_AFTER_CLOSURE_DAYS = 3
_MIN_TRAINING_DAYS = 14
_MIN_CALIBRATION_DAYS = 21
# Residuals are taken on log(load + 1) so that empty intervals do not explode the ratio.
_OFFSET = 1.0


def quantile_column(level: float) -> str:
    """Name of the output column holding quantile `level`, e.g. `q0.1`."""
    return f"q{level:g}"


@dataclass
class _SeriesModel:
    """Everything learned for one series."""

    first_date: dt.date
    last_date: dt.date
    slots_per_day: int
    open_weekdays: np.ndarray  # (7,) bool
    open_slots: np.ndarray  # (7, slots) bool
    observed_open: dict[dt.date, bool]  # whether each day of the history had load
    weekday_scale: np.ndarray  # (7,) weekday sizes that weigh the load closures carry over
    closed_dates: set[dt.date]  # closures known ahead (events marked closed)
    holiday_dates: dict[dt.date, str]
    closing_holidays: frozenset[str]  # names of the holidays the operation closes on
    feature_names: list[str]
    weekday_effect: np.ndarray  # (7,) log
    calendar_effect: np.ndarray  # (n_features,) log
    level: float  # log
    trend: float  # log per open day at the end of the history
    trend_damping: float  # the trend's weight shrinks by this factor per open day ahead
    profile: np.ndarray  # (7, slots), rows sum to 1 over open slots
    window_uplift: dict[str, float] = field(default_factory=dict)
    residual_quantiles: dict[float, float] = field(default_factory=dict)
    backtest_residuals: int = 0


class DemandForecaster(BaseEstimator):
    """Forecast load per interval for the coming days, with quantiles, per series.

    Follows the scikit-learn estimator contract: `__init__` only stores parameters, `fit`
    learns state in attributes ending in `_` and returns `self`, `predict` returns one value per
    row of its input. Input is a long frame with columns `unique_id` (optional for one series),
    `ds` (interval start) and `y` (load); `fit(X, y)` with `y` given separately also works.

    Parameters
    ----------
    freq:
        Planning interval ("15min", "30min", "1h", "D"); None keeps the history's own.
    quantiles:
        Quantile levels to forecast besides the median; 0.5 is always included.
    country:
        Public-holiday calendar (ISO code such as "US" or "DE-BY"); None for none.
    events:
        Peak events and known closures (`PeakEvent`s or dicts of their fields).
    level_halflife_days:
        Half-life, in open days, of the weights that estimate the current daily level.
    profile_halflife_weeks:
        Half-life, in weeks, of the weights that estimate the intraday profile.
    effect_halflife_weeks:
        Half-life, in weeks, of the weights that estimate weekday and calendar effects.
    effect_shrinkage:
        Ridge penalty, in equivalent days, pulling each calendar effect towards zero.
    trend_damping:
        Damping of the trend per open day ahead; 0 (the default) switches the trend off, since
        on call-centre load a trend extrapolates noise (see BENCHMARKS.md) and the
        recency-weighted level already follows level shifts.
    calibration_weeks:
        Rolling weekly backtests on the training data used to calibrate the quantiles.
    """

    def __init__(
        self,
        freq: str | None = None,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        country: str | None = None,
        events: Sequence[PeakEvent | dict] | None = None,
        level_halflife_days: float = 10.0,
        profile_halflife_weeks: float = 4.0,
        effect_halflife_weeks: float = 13.0,
        effect_shrinkage: float = 1.0,
        trend_damping: float = 0.0,
        calibration_weeks: int = 26,
    ) -> None:
        self.freq = freq
        self.quantiles = quantiles
        self.country = country
        self.events = events
        self.level_halflife_days = level_halflife_days
        self.profile_halflife_weeks = profile_halflife_weeks
        self.effect_halflife_weeks = effect_halflife_weeks
        self.effect_shrinkage = effect_shrinkage
        self.trend_damping = trend_damping
        self.calibration_weeks = calibration_weeks

    # -- public API -------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Iterable[float] | None = None) -> DemandForecaster:
        """Learn every series of the long frame `X` (columns `unique_id`, `ds`, `y`)."""
        self._check_parameters()
        frame = _as_long_frame(X, y)
        if frame.empty:
            raise ValueError("history: no rows to learn from")
        self.interval_ = (
            parse_interval(self.freq) if self.freq is not None else native_interval(frame)
        )
        frame = aggregate_load(frame, self.interval_)
        self.quantiles_ = _quantile_levels(self.quantiles)
        self.events_ = [
            e if isinstance(e, PeakEvent) else PeakEvent.model_validate(e)
            for e in (self.events or [])
        ]
        self.models_: dict[str, _SeriesModel] = {}
        for series_id, part in frame.groupby(SERIES, sort=True):
            self.models_[str(series_id)] = self._fit_series(str(series_id), part)
        self.series_ids_ = list(self.models_)
        self.n_series_ = len(self.series_ids_)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The median forecast (P50) for each row of `X` (columns `ds`, optional `unique_id`)."""
        return self.predict_quantiles(X)[quantile_column(0.5)].to_numpy()

    def predict_quantiles(self, X: pd.DataFrame) -> pd.DataFrame:
        """Every quantile for each row of `X`, one `q<level>` column per level, rows aligned."""
        check_is_fitted(self, "models_")
        request = self._as_request(X)
        out = pd.DataFrame(index=request.index)
        columns = {quantile_column(q): np.zeros(len(request)) for q in self.quantiles_}
        for series_id, part in request.groupby(SERIES, sort=False):
            model = self.models_[str(series_id)]
            point = self._point_forecast(model, str(series_id), part[TIME])
            for level in self.quantiles_:
                values = _apply_residual(point, model.residual_quantiles[level])
                columns[quantile_column(level)][request.index.get_indexer(part.index)] = values
        for name, values in columns.items():
            out[name] = values
        return out

    def forecast(
        self, start: str | dt.date | pd.Timestamp | None = None, horizon: str = "7D"
    ) -> pd.DataFrame:
        """Forecast the open intervals of every series from `start` (default: after history).

        Returns a long frame with `unique_id`, `ds`, `forecast` (the median) and one `q<level>`
        column per quantile. Nights, closed weekdays, holidays the operation closes on and known
        closures are left out.
        """
        check_is_fitted(self, "models_")
        length = parse_horizon(horizon)
        rows = []
        for series_id, model in self.models_.items():
            begin = (
                pd.Timestamp(model.last_date) + _DAY
                if start is None
                else pd.Timestamp(start).normalize()
            )
            times = pd.date_range(begin, begin + length, freq=self.interval_, inclusive="left")
            times = times[self._is_open(model, series_id, times)]
            rows.append(pd.DataFrame({SERIES: series_id, TIME: times}))
        request = pd.concat(rows, ignore_index=True)
        if request.empty:
            raise ValueError("horizon: the operation is closed for the whole window")
        quantiles = self.predict_quantiles(request)
        result = pd.concat([request, quantiles], axis=1)
        result.insert(2, "forecast", result[quantile_column(0.5)])
        return result

    def open_intervals(self, series_id: str, times: pd.DatetimeIndex) -> np.ndarray:
        """Whether the operation is open in each interval (learned hours, closures, holidays)."""
        check_is_fitted(self, "models_")
        return self._is_open(self.models_[series_id], series_id, pd.DatetimeIndex(times))

    # -- fitting ----------------------------------------------------------------------------
    def _check_parameters(self) -> None:
        if self.level_halflife_days <= 0:
            raise ValueError("level_halflife_days: must be positive")
        if self.profile_halflife_weeks <= 0 or self.effect_halflife_weeks <= 0:
            raise ValueError("profile/effect half-lives: must be positive")
        if self.effect_shrinkage < 0:
            raise ValueError("effect_shrinkage: must not be negative")
        if not 0.0 <= self.trend_damping < 1.0:
            raise ValueError("trend_damping: must lie in [0, 1)")
        if self.calibration_weeks < 0:
            raise ValueError("calibration_weeks: must not be negative")

    def _fit_series(self, series_id: str, part: pd.DataFrame) -> _SeriesModel:
        grid = _LoadGrid.from_frame(part, self.interval_)
        if grid.n_days < _MIN_TRAINING_DAYS:
            raise ValueError(
                f"history: series {series_id!r} spans {grid.n_days} days; "
                f"at least {_MIN_TRAINING_DAYS} are needed"
            )
        events = [e for e in self.events_ if e.applies_to(series_id)]
        years = range(grid.dates[0].year, grid.dates[-1].year + 2)
        holiday_dates = public_holidays(self.country, years)
        model = _fit_point_model(grid, events, holiday_dates, self._settings())
        residuals = self._calibration_residuals(grid, events, holiday_dates)
        model.backtest_residuals = len(residuals)
        model.residual_quantiles = _residual_quantiles(residuals, self.quantiles_)
        _logger.info(
            "series %s: %d days, level %.1f/day, %d backtest residuals",
            series_id,
            grid.n_days,
            float(np.exp(model.level)),
            len(residuals),
        )
        return model

    def _settings(self) -> dict[str, float]:
        return {
            "level_halflife_days": float(self.level_halflife_days),
            "profile_halflife_weeks": float(self.profile_halflife_weeks),
            "effect_halflife_weeks": float(self.effect_halflife_weeks),
            "effect_shrinkage": float(self.effect_shrinkage),
            "trend_damping": float(self.trend_damping),
        }

    def _calibration_residuals(
        self, grid: _LoadGrid, events: list[PeakEvent], holiday_dates: dict[dt.date, str]
    ) -> np.ndarray:
        """Log errors of week-ahead forecasts made from the last `calibration_weeks` origins."""
        residuals = []
        settings = self._settings()
        for weeks_back in range(1, self.calibration_weeks + 1):
            cut = grid.n_days - 7 * weeks_back
            if cut < _MIN_CALIBRATION_DAYS:
                break
            train = grid.head(cut)
            model = _fit_point_model(train, events, holiday_dates, settings)
            future = grid.window(cut, cut + 7)
            point = _point_grid(model, future.dates, events, holiday_dates)
            actual = future.values
            seen = np.isfinite(actual) & (point > 0)
            residuals.append(np.log((actual[seen] + _OFFSET) / (point[seen] + _OFFSET)))
        return np.concatenate(residuals) if residuals else np.zeros(0)

    # -- predicting -------------------------------------------------------------------------
    def _as_request(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame) or TIME not in X.columns:
            raise ValueError(f"X: expected a frame with a {TIME!r} column")
        request = pd.DataFrame(index=X.index)
        if SERIES in X.columns:
            request[SERIES] = X[SERIES].astype(str)
        elif self.n_series_ == 1:
            request[SERIES] = self.series_ids_[0]
        else:
            raise ValueError(f"X: several series were fitted, give the {SERIES!r} column")
        unknown = set(request[SERIES]) - set(self.models_)
        if unknown:
            raise ValueError(f"{SERIES}: series not seen in fit: {sorted(unknown)[:5]}")
        request[TIME] = pd.to_datetime(X[TIME])
        return request

    def _point_forecast(self, model: _SeriesModel, series_id: str, times: pd.Series) -> np.ndarray:
        events = [e for e in self.events_ if e.applies_to(series_id)]
        stamps = pd.DatetimeIndex(times)
        days = stamps.normalize()
        unique_days = pd.DatetimeIndex(days.unique()).sort_values()
        dates = [d.date() for d in unique_days]
        grid = _point_grid(model, dates, events, model.holiday_dates)
        row = unique_days.get_indexer(days)
        slot = ((stamps - days) // self.interval_).to_numpy().astype(int)
        return grid[row, slot]

    def _is_open(self, model: _SeriesModel, series_id: str, times: pd.DatetimeIndex) -> np.ndarray:
        return self._point_forecast(model, series_id, pd.Series(times)) > 0


# -- the load grid ----------------------------------------------------------------------------
@dataclass
class _LoadGrid:
    """One series as a days x slots matrix (NaN where nothing was recorded)."""

    dates: list[dt.date]
    values: np.ndarray
    interval: pd.Timedelta

    @property
    def n_days(self) -> int:
        return len(self.dates)

    @classmethod
    def from_frame(cls, part: pd.DataFrame, interval: pd.Timedelta) -> _LoadGrid:
        slots = int(_DAY / interval)
        times = pd.DatetimeIndex(part[TIME])
        days = times.normalize()
        first, last = days.min(), days.max()
        all_days = pd.date_range(first, last, freq="D")
        values = np.full((len(all_days), slots), np.nan)
        row = all_days.get_indexer(days)
        col = ((times - days) // interval).to_numpy().astype(int)
        values[row, col] = part[VALUE].to_numpy(dtype=float)
        return cls([d.date() for d in all_days], values, interval)

    def head(self, n_days: int) -> _LoadGrid:
        return _LoadGrid(self.dates[:n_days], self.values[:n_days], self.interval)

    def window(self, start: int, stop: int) -> _LoadGrid:
        return _LoadGrid(self.dates[start:stop], self.values[start:stop], self.interval)


# -- the point model --------------------------------------------------------------------------
def _fit_point_model(
    grid: _LoadGrid,
    events: list[PeakEvent],
    holiday_dates: dict[dt.date, str],
    settings: dict[str, float],
) -> _SeriesModel:
    values = grid.values
    n_days, slots = values.shape
    weekdays = np.array([d.weekday() for d in grid.dates])
    active = np.nansum(values, axis=1) > 0

    open_weekdays = np.array(
        [(weekdays == w).any() and active[weekdays == w].mean() >= 0.5 for w in range(7)]
    )
    open_slots = _learn_open_slots(values, weekdays, active, open_weekdays)
    observed_open = {d: bool(a) for d, a in zip(grid.dates, active, strict=True)}
    past_holidays = [d for d in holiday_dates if grid.dates[0] <= d <= grid.dates[-1]]
    past_holidays = [d for d in past_holidays if open_weekdays[d.weekday()]]
    closing_holidays = _holidays_closed_on(past_holidays, holiday_dates, observed_open)
    closures = {d for e in events if e.closed for d in e.dates}

    # A full day has every open slot recorded: only those inform totals and profiles.
    open_mask = open_slots[weekdays]
    recorded = np.isfinite(values) | ~open_mask
    full = active & recorded.all(axis=1)
    whole_day_events = sorted(
        {e.name for e in events if not e.closed and e.start_time is None and e.end_time is None}
    )
    windowed = [e for e in events if not e.closed and (e.start_time or e.end_time)]
    windowed_days = {d for e in windowed for d in e.dates}

    totals = np.where(full, np.nansum(np.where(open_mask, values, 0.0), axis=1), np.nan)
    usable = full & (totals > 0) & np.array([d not in windowed_days for d in grid.dates])
    if usable.sum() < 5:
        raise ValueError("history: fewer than 5 complete open days to learn from")

    log_total = np.log(np.where(usable, totals, 1.0))
    age_weeks = (n_days - 1 - np.arange(n_days)) / 7.0
    # Days older than four half-lives weigh under 1/16: leave them out of the effect regression.
    recent = age_weeks < 4.0 * settings["effect_halflife_weeks"]
    effect_weight = 0.5 ** (age_weeks / settings["effect_halflife_weeks"])
    weeks = np.array([_week_index(d) for d in grid.dates])
    # Two passes: the weekday effects of the first size the load that closures carry over.
    weekday_scale = np.ones(7)
    for _ in range(2):
        calendar = _DayCalendar(
            open_weekdays, observed_open, closures, holiday_dates, closing_holidays, weekday_scale
        )
        features, names = calendar.features(grid.dates, whole_day_events, events)
        fitted = usable & recent
        weekday_effect, calendar_effect, week_level = _fit_daily_effects(
            log_total[fitted],
            weekdays[fitted],
            features[fitted],
            weeks[fitted],
            effect_weight[fitted],
            open_weekdays,
            settings["effect_shrinkage"],
        )
        first_pass_scale = weekday_scale
        weekday_scale = np.exp(weekday_effect)

    # Deseasonalised daily level, then a recency-weighted mean (and optionally a trend).
    adjusted = (
        log_total[usable] - weekday_effect[weekdays[usable]] - features[usable] @ calendar_effect
    )
    order_age = np.arange(len(adjusted))[::-1].astype(float)
    level_weight = 0.5 ** (order_age / settings["level_halflife_days"])
    level = float(np.sum(level_weight * adjusted) / np.sum(level_weight))
    trend = _damped_trend(adjusted, settings["trend_damping"])
    # The weighted mean sits at the weights' mean age: move it to the last day along the trend.
    level += trend * float(np.sum(level_weight * order_age) / np.sum(level_weight))

    profile = _learn_profile(
        values,
        weekdays,
        usable,
        totals,
        open_slots,
        age_weeks,
        settings["profile_halflife_weeks"],
    )
    model = _SeriesModel(
        first_date=grid.dates[0],
        last_date=grid.dates[-1],
        slots_per_day=slots,
        open_weekdays=open_weekdays,
        open_slots=open_slots,
        observed_open=observed_open,
        weekday_scale=first_pass_scale,
        closed_dates=closures,
        holiday_dates=holiday_dates,
        closing_holidays=closing_holidays,
        feature_names=names,
        weekday_effect=weekday_effect,
        calendar_effect=calendar_effect,
        level=level,
        trend=trend,
        trend_damping=settings["trend_damping"],
        profile=profile,
    )
    model.window_uplift = _learn_window_uplift(
        grid, windowed, model, week_level, weekdays, features, open_mask
    )
    return model


def _holidays_closed_on(
    past: list[dt.date], holiday_dates: dict[dt.date, str], observed_open: dict[dt.date, bool]
) -> frozenset[str]:
    """Names of the holidays the history shows closed on at least half of their occurrences.

    A holiday the history has not seen is assumed open: wrongly closing an open day leaves it
    without staff, which is worse than forecasting a day the manager knows to be closed (known
    closures are given as events).
    """
    seen: dict[str, list[bool]] = {}
    for day in past:
        seen.setdefault(holiday_dates[day], []).append(not observed_open[day])
    return frozenset(name for name, closed in seen.items() if np.mean(closed) >= 0.5)


def _learn_open_slots(
    values: np.ndarray, weekdays: np.ndarray, active: np.ndarray, open_weekdays: np.ndarray
) -> np.ndarray:
    """Slots with load on at least a quarter of a weekday's active days, gaps filled."""
    slots = values.shape[1]
    open_slots = np.zeros((7, slots), dtype=bool)
    for w in range(7):
        rows = active & (weekdays == w)
        if not open_weekdays[w] or not rows.any():
            continue
        share = np.mean(np.nan_to_num(values[rows], nan=0.0) > 0, axis=0)
        busy = np.flatnonzero(share >= 0.25)
        if busy.size:
            open_slots[w, busy[0] : busy[-1] + 1] = True
    return open_slots


def _week_index(day: dt.date) -> int:
    return (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday: weeks run Mon-Sun


def _fit_daily_effects(
    log_total: np.ndarray,
    weekdays: np.ndarray,
    features: np.ndarray,
    weeks: np.ndarray,
    weights: np.ndarray,
    open_weekdays: np.ndarray,
    shrinkage: float,
) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Weighted ridge on log daily totals: week level + weekday effect + calendar effects.

    One level per calendar week absorbs level shifts and trend, so weekday and calendar effects
    are measured inside weeks. Weekday effects are centred on zero over open weekdays.
    """
    week_ids, week_pos = np.unique(weeks, return_inverse=True)
    n_weeks, n_features = len(week_ids), features.shape[1]
    n = len(log_total)
    design = np.zeros((n, n_weeks + 7 + n_features))
    design[np.arange(n), week_pos] = 1.0
    design[np.arange(n), n_weeks + weekdays] = 1.0
    design[:, n_weeks + 7 :] = features
    penalty = np.concatenate(
        [np.full(n_weeks, 1e-4), np.full(7, 1e-2), np.full(n_features, max(shrinkage, 1e-4))]
    )
    # Centre on the weighted mean so the ridge on the week levels does not pull them to zero.
    centre = np.average(log_total, weights=weights)
    weighted = design * weights[:, None]
    coef = np.linalg.solve(
        weighted.T @ design + np.diag(penalty), weighted.T @ (log_total - centre)
    )
    weekday_effect = coef[n_weeks : n_weeks + 7].copy()
    opened = open_weekdays & np.isin(np.arange(7), weekdays)
    shift = weekday_effect[opened].mean() if opened.any() else 0.0
    weekday_effect = np.where(opened, weekday_effect - shift, 0.0)
    week_level = {int(w): float(coef[i] + centre + shift) for i, w in enumerate(week_ids)}
    return weekday_effect, coef[n_weeks + 7 :], week_level


def _damped_trend(adjusted: np.ndarray, damping: float) -> float:
    """Slope (log per open day) of the recent deseasonalised level; 0 when switched off."""
    if damping <= 0 or len(adjusted) < 20:
        return 0.0
    recent = adjusted[-40:]
    x = np.arange(len(recent), dtype=float)
    slope, intercept = np.polyfit(x, recent, 1)
    spread = np.std(recent - (slope * x + intercept), ddof=2) / np.sqrt(np.sum((x - x.mean()) ** 2))
    return float(slope) if abs(slope) > 2.0 * spread else 0.0


def _learn_profile(
    values: np.ndarray,
    weekdays: np.ndarray,
    usable: np.ndarray,
    totals: np.ndarray,
    open_slots: np.ndarray,
    age_weeks: np.ndarray,
    halflife_weeks: float,
) -> np.ndarray:
    """Share of a day's load in each slot, per weekday, recency weighted, pooled when sparse."""
    slots = values.shape[1]
    shares = np.where(usable[:, None], np.nan_to_num(values, nan=0.0) / totals[:, None], 0.0)
    shares = np.nan_to_num(shares, nan=0.0)
    weight = np.where(usable, 0.5 ** (age_weeks / halflife_weeks), 0.0)
    pooled = weight @ shares / max(weight.sum(), 1e-12)
    profile = np.zeros((7, slots))
    for w in range(7):
        rows = weekdays == w
        w_sum = weight[rows].sum()
        own = weight[rows] @ shares[rows] / w_sum if w_sum > 0 else pooled
        mixed = (w_sum * own + 1.0 * pooled) / (w_sum + 1.0)
        mixed = np.where(open_slots[w], mixed, 0.0)
        total = mixed.sum()
        profile[w] = mixed / total if total > 0 else mixed
    return profile


def _learn_window_uplift(
    grid: _LoadGrid,
    windowed: list[PeakEvent],
    model: _SeriesModel,
    week_level: dict[int, float],
    weekdays: np.ndarray,
    features: np.ndarray,
    open_mask: np.ndarray,
) -> dict[str, float]:
    """Mean log ratio of actual to expected load inside each windowed event's past windows."""
    uplift: dict[str, float] = {}
    index = {d: i for i, d in enumerate(grid.dates)}
    minutes = int(grid.interval / pd.Timedelta(minutes=1))
    for name in sorted({e.name for e in windowed}):
        ratios = []
        for event in (e for e in windowed if e.name == name):
            lo, hi = event.window_minutes()
            cols = np.arange(model.slots_per_day)
            in_window = (cols * minutes >= lo) & (cols * minutes < hi)
            for day in event.dates:
                i = index.get(day)
                if i is None or _week_index(day) not in week_level:
                    continue
                mask = in_window & open_mask[i] & np.isfinite(grid.values[i])
                if not mask.any():
                    continue
                level = (
                    week_level[_week_index(day)]
                    + model.weekday_effect[weekdays[i]]
                    + features[i] @ model.calendar_effect
                )
                expected = np.exp(level) * model.profile[weekdays[i], mask].sum()
                actual = grid.values[i, mask].sum()
                if expected > 0:
                    ratios.append(np.log((actual + _OFFSET) / (expected + _OFFSET)))
        if ratios:
            uplift[name] = float(np.exp(np.mean(ratios)))
    return uplift


def _point_grid(
    model: _SeriesModel,
    dates: list[dt.date],
    events: list[PeakEvent],
    holiday_dates: dict[dt.date, str],
) -> np.ndarray:
    """Median point forecast for whole days (days x slots); 0 where the operation is closed."""
    calendar = _DayCalendar(
        model.open_weekdays,
        model.observed_open,
        model.closed_dates,
        holiday_dates,
        model.closing_holidays,
        model.weekday_scale,
    )
    whole_day = [n.removeprefix("event:") for n in model.feature_names if n.startswith("event:")]
    features, _ = calendar.features(dates, whole_day, events)
    weekdays = np.array([d.weekday() for d in dates])
    steps = np.array([calendar.open_days_between(model.last_date, d) for d in dates], dtype=float)
    damping = model.trend_damping
    trend = (
        model.trend * damping * (1 - damping**steps) / (1 - damping)
        if damping > 0
        else np.zeros(len(dates))
    )
    log_total = (
        model.level + trend + model.weekday_effect[weekdays] + features @ model.calendar_effect
    )
    open_day = np.array([calendar.is_open(d) for d in dates])
    grid = np.exp(log_total)[:, None] * model.profile[weekdays]
    grid = np.where(open_day[:, None] & model.open_slots[weekdays], grid, 0.0)
    minutes = 1440 // model.slots_per_day
    cols = np.arange(model.slots_per_day) * minutes
    for event in events:
        if event.closed or not (event.start_time or event.end_time):
            continue
        factor = model.window_uplift.get(event.name, event.uplift or 1.0)
        lo, hi = event.window_minutes()
        in_window = (cols >= lo) & (cols < hi)
        for i, day in enumerate(dates):
            if day in event.dates:
                grid[i, in_window] *= factor
    return grid


class _DayCalendar:
    """Which days are open, and the calendar features of each day."""

    def __init__(
        self,
        open_weekdays: np.ndarray,
        observed_open: dict[dt.date, bool],
        closures: set[dt.date],
        holiday_dates: dict[dt.date, str],
        closing_holidays: frozenset[str],
        weekday_scale: np.ndarray | None = None,
    ) -> None:
        self.open_weekdays = open_weekdays
        self.observed_open = observed_open
        self.weekday_scale = np.ones(7) if weekday_scale is None else weekday_scale
        self.closures = closures
        self.holidays = holiday_dates
        self.closing_holidays = closing_holidays
        self._open: dict[dt.date, bool] = {}
        self._open_days_of_month: dict[tuple[int, int], list[dt.date]] = {}

    def is_open(self, day: dt.date) -> bool:
        known = self._open.get(day)
        if known is None:
            known = self._decide_open(day)
            self._open[day] = known
        return known

    def _decide_open(self, day: dt.date) -> bool:
        observed = self.observed_open.get(day)
        if observed is not None:
            return observed
        if not self.open_weekdays[day.weekday()] or day in self.closures:
            return False
        return self.holidays.get(day) not in self.closing_holidays

    def is_closure(self, day: dt.date) -> bool:
        """A day the operation would normally open but does not."""
        return bool(self.open_weekdays[day.weekday()]) and not self.is_open(day)

    def open_days_between(self, last: dt.date, day: dt.date) -> int:
        if day <= last:
            return 0
        return sum(
            self.is_open(last + dt.timedelta(days=k)) for k in range(1, (day - last).days + 1)
        )

    def _after_closure(self, day: dt.date) -> tuple[int, float]:
        """Which open day after a closure this is (1 = first; 0 if none near), and the load the
        closed days would have carried relative to this day's (their weekday scales)."""
        count = 0
        probe = day
        for _ in range(14):
            probe -= dt.timedelta(days=1)
            if self.is_closure(probe):
                break
            if self.is_open(probe):
                count += 1
                if count >= _AFTER_CLOSURE_DAYS:
                    return 0, 0.0
        else:
            return 0, 0.0
        missed = 0.0
        for _ in range(14):
            if self.is_closure(probe):
                missed += self.weekday_scale[probe.weekday()]
            elif self.is_open(probe):
                break
            probe -= dt.timedelta(days=1)
        return count + 1, missed / self.weekday_scale[day.weekday()]

    def _next_open_is_closure(self, day: dt.date) -> bool:
        probe = day
        for _ in range(14):
            probe += dt.timedelta(days=1)
            if self.is_closure(probe):
                return True
            if self.is_open(probe):
                return False
        return False

    def _month_position(self, day: dt.date) -> tuple[int, bool]:
        """Open days since the month began (1 = first open day) and whether it is the last."""
        key = (day.year, day.month)
        open_days = self._open_days_of_month.get(key)
        if open_days is None:
            first = day.replace(day=1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            span = (following - first).days
            open_days = [
                first + dt.timedelta(days=k)
                for k in range(span)
                if self.is_open(first + dt.timedelta(days=k))
            ]
            self._open_days_of_month[key] = open_days
        position = bisect.bisect_right(open_days, day)
        return position, bool(open_days) and open_days[-1] == day

    def features(
        self, dates: list[dt.date], whole_day_events: list[str], events: list[PeakEvent]
    ) -> tuple[np.ndarray, list[str]]:
        names = [f"after_closure_{k}" for k in range(1, _AFTER_CLOSURE_DAYS + 1)]
        names += ["before_closure", "month_first", "month_second", "month_last", "open_holiday"]
        names += [f"event:{name}" for name in whole_day_events]
        event_days = {
            name: {d for e in events if e.name == name for d in e.dates}
            for name in whole_day_events
        }
        matrix = np.zeros((len(dates), len(names)))
        for i, day in enumerate(dates):
            if not self.is_open(day):
                continue
            after, missed = self._after_closure(day)
            if after:
                matrix[i, after - 1] = missed
            matrix[i, _AFTER_CLOSURE_DAYS] = float(self._next_open_is_closure(day))
            position, last = self._month_position(day)
            matrix[i, _AFTER_CLOSURE_DAYS + 1] = float(position == 1)
            matrix[i, _AFTER_CLOSURE_DAYS + 2] = float(position == 2)
            matrix[i, _AFTER_CLOSURE_DAYS + 3] = float(last)
            matrix[i, _AFTER_CLOSURE_DAYS + 4] = float(day in self.holidays)
            for j, name in enumerate(whole_day_events):
                matrix[i, _AFTER_CLOSURE_DAYS + 5 + j] = float(day in event_days[name])
        return matrix, names


# -- quantiles --------------------------------------------------------------------------------
def _quantile_levels(levels: Sequence[float]) -> list[float]:
    chosen = sorted({round(float(q), 6) for q in levels} | {0.5})
    for q in chosen:
        if not 0.0 < q < 1.0:
            raise ValueError(f"quantiles: each level must lie in (0, 1), got {q}")
    return chosen


def _residual_quantiles(residuals: np.ndarray, levels: list[float]) -> dict[float, float]:
    """Log-error offsets per quantile level, split-conformal on the backtest residuals.

    The median offset corrects the point forecast's bias; each pair of levels (0.1, 0.9) is the
    central band whose half-width is the matching quantile of the absolute deviation from that
    median, which keeps the band's coverage when errors turn skewed one way or the other.
    Without enough backtests a 15% log spread stands in.
    """
    if len(residuals) < 50:
        from scipy.stats import norm

        _logger.warning("too little history to calibrate quantiles; using a 15 percent log spread")
        return {q: float(norm.ppf(q) * 0.15) for q in levels}
    median = float(np.quantile(residuals, 0.5))
    spread = np.abs(residuals - median)
    offsets = {}
    for q in levels:
        coverage = abs(q - 0.5) * 2.0
        half_width = float(np.quantile(spread, coverage)) if coverage > 0 else 0.0
        offsets[q] = median + float(np.sign(q - 0.5)) * half_width
    return offsets


def _apply_residual(point: np.ndarray, log_error: float) -> np.ndarray:
    return np.where(
        point > 0, np.maximum((point + _OFFSET) * np.exp(log_error) - _OFFSET, 0.0), 0.0
    )


def _as_long_frame(X: pd.DataFrame, y: Iterable[float] | None) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"X: expected a pandas DataFrame with columns {SERIES}, {TIME}, {VALUE}")
    if TIME not in X.columns:
        raise ValueError(f"X: no {TIME!r} column (interval start)")
    frame = pd.DataFrame(
        {
            SERIES: X[SERIES].astype(str) if SERIES in X.columns else DEFAULT_SERIES_ID,
            TIME: pd.to_datetime(X[TIME]),
        }
    )
    if y is not None:
        frame[VALUE] = np.asarray(list(y) if not hasattr(y, "__len__") else y, dtype=float)
    elif VALUE in X.columns:
        frame[VALUE] = pd.to_numeric(X[VALUE], errors="raise").astype(float)
    else:
        raise ValueError(f"X: no {VALUE!r} column and no y given")
    if (frame[VALUE] < 0).any():
        raise ValueError(f"{VALUE}: loads must not be negative")
    return frame.dropna(subset=[VALUE])
