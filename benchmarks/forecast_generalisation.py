"""Does the forecaster's edge hold beyond the benchmark's 8 weeks and 30-minute intervals?

Same rolling weekly protocol as `forecast_bank_calls.py`, with default settings and no calendar
(the load history only), on two disjoint sets of origins (the last 8 weeks, and the 12 weeks
before them) and four planning intervals (15 min, 30 min, 60 min, 1 day). The last column is the
same forecaster with its damped trend switched on (`trend_damping=0.9`).

    .venv/bin/python benchmarks/forecast_generalisation.py [--data ../shared/data/bank_calls.csv]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecasting.backtest import (  # noqa: E402
    forecaster_method,
    mean_of_recent_weeks,
    overall,
    rolling_origin_backtest,
    seasonal_naive,
    weekly_origins,
)
from forecasting.history import aggregate_load, read_load_csv  # noqa: E402
from forecasting.model import DemandForecaster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(ROOT.parent / "shared" / "data" / "bank_calls.csv"),
        help="bank_calls.csv (columns DateTime, Calls)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    raw = read_load_csv(args.data, "DateTime", "Calls")
    print(
        "| interval | origins | shiftopt MAE / seasonal naive | mean of 4 weeks / seasonal naive "
        "| shiftopt MASE | shiftopt 80% coverage | with damped trend / seasonal naive |"
    )
    print("|---|---|---|---|---|---|---|")
    for freq in ("15min", "30min", "60min", "1D"):
        frame = aggregate_load(raw, freq)
        origins = weekly_origins(frame, 20)
        for label, chosen in (("last 8 weeks", origins[-8:]), ("12 weeks before", origins[:12])):
            ours = overall(
                rolling_origin_backtest(
                    frame, forecaster_method(lambda f=freq: DemandForecaster(freq=f)), chosen
                )
            )
            trended = overall(
                rolling_origin_backtest(
                    frame,
                    forecaster_method(lambda f=freq: DemandForecaster(freq=f, trend_damping=0.9)),
                    chosen,
                )
            )
            naive = overall(rolling_origin_backtest(frame, seasonal_naive, chosen))
            recent = overall(rolling_origin_backtest(frame, mean_of_recent_weeks, chosen))
            print(
                f"| {freq} | {label} ({chosen[0]} .. {chosen[-1]}) "
                f"| {ours['mae'] / naive['mae']:.3f} | {recent['mae'] / naive['mae']:.3f} "
                f"| {ours['mase']:.3f} | {ours['coverage']:.3f} "
                f"| {trended['mae'] / naive['mae']:.3f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
