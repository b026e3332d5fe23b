"""Employee requests: wishes, flexible-shift, overtime and leave requests, checked against the
rules at once, then approved or rejected by the employee's manager (or HR).

An approved wish becomes a stored preference (a weighted soft term for the solver), approved
leave becomes leave (unavailable days). A wish may be for one day or for a weekday every week
("no evenings on Wednesdays"); the weekly kind becomes a weekly preference.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from api.access import get_employee_for, not_found, require_staff_planner
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.feedback_schemas import (
    RequestCreate,
    RequestDecision,
    RequestPublic,
    RequestStatus,
)
from api.models import Employee, EmployeeRequest, Leave, Preference, ShiftTemplate, User, utcnow
from api.request_checks import first_refusal, next_occurrence
from api.schemas import PathId, QueryId
from api.time_windows import TimeWindow

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["employee requests"])


def request_public(session: SessionDep, request: EmployeeRequest) -> RequestPublic:
    shift = None
    if request.shift_template_id is not None:
        template = session.get(ShiftTemplate, request.shift_template_id)
        shift = template.code if template is not None else None
    fields = {name: getattr(request, name, None) for name in RequestPublic.model_fields}
    window = TimeWindow.from_minutes(request.start_minute, request.end_minute)
    return RequestPublic.model_validate({**fields, "shift": shift, "window": window})


def refuse_if_rule_broken(session: SessionDep, employee: Employee, request: EmployeeRequest):
    """409 with the rule and its numbers when the request breaks a rule."""
    refusal = first_refusal(session, employee, request)
    if refusal is not None:
        _logger.info("request of employee %d refused: %s", employee.id, refusal.message)
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"{refusal.rule}: {refusal.message}")


def template_for(session: SessionDep, employee: Employee, code: str | None) -> int | None:
    if code is None:
        return None
    template = session.scalar(
        select(ShiftTemplate).where(
            ShiftTemplate.department_id == employee.department_id, ShiftTemplate.code == code
        )
    )
    if template is None:
        raise unprocessable("shift", f"the department has no shift {code!r}")
    return template.id


@router.post("/requests", response_model=RequestPublic, status_code=status.HTTP_201_CREATED)
def submit_request(body: RequestCreate, session: SessionDep, user: CurrentUser) -> RequestPublic:
    """Ask for a day, shift, time window, flexible hours, overtime or leave, on a date or (a
    preference or flexible shift) on a weekday every week; refused at once (409, with the rule
    and the numbers) when it breaks a rule, otherwise it waits for the manager."""
    employee = get_employee_for(user, session, body.employee_id)
    template_id = template_for(session, employee, body.shift)
    if body.kind == "flexible":
        template = session.get(ShiftTemplate, template_id)
        if template is not None and not template.flexible:
            raise unprocessable("shift", f"shift {body.shift!r} is not a flexible shift")
    first_day = body.start_date
    if first_day is None:
        assert body.weekday is not None  # RequestCreate asks for one of the two
        first_day = next_occurrence(session, employee, body.weekday)
    request = EmployeeRequest(
        employee_id=employee.id,
        kind=body.kind,
        start_date=first_day,
        end_date=body.end_date or first_day,
        weekday=body.weekday,
        shift_template_id=template_id,
        start_minute=body.window.start_minute if body.window else None,
        end_minute=body.window.end_minute if body.window else None,
        wish="want" if body.kind in ("flexible", "overtime") else body.wish,
        weight=body.weight,
        note=body.note,
        status="pending",
        submitted_by=user.username,
        decision_note="",
    )
    refuse_if_rule_broken(session, employee, request)
    session.add(request)
    session.commit()
    return request_public(session, request)


@router.get("/requests", response_model=list[RequestPublic])
def list_requests(
    session: SessionDep,
    user: CurrentUser,
    employee_id: QueryId = None,
    state: Annotated[
        RequestStatus | None, Query(description="Only requests in this state.")
    ] = None,
) -> list[RequestPublic]:
    """Requests the user may see: their own, their department's for a manager, all for HR."""
    query = select(EmployeeRequest).order_by(EmployeeRequest.submitted_at, EmployeeRequest.id)
    if employee_id is not None:
        get_employee_for(user, session, employee_id)
        query = query.where(EmployeeRequest.employee_id == employee_id)
    elif user.role == "manager":
        staff = select(Employee.id).where(Employee.department_id == user.department_id)
        query = query.where(EmployeeRequest.employee_id.in_(staff))
    elif user.role == "employee":
        query = query.where(EmployeeRequest.employee_id == (user.employee_id or 0))
    if state is not None:
        query = query.where(EmployeeRequest.status == state)
    return [request_public(session, r) for r in session.scalars(query)]


def pending_request_for(session: SessionDep, user: User, request_id: int) -> EmployeeRequest:
    """A request the user may decide: HR, or the manager of the employee's department."""
    require_staff_planner(user)
    request = session.get(EmployeeRequest, request_id)
    if request is None:
        raise not_found("request", request_id)
    get_employee_for(user, session, request.employee_id)
    if request.status != "pending":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"request {request_id} was already {request.status} by {request.decided_by}",
        )
    return request


def record_decision(user: User, request: EmployeeRequest, state: str, note: str) -> None:
    request.status = state
    request.decided_by = user.username
    request.decided_at = utcnow()
    request.decision_note = note


@router.post("/requests/{request_id}/approve", response_model=RequestPublic)
def approve_request(
    request_id: PathId, body: RequestDecision, session: SessionDep, user: CurrentUser
) -> RequestPublic:
    """Approve a pending request (checked again first): a wish becomes a preference the solver
    weighs (a weekly one on its weekday every week), leave becomes unavailable days."""
    request = pending_request_for(session, user, request_id)
    employee = session.get(Employee, request.employee_id)
    assert employee is not None
    refuse_if_rule_broken(session, employee, request)
    if request.kind == "leave":
        leave = Leave(
            employee_id=request.employee_id,
            start_date=request.start_date,
            end_date=request.end_date,
            kind="vacation",
            note=request.note,
        )
        session.add(leave)
        session.flush()
        request.leave_id = leave.id
    else:
        preference = Preference(
            employee_id=request.employee_id,
            date=request.start_date if request.weekday is None else None,
            weekday=request.weekday,
            shift_template_id=request.shift_template_id,
            start_minute=request.start_minute,
            end_minute=request.end_minute,
            kind=request.wish,
            weight=request.weight,
        )
        session.add(preference)
        session.flush()
        request.preference_id = preference.id
    record_decision(user, request, "approved", body.note)
    session.commit()
    _logger.info("request %d approved by %s", request.id, user.username)
    return request_public(session, request)


@router.post("/requests/{request_id}/reject", response_model=RequestPublic)
def reject_request(
    request_id: PathId, body: RequestDecision, session: SessionDep, user: CurrentUser
) -> RequestPublic:
    """Reject a pending request, with the reason in the note."""
    request = pending_request_for(session, user, request_id)
    record_decision(user, request, "rejected", body.note)
    session.commit()
    return request_public(session, request)
