"""The weekly HR dashboard: every section as JSON, and each section as a CSV download.

HR sees every department, a manager their own; employees have no dashboard.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from api.access import forbidden, require_staff_planner
from api.dashboard import rows_as_csv, weekly_dashboard
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.models import Department, User
from api.schemas import PlanDate, QueryId, check_monday

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

WeekQuery = Annotated[PlanDate, Query(description="Monday of the week.")]
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "One dashboard section as CSV."}
}


def departments_for(session: SessionDep, user: User, department_id: int | None):
    """The departments the user may see on the dashboard, optionally just one."""
    require_staff_planner(user)
    if user.role == "manager":
        if department_id is not None and department_id != user.department_id:
            raise forbidden(f"you may not read department {department_id}")
        department_id = user.department_id
    query = select(Department).order_by(Department.id)
    if department_id is not None:
        query = query.where(Department.id == department_id)
    return list(session.scalars(query))


def checked_week(week):
    try:
        return check_monday(week)
    except ValueError as exc:
        raise unprocessable("week", str(exc)) from None


@router.get("/weekly")
def weekly(
    week: WeekQuery, session: SessionDep, user: CurrentUser, department_id: QueryId = None
) -> dict[str, Any]:
    """Goal completion, cover against demand, cost and overtime, turn-up per slot, wishes
    honoured, and the correlation of attendance with goal completion."""
    departments = departments_for(session, user, department_id)
    return weekly_dashboard(session, departments, checked_week(week))


@router.get("/weekly.csv", response_class=Response, responses=_CSV)
def weekly_csv(
    week: WeekQuery,
    section: Annotated[
        Literal["goals", "coverage", "cost", "attendance", "preferences"],
        Query(description="Which section to export."),
    ],
    session: SessionDep,
    user: CurrentUser,
    department_id: QueryId = None,
) -> Response:
    """One section of the weekly dashboard as CSV."""
    departments = departments_for(session, user, department_id)
    rows = weekly_dashboard(session, departments, checked_week(week))[section]
    return Response(
        rows_as_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{section}-{week}.csv"'},
    )
