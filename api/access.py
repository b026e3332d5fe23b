"""Who may see and change what: HR everything, a manager their own department, an employee
their own record, preferences and schedule.

Every router calls one of these checks before it reads or writes; they raise 403 with a reason.
"""

from __future__ import annotations

import logging

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.models import Department, Employee, User

_logger = logging.getLogger(__name__)


def forbidden(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=reason)


def not_found(what: str, ident: object) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} {ident} does not exist")


def require_hr(user: User) -> None:
    """Only HR may do this (create departments, users, change other departments)."""
    if user.role != "hr":
        raise forbidden("only HR may do this")


def require_staff_planner(user: User) -> None:
    """HR or a scheduling manager."""
    if user.role not in ("hr", "manager"):
        raise forbidden("only HR and scheduling managers may do this")


def may_plan_department(user: User, department_id: int) -> bool:
    """HR plans every department, a manager only their own."""
    return user.role == "hr" or (user.role == "manager" and user.department_id == department_id)


def require_department_planner(user: User, department_id: int) -> None:
    """HR, or the manager of this department."""
    if not may_plan_department(user, department_id):
        raise forbidden(f"you may not read or change department {department_id}")


def require_department_member(user: User, session: Session, department_id: int) -> None:
    """Reading department-wide reference data: its planners, and its own employees."""
    if may_plan_department(user, department_id):
        return
    if user.role == "employee" and user.employee_id is not None:
        employee = session.get(Employee, user.employee_id)
        if employee is not None and employee.department_id == department_id:
            return
    raise forbidden(f"you may not read department {department_id}")


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise not_found("department", department_id)
    return department


def get_employee_for(user: User, session: Session, employee_id: int) -> Employee:
    """The employee, if the user may see them: HR, their manager, or the employee themself."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise not_found("employee", employee_id)
    if user.role == "employee":
        if user.employee_id != employee_id:
            raise forbidden("employees may only see their own data")
    elif not may_plan_department(user, employee.department_id):
        raise forbidden(f"employee {employee_id} belongs to another department")
    return employee


def visible_department_ids(user: User, session: Session) -> list[int] | None:
    """Departments the user may list; None means all (HR)."""
    if user.role == "hr":
        return None
    if user.role == "manager":
        return [user.department_id] if user.department_id is not None else []
    if user.employee_id is not None:
        employee = session.get(Employee, user.employee_id)
        if employee is not None:
            return [employee.department_id]
    return []
