"""Performance: weekly goal completion, weighted KPI scorecards with audited manual adjustments,
and the solver priority that follows from them, bounded by a fairness limit.

A high performer (goal completion at or above the department's threshold last week) gets a
higher priority, so their wishes weigh more; anyone whose wishes were overruled in each of the
last N rosters gets the fairness priority, which is at least as high, so nobody loses week after
week. Both are written into `Problem.meta["performance_feedback"]`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.attendance import attendance_book
from api.models import (
    Employee,
    KpiWeight,
    PerformancePolicy,
    Roster,
    ScoreAdjustment,
    WeeklyGoal,
)
from api.time_windows import window_label, window_worked_by
from optimizer.schema import Problem

_logger = logging.getLogger(__name__)

SCORE_CAP = 150.0
MAX_PRIORITY = 3.0
ATTENDANCE_METRIC = "attendance"


@dataclass(frozen=True)
class Policy:
    """A department's tier threshold, tier priority and fairness limit."""

    high_performer_completion: float = 1.2
    high_performer_priority: float = 1.5
    fairness_weeks: int = 2
    fairness_priority: float = 2.0


def policy_of(session: Session, department_id: int) -> Policy:
    stored = session.scalar(
        select(PerformancePolicy).where(PerformancePolicy.department_id == department_id)
    )
    if stored is None:
        return Policy()
    return Policy(
        stored.high_performer_completion,
        stored.high_performer_priority,
        stored.fairness_weeks,
        stored.fairness_priority,
    )


def goal_completion(goals: list[WeeklyGoal]) -> float | None:
    """Mean share of target achieved over a week's goals (1.3 = 130%); None without goals."""
    ratios = [g.achieved / g.target for g in goals if g.target > 0]
    return sum(ratios) / len(ratios) if ratios else None


def tier_of(completion: float | None, policy: Policy) -> str:
    if completion is not None and completion >= policy.high_performer_completion:
        return "high performer"
    return "standard"


def goals_of_week(session: Session, employee_ids: list[int], week: dt.date) -> dict:
    goals: dict[int, list[WeeklyGoal]] = defaultdict(list)
    for goal in session.scalars(
        select(WeeklyGoal).where(
            WeeklyGoal.employee_id.in_(employee_ids), WeeklyGoal.week_start == week
        )
    ):
        goals[goal.employee_id].append(goal)
    return goals


# -- scorecards -----------------------------------------------------------------------------------
def attendance_score(session: Session, employee: Employee, week: dt.date) -> float | None:
    """Share of the employee's rostered shifts of the week they turned up for, in percent."""
    book = attendance_book(session, employee.department_id, week, week + dt.timedelta(days=6))
    mine = [s for s in book.shifts if s.shift.employee_id == employee.id]
    if not mine:
        return None
    return round(100.0 * sum(s.turned_up for s in mine) / len(mine), 1)


def computed_scores(session: Session, employee: Employee, week: dt.date) -> dict[str, float]:
    """Each metric's score before adjustments: goal completion in percent (capped), and the
    attendance metric from the clock data."""
    scores: dict[str, float] = {}
    for goal in goals_of_week(session, [employee.id], week)[employee.id]:
        if goal.target > 0:
            scores[goal.metric] = round(min(SCORE_CAP, 100.0 * goal.achieved / goal.target), 1)
    if ATTENDANCE_METRIC not in scores:
        attended = attendance_score(session, employee, week)
        if attended is not None:
            scores[ATTENDANCE_METRIC] = attended
    return scores


def adjustments_of(session: Session, employee_id: int, week: dt.date) -> list[ScoreAdjustment]:
    return list(
        session.scalars(
            select(ScoreAdjustment)
            .where(ScoreAdjustment.employee_id == employee_id, ScoreAdjustment.week_start == week)
            .order_by(ScoreAdjustment.adjusted_at, ScoreAdjustment.id)
        )
    )


def scorecard(session: Session, employee: Employee, week: dt.date) -> dict[str, Any]:
    """The week's scorecard: each metric's weight, computed and current score, and the
    weighted total over the metrics that have a score."""
    weights = {
        w.metric: w.weight
        for w in session.scalars(
            select(KpiWeight).where(KpiWeight.department_id == employee.department_id)
        )
    }
    computed = computed_scores(session, employee, week)
    current = dict(computed)
    for adjustment in adjustments_of(session, employee.id, week):
        current[adjustment.metric] = adjustment.after
    metrics = sorted(set(weights) | set(current))
    lines: list[dict[str, Any]] = []
    for metric in metrics:
        lines.append(
            {
                "metric": metric,
                "weight": weights.get(metric, 0.0 if weights else 1.0),
                "computed": computed.get(metric),
                "score": current.get(metric),
                "adjusted": current.get(metric) != computed.get(metric),
            }
        )
    scored = [line for line in lines if line["score"] is not None and line["weight"] > 0]
    total_weight = sum(line["weight"] for line in scored)
    total = (
        round(sum(line["weight"] * line["score"] for line in scored) / total_weight, 1)
        if total_weight
        else None
    )
    return {"employee_id": employee.id, "week": week, "metrics": lines, "total": total}


# -- priority for the solver ----------------------------------------------------------------------
def preference_outcomes(problem: dict[str, Any], assignments: list[Any]) -> list[dict[str, Any]]:
    """Each preference of a stored roster's problem, and whether the roster honoured it."""
    worked = {(a["employee"], a["day"]): a["shift_type"] for a in assignments}
    outcomes = []
    for pref in problem.get("preferences", []):
        if pref.get("start_minute") is not None:
            outcomes.append(window_outcome(pref, problem, assignments))
            continue
        shift = worked.get((pref["employee"], pref["day"]))
        hit = shift is not None and (pref.get("shift_type") in (None, shift))
        honoured = hit if pref["kind"] == "want" else not hit
        outcomes.append({**pref, "honoured": honoured})
    return outcomes


def window_outcome(pref: dict[str, Any], problem: dict[str, Any], assignments: list) -> dict:
    """A time-window wish, its hours as text, and the shift that met (or broke) it."""
    shift = window_worked_by(pref, problem, assignments)
    honoured = shift is not None if pref["kind"] == "want" else shift is None
    window = window_label(pref["start_minute"], pref["end_minute"])
    return {**pref, "window": window, "worked_shift": shift, "honoured": honoured}


def overruled_streaks(session: Session, department_id: int, week_start: dt.date, weeks: int):
    """Employees whose wishes were overruled in every one of the last `weeks` rosters."""
    if weeks <= 0:
        return set()
    overruled_each_week: list[set[str]] = []
    for k in range(1, weeks + 1):
        roster = session.scalar(
            select(Roster).where(
                Roster.department_id == department_id,
                Roster.week_start == week_start - dt.timedelta(weeks=k),
            )
        )
        if roster is None:
            return set()
        outcomes = preference_outcomes(roster.problem or {}, roster.assignments or [])
        overruled_each_week.append({o["employee"] for o in outcomes if not o["honoured"]})
    return set.intersection(*overruled_each_week)


def apply_performance_priority(
    session: Session, problem: Problem, department_id: int, week_start: dt.date
) -> None:
    """Raise the priority of last week's high performers, and (at least as much) of anyone
    overruled week after week; the reasons go into the problem's meta."""
    policy = policy_of(session, department_id)
    ids = [int(e.id) for e in problem.employees if e.id.isdigit()]
    goals = goals_of_week(session, ids, week_start - dt.timedelta(weeks=1))
    overruled = overruled_streaks(session, department_id, week_start, policy.fairness_weeks)
    reasons: dict[str, dict[str, Any]] = {}
    for employee in problem.employees:
        completion = (
            goal_completion(goals.get(int(employee.id), [])) if employee.id.isdigit() else None
        )
        priority = employee.priority
        reason = None
        if tier_of(completion, policy) == "high performer":
            priority = max(priority, policy.high_performer_priority)
            reason = f"high performer: {completion:.0%} of last week's goals"
        if employee.id in overruled and policy.fairness_priority > priority:
            priority = policy.fairness_priority
            reason = (
                f"fairness limit: wishes overruled in each of the last "
                f"{policy.fairness_weeks} rosters"
            )
        priority = min(priority, MAX_PRIORITY)
        if reason is not None and priority != employee.priority:
            reasons[employee.id] = {"priority": priority, "reason": reason}
            employee.priority = priority
    problem.meta["performance_feedback"] = {"priority": reasons}
    if reasons:
        _logger.info("priority raised for %d employees of %s", len(reasons), problem.name)
