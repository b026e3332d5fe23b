"""Accounts: HR creates log-ins for managers, employees and other HR staff.

Passwords are stored only as pwdlib (Argon2) hashes.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, status
from sqlalchemy import select

from api.access import get_department, not_found, require_hr
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.models import Employee, User
from api.schemas import UserCreate, UserPublic
from api.security import hash_password

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, user: CurrentUser) -> list[User]:
    """Every account (HR only)."""
    require_hr(user)
    return list(session.scalars(select(User).order_by(User.id)))


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, user: CurrentUser) -> User:
    """Create an account (HR only); a manager is tied to a department, an employee to a record."""
    require_hr(user)
    if session.scalar(select(User).where(User.username == body.username)) is not None:
        raise unprocessable("username", f"{body.username!r} is taken")
    if body.department_id is not None:
        get_department(session, body.department_id)
    if body.employee_id is not None and session.get(Employee, body.employee_id) is None:
        raise not_found("employee", body.employee_id)
    account = User(
        username=body.username,
        password_hash=hash_password(body.password),
        role=body.role,
        department_id=body.department_id if body.role == "manager" else None,
        employee_id=body.employee_id if body.role == "employee" else None,
    )
    session.add(account)
    session.commit()
    _logger.info("user %s created with role %s", account.username, account.role)
    return account
