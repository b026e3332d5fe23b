"""statsforecast baselines (MSTL and AutoETS, daily and weekly seasonality) for the forecast bench.

Runs inside its own virtualenv (statsforecast pins pandas below 3) and talks to
`forecast_bank_calls.py` through files: it reads `origin_*.train.csv` / `origin_*.request.csv`
from a folder and writes `origin_*.<model>.csv` with a `forecast` column and the fit+predict time.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS

_logger = logging.getLogger(__name__)


def complete_weekday_grid(train: pd.DataFrame) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """The open-hours series on every weekday: closure days filled from the week before."""
    times = pd.DatetimeIndex(train["ds"])
    slots = sorted({t - t.normalize() for t in times})
    days = pd.date_range(times.min().normalize(), times.max().normalize(), freq="B")
    grid = pd.DatetimeIndex([d + s for d in days for s in slots])
    series = train.set_index("ds")["y"].reindex(grid)
    per_week = len(slots) * 5
    values = series.to_numpy(dtype=float)
    for i in np.flatnonzero(np.isnan(values)):
        values[i] = values[i - per_week] if i >= per_week else np.nanmean(values[:per_week])
    return pd.DataFrame({"unique_id": "load", "ds": np.arange(len(values)), "y": values}), grid


def forecast_origin(train: pd.DataFrame, request: pd.DataFrame, model_name: str) -> pd.DataFrame:
    """Fit on the filled grid, forecast one whole business week, pick the requested intervals:
    the point forecast and the model's own 80% prediction interval."""
    frame, grid = complete_weekday_grid(train)
    per_day = len({t - t.normalize() for t in grid})
    seasons = [per_day, per_day * 5]
    if model_name == "mstl":
        model = MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
    else:
        model = AutoETS(season_length=per_day)
    horizon = per_day * 5
    sf = StatsForecast(models=[model], freq=1, n_jobs=1)
    predicted = sf.forecast(df=frame, h=horizon, level=[80])
    name = repr(model)
    columns = {"forecast": name, "lower": f"{name}-lo-80", "upper": f"{name}-hi-80"}
    first_day = grid[-1].normalize() + pd.offsets.BDay(1)
    future_days = pd.date_range(first_day, periods=5, freq="B")
    slots = sorted({t - t.normalize() for t in grid})
    future = pd.DatetimeIndex([d + s for d in future_days for s in slots])
    out = pd.DataFrame(
        {ours: predicted[theirs].to_numpy() for ours, theirs in columns.items()}, index=future
    )
    return out.reindex(pd.DatetimeIndex(request["ds"])).clip(lower=0.0).reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", help="folder with origin_*.train.csv and origin_*.request.csv")
    parser.add_argument("--models", default="mstl,autoets", help="comma-separated models to run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    folder = Path(args.folder)
    timings = {}
    for train_path in sorted(folder.glob("origin_*.train.csv")):
        stem = train_path.name.removesuffix(".train.csv")
        train = pd.read_csv(train_path, parse_dates=["ds"])
        request = pd.read_csv(folder / f"{stem}.request.csv", parse_dates=["ds"])
        for model_name in args.models.split(","):
            started = time.perf_counter()
            predicted = forecast_origin(train, request, model_name)
            seconds = time.perf_counter() - started
            timings[f"{stem}.{model_name}"] = seconds
            predicted.to_csv(folder / f"{stem}.{model_name}.csv", index=False)
            _logger.info("%s %s: %.1f s", stem, model_name, seconds)
    (folder / "statsforecast_timings.json").write_text(json.dumps(timings, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
