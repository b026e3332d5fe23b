"""Stored what-if scenarios and their runs: the table, and the worker that runs one.

A scenario row keeps the scenario as written, the baseline problem it was created against (a
department's week, frozen at creation, or the built-in demo week), and, once run, the
comparison in `scenarios.run.Comparison`'s shape. Runs execute in their own worker processes,
so a long comparison never blocks the service or its solve jobs.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import logging
import multiprocessing
import threading
import time
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base, utcnow

_logger = logging.getLogger(__name__)

SCENARIO_STATUSES = ("created", "queued", "running", "finished", "failed", "cancelled")
CANCEL_POLL_SECONDS = 1.0
"""How often a running scenario looks at its row for a cancellation."""


class ScenarioRecord(Base):
    """A named, versioned scenario against a baseline week, and its latest run."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    week_start: Mapped[dt.date | None] = mapped_column(Date)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    baseline: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="created")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


def run_scenario_job(database_url: str, scenario_id: int) -> str:
    """Run one stored scenario in this (worker) process and store its comparison."""
    from sqlalchemy.orm import sessionmaker

    from api.db import create_database_engine
    from optimizer import Problem, SolverSettings
    from scenarios.run import RunStopped, run_scenario
    from scenarios.spec import Scenario

    engine = create_database_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory() as session:
            record = session.get(ScenarioRecord, scenario_id)
            if record is None:
                return "missing"
            spec, baseline, settings = record.spec, record.baseline, record.settings
            run = utcnow()  # this run's mark: a later run of the scenario has its own
            if not _move(session, scenario_id, None, status="running", started_at=run):
                return "cancelled"  # cancelled while queued
        cancelled = CancelWatch(factory, scenario_id, run)
        try:
            scenario = Scenario.model_validate(spec)
            comparison = run_scenario(
                scenario,
                SolverSettings.model_validate(settings),
                baseline=Problem.model_validate(baseline),
                should_stop=cancelled,
            )
            status, result, error = "finished", comparison.model_dump(mode="json"), None
        except RunStopped:
            status, result, error = "cancelled", None, None
        except Exception as exc:  # a failed run is reported on the resource, not lost
            _logger.exception("scenario %s failed", scenario_id)
            status, result, error = "failed", None, f"{type(exc).__name__}: {exc}"
        with factory() as session:  # a cancellation wins over a late result
            done = {"result": result, "error": error, "finished_at": utcnow()}
            if not _move(session, scenario_id, run, status=status, **done):
                return "cancelled"
        return status
    finally:
        engine.dispose()


def _still(scenario_id: int, run: dt.datetime | None):
    """The scenario's row while queued (`run` None) or running the run started at `run`
    (compared in the database, which keeps the timestamp as it was written)."""
    if run is None:
        return (ScenarioRecord.id == scenario_id) & (ScenarioRecord.status == "queued")
    return (
        (ScenarioRecord.id == scenario_id)
        & (ScenarioRecord.status == "running")
        & (ScenarioRecord.started_at == run)
    )


def _move(session, scenario_id: int, run: dt.datetime | None, **values: Any) -> bool:
    """Update the scenario's row only while it is still queued (`run` None) or still running
    the run started at `run`: one statement, so that a cancellation or a new run committed
    meanwhile is never overwritten. Whether the row was updated."""
    moved = session.execute(update(ScenarioRecord).where(_still(scenario_id, run)).values(**values))
    session.commit()
    return moved.rowcount == 1


def cancel_run(session, scenario_id: int) -> bool:
    """Mark the scenario's run cancelled while it is still queued or running, in one statement,
    so that a run finishing meanwhile keeps its comparison. Whether it was cancelled."""
    active = (ScenarioRecord.id == scenario_id) & ScenarioRecord.status.in_(("queued", "running"))
    done = {"status": "cancelled", "result": None, "error": None, "finished_at": utcnow()}
    cancelled = session.execute(update(ScenarioRecord).where(active).values(**done))
    session.commit()
    return cancelled.rowcount == 1


class CancelWatch:
    """Whether a scenario's run started at `run` should stop: its row no longer says it is
    running that run (cancelled, or cancelled and run again). Read at most once every
    CANCEL_POLL_SECONDS (the solver asks a few times a second)."""

    def __init__(self, factory, scenario_id: int, run: dt.datetime) -> None:
        self.factory = factory
        self.scenario_id = scenario_id
        self.run = run
        self.cancelled = False
        self._last_read = 0.0

    def __call__(self) -> bool:
        now = time.monotonic()
        if self.cancelled or now - self._last_read < CANCEL_POLL_SECONDS:
            return self.cancelled
        self._last_read = now
        query = select(ScenarioRecord.id).where(_still(self.scenario_id, self.run))
        with self.factory() as session:
            running = session.scalar(query)
            self.cancelled = running is None
        return self.cancelled


INTERRUPTED_RUN = "interrupted by a service restart; run it again"


def fail_interrupted_runs(session_factory) -> list[int]:
    """Mark scenario runs left queued or running by a stopped service as failed, with the
    reason, so that none stays "running" for ever; returns their ids."""
    with session_factory() as session:
        records = session.scalars(
            select(ScenarioRecord).where(ScenarioRecord.status.in_(("queued", "running")))
        ).all()
        for record in records:
            record.status, record.error, record.finished_at = "failed", INTERRUPTED_RUN, utcnow()
        session.commit()
        ids = [record.id for record in records]
    if ids:
        _logger.warning("scenario runs %s were interrupted by a restart: marked failed", ids)
    return ids


class ScenarioRunner:
    """A small pool for scenario runs (worker processes, or threads when the service's
    `job_executor` says so), started on first use."""

    def __init__(self, database_url: str, workers: int = 1, executor: str = "process") -> None:
        self.database_url = database_url
        self.workers = workers
        self.executor = executor
        self._pool: cf.Executor | None = None
        self._lock = threading.Lock()

    def submit(self, scenario_id: int) -> cf.Future:
        with self._lock:
            if self._pool is None:
                if self.executor == "thread":
                    self._pool = cf.ThreadPoolExecutor(self.workers, "scenario-run")
                else:
                    context = multiprocessing.get_context("forkserver")
                    self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=context)
            return self._pool.submit(run_scenario_job, self.database_url, scenario_id)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
