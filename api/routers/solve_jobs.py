"""Solve jobs: submit a department's week (or a problem as given), watch it, stop it.

A job answers 202 at once; `GET` shows its status, progress and best roster so far in the
optimizer's solution schema; `DELETE` stops it and keeps that roster.
"""

from __future__ import annotations

import logging
from typing import cast

from fastapi import APIRouter, status
from sqlalchemy import or_, select

from api.access import (
    forbidden,
    get_department,
    not_found,
    require_department_planner,
    require_staff_planner,
)
from api.deps import CurrentUser, JobsDep, SessionDep, SettingsDep
from api.errors import unprocessable
from api.models import SolveJob, User
from api.problem_builder import build_week_problem, warm_start_of
from api.schemas import JobStatus, SolveJobAccepted, SolveJobCreate, SolveJobPublic
from optimizer.schema import Solution, SolverSettings

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/solve-jobs", tags=["solve jobs"])


def job_public(job: SolveJob) -> SolveJobPublic:
    return SolveJobPublic(
        id=job.id,
        status=cast(JobStatus, job.status),
        progress=round(job.progress, 3),
        department_id=job.department_id,
        week=job.week_start,
        objective=job.objective,
        solution=Solution.model_validate(job.solution) if job.solution else None,
        roster_id=job.roster_id,
        error=job.error,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _visible_job(session: SessionDep, user: User, job_id: str) -> SolveJob:
    require_staff_planner(user)
    job = session.get(SolveJob, job_id)
    if job is None:
        raise not_found("solve job", job_id)
    if user.role == "hr" or job.created_by == user.id:
        return job
    if job.department_id is not None and job.department_id == user.department_id:
        return job
    raise forbidden(f"solve job {job_id} belongs to another department")


@router.post("", response_model=SolveJobAccepted, status_code=status.HTTP_202_ACCEPTED)
def submit_solve_job(
    body: SolveJobCreate,
    session: SessionDep,
    user: CurrentUser,
    jobs: JobsDep,
    settings: SettingsDep,
) -> SolveJobAccepted:
    """Start solving a department's week from stored data, or a problem given in full."""
    require_staff_planner(user)
    solver_settings = body.settings or SolverSettings()
    if solver_settings.time_limit > settings.max_time_limit:
        raise unprocessable(
            "settings.time_limit",
            f"{solver_settings.time_limit} s is above this service's limit of "
            f"{settings.max_time_limit} s",
        )
    warm_start: list = []
    if body.problem is not None:
        problem = body.problem
    else:
        assert body.department_id is not None and body.week is not None
        get_department(session, body.department_id)
        require_department_planner(user, body.department_id)
        try:
            problem = build_week_problem(session, body.department_id, body.week)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            raise unprocessable(field, reason or str(exc)) from None
        warm_start = [
            a.model_dump(mode="json") for a in warm_start_of(session, body.department_id, body.week)
        ]
    job = jobs.create(
        session,
        department_id=body.department_id,
        week_start=body.week,
        created_by=user.id,
        problem=problem.model_dump(mode="json"),
        settings=solver_settings.model_dump(mode="json"),
        warm_start=warm_start,
    )
    _logger.info("job %s submitted by %s: %s", job.id, user.username, problem.name)
    return SolveJobAccepted(id=job.id, status="queued")


@router.get("", response_model=list[SolveJobPublic])
def list_solve_jobs(
    session: SessionDep, user: CurrentUser, limit: int = 50
) -> list[SolveJobPublic]:
    """Recent jobs the user may see, newest first."""
    require_staff_planner(user)
    query = select(SolveJob).order_by(SolveJob.created_at.desc()).limit(max(1, min(limit, 500)))
    if user.role != "hr":
        query = query.where(
            or_(SolveJob.created_by == user.id, SolveJob.department_id == user.department_id)
        )
    return [job_public(job) for job in session.scalars(query)]


@router.get("/{job_id}", response_model=SolveJobPublic)
def read_solve_job(job_id: str, session: SessionDep, user: CurrentUser) -> SolveJobPublic:
    """Status, progress and the best roster found so far."""
    return job_public(_visible_job(session, user, job_id))


@router.delete("/{job_id}", response_model=SolveJobPublic)
def stop_solve_job(
    job_id: str, session: SessionDep, user: CurrentUser, jobs: JobsDep
) -> SolveJobPublic:
    """Stop the job; the best roster found so far is kept (and stored for a department week)."""
    job = _visible_job(session, user, job_id)
    if job.status in ("queued", "running"):
        jobs.cancel(session, job.id)
    session.expire_all()
    return job_public(_visible_job(session, user, job_id))
