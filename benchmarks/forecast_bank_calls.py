"""Forecast accuracy benchmark on the bank call-centre load (30-minute intervals, last 8 weeks).

For each of the last 8 weeks (origin = the last recorded day before the week, a Friday), every
method trains on everything up to the origin and forecasts the whole next week. Reported per
origin and overall: MAE, WAPE, MASE (in-sample seasonal naive, one-week season), 80%-band
coverage, fit+predict time, and the staffing consequence of the forecast error. Baselines:
seasonal naive, mean of the last 4 weeks, and statsforecast's MSTL / AutoETS (run in
`.venv-bench`, created on first use, because statsforecast pins pandas below 3).

    .venv/bin/python benchmarks/forecast_bank_calls.py [--data ../shared/data/bank_calls.csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecasting.backtest import (  # noqa: E402
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
from forecasting.calendar import PeakEvent  # noqa: E402
from forecasting.history import SERIES, TIME, VALUE, aggregate_load, read_load_csv  # noqa: E402
from forecasting.model import DemandForecaster  # noqa: E402
from forecasting.staffing import StaffingTargets  # noqa: E402

_logger = logging.getLogger(__name__)

BENCH_VENV = ROOT / ".venv-bench"
BENCH_REQUIREMENTS = ["statsforecast>=2", "pandas<3"]
INTERVAL = pd.Timedelta(minutes=30)


def closure_days(frame: pd.DataFrame) -> list[dt.date]:
    """Weekdays inside the data with no load at all: the days the centre was closed."""
    days = pd.DatetimeIndex(frame[TIME]).normalize().unique()
    every = pd.date_range(days.min(), days.max(), freq="B")
    return [d.date() for d in every.difference(days)]


def ensure_bench_venv() -> Path:
    """The separate virtualenv holding statsforecast (created and filled on first use)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import statsforecast"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *BENCH_REQUIREMENTS], check=True)
    return python


def statsforecast_results(
    frame: pd.DataFrame, origins: list[dt.date], targets: StaffingTargets
) -> dict[str, pd.DataFrame]:
    """Run MSTL and AutoETS in the bench venv; score them here like every other method."""
    python = ensure_bench_venv()
    script = ROOT / "benchmarks" / "forecast_statsforecast_baseline.py"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tests = {}
        for k, origin in enumerate(origins):
            train, test = split(frame, origin)
            train.to_csv(folder / f"origin_{k}.train.csv", index=False)
            test[[SERIES, TIME]].to_csv(folder / f"origin_{k}.request.csv", index=False)
            tests[k] = (origin, train, test)
        subprocess.run([str(python), str(script), str(folder)], check=True)
        timings = json.loads((folder / "statsforecast_timings.json").read_text())
        results = {}
        for name, label in (("mstl", "MSTL"), ("autoets", "AutoETS")):
            rows = []
            for k, (origin, train, test) in tests.items():
                predicted = pd.read_csv(folder / f"origin_{k}.{name}.csv")
                actual = test[VALUE].to_numpy(dtype=float)
                row = {
                    "origin": origin,
                    "intervals": len(actual),
                    "fit_predict_seconds": timings[f"origin_{k}.{name}"],
                }
                row.update(score(actual, predicted, seasonal_naive_scale(train)))
                row.update(
                    staffing_consequences(
                        actual, predicted["forecast"].to_numpy(), INTERVAL, targets
                    )
                )
                rows.append(row)
            results[f"statsforecast {label}"] = pd.DataFrame(rows)
    return results


def upper_as_forecast(method):
    """The same method, staffed to its upper band (P90) instead of its median."""

    def staffed_high(train: pd.DataFrame, request: pd.DataFrame) -> pd.DataFrame:
        predicted = method(train, request)
        return predicted.assign(forecast=predicted["upper"])

    return staffed_high


def split(frame: pd.DataFrame, origin: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = pd.Timestamp(origin) + pd.Timedelta(days=1)
    train = frame[frame[TIME] < cut]
    test = frame[(frame[TIME] >= cut) & (frame[TIME] < cut + pd.Timedelta(days=7))]
    return train, test


def markdown_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """A markdown table; columns are (key, header, format)."""
    lines = ["| " + " | ".join(h for _, h, _ in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            value = row.get(key)
            cells.append("n/a" if value is None or value != value else format(value, fmt))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(ROOT.parent / "shared" / "data" / "bank_calls.csv"),
        help="bank_calls.csv (columns DateTime, Calls)",
    )
    parser.add_argument("--time-col", default="DateTime", help="timestamp column")
    parser.add_argument("--value-col", default="Calls", help="load column")
    parser.add_argument("--weeks", type=int, default=8, help="number of weekly origins")
    parser.add_argument("--aht", type=float, default=300.0, help="AHT in seconds for staffing")
    parser.add_argument(
        "--skip-statsforecast", action="store_true", help="leave out the statsforecast baselines"
    )
    parser.add_argument(
        "--out", default=str(ROOT / "bench-out" / "forecast_bank_calls.json"), help="JSON results"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    raw = read_load_csv(args.data, args.time_col, args.value_col)
    frame = aggregate_load(raw, INTERVAL)
    origins = weekly_origins(frame, args.weeks)
    closed = closure_days(frame)
    targets = StaffingTargets(
        aht_seconds=args.aht, service_level=0.8, answer_within_seconds=20, max_occupancy=0.85
    )
    known_closures = [PeakEvent(name="closed", dates=tuple(closed), closed=True)]
    methods = {
        "shiftopt (known closures)": forecaster_method(
            lambda: DemandForecaster(freq="30min", events=known_closures)
        ),
        "shiftopt (no calendar)": forecaster_method(lambda: DemandForecaster(freq="30min")),
        "shiftopt (US holidays)": forecaster_method(
            lambda: DemandForecaster(freq="30min", country="US")
        ),
        "seasonal naive": seasonal_naive,
        "mean of last 4 weeks": mean_of_recent_weeks,
    }
    results = {
        name: rolling_origin_backtest(frame, method, origins, targets=targets, interval=INTERVAL)
        for name, method in methods.items()
    }
    staffed_to_p90 = rolling_origin_backtest(
        frame,
        upper_as_forecast(methods["shiftopt (known closures)"]),
        origins,
        targets=targets,
        interval=INTERVAL,
    )
    if not args.skip_statsforecast:
        results.update(statsforecast_results(frame, origins, targets))

    naive_mae = overall(results["seasonal naive"])["mae"]
    summary = []
    for name, table in results.items():
        row = {"method": name, **overall(table)}
        row["relative_mae"] = row["mae"] / naive_mae
        summary.append(row)
    print(f"data: {args.data}; {len(frame)} half-hours; origins {origins[0]} .. {origins[-1]}")
    print(f"closure days: {', '.join(map(str, closed))}")
    print("\nOverall (8 weekly origins, 30-minute intervals)\n")
    print(
        markdown_table(
            summary,
            [
                ("method", "method", "s"),
                ("mae", "MAE", ".1f"),
                ("relative_mae", "MAE / seasonal naive", ".3f"),
                ("wape", "WAPE", ".3f"),
                ("mase", "MASE", ".3f"),
                ("coverage", "80% coverage", ".3f"),
                ("understaffed_share", "under-staffed intervals", ".3f"),
                ("service_level_reached", "service level reached", ".3f"),
                ("fit_predict_seconds_median", "fit+predict s (median)", ".2f"),
            ],
        )
    )
    print("\nStaffing consequence (shiftopt, known closures; agents before shrinkage)\n")
    staffing_rows = [
        {"staffed to": "P50 (median)", **overall(results["shiftopt (known closures)"])},
        {"staffed to": "P90", **overall(staffed_to_p90)},
        {"staffed to": "seasonal naive", **overall(results["seasonal naive"])},
    ]
    print(
        markdown_table(
            staffing_rows,
            [
                ("staffed to", "staffed to", "s"),
                ("understaffed_share", "under-staffed intervals", ".3f"),
                ("service_level_reached", "service level reached (target 0.8)", ".3f"),
            ],
        )
    )
    print("\nPer origin: MAE (MASE)\n")
    per_origin = []
    for k, origin in enumerate(origins):
        row = {"origin": str(origin)}
        for name, table in results.items():
            row[name] = f"{table['mae'].iloc[k]:.1f} ({table['mase'].iloc[k]:.2f})"
        per_origin.append(row)
    print(markdown_table(per_origin, [("origin", "origin", "s")] + [(n, n, "s") for n in results]))
    ours = results["shiftopt (known closures)"]
    print("\nshiftopt (known closures) per origin\n")
    print(
        markdown_table(
            ours.assign(origin=ours["origin"].astype(str)).to_dict("records"),
            [
                ("origin", "origin", "s"),
                ("mae", "MAE", ".1f"),
                ("wape", "WAPE", ".3f"),
                ("mase", "MASE", ".3f"),
                ("coverage", "80% coverage", ".3f"),
                ("understaffed_share", "under-staffed", ".3f"),
                ("service_level_reached", "SL reached", ".3f"),
                ("fit_predict_seconds", "fit+predict s", ".2f"),
            ],
        )
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                name: table.assign(origin=table["origin"].astype(str)).to_dict("records")
                for name, table in results.items()
            },
            indent=1,
            default=float,
        )
    )
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
