"""What-if scenarios: create one against a department's week, list them, run one as a job, and
fetch its comparison with the baseline.

A scenario is the same document as a scenario file (`scenarios.spec.Scenario`), minus file
paths: its baseline is a department's week (frozen when the scenario is created) or the
built-in demo week.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from api.access import get_department, not_found, require_department_planner, require_staff_planner
from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import unprocessable
from api.models import User
from api.problem_builder import build_week_problem
from api.scenario_jobs import ScenarioRecord, ScenarioRunner, cancel_run
from api.schemas import PlanDate
from optimizer import SolverSettings
from scenarios.run import load_baseline
from scenarios.spec import Scenario

_logger = logging.getLogger(__name__)

router = APIRouter(prefix="/scenarios", tags=["scenarios"])


class ScenarioCreate(BaseModel):
    """A scenario and the week it changes."""

    department_id: int | None = Field(
        None, ge=1, description="Department whose week is the baseline (omit for the demo week)."
    )
    week: PlanDate | None = Field(None, description="Monday of the baseline week.")
    scenario: Scenario = Field(description="The scenario, as in a scenario file.")

    @model_validator(mode="after")
    def _check_baseline(self) -> ScenarioCreate:
        s = self.scenario
        if s.events_file is not None:
            raise ValueError("scenario.events_file: give the events inline under 'events'")
        if self.department_id is not None:
            if self.week is None:
                raise ValueError("week: give the Monday of the department's baseline week")
            if s.baseline is not None:
                raise ValueError("scenario.baseline: the department's week is the baseline")
        elif s.baseline is None or s.baseline.demo is None:
            raise ValueError("department_id: give a department and week, or baseline: demo")
        return self


class ScenarioRun(BaseModel):
    """How long to solve, per roster (baseline and scenario)."""

    time_limit: float = Field(20.0, gt=0, description="Seconds per solve.")
    workers: int = Field(2, ge=1, le=8, description="CP-SAT workers per solve.")
    mode: str | None = Field(
        None, pattern="^(fresh|minimal_change)$", description="Override the scenario's mode."
    )


class ScenarioPublic(BaseModel):
    """A stored scenario, its latest run's status and headline figures."""

    id: int
    name: str
    version: int
    department_id: int | None
    week: dt.date | None
    status: str = Field(description="created, queued, running, finished, failed or cancelled.")
    scenario: dict[str, Any]
    summary: dict[str, Any] | None = Field(
        None, description="Baseline and scenario figures of the latest finished run."
    )
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def scenario_public(record: ScenarioRecord) -> ScenarioPublic:
    summary = None
    if record.result:
        keys = ("paid_hours", "labour_cost", "under_cover_person_hours", "service_level")
        summary = {
            side: {k: record.result[side][k] for k in (*keys, "extra_shifts")}
            for side in ("baseline", "scenario")
        }
    return ScenarioPublic(
        id=record.id,
        name=record.name,
        version=record.version,
        department_id=record.department_id,
        week=record.week_start,
        status=record.status,
        scenario=record.spec,
        summary=summary,
        error=record.error,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
    )


def _visible(session: SessionDep, user: User, scenario_id: int) -> ScenarioRecord:
    require_staff_planner(user)
    record = session.get(ScenarioRecord, scenario_id)
    if record is None:
        raise not_found("scenario", scenario_id)
    if record.department_id is not None:
        require_department_planner(user, record.department_id)
    elif user.role != "hr" and record.created_by != user.id:
        raise not_found("scenario", scenario_id)
    return record


def _runner(request: Request) -> ScenarioRunner:
    state = request.app.state
    if getattr(state, "scenario_runner", None) is None:
        settings = state.settings
        state.scenario_runner = ScenarioRunner(
            settings.resolved_database_url(), executor=settings.job_executor
        )
    return state.scenario_runner


@router.post("", response_model=ScenarioPublic, status_code=status.HTTP_201_CREATED)
def create_scenario(body: ScenarioCreate, session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """Store a scenario with its baseline week (a department's, as it stands now, or the demo)."""
    require_staff_planner(user)
    if body.department_id is not None:
        get_department(session, body.department_id)
        require_department_planner(user, body.department_id)
        try:
            baseline = build_week_problem(session, body.department_id, body.week)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            raise unprocessable(field, reason or str(exc)) from None
    else:
        baseline = load_baseline(body.scenario)
    record = ScenarioRecord(
        name=body.scenario.name,
        version=body.scenario.version,
        department_id=body.department_id,
        week_start=body.week,
        spec=body.scenario.model_dump(mode="json", exclude_none=True),
        baseline=baseline.model_dump(mode="json"),
        created_by=user.id,
    )
    session.add(record)
    session.commit()
    _logger.info("scenario %s %r created by %s", record.id, record.name, user.username)
    return scenario_public(record)


@router.get("", response_model=list[ScenarioPublic])
def list_scenarios(session: SessionDep, user: CurrentUser) -> list[ScenarioPublic]:
    """Scenarios the user may see, newest first."""
    require_staff_planner(user)
    query = select(ScenarioRecord).order_by(ScenarioRecord.id.desc())
    if user.role != "hr":
        query = query.where(
            (ScenarioRecord.department_id == user.department_id)
            | (ScenarioRecord.created_by == user.id)
        )
    return [scenario_public(r) for r in session.scalars(query)]


@router.get("/{scenario_id}", response_model=ScenarioPublic)
def read_scenario(scenario_id: int, session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """A scenario, the status of its latest run and its headline figures."""
    return scenario_public(_visible(session, user, scenario_id))


@router.post(
    "/{scenario_id}/runs", response_model=ScenarioPublic, status_code=status.HTTP_202_ACCEPTED
)
def run_scenario(
    scenario_id: int,
    body: ScenarioRun,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> ScenarioPublic:
    """Solve the baseline and the scenario in a worker process; poll the scenario for status."""
    record = _visible(session, user, scenario_id)
    if record.status in ("queued", "running"):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"scenario {scenario_id} is running")
    if body.time_limit > settings.max_time_limit:
        raise unprocessable(
            "time_limit",
            f"{body.time_limit} s is above this service's limit of {settings.max_time_limit} s",
        )
    if body.mode is not None:
        record.spec = {**record.spec, "mode": body.mode}
    record.settings = SolverSettings(time_limit=body.time_limit, workers=body.workers).model_dump(
        mode="json"
    )
    record.status, record.result, record.error = "queued", None, None
    session.commit()
    _runner(request).submit(record.id)
    return scenario_public(record)


@router.post("/{scenario_id}/cancel", response_model=ScenarioPublic)
def cancel_scenario_run(scenario_id: int, session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """Stop a queued or running comparison: its worker stops solving within a few seconds and
    the scenario keeps no half-made comparison; run it again at any time."""
    record = _visible(session, user, scenario_id)
    cancelled = cancel_run(session, record.id)
    session.refresh(record)
    if not cancelled:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"scenario {scenario_id} is not running (status {record.status})",
        )
    _logger.info("scenario %s run cancelled by %s", record.id, user.username)
    return scenario_public(record)


@router.get("/{scenario_id}/comparison")
def read_comparison(scenario_id: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The latest run's full comparison (the numbers of `comparison.json`)."""
    record = _visible(session, user, scenario_id)
    if record.result is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"scenario {scenario_id} has no finished run (status {record.status})",
        )
    return record.result
