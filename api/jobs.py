"""The solve-job runner: queue jobs onto a process pool and recover them after a restart.

Job state lives in the database. Each service start takes a fresh owner id; jobs it finds
"running" were interrupted and are re-queued (with their best roster as a warm start) or, after
`max_job_attempts` starts, marked failed with the reason. Queued jobs are started again.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import threading
import time
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import SolveJob, utcnow
from api.solve_worker import run_solve_job

_logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted by a service restart"


class JobRunner:
    """Starts solve jobs in worker processes (or threads) and records where they stand."""

    def __init__(
        self,
        database_url: str,
        factory: sessionmaker[Session],
        *,
        workers: int = 1,
        executor: str = "process",
        max_attempts: int = 2,
    ):
        self.database_url = database_url
        self.factory = factory
        self.workers = workers
        self.executor_kind = executor
        self.max_attempts = max_attempts
        self.owner = uuid.uuid4().hex
        self._executor: cf.Executor | None = None
        self._lock = threading.Lock()

    # -- pool ------------------------------------------------------------------------------------
    def _pool(self) -> cf.Executor:
        with self._lock:
            if self._executor is None:
                if self.executor_kind == "thread":
                    self._executor = cf.ThreadPoolExecutor(self.workers, "solve-job")
                else:
                    # A fork server that has imported the solver starts workers in milliseconds,
                    # and forks them from a single-threaded process, unlike the service itself.
                    context = multiprocessing.get_context("forkserver")
                    context.set_forkserver_preload(["api.solve_worker", "optimizer"])
                    self._executor = cf.ProcessPoolExecutor(self.workers, mp_context=context)
            return self._executor

    def start(self) -> None:
        """Recover jobs a previous run left behind and start every queued job."""
        for job_id in self.recover_interrupted_jobs():
            self._submit(job_id)

    def shutdown(self) -> None:
        """Hand running jobs back to the queue so that the next start resumes them."""
        with self.factory() as session:
            session.execute(
                update(SolveJob)
                .where(SolveJob.owner == self.owner, SolveJob.status.in_(("queued", "running")))
                .values(status="queued", owner=None, error=f"{INTERRUPTED}; re-queued")
            )
            session.commit()
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    # -- jobs ------------------------------------------------------------------------------------
    def create(self, session: Session, **fields: Any) -> SolveJob:
        """Store a new queued job (in the caller's session, so that a request never holds two
        connections at once) and start it."""
        job = SolveJob(id=uuid.uuid4().hex, status="queued", owner=self.owner, **fields)
        session.add(job)
        session.commit()
        self._submit(job.id)
        return job

    def _submit(self, job_id: str) -> None:
        try:
            future = self._pool().submit(
                run_solve_job,
                self.database_url,
                job_id,
                self.owner,
                os.getpid(),
                logging.getLogger().getEffectiveLevel(),
            )
        except RuntimeError as exc:  # the pool is shutting down
            _logger.warning("job %s not started: %s", job_id, exc)
            return
        future.add_done_callback(lambda f: self._after(job_id, f))

    def _after(self, job_id: str, future: cf.Future) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            return
        _logger.error("job %s: its worker died: %s", job_id, exc)
        with self.factory() as session:
            session.execute(
                update(SolveJob)
                .where(
                    SolveJob.id == job_id,
                    SolveJob.owner == self.owner,
                    SolveJob.status.in_(("queued", "running")),
                )
                .values(
                    status="failed", error=f"the solver process died: {exc}", finished_at=utcnow()
                )
            )
            session.commit()
        if isinstance(exc, cf.process.BrokenProcessPool):
            with self._lock:
                self._executor = None

    def cancel(self, session: Session, job_id: str, wait_seconds: float = 5.0) -> None:
        """Stop a job; a running one keeps the best roster found so far."""
        session.execute(
            update(SolveJob)
            .where(SolveJob.id == job_id, SolveJob.status == "queued")
            .values(status="cancelled", cancel_requested=True, finished_at=utcnow())
        )
        session.execute(
            update(SolveJob)
            .where(SolveJob.id == job_id, SolveJob.status == "running")
            .values(cancel_requested=True)
        )
        session.commit()
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            status = session.scalar(select(SolveJob.status).where(SolveJob.id == job_id))
            session.commit()  # end the read, so the next one sees the worker's writes
            if status != "running":
                return
            time.sleep(0.1)

    def recover_interrupted_jobs(self) -> list[str]:
        """Take over jobs left queued or running; returns the ids to start again."""
        resume = []
        with self.factory() as session:
            jobs = session.scalars(
                select(SolveJob)
                .where(SolveJob.status.in_(("queued", "running")))
                .order_by(SolveJob.created_at)
            ).all()
            for job in jobs:
                if job.status == "running" or job.owner != self.owner:
                    interrupted = job.status == "running"
                    if job.cancel_requested:
                        job.status = "cancelled"
                        job.finished_at = utcnow()
                        continue
                    if interrupted and job.attempts >= self.max_attempts:
                        job.status = "failed"
                        job.error = (
                            f"{INTERRUPTED} after {job.attempts} start(s); "
                            "the best roster found is kept"
                        )
                        job.finished_at = utcnow()
                        _logger.warning("job %s failed: %s", job.id, job.error)
                        continue
                    if interrupted:
                        job.error = f"{INTERRUPTED}; re-queued"
                    job.status = "queued"
                    job.owner = self.owner
                    _logger.warning("job %s re-queued after a restart", job.id)
                resume.append(job.id)
            session.commit()
        return resume
