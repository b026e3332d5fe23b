"""Demand per department and week (per shift template or per interval), and the load history
the forecaster learns from.

Only planners (HR, the department's manager) see or change demand.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlalchemy import delete, func, select

from api.access import get_department, require_department_planner
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.forecast_demand import (
    ForecastRequest,
    forecast_interval_demand,
    history_lines_from_csv,
)
from api.models import Demand, DemandHistory, ShiftTemplate
from api.schemas import (
    DemandPublic,
    DemandUpload,
    HistorySummary,
    HistoryUpload,
    PathId,
    PlanDate,
    check_monday,
)

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/departments/{department_id}", tags=["demand"])


def _public(line: Demand, codes: dict[int, str]) -> DemandPublic:
    return DemandPublic(
        id=line.id,
        date=line.date,
        shift=codes.get(line.shift_template_id) if line.shift_template_id else None,
        start_minute=line.start_minute,
        length_minutes=line.length_minutes,
        skill=line.skill,
        required=line.required,
        source=line.source,
    )


def _codes(session: SessionDep, department_id: int) -> dict[int, str]:
    templates = session.scalars(
        select(ShiftTemplate).where(ShiftTemplate.department_id == department_id)
    )
    return {t.id: t.code for t in templates}


@router.get("/demand", response_model=list[DemandPublic])
def read_demand(
    department_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    week: Annotated[PlanDate, Query(description="Monday of the week.")],
) -> list[DemandPublic]:
    """The week's demand lines."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    try:
        check_monday(week)
    except ValueError as exc:
        raise unprocessable("week", str(exc)) from None
    end = week + dt.timedelta(days=7)
    lines = session.scalars(
        select(Demand)
        .where(Demand.department_id == department_id, Demand.date >= week, Demand.date < end)
        .order_by(Demand.date, Demand.start_minute, Demand.id)
    )
    codes = _codes(session, department_id)
    return [_public(line, codes) for line in lines]


@router.put("/demand", response_model=list[DemandPublic])
def replace_demand(
    department_id: PathId, body: DemandUpload, session: SessionDep, user: CurrentUser
) -> list[DemandPublic]:
    """Replace the week's demand by the uploaded lines."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    by_code = {code: ident for ident, code in _codes(session, department_id).items()}
    rows = []
    for i, line in enumerate(body.lines):
        template_id = None
        if line.shift is not None:
            template_id = by_code.get(line.shift)
            if template_id is None:
                raise unprocessable(
                    f"lines[{i}].shift", f"this department has no shift {line.shift!r}"
                )
        rows.append(
            Demand(
                department_id=department_id,
                date=line.date,
                shift_template_id=template_id,
                start_minute=line.start_minute,
                length_minutes=None if line.shift else (line.length_minutes or 30),
                skill=line.skill,
                required=line.required,
                source="upload",
            )
        )
    end = body.week + dt.timedelta(days=7)
    session.execute(
        delete(Demand).where(
            Demand.department_id == department_id, Demand.date >= body.week, Demand.date < end
        )
    )
    session.add_all(rows)
    session.commit()
    codes = {v: k for k, v in by_code.items()}
    return [_public(row, codes) for row in rows]


def _summary(session: SessionDep, department_id: int) -> HistorySummary:
    count, first, last = session.execute(
        select(
            func.count(DemandHistory.id), func.min(DemandHistory.date), func.max(DemandHistory.date)
        ).where(DemandHistory.department_id == department_id)
    ).one()
    return HistorySummary(
        department_id=department_id, intervals=count, first_date=first, last_date=last
    )


@router.get("/demand-history", response_model=HistorySummary)
def read_history_summary(department_id: PathId, session: SessionDep, user: CurrentUser):
    """How much load history is stored."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    return _summary(session, department_id)


@router.post("/demand-history", response_model=HistorySummary)
def upload_history(
    department_id: PathId, body: HistoryUpload, session: SessionDep, user: CurrentUser
) -> HistorySummary:
    """Add observed load per interval; lines for an interval already stored replace it."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    dates = {line.date for line in body.lines}
    if dates:
        session.execute(
            delete(DemandHistory).where(
                DemandHistory.department_id == department_id, DemandHistory.date.in_(dates)
            )
        )
    session.add_all(
        DemandHistory(department_id=department_id, **line.model_dump()) for line in body.lines
    )
    session.commit()
    return _summary(session, department_id)


@router.post("/demand-history/csv", response_model=HistorySummary)
def upload_history_csv(
    department_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV with a timestamp and a load column.")],
    time_column: Annotated[str, Form(description="Timestamp column.")] = "ds",
    value_column: Annotated[str, Form(description="Load column (e.g. calls).")] = "y",
    interval_minutes: Annotated[
        int, Form(ge=5, le=1440, description="Intervals to sum the load into.")
    ] = 30,
) -> HistorySummary:
    """Add load history from a CSV file (e.g. calls per 5 minutes), summed to intervals."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    try:
        lines = history_lines_from_csv(file.file, time_column, value_column, interval_minutes)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise unprocessable(field if reason else "file", reason or str(exc)) from None
    return upload_history(department_id, HistoryUpload(lines=lines), session, user)


@router.post("/demand/forecast", response_model=list[DemandPublic])
def forecast_demand(
    department_id: PathId, body: ForecastRequest, session: SessionDep, user: CurrentUser
) -> list[DemandPublic]:
    """Replace the week's demand by interval demand forecast from the stored load history.

    The forecaster predicts the median load per interval; Erlang C turns it into the people
    needed for the service level, grossed up for shrinkage.
    """
    get_department(session, department_id)
    require_department_planner(user, department_id)
    try:
        check_monday(body.week)
        lines = forecast_interval_demand(session, department_id, body)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise unprocessable(field if reason else "week", reason or str(exc)) from None
    end = body.week + dt.timedelta(days=7)
    session.execute(
        delete(Demand).where(
            Demand.department_id == department_id, Demand.date >= body.week, Demand.date < end
        )
    )
    rows = [
        Demand(
            department_id=department_id,
            date=body.week + dt.timedelta(days=line["day"]),
            start_minute=line["start_minute"],
            length_minutes=line["length_minutes"],
            skill=line["skill"],
            required=line["required"],
            source="forecast",
        )
        for line in lines
    ]
    session.add_all(rows)
    session.commit()
    return [_public(row, {}) for row in rows]
