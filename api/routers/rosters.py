"""Rosters: read, edit by hand (re-validated at once), pin, publish, history and exports.

Planners work on their department's rosters; employees see their own published shifts only.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from api.access import (
    forbidden,
    get_employee_for,
    require_department_planner,
    require_staff_planner,
)
from api.deps import CurrentUser, SessionDep
from api.exports import employee_calendar, roster_csv
from api.models import Roster, RosterPublication
from api.roster_book import (
    edit_roster,
    get_roster,
    publish_roster,
    published_shifts_of,
    roster_lines,
    roster_public,
)
from api.schemas import (
    PathId,
    PlanDate,
    PublicationPublic,
    QueryId,
    RosterEdit,
    RosterPublic,
    RosterStatus,
    RosterSummary,
    ScheduleEntry,
)
from api.time_zones import department_zone

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["rosters"])

_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The roster as CSV."}
}
_ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar feed."}
}


def _planned_roster(session: SessionDep, user: CurrentUser, roster_id: int) -> Roster:
    require_staff_planner(user)
    roster = get_roster(session, roster_id)
    require_department_planner(user, roster.department_id)
    return roster


@router.get("/rosters", response_model=list[RosterSummary])
def list_rosters(
    session: SessionDep,
    user: CurrentUser,
    department_id: QueryId = None,
    week: Annotated[PlanDate | None, Query(description="Monday of the week.")] = None,
) -> list[RosterSummary]:
    """Rosters of the departments the user plans, optionally of one department or week."""
    require_staff_planner(user)
    query = select(Roster).order_by(Roster.week_start.desc(), Roster.department_id)
    if user.role == "manager":
        if department_id is not None and department_id != user.department_id:
            raise forbidden(f"you may not read department {department_id}")
        department_id = user.department_id
    if department_id is not None:
        query = query.where(Roster.department_id == department_id)
    if week is not None:
        query = query.where(Roster.week_start == week)
    return [
        RosterSummary(
            id=r.id,
            department_id=r.department_id,
            week_start=r.week_start,
            status=cast(RosterStatus, r.status),
            version=r.version,
            objective=r.objective,
            hard_violations=len(r.hard_violations),
            updated_at=r.updated_at,
        )
        for r in session.scalars(query)
    ]


@router.get("/rosters/{roster_id}", response_model=RosterPublic)
def read_roster(roster_id: PathId, session: SessionDep, user: CurrentUser) -> RosterPublic:
    """A roster with its objective, rule breakdown, hard violations and shifts."""
    return roster_public(session, _planned_roster(session, user, roster_id))


@router.put("/rosters/{roster_id}/assignments", response_model=RosterPublic)
def edit_assignments(
    roster_id: PathId, body: RosterEdit, session: SessionDep, user: CurrentUser
) -> RosterPublic:
    """Replace the roster's shifts by hand; `pinned` lines are kept by later solves.

    The roster is re-validated at once: the reply carries the new objective, breakdown and any
    hard rule the edit breaks. Editing a published roster starts its next version.
    """
    roster = _planned_roster(session, user, roster_id)
    edit_roster(session, roster, body.assignments)
    session.commit()
    return roster_public(session, roster)


@router.post("/rosters/{roster_id}/publish", response_model=RosterPublic)
def publish(roster_id: PathId, session: SessionDep, user: CurrentUser) -> RosterPublic:
    """Publish the roster to its employees (refused while it breaks a hard rule)."""
    roster = _planned_roster(session, user, roster_id)
    publish_roster(session, roster, user)
    session.commit()
    return roster_public(session, roster)


@router.get("/rosters/{roster_id}/history", response_model=list[PublicationPublic])
def roster_history(roster_id: PathId, session: SessionDep, user: CurrentUser):
    """Every published version of the roster, newest first."""
    roster = _planned_roster(session, user, roster_id)
    return list(
        session.scalars(
            select(RosterPublication)
            .where(RosterPublication.roster_id == roster.id)
            .order_by(RosterPublication.version.desc())
        )
    )


@router.get("/rosters/{roster_id}/roster.csv", response_class=Response, responses=_CSV)
def export_roster_csv(roster_id: PathId, session: SessionDep, user: CurrentUser) -> Response:
    """The roster as CSV: one row per shift."""
    roster = _planned_roster(session, user, roster_id)
    name = f"roster-{roster.department_id}-{roster.week_start}.csv"
    return Response(
        roster_csv(roster_lines(session, roster)),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _labels(roster: Roster) -> dict[str, str]:
    return {t["id"]: t.get("name") or t["id"] for t in roster.problem["shift_types"]}


@router.get(
    "/rosters/{roster_id}/employees/{employee_id}/calendar.ics",
    response_class=Response,
    responses=_ICS,
)
def export_roster_calendar(
    roster_id: PathId, employee_id: PathId, session: SessionDep, user: CurrentUser
) -> Response:
    """One employee's shifts in this roster (draft or published) as an iCalendar feed."""
    roster = _planned_roster(session, user, roster_id)
    employee = get_employee_for(user, session, employee_id)
    labels = _labels(roster)
    mine = [a for a in roster.assignments if a["employee"] == str(employee.id)]
    shifts = [
        (roster.id, line, labels.get(line.shift, line.shift))
        for line in roster_lines(session, roster, mine)
    ]
    body = employee_calendar(
        employee.name,
        shifts,
        draft=roster.status != "published",
        time_zone=zone_name(session, roster.department_id),
    )
    return Response(body, media_type="text/calendar")


@router.get("/employees/{employee_id}/schedule", response_model=list[ScheduleEntry])
def employee_schedule(
    employee_id: PathId, session: SessionDep, user: CurrentUser
) -> list[ScheduleEntry]:
    """An employee's published shifts (the employee, their manager, or HR)."""
    employee = get_employee_for(user, session, employee_id)
    entries = []
    for roster, line in published_shifts_of(session, employee):
        entries.append(
            ScheduleEntry(
                roster_id=roster.id,
                department_id=roster.department_id,
                date=line.date,
                shift=line.shift,
                shift_name=_labels(roster).get(line.shift, line.shift),
                start=line.start,
                end=line.end,
            )
        )
    return entries


@router.get("/employees/{employee_id}/calendar.ics", response_class=Response, responses=_ICS)
def employee_feed(employee_id: PathId, session: SessionDep, user: CurrentUser) -> Response:
    """An employee's published shifts as an iCalendar feed to subscribe to."""
    employee = get_employee_for(user, session, employee_id)
    shifts = [
        (roster.id, line, _labels(roster).get(line.shift, line.shift))
        for roster, line in published_shifts_of(session, employee)
    ]
    body = employee_calendar(
        employee.name, shifts, time_zone=zone_name(session, employee.department_id)
    )
    return Response(body, media_type="text/calendar")


def zone_name(session: SessionDep, department_id: int) -> str:
    return department_zone(session, department_id).key
