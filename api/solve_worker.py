"""One solve job, run inside a worker process: claim it, solve, keep the best roster in the DB.

The worker writes every improving roster to the job row, polls the row for a cancel request, and
stops when its service died (its parent changed) or a restarted service took the job over.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import create_database_engine
from api.models import SolveJob, utcnow

_logger = logging.getLogger(__name__)

POLL_SECONDS = 0.4
WRITE_SECONDS = 0.5

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine_for(url: str) -> Engine:
    with _engines_lock:
        if url not in _engines:
            _engines[url] = create_database_engine(url)
        return _engines[url]


class JobWatch:
    """What a running job knows about the outside world: cancel requests and its own standing."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: str,
        owner: str,
        limit: float,
        service_pid: int | None = None,
    ):
        self.factory = factory
        self.job_id = job_id
        self.owner = owner
        self.limit = max(limit, 1e-6)
        self.started = time.monotonic()
        self.parent = os.getppid()
        self.service_pid = service_pid
        self.cancelled = False
        self.lost = False
        self._last_poll = 0.0
        self._last_write = 0.0
        self._pending: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def progress(self) -> float:
        return min(0.99, (time.monotonic() - self.started) / self.limit)

    def _mine(self):
        return (SolveJob.id == self.job_id) & (SolveJob.owner == self.owner)

    def should_stop(self) -> bool:
        """True once the job is cancelled, taken over, or its service is gone."""
        if self.cancelled or self.lost:
            return True
        if os.getppid() != self.parent or not _alive(self.service_pid):
            _logger.warning("job %s: the service that started it is gone; stopping", self.job_id)
            self.lost = True
            return True
        now = time.monotonic()
        if now - self._last_poll < POLL_SECONDS:
            return False
        self._last_poll = now
        self.flush(force=False)
        with self.factory() as session:
            row = session.execute(
                select(SolveJob.cancel_requested, SolveJob.owner, SolveJob.status).where(
                    SolveJob.id == self.job_id
                )
            ).one_or_none()
            if row is None or row.owner != self.owner or row.status != "running":
                self.lost = True
            elif row.cancel_requested:
                self.cancelled = True
            else:
                session.execute(
                    update(SolveJob).where(self._mine()).values(progress=self.progress())
                )
                session.commit()
        return self.cancelled or self.lost

    def on_solution(self, solution: Any) -> None:
        """Keep an improving roster (written at most every WRITE_SECONDS, and at the end)."""
        with self._lock:
            self._pending = {
                "solution": solution.model_dump(mode="json"),
                "objective": solution.objective,
            }
        self.flush(force=False)

    def flush(self, force: bool) -> None:
        now = time.monotonic()
        with self._lock:
            if self._pending is None or (not force and now - self._last_write < WRITE_SECONDS):
                return
            values, self._pending = self._pending, None
            self._last_write = now
        if self.lost:
            return
        with self.factory() as session:
            session.execute(
                update(SolveJob)
                .where(self._mine(), SolveJob.status == "running")
                .values(progress=self.progress(), **values)
            )
            session.commit()


def _alive(pid: int | None) -> bool:
    """Whether the service process that submitted the job still runs (None: not watched)."""
    if pid is None or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_job(factory: sessionmaker[Session], job_id: str, owner: str) -> SolveJob | None:
    """Mark a queued job running for this owner; None when it is no longer ours to run."""
    with factory() as session:
        claimed = session.execute(
            update(SolveJob)
            .where(SolveJob.id == job_id, SolveJob.owner == owner, SolveJob.status == "queued")
            .values(
                status="running",
                attempts=SolveJob.attempts + 1,
                started_at=utcnow(),
                progress=0.0,
            )
        ).rowcount
        session.commit()
        if not claimed:
            return None
        job = session.get(SolveJob, job_id)
        if job is not None and job.cancel_requested:
            job.status = "cancelled"
            job.finished_at = utcnow()
            session.commit()
            return None
        return job


def run_solve_job(
    database_url: str,
    job_id: str,
    owner: str,
    service_pid: int | None = None,
    log_level: int | None = None,
) -> str:
    """Solve one job to the end (or until stopped) and store the outcome; returns the status."""
    if log_level is not None and not logging.getLogger().handlers:
        from api.cli import configure_logging

        configure_logging(logging.getLevelName(log_level))
    factory = sessionmaker(_engine_for(database_url), expire_on_commit=False)
    job = claim_job(factory, job_id, owner)
    if job is None:
        return "skipped"
    try:
        return _solve_claimed(factory, job, owner, service_pid)
    except Exception as exc:
        _logger.exception("job %s failed", job_id)
        _finish(factory, job_id, owner, status="failed", error=f"{type(exc).__name__}: {exc}")
        return "failed"


def _solve_claimed(
    factory: sessionmaker[Session], job: SolveJob, owner: str, service_pid: int | None
) -> str:
    from optimizer import Assignment, Problem, Solution, SolverSettings, solve

    problem = Problem.model_validate(job.problem)
    settings = SolverSettings.model_validate(job.settings or {})
    warm_start: Solution | list[Assignment] | None = None
    if job.solution:  # a roster kept from an interrupted attempt
        warm_start = Solution.model_validate(job.solution)
    elif job.warm_start:
        warm_start = [Assignment.model_validate(a) for a in job.warm_start]
    watch = JobWatch(factory, job.id, owner, settings.time_limit, service_pid)
    _logger.info("job %s: solving %s (attempt %d)", job.id, problem.name, job.attempts)
    solution = solve(
        problem,
        settings,
        on_solution=watch.on_solution,
        warm_start=warm_start,
        should_stop=watch.should_stop,
    )
    if watch.lost:
        _logger.warning("job %s: no longer ours; its outcome is left to the new owner", job.id)
        return "lost"
    watch.on_solution(solution)
    watch.flush(force=True)
    status = "cancelled" if watch.cancelled else "finished"
    roster_id = None
    if job.department_id is not None and job.week_start is not None and solution.assignments:
        roster_id = _store_roster(factory, job, problem, solution)
    _finish(factory, job.id, owner, status=status, solution=solution, roster_id=roster_id)
    _logger.info("job %s: %s, objective %s", job.id, status, solution.objective)
    return status


def _store_roster(factory, job: SolveJob, problem: Any, solution: Any) -> int:
    from api.roster_book import save_solved_roster

    with factory() as session:
        roster = save_solved_roster(
            session, job.department_id, job.week_start, problem, solution, job.id
        )
        session.commit()
        return roster.id


def _finish(
    factory: sessionmaker[Session],
    job_id: str,
    owner: str,
    *,
    status: str,
    error: str | None = None,
    solution: Any = None,
    roster_id: int | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "progress": 1.0}
    if error is not None:
        values["error"] = error
    if solution is not None:
        values["solution"] = solution.model_dump(mode="json")
        values["objective"] = solution.objective
    if roster_id is not None:
        values["roster_id"] = roster_id
    with factory() as session:
        session.execute(
            update(SolveJob).where(SolveJob.id == job_id, SolveJob.owner == owner).values(**values)
        )
        session.commit()
