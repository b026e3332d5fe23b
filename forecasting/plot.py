"""A picture of the forecast: recent history, the median forecast and its quantile band.

One panel per series, saved as PNG; people would rather look at next week than read it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from forecasting.history import SERIES, TIME, VALUE
from forecasting.model import quantile_column

_logger = logging.getLogger(__name__)


def plot_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    path: str | Path,
    quantiles: tuple[float, float] = (0.1, 0.9),
    history_days: int = 21,
) -> Path:
    """Save history (last `history_days`), forecast and the band between two quantiles as PNG."""
    series_ids = list(dict.fromkeys(forecast[SERIES]))
    staffed = "required_staff" in forecast
    rows_per_series = 2 if staffed else 1
    fig, axes = plt.subplots(
        len(series_ids) * rows_per_series,
        1,
        figsize=(12, 3.4 * len(series_ids) * rows_per_series),
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 1.4] * len(series_ids)} if staffed else None,
    )
    low, high = (quantile_column(q) for q in quantiles)
    for k, series_id in enumerate(series_ids):
        ax = axes[k * rows_per_series, 0]
        past = history[history[SERIES] == series_id]
        future = forecast[forecast[SERIES] == series_id]
        start = future[TIME].min() - pd.Timedelta(days=history_days)
        past = past[past[TIME] >= start]
        # Gaps (nights, weekends) are drawn as breaks, not as lines across them.
        _plot_with_gaps(ax, past[TIME], past[VALUE], color="0.35", lw=0.8, label="history")
        if low in future and high in future and low != high:
            for part in _segments(future):
                ax.fill_between(
                    part[TIME], part[low], part[high], color="tab:blue", alpha=0.25, lw=0
                )
            ax.fill_between([], [], [], color="tab:blue", alpha=0.25, label=f"{low}-{high} band")
        _plot_with_gaps(
            ax, future[TIME], future["forecast"], color="tab:blue", lw=1.2, label="forecast (P50)"
        )
        ax.set_title(f"{series_id}: history and forecast")
        ax.set_ylabel("load per interval")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
        if staffed:
            staff_ax = axes[k * rows_per_series + 1, 0]
            _plot_with_gaps(
                staff_ax, future[TIME], future["required_staff"], color="tab:orange", lw=1.0
            )
            staff_ax.set_xlim(ax.get_xlim())
            staff_ax.set_ylabel("people to roster")
            staff_ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    _logger.info("chart written to %s", target)
    return target


def _segments(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Runs of consecutive intervals (a new run starts after any gap longer than one step)."""
    times = pd.Series(pd.to_datetime(frame[TIME]).to_numpy())
    gaps = times.diff()
    step = gaps[gaps > pd.Timedelta(0)].min() if len(times) > 1 else pd.Timedelta(0)
    run = (gaps > step).cumsum().to_numpy()
    return [frame.iloc[run == r] for r in sorted(set(run))]


def _plot_with_gaps(ax, times: pd.Series, values: pd.Series, **style) -> None:
    """Draw a line that breaks wherever consecutive points are more than one step apart."""
    if len(times) == 0:
        return
    times = pd.Series(pd.to_datetime(times).to_numpy())
    values = pd.Series(values.to_numpy(dtype=float))
    step = times.diff().dropna()
    step = step[step > pd.Timedelta(0)].min() if len(step) else pd.Timedelta(0)
    breaks = times.diff() > step
    label = style.pop("label", None)
    start = 0
    for stop in [*list(breaks[breaks].index), len(times)]:
        ax.plot(times.iloc[start:stop], values.iloc[start:stop], label=label, **style)
        label = None
        start = stop
