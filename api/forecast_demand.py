"""Demand from load history: the forecaster's median load per interval, staffed with Erlang C.

Reads a department's stored interval history, forecasts the requested week and returns the
optimizer's interval demand; the service stores it as that week's demand lines.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import BinaryIO

import pandas as pd
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import DemandHistory
from api.schemas import HistoryLine, PlanDate

_logger = logging.getLogger(__name__)


class ForecastRequest(BaseModel):
    """What to forecast, and the service promise that turns load into people."""

    week: PlanDate = Field(description="Monday of the week to forecast.")
    aht_seconds: float = Field(300, gt=0, le=36000, description="Average handling time, seconds.")
    service_level: float = Field(0.8, gt=0, lt=1, description="Share answered in time.")
    answer_within_seconds: float = Field(20, ge=0, le=3600, description="'In time', seconds.")
    shrinkage: float = Field(
        0.25, ge=0, lt=1, description="Share of rostered time lost to breaks and absence."
    )
    skill: str | None = Field(None, max_length=60, description="Skill the demand asks for.")


def history_frame(session: Session, department_id: int) -> tuple[pd.DataFrame, int]:
    """The stored history as the forecaster's long frame (`ds`, `y`), and its interval length."""
    rows = session.execute(
        select(
            DemandHistory.date,
            DemandHistory.start_minute,
            DemandHistory.length_minutes,
            DemandHistory.volume,
        ).where(DemandHistory.department_id == department_id)
    ).all()
    if not rows:
        raise ValueError("department_id: no load history is stored; upload it first")
    lengths = {row.length_minutes for row in rows}
    if len(lengths) != 1:
        raise ValueError(f"history: intervals of different lengths {sorted(lengths)}")
    frame = pd.DataFrame(
        {
            "ds": [
                dt.datetime.combine(row.date, dt.time()) + dt.timedelta(minutes=row.start_minute)
                for row in rows
            ],
            "y": [row.volume for row in rows],
        }
    ).sort_values("ds", ignore_index=True)
    return frame, lengths.pop()


def history_lines_from_csv(
    stream: BinaryIO, time_column: str, value_column: str, interval_minutes: int
) -> list[HistoryLine]:
    """A load CSV as history lines per interval; ValueError names the column at fault."""
    from forecasting.history import aggregate_load, load_frame

    try:
        raw = pd.read_csv(stream)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValueError(f"file: not a readable CSV ({exc})") from None
    frame = aggregate_load(
        load_frame(raw, time_col=time_column, value_col=value_column),
        pd.Timedelta(minutes=interval_minutes),
    )
    lines = []
    for stamp, volume in zip(frame["ds"], frame["y"], strict=True):
        try:
            line = HistoryLine(
                date=stamp.date(),
                start_minute=stamp.hour * 60 + stamp.minute,
                length_minutes=interval_minutes,
                volume=float(volume),
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            column = value_column if error["loc"][:1] == ("volume",) else time_column
            reason = str(error["msg"]).removeprefix("Value error, ")
            raise ValueError(f"{column}: the interval at {stamp}: {reason}") from None
        lines.append(line)
    return lines


def forecast_interval_demand(
    session: Session, department_id: int, request: ForecastRequest
) -> list[dict]:
    """Interval demand dicts (`day`, `start_minute`, `length_minutes`, `skill`, `required`)."""
    from forecasting.model import DemandForecaster
    from forecasting.staffing import StaffingTargets, add_required_staff, to_interval_demand

    frame, length = history_frame(session, department_id)
    interval = pd.Timedelta(minutes=length)
    model = DemandForecaster(freq=f"{length}min").fit(frame)
    forecast = model.forecast(start=request.week, horizon="7D")
    targets = StaffingTargets(
        aht_seconds=request.aht_seconds,
        service_level=request.service_level,
        answer_within_seconds=request.answer_within_seconds,
        shrinkage=request.shrinkage,
    )
    staffed = add_required_staff(forecast, interval, targets)
    demand = to_interval_demand(staffed, request.week, interval)
    for line in demand:
        line["skill"] = request.skill
    demand = [line for line in demand if line["day"] < 7]
    _logger.info(
        "forecast %d intervals for department %s, week of %s",
        len(demand),
        department_id,
        request.week,
    )
    return demand
