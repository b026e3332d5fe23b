"""Log-in (OAuth2 password flow) and the signed-in user's own account.

`POST /api/v1/auth/token` takes form fields `username` and `password` and returns a bearer token.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.models import User
from api.schemas import Token, UserPublic
from api.security import create_access_token, verify_password

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def log_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a user name and password for a bearer token."""
    user = session.scalar(select(User).where(User.username == form.username))
    if user is None or not verify_password(form.password, user.password_hash):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="username or password is wrong",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = create_access_token(
        user.id, user.role, request.app.state.secret_key, settings.token_minutes
    )
    return Token(access_token=token, token_type="bearer")


@router.get("/users/me", response_model=UserPublic)
def who_am_i(user: CurrentUser) -> User:
    """The signed-in account: role, and the department or employee record it is tied to."""
    return user
