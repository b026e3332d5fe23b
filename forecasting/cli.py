"""The `shiftopt forecast` command: history CSV in, interval forecast (and staffing) CSV out.

It reads the load history, learns it up to `--train-until` (the whole day), forecasts the open
intervals of the next `--horizon`, optionally staffs them with Erlang C and draws a chart.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

from forecasting.calendar import read_events
from forecasting.history import SERIES, TIME, parse_horizon, parse_interval, read_load_csv
from forecasting.model import DemandForecaster, quantile_column
from forecasting.staffing import StaffingTargets, add_required_staff

_logger = logging.getLogger(__name__)


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the `forecast` sub-command."""
    parser = subcommands.add_parser(
        "forecast",
        help="forecast load per interval (with quantiles) and the staff it needs",
        description="Forecast the load of the coming days from a history CSV, per interval, "
        "with quantiles; with --aht, also the people to roster per interval (Erlang C).",
    )
    parser.add_argument("history", metavar="HISTORY.csv", help="load history, one row per interval")
    parser.add_argument("--time-col", required=True, help="column holding interval start times")
    parser.add_argument("--value-col", required=True, help="column holding the load (calls, ...)")
    parser.add_argument(
        "--series-col", default=None, help="column naming the series (queue, skill, channel)"
    )
    parser.add_argument(
        "--freq", required=True, help="planning interval: 5min, 15min, 30min, 60min or 1D"
    )
    parser.add_argument(
        "--train-until",
        required=True,
        help="last day of history to learn from (inclusive, the whole day), e.g. 2003-10-17",
    )
    parser.add_argument("--horizon", default="7D", help="length to forecast (default: 7D)")
    parser.add_argument(
        "--quantiles",
        default="0.1,0.5,0.9",
        help="comma-separated quantile levels to output (default: 0.1,0.5,0.9)",
    )
    parser.add_argument(
        "--country", default=None, help="public-holiday calendar, e.g. US or DE-BY (default: none)"
    )
    parser.add_argument(
        "--events",
        default=None,
        help="YAML/JSON list of peak events and closures (name, dates, start_time, end_time, "
        "channel, uplift, closed)",
    )
    staffing = parser.add_argument_group("staffing (Erlang C, or A with --patience; need --aht)")
    staffing.add_argument("--aht", type=float, default=None, help="average handling time, seconds")
    staffing.add_argument(
        "--service-level", type=float, default=None, help="share answered in time (default 0.8)"
    )
    staffing.add_argument(
        "--answer-within", type=float, default=None, help="service-level threshold, s (default 20)"
    )
    staffing.add_argument(
        "--asa", type=float, default=None, help="average speed of answer target, seconds"
    )
    staffing.add_argument(
        "--max-occupancy", type=float, default=None, help="most agent occupancy (default 1.0)"
    )
    staffing.add_argument(
        "--shrinkage", type=float, default=None, help="share of rostered time lost (default 0)"
    )
    staffing.add_argument(
        "--patience",
        type=float,
        default=None,
        help="mean seconds callers wait before hanging up: staff with Erlang A (abandonment)",
    )
    staffing.add_argument(
        "--staff-quantile",
        type=float,
        default=0.5,
        help="forecast quantile to staff to (default 0.5, the median)",
    )
    parser.add_argument("--plot", default=None, metavar="FILE.png", help="also draw a PNG chart")
    parser.add_argument("-o", "--output", required=True, help="forecast CSV to write")
    parser.set_defaults(handler=run_forecast)


def run_forecast(args: argparse.Namespace) -> int:
    """Handle `shiftopt forecast`."""
    interval = parse_interval(args.freq)
    horizon = parse_horizon(args.horizon)
    levels = _parse_quantiles(args.quantiles)
    targets = _staffing_targets(args)
    if targets is not None and args.staff_quantile not in levels:
        levels = sorted({*levels, args.staff_quantile})
    train_until = _parse_day(args.train_until)
    events = read_events(args.events) if args.events else None

    history = read_load_csv(args.history, args.time_col, args.value_col, args.series_col)
    train = history[history[TIME] < train_until + pd.Timedelta(days=1)]
    if train.empty:
        raise ValueError(
            f"train-until: no history on or before {train_until.date()} "
            f"(history starts {history[TIME].min()})"
        )
    model = DemandForecaster(freq=args.freq, quantiles=levels, country=args.country, events=events)
    model.fit(train)
    result = model.forecast(start=train_until + pd.Timedelta(days=1), horizon=args.horizon)
    if targets is not None:
        result = add_required_staff(
            result, interval, targets, load_column=quantile_column(args.staff_quantile)
        )

    table = result.copy()
    table.insert(0, "timestamp", table.pop(TIME).dt.strftime("%Y-%m-%dT%H:%M:%S"))
    series = table.pop(SERIES)
    if args.series_col:
        table.insert(0, args.series_col, series)
    wanted = ["forecast", *[quantile_column(q) for q in levels]]
    columns = [c for c in table.columns if c not in wanted and c != "required_staff"]
    columns += wanted + (["required_staff"] if "required_staff" in table else [])
    table = table[columns]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output, index=False, float_format="%.3f")
    if args.plot:
        from forecasting.plot import plot_forecast

        plot_forecast(model_history(train, model), result, args.plot, _band(levels))
    _print_summary(table, horizon, args)
    return 0


def model_history(train: pd.DataFrame, model: DemandForecaster) -> pd.DataFrame:
    """The training history summed to the model's interval, for the chart."""
    from forecasting.history import aggregate_load

    return aggregate_load(train, model.interval_)


def _parse_quantiles(text: str) -> list[float]:
    try:
        levels = sorted({float(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise ValueError(f"quantiles: cannot read {text!r} as levels such as 0.1,0.5,0.9") from exc
    if not levels or any(not 0.0 < q < 1.0 for q in levels):
        raise ValueError(f"quantiles: each level must lie strictly between 0 and 1, got {text!r}")
    return levels


def _parse_day(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text).normalize()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"train-until: cannot read {text!r} as a date such as 2003-10-17") from exc


def _staffing_targets(args: argparse.Namespace) -> StaffingTargets | None:
    given = {
        "service_level": args.service_level,
        "answer_within_seconds": args.answer_within,
        "asa_seconds": args.asa,
        "max_occupancy": args.max_occupancy,
        "shrinkage": args.shrinkage,
        "patience_seconds": args.patience,
    }
    given = {k: v for k, v in given.items() if v is not None}
    if args.aht is None:
        if given:
            flags = ", ".join("--" + k.replace("_seconds", "").replace("_", "-") for k in given)
            raise ValueError(f"aht: staffing options ({flags}) need --aht SECONDS")
        return None
    if not 0.0 < args.staff_quantile < 1.0:
        raise ValueError("staff-quantile: must lie strictly between 0 and 1")
    if "asa_seconds" in given and "service_level" not in given:
        given["service_level"] = None
    return StaffingTargets(aht_seconds=args.aht, **given)


def _band(levels: list[float]) -> tuple[float, float]:
    return (levels[0], levels[-1]) if len(levels) >= 2 else (0.5, 0.5)


def _print_summary(table: pd.DataFrame, horizon: pd.Timedelta, args: argparse.Namespace) -> None:
    line = (
        f"forecast: {len(table)} open intervals over {args.horizon} "
        f"-> {args.output}; total load {table['forecast'].sum():,.0f}"
    )
    if "required_staff" in table:
        line += f"; peak staff {int(table['required_staff'].max())}"
    print(line)
    if args.plot:
        print(f"chart: {args.plot}")
