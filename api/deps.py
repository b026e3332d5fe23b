"""Request dependencies as `Annotated` aliases: database session, settings, job runner, user.

Routers declare what they need (`session: SessionDep`, `user: CurrentUser`) and FastAPI wires it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.models import User
from api.security import read_access_token
from api.settings import Settings

_logger = logging.getLogger(__name__)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def get_jobs(request: Request) -> JobRunner:
    return request.app.state.jobs


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]


def get_current_user(
    request: Request, session: SessionDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> User:
    """The user a bearer token belongs to; 401 when the token is missing, bad or expired."""
    user_id = read_access_token(token, request.app.state.secret_key)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="not signed in: the bearer token is missing, invalid or expired",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
