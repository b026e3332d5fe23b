"""From forecast load to people: service targets, Erlang C/A agents, shrinkage, optimizer demand.

`StaffingTargets` holds what a manager promises (80% of calls answered within 20 s, or an average
speed of answer), the most occupancy agents can sustain, and the shrinkage that separates agents
on the phones from rostered heads. `to_interval_demand` turns a staffed forecast into plain
dicts with the fields of the optimizer's interval demand, so forecast -> roster is one call.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecasting.erlang import (
    agents_for_target,
    agents_for_target_with_abandonment,
    erlang_a,
    offered_load,
    rostered_heads,
    service_level,
)
from forecasting.history import DEFAULT_SERIES_ID, SERIES, TIME

_logger = logging.getLogger(__name__)

REQUIRED_STAFF = "required_staff"


class StaffingTargets(BaseModel):
    """The service promise and the working assumptions that turn load into heads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aht_seconds: float = Field(gt=0, description="Average handling time of one contact, seconds.")
    service_level: float | None = Field(
        0.8, gt=0, lt=1, description="Share of contacts to answer within `answer_within_seconds`."
    )
    answer_within_seconds: float = Field(
        20.0, ge=0, description="Answer-time threshold of the service level, seconds."
    )
    asa_seconds: float | None = Field(
        None, gt=0, description="Average speed of answer to stay under, seconds (optional)."
    )
    max_occupancy: float = Field(
        1.0, gt=0, le=1, description="Most of their time agents may spend handling contacts."
    )
    patience_seconds: float | None = Field(
        None,
        gt=0,
        description="Mean time callers wait before hanging up; given, staffing uses Erlang A "
        "(abandonment) instead of Erlang C.",
    )
    shrinkage: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Share of rostered time lost to breaks, training and absence (0.3 = 30%).",
    )

    @model_validator(mode="after")
    def _check_some_target(self) -> StaffingTargets:
        if self.service_level is None and self.asa_seconds is None:
            raise ValueError("give a service_level or an asa_seconds target")
        return self


def agents_needed(load: np.ndarray, interval: pd.Timedelta, targets: StaffingTargets) -> np.ndarray:
    """Agents on the phones per interval that meet every target, before shrinkage (Erlang C, or
    Erlang A when the targets give the callers' patience)."""
    if targets.patience_seconds is not None:
        return agents_for_target_with_abandonment(
            load,
            targets.aht_seconds,
            targets.patience_seconds,
            interval.total_seconds(),
            service_level_target=targets.service_level,
            answer_within_seconds=targets.answer_within_seconds,
            asa_target_seconds=targets.asa_seconds,
            max_occupancy=targets.max_occupancy,
        )
    traffic = offered_load(load, targets.aht_seconds, interval.total_seconds())
    return agents_for_target(
        traffic,
        targets.aht_seconds,
        service_level_target=targets.service_level,
        answer_within_seconds=targets.answer_within_seconds,
        asa_target_seconds=targets.asa_seconds,
        max_occupancy=targets.max_occupancy,
    )


def required_staff(
    load: np.ndarray, interval: pd.Timedelta, targets: StaffingTargets
) -> np.ndarray:
    """People to roster per interval: Erlang C agents grossed up for shrinkage."""
    return rostered_heads(agents_needed(load, interval, targets), targets.shrinkage)


def service_level_reached(
    load: np.ndarray, agents: np.ndarray, interval: pd.Timedelta, targets: StaffingTargets
) -> np.ndarray:
    """Service level each interval actually gets when `agents` are on the phones for `load`."""
    if targets.patience_seconds is not None:
        return erlang_a(
            load,
            targets.aht_seconds,
            targets.patience_seconds,
            agents,
            interval.total_seconds(),
            targets.answer_within_seconds,
        )["service_level"]
    traffic = offered_load(load, targets.aht_seconds, interval.total_seconds())
    return service_level(traffic, agents, targets.aht_seconds, targets.answer_within_seconds)


def add_required_staff(
    forecast: pd.DataFrame,
    interval: pd.Timedelta,
    targets: StaffingTargets,
    load_column: str = "forecast",
) -> pd.DataFrame:
    """A copy of `forecast` with a `required_staff` column staffed to `load_column`."""
    if load_column not in forecast.columns:
        raise ValueError(f"staffing: no column {load_column!r} in the forecast")
    out = forecast.copy()
    out[REQUIRED_STAFF] = required_staff(out[load_column].to_numpy(dtype=float), interval, targets)
    return out


def to_interval_demand(
    forecast: pd.DataFrame,
    start_date: dt.date | str,
    interval: pd.Timedelta | None = None,
    skill_by_series: dict[str, str | None] | None = None,
) -> list[dict]:
    """The optimizer's interval demand, as dicts: `day`, `start_minute`, `length_minutes`,
    `skill`, `required`.

    `day` counts from `start_date` (the roster horizon's first day); intervals before it are
    left out. The skill of each series is its id (None, "any skill", for an unnamed single
    series) unless `skill_by_series` maps it. Intervals needing nobody are left out.
    """
    if REQUIRED_STAFF not in forecast.columns:
        raise ValueError("forecast: no required_staff column; staff it first (add_required_staff)")
    start = pd.Timestamp(start_date).normalize()
    times = pd.DatetimeIndex(pd.to_datetime(forecast[TIME]))
    if interval is None:
        diffs = pd.Series(times.sort_values()).diff().dropna()
        diffs = diffs[diffs > pd.Timedelta(0)]
        if diffs.empty:
            raise ValueError("forecast: give the interval length, it cannot be inferred")
        interval = diffs.min()
    length = int(interval / pd.Timedelta(minutes=1))
    if length <= 0 or length > 1440:
        raise ValueError(f"interval: must lie in (0, 1440] minutes, got {length}")
    series = (
        forecast[SERIES].astype(str).to_numpy()
        if SERIES in forecast.columns
        else np.full(len(forecast), None)
    )
    demand = []
    for stamp, series_id, required in zip(
        times, series, forecast[REQUIRED_STAFF].to_numpy(), strict=True
    ):
        day = (stamp.normalize() - start).days
        if day < 0 or int(required) <= 0:
            continue
        skill = None if series_id in (None, DEFAULT_SERIES_ID) else series_id
        if skill_by_series is not None and series_id in skill_by_series:
            skill = skill_by_series[series_id]
        demand.append(
            {
                "day": int(day),
                "start_minute": int((stamp - stamp.normalize()) / pd.Timedelta(minutes=1)),
                "length_minutes": length,
                "skill": skill,
                "required": int(required),
            }
        )
    return demand
