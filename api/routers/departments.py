"""Departments: HR creates and renames them; managers and employees see their own.

Deleting a department is not offered: its rosters are history.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, status
from sqlalchemy import select

from api.access import (
    get_department,
    require_department_member,
    require_hr,
    visible_department_ids,
)
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.models import Department
from api.schemas import DepartmentCreate, DepartmentPublic, DepartmentUpdate, PathId

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/departments", tags=["departments"])


@router.get("", response_model=list[DepartmentPublic])
def list_departments(session: SessionDep, user: CurrentUser) -> list[Department]:
    """Departments the signed-in user may see."""
    query = select(Department).order_by(Department.id)
    visible = visible_department_ids(user, session)
    if visible is not None:
        query = query.where(Department.id.in_(visible))
    return list(session.scalars(query))


@router.post("", response_model=DepartmentPublic, status_code=status.HTTP_201_CREATED)
def create_department(body: DepartmentCreate, session: SessionDep, user: CurrentUser) -> Department:
    """Create a department (HR only)."""
    require_hr(user)
    if session.scalar(select(Department).where(Department.name == body.name)) is not None:
        raise unprocessable("name", f"a department named {body.name!r} exists")
    department = Department(name=body.name, description=body.description, time_zone=body.time_zone)
    session.add(department)
    session.commit()
    return department


@router.get("/{department_id}", response_model=DepartmentPublic)
def read_department(department_id: PathId, session: SessionDep, user: CurrentUser) -> Department:
    """One department."""
    department = get_department(session, department_id)
    require_department_member(user, session, department_id)
    return department


@router.patch("/{department_id}", response_model=DepartmentPublic)
def update_department(
    department_id: PathId, body: DepartmentUpdate, session: SessionDep, user: CurrentUser
) -> Department:
    """Rename or describe a department, or set its time zone (HR only)."""
    require_hr(user)
    department = get_department(session, department_id)
    if body.name is not None and body.name != department.name:
        if session.scalar(select(Department).where(Department.name == body.name)) is not None:
            raise unprocessable("name", f"a department named {body.name!r} exists")
        department.name = body.name
    if body.description is not None:
        department.description = body.description
    if body.time_zone is not None:
        department.time_zone = body.time_zone
    session.commit()
    return department
