"""The FastAPI application: settings, database, job runner and routers, wired in one place.

`create_app(settings)` builds an app; the OpenAPI docs are at /docs, the API under /api/v1.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.db import open_database
from api.errors import install_error_handlers
from api.jobs import JobRunner
from api.models import User
from api.routers import attendance as attendance_router
from api.routers import (
    auth,
    demand,
    departments,
    employees,
    leave,
    rosters,
    shift_templates,
    solve_jobs,
    users,
)
from api.routers import dashboard as dashboard_router
from api.routers import performance as performance_router
from api.routers import requests as employee_requests
from api.routers import scenarios as what_if_scenarios
from api.scenario_jobs import fail_interrupted_runs
from api.schemas import ERROR_RESPONSES
from api.security import hash_password
from api.settings import Settings

_logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def ensure_first_hr(factory: sessionmaker[Session], settings: Settings) -> None:
    """Create the first HR account from SHIFTOPT_ADMIN_USER / _PASSWORD if it does not exist."""
    if not settings.admin_user or not settings.admin_password:
        return
    with factory() as session:
        if session.scalar(select(User).where(User.username == settings.admin_user)) is None:
            session.add(
                User(
                    username=settings.admin_user,
                    password_hash=hash_password(settings.admin_password),
                    role="hr",
                )
            )
            session.commit()
            _logger.info("created the first HR account %r", settings.admin_user)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A service instance; the database is opened and migrated when the app starts."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url()
        engine, factory = open_database(url)
        ensure_first_hr(factory, settings)
        fail_interrupted_runs(factory)
        jobs = JobRunner(
            url,
            factory,
            workers=settings.workers,
            executor=settings.job_executor,
            max_attempts=settings.max_job_attempts,
        )
        app.state.settings = settings
        app.state.session_factory = factory
        app.state.secret_key = settings.resolved_secret_key()
        app.state.jobs = jobs
        jobs.start()
        try:
            yield
        finally:
            jobs.shutdown()
            engine.dispose()

    app = FastAPI(
        title="shiftopt",
        version="0.1.0",
        summary="Weekly rosters that cover demand, keep labour rules and honour wishes.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (
        auth,
        users,
        departments,
        employees,
        shift_templates,
        demand,
        leave,
        rosters,
        solve_jobs,
    ):
        app.include_router(module.router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for feedback in (employee_requests, attendance_router, performance_router, dashboard_router):
        app.include_router(feedback.router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    app.include_router(what_if_scenarios.router, prefix=API_PREFIX, responses=ERROR_RESPONSES)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
