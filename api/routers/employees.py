"""Employees: skills, contract cap, hourly cost and department.

HR manages everyone, a manager their department's people, and an employee may read their own record.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, status
from sqlalchemy import select

from api.access import (
    forbidden,
    get_department,
    get_employee_for,
    require_department_planner,
    require_staff_planner,
)
from api.deps import CurrentUser, SessionDep
from api.models import Employee
from api.schemas import EmployeeCreate, EmployeePublic, EmployeeUpdate, PathId, QueryId

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/employees", tags=["employees"])


@router.get("", response_model=list[EmployeePublic])
def list_employees(
    session: SessionDep, user: CurrentUser, department_id: QueryId = None
) -> list[Employee]:
    """Employees the user may see, optionally of one department."""
    query = select(Employee).order_by(Employee.id)
    if user.role == "employee":
        return list(session.scalars(query.where(Employee.id == user.employee_id)))
    if user.role == "manager":
        if department_id is not None and department_id != user.department_id:
            raise forbidden(f"you may not read department {department_id}")
        department_id = user.department_id
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    return list(session.scalars(query))


@router.post("", response_model=EmployeePublic, status_code=status.HTTP_201_CREATED)
def create_employee(body: EmployeeCreate, session: SessionDep, user: CurrentUser) -> Employee:
    """Add an employee to a department (HR, or that department's manager)."""
    require_staff_planner(user)
    get_department(session, body.department_id)
    require_department_planner(user, body.department_id)
    employee = Employee(**body.model_dump(), active=True)
    session.add(employee)
    session.commit()
    return employee


@router.get("/{employee_id}", response_model=EmployeePublic)
def read_employee(employee_id: PathId, session: SessionDep, user: CurrentUser) -> Employee:
    """One employee: HR, their manager, or the employee."""
    return get_employee_for(user, session, employee_id)


@router.patch("/{employee_id}", response_model=EmployeePublic)
def update_employee(
    employee_id: PathId, body: EmployeeUpdate, session: SessionDep, user: CurrentUser
) -> Employee:
    """Change an employee (HR, or their manager; only HR moves people between departments)."""
    require_staff_planner(user)
    employee = get_employee_for(user, session, employee_id)
    changes = body.model_dump(exclude_unset=True)
    new_department = changes.get("department_id")
    if new_department is not None and new_department != employee.department_id:
        if user.role != "hr":
            raise forbidden("only HR moves employees between departments")
        get_department(session, new_department)
    for name, value in changes.items():
        if value is None and name not in ("email", "max_minutes_per_week"):
            continue
        setattr(employee, name, value)
    session.commit()
    return employee


@router.delete("/{employee_id}", response_model=EmployeePublic)
def deactivate_employee(employee_id: PathId, session: SessionDep, user: CurrentUser) -> Employee:
    """Take an employee out of future rosters (their past rosters stay as they were)."""
    require_staff_planner(user)
    employee = get_employee_for(user, session, employee_id)
    employee.active = False
    session.commit()
    return employee
