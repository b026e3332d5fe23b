"""Performance: weekly goals, KPI weights per department, scorecards with audited manual
adjustments, the priority policy, and which wishes a roster honoured and why not.

Planners (HR, the department's manager) write; employees read their own goals and scorecards.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from api.access import (
    get_department,
    get_employee_for,
    require_department_planner,
    require_staff_planner,
)
from api.deps import CurrentUser, SessionDep
from api.models import (
    Employee,
    KpiWeight,
    PerformancePolicy,
    ScoreAdjustment,
    WeeklyGoal,
    utcnow,
)
from api.performance import Policy, policy_of, preference_outcomes, scorecard
from api.roster_book import get_roster
from api.schemas import Id, PathId, PlanDate, check_monday

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["performance"])

Metric = Annotated[str, Field(min_length=1, max_length=40, description="e.g. output, sales.")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalIn(_In):
    employee_id: Id = Field(description="Whose goal.")
    week: PlanDate = Field(description="Monday of the week.")
    metric: Metric = "output"
    unit: str = Field("", max_length=40, description="Any unit: calls, parcels, EUR.")
    target: float = Field(ge=0.001, le=1e12, description="What was aimed for.")
    achieved: float = Field(0.0, ge=0, le=1e12, description="What was reached.")

    @model_validator(mode="after")
    def _check_week(self) -> GoalIn:
        check_monday(self.week)
        return self


class GoalPublic(GoalIn):
    model_config = ConfigDict(extra="ignore")
    id: int
    completion: float = Field(description="achieved / target (1.2 = 120%).")


class KpiWeightsIn(_In):
    weights: dict[Metric, Annotated[float, Field(ge=0, le=100)]] = Field(
        description="Weight per metric in percent, adding up to 100 "
        "(e.g. output 30, quality 25, sales 20, attendance 10, teamwork 15)."
    )

    @model_validator(mode="after")
    def _check_total(self) -> KpiWeightsIn:
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights: no weight may be negative")
        total = sum(self.weights.values())
        if abs(total - 100) > 1e-6:
            raise ValueError(f"weights: they add up to {total:g}, not 100")
        return self


class AdjustmentIn(_In):
    week: PlanDate = Field(description="Monday of the scorecard's week.")
    metric: Metric
    score: float = Field(ge=0, le=200, description="The score the metric should have.")
    reason: str = Field(min_length=3, max_length=2000, description="Why (kept in the audit).")


class AdjustmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    employee_id: int
    week_start: dt.date
    metric: str
    before: float
    after: float
    reason: str
    adjusted_by: str
    adjusted_at: dt.datetime


class PolicyIn(_In):
    high_performer_completion: float = Field(
        1.2, gt=0, le=10, description="Goal completion from which one is a high performer."
    )
    high_performer_priority: float = Field(
        1.5, ge=1, le=3, description="Solver priority of a high performer (1 = ordinary)."
    )
    fairness_weeks: int = Field(
        2, ge=0, le=52, description="Rosters in a row with overruled wishes before the boost."
    )
    fairness_priority: float = Field(
        2.0, ge=1, le=3, description="Priority of someone overruled that many weeks in a row."
    )


def goal_public(goal: WeeklyGoal) -> GoalPublic:
    return GoalPublic(
        id=goal.id,
        employee_id=goal.employee_id,
        week=goal.week_start,
        metric=goal.metric,
        unit=goal.unit,
        target=goal.target,
        achieved=goal.achieved,
        completion=round(goal.achieved / goal.target, 3),
    )


@router.put("/goals", response_model=GoalPublic)
def set_goal(body: GoalIn, session: SessionDep, user: CurrentUser) -> GoalPublic:
    """Set a weekly goal and what was achieved (replaces the same employee, week and metric)."""
    require_staff_planner(user)
    get_employee_for(user, session, body.employee_id)
    goal = session.scalar(
        select(WeeklyGoal).where(
            WeeklyGoal.employee_id == body.employee_id,
            WeeklyGoal.week_start == body.week,
            WeeklyGoal.metric == body.metric,
        )
    )
    if goal is None:
        goal = WeeklyGoal(employee_id=body.employee_id, week_start=body.week, metric=body.metric)
        session.add(goal)
    goal.unit, goal.target, goal.achieved = body.unit, body.target, body.achieved
    session.commit()
    return goal_public(goal)


@router.get("/goals", response_model=list[GoalPublic])
def list_goals(
    employee_id: Annotated[int, Query(ge=1, description="Whose goals.")],
    session: SessionDep,
    user: CurrentUser,
) -> list[GoalPublic]:
    """An employee's weekly goals, oldest first."""
    get_employee_for(user, session, employee_id)
    goals = session.scalars(
        select(WeeklyGoal)
        .where(WeeklyGoal.employee_id == employee_id)
        .order_by(WeeklyGoal.week_start, WeeklyGoal.metric)
    )
    return [goal_public(g) for g in goals]


@router.put("/departments/{department_id}/kpi-weights")
def set_kpi_weights(
    department_id: PathId, body: KpiWeightsIn, session: SessionDep, user: CurrentUser
) -> dict[str, float]:
    """Replace the department's scorecard weights."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    for old in session.scalars(select(KpiWeight).where(KpiWeight.department_id == department_id)):
        session.delete(old)
    session.flush()
    for metric, weight in body.weights.items():
        session.add(KpiWeight(department_id=department_id, metric=metric, weight=weight))
    session.commit()
    return body.weights


@router.put("/departments/{department_id}/performance-policy", response_model=PolicyIn)
def set_policy(
    department_id: PathId, body: PolicyIn, session: SessionDep, user: CurrentUser
) -> PolicyIn:
    """Set the tier threshold, the priorities and the fairness limit of a department."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    stored = session.scalar(
        select(PerformancePolicy).where(PerformancePolicy.department_id == department_id)
    )
    if stored is None:
        stored = PerformancePolicy(department_id=department_id)
        session.add(stored)
    for name, value in body.model_dump().items():
        setattr(stored, name, value)
    session.commit()
    return body


@router.get("/departments/{department_id}/performance-policy", response_model=PolicyIn)
def read_policy(department_id: PathId, session: SessionDep, user: CurrentUser) -> Any:
    get_department(session, department_id)
    require_department_planner(user, department_id)
    policy: Policy = policy_of(session, department_id)
    return PolicyIn(**policy.__dict__)


@router.get("/employees/{employee_id}/scorecard")
def read_scorecard(
    employee_id: PathId,
    week: Annotated[PlanDate, Query(description="Monday of the week.")],
    session: SessionDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """The week's scorecard: weighted metrics, computed and adjusted scores, and the total."""
    employee = get_employee_for(user, session, employee_id)
    return scorecard(session, employee, week)


@router.post("/employees/{employee_id}/scorecard/adjustments")
def adjust_score(
    employee_id: PathId, body: AdjustmentIn, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """Change one metric's score with a reason; kept in the audit trail, totals recomputed."""
    require_staff_planner(user)
    employee: Employee = get_employee_for(user, session, employee_id)
    before = next(
        (
            m["score"]
            for m in scorecard(session, employee, body.week)["metrics"]
            if m["metric"] == body.metric
        ),
        None,
    )
    session.add(
        ScoreAdjustment(
            employee_id=employee_id,
            week_start=body.week,
            metric=body.metric,
            before=before if before is not None else 0.0,
            after=body.score,
            reason=body.reason,
            adjusted_by=user.username,
            adjusted_at=utcnow(),
        )
    )
    session.commit()
    _logger.info("%s adjusted %s of employee %d", user.username, body.metric, employee_id)
    return scorecard(session, employee, body.week)


@router.get("/employees/{employee_id}/scorecard/adjustments", response_model=list[AdjustmentPublic])
def audit_trail(
    employee_id: PathId, session: SessionDep, user: CurrentUser
) -> list[ScoreAdjustment]:
    """Every manual score change of an employee: who, when, before, after and why."""
    get_employee_for(user, session, employee_id)
    return list(
        session.scalars(
            select(ScoreAdjustment)
            .where(ScoreAdjustment.employee_id == employee_id)
            .order_by(ScoreAdjustment.adjusted_at, ScoreAdjustment.id)
        )
    )


SAME_WISH_KEYS = ("shift_type", "start_minute", "end_minute")


def why_not_honoured(outcome: dict, outcomes: list[dict], priorities: dict[str, float]) -> str:
    """The reason a wish was not met, in rule terms."""
    mine = priorities.get(outcome["employee"], 1.0)
    if outcome["kind"] == "avoid":
        if "window" in outcome:
            return (
                f"the slot was needed for cover: the {outcome['worked_shift']} shift overlaps "
                f"{outcome['window']}"
            )
        return "the slot was needed for cover"
    rivals = [o for o in outcomes if same_wish(o, outcome) and o["honoured"]]
    for rival in rivals:
        theirs = priorities.get(rival["employee"], 1.0)
        if theirs > mine:
            return (
                f"a higher-priority colleague's request won: employee {rival['employee']} "
                f"(priority {theirs:g} against {mine:g})"
            )
    if rivals:
        return "a colleague with the same request got the shift (lower cost)"
    if "window" in outcome:
        return (
            f"not rostered on a shift covering {outcome['window']}: "
            "cover, labour rules or cost came first"
        )
    return "cover, labour rules or cost came first"


def same_wish(other: dict, outcome: dict) -> bool:
    """A colleague's wish to work the same day and the same shift or hours."""
    return (
        other["kind"] == "want"
        and other["employee"] != outcome["employee"]
        and other["day"] == outcome["day"]
        and all(other.get(key) == outcome.get(key) for key in SAME_WISH_KEYS)
    )


@router.get("/rosters/{roster_id}/preferences")
def roster_preferences(roster_id: PathId, session: SessionDep, user: CurrentUser) -> dict:
    """Per employee, which wishes the roster honoured, why not where it did not, and the
    priorities performance and the fairness limit gave."""
    roster = get_roster(session, roster_id)
    require_staff_planner(user)
    require_department_planner(user, roster.department_id)
    problem = roster.problem or {}
    priorities = {e["id"]: e.get("priority", 1.0) for e in problem.get("employees", [])}
    outcomes = preference_outcomes(problem, roster.assignments or [])
    for outcome in outcomes:
        if not outcome["honoured"]:
            outcome["reason"] = why_not_honoured(outcome, outcomes, priorities)
    by_employee: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        tally = by_employee.setdefault(outcome["employee"], {"honoured": 0, "not_honoured": 0})
        tally["honoured" if outcome["honoured"] else "not_honoured"] += 1
    feedback = problem.get("meta", {}).get("performance_feedback", {"priority": {}})
    return {
        "preferences": outcomes,
        "by_employee": by_employee,
        "priority": feedback.get("priority", {}),
    }
