"""Leave (vacation, sickness, training) and employees' shift preferences.

Planners record leave; employees read their own leave and manage their own preferences.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api.access import (
    forbidden,
    get_employee_for,
    not_found,
    require_staff_planner,
)
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.models import Employee, Leave, Preference, ShiftTemplate, User
from api.schemas import (
    LeaveCreate,
    LeavePublic,
    PathId,
    PreferenceCreate,
    PreferencePublic,
    QueryId,
)
from api.time_windows import TimeWindow

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["leave and preferences"])


def _visible_employee_ids(session: SessionDep, user: User, employee_id: int | None):
    """Employee ids whose records the user may list (None = everyone)."""
    if employee_id is not None:
        get_employee_for(user, session, employee_id)
        return [employee_id]
    if user.role == "hr":
        return None
    if user.role == "manager":
        return list(
            session.scalars(select(Employee.id).where(Employee.department_id == user.department_id))
        )
    return [user.employee_id] if user.employee_id is not None else []


@router.get("/leave", response_model=list[LeavePublic])
def list_leave(session: SessionDep, user: CurrentUser, employee_id: QueryId = None) -> list[Leave]:
    """Leave the user may see, optionally of one employee."""
    query = select(Leave).order_by(Leave.start_date, Leave.id)
    ids = _visible_employee_ids(session, user, employee_id)
    if ids is not None:
        query = query.where(Leave.employee_id.in_(ids))
    return list(session.scalars(query))


@router.post("/leave", response_model=LeavePublic, status_code=status.HTTP_201_CREATED)
def record_leave(body: LeaveCreate, session: SessionDep, user: CurrentUser) -> Leave:
    """Record leave for an employee (HR, or their manager)."""
    require_staff_planner(user)
    get_employee_for(user, session, body.employee_id)
    leave = Leave(**body.model_dump())
    session.add(leave)
    session.commit()
    return leave


@router.delete("/leave/{leave_id}", status_code=status.HTTP_204_NO_CONTENT)
def cancel_leave(leave_id: PathId, session: SessionDep, user: CurrentUser) -> Response:
    """Remove recorded leave (HR, or the employee's manager)."""
    require_staff_planner(user)
    leave = session.get(Leave, leave_id)
    if leave is None:
        raise not_found("leave", leave_id)
    get_employee_for(user, session, leave.employee_id)
    session.delete(leave)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _preference_public(pref: Preference, session: SessionDep) -> PreferencePublic:
    shift = None
    if pref.shift_template_id is not None:
        template = session.get(ShiftTemplate, pref.shift_template_id)
        shift = template.code if template is not None else None
    return PreferencePublic(
        id=pref.id,
        employee_id=pref.employee_id,
        date=pref.date,
        weekday=pref.weekday,
        shift=shift,
        window=TimeWindow.from_minutes(pref.start_minute, pref.end_minute),
        kind=pref.kind,
        weight=pref.weight,
    )


@router.get("/preferences", response_model=list[PreferencePublic])
def list_preferences(
    session: SessionDep, user: CurrentUser, employee_id: QueryId = None
) -> list[PreferencePublic]:
    """Preferences the user may see: their own, or their department's for a manager."""
    query = select(Preference).order_by(Preference.employee_id, Preference.id)
    ids = _visible_employee_ids(session, user, employee_id)
    if ids is not None:
        query = query.where(Preference.employee_id.in_(ids))
    return [_preference_public(p, session) for p in session.scalars(query)]


@router.post("/preferences", response_model=PreferencePublic, status_code=status.HTTP_201_CREATED)
def state_preference(
    body: PreferenceCreate, session: SessionDep, user: CurrentUser
) -> PreferencePublic:
    """State a wish to work, or not to work, a day, a shift or a time window (an employee for
    themself)."""
    employee = get_employee_for(user, session, body.employee_id)
    template_id = None
    if body.shift is not None:
        template_id = session.scalar(
            select(ShiftTemplate.id).where(
                ShiftTemplate.department_id == employee.department_id,
                ShiftTemplate.code == body.shift,
            )
        )
        if template_id is None:
            raise unprocessable("shift", f"the department has no shift {body.shift!r}")
    pref = Preference(
        employee_id=body.employee_id,
        date=body.date,
        weekday=body.weekday,
        shift_template_id=template_id,
        start_minute=body.window.start_minute if body.window else None,
        end_minute=body.window.end_minute if body.window else None,
        kind=body.kind,
        weight=body.weight,
    )
    session.add(pref)
    session.commit()
    return _preference_public(pref, session)


@router.delete("/preferences/{preference_id}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw_preference(preference_id: PathId, session: SessionDep, user: CurrentUser) -> Response:
    """Withdraw a preference (the employee, their manager, or HR)."""
    pref = session.get(Preference, preference_id)
    if pref is None:
        raise not_found("preference", preference_id)
    get_employee_for(user, session, pref.employee_id)
    if user.role == "employee" and user.employee_id != pref.employee_id:
        raise forbidden("employees may only change their own preferences")
    session.delete(pref)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
